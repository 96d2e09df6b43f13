"""The package's own surface: what `import poolkit as pk` gives a learner."""

import subprocess
import sys

import pytest

import poolkit as pk


HEAVY = ("matplotlib", "ipywidgets", "IPython", "PIL", "jupyterquiz")


@pytest.mark.parametrize("statement", ["import poolkit", "import poolkit.course",
                                       "import poolkit.course.deps", "import poolkit as pk; pk.course"])
def test_plain_import_does_not_load_plotting_or_widgets(statement):
    # A fresh interpreter, so modules imported by other tests don't count.
    code = f"import sys; {statement}; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("name, module", [
    ("data", "poolkit.course.data"), ("plot", "poolkit.course.plot"), ("animate", "poolkit.course.animate"),
    ("widgets", "poolkit.course.widgets"), ("grid", "poolkit.course.grid"),
    ("windows", "poolkit.course.windows"), ("timing", "poolkit.course.timing"),
    ("invariance", "poolkit.course.invariance"), ("images", "poolkit.course.images"),
    ("course", "poolkit.course"),
    ("exercises", "poolkit.course.exercises"), ("shapes", "poolkit.shapes"),
])
def test_teaching_modules_are_reachable_as_attributes(name, module):
    # The learners' names (pk.plot.show_pooling, pk.data.photo, ...) are lazy aliases of the course layer.
    assert getattr(pk, name).__name__ == module
    assert name in dir(pk)


def test_the_names_the_chapters_call_are_there():
    assert callable(pk.plot.show_pooling) and callable(pk.plot.show_routing) and callable(pk.plot.show_map)
    assert callable(pk.animate.to_html) and callable(pk.animate.sliding_window)
    assert callable(pk.widgets.PoolingExplorer) and callable(pk.widgets.OutputSizeCalculator)
    assert pk.data.photo(size=8).shape == (8, 8)
    assert pk.plot.show_images is pk.images.show_images


def test_function_wins_over_module_of_the_same_name():
    # `pk.gradcheck` is the helper function; the module stays importable by its full name.
    assert callable(pk.gradcheck) and not hasattr(pk.gradcheck, "__path__")
    from poolkit.gradients import relative_error
    assert relative_error is pk.relative_error


def test_unknown_attribute_is_a_clear_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'max_pool3d'"):
        pk.max_pool3d  # noqa: B018 - the attribute access is what is tested


# Every public name of the library before the redesign (issue 11) still resolves.
OLD_NAMES = """
AdaptiveAvgPool2d AdaptiveMaxPool2d AvgPool1d AvgPool2d BackwardBeforeForwardError ConvFlops
GlobalAvgPool2d GlobalMaxPool2d LPPool2d MaxPool1d MaxPool2d PoolBytes PoolFlops RFLayer
ReceptiveField SpatialPyramidPool2d adaptive_avg_pool2d adaptive_avg_pool2d_backward
adaptive_avg_pool2d_backward_naive adaptive_avg_pool2d_naive adaptive_bins adaptive_max_pool2d
adaptive_max_pool2d_backward adaptive_max_pool2d_backward_naive adaptive_max_pool2d_naive
avg_pool1d avg_pool1d_backward avg_pool1d_backward_naive avg_pool1d_naive avg_pool2d
avg_pool2d_backward avg_pool2d_backward_naive avg_pool2d_naive conv2d_flops conv2d_params
global_avg_pool2d global_avg_pool2d_backward global_avg_pool2d_backward_naive
global_avg_pool2d_naive global_max_pool2d global_max_pool2d_backward
global_max_pool2d_backward_naive global_max_pool2d_naive gradcheck lp_pool2d lp_pool2d_backward
lp_pool2d_backward_naive lp_pool2d_naive max_padding max_pool1d max_pool1d_backward
max_pool1d_backward_naive max_pool1d_naive max_pool2d max_pool2d_backward
max_pool2d_backward_naive max_pool2d_naive max_unpool2d max_unpool2d_backward
max_unpool2d_backward_naive max_unpool2d_naive num_parameters numerical_gradient output_size
pool_bytes pool_flops published_spp_bins published_spp_window receptive_field relative_error
spatial_pyramid_pool2d spatial_pyramid_pool2d_backward spatial_pyramid_pool2d_backward_naive
spatial_pyramid_pool2d_naive unpool_size
""".split()

# names the course modules import from the library modules directly
OLD_MODULE_NAMES = [
    ("max_pool", "max_pool2d"), ("max_pool", "max_pool2d_backward"),
    ("max_pool", "max_pool2d_naive"), ("avg_pool", "avg_pool2d"),
    ("avg_pool", "avg_pool2d_backward"), ("avg_pool", "avg_pool2d_naive"),
    ("shapes", "output_size"), ("shapes", "adaptive_bins"), ("params", "output_length"),
    ("params", "check_int"), ("params", "check_bool"), ("params", "check_kernel_args"),
    ("params", "pool_geometry"), ("adaptive", "adaptive_max_pool2d_naive"),
    ("global_pool", "global_max_pool2d_naive"), ("pyramid", "spatial_pyramid_pool2d_naive"),
]


@pytest.mark.parametrize("name", OLD_NAMES)
def test_every_old_public_name_still_resolves(name):
    assert name in pk.__all__
    assert getattr(pk, name) is not None


@pytest.mark.parametrize("module, name", OLD_MODULE_NAMES)
def test_old_module_level_names_still_resolve(module, name):
    import importlib
    assert callable(getattr(importlib.import_module(f"poolkit.{module}"), name))


def test_new_library_modules_are_reachable():
    for name in ("geometry", "reference", "arguments", "lp_pool", "unpool", "gradients", "kernels"):
        assert getattr(pk, name).__name__ == f"poolkit.{name}"
    assert pk.MaxUnpool2d is pk.layers.MaxUnpool2d


# ---------------------------------------------------------------- packaging: the "course" extra


def _pyproject():
    import tomllib
    from pathlib import Path

    return tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf8"))


def _dist_name(requirement):
    import re

    return re.match(r"[A-Za-z0-9._-]+", requirement).group(0).lower().replace("_", "-")


def test_the_course_extra_names_the_packages_the_error_names():
    from poolkit.course.deps import COURSE_PACKAGES

    extra = _pyproject()["project"]["optional-dependencies"]["course"]
    assert sorted(_dist_name(r) for r in extra) == sorted(p.lower() for p in COURSE_PACKAGES.values())
    assert all(">=" in r and "==" not in r for r in extra)            # lower bounds, no pins
    assert _pyproject()["project"]["dependencies"] == ["numpy>=1.26"]  # the library: numpy only


def test_every_third_party_import_of_the_course_layer_is_in_the_extra():
    # Read the imports of every course module (and the exercises) and check each non-stdlib
    # package is a course dependency: a new import without a new extra fails here.
    import ast
    from pathlib import Path

    from poolkit.course.deps import COURSE_PACKAGES

    root = Path(__file__).resolve().parents[1] / "poolkit"
    found = set()
    for path in (root / "course").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf8"))):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    third_party = {m for m in found if m not in sys.stdlib_module_names} - {"numpy", "poolkit", "__future__"}
    # matplotlib_inline comes with ipykernel; poolkit.course.grid uses it only if it is there.
    assert third_party - {"matplotlib_inline"} <= set(COURSE_PACKAGES), third_party - set(COURSE_PACKAGES)


def test_the_wheel_declares_the_course_extra_and_holds_the_course_layer(tmp_path):
    import email
    import zipfile
    from pathlib import Path

    pytest.importorskip("setuptools")
    pytest.importorskip("wheel")
    import shutil

    repo = Path(__file__).resolve().parents[1]
    # Build from a copy: setuptools writes build/ and *.egg-info next to the sources.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(repo / name, src / name)
    shutil.copytree(repo / "poolkit", src / "poolkit", ignore=shutil.ignore_patterns("__pycache__"))
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "--disable-pip-version-check", "-q", "-w", str(tmp_path / "dist"), str(src)],
                           capture_output=True, text=True, cwd=tmp_path)
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("poolkit-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        (meta_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = email.message_from_bytes(zf.read(meta_name))
    assert "course" in meta.get_all("Provides-Extra")
    requires = meta.get_all("Requires-Dist")
    unconditional = [r for r in requires if "extra ==" not in r]
    assert [_dist_name(r) for r in unconditional] == ["numpy"], requires
    in_extra = sorted(_dist_name(r) for r in requires if 'extra == "course"' in r)
    assert in_extra == sorted(_dist_name(r) for r in _pyproject()["project"]["optional-dependencies"]["course"])
    for module in ("__init__", "deps", "grid", "plot", "animate", "widgets", "data", "windows", "timing",
                   "invariance", "images"):
        assert f"poolkit/course/{module}.py" in names, module
    assert "poolkit/max_pool.py" in names and not any(n.startswith("tests/") for n in names)

"""Without the "course" extra: the library works, a teaching module says what to install.

Runs in every environment, the numpy-only one of `make test-oldest` included: where a
course package is installed, its absence is simulated in a fresh interpreter
(``sys.modules[name] = None`` makes ``import name`` fail as if it were not installed).
"""

import importlib.util
import subprocess
import sys

import pytest

FIX = 'pip install "poolkit[course]"'


def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def _without(packages, body):
    hide = "".join(f"sys.modules[{p!r}] = None\n" for p in packages)
    return _run(f"import sys\n{hide}{body}")


@pytest.mark.parametrize("module, package", [
    ("poolkit.course.plot", "matplotlib"),
    ("poolkit.course.grid", "matplotlib"),
    ("poolkit.course.animate", "matplotlib"),
    ("poolkit.course.windows", "matplotlib"),
    ("poolkit.course.timing", "matplotlib"),
    ("poolkit.course.invariance", "matplotlib"),
    ("poolkit.course.images", "matplotlib"),
    ("poolkit.course.widgets", "ipywidgets"),
])
def test_importing_a_teaching_module_without_its_package_names_package_module_and_fix(module, package):
    body = (f"try:\n    import {module}\nexcept ImportError as err:\n    print(type(err).__name__, '|', err)\n"
            "else:\n    print('imported')\n")
    hidden = ["matplotlib"] if package == "matplotlib" else [package]
    out = _without(hidden, body)
    assert out.returncode == 0, out.stderr
    line = out.stdout.strip()
    assert line.startswith("MissingCourseDependency | "), line
    # The module the learner imported, the missing package, the command that fixes it.
    assert f"{module} needs {package}, which is not installed" in line and FIX in line, line


def test_the_photo_without_pillow_says_what_to_install_and_the_small_maps_still_work():
    out = _without(["PIL"], (
        "import poolkit as pk\n"
        "print(pk.data.running_example().sum())\n"
        "try:\n    pk.data.photo(size=8)\nexcept ImportError as err:\n    print(err)\n"))
    assert out.returncode == 0, out.stderr
    total, message = out.stdout.strip().splitlines()
    assert float(total) == 56.0  # 1+3+4+7 + 6+2+7+2 + 0+4+1+3 + 8+4+2+2 = 15+17+8+16, by hand
    # photo() reads matplotlib's sample file, then opens it with Pillow: the first one missing is named.
    first_missing = "Pillow" if importlib.util.find_spec("matplotlib") else "matplotlib"
    assert message.startswith(f"poolkit.course.data.photo needs {first_missing}, "), message
    assert FIX in message


def test_the_library_works_without_any_course_package():
    out = _without(["matplotlib", "ipywidgets", "IPython", "PIL", "jupyterquiz"], (
        "import poolkit as pk\n"
        "print(pk.max_pool2d([[[1, 2], [3, 4]]], 2).tolist(), pk.output_size(5, 2, stride=2, ceil_mode=True))\n"
        "from poolkit.receptive import receptive_cone\n"
        "print(receptive_cone([dict(kernel_size=3, padding=1)], 4, unit=0)[1][0] == {0, 1})\n"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[[[4]]]", "3", "True"]


def test_an_unrelated_missing_module_is_not_reported_as_a_course_dependency():
    out = _run("from poolkit.course.deps import requires\n"
               "try:\n    with requires('m'):\n        import no_such_module_here\n"
               "except ImportError as err:\n    print(type(err).__name__, err.name)\n")
    assert out.stdout.split() == ["ModuleNotFoundError", "no_such_module_here"], out.stderr

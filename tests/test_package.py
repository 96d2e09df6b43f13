"""The package's own surface: what `import poolkit as pk` gives a learner."""

import subprocess
import sys

import pytest

import poolkit as pk


def test_plain_import_does_not_load_plotting_or_widgets():
    # A fresh interpreter, so modules imported by other tests don't count.
    code = "import sys, poolkit; print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("name", ["data", "plot", "animate", "widgets", "exercises", "shapes"])
def test_teaching_modules_are_reachable_as_attributes(name):
    module = getattr(pk, name)
    assert module.__name__ == f"poolkit.{name}"


def test_function_wins_over_module_of_the_same_name():
    # `pk.gradcheck` is the helper function; the module stays importable by its full name.
    assert callable(pk.gradcheck) and not hasattr(pk.gradcheck, "__path__")
    from poolkit.gradients import relative_error
    assert relative_error is pk.relative_error


def test_unknown_attribute_is_a_clear_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'max_pool3d'"):
        pk.max_pool3d


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

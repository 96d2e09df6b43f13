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

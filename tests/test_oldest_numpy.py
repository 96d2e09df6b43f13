"""`make test-oldest` runs the library's tests against the oldest numpy that pyproject.toml
allows: the Makefile's pin must be that floor, and the tests it selects must not need the
book's packages (that venv has only numpy, pytest and hypothesis)."""

import re
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def _make_var(name):
    text = (REPO / "Makefile").read_text(encoding="utf8").replace("\\\n", " ")
    m = re.search(rf"^{name}\s*:?=\s*(.*)$", text, re.MULTILINE)
    assert m, f"{name} is not set in the Makefile"
    return m.group(1).split()


def test_the_pinned_numpy_is_the_floor_of_pyproject():
    deps = (REPO / "pyproject.toml").read_text(encoding="utf8")
    floor = re.search(r'"numpy>=([0-9.]+)"', deps).group(1)
    (pin,) = _make_var("OLDEST_NUMPY")
    assert pin.split(".")[:len(floor.split("."))] == floor.split("."), (pin, floor)
    # and that the floor is older than the numpy of the main environment
    req = (REPO / "requirements.txt").read_text(encoding="utf8")
    main = re.search(r"^numpy==([0-9.]+)$", req, re.MULTILINE).group(1)
    assert tuple(map(int, floor.split("."))) < tuple(map(int, main.split(".")[:2]))
    for tool in ("pytest", "hypothesis"):       # test-oldest installs these pins
        assert re.search(rf"^{tool}==[0-9.]+$", req, re.MULTILINE), tool


def test_the_selected_tests_need_only_numpy_pytest_and_hypothesis():
    skip = _make_var("OLDEST_SKIP")
    patterns = [re.compile(re.escape(s).replace("%", ".*") + "$") for s in skip]
    for s in skip:
        if "%" not in s:
            assert (REPO / s).exists(), f"OLDEST_SKIP names {s}, which does not exist"
    files = sorted(p.relative_to(REPO).as_posix() for p in
                   list((REPO / "tests").glob("test_*.py")) + list((REPO / "poolkit").glob("*.py")))
    selected = [f for f in files if not any(p.match(f) for p in patterns)]
    assert "tests/test_wide_windows.py" in selected and "poolkit/geometry.py" in selected
    heavy = re.compile(r"^\s*(import|from)\s+(matplotlib|ipywidgets|IPython|jupyter\w*|nbformat|nbval|"
                       r"playwright|jupyterquiz)\b|poolkit\.(plot|widgets|animate|data|exercises)\b",
                       re.MULTILINE)
    for f in selected:
        found = heavy.search((REPO / f).read_text(encoding="utf8"))
        assert not found, f"{f} needs {found.group(0).strip()!r}: add it to OLDEST_SKIP"


def test_running_numpy_is_at_least_the_floor():
    major, minor = (int(v) for v in np.__version__.split(".")[:2])
    assert (major, minor) >= (1, 26)

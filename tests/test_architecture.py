"""poolkit's architecture rules (ARCHITECTURE.md), checked by tools/archcheck.py: no module uses
another module's private name, no module is over 600 lines, and the library never imports the
teaching layer."""

import ast
from pathlib import Path

from tools import archcheck

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = sorted(p for p in (ROOT / "poolkit").rglob("*.py") if "course" not in p.relative_to(ROOT).parts)


def test_no_module_uses_another_modules_private_name():
    assert archcheck.private_uses() == []


def test_no_module_is_over_the_line_limit():
    assert archcheck.long_modules() == []


def test_the_library_imports_only_numpy_and_itself():
    for path in LIBRARY:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            for name in names:
                top = name.split(".")[0]
                assert top in {"numpy", "poolkit", "__future__"} or top in __import__("sys").stdlib_module_names, \
                    f"{path.relative_to(ROOT)} imports {name}"
                assert not name.startswith("poolkit.course"), f"{path.relative_to(ROOT)} imports the course layer"
        text = path.read_text(encoding="utf8")
        assert "from .course" not in text and "from . import course" not in text, path


def _package(tmp_path, files):
    root = tmp_path / "poolkit"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_checker_finds_private_names_imported_or_reached_through_a_module(tmp_path, monkeypatch):
    root = _package(tmp_path, {
        "__init__.py": "",
        "drawing.py": "def _outline(): pass\ndef outline(): pass\n",
        "movie.py": "from . import drawing as _drawing\nfrom .drawing import _outline\n_drawing._outline()\n_drawing.outline()\n",
        "sub/__init__.py": "from . import _inner\n",                  # a package's own private module: fine
        "sub/_inner.py": "x = 1\n",
        "version.py": "from . import __doc__\n",                       # dunders are not private
    })
    monkeypatch.setattr(archcheck, "ROOT", tmp_path)
    found = archcheck.private_uses(root)
    assert found == ["poolkit/movie.py:2: from poolkit.drawing import _outline",
                     "poolkit/movie.py:3: _drawing._outline"], found


def test_the_checker_finds_long_modules(tmp_path, monkeypatch):
    root = _package(tmp_path, {"short.py": "x = 1\n" * 600, "long.py": "x = 1\n" * 601})
    monkeypatch.setattr(archcheck, "ROOT", tmp_path)
    assert archcheck.long_modules(root) == ["poolkit/long.py: 601 lines"]

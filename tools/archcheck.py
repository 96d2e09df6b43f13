"""Architecture checks for poolkit: private names used across modules, and module sizes.

    python tools/archcheck.py            # report; exit status 1 when a rule is broken

Rules (issue 11, ARCHITECTURE.md):
- no module of poolkit uses another module's private name (``_name``), whether imported
  (``from .plot import _outline``) or reached through a module (``_plot._outline``);
  dunder names (``__version__``) are not private;
- no module is longer than MAX_LINES lines.
tests/test_architecture.py runs the same functions.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "poolkit"
MAX_LINES = 600


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(current: str, is_package: bool, level: int, module: str | None) -> str:
    """The absolute name of a relative import inside the package."""
    if level == 0:
        return module or ""
    base = current.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def private_uses(package: Path = PACKAGE) -> list[str]:
    """Every use of another poolkit module's private name, as 'file:line: text'."""
    found = []
    for path in sorted(package.rglob("*.py")):
        current = _module_name(path)
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(), filename=str(path))
        aliases: dict[str, str] = {}  # local name -> poolkit module it stands for
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                source = _resolve(current, is_package, node.level, node.module)
                if not source.startswith("poolkit"):
                    continue
                for alias in node.names:
                    local = alias.asname or alias.name
                    target = f"{source}.{alias.name}"
                    if _private(alias.name) and source != current:
                        # `from . import _sandbox` names a private module of the package:
                        # that is the package's own business when the importer is inside it.
                        is_submodule = (package.parent / Path(*target.split("."))).with_suffix(".py").exists() \
                            or (package.parent / Path(*target.split(".")) / "__init__.py").exists()
                        inside = is_submodule and current.startswith(source + ".") or (
                            is_submodule and current.rsplit(".", 1)[0] == source)
                        if not inside:
                            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: from {source} import {alias.name}")
                    aliases[local] = target
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("poolkit"):
                        aliases[alias.asname or alias.name.split(".")[0]] = alias.asname and alias.name or "poolkit"
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                target = aliases.get(node.value.id)
                if target and _private(node.attr) and target != current:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.id}.{node.attr}")
    return found


def long_modules(package: Path = PACKAGE, limit: int = MAX_LINES) -> list[str]:
    """Modules longer than ``limit`` lines, as 'file: N lines'."""
    out = []
    for path in sorted(package.rglob("*.py")):
        n = len(path.read_text().splitlines())
        if n > limit:
            out.append(f"{path.relative_to(ROOT)}: {n} lines")
    return out


def main() -> int:
    uses, longs = private_uses(), long_modules()
    print(f"private names used across modules: {len(uses)}")
    for line in uses:
        print("  " + line)
    print(f"modules over {MAX_LINES} lines: {len(longs)}")
    for line in longs:
        print("  " + line)
    return 1 if uses or longs else 0


if __name__ == "__main__":
    sys.exit(main())

"""The notebook linter: every chapter notebook is stored executed, clean and accessible.

    python tools/nbcheck.py                 # every notebook in book/
    python tools/nbcheck.py book/04-*.ipynb # some of them
    make lint-notebooks                     # the same, from the Makefile

nbval (strict) re-runs each notebook and compares outputs; these checks cover what nbval cannot
see: the notebook was executed top to bottom in a fresh kernel, it holds no errors, stderr, stray
metadata, absolute paths or user names, the ``nbval-ignore-output`` tag is used only where outputs
cannot be reproduced (widgets, quizzes, animations), every figure has a caption and alt text for the
site, and exercise solutions stay folded in JupyterLab. Each check is a function returning a list of
problems; ``tests/test_notebooks_clean.py`` runs them on the real notebooks and on tiny crafted
notebooks, so that each can fail. Exit status 1 when a notebook has a problem.
"""

from __future__ import annotations

import getpass
import json
import re
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "book").glob("*.ipynb"))

ALLOWED_NOTEBOOK_METADATA = {"kernelspec", "language_info", "mystnb"}
# JupyterLab's collapsed-heading flag: only on solution-start cells, each of which must have it.
COLLAPSED = "jp-MarkdownHeadingCollapsed"
ALLOWED_CELL_METADATA = {"tags", "mystnb", COLLAPSED}
# A heading JupyterLab folds the cells under, hidden on the page (it adds nothing to the site).
START_HEADING = "<h4 hidden>Solution</h4>"
END_HEADING = "<h4 hidden>End of the solution</h4>"
KERNEL_NAME = "python3"  # the kernel Jupyter Book and nbval start: the venv's own Python
FORBIDDEN_TAGS = {  # each would hide a cell from the strict checks
    "raises-exception",
    "skip-execution",
    "nbval-skip",
    "nbval-raises-exception",
}
IGNORE_TAG = "nbval-ignore-output"
IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml")
TEXT_MIMES_SKIPPED_FOR_PATHS = IMAGE_MIMES + ("application/pdf",)

ABSOLUTE_PATH = re.compile(
    r"(?<![\w.~-])(?:/home/|/root/|/tmp/|/work/|/Users/|/private/var/)"
    r"|\b[A-Z]:\\{1,2}[\w .-]+\\"
)
GENERIC_USERS = {"root", "user", "runner", "jovyan", "admin", "ubuntu", "debian", "nobody"}


# ------------------------------------------------------------------ helpers


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _code_cells(nb):
    return [(i, c) for i, c in enumerate(nb.get("cells", [])) if c.get("cell_type") == "code"]


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _output_texts(output):
    """(label, text) for every text-like part of one output (images and PDFs left out)."""
    kind = output.get("output_type")
    if kind == "stream":
        yield f"stream {output.get('name')}", _text(output.get("text", ""))
    elif kind == "error":
        yield "error", "\n".join([output.get("ename", ""), output.get("evalue", "")] + output.get("traceback", []))
    else:
        for mime, value in output.get("data", {}).items():
            if mime in TEXT_MIMES_SKIPPED_FOR_PATHS:
                continue
            if isinstance(value, (str, list)):
                yield mime, _text(value)
            else:  # JSON mime types (widget views, ...)
                yield mime, json.dumps(value)


# ------------------------------------------------------------------ checks


def check_schema(nb: dict) -> list[str]:
    """nbformat 4 and valid against its schema."""
    if nb.get("nbformat") != 4:
        return [f"nbformat is {nb.get('nbformat')!r}, expected 4"]
    try:
        nbformat.validate(nbformat.from_dict(nb))
    except nbformat.ValidationError as exc:
        return [f"not a valid notebook: {str(exc).splitlines()[0]}"]
    return []


def check_execution_order(nb: dict) -> list[str]:
    """Every code cell executed once, in order, from a fresh kernel: counts 1, 2, ..., n."""
    cells = _code_cells(nb)
    if cells and all(c.get("execution_count") is None for _, c in cells):
        return ["never executed: no code cell has an execution count (run `make execute`)"]
    problems = []
    expected = 1
    for i, cell in cells:
        count = cell.get("execution_count")
        if not _text(cell.get("source", "")).strip():
            problems.append(f"cell {i}: empty code cell (delete it)")
            continue
        if count != expected:
            problems.append(
                f"cell {i}: execution_count is {count}, expected {expected} "
                "(re-run the notebook from a fresh kernel: `make execute`)"
            )
            expected = count + 1 if isinstance(count, int) else expected + 1
        else:
            expected += 1
        for out in cell.get("outputs", []):
            if out.get("output_type") == "execute_result" and out.get("execution_count") != count:
                problems.append(f"cell {i}: result numbered {out.get('execution_count')}, cell numbered {count}")
    return problems


def check_no_errors(nb: dict) -> list[str]:
    """No error outputs and nothing on stderr (the strict build treats stderr as a warning)."""
    problems = []
    for i, cell in _code_cells(nb):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                problems.append(f"cell {i}: error output {out.get('ename')}: {out.get('evalue')}")
            elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                first = _text(out.get("text", "")).strip().splitlines()[:1]
                problems.append(f"cell {i}: stderr output {first}")
    return problems


def check_metadata(nb: dict) -> list[str]:
    """Only whitelisted notebook and cell metadata; the standard python3 kernel; no tags that
    hide a cell from the checks."""
    problems = []
    extra = set(nb.get("metadata", {})) - ALLOWED_NOTEBOOK_METADATA
    if extra:
        problems.append(f"notebook metadata has stray keys {sorted(extra)} (allowed: {sorted(ALLOWED_NOTEBOOK_METADATA)})")
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    if kernel != KERNEL_NAME:
        problems.append(f"kernelspec name is {kernel!r}, expected {KERNEL_NAME!r}")
    for i, cell in enumerate(nb.get("cells", [])):
        extra = set(cell.get("metadata", {})) - ALLOWED_CELL_METADATA
        if extra:
            problems.append(f"cell {i}: stray metadata keys {sorted(extra)} (allowed: {sorted(ALLOWED_CELL_METADATA)})")
        bad = FORBIDDEN_TAGS.intersection(_tags(cell))
        if bad:
            problems.append(f"cell {i}: tags {sorted(bad)} hide the cell from the strict checks")
    return problems


def _solution_flags(nb: dict) -> list[bool]:
    """For each cell: is it inside a gated solution (after its solution-start, before its end)?"""
    inside, flags = False, []
    for cell in nb.get("cells", []):
        src = _text(cell.get("source", ""))
        if cell.get("cell_type") == "markdown" and re.search(r"```\{solution-start\}", src):
            inside = True
            flags.append(False)
        elif cell.get("cell_type") == "markdown" and "{solution-end}" in src:
            inside = False
            flags.append(False)
        else:
            flags.append(inside)
    return flags


def _answer_names(src: str) -> set[str]:
    """Names a learner's exercise cell leaves to fill in: ``name = ...`` or a stub function."""
    import ast

    try:
        tree = ast.parse(src)
    except SyntaxError:
        return set()

    def stub(value) -> bool:   # ... itself, or a list/tuple of ... (one per part of the answer)
        if isinstance(value, ast.Constant):
            return value.value is Ellipsis
        return isinstance(value, (ast.List, ast.Tuple)) and bool(value.elts) and all(map(stub, value.elts))

    names = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and stub(node.value):
            names |= {n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.FunctionDef) and ("NotImplementedError" in ast.dump(node) or (
                len(node.body) == 1 and isinstance(node.body[0], ast.Expr)
                and getattr(node.body[0].value, "value", None) is Ellipsis)):
            names.add(node.name)
    return names


def _bound_names(src: str) -> set[str]:
    import ast

    try:
        tree = ast.parse(src)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def check_solutions_hidden_in_jupyterlab(nb: dict) -> list[str]:
    """In JupyterLab a solution stays folded until the learner opens it, even after Run All, and
    running it never replaces the learner's own answer.

    JupyterLab folds the cells under a collapsed heading (and keeps them folded when they run,
    outputs included): each solution-start cell ends with a hidden heading, collapsed
    (``jp-MarkdownHeadingCollapsed``), and each solution-end cell with a hidden heading of the
    same level, which ends the fold. No other cell is collapsed, and a solution's code binds
    none of its exercise's answer names (``name = ...`` or a stub function).
    """
    problems = []
    answers: set[str] = set()
    for i, (cell, inside) in enumerate(zip(nb.get("cells", []), _solution_flags(nb))):
        src = _text(cell.get("source", ""))
        collapsed = cell.get("metadata", {}).get(COLLAPSED)
        is_md = cell.get("cell_type") == "markdown"
        start = is_md and re.search(r"```\{solution-start\}", src)
        end = is_md and "{solution-end}" in src
        if is_md and "{exercise}" in src:
            answers = set()
        if start:
            if collapsed is not True or not src.rstrip().endswith(START_HEADING):
                problems.append(f"cell {i}: a solution-start that JupyterLab does not fold: end it with "
                                f"{START_HEADING!r} and set metadata {COLLAPSED}=true")
            continue
        if collapsed:
            problems.append(f"cell {i}: metadata {COLLAPSED} on a cell that does not start a solution")
        if end and not src.rstrip().endswith(END_HEADING):
            problems.append(f"cell {i}: a solution-end without {END_HEADING!r}: the fold would swallow "
                            "the cells after the solution")
        if inside and re.search(r"^\s{0,3}#{1,4}\s|<h[1-4]\b", src, re.MULTILINE):
            problems.append(f"cell {i}: a heading inside a solution ends JupyterLab's fold early")
        if cell.get("cell_type") != "code":
            continue
        if not inside:
            answers |= _answer_names(src)
            continue
        clash = sorted(answers & _bound_names(src))
        if clash:
            problems.append(f"cell {i}: the solution rebinds the learner's answer {clash} "
                            f"(Run All would overwrite the learner's own work): use e.g. {clash[0]}_solution")
    return problems


def current_user_names() -> set[str]:
    names = set()
    for getter in (getpass.getuser, lambda: Path.home().name):
        try:
            name = getter()
        except Exception:  # no user database in some containers
            continue
        if name and len(name) >= 3 and name.lower() not in GENERIC_USERS:
            names.add(name)
    return names


def check_no_paths_or_user_names(nb: dict, user_names: set[str] | None = None) -> list[str]:
    """No absolute paths (/home, /root, /tmp, /work, /Users, C:\\) or user names in outputs."""
    user_names = current_user_names() if user_names is None else user_names
    user_re = [re.compile(rf"\b{re.escape(u)}\b") for u in user_names]
    problems = []
    for i, cell in _code_cells(nb):
        for out in cell.get("outputs", []):
            for label, text in _output_texts(out):
                m = ABSOLUTE_PATH.search(text)
                if m:
                    snippet = text[max(0, m.start() - 20) : m.end() + 30].replace("\n", " ")
                    problems.append(f"cell {i}: absolute path in {label} output: ...{snippet}...")
                for u in user_re:
                    if u.search(text):
                        problems.append(f"cell {i}: user name {u.pattern[2:-2]!r} in {label} output")
    return problems


def output_kind(out: dict) -> str | None:
    """'widget', 'quiz' or 'animation' when an output cannot be reproduced exactly, else None."""
    data = out.get("data", {})
    if "application/vnd.jupyter.widget-view+json" in data:
        return "widget"
    html = _text(data.get("text/html", ""))
    js = _text(data.get("application/javascript", ""))
    if "data-shufflequestions" in html or "show_questions(" in html + js:
        return "quiz"
    if ('class="animation"' in html and "_anim_img" in html) or "<video" in html:
        return "animation"
    return None


def check_ignore_output_tags(nb: dict) -> list[str]:
    """`nbval-ignore-output` only on cells that output a widget, a quiz or an animation."""
    problems = []
    for i, cell in _code_cells(nb):
        if IGNORE_TAG not in _tags(cell):
            continue
        kinds = {output_kind(o) for o in cell.get("outputs", [])} - {None}
        if not kinds:
            problems.append(
                f"cell {i}: tagged {IGNORE_TAG} but outputs no widget, quiz or animation "
                "(make the output deterministic instead, or sanitise it in tests/nbval_sanitize.cfg)"
            )
    return problems


def check_figures(nb: dict) -> list[str]:
    """Every image output comes from a cell with a myst-nb caption and alt text; no SVG."""
    problems = []
    for i, cell in _code_cells(nb):
        images = [m for o in cell.get("outputs", []) for m in o.get("data", {}) if m in IMAGE_MIMES]
        if not images:
            continue
        mystnb = cell.get("metadata", {}).get("mystnb", {})
        caption = str(mystnb.get("figure", {}).get("caption", "")).strip()
        alt = str(mystnb.get("image", {}).get("alt", "")).strip()
        if not caption:
            problems.append(f"cell {i}: figure without a caption (metadata mystnb.figure.caption)")
        if not alt:
            problems.append(f"cell {i}: figure without alt text (metadata mystnb.image.alt)")
        if "image/svg+xml" in images:
            problems.append(f"cell {i}: SVG figure (nbval compares SVG text; emit PNG)")
    return problems


CHECKS = (
    check_schema,
    check_execution_order,
    check_no_errors,
    check_metadata,
    check_no_paths_or_user_names,
    check_ignore_output_tags,
    check_figures,
    check_solutions_hidden_in_jupyterlab,
)


def notebook_problems(nb: dict) -> list[str]:
    return [p for check in CHECKS for p in check(nb)]


def main(argv: list[str] | None = None) -> int:
    import sys

    paths = [Path(p) for p in (sys.argv[1:] if argv is None else argv)] or NOTEBOOKS
    bad = 0
    for path in paths:
        try:
            nb = json.loads(path.read_text(encoding="utf8"))
        except (OSError, json.JSONDecodeError) as exc:
            print(f"{path}: cannot be read as a notebook: {exc}")
            bad += 1
            continue
        problems = notebook_problems(nb)
        bad += bool(problems)
        for problem in problems:
            print(f"{path}: {problem}")
    print(f"{len(paths) - bad} of {len(paths)} notebooks clean")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())

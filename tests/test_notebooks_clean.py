"""Every chapter notebook's stored outputs are current and clean.

nbval (strict) later re-runs each notebook and compares outputs; these checks cover what
nbval cannot see: the notebook was executed top to bottom in a fresh kernel, it holds no
errors, stderr, stray metadata, absolute paths or user names, the ``nbval-ignore-output``
tag is used only where outputs cannot be reproduced (widgets, quizzes, animations), and
every figure has a caption and alt text for the site. Each check is a function returning
a list of problems, tested below on tiny crafted notebooks so that it can fail.
"""

from __future__ import annotations

import getpass
import json
import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "book").glob("*.ipynb"))
SANITIZE_CFG = Path(__file__).with_name("nbval_sanitize.cfg")

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


# ------------------------------------------------------------------ the real notebooks


@pytest.mark.skipif(not NOTEBOOKS, reason="no chapter notebooks in book/ yet")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_clean(path):
    try:
        nb = json.loads(path.read_text(encoding="utf8"))
    except json.JSONDecodeError as exc:
        pytest.fail(f"{path.name} is not valid JSON: {exc}")
    problems = notebook_problems(nb)
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


# ------------------------------------------------------------------ the checks can fail

v4 = nbformat.v4


def good_notebook() -> dict:
    nb = v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    figure = v4.new_code_cell(
        "plot()",
        execution_count=2,
        outputs=[v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})],
        metadata={"mystnb": {"figure": {"caption": "A map."}, "image": {"alt": "A grid."}}},
    )
    nb.cells = [
        v4.new_markdown_cell("# Title"),
        v4.new_code_cell("x = 1\nx", execution_count=1, outputs=[v4.new_output("execute_result", data={"text/plain": "1"}, execution_count=1)]),
        figure,
        v4.new_code_cell(
            "quiz()",
            execution_count=3,
            metadata={"tags": [IGNORE_TAG]},
            outputs=[v4.new_output("display_data", data={"application/javascript": "show_questions(q, d)"})],
        ),
    ]
    return json.loads(nbformat.writes(nb))


def test_good_notebook_passes_every_check():
    assert notebook_problems(good_notebook()) == []


def test_schema_check_catches_invalid_notebook():
    nb = good_notebook()
    nb["cells"][1]["outputs"][0]["output_type"] = "not_an_output"
    assert check_schema(nb)
    nb = good_notebook()
    nb["nbformat"] = 3
    assert check_schema(nb)


def test_execution_order_check():
    nb = good_notebook()
    nb["cells"][1]["execution_count"] = 5  # run out of order
    nb["cells"][1]["outputs"][0]["execution_count"] = 5
    assert any("expected 1" in p for p in check_execution_order(nb))
    nb = good_notebook()
    nb["cells"][2]["execution_count"] = None  # one cell never run
    assert any("None" in p for p in check_execution_order(nb))
    nb = good_notebook()
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["execution_count"] = None
    assert any("never executed" in p for p in check_execution_order(nb))
    nb = good_notebook()
    nb["cells"][1]["outputs"][0]["execution_count"] = 7
    assert any("result numbered 7" in p for p in check_execution_order(nb))
    nb = good_notebook()
    nb["cells"].append(dict(v4.new_code_cell("", execution_count=None)))
    assert any("empty code cell" in p for p in check_execution_order(nb))


def test_error_check():
    nb = good_notebook()
    nb["cells"][1]["outputs"].append(dict(v4.new_output("error", ename="ValueError", evalue="bad", traceback=[])))
    assert any("ValueError" in p for p in check_no_errors(nb))
    nb = good_notebook()
    nb["cells"][1]["outputs"].append(dict(v4.new_output("stream", name="stderr", text="DeprecationWarning: x\n")))
    assert any("stderr" in p for p in check_no_errors(nb))


def _exercise_notebook(solution_code: str, folded: bool = True) -> dict:
    nb = good_notebook()
    start = "```{solution-start} ex-x\n:class: dropdown\n```"
    end = "```{solution-end}\n```"
    nb["cells"] = [
        v4.new_markdown_cell("```{exercise} Pool it\n:label: ex-x\nDo it.\n```"),
        v4.new_code_cell("def pool(x):\n    raise NotImplementedError\n\n\nanswer = ...\ncheck(pool, answer)",
                         execution_count=1),
        v4.new_markdown_cell(start + ("\n\n" + START_HEADING if folded else ""),
                             metadata={COLLAPSED: True} if folded else {}),
        v4.new_markdown_cell("Because."),
        v4.new_code_cell(solution_code, execution_count=2),
        v4.new_markdown_cell(end + ("\n\n" + END_HEADING if folded else "")),
    ]
    return nb


def test_solutions_hidden_check():
    good = _exercise_notebook("def pool_solution(x):\n    return x\n\n\ncheck(pool_solution, 3)")
    assert check_solutions_hidden_in_jupyterlab(good) == []
    assert check_metadata(good) == []
    shown = _exercise_notebook("check(lambda x: x, 3)", folded=False)
    problems = check_solutions_hidden_in_jupyterlab(shown)
    assert any("does not fold" in p for p in problems) and any("would swallow" in p for p in problems)
    clobber = _exercise_notebook("def pool(x):\n    return x\n\n\nanswer = 3\ncheck(pool, answer)")
    assert any("rebinds the learner's answer ['answer', 'pool']" in p
               for p in check_solutions_hidden_in_jupyterlab(clobber))
    stray = _exercise_notebook("check(pool_solution, 3)")
    stray["cells"][0]["metadata"][COLLAPSED] = True
    stray["cells"][3]["source"] = "#### Why\nBecause."
    problems = check_solutions_hidden_in_jupyterlab(stray)
    assert any("does not start a solution" in p for p in problems)
    assert any("ends JupyterLab's fold early" in p for p in problems)


def test_metadata_check():
    nb = good_notebook()
    nb["metadata"]["widgets"] = {"state": {}}
    assert any("stray keys ['widgets']" in p for p in check_metadata(nb))
    nb = good_notebook()
    nb["cells"][1]["metadata"]["execution"] = {"iopub.execute_input": "2024-01-01"}
    assert any("stray metadata keys ['execution']" in p for p in check_metadata(nb))
    nb = good_notebook()
    nb["metadata"]["kernelspec"]["name"] = "my-venv"
    assert any("kernelspec" in p for p in check_metadata(nb))
    nb = good_notebook()
    nb["cells"][1]["metadata"]["tags"] = ["raises-exception"]
    assert any("raises-exception" in p for p in check_metadata(nb))


@pytest.mark.parametrize(
    "text",
    [
        "saved to /home/alice/fig.png",
        "File /tmp/ipykernel_123/456.py:1",
        "/work/main/.venv/lib/python3.11/site-packages/x.py:3: Warning",
        "/root/.cache/matplotlib",
        "/Users/bob/x",
        "C:\\Users\\bob\\x.png",
    ],
)
def test_path_check_catches_absolute_paths(text):
    nb = good_notebook()
    nb["cells"][1]["outputs"].append(dict(v4.new_output("stream", name="stdout", text=text)))
    assert check_no_paths_or_user_names(nb, user_names=set())


def test_path_check_leaves_ordinary_text_and_images_alone():
    nb = good_notebook()
    nb["cells"][1]["outputs"][0]["data"]["text/plain"] = "a network/workflow, 4/home runs, f:\\mathbb{R}"
    nb["cells"][2]["outputs"][0]["data"]["image/png"] = "AAAA/home/AAAA"  # base64 is not text
    assert check_no_paths_or_user_names(nb, user_names=set()) == []


def test_path_check_catches_user_names():
    nb = good_notebook()
    nb["cells"][1]["outputs"][0]["data"]["text/plain"] = "owner: zhangwei"
    assert check_no_paths_or_user_names(nb, user_names={"zhangwei"})
    assert check_no_paths_or_user_names(nb, user_names={"alice"}) == []


def test_ignore_tag_check():
    nb = good_notebook()
    nb["cells"][1]["metadata"]["tags"] = [IGNORE_TAG]  # a plain number: must be compared
    assert any("outputs no widget" in p for p in check_ignore_output_tags(nb))
    for data in (
        {"application/vnd.jupyter.widget-view+json": {"model_id": "x"}, "text/plain": "IntSlider()"},
        {"text/html": '<div class="animation">\n<img id="_anim_imgabc">'},
        {"text/html": '<div id="abc" data-shufflequestions="False">'},
    ):
        nb = good_notebook()
        nb["cells"][1]["metadata"]["tags"] = [IGNORE_TAG]
        nb["cells"][1]["outputs"] = [dict(v4.new_output("display_data", data=data))]
        assert check_ignore_output_tags(nb) == [], data


def test_figure_check():
    nb = good_notebook()
    del nb["cells"][2]["metadata"]["mystnb"]["figure"]
    assert any("caption" in p for p in check_figures(nb))
    nb = good_notebook()
    nb["cells"][2]["metadata"]["mystnb"]["image"]["alt"] = "  "
    assert any("alt text" in p for p in check_figures(nb))
    nb = good_notebook()
    nb["cells"][2]["outputs"][0]["data"]["image/svg+xml"] = "<svg/>"
    assert any("SVG" in p for p in check_figures(nb))


# ------------------------------------------------------------------ the nbval sanitiser


def sanitize(text: str) -> str:
    """Apply tests/nbval_sanitize.cfg exactly as nbval does."""
    from nbval.plugin import get_sanitize_patterns

    patterns = get_sanitize_patterns(SANITIZE_CFG.read_text(encoding="utf8"))
    assert patterns, "no patterns parsed from nbval_sanitize.cfg"
    for regex, replace in patterns:
        text = re.sub(regex, replace, text)
    return text


@pytest.mark.parametrize(
    "a, b",
    [
        ("<object object at 0x7f3a9c2b1e40>", "<object object at 0x7fe01d5a2b70>"),
        (
            "12.3 µs ± 1.05 µs per loop (mean ± std. dev. of 7 runs, 100,000 loops each)",
            "9.87 μs ± 310 ns per loop (mean ± std. dev. of 7 runs, 10,000 loops each)",
        ),
        ("CPU times: user 1.2 ms, sys: 0 ns, total: 1.2 ms\nWall time: 1.5 ms", "CPU times: user 3 ms, sys: 1 ms, total: 4 ms\nWall time: 4.1 ms"),
        ("fast path: 35.2 µs, naive: 1.8 ms", "fast path: 41 µs, naive: 2.25 ms"),
    ],
)
def test_sanitizer_equalises_run_dependent_text(a, b):
    assert a != b
    assert sanitize(a) == sanitize(b)


def test_sanitizer_equalises_two_jshtml_animations():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    def make():
        fig, ax = plt.subplots(figsize=(1, 1), dpi=20)
        (line,) = ax.plot([0, 1], [0, 1])
        anim = FuncAnimation(fig, lambda i: line.set_ydata([0, i]) or [line], frames=2)
        html = anim.to_jshtml()
        plt.close(fig)
        return html

    a, b = make(), make()
    assert a != b  # random element ids
    assert sanitize(a) == sanitize(b)


def test_sanitizer_equalises_two_quizzes():
    from jupyterquiz.dynamic.loader import load_questions_script
    from jupyterquiz.dynamic.renderer import build_script, build_styles, render_div

    questions = [{"question": "Q?", "type": "multiple_choice", "answers": [{"answer": "a", "correct": True}]}]

    def make(div_id):
        prefix, static, url = load_questions_script(questions, div_id)
        html = render_div(div_id, False, True, False, 1_000_000, 600, 10, "left")
        html += build_styles(div_id, {"--jq-text-color": "#fafafa"})
        js = build_script(prefix, static, url, div_id, True)
        return html + "\n" + js

    a, b = make("qWeRtYuIoPaS"), make("ZxCvBnMlKjHg")
    assert sanitize(a) == sanitize(b)
    assert "qWeRtYuIoPaS" not in sanitize(a)


def test_sanitizer_leaves_ordinary_output_alone():
    text = "tensor 4×4, mean 7.5, shape (1, 3, 224, 224), 0xff, 12 s, stride 2, 3 msgs, anim1"
    assert sanitize(text) == text

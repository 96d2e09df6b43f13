"""The notebook linter (``tools/nbcheck.py``) on the real notebooks, and on crafted ones so that
each check can fail; and the nbval sanitiser (``tests/nbval_sanitize.cfg``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from tools.nbcheck import (
    COLLAPSED, END_HEADING, IGNORE_TAG, NOTEBOOKS, START_HEADING,
    check_execution_order, check_figures, check_ignore_output_tags, check_metadata, check_no_errors,
    check_no_paths_or_user_names, check_schema, check_solutions_hidden_in_jupyterlab, main, notebook_problems,
)

SANITIZE_CFG = Path(__file__).with_name("nbval_sanitize.cfg")

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


def test_command_line_reports_problems_and_exit_status(tmp_path, capsys):
    good, bad = tmp_path / "good.ipynb", tmp_path / "bad.ipynb"
    good.write_text(json.dumps(good_notebook()), encoding="utf8")
    broken = good_notebook()
    broken["cells"][1]["execution_count"] = 7
    bad.write_text(json.dumps(broken), encoding="utf8")
    assert main([str(good)]) == 0
    assert main([str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "bad.ipynb:" in out and "good.ipynb:" not in out and "1 of 2 notebooks clean" in out

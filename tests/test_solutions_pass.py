"""Every gated solution in the chapters passes its own checker.

Checkers never raise (a learner must never see a traceback), so a broken solution would not stop
the build by itself. nbval re-runs every notebook and compares with the stored outputs; this file
makes sure the stored outputs of solution cells are passing lines, so a solution that stops
passing fails `make test` in nbval, and a failing output can never be stored as the reference.
"""

import json
import pathlib
import re

import pytest

from poolkit.course.exercises.authoring import FAILING_LINE as FAILING, PASSING_LINE as PASSING

BOOK = pathlib.Path(__file__).resolve().parent.parent / "book"
NOTEBOOKS = sorted(BOOK.glob("[0-9][0-9]-*.ipynb"))


def solution_blocks(nb):
    """Yield (label, [code cells]) for each solution-start ... solution-end block."""
    label, cells = None, []
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            start = re.search(r"```\{solution-start\}\s*(\S+)", src)
            if start:
                label, cells = start.group(1), []
            if "{solution-end}" in src and label is not None:
                yield label, cells
                label = None
        elif label is not None and cell["cell_type"] == "code":
            cells.append(cell)


def printed_lines(cell):
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stdout":
            yield from "".join(out["text"]).splitlines()


def test_there_are_solutions_to_check():
    blocks = [b for p in NOTEBOOKS for b in solution_blocks(json.loads(p.read_text()))]
    assert len(blocks) >= 3 * 7, f"expected at least three solutions per chapter, found {len(blocks)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_solution_outputs_pass(path):
    nb = json.loads(path.read_text())
    for label, cells in solution_blocks(nb):
        lines = [line for cell in cells for line in printed_lines(cell)]
        bad = [line for line in lines if FAILING.match(line)]
        assert not bad, f"{path.name}, solution {label}: a checker did not pass: {bad[0][:120]}"
        assert any(PASSING.search(line) for line in lines), (
            f"{path.name}, solution {label}: no checker line says it passes")


def test_detects_a_failing_solution():
    # A tiny notebook whose solution printed a failing line must be caught.
    md = lambda s: {"cell_type": "markdown", "source": [s], "metadata": {}}
    code = lambda text: {"cell_type": "code", "source": ["check(f)"], "metadata": {},
                         "outputs": [{"output_type": "stream", "name": "stdout", "text": [text]}]}
    nb = {"cells": [md("```{solution-start} ex-x\n:class: dropdown\n```"),
                    code("Case 4x4, k=2: expected shape (2, 2), got (3, 3). Hint: stride.\n"),
                    md("```{solution-end}\n```")]}
    (label, cells), = solution_blocks(nb)
    assert label == "ex-x"
    assert any(FAILING.match(line) for c in cells for line in printed_lines(c))

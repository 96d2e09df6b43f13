"""Browser tests of the chapter pages' own content, at a phone's and a laptop's width.

Headless Chromium loads every chapter of the built site (``BOOK_HTML_DIR``, as for
``tests/test_site.py``, whose server, browser and skip rules this file reuses) at 390 and
1280 CSS pixels, and checks what a reader sees:

- figures are crisp (at least two image pixels per CSS pixel) and, at 1280 px, shown at
  their full designed size, so their smallest text (7 pt at matplotlib's 100 dpi) is at
  least 9 CSS pixels; at 390 px they fit the screen and stay crisp when zoomed;
- no code cell of a live explorer (which needs a kernel) is left on the page with nothing
  under it;
- every exercise has a title;
- the timing figure's caption promises no line that the figure may not draw.

Run it in its own pytest process (``make test-site`` does): it imports ``tests/test_site.py``'s
browser fixture, and two copies of that fixture (two playwright drivers) cannot share a process.
"""

from __future__ import annotations

import re

import pytest

from tests.test_site import PAGES, base_url, browser, open_page, site  # noqa: F401  (fixtures)

CHAPTERS = [p for p in PAGES if re.search(r"(^|/)\d\d-", p)]
WIDTHS = (390, 1280)
# The smallest text poolkit's figures draw, and the dpi the inline backend draws them at.
SMALLEST_TEXT_PT = 7
FIGURE_DPI = 100
MIN_TEXT_PX = 9


@pytest.fixture(scope="module")
def pages(browser, base_url):  # noqa: F811
    """Every chapter at both widths: {(docname, width): facts read from the DOM}."""
    if not CHAPTERS:
        pytest.skip("no chapter pages in the table of contents yet")
    facts = {}
    for width in WIDTHS:
        for name in CHAPTERS:
            visit = open_page(browser, base_url, name)
            page = visit.page
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(200)
            facts[(name, width)] = page.evaluate(
                """() => {
                  const figures = [...document.querySelectorAll('article figure img')].map(img => ({
                    id: (img.closest('figure') || {}).id || '',
                    natural: img.naturalWidth,
                    // The size the figure was drawn for: myst-nb writes a retina PNG's width as a
                    // style; without one the image is meant to be shown at its natural size.
                    designed: parseFloat(img.style.width) || parseFloat(img.getAttribute('width')) || img.naturalWidth,
                    shown: img.getBoundingClientRect().width,
                    right: img.getBoundingClientRect().right,
                  }));
                  const deadCells = [...document.querySelectorAll('article div.cell')]
                    .filter(c => /pk\\.widgets\\.|Explorer\\(|Calculator\\(/.test(
                                   (c.querySelector('.cell_input') || {}).innerText || ''))
                    .filter(c => !c.querySelector('.cell_output') ||
                                 !c.querySelector('.cell_output').innerText.trim() &&
                                 !c.querySelector('.cell_output img'))
                    .map(c => c.querySelector('.cell_input').innerText.trim().slice(0, 80));
                  const exercises = [...document.querySelectorAll('article div.exercise')].map(e => {
                    const title = e.querySelector('.admonition-title');
                    const number = title && title.querySelector('.caption-number');
                    const all = title ? title.innerText : '';
                    const rest = number ? all.replace(number.innerText, '') : all;
                    return {id: e.id, title: all.trim(), rest: rest.replace(/[()\\s]/g, '')};
                  });
                  const captions = Object.fromEntries([...document.querySelectorAll('article figure')]
                    .map(f => [f.id, ((f.querySelector('figcaption') || {}).innerText || '').trim()]));
                  return {figures, deadCells, exercises, captions,
                          viewport: document.documentElement.clientWidth};
                }"""
            )
            page.close()
    return facts


@pytest.mark.parametrize("width", WIDTHS)
def test_figures_are_crisp(pages, width):
    bad = []
    for (name, w), facts in pages.items():
        for f in facts["figures"] if w == width else []:
            if f["shown"] and f["natural"] < 1.9 * f["shown"]:
                bad.append(f"{name} {f['id']}: {f['natural']} image pixels shown over {f['shown']:.0f} CSS pixels")
    assert not bad, f"figures at {width} px with fewer than 2 image pixels per CSS pixel:\n  " + "\n  ".join(bad)


def test_figure_text_is_readable_at_1280(pages):
    bad = []
    for (name, w), facts in pages.items():
        if w != 1280:
            continue
        for f in facts["figures"]:
            scale = f["shown"] / f["designed"] if f["designed"] else 0
            text_px = SMALLEST_TEXT_PT * FIGURE_DPI / 72 * scale
            if text_px < MIN_TEXT_PX:
                bad.append(f"{name} {f['id']}: shown at {100 * scale:.0f} % of its size, "
                           f"{SMALLEST_TEXT_PT}-pt text is {text_px:.1f} px")
    assert not bad, "figures shrunk below readable text at 1280 px:\n  " + "\n  ".join(bad)


def test_figures_fit_a_phone_screen(pages):
    bad = []
    for (name, w), facts in pages.items():
        if w != 390:
            continue
        for f in facts["figures"]:
            if f["right"] > facts["viewport"] + 1:
                bad.append(f"{name} {f['id']}: ends at {f['right']:.0f} px, past the {facts['viewport']} px screen")
    assert not bad, "\n  ".join(bad)


@pytest.mark.parametrize("width", WIDTHS)
def test_no_dead_explorer_cells(pages, width):
    dead = [f"{name}: {cell}" for (name, w), facts in pages.items() if w == width for cell in facts["deadCells"]]
    assert not dead, ("code cells of live explorers shown with nothing under them (they need a kernel; "
                      "tag them remove-cell and say how to run them):\n  " + "\n  ".join(dead))


@pytest.mark.parametrize("width", WIDTHS)
def test_every_exercise_has_a_title(pages, width):
    seen = [(name, e) for (name, w), facts in pages.items() if w == width for e in facts["exercises"]]
    assert len(seen) >= 3 * 7, f"expected at least three exercises per chapter, found {len(seen)}"
    untitled = [f"{name} {e['id']}: {e['title']!r}" for name, e in seen if not e["rest"]]
    assert not untitled, "exercises without a title:\n  " + "\n  ".join(untitled)


def test_timing_caption_promises_only_what_is_drawn(pages):
    captions = {fid: text for facts in pages.values() for fid, text in facts["captions"].items()}
    caption = captions.get("fig-cost-timings")
    assert caption, "no figure fig-cost-timings on the chapter pages"
    # PyTorch is drawn only where it is installed (not on a reader's or every builder's machine).
    assert "PyTorch" not in caption, f"the caption names a line the figure may not draw: {caption!r}"

"""Every page and view fits a lecture room's screen (issue 12): at 1024x768 (a projector, sidebar
open), at 819x614 (the same projector at 125 % zoom) and at 1280x720, nothing in the page
overflows sideways (no element scrolls or clips horizontally: equations, tables, rows of
buttons, tabs), no chart title or axis title runs past its figure's edge and no two of a
figure's titles overlap.

What is checked is what the elements report (scrollWidth against clientWidth, the title's
bounding box against its figure's), not a picture; a screenshot of each view is kept in
test-artifacts/browser/layout-*.png for a human look.
"""

from __future__ import annotations

import pytest

from tests.browser.test_pages_browser import ARTIFACTS, settle
from ui import adder_state, attention_state, gradient_state, transformer_state

pytestmark = pytest.mark.browser

SIZES = {"projector": (1024, 768), "zoom125": (819, 614), "laptop": (1280, 720)}
VIEWS = {
    "Binary_adder": adder_state.VIEWS,
    "Gradient_flow": gradient_state.VIEWS,
    "Attention": attention_state.VIEWS,
    "Transformer": transformer_state.VIEWS,
    "Translate": (None,),
    "Translate?model=both": (None,),  # the two attention maps, one under the other
    "Train": (None,),
    "": (None,),  # home
}

# Elements of the main area that scroll or clip sideways, Plotly titles (figure title, axis
# titles, annotations used as panel titles) whose text box leaves its figure, and two titles of
# one figure drawn over each other.
OVERFLOW_JS = """() => {
  const out = [];
  // the figure title, every axis title (subplots' too: g-x2title ...) and annotations
  const isTitle = el => !!el.closest('.annotation') || [...ancestors(el)].some(
    g => /^g-(g|[xy][0-9]*)title$/.test(g.getAttribute('class') || ''));
  function* ancestors(el) { for (let p = el.parentElement; p; p = p.parentElement) yield p; }
  const main = document.querySelector('[data-testid="stMain"]');
  for (const el of main.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0) continue;
    const cs = getComputedStyle(el);
    const what = () => (el.getAttribute('data-testid') || el.tagName)
      + (el.getAttribute('aria-label') ? '[' + el.getAttribute('aria-label') + ']' : '')
      + ' "' + (el.innerText || el.textContent || '').slice(0, 50).replace(/\\s+/g, ' ') + '"';
    if (['hidden', 'auto', 'scroll', 'clip'].includes(cs.overflowX)
        && el.clientWidth > 30 && el.scrollWidth > el.clientWidth + 2) {
      out.push('overflows by ' + (el.scrollWidth - el.clientWidth) + ' px: ' + what());
    }
    if (el.tagName === 'text' && isTitle(el)) {
      const svg = el.closest('svg').getBoundingClientRect();
      const off = Math.max(svg.left - r.left, r.right - svg.right);
      if (off > 1) out.push('title clipped by ' + Math.round(off) + ' px: ' + what());
    }
  }
  // two titles of one figure drawn over each other (e.g. three subplots' axis titles)
  for (const plot of main.querySelectorAll('.js-plotly-plot')) {
    const texts = [...plot.querySelectorAll('text')].filter(
      t => isTitle(t) && t.getBoundingClientRect().width > 0 && t.textContent.trim());
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const a = texts[i].getBoundingClientRect(), b = texts[j].getBoundingClientRect();
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 2 && h > 2) {
          out.push('titles overlap by ' + Math.round(w) + 'x' + Math.round(h) + ' px: "'
            + texts[i].textContent.slice(0, 40) + '" and "' + texts[j].textContent.slice(0, 40)
            + '"');
        }
      }
    }
  }
  // a category axis of a few labels (a sentence's words) that plotly drew only some of
  for (const plot of main.querySelectorAll('.js-plotly-plot')) {
    const full = plot._fullLayout || {};
    for (const [name, ax] of Object.entries(full)) {
      if (!/^[xy]axis[0-9]*$/.test(name) || ax.type !== 'category' || !ax.visible) continue;
      const n = (ax._categories || []).length;
      const id = name[0] + name.slice(5);  // xaxis2 -> x2
      const drawn = plot.querySelectorAll('.' + id + 'tick text').length;
      if (n > 0 && n <= 12 && ax.showticklabels && drawn < n) {
        out.push('labels left out on ' + name + ': ' + drawn + ' of ' + n + ' in "'
          + ((full.title || {}).text || '').slice(0, 40) + '"');
      }
    }
  }
  const d = document.documentElement;
  if (d.scrollWidth > d.clientWidth) out.push('the page scrolls sideways: ' + d.scrollWidth);
  return [...new Set(out)];
}"""

CASES = [
    pytest.param(size, path, view, id=f"{size}-{path or 'home'}-{view or 'page'}")
    for size in ("projector", "zoom125")
    for path, views in VIEWS.items()
    for view in views
] + [  # the wider laptop screen: each page's first view
    pytest.param("laptop", path, views[0], id=f"laptop-{path or 'home'}")
    for path, views in VIEWS.items()
]


@pytest.mark.parametrize(("size", "path", "view"), CASES)
def test_nothing_overflows_sideways(module_server, browser, size, path, view):
    w, h = SIZES[size]
    context = browser.new_context(viewport={"width": w, "height": h})
    try:
        page = context.new_page()
        query = "" if view is None else "?view=" + view.replace("&", "%26").replace(" ", "+")
        page.goto(f"{module_server}/{path}{query}")
        settle(page, timeout_ms=120_000)
        # figures draw after the script run: wait until every Plotly chart has its SVG
        page.wait_for_function(
            """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                .every(c => c.querySelector('svg.main-svg'))""",
            timeout=60_000,
        )
        # the page's layout CSS (ui.common.LAYOUT_CSS) is in effect: rows of tabs wrap
        page.wait_for_function(
            """() => [...document.querySelectorAll('[data-testid="stTabs"] [role="tablist"]')]
                .every(t => getComputedStyle(t).flexWrap === 'wrap')""",
            timeout=30_000,
        )
        page.wait_for_timeout(700)  # the fonts and KaTeX settle
        problems = page.evaluate(OVERFLOW_JS)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = f"layout-{size}-{path or 'home'}-{view or 'page'}.png".replace(" ", "_")
        page.screenshot(path=str(ARTIFACTS / shot.replace("?", "_")), full_page=True)
        assert not problems, f"{w}x{h} /{path} {view or ''}:\n" + "\n".join(problems)
    finally:
        context.close()

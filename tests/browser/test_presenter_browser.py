"""Presenter mode and themes in a real browser (issue 12).

At 1024 x 768, every page opened with ``?present=1`` shows its main figure in the first screen
(its top above the fold and at least half of it, or 300 px, visible), starts with the sidebar
collapsed and overflows nothing sideways; a screenshot of every page in normal and presenter
mode is kept in test-artifacts/browser/ (CI artifacts, not committed).  The theme follows the
browser unless the link asks for one (``?theme=dark`` / ``light``).
"""

from __future__ import annotations

import pytest

from tests.browser.test_layout_browser import OVERFLOW_JS
from tests.browser.test_pages_browser import ARTIFACTS, settle

pytestmark = pytest.mark.browser

W, H = 1024, 768
FIGURE = '[data-testid="stPlotlyChart"], [data-testid="stImage"], [data-testid="stGraphVizChart"]'
PAGES = ("Binary_adder", "Gradient_flow", "Attention", "Translate", "Transformer", "Train", "")
WITH_FIGURE = ("Binary_adder", "Gradient_flow", "Attention", "Translate", "Transformer")

FIRST_FIGURE_JS = f"""() => {{
  const e = document.querySelector('[data-testid="stMain"]').querySelector('{FIGURE}');
  if (!e) return null;
  const r = e.getBoundingClientRect();
  return {{top: r.top, bottom: r.bottom, height: r.height}};
}}"""

APP_BACKGROUND_JS = """() => {
  const c = getComputedStyle(document.querySelector('[data-testid="stApp"]')).backgroundColor;
  const [r, g, b] = c.match(/\\d+/g).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}"""


def _open(browser, url: str, scheme: str = "light"):
    context = browser.new_context(viewport={"width": W, "height": H}, color_scheme=scheme)
    page = context.new_page()
    page.goto(url)
    settle(page, timeout_ms=120_000)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
            .every(c => c.querySelector('svg.main-svg'))""",
        timeout=60_000,
    )
    page.wait_for_timeout(700)
    return context, page


@pytest.mark.parametrize("path", PAGES, ids=[p or "home" for p in PAGES])
def test_presenter_mode_at_1024x768(module_server, browser, path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = path or "home"
    context, page = _open(browser, f"{module_server}/{path}")
    try:
        page.screenshot(path=str(ARTIFACTS / f"normal-1024x768-{name}.png"))
        normal = page.evaluate(FIRST_FIGURE_JS)
    finally:
        context.close()
    context, page = _open(browser, f"{module_server}/{path}?present=1")
    try:
        page.screenshot(path=str(ARTIFACTS / f"present-1024x768-{name}.png"))
        # the sidebar starts collapsed: the page column begins near the left edge
        main_left = page.evaluate(
            """() => document.querySelector('[data-testid="stMainBlockContainer"]')
                       .getBoundingClientRect().left"""
        )
        assert main_left < 120, main_left
        assert not page.evaluate(OVERFLOW_JS)
        if path in WITH_FIGURE:
            fig = page.evaluate(FIRST_FIGURE_JS)
            assert fig is not None
            visible = min(fig["bottom"], H) - fig["top"]
            assert fig["top"] < H and visible >= min(300, fig["height"] / 2), (fig, H)
            assert normal is None or fig["top"] < normal["top"]  # presenter mode moved it up
    finally:
        context.close()


@pytest.mark.parametrize(
    ("scheme", "query", "dark"),
    [
        ("dark", "", True),  # no choice in the link: the browser's
        ("light", "", False),
        ("light", "?theme=dark", True),  # the link's choice
        ("dark", "?theme=light", False),
    ],
)
def test_the_theme_follows_the_browser_unless_the_link_sets_it(
    module_server, browser, scheme, query, dark
):
    context, page = _open(browser, f"{module_server}/Attention{query}", scheme)
    try:
        if query:  # the page loads once more with Streamlit's theme option
            page.wait_for_url("**embed_options=*", timeout=30_000)
            settle(page, timeout_ms=120_000)
        lightness = page.evaluate(APP_BACKGROUND_JS)
        assert (lightness < 0.5) == dark, lightness
        assert ("theme=" in page.url) == bool(query)  # the link keeps its choice
        page.screenshot(path=str(ARTIFACTS / f"theme-{scheme}{query.replace('?', '-')}.png"))
    finally:
        context.close()

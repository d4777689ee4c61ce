"""The Transformer page opened by its URL as the first visit on a fresh server, and its greedy
decoding stepped with the keyboard on the slider: the causal mask grows with the step."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_pages_browser import CHART, check_clean, settle
from ui.registry import page as registered

pytestmark = pytest.mark.browser

TITLE = registered("transformer").title


@pytest.mark.parametrize(
    "name, query",
    [
        ("transformer-pe", ""),
        ("transformer-sdp", "?view=Scaled+dot-product&d_k=256"),
        ("transformer-blocks", "?view=Encoder+and+decoder&block=decoder%3A+softmax"),
    ],
)
def test_transformer_deep_link_is_the_first_visit(fresh_server, page, name, query):
    page.goto(fresh_server + "/Transformer" + query)
    settle(page, timeout_ms=120_000)
    page.wait_for_selector(CHART, timeout=60_000)
    assert TITLE.split(":")[0] in page.inner_text("h1")
    check_clean(page, name)


def masked(page) -> tuple[int, int]:
    """(step shown, masked cells of its row) from the caption under the mask heatmap."""
    text = page.inner_text('[data-testid="stMain"]')
    m = re.search(r"Row (\d+) has (\d+)\s+masked cells", text)
    assert m, text[-800:]
    return int(m.group(1)), int(m.group(2))


def test_stepping_the_decoding_moves_the_mask(fresh_server, page):
    page.goto(fresh_server + "/Transformer?view=Greedy+decoding&step=2")
    settle(page, timeout_ms=120_000)
    page.wait_for_selector(CHART, timeout=60_000)
    step, cells = masked(page)
    assert step == 2
    slider = page.get_by_role("slider").first
    slider.focus()
    slider.press("ArrowRight")  # one step on
    page.wait_for_function("() => location.search.includes('step=3')", timeout=30_000)
    settle(page)
    step3, cells3 = masked(page)
    assert (step3, cells3) == (3, cells - 1)  # one future position fewer to hide
    check_clean(page, "transformer-decoding-step-3")

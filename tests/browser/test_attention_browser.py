"""The attention page opened by its URL as the first visit on a freshly started server."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_pages_browser import CHART, check_clean, settle

pytestmark = pytest.mark.browser

TITLE = "Attention: why two heads beat one"


@pytest.mark.parametrize(
    "name, query, expect",
    [
        ("attention-sampled", "", "N = 1,000 samples · seed 0"),
        ("attention-sampled-10k", "?N=10000&key_seed=4", "N = 10,000 samples · seed 4"),
        ("attention-copying", "?view=Copying&copy_kq=12", "α_1 = e^12 / (e^12 + 1)"),
        (
            "attention-averaging",
            "?view=Averaging&n_items=5&dim=5&M=3",
            "(49) gives α_a = α_b = 0.465254512655",
        ),
        ("attention-why", "?view=One+head+vs+two&N=10000", "Attention and self-attention"),
    ],
)
def test_attention_deep_link_is_the_first_visit(fresh_server, page, name, query, expect):
    page.goto(fresh_server + "/Attention" + query)
    settle(page)
    page.wait_for_selector(CHART, timeout=30_000)
    assert TITLE in page.inner_text("h1")
    assert expect in page.inner_text("body")
    # the scatter plots are WebGL: a canvas inside the chart, not thousands of SVG nodes
    if "view=Copying" not in query and "view=Averaging" not in query:
        assert page.locator(f"{CHART} canvas").count() > 0
    check_clean(page, name)


def test_attention_controls_are_mirrored_in_the_url(fresh_server, page):
    page.goto(fresh_server + "/Attention?N=2000")
    settle(page)
    page.wait_for_selector(CHART, timeout=30_000)
    seed = page.get_by_label("Seed")
    seed.fill("9")
    seed.press("Enter")
    page.wait_for_function("() => location.search.includes('key_seed=9')", timeout=30_000)
    settle(page)
    assert re.search(r"[?&]N=2000(&|$)", page.url)
    assert "N = 2,000 samples · seed 9" in page.inner_text("body")
    check_clean(page, "attention-seed-changed")


def test_attention_bad_input_is_a_message_not_a_crash(fresh_server, page):
    page.goto(fresh_server + "/Attention?beta=-0.5&n_items=3&N=50000")
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.wait_for_selector('[data-testid="stAlertContentError"]', timeout=60_000)
    alerts = page.locator('[data-testid="stAlertContentError"]')
    assert alerts.count() == 3  # β, N and n > d: each its own message
    text = "\n".join(alerts.nth(i).inner_text() for i in range(alerts.count()))
    assert "β is a variance" in text
    assert "choose from 1 to 10,000" in text
    assert "Choose n ≤ d" in text
    body = page.inner_text("body")
    assert "Fix the setting in the sidebar" in body
    assert "Traceback" not in body
    page.screenshot(path=str(ARTIFACTS / "attention-bad-input.png"), full_page=True)


def test_attention_bad_link_value_is_one_plain_warning(fresh_server, page):
    page.goto(fresh_server + "/Attention?N=inf&view=![x](https://evil.example/pixel.png)")
    settle(page)
    page.wait_for_selector(CHART, timeout=30_000)  # the default view with N = 1,000
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    page.wait_for_selector('[data-testid="stAlertContentWarning"]', timeout=60_000)
    warnings = page.locator('[data-testid="stAlertContentWarning"]')
    assert warnings.count() == 1
    text = warnings.first.inner_text().replace("\u2060", "")  # the joiner defusing bare URLs
    assert "N = 'inf'" in text and "![x](https://evil.example/pixel.png)" in text
    assert warnings.first.locator("img").count() == 0  # plain text, no image
    # (the bare URL inside it is still auto-linked by GFM: see ui/controls.py, reported)
    assert "N = 1,000 samples" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "attention-bad-link.png"), full_page=True)

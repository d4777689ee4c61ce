"""The gradient-flow page opened by its URL as the first visit on a freshly started server."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_pages_browser import CHART, check_clean, settle

pytestmark = pytest.mark.browser

TITLE = "Gradient flow: vanishing gradients and the LSTM"


@pytest.mark.parametrize(
    "name, query, expect",
    [
        ("gradient-flow", "", "The right-hand map is a plain tanh RNN"),
        ("gradient-flow-scalar", "?rnn=scalar+RNN%3A+recurrent+weight+w_h&T=80", "T = 80 steps"),
        ("gradient-t2", "?view=T+%3D+2+by+hand", "Largest difference between the hand BPTT"),
        ("gradient-partc", "?view=Part+%28c%29&Tmax=1000", "|w̄_ix| at T = 1,000, b_f = 10"),
        ("gradient-gates", "?view=Gate+explorer&seq=step", "Forget gate f(t)"),
    ],
)
def test_gradient_deep_link_is_the_first_visit(fresh_server, page, name, query, expect):
    page.goto(fresh_server + "/Gradient_flow" + query)
    settle(page)
    page.wait_for_selector(CHART, timeout=60_000)
    page.wait_for_function(
        "(s) => document.body.innerText.includes(s) || "
        "[...document.querySelectorAll('svg text')].some(t => t.textContent.includes(s))",
        arg=expect,
        timeout=60_000,
    )
    assert TITLE in page.inner_text("h1")
    page.locator(CHART).first.scroll_into_view_if_needed()
    check_clean(page, name)


def test_gradient_tab_switch_is_mirrored_in_the_url(fresh_server, page):
    page.goto(fresh_server + "/Gradient_flow")
    settle(page)
    page.get_by_role("tab", name="Gate explorer").click()
    page.wait_for_function("() => location.search.includes('view=Gate')", timeout=30_000)
    settle(page)
    page.wait_for_selector(CHART, timeout=30_000)
    assert "Input gate i(t)" in page.inner_text("body")
    page.locator(CHART).first.scroll_into_view_if_needed()
    check_clean(page, "gradient-tab-switch")


def test_gradient_bad_links_are_messages_not_crashes(fresh_server, page):
    page.goto(fresh_server + "/Gradient_flow?view=T+%3D+2+by+hand&wix=1e6")
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    alert = page.locator('[data-testid="stAlertContentError"]').first
    assert "is outside the range this page accepts" in alert.inner_text()
    assert "Fix the numbers above" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "gradient-bad-weight.png"), full_page=True)

    page.goto(fresh_server + "/Gradient_flow?T=1000")
    settle(page)
    page.wait_for_selector(CHART, timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    body = page.inner_text("body")
    assert "but T must be a whole number from 2 to 400" in body
    assert "Traceback" not in body
    page.screenshot(path=str(ARTIFACTS / "gradient-bad-T.png"), full_page=True)

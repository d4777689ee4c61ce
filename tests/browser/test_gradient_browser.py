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
        ("gradient-flow", "?view=Gradient+flow", "The right-hand map is a plain tanh RNN"),
        # a link naming no view opens the first, T = 2 by hand, as on the sheet
        ("gradient-default", "", "Largest difference between the hand BPTT"),
        # ... but one with values of the flow view alone opens that view (older links)
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
    page.wait_for_selector('[data-testid="stAlertContentError"]', timeout=60_000)
    alerts = page.locator('[data-testid="stAlertContentError"]')
    assert alerts.count() == 1
    text = alerts.first.inner_text()
    assert "w_ix = 1e+06" in text and "[-100, 100]" in text  # the value and the range
    assert page.locator('[data-testid="stAlertContentInfo"]').count() == 1  # "fix the numbers"
    page.screenshot(path=str(ARTIFACTS / "gradient-bad-weight.png"), full_page=True)

    page.goto(fresh_server + "/Gradient_flow?T=1000")
    settle(page)
    page.wait_for_selector(CHART, timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.wait_for_selector('[data-testid="stAlertContentWarning"]', timeout=60_000)
    warnings = page.locator('[data-testid="stAlertContentWarning"]')
    assert warnings.count() == 1
    assert "T = '1000'" in warnings.first.inner_text()
    assert "from 2 to 400" in warnings.first.inner_text()
    assert "Traceback" not in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "gradient-bad-T.png"), full_page=True)


MARKDOWN_LINK = "?view=[click here](https://evil.example/login)"


@pytest.mark.parametrize(
    "name, query, quoted",
    [
        ("gradient-link-seed-inf", "?view=Gradient+flow&seed=inf", "seed = 'inf'"),
        ("gradient-link-markdown", MARKDOWN_LINK, "view = '[click here](https://evil"),
    ],
)
def test_gradient_bad_link_value_is_one_plain_warning(fresh_server, page, name, query, quoted):
    page.goto(fresh_server + "/Gradient_flow" + query)
    settle(page)
    page.wait_for_selector(CHART, timeout=60_000)  # the default view is drawn
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    page.wait_for_selector('[data-testid="stAlertContentWarning"]', timeout=60_000)
    warnings = page.locator('[data-testid="stAlertContentWarning"]')
    assert warnings.count() == 1
    # shown literally (the invisible word joiner that defuses bare URLs aside): no link, no image
    assert quoted in warnings.first.inner_text().replace("\u2060", "")
    assert warnings.first.locator("img").count() == 0
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_gradient_link_message_has_no_clickable_url(fresh_server, page):
    page.goto(fresh_server + "/Gradient_flow" + MARKDOWN_LINK)
    settle(page)
    page.wait_for_selector('[data-testid="stAlertContentWarning"]', timeout=60_000)
    assert page.locator('a[href*="evil.example"]').count() == 0


def test_typed_urls_in_a_sequence_are_not_links(fresh_server, page):
    page.goto(
        fresh_server + "/Gradient_flow?view=Gate+explorer&seq=custom"
        "&xs=1,https://evil.example/login"
    )
    settle(page)
    page.wait_for_selector('[data-testid="stAlertContentError"]', timeout=60_000)
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 1
    assert "https://evil.example" in errors.first.inner_text().replace("\u2060", "")
    assert errors.first.locator("a, img").count() == 0  # shown as text, not as a link
    assert page.locator('[data-testid="stException"]').count() == 0

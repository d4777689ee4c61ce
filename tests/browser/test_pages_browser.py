"""Each page opened by its URL as the first visit on a freshly started server."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

CHART = '[data-testid="stPlotlyChart"], [data-testid="stGraphVizChart"]'


def settle(page, timeout_ms: int = 60_000) -> None:
    """Wait until the app has rendered and no script run is in progress."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=timeout_ms,
    )
    # the status widget shows only for runs longer than a moment: also ask the app itself
    page.wait_for_function(
        """() => document.querySelector('[data-testid="stApp"]')
                   ?.getAttribute('data-test-script-state') === 'notRunning'""",
        timeout=timeout_ms,
    )
    page.wait_for_timeout(500)


def check_clean(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    assert not page.js_errors, page.js_errors
    body = page.inner_text("body")
    assert "Traceback" not in body
    assert "Page not found" not in body


def test_home_first_visit(fresh_server, page):
    page.goto(fresh_server + "/")
    settle(page)
    assert "Sequence Lab" in page.inner_text("h1")
    assert page.get_by_text("Open Binary adder").count() == 1
    check_clean(page, "home")


@pytest.mark.parametrize(
    "name, query, expect",
    [
        ("adder-step", "", "Column addition, step t = 1"),
        ("adder-step-t5", "?t=5", "Column addition, step t = 5"),
        ("adder-automaton", "?view=Automaton", "4 of the 8 possible hidden states"),
        ("adder-verify", "?view=Verify+%26+prove&n=12", "All 16,777,216 sums are correct"),
    ],
)
def test_adder_deep_link_is_the_first_visit(fresh_server, page, name, query, expect):
    page.goto(fresh_server + "/Binary_adder" + query)
    settle(page)
    page.wait_for_selector(f'{CHART}, [data-testid="stImage"]', timeout=30_000)  # SVG: an image
    assert "An RNN that adds binary numbers" in page.inner_text("h1")
    assert expect in page.inner_text("body")
    check_clean(page, name)


def test_adder_counterexample_link_and_url_mirroring(fresh_server, page):
    page.goto(fresh_server + "/Binary_adder?view=Verify+%26+prove&n=6&b_h=-1+-2+-7%2F2")
    settle(page)
    body = page.inner_text("body")
    assert "Smallest counterexample: a = 3 (11), b = 3 (11)" in body
    page.get_by_role("button", name="Load this counterexample into the step-through").click()
    page.wait_for_function("() => location.search.includes('a=11')", timeout=30_000)
    settle(page)
    assert re.search(r"[?&]b=11(&|$)", page.url)
    assert "view=" not in page.url  # back on the default tab
    assert "11 + 11 = 110" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "adder-counterexample.png"), full_page=True)


def test_adder_bad_input_is_a_message_not_a_crash(fresh_server, page):
    page.goto(fresh_server + "/Binary_adder?a=12x&fmt=decimal")
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    alert = page.locator('[data-testid="stAlertContentError"]').first
    assert "'x' is not a decimal digit" in alert.inner_text()
    assert "Fix the numbers above" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "adder-bad-input.png"), full_page=True)


def test_adder_bad_link_values_are_one_warning_and_typed_text_stays_text(fresh_server, page):
    evil = "%21%5Bi%5D%28https%3A%2F%2Fevil.example%2Fpixel.png%29"  # ![i](https://evil...)
    page.goto(fresh_server + f"/Binary_adder?view=Search+designs&sseed=inf&sH=9&U={evil}")
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    warnings = page.locator('[data-testid="stAlertContentWarning"]')
    assert warnings.count() == 1  # one message for both link values
    assert "'inf'" in warnings.first.inner_text() and "'9'" in warnings.first.inner_text()
    page.wait_for_function("() => !location.search.includes('sseed')", timeout=30_000)
    # the weight field keeps the typed text; its message shows it literally, never as an image
    assert page.locator('img[src*="evil.example"], a[href*="evil.example"]').count() == 0
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert "![i](https://evil.example/pixel.png)" in errors.first.inner_text().replace("\u2060", "")
    page.screenshot(path=str(ARTIFACTS / "adder-bad-link.png"), full_page=True)


def test_adder_step_follows_shorter_numbers_without_a_link_warning(fresh_server, page):
    page.goto(fresh_server + "/Binary_adder?t=7")
    settle(page)
    assert "Column addition, step t = 7" in page.inner_text("body")
    a = page.get_by_label("First number a")
    a.fill("1")
    a.press("Enter")
    page.wait_for_function("() => location.search.includes('a=1')", timeout=30_000)
    settle(page)
    assert "Column addition, step t = 6" in page.inner_text("body")  # 1 + 10010: T = 6
    page.wait_for_function("() => location.search.includes('t=6')", timeout=30_000)
    assert page.locator('[data-testid="stAlertContentWarning"]').count() == 0
    check_clean(page, "adder-shorter-numbers")

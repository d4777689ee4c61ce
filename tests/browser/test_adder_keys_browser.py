"""Keyboard stepping on the adder (issue 12): → / ← / End / Home step without clicking a control
first, also from a deep link (the first → used to jump back to t = 2 from ?t=3)."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_pages_browser import check_clean, settle

pytestmark = pytest.mark.browser


def shown_step(page) -> int:
    m = re.search(r"Column addition, step t = (\d+)", page.inner_text('[data-testid="stMain"]'))
    assert m
    return int(m.group(1))


def press(page, key: str, url_test: str) -> None:
    """Press ``key`` on the page and wait until the URL passes ``url_test``.

    On a loaded machine the first press after a page load is occasionally dropped by the
    browser before the button's shortcut listener is attached (about 1 press in 100 with
    both cores busy); one more press after 10 s tells a lost key from a broken shortcut,
    which fails both times."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for wait_ms in (10_000, 30_000):
        page.keyboard.press(key)
        try:
            page.wait_for_function(f"() => {url_test}", timeout=wait_ms)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"{key} did not step the page (URL stayed {page.url})")


def test_arrow_keys_step_the_adder_from_a_deep_link(fresh_server, page):
    page.goto(fresh_server + "/Binary_adder?t=3")
    settle(page)
    assert shown_step(page) == 3
    page.locator("h1").first.click()  # the page has focus, no control does
    for key, want in (("ArrowRight", 4), ("ArrowRight", 5), ("ArrowLeft", 4), ("End", 7)):
        press(page, key, f"location.search.includes('t={want}')")
        settle(page)
        assert shown_step(page) == want, key
    press(page, "Home", "!location.search.includes('t=')")
    settle(page)
    assert shown_step(page) == 1
    check_clean(page, "adder-keyboard")

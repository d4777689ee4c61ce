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


def test_arrow_keys_step_the_adder_from_a_deep_link(fresh_server, page):
    page.goto(fresh_server + "/Binary_adder?t=3")
    settle(page)
    assert shown_step(page) == 3
    page.locator("h1").first.click()  # the page has focus, no control does
    for key, want in (("ArrowRight", 4), ("ArrowRight", 5), ("ArrowLeft", 4), ("End", 7)):
        page.keyboard.press(key)
        page.wait_for_function(f"() => location.search.includes('t={want}')", timeout=30_000)
        settle(page)
        assert shown_step(page) == want, key
    page.keyboard.press("Home")
    page.wait_for_function("() => !location.search.includes('t=')", timeout=30_000)
    settle(page)
    assert shown_step(page) == 1
    check_clean(page, "adder-keyboard")

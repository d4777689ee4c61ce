"""Keyboard stepping on Translate (the inspected output word) and on the Transformer's greedy
decoding (issue 12): → / End / Home move the step without clicking a control first, and the
link follows.  The adder's keys are tested in test_adder_keys_browser.py."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_adder_keys_browser import press
from tests.browser.test_pages_browser import CHART, check_clean, settle
from tests.browser.test_transformer_browser import masked

pytestmark = pytest.mark.browser

WORD = "new URLSearchParams(location.search).get('w')"


def chosen_step(page) -> int:
    """The step the Translate page's caption describes ("At step 2 the decoder chose …")."""
    m = re.search(r"At step (\d+) the decoder chose", page.inner_text('[data-testid="stMain"]'))
    assert m
    return int(m.group(1))


def test_arrow_keys_step_the_translated_words(module_server, page):
    page.goto(module_server + "/Translate")
    settle(page, timeout_ms=120_000)
    page.wait_for_selector(CHART, timeout=60_000)
    assert chosen_step(page) == 1
    page.locator("h1").first.click()  # the page has focus, no control does
    press(page, "ArrowRight", f"({WORD} || '').startsWith('2. ')")
    settle(page)
    assert chosen_step(page) == 2
    press(page, "End", f"({WORD} || '').endsWith('. .')")  # the last word is the full stop
    settle(page)
    last = chosen_step(page)
    assert last > 2 and page.evaluate(WORD).startswith(f"{last}. ")
    # in the sentence box, ← / → / Home / End move the cursor, not the step
    page.get_by_role("textbox", name="French sentence").click()
    page.keyboard.press("Home")
    page.wait_for_timeout(1500)
    assert page.evaluate(WORD).startswith(f"{last}. ") and chosen_step(page) == last
    page.locator("h1").first.click()
    press(page, "Home", f"{WORD} === null")
    settle(page)
    assert chosen_step(page) == 1
    check_clean(page, "translate-keyboard")


def test_arrow_keys_step_the_greedy_decoding(module_server, page):
    page.goto(module_server + "/Transformer?view=Greedy+decoding")
    settle(page, timeout_ms=120_000)
    page.wait_for_selector(CHART, timeout=60_000)
    assert masked(page)[0] == 1
    page.locator("h1").first.click()
    press(page, "ArrowRight", "location.search.includes('step=2')")
    settle(page)
    assert masked(page)[0] == 2
    press(page, "End", "/step=([3-9]|1[0-9]|20)\\b/.test(location.search)")
    settle(page)
    step, cells = masked(page)
    assert cells == 0 and f"step={step}" in page.url  # the last step: nothing left to mask
    press(page, "Home", "!location.search.includes('step=')")
    settle(page)
    assert masked(page)[0] == 1
    assert "view=Greedy+decoding" in page.url
    check_clean(page, "transformer-decoding-keyboard")

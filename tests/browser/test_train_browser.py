"""The Train page opened by its URL as the first visit on a fresh server, a bad link, and a tiny
training on an uploaded made-up corpus driven through the browser."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_pages_browser import CHART, check_clean, settle
from tests.toy_corpus import toy_corpus
from ui import train_views as views
from ui.registry import page as registered

pytestmark = pytest.mark.browser

TOY = toy_corpus(10)
TITLE = registered("train").title
QUEUE = "text=Training queue of this server"


def test_train_deep_link_is_the_first_visit(fresh_server, page):
    page.goto(fresh_server + "/Train?pairs=500&hidden=64&epochs=5&tf=0.5")
    settle(page, timeout_ms=120_000)
    page.wait_for_selector(QUEUE, timeout=120_000)
    settle(page)
    assert TITLE in page.inner_text("h1")
    body = page.inner_text("body")
    assert page.get_by_role("button", name=views.START).count() == 1
    if "usable pairs" in body:  # the shared corpus is on this machine
        assert "training on 500" in body
    assert page.locator('[data-testid="stAlertContentWarning"]').count() == 0
    check_clean(page, "train")


def test_train_bad_link_is_one_warning_not_a_crash(fresh_server, page):
    page.goto(fresh_server + "/Train?data=my+own+file&epochs=inf&hidden=%5Bx%5D(https%3A%2F%2Fe.x)")
    settle(page, timeout_ms=120_000)
    page.wait_for_selector(QUEUE, timeout=120_000)
    settle(page)
    warnings = page.locator('[data-testid="stAlertContentWarning"]')
    assert warnings.count() == 1
    text = warnings.first.inner_text().replace("\u2060", "")  # the joiner defusing bare URLs
    assert "inf" in text and "[x](https://e.x)" in text  # quoted as text, not a Markdown link
    check_clean(page, "train-bad-link")


def test_train_a_tiny_model_in_the_browser(fresh_server, page):
    page.set_viewport_size({"width": 1280, "height": 1600})
    page.goto(fresh_server + "/Train?data=my+own+file&hidden=32&epochs=4")
    settle(page, timeout_ms=120_000)
    page.wait_for_selector(QUEUE, timeout=120_000)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "toy.txt", "mimeType": "text/plain", "buffer": TOY}]
    )
    page.wait_for_selector("text=usable pairs in", timeout=60_000)
    page.get_by_role("button", name=views.START).click()
    page.wait_for_selector('[data-testid="stAlertContentSuccess"]', timeout=90_000)
    settle(page)
    page.wait_for_selector(CHART, timeout=30_000)
    download = page.get_by_role("button", name=views.DOWNLOAD)
    download.wait_for(timeout=30_000)  # the panel reruns once when it sees the job finished
    body = page.inner_text("body")
    assert "all 4 epochs done" in body and "test BLEU-4" in body
    assert download.count() == 1
    assert views.OPEN_TRANSLATE in body
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    check_clean(page, "train-finished")

"""The Train page opened by its URL as the first visit on a fresh server, and a tiny training
on an uploaded made-up corpus driven through the browser."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_pages_browser import CHART, check_clean, settle
from tests.toy_corpus import toy_corpus

pytestmark = pytest.mark.browser

TOY = toy_corpus(10)


def test_train_deep_link_is_the_first_visit(fresh_server, page):
    page.goto(fresh_server + "/Train?pairs=500&hidden=64&epochs=5&tf=0.5")
    settle(page, timeout_ms=120_000)
    page.wait_for_selector("text=Training queue of this server", timeout=120_000)
    settle(page)
    assert "Train a French → English translator live" in page.inner_text("h1")
    body = page.inner_text("body")
    assert "Training queue of this server" in body
    assert page.get_by_role("button", name="Start training").count() == 1
    if "usable pairs" in body:  # the shared corpus is on this machine
        assert "training on 500" in body
    check_clean(page, "train")


def test_train_a_tiny_model_in_the_browser(fresh_server, page):
    page.set_viewport_size({"width": 1280, "height": 1600})
    page.goto(fresh_server + "/Train?data=my+own+file&hidden=32&epochs=4")
    settle(page, timeout_ms=120_000)
    page.wait_for_selector("text=Training queue of this server", timeout=120_000)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "toy.txt", "mimeType": "text/plain", "buffer": TOY}]
    )
    page.wait_for_selector("text=usable pairs in", timeout=60_000)
    page.get_by_role("button", name="Start training").click()
    page.wait_for_selector("text=Training finished", timeout=90_000)
    settle(page)
    page.wait_for_selector(CHART, timeout=30_000)
    body = page.inner_text("body")
    assert "all 4 epochs done" in body and "test BLEU-4" in body
    assert page.get_by_role("button", name="Download the checkpoint (.zip)").count() == 1
    assert "Open the Translate page" in body
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    check_clean(page, "train-finished")

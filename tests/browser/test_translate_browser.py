"""The Translate page opened by its URL as the first visit on a fresh server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.test_pages_browser import CHART, check_clean, settle
from ui.registry import page as registered

pytestmark = pytest.mark.browser

TITLE = registered("translate").title
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "name, query, expect",
    [
        ("translate", "", "Where the decoder looks, word by word"),
        (
            "translate-beam",
            "?fr=Nous+sommes+en+retard+!&dec=beam+search&beam=4",
            "beam search, width 4",
        ),
    ],
)
def test_translate_deep_link_is_the_first_visit(fresh_server, page, name, query, expect):
    page.goto(fresh_server + "/Translate" + query)
    settle(page, timeout_ms=120_000)
    page.wait_for_selector(CHART, timeout=60_000)
    assert TITLE in page.inner_text("h1")
    body = page.inner_text("body")
    assert expect in body or expect in page.content()
    assert page.locator('[data-testid="stAlertContentWarning"]').count() == 0
    check_clean(page, name)


def test_translate_bad_link_is_one_warning_not_a_crash(fresh_server, page):
    bad = "?dec=beam+search&beam=inf&table=%21%5Bi%5D(https%3A%2F%2Fevil.example%2Fp.png)"
    page.goto(fresh_server + "/Translate" + bad)
    settle(page, timeout_ms=120_000)
    page.wait_for_selector(CHART, timeout=60_000)
    warnings = page.locator('[data-testid="stAlertContentWarning"]')
    assert warnings.count() == 1
    text = warnings.first.inner_text().replace("\u2060", "")  # the joiner defusing bare URLs
    assert "inf" in text and "![i](https://evil.example/p.png)" in text  # quoted as text
    assert warnings.first.locator("img").count() == 0  # never an image
    assert "beam search, width 5" in page.inner_text("body")  # the default width instead
    check_clean(page, "translate-bad-link")


def test_translate_html_input_is_text_not_markup(fresh_server, page):
    bad = "%3Cb%3Ebold%3C%2Fb%3E+%3Cscript%3Ealert(1)%3C%2Fscript%3E"
    page.goto(fresh_server + "/Translate?fr=" + bad)
    settle(page, timeout_ms=120_000)
    page.wait_for_selector("text=removed the HTML tags", timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator("b:text('bold')").count() == 0  # never rendered as markup
    assert page.locator("[data-testid='stMain'] script").count() == 0
    body = page.inner_text("body").replace("\u2060", "")
    # the tags are named as text, and what is left ("bold alert 1") is not French
    assert "removed the HTML tags <b> </b> <script> </script>" in body
    assert "none of the words is in the model's French vocabulary" in body


def test_clicking_a_row_of_the_attention_map_inspects_that_word(fresh_server, page):
    page.goto(fresh_server + "/Translate?fr=Il+est+plus+grand+que+moi+.")
    settle(page, timeout_ms=120_000)
    page.wait_for_selector(CHART, timeout=60_000)
    assert "At step 1 the decoder chose" in page.inner_text("body")
    n_rows = page.locator(CHART).first.locator("g.ytick").count()
    assert n_rows >= 4
    cells = page.locator(CHART).first.locator(".nsewdrag").first
    cells.scroll_into_view_if_needed()
    box = cells.bounding_box()
    # the third row, off-centre in the third column: the nearest cell takes the click
    x, y = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 2.5 / n_rows
    page.mouse.move(x, y)  # plotly picks the point under the pointer on hover, then clicks
    page.wait_for_timeout(500)
    page.mouse.click(x, y)
    page.wait_for_function(
        "() => document.body.innerText.includes('At step 3 the decoder chose')", timeout=30_000
    )
    page.wait_for_function("() => location.search.includes('w=3.')", timeout=30_000)
    assert page.locator('[data-testid="stAlertContentWarning"]').count() == 0
    check_clean(page, "translate-clicked-row")


def test_uploading_the_shipped_transformer_zip_switches_to_it(fresh_server, page, tmp_path):
    """A real upload through the browser: the zip is taken, the page switches to its model
    (the transformer) and the link names the upload."""
    from core.checkpoint_files import checkpoint_zip

    blob = tmp_path / "sequence-lab-model.zip"
    blob.write_bytes(checkpoint_zip(ROOT / "assets" / "transformer" / "model"))
    page.goto(fresh_server + "/Translate")
    settle(page, timeout_ms=120_000)
    page.get_by_text("Use a checkpoint you downloaded").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(blob))
    page.wait_for_function("() => location.search.includes('upload=')", timeout=120_000)
    settle(page, timeout_ms=120_000)
    page.wait_for_selector(CHART, timeout=60_000)
    assert "model=transformer" in page.url
    assert "the uploaded checkpoint sequence-lab-model.zip" in page.inner_text("body")
    check_clean(page, "translate-upload")

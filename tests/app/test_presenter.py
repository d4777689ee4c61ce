"""Presenter mode (issue 12): ``?present=1`` folds the intro prose away, drops the source line,
enlarges text and collapses the sidebar; a link without the flag looks as before."""

import pytest

from tests.app.helpers import open_page
from ui.common import PRESENT_CSS, asset_section
from ui.registry import page

PAGES = {
    "gradient": ("pages/2_Gradient_flow.py", "gradient_flow.md", "Intro"),
    "attention": ("pages/3_Attention.py", "attention.md", "Attention"),
    "translate": ("pages/4_Translate.py", "translate.md", "Intro"),
    "train": ("pages/5_Train.py", "train.md", "Intro"),
    "transformer": ("pages/6_Transformer.py", "transformer.md", "Transformer"),
}


def in_expanders(at, prose: str) -> int:
    return sum(m.value == prose for e in at.expander for m in e.markdown)


def intro_is_in_an_expander(at, prose: str) -> bool:
    return in_expanders(at, prose) > 0


def intro_is_on_the_page(at, prose: str) -> bool:
    """Shown outside any expander (the main block lists nested elements too)."""
    return sum(m.value == prose for m in at.main.markdown) > in_expanders(at, prose)


@pytest.mark.parametrize("page_id", list(PAGES))
def test_presenter_mode_folds_the_intro_and_keeps_the_page(page_id):
    path, md, section = PAGES[page_id]
    prose = asset_section(md, section)
    at = open_page(path, {"present": "1"})
    assert not at.exception and not [w for w in at.warning if "link" in w.value]
    assert intro_is_in_an_expander(at, prose) and not intro_is_on_the_page(at, prose)
    assert page(page_id).source not in [c.value for c in at.caption]
    assert any(PRESENT_CSS in h.proto.body for h in at.get("html"))
    plain_at = open_page(path)  # a student's link: as before
    assert intro_is_on_the_page(plain_at, prose) and not intro_is_in_an_expander(plain_at, prose)
    assert page(page_id).source in [c.value for c in plain_at.caption]
    assert not any(PRESENT_CSS in h.proto.body for h in plain_at.get("html"))

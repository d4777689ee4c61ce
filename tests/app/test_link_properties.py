"""Property test: any value a link gives any URL-bound control never crashes a page.

Every ``ui.controls.Control`` of every page's state module is collected; hypothesis draws links
that set a few of them to hostile or random values (NaN, ±inf, -0, 1e308, 400-digit numbers and
fractions, 10,000 characters, HTML, Markdown links and images, control characters, valid choices
in the wrong case, ...), and the page is opened with that link through the entry point.  The page
must run without an exception, and no link value may come back as a link or an image.
"""

from __future__ import annotations

import importlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.app.helpers import APP
from ui.controls import Control

STATE_MODULES = {
    "pages/1_Binary_adder.py": "ui.adder_state",
    "pages/2_Gradient_flow.py": "ui.gradient_state",
    "pages/3_Attention.py": "ui.attention_state",
    "pages/4_Translate.py": "ui.translate_state",
    "pages/5_Train.py": "ui.train_state",
    "pages/6_Transformer.py": "ui.transformer_state",
}

HOSTILE = [
    "",
    " ",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "-0",
    "1e308",
    "-1e308",
    "1e400",
    "9" * 400,
    "1" + "0" * 400 + "/1",
    "1/" + "0" * 400,
    "0x10",
    "1_000",
    "3.5",
    "-7",
    "true",
    "FALSE",
    "x" * 10_000,
    "<b>bold</b><script>alert(1)</script>",
    "![i](https://evil.example/pixel.png)",
    "[click](https://evil.example/login)",
    "https://evil.example",
    "a\x00b\x1b[31m",
    "１２",
    "é" * 50,
]


def controls_of(module_name: str) -> list[Control]:
    mod = importlib.import_module(module_name)
    found = {c.key: c for c in vars(mod).values() if isinstance(c, Control)}
    return list(found.values())


def values_for(c: Control) -> st.SearchStrategy[str]:
    """Hostile values, random text, and the control's own valid values (also in other case)."""
    own = [str(o) for o in c.options] + [str(c.default)]
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=30),
        st.sampled_from(own).map(lambda s: s.upper()),
        st.integers(-(10**30), 10**30).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
    )


def links(module_name: str) -> st.SearchStrategy[dict[str, str]]:
    cs = controls_of(module_name)
    assert cs, f"no Control found in {module_name}"
    return st.lists(st.sampled_from(cs), min_size=1, max_size=4, unique_by=lambda c: c.key).flatmap(
        lambda chosen: st.fixed_dictionaries({c.key: values_for(c) for c in chosen})
    )


def run_page(page: str, query: dict[str, str]):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params = dict(query)
    at.run()
    at.switch_page(page).run()
    return at


def check(at, query: dict[str, str]) -> None:
    assert not at.exception, (query, [e.message for e in at.exception])
    shown = [e.value for kind in (at.warning, at.error, at.info) for e in kind]
    for text in shown:
        assert "](https://evil" not in text, (query, text)  # escaped: never a link/image
        assert "<script>" not in text, (query, text)


@pytest.mark.parametrize("page", list(STATE_MODULES))
def test_any_link_value_of_any_control_never_crashes_the_page(page):
    @settings(
        max_examples=20,
        deadline=None,
        derandomize=True,  # the same examples on every run: CI stays reproducible
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(query=links(STATE_MODULES[page]))
    def prop(query):
        check(run_page(page, query), query)

    prop()


def test_every_page_state_module_has_controls():
    for module_name in STATE_MODULES.values():
        assert len(controls_of(module_name)) >= 3

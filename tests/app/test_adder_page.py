"""AppTest runs of the home page and the binary-adder page, through the entry point."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import APP, texts
from tests.app.helpers import open_page as _open

PAGE = "pages/1_Binary_adder.py"


def open_page(query: dict | None = None) -> AppTest:
    return _open(PAGE, query, timeout=60)


def test_home_lists_only_built_pages():
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    body = "\n".join(m.value for m in at.markdown)
    assert "An RNN that adds binary numbers" in body
    assert "Homework question 1" in "\n".join(c.value for c in at.caption)
    assert not at.error


def test_default_view_is_the_sheets_example():
    at = open_page()
    body = texts(at)
    assert "110111 + 10010 = 1001001" in body
    assert "decimal 55 + 18 = 73" in body
    assert (
        r"\begin{bmatrix}1 & 1 & 1 & 0 & 1 & 1 & 0\\ 0 & 1 & 0 & 0 & 1 & 0 & 0\end{bmatrix}" in body
    )
    # step 1 is equation (7)-(8)
    latex = [e.value for e in at.latex]
    assert any(
        r"\mathbf{h}^{(1)}" in v and r"\begin{bmatrix}0\\ -1\\ -2\end{bmatrix}" in v for v in latex
    )
    assert any(
        r"y^{(1)}" in v and r"\mathrm{hard}\left(\tfrac{1}{2}\right) = 1" in v for v in latex
    )
    assert not at.error


def test_stepping_reaches_equation_9_and_the_end():
    at = open_page()
    next_btn = next(b for b in at.button if b.label == "Next")
    next_btn.click().run()
    assert at.slider(key="t").value == 2
    latex = "\n".join(e.value for e in at.latex)
    assert r"\begin{bmatrix}\tfrac{3}{2}\\ \tfrac{1}{2}\\ -\tfrac{1}{2}\end{bmatrix}" in latex
    last_btn = next(b for b in at.button if b.label == "Last")
    last_btn.click().run()
    assert at.slider(key="t").value == 7
    assert "Output read MSB first: **1001001** (= 73) — correct ✓" in texts(at)


def test_deep_link_reproduces_a_view():
    at = open_page({"a": "13", "b": "11", "fmt": "decimal", "t": "3"})
    body = texts(at)
    assert "1101 + 1011 = 11000" in body
    assert at.slider(key="t").value == 3
    assert "Column addition, step t = 3" in body


@pytest.mark.parametrize(
    "field, value, fmt, expected",
    [
        ("a", "abc", "binary", "'a' is not a binary digit"),
        ("a", "-5", "decimal", "Negative numbers are not supported"),
        ("b", "1021", "binary", "'2' is not a binary digit"),
        ("b", "", "binary", "The field is empty"),
        ("a", "１２", "decimal", "FULLWIDTH DIGIT ONE"),
        ("a", "99999999", "decimal", "this page adds numbers of at most 16 bits"),
        ("b", "nan", "decimal", "'n' is not a decimal digit"),
        ("a", "<script>alert(1)</script>", "decimal", "'<' is not a decimal digit"),
    ],
)
def test_bad_numbers_get_a_message_and_the_page_keeps_working(field, value, fmt, expected):
    at = open_page({"fmt": fmt})
    at.text_input(key=field).set_value(value).run()
    assert not at.exception
    errors = "\n".join(e.value for e in at.error)
    assert expected in errors
    assert "Enter" in errors or "at most" in errors
    # the other views still work
    assert "Fix the numbers above" in texts(at)
    assert len(at.tabs) == 5


def test_bit_width_too_small_is_explained():
    at = open_page({"bits": "3"})
    assert "needs 6 bits, more than n_bits = 3" in "\n".join(e.value for e in at.error)
    at.selectbox(key="bits").set_value("8").run()
    assert not at.error
    assert at.slider(key="t").max == 9


@pytest.mark.parametrize(
    "key, value, expected",
    [
        ("U", "1 1; 1 nan; 1 1", "NaN and infinity are not accepted"),
        ("W", "1 1; 1 1", "W must be 3 x 3 because U has 3 rows"),
        ("b_y", "inf", "not a finite number"),
        ("V", "1 -1 x", "'x' is not a number"),
        ("U", "", "U is empty"),
    ],
)
def test_bad_weights_get_a_message(key, value, expected):
    at = open_page()
    at.text_input(key=key).set_value(value).run()
    assert not at.exception
    assert expected in "\n".join(e.value for e in at.sidebar.error)
    assert "Fix the weights in the sidebar" in texts(at)


def test_preset_then_counterexample_loads_into_the_animation():
    at = open_page({"view": "Verify & prove", "n": "6"})
    at.selectbox(key="preset").set_value("Subtly broken (b_h3 = -7/2)").run()
    assert at.text_input(key="b_h").value == "-1 -2 -7/2"
    body = texts(at)
    assert "Smallest counterexample: a = 3 (11), b = 3 (11)" in body
    assert "Refuted" in body
    load = next(b for b in at.button if b.label.startswith("Load this counterexample"))
    load.click().run()
    assert not at.exception
    assert at.text_input(key="a").value == "11" and at.text_input(key="b").value == "11"
    body = texts(at)
    assert "11 + 11 = 110" in body
    assert at.slider(key="t").value == 2
    assert "the correct output bit is **1**, the network gives **0** ✗ (wrong)" in body


def test_verify_tab_correct_design_and_proof():
    at = open_page({"view": "Verify & prove"})
    at.slider(key="n").set_value(10).run()
    body = texts(at)
    assert "All 1,048,576 sums are correct" in body
    assert "Proved correct for every input length: all 4 reachable (state, carry) pairs" in body


def test_time_bomb_shows_enumeration_and_proof_disagree():
    at = open_page({"view": "Verify & prove", "n": "3"})
    at.selectbox(key="preset").set_value("Time bomb: right up to 3 bits (H = 8)").run()
    body = texts(at)
    assert "All 64 sums are correct" in body
    assert "Refuted" in body and "wrong at step 5" in body


def test_automaton_view_renders_graph():
    at = open_page({"view": "Automaton"})
    assert not at.exception
    body = texts(at)
    assert "4 of the 8 possible hidden states are reachable" in body


def test_search_view_two_units_none_three_units_some():
    at = open_page({"view": "Search designs", "sH": "2", "sr": "1", "sb": "2"})
    assert "No correct adder has H = 2 units" in texts(at)
    at.selectbox(key="sH").set_value(3).run()
    assert not at.exception
    body = texts(at)
    assert "every one of them was checked" in body
    load = next(b for b in at.button if b.label.startswith("Load this design"))
    load.click().run()
    assert not at.exception
    # the loaded design is one of the search results and is proved correct
    at.switch_page(PAGE)
    u = at.text_input(key="U").value
    assert u != "1 1; 1 1; 1 1"


def test_learned_adder_trains_and_hardens():
    at = open_page({"view": "Learned adder", "lsteps": "1500"})
    assert not at.exception, at.exception
    body = texts(at)
    assert "Proof: correct for inputs of every length." in body
    assert "Enumeration: all 1,048,576 pairs of 10-bit numbers correct." in body

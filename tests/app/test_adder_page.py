"""AppTest runs of the home page and the binary-adder page, through the entry point.

The checks look at values (numbers, bits, matrices, widget values) and at element kinds (an
error, a success, a warning), not at whole sentences, so that a copy edit does not break them.
Expected messages of core's checks are taken from core itself.
"""

import re

import pytest
from streamlit.testing.v1 import AppTest

from core.adder.automaton import prove_adder
from core.adder.encoding import encode_pair
from core.adder.verify import verify_adder
from core.adder.weights import BROKEN_WEIGHTS, SEED_WEIGHTS, TIME_BOMB_WEIGHTS, weights_from_text
from core.learned_adder import (
    LearnConfig,
    column_table,
    describe_columns,
    xor_without_carry_accuracy,
)
from core.parsing import parse_number
from tests.app.helpers import APP, texts
from tests.app.helpers import open_page as _open
from ui import adder_state as state
from ui import adder_views as views
from ui.registry import page

PAGE = "pages/1_Binary_adder.py"
EVIL = "![i](https://evil.example/pixel.png)"


def open_page(query: dict | None = None) -> AppTest:
    return _open(PAGE, query, timeout=60)


def shown(markdown: str) -> str:
    """What a reader sees of escaped ``markdown``: '\\<' reads '<'; zero-width spaces (which
    stop automatic links) are invisible."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def errors(at: AppTest, where=None) -> list[str]:
    return [shown(e.value) for e in (where or at).error]


def core_message(fn, *args, **kwargs) -> str:
    with pytest.raises(ValueError) as info:
        fn(*args, **kwargs)
    return str(info.value)


def test_home_lists_only_built_pages():
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    info = page("adder")
    assert info.title in "\n".join(m.value for m in at.markdown)
    assert info.source in [c.value for c in at.caption]
    assert not at.error


def test_default_view_is_the_sheets_example():
    at = open_page()
    body = texts(at)
    assert "110111 + 10010 = 1001001" in body
    assert "55 + 18 = 73" in body
    # the input matrix (5)
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
    assert at.slider(key="t").value == 1 and at.slider(key="t").max == 7
    assert len(at.tabs) == len(state.VIEWS)
    assert not at.error and not at.warning


def test_stepping_reaches_equation_9_and_the_end():
    at = open_page()
    next_btn = next(b for b in at.button if b.label == "Next")
    next_btn.click().run()
    assert at.slider(key="t").value == 2
    latex = "\n".join(e.value for e in at.latex)
    assert r"\begin{bmatrix}\tfrac{3}{2}\\ \tfrac{1}{2}\\ -\tfrac{1}{2}\end{bmatrix}" in latex
    assert not at.success  # the verdict comes at the last step
    last_btn = next(b for b in at.button if b.label == "Last")
    last_btn.click().run()
    assert at.slider(key="t").value == 7
    (verdict,) = at.success  # correct: a success, with the output 1001001 = 73
    assert "1001001" in verdict.value and "73" in verdict.value
    assert not at.error


def test_deep_link_reproduces_a_view():
    at = open_page({"a": "13", "b": "11", "fmt": "decimal", "t": "3"})
    body = texts(at)
    assert "1101 + 1011 = 11000" in body
    assert at.slider(key="t").value == 3
    assert "step t = 3" in body
    assert not at.warning


@pytest.mark.parametrize(
    "field, value, fmt",
    [
        ("a", "abc", "binary"),
        ("a", "-5", "decimal"),
        ("b", "1021", "binary"),
        ("b", "", "binary"),
        ("a", "１２", "decimal"),
        ("a", "99999999", "decimal"),
        ("b", "nan", "decimal"),
        ("a", "<script>alert(1)</script>", "decimal"),
        ("b", EVIL, "binary"),
    ],
)
def test_bad_numbers_get_a_message_and_the_page_keeps_working(field, value, fmt):
    at = open_page({"fmt": fmt})
    at.text_input(key=field).set_value(value).run()
    assert not at.exception
    # core's message (which says what is accepted), for this field, shown literally
    expected = core_message(parse_number, value, fmt, max_bits=state.MAX_INPUT_BITS)
    assert "Enter" in expected or "at most" in expected
    assert f"**{field}**: {expected}" in errors(at)
    assert not any("](" in e.value for e in at.error)
    # the other views still work
    assert [i.value for i in at.info] == [views.NEED_INPUTS]
    assert len(at.tabs) == len(state.VIEWS)


def test_bit_width_too_small_is_explained():
    at = open_page({"bits": "3"})
    (msg,) = errors(at)
    assert core_message(encode_pair, 55, 18, 3) in msg  # 55 needs 6 bits, more than 3
    at.selectbox(key="bits").set_value("8").run()
    assert not at.error
    assert at.slider(key="t").max == 9


@pytest.mark.parametrize(
    "key, value",
    [
        ("U", "1 1; 1 nan; 1 1"),  # NaN
        ("W", "1 1; 1 1"),  # 2 x 2 while U has 3 rows
        ("b_y", "inf"),
        ("V", "1 -1 x"),
        ("U", ""),
        ("V", EVIL),
    ],
)
def test_bad_weights_get_a_message(key, value):
    at = open_page()
    at.text_input(key=key).set_value(value).run()
    assert not at.exception
    w, expected = weights_from_text({**state.DEFAULT_WEIGHT_TEXT, key: value})
    assert w is None and expected
    assert errors(at, at.sidebar) == expected
    assert [i.value for i in at.info] == [views.NEED_WEIGHTS]


def test_preset_then_counterexample_loads_into_the_animation():
    at = open_page({"view": "Verify & prove", "n": "6"})
    at.selectbox(key="preset").set_value("Subtly broken (b_h3 = -7/2)").run()
    assert at.text_input(key="b_h").value == "-1 -2 -7/2"
    rep, proof = verify_adder(BROKEN_WEIGHTS, 6), prove_adder(BROKEN_WEIGHTS)
    assert rep.counterexample == (3, 3) and not proof.correct
    enumeration, refutation = at.error  # both checks fail
    assert "a = 3 (11), b = 3 (11)" in enumeration.value
    assert f"{rep.n_wrong:,} of {rep.n_checked:,}" in enumeration.value
    assert f"step {proof.failing_step}" in refutation.value
    assert " → ".join(proof.failing_columns) in refutation.value
    load = next(b for b in at.button if b.label.startswith("Load this counterexample"))
    load.click().run()
    assert not at.exception
    assert at.text_input(key="a").value == "11" and at.text_input(key="b").value == "11"
    assert "11 + 11 = 110" in texts(at)
    assert at.slider(key="t").value == rep.counterexample_step == 2
    # step 2: carry 1 comes in, 1 + 1 + 1 = 3, the correct bit is 1, the network writes 0
    step = next(m.value for m in at.markdown if m.value.startswith("x(2)"))
    assert "carry in = 1" in step and "= 3" in step
    assert "**1**" in step and "**0**" in step and "✗" in step


def test_verify_tab_correct_design_and_proof():
    at = open_page({"view": "Verify & prove"})
    at.slider(key="n").set_value(10).run()
    assert not at.error
    enumeration, proof = at.success
    assert "1,048,576" in enumeration.value  # 4**10 sums
    assert f"all {prove_adder(SEED_WEIGHTS).n_product_states} " in proof.value  # 4 pairs
    assert prove_adder(SEED_WEIGHTS).n_product_states == 4


def test_time_bomb_shows_enumeration_and_proof_disagree():
    at = open_page({"view": "Verify & prove", "n": "3"})
    at.selectbox(key="preset").set_value("Time bomb: right up to 3 bits (H = 8)").run()
    (enumeration,) = at.success
    assert "64" in enumeration.value  # all 4**3 sums right
    (refutation,) = at.error
    assert prove_adder(TIME_BOMB_WEIGHTS).failing_step == 5
    assert "step 5" in refutation.value


def test_automaton_view_renders_graph(monkeypatch):
    """The graph is drawn on the server as SVG: shown as an image and offered as a file."""
    import base64

    import streamlit as st

    from charts.adder import automaton_svg
    from core.adder.automaton import state_path, transition_table

    offered = []
    real = st.download_button
    monkeypatch.setattr(
        st, "download_button", lambda *a, **kw: offered.append(kw) or real(*a, **kw)
    )
    at = open_page({"view": "Automaton"})
    assert not at.exception
    assert not at.get("graphviz_chart")
    path = state_path(SEED_WEIGHTS, encode_pair(0b110111, 0b10010))  # the sheet's sum
    svg = automaton_svg(prove_adder(SEED_WEIGHTS), transition_table(SEED_WEIGHTS)[1], path)
    (image,) = at.get("image")
    url = image.proto.imgs[0].url
    assert url.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(url.split(",", 1)[1]).decode() == svg  # the same picture
    (button,) = [b for b in at.get("download_button") if b.proto.id.endswith("automaton_svg")]
    assert button.proto.label == "Graph (SVG)" and button.proto.url.endswith(".svg")
    (kw,) = [kw for kw in offered if kw.get("key") == "automaton_svg"]
    assert (kw["file_name"], kw["mime"], kw["data"]) == (
        "sequence-lab-automaton.svg",
        "image/svg+xml",
        svg,
    )
    assert "4 of the 8 " in "\n".join(c.value for c in at.caption)  # reachable of 2**3 states


def test_search_view_two_units_none_three_units_some():
    at = open_page({"view": "Search designs", "sH": "2", "sr": "1", "sb": "2"})
    (none_found,) = at.warning
    assert "H = 2" in none_found.value
    at.selectbox(key="sH").set_value(3).run()
    assert not at.exception and not at.warning
    assert "exhaustive" in texts(at)
    load = next(b for b in at.button if b.label.startswith("Load this design"))
    load.click().run()
    assert not at.exception
    # the loaded design is one of the search results and is proved correct
    at.switch_page(PAGE)
    u = at.text_input(key="U").value
    assert u != state.DEFAULT_WEIGHT_TEXT["U"]


def test_learned_adder_trains_and_hardens():
    at = open_page({"view": "Learned adder", "lsteps": "1500"})
    assert not at.exception, at.exception
    assert not at.error
    enumeration, proof = at.success  # the hardened network passes both checks
    assert "1,048,576" in enumeration.value and "10-bit" in enumeration.value
    assert "every length" in proof.value


def test_learned_adder_tabulates_which_columns_it_gets_right():
    at = open_page({"view": "Learned adder", "lsteps": "1500"})
    assert not at.exception, at.exception
    cfg = LearnConfig(steps=1500)
    table = column_table(state.train(cfg))  # the page's own training (cached), not a new one
    (frame,) = [d.value for d in at.dataframe if "carry in" in d.value.columns]
    assert frame["columns"].tolist() == list(table.columns)
    assert frame["right"].tolist() == list(table.right)
    assert [tuple(r) for r in frame[["a_t", "b_t", "carry in"]].values.tolist()] == list(
        table.cases
    )
    body = texts(at)
    assert describe_columns(table) in body
    assert f"{float(xor_without_carry_accuracy(8)):.1%}" in body  # 61.1 %, the XOR baseline


def test_typed_as_switch_converts_the_numbers_both_ways():
    at = open_page()
    at.radio(key="fmt").set_value("decimal").run()
    assert not at.exception
    assert at.text_input(key="a").value == "55" and at.text_input(key="b").value == "18"
    assert not at.error
    assert "55 + 18 = 73" in texts(at) and "110111 + 10010 = 1001001" in texts(at)
    assert (at.query_params["a"], at.query_params["b"]) == ("55", "18")  # the link follows
    assert [i.value for i in at.info] == []  # every view is there
    at.radio(key="fmt").set_value("binary").run()
    assert not at.exception and not at.error
    assert at.text_input(key="a").value == "110111" and at.text_input(key="b").value == "10010"
    assert "55 + 18 = 73" in texts(at)
    assert "a" not in at.query_params and "b" not in at.query_params  # the defaults again


def test_typed_as_switch_leaves_text_that_is_not_a_number_as_typed():
    at = open_page()
    at.text_input(key="a").set_value("12x").run()
    at.radio(key="fmt").set_value("decimal").run()
    assert not at.exception
    assert at.text_input(key="a").value == "12x"  # as typed, with its message
    assert at.text_input(key="b").value == "18"  # converted
    expected = core_message(parse_number, "12x", "decimal", max_bits=state.MAX_INPUT_BITS)
    assert errors(at) == [f"**a**: {expected}"]


def test_decimal_link_still_opens_the_same_sum():
    at = open_page({"fmt": "decimal", "a": "55", "b": "18"})
    assert at.radio(key="fmt").value == "decimal"
    assert at.text_input(key="a").value == "55" and at.text_input(key="b").value == "18"
    assert "110111 + 10010 = 1001001" in texts(at) and "55 + 18 = 73" in texts(at)
    assert not at.error and not at.warning
    at.radio(key="fmt").set_value("binary").run()
    assert at.text_input(key="a").value == "110111" and at.text_input(key="b").value == "10010"
    assert not at.error


# ------------------------------------------------------------------ link values it cannot use


def test_step_slider_follows_the_numbers_without_a_link_message():
    at = open_page({"t": "7"})
    assert at.slider(key="t").value == 7
    at.text_input(key="a").set_value("1").run()  # T shrinks from 7 to 6
    at.text_input(key="b").set_value("11").run()  # and to 3
    assert not at.exception
    assert at.slider(key="t").value == at.slider(key="t").max == 3
    assert not at.warning


def widget_value(at: AppTest, key: str):
    kinds = ("slider", "number_input", "selectbox", "radio", "text_input", "toggle", "tabs")
    return next(e for kind in kinds for e in at.get(kind) if getattr(e, "key", None) == key).value


def test_loading_a_counterexample_over_a_linked_step_is_not_a_link_problem():
    at = open_page({"view": "Verify & prove", "n": "6", "t": "7", "b_h": "-1 -2 -7/2"})
    load = next(b for b in at.button if b.label.startswith("Load this counterexample"))
    load.click().run()
    assert not at.exception and not at.warning
    assert at.slider(key="t").value == 2 and at.slider(key="t").max == 3


@pytest.mark.parametrize(
    "query, key, fallback",
    [
        ({"view": "Search designs", "sseed": "inf"}, "sseed", 0),
        ({"view": "Search designs", "sseed": "1" + "0" * 400}, "sseed", 0),
        ({"view": "Learned adder", "lsteps": "250", "lseed": "nan"}, "lseed", 1),
        ({"t": "inf"}, "t", 1),
        ({"t": "1" + "0" * 400}, "t", 1),
        ({"t": "9"}, "t", 1),  # the sheet's example has T = 7 steps
        ({"view": "Verify & prove", "n": "13"}, "n", 8),
        ({"view": "Verify & prove", "n": "-inf"}, "n", 8),
        ({"bits": "99"}, "bits", "auto"),
        ({"fmt": "hex"}, "fmt", "binary"),
        ({"view": "Search designs", "sH": "5"}, "sH", 3),
        ({"a": "1" * 400}, "a", "110111"),
        ({"table": "maybe"}, "table", False),
        ({"U": "1 " * 1500}, "U", state.DEFAULT_WEIGHT_TEXT["U"]),
    ],
)
def test_bad_link_values_are_one_warning_not_a_crash(query, key, fallback):
    at = open_page(query)
    assert not at.exception
    (warning,) = at.warning
    assert f"'{query[key][:10]}" in shown(warning.value)  # the value, quoted (shortened)
    assert not at.error
    assert widget_value(at, key) == fallback
    at.run()  # the message stays for the visit; nothing breaks on a rerun
    assert not at.exception and len(at.warning) == 1


def test_unknown_view_opens_the_first_tab():
    at = open_page({"view": "Nope"})
    assert len(at.warning) == 1
    assert at.slider(key="t").value == 1  # the step-through is open


def test_several_bad_values_are_one_message_and_typed_text_stays_text():
    at = open_page({"view": "Search designs", "sseed": "inf", "sH": EVIL, "U": EVIL})
    assert not at.exception
    (warning,) = at.warning
    assert warning.value.count("\n- ") == 2  # sseed and sH
    assert "](" not in warning.value and "\\]\\(" in warning.value  # escaped, never a link
    # the weight field takes any text; its message quotes it literally, never as an image
    (msg,) = at.sidebar.error
    assert "](" not in msg.value and "\\]\\(" in msg.value
    assert "://" not in msg.value  # no automatic link of the bare address either
    assert EVIL in shown(msg.value)
    assert at.number_input(key="sseed").value == 0 and at.selectbox(key="sH").value == 3


def test_the_play_speed_is_a_control_in_the_link():
    at = open_page({"speed": "fast", "t": "2"})
    assert at.segmented_control(key="speed").value == "fast" and not at.warning
    bad = open_page({"speed": "warp"})
    assert bad.segmented_control(key="speed").value == "normal"
    assert any("speed = 'warp'" in w.value.replace("\\\\", "") for w in bad.warning)

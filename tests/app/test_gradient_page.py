"""AppTest runs of the gradient-flow page (homework question 2), through the entry point."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.gradient_views import SEQUENCE_RULE, forget_levels
from core.lstm import EXAMPLE_PARAMS, forget_sweep, lstm_backward, lstm_forward
from core.lstm_partc import wix_bound_curve
from core.rnn_gradients import rnn_wh_sweep
from tests.app.helpers import open_page as _open
from tests.app.helpers import texts

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/2_Gradient_flow.py"
T2 = "T = 2 by hand"


def open_page(query: dict | None = None) -> AppTest:
    return _open(PAGE, query)


def figures(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def array(a) -> np.ndarray:
    """A plotly array from a figure spec (plain list or base64 'bdata')."""
    if isinstance(a, dict):
        out = np.frombuffer(base64.b64decode(a["bdata"]), dtype=a["dtype"])
        if "shape" in a:
            out = out.reshape([int(n) for n in str(a["shape"]).split(",")])
        return out
    return np.asarray(a, dtype=float)


def unescaped(markdown: str) -> str:
    """Markdown escaped by ``ui.controls.plain`` as the reader sees it (the invisible word
    joiners that keep bare URLs from becoming links dropped)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def bold(markdown: str) -> list[str]:
    """The bold parts of a Markdown text, unescaped."""
    return [unescaped(b) for b in re.findall(r"\*\*(.+?)\*\*", markdown)]


def the_error(at: AppTest) -> tuple[str, str]:
    """The page's only error box: (its bold subject, the whole text), unescaped."""
    (error,) = at.error
    return bold(error.value)[0], unescaped(error.value)


def the_link_warning(at: AppTest) -> str:
    """The page's one message about link values, unescaped; it must never contain a link."""
    assert not at.exception, at.exception
    (warning,) = at.warning
    assert "](" not in warning.value  # escaped: shown literally, never a link or an image
    return unescaped(warning.value)


def latex_value(at: AppTest, lhs: str) -> float:
    """The value at the end of the equation whose LaTeX starts with ``lhs``."""

    def head(v: str) -> str:
        return v.lstrip("$\n ").removeprefix(r"\begin{aligned}")

    eq = next(e.value for e in at.latex if head(e.value).startswith(lhs))
    last = eq.strip("$\n ").removesuffix(r"\end{aligned}").rsplit("=", 1)[1]
    return float(last.replace(r"\times 10^{", "e").replace("}", "").strip())


# ---------------------------------------------------------------- default view: gradient flow
def test_the_page_opens_on_the_sheets_first_part():
    """The tabs are in the sheet's order and the first, T = 2 by hand, opens."""
    at = open_page()
    assert [t.label for t in at.tabs] == [T2, "Gradient flow", "Part (c)", "Gate explorer"]
    assert not at.error and not at.warning
    assert at.number_input(key="wix").value == 0.5 and len(at.latex) == 13
    assert not at.get("plotly_chart")  # the flow view is not computed


@pytest.mark.parametrize(
    ("query", "view"),
    [
        ({"T": "150"}, "Gradient flow"),
        ({"Tmax": "1000"}, "Part (c)"),
        ({"seq": "step", "gT": "40"}, "Gate explorer"),
        ({"T": "150", "gT": "40"}, T2),  # values of two views: the first view
    ],
)
def test_a_link_without_a_view_opens_the_view_of_its_values(query, view):
    """Links made while the page opened on the flow view by default carry no view: their
    values say which view they were made on."""
    at = open_page(query)
    assert not at.exception and not at.warning
    assert at.session_state["view"] == view
    if view == "Gradient flow":
        assert at.slider(key="T").value == 150


def test_flow_view_is_the_gradient_flow_heatmaps():
    at = open_page({"view": "Gradient flow"})
    assert not at.error and not at.warning
    assert at.slider(key="T").value == 200
    (fig,) = figures(at)
    heat = [d for d in fig["data"] if d["type"] == "heatmap"]
    assert len(heat) == 3
    assert all(d["coloraxis"] == "coloraxis" for d in heat)  # one shared colour scale
    assert fig["layout"]["coloraxis"]["cmin"] == -30
    assert fig["layout"]["coloraxis"]["colorscale"][0][1].lower() == "#00224e"  # Cividis
    z_c, z_h = array(heat[0]["z"]), array(heat[1]["z"])
    assert z_c.shape == z_h.shape == (200, 200)
    # real values: the forget sweep's exact logs, clipped at the floor
    sw = forget_sweep(forget_levels(), 200, "sheet")
    expected = np.maximum(sw.log10_abs_c_bar, -30)
    np.testing.assert_allclose(z_c, expected, rtol=0, atol=1e-5)
    assert array(heat[2]["z"]).shape == (100, 200)  # vector RNN, 100 radii
    assert "floor -30" in fig["layout"]["coloraxis"]["colorbar"]["title"]["text"]


def test_flow_tab_does_not_import_torch():
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('app.py', default_timeout=90)\n"
        "at.query_params = {'view': 'Gradient flow'}\n"
        "at.run()\n"
        f"at.switch_page('{PAGE}').run()\n"
        "assert not at.exception\n"
        "assert len(at.get('plotly_chart')) == 1\n"
        "print('torch' in sys.modules)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == "False"


def test_flow_controls_change_the_maps():
    at = open_page({"view": "Gradient flow"})
    at.slider(key="T").set_value(50).run()
    at.radio(key="regime").set_value("part (c): i, o ≈ 0").run()
    at.radio(key="rnn").set_value("scalar RNN: recurrent weight w_h").run()
    at.selectbox(key="floor").set_value(-100).run()
    assert not at.exception and not at.error
    (fig,) = figures(at)
    heat = [d for d in fig["data"] if d["type"] == "heatmap"]
    z_c = array(heat[0]["z"])
    assert z_c.shape == (200, 50)
    sw = forget_sweep(forget_levels(), 50, "small_io")
    np.testing.assert_allclose(z_c, np.maximum(sw.log10_abs_c_bar, -100), atol=1e-5)
    # the scalar RNN with input weight 0.1 (the default input scale)
    w = array(heat[2]["y"])
    assert w.shape == (200,) and w[0] == 0 and w[-1] == 2
    ref = rnn_wh_sweep(w, 50, w_x=0.1).log10_abs_h_bar
    np.testing.assert_allclose(array(heat[2]["z"]), np.maximum(ref, -100), atol=1e-4)
    assert fig["layout"]["coloraxis"]["cmin"] == -100
    title = fig["layout"]["title"]["text"]
    assert "T = 50" in title and "part (c): i, o ≈ 0" in title  # the length and the regime


def test_flow_vector_rnn_size_and_seed_and_table():
    at = open_page({"T": "30"})
    assert at.slider(key="T").value == 30
    at.selectbox(key="H").set_value(8).run()
    at.number_input(key="seed").set_value(3).run()
    at.toggle(key="gftab").set_value(True).run()
    assert not at.exception
    assert len(at.dataframe) == 3
    df = at.dataframe[0].value
    assert df.shape == (200, 31)  # f and t = 1..30
    sw = forget_sweep(forget_levels(), 30, "sheet")
    assert df["t=1"].iloc[-1] == pytest.approx(sw.log10_abs_c_bar[-1, 0], abs=1e-3)


# ---------------------------------------------------------------- T = 2 by hand
def test_t2_tab_matches_lstm_backward_and_autograd():
    at = open_page({"view": T2})
    assert not at.error
    tr = lstm_forward(EXAMPLE_PARAMS, [1.0, 0.5])
    gr = lstm_backward(EXAMPLE_PARAMS, tr, 1.0)
    assert len(at.latex) == 13  # (28)-(40)
    assert latex_value(at, r"\bar{c}^{(2)}") == pytest.approx(gr.c_bar[1], rel=1e-9)
    assert latex_value(at, r"\bar{h}^{(1)}") == pytest.approx(gr.h_bar[0], rel=1e-9)
    assert latex_value(at, r"\bar{w}_{ix}") == pytest.approx(gr.w_ix, rel=1e-9)
    # the substituted numbers of (29): h̄(2), o(2), c(2)
    eq29 = next(e.value for e in at.latex if r"\bar{c}^{(2)} &=" in e.value)
    assert f"\\left({gr.h_bar[1]:.6g}\\right)\\left({tr.o[1]:.6g}\\right)" in eq29
    assert f"\\tanh^2 \\left({tr.c[1]:.6g}\\right)" in eq29
    (summary,) = at.success
    worst = float(bold(summary.value)[0])
    assert worst < 1e-12
    assert re.search(r"\b26\b", summary.value)  # all 26 derivatives compared
    assert len(at.get("graphviz_chart")) == 1
    # next to every equation (28)-(40): its tag and autograd's value, equal to the hand value
    checks = [m.value for m in at.markdown if re.match(r"\*\*\(\d+\)\*\*", m.value)]
    tags = [int(re.match(r"\*\*\((\d+)\)", v).group(1)) for v in checks]
    assert tags == list(range(28, 41))
    autograd = [float(re.search(r"`([^`]+)`", v).group(1)) for v in checks]
    assert autograd[1] == pytest.approx(gr.c_bar[1], rel=1e-12)  # (29)
    assert autograd[-1] == pytest.approx(gr.w_ix, rel=1e-12)  # (40)


def test_t2_changing_a_weight_and_the_sequence_updates_every_number():
    at = open_page({"view": T2})
    at.number_input(key="wfh").set_value(1.5).run()
    at.number_input(key="bf").set_value(-2.0).run()
    at.number_input(key="x2").set_value(-1.25).run()
    at.number_input(key="c0").set_value(0.3).run()
    assert not at.exception and not at.error
    p = dataclasses.replace(EXAMPLE_PARAMS, w_fh=1.5, b_f=-2.0)
    tr = lstm_forward(p, [1.0, -1.25], c0=0.3)
    gr = lstm_backward(p, tr, 1.0)
    assert latex_value(at, r"\bar{c}^{(2)}") == pytest.approx(gr.c_bar[1], rel=1e-9)
    assert latex_value(at, r"\bar{f}^{(1)}") == pytest.approx(gr.f_bar[0], rel=1e-9)
    assert gr.f_bar[0] != 0  # c(0) != 0 now
    (summary,) = at.success
    assert float(bold(summary.value)[0]) < 1e-12
    at.toggle(key="t2tab").set_value(True).run()
    df = at.dataframe[-1].value
    assert list(df["t"]) == [1, 2]
    assert df["c̄(t) hand"].iloc[1] == pytest.approx(gr.c_bar[1], rel=1e-12)
    assert df["c̄(t) autograd"].iloc[1] == pytest.approx(gr.c_bar[1], rel=1e-12)


@pytest.mark.parametrize("value, shown", [("1e6", "1e+06"), ("-1e6", "-1e+06"), ("101", "101")])
def test_t2_extreme_weight_from_a_link_is_a_message(value, shown):
    at = open_page({"view": T2, "wix": value})
    assert not at.exception and not at.warning  # the widget holds it: the page explains
    subject, text = the_error(at)
    assert subject == f"w_ix = {shown}"
    assert "[-100, 100]" in text  # the accepted range
    assert len(at.info) == 1  # "fix the numbers above"
    assert not at.latex
    at.number_input(key="wix").set_value(40.0).run()
    assert not at.error and len(at.latex) == 13


def test_t2_non_numeric_weight_from_a_link_is_explained():
    at = open_page({"view": T2, "wfh": "abc"})
    msg = the_link_warning(at)
    assert "w_fh = 'abc'" in msg and "a finite number" in msg and "0.1" in msg
    assert at.number_input(key="wfh").value == 0.1
    assert len(at.latex) == 13 and not at.error


# ---------------------------------------------------------------- part (c)
def test_part_c_deep_link_and_real_values():
    at = open_page({"view": "Part (c)", "Tmax": "1000", "k": "8"})
    assert at.select_slider(key="Tmax").value == 1000
    assert at.slider(key="k").value == 8.0
    cv = wix_bound_curve([0.0, 2.5, 5.0, 10.0], 1000, 8.0)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["|w̄_ix| at T = 1,000, b_f = 10"] == f"{cv.actual[3, -1]:.3e}"
    assert metrics["bound (44)"] == f"{cv.bound[3, -1]:.3e}"
    assert metrics["approximation (43)"] == f"{cv.approx43[3, -1]:.3e}"
    (fig,) = figures(at)
    solid = [d for d in fig["data"] if d.get("name", "").startswith("b_f = 10")]
    assert solid and array(solid[0]["x"])[-1] == 1000
    assert "b_i = b_o = −8" in fig["layout"]["title"]["text"]
    assert fig["layout"]["yaxis"]["type"] == "log"


def test_part_c_controls_and_table():
    at = open_page({"view": "Part (c)"})
    at.slider(key="k").set_value(2.0).run()
    at.select_slider(key="Tmax").set_value(200).run()
    at.toggle(key="pctab").set_value(True).run()
    assert not at.exception
    df = at.dataframe[0].value
    assert df["T"].iloc[0] == 1 and df["T"].iloc[-1] == 200
    cv = wix_bound_curve([0.0, 2.5, 5.0, 10.0], 200, 2.0)
    assert df["|w̄_ix|, b_f=5"].iloc[-1] == pytest.approx(cv.actual[2, -1], rel=1e-12)
    assert df["bound (44), b_f=5"].iloc[-1] == pytest.approx(cv.bound[2, -1], rel=1e-12)


# ---------------------------------------------------------------- gate explorer
def test_gate_explorer_pulse_is_remembered_and_biases_change_it():
    at = open_page({"view": "Gate explorer"})
    assert not at.error
    at.toggle(key="getab").set_value(True).run()
    df = at.dataframe[0].value
    assert len(df) == 60 and df["x(t)"].iloc[4] == 1.0 and df["x(t)"].sum() == 1.0
    p = dataclasses.replace(EXAMPLE_PARAMS, b_f=3.0)
    tr = lstm_forward(p, np.where(np.arange(1, 61) == 5, 1.0, 0.0))
    np.testing.assert_allclose(df["c(t)"], tr.c, rtol=1e-12)
    at.slider(key="gbf").set_value(-4.0).run()
    at.slider(key="gbo").set_value(-6.0).run()
    df = at.dataframe[0].value
    p = dataclasses.replace(EXAMPLE_PARAMS, b_f=-4.0, b_o=-6.0)
    tr = lstm_forward(p, np.where(np.arange(1, 61) == 5, 1.0, 0.0))
    np.testing.assert_allclose(df["h(t)"], tr.h, rtol=1e-12)
    assert df["c(t)"].iloc[10] < 1e-3 * df["c(t)"].iloc[4]  # forgotten within a few steps
    (fig,) = figures(at)
    title = fig["layout"]["title"]["text"]
    assert "pulse to remember" in title and "T = 60" in title  # the input and its length
    body = texts(at)
    for gate in ("Forget gate f(t)", "Input gate i(t)", "Output gate o(t)"):
        assert gate in body


@pytest.mark.parametrize("preset", ["noise", "step"])
def test_gate_explorer_presets(preset):
    at = open_page({"view": "Gate explorer", "seq": preset, "gT": "40", "gseed": "7"})
    at.toggle(key="getab").set_value(True).run()
    assert not at.exception and not at.error
    x = at.dataframe[0].value["x(t)"].to_numpy()
    assert x.shape == (40,)
    if preset == "noise":
        np.testing.assert_array_equal(x, np.random.default_rng(7).standard_normal(40))
    else:
        assert x[:13].sum() == 0 and np.all(x[13:] == 1)


def test_gate_explorer_custom_sequence():
    at = open_page({"view": "Gate explorer", "seq": "custom"})
    at.text_input(key="xs").set_value("0, 1/2 ,-1e-1 3").run()
    at.toggle(key="getab").set_value(True).run()
    assert not at.error
    assert list(at.dataframe[0].value["x(t)"]) == [0.0, 0.5, -0.1, 3.0]


@pytest.mark.parametrize(
    "text, subject, why",
    [
        ("1, 2, abc", "Entry 3, 'abc'", "not a number"),
        ("1 nan 2", "Entry 2, 'nan'", "not a finite number"),
        ("", "The sequence is empty", ""),
        ("1, 2, 1e5", "Entry 3, 100000", "too large"),
        ("１, 2", "Entry 1, '１'", "contains characters other than plain digits"),
        (" ".join(["1"] * 401), "401 numbers", "too many"),
        ("<b>1</b>", "Entry 1, '<b>1</b>'", "not a number"),
    ],
)
def test_gate_explorer_bad_sequence_is_a_message(text, subject, why):
    at = open_page({"view": "Gate explorer", "seq": "custom"})
    at.text_input(key="xs").set_value(text).run()
    assert not at.exception
    shown, message = the_error(at)
    assert shown == subject
    assert why in message
    assert SEQUENCE_RULE in message  # says what is accepted
    assert "<b>" not in at.error[0].value  # typed text is escaped, never HTML or Markdown
    assert not at.get("plotly_chart")


# ---------------------------------------------------------------- links the controls cannot take
@pytest.mark.parametrize(
    "query, quoted, accepted, widget, default",
    [
        ({"T": "1000"}, "T = '1000'", "whole number from 2 to 400", "slider:T", 200),
        ({"T": "abc"}, "T = 'abc'", "whole number from 2 to 400", "slider:T", 200),
        ({"T": "3.5"}, "T = '3.5'", "whole number from 2 to 400", "slider:T", 200),
        ({"H": "7"}, "H = '7'", "'4', '8', '16', '32', '64'", "selectbox:H", 32),
        ({"view": "Nope"}, "view = 'Nope'", "'T = 2 by hand'", "number_input:wix", 0.5),
        ({"view": "Part (c)", "k": "99"}, "k = '99'", "number from 0 to 15", "slider:k", 10.0),
        ({"view": "Gate explorer", "gT": "-3"}, "T = '-3'", "from 5 to 400", "slider:gT", 60),
        ({"view": "Gate explorer", "gbf": "inf"}, "b_f = 'inf'", "from -10 to 10", "slider:gbf", 3),
    ],
)
def test_out_of_range_links_get_a_message(query, quoted, accepted, widget, default):
    at = open_page(query)
    msg = the_link_warning(at)
    assert quoted in msg and accepted in msg  # the value, and what the control takes
    kind, key = widget.split(":")
    assert getattr(at, kind)(key=key).value == default  # the control shows its default
    assert at.get("plotly_chart") or at.latex  # the page still shows its figure / equations


@pytest.mark.parametrize(
    "query, quoted",
    [
        ({"view": "Gradient flow", "seed": "inf"}, "'inf'"),
        ({"T": "1" + "0" * 400}, "'1000000000"),
        ({"view": "Part (c)", "Tmax": "1" + "0" * 400}, "'1000000000"),
        ({"view": "[click here](https://evil.example/login)"}, "[click here](https://evil"),
        ({"view": "![x](https://evil.example/pixel.png)"}, "![x](https://evil"),
        ({"view": "Gate explorer", "seq": "[a](https://evil.example)"}, "[a](https://evil"),
        ({"view": T2, "x1": "nan"}, "'nan'"),
    ],
)
def test_bad_link_values_give_one_escaped_warning(query, quoted):
    at = open_page(query)
    msg = the_link_warning(at)
    assert quoted in msg  # quoted literally (and shortened), in plain text
    assert at.get("plotly_chart") or at.latex  # the view is drawn with the default value
    at.run()  # the message stays for the visit; nothing breaks on a rerun
    assert len(at.warning) == 1 and not at.exception


def test_several_bad_link_values_are_listed_in_one_warning():
    at = open_page({"T": "inf", "H": "7", "gbf": "1e999", "view": "[x](https://e.x)"})
    msg = the_link_warning(at)
    assert msg.count("\n- ") == 4  # one line per value, closed tabs' controls included
    # values of two views and a bad view: the page opens on its first view
    assert at.session_state["view"] == T2 and at.number_input(key="wix").value == 0.5


def test_the_part_c_text_quotes_the_gaps_it_computes():
    """The prose used to say 'four orders of magnitude' for a gap of five (issue 11): now it
    quotes log10(bound / exact) computed from the same curves as the chart."""
    at = open_page({"view": "Part (c)", "Tmax": "1000", "k": "10"})
    cv = wix_bound_curve([0.0, 2.5, 5.0, 10.0], 1000, 10.0)
    gaps = np.log10(cv.bound[:, -1] / cv.actual[:, -1])  # (4,), b_f = 0, 2.5, 5, 10
    approx = np.log10(cv.approx43[3, -1] / cv.actual[3, -1])
    text = " ".join(unescaped(texts(at)).split())
    assert "[[" not in text
    assert f"{approx:.1f} orders of magnitude below (43) and {gaps[3]:.1f} below the bound" in text
    assert f"the bound is {gaps[:3].min():.1f} to {gaps[:3].max():.1f} orders above" in text
    assert 5.0 < gaps[3] < 5.3 and 4.3 < approx < 4.6  # five orders for (44), not four


def test_the_gradient_flow_text_quotes_the_maps():
    at = open_page({"view": "Gradient flow", "T": "200"})
    sweep = forget_sweep(forget_levels(), 200, "sheet")
    half = sweep.log10_abs_c_bar[0]  # f = 0.5 is the first level
    assert sweep.f_levels[0] == 0.5
    factor = 10 ** ((half[0] - half[-1]) / 199)
    text = " ".join(unescaped(texts(at)).split())
    assert "[[" not in text and f"about {factor:.2f} at every step back" in text
    assert 0.46 < factor < 0.48  # about ×0.47 a step, not exactly one half

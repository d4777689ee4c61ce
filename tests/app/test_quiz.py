"""Predict, then reveal (``?quiz=1``, issue 12): on each page the part of a figure that answers
a question stays hidden until the student answers; the right answer is the page's own number;
without the flag nothing changes; a bad flag value gets the page's one link message."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.adder.encoding import read_addition
from core.adder.network import run_adder
from core.adder.weights import SEED_WEIGHTS
from core.seq2seq import load_translator
from tests.app.helpers import open_page, texts
from ui import gradient_state
from ui.quiz import Question

ADDER, GRADIENT, ATTENTION, TRANSLATE = (
    "pages/1_Binary_adder.py",
    "pages/2_Gradient_flow.py",
    "pages/3_Attention.py",
    "pages/4_Translate.py",
)


def unescape(md: str) -> str:
    return re.sub(r"\\(.)", r"\1", md).replace("\u2060", "")


def questions(at: AppTest) -> list:
    return [r for r in at.radio if r.key and r.key.startswith("quiz_")]


def answer(at: AppTest, picks: list[str]) -> AppTest:
    """Choose ``picks`` (option labels, in the page's order) and press every Check button."""
    for radio, pick in zip(questions(at), picks, strict=True):
        radio.set_value(radio.options.index(pick))
    at.run()
    for b in [b for b in at.button if b.key and b.key.endswith("_check")]:
        b.click()
    at.run()
    assert not at.exception, at.exception
    return at


def verdicts(at: AppTest) -> tuple[list[str], list[str]]:
    return [unescape(s.value) for s in at.success], [unescape(e.value) for e in at.error]


def heat_text(at: AppTest, key: str) -> np.ndarray:
    chart = next(c for c in at.get("plotly_chart") if c.proto.id and key in c.proto.id)
    fig = json.loads(chart.proto.spec)
    return np.array(fig["data"][0]["text"])


def test_without_the_flag_no_question_is_asked():
    at = open_page(ADDER, {"t": "3"})
    assert not questions(at)
    assert len(at.latex) == 3  # (5)-(6), then (7) and (8) at step 3


def test_adder_hides_step_t_and_the_future_until_answered():
    at = open_page(ADDER, {"t": "3", "quiz": "1"})
    qs = questions(at)
    assert len(qs) == 2 and qs[0].options[0] == "(0, 0, 0)" and qs[1].options == ["0", "1"]
    text = heat_text(at, "net_time")  # rows top to bottom: correct, y, h3, h2, h1, b, a
    assert (text[:5, 2:] == "?").all() and (text[:5, :2] != "?").all()
    assert (text[5:] != "?").all()  # the inputs are always shown
    assert len(at.latex) == 1  # (7) and (8) are held back
    # the page's own run gives the answers
    addition, problems = read_addition("110111", "10010", "binary", None, 16)
    assert not problems
    tr = run_adder(addition.x, SEED_WEIGHTS)
    h3 = "(" + ", ".join(str(int(v)) for v in tr.h[2]) + ")"
    y3 = str(int(tr.y[2]))
    wrong_h = next(o for o in qs[0].options if o != h3)
    at = answer(at, [wrong_h, y3])
    ok, bad = verdicts(at)
    assert any(f"You said {y3}: right" in s for s in ok)
    assert any(f"You said {wrong_h}: not quite, it is {h3}" in e for e in bad)
    assert len(at.latex) == 3  # revealed
    text = heat_text(at, "net_time")
    assert (text[:5, 3:] == "?").all() and (text[:5, :3] != "?").all()  # still not the future
    # answered once for the visit: the next run shows the verdicts, not the question
    at.run()
    assert not questions(at) and len(at.latex) == 3
    # the table of every step would give the future away: it is off in quiz mode
    assert not at.dataframe[1:] and not [t for t in at.toggle if t.key == "table"]


def test_t2_questions_are_answered_by_the_hand_bptt():
    """The first view (T = 2 by hand): the graph and the equations wait for two answers,
    whose right options come from the hand BPTT of the current numbers."""
    from core.gradient_views import T2Inputs, t2_backprop

    at = open_page(GRADIENT, {"quiz": "1"})
    assert len(questions(at)) == 2
    assert not at.latex and not at.get("graphviz_chart")
    bp = t2_backprop(T2Inputs())  # the page's example numbers
    cell = bp.grads.c_bar[1] * bp.trace.f[1]
    via_h = bp.grads.c_bar[0] - cell
    path = "the cell path c̄(2) f(2)" if abs(cell) >= abs(via_h) else "the path through h(1)"
    at = answer(at, ["the forget gate f(2)", path])
    ok, bad = verdicts(at)
    assert len([v for v in ok if v.startswith("You said")]) == 2 and not bad
    assert len(at.latex) == 13 and at.get("graphviz_chart")


def test_gradient_flow_question_is_answered_by_the_maps():
    at = open_page(GRADIENT, {"quiz": "1", "view": "Gradient flow"})
    qs = questions(at)
    assert len(qs) == 2
    assert not at.get("plotly_chart")  # the maps wait for the answers
    ff = gradient_state.flow_figures(200)
    assert abs(ff.top_first - ff.top_last) < 1  # the sheet's part (b): neither way
    at = answer(at, ["it stays about the same size", "× 0.5"])
    ok, bad = verdicts(at)
    assert len(ok) == 2 and not bad, bad
    assert f"× {ff.half_factor:.2f} per step" in " ".join(ok)
    assert len(at.get("plotly_chart")) == 1


def test_attention_copying_questions_come_from_copy_gap():
    """The view the page opens on, (a) copying: α_j and the gap's factor for one more unit of
    score, from core.attention.copy_gap at the sheet's n = 2, j = 1, score 5."""
    import math

    from core.attention import copy_gap

    at = open_page(ATTENTION, {"quiz": "1"})
    assert len(questions(at)) == 2 and not at.get("plotly_chart") and not at.metric
    res, nxt = copy_gap(0, 5.0, 2, 2), copy_gap(0, 6.0, 2, 2)
    assert 0.99 < res.alpha_j < 1  # e^5 / (e^5 + 1) = 0.9933
    ratio = res.gap / nxt.gap
    assert abs(ratio - math.e) < 0.05  # (48): one unit of score divides the gap by about e
    at = answer(at, ["0.99 to 1", "e ≈ 2.7"])
    ok, bad = verdicts(at)
    assert len(ok) == 2 and not bad
    assert len(at.get("plotly_chart")) == 3 and at.metric[0].value == f"{res.alpha_j:.6f}"


def test_attention_one_head_against_two():
    at = open_page(ATTENTION, {"quiz": "1", "N": "1000", "view": "Sampled keys"})
    assert len(questions(at)) == 2 and not at.get("plotly_chart") and not at.dataframe
    at = answer(at, ["one head", "over 90 %"])
    ok, bad = verdicts(at)
    joined = " ".join(bad)
    # the sheet's setting: two heads land near the average far more often; one head rarely
    assert "not quite, it is two heads" in joined and "not quite, it is under 10 %" in joined
    assert len(at.get("plotly_chart")) == 1 and len(at.dataframe) == 1


def test_translate_where_the_decoder_looks():
    at = open_page(TRANSLATE, {"quiz": "1"})
    out = load_translator().translate("je suis tres fatigue .", beam=1)
    qs = questions(at)
    assert len(qs) == 2
    assert qs[0].options == [f"{j + 1}. {w}" for j, w in enumerate(out.source)]
    assert len(at.get("plotly_chart")) == 0
    top = qs[0].options[int(out.attention[0].argmax())]
    p = out.steps[0].prob
    bin_ = "below 0.5" if p < 0.5 else "0.5 to 0.9" if p <= 0.9 else "above 0.9"
    at = answer(at, [top, bin_])
    ok, bad = verdicts(at)
    assert len(ok) == 2 and not bad
    assert f"p = {p:.3f}" in " ".join(ok)
    assert len(at.get("plotly_chart")) == 3


@pytest.mark.parametrize("bad", ["maybe", "2", "<b>x</b>"])
def test_a_bad_flag_value_is_one_message_and_counts_as_off(bad):
    at = open_page(ADDER, {"quiz": bad, "t": "2"})
    warnings = " ".join(unescape(w.value) for w in at.warning)
    assert "quiz = " in warnings and "1 (on) or 0 (off)" in warnings
    assert not questions(at)
    assert "<b>" not in texts(at).replace("\\<b\\>", "")


def test_a_question_needs_a_valid_answer_index():
    with pytest.raises(ValueError):
        Question("k", "?", ("a", "b"), 2, "")


def test_transformer_scaling_and_shuffle_questions():
    from ui import transformer_state

    at = open_page("pages/6_Transformer.py", {"quiz": "1", "view": "Scaled dot-product"})
    qs = questions(at)
    assert len(qs) == 2
    pt = transformer_state.scaling_point(64, 16, 0)  # the tab's defaults
    assert qs[0].options[1].startswith("√d_k ≈ 8.0")
    n_charts = len(at.get("plotly_chart"))
    at = answer(at, [qs[0].options[1], qs[1].options[0]])
    ok, bad = verdicts(at)
    assert any(f"Measured: {pt.std_unscaled:.2f}" in s and "right" in s for s in ok), ok
    assert len(at.get("plotly_chart")) == n_charts + 3  # the three scaling charts
    # part 1: the shuffle counterfactual on the trained encoder
    at = open_page("pages/6_Transformer.py", {"quiz": "1"})
    qs = questions(at)
    assert len(qs) == 2
    at = answer(at, [qs[0].options[0], qs[1].options[0]])
    ok, bad = verdicts(at)
    assert len(ok) == 1 and "rounding only" in ok[0]
    assert len(bad) == 1 and "it is different vectors" in bad[0]

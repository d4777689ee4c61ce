"""core.gradient_views: what the gradient-flow page shows, computed without Streamlit."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from core import gradient_views as gv
from core.lstm import EXAMPLE_PARAMS, PARAM_NAMES, forget_sweep, lstm_backward, lstm_forward
from core.lstm_partc import wix_bound_curve
from core.rnn_gradients import rho_sweep, rnn_wh_sweep


def test_forget_levels_span_the_range_uniformly_in_log_of_one_minus_f():
    f = gv.forget_levels()
    assert f.shape == (gv.N_LEVELS,)
    assert f[0] == pytest.approx(gv.F_LO) and f[-1] == pytest.approx(gv.F_HI)
    steps = np.diff(np.log10(1.0 - f))
    np.testing.assert_allclose(steps, steps[0])


# ---------------------------------------------------------------- T = 2 by hand
def test_t2_defaults_are_the_example_setting():
    inp = gv.T2Inputs()
    assert inp.params() == EXAMPLE_PARAMS
    assert inp.x == (1.0, 0.5) and (inp.y, inp.h0, inp.c0) == (1.0, 0.0, 0.0)
    assert set(gv.T2_SYMBOLS) == {f.name for f in dataclasses.fields(gv.T2Inputs)}
    assert gv.check_t2(inp) == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        inp.w_ix = 2.0  # type: ignore[misc]


@pytest.mark.parametrize(
    "field, value, subject",
    [("w_ix", 1e6, "w_ix = 1e+06"), ("x2", -101.0, "x(2) = -101"), ("c0", math.inf, "c(0) = inf")],
)
def test_t2_numbers_beyond_the_limit_are_problems(field, value, subject):
    (p,) = gv.check_t2(gv.T2Inputs(**{field: value}))
    assert (p.field, p.subject) == (field, subject)
    assert f"[-{gv.LIMIT:g}, {gv.LIMIT:g}]" in p.advice
    assert gv.check_t2(gv.T2Inputs(**{field: gv.LIMIT})) == ()  # the limit itself is fine


def test_t2_backprop_is_lstm_backward_and_agrees_with_autograd():
    inp = gv.T2Inputs(w_fh=1.5, b_f=-2.0, x2=-1.25, c0=0.3)
    bp = gv.t2_backprop(inp)
    tr = lstm_forward(inp.params(), [1.0, -1.25], c0=0.3)
    gr = lstm_backward(inp.params(), tr, 1.0)
    np.testing.assert_array_equal(bp.trace.c, tr.c)
    np.testing.assert_array_equal(bp.grads.c_bar, gr.c_bar)
    ag = gv.t2_autograd(inp)
    cmp = gv.compare_t2(bp.grads, ag)
    assert len(cmp.names) == cmp.hand.shape[0] == 26
    assert cmp.names[: cmp.N_SIGNALS] == (
        "h̄(1)", "h̄(2)", "c̄(1)", "c̄(2)", "ō(1)", "ō(2)", "ḡ(1)", "ḡ(2)", "ī(1)", "ī(2)",
        "f̄(1)", "f̄(2)",
    )  # fmt: skip
    assert cmp.names[cmp.N_SIGNALS :] == (
        *(f"∂L/∂{n}" for n in PARAM_NAMES),
        "∂L/∂h(0)",
        "∂L/∂c(0)",
    )
    assert cmp.hand[3] == gr.c_bar[1] and cmp.hand[cmp.N_SIGNALS] == gr.w_ix
    assert cmp.worst_difference == cmp.difference.max() < 1e-12
    assert cmp.worst_name == cmp.names[cmp.worst]


def test_signal_at_reads_a_step_or_a_weight_and_never_gives_minus_zero():
    bp = gv.t2_backprop(gv.T2Inputs())
    assert gv.signal_at(bp.grads, "c_bar", 2) == bp.grads.c_bar[1]
    assert gv.signal_at(bp.grads, "w_ix", None) == bp.grads.w_ix
    # h(0) = c(0) = 0: f̄(1) = c̄(1) c(0) is a signed zero in the hand recursion
    assert math.copysign(1.0, gv.signal_at(bp.grads, "f_bar", 1)) == 1.0


# ---------------------------------------------------------------- gradient flow
@pytest.mark.parametrize("regime", ["sheet", "small_io"])
def test_lstm_maps_are_the_forget_sweep(regime):
    maps = gv.lstm_maps(30, regime)
    sw = forget_sweep(gv.forget_levels(), 30, regime)
    assert (maps.T, maps.regime) == (30, regime)
    assert maps.log_c.shape == maps.log_h.shape == (gv.N_LEVELS, 30)
    np.testing.assert_array_equal(maps.log_c, sw.log10_abs_c_bar)
    np.testing.assert_array_equal(maps.log_h, sw.log10_abs_h_bar)


def test_rnn_map_scalar_and_vector():
    scalar = gv.rnn_map(25, "scalar", 32, 0, 0.1)
    assert scalar.symbol == "w_h" and scalar.values.shape == (gv.N_RNN,)
    assert scalar.values[0] == 0 and scalar.values[-1] == 2
    ref = rnn_wh_sweep(scalar.values, 25, w_x=0.1).log10_abs_h_bar
    np.testing.assert_array_equal(scalar.log_grad, ref)
    vector = gv.rnn_map(25, "vector", 8, 3, 0.01)
    assert vector.symbol == "ρ" and vector.log_grad.shape == (gv.N_RHO, 25)
    ref = rho_sweep(vector.values, 25, H=8, seed=3, input_scale=0.01).log10_h_bar_norm
    np.testing.assert_array_equal(vector.log_grad, ref)
    with pytest.raises(ValueError, match="kind"):
        gv.rnn_map(25, "matrix", 8, 0, 1.0)  # type: ignore[arg-type]


# ---------------------------------------------------------------- part (c)
def test_part_c_end_is_the_largest_forget_bias_at_the_longest_length():
    pc = gv.part_c(300, 8.0)
    cv = wix_bound_curve(list(gv.PARTC_BF), 300, 8.0)
    np.testing.assert_array_equal(pc.actual, cv.actual)
    assert pc.T[-1] == 300 and pc.o_last.shape == (len(gv.PARTC_BF), 300)
    assert pc.end == gv.PartCEnd(
        T=300,
        b_f=max(gv.PARTC_BF),
        actual=float(cv.actual[-1, -1]),
        approx43=float(cv.approx43[-1, -1]),
        bound=float(cv.bound[-1, -1]),
        o=float(cv.trace.o[-1, -1]),
    )


# ---------------------------------------------------------------- gate explorer
def test_presets():
    pulse = gv.preset_sequence("pulse to remember", 60)
    assert pulse.sum() == 1.0 and pulse[4] == 1.0
    assert gv.preset_sequence("pulse to remember", 3)[2] == 1.0  # a short pulse still fits
    np.testing.assert_array_equal(
        gv.preset_sequence("noise", 40, seed=7), np.random.default_rng(7).standard_normal(40)
    )
    step = gv.preset_sequence("step", 40)
    assert step[:13].sum() == 0 and np.all(step[13:] == 1)
    with pytest.raises(ValueError, match="unknown preset"):
        gv.preset_sequence("custom", 10)


def test_parse_sequence_accepts_what_the_rule_says():
    x, problem = gv.parse_sequence("0, 1/2 ,-1e-1 3; 100")
    assert problem is None
    assert list(x) == [0.0, 0.5, -0.1, 3.0, 100.0]
    assert not x.flags.writeable


@pytest.mark.parametrize(
    "text, subject, why",
    [
        ("", "The sequence is empty", "Enter"),
        ("1, 2, abc", "Entry 3, 'abc'", "not a number"),
        ("1 inf", "Entry 2, 'inf'", "not a finite number"),
        ("1, 2, 1e5", "Entry 3, 100000", "too large"),
        ("１", "Entry 1, '１'", "other than plain digits"),
        (" ".join(["0"] * (gv.SEQ_MAX_LEN + 1)), f"{gv.SEQ_MAX_LEN + 1} numbers", "too many"),
    ],
)
def test_parse_sequence_problems(text, subject, why):
    x, p = gv.parse_sequence(text)
    assert x is None
    assert (p.field, p.subject) == ("sequence", subject)
    assert why in p.advice and gv.SEQUENCE_RULE in p.advice


def test_gate_trace_is_the_example_with_these_biases():
    x = gv.preset_sequence("pulse to remember", 30)
    tr = gv.gate_trace(x, 0.0, -4.0, -6.0, 0.5)
    ref = lstm_forward(dataclasses.replace(EXAMPLE_PARAMS, b_f=-4.0, b_o=-6.0, b_g=0.5), x)
    np.testing.assert_array_equal(tr.h, ref.h)


def test_flow_figures_top_level_is_the_highest_forget_gate():
    from core.gradient_views import flow_figures, lstm_maps

    m = lstm_maps(200, "sheet")
    ff = flow_figures(m)
    k = int(np.argmax(m.f_levels))
    assert ff.top_f == m.f_levels[k] > 0.99
    assert (ff.top_first, ff.top_last) == (m.log_c[k, 0], m.log_c[k, -1])
    # the sheet's part (b): with f close to 1 the signal neither vanishes nor explodes
    assert abs(ff.top_first - ff.top_last) < 1
    # and at f = 0.5 it shrinks by about x0.47 a step
    assert 0.45 < ff.half_factor < 0.5

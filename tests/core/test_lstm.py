"""Tests of core.lstm: the univariate LSTM (22) and its hand-written BPTT (28)-(44).

The reference is torch.autograd in float64 (torch is used only here, never in core).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import warnings

import numpy as np
import pytest
import torch

from core.lstm import (
    EXAMPLE_PARAMS,
    PARAM_NAMES,
    LSTMParams,
    forget_sweep,
    lstm_backward,
    lstm_forward,
    wix_bound,
)

F64 = torch.float64
RTOL = 1e-10


# --------------------------------------------------------------------------------------------
# Reference implementation: float64 autograd
# --------------------------------------------------------------------------------------------


def torch_lstm(p: LSTMParams, x, y: float, h0: float = 0.0, c0: float = 0.0) -> dict:
    """Forward (22) and loss (23) in torch; every intermediate keeps its .grad (retain_grad)."""
    leaf = {
        n: torch.tensor(float(getattr(p, n)), dtype=F64, requires_grad=True) for n in PARAM_NAMES
    }
    h_0 = torch.tensor(float(h0), dtype=F64, requires_grad=True)
    c_0 = torch.tensor(float(c0), dtype=F64, requires_grad=True)
    h, c = h_0, c_0
    steps = []
    for xt in np.asarray(x, dtype=np.float64):
        xt = float(xt)
        i = torch.sigmoid(leaf["w_ix"] * xt + leaf["w_ih"] * h + leaf["b_i"])
        f = torch.sigmoid(leaf["w_fx"] * xt + leaf["w_fh"] * h + leaf["b_f"])
        o = torch.sigmoid(leaf["w_ox"] * xt + leaf["w_oh"] * h + leaf["b_o"])
        g = torch.tanh(leaf["w_gx"] * xt + leaf["w_gh"] * h + leaf["b_g"])
        c = f * c + i * g
        h = o * torch.tanh(c)
        for v in (i, f, o, g, c, h):
            v.retain_grad()
        steps.append({"i": i, "f": f, "o": o, "g": g, "c": c, "h": h})
    loss = 0.5 * (y - h) ** 2
    loss.backward()
    out = {"loss": loss.item(), "h0_bar": h_0.grad.item(), "c0_bar": c_0.grad.item()}
    for n in PARAM_NAMES:
        out[n] = leaf[n].grad.item()
    for v in ("i", "f", "o", "g", "c", "h"):
        out[v] = np.array([s[v].item() for s in steps])
        out[v + "_bar"] = np.array([s[v].grad.item() for s in steps])
    return out


def random_case(seed: int, T: int):
    rng = np.random.default_rng(seed)
    p = LSTMParams(*rng.normal(0.0, 1.0, size=12))
    x = rng.normal(0.0, 1.5, size=T)
    h0, c0 = rng.uniform(-0.9, 0.9, size=2)
    y = float(rng.uniform(-1.0, 1.0))
    return p, x, float(h0), float(c0), y


@contextlib.contextmanager
def strict_floats():
    """Overflow, invalid operations and division by zero raise; every warning is an error.

    Underflow stays allowed: a vanishing gradient below 1e-308 *is* 0 in float64."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            yield


# --------------------------------------------------------------------------------------------
# T = 2: every signal of (28)-(40) against autograd, one test each
# --------------------------------------------------------------------------------------------

T2_X = np.array([0.8, -1.3])
T2_H0, T2_C0, T2_Y = 0.4, -0.7, 0.9


@pytest.fixture(scope="module")
def t2():
    tr = lstm_forward(EXAMPLE_PARAMS, T2_X, h0=T2_H0, c0=T2_C0)
    gr = lstm_backward(EXAMPLE_PARAMS, tr, T2_Y)
    ref = torch_lstm(EXAMPLE_PARAMS, T2_X, T2_Y, h0=T2_H0, c0=T2_C0)
    return tr, gr, ref


@pytest.mark.parametrize("t", [1, 2])
@pytest.mark.parametrize(
    "signal",
    ["h_bar", "c_bar", "o_bar", "g_bar", "i_bar", "f_bar"],  # (28)-(39)
)
def test_T2_error_signal_matches_autograd(t2, signal, t):
    _, gr, ref = t2
    ours = getattr(gr, signal)[t - 1]
    assert ours == pytest.approx(ref[signal][t - 1], rel=RTOL, abs=0)
    assert ours != 0.0  # a real value, not a vacuous match


def test_T2_w_ix_matches_autograd_and_equation_40(t2):
    tr, gr, ref = t2
    assert gr.w_ix == pytest.approx(ref["w_ix"], rel=RTOL, abs=0)
    eq40 = sum(gr.i_bar[k] * tr.i[k] * (1 - tr.i[k]) * tr.x[k] for k in (1, 0))
    assert gr.w_ix == pytest.approx(eq40, rel=1e-13)


def test_T2_sheet_equations_evaluated_literally(t2):
    """(28)-(39) written out exactly as on the sheet, from the forward values."""
    tr, gr, _ = t2
    p = EXAMPLE_PARAMS
    i, f, o, g, c = tr.i, tr.f, tr.o, tr.g, tr.c
    h2_bar = tr.h[1] - T2_Y  # (28)
    c2_bar = h2_bar * o[1] * (1 - math.tanh(c[1]) ** 2)  # (29)
    o2_bar = h2_bar * math.tanh(c[1])  # (30)
    g2_bar = c2_bar * i[1]  # (31)
    i2_bar = c2_bar * g[1]  # (32)
    f2_bar = c2_bar * c[0]  # (33)
    h1_bar = (
        i2_bar * i[1] * (1 - i[1]) * p.w_ih
        + f2_bar * f[1] * (1 - f[1]) * p.w_fh
        + o2_bar * o[1] * (1 - o[1]) * p.w_oh
        + g2_bar * (1 - g[1] ** 2) * p.w_gh
    )  # (34)
    c1_bar = c2_bar * f[1] + h1_bar * o[0] * (1 - math.tanh(c[0]) ** 2)  # (35)
    o1_bar = h1_bar * math.tanh(c[0])  # (36)
    g1_bar = c1_bar * i[0]  # (37)
    i1_bar = c1_bar * g[0]  # (38)
    f1_bar = c1_bar * T2_C0  # (39)
    expected = {
        "h_bar": [h1_bar, h2_bar],
        "c_bar": [c1_bar, c2_bar],
        "o_bar": [o1_bar, o2_bar],
        "g_bar": [g1_bar, g2_bar],
        "i_bar": [i1_bar, i2_bar],
        "f_bar": [f1_bar, f2_bar],
    }
    for name, values in expected.items():
        np.testing.assert_allclose(getattr(gr, name), values, rtol=1e-13, atol=0, err_msg=name)


def test_T2_forward_matches_torch(t2):
    tr, _, ref = t2
    for v in ("i", "f", "o", "g", "c", "h"):
        np.testing.assert_allclose(getattr(tr, v), ref[v], rtol=1e-14, atol=0, err_msg=v)


# --------------------------------------------------------------------------------------------
# Any T: every weight, bias and initial-state gradient
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed, T", [(0, 1), (1, 2), (2, 3), (3, 7), (4, 19), (5, 33), (6, 50)])
def test_random_T_gradients_match_autograd(seed, T):
    p, x, h0, c0, y = random_case(seed, T)
    tr = lstm_forward(p, x, h0=h0, c0=c0)
    gr = lstm_backward(p, tr, y)
    ref = torch_lstm(p, x, y, h0=h0, c0=c0)
    for name in PARAM_NAMES + ("h0_bar", "c0_bar", "loss"):
        assert getattr(gr, name) == pytest.approx(ref[name], rel=RTOL, abs=0), name
    for name in ("h_bar", "c_bar", "o_bar", "g_bar", "i_bar", "f_bar"):
        np.testing.assert_allclose(getattr(gr, name), ref[name], rtol=RTOL, atol=0, err_msg=name)
    np.testing.assert_allclose(tr.h, ref["h"], rtol=1e-13, atol=0)


def test_saturated_gates_against_high_precision():
    """Large weights saturate the gates, where torch's float64 backward (1 - y², y(1 - y))
    loses relative accuracy; this module's e/(1+e)², 4u/(1+u)² forms do not.  Reference:
    (28)-(35) evaluated literally with 40-digit mpmath."""
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    rng = np.random.default_rng(8)
    T = 20
    p = LSTMParams(*rng.normal(0, 4, size=12))
    x = rng.normal(0, 1, size=T)
    tr = lstm_forward(p, x, h0=0.2, c0=-0.3)
    gr = lstm_backward(p, tr, 0.5)
    assert np.max(np.abs(tr.z_g)) > 8  # really saturated
    w = {n: mpmath.mpf(float(getattr(p, n))) for n in PARAM_NAMES}
    sig = lambda z: 1 / (1 + mpmath.exp(-z))  # noqa: E731
    h, c, steps = mpmath.mpf(0.2), mpmath.mpf(-0.3), []
    for xt in map(mpmath.mpf, x.tolist()):
        i = sig(w["w_ix"] * xt + w["w_ih"] * h + w["b_i"])
        f = sig(w["w_fx"] * xt + w["w_fh"] * h + w["b_f"])
        o = sig(w["w_ox"] * xt + w["w_oh"] * h + w["b_o"])
        g = mpmath.tanh(w["w_gx"] * xt + w["w_gh"] * h + w["b_g"])
        c_prev, c = c, f * c + i * g
        h = o * mpmath.tanh(c)
        steps.append((i, f, o, g, c, c_prev))
    h_bar, c_next_bar, f_next = h - mpmath.mpf(0.5), 0, 0
    hb, cb = [None] * T, [None] * T
    for k in range(T - 1, -1, -1):
        i, f, o, g, c, c_prev = steps[k]
        c_bar = h_bar * o * (1 - mpmath.tanh(c) ** 2) + c_next_bar * f_next  # (35)
        hb[k], cb[k] = h_bar, c_bar
        o_bar, g_bar = h_bar * mpmath.tanh(c), c_bar * i  # (36), (37)
        i_bar, f_bar = c_bar * g, c_bar * c_prev  # (38), (39)
        h_bar = (
            i_bar * i * (1 - i) * w["w_ih"]
            + f_bar * f * (1 - f) * w["w_fh"]
            + o_bar * o * (1 - o) * w["w_oh"]
            + g_bar * (1 - g**2) * w["w_gh"]
        )  # (34)
        c_next_bar, f_next = c_bar, f
    np.testing.assert_allclose(gr.h_bar, [float(v) for v in hb], rtol=1e-12, atol=0)
    np.testing.assert_allclose(gr.c_bar, [float(v) for v in cb], rtol=1e-12, atol=0)
    assert gr.h0_bar == pytest.approx(float(h_bar), rel=1e-12)


def test_hand_computed_T1():
    """T = 1, x = 1, h(0) = 0, c(0) = 2 (ln 3 - 0.3), y = 1, chosen so every number is exact.

    w_ix = w_fx = w_ox = 0 -> i = f = o = 1/2;  w_gx = ln 2 -> g = tanh(ln 2) = 3/5;
    c = c0/2 + 3/10 = ln 3 -> tanh c = 4/5;  h = 2/5;  L = 1/2 (3/5)² = 0.18.
    h̄ = -0.6;  c̄ = -0.6 · 0.5 · (1 - 0.64) = -0.108;  ō = -0.6 · 0.8 = -0.48;
    ḡ = c̄ i = -0.054;  ī = c̄ g = -0.0648;  f̄ = c̄ c0;
    w̄_ix = ī i(1-i) x = -0.0162;  w̄_ox = ō/4 = -0.12;  w̄_gx = ḡ (1 - g²) = -0.03456;
    w̄_fx = f̄/4;  w̄_*h = 0 (h0 = 0);  b̄ = w̄_*x (x = 1);
    h̄(0) = ī/4 w_ih + f̄/4 w_fh + ō/4 w_oh + ḡ (1 - g²) w_gh;  c̄(0) = c̄ f = -0.054.
    """
    c0 = 2 * (math.log(3) - 0.3)
    p = LSTMParams(w_ix=0, w_ih=1, w_fx=0, w_fh=2, w_ox=0, w_oh=3, w_gx=math.log(2), w_gh=4)
    tr = lstm_forward(p, [1.0], h0=0.0, c0=c0)
    gr = lstm_backward(p, tr, 1.0)
    f_bar = -0.108 * c0
    expected = {
        "loss": 0.18,
        "h_bar": -0.6,
        "c_bar": -0.108,
        "o_bar": -0.48,
        "g_bar": -0.054,
        "i_bar": -0.0648,
        "f_bar": f_bar,
        "w_ix": -0.0162,
        "w_fx": f_bar / 4,
        "w_ox": -0.12,
        "w_gx": -0.03456,
        "b_i": -0.0162,
        "b_f": f_bar / 4,
        "b_o": -0.12,
        "b_g": -0.03456,
        "w_ih": 0.0,
        "w_fh": 0.0,
        "w_oh": 0.0,
        "w_gh": 0.0,
        "h0_bar": -0.0162 * 1 + f_bar / 4 * 2 - 0.12 * 3 - 0.03456 * 4,
        "c0_bar": -0.054,
    }
    assert tr.h[0] == pytest.approx(0.4, rel=1e-14)
    assert tr.c[0] == pytest.approx(math.log(3), rel=1e-14)
    for name, value in expected.items():
        ours = getattr(gr, name)
        ours = ours[0] if isinstance(ours, np.ndarray) else ours
        assert ours == pytest.approx(value, rel=1e-12, abs=1e-15), name


# --------------------------------------------------------------------------------------------
# Numerical stability
# --------------------------------------------------------------------------------------------


def _all_outputs(tr, gr):
    arrays = [tr.i, tr.f, tr.o, tr.g, tr.c, tr.h]
    arrays += [getattr(gr, n) for n in PARAM_NAMES]
    arrays += [gr.h_bar, gr.c_bar, gr.o_bar, gr.g_bar, gr.i_bar, gr.f_bar, gr.h0_bar, gr.c0_bar]
    return arrays


@pytest.mark.parametrize("pattern", ["all+50", "all-50", "random±50", "uniform[-50,50]"])
def test_weights_50_T1000_no_overflow_no_nan(pattern):
    rng = np.random.default_rng(11)
    values = {
        "all+50": np.full(12, 50.0),
        "all-50": np.full(12, -50.0),
        "random±50": rng.choice([-50.0, 50.0], size=12),
        "uniform[-50,50]": rng.uniform(-50.0, 50.0, size=12),
    }[pattern]
    p = LSTMParams(*values)
    x = 3.0 * rng.standard_normal(1000)
    with strict_floats():
        tr = lstm_forward(p, x, h0=0.5, c0=-0.5)
        gr = lstm_backward(p, tr, 0.7)
    for a in _all_outputs(tr, gr):
        assert np.all(np.isfinite(a))
    assert np.all(np.abs(tr.h) <= 1.0)
    # where the plain signal underflowed, its exact logarithm is still available
    assert np.all(np.isfinite(gr.log10_abs_c_bar[gr.c_bar != 0]))


def test_batch_of_extreme_settings_no_overflow():
    rng = np.random.default_rng(12)
    vals = rng.choice([-50.0, 50.0], size=(12, 32))
    p = LSTMParams(*vals)
    x = 3.0 * rng.standard_normal((32, 1000))
    with strict_floats():
        gr = lstm_backward(p, lstm_forward(p, x), 1.0)
    for n in PARAM_NAMES:
        assert getattr(gr, n).shape == (32,)
        assert np.all(np.isfinite(getattr(gr, n)))


def test_vanishing_cell_signal_has_exact_log10_below_float_range():
    """Only b_f is non-zero (f = 0.01), so g = 0, c = h = 0 and c̄(t) = -y/2 · f^(T-t) exactly:
    1e-1998 at t = 1, far below float64; the plain value underflows to 0, log10 does not."""
    f = 0.01
    p = LSTMParams(0, 0, 0, 0, 0, 0, 0, 0, b_f=math.log(f / (1 - f)))
    T = 1000
    tr = lstm_forward(p, np.ones(T))
    gr = lstm_backward(p, tr, 1.0)
    t = np.arange(1, T + 1)
    expected = np.log10(0.5) + (T - t) * np.log10(tr.f[0])
    np.testing.assert_allclose(gr.log10_abs_c_bar, expected, rtol=0, atol=1e-9)
    assert gr.c_bar[0] == 0.0 and gr.log10_abs_c_bar[0] < -1990
    assert gr.c_bar[-2] == pytest.approx(-0.5 * tr.f[0], rel=1e-14)
    assert np.all(gr.h_bar[:-1] == 0.0)  # no recurrent weights: h(t) for t < T is irrelevant


def test_exploding_gradient_saturates_to_inf_without_nan_or_warning():
    """x = 0, h(0) = c(0) = 0 and only w_gh = 50: the state stays at 0, where i = f = o = 1/2,
    g = 0 and (34)-(35) reduce to c̄(t) = 13 c̄(t+1).  So c̄(t) = -y/2 · 13^(T-t): 1e1113 at
    t = 1, beyond float64."""
    p = LSTMParams(0, 0, 0, 0, 0, 0, 0, 50.0)
    T = 1000
    with strict_floats():
        tr = lstm_forward(p, np.zeros(T))
        gr = lstm_backward(p, tr, 1.0)
    t = np.arange(1, T + 1)
    np.testing.assert_allclose(
        gr.log10_abs_c_bar, np.log10(0.5) + (T - t) * np.log10(13), rtol=1e-12
    )
    np.testing.assert_allclose(gr.c_bar[-100:], -0.5 * 13.0 ** (T - t[-100:]), rtol=1e-12)
    assert gr.c_bar[0] == -np.inf
    for a in _all_outputs(tr, gr):
        assert not np.any(np.isnan(a))
    assert gr.w_gx == 0.0 and gr.w_gh == 0.0  # x = 0 and h = 0: exactly zero, not inf * 0


# --------------------------------------------------------------------------------------------
# Batches
# --------------------------------------------------------------------------------------------


def _assert_same(batch_value, scalar_value, name):
    np.testing.assert_allclose(batch_value, scalar_value, rtol=1e-13, atol=0, err_msg=name)


def test_batch_equals_per_setting_scalar_runs():
    rng = np.random.default_rng(21)
    B, T = 6, 23
    p = LSTMParams(*rng.normal(0, 1, size=(12, B)))
    x = rng.normal(size=(B, T))
    h0, c0, y = rng.uniform(-1, 1, size=(3, B))
    tr = lstm_forward(p, x, h0=h0, c0=c0)
    gr = lstm_backward(p, tr, y)
    assert tr.h.shape == (B, T) and gr.c_bar.shape == (B, T) and gr.w_ix.shape == (B,)
    for b in range(B):
        pb = p.take(b)
        assert isinstance(pb.w_ix, float)
        tr_b = lstm_forward(pb, x[b], h0=float(h0[b]), c0=float(c0[b]))
        gr_b = lstm_backward(pb, tr_b, float(y[b]))
        for v in ("z_i", "z_f", "z_o", "z_g", "i", "f", "o", "g", "c", "h"):
            _assert_same(getattr(tr, v)[b], getattr(tr_b, v), v)
        for n in PARAM_NAMES + ("h0_bar", "c0_bar", "loss"):
            assert isinstance(getattr(gr_b, n), float)
            _assert_same(getattr(gr, n)[b], getattr(gr_b, n), n)
        for n in ("h_bar", "c_bar", "o_bar", "g_bar", "i_bar", "f_bar", "log10_abs_c_bar"):
            _assert_same(getattr(gr, n)[b], getattr(gr_b, n), n)


def test_batch_broadcasts_shared_input_and_scalar_fields():
    w_ix = np.array([-1.0, 0.0, 2.5])
    p = dataclasses.replace(EXAMPLE_PARAMS, w_ix=w_ix)
    x = np.sin(np.arange(9.0))
    tr = lstm_forward(p, x, h0=0.1)
    gr = lstm_backward(p, tr, 0.3)
    assert tr.x.shape == (3, 9) and tr.h0.shape == (3,)
    for b in range(3):
        single = dataclasses.replace(EXAMPLE_PARAMS, w_ix=float(w_ix[b]))
        g1 = lstm_backward(single, lstm_forward(single, x, h0=0.1), 0.3)
        _assert_same(gr.w_ix[b], g1.w_ix, "w_ix")
        _assert_same(gr.h_bar[b], g1.h_bar, "h_bar")


def test_scalar_api_exactly_as_documented():
    p = LSTMParams(
        w_ix=0.5, w_ih=-0.3, w_fx=0.8, w_fh=0.1, w_ox=-0.4, w_oh=0.6, w_gx=0.9, w_gh=-0.2
    )
    assert (p.b_i, p.b_f, p.b_o, p.b_g) == (0.0, 0.0, 0.0, 0.0)
    x = np.linspace(-1, 1, 5)
    tr = lstm_forward(p, x, h0=0.0, c0=0.0)
    for v in ("i", "f", "o", "g", "c", "h"):
        assert getattr(tr, v).shape == (5,)
    gr = lstm_backward(p, tr, 0.5)
    for v in ("h_bar", "c_bar", "o_bar", "g_bar", "i_bar", "f_bar"):
        assert getattr(gr, v).shape == (5,)
    for n in PARAM_NAMES + ("loss", "h0_bar", "c0_bar"):
        assert isinstance(getattr(gr, n), float)
    assert gr.loss == pytest.approx(0.5 * (0.5 - tr.h[-1]) ** 2, rel=1e-15)
    assert gr.h_bar[-1] == tr.h[-1] - 0.5  # (28)
    with pytest.raises(ValueError):
        tr.h[0] = 1.0  # read-only


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "abc", [1.0, float("-inf")]])
def test_params_must_be_finite_numbers(bad):
    with pytest.raises(ValueError, match="w_oh"):
        dataclasses.replace(EXAMPLE_PARAMS, w_oh=bad)


def test_params_are_frozen_hashable_and_compare_by_value():
    with pytest.raises(dataclasses.FrozenInstanceError):
        EXAMPLE_PARAMS.w_ix = 1.0
    same = LSTMParams(**EXAMPLE_PARAMS.as_dict())
    assert same == EXAMPLE_PARAMS and hash(same) == hash(EXAMPLE_PARAMS)
    assert dataclasses.replace(EXAMPLE_PARAMS, b_g=0.1) != EXAMPLE_PARAMS
    with pytest.raises(ValueError, match="broadcast"):
        dataclasses.replace(EXAMPLE_PARAMS, w_ix=np.zeros(3), w_ih=np.zeros(4))


def test_bad_inputs_are_rejected():
    with pytest.raises(ValueError, match="x"):
        lstm_forward(EXAMPLE_PARAMS, [])
    with pytest.raises(ValueError, match="x"):
        lstm_forward(EXAMPLE_PARAMS, [0.0, float("nan")])
    tr = lstm_forward(EXAMPLE_PARAMS, [0.5, 0.2])
    with pytest.raises(ValueError, match="differs"):
        lstm_backward(dataclasses.replace(EXAMPLE_PARAMS, w_gh=1.0), tr, 0.0)
    with pytest.raises(ValueError, match="y"):
        lstm_backward(EXAMPLE_PARAMS, tr, [1.0, 2.0])


# --------------------------------------------------------------------------------------------
# Part (c): f ≈ 1, i, o ≈ 0
# --------------------------------------------------------------------------------------------


def _part_c(b_f: float, T: int = 100):
    x = np.random.default_rng(7).standard_normal(T)
    p = dataclasses.replace(EXAMPLE_PARAMS, b_f=b_f, b_i=-10.0, b_o=-10.0)
    tr = lstm_forward(p, x)
    return tr, lstm_backward(p, tr, 1.0)


def test_part_c_cell_signal_is_carried_by_the_forget_gates():
    """(41) exactly: c̄(t) = c̄(t+1) f(t+1) + [h̄(t) o(t)(1 - tanh² c(t)) ≈ 0], so
    c̄(t) = c̄(T) Π_{s>t} f(s) up to the negligible output-gate term."""
    tr, gr = _part_c(b_f=10.0)
    carried = np.append(np.cumprod(tr.f[1:][::-1])[::-1], 1.0)  # Π_{s=t+1..T} f(s)
    np.testing.assert_allclose(gr.c_bar, gr.c_bar[-1] * carried, rtol=1e-6)
    # so the relative change is at most Σ (1 - f) (about 100 · sigmoid(-10) = 4.5e-3 here)
    change = np.abs(gr.c_bar / gr.c_bar[-1] - 1)
    assert change.max() <= np.sum(1 - tr.f[1:]) + 1e-6
    assert 1e-3 < change.max() < 1e-2


def test_part_c_cell_signal_constant_to_1e_3_over_100_steps():
    """(42) c̄(t) ≈ c̄(T) for all t, to 1e-3: needs Σ (1 - f) < 1e-3, so b_f = +15 (with
    b_f = +10 alone the forget gates leak 100 · 4.5e-5 = 4.5e-3, see the test above)."""
    _, gr = _part_c(b_f=15.0)
    assert np.max(np.abs(gr.c_bar / gr.c_bar[-1] - 1)) < 1e-3


def test_part_c_contrast_without_gating():
    """The same input with the gates at their defaults: c̄ changes by orders of magnitude."""
    tr = lstm_forward(EXAMPLE_PARAMS, np.random.default_rng(7).standard_normal(100))
    gr = lstm_backward(EXAMPLE_PARAMS, tr, 1.0)
    assert gr.log10_abs_c_bar[-1] - gr.log10_abs_c_bar[0] > 10


@pytest.mark.parametrize("b_f", [10.0, 15.0])
def test_part_c_wix_bound_44(b_f):
    tr, gr = _part_c(b_f)
    res = wix_bound(tr, 1.0)
    x, i = tr.x, tr.i
    assert res.bound == pytest.approx(2.0 * np.max(np.abs(x)) * np.sum(i * (1 - i)), rel=1e-12)
    assert res.actual == abs(gr.w_ix)
    assert res.holds and res.actual <= res.bound
    assert res.bound < 0.05  # "≈ 0" (44): Σ i(1-i) ~ 100 · 4.5e-5
    assert res.actual < 1e-3 * res.bound  # (43) drops the factor o(T) ≈ 4.5e-5 of c̄(T)


def test_wix_bound_batch_shapes():
    p = dataclasses.replace(EXAMPLE_PARAMS, b_i=np.array([-10.0, -5.0, 0.0]))
    tr = lstm_forward(p, np.linspace(-2, 2, 30))
    res = wix_bound(tr, np.array([1.0, -1.0, 0.5]))
    assert res.bound.shape == res.actual.shape == (3,)
    assert np.all(res.holds)
    assert np.all(np.diff(res.bound) > 0)  # a larger input-gate bias loosens the bound


# --------------------------------------------------------------------------------------------
# The forget-gate sweep behind the heatmap
# --------------------------------------------------------------------------------------------


def test_forget_sweep_pins_the_forget_gate_and_matches_single_runs():
    f = np.array([0.05, 0.5, 0.9, 0.999])
    sw = forget_sweep(f, 40, "sheet")
    assert sw.abs_c_bar.shape == sw.log10_abs_h_bar.shape == (4, 40)
    np.testing.assert_allclose(sw.trace.f, np.broadcast_to(f[:, None], (4, 40)), rtol=1e-14)
    for b in (0, 3):
        p = dataclasses.replace(EXAMPLE_PARAMS, w_fx=0.0, w_fh=0.0, b_f=math.log(f[b] / (1 - f[b])))
        gr = lstm_backward(p, lstm_forward(p, np.sin(0.7 * np.arange(1, 41))), 1.0)
        np.testing.assert_allclose(sw.abs_c_bar[b], np.abs(gr.c_bar), rtol=1e-13)
        np.testing.assert_allclose(sw.abs_h_bar[b], np.abs(gr.h_bar), rtol=1e-13)


def test_forget_sweep_small_io_is_geometric_in_f():
    """With i, o ≈ 0 the cell signal obeys log10|c̄(t)| = log10|c̄(T)| + (T - t) log10 f."""
    f = np.linspace(0.01, 0.999, 50)
    T = 200
    sw = forget_sweep(f, T, "small_io")
    assert np.all(sw.trace.i < 1e-4) and np.all(sw.trace.o < 1e-4)
    t = np.arange(1, T + 1)
    pred = sw.log10_abs_c_bar[:, -1:] + (T - t) * np.log10(f)[:, None]
    np.testing.assert_allclose(sw.log10_abs_c_bar, pred, rtol=0, atol=1e-4)  # within 0.03 %
    assert np.all(np.isfinite(sw.log10_abs_c_bar))
    assert np.all(np.diff(sw.log10_abs_c_bar[:, 0]) > 0)  # more forgetting, less gradient
    assert sw.abs_c_bar[0, 0] == 0.0  # 0.01^199 · |c̄(T)| ~ 1e-403 underflows; log10 not


def test_forget_sweep_rejects_bad_arguments():
    with pytest.raises(ValueError, match="regime"):
        forget_sweep([0.5], 10, "other")
    with pytest.raises(ValueError, match="between 0 and 1"):
        forget_sweep([0.5, 1.0], 10)
    with pytest.raises(ValueError, match="T"):
        forget_sweep([0.5], 0)

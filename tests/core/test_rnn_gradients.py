"""Tests of core.rnn_gradients: plain tanh RNNs, their BPTT, vanishing/exploding gradients.

The reference is torch.autograd in float64 (torch is used only here, never in core).
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pytest
import torch

from core.rnn_gradients import (
    RNNParams,
    VectorRNNParams,
    make_recurrent_matrix,
    make_vector_rnn,
    rho_sweep,
    rnn_backward,
    rnn_forward,
    rnn_wh_sweep,
    spectral_radius,
    vector_rnn_backward,
    vector_rnn_forward,
)

F64 = torch.float64
RTOL = 1e-10


@contextlib.contextmanager
def strict_floats():
    """Overflow, invalid operations and division by zero raise; every warning is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            yield


def leaf(v):
    return torch.tensor(np.asarray(v, dtype=np.float64), dtype=F64, requires_grad=True)


# --------------------------------------------------------------------------------------------
# Scalar RNN
# --------------------------------------------------------------------------------------------


def torch_scalar_rnn(w_x, w_h, b, x, h0, y):
    wx, wh, bb, h_0 = leaf(w_x), leaf(w_h), leaf(b), leaf(h0)
    h, hs = h_0, []
    for xt in x:
        h = torch.tanh(wx * float(xt) + wh * h + bb)
        h.retain_grad()
        hs.append(h)
    loss = 0.5 * (y - h) ** 2
    loss.backward()
    return {
        "loss": loss.item(),
        "w_x": wx.grad.item(),
        "w_h": wh.grad.item(),
        "b": bb.grad.item(),
        "h0_bar": h_0.grad.item(),
        "h": np.array([v.item() for v in hs]),
        "h_bar": np.array([v.grad.item() for v in hs]),
    }


@pytest.mark.parametrize("seed, T", [(0, 1), (1, 2), (2, 9), (3, 30), (4, 60)])
def test_scalar_rnn_matches_autograd(seed, T):
    rng = np.random.default_rng(seed)
    # moderate weights: torch's own tanh derivative 1 - h² loses relative accuracy when a
    # unit saturates (|z| >~ 5), see test_saturated_scalar_rnn_against_high_precision
    w_x, w_h, b = rng.normal(0, 0.6, size=3)
    x = rng.normal(0, 1, size=T)
    h0, y = rng.uniform(-1, 1, size=2)
    p = RNNParams(w_x, w_h, b)
    tr = rnn_forward(p, x, h0=h0)
    gr = rnn_backward(p, tr, y)
    ref = torch_scalar_rnn(w_x, w_h, b, x, h0, y)
    np.testing.assert_allclose(tr.h, ref["h"], rtol=1e-14, atol=0)
    np.testing.assert_allclose(gr.h_bar, ref["h_bar"], rtol=RTOL, atol=0)
    for name in ("loss", "w_x", "w_h", "b", "h0_bar"):
        assert isinstance(getattr(gr, name), float)
        assert getattr(gr, name) == pytest.approx(ref[name], rel=RTOL, abs=0), name


def test_saturated_scalar_rnn_against_high_precision():
    """Large weights saturate tanh; 1 - h² (torch's tanh backward) then loses ~1e-9 relative
    accuracy, while the 4u/(1+u)² form used here stays exact: compare with 40-digit mpmath."""
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    rng = np.random.default_rng(3)
    T = 30
    w_x, w_h, b = rng.normal(0, 3, size=3)
    x = rng.normal(0, 1, size=T)
    h0, y = rng.uniform(-1, 1, size=2)
    p = RNNParams(w_x, w_h, b)
    tr = rnn_forward(p, x, h0=h0)
    gr = rnn_backward(p, tr, y)
    assert np.max(np.abs(tr.z)) > 5  # really saturated
    m = [mpmath.mpf(float(v)) for v in (w_x, w_h, b, h0, y)]
    h, hs = m[3], []
    for xt in x:
        h = mpmath.tanh(m[0] * mpmath.mpf(float(xt)) + m[1] * h + m[2])
        hs.append(h)
    hb, exact = hs[-1] - m[4], [None] * T
    for k in range(T - 1, -1, -1):
        exact[k] = hb
        hb = hb * (1 - hs[k] ** 2) * m[1]
    np.testing.assert_allclose(gr.h_bar, [float(v) for v in exact], rtol=1e-12, atol=0)
    assert gr.h0_bar == pytest.approx(float(hb), rel=1e-12)


def test_scalar_rnn_batch_over_w_h_equals_single_runs():
    w_h = np.linspace(-1.8, 1.8, 7)
    x = np.cos(np.arange(25.0))
    p = RNNParams(w_x=0.8, w_h=w_h, b=-0.1)
    gr = rnn_backward(p, rnn_forward(p, x, h0=0.2), 0.6)
    assert gr.h_bar.shape == (7, 25) and gr.w_h.shape == (7,)
    for k in range(7):
        pk = p.take(k)
        gk = rnn_backward(pk, rnn_forward(pk, x, h0=0.2), 0.6)
        for name in ("h_bar", "z_bar", "w_x", "w_h", "b", "h0_bar", "loss", "log10_abs_h_bar"):
            np.testing.assert_allclose(
                getattr(gr, name)[k], getattr(gk, name), rtol=1e-13, atol=0, err_msg=name
            )


@pytest.mark.parametrize("w_h", [0.5, -0.9, 0.99])
def test_vanishing_is_exactly_geometric_at_the_zero_state(w_h):
    """x = 0, b = 0, h(0) = 0 keeps h(t) = 0, so 1 - h² = 1 and h̄(t) = -y w_h^(T-t)."""
    T, y = 80, 0.7
    p = RNNParams(w_x=1.0, w_h=w_h)
    gr = rnn_backward(p, rnn_forward(p, np.zeros(T)), y)
    t = np.arange(1, T + 1)
    np.testing.assert_allclose(gr.h_bar, -y * w_h ** (T - t), rtol=1e-13)
    ratio = np.abs(gr.h_bar[:-1] / gr.h_bar[1:])  # |h̄(t-1) / h̄(t)|
    np.testing.assert_allclose(ratio, abs(w_h), rtol=1e-14)


@pytest.mark.parametrize("w_h", [0.3, -0.7, 0.95])
def test_vanishing_with_inputs_ratio_at_most_abs_w_h(w_h):
    """h̄(t-1) / h̄(t) = w_h (1 - h(t)²), so |dL/dh(1)| <= |dL/dh(T)| |w_h|^(T-1)."""
    T = 60
    x = 2.0 * np.sin(1.3 * np.arange(1, T + 1))
    p = RNNParams(w_x=1.2, w_h=w_h, b=0.3)
    tr = rnn_forward(p, x)
    gr = rnn_backward(p, tr, -0.4)
    ratio = gr.h_bar[:-1] / gr.h_bar[1:]
    np.testing.assert_allclose(ratio, w_h * (1 - tr.h[1:] ** 2), rtol=1e-12)
    assert np.all(np.abs(ratio) <= abs(w_h))
    assert np.all(np.abs(ratio) < 1)
    assert abs(gr.h_bar[0]) <= abs(gr.h_bar[-1]) * abs(w_h) ** (T - 1)
    # the exact logarithm matches the plain value wherever that is representable
    np.testing.assert_allclose(gr.log10_abs_h_bar, np.log10(np.abs(gr.h_bar)), rtol=1e-13)


def test_vanishing_far_below_float_range_keeps_exact_log10():
    T, w_h, y = 400, 0.01, 0.5
    p = RNNParams(w_x=1.0, w_h=w_h)
    gr = rnn_backward(p, rnn_forward(p, np.zeros(T)), y)
    assert gr.h_bar[0] == 0.0  # 0.5e-798 underflows
    assert gr.log10_abs_h_bar[0] == pytest.approx(np.log10(y) - 2 * (T - 1), abs=1e-9)
    assert np.all(np.isfinite(gr.log10_abs_h_bar))


def test_exploding_linear_regime_is_exact_then_saturates_to_inf():
    """At the zero state h̄(1) = -y w_h^(T-1): finite for T = 100, beyond float64 for T = 1000."""
    p = RNNParams(w_x=1.0, w_h=50.0)
    g100 = rnn_backward(p, rnn_forward(p, np.zeros(100)), 1.0)
    assert g100.h_bar[0] == pytest.approx(-(50.0**99), rel=1e-13)
    with strict_floats():
        g1000 = rnn_backward(p, rnn_forward(p, np.zeros(1000)), 1.0)
    assert g1000.h_bar[0] == -np.inf
    assert g1000.log10_abs_h_bar[0] == pytest.approx(999 * np.log10(50.0), rel=1e-13)
    assert g1000.w_x == 0.0 and g1000.w_h == 0.0  # x = 0, h = 0: no inf * 0 = NaN
    assert g1000.b == -np.inf


def test_scalar_rnn_large_weights_are_stable():
    rng = np.random.default_rng(5)
    p = RNNParams(
        w_x=rng.choice([-50.0, 50.0], 16),
        w_h=rng.choice([-50.0, 50.0], 16),
        b=rng.uniform(-50, 50, 16),
    )
    with strict_floats():
        gr = rnn_backward(p, rnn_forward(p, 3 * rng.standard_normal(1000)), 0.3)
    for name in ("h_bar", "w_x", "w_h", "b", "h0_bar"):
        assert np.all(np.isfinite(getattr(gr, name))), name


def test_wh_sweep_rows_are_single_runs():
    w_h = np.linspace(-2.0, 2.0, 41)
    sw = rnn_wh_sweep(w_h, 120)
    assert sw.log10_abs_h_bar.shape == (41, 120)
    x = np.sin(0.7 * np.arange(1, 121))
    for k in (0, 13, 40):
        p = RNNParams(w_x=1.0, w_h=float(w_h[k]))
        gk = rnn_backward(p, rnn_forward(p, x), 1.0)
        np.testing.assert_allclose(sw.grads.h_bar[k], gk.h_bar, rtol=1e-13, atol=0)
    # |w_h| < 1 vanishes at least geometrically: log10|h̄(1)| <= log10|h̄(T)| + (T-1) log10|w_h|
    small = (np.abs(w_h) < 1) & (w_h != 0)
    lg = sw.log10_abs_h_bar[small]
    assert np.all(lg[:, 0] <= lg[:, -1] + 119 * np.log10(np.abs(w_h[small])) + 1e-9)
    assert np.all(lg[:, 0] < -10)


def test_scalar_rnn_validation():
    with pytest.raises(ValueError, match="w_h"):
        RNNParams(w_x=1.0, w_h=float("nan"))
    with pytest.raises(ValueError, match="x"):
        rnn_forward(RNNParams(1.0, 0.5), [])
    tr = rnn_forward(RNNParams(1.0, 0.5), [1.0, 2.0])
    with pytest.raises(ValueError, match="differs"):
        rnn_backward(RNNParams(1.0, 0.6), tr, 0.0)


# --------------------------------------------------------------------------------------------
# Vector RNN
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("H", [1, 8, 64])
@pytest.mark.parametrize("rho", [0.0, 0.5, 1.0, 1.7])
def test_recurrent_matrix_has_requested_spectral_radius(H, rho):
    W = make_recurrent_matrix(H, rho, rng=np.random.default_rng(H))
    assert W.shape == (H, H)
    assert spectral_radius(W) == pytest.approx(rho, abs=1e-9)
    assert np.max(np.abs(np.linalg.eigvals(W))) == pytest.approx(rho, abs=1e-9)


def test_recurrent_matrix_batch_scales_one_base_matrix():
    rhos = np.array([0.25, 0.9, 1.0, 3.0])
    W = make_recurrent_matrix(16, rhos, rng=123)
    assert W.shape == (4, 16, 16)
    np.testing.assert_allclose(spectral_radius(W), rhos, rtol=0, atol=1e-9)
    np.testing.assert_allclose(W[3] / 3.0, W[2], rtol=1e-14)
    # an int seed and a Generator with that seed give the same matrix; seeds matter
    np.testing.assert_array_equal(
        W[2], make_recurrent_matrix(16, 1.0, rng=np.random.default_rng(123))
    )
    assert not np.allclose(W[2], make_recurrent_matrix(16, 1.0, rng=124))


def test_recurrent_matrix_needs_explicit_randomness_and_valid_sizes():
    with pytest.raises(TypeError, match="Generator"):
        make_recurrent_matrix(4, 1.0, rng=None)
    with pytest.raises(ValueError, match="H"):
        make_recurrent_matrix(65, 1.0, rng=0)
    with pytest.raises(ValueError, match="rho"):
        make_recurrent_matrix(4, -0.1, rng=0)


def torch_vector_rnn(p: VectorRNNParams, x, h0, y):
    Wx, Wh, b, h_0 = leaf(p.W_x), leaf(p.W_h), leaf(p.b), leaf(h0)
    h, hs = h_0, []
    for xt in np.asarray(x):
        h = torch.tanh(Wx @ torch.tensor(xt, dtype=F64) + Wh @ h + b)
        h.retain_grad()
        hs.append(h)
    loss = 0.5 * ((torch.tensor(y, dtype=F64) - h) ** 2).sum()
    loss.backward()
    return {
        "loss": loss.item(),
        "W_x": Wx.grad.numpy(),
        "W_h": Wh.grad.numpy(),
        "b": b.grad.numpy(),
        "h0_bar": h_0.grad.numpy(),
        "h_bar": np.stack([v.grad.numpy() for v in hs]),
    }


def _close(ours, ref, name):
    # relative to the largest entry: single matrix entries can cancel to nearly 0
    np.testing.assert_allclose(ours, ref, rtol=RTOL, atol=RTOL * np.max(np.abs(ref)), err_msg=name)


@pytest.mark.parametrize("seed, rho, T", [(0, 0.6, 1), (1, 0.9, 12), (2, 1.4, 25)])
def test_vector_rnn_matches_autograd(seed, rho, T):
    rng = np.random.default_rng(seed)
    H, D = 6, 3
    base = make_vector_rnn(H, D, rho, rng=rng)
    p = VectorRNNParams(W_x=base.W_x, W_h=base.W_h, b=0.3 * rng.standard_normal(H))
    x = rng.standard_normal((T, D))
    h0 = rng.uniform(-0.5, 0.5, H)
    y = rng.uniform(-1, 1, H)
    tr = vector_rnn_forward(p, x, h0=h0)
    gr = vector_rnn_backward(p, tr, y)
    ref = torch_vector_rnn(p, x, h0, y)
    assert gr.loss == pytest.approx(ref["loss"], rel=RTOL)
    for name in ("W_x", "W_h", "b", "h0_bar", "h_bar"):
        _close(getattr(gr, name), ref[name], name)
    np.testing.assert_allclose(gr.h_bar_norm, np.linalg.norm(ref["h_bar"], axis=-1), rtol=RTOL)


def test_vector_rnn_batch_over_rho_equals_single_runs():
    rhos = np.array([0.3, 1.0, 2.0])
    H, D, T = 10, 2, 30
    p = make_vector_rnn(H, D, rhos, rng=9)
    assert p.batch_shape == (3,) and p.W_h.shape == (3, H, H) and p.W_x.shape == (H, D)
    x = np.random.default_rng(1).standard_normal((T, D))
    y = np.linspace(-0.5, 0.5, H)
    gr = vector_rnn_backward(p, vector_rnn_forward(p, x), y)
    assert gr.h_bar.shape == (3, T, H) and gr.W_h.shape == (3, H, H) and gr.loss.shape == (3,)
    for k in range(3):
        pk = p.take(k)
        gk = vector_rnn_backward(pk, vector_rnn_forward(pk, x), y)
        for name in ("h_bar", "W_x", "W_h", "b", "h0_bar", "h_bar_norm", "loss"):
            np.testing.assert_allclose(
                getattr(gr, name)[k], getattr(gk, name), rtol=1e-12, atol=1e-300, err_msg=name
            )


def test_vector_rnn_gradient_norm_bounded_by_operator_norm():
    """||h̄(t-1)|| = ||W_hᵀ (h̄(t) ⊙ (1 - h²))|| <= sigma_max(W_h) ||h̄(t)||: with rho = 0.5 the
    gradient at t = 1 of a 200-step sequence is astronomically small."""
    p = make_vector_rnn(32, 4, 0.5, rng=3)
    x = np.random.default_rng(4).standard_normal((200, 4))
    gr = vector_rnn_backward(p, vector_rnn_forward(p, x), np.full(32, 0.5))
    smax = np.linalg.norm(p.W_h, 2)
    steps = gr.log10_h_bar_norm[:-1] - gr.log10_h_bar_norm[1:]
    assert np.all(steps <= np.log10(smax) + 1e-12)
    assert gr.log10_h_bar_norm[0] < gr.log10_h_bar_norm[-1] - 40
    np.testing.assert_allclose(gr.log10_h_bar_norm[-50:], np.log10(gr.h_bar_norm[-50:]), rtol=1e-12)


def test_rho_sweep_shapes_and_ordering():
    rhos = np.array([0.2, 0.8, 1.5])
    with strict_floats():
        sw = rho_sweep(rhos, 150, H=16, D=3, seed=2)
    assert sw.log10_h_bar_norm.shape == (3, 150)
    assert np.all(np.isfinite(sw.log10_h_bar_norm))
    np.testing.assert_allclose(spectral_radius(sw.params.W_h), rhos, atol=1e-9)
    first = sw.log10_h_bar_norm[:, 0]
    assert first[0] < first[1] < first[2]
    assert first[0] < -50  # 0.2^149 vanishes
    again = rho_sweep(rhos, 150, H=16, D=3, seed=2)  # deterministic given the seed
    np.testing.assert_array_equal(again.log10_h_bar_norm, sw.log10_h_bar_norm)


@pytest.mark.parametrize("T, H, rows", [(150, 16, 100), (400, 64, 100), (3, 2, 7)])
def test_rho_sweep_map_is_the_sweep_heatmap_in_chunks(monkeypatch, T, H, rows):
    import core.rnn_gradients as rg

    rhos = np.linspace(2 / rows, 2.0, rows)
    whole = rho_sweep(rhos, T, H=H, seed=4, input_scale=0.1).log10_h_bar_norm  # (R, T)
    assert rg.SWEEP_ELEMENTS // (T * H) < rows or T * H < 8  # several chunks for the first two
    np.testing.assert_array_equal(rg.rho_sweep_map(rhos, T, H=H, seed=4, input_scale=0.1), whole)
    monkeypatch.setattr(rg, "SWEEP_ELEMENTS", 1)  # one radius at a time: the same numbers
    np.testing.assert_array_equal(rg.rho_sweep_map(rhos, T, H=H, seed=4, input_scale=0.1), whole)
    with pytest.raises(ValueError, match="1-D"):
        rg.rho_sweep_map(np.ones((2, 2)), T)


def test_rho_sweep_map_stays_small_where_the_whole_sweep_did_not():
    """The Gradient flow page's largest setting (T = 400, H = 64, 100 radii): 188 MB for the
    whole sweep, about 13 MB for the heatmap alone."""
    import tracemalloc

    from core.rnn_gradients import rho_sweep_map

    tracemalloc.start()
    try:
        out = rho_sweep_map(np.linspace(0.02, 2.0, 100), 400, H=64, seed=0, input_scale=0.1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert out.shape == (100, 400) and np.isfinite(out).all()
    assert peak < 30 * 2**20, f"{peak / 2**20:.1f} MB"

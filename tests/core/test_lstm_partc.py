"""core.lstm_partc: |w̄_ix|, approximation (43) and bound (44) as curves over T."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from core.lstm import EXAMPLE_PARAMS, default_inputs, lstm_backward, lstm_forward, wix_bound
from core.lstm_partc import MAX_T, wix_bound_curve

B_F = [0.0, 2.5, 5.0, 10.0]


@pytest.fixture(scope="module")
def curve():
    return wix_bound_curve(B_F, 400, k=10.0)


def prefix_run(b_f: float, T: int, k: float = 10.0, pin: bool = True):
    p = dataclasses.replace(EXAMPLE_PARAMS, b_f=b_f, b_i=-k, b_o=-k)
    if pin:
        p = dataclasses.replace(p, w_fx=0.0, w_fh=0.0)
    tr = lstm_forward(p, default_inputs(400)[:T])
    return tr, lstm_backward(p, tr, 1.0)


@pytest.mark.parametrize("T", [1, 2, 17, 150, 400])
@pytest.mark.parametrize("j", range(len(B_F)))
def test_every_length_equals_a_backward_pass_on_the_prefix(curve, T, j):
    tr, gr = prefix_run(B_F[j], T)
    assert curve.actual[j, T - 1] == pytest.approx(abs(gr.w_ix), rel=1e-10, abs=0)
    assert curve.bound[j, T - 1] == pytest.approx(wix_bound(tr, 1.0).bound, rel=1e-12)
    assert curve.actual[j, T - 1] > 0


def test_approximation_43_written_out(curve):
    tr, _ = prefix_run(B_F[3], 57)
    i, g, x, c = tr.i, tr.g, tr.x, tr.c
    a43 = (tr.h[-1] - 1.0) * (1 - math.tanh(c[-1]) ** 2) * np.sum(g * i * (1 - i) * x)
    assert curve.approx43[3, 56] == pytest.approx(abs(a43), rel=1e-12)


def test_bound_holds_and_43_drops_the_output_gate(curve):
    assert np.all(curve.holds)
    assert np.all(curve.approx43 <= curve.bound * (1 + 1e-12))
    # the exact gradient carries o(T) ~ sigmoid(-10) = 4.5e-5 that (43) leaves out
    o_T = curve.trace.o
    ratio = curve.actual[3, 20:] / (curve.approx43[3, 20:] * o_T[3, 20:])
    assert np.all((ratio > 0.5) & (ratio < 2.0))
    assert np.all(curve.actual < 1e-3 * curve.bound)


def test_pinned_forget_level_and_leak(curve):
    np.testing.assert_allclose(curve.f, 1 / (1 + np.exp(-np.array(B_F))), rtol=1e-15)
    np.testing.assert_allclose(curve.trace.f, np.broadcast_to(curve.f[:, None], (4, 400)))
    # with a leaky gate (b_f = 0) the gradient stops growing; with b_f = 10 it keeps growing
    assert curve.actual[0, -1] < 3 * curve.actual[0, 10]
    assert curve.actual[3, -1] > 10 * curve.actual[3, 10]
    assert curve.T[0] == 1 and curve.T[-1] == 400


def test_unpinned_forget_gate_matches_too():
    cv = wix_bound_curve(2.0, 30, k=3.0, pin_forget=False, y=-0.5)
    p = dataclasses.replace(EXAMPLE_PARAMS, b_f=2.0, b_i=-3.0, b_o=-3.0)
    tr = lstm_forward(p, default_inputs(30)[:23])
    gr = lstm_backward(p, tr, -0.5)
    assert cv.f is None
    assert cv.actual[0, 22] == pytest.approx(abs(gr.w_ix), rel=1e-10)
    assert cv.bound[0, 22] == pytest.approx(wix_bound(tr, -0.5).bound, rel=1e-12)


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        (([1.0], 0), {}, "T_max"),
        (([1.0], MAX_T + 1), {}, "T_max"),
        (([1.0], 2.5), {}, "T_max"),
        (([], 10), {}, "non-empty"),
        (([float("nan")], 10), {}, "finite"),
        (([1.0], 10), {"k": float("inf")}, "finite"),
        (([1.0], 10), {"x": np.ones(9)}, "shape"),
    ],
)
def test_bad_arguments(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        wix_bound_curve(*args, **kwargs)

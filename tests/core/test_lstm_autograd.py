"""core.lstm_autograd (float64 reverse-mode autodiff) against the hand-written BPTT of core.lstm."""

from __future__ import annotations

import numpy as np
import pytest

from core.lstm import EXAMPLE_PARAMS, PARAM_NAMES, LSTMParams, lstm_backward, lstm_forward
from core.lstm_autograd import AutogradLSTM, lstm_autograd

RTOL = 1e-12
SIGNALS = ("h_bar", "c_bar", "o_bar", "g_bar", "i_bar", "f_bar")
VALUES = ("i", "f", "o", "g", "c", "h")


def assert_agrees(
    p: LSTMParams, x, y: float, h0: float, c0: float, rtol: float = RTOL
) -> AutogradLSTM:
    ag = lstm_autograd(p, x, y, h0=h0, c0=c0)
    tr = lstm_forward(p, x, h0=h0, c0=c0)
    gr = lstm_backward(p, tr, y)
    for name in VALUES:
        np.testing.assert_allclose(ag.__dict__[name], getattr(tr, name), rtol=1e-14, atol=0)
    for name in SIGNALS:
        want = getattr(gr, name)
        # vanished signals (1e-18 after 40 steps) are compared on the scale of the largest one
        atol = rtol * float(np.abs(want).max())
        np.testing.assert_allclose(ag.__dict__[name], want, rtol=rtol, atol=atol, err_msg=name)
    # a weight gradient sums T terms that may cancel: compared on the scale of the largest one
    scale = max(abs(getattr(gr, name)) for name in PARAM_NAMES)
    for name in (*PARAM_NAMES, "h0_bar", "c0_bar", "loss"):
        want = getattr(gr, name)
        assert ag.__dict__[name] == pytest.approx(want, rel=rtol, abs=rtol * scale), name
    return ag


def test_page_defaults_T2_every_field_agrees():
    ag = assert_agrees(EXAMPLE_PARAMS, [1.0, -0.5], 1.0, 0.0, 0.0)
    assert ag.T == 2
    assert all(v != 0.0 for v in ag.c_bar)  # real values, not a vacuous match
    assert ag.w_ix != 0.0 and ag.b_g != 0.0


def test_T2_with_biases_and_initial_state():
    p = LSTMParams(0.5, -0.3, 0.8, 0.1, -0.4, 0.6, 0.9, -0.2, b_i=0.3, b_f=-1.2, b_o=0.7, b_g=0.1)
    ag = assert_agrees(p, [0.8, -1.3], -0.4, 0.4, -0.7)
    assert ag.f_bar[0] != 0.0  # c(0) != 0, so f̄(1) = c̄(1) c(0) is a real check


@pytest.mark.parametrize("seed, T", [(0, 1), (1, 3), (2, 10), (3, 40)])
def test_random_settings_agree(seed, T):
    """Longer recursions round differently in the two programs: 1e-10 as in test_lstm."""
    rng = np.random.default_rng(seed)
    p = LSTMParams(*rng.normal(0.0, 1.0, size=12))
    x = rng.normal(0.0, 1.5, size=T)
    h0, c0 = rng.uniform(-0.9, 0.9, size=2)
    assert_agrees(p, x, float(rng.uniform(-1, 1)), float(h0), float(c0), rtol=1e-10)


def test_fields_are_the_lstm_grads_fields():
    from core.lstm import LSTMGrads

    ours = set(AutogradLSTM.__dataclass_fields__)
    theirs = set(LSTMGrads.__dataclass_fields__)
    for name in (*SIGNALS, *PARAM_NAMES, "h0_bar", "c0_bar", "loss"):
        assert name in ours and name in theirs


def test_result_is_frozen_and_read_only():
    ag = lstm_autograd(EXAMPLE_PARAMS, [1.0, -0.5], 1.0)
    with pytest.raises(AttributeError):
        ag.loss = 0.0
    with pytest.raises(ValueError):
        ag.c_bar[0] = 1.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(x=[]), "non-empty"),
        (dict(x=[[1.0, 2.0]]), "1-D"),
        (dict(x=[1.0, float("nan")]), "finite"),
        (dict(y=float("inf")), "finite"),
        (dict(y="a"), "real number"),
    ],
)
def test_bad_arguments(kwargs, match):
    args = dict(x=[1.0, -0.5], y=1.0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        lstm_autograd(EXAMPLE_PARAMS, args["x"], args["y"])


def test_batched_params_are_refused():
    p = LSTMParams(*([0.1] * 8), b_f=np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="single setting"):
        lstm_autograd(p, [1.0], 1.0)
    with pytest.raises(TypeError):
        lstm_autograd({"w_ix": 1.0}, [1.0], 1.0)

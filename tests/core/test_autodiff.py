"""core.autodiff (the scalar reverse-mode engine behind the Gradient page's autograd column)
against torch.autograd in float64."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from core.autodiff import Value
from core.lstm import EXAMPLE_PARAMS, PARAM_NAMES, LSTMParams
from core.lstm_autograd import lstm_autograd


def test_local_derivatives_of_every_operation():
    a, b = Value(0.7), Value(-1.3)
    out = (a * b + a - b) ** 3 + (-a).sigmoid() * (b - 2.0).tanh() + (1.5 - a) * 2.0
    out.backward()
    ta, tb = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (0.7, -1.3))
    want = (ta * tb + ta - tb) ** 3 + torch.sigmoid(-ta) * torch.tanh(tb - 2.0) + (1.5 - ta) * 2.0
    want.backward()
    assert out.data == pytest.approx(want.item(), rel=1e-15)
    assert a.grad == pytest.approx(ta.grad.item(), rel=1e-14)
    assert b.grad == pytest.approx(tb.grad.item(), rel=1e-14)


def test_a_node_used_twice_sums_both_paths():
    x = Value(3.0)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert x.grad == 7.0
    y.backward()  # a second backward starts again from zero instead of accumulating
    assert x.grad == 7.0


@pytest.mark.parametrize("z", [-800.0, -30.0, 0.0, 30.0, 800.0])
def test_sigmoid_never_overflows(z):
    s = Value(z).sigmoid()
    assert 0.0 <= s.data <= 1.0 and math.isfinite(s._local[0])


def test_long_chains_do_not_hit_the_recursion_limit():
    x = Value(0.5)
    v = x
    for _ in range(20_000):
        v = (v * 1.0001).tanh() + 0.0
    v.backward()
    assert math.isfinite(x.grad) and x.grad != 0.0


def _torch_lstm(p: LSTMParams, x, y, h0, c0) -> dict[str, object]:
    """The LSTM (22)-(23) with torch float64 autograd, intermediate values retained."""

    def leaf_of(v: float) -> torch.Tensor:
        return torch.tensor(float(v), dtype=torch.float64, requires_grad=True)

    leaf = {n: leaf_of(getattr(p, n)) for n in PARAM_NAMES}
    h = h_0 = leaf_of(h0)
    c = c_0 = leaf_of(c0)
    steps = []
    for xt in x:
        i = torch.sigmoid(leaf["w_ix"] * xt + leaf["w_ih"] * h + leaf["b_i"])
        f = torch.sigmoid(leaf["w_fx"] * xt + leaf["w_fh"] * h + leaf["b_f"])
        o = torch.sigmoid(leaf["w_ox"] * xt + leaf["w_oh"] * h + leaf["b_o"])
        g = torch.tanh(leaf["w_gx"] * xt + leaf["w_gh"] * h + leaf["b_g"])
        c = f * c + i * g
        h = o * torch.tanh(c)
        step = {"i": i, "f": f, "o": o, "g": g, "c": c, "h": h}
        for v in step.values():
            v.retain_grad()
        steps.append(step)
    loss = 0.5 * (y - h) ** 2
    loss.backward()
    out: dict[str, object] = {"loss": loss.item()}
    out.update(h0_bar=h_0.grad.item(), c0_bar=c_0.grad.item())
    for name in ("i", "f", "o", "g", "c", "h"):
        out[name + "_bar"] = np.array([s[name].grad.item() for s in steps])
    for name in PARAM_NAMES:
        out[name] = leaf[name].grad.item()
    return out


def _random(seed: int) -> LSTMParams:
    return LSTMParams(*np.random.default_rng(seed).normal(size=12))


@pytest.mark.parametrize(
    "p, x, y, h0, c0",
    [
        (EXAMPLE_PARAMS, [1.0, 0.5], 0.3, 0.0, 0.0),
        (
            LSTMParams(*np.random.default_rng(1).normal(size=12)),
            [0.3, -1.2, 2.0, 0.1],
            -0.4,
            0.2,
            -0.5,
        ),  # fmt: skip
        (
            LSTMParams(*np.random.default_rng(2).normal(size=12)),
            list(np.linspace(-2, 2, 25)),
            0.9,
            -0.3,
            0.8,
        ),  # fmt: skip
    ],
    ids=["sheet-T2", "random-T4", "random-T25"],
)
def test_lstm_autograd_equals_torch_autograd(p, x, y, h0, c0):
    ours = lstm_autograd(p, x, y, h0=h0, c0=c0)
    theirs = _torch_lstm(p, x, y, h0, c0)
    for name, want in theirs.items():
        got = getattr(ours, name)
        scale = float(np.abs(want).max()) or 1.0
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13 * scale, err_msg=name)
    assert abs(ours.w_ix) > 1e-6  # a real gradient, not two zeros agreeing

"""The univariate LSTM (22)-(23) differentiated by torch.autograd, as a check of the hand BPTT.

``lstm_autograd`` builds the forward pass (22) step by step with float64 torch scalars, calls
``retain_grad()`` on every intermediate value (the gates, c(t) and h(t)), and runs one
``backward()`` of the loss (23) ``L = 1/2 (y - h(T))²``.  Because each intermediate is a node of
the graph, its ``.grad`` is the *total* derivative dL/dv, the same quantity as the sheet's error
signal v̄ (24)-(25) and as the fields of ``core.lstm.LSTMGrads``.

This module imports torch at import time; import it lazily (only where autograd is shown), so
pages that do not need it never load torch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.lstm import BIAS_NAMES, PARAM_NAMES, WEIGHT_NAMES, LSTMParams
from core.numerics import finite

__all__ = ["AutogradLSTM", "lstm_autograd"]

F64 = torch.float64
_STEP_VALUES = ("i", "f", "o", "g", "c", "h")


@dataclass(frozen=True, eq=False)
class AutogradLSTM:
    """Forward values and error signals from torch.autograd (float64).

    Per-step arrays have shape (T,), index ``t - 1`` holding step ``t`` (as in ``core.lstm``).

    loss                              L (23)
    i f o g c h                       (T,)  forward values of (22)
    h_bar c_bar o_bar g_bar i_bar f_bar   (T,)  dL/dv for every step (total derivatives)
    w_ix ... w_gh, b_i ... b_g        weight and bias gradients
    h0_bar c0_bar                     dL/dh(0), dL/dc(0)
    """

    loss: float
    i: np.ndarray
    f: np.ndarray
    o: np.ndarray
    g: np.ndarray
    c: np.ndarray
    h: np.ndarray
    h_bar: np.ndarray
    c_bar: np.ndarray
    o_bar: np.ndarray
    g_bar: np.ndarray
    i_bar: np.ndarray
    f_bar: np.ndarray
    w_ix: float
    w_ih: float
    w_fx: float
    w_fh: float
    w_ox: float
    w_oh: float
    w_gx: float
    w_gh: float
    b_i: float
    b_f: float
    b_o: float
    b_g: float
    h0_bar: float
    c0_bar: float

    @property
    def T(self) -> int:
        return int(self.h.shape[0])


def lstm_autograd(p: LSTMParams, x, y, h0: float = 0.0, c0: float = 0.0) -> AutogradLSTM:
    """Forward (22), loss (23) and every error signal by torch.autograd in float64.

    p       LSTMParams with float fields (a single setting, not a batch)
    x       (T,) inputs x(1..T), T >= 1
    y       target of h(T)
    h0, c0  initial states
    """
    if not isinstance(p, LSTMParams):
        raise TypeError("p must be an LSTMParams.")
    if p.batch_shape != ():
        raise ValueError("lstm_autograd takes a single setting (float fields), not a batch.")
    xs = np.asarray(x, dtype=np.float64)
    if xs.ndim != 1 or xs.size < 1:
        raise ValueError("x must be a non-empty 1-D sequence x(1..T).")
    if not np.all(np.isfinite(xs)):
        raise ValueError("x must be finite: it contains NaN or infinity.")
    y_t = torch.tensor(finite("y", y), dtype=F64)

    leaf = {
        n: torch.tensor(float(getattr(p, n)), dtype=F64, requires_grad=True) for n in PARAM_NAMES
    }
    h_0 = torch.tensor(finite("h0", h0), dtype=F64, requires_grad=True)
    c_0 = torch.tensor(finite("c0", c0), dtype=F64, requires_grad=True)
    h, c = h_0, c_0
    steps: list[dict[str, torch.Tensor]] = []
    for xt in xs.tolist():
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
    loss = 0.5 * (y_t - h) ** 2
    loss.backward()

    def grad(t: torch.Tensor) -> float:
        return 0.0 if t.grad is None else float(t.grad.item())

    fields: dict[str, object] = {"loss": float(loss.item())}
    for name in _STEP_VALUES:
        fields[name] = np.array([float(s[name].item()) for s in steps])
        fields[name + "_bar"] = np.array([grad(s[name]) for s in steps])
    for name in WEIGHT_NAMES + BIAS_NAMES:
        fields[name] = grad(leaf[name])
    fields["h0_bar"] = grad(h_0)
    fields["c0_bar"] = grad(c_0)
    for name in _STEP_VALUES:
        fields[name].setflags(write=False)
        fields[name + "_bar"].setflags(write=False)
    return AutogradLSTM(**fields)

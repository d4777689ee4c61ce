"""The univariate LSTM (22)-(23) differentiated by automatic differentiation, as a check of
the hand BPTT.

``lstm_autograd`` builds the forward pass (22) step by step out of ``core.autodiff.Value``
scalars (float64 reverse-mode autodiff: every operation knows only its own local derivative) and
runs one ``backward()`` of the loss (23) ``L = 1/2 (y - h(T))²``.  Because each intermediate
value (the gates, c(t) and h(t)) is a node of the graph, its ``.grad`` is the *total* derivative
dL/dv, the same quantity as the sheet's error signal v̄ (24)-(25) and as the fields of
``core.lstm.LSTMGrads`` -- reached by the chain rule over the graph, not by the sheet's formulas
(28)-(40).  ``tests/core/test_autodiff.py`` checks the result against torch.autograd.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.autodiff import Value
from core.lstm import BIAS_NAMES, PARAM_NAMES, WEIGHT_NAMES, LSTMParams
from core.numerics import finite

__all__ = ["AutogradLSTM", "lstm_autograd"]

_STEP_VALUES = ("i", "f", "o", "g", "c", "h")


@dataclass(frozen=True, eq=False)
class AutogradLSTM:
    """Forward values and error signals from reverse-mode autodiff (float64).

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
    """Forward (22), loss (23) and every error signal by reverse-mode autodiff in float64.

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
    y_v = finite("y", y)
    leaf = {n: Value(float(getattr(p, n))) for n in PARAM_NAMES}
    h_0, c_0 = Value(finite("h0", h0)), Value(finite("c0", c0))
    h, c = h_0, c_0
    steps: list[dict[str, Value]] = []
    for xt in xs.tolist():
        i = (leaf["w_ix"] * xt + leaf["w_ih"] * h + leaf["b_i"]).sigmoid()
        f = (leaf["w_fx"] * xt + leaf["w_fh"] * h + leaf["b_f"]).sigmoid()
        o = (leaf["w_ox"] * xt + leaf["w_oh"] * h + leaf["b_o"]).sigmoid()
        g = (leaf["w_gx"] * xt + leaf["w_gh"] * h + leaf["b_g"]).tanh()
        c = f * c + i * g
        h = o * c.tanh()
        steps.append({"i": i, "f": f, "o": o, "g": g, "c": c, "h": h})
    loss = 0.5 * (y_v - h) ** 2
    loss.backward()

    def grad(v: Value) -> float:
        return v.grad + 0.0  # never -0.0

    fields: dict[str, object] = {"loss": loss.data}
    for name in _STEP_VALUES:
        fields[name] = np.array([s[name].data for s in steps])
        fields[name + "_bar"] = np.array([grad(s[name]) for s in steps])
    for name in WEIGHT_NAMES + BIAS_NAMES:
        fields[name] = grad(leaf[name])
    fields["h0_bar"] = grad(h_0)
    fields["c0_bar"] = grad(c_0)
    for name in _STEP_VALUES:
        fields[name].setflags(write=False)
        fields[name + "_bar"].setflags(write=False)
    return AutogradLSTM(**fields)

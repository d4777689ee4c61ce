"""Part (c) of homework question 2 as curves over the sequence length T.

For every length T = 1 .. T_max the loss is (23) at that length, ``L_T = 1/2 (y - h(T))²``, on
the prefix x(1..T) of one input sequence.  ``wix_bound_curve`` returns, for each T and each
forget bias b_f of a small batch:

* ``actual``   |w̄_ix| = |dL_T/dw_ix|, exact;
* ``approx43`` |the sheet's approximation (43)|
  ``|(h(T) - y)(1 - tanh² c(T)) Σ_{t<=T} g(t) i(t)(1 - i(t)) x(t)|``, which replaces every c̄(t)
  by ``h̄(T)(1 - tanh² c(T))`` and so drops the factor o(T) of the exact c̄(T) (29);
* ``bound``    the bound (44) ``(1 + |y|) max_{t<=T} |x(t)| Σ_{t<=T} i(t)(1 - i(t))``.

One backward pass per T would cost O(T_max²).  Instead the exact gradient for *every* T comes
from one forward-mode (tangent) pass: with u(t) = dh(t)/dw_ix and v(t) = dc(t)/dw_ix,

    dz_i = x(t) + w_ih u(t-1)    dz_f = w_fh u(t-1)    dz_o = w_oh u(t-1)    dz_g = w_gh u(t-1)
    v(t) = f'(t) dz_f c(t-1) + f(t) v(t-1) + i'(t) dz_i g(t) + i(t) g'(t) dz_g
    u(t) = o'(t) dz_o tanh c(t) + o(t)(1 - tanh² c(t)) v(t)

(primes are the gate derivatives i(1-i), f(1-f), o(1-o), 1-g²) and then
``w̄_ix(T) = (h(T) - y) u(T)``.  Cost O(T_max) for the whole curve, vectorised over the batch.

The regime of part (c): ``b_i = b_o = -k`` (input and output gates ≈ sigmoid(-k)) and, by
default, the forget gate pinned to the constant ``f = sigmoid(b_f)`` (``w_fx = w_fh = 0``, as in
``core.lstm.forget_sweep``), so ``1 - f`` is the leak of the cell per step.  Only numpy is used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.lstm import (
    EXAMPLE_PARAMS,
    LSTMParams,
    LSTMTrace,
    _dsigmoid,
    _dtanh,
    default_inputs,
    lstm_forward,
)
from core.numerics import finite, readonly

__all__ = ["MAX_T", "WixCurve", "wix_bound_curve"]

MAX_T = 50_000


@dataclass(frozen=True, eq=False)
class WixCurve:
    """Result of ``wix_bound_curve``.  B = number of forget biases, T_max = longest length.

    b_f        (B,)         forget-gate biases
    k          float        b_i = b_o = -k
    f          (B,) | None  the constant forget level sigmoid(b_f) when the gate is pinned
    T          (T_max,)     lengths 1 .. T_max
    actual     (B, T_max)   |w̄_ix| of the loss at length T (exact)
    approx43   (B, T_max)   |approximation (43)| at length T
    bound      (B, T_max)   the bound (44) at length T
    trace      the forward trace over the full T_max steps, batch (B,)
    """

    b_f: np.ndarray
    k: float
    f: np.ndarray | None
    T: np.ndarray
    actual: np.ndarray
    approx43: np.ndarray
    bound: np.ndarray
    trace: LSTMTrace

    @property
    def holds(self) -> np.ndarray:
        """(B, T_max): does |w̄_ix| <= bound (44) hold at length T?"""
        return self.actual <= self.bound


def wix_bound_curve(
    b_f,
    T_max: int,
    k: float = 10.0,
    *,
    base: LSTMParams = EXAMPLE_PARAMS,
    x=None,
    y: float = 1.0,
    h0: float = 0.0,
    c0: float = 0.0,
    pin_forget: bool = True,
) -> WixCurve:
    """|w̄_ix|, approximation (43) and bound (44) for every length T = 1 .. T_max.

    b_f         float or (B,) forget-gate biases
    T_max       longest sequence length, 1 .. MAX_T
    k           b_i = b_o = -k (k = 10: gates ≈ 4.5e-5)
    base        the other weights (default EXAMPLE_PARAMS; its biases are replaced)
    x           (T_max,) inputs, default ``default_inputs(T_max)`` = sin(0.7 t)
    y, h0, c0   target and initial states
    pin_forget  True: w_fx = w_fh = 0, so f(t) = sigmoid(b_f) at every step
    """
    if int(T_max) != T_max or not 1 <= T_max <= MAX_T:
        raise ValueError(f"T_max must be a whole number from 1 to {MAX_T:,}.")
    T_max = int(T_max)
    bf = np.atleast_1d(np.asarray(b_f, dtype=np.float64))
    if bf.ndim != 1 or bf.size == 0:
        raise ValueError("b_f must be a number or a non-empty 1-D array of forget biases.")
    if not np.all(np.isfinite(bf)):
        raise ValueError("b_f must be finite: it contains NaN or infinity.")
    k = finite("k", k)
    y = finite("y", y)
    if not isinstance(base, LSTMParams) or base.batch_shape != ():
        raise ValueError("base must be a single LSTMParams setting (float fields).")
    xs = default_inputs(T_max) if x is None else np.asarray(x, dtype=np.float64)
    if xs.shape != (T_max,):
        raise ValueError(f"x must have shape (T_max,) = ({T_max},), got {xs.shape}.")
    if not np.all(np.isfinite(xs)):
        raise ValueError("x must be finite: it contains NaN or infinity.")

    fields = base.as_dict()
    fields.update(b_f=bf, b_i=-k, b_o=-k)
    if pin_forget:
        fields.update(w_fx=0.0, w_fh=0.0)
    p = LSTMParams(**fields)
    tr = lstm_forward(p, xs, h0=h0, c0=c0)
    B = bf.size

    # forward-mode tangent pass d/dw_ix: v(t) = a u(t-1) + f v(t-1) + d, u(t) = e u(t-1) + q v(t)
    di_dz, df_dz, do_dz = _dsigmoid(tr.z_i), _dsigmoid(tr.z_f), _dsigmoid(tr.z_o)
    dg_dz = _dtanh(tr.z_g)
    tanh_c = np.tanh(tr.c)
    dtanh_c = _dtanh(tr.c)
    w_ih, w_fh, w_oh, w_gh = (float(getattr(p, n)) for n in ("w_ih", "w_fh", "w_oh", "w_gh"))
    # coefficients, time-major (T_max, B) so that each step reads one contiguous row
    a = (df_dz * w_fh * tr.c_prev + di_dz * w_ih * tr.g + tr.i * dg_dz * w_gh).T.copy()
    d = (di_dz * xs * tr.g).T.copy()
    e = (do_dz * w_oh * tanh_c).T.copy()
    q = (tr.o * dtanh_c).T.copy()
    f_t = tr.f.T.copy()
    U = np.empty((T_max, B))
    u = np.zeros(B)
    v = np.zeros(B)
    with np.errstate(over="ignore", invalid="ignore"):
        for kk in range(T_max):
            v = a[kk] * u + f_t[kk] * v + d[kk]
            u = e[kk] * u + q[kk] * v
            U[kk] = u
    U = U.T
    err = tr.h - y  # h(T) - y for every T   (B, T)
    actual = np.abs(err * U)
    approx43 = np.abs(err * dtanh_c * np.cumsum(tr.g * di_dz * xs, axis=-1))
    bound = (1.0 + abs(y)) * np.maximum.accumulate(np.abs(xs))[None, :] * np.cumsum(di_dz, axis=-1)
    f_level = readonly(tr.f[:, 0]) if pin_forget else None
    return WixCurve(
        b_f=readonly(bf),
        k=k,
        f=f_level,
        T=np.arange(1, T_max + 1),
        actual=readonly(actual),
        approx43=readonly(approx43),
        bound=readonly(bound),
        trace=tr,
    )

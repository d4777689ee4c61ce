"""The univariate LSTM and its hand-written backprop through time (homework question 2).

Forward pass, equation (22) of the sheet, with an optional bias inside every pre-activation::

    i(t) = sigmoid(z_i(t))   z_i(t) = w_ix x(t) + w_ih h(t-1) + b_i
    f(t) = sigmoid(z_f(t))   z_f(t) = w_fx x(t) + w_fh h(t-1) + b_f
    o(t) = sigmoid(z_o(t))   z_o(t) = w_ox x(t) + w_oh h(t-1) + b_o
    g(t) = tanh(z_g(t))      z_g(t) = w_gx x(t) + w_gh h(t-1) + b_g
    c(t) = f(t) c(t-1) + i(t) g(t)
    h(t) = o(t) tanh(c(t))                                  t = 1 .. T

and the loss (23) ``L = 1/2 (y - h(T))**2``.  Notation as on the sheet: ``v̄ = dL/dv`` is the
*error signal* of any intermediate value ``v`` (24)-(25).  ``lstm_backward`` generalises the
sheet's T = 2 answers (28)-(39) to any T; ``h̄(t)`` and ``c̄(t)`` are *total* derivatives, i.e.
they include every path through later time steps, exactly as in (34) and (35)::

    h̄(T)   = h(T) - y                                                        (28)
    c̄(t)   = h̄(t) o(t) (1 - tanh² c(t)) + c̄(t+1) f(t+1)      [c̄(T+1) = 0]   (29), (35)
    ō(t)   = h̄(t) tanh c(t)                                                  (30), (36)
    ḡ(t)   = c̄(t) i(t)                                                       (31), (37)
    ī(t)   = c̄(t) g(t)                                                       (32), (38)
    f̄(t)   = c̄(t) c(t-1)                                                     (33), (39)
    h̄(t-1) = ī(t) i(t)(1-i(t)) w_ih + f̄(t) f(t)(1-f(t)) w_fh
           + ō(t) o(t)(1-o(t)) w_oh + ḡ(t) (1-g(t)²) w_gh                    (34)

The pre-activation signals are ``z̄_i(t) = ī(t) i(t)(1-i(t))`` (25) and likewise for f, o and
``z̄_g(t) = ḡ(t)(1 - g(t)²)``; the weight gradients generalise (40)::

    w̄_ix = Σ_t z̄_i(t) x(t)     w̄_ih = Σ_t z̄_i(t) h(t-1)     b̄_i = Σ_t z̄_i(t)   (same for f, o, g)

Conventions
-----------
* Arrays are indexed from 0, so index ``t - 1`` holds step ``t`` (``h[..., 0]`` is ``h(1)``).
* Every function is vectorised over a *batch of parameter settings*: each ``LSTMParams`` field,
  ``h0``, ``c0`` and ``y`` may be a float or an array of shape ``(B,)`` (any broadcastable batch
  shape ``S`` works; ``(B,)`` is the intended one) and ``x`` may be ``(T,)`` or ``(B, T)``.
  Per-step outputs then have shape ``(B, T)`` and per-sequence outputs ``(B,)``.  With no batch
  axis anywhere they are ``(T,)`` arrays and plain floats.  Time is always the *last* axis.

Numerics
--------
* ``sigmoid`` is evaluated as ``1/(1+e)`` or ``e/(1+e)`` with ``e = exp(-|z|)`` so it never
  overflows; derivatives use ``sigmoid'(z) = e/(1+e)²`` and ``1 - tanh²(z) = 4u/(1+u)²`` with
  ``u = exp(-2|z|)`` (mathematically ``i(1-i)`` and ``1-g²``, but accurate when saturated).
* The backward recursion for ``(h̄(t), c̄(t))`` is linear and homogeneous, so it is run on a
  copy rescaled by an exact power of two at every step (``frexp``/``ldexp``).  Nothing
  underflows or overflows inside the recursion; ``log10_abs_h_bar``/``log10_abs_c_bar`` give
  exact ``log10|h̄(t)|``/``log10|c̄(t)|`` even where the true value is below 1e-308 (vanishing
  gradients).  The per-step plain fields equal the direct recursion bit for bit (the weight
  sums agree with it to rounding); they underflow to 0 when the true value is below the
  float64 range and become ±inf (never NaN, without a warning) only if the true value is
  above ~1.8e308.
* Only numpy is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from core.numerics import as_real as _as_real
from core.numerics import broadcast_shape as _batch_shape
from core.numerics import common_scale as _common_scale
from core.numerics import dsigmoid as _dsigmoid
from core.numerics import dtanh as _dtanh
from core.numerics import flush_tiny as _flush_tiny
from core.numerics import log10_scaled
from core.numerics import out_value as _out
from core.numerics import readonly as _readonly
from core.numerics import scaled_to_plain as _scaled_to_plain
from core.numerics import sigmoid as _sigmoid

WEIGHT_NAMES = ("w_ix", "w_ih", "w_fx", "w_fh", "w_ox", "w_oh", "w_gx", "w_gh")
BIAS_NAMES = ("b_i", "b_f", "b_o", "b_g")
PARAM_NAMES = WEIGHT_NAMES + BIAS_NAMES
_GATES = ("i", "f", "o", "g")


# --------------------------------------------------------------------------------------------
# Small numerical helpers (shared by the forward and backward pass)
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LSTMParams:
    """The 8 weights and 4 biases of the univariate LSTM (22).

    Each field is a float or, for a batch of settings, a read-only float64 array of shape
    ``(B,)`` (any shapes that broadcast together are accepted).  Biases default to 0, which is
    the sheet's bias-free model.  Every value must be finite (``ValueError`` otherwise).
    """

    w_ix: float | np.ndarray
    w_ih: float | np.ndarray
    w_fx: float | np.ndarray
    w_fh: float | np.ndarray
    w_ox: float | np.ndarray
    w_oh: float | np.ndarray
    w_gx: float | np.ndarray
    w_gh: float | np.ndarray
    b_i: float | np.ndarray = 0.0
    b_f: float | np.ndarray = 0.0
    b_o: float | np.ndarray = 0.0
    b_g: float | np.ndarray = 0.0

    def __post_init__(self) -> None:
        for name in PARAM_NAMES:
            object.__setattr__(self, name, _as_real(name, getattr(self, name)))
        _batch_shape("LSTMParams", {n: np.shape(getattr(self, n)) for n in PARAM_NAMES})

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """``()`` for a single setting, ``(B,)`` for a batch."""
        return tuple(np.broadcast_shapes(*(np.shape(getattr(self, n)) for n in PARAM_NAMES)))

    def as_dict(self) -> dict[str, float | np.ndarray]:
        return {n: getattr(self, n) for n in PARAM_NAMES}

    def take(self, index) -> LSTMParams:
        """The setting(s) at ``index`` of the batch (e.g. ``p.take(3)`` -> float fields)."""
        shape = self.batch_shape
        return LSTMParams(
            **{n: np.broadcast_to(v, shape)[index] for n, v in self.as_dict().items()}
        )

    def key(self) -> bytes:
        """A hashable fingerprint (for caches)."""
        parts = []
        for n in PARAM_NAMES:
            v = np.asarray(getattr(self, n), dtype=np.float64)
            parts.append(repr(v.shape).encode() + v.tobytes())
        return b"|".join(parts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LSTMParams) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())


# The example setting used throughout the app (not from the sheet, which has no numbers).
EXAMPLE_PARAMS = LSTMParams(
    w_ix=0.5, w_ih=-0.3, w_fx=0.8, w_fh=0.1, w_ox=-0.4, w_oh=0.6, w_gx=0.9, w_gh=-0.2
)


# --------------------------------------------------------------------------------------------
# Forward pass (22)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LSTMTrace:
    """Everything the forward pass (22) computed.  Read-only arrays, time on the last axis.

    params            the parameters used
    x                 (*S, T)  inputs x(1..T), broadcast to the batch shape S (() or (B,))
    h0, c0            (*S,)    initial state h(0), c(0) (floats when unbatched)
    z_i z_f z_o z_g   (*S, T)  gate pre-activations, bias included
    i f o g           (*S, T)  gate values
    c h               (*S, T)  cell state c(t) and hidden state h(t)
    """

    params: LSTMParams
    x: np.ndarray
    h0: float | np.ndarray
    c0: float | np.ndarray
    z_i: np.ndarray
    z_f: np.ndarray
    z_o: np.ndarray
    z_g: np.ndarray
    i: np.ndarray
    f: np.ndarray
    o: np.ndarray
    g: np.ndarray
    c: np.ndarray
    h: np.ndarray

    @property
    def T(self) -> int:
        return self.x.shape[-1]

    @property
    def batch_shape(self) -> tuple[int, ...]:
        return self.x.shape[:-1]

    @property
    def h_prev(self) -> np.ndarray:
        """(*S, T): h(t-1) for t = 1..T, i.e. h(0), h(1), ..., h(T-1)."""
        h0 = np.broadcast_to(self.h0, self.batch_shape)[..., None]
        return np.concatenate([h0, self.h[..., :-1]], axis=-1)

    @property
    def c_prev(self) -> np.ndarray:
        """(*S, T): c(t-1) for t = 1..T."""
        c0 = np.broadcast_to(self.c0, self.batch_shape)[..., None]
        return np.concatenate([c0, self.c[..., :-1]], axis=-1)


def _check_x(x) -> np.ndarray:
    xa = _as_real("x", x)
    if not isinstance(xa, np.ndarray) or xa.shape[-1] < 1:
        raise ValueError("x must be a non-empty sequence: shape (T,), or (B, T) for a batch.")
    return xa


def lstm_forward(p: LSTMParams, x, h0=0.0, c0=0.0) -> LSTMTrace:
    """Run the LSTM (22) over ``x``.

    p       LSTMParams, fields float or (B,)
    x       (T,) or (B, T) inputs x(1..T)
    h0, c0  float or (B,) initial states
    returns LSTMTrace with per-step arrays of shape (T,) or (B, T)
    """
    if not isinstance(p, LSTMParams):
        raise TypeError("p must be an LSTMParams.")
    xa = _check_x(x)
    h0a = _as_real("h0", h0)
    c0a = _as_real("c0", c0)
    S = _batch_shape(
        "lstm_forward",
        {
            "params": p.batch_shape,
            "x[..., t]": xa.shape[:-1],
            "h0": np.shape(h0a),
            "c0": np.shape(c0a),
        },
    )
    T = xa.shape[-1]
    xb = np.broadcast_to(xa, S + (T,))

    def stacked(names):  # (4, *S)
        return np.stack([np.broadcast_to(getattr(p, n), S) for n in names])

    w_x = stacked(("w_ix", "w_fx", "w_ox", "w_gx"))
    w_h = stacked(("w_ih", "w_fh", "w_oh", "w_gh"))
    bias = stacked(BIAS_NAMES)
    zx = w_x[..., None] * xb + bias[..., None]  # (4, *S, T) input part of z (22)

    # Time stays the last axis; each step writes one column (cheaper than transposing after).
    Z = np.empty_like(zx)  # (4, *S, T) pre-activations
    A = np.empty_like(zx)  # (4, *S, T) i, f, o, g
    C = np.empty(S + (T,))  # (*S, T)
    Hs = np.empty(S + (T,))  # (*S, T)
    h = np.array(np.broadcast_to(h0a, S), dtype=np.float64)  # (*S,)
    c = np.array(np.broadcast_to(c0a, S), dtype=np.float64)  # (*S,)
    for k in range(T):  # step t = k + 1
        z = zx[..., k] + w_h * h  # (4, *S)
        ifo = _sigmoid(z[:3])  # i, f, o   (3, *S)
        g = np.tanh(z[3])  # g         (*S,)
        c = ifo[1] * c + ifo[0] * g  # c(t) = f c(t-1) + i g
        h = ifo[2] * np.tanh(c)  # h(t) = o tanh c(t)
        Z[..., k] = z
        A[:3, ..., k] = ifo
        A[3, ..., k] = g
        C[..., k] = c
        Hs[..., k] = h

    gates = {}
    for j, name in enumerate(_GATES):
        gates["z_" + name] = _readonly(Z[j])
        gates[name] = _readonly(A[j])
    return LSTMTrace(
        params=p,
        x=_readonly(xb),
        h0=_out(np.broadcast_to(h0a, S)),
        c0=_out(np.broadcast_to(c0a, S)),
        c=_readonly(C),
        h=_readonly(Hs),
        **gates,
    )


# --------------------------------------------------------------------------------------------
# Backward pass (28)-(40), any T
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LSTMGrads:
    """Error signals of ``L = 1/2 (y - h(T))²`` (23).  Index ``t-1`` of a ``(*S, T)`` array
    is step ``t``; S is () or (B,).

    loss                              (*S,)     L (23)
    h_bar c_bar                       (*S, T)   h̄(t), c̄(t): total derivatives (28), (34), (35)
    o_bar g_bar i_bar f_bar           (*S, T)   ō(t), ḡ(t), ī(t), f̄(t)  (30)-(33), (36)-(39)
    z_i_bar z_f_bar z_o_bar z_g_bar   (*S, T)   pre-activation signals z̄ (25)
    w_ix ... w_gh, b_i ... b_g        (*S,)     weight and bias gradients, (40) generalised
    h0_bar c0_bar                     (*S,)     dL/dh(0), dL/dc(0)
    log10_abs_h_bar log10_abs_c_bar   (*S, T)   exact log10|h̄(t)|, log10|c̄(t)| (no underflow;
                                                -inf only where the signal is exactly 0)
    """

    loss: float | np.ndarray
    h_bar: np.ndarray
    c_bar: np.ndarray
    o_bar: np.ndarray
    g_bar: np.ndarray
    i_bar: np.ndarray
    f_bar: np.ndarray
    z_i_bar: np.ndarray
    z_f_bar: np.ndarray
    z_o_bar: np.ndarray
    z_g_bar: np.ndarray
    w_ix: float | np.ndarray
    w_ih: float | np.ndarray
    w_fx: float | np.ndarray
    w_fh: float | np.ndarray
    w_ox: float | np.ndarray
    w_oh: float | np.ndarray
    w_gx: float | np.ndarray
    w_gh: float | np.ndarray
    b_i: float | np.ndarray
    b_f: float | np.ndarray
    b_o: float | np.ndarray
    b_g: float | np.ndarray
    h0_bar: float | np.ndarray
    c0_bar: float | np.ndarray
    log10_abs_h_bar: np.ndarray
    log10_abs_c_bar: np.ndarray

    def as_params(self) -> LSTMParams:
        """The gradient as an LSTMParams (e.g. for a gradient step ``p - lr * grad``).

        Raises ValueError if a gradient overflowed to ±inf.
        """
        return LSTMParams(**{n: getattr(self, n) for n in PARAM_NAMES})


def lstm_backward(p: LSTMParams, tr: LSTMTrace, y) -> LSTMGrads:
    """Hand-written BPTT for ``L = 1/2 (y - h(T))²``: (28)-(39) for every t, (40) for every weight.

    p    the LSTMParams that produced ``tr`` (ValueError otherwise)
    tr   LSTMTrace from ``lstm_forward``
    y    float or (B,) target of h(T)
    """
    if not isinstance(tr, LSTMTrace):
        raise TypeError("tr must be the LSTMTrace returned by lstm_forward.")
    if p is not tr.params and p != tr.params:
        raise ValueError("p differs from the parameters that produced the trace tr.")
    ya = _as_real("y", y)
    S = tr.batch_shape
    try:
        y_b = np.broadcast_to(ya, S)  # (*S,)
    except ValueError:
        raise ValueError(
            f"y must be a float or match the trace's batch shape {S}, got shape {np.shape(ya)}."
        ) from None
    T = tr.T

    def w(name):  # (*S, 1): broadcasts against (*S, T)
        return np.broadcast_to(getattr(p, name), S)[..., None]

    tanh_c = np.tanh(tr.c)  # (*S, T)
    c_prev = tr.c_prev  # (*S, T)
    h_prev = tr.h_prev  # (*S, T)
    dsig_i = _dsigmoid(tr.z_i)  # i(1-i)      (*S, T)
    dsig_f = _dsigmoid(tr.z_f)  # f(1-f)
    dsig_o = _dsigmoid(tr.z_o)  # o(1-o)
    dtanh_g = _dtanh(tr.z_g)  # 1 - g²
    # z̄ = (error signal of the recursion state) * coef, from (25), (30)-(33):
    coef_i = tr.g * dsig_i  # z̄_i(t) = c̄(t) g(t) i(1-i)
    coef_f = c_prev * dsig_f  # z̄_f(t) = c̄(t) c(t-1) f(1-f)
    coef_g = tr.i * dtanh_g  # z̄_g(t) = c̄(t) i(t) (1-g²)
    coef_o = tanh_c * dsig_o  # z̄_o(t) = h̄(t) tanh c(t) o(1-o)
    # (34) as h̄(t-1) = alpha(t) c̄(t) + beta(t) h̄(t); (35) as c̄(t) = a_c(t) h̄(t) + f(t+1) c̄(t+1)
    alpha = w("w_ih") * coef_i + w("w_fh") * coef_f + w("w_gh") * coef_g  # (*S, T)
    beta = w("w_oh") * coef_o  # (*S, T)
    a_c = tr.o * _dtanh(tr.c)  # (*S, T)
    f_next = np.concatenate([tr.f[..., 1:], np.zeros(S + (1,))], axis=-1)  # f(t+1), 0 at T

    # The loop reads and writes one time column of (*S, T) arrays per step.
    HB = np.empty(S + (T,))  # h̄(t) / 2**s(t)
    CB = np.empty(S + (T,))  # c̄(t) / 2**s(t)
    SC = np.empty(S + (T,), dtype=np.int64)  # s(t)
    hb = tr.h[..., -1] - y_b  # h̄(T) = h(T) - y  (28), (*S,)
    cb_next = np.zeros(S)  # c̄(T+1) = 0
    s = np.zeros(S, dtype=np.int64)
    for k in range(T - 1, -1, -1):  # step t = k + 1, from T down to 1
        cb = hb * a_c[..., k] + cb_next * f_next[..., k]  # (29) / (35)
        e = np.frexp(np.maximum(np.abs(hb), np.abs(cb)))[1]
        hb = np.ldexp(hb, -e)  # exact rescaling by 2**-e
        cb = np.ldexp(cb, -e)
        s = s + e
        HB[..., k] = hb
        CB[..., k] = cb
        SC[..., k] = s
        hb = cb * alpha[..., k] + hb * beta[..., k]  # h̄(t-1)  (34); h̄(0) after t = 1
        cb_next = cb
    h0_hat = hb  # (*S,) scale 2**s(1)
    c0_hat = cb_next * tr.f[..., 0]  # c̄(0) = c̄(1) f(1), scale 2**s(1)

    hb_s, cb_s, sc = HB, CB, SC  # (*S, T)
    # pre-activation signals z̄ (25) of the four gates, scaled: z̄(t) = z_hat(t) 2**s(t)
    z_hat = np.stack([cb_s * coef_i, cb_s * coef_f, hb_s * coef_o, cb_s * coef_g])  # (4, *S, T)
    # weight sums (40) on a common scale per gate and setting (largest term in [0.5, 1))
    top = _common_scale(np.abs(z_hat), sc)  # (4, *S)
    with np.errstate(under="ignore"):
        rel = _flush_tiny(np.ldexp(z_hat, sc - top[..., None]))  # z̄ / 2**top
    w_x_bar = _scaled_to_plain((rel * tr.x).sum(axis=-1), top)  # Σ z̄ x(t)
    w_h_bar = _scaled_to_plain((rel * h_prev).sum(axis=-1), top)  # Σ z̄ h(t-1)
    b_bar = _scaled_to_plain(rel.sum(axis=-1), top)  # Σ z̄
    # per-step signals back to plain values (one ldexp over all ten of them)
    signals = _scaled_to_plain(
        np.concatenate(
            [
                z_hat,
                np.stack(
                    [
                        hb_s,
                        cb_s,
                        hb_s * tanh_c,  # ō (30), (36)
                        cb_s * tr.i,  # ḡ (31), (37)
                        cb_s * tr.g,  # ī (32), (38)
                        cb_s * c_prev,
                    ]
                ),  # f̄ (33), (39)
            ]
        ),
        sc,
    )  # (10, *S, T)
    names = (
        "z_i_bar",
        "z_f_bar",
        "z_o_bar",
        "z_g_bar",
        "h_bar",
        "c_bar",
        "o_bar",
        "g_bar",
        "i_bar",
        "f_bar",
    )
    fields = {n: _readonly(signals[j]) for j, n in enumerate(names)}
    for j, gate in enumerate(_GATES):
        fields[f"w_{gate}x"] = _out(w_x_bar[j])
        fields[f"w_{gate}h"] = _out(w_h_bar[j])
        fields[f"b_{gate}"] = _out(b_bar[j])
    return LSTMGrads(
        loss=_out(0.5 * (y_b - tr.h[..., -1]) ** 2),  # (23)
        h0_bar=_out(_scaled_to_plain(h0_hat, s)),
        c0_bar=_out(_scaled_to_plain(c0_hat, s)),
        log10_abs_h_bar=_readonly(log10_scaled(np.abs(hb_s), sc)),
        log10_abs_c_bar=_readonly(log10_scaled(np.abs(cb_s), sc)),
        **fields,
    )


# --------------------------------------------------------------------------------------------
# Part (c): forget-gate sweep and the bound (44)
# --------------------------------------------------------------------------------------------


def default_inputs(T: int) -> np.ndarray:
    """The deterministic input used by the sweeps: ``x(t) = sin(0.7 t)``, t = 1..T.  (T,)"""
    if int(T) != T or T < 1:
        raise ValueError("T must be a positive integer.")
    return np.sin(0.7 * np.arange(1, int(T) + 1))


@dataclass(frozen=True, eq=False)
class ForgetSweep:
    """Result of ``forget_sweep``.  B = number of forget levels, T = number of steps.

    f_levels                           (B,)    requested forget-gate values
    regime                             "sheet" or "small_io"
    params                             LSTMParams with (B,) biases
    trace, grads                       the full (B, T) forward trace and BPTT signals
    abs_c_bar, abs_h_bar               (B, T)  |c̄(t)|, |h̄(t)| (0 where below float64 range)
    log10_abs_c_bar, log10_abs_h_bar   (B, T)  exact log10 of the same (finite unless the
                                               signal is exactly 0)
    """

    f_levels: np.ndarray
    regime: str
    params: LSTMParams
    trace: LSTMTrace
    grads: LSTMGrads
    abs_c_bar: np.ndarray
    abs_h_bar: np.ndarray
    log10_abs_c_bar: np.ndarray
    log10_abs_h_bar: np.ndarray


SWEEP_REGIMES = ("sheet", "small_io")


def forget_sweep(
    f_levels,
    T: int,
    regime: str = "sheet",
    *,
    base: LSTMParams = EXAMPLE_PARAMS,
    x=None,
    y: float = 1.0,
    io_bias: float = 10.0,
    h0: float = 0.0,
    c0: float = 0.0,
) -> ForgetSweep:
    """|c̄(t)| and |h̄(t)| for a batch of constant forget-gate levels, in one vectorised call.

    For every level ``f`` in ``f_levels`` (shape (B,), each strictly between 0 and 1) the LSTM
    is ``base`` with the forget gate pinned to ``f``: ``w_fx = w_fh = 0`` and
    ``b_f = logit(f) = log(f / (1 - f))``, so ``f(t) = f`` at every step.  All other weights and
    biases come from ``base`` (default ``EXAMPLE_PARAMS``), except:

    * ``regime="sheet"``: nothing else changes (i, o, g as in ``base``);
    * ``regime="small_io"``: ``b_i = b_o = -io_bias`` (default -10), which pushes the input and
      output gates to ~sigmoid(-10) = 4.5e-5: the situation of part (c), (41)-(44).

    The input is ``x`` (shape (T,)) or ``default_inputs(T)`` = sin(0.7 t); the loss is (23)
    with target ``y`` (default 1); ``h0``, ``c0`` are the initial states.  One call of
    ``lstm_forward`` and ``lstm_backward`` over the batch of B settings computes everything.
    """
    if regime not in SWEEP_REGIMES:
        raise ValueError(f"regime must be one of {SWEEP_REGIMES}, got {regime!r}.")
    f = _as_real("f_levels", f_levels)
    f = np.atleast_1d(np.asarray(f, dtype=np.float64))
    if f.ndim != 1 or f.size == 0:
        raise ValueError("f_levels must be a non-empty 1-D array of forget-gate values.")
    if np.any((f <= 0) | (f >= 1)):
        raise ValueError("every forget level must lie strictly between 0 and 1.")
    if base.batch_shape != ():
        raise ValueError("base must be a single setting (float fields).")
    xs = default_inputs(T) if x is None else _check_x(x)
    if xs.shape != (int(T),):
        raise ValueError(f"x must have shape (T,) = ({int(T)},), got {xs.shape}.")
    io_bias = _as_real("io_bias", io_bias)

    fields = base.as_dict()
    fields.update(w_fx=0.0, w_fh=0.0, b_f=np.log(f) - np.log1p(-f))  # (B,)
    if regime == "small_io":
        fields.update(b_i=-io_bias, b_o=-io_bias)
    p = LSTMParams(**fields)
    tr = lstm_forward(p, xs, h0=h0, c0=c0)
    gr = lstm_backward(p, tr, y)
    f.setflags(write=False)
    return ForgetSweep(
        f_levels=f,
        regime=regime,
        params=p,
        trace=tr,
        grads=gr,
        abs_c_bar=_readonly(np.abs(gr.c_bar)),
        abs_h_bar=_readonly(np.abs(gr.h_bar)),
        log10_abs_c_bar=gr.log10_abs_c_bar,
        log10_abs_h_bar=gr.log10_abs_h_bar,
    )


class WixBound(NamedTuple):
    """The bound (44) on |w̄_ix| next to the true value (floats, or (B,) arrays for a batch)."""

    bound: float | np.ndarray
    actual: float | np.ndarray

    @property
    def holds(self) -> bool | np.ndarray:
        return np.asarray(self.actual) <= np.asarray(self.bound)


def wix_bound(tr: LSTMTrace, y) -> WixBound:
    """The sheet's bound (44): ``|w̄_ix| <= (1 + |y|) max_t |x(t)| Σ_t i(t)(1 - i(t))``.

    Returns ``WixBound(bound, actual)`` with ``actual = |w̄_ix|`` from ``lstm_backward``.

    Caveat: (44) is derived from the approximation (43), which uses (41)-(42):
    ``c̄(t) ≈ c̄(t+1) ≈ c̄(T) ≈ h̄(T)(1 - tanh² c(T))`` when f ≈ 1 and o ≈ 0;
    since ``|w̄_ix| <= max_t |c̄(t)| max_t |x(t)| Σ_t i(1-i)``, the bound is guaranteed whenever
    ``|c̄(t)| <= 1 + |y|`` for all t, which holds in part (c)'s regime (f ≈ 1, i, o ≈ 0).  In
    general (large recurrent weights) ``c̄(t)`` can exceed that and the bound can fail.  Note
    also that the exact ``c̄(T) = h̄(T) o(T)(1 - tanh² c(T))`` (29) carries a factor o(T) that
    (43) drops, so with o ≈ 0 the true gradient is far below the bound.
    """
    gr = lstm_backward(tr.params, tr, y)
    ya = np.abs(np.broadcast_to(_as_real("y", y), tr.batch_shape))
    bound = (1.0 + ya) * np.max(np.abs(tr.x), axis=-1) * _dsigmoid(tr.z_i).sum(axis=-1)
    return WixBound(bound=_out(bound), actual=_out(np.abs(gr.w_ix)))

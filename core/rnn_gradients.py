"""Vanishing and exploding gradients in plain (tanh) RNNs, by hand-written BPTT.

Scalar RNN (one hidden unit), the model whose gradients the LSTM is designed to fix::

    z(t) = w_x x(t) + w_h h(t-1) + b        h(t) = tanh(z(t))        t = 1 .. T
    L = 1/2 (y - h(T))²

with the sheet's error-signal notation ``v̄ = dL/dv`` (24)-(25)::

    h̄(T)   = h(T) - y
    z̄(t)   = h̄(t) (1 - h(t)²)
    h̄(t-1) = z̄(t) w_h                   (total derivative through every later step)
    w̄_x = Σ_t z̄(t) x(t)     w̄_h = Σ_t z̄(t) h(t-1)     b̄ = Σ_t z̄(t)

so ``h̄(t) = h̄(T) Π_{s=t+1..T} w_h (1 - h(s)²)``: for ``|w_h| < 1`` it shrinks at least as fast
as ``|w_h|**(T-t)``, the vanishing gradient.

Notation.  The sheet's plain RNN is ``h(t) = hard(U x(t) + W h(t-1) + b_h)`` (question 1,
equation (2); tanh here): U holds the input weights, W the recurrent ones.  This module names
them by what they multiply, as question 2 names the LSTM's weights (``w_ix``, ``w_ih``)::

    w_x, W_x  =  the sheet's U   (input weights: scalar, or (H, D))
    w_h, W_h  =  the sheet's W   (recurrent weights: scalar, or (H, H))
    b         =  the sheet's b_h

and the gradient fields keep the same names (``RNNGrads.w_h`` is dL/dW of the sheet).

Vector RNN (H hidden units, D inputs)::

    h(t) = tanh(W_x x(t) + W_h h(t-1) + b)          L = 1/2 ||y - h(T)||²
    h̄(T) = h(T) - y     z̄(t) = h̄(t) ⊙ (1 - h(t)²)     h̄(t-1) = W_hᵀ z̄(t)
    W̄_x = Σ_t z̄(t) x(t)ᵀ     W̄_h = Σ_t z̄(t) h(t-1)ᵀ     b̄ = Σ_t z̄(t)

``make_recurrent_matrix`` draws W_h with a prescribed spectral radius rho from an explicit seed
or ``np.random.Generator``; nothing here draws random numbers otherwise.

Conventions (as in ``core.lstm``): index ``t - 1`` holds step ``t``; time is the last axis of
scalar-RNN arrays, ``(*S, T)``, and the second-to-last of vector-RNN arrays, ``(*S, T, H)``;
every parameter may carry a batch shape S (``(B,)`` intended) and the functions broadcast over
it.  The backward recursions are rescaled by exact powers of two at every step, so the
``log10_*`` fields are exact even far below 1e-308 and the plain fields equal the direct
recursion (underflowing to 0, or saturating to ±inf without a warning, outside float64 range);
weight sums agree with it to rounding.
Only numpy is used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.numerics import as_real as _as_real
from core.numerics import broadcast_shape as _broadcast
from core.numerics import common_scale as _common_scale
from core.numerics import dtanh as _dtanh
from core.numerics import flush_tiny as _flush_tiny
from core.numerics import log10_scaled as _log10_scaled
from core.numerics import out_value as _out
from core.numerics import readonly as _readonly
from core.numerics import scaled_to_plain as _scaled_to_plain

MAX_HIDDEN = 64  # vector RNN sizes offered by the app (make_recurrent_matrix enforces it)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _check_T(T) -> int:
    if int(T) != T or T < 1:
        raise ValueError("T must be a positive integer.")
    return int(T)


def default_inputs(T: int) -> np.ndarray:
    """Deterministic scalar input for the sweeps: ``x(t) = sin(0.7 t)``, t = 1..T.  (T,)"""
    return np.sin(0.7 * np.arange(1, _check_T(T) + 1))


# --------------------------------------------------------------------------------------------
# Scalar RNN
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RNNParams:
    """Scalar RNN weights.  Each field is a float or a (B,) array (a batch of settings)."""

    w_x: float | np.ndarray
    w_h: float | np.ndarray
    b: float | np.ndarray = 0.0

    def __post_init__(self) -> None:
        for name in ("w_x", "w_h", "b"):
            object.__setattr__(self, name, _as_real(name, getattr(self, name)))
        _broadcast("RNNParams", {n: np.shape(getattr(self, n)) for n in ("w_x", "w_h", "b")})

    @property
    def batch_shape(self) -> tuple[int, ...]:
        return tuple(np.broadcast_shapes(np.shape(self.w_x), np.shape(self.w_h), np.shape(self.b)))

    def take(self, index) -> RNNParams:
        """The setting(s) at ``index`` of the batch."""
        S = self.batch_shape
        return RNNParams(*(np.broadcast_to(v, S)[index] for v in (self.w_x, self.w_h, self.b)))

    def key(self) -> bytes:
        return b"|".join(
            repr(np.shape(v)).encode() + np.asarray(v, dtype=np.float64).tobytes()
            for v in (self.w_x, self.w_h, self.b)
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RNNParams) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())


@dataclass(frozen=True, eq=False)
class RNNTrace:
    """Scalar RNN forward pass.  x, z, h: (*S, T); h0: (*S,) (float when unbatched)."""

    params: RNNParams
    x: np.ndarray
    h0: float | np.ndarray
    z: np.ndarray
    h: np.ndarray

    @property
    def T(self) -> int:
        return self.x.shape[-1]

    @property
    def batch_shape(self) -> tuple[int, ...]:
        return self.x.shape[:-1]

    @property
    def h_prev(self) -> np.ndarray:
        """(*S, T): h(0), ..., h(T-1)."""
        h0 = np.broadcast_to(self.h0, self.batch_shape)[..., None]
        return np.concatenate([h0, self.h[..., :-1]], axis=-1)


@dataclass(frozen=True, eq=False)
class RNNGrads:
    """Error signals of L = 1/2 (y - h(T))² for the scalar RNN.

    loss              (*S,)
    h_bar             (*S, T)  h̄(t) = dL/dh(t), total derivative (index t-1 is step t)
    z_bar             (*S, T)  z̄(t)
    w_x, w_h, b       (*S,)    weight gradients
    h0_bar            (*S,)    dL/dh(0)
    log10_abs_h_bar   (*S, T)  exact log10|h̄(t)| (-inf only where h̄(t) is exactly 0)
    """

    loss: float | np.ndarray
    h_bar: np.ndarray
    z_bar: np.ndarray
    w_x: float | np.ndarray
    w_h: float | np.ndarray
    b: float | np.ndarray
    h0_bar: float | np.ndarray
    log10_abs_h_bar: np.ndarray


def rnn_forward(p: RNNParams, x, h0=0.0) -> RNNTrace:
    """h(t) = tanh(w_x x(t) + w_h h(t-1) + b).  x: (T,) or (B, T); h0: float or (B,)."""
    if not isinstance(p, RNNParams):
        raise TypeError("p must be an RNNParams.")
    xa = _as_real("x", x, min_ndim=1)
    if xa.shape[-1] < 1:
        raise ValueError("x must be a non-empty sequence: shape (T,), or (B, T) for a batch.")
    h0a = _as_real("h0", h0)
    S = _broadcast(
        "rnn_forward", {"params": p.batch_shape, "x[..., t]": xa.shape[:-1], "h0": np.shape(h0a)}
    )
    T = xa.shape[-1]
    xb = np.broadcast_to(xa, S + (T,))
    w_x, w_h, b = (np.broadcast_to(v, S) for v in (p.w_x, p.w_h, p.b))
    zx = np.moveaxis(w_x[..., None] * xb + b[..., None], -1, 0)  # (T, *S)
    Z = np.empty((T,) + S)
    Hs = np.empty((T,) + S)
    h = np.array(np.broadcast_to(h0a, S), dtype=np.float64)  # (*S,)
    for k in range(T):
        z = zx[k] + w_h * h
        h = np.tanh(z)
        Z[k] = z
        Hs[k] = h
    return RNNTrace(
        params=p,
        x=_readonly(xb),
        h0=_out(np.broadcast_to(h0a, S)),
        z=_readonly(np.moveaxis(Z, 0, -1)),
        h=_readonly(np.moveaxis(Hs, 0, -1)),
    )


def rnn_backward(p: RNNParams, tr: RNNTrace, y) -> RNNGrads:
    """Hand-written BPTT of the scalar RNN.  y: float or (B,) target of h(T)."""
    if not isinstance(tr, RNNTrace):
        raise TypeError("tr must be the RNNTrace returned by rnn_forward.")
    if p is not tr.params and p != tr.params:
        raise ValueError("p differs from the parameters that produced the trace tr.")
    S = tr.batch_shape
    try:
        y_b = np.broadcast_to(_as_real("y", y), S)
    except ValueError:
        raise ValueError(f"y must be a float or match the batch shape {S}.") from None
    T = tr.T
    dz = _dtanh(tr.z)  # 1 - h(t)²   (*S, T)
    gain_t = np.moveaxis(np.broadcast_to(p.w_h, S)[..., None] * dz, -1, 0).copy()  # (T, *S)
    HB = np.empty((T,) + S)  # h̄(t) / 2**s(t)
    SC = np.empty((T,) + S, dtype=np.int64)
    hb = tr.h[..., -1] - y_b  # h̄(T)
    s = np.zeros(S, dtype=np.int64)
    for k in range(T - 1, -1, -1):
        e = np.frexp(np.abs(hb))[1]
        hb = np.ldexp(hb, -e)
        s = s + e
        HB[k] = hb
        SC[k] = s
        hb = hb * gain_t[k]  # h̄(t-1) = w_h (1-h²) h̄(t)
    hb_s = np.ascontiguousarray(np.moveaxis(HB, 0, -1))  # (*S, T)
    sc = np.ascontiguousarray(np.moveaxis(SC, 0, -1))
    z_hat = hb_s * dz  # z̄(t) / 2**s(t)
    top = _common_scale(np.abs(z_hat), sc)  # common scale per setting
    with np.errstate(under="ignore"):
        rel = _flush_tiny(np.ldexp(z_hat, sc - top[..., None]))  # z̄(t) / 2**top

    def total(terms):
        return _out(_scaled_to_plain(terms.sum(axis=-1), top))

    return RNNGrads(
        loss=_out(0.5 * (y_b - tr.h[..., -1]) ** 2),
        h_bar=_readonly(_scaled_to_plain(hb_s, sc)),
        z_bar=_readonly(_scaled_to_plain(z_hat, sc)),
        w_x=total(rel * tr.x),
        w_h=total(rel * tr.h_prev),
        b=total(rel),
        h0_bar=_out(_scaled_to_plain(hb, s)),
        log10_abs_h_bar=_readonly(_log10_scaled(np.abs(hb_s), sc)),
    )


@dataclass(frozen=True, eq=False)
class WhSweep:
    """``rnn_wh_sweep`` result: w_h (B,), the (B, T) trace and gradients, and the heatmap
    ``log10_abs_h_bar`` (B, T) = log10|dL/dh(t)| (exact, no underflow)."""

    w_h: np.ndarray
    trace: RNNTrace
    grads: RNNGrads
    log10_abs_h_bar: np.ndarray


def rnn_wh_sweep(
    w_h_values, T: int, *, w_x: float = 1.0, b: float = 0.0, x=None, y: float = 1.0, h0: float = 0.0
) -> WhSweep:
    """log10|dL/dh(t)| against t and w_h: one vectorised scalar-RNN pass over B values of w_h.

    w_h_values (B,); the input is ``x`` (T,) or ``default_inputs(T)`` = sin(0.7 t); the other
    parameters are shared by all B settings.
    """
    wh = _as_real("w_h_values", w_h_values, min_ndim=1)
    if wh.ndim != 1:
        raise ValueError("w_h_values must be a 1-D array of recurrent weights.")
    xs = default_inputs(T) if x is None else _as_real("x", x, min_ndim=1)
    if xs.shape != (_check_T(T),):
        raise ValueError(f"x must have shape (T,) = ({int(T)},), got {xs.shape}.")
    p = RNNParams(w_x=w_x, w_h=wh, b=b)
    tr = rnn_forward(p, xs, h0=h0)
    gr = rnn_backward(p, tr, y)
    return WhSweep(w_h=wh, trace=tr, grads=gr, log10_abs_h_bar=gr.log10_abs_h_bar)


# --------------------------------------------------------------------------------------------
# Vector RNN
# --------------------------------------------------------------------------------------------


def _rng(rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise TypeError("rng must be a numpy.random.Generator or a non-negative integer seed.")


def spectral_radius(W) -> float | np.ndarray:
    """max |eigenvalue| of W (H, H), or of each matrix of a (*S, H, H) stack -> (*S,)."""
    Wa = np.asarray(W, dtype=np.float64)
    if Wa.ndim < 2 or Wa.shape[-1] != Wa.shape[-2]:
        raise ValueError(f"W must be square (H, H) or a stack (..., H, H), got {Wa.shape}.")
    return _out(np.abs(np.linalg.eigvals(Wa)).max(axis=-1))


def make_recurrent_matrix(H: int, rho, *, rng) -> np.ndarray:
    """A random (H, H) recurrent matrix with spectral radius exactly ``rho`` (to rounding).

    A = standard Gaussian (H, H) / sqrt(H) drawn from ``rng`` (a Generator or an int seed),
    then W = rho * A / spectral_radius(A).  ``rho`` may be a float -> (H, H), or an array
    (*R,) -> (*R, H, H): every rho scales the *same* A, so a sweep varies only the radius.
    """
    if int(H) != H or not 1 <= H <= MAX_HIDDEN:
        raise ValueError(f"H must be an integer between 1 and {MAX_HIDDEN}.")
    r = np.asarray(_as_real("rho", rho))
    if np.any(r < 0):
        raise ValueError("rho (a spectral radius) must be >= 0.")
    gen = _rng(rng)
    H = int(H)
    A = gen.standard_normal((H, H)) / math.sqrt(H)
    radius = float(np.abs(np.linalg.eigvals(A)).max())
    if radius < 1e-12:  # probability zero for a Gaussian draw; guard anyway
        raise ValueError("degenerate random matrix (spectral radius ~ 0); use another seed.")
    return _readonly(r[..., None, None] * (A / radius))


@dataclass(frozen=True, eq=False)
class VectorRNNParams:
    """Vector RNN weights.  W_x (*S, H, D), W_h (*S, H, H), b (*S, H); S = () or (B,)."""

    W_x: np.ndarray
    W_h: np.ndarray
    b: np.ndarray

    def __post_init__(self) -> None:
        W_x = _as_real("W_x", self.W_x, min_ndim=2)
        W_h = _as_real("W_h", self.W_h, min_ndim=2)
        b = _as_real("b", self.b, min_ndim=1)
        H = W_h.shape[-1]
        if W_h.shape[-2] != H:
            raise ValueError(f"W_h must be square (..., H, H), got {W_h.shape}.")
        if W_x.shape[-2] != H:
            raise ValueError(f"W_x must be (..., H, D) with H = {H}, got {W_x.shape}.")
        if b.shape[-1] != H:
            raise ValueError(f"b must be (..., H) with H = {H}, got {b.shape}.")
        _broadcast(
            "VectorRNNParams", {"W_x": W_x.shape[:-2], "W_h": W_h.shape[:-2], "b": b.shape[:-1]}
        )
        object.__setattr__(self, "W_x", W_x)
        object.__setattr__(self, "W_h", W_h)
        object.__setattr__(self, "b", b)

    @property
    def H(self) -> int:
        return self.W_h.shape[-1]

    @property
    def D(self) -> int:
        return self.W_x.shape[-1]

    @property
    def batch_shape(self) -> tuple[int, ...]:
        return tuple(
            np.broadcast_shapes(self.W_x.shape[:-2], self.W_h.shape[:-2], self.b.shape[:-1])
        )

    def take(self, index) -> VectorRNNParams:
        S = self.batch_shape
        return VectorRNNParams(
            W_x=np.broadcast_to(self.W_x, S + self.W_x.shape[-2:])[index],
            W_h=np.broadcast_to(self.W_h, S + self.W_h.shape[-2:])[index],
            b=np.broadcast_to(self.b, S + self.b.shape[-1:])[index],
        )

    def key(self) -> bytes:
        return b"|".join(repr(v.shape).encode() + v.tobytes() for v in (self.W_x, self.W_h, self.b))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VectorRNNParams) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())


def make_vector_rnn(H: int, D: int, rho, *, rng, input_scale: float = 1.0) -> VectorRNNParams:
    """Random vector RNN: W_h = make_recurrent_matrix(H, rho, rng=gen) (drawn first), then
    W_x = input_scale * Gaussian (H, D) / sqrt(D) from the same generator; b = 0."""
    if int(D) != D or D < 1:
        raise ValueError("D must be a positive integer.")
    gen = _rng(rng)
    W_h = make_recurrent_matrix(H, rho, rng=gen)
    W_x = float(input_scale) * gen.standard_normal((int(H), int(D))) / math.sqrt(D)
    return VectorRNNParams(W_x=W_x, W_h=W_h, b=np.zeros(int(H)))


@dataclass(frozen=True, eq=False)
class VectorRNNTrace:
    """Vector RNN forward pass.  x (*S, T, D); h0 (*S, H); z, h (*S, T, H)."""

    params: VectorRNNParams
    x: np.ndarray
    h0: np.ndarray
    z: np.ndarray
    h: np.ndarray

    @property
    def T(self) -> int:
        return self.x.shape[-2]

    @property
    def batch_shape(self) -> tuple[int, ...]:
        return self.x.shape[:-2]

    @property
    def h_prev(self) -> np.ndarray:
        """(*S, T, H): h(0), ..., h(T-1)."""
        return np.concatenate([self.h0[..., None, :], self.h[..., :-1, :]], axis=-2)


@dataclass(frozen=True, eq=False)
class VectorRNNGrads:
    """Error signals of L = 1/2 ||y - h(T)||² for the vector RNN.

    loss               (*S,)
    h_bar, z_bar       (*S, T, H)  h̄(t) (total derivative), z̄(t)
    h_bar_norm         (*S, T)     ||h̄(t)||₂
    log10_h_bar_norm   (*S, T)     exact log10 ||h̄(t)||₂ (no underflow)
    W_x (*S, H, D), W_h (*S, H, H), b (*S, H), h0_bar (*S, H)
    """

    loss: float | np.ndarray
    h_bar: np.ndarray
    z_bar: np.ndarray
    h_bar_norm: np.ndarray
    log10_h_bar_norm: np.ndarray
    W_x: np.ndarray
    W_h: np.ndarray
    b: np.ndarray
    h0_bar: np.ndarray


def vector_rnn_forward(p: VectorRNNParams, x, h0=None) -> VectorRNNTrace:
    """h(t) = tanh(W_x x(t) + W_h h(t-1) + b).  x: (T, D) or (B, T, D); h0: None (zeros),
    (H,) or (B, H)."""
    if not isinstance(p, VectorRNNParams):
        raise TypeError("p must be a VectorRNNParams.")
    xa = _as_real("x", x, min_ndim=2)
    if xa.shape[-1] != p.D or xa.shape[-2] < 1:
        raise ValueError(
            f"x must be (T, D) or (B, T, D) with D = {p.D} and T >= 1, got {xa.shape}."
        )
    H = p.H
    h0a = np.zeros(H) if h0 is None else np.asarray(_as_real("h0", h0, min_ndim=1))
    if h0a.shape[-1] != H:
        raise ValueError(f"h0 must be (H,) or (B, H) with H = {H}, got {h0a.shape}.")
    S = _broadcast(
        "vector_rnn_forward", {"params": p.batch_shape, "x": xa.shape[:-2], "h0": h0a.shape[:-1]}
    )
    T = xa.shape[-2]
    xb = np.broadcast_to(xa, S + xa.shape[-2:])  # (*S, T, D)
    zx = np.matmul(xb, np.swapaxes(p.W_x, -1, -2)) + p.b[..., None, :]  # (*S, T, H)
    zx = np.moveaxis(np.broadcast_to(zx, S + (T, H)), -2, 0)  # (T, *S, H)
    W_h = np.broadcast_to(p.W_h, S + (H, H))  # (*S, H, H)
    Z = np.empty((T,) + S + (H,))
    Hs = np.empty((T,) + S + (H,))
    h = np.array(np.broadcast_to(h0a, S + (H,)), dtype=np.float64)  # (*S, H)
    for k in range(T):
        z = zx[k] + np.matmul(W_h, h[..., None])[..., 0]  # W_h h(t-1)
        h = np.tanh(z)
        Z[k] = z
        Hs[k] = h
    return VectorRNNTrace(
        params=p,
        x=_readonly(xb),
        h0=_readonly(np.broadcast_to(h0a, S + (H,))),
        z=_readonly(np.moveaxis(Z, 0, -2)),
        h=_readonly(np.moveaxis(Hs, 0, -2)),
    )


def vector_rnn_backward(p: VectorRNNParams, tr: VectorRNNTrace, y) -> VectorRNNGrads:
    """Hand-written BPTT of the vector RNN.  y: (H,) or (B, H) target of h(T)."""
    if not isinstance(tr, VectorRNNTrace):
        raise TypeError("tr must be the VectorRNNTrace returned by vector_rnn_forward.")
    if p is not tr.params and p != tr.params:
        raise ValueError("p differs from the parameters that produced the trace tr.")
    S = tr.batch_shape
    H = p.H
    try:
        y_b = np.broadcast_to(np.asarray(_as_real("y", y, min_ndim=1)), S + (H,))
    except ValueError:
        raise ValueError(f"y must be (H,) = ({H},) or match the batch shape {S}.") from None
    T = tr.T
    dz = _dtanh(tr.z)  # (*S, T, H)
    dz_t = np.moveaxis(dz, -2, 0)  # (T, *S, H)
    W_hT = np.broadcast_to(np.ascontiguousarray(np.swapaxes(p.W_h, -1, -2)), S + (H, H))
    HB = np.empty((T,) + S + (H,))
    SC = np.empty((T,) + S, dtype=np.int64)
    hb = tr.h[..., -1, :] - y_b  # h̄(T)  (*S, H)
    s = np.zeros(S, dtype=np.int64)
    for k in range(T - 1, -1, -1):
        e = np.frexp(np.abs(hb).max(axis=-1))[1]  # (*S,)
        hb = np.ldexp(hb, -e[..., None])
        s = s + e
        HB[k] = hb
        SC[k] = s
        zb = hb * dz_t[k]  # z̄(t) (scaled)
        hb = np.matmul(W_hT, zb[..., None])[..., 0]  # W_hᵀ z̄(t)
    hb_s = np.moveaxis(HB, 0, -2)  # (*S, T, H)
    sc = np.ascontiguousarray(np.moveaxis(SC, 0, -1))  # (*S, T)
    z_hat = hb_s * dz  # (*S, T, H)
    top = _common_scale(np.abs(z_hat).max(axis=-1), sc)  # (*S,)
    with np.errstate(under="ignore"):  # z̄(t) / 2**top
        rel = _flush_tiny(np.ldexp(z_hat, (sc - top[..., None])[..., None]))

    def total(m):  # (*S, ...) rescaled by 2**top
        return _readonly(_scaled_to_plain(m, top.reshape(top.shape + (1,) * (m.ndim - top.ndim))))

    norm_hat = np.sqrt((hb_s * hb_s).sum(axis=-1))  # (*S, T)
    rel_T = np.swapaxes(rel, -1, -2)  # (*S, H, T)
    return VectorRNNGrads(
        loss=_out(0.5 * np.sum((y_b - tr.h[..., -1, :]) ** 2, axis=-1)),
        h_bar=_readonly(_scaled_to_plain(hb_s, sc[..., None])),
        z_bar=_readonly(_scaled_to_plain(z_hat, sc[..., None])),
        h_bar_norm=_readonly(_scaled_to_plain(norm_hat, sc)),
        log10_h_bar_norm=_readonly(_log10_scaled(norm_hat, sc)),
        W_x=total(np.matmul(rel_T, tr.x)),  # Σ_t z̄(t) x(t)ᵀ
        W_h=total(np.matmul(rel_T, tr.h_prev)),  # Σ_t z̄(t) h(t-1)ᵀ
        b=total(rel.sum(axis=-2)),
        h0_bar=_readonly(_scaled_to_plain(hb, s[..., None])),
    )


@dataclass(frozen=True, eq=False)
class RhoSweep:
    """``rho_sweep`` result: rhos (R,), the batched params/trace/grads, and the heatmap
    ``log10_h_bar_norm`` (R, T) = log10 ||dL/dh(t)||₂."""

    rhos: np.ndarray
    params: VectorRNNParams
    trace: VectorRNNTrace
    grads: VectorRNNGrads
    log10_h_bar_norm: np.ndarray


def _sweep_draws(rhos, T: int, H: int, D: int, seed, input_scale: float):
    """The checked radii (R,) and, from one generator ``seed`` in this order, the vector RNN
    (base recurrent matrix scaled to each radius, then W_x), the inputs x (T, D) and the
    target y (H,): what ``rho_sweep`` and ``rho_sweep_map`` both run on."""
    r = _as_real("rhos", rhos, min_ndim=1)
    if r.ndim != 1:
        raise ValueError("rhos must be a 1-D array of spectral radii.")
    T = _check_T(T)
    gen = _rng(seed)
    p = make_vector_rnn(H, D, r, rng=gen, input_scale=input_scale)
    x = gen.standard_normal((T, int(D)))
    y = gen.uniform(-1.0, 1.0, int(H))
    return r, p, x, y


def rho_sweep(
    rhos, T: int, *, H: int = 32, D: int = 4, seed=0, input_scale: float = 1.0
) -> RhoSweep:
    """||dL/dh(t)|| against t for R spectral radii, one vectorised vector-RNN pass.

    From one generator ``seed`` (int or Generator), in this order: the base recurrent matrix
    (shared by all rhos, see ``make_recurrent_matrix``), W_x (H, D), the inputs x (T, D)
    standard Gaussian, and the target y (H,) uniform in [-1, 1].  b = 0, h(0) = 0.
    """
    r, p, x, y = _sweep_draws(rhos, T, H, D, seed, input_scale)
    tr = vector_rnn_forward(p, x)
    gr = vector_rnn_backward(p, tr, y)
    return RhoSweep(rhos=r, params=p, trace=tr, grads=gr, log10_h_bar_norm=gr.log10_h_bar_norm)


SWEEP_ELEMENTS = 1 << 17  # rho_sweep_map runs as many radii at once as keep (rows, T, H) this small


def rho_sweep_map(
    rhos, T: int, *, H: int = 32, D: int = 4, seed=0, input_scale: float = 1.0
) -> np.ndarray:
    """``rho_sweep(...).log10_h_bar_norm`` (R, T) alone, the same numbers, computed a few
    radii at a time from the same draws.  The full sweep keeps a dozen (R, T, H) float64
    arrays of trace and gradients: 188 MB at R = 100, T = 400, H = 64, for a page that draws
    only this heatmap.  In chunks of at most SWEEP_ELEMENTS (rows, T, H) elements (1 MB a
    float64 array) the peak is 13 MB there and 10.5 MB at the page's default T = 200, H = 32
    (49 MB unchunked), in about the same time (0.06 s)."""
    r, p, x, y = _sweep_draws(rhos, T, H, D, seed, input_scale)
    T = x.shape[0]
    out = np.empty((len(r), T))  # (R, T)
    rows = max(1, SWEEP_ELEMENTS // (T * int(H)))
    for i in range(0, len(r), rows):
        part = p.take(slice(i, i + rows))
        out[i : i + rows] = vector_rnn_backward(
            part, vector_rnn_forward(part, x), y
        ).log10_h_bar_norm
    return _readonly(out)

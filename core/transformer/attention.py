"""Scaled dot-product attention and multi-head attention (review sheet 4, questions 4-5).

The sheet writes attention for one query ``q`` as a probabilistic look-up of the values ``v_i``
by their keys ``k_i``::

    Attention(q, K, V) = sum_i  exp(q . k_i / sqrt(d_k)) / sum_j exp(q . k_j / sqrt(d_k))  v_i

and, stacking the queries as the rows of a matrix ``Q``::

    Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V

``attention_per_query`` is the first line (an explicit sum over keys), and
``scaled_dot_product_attention`` the second (one matrix product); they agree to rounding.

Masks follow ``torch.nn.functional.scaled_dot_product_attention``: a boolean ``mask``
(n_q, n_k) with True where query ``i`` *may* attend to key ``j``; a False entry gets weight
exactly 0 (the causal mask of a decoder, padding of a batch).  A query row with no allowed key
at all (or no key) has no distribution to take; this module returns a row of zero weights and
a zero output for it (``empty_rows="zeros"``, the default) or raises ``ValueError``
(``empty_rows="raise"``) -- never NaN.

Multi-head attention (the sheet's "multi-head self-attention, which calculates attention
separately in different attention heads"): each head ``h`` projects the inputs with its own
W_Q^h, W_K^h, W_V^h, attends, and the ``n_heads`` results are concatenated and mixed by W_O::

    head_h = Attention(X_q W_Q^h, X_kv W_K^h, X_kv W_V^h)        (n_q, d_v)
    MultiHead(X_q, X_kv) = [head_1, ..., head_H] W_O               (n_q, d_model)

Self-attention is the case X_q = X_kv: "the words select each other".  ``multi_head_attention``
computes it in numpy and returns every intermediate in a ``MultiHeadTrace``; the trained
model's torch layers (``core.transformer.layers``) fill the same trace.

Row-vector convention throughout: a sentence is a matrix whose rows are tokens.  Numpy arrays
in, numpy arrays out; ``scaled_dot_product_attention`` also takes torch tensors and then
computes with torch and returns torch tensors (torch is never imported by this module).
"""

from __future__ import annotations

import math
import numbers
import sys
from dataclasses import dataclass

import numpy as np

EMPTY_ROWS = ("zeros", "raise")


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------


def _torch_if_tensor(*xs):
    """The torch module when any of ``xs`` is a torch tensor (torch already imported), else
    None."""
    torch = sys.modules.get("torch")
    if torch is not None and any(isinstance(x, torch.Tensor) for x in xs):
        return torch
    return None


def _scale_factor(scale, d_k: int) -> float:
    """True: 1/sqrt(d_k) (the sheet); False: 1 (no scaling); a positive number: that factor
    (``torch.nn.functional.scaled_dot_product_attention``'s ``scale``)."""
    if isinstance(scale, (bool, np.bool_)):
        if not scale:
            return 1.0
        if d_k < 1:
            raise ValueError(
                "d_k = 0: queries and keys need at least one dimension to scale by 1/sqrt(d_k)."
            )
        return 1.0 / math.sqrt(d_k)
    if isinstance(scale, numbers.Real) and math.isfinite(scale) and scale > 0:
        return float(scale)
    raise ValueError(f"scale must be True, False or a positive number, got {scale!r}.")


def _check_shapes(qs: tuple, ks: tuple, vs: tuple) -> None:
    if len(qs) < 1 or len(ks) < 2 or len(vs) < 2:
        raise ValueError(
            f"expected Q (n_q, d_k) or (d_k,), K (n_k, d_k), V (n_k, d_v); got shapes "
            f"{qs}, {ks}, {vs}."
        )
    if qs[-1] != ks[-1]:
        raise ValueError(f"queries and keys need the same d_k: Q has {qs[-1]}, K has {ks[-1]}.")
    if ks[-2] != vs[-2]:
        raise ValueError(f"K and V need one row per key: K has {ks[-2]} rows, V has {vs[-2]}.")


def _as_bool_mask(mask, xp):
    """``mask`` as a boolean array of ``xp`` (numpy or torch).  Integer 0/1 masks are read as
    booleans; float masks are refused (torch adds float masks to the scores instead)."""
    if xp is np:
        m = np.asarray(mask)
        if m.dtype == np.bool_:
            return m
        if np.issubdtype(m.dtype, np.integer) and np.isin(m, (0, 1)).all():
            return m.astype(bool)
    else:
        m = mask if isinstance(mask, xp.Tensor) else xp.as_tensor(np.asarray(mask))
        if m.dtype == xp.bool:
            return m
        if not m.is_floating_point() and not m.is_complex() and bool(((m == 0) | (m == 1)).all()):
            return m.bool()
    raise ValueError(
        "mask must be boolean (True where a query may attend to a key), got dtype "
        f"{getattr(mask, 'dtype', type(mask).__name__)}."
    )


# --------------------------------------------------------------------------------------------
# Scaled dot-product attention
# --------------------------------------------------------------------------------------------


def scaled_dot_product_attention(Q, K, V, mask=None, scale=True, empty_rows: str = "zeros"):
    """The sheet's Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V, with its weights.

    Q (n_q, d_k), K (n_k, d_k), V (n_k, d_v); leading batch dimensions broadcast, and a single
    query (d_k,) gives an output (d_v,) and weights (n_k,).  ``mask``: boolean, broadcastable
    to (n_q, n_k), True where attending is allowed (as in torch).  ``scale``: True divides the
    scores by sqrt(d_k), False does not, a positive number multiplies them by it.

    Returns ``(out, weights)``: out (n_q, d_v) = weights @ V and weights (n_q, n_k), each row
    a probability distribution over the allowed keys.  A row with no allowed key gets zero
    weights and a zero output (``empty_rows="zeros"``) or raises ``ValueError``
    (``empty_rows="raise"``).  Numpy inputs give float64 numpy outputs; if any input is a
    torch tensor the computation is torch's, in the tensors' dtype, and tensors come back.
    Raises ``ValueError`` for mismatched shapes, d_k = 0 with scaling, a non-boolean mask, or
    non-finite inputs.
    """
    if empty_rows not in EMPTY_ROWS:
        raise ValueError(f"empty_rows must be one of {EMPTY_ROWS}, got {empty_rows!r}.")
    torch = _torch_if_tensor(Q, K, V, mask)
    if torch is None:
        Q, K, V = (np.asarray(x, dtype=np.float64) for x in (Q, K, V))
        xp = np
    else:
        dt = next(x.dtype for x in (Q, K, V) if isinstance(x, torch.Tensor))
        Q, K, V = (torch.as_tensor(x, dtype=dt) for x in (Q, K, V))
        xp = torch
    single = Q.ndim == 1
    if single:
        Q = Q[None, :]  # (1, d_k)
    _check_shapes(tuple(Q.shape), tuple(K.shape), tuple(V.shape))
    for name, x in (("Q", Q), ("K", K), ("V", V)):
        if not bool(xp.isfinite(x).all()):
            raise ValueError(f"{name} contains NaN or infinity.")
    s = _scale_factor(scale, int(Q.shape[-1]))
    scores = (Q @ xp.swapaxes(K, -1, -2)) * s  # (..., n_q, n_k)
    n_q, n_k = scores.shape[-2], scores.shape[-1]  # scores (..., n_q, n_k)
    if mask is None:
        allowed = None
    else:
        allowed = _as_bool_mask(mask, xp)
        try:
            allowed = (
                np.broadcast_to(allowed, scores.shape)
                if xp is np
                else allowed.to(scores.device).expand(scores.shape)
            )
        except (ValueError, RuntimeError):
            raise ValueError(
                f"mask of shape {tuple(allowed.shape)} does not fit the scores (n_q, n_k) = "
                f"{(n_q, n_k)}."
            ) from None
    weights = _masked_softmax(scores, allowed, xp)  # (..., n_q, n_k)
    if empty_rows == "raise" and (n_k == 0 or bool((weights.sum(-1) == 0).any())):
        raise ValueError(
            "a query row has no allowed key (fully masked): its attention weights are undefined."
        )
    out = weights @ V  # (..., n_q, d_v); an all-zero row gives a zero output
    if single:
        return out[0], weights[0]
    return out, weights


def _masked_softmax(scores, allowed, xp):
    """Row softmax of ``scores`` over the ``allowed`` entries (all when None); rows without an
    allowed entry are all zero.  Stable: the row maximum over allowed entries is subtracted."""
    if scores.shape[-1] == 0:
        return scores * 0
    if allowed is None:
        z = (
            scores - scores.max(-1, keepdims=True)
            if xp is np
            else (scores - scores.amax(-1, keepdim=True))
        )
        e = xp.exp(z)
        return e / e.sum(-1, keepdims=True) if xp is np else e / e.sum(-1, keepdim=True)
    if xp is np:
        filled = np.where(allowed, scores, -np.inf)
        m = filled.max(-1, keepdims=True)
        m = np.where(np.isfinite(m), m, 0.0)
        e = np.where(allowed, np.exp(np.where(allowed, scores - m, 0.0)), 0.0)
        den = e.sum(-1, keepdims=True)
        return np.divide(e, den, out=np.zeros_like(e), where=den > 0)
    filled = scores.masked_fill(~allowed, float("-inf"))
    m = filled.amax(-1, keepdim=True)
    m = xp.where(xp.isfinite(m), m, xp.zeros_like(m))
    e = xp.exp(filled - m)  # exp(-inf) = 0 on masked entries
    den = e.sum(-1, keepdim=True)
    return xp.where(den > 0, e / xp.where(den > 0, den, xp.ones_like(den)), xp.zeros_like(e))


def attention_per_query(q, K, V, allowed=None, scale=True):
    """The sheet's per-query form, written as its sum over keys::

        alpha_i = exp(q . k_i / sqrt(d_k)) / sum_j exp(q . k_j / sqrt(d_k))
        Attention(q, K, V) = sum_i alpha_i v_i

    q (d_k,), K (n_k, d_k), V (n_k, d_v), ``allowed`` (n_k,) booleans (None: all).  Returns
    (output (d_v,), alpha (n_k,)), float64; with no allowed key both are zeros.  The largest
    exponent is subtracted first (the same factor cancels in the ratio), so huge dot products do
    not overflow.  A deliberately plain loop: the reference the matrix form is checked against.
    """
    q = np.asarray(q, dtype=np.float64)
    K = np.asarray(K, dtype=np.float64)
    V = np.asarray(V, dtype=np.float64)
    if q.ndim != 1:
        raise ValueError(f"q must be one query (d_k,), got shape {q.shape}.")
    _check_shapes(q.shape, K.shape, V.shape)
    s = _scale_factor(scale, q.shape[0])
    n_k = K.shape[0]
    ok = [True] * n_k if allowed is None else [bool(a) for a in np.asarray(allowed).ravel()]
    if len(ok) != n_k:
        raise ValueError(f"allowed has {len(ok)} entries for {n_k} keys.")
    dots = [float(q @ K[i]) * s for i in range(n_k)]  # q . k_i / sqrt(d_k)
    top = max((d for d, a in zip(dots, ok, strict=True) if a), default=0.0)
    num = [math.exp(d - top) if a else 0.0 for d, a in zip(dots, ok, strict=True)]
    den = sum(num)
    alpha = np.array([x / den if den > 0 else 0.0 for x in num], dtype=np.float64)
    out = np.zeros(V.shape[1], dtype=np.float64)
    for i in range(n_k):
        out += alpha[i] * V[i]  # sum_i alpha_i v_i
    return out, alpha


def causal_mask(n: int) -> np.ndarray:
    """(n, n) boolean lower-triangular mask: position t may attend to positions 0 .. t only
    (a decoder must not look at the words it has not written yet)."""
    return np.tril(np.ones((n, n), dtype=bool))


def padding_mask(lengths, n_k: int | None = None) -> np.ndarray:
    """(B, n_k) boolean: True on the first ``lengths[b]`` keys of sentence b (real tokens),
    False on padding."""
    lengths = np.asarray(lengths, dtype=np.int64)
    n = int(lengths.max(initial=0)) if n_k is None else int(n_k)
    return np.arange(n)[None, :] < lengths[:, None]


# --------------------------------------------------------------------------------------------
# Multi-head attention
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MultiHeadParams:
    """Per-head projections and the output projection of multi-head attention.

    W_Q (H, d_model, d_k), W_K (H, d_model, d_k), W_V (H, d_model, d_v), W_O (H * d_v, d_model),
    optional biases b_Q (H, d_k), b_K (H, d_k), b_V (H, d_v), b_O (d_model,).  Row vectors:
    head h's queries are X W_Q[h] + b_Q[h].
    """

    W_Q: np.ndarray
    W_K: np.ndarray
    W_V: np.ndarray
    W_O: np.ndarray
    b_Q: np.ndarray | None = None
    b_K: np.ndarray | None = None
    b_V: np.ndarray | None = None
    b_O: np.ndarray | None = None

    def __post_init__(self) -> None:
        for name in ("W_Q", "W_K", "W_V", "W_O", "b_Q", "b_K", "b_V", "b_O"):
            v = getattr(self, name)
            if v is not None:
                object.__setattr__(self, name, np.asarray(v, dtype=np.float64))
        H, d_model, d_k = self.W_Q.shape
        d_v = self.W_V.shape[2]
        if self.W_K.shape != (H, d_model, d_k) or self.W_V.shape[:2] != (H, d_model):
            raise ValueError(
                f"W_K {self.W_K.shape} and W_V {self.W_V.shape} must match W_Q "
                f"{self.W_Q.shape} in heads and d_model."
            )
        if self.W_O.shape != (H * d_v, d_model):
            raise ValueError(
                f"W_O must be (H * d_v, d_model) = {(H * d_v, d_model)}, got {self.W_O.shape}."
            )

    @property
    def n_heads(self) -> int:
        return int(self.W_Q.shape[0])

    @property
    def d_model(self) -> int:
        return int(self.W_Q.shape[1])

    @property
    def d_k(self) -> int:
        return int(self.W_Q.shape[2])

    @property
    def d_v(self) -> int:
        return int(self.W_V.shape[2])

    @classmethod
    def random(cls, d_model: int, n_heads: int, seed: int = 0, bias: bool = False):
        """Glorot-uniform-like random parameters with d_k = d_v = d_model / n_heads."""
        if n_heads < 1 or d_model % n_heads:
            raise ValueError(f"d_model ({d_model}) must be a multiple of n_heads ({n_heads}).")
        rng = np.random.default_rng(seed)
        d_k = d_model // n_heads
        a = math.sqrt(6.0 / (2 * d_model))

        def u(*shape):
            return rng.uniform(-a, a, size=shape)

        return cls(
            W_Q=u(n_heads, d_model, d_k),
            W_K=u(n_heads, d_model, d_k),
            W_V=u(n_heads, d_model, d_k),
            W_O=u(n_heads * d_k, d_model),
            b_Q=u(n_heads, d_k) if bias else None,
            b_K=u(n_heads, d_k) if bias else None,
            b_V=u(n_heads, d_k) if bias else None,
            b_O=u(d_model) if bias else None,
        )


@dataclass(frozen=True, eq=False)
class MultiHeadTrace:
    """Every intermediate of one multi-head attention call on one sentence (H heads).

    Q (H, n_q, d_k), K (H, n_k, d_k), V (H, n_k, d_v)   per-head projections of the inputs
    scores  (H, n_q, n_k)   Q_h K_h^T / sqrt(d_k), before masking
    weights (H, n_q, n_k)   softmax rows (0 on masked entries)
    heads   (H, n_q, d_v)   weights_h @ V_h
    concat  (n_q, H * d_v)  [head_1, ..., head_H]
    W_O     (H * d_v, d_model)
    output  (n_q, d_model)  concat @ W_O (+ b_O)
    mask    (n_q, n_k) bool or None, True = allowed
    """

    Q: np.ndarray
    K: np.ndarray
    V: np.ndarray
    scores: np.ndarray
    weights: np.ndarray
    heads: np.ndarray
    concat: np.ndarray
    W_O: np.ndarray
    output: np.ndarray
    mask: np.ndarray | None = None

    @property
    def n_heads(self) -> int:
        return int(self.weights.shape[0])


def multi_head_attention(X_q, X_kv, params: MultiHeadParams, mask=None) -> MultiHeadTrace:
    """Multi-head attention of queries from ``X_q`` (n_q, d_model) over ``X_kv`` (n_k, d_model)
    (self-attention: pass the same matrix twice), in numpy, with every step in the trace.
    ``mask`` (n_q, n_k) boolean, True = allowed."""
    X_q = np.asarray(X_q, dtype=np.float64)
    X_kv = np.asarray(X_kv, dtype=np.float64)
    p = params
    if X_q.ndim != 2 or X_kv.ndim != 2 or X_q.shape[1] != p.d_model or X_kv.shape[1] != p.d_model:
        raise ValueError(
            f"X_q and X_kv must be (n, d_model = {p.d_model}), got {X_q.shape} and {X_kv.shape}."
        )

    def proj(X, W, b):  # (n, d_model) x (H, d_model, d) -> (H, n, d)
        Y = np.einsum("nm,hmd->hnd", X, W)
        return Y if b is None else Y + b[:, None, :]

    Q = proj(X_q, p.W_Q, p.b_Q)  # (H, n_q, d_k)
    K = proj(X_kv, p.W_K, p.b_K)  # (H, n_k, d_k)
    V = proj(X_kv, p.W_V, p.b_V)  # (H, n_k, d_v)
    heads, weights = scaled_dot_product_attention(Q, K, V, mask=mask)  # (H, n_q, d_v), (H,n_q,n_k)
    scores = Q @ K.transpose(0, 2, 1) / math.sqrt(p.d_k)  # (H, n_q, n_k)
    concat = heads.transpose(1, 0, 2).reshape(X_q.shape[0], p.n_heads * p.d_v)  # (n_q, H d_v)
    output = concat @ p.W_O + (0.0 if p.b_O is None else p.b_O)  # (n_q, d_model)
    m = None if mask is None else np.broadcast_to(_as_bool_mask(mask, np), scores.shape[1:])
    return MultiHeadTrace(Q, K, V, scores, weights, heads, concat, p.W_O, output, m)

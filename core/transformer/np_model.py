"""The trained transformer at inference, in numpy: what the web server runs (no torch).

The same eval-mode arithmetic as ``core.transformer.model.Transformer`` and
``core.transformer.layers`` (dropout is the identity), in float32 like torch on a CPU, from the
same weights by the same ``state_dict`` names (``core.transformer.config.param_shapes``)::

    source ids (B, S) -> embedding * sqrt(d_model) + PE -> N encoder layers   -> memory (B, S, d)
    target ids (B, T) -> embedding * sqrt(d_model) + PE -> N decoder layers -> final linear

with pre-LN (``norm_first``) or post-LN layers, a final layer norm after each pre-LN stack, and
the output matrix tied to the target embedding (``tie_output``) or its own.  The pieces mirror
the torch modules (``layer.self_attn.W_Q``, ``layer.ff.linear1``, ``layer.norm2``, ...) so that
``core.transformer.probe`` reads them the same way.  Masks are boolean, True = allowed.

    model = NumpyTransformer(weights, cfg)   # weights {name: array}, as core.checkpoint_np reads
    model = as_numpy(torch_model)            # the same from a torch Transformer (tests, training)
    logits = model(src, tgt_in)              # (B, T, V) for src (B, S), tgt_in (B, T)
"""

from __future__ import annotations

import math
import sys

import numpy as np

from core.numerics import readonly
from core.seq2seq.data import PAD
from core.transformer.attention import MultiHeadParams, MultiHeadTrace
from core.transformer.config import TransformerConfig, param_shapes
from core.transformer.positional import positional_encoding

DTYPE = np.float32
LN_EPS = 1e-5  # torch.nn.LayerNorm's default


def _f64(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def softmax(x: np.ndarray, allowed: np.ndarray | None = None) -> np.ndarray:
    """Row softmax over the last axis, 0 where ``allowed`` (broadcastable) is False; a row
    without an allowed entry is all zero (never NaN)."""
    if allowed is not None:
        x = np.where(allowed, x, -np.inf)
    m = x.max(-1, keepdims=True)
    e = np.exp(x - np.where(np.isfinite(m), m, 0))
    den = e.sum(-1, keepdims=True)
    return e / np.where(den > 0, den, 1)


def log_softmax(x: np.ndarray) -> np.ndarray:
    """log softmax over the last axis (max subtracted first, as torch)."""
    z = x - x.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


class Linear:
    """x W^T + b with torch's (n_out, n_in) ``weight``."""

    def __init__(self, weight: np.ndarray, bias: np.ndarray):
        self.weight, self.bias = weight, bias  # (n_out, n_in), (n_out,)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """x (..., n_in) -> (..., n_out), as one matrix product over all rows.  ``weight.T`` is
        a view that BLAS reads transposed: no second copy of the weights (19 MB for the shipped
        model, the tied output matrix included)."""
        y = x.reshape(-1, x.shape[-1]) @ self.weight.T  # (rows, n_out)
        return (y + self.bias).reshape(*x.shape[:-1], -1)


class LayerNorm:
    """torch.nn.LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * weight + bias,
    the variance biased (divided by d)."""

    def __init__(self, weight: np.ndarray, bias: np.ndarray, eps: float = LN_EPS):
        self.weight, self.bias, self.eps = weight, bias, eps

    def standardise(self, x: np.ndarray) -> np.ndarray:
        """(x - mean) / sqrt(var + eps) per row, before gain and bias."""
        mu = x.mean(-1, keepdims=True)
        c = x - mu
        var = (c * c).mean(-1, keepdims=True)
        return c / np.sqrt(var + x.dtype.type(self.eps))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.standardise(x) * self.weight + self.bias


class Identity:
    """The post-LN stacks' missing final norm."""

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return x


class MultiHeadAttention:
    """H heads of scaled dot-product attention with stacked per-head projections and W_O, as
    ``core.transformer.layers.MultiHeadAttention`` (W_Q^h is ``W_Q.weight[h d_k:(h+1) d_k].T``).
    """

    def __init__(self, w: dict[str, np.ndarray], prefix: str, n_heads: int):
        self.W_Q, self.W_K, self.W_V, self.W_O = (
            Linear(w[f"{prefix}.{n}.weight"], w[f"{prefix}.{n}.bias"])
            for n in ("W_Q", "W_K", "W_V", "W_O")
        )
        self.d_model = self.W_Q.weight.shape[1]
        self.n_heads, self.d_k = n_heads, self.d_model // n_heads

    def _split(self, x: np.ndarray) -> np.ndarray:
        B, n, _ = x.shape
        return x.reshape(B, n, self.n_heads, self.d_k).transpose(0, 2, 1, 3)  # (B, H, n, d_k)

    def project_kv(self, x_kv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-head keys and values of x_kv (B, n_k, d_model): two (B, H, n_k, d_k)."""
        return self._split(self.W_K(x_kv)), self._split(self.W_V(x_kv))

    def attend(self, x_q, K, V, allowed=None, need_weights: bool = False):
        """Queries x_q (B, n_q, d_model) over projected keys and values K, V (B, H, n_k, d_k).
        Returns the output (B, n_q, d_model) and the weights (B, H, n_q, n_k) (None unless
        ``need_weights``)."""
        Q = self._split(self.W_Q(x_q))  # (B, H, n_q, d_k)
        scores = Q @ K.transpose(0, 1, 3, 2) / Q.dtype.type(math.sqrt(self.d_k))  # (B,H,n_q,n_k)
        alpha = softmax(scores, allowed)  # (B, H, n_q, n_k)
        heads = alpha @ V  # (B, H, n_q, d_k)
        B, _, n_q, _ = heads.shape
        out = self.W_O(heads.transpose(0, 2, 1, 3).reshape(B, n_q, self.d_model))
        return out, (alpha if need_weights else None)

    def __call__(self, x_q, x_kv, allowed=None, need_weights: bool = False):
        """x_q (B, n_q, d_model), x_kv (B, n_k, d_model), ``allowed`` broadcastable to
        (B, H, n_q, n_k).  Returns the output (B, n_q, d_model) and the weights or None."""
        return self.attend(x_q, *self.project_kv(x_kv), allowed, need_weights)

    def params(self) -> MultiHeadParams:
        """The per-head matrices in the sheet's row-vector form (float64)."""
        H, d_k, d = self.n_heads, self.d_k, self.d_model

        def per_head(lin: Linear):
            W = _f64(lin.weight).reshape(H, d_k, d).transpose(0, 2, 1)  # (H, d, d_k)
            return W, _f64(lin.bias).reshape(H, d_k)

        (W_Q, b_Q), (W_K, b_K), (W_V, b_V) = (per_head(x) for x in (self.W_Q, self.W_K, self.W_V))
        return MultiHeadParams(
            W_Q, W_K, W_V, _f64(self.W_O.weight).T, b_Q, b_K, b_V, _f64(self.W_O.bias)
        )

    def trace(self, x_q, x_kv, allowed=None) -> MultiHeadTrace:
        """Every intermediate for one sentence: x_q (1, n_q, d_model) or (n_q, d_model);
        ``allowed`` broadcastable to (n_q, n_k).  float64 copies of the float32 arithmetic."""
        if x_q.ndim == 2:
            x_q, x_kv = x_q[None], x_kv[None]
        if x_q.shape[0] != 1:
            raise ValueError("trace works on one sentence (batch of 1).")
        Q = self._split(self.W_Q(x_q))[0]  # (H, n_q, d_k)
        K = self._split(self.W_K(x_kv))[0]  # (H, n_k, d_k)
        V = self._split(self.W_V(x_kv))[0]  # (H, n_k, d_k)
        scores = Q @ K.transpose(0, 2, 1) / Q.dtype.type(math.sqrt(self.d_k))  # (H, n_q, n_k)
        mask = None
        if allowed is not None:
            a = np.asarray(allowed, dtype=bool)
            mask = np.broadcast_to(a.reshape(a.shape[-2:]), scores.shape[-2:])  # (n_q, n_k)
        alpha = softmax(scores, mask)  # (H, n_q, n_k)
        heads = alpha @ V  # (H, n_q, d_k)
        concat = heads.transpose(1, 0, 2).reshape(x_q.shape[1], self.d_model)  # (n_q, H d_k)
        out = self.W_O(concat)  # (n_q, d_model)
        return MultiHeadTrace(
            Q=_f64(Q),
            K=_f64(K),
            V=_f64(V),
            scores=_f64(scores),
            weights=_f64(alpha),
            heads=_f64(heads),
            concat=_f64(concat),
            W_O=_f64(self.W_O.weight).T,
            output=_f64(out),
            mask=None if mask is None else mask.copy(),
        )


class FeedForward:
    """FFN(x) = W_2 relu(W_1 x + b_1) + b_2, d_model -> d_ff -> d_model."""

    def __init__(self, w: dict[str, np.ndarray], prefix: str):
        self.linear1 = Linear(w[f"{prefix}.linear1.weight"], w[f"{prefix}.linear1.bias"])
        self.linear2 = Linear(w[f"{prefix}.linear2.weight"], w[f"{prefix}.linear2.bias"])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.linear2(np.maximum(self.linear1(x), 0))


def _norms(w, prefix: str, n: int) -> list[LayerNorm]:
    """A layer's norm1 .. norm<n>."""
    names = (f"{prefix}.norm{i}" for i in range(1, n + 1))
    return [LayerNorm(w[f"{p}.weight"], w[f"{p}.bias"]) for p in names]


class EncoderLayer:
    """Self-attention and feed-forward, each with a skip connection and a layer norm (pre-LN:
    before the block; post-LN: after the sum)."""

    def __init__(self, w, prefix: str, n_heads: int, norm_first: bool):
        self.self_attn = MultiHeadAttention(w, f"{prefix}.self_attn", n_heads)
        self.ff = FeedForward(w, f"{prefix}.ff")
        self.norm1, self.norm2 = _norms(w, prefix, 2)
        self.norm_first = norm_first

    def __call__(self, x, src_allowed=None, need_weights: bool = False):
        """x (B, S, d_model), ``src_allowed`` (B, 1, 1, S).  Returns the new x and the
        self-attention weights (B, H, S, S) (None unless ``need_weights``)."""
        if self.norm_first:
            h = self.norm1(x)
            a, w = self.self_attn(h, h, src_allowed, need_weights)
            x = x + a
            x = x + self.ff(self.norm2(x))
        else:
            a, w = self.self_attn(x, x, src_allowed, need_weights)
            x = self.norm1(x + a)
            x = self.norm2(x + self.ff(x))
        return x, w


class DecoderLayer:
    """Masked self-attention, encoder-decoder attention and feed-forward, each with a skip
    connection and a layer norm."""

    def __init__(self, w, prefix: str, n_heads: int, norm_first: bool):
        self.self_attn = MultiHeadAttention(w, f"{prefix}.self_attn", n_heads)
        self.cross_attn = MultiHeadAttention(w, f"{prefix}.cross_attn", n_heads)
        self.ff = FeedForward(w, f"{prefix}.ff")
        self.norm1, self.norm2, self.norm3 = _norms(w, prefix, 3)
        self.norm_first = norm_first

    def __call__(self, y, memory, tgt_allowed, src_allowed, need_weights: bool = False):
        """y (B, T, d_model), memory (B, S, d_model), ``tgt_allowed`` (T, T) causal,
        ``src_allowed`` (B, 1, 1, S).  Returns the new y, the self-attention (B, H, T, T) and
        cross-attention (B, H, T, S) weights (None unless ``need_weights``)."""
        if self.norm_first:
            h = self.norm1(y)
            a, w_self = self.self_attn(h, h, tgt_allowed, need_weights)
            y = y + a
            c, w_cross = self.cross_attn(self.norm2(y), memory, src_allowed, need_weights)
            y = y + c
            y = y + self.ff(self.norm3(y))
        else:
            a, w_self = self.self_attn(y, y, tgt_allowed, need_weights)
            y = self.norm1(y + a)
            c, w_cross = self.cross_attn(y, memory, src_allowed, need_weights)
            y = self.norm2(y + c)
            y = self.norm3(y + self.ff(y))
        return y, w_self, w_cross

    def step(self, y, cache, memory_kv, src_allowed):
        """One decoding step: y (B, 1, d_model) the newest position, ``cache`` the
        self-attention keys and values (B, H, t, d_k) of the earlier ones (None at the first
        step), ``memory_kv`` the cross-attention keys and values of the encoder output.
        Returns the new y (B, 1, d_model) and the cache grown by one position."""
        h = self.norm1(y) if self.norm_first else y
        k, v = self.self_attn.project_kv(h)  # (B, H, 1, d_k)
        if cache is not None:
            k, v = np.concatenate([cache[0], k], axis=2), np.concatenate([cache[1], v], axis=2)
        a, _ = self.self_attn.attend(h, k, v)
        if self.norm_first:
            y = y + a
            y = y + self.cross_attn.attend(self.norm2(y), *memory_kv, src_allowed)[0]
            y = y + self.ff(self.norm3(y))
        else:
            y = self.norm1(y + a)
            y = self.norm2(y + self.cross_attn.attend(y, *memory_kv, src_allowed)[0])
            y = self.norm3(y + self.ff(y))
        return y, (k, v)


class NumpyTransformer:
    """The encoder-decoder transformer in eval mode, from float32 ``weights`` by ``state_dict``
    name and its ``cfg``.  ``ValueError`` for missing, unexpected or misshapen weights."""

    training = False  # always eval mode (no dropout)

    def __init__(self, weights: dict[str, np.ndarray], cfg: TransformerConfig):
        want = param_shapes(cfg)
        missing, extra = sorted(set(want) - set(weights)), sorted(set(weights) - set(want))
        if missing or extra:
            raise ValueError(f"weights do not match the config: missing {missing[:3]}, "
                             f"unexpected {extra[:3]}.")  # fmt: skip
        w: dict[str, np.ndarray] = {}
        for k, shape in want.items():
            a = readonly(weights[k], DTYPE)
            if a.shape != shape:
                raise ValueError(f"{k} has shape {a.shape}, the config needs {shape}.")
            w[k] = a
        self.cfg, self.weights = cfg, w
        d, H, pre = cfg.d_model, cfg.n_heads, cfg.norm_first
        self.src_emb, self.tgt_emb = w["src_emb.weight"], w["tgt_emb.weight"]  # (V_s, d), (V_t, d)
        self.encoder = [EncoderLayer(w, f"encoder.{i}", H, pre) for i in range(cfg.enc_layers)]
        self.decoder = [DecoderLayer(w, f"decoder.{i}", H, pre) for i in range(cfg.dec_layers)]
        self.enc_norm = LayerNorm(w["enc_norm.weight"], w["enc_norm.bias"]) if pre else Identity()
        self.dec_norm = LayerNorm(w["dec_norm.weight"], w["dec_norm.bias"]) if pre else Identity()
        if cfg.tie_output:
            self.out = Linear(self.tgt_emb, w["out_bias"])
        else:
            self.out = Linear(w["out.weight"], w["out.bias"])
        self.pe = readonly(positional_encoding(cfg.max_positions, d, base=cfg.pe_base), DTYPE)
        self._scale = DTYPE(math.sqrt(d))

    # ----------------------------------------------------------------------------------------

    def n_parameters(self) -> int:
        return sum(a.size for a in self.weights.values())

    def parameters(self) -> list[np.ndarray]:
        """The weight arrays (read-only), as ``Module.parameters`` lists the tensors."""
        return list(self.weights.values())

    def eval(self) -> NumpyTransformer:
        """Always in eval mode; for the translators' ``model.eval()``."""
        return self

    def positions(self, n: int) -> np.ndarray:
        """PE rows for positions 0 .. n - 1: (n, d_model) float32."""
        if n <= self.pe.shape[0]:
            return self.pe[:n]
        return positional_encoding(n, self.cfg.d_model, base=self.cfg.pe_base).astype(DTYPE)

    def embed(self, emb: np.ndarray, ids: np.ndarray, positional: bool = True) -> np.ndarray:
        """ids (B, n) -> (B, n, d_model): embedding * sqrt(d_model) (+ PE)."""
        x = emb[ids] * self._scale  # (B, n, d)
        if positional:
            x = x + self.positions(ids.shape[1])
        return x

    @staticmethod
    def source_mask(src: np.ndarray) -> np.ndarray:
        """(B, 1, 1, S) boolean: True on real source tokens (keys), False on padding."""
        return (np.asarray(src) != PAD)[:, None, None, :]

    @staticmethod
    def causal(T: int) -> np.ndarray:
        """(T, T) boolean lower-triangular: output position t sees positions 0 .. t."""
        return np.tril(np.ones((T, T), dtype=bool))

    def encode(self, src, positional: bool = True, need_weights: bool = False):
        """src (B, S) ids, PAD-padded.  Returns (memory (B, S, d_model), src_allowed
        (B, 1, 1, S), per-layer self-attention weights [(B, H, S, S)] or [])."""
        src = np.asarray(src, dtype=np.int64)
        allowed = self.source_mask(src)
        x = self.embed(self.src_emb, src, positional)
        weights = []
        for layer in self.encoder:
            x, w = layer(x, allowed, need_weights)
            if need_weights:
                weights.append(w)
        return self.enc_norm(x), allowed, weights

    def decode(self, tgt_in, memory, src_allowed, need_weights: bool = False):
        """tgt_in (B, T) ids starting with SOS.  Returns (decoder output (B, T, d_model),
        per-layer self-attention weights [(B, H, T, T)], cross-attention [(B, H, T, S)])."""
        tgt_in = np.asarray(tgt_in, dtype=np.int64)
        y = self.embed(self.tgt_emb, tgt_in)
        mask = self.causal(tgt_in.shape[1])
        w_self, w_cross = [], []
        for layer in self.decoder:
            y, ws, wc = layer(y, memory, mask, src_allowed, need_weights)
            if need_weights:
                w_self.append(ws)
                w_cross.append(wc)
        return self.dec_norm(y), w_self, w_cross

    def memory_kv(self, memory: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Cross-attention keys and values (B, H, S, d_k) of the encoder output for every
        decoder layer, computed once per sentence for incremental decoding."""
        return [layer.cross_attn.project_kv(memory) for layer in self.decoder]

    def decode_step(self, y_ids, pos: int, memory_kv, src_allowed, caches):
        """Incremental decoding: ids y_ids (B,) at position ``pos`` given the caches of
        positions 0 .. pos - 1 (one per decoder layer, None at pos 0).  Returns logits (B, V)
        of the next word and the grown caches; equals row ``pos`` of ``decode``."""
        y = self.tgt_emb[np.asarray(y_ids, dtype=np.int64)[:, None]] * self._scale  # (B, 1, d)
        y = y + self.positions(pos + 1)[pos]
        new = []
        for layer, kv, cache in zip(self.decoder, memory_kv, caches, strict=True):
            y, c = layer.step(y, cache, kv, src_allowed)
            new.append(c)
        return self.logits(self.dec_norm(y))[:, 0], new

    def logits(self, h: np.ndarray) -> np.ndarray:
        """The final linear layer: h (..., d_model) -> scores over English words (..., V)."""
        return self.out(h)

    def __call__(self, src, tgt_in) -> np.ndarray:
        """Teacher-forced logits (B, T, V) for src (B, S) and tgt_in (B, T)."""
        memory, allowed, _ = self.encode(src)
        h, _, _ = self.decode(tgt_in, memory, allowed)
        return self.logits(h)


def as_numpy(model) -> NumpyTransformer:
    """``model`` itself if it is a ``NumpyTransformer``; for a torch ``Transformer`` (training,
    tests) a numpy copy of its current weights (float32).  ``TypeError`` for anything else."""
    if isinstance(model, NumpyTransformer):
        return model
    torch = sys.modules.get("torch")
    if torch is None or not isinstance(model, torch.nn.Module) or not hasattr(model, "cfg"):
        raise TypeError(f"expected a NumpyTransformer or a torch Transformer, got {type(model)}.")
    sd = model.state_dict()
    weights = {k: v.detach().to(torch.float32).cpu().numpy().copy() for k, v in sd.items()}
    return NumpyTransformer(weights, model.cfg)

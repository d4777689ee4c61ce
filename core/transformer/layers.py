"""Transformer layers in torch: multi-head attention, the encoder layer and the decoder layer.

Review sheet 4, question 4 (Figures 4 and 5).  The encoder layer contains "multi-headed
self-attention, feedforward NN (FC 2 layers), skip connections, layer normalization"; the
decoder layer adds masked self-attention (a word sees only the words before it) and
encoder-decoder attention (queries from the decoder, keys and values from the encoder).

Two placements of the layer normalisation are supported (``norm_first``):

* post-LN, the sheet's figure and the original paper (``norm_first=False``)::

      x = LayerNorm(x + MultiHead(x, x, x))          # self-attention, skip, layer norm
      x = LayerNorm(x + W_2 relu(W_1 x + b_1) + b_2)  # two-layer feed-forward, skip, layer norm

* pre-LN (``norm_first=True``), easier to train with a short budget::

      x = x + MultiHead(LN(x), LN(x), LN(x))
      x = x + FFN(LN(x))

  where the stack then ends with one more LayerNorm (``Transformer`` in ``model.py``).

Both are computed exactly as ``torch.nn.TransformerEncoderLayer`` / ``TransformerDecoderLayer``
with the same ``norm_first`` (the tests load the same weights into both and compare in float64).

Masks are boolean with True = allowed, as in ``core.transformer.attention``.  Every layer can
return ``MultiHeadTrace`` objects (numpy) for one sentence (batch of 1).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as fn

from core.transformer.attention import MultiHeadParams, MultiHeadTrace


def _np(x: torch.Tensor) -> np.ndarray:
    return x.detach().to(torch.float64).cpu().numpy()


class Dropout(nn.Module):
    """Inverted dropout: while training, zero each entry with probability ``p`` and scale the
    rest by 1 / (1 - p); the identity in eval mode.  Same result in distribution as
    ``nn.Dropout``, but the mask comes from one ``torch.rand`` comparison, about twice as fast
    on a CPU as ``bernoulli_`` (dropout was 14 % of a training step).  Draws from torch's
    global generator (seeded by ``torch.manual_seed``)."""

    def __init__(self, p: float = 0.0):
        super().__init__()
        if not 0 <= p < 1:
            raise ValueError(f"dropout must be in [0, 1), got {p!r}.")
        self.p = float(p)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0:
            return x
        drop = torch.rand(x.shape, device=x.device) < self.p
        return x.masked_fill(drop, 0.0) * (1.0 / (1.0 - self.p))


class MultiHeadAttention(nn.Module):
    """H heads of scaled dot-product attention with per-head projections and W_O.

    The per-head matrices are stored stacked: ``W_Q.weight`` (d_model, d_model) holds W_Q^h in
    rows h * d_k .. (h + 1) * d_k - 1 (torch's ``Linear`` computes x W^T + b, so the sheet's
    row-vector W_Q^h is ``W_Q.weight[h * d_k:(h + 1) * d_k].T``).  d_k = d_v = d_model / H.
    """

    def __init__(self, d_model: int, n_heads: int, dropout: float = 0.0):
        super().__init__()
        if n_heads < 1 or d_model % n_heads:
            raise ValueError(f"d_model ({d_model}) must be a multiple of n_heads ({n_heads}).")
        self.d_model, self.n_heads, self.d_k = d_model, n_heads, d_model // n_heads
        self.W_Q = nn.Linear(d_model, d_model)
        self.W_K = nn.Linear(d_model, d_model)
        self.W_V = nn.Linear(d_model, d_model)
        self.W_O = nn.Linear(d_model, d_model)
        self.dropout = dropout
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # as nn.MultiheadAttention: Xavier-uniform projections, zero biases
        for lin in (self.W_Q, self.W_K, self.W_V):
            nn.init.xavier_uniform_(lin.weight)
            nn.init.zeros_(lin.bias)
        nn.init.zeros_(self.W_O.bias)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        B, n, _ = x.shape
        return x.view(B, n, self.n_heads, self.d_k).transpose(1, 2)  # (B, H, n, d_k)

    def forward(
        self,
        x_q: torch.Tensor,
        x_kv: torch.Tensor,
        allowed: torch.Tensor | None = None,
        need_weights: bool = False,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """x_q (B, n_q, d_model), x_kv (B, n_k, d_model), ``allowed`` boolean broadcastable to
        (B, H, n_q, n_k).  Returns the output (B, n_q, d_model) and, with ``need_weights``, the
        attention weights (B, H, n_q, n_k) (else None, and torch's fused kernel is used)."""
        Q = self._split(self.W_Q(x_q))  # (B, H, n_q, d_k)
        K = self._split(self.W_K(x_kv))  # (B, H, n_k, d_k)
        V = self._split(self.W_V(x_kv))  # (B, H, n_k, d_k)
        p = self.dropout if self.training else 0.0
        if need_weights:
            scores = Q @ K.transpose(-1, -2) / math.sqrt(self.d_k)  # (B, H, n_q, n_k)
            if allowed is not None:
                scores = scores.masked_fill(~allowed, float("-inf"))
            alpha = torch.softmax(scores, dim=-1)  # (B, H, n_q, n_k)
            heads = fn.dropout(alpha, p, self.training) @ V  # (B, H, n_q, d_k)
        else:
            alpha = None
            heads = fn.scaled_dot_product_attention(Q, K, V, attn_mask=allowed, dropout_p=p)
        B, _, n_q, _ = heads.shape
        concat = heads.transpose(1, 2).reshape(B, n_q, self.d_model)  # (B, n_q, H d_k)
        return self.W_O(concat), alpha

    def project_kv(self, x_kv: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-head keys and values of x_kv (B, n_k, d_model): two (B, H, n_k, d_k)."""
        return self._split(self.W_K(x_kv)), self._split(self.W_V(x_kv))

    def attend(
        self,
        x_q: torch.Tensor,
        K: torch.Tensor,
        V: torch.Tensor,
        allowed: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Attention of queries x_q (B, n_q, d_model) over projected keys and values K, V
        (B, H, n_k, d_k) (from ``project_kv``): (B, n_q, d_model).  For incremental decoding,
        where keys and values are computed once and reused at every step."""
        Q = self._split(self.W_Q(x_q))  # (B, H, n_q, d_k)
        heads = fn.scaled_dot_product_attention(Q, K, V, attn_mask=allowed)  # (B, H, n_q, d_k)
        B, _, n_q, _ = heads.shape
        return self.W_O(heads.transpose(1, 2).reshape(B, n_q, self.d_model))

    def params(self) -> MultiHeadParams:
        """The per-head matrices in the sheet's row-vector form (numpy float64)."""
        H, d_k = self.n_heads, self.d_k

        def per_head(lin: nn.Linear):
            W = _np(lin.weight).reshape(H, d_k, self.d_model).transpose(0, 2, 1)  # (H, d, d_k)
            return W, _np(lin.bias).reshape(H, d_k)

        (W_Q, b_Q), (W_K, b_K), (W_V, b_V) = (per_head(x) for x in (self.W_Q, self.W_K, self.W_V))
        return MultiHeadParams(
            W_Q, W_K, W_V, _np(self.W_O.weight).T, b_Q, b_K, b_V, _np(self.W_O.bias)
        )

    @torch.no_grad()
    def trace(
        self, x_q: torch.Tensor, x_kv: torch.Tensor, allowed: torch.Tensor | None = None
    ) -> MultiHeadTrace:
        """Every intermediate for one sentence: x_q (1, n_q, d_model) or (n_q, d_model)."""
        if x_q.dim() == 2:
            x_q, x_kv = x_q[None], x_kv[None]
        if x_q.shape[0] != 1:
            raise ValueError("trace works on one sentence (batch of 1).")
        Q = self._split(self.W_Q(x_q))[0]  # (H, n_q, d_k)
        K = self._split(self.W_K(x_kv))[0]  # (H, n_k, d_k)
        V = self._split(self.W_V(x_kv))[0]  # (H, n_k, d_k)
        scores = Q @ K.transpose(-1, -2) / math.sqrt(self.d_k)  # (H, n_q, n_k)
        mask = None
        if allowed is not None:
            mask = allowed.reshape(allowed.shape[-2:]) if allowed.dim() > 2 else allowed
            mask = mask.expand(scores.shape[-2:])
        alpha = torch.softmax(
            scores if mask is None else scores.masked_fill(~mask, -math.inf), dim=-1
        )  # (H, n_q, n_k)
        heads = alpha @ V  # (H, n_q, d_k)
        concat = heads.transpose(0, 1).reshape(x_q.shape[1], self.d_model)  # (n_q, H d_k)
        out = self.W_O(concat)  # (n_q, d_model)
        return MultiHeadTrace(
            Q=_np(Q),
            K=_np(K),
            V=_np(V),
            scores=_np(scores),
            weights=_np(alpha),
            heads=_np(heads),
            concat=_np(concat),
            W_O=_np(self.W_O.weight).T,
            output=_np(out),
            mask=None if mask is None else mask.cpu().numpy().astype(bool),
        )


class FeedForward(nn.Module):
    """The sheet's "feedforward NN (FC 2 layers)", applied to every position alike:
    FFN(x) = W_2 relu(W_1 x + b_1) + b_2, d_model -> d_ff -> d_model (``dropout`` on the
    hidden layer while training)."""

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.drop = Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear2(self.drop(fn.relu(self.linear1(x))))


class EncoderLayer(nn.Module):
    """Multi-head self-attention -> add & layer norm -> feed-forward -> add & layer norm.

    ``dropout`` acts on each block's output before the skip connection (as torch's
    ``dropout1``/``dropout2``); ``attn_dropout`` on the attention weights and ``ff_dropout`` on
    the feed-forward hidden layer default to ``dropout`` (torch uses one rate for all three).
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        d_ff: int,
        dropout: float = 0.0,
        norm_first: bool = False,
        attn_dropout: float | None = None,
        ff_dropout: float | None = None,
    ):
        super().__init__()
        a = dropout if attn_dropout is None else attn_dropout
        f = dropout if ff_dropout is None else ff_dropout
        self.self_attn = MultiHeadAttention(d_model, n_heads, a)
        self.ff = FeedForward(d_model, d_ff, f)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.drop = Dropout(dropout)
        self.norm_first = norm_first

    def forward(
        self, x: torch.Tensor, src_allowed: torch.Tensor | None = None, need_weights: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """x (B, S, d_model); ``src_allowed`` (B, 1, 1, S) True on real tokens.  Returns the new
        x (B, S, d_model) and, with ``need_weights``, the self-attention weights (B, H, S, S)."""
        if self.norm_first:
            h = self.norm1(x)
            a, w = self.self_attn(h, h, src_allowed, need_weights)
            x = x + self.drop(a)  # skip connection
            x = x + self.drop(self.ff(self.norm2(x)))
        else:
            a, w = self.self_attn(x, x, src_allowed, need_weights)
            x = self.norm1(x + self.drop(a))  # add & layer norm
            x = self.norm2(x + self.drop(self.ff(x)))
        return x, w


class DecoderLayer(nn.Module):
    """Masked self-attention -> add & norm -> encoder-decoder attention -> add & norm ->
    feed-forward -> add & norm (post-LN; pre-LN normalises before each block instead)."""

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        d_ff: int,
        dropout: float = 0.0,
        norm_first: bool = False,
        attn_dropout: float | None = None,
        ff_dropout: float | None = None,
    ):
        super().__init__()
        a = dropout if attn_dropout is None else attn_dropout
        f = dropout if ff_dropout is None else ff_dropout
        self.self_attn = MultiHeadAttention(d_model, n_heads, a)
        self.cross_attn = MultiHeadAttention(d_model, n_heads, a)
        self.ff = FeedForward(d_model, d_ff, f)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.norm3 = nn.LayerNorm(d_model)
        self.drop = Dropout(dropout)
        self.norm_first = norm_first

    def forward(
        self,
        y: torch.Tensor,
        memory: torch.Tensor,
        tgt_allowed: torch.Tensor | None,
        src_allowed: torch.Tensor | None,
        need_weights: bool = False,
    ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
        """y (B, T, d_model) decoder states, memory (B, S, d_model) encoder output,
        ``tgt_allowed`` (T, T) causal mask, ``src_allowed`` (B, 1, 1, S).  Returns the new y and,
        with ``need_weights``, the self-attention (B, H, T, T) and cross-attention (B, H, T, S)
        weights."""
        if self.norm_first:
            h = self.norm1(y)
            a, w_self = self.self_attn(h, h, tgt_allowed, need_weights)
            y = y + self.drop(a)
            c, w_cross = self.cross_attn(self.norm2(y), memory, src_allowed, need_weights)
            y = y + self.drop(c)
            y = y + self.drop(self.ff(self.norm3(y)))
        else:
            a, w_self = self.self_attn(y, y, tgt_allowed, need_weights)
            y = self.norm1(y + self.drop(a))
            c, w_cross = self.cross_attn(y, memory, src_allowed, need_weights)
            y = self.norm2(y + self.drop(c))
            y = self.norm3(y + self.drop(self.ff(y)))
        return y, w_self, w_cross

    def step(
        self,
        y: torch.Tensor,
        cache: tuple[torch.Tensor, torch.Tensor] | None,
        memory_kv: tuple[torch.Tensor, torch.Tensor],
        src_allowed: torch.Tensor | None,
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """One decoding step (eval mode): y (B, 1, d_model) is the newest position only.
        ``cache`` holds the self-attention keys and values (B, H, t, d_k) of the earlier
        positions (None at the first step), ``memory_kv`` the cross-attention keys and values
        of the encoder output (``cross_attn.project_kv(memory)``).  The newest position may see
        every cached one, which is exactly the causal mask's row.  Returns the new y
        (B, 1, d_model) and the cache grown by one position."""
        h = self.norm1(y) if self.norm_first else y
        k, v = self.self_attn.project_kv(h)  # (B, H, 1, d_k)
        if cache is not None:
            k, v = torch.cat([cache[0], k], dim=2), torch.cat([cache[1], v], dim=2)
        a = self.self_attn.attend(h, k, v)
        if self.norm_first:
            y = y + a
            y = y + self.cross_attn.attend(self.norm2(y), *memory_kv, src_allowed)
            y = y + self.ff(self.norm3(y))
        else:
            y = self.norm1(y + a)
            y = self.norm2(y + self.cross_attn.attend(y, *memory_kv, src_allowed))
            y = self.norm3(y + self.ff(y))
        return y, (k, v)

"""The encoder-decoder transformer translator (review sheet 4, question 4, Figures 3-5) and its
checkpoints.

    source ids (B, S) -> embedding * sqrt(d_model) + PE -> N encoder layers   -> memory (B, S, d)
    target ids (B, T) -> embedding * sqrt(d_model) + PE -> N decoder layers (masked
        self-attention, attention over the memory, feed-forward) -> final linear -> softmax

"The output from the decoder is passed through a final fully connected linear layer with a
softmax activation function" producing "a probability distribution over the pre-defined
vocabulary of output words": ``logits`` is that linear layer; with ``tie_output`` its matrix is
the target embedding matrix itself (one matrix for reading and for writing English words).

The positional encoding is the sheet's sinusoid (``core.transformer.positional``), a fixed
buffer, not a weight.  Token ids follow ``core.seq2seq.data``: SOS = 0, EOS = 1, PAD = 2,
UNK = 3.

Checkpoints are a directory with ``weights.pt`` (a plain ``dict[str, Tensor]``, float16, read
with ``torch.load(..., weights_only=True)``; nothing pickled) and ``model.json`` (format, config,
vocabularies, meta), the same layout as the GRU's in ``core.seq2seq.model``.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as fn

from core import checkpoint
from core.checkpoint_files import TRANSFORMER_FORMAT
from core.seq2seq.data import PAD, Vocab
from core.transformer.config import TransformerConfig, param_shapes
from core.transformer.layers import DecoderLayer, Dropout, EncoderLayer
from core.transformer.positional import positional_encoding

FORMAT = TRANSFORMER_FORMAT
__all__ = ["FORMAT", "Transformer", "TransformerConfig", "load_checkpoint", "param_shapes",
           "save_checkpoint"]  # fmt: skip


class Transformer(nn.Module):
    """Encoder-decoder transformer.  See the module docstring for the data flow."""

    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        self.src_emb = nn.Embedding(cfg.src_vocab, d)
        self.tgt_emb = nn.Embedding(cfg.tgt_vocab, d)
        self.encoder = nn.ModuleList(
            EncoderLayer(
                d,
                cfg.n_heads,
                cfg.d_ff,
                cfg.dropout,
                cfg.norm_first,
                cfg.attn_dropout,
                cfg.ff_dropout,
            )
            for _ in range(cfg.enc_layers)
        )
        self.decoder = nn.ModuleList(
            DecoderLayer(
                d,
                cfg.n_heads,
                cfg.d_ff,
                cfg.dropout,
                cfg.norm_first,
                cfg.attn_dropout,
                cfg.ff_dropout,
            )
            for _ in range(cfg.dec_layers)
        )
        # pre-LN stacks end with a layer norm (post-LN layers already end with one)
        self.enc_norm = nn.LayerNorm(d) if cfg.norm_first else nn.Identity()
        self.dec_norm = nn.LayerNorm(d) if cfg.norm_first else nn.Identity()
        if cfg.tie_output:
            self.out_bias = nn.Parameter(torch.zeros(cfg.tgt_vocab))
        else:
            self.out = nn.Linear(d, cfg.tgt_vocab)
        self.drop = Dropout(cfg.dropout)
        pe = positional_encoding(cfg.max_positions, d, base=cfg.pe_base)  # (P, d)
        self.register_buffer("pe", torch.from_numpy(pe).float(), persistent=False)
        # embeddings with std d^-1/2: after the sqrt(d_model) scaling they have unit size,
        # like the encoding they are added to
        nn.init.normal_(self.src_emb.weight, 0.0, d**-0.5)
        nn.init.normal_(self.tgt_emb.weight, 0.0, d**-0.5)

    # ----------------------------------------------------------------------------------------

    def positions(self, n: int) -> torch.Tensor:
        """PE rows for positions 0 .. n - 1: (n, d_model)."""
        if n <= self.pe.shape[0]:
            return self.pe[:n]
        pe = positional_encoding(n, self.cfg.d_model, base=self.cfg.pe_base)
        return torch.from_numpy(pe).to(self.pe.dtype)

    def embed(self, emb: nn.Embedding, ids: torch.Tensor, positional: bool = True):
        """ids (B, n) -> (B, n, d_model): embedding * sqrt(d_model) (+ PE)."""
        x = emb(ids) * math.sqrt(self.cfg.d_model)  # (B, n, d)
        if positional:
            x = x + self.positions(ids.shape[1]).to(x.dtype)
        return self.drop(x)

    @staticmethod
    def source_mask(src: torch.Tensor) -> torch.Tensor:
        """(B, 1, 1, S) boolean: True on real source tokens (keys), False on padding."""
        return (src != PAD)[:, None, None, :]

    @staticmethod
    def causal(T: int, device=None) -> torch.Tensor:
        """(T, T) boolean lower-triangular: output position t sees positions 0 .. t."""
        return torch.ones(T, T, dtype=torch.bool, device=device).tril()

    def encode(self, src: torch.Tensor, positional: bool = True, need_weights: bool = False):
        """src (B, S) ids, PAD-padded.  Returns (memory (B, S, d_model), src_allowed
        (B, 1, 1, S), per-layer self-attention weights [(B, H, S, S)] or [])."""
        allowed = self.source_mask(src)
        x = self.embed(self.src_emb, src, positional)
        weights = []
        for layer in self.encoder:
            x, w = layer(x, allowed, need_weights)
            if need_weights:
                weights.append(w)
        return self.enc_norm(x), allowed, weights

    def decode(
        self,
        tgt_in: torch.Tensor,
        memory: torch.Tensor,
        src_allowed: torch.Tensor,
        need_weights: bool = False,
    ):
        """tgt_in (B, T) ids starting with SOS.  Returns (decoder output (B, T, d_model),
        per-layer self-attention weights [(B, H, T, T)], cross-attention [(B, H, T, S)])."""
        y = self.embed(self.tgt_emb, tgt_in)
        mask = self.causal(tgt_in.shape[1], tgt_in.device)
        w_self, w_cross = [], []
        for layer in self.decoder:
            y, ws, wc = layer(y, memory, mask, src_allowed, need_weights)
            if need_weights:
                w_self.append(ws)
                w_cross.append(wc)
        return self.dec_norm(y), w_self, w_cross

    def memory_kv(self, memory: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Cross-attention keys and values of the encoder output for every decoder layer,
        computed once per sentence for incremental decoding."""
        return [layer.cross_attn.project_kv(memory) for layer in self.decoder]

    def decode_step(self, y_ids: torch.Tensor, pos: int, memory_kv, src_allowed, caches):
        """Incremental decoding (eval mode): the ids y_ids (B,) at position ``pos`` given the
        caches of positions 0 .. pos - 1 (``caches``: one per decoder layer, None at pos 0).
        Returns logits (B, V) of the next word and the grown caches.  Equals row ``pos`` of
        ``decode`` over the whole prefix (the causal mask makes earlier rows final)."""
        y = self.tgt_emb(y_ids[:, None]) * math.sqrt(self.cfg.d_model)  # (B, 1, d)
        y = y + self.positions(pos + 1)[pos].to(y.dtype)
        new = []
        for layer, kv, cache in zip(self.decoder, memory_kv, caches, strict=True):
            y, c = layer.step(y, cache, kv, src_allowed)
            new.append(c)
        return self.logits(self.dec_norm(y))[:, 0], new

    def logits(self, h: torch.Tensor) -> torch.Tensor:
        """The final linear layer: h (..., d_model) -> scores over English words (..., V)."""
        if self.cfg.tie_output:
            return fn.linear(h, self.tgt_emb.weight, self.out_bias)
        return self.out(h)

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:
        """Teacher-forced logits (B, T, V) for src (B, S) and tgt_in (B, T)."""
        memory, allowed, _ = self.encode(src)
        h, _, _ = self.decode(tgt_in, memory, allowed)
        return self.logits(h)

    def loss(
        self,
        src: torch.Tensor,
        tgt_in: torch.Tensor,
        tgt_out: torch.Tensor,
        label_smoothing: float = 0.0,
    ) -> torch.Tensor:
        """Mean cross-entropy per non-padding target token."""
        logits = self.forward(src, tgt_in)  # (B, T, V)
        return fn.cross_entropy(
            logits.reshape(-1, logits.shape[-1]),
            tgt_out.reshape(-1),
            ignore_index=PAD,
            label_smoothing=label_smoothing,
        )

    def n_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())


# --------------------------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------------------------


def save_checkpoint(
    out_dir: str | Path, model: Transformer, src_vocab: Vocab, tgt_vocab: Vocab, meta: dict
) -> Path:
    """Write ``weights.pt`` (float16 tensors) and ``model.json`` into ``out_dir``
    (``core.checkpoint``)."""
    return checkpoint.save(out_dir, model, src_vocab, tgt_vocab, meta, FORMAT)


def load_checkpoint(path: str | Path) -> tuple[Transformer, Vocab, Vocab, dict]:
    """Read a transformer checkpoint directory (or its ``model.json`` / ``weights.pt``): (model in
    eval mode, float32; source vocabulary; target vocabulary; meta).  ``ValueError`` naming the
    file and the problem for anything missing, too large, unreadable, of the wrong format,
    shape or not finite (``core.checkpoint.load``)."""
    return checkpoint.load(path, FORMAT, "transformer", TransformerConfig, Transformer)  # type: ignore[return-value]

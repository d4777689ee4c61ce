"""GRU encoder and GRU decoder with additive attention, batched with padding masks.

Shapes: B batch, S source tokens, T target steps, E embedding size, H decoder hidden size,
D = 2 for a bidirectional encoder (else 1), A attention size, O output layer size, V target
vocabulary.

Encoder::

    x_i = dropout(Emb_src[f_i])                      i = 1..S     (B, S, E)
    k_i = GRU(x_1..x_S)_i  (both directions concat)               (B, S, D H)   the "values"
    s_0 = tanh(W_init [last forward state; first backward state]) (B, H)

Decoder step t::

    s_t  = GRU(Emb_tgt[y_{t-1}], s_{t-1})                                      (B, H)
    e_tj = v . tanh(W_q s_t + W_k k_j)     additive score; -inf where j is padding
    a_t  = softmax_j(e_t)                  exactly 0 on padding                (B, S)
    c_t  = sum_j a_tj k_j                                                      (B, D H)
    o_t  = tanh(W_o [s_t; c_t; Emb_tgt[y_{t-1}]])   a "deep output" layer      (B, O)
    p(y_t | y_<t, f) = softmax(W_out dropout(o_t))                             (B, V)

The score is Bahdanau's additive one.  Its query is the decoder's *current* state s_t (the
arrangement of Luong et al. 2015) rather than the previous state with the context fed back into
the GRU as in the exercise's ``AttnDecoderRNN`` (reimplemented in ``core.seq2seq.recipe``).  That
choice lets training run the decoder GRU over the whole teacher-forced sentence in one call and
score every (step, source token) pair in one tensor operation, instead of dozens of small
operations per step: it is what makes training several times faster.  ``W_k k`` is computed
once per sentence.  Decoding steps the same GRU cell one token at a time (``step``).

Checkpoints are a directory with ``weights.pt`` (a plain ``dict[str, Tensor]``, float16, read with
``torch.load(..., weights_only=True)``) and ``model.json`` (config, vocabularies, training
metadata).  Nothing is pickled.  ``load_checkpoint`` turns any defect into a ``ValueError``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import NamedTuple

import torch
from torch import nn
from torch.nn import functional as fn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from core import checkpoint
from core.checkpoint_files import GRU_FORMAT
from core.seq2seq.config import ModelConfig, default_cutoffs
from core.seq2seq.data import PAD, Vocab

FORMAT = GRU_FORMAT
__all__ = [
    "FORMAT",
    "Encoded",
    "ModelConfig",
    "Seq2Seq",
    "default_cutoffs",
    "load_checkpoint",
    "save_checkpoint",
]  # ModelConfig and default_cutoffs live in core.seq2seq.config (no torch)


class Encoded(NamedTuple):
    """Encoder output, everything the decoder needs."""

    values: torch.Tensor  # (B, S, D H) encoder states k_j
    keys: torch.Tensor  # (B, S, A) W_k k_j
    mask: torch.Tensor  # (B, S) bool, True on real tokens
    h0: torch.Tensor  # (B, H) initial decoder state


class Seq2Seq(nn.Module):
    """The whole network.  ``forward`` is teacher-forced training; ``encode`` and ``step`` are
    what the decoders in ``core.seq2seq.decode`` call."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        E, H, A, DH = cfg.emb, cfg.hidden, cfg.A, cfg.D * cfg.hidden
        self.src_emb = nn.Embedding(cfg.src_vocab, E, padding_idx=PAD)
        self.encoder = nn.GRU(E, H, batch_first=True, bidirectional=cfg.bidirectional)
        self.init = nn.Linear(DH, H)
        self.tgt_emb = nn.Embedding(cfg.tgt_vocab, E, padding_idx=PAD)
        self.decoder = nn.GRU(E, H, batch_first=True)
        self.W_q = nn.Linear(H, A)
        self.W_k = nn.Linear(DH, A, bias=False)
        self.v = nn.Parameter(torch.empty(A).uniform_(-1 / math.sqrt(A), 1 / math.sqrt(A)))
        self.W_o = nn.Linear(H + DH + E, cfg.O)  # deep output
        if cfg.cutoffs:
            self.out = nn.AdaptiveLogSoftmaxWithLoss(
                cfg.O, cfg.tgt_vocab, list(cfg.cutoffs), div_value=4.0
            )
        else:
            self.out = nn.Linear(cfg.O, cfg.tgt_vocab)

    def drop(self, x: torch.Tensor) -> torch.Tensor:
        """Inverted dropout with probability cfg.dropout while training (``torch.rand`` masks:
        several times faster on CPU than ``nn.Dropout``'s Bernoulli sampling)."""
        p = self.cfg.dropout
        if not self.training or p == 0:
            return x
        return x * torch.rand(x.shape).ge_(p).mul_(1 / (1 - p))

    # ---------------------------------------------------------------- encoder

    def encode(self, src: torch.Tensor, lengths: torch.Tensor) -> Encoded:
        """src (B, S) ids right-padded with PAD, lengths (B,) >= 1."""
        B, S = src.shape
        x = self.drop(self.src_emb(src))  # (B, S, E)
        mask = torch.arange(S, device=src.device)[None, :] < lengths[:, None]  # (B, S)
        if self.cfg.bidirectional and bool((lengths == S).all()):  # no padding: no packing
            values, h_n = self.encoder(x)  # (B, S, D H), (D, B, H)
            last = torch.cat(list(h_n), dim=-1)  # (B, D H)
        elif self.cfg.bidirectional:  # the backward direction must start at each true end
            packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
            out, h_n = self.encoder(packed)  # h_n (D, B, H)
            values, _ = pad_packed_sequence(out, batch_first=True, total_length=S)  # (B, S, DH)
            last = torch.cat(list(h_n), dim=-1)  # (B, D H)
        else:  # left to right, right padding never reaches a real position: no packing
            values, _ = self.encoder(x)  # (B, S, H)
            values = values * mask[:, :, None]  # padding positions exactly 0
            last = values[torch.arange(B), lengths - 1]  # (B, H)
        h0 = torch.tanh(self.init(last))  # (B, H)
        return Encoded(values, self.W_k(values), mask, h0)

    # ---------------------------------------------------------------- decoder

    def attend(self, s: torch.Tensor, enc: Encoded) -> tuple[torch.Tensor, torch.Tensor]:
        """Additive attention of decoder states s (B, T, H) over the encoder states.
        Returns contexts (B, T, D H) and weights (B, T, S), exactly 0 on source padding."""
        q = self.W_q(s)  # (B, T, A)
        scores = (q[:, :, None, :] + enc.keys[:, None, :, :]).tanh_() @ self.v  # (B, T, S)
        scores = scores.masked_fill(~enc.mask[:, None, :], float("-inf"))
        a = torch.softmax(scores, dim=-1)  # (B, T, S)
        return torch.bmm(a, enc.values), a

    def _features(self, emb: torch.Tensor, s: torch.Tensor, enc: Encoded):
        """Output features o (B, T, O) and attention (B, T, S) of states s (B, T, H)."""
        ctx, a = self.attend(s, enc)
        o = torch.tanh(self.W_o(torch.cat([s, ctx, emb], dim=-1)))  # (B, T, O)
        return self.drop(o), a

    def step(
        self, y_prev: torch.Tensor, s: torch.Tensor, enc: Encoded
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Decode one token: previous tokens y_prev (B,), state s (B, H).
        Returns log-probabilities (B, V), the new state (B, H), attention weights (B, S)."""
        d = self.decoder
        emb = self.drop(self.tgt_emb(y_prev))  # (B, E)
        s = torch.gru_cell(emb, s, d.weight_ih_l0, d.weight_hh_l0, d.bias_ih_l0, d.bias_hh_l0)
        q = self.W_q(s)  # (B, A)
        scores = torch.tanh(enc.keys + q[:, None, :]) @ self.v  # (B, S)
        a = torch.softmax(scores.masked_fill(~enc.mask, float("-inf")), dim=-1)  # (B, S)
        ctx = torch.bmm(a[:, None, :], enc.values)[:, 0]  # (B, D H)
        o = self.drop(torch.tanh(self.W_o(torch.cat([s, ctx, emb], dim=-1))))  # (B, O)
        return self.log_probs(o), s, a

    def log_probs(self, o: torch.Tensor) -> torch.Tensor:
        """Log-probabilities over the target vocabulary (..., V) of output features (..., O)."""
        if self.cfg.cutoffs:
            return self.out.log_prob(o.reshape(-1, o.shape[-1])).view(*o.shape[:-1], -1)
        return torch.log_softmax(self.out(o), dim=-1)

    def nll(self, o: torch.Tensor, target: torch.Tensor, label_smoothing: float = 0.0):
        """Mean negative log-likelihood of ``target`` (N,) under output features o (N, O).
        Label smoothing applies to the full softmax only."""
        if self.cfg.cutoffs:
            return self.out(o, target).loss
        return fn.cross_entropy(self.out(o), target, label_smoothing=label_smoothing)

    def forward(
        self,
        src: torch.Tensor,
        src_len: torch.Tensor,
        tgt_in: torch.Tensor,
        select: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Teacher-forced pass.  src (B, S), src_len (B,), tgt_in (B, T) starting with SOS and
        right-padded (the decoder GRU reads left to right, so padding never changes a real step).

        Returns output features o and attention (B, T, S).  o is (B, T, O), or (N, O) for the
        N positions where the bool mask ``select`` (B, T) is True (the non-padding targets; the
        softmax layer is the costly part, so padding is skipped).  Feed o to ``nll`` or
        ``log_probs`` (dropout is already applied).
        """
        enc = self.encode(src, src_len)
        emb = self.drop(self.tgt_emb(tgt_in))  # (B, T, E)
        s, _ = self.decoder(emb, enc.h0[None].contiguous())  # (B, T, H)
        o, a = self._features(emb, s, enc)
        if select is not None:
            o = o[select]  # (N, O)
        return o, a


# --------------------------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------------------------


def save_checkpoint(
    out_dir: str | Path, model: Seq2Seq, src_vocab: Vocab, tgt_vocab: Vocab, meta: dict
) -> Path:
    """Write ``weights.pt`` (float16 tensors) and ``model.json`` into ``out_dir``
    (``core.checkpoint``)."""
    return checkpoint.save(out_dir, model, src_vocab, tgt_vocab, meta, FORMAT)


def load_checkpoint(path: str | Path) -> tuple[Seq2Seq, Vocab, Vocab, dict]:
    """Read a seq2seq checkpoint directory (or its ``model.json`` / ``weights.pt``): (model in
    eval mode, float32; source vocabulary; target vocabulary; meta).  ``ValueError`` naming the
    file and the problem for anything missing, too large, unreadable, of the wrong format,
    shape or not finite (``core.checkpoint.load``)."""
    return checkpoint.load(path, FORMAT, "seq2seq", ModelConfig, Seq2Seq)  # type: ignore[return-value]

"""Train the French -> English attention model: ``train(split, TrainConfig(...))``.

Batched teacher forcing over length-bucketed batches, masked cross-entropy (padding targets
ignored, optional label smoothing), source word dropout to UNK, Adam, gradient-norm clipping,
learning-rate halving when the validation BLEU stalls, early stopping on validation BLEU (or
loss), a wall-clock budget, and the best epoch's weights kept.  Training is deterministic for a
given config and thread count.

The command line that trains the shipped checkpoint lives in ``core.seq2seq.train_cli``; this
module still runs it::

    python -m core.seq2seq.train --out assets/seq2seq/model
"""

from __future__ import annotations

import copy
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch.nn import functional as fn

from core.optim import Adam
from core.seq2seq.config import HistoryRow, TrainConfig
from core.seq2seq.data import (
    EOS,
    MAX_LENGTH,
    PAD,
    SOS,
    SPECIALS,
    UNK,
    Pair,
    Split,
    Vocab,
    data_digest,
    encode_source,
    pad_batch,
    prepare_pairs,
)
from core.seq2seq.evaluate import evaluate
from core.seq2seq.model import ModelConfig, Seq2Seq, default_cutoffs

__all__ = [
    "METRICS_FILE",
    "Batch",
    "HistoryRow",
    "TrainConfig",
    "TrainResult",
    "batch_loss",
    "batches_per_epoch",
    "encode_pairs",
    "extra_training_pairs",
    "file_digest",
    "make_batch",
    "make_batches",
    "train",
    "training_vocabs",
    "validation_loss",
]

METRICS_FILE = "metrics.json"


@dataclass(frozen=True, eq=False)
class TrainResult:
    model: Seq2Seq  # the best epoch's weights, eval mode
    src_vocab: Vocab
    tgt_vocab: Vocab
    config: TrainConfig
    history: list[HistoryRow]  # one row per validation round
    best_epoch: int  # the best validation round
    seconds: float  # wall-clock time of the training loop (with per-epoch validation)
    train_pairs_per_s: float  # training pairs per second of pure training (no validation)
    split_sizes: tuple[int, int, int] = field(default=(0, 0, 0))


# --------------------------------------------------------------------------------------------
# Batches
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Batch:
    src: torch.Tensor  # (B, S) PAD-padded source ids
    src_len: torch.Tensor  # (B,)
    tgt_in: torch.Tensor  # (B, T) SOS y_1 .. y_n, PAD-padded
    tgt_out: torch.Tensor  # (B, T) y_1 .. y_n EOS, PAD-padded
    select: torch.Tensor  # (B, T) bool, tgt_out != PAD

    @property
    def size(self) -> int:
        return int(self.src.shape[0])


def encode_pairs(pairs: Sequence[Pair], src_vocab: Vocab, tgt_vocab: Vocab):
    return [
        (encode_source(p.fr.split(), src_vocab)[0], tgt_vocab.encode(p.en.split()))
        for p in pairs
        if p.fr and p.en
    ]


def make_batch(items: Sequence[tuple[list[int], list[int]]]) -> Batch:
    src, src_len = pad_batch([s for s, _ in items])
    tgt_in, _ = pad_batch([[SOS] + t for _, t in items])
    tgt_out, _ = pad_batch([t + [EOS] for _, t in items])
    return Batch(src, src_len, tgt_in, tgt_out, tgt_out != PAD)


BUCKET_BATCHES = 50  # shuffled pairs are sorted by length in chunks of this many batches


def make_batches(items, batch: int, rng: random.Random | None) -> list[Batch]:
    """Bucketed batches: shuffle (when ``rng``), sort chunks of ``BUCKET_BATCHES`` batches by
    source length, cut into batches, shuffle the batches.  Without ``rng`` the order is by
    length."""
    idx = list(range(len(items)))
    if rng is None:
        idx.sort(key=lambda i: (len(items[i][0]), len(items[i][1])))
        chunks = [idx]
    else:
        rng.shuffle(idx)
        size = batch * BUCKET_BATCHES
        chunks = [
            sorted(idx[c : c + size], key=lambda i: (len(items[i][0]), len(items[i][1])))
            for c in range(0, len(idx), size)
        ]
    out = [
        make_batch([items[i] for i in ch[b : b + batch]])
        for ch in chunks
        for b in range(0, len(ch), batch)
    ]
    if rng is not None:
        rng.shuffle(out)
    return out


def batches_per_epoch(n: int, batch: int) -> int:
    """How many batches ``make_batches`` (with an ``rng``) cuts from ``n`` items."""
    size = batch * BUCKET_BATCHES
    return sum(math.ceil(min(size, n - c) / batch) for c in range(0, n, size))


# --------------------------------------------------------------------------------------------
# One step
# --------------------------------------------------------------------------------------------


def batch_loss(model: Seq2Seq, b: Batch, label_smoothing: float = 0.0) -> torch.Tensor:
    """Mean cross-entropy per (non-padding) target token, teacher forcing."""
    o, _ = model(b.src, b.src_len, b.tgt_in, select=b.select)  # (N, O)
    return model.nll(o, b.tgt_out[b.select], label_smoothing)


def _free_running_loss(model: Seq2Seq, b: Batch, ratio: float, gen: torch.Generator):
    """Teacher forcing with probability ``ratio`` per step (for the whole batch), else the
    model's own greedy token; one decoder step at a time, so several times slower.  No label
    smoothing."""
    enc = model.encode(b.src, b.src_len)
    s = enc.h0
    y = b.tgt_in[:, 0]
    losses = []
    for t in range(b.tgt_in.shape[1]):
        logp, s, _ = model.step(y, s, enc)
        losses.append(fn.nll_loss(logp, b.tgt_out[:, t], ignore_index=PAD, reduction="sum"))
        use_ref = float(torch.rand((), generator=gen)) < ratio
        y = b.tgt_out[:, t] if use_ref else logp.argmax(-1).detach()
        y = torch.where(y == EOS, torch.full_like(y, PAD), y) if not use_ref else y
    return torch.stack(losses).sum() / b.select.sum()


def _word_dropout(src: torch.Tensor, p: float, gen: torch.Generator) -> torch.Tensor:
    if p <= 0:
        return src
    drop = (torch.rand(src.shape, generator=gen) < p) & (src != PAD)
    return src.masked_fill(drop, UNK)


@torch.inference_mode()
def validation_loss(model: Seq2Seq, batches: Sequence[Batch]) -> float:
    model.eval()
    total, n = 0.0, 0
    for b in batches:
        o, _ = model(b.src, b.src_len, b.tgt_in, select=b.select)
        k = int(b.select.sum())
        total += float(model.nll(o, b.tgt_out[b.select])) * k
        n += k
    return total / max(1, n)


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------


def extra_training_pairs(
    raw: Sequence[Pair], split: Split, max_length: int = MAX_LENGTH
) -> list[Pair]:
    """Pairs of the whole corpus for extra training: normalised, both sides shorter than
    ``max_length`` tokens, *without* the English-prefix filter, and with every pair dropped whose
    French or English sentence occurs in the validation or test part (so nothing held out is
    seen, in either language)."""
    held_fr = {p.fr for p in split.val + split.test}
    held_en = {p.en for p in split.val + split.test}
    out = prepare_pairs(raw, prefixes=None, max_length=max_length)
    return [p for p in dict.fromkeys(out) if p.fr not in held_fr and p.en not in held_en]


def training_vocabs(
    in_domain: Sequence[Pair], extra: Sequence[Pair], min_count: int
) -> tuple[Vocab, Vocab]:
    """Every word of the in-domain training pairs, plus words seen ``min_count`` times in all
    training pairs; most frequent first (the adaptive softmax relies on that order)."""
    vocabs = []
    for side in ("fr", "en"):
        counts = Counter(t for p in [*in_domain, *extra] for t in getattr(p, side).split())
        keep = {t for p in in_domain for t in getattr(p, side).split()}
        words = [w for w, c in counts.items() if c >= min_count or w in keep]
        words.sort(key=lambda w: (-counts[w], w))
        vocabs.append(Vocab(SPECIALS + tuple(words)))
    return vocabs[0], vocabs[1]


def train(
    split: Split,
    cfg: TrainConfig,
    progress: Callable[[int, int, float, str, bool], None] | None = None,
    extra: Sequence[Pair] = (),
    src_vocab: Vocab | None = None,
    tgt_vocab: Vocab | None = None,
    *,
    should_stop: Callable[[], bool] | None = None,
    on_round: Callable[[HistoryRow, Seq2Seq], None] | None = None,
) -> TrainResult:
    """Train on ``split.train`` (repeated ``cfg.in_domain_repeat`` times per epoch) plus the
    ``extra`` pairs, select on ``split.val``, validating every ``cfg.eval_every`` training pairs
    (and at the end of each epoch).  ``progress(round, rounds, fraction, text, round_done)`` is
    called during training.  Vocabularies default to ``training_vocabs``.

    Hooks for live training (``core.seq2seq.live.pipeline``): ``should_stop()`` is asked after every
    batch; when it answers True training ends at once with the best validated weights so far
    (one validation round is still run if there was none yet).  ``on_round(row, model)`` is
    called after each validation round with the history row and the validated model (eval
    mode; do not modify it)."""
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    if src_vocab is None or tgt_vocab is None:
        src_vocab, tgt_vocab = training_vocabs(split.train, extra, cfg.min_count)
    mcfg = ModelConfig(
        src_vocab=len(src_vocab),
        tgt_vocab=len(tgt_vocab),
        emb=cfg.emb,
        hidden=cfg.hidden,
        bidirectional=cfg.bidirectional,
        attn=cfg.attn,
        out=cfg.out,
        cutoffs=default_cutoffs(len(tgt_vocab)) if cfg.adaptive else (),
        dropout=cfg.dropout,
    )
    model = Seq2Seq(mcfg)
    opt = Adam(model.parameters(), lr=cfg.lr)  # core.optim: torch.optim imports torch._dynamo
    # an exponential moving average of the weights is what gets validated and kept
    ema_model = copy.deepcopy(model).eval() if cfg.ema > 0 else None
    params = list(model.parameters())
    ema_params = list(ema_model.parameters()) if ema_model is not None else []
    judged = ema_model if ema_model is not None else model
    in_items = encode_pairs(split.train, src_vocab, tgt_vocab)
    extra_items = encode_pairs(extra, src_vocab, tgt_vocab)
    # phase 1: filtered + extra pairs, phase 2 (after cfg.extra_minutes): filtered pairs only
    phase = 1 if extra_items else 2
    train_items = in_items * cfg.in_domain_repeat + extra_items if phase == 1 else in_items
    val_batches = make_batches(encode_pairs(split.val, src_vocab, tgt_vocab), 256, None)
    if not train_items:
        raise ValueError("No training pairs: the split's training part is empty.")
    eval_every = cfg.eval_every or len(train_items)
    n_rounds = 0 if extra_items else cfg.epochs * max(1, math.ceil(len(in_items) / eval_every))
    history: list[HistoryRow] = []
    best, best_round, best_state, stale, lr_stale = -math.inf, 0, None, 0, 0
    t_start = time.perf_counter()
    train_time, train_pairs = 0.0, 0
    budget = cfg.minutes * 60
    rnd, stop, switch = 0, False, False
    t_phase2 = 0.0 if phase == 2 else None  # when the filtered-only phase began (seconds)
    for epoch in range(1, cfg.epochs + 1):
        if switch:
            phase, train_items, switch = 2, in_items, False
            t_phase2 = time.perf_counter() - t_start
            stale = lr_stale = 0
            if ema_params:
                with torch.no_grad():
                    torch._foreach_copy_(ema_params, params)
        batches = make_batches(train_items, cfg.batch, rng)
        i = 0
        while i < len(batches) and not stop and not switch:
            rnd += 1
            model.train()
            t0 = time.perf_counter()
            total, count, n_b = 0.0, 0, 0
            halted = False
            while i < len(batches) and count < eval_every:
                b = batches[i]
                i += 1
                if cfg.decay and t_phase2 is not None:  # linear decay to the end of the budget
                    frac = (time.perf_counter() - t_start - t_phase2) / max(1.0, budget - t_phase2)
                    for g in opt.param_groups:
                        g["lr"] = cfg.lr * max(0.05, 1.0 - frac)
                src = _word_dropout(b.src, cfg.word_dropout, gen)
                bb = Batch(src, b.src_len, b.tgt_in, b.tgt_out, b.select)
                if cfg.teacher_forcing >= 1:
                    loss = batch_loss(model, bb, cfg.label_smoothing)
                else:
                    loss = _free_running_loss(model, bb, cfg.teacher_forcing, gen)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
                opt.step()
                if ema_params:
                    with torch.no_grad():
                        torch._foreach_lerp_(ema_params, params, 1 - cfg.ema)
                total += loss.item() * b.size
                count += b.size
                n_b += 1
                if progress:
                    frac = min(1.0, count / min(eval_every, len(train_items)))
                    progress(rnd, n_rounds, frac, f"epoch {epoch} loss {total / count:.3f}", False)
                if time.perf_counter() - t_start > budget:
                    break
                if should_stop is not None and should_stop():
                    halted = True
                    break
            dt = time.perf_counter() - t0
            train_time += dt
            train_pairs += count
            if halted and history:  # stopped from outside: keep the best validated weights
                stop = True
                break
            vloss = validation_loss(judged, val_batches)
            rep = evaluate(judged, split.val, src_vocab, tgt_vocab, n_examples=0)
            score = rep.bleu if cfg.monitor == "bleu" else -vloss
            row: HistoryRow = {
                "round": rnd,
                "epoch": epoch,
                "phase": phase,
                "train_loss": round(total / max(1, count), 4),
                "val_loss": round(vloss, 4),
                "val_bleu": round(rep.bleu, 2),
                "val_exact": round(rep.exact_match, 4),
                "lr": opt.param_groups[0]["lr"],
                "seconds": round(time.perf_counter() - t_start, 1),
                "pairs_per_s": round(count / max(dt, 1e-9), 1),
            }
            history.append(row)
            if on_round is not None:
                on_round(row, judged)
            if score > best:
                best, best_round, stale, lr_stale = score, rnd, 0, 0
                best_state = {k: v.detach().clone() for k, v in judged.state_dict().items()}
            else:
                stale += 1
                lr_stale += 1
                if (
                    not cfg.decay
                    and lr_stale >= cfg.lr_patience
                    and opt.param_groups[0]["lr"] > cfg.lr / 16
                ):
                    for g in opt.param_groups:
                        g["lr"] /= 2
                    lr_stale = 0
            if progress:
                progress(
                    rnd,
                    n_rounds,
                    1.0,
                    f"epoch {epoch} loss {row['train_loss']:.3f} | val loss {vloss:.3f} "
                    f"BLEU {rep.bleu:.1f} (best {best if cfg.monitor == 'bleu' else -best:.2f} "
                    f"@ {best_round}) | {row['seconds']:.0f}s",
                    True,
                )
            elapsed = time.perf_counter() - t_start
            stop = (stale >= cfg.patience and phase == 2) or elapsed > budget or halted
            switch = phase == 1 and (elapsed > cfg.extra_minutes * 60 or stale >= cfg.patience)
        if stop:
            break
    seconds = time.perf_counter() - t_start
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return TrainResult(
        model,
        src_vocab,
        tgt_vocab,
        cfg,
        history,
        best_round,
        seconds,
        train_pairs / max(train_time, 1e-9),
        split.sizes(),
    )


def file_digest(path: Path) -> str:
    """The first 16 hex digits of the SHA-256 of a file (recorded with a checkpoint)."""
    return data_digest(Path(path))


if __name__ == "__main__":  # python -m core.seq2seq.train: the command line
    from core.seq2seq.train_cli import main

    raise SystemExit(main())

"""Train the French -> English transformer and write a checkpoint with its scores.

    python -m core.transformer.train \
        --out assets/transformer/model --threads 1

Same data as the GRU (``core.seq2seq.train``): the exercise's normalisation and filter, the split
by French sentence with seed 0 (train / validation / test = 6,761 / 836 / 868 pairs), the
corpus' other short pairs as extra training data with every pair sharing a sentence with the
validation or test part removed (``extra_training_pairs``), and the same vocabulary rule
(``training_vocabs``); scored with the same BLEU (``corpus_bleu``) on the same test pairs.

Training: teacher forcing with label-smoothed cross-entropy over length-bucketed batches, Adam
(beta2 0.98) with a linear warm-up, gradient-norm clipping, source word dropout to UNK, and an
exponential moving average (EMA) of the weights, which is what gets validated and kept.  Phase 1
reads the extra pairs mixed with the filtered training pairs (repeated) for ``extra_steps``
steps; phase 2 reads the filtered pairs only, up to ``steps`` steps in all, while the learning
rate falls linearly to 5 %.  Validation BLEU (greedy) every ``eval_every`` training pairs picks
the kept weights.  The schedule counts steps, so a run is deterministic for a given config and
thread count (on the same machine) -- unless a wall-clock cap (``minutes``, ``extra_minutes``)
ends a phase first, which the log and the metrics' history show.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import platform
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from core.optim import Adam
from core.seq2seq.data import (
    DEFAULT_DATA,
    EOS,
    PAD,
    PROJECT_ROOT,
    SOS,
    UNK,
    Pair,
    Vocab,
    data_digest,
    encode_source,
    prepare_pairs,
    read_raw_pairs,
    split_pairs,
)
from core.seq2seq.evaluate import corpus_bleu
from core.seq2seq.train import extra_training_pairs, training_vocabs
from core.transformer.decode import MAX_DECODE_STEPS, beam_search, greedy_batch
from core.transformer.model import Transformer, TransformerConfig, load_checkpoint, save_checkpoint
from core.transformer.np_model import NumpyTransformer

DEFAULT_OUT = PROJECT_ROOT / "assets" / "transformer" / "model"
METRICS_FILE = "metrics.json"
EVAL_BATCH = 200


@dataclass(frozen=True)
class TrainConfig:
    """How to train (model sizes: see ``TransformerConfig``).

    bf16             compute the training steps in bfloat16 autocast (weights, optimizer and
                     the loss stay float32; about 1.7x faster on a CPU with AVX512-BF16)
    batch            sentence pairs per step
    lr               peak Adam learning rate, reached after ``warmup`` steps
    steps            training steps in all (phase 1 + phase 2)
    extra_steps      steps of phase 1 (extra + filtered pairs); 0: no extra data
    minutes          wall-clock cap of the training loop (validation included)
    extra_minutes    wall-clock cap of phase 1
    in_domain_repeat times the filtered training pairs occur per phase-1 epoch
    label_smoothing  of the cross-entropy
    word_dropout     probability of replacing a source token by UNK while training
    ema              decay of the moving average of the weights that is validated and kept
    eval_every       validate every this many training pairs
    clip             gradient-norm clipping
    min_count        extra-data words need this many occurrences to enter the vocabulary
    seed             the split, the initialisation, the batch order and the dropout
    """

    d_model: int = 256
    n_heads: int = 4
    d_ff: int = 1024
    enc_layers: int = 2
    dec_layers: int = 2
    dropout: float = 0.1
    attn_dropout: float = 0.0
    ff_dropout: float = 0.0
    norm_first: bool = True
    tie_output: bool = True
    bf16: bool = True
    batch: int = 64
    lr: float = 1e-3
    warmup: int = 800
    steps: int = 8500
    extra_steps: int = 5500
    minutes: float = 24.0
    extra_minutes: float = 15.0
    in_domain_repeat: int = 2
    label_smoothing: float = 0.1
    word_dropout: float = 0.1
    ema: float = 0.998
    eval_every: int = 30_000
    clip: float = 1.0
    min_count: int = 3
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("batch", "warmup", "steps", "in_domain_repeat", "min_count", "eval_every"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}.")
        for name in (
            "label_smoothing",
            "word_dropout",
            "ema",
            "dropout",
            "attn_dropout",
            "ff_dropout",
        ):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(f"{name} must be in [0, 1), got {getattr(self, name)!r}.")
        if not (
            self.lr > 0
            and self.minutes > 0
            and self.clip > 0
            and self.extra_minutes >= 0
            and self.extra_steps >= 0
        ):
            raise ValueError(
                "lr, minutes and clip must be positive, extra_minutes and extra_steps >= 0."
            )

    def model_config(self, src_vocab: int, tgt_vocab: int) -> TransformerConfig:
        return TransformerConfig(
            src_vocab=src_vocab,
            tgt_vocab=tgt_vocab,
            d_model=self.d_model,
            n_heads=self.n_heads,
            d_ff=self.d_ff,
            enc_layers=self.enc_layers,
            dec_layers=self.dec_layers,
            dropout=self.dropout,
            attn_dropout=self.attn_dropout,
            ff_dropout=self.ff_dropout,
            norm_first=self.norm_first,
            tie_output=self.tie_output,
        )


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------

Item = tuple[list[int], list[int]]  # (source ids, target ids without SOS / EOS)


def encode_items(pairs: Sequence[Pair], src_vocab: Vocab, tgt_vocab: Vocab) -> list[Item]:
    """Ids of the pairs: French through ``encode_source`` (unseen inflections read as seen
    forms, as the GRU and the translator do), English through the vocabulary."""
    return [
        (encode_source(p.fr.split(), src_vocab)[0], tgt_vocab.encode(p.en.split()))
        for p in pairs
        if p.fr and p.en
    ]


def _pad(seqs: Sequence[Sequence[int]]) -> torch.Tensor:
    T = max(len(s) for s in seqs)
    out = torch.full((len(seqs), T), PAD, dtype=torch.long)  # (B, T)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = torch.tensor(s, dtype=torch.long)
    return out


def make_batches(items: Sequence[Item], batch: int, rng: random.Random) -> list[tuple]:
    """Shuffled batches of similar source length: shuffle, sort chunks of 50 batches by length,
    cut, shuffle the batches.  Each batch is (src (B, S), tgt_in (B, T), tgt_out (B, T))."""
    idx = list(range(len(items)))
    rng.shuffle(idx)
    chunk = batch * 50
    out = []
    for c in range(0, len(idx), chunk):
        part = sorted(idx[c : c + chunk], key=lambda i: (len(items[i][0]), len(items[i][1])))
        for b in range(0, len(part), batch):
            sel = [items[i] for i in part[b : b + batch]]
            out.append(
                (
                    _pad([s for s, _ in sel]),
                    _pad([[SOS] + t for _, t in sel]),
                    _pad([t + [EOS] for _, t in sel]),
                )
            )
    rng.shuffle(out)
    return out


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------


def translate_all(
    model: Transformer, sentences: Sequence[str], src_vocab: Vocab, tgt_vocab: Vocab, beam: int = 1
) -> list[str]:
    """Translations of normalised French sentences, in order (greedy in batches of similar
    length, or beam search one at a time); an empty sentence gives an empty translation.
    ``model``: a torch ``Transformer`` or the server's ``NumpyTransformer`` (numpy decoding)."""
    if isinstance(model, NumpyTransformer):
        from core.transformer import np_decode

        greedy_batch_, beam_search_ = np_decode.greedy_batch, np_decode.beam_search
    else:
        greedy_batch_, beam_search_ = greedy_batch, beam_search
    ids = [encode_source(s.split(), src_vocab)[0] for s in sentences]
    out = [""] * len(ids)
    todo = sorted((i for i in range(len(ids)) if ids[i]), key=lambda i: len(ids[i]))
    if beam > 1:
        for i in todo:
            best = beam_search_(model, ids[i], beam)[0]
            out[i] = " ".join(tgt_vocab.decode(best.ids.tolist()))
        return out
    for b in range(0, len(todo), EVAL_BATCH):
        sel = todo[b : b + EVAL_BATCH]
        y = greedy_batch_(model, _pad([ids[i] for i in sel]), MAX_DECODE_STEPS)
        for row, i in enumerate(sel):
            out[i] = " ".join(tgt_vocab.decode(y[row].tolist()))
    return out


def score(
    model: Transformer, pairs: Sequence[Pair], src_vocab: Vocab, tgt_vocab: Vocab, beam: int = 1
) -> dict:
    """Corpus BLEU-4 (``core.seq2seq.evaluate.corpus_bleu``), exact match and the share of
    unknown source tokens on ``pairs`` -- the keys of the GRU's metrics."""
    hyps = translate_all(model, [p.fr for p in pairs], src_vocab, tgt_vocab, beam)
    refs = [p.en for p in pairs]
    toks = [i for p in pairs for i in encode_source(p.fr.split(), src_vocab)[0]]
    return {
        "bleu": round(corpus_bleu(hyps, refs), 2),
        "exact_match": round(
            sum(h == r for h, r in zip(hyps, refs, strict=True)) / max(1, len(refs)), 4
        ),
        "n": len(pairs),
        "unknown_rate": round(sum(i == UNK for i in toks) / max(1, len(toks)), 4),
    }


@torch.inference_mode()
def validation_loss(model: Transformer, batches) -> float:
    model.eval()
    total, n = 0.0, 0
    for src, tgt_in, tgt_out in batches:
        k = int((tgt_out != PAD).sum())
        total += float(model.loss(src, tgt_in, tgt_out)) * k
        n += k
    return total / max(1, n)


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TrainResult:
    model: Transformer  # the best validated EMA weights, eval mode
    history: list[dict]
    best_round: int
    seconds: float
    steps: int


def _word_dropout(src: torch.Tensor, p: float, gen: torch.Generator) -> torch.Tensor:
    if p <= 0:
        return src
    drop = (torch.rand(src.shape, generator=gen) < p) & (src != PAD)
    return src.masked_fill(drop, UNK)


def train(
    cfg: TrainConfig,
    train_pairs: Sequence[Pair],
    val_pairs: Sequence[Pair],
    extra: Sequence[Pair],
    src_vocab: Vocab,
    tgt_vocab: Vocab,
    log=print,
) -> TrainResult:
    """Train on ``train_pairs`` (and ``extra`` in phase 1), validating on ``val_pairs``.

    Phase 1 runs ``extra_steps`` steps (or ``extra_minutes``, whichever comes first); phase 2
    runs to ``steps`` steps in all (or ``minutes``) while the learning rate falls linearly to 5 %
    -- by steps, or by time when the clock is ahead, so a slow machine still ends decayed."""
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    model = Transformer(cfg.model_config(len(src_vocab), len(tgt_vocab)))
    ema = copy.deepcopy(model).eval()
    params, ema_params = list(model.parameters()), list(ema.parameters())
    opt = Adam(params, lr=cfg.lr, betas=(0.9, 0.98), eps=1e-9)  # core.optim, torch.optim's update
    in_items = encode_items(train_pairs, src_vocab, tgt_vocab)
    use_extra = cfg.extra_steps > 0 and cfg.extra_minutes > 0
    extra_items = encode_items(extra, src_vocab, tgt_vocab) if use_extra else []
    val_batches = make_batches(encode_items(val_pairs, src_vocab, tgt_vocab), 256, random.Random(0))
    if not in_items:
        raise ValueError("No training pairs: the split's training part is empty.")
    epoch = 0

    def stream(phase: int):
        nonlocal epoch
        while True:
            epoch += 1
            items = in_items * cfg.in_domain_repeat + extra_items if phase == 1 else in_items
            yield from make_batches(items, cfg.batch, rng)

    phase = 1 if extra_items else 2
    batches = stream(phase)
    budget = cfg.minutes * 60
    t_start = time.perf_counter()
    t2, s2 = (0.0, 0) if phase == 2 else (None, None)  # when phase 2 began: seconds, steps
    history: list[dict] = []
    best, best_round, best_state = -math.inf, 0, None
    step, seen, rnd = 0, 0, 0
    next_eval = cfg.eval_every
    run_loss, run_n = 0.0, 0
    t_round = time.perf_counter()
    while True:
        elapsed = time.perf_counter() - t_start
        if phase == 1 and (step >= cfg.extra_steps or elapsed > cfg.extra_minutes * 60):
            phase, t2, s2 = 2, elapsed, step
            batches = stream(2)
            log(f"phase 2 (filtered pairs only) from step {step}, {elapsed:.0f}s")
        src, tgt_in, tgt_out = next(batches)
        step += 1
        lr = cfg.lr * min(1.0, step / cfg.warmup)
        if phase == 2:  # linear decay to 5 % over phase 2
            frac = max((step - s2) / max(1, cfg.steps - s2), (elapsed - t2) / max(1.0, budget - t2))
            lr *= max(0.05, 1.0 - frac)
        for g in opt.param_groups:
            g["lr"] = lr
        model.train()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg.bf16):
            loss = model.loss(
                _word_dropout(src, cfg.word_dropout, gen), tgt_in, tgt_out, cfg.label_smoothing
            )
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, cfg.clip)
        opt.step()
        with torch.no_grad():  # bias-corrected start: early averages follow the weights
            decay = min(cfg.ema, (1 + step) / (10 + step))
            torch._foreach_lerp_(ema_params, params, 1 - decay)
        b = src.shape[0]
        seen += b
        run_loss += loss.item() * b
        run_n += b
        done = step >= cfg.steps or time.perf_counter() - t_start > budget
        if seen >= next_eval or done:
            next_eval = seen + cfg.eval_every
            rnd += 1
            dt = time.perf_counter() - t_round
            vloss = validation_loss(ema, val_batches)
            val = score(ema, val_pairs, src_vocab, tgt_vocab)
            row = {
                "round": rnd,
                "epoch": epoch,
                "phase": phase,
                "step": step,
                "pairs": seen,
                "train_loss": round(run_loss / max(1, run_n), 4),
                "val_loss": round(vloss, 4),
                "val_bleu": val["bleu"],
                "val_exact": val["exact_match"],
                "lr": round(lr, 7),
                "seconds": round(time.perf_counter() - t_start, 1),
                "pairs_per_s": round(run_n / max(dt, 1e-9), 1),
            }
            history.append(row)
            if val["bleu"] > best:
                best, best_round = val["bleu"], rnd
                best_state = {k: v.detach().clone() for k, v in ema.state_dict().items()}
            log(
                f"round {rnd} epoch {epoch} phase {phase} step {step}: train loss "
                f"{row['train_loss']:.3f} val loss {vloss:.3f} val BLEU {val['bleu']:.2f} "
                f"exact {val['exact_match']:.3f} (best {best:.2f} @ {best_round}) lr "
                f"{lr:.2e} {row['seconds']:.0f}s {row['pairs_per_s']:.0f} pairs/s"
            )
            run_loss, run_n = 0.0, 0
            t_round = time.perf_counter()
        if done:
            break
    seconds = time.perf_counter() - t_start
    if best_state is not None:
        ema.load_state_dict(best_state)
    return TrainResult(ema.eval(), history, best_round, seconds, step)


# --------------------------------------------------------------------------------------------
# Command
# --------------------------------------------------------------------------------------------


def file_digest(path: Path) -> str:
    """The first 16 hex digits of the SHA-256 of a file (recorded with the checkpoint)."""
    return data_digest(Path(path))


def main(argv: Sequence[str] | None = None) -> int:
    d = TrainConfig()
    ap = argparse.ArgumentParser(
        prog="python -m core.transformer.train", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("--data", default=str(DEFAULT_DATA), help="English<TAB>French file")
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="checkpoint directory to write")
    for name, v in asdict(d).items():
        flag = "--" + name.replace("_", "-")
        if isinstance(v, bool):
            ap.add_argument(
                flag, type=lambda s: s.lower() in ("1", "true", "yes"), default=v, metavar="BOOL"
            )
        else:
            ap.add_argument(flag, type=type(v), default=v)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--no-beam", action="store_true", help="skip the beam-5 test score")
    a = ap.parse_args(argv)
    t_cmd = time.perf_counter()
    try:
        cfg = TrainConfig(**{k: getattr(a, k) for k in asdict(d)})
        raw = read_raw_pairs(a.data)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    torch.set_num_threads(max(1, a.threads))
    pairs = prepare_pairs(raw)
    split = split_pairs(pairs, seed=0, by="source")
    use_extra = cfg.extra_steps > 0 and cfg.extra_minutes > 0
    extra = extra_training_pairs(raw, split) if use_extra else []
    in_train = set(split.train)
    extra = [p for p in extra if p not in in_train]  # the filtered pairs are repeated apart
    src_vocab, tgt_vocab = training_vocabs(split.train, extra, cfg.min_count)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    log(
        f"{len(pairs):,} filtered pairs; train/val/test {split.sizes()}; {len(extra):,} extra "
        f"pairs; vocabularies {len(src_vocab):,} / {len(tgt_vocab):,}; "
        f"{torch.get_num_threads()} thread(s); {cfg}"
    )
    res = train(cfg, split.train, split.val, extra, src_vocab, tgt_vocab, log)
    meta = {
        "train_config": asdict(cfg),
        "data": {
            "file": Path(a.data).name,
            "sha256_16": file_digest(Path(a.data)),
            "pairs": len(pairs),
            "extra_pairs": len(extra),
            "split_seed": 0,
            "split_by": "source",
        },
    }
    out = save_checkpoint(a.out, res.model, src_vocab, tgt_vocab, meta)
    model, sv, tv, _ = load_checkpoint(out)  # score the weights as shipped (float16 on disk)
    val = score(model, split.val, sv, tv)
    test = score(model, split.test, sv, tv)
    metrics = {
        "test": test,
        "val": val,
        "parameters": model.n_parameters(),
        "train_seconds": round(res.seconds, 1),
        "steps": res.steps,
        "rounds": len(res.history),
        "best_round": res.best_round,
        "split_sizes": dict(zip(("train", "val", "test"), split.sizes(), strict=True)),
        "vocab_sizes": {"src": len(sv), "tgt": len(tv)},
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "machine": platform.machine(),
        "settings": asdict(cfg),
    }
    if not a.no_beam:
        metrics["test_beam5"] = score(model, split.test, sv, tv, beam=5)
    metrics["command_seconds"] = round(time.perf_counter() - t_cmd, 1)
    metrics["history"] = res.history  # numbers only: no sentences of the corpus
    meta["metrics"] = {k: metrics[k] for k in metrics if k not in ("history", "settings")}
    save_checkpoint(out, res.model, src_vocab, tgt_vocab, meta)
    (out / METRICS_FILE).write_text(json.dumps(metrics, indent=1))
    log(
        f"test BLEU {test['bleu']:.2f} exact {test['exact_match']:.1%}; val BLEU {val['bleu']:.2f}"
        + (f"; beam 5 test BLEU {metrics['test_beam5']['bleu']:.2f}" if not a.no_beam else "")
        + f"; {res.seconds:.0f}s; wrote {out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

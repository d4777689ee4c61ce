"""The training command: train the French -> English attention model and write a checkpoint.

    python -m core.seq2seq.train --out assets/seq2seq/model

(``python -m core.seq2seq.train_cli`` is the same command.)  Reads the corpus, applies the
exercise's filter, splits it, trains with ``core.seq2seq.train.train`` while a plain-text
progress bar goes to stderr, then scores the saved (float16) weights on the validation and test
parts and writes ``weights.pt``, ``model.json`` and ``metrics.json`` into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

import torch

from core.seq2seq.config import TrainConfig
from core.seq2seq.data import (
    DEFAULT_DATA,
    PROJECT_ROOT,
    prepare_pairs,
    read_raw_pairs,
    split_pairs,
)
from core.seq2seq.evaluate import EvalReport, evaluate
from core.seq2seq.model import load_checkpoint, save_checkpoint
from core.seq2seq.train import (
    METRICS_FILE,
    TrainResult,
    extra_training_pairs,
    file_digest,
    train,
)

DEFAULT_OUT = PROJECT_ROOT / "assets" / "seq2seq" / "model"
PROG = "python -m core.seq2seq.train"
DESCRIPTION = "Train the French -> English attention model and write a checkpoint."


class ProgressBar:
    """A one-line text bar on a stream: ``round 3/60 [#####.....] 52% loss 2.13 | ...``."""

    def __init__(self, stream: TextIO = sys.stderr, width: int = 30):
        self.stream, self.width = stream, width
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self._last = -1.0

    def update(self, epoch: int, epochs: int, frac: float, text: str, final: bool = False):
        now = time.perf_counter()
        if not final and now - self._last < (0.2 if self.tty else 5.0):
            return
        self._last = now
        n = int(round(frac * self.width))
        bar = "#" * n + "." * (self.width - n)
        total = f"/{epochs}" if epochs else ""
        line = f"round {epoch:3d}{total} [{bar}] {frac * 100:3.0f}% {text}"
        if self.tty:
            self.stream.write("\r" + line + ("\n" if final else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def metrics_of(res: TrainResult, val: EvalReport, test: EvalReport, threads: int) -> dict:
    """What ``metrics.json`` records: scores, timings, split sizes and the history."""
    return {
        "test": test.as_dict(),
        "val": val.as_dict(),
        "train_seconds": round(res.seconds, 1),
        "epochs": res.history[-1]["epoch"] if res.history else 0,
        "rounds": len(res.history),
        "best_epoch": res.best_epoch,
        "train_pairs_per_s": round(res.train_pairs_per_s, 1),
        "split_sizes": {
            "train": res.split_sizes[0],
            "val": res.split_sizes[1],
            "test": res.split_sizes[2],
        },
        "threads": threads,
        "torch": torch.__version__,
        "machine": platform.machine(),
        "history": res.history,
    }  # no sentences: the corpus' license rules keep its sentences out of the repository


def parser() -> argparse.ArgumentParser:
    """The command's options; their defaults are ``TrainConfig``'s."""
    d = TrainConfig()
    ap = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION)
    ap.add_argument("--data", default=str(DEFAULT_DATA), help="English<TAB>French file")
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="checkpoint directory to write")
    ap.add_argument("--emb", type=int, default=d.emb)
    ap.add_argument("--hidden", type=int, default=d.hidden)
    ap.add_argument("--unidirectional", action="store_true", help="left-to-right encoder only")
    ap.add_argument("--full-softmax", action="store_true", help="no adaptive softmax")
    ap.add_argument("--dropout", type=float, default=d.dropout)
    ap.add_argument("--batch", type=int, default=d.batch)
    ap.add_argument("--lr", type=float, default=d.lr)
    ap.add_argument("--epochs", type=int, default=d.epochs)
    ap.add_argument("--minutes", type=float, default=d.minutes, help="wall-clock budget")
    ap.add_argument("--patience", type=int, default=d.patience)
    ap.add_argument("--monitor", choices=("bleu", "loss"), default=d.monitor)
    ap.add_argument("--label-smoothing", type=float, default=d.label_smoothing)
    ap.add_argument("--word-dropout", type=float, default=d.word_dropout)
    ap.add_argument("--teacher-forcing", type=float, default=d.teacher_forcing)
    ap.add_argument("--split-by", choices=("source", "pair"), default=d.split_by)
    ap.add_argument(
        "--no-extra-data",
        action="store_true",
        help="train on the filtered pairs only (the exercise's data)",
    )
    ap.add_argument("--in-domain-repeat", type=int, default=d.in_domain_repeat)
    ap.add_argument("--min-count", type=int, default=d.min_count)
    ap.add_argument("--eval-every", type=int, default=d.eval_every)
    ap.add_argument("--extra-minutes", type=float, default=d.extra_minutes)
    ap.add_argument("--ema", type=float, default=d.ema)
    ap.add_argument("--no-decay", action="store_true", help="halve the lr on plateaus instead")
    ap.add_argument("--seed", type=int, default=d.seed, help="split, init and batch order")
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    return ap


def config_of(a: argparse.Namespace) -> TrainConfig:
    """The ``TrainConfig`` of parsed options (``ValueError`` for a bad value)."""
    return TrainConfig(
        emb=a.emb,
        hidden=a.hidden,
        bidirectional=not a.unidirectional,
        adaptive=not a.full_softmax,
        dropout=a.dropout,
        batch=a.batch,
        lr=a.lr,
        epochs=a.epochs,
        minutes=a.minutes,
        patience=a.patience,
        monitor=a.monitor,
        label_smoothing=a.label_smoothing,
        word_dropout=a.word_dropout,
        teacher_forcing=a.teacher_forcing,
        seed=a.seed,
        split_by=a.split_by,
        extra_data=not a.no_extra_data,
        in_domain_repeat=a.in_domain_repeat,
        min_count=a.min_count,
        eval_every=a.eval_every,
        extra_minutes=a.extra_minutes,
        ema=a.ema,
        decay=not a.no_decay,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; 0 on success, 2 for unusable options or data."""
    a = parser().parse_args(argv)
    t_cmd = time.perf_counter()
    try:
        cfg = config_of(a)
        raw = read_raw_pairs(a.data)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    torch.set_num_threads(max(1, a.threads))
    pairs = prepare_pairs(raw)
    if len(pairs) < 3:
        print(f"error: only {len(pairs)} pairs pass the exercise's filter.", file=sys.stderr)
        return 2
    split = split_pairs(pairs, seed=cfg.seed, by=cfg.split_by)
    extra = extra_training_pairs(raw, split) if cfg.extra_data else []
    if extra:  # the filtered training pairs are repeated separately
        in_train = set(split.train)
        extra = [p for p in extra if p not in in_train]
    print(
        f"{len(pairs):,} pairs after the exercise's filter; split by {cfg.split_by} "
        f"train/val/test {split.sizes()}; {len(extra):,} extra training pairs; "
        f"{torch.get_num_threads()} thread(s)",
        file=sys.stderr,
    )
    bar = ProgressBar()
    res = train(split, cfg, progress=bar.update, extra=extra)
    meta = {
        "train_config": asdict(cfg),
        "data": {
            "file": Path(a.data).name,
            "sha256_16": file_digest(Path(a.data)),
            "pairs": len(pairs),
            "extra_pairs": len(extra),
            "split_seed": cfg.seed,
            "split_by": cfg.split_by,
        },
    }
    out = save_checkpoint(a.out, res.model, res.src_vocab, res.tgt_vocab, meta)
    # score the weights as shipped (float16 on disk), then store the scores with them
    model, src_vocab, tgt_vocab, _ = load_checkpoint(out)
    val = evaluate(model, split.val, src_vocab, tgt_vocab)
    test = evaluate(model, split.test, src_vocab, tgt_vocab)
    metrics = metrics_of(res, val, test, torch.get_num_threads())
    unseen = split.unseen_source("test")
    metrics["test_unseen_source"] = evaluate(model, unseen, src_vocab, tgt_vocab).as_dict()
    metrics["command_seconds"] = round(time.perf_counter() - t_cmd, 1)  # reading to scoring
    metrics["test_beam5"] = evaluate(model, split.test, src_vocab, tgt_vocab, beam=5).as_dict()
    meta["metrics"] = {
        k: metrics[k]
        for k in (
            "test",
            "test_unseen_source",
            "test_beam5",
            "val",
            "train_seconds",
            "command_seconds",
            "epochs",
            "best_epoch",
            "train_pairs_per_s",
            "threads",
        )
    }
    save_checkpoint(out, res.model, res.src_vocab, res.tgt_vocab, meta)
    (out / METRICS_FILE).write_text(json.dumps(metrics, indent=1))
    print(
        f"test BLEU {test.bleu:.2f}, exact match {test.exact_match:.1%} on {test.n} pairs; "
        f"val BLEU {val.bleu:.2f}; {res.seconds:.0f} s, best round {res.best_epoch}; wrote {out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""One live training from start to checkpoint: train, watch, score, save (``run_job``).

The queue (``core.seq2seq.live.queue``) calls ``run_job`` in its worker thread; this is the
only module of ``core.seq2seq.live`` that imports torch, and the queue imports it when the first
job starts.  ``run_job`` trains on (a seeded subset of) the split's training part with
``core.seq2seq.train.train`` -- small model, fast settings, a wall-clock cap -- translates a
few fixed validation sentences after every validation round, and at the end (all epochs done,
stopped, or the time cap reached) scores the best weights on the test part and writes a
checkpoint (``save_checkpoint``; loadable with ``load_translator(path)``).

Threads: ``run_job`` calls ``torch.set_num_threads(LIVE_THREADS)`` (1).  That setting is
process-wide in torch: with its OpenMP backend it sets the calling thread's pool and the
default of every thread started afterwards (Streamlit runs each script run in a new thread),
so once a live training has run, the whole server computes with one torch thread per request.
Training takes one core (CPU time / wall time 1.00 measured) and the other stays for the pages.
Measured on a 2-core machine (``python -m bench.train_live``): a greedy translation with the
shipped model takes 1.1-1.25x as long while a training runs.  The other way round, the training
thread shares the GIL with the server: every rerun of a page that watches the job costs it
0.3-0.4 s (a watcher refreshing every 1.5 s slowed training by about 20 %), hence the page's
slow refresh.  A training in a child process would avoid both effects at the price of a second
torch process (about 2 s to start and 300 MB).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Protocol

import torch

from core.seq2seq.config import HistoryRow
from core.seq2seq.data import SPECIALS, Split, Vocab
from core.seq2seq.evaluate import evaluate, translate_batch
from core.seq2seq.live.config import MAX_VOCAB, LiveConfig, too_big
from core.seq2seq.live.corpus import sample_pairs, spread
from core.seq2seq.live.jobs import EndedBy, JobOutcome, LiveRow, Sample
from core.seq2seq.model import Seq2Seq, save_checkpoint
from core.seq2seq.train import METRICS_FILE, batches_per_epoch, train, training_vocabs

LIVE_THREADS = 1


class Watcher(Protocol):
    """What ``run_job`` tells the queue as it goes, and asks it."""

    def started(self, batches_epoch: int, batches_total: int, samples: tuple[Sample, ...]) -> None:
        """The training loop begins: batches per epoch, in all, the sentences shown."""

    def batch_done(self) -> None:
        """One more training batch done."""

    def round_done(self, row: LiveRow, samples: tuple[Sample, ...]) -> None:
        """A validation round: its row and the shown sentences' new translations."""

    def scoring(self, ended_by: EndedBy, pairs_per_s: float) -> None:
        """The training loop is over; test scoring and saving begin."""

    def should_stop(self) -> bool:
        """Whether the owner asked to stop (checked after every batch)."""


def run_job(
    split: Split,
    cfg: LiveConfig,
    out: Path,
    watch: Watcher,
    *,
    label: str = "",
    source: str = "",
    n_pairs: int = 0,
    digest: str = "",
) -> JobOutcome:
    """Train ``cfg`` on ``split`` (the test part is only used at the end), report progress to
    ``watch``, and write the checkpoint to ``out`` with the label, the data's name
    (``source``), its file's digest and size (``n_pairs``, before the split) in its metadata."""
    torch.set_num_threads(LIVE_THREADS)
    n_train = len(split.train)
    tcfg = cfg.train_config(n_train)
    val = spread(split.val, cfg.val_pairs)
    shown = sample_pairs(split.val, cfg.samples)
    src_vocab, tgt_vocab = training_vocabs(split.train, [], tcfg.min_count)
    keep = MAX_VOCAB + len(SPECIALS)  # the most frequent words; the others read as UNK
    src_vocab, tgt_vocab = Vocab(src_vocab.words[:keep]), Vocab(tgt_vocab.words[:keep])
    refusal = too_big(cfg.hidden, len(src_vocab), len(tgt_vocab))
    if refusal:  # submit checks this too; a direct caller gets it here
        raise ValueError(refusal)
    per_epoch = batches_per_epoch(n_train, cfg.batch)
    total = per_epoch * cfg.epochs
    done = 0  # training batches so far
    watch.started(per_epoch, total, tuple(Sample(p.fr, p.en, "") for p in shown))

    def progress(_rnd: int, _rounds: int, _frac: float, _text: str, round_done: bool) -> None:
        nonlocal done
        if not round_done:
            done += 1
            watch.batch_done()

    def on_round(row: HistoryRow, model: Seq2Seq) -> None:
        outs = translate_batch(model, [p.fr for p in shown], src_vocab, tgt_vocab)
        live_row = LiveRow(**row, epochs=round(done / per_epoch, 3))
        watch.round_done(
            live_row, tuple(Sample(p.fr, p.en, o) for p, o in zip(shown, outs, strict=True))
        )

    res = train(
        Split(split.train, val, [], split.seed, split.by),
        tcfg,
        progress=progress,
        src_vocab=src_vocab,
        tgt_vocab=tgt_vocab,
        should_stop=watch.should_stop,
        on_round=on_round,
    )
    if watch.should_stop():
        ended_by = EndedBy.STOP
    else:
        ended_by = EndedBy.EPOCHS if done >= total else EndedBy.TIME_CAP
    watch.scoring(ended_by, round(res.train_pairs_per_s, 1))

    # score the weights as the checkpoint stores them (float16), then save them once
    with torch.no_grad():
        for t in res.model.state_dict().values():
            t.copy_(t.to(torch.float16))
    test = evaluate(
        res.model, spread(split.test, cfg.test_pairs), res.src_vocab, res.tgt_vocab, n_examples=0
    ).as_dict()  # rounded as stored
    metrics = {
        "test": test,
        "train_seconds": round(res.seconds, 1),
        "epochs": round(done / per_epoch, 2),
        "best_epoch": res.best_epoch,
        "train_pairs_per_s": round(res.train_pairs_per_s, 1),
        "threads": LIVE_THREADS,
        "ended_by": str(ended_by),
        "split_sizes": dict(zip(("train", "val", "test"), split.sizes(), strict=True)),
    }
    meta = {
        "label": label,
        "live_config": asdict(cfg),
        "train_config": asdict(tcfg),
        "data": {
            "file": source,
            "sha256_16": digest,
            "pairs": n_pairs,
            "train_pairs": n_train,
            "split_seed": cfg.seed,
            "split_by": "source",
            "exercise_filter": cfg.exercise_filter,
        },
        "metrics": metrics,
    }
    save_checkpoint(out, res.model, res.src_vocab, res.tgt_vocab, meta)
    (out / METRICS_FILE).write_text(json.dumps({**metrics, "history": res.history}, indent=1))
    return JobOutcome(test["bleu"], test["exact_match"], test["n"], out)

"""Live training for the Train page: one training at a time per server, in a background thread.

    from core.seq2seq.live import LiveConfig, TrainingQueue, prepare_corpus
    corpus = prepare_corpus(None)                 # the shared corpus with the exercise's filter
    queue = TrainingQueue()                       # one per server process
    job = queue.submit(corpus.pairs, LiveConfig(epochs=5), owner="a1b2", label="Ada")
    s = queue.status(job)   # JobStatus: state, position, progress, history, samples, test BLEU
    queue.stop(job)         # the running job ends after its current batch, with a checkpoint
    queue.cancel(job)       # a waiting job leaves the line

A job splits its pairs by French sentence (``split_pairs``, 80/10/10), trains on (a seeded
subset of) the training part with ``core.seq2seq.train.train`` -- small model, fast settings, a
wall-clock cap -- translates a few fixed validation sentences after every validation round, and
at the end (all epochs done, stopped, or time cap reached) scores the best weights on the test
part and writes a checkpoint (``save_checkpoint``; loadable with ``load_translator(path)``) to a
temporary directory.  The newest ``keep`` checkpoints are kept; the directory is removed when
the process exits.

Threads: the worker calls ``torch.set_num_threads(LIVE_THREADS)`` (1) before each job.  That
setting is process-wide in torch: with its OpenMP backend it sets the calling thread's pool and
the default of every thread started afterwards (Streamlit runs each script run in a new
thread), so once a live training has run, the whole server computes with one torch thread per
request.  Training takes one core (CPU time / wall time 1.00 measured) and the other stays for
the pages.  Measured on a 2-core machine (``python -m bench.train_live``): a greedy translation
with the shipped model takes 1.1-1.25x as long while a training runs.  The other way round, the
training thread shares the GIL with the server: every rerun of a page that watches the job costs
it 0.3-0.4 s (a watcher refreshing every 1.5 s slowed training by about 20 %), hence the
page's slow refresh.  A training in a child process would avoid both effects at the price of a
second torch process (about 2 s to start and 300 MB).
"""

from __future__ import annotations

import atexit
import io
import json
import logging
import math
import random
import shutil
import tempfile
import threading
import time
import zipfile
from collections import deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from core.numerics import is_int, is_number
from core.seq2seq.data import (
    ENG_PREFIXES,
    MAX_LENGTH,
    CorpusError,
    Pair,
    Split,
    prepare_pairs,
    read_raw_pairs,
    split_pairs,
)
from core.seq2seq.evaluate import evaluate, translate_batch
from core.seq2seq.model import save_checkpoint
from core.seq2seq.train import (
    METRICS_FILE,
    TrainConfig,
    batches_per_epoch,
    train,
    training_vocabs,
)

log = logging.getLogger(__name__)

LIVE_THREADS = 1
MAX_MINUTES = 10.0  # hard upper bound of a job's training time
DEFAULT_MINUTES = 3.0
MAX_EPOCHS = 100
MIN_HIDDEN, MAX_HIDDEN = 8, 512
MIN_PAIRS = 20  # pairs left after the filter; fewer cannot be split into train/val/test
SCORING_SECONDS = 15.0  # allowance for splitting, test scoring and saving around the cap
STATES = ("waiting", "running", "done", "stopped", "failed", "cancelled")
ACTIVE = ("waiting", "running")
# Measured training pairs per second on one thread (x86-64, 2.x GHz), all 6,761 training
# pairs, teacher forcing 1; validation rounds excluded.  Only used for time estimates.
PAIRS_PER_S = {32: 4200.0, 64: 3200.0, 128: 2200.0, 256: 850.0}
# Seconds per validation round (300 sentences, greedy BLEU and loss) by hidden size, early in
# training (an untrained model writes the longest outputs).
VAL_SECONDS = {32: 0.12, 64: 0.17, 128: 0.28, 256: 0.6}
MIN_ROUND_PAIRS = 1000


# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveConfig:
    """What a live training does.

    pairs            training pairs used (a seeded random subset of the split's training part;
                     0 or more than there are: all of them)
    epochs           passes over those pairs (1 to MAX_EPOCHS)
    teacher_forcing  probability of feeding the reference word to the decoder while training
                     (1: always; below 1 the model's own guess at some steps, slower)
    hidden           GRU size H of encoder (each direction) and decoder; embeddings have H too
    minutes          wall-clock cap of the training loop (validation included), at most
                     MAX_MINUTES
    seed             the split, the subset, the initialisation and the batch order
    exercise_filter  keep only pairs whose English side starts with "i am", "he is" ... (the
                     exercise's filter); both sides always have fewer than 10 words
    batch, lr        Adam on batches of this many pairs
    ema              decay of the weight average that is validated and kept (0: raw weights)
    val_pairs        validation sentences scored after every round (an evenly spread subset)
    samples          validation sentences whose translations are shown as training goes
    test_pairs       test sentences scored at the end (an evenly spread subset; bounds the
                     scoring time for a large upload)
    """

    pairs: int = 0
    epochs: int = 30
    teacher_forcing: float = 1.0
    hidden: int = 128
    minutes: float = DEFAULT_MINUTES
    seed: int = 0
    exercise_filter: bool = True
    batch: int = 64
    lr: float = 2e-3
    ema: float = 0.99
    val_pairs: int = 300
    samples: int = 5
    test_pairs: int = 2000

    def __post_init__(self) -> None:
        if not is_int(self.pairs) or self.pairs < 0:
            raise ValueError(
                f"The number of training pairs must be a whole number >= 0 "
                f"(0: all), got {self.pairs!r}."
            )
        if not is_int(self.epochs) or not 1 <= self.epochs <= MAX_EPOCHS:
            raise ValueError(
                f"Epochs must be a whole number from 1 to {MAX_EPOCHS}, got {self.epochs!r}."
            )
        tf = self.teacher_forcing
        if not is_number(tf) or not 0 <= tf <= 1:
            raise ValueError(f"The teacher forcing ratio must be a number from 0 to 1, got {tf!r}.")
        if not is_int(self.hidden) or not MIN_HIDDEN <= self.hidden <= MAX_HIDDEN:
            raise ValueError(
                f"The hidden size must be a whole number from {MIN_HIDDEN} to "
                f"{MAX_HIDDEN}, got {self.hidden!r}."
            )
        m = self.minutes
        if not is_number(m) or not math.isfinite(m) or not 0 < m <= MAX_MINUTES:
            raise ValueError(
                f"The time cap must be more than 0 and at most {MAX_MINUTES:g} minutes, got {m!r}."
            )
        if not is_int(self.seed) or not 0 <= self.seed < 2**31:
            raise ValueError(
                f"The seed must be a whole number from 0 to 2^31 - 1, got {self.seed!r}."
            )
        if not isinstance(self.exercise_filter, bool):
            raise ValueError(
                f"exercise_filter must be True or False, got {self.exercise_filter!r}."
            )
        if not is_int(self.batch) or not 1 <= self.batch <= 1024:
            raise ValueError(
                f"The batch size must be a whole number from 1 to 1024, got {self.batch!r}."
            )
        if not is_number(self.lr) or not 0 < self.lr <= 1:
            raise ValueError(f"The learning rate must be in (0, 1], got {self.lr!r}.")
        if not is_number(self.ema) or not 0 <= self.ema < 1:
            raise ValueError(f"ema must be in [0, 1), got {self.ema!r}.")
        for name in ("val_pairs", "samples", "test_pairs"):
            v = getattr(self, name)
            if not is_int(v) or not 1 <= v <= 100_000:
                raise ValueError(f"{name} must be a positive whole number, got {v!r}.")

    def rounds_per_epoch(self, n_train: int) -> int:
        """Validation rounds per epoch: about 40 points over the run, 1 to 4 per epoch, and
        at least MIN_ROUND_PAIRS training pairs between two of them when there are that many
        (a validation round costs about as much as training on 500 pairs)."""
        k = min(4, max(1, round(40 / self.epochs)))
        return max(1, min(k, n_train // MIN_ROUND_PAIRS))

    def train_config(self, n_train: int) -> TrainConfig:
        """The ``TrainConfig`` of a live run on ``n_train`` training pairs: a bidirectional
        GRU model with embeddings of the hidden size, the filtered pairs only, no early
        stopping (the epochs and the time cap decide), the learning rate halved when the
        validation BLEU stalls for 3 rounds, no label smoothing (so the training and
        validation losses measure the same thing)."""
        k = self.rounds_per_epoch(n_train)
        return TrainConfig(
            emb=self.hidden,
            hidden=self.hidden,
            bidirectional=True,
            adaptive=True,
            dropout=0.3,
            batch=self.batch,
            lr=float(self.lr),
            epochs=self.epochs,
            minutes=float(self.minutes),
            patience=10**6,
            lr_patience=3 * k,
            monitor="bleu",
            clip=1.0,
            label_smoothing=0.0,
            word_dropout=0.1,
            teacher_forcing=float(self.teacher_forcing),
            seed=self.seed,
            split_by="source",
            extra_data=False,
            in_domain_repeat=1,
            min_count=1,
            eval_every=math.ceil(max(1, n_train) / k),
            ema=float(self.ema),
            decay=False,
        )

    def describe(self, n_train: int | None = None) -> str:
        """One line: '6,761 pairs · 30 epochs · hidden 128 · teacher forcing 1 · cap 3 min'."""
        n = n_train if n_train is not None else self.pairs
        pairs = f"{n:,} pairs" if n else "all pairs"
        return (
            f"{pairs} · {self.epochs} epoch{'s' * (self.epochs != 1)} · hidden "
            f"{self.hidden} · teacher forcing {self.teacher_forcing:g} · cap "
            f"{self.minutes:g} min"
        )


def estimate_seconds(n_train: int, cfg: LiveConfig) -> float:
    """A rough training time (one thread) for ``cfg`` on ``n_train`` pairs, without the cap:
    the tabled throughput (interpolated in the hidden size), 1.4x slower without full teacher
    forcing, plus the tabled time per validation round."""
    sizes = sorted(PAIRS_PER_S)
    rate = float(np.interp(cfg.hidden, sizes, [PAIRS_PER_S[s] for s in sizes]))  # clamped
    if cfg.teacher_forcing < 1:
        rate /= 1.4
    rounds = cfg.epochs * cfg.rounds_per_epoch(n_train)
    val = VAL_SECONDS[min(sizes, key=lambda s: abs(s - cfg.hidden))]
    return cfg.epochs * n_train / rate + val * rounds


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Corpus:
    """Normalised, filtered, de-duplicated pairs ready for ``make_split``."""

    pairs: tuple[Pair, ...]
    lines: int  # pairs read from the file, before normalisation and the filter
    name: str  # "eng-fra.txt" or the upload's name
    exercise_filter: bool


def prepare_corpus(
    source: str | Path | bytes | None = None, exercise_filter: bool = True, name: str = ""
) -> Corpus:
    """Read ``English<TAB>French`` pairs (a path, an upload's bytes, or None for the shared
    corpus), normalise them and keep pairs with fewer than 10 words a side (and, with
    ``exercise_filter``, an English side starting with one of the exercise's prefixes).

    Raises ``CorpusError`` (a ValueError) naming the line or the limit for an unreadable file
    (``read_raw_pairs``), or when fewer than MIN_PAIRS pairs are left.
    """
    raw = read_raw_pairs(source)
    pairs = tuple(
        dict.fromkeys(
            prepare_pairs(
                raw, prefixes=ENG_PREFIXES if exercise_filter else None, max_length=MAX_LENGTH
            )
        )
    )
    if len(pairs) < MIN_PAIRS:
        rule = (
            "fewer than 10 words on each side and an English side starting with 'i am', "
            "'he is', 'she is', 'you are', 'we are' or 'they are' (or their contractions)"
            if exercise_filter
            else "fewer than 10 words on each side"
        )
        raise CorpusError(
            f"Only {len(pairs)} of the {len(raw):,} pairs in the file are usable ({rule}); at "
            f"least {MIN_PAIRS} are needed to hold some out for validation and testing."
            + (" Try without the exercise's filter." if exercise_filter else "")
        )
    if source is None:
        name = name or "eng-fra.txt"
    elif isinstance(source, (str, Path)) and not name:
        name = Path(source).name
    return Corpus(pairs, len(raw), name or "upload", exercise_filter)


def make_split(pairs: Sequence[Pair], cfg: LiveConfig) -> Split:
    """Split by French sentence with ``cfg.seed`` (80/10/10); the training part is cut to a
    seeded random subset of ``cfg.pairs`` pairs (kept in file order) when that is smaller.
    Raises ``CorpusError`` when the validation or test part comes out empty."""
    split = split_pairs(pairs, seed=cfg.seed, by="source")
    if not split.train or not split.val or not split.test:
        raise CorpusError(
            f"The {len(pairs)} pairs have too few distinct French sentences to hold some out: "
            f"the split gives {split.sizes()} training/validation/test pairs."
        )
    train_pairs = split.train
    if 0 < cfg.pairs < len(train_pairs):
        keep = sorted(random.Random(cfg.seed).sample(range(len(train_pairs)), cfg.pairs))
        train_pairs = [train_pairs[i] for i in keep]
    return Split(
        train=list(train_pairs), val=split.val, test=split.test, seed=split.seed, by=split.by
    )


def spread(items: Sequence, n: int) -> list:
    """``n`` items evenly spread over ``items`` (all of them when there are not more)."""
    if len(items) <= n:
        return list(items)
    return [items[(i * len(items)) // n] for i in range(n)]


def sample_pairs(val: Sequence[Pair], n: int) -> list[Pair]:
    """The validation pairs whose translations are shown live: evenly spread, 5 words or more
    on the French side when there are enough of those."""
    longer = [p for p in val if len(p.fr.split()) >= 5]
    return spread(longer if len(longer) >= n else list(val), n)


# --------------------------------------------------------------------------------------------
# Jobs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """A validation sentence, its reference and the model's latest greedy translation."""

    fr: str
    reference: str
    output: str


@dataclass(frozen=True, eq=False)
class JobStatus:
    """A snapshot of one job.

    state        "waiting", "running", "done" (all epochs, or the time cap), "stopped" (by its
                 owner), "failed" or "cancelled" (left the line before it ran)
    position     0 running, 1 next in line, 2 ... ; None when finished
    progress     0..1, the larger of the epochs done and the time used out of the cap
    eta          seconds: running -> about how long until it ends; waiting -> at most how long
                 until it starts; None otherwise
    phase        what a running job does: "preparing", "training", "scoring"
    history      one row per validation round: round, epoch (int), epochs (float, passes
                 done), train_loss, val_loss (nats per target word), val_bleu, val_exact, lr,
                 seconds (since training began)
    samples      latest ``Sample`` translations (of ``sample_round``, 0: none yet)
    ended_by     "epochs", "time cap", "stop" or "" (not finished / failed)
    checkpoint   directory loadable by ``load_translator`` (None until saved, or removed)
    """

    id: int
    owner: str
    label: str
    config: LiveConfig
    source: str
    state: str
    position: int | None
    submitted: float
    started: float | None
    finished: float | None
    elapsed: float
    progress: float
    eta: float | None
    phase: str
    epochs_done: float
    history: tuple[dict, ...]
    samples: tuple[Sample, ...]
    sample_round: int
    split_sizes: tuple[int, int, int]
    pairs_per_s: float
    test_bleu: float | None
    test_exact: float | None
    test_n: int
    ended_by: str
    checkpoint: str | None
    error: str

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def title(self) -> str:
        """'job #3 (Ada)'."""
        return f"job #{self.id}" + (f" ({self.label})" if self.label else "")

    def model_label(self) -> str:
        """Short description of the trained model, e.g.
        'your model: hidden 128, 30 epochs, test BLEU 52.4'."""
        ep = self.epochs_done
        ep_txt = f"{self.config.epochs}" if ep >= self.config.epochs - 1e-6 else f"{ep:.1f}"
        bleu = f", test BLEU {self.test_bleu:.1f}" if self.test_bleu is not None else ""
        return f"your model: hidden {self.config.hidden}, {ep_txt} epochs{bleu}"


@dataclass(eq=False)
class _Job:
    id: int
    owner: str
    label: str
    cfg: LiveConfig
    split: Split | None
    n_pairs: int
    source: str
    submitted: float
    split_sizes: tuple[int, int, int] = (0, 0, 0)
    stop_event: threading.Event = field(default_factory=threading.Event)
    state: str = "waiting"
    phase: str = ""
    started: float | None = None
    t_train: float | None = None  # perf_counter when the training loop began
    finished: float | None = None
    batches_done: int = 0
    batches_total: int = 1
    batches_epoch: int = 1
    history: list[dict] = field(default_factory=list)
    samples: tuple[Sample, ...] = ()
    sample_round: int = 0
    pairs_per_s: float = 0.0
    test: dict | None = None
    ended_by: str = ""
    checkpoint: str | None = None
    error: str = ""


class QueueError(ValueError):
    """Too many jobs are waiting, or this owner already has a job in the line."""


class TrainingQueue:
    """Runs at most one training at a time in a background thread; the others wait in a
    first-in-first-out line.  Thread-safe; one instance per server process.

    workdir      where checkpoints go (default: a new temporary directory, removed at exit)
    keep         newest checkpoints kept on disk (older ones are deleted)
    max_waiting  jobs allowed to wait at once
    max_records  finished jobs remembered for ``status``
    """

    def __init__(
        self,
        workdir: str | Path | None = None,
        keep: int = 8,
        max_waiting: int = 8,
        max_records: int = 100,
    ):
        if keep < 1 or max_waiting < 1 or max_records < 1:
            raise ValueError("keep, max_waiting and max_records must be at least 1.")
        self._own_dir = workdir is None
        self._workdir = Path(workdir) if workdir is not None else None
        self.keep, self.max_waiting, self.max_records = keep, max_waiting, max_records
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._jobs: dict[int, _Job] = {}
        self._line: deque[_Job] = deque()
        self._running: _Job | None = None
        self._saved: deque[Path] = deque()
        self._next_id = 1
        self._closed = False
        self._thread: threading.Thread | None = None

    # ---------------------------------------------------------------- public API

    @property
    def workdir(self) -> Path:
        with self._lock:
            return self._ensure_workdir()

    def submit(
        self,
        pairs: Sequence[Pair],
        cfg: LiveConfig,
        owner: str = "",
        label: str = "",
        source: str = "",
    ) -> int:
        """Queue a training of ``pairs`` (normalised, e.g. ``prepare_corpus(...).pairs``) with
        ``cfg``; returns the job id.  ``owner`` identifies the submitter (one active job per
        owner), ``label`` is shown to everyone, ``source`` names the data.  The pairs are split
        here (``make_split``).  Raises ``CorpusError`` when they are too few to split and
        ``QueueError`` (both ValueErrors) when the line is full or the owner already has a
        job."""
        if not isinstance(cfg, LiveConfig):
            raise ValueError(f"cfg must be a LiveConfig, got {type(cfg).__name__}.")
        if len(pairs) < MIN_PAIRS:
            raise CorpusError(f"Only {len(pairs)} pairs given; at least {MIN_PAIRS} are needed.")
        split = make_split(pairs, cfg)
        with self._lock:
            if self._closed:
                raise QueueError("The training queue is shut down.")
            if owner:
                mine = [j for j in self._active() if j.owner == owner]
                if mine:
                    raise QueueError(
                        f"You already have job #{mine[0].id} {mine[0].state}; stop "
                        "or cancel it before starting another."
                    )
            if len(self._line) >= self.max_waiting:
                raise QueueError(
                    f"{len(self._line)} jobs are already waiting (the limit); try "
                    "again in a few minutes."
                )
            job = _Job(
                self._next_id,
                owner,
                label.strip(),
                cfg,
                split,
                len(pairs),
                source,
                time.time(),
                split.sizes(),
            )
            self._next_id += 1
            self._jobs[job.id] = job
            self._line.append(job)
            self._prune_records()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._work, name="live-training", daemon=True
                )
                self._thread.start()
            self._wake.notify_all()
            return job.id

    def status(self, job_id: int) -> JobStatus:
        """A snapshot of job ``job_id``; ``KeyError`` when it is unknown (or long finished)."""
        with self._lock:
            return self._snapshot(self._jobs[job_id])

    def jobs(self) -> list[JobStatus]:
        """The running job (if any), then the waiting ones in order."""
        with self._lock:
            return [self._snapshot(j) for j in self._active()]

    def active_job_of(self, owner: str) -> JobStatus | None:
        with self._lock:
            return next((self._snapshot(j) for j in self._active() if j.owner == owner), None)

    def stop(self, job_id: int) -> bool:
        """Stop job ``job_id``: a running job ends after its current batch (and still scores
        and saves its best weights); a waiting one is cancelled.  False if it was not active."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.state not in ACTIVE:
                return False
            if job.state == "waiting":
                self._cancel(job)
            else:
                job.stop_event.set()
            return True

    def cancel(self, job_id: int) -> bool:
        """Take a *waiting* job out of the line.  False if it is not waiting."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.state != "waiting":
                return False
            self._cancel(job)
            return True

    def wait(self, job_id: int, timeout: float | None = None) -> JobStatus:
        """Block until job ``job_id`` is finished (or ``timeout`` seconds); its status."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while self._jobs[job_id].state in ACTIVE:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                self._wake.wait(left if left is not None else 1.0)
            return self._snapshot(self._jobs[job_id])

    def shutdown(self, timeout: float = 30.0) -> None:
        """Cancel the waiting jobs, stop the running one, wait for the worker, delete the
        checkpoints of a temporary work directory."""
        with self._lock:
            self._closed = True
            for job in list(self._line):
                self._cancel(job)
            if self._running is not None:
                self._running.stop_event.set()
            self._wake.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        if self._own_dir and self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)

    # ---------------------------------------------------------------- internals (lock held)

    def _active(self) -> list[_Job]:
        return ([self._running] if self._running is not None else []) + list(self._line)

    def _ensure_workdir(self) -> Path:
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix="sequence-lab-train-"))
            atexit.register(shutil.rmtree, self._workdir, True)
        self._workdir.mkdir(parents=True, exist_ok=True)
        return self._workdir

    def _cancel(self, job: _Job) -> None:
        self._line.remove(job)
        job.state, job.finished, job.split = "cancelled", time.time(), None
        self._wake.notify_all()

    def _prune_records(self) -> None:
        done = [j for j in self._jobs.values() if j.state not in ACTIVE]
        for j in done[: max(0, len(done) - self.max_records)]:
            del self._jobs[j.id]

    def _remaining_bound(self, job: _Job) -> float:
        """At most how many seconds ``job`` still takes (cap plus scoring)."""
        cap = job.cfg.minutes * 60 + SCORING_SECONDS
        if job.state != "running" or job.started is None:
            return cap
        return max(0.0, cap - (time.time() - job.started))

    def _snapshot(self, job: _Job) -> JobStatus:
        now = time.time()
        position, eta, progress = None, None, 0.0
        cap = job.cfg.minutes * 60
        elapsed = (job.finished or now) - job.started if job.started else 0.0
        if job.state == "running":
            position = 0
            t_train = time.perf_counter() - job.t_train if job.t_train is not None else 0.0
            by_batches = job.batches_done / max(1, job.batches_total)
            progress = min(0.99, max(by_batches, t_train / cap))
            if job.phase == "scoring":
                progress, eta = 0.99, 5.0
            elif by_batches > 0.02:  # extrapolate the batches done, within the time cap
                rest = t_train * (1 - by_batches) / by_batches
                eta = min(rest, max(0.0, cap - t_train)) + 3.0
            else:
                eta = self._remaining_bound(job)
        elif job.state == "waiting":
            position = self._line.index(job) + 1
            active = self._active()  # the running job, then the line
            eta = sum(self._remaining_bound(j) for j in active[: active.index(job)])
        elif job.state in ("done", "stopped"):
            progress = 1.0
        test = job.test or {}
        return JobStatus(
            id=job.id,
            owner=job.owner,
            label=job.label,
            config=job.cfg,
            source=job.source,
            state=job.state,
            position=position,
            submitted=job.submitted,
            started=job.started,
            finished=job.finished,
            elapsed=max(0.0, elapsed),
            progress=progress,
            eta=eta,
            phase=job.phase,
            epochs_done=job.batches_done / max(1, job.batches_epoch),
            history=tuple(dict(r) for r in job.history),
            samples=job.samples,
            sample_round=job.sample_round,
            split_sizes=job.split_sizes,
            pairs_per_s=job.pairs_per_s,
            test_bleu=test.get("bleu"),
            test_exact=test.get("exact_match"),
            test_n=int(test.get("n", 0)),
            ended_by=job.ended_by,
            checkpoint=job.checkpoint if job.checkpoint and Path(job.checkpoint).is_dir() else None,
            error=job.error,
        )

    # ---------------------------------------------------------------- the worker thread

    def _work(self) -> None:
        while True:
            with self._lock:
                while not self._line and not self._closed:
                    self._wake.wait()
                if self._closed and not self._line:
                    return
                job = self._line.popleft()
                job.state, job.started, job.phase = "running", time.time(), "preparing"
                self._running = job
                self._wake.notify_all()
            try:
                self._run(job)
            except Exception as exc:  # noqa: BLE001 - a failed job must not end the worker
                log.exception("live training job #%s failed", job.id)
                msg = str(exc).splitlines()[0][:300] if str(exc) else ""
                with self._lock:
                    job.state = "failed"
                    job.error = f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
            finally:
                with self._lock:
                    job.finished, job.phase, job.split = time.time(), "", None
                    self._running = None
                    self._prune_records()
                    self._wake.notify_all()

    def _run(self, job: _Job) -> None:
        torch.set_num_threads(LIVE_THREADS)
        cfg, split = job.cfg, job.split
        n_train = len(split.train)
        tcfg = cfg.train_config(n_train)
        val = spread(split.val, cfg.val_pairs)
        shown = sample_pairs(split.val, cfg.samples)
        src_vocab, tgt_vocab = training_vocabs(split.train, [], tcfg.min_count)
        per_epoch = batches_per_epoch(n_train, cfg.batch)
        with self._lock:
            job.batches_epoch, job.batches_total = per_epoch, per_epoch * cfg.epochs
            job.samples = tuple(Sample(p.fr, p.en, "") for p in shown)
            job.phase, job.t_train = "training", time.perf_counter()

        def progress(_rnd, _rounds, _frac, _text, round_done):
            if not round_done:
                with self._lock:
                    job.batches_done += 1

        def on_round(row: dict, model) -> None:
            outs = translate_batch(model, [p.fr for p in shown], src_vocab, tgt_vocab)
            with self._lock:
                row = dict(row, epochs=round(job.batches_done / per_epoch, 3))
                job.history.append(row)
                job.samples = tuple(Sample(p.fr, p.en, o) for p, o in zip(shown, outs, strict=True))
                job.sample_round = len(job.history)

        res = train(
            Split(split.train, val, [], split.seed, split.by),
            tcfg,
            progress=progress,
            src_vocab=src_vocab,
            tgt_vocab=tgt_vocab,
            should_stop=lambda: job.stop_event.is_set() or self._closed,
            on_round=on_round,
        )
        with self._lock:
            job.phase = "scoring"
            job.pairs_per_s = round(res.train_pairs_per_s, 1)
            job.ended_by = (
                "stop"
                if job.stop_event.is_set()
                else "epochs"
                if job.batches_done >= job.batches_total
                else "time cap"
            )
            workdir = self._ensure_workdir()
        out = workdir / f"job-{job.id}"
        meta = {
            "label": job.label,
            "live_config": asdict(cfg),
            "train_config": asdict(tcfg),
            "data": {
                "file": job.source,
                "pairs": job.n_pairs,
                "train_pairs": n_train,
                "split_seed": cfg.seed,
                "split_by": "source",
                "exercise_filter": cfg.exercise_filter,
            },
        }
        # score the weights as the checkpoint stores them (float16), then save them once
        with torch.no_grad():
            for t in res.model.state_dict().values():
                t.copy_(t.to(torch.float16))
        test = evaluate(
            res.model,
            spread(split.test, cfg.test_pairs),
            res.src_vocab,
            res.tgt_vocab,
            n_examples=0,
        )
        epochs_done = round(job.batches_done / per_epoch, 2)
        meta["metrics"] = {
            "test": test.as_dict(),
            "train_seconds": round(res.seconds, 1),
            "epochs": epochs_done,
            "best_epoch": res.best_epoch,
            "train_pairs_per_s": round(res.train_pairs_per_s, 1),
            "threads": LIVE_THREADS,
            "ended_by": job.ended_by,
            "split_sizes": dict(zip(("train", "val", "test"), split.sizes(), strict=True)),
        }
        save_checkpoint(out, res.model, res.src_vocab, res.tgt_vocab, meta)
        (out / METRICS_FILE).write_text(
            json.dumps({**meta["metrics"], "history": res.history}, indent=1)
        )
        with self._lock:
            job.test = test.as_dict()
            job.checkpoint = str(out)
            job.state = "stopped" if job.ended_by == "stop" else "done"
            self._saved.append(out)
            while len(self._saved) > self.keep:
                shutil.rmtree(self._saved.popleft(), ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Download
# --------------------------------------------------------------------------------------------


def checkpoint_zip(path: str | Path, folder: str = "sequence-lab-model") -> bytes:
    """The checkpoint directory ``path`` as a zip archive (files under ``folder/``); unzip it
    and pass the folder to ``load_translator``.  ``ValueError`` if it is not a directory."""
    p = Path(path)
    if not p.is_dir():
        raise ValueError(f"No checkpoint directory at {p} (it may have been cleaned up).")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(p.iterdir()):
            if f.is_file():
                zf.write(f, f"{folder}/{f.name}")
    return buf.getvalue()

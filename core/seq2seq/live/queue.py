"""The server-wide line of live trainings: one at a time, each in a worker process.

    queue = TrainingQueue()                       # one per server process
    job = queue.submit(corpus.pairs, LiveConfig(epochs=5), owner="a1b2", label="Ada")
    s = queue.status(job)   # JobStatus: state, position, progress, history, samples, test BLEU
    queue.stop(job)         # the running job ends after its current batch, with a checkpoint
    queue.cancel(job)       # a waiting job leaves the line

A job's pairs are split when it is submitted (``make_split``, 80/10/10 by French sentence); the
queue's thread hands each to ``core.seq2seq.live.worker.run_job_in_process`` (a child process
running ``core.seq2seq.live.pipeline.run_job``, with torch) and writes each checkpoint to a
temporary directory.  The newest ``keep``
checkpoints are kept; the directory is removed when the process exits.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import secrets
import shutil
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

from core.seq2seq.data import CorpusError, Pair, PairTable
from core.seq2seq.live.config import LiveConfig, too_big
from core.seq2seq.live.corpus import MIN_PAIRS, make_split, vocab_sizes
from core.seq2seq.live.jobs import (
    EndedBy,
    JobRecord,
    JobState,
    JobStatus,
    LiveRow,
    Phase,
    Sample,
)

log = logging.getLogger(__name__)

SCORING_SECONDS = 15.0  # allowance for splitting, test scoring and saving around the cap


class QueueError(ValueError):
    """Too many jobs are waiting, or this owner already has a job in the line."""


WORKDIR_PREFIX = "sequence-lab-train-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def remove_stale_workdirs(root: str | Path | None = None) -> int:
    """Delete the checkpoint folders that servers killed without a clean exit (SIGKILL, power
    loss) left in the temp directory: ``sequence-lab-train-<pid>-*`` whose pid is gone.
    Returns how many were removed."""
    n = 0
    for d in Path(root or tempfile.gettempdir()).glob(f"{WORKDIR_PREFIX}*-*"):
        pid = d.name[len(WORKDIR_PREFIX) :].split("-", 1)[0]
        if d.is_dir() and pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(d, ignore_errors=True)
            n += 1
    return n


def request_key(pairs: Sequence[Pair], cfg: LiveConfig) -> str:
    """What makes two training requests identical: the same pairs (data and filter) and the
    same settings, seed included -- the run is then the same, so the second can share the
    first's job or model."""
    h = hashlib.sha256(json.dumps(asdict(cfg), sort_keys=True).encode())
    if isinstance(pairs, PairTable):  # its text is these lines, joined: the same bytes
        if len(pairs):
            h.update(f"{pairs.text}\n".encode())
        return h.hexdigest()
    for p in pairs:
        h.update(f"{p.fr}\t{p.en}\n".encode())
    return h.hexdigest()


class _Watch:
    """What the pipeline reports about ``job``, written into its record under ``lock``."""

    def __init__(self, job: JobRecord, lock: threading.Lock, closed: Callable[[], bool]):
        self.job, self.lock, self._closed = job, lock, closed

    def started(self, batches_epoch: int, batches_total: int, samples: tuple[Sample, ...]) -> None:
        with self.lock:
            self.job.batches_epoch, self.job.batches_total = batches_epoch, batches_total
            self.job.samples = samples
            self.job.phase, self.job.t_train = Phase.TRAINING, time.perf_counter()

    def batch_done(self) -> None:
        with self.lock:
            self.job.batches_done += 1

    def round_done(self, row: LiveRow, samples: tuple[Sample, ...]) -> None:
        with self.lock:
            self.job.history.append(row)
            self.job.samples = samples
            self.job.sample_round = len(self.job.history)

    def scoring(self, ended_by: EndedBy, pairs_per_s: float) -> None:
        with self.lock:
            self.job.phase, self.job.ended_by = Phase.SCORING, ended_by
            self.job.pairs_per_s = pairs_per_s

    def should_stop(self) -> bool:
        return self.job.stop_event.is_set() or self._closed()


class TrainingQueue:
    """Runs at most one training at a time in a background thread; the others wait in a
    first-in-first-out line.  Thread-safe; one instance per server process.

    workdir      where checkpoints go (default: a new temporary directory, removed at exit)
    keep         newest checkpoints kept on disk (older ones are deleted)
    max_waiting  jobs allowed to wait at once
    max_records  finished jobs remembered for ``status``
    process      run each job in a worker process of its own (core.seq2seq.live.worker), so
                 that training uses its own core and never holds the server's interpreter;
                 False: in the queue's thread
    """

    def __init__(
        self,
        workdir: str | Path | None = None,
        keep: int = 8,
        max_waiting: int = 8,
        max_records: int = 100,
        process: bool = True,
    ):
        if keep < 1 or max_waiting < 1 or max_records < 1:
            raise ValueError("keep, max_waiting and max_records must be at least 1.")
        self._own_dir = workdir is None
        self._workdir = Path(workdir) if workdir is not None else None
        self.keep, self.max_waiting, self.max_records = keep, max_waiting, max_records
        self.process = process
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._jobs: dict[int, JobRecord] = {}
        self._line: deque[JobRecord] = deque()
        self._running: JobRecord | None = None
        self._saved: deque[Path] = deque()
        self._next_id = 1
        self._closed = False
        self._thread: threading.Thread | None = None

    # ---------------------------------------------------------------- public API

    def submit(
        self,
        pairs: Sequence[Pair],
        cfg: LiveConfig,
        owner: str = "",
        label: str = "",
        source: str = "",
        digest: str = "",
    ) -> int:
        """Queue a training of ``pairs`` (normalised, e.g. ``prepare_corpus(...).pairs``) with
        ``cfg``; returns the job id.  ``owner`` identifies the submitter (one active job per
        owner), ``label`` is shown to everyone, ``source`` names the data and ``digest`` is its
        file's ``Corpus.digest``.  The pairs are split
        here (``make_split``).  Raises ``CorpusError`` when they are too few to split and
        ``QueueError`` (both ValueErrors) when the line is full or the owner already has a
        job."""
        if not isinstance(cfg, LiveConfig):
            raise ValueError(f"cfg must be a LiveConfig, got {type(cfg).__name__}.")
        if len(pairs) < MIN_PAIRS:
            raise CorpusError(f"Only {len(pairs)} pairs given; at least {MIN_PAIRS} are needed.")
        request = request_key(pairs, cfg)
        with self._lock:
            same = self._same_request(request)
            if same is not None and not self._closed:
                if owner and owner != same.owner and owner not in same.joined:
                    same.joined.append(owner)
                return same.id
        split = make_split(pairs, cfg)
        refusal = too_big(cfg.hidden, *vocab_sizes(split.train))
        if refusal:
            raise QueueError(refusal)
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
            job = JobRecord(
                self._next_id,
                owner,
                label.strip(),
                cfg,
                split,
                len(pairs),
                source,
                time.time(),
                split.sizes(),
                digest,
                request,
                token=secrets.token_hex(3),
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

    def stop(self, job_id: int, owner: str = "") -> bool:
        """Stop job ``job_id``: a running job ends after its current batch (and still scores
        and saves its best weights); a waiting one is cancelled.  False if it was not active.
        When others joined the job, ``owner`` only leaves it and it goes on for them."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or not job.state.active:
                return False
            if owner and job.joined:
                if owner in job.joined:
                    job.joined.remove(owner)
                    return True
                if owner == job.owner:  # the first who joined takes the job over
                    job.owner = job.joined.pop(0)
                    return True
            if job.state == JobState.WAITING:
                self._cancel(job)
            else:
                job.stop_event.set()
            return True

    def find(self, ref: str, owner: str = "") -> JobStatus | None:
        """The job of a link reference ``"<id>-<token>"`` (``JobStatus.ref``), or None when the
        reference is malformed, wrong or the job is no longer remembered.  With ``owner`` the
        holder of the link becomes the job's owner (the same person in a new tab, after a
        reload): it may stop the job."""
        head, _, token = str(ref).partition("-")
        if not head.isdigit() or len(head) > 12 or not token:
            return None
        with self._lock:
            job = self._jobs.get(int(head))
            if job is None or not secrets.compare_digest(job.token, token):
                return None
            if owner and owner != job.owner and job.state.active:
                if owner in job.joined:
                    job.joined.remove(owner)
                job.owner = owner
            return self._snapshot(job)

    def cancel(self, job_id: int) -> bool:
        """Take a *waiting* job out of the line.  False if it is not waiting."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.state != JobState.WAITING:
                return False
            self._cancel(job)
            return True

    def wait(self, job_id: int, timeout: float | None = None) -> JobStatus:
        """Block until job ``job_id`` is finished (or ``timeout`` seconds); its status."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while self._jobs[job_id].state.active:
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

    def _same_request(self, request: str) -> JobRecord | None:
        """An active job of the same request, else a finished (not stopped) one whose
        checkpoint is still on disk: its model is what the request would train."""
        for job in self._active():
            if job.request == request:
                return job
        for job in reversed(list(self._jobs.values())):
            if (
                job.request == request
                and job.state == JobState.DONE
                and job.checkpoint
                and Path(job.checkpoint).is_dir()
            ):
                return job
        return None

    def _active(self) -> list[JobRecord]:
        return ([self._running] if self._running is not None else []) + list(self._line)

    def _ensure_workdir(self) -> Path:
        if self._workdir is None:
            removed = remove_stale_workdirs()
            if removed:
                log.info("removed %d checkpoint folder(s) of ended servers", removed)
            self._workdir = Path(tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-"))
            atexit.register(shutil.rmtree, self._workdir, True)
        self._workdir.mkdir(parents=True, exist_ok=True)
        return self._workdir

    def _cancel(self, job: JobRecord) -> None:
        self._line.remove(job)
        job.state, job.finished, job.split = JobState.CANCELLED, time.time(), None
        self._wake.notify_all()

    def _prune_records(self) -> None:
        done = [j for j in self._jobs.values() if not j.state.active]
        for j in done[: max(0, len(done) - self.max_records)]:
            del self._jobs[j.id]

    def _remaining_bound(self, job: JobRecord) -> float:
        """At most how many seconds ``job`` still takes (cap plus scoring)."""
        cap = job.cfg.minutes * 60 + SCORING_SECONDS
        if job.state != JobState.RUNNING or job.started is None:
            return cap
        return max(0.0, cap - (time.time() - job.started))

    def _snapshot(self, job: JobRecord) -> JobStatus:
        now = time.time()
        position, eta, progress = None, None, 0.0
        cap = job.cfg.minutes * 60
        elapsed = (job.finished or now) - job.started if job.started else 0.0
        if job.state == JobState.RUNNING:
            position = 0
            t_train = time.perf_counter() - job.t_train if job.t_train is not None else 0.0
            by_batches = job.batches_done / max(1, job.batches_total)
            progress = min(0.99, max(by_batches, t_train / cap))
            if job.phase == Phase.SCORING:
                progress, eta = 0.99, 5.0
            elif by_batches > 0.02:  # extrapolate the batches done, within the time cap
                rest = t_train * (1 - by_batches) / by_batches
                eta = min(rest, max(0.0, cap - t_train)) + 3.0
            else:
                eta = self._remaining_bound(job)
        elif job.state == JobState.WAITING:
            position = self._line.index(job) + 1
            active = self._active()  # the running job, then the line
            eta = sum(self._remaining_bound(j) for j in active[: active.index(job)])
        elif job.state.trained:
            progress = 1.0
        checkpoint = job.checkpoint if job.checkpoint and Path(job.checkpoint).is_dir() else None
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
            history=tuple(LiveRow(**r) for r in job.history),
            samples=job.samples,
            sample_round=job.sample_round,
            split_sizes=job.split_sizes,
            pairs_per_s=job.pairs_per_s,
            test_bleu=job.test_bleu,
            test_exact=job.test_exact,
            test_n=job.test_n,
            ended_by=job.ended_by,
            checkpoint=checkpoint,
            error=job.error,
            joined=len(job.joined),
            ref=f"{job.id}-{job.token}",
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
                job.state, job.started, job.phase = JobState.RUNNING, time.time(), Phase.PREPARING
                self._running = job
                self._wake.notify_all()
            try:
                self._run(job)
            except Exception as exc:  # a failed job must not end the worker
                log.exception("live training job #%s failed", job.id)
                msg = str(exc).splitlines()[0][:300] if str(exc) else ""
                with self._lock:
                    job.state = JobState.FAILED
                    job.error = f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
            finally:
                with self._lock:
                    job.finished, job.phase, job.split = time.time(), Phase.NONE, None
                    self._running = None
                    self._prune_records()
                    self._wake.notify_all()

    def _run(self, job: JobRecord) -> None:
        if self.process:  # a worker process: training never holds the server's interpreter
            from core.seq2seq.live.worker import run_job_in_process as run_job
        else:  # in this thread (imports torch here)
            from core.seq2seq.live.pipeline import run_job

        with self._lock:
            split, out = job.split, self._ensure_workdir() / f"job-{job.id}"
        if split is None:
            raise RuntimeError("the job has no data (it was cancelled)")
        watch = _Watch(job, self._lock, lambda: self._closed)
        res = run_job(
            split,
            job.cfg,
            out,
            watch,
            label=job.label,
            source=job.source,
            n_pairs=job.n_pairs,
            digest=job.digest,
        )
        with self._lock:
            job.test_bleu, job.test_exact, job.test_n = res.test_bleu, res.test_exact, res.test_n
            job.checkpoint = str(res.checkpoint)
            job.state = JobState.STOPPED if job.ended_by == EndedBy.STOP else JobState.DONE
            self._saved.append(res.checkpoint)
            while len(self._saved) > self.keep:
                shutil.rmtree(self._saved.popleft(), ignore_errors=True)

"""Run one live training job in a worker process of its own.

The web server is one Python interpreter: a training loop in one of its threads holds the
interpreter lock between torch calls, and every page rerun of every student waits on it.  So
``TrainingQueue`` hands ``run_job`` to a child process (``multiprocessing``'s *spawn* start:
a fresh interpreter, nothing of Streamlit's state copied) and relays what it reports:

    child:  run_job(split, cfg, out, _PipeWatch)  --(started, batch, round, scoring, done)-->
    parent: run_job_in_process relays each message to the queue's real ``Watcher``

The parent polls the owner's stop request and sets an event the child checks after every
batch.  It also samples the child's resident memory (``/proc``) and ends the child when it goes
over ``max_rss_mb``: one job can never take the server's memory.  Still one job at a time and
the same visible queue; the child uses a core of its own.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import signal
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from core.seq2seq.data import Split
from core.seq2seq.live.config import LiveConfig
from core.seq2seq.live.jobs import EndedBy, JobOutcome, LiveRow, Sample

POLL_S = 0.1
MAX_RSS_MB = 1024  # default bound of the worker's resident memory


class WorkerError(RuntimeError):
    """The worker process failed, was killed or went over its memory bound."""


@dataclass(frozen=True)
class _Outcome:
    test_bleu: float
    test_exact: float
    test_n: int
    checkpoint: str


class _PipeWatch:
    """The ``Watcher`` the child's ``run_job`` talks to: every report becomes a message."""

    def __init__(self, conn, stop) -> None:
        self.conn, self.stop = conn, stop

    def started(self, batches_epoch: int, batches_total: int, samples: tuple[Sample, ...]) -> None:
        self.conn.send(("started", (batches_epoch, batches_total, samples)))

    def batch_done(self) -> None:
        self.conn.send(("batch", None))

    def round_done(self, row: LiveRow, samples: tuple[Sample, ...]) -> None:
        self.conn.send(("round", (row, samples)))

    def scoring(self, ended_by: EndedBy, pairs_per_s: float) -> None:
        self.conn.send(("scoring", (ended_by, pairs_per_s)))

    def should_stop(self) -> bool:
        return self.stop.is_set()


def _child(conn, stop, split: Split, cfg: LiveConfig, out: str, kwargs: dict) -> None:
    """The worker process: run the job, send its outcome (or the error) and exit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when the child ends
    from core.memory import release_freed_memory

    release_freed_memory()
    try:
        from core.seq2seq.live.pipeline import run_job

        res = run_job(split, cfg, Path(out), _PipeWatch(conn, stop), **kwargs)
        conn.send(
            ("done", _Outcome(res.test_bleu, res.test_exact, res.test_n, str(res.checkpoint)))
        )
    except BaseException as exc:  # reported to the parent, which fails the job with it
        first = str(exc).splitlines()[0][:300] if str(exc) else ""
        conn.send(("error", (type(exc).__name__, first, traceback.format_exc()[-4000:])))
    finally:
        conn.close()


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MB (2**20 bytes); 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@contextlib.contextmanager
def _main_not_rerun() -> Iterator[None]:
    """While a spawned child starts: it does not run the parent's main script again.

    *spawn* re-runs the parent's ``__main__`` file in the child (as ``__mp_main__``) unless
    ``__main__`` names a module.  Started by the ``streamlit`` console script, as on
    Community Cloud, that file imports ``streamlit.web.cli`` -- Streamlit, Tornado and their
    imports, tens of MB in a process that only trains.  A main module named ``__main__`` is
    one the child skips (``multiprocessing.spawn._fixup_main_from_name``)."""
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None:
        yield  # run as a module (python -m streamlit): the child skips it already
        return
    main.__spec__ = SimpleNamespace(name="__main__")
    try:
        yield
    finally:
        main.__spec__ = None


def run_job_in_process(
    split: Split,
    cfg: LiveConfig,
    out: Path,
    watch,
    *,
    max_rss_mb: float = MAX_RSS_MB,
    **kwargs,
):
    """``run_job(split, cfg, out, watch, **kwargs)`` run in a child process; the same
    ``JobOutcome``.  Raises ``WorkerError`` when the child fails, dies or goes over
    ``max_rss_mb`` of resident memory (it is then killed)."""
    ctx = mp.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    stop = ctx.Event()
    proc = ctx.Process(
        target=_child,
        args=(send, stop, split, cfg, str(out), kwargs),
        name="sequence-lab-training",
        daemon=True,
    )
    with _main_not_rerun():
        proc.start()
    send.close()  # the parent keeps only its reading end: EOF when the child is gone
    peak = 0.0
    try:
        while True:
            if watch.should_stop():
                stop.set()
            peak = max(peak, rss_mb(proc.pid))
            if peak > max_rss_mb:
                proc.kill()
                raise WorkerError(
                    f"the training used more than {max_rss_mb:.0f} MB of memory and was ended; "
                    "choose fewer pairs or a smaller hidden size"
                )
            if not recv.poll(POLL_S):
                if not proc.is_alive() and not recv.poll(0):
                    raise WorkerError(f"the training process ended unexpectedly ({proc.exitcode})")
                continue
            try:
                kind, payload = recv.recv()
            except EOFError:
                proc.join(5)
                raise WorkerError(
                    f"the training process ended unexpectedly ({proc.exitcode})"
                ) from None
            if kind == "batch":
                watch.batch_done()
            elif kind == "started":
                watch.started(*payload)
            elif kind == "round":
                watch.round_done(*payload)
            elif kind == "scoring":
                watch.scoring(*payload)
            elif kind == "done":
                o: _Outcome = payload
                return JobOutcome(o.test_bleu, o.test_exact, o.test_n, Path(o.checkpoint))
            elif kind == "error":
                name, first, _tb = payload
                raise WorkerError(f"{name}: {first}" if first else name)
    finally:
        stop.set()
        recv.close()
        proc.join(10)
        if proc.is_alive():
            proc.kill()
            proc.join(5)

"""Job records of the live-training queue: states, phases, the snapshot a page reads.

``JobState``, ``Phase`` and ``EndedBy`` are string enums (they compare equal to their values,
e.g. ``JobState.DONE == "done"``).  ``JobRecord`` is the queue's mutable record of a job
(changed only under the queue's lock); ``JobStatus`` is a frozen snapshot of it.  Wording for
people (titles, status sentences) lives in ``ui.train_wording``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from core.seq2seq.config import HistoryRow
from core.seq2seq.data import Split
from core.seq2seq.live.config import LiveConfig


class JobState(StrEnum):
    """Where a job is: waiting in the line, running, or finished one of four ways."""

    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"  # all epochs, or the time cap
    STOPPED = "stopped"  # by its owner (or the server shutting down), with a checkpoint
    FAILED = "failed"
    CANCELLED = "cancelled"  # left the line before it ran

    @property
    def active(self) -> bool:
        """Waiting or running."""
        return self in (JobState.WAITING, JobState.RUNNING)

    @property
    def trained(self) -> bool:
        """Finished with scores and a checkpoint (done or stopped)."""
        return self in (JobState.DONE, JobState.STOPPED)


class Phase(StrEnum):
    """What a running job does ("" when it is not running)."""

    NONE = ""
    PREPARING = "preparing"
    TRAINING = "training"
    SCORING = "scoring"


class EndedBy(StrEnum):
    """Why the training loop of a trained job ended ("" while running, or when it failed)."""

    NONE = ""
    EPOCHS = "epochs"
    TIME_CAP = "time cap"
    STOP = "stop"


class LiveRow(HistoryRow):
    """A validation round of a live job: ``HistoryRow`` plus ``epochs``, the passes over the
    training pairs done (a float: rounds can fall inside an epoch)."""

    epochs: float


@dataclass(frozen=True)
class Sample:
    """A validation sentence, its reference and the model's latest greedy translation."""

    fr: str
    reference: str
    output: str


@dataclass(frozen=True, eq=False)
class JobStatus:
    """A snapshot of one job.

    state        a ``JobState``
    position     0 running, 1 next in line, 2 ... ; None when finished
    progress     0..1, the larger of the epochs done and the time used out of the cap
    eta          seconds: running -> about how long until it ends; waiting -> at most how long
                 until it starts; None otherwise
    phase        what a running job does (a ``Phase``)
    epochs_done  passes over the training pairs so far
    history      one ``LiveRow`` per validation round
    samples      latest ``Sample`` translations (of ``sample_round``, 0: none yet)
    split_sizes  (train, validation, test) pairs
    ended_by     an ``EndedBy``
    checkpoint   directory loadable by ``load_translator`` (None until saved, or removed)
    """

    id: int
    owner: str
    label: str
    config: LiveConfig
    source: str
    state: JobState
    position: int | None
    submitted: float
    started: float | None
    finished: float | None
    elapsed: float
    progress: float
    eta: float | None
    phase: Phase
    epochs_done: float
    history: tuple[LiveRow, ...]
    samples: tuple[Sample, ...]
    sample_round: int
    split_sizes: tuple[int, int, int]
    pairs_per_s: float
    test_bleu: float | None
    test_exact: float | None
    test_n: int
    ended_by: EndedBy
    checkpoint: str | None
    error: str
    joined: int = 0  # identical requests that joined this job instead of queueing again
    ref: str = ""  # "<id>-<token>": finds the job again from a link (``TrainingQueue.find``)

    @property
    def active(self) -> bool:
        return self.state.active

    @property
    def n_train(self) -> int | None:
        """Training pairs of the split (None if unknown)."""
        return self.split_sizes[0] or None


@dataclass(eq=False)
class JobRecord:
    """The queue's record of one job.  Mutable: the queue and the worker change it under the
    queue's lock; pages only ever see ``JobStatus`` snapshots."""

    id: int
    owner: str
    label: str
    cfg: LiveConfig
    split: Split | None  # dropped once the job has finished
    n_pairs: int
    source: str
    submitted: float
    split_sizes: tuple[int, int, int] = (0, 0, 0)
    digest: str = ""  # first 16 hex digits of the SHA-256 of the data file ("" if unknown)
    request: str = ""  # request_key(pairs, cfg): identical requests join this job
    joined: list[str] = field(default_factory=list)  # owners whose identical request joined
    token: str = ""  # secret part of the job's link reference ("<id>-<token>")
    stop_event: threading.Event = field(default_factory=threading.Event)
    state: JobState = JobState.WAITING
    phase: Phase = Phase.NONE
    started: float | None = None
    t_train: float | None = None  # perf_counter when the training loop began
    finished: float | None = None
    batches_done: int = 0
    batches_total: int = 1
    batches_epoch: int = 1
    history: list[LiveRow] = field(default_factory=list)
    samples: tuple[Sample, ...] = ()
    sample_round: int = 0
    pairs_per_s: float = 0.0
    test_bleu: float | None = None
    test_exact: float | None = None
    test_n: int = 0
    ended_by: EndedBy = EndedBy.NONE
    checkpoint: str | None = None
    error: str = ""


@dataclass(frozen=True)
class JobOutcome:
    """A trained job's test scores (over ``test_n`` test pairs) and its checkpoint.  Here, not
    in ``pipeline`` (which imports torch), because the web server receives it from the worker."""

    test_bleu: float
    test_exact: float
    test_n: int
    checkpoint: Path

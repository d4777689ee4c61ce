"""The Train page's state: its URL-bound controls, the server-wide training queue, cached
corpora and splits, and this session's job.

Nothing here imports torch: ``core.seq2seq.live`` loads it (in the queue's worker thread) only
when a training starts, so the page's title, controls and the queue appear at once.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import streamlit as st

from core.seq2seq.data import MAX_UPLOAD_BYTES
from core.seq2seq.live.config import MAX_MINUTES, LiveConfig
from core.seq2seq.live.corpus import Corpus, make_split, prepare_corpus
from core.seq2seq.live.jobs import JobStatus
from core.seq2seq.live.queue import TrainingQueue
from ui.controls import Control
from ui.registry import page
from ui.train_wording import model_label
from ui.translate_state import SESSION_KEY as CHECKPOINT_KEY

DEFAULT = LiveConfig()  # the page's defaults are the live training's
UPLOAD = "my own file"
SHARED = "shared corpus"
ALL = "all"
PAIR_CHOICES = ("100", "250", "500", "1000", "2000", "4000", ALL)
HIDDEN_CHOICES = (32, 64, 128, 256)
MAX_EPOCHS = 60  # the slider's range (core allows more)
MIN_MINUTES = 0.5
MAX_UPLOAD_MB = MAX_UPLOAD_BYTES // 2**20
MAX_LABEL = 30

JOB_KEY = "train_job"  # this session's job id
SEEN_KEY = "train_job_seen"  # the finished job whose checkpoint was handed to Translate
GO_KEY = "train_go_translate"  # set by a button: switch to Translate on the next full run
WAS_ACTIVE_KEY = "train_was_active"  # whether the job was active on the panel's last run
OWNER_KEY = "train_owner"
JOB_PARAM = "job"  # the URL parameter of a job's reference, also read by the Translate page
TRANSLATE_PAGE = page("translate").path


class SelectSlider(Control):
    """A choice drawn as ``st.select_slider``: checked like a select (the link must name one
    of the options), drawn as a slider over them."""

    def draw(self, where: Any = None, **overrides: Any) -> Any:
        spec = self.with_(**overrides) if overrides else self
        spec.check_link()
        box = st if where is None else where
        return box.select_slider(
            spec.label,
            spec.options,
            value=spec.default,
            key=spec.key,
            bind="query-params",
            help=spec.help,
            **spec.kwargs,
        )


# ---------------------------------------------------------------- URL-bound controls
DATA = Control(
    "data",
    "Training data",
    "radio",
    default=SHARED,
    options=(SHARED, UPLOAD),
    help="The shared corpus is the exercise's whole eng-fra.txt (Tatoeba sentences), "
    "shipped with the app.",
    kwargs={"horizontal": True},
)
FILTER = Control(
    "filter",
    "Exercise filter",
    "toggle",
    default=DEFAULT.exercise_filter,
    help="On: only the exercise's sentences, whose English side starts with “i am”, “he is”, "
    "“she is”, “you are”, “we are” or “they are” (as in the exercise). Off: every pair with "
    "fewer than 10 words a side is used: more varied data, and harder to learn in two minutes.",
)
PAIRS = SelectSlider(
    "pairs",
    "Training pairs",
    "select",
    default=str(DEFAULT.pairs) if DEFAULT.pairs else ALL,
    options=PAIR_CHOICES,
    help="A random subset of the training part (the validation and test parts stay whole).",
)
HIDDEN = SelectSlider(
    "hidden",
    "Hidden size",
    "select",
    default=DEFAULT.hidden,
    options=HIDDEN_CHOICES,
    help="GRU state size of the encoder (each direction) and the decoder; the word embeddings "
    "have the same size.",
)
EPOCHS = Control(
    "epochs",
    "Epochs",
    "slider",
    default=DEFAULT.epochs,
    lo=1,
    hi=MAX_EPOCHS,
    integer=True,
    help="Passes over the training pairs.",
)
TF = Control(
    "tf",
    "Teacher forcing ratio",
    "slider",
    default=DEFAULT.teacher_forcing,
    lo=0.0,
    hi=1.0,
    help="How often the decoder is fed the reference word instead of its own guess while "
    "training. Below 1 training runs step by step: slower.",
    kwargs={"step": 0.05},
)
MINUTES = Control(
    "minutes",
    "Time cap (minutes)",
    "slider",
    default=DEFAULT.minutes,
    lo=MIN_MINUTES,
    hi=MAX_MINUTES,
    help="Training stops here at the latest, even before the last epoch.",
    kwargs={"step": 0.5, "format": "%.1f min"},
)
CONTROLS: tuple[Control, ...] = (DATA, FILTER, PAIRS, HIDDEN, EPOCHS, TF, MINUTES)


# ---------------------------------------------------------------- what the settings give
@dataclass(frozen=True, eq=False)
class Plan:
    """What the data and settings sections give: the corpus (None: none usable yet), the
    config (None: a setting is wrong), the split sizes (train, val, test) when both are there
    and the corpus can be split."""

    corpus: Corpus | None
    cfg: LiveConfig | None
    sizes: tuple[int, int, int] | None

    @property
    def ready(self) -> bool:
        return self.corpus is not None and self.cfg is not None and self.sizes is not None


def make_config(
    pairs: str, epochs: int, tf: float, hidden: int, minutes: float, exercise_filter: bool
) -> tuple[LiveConfig | None, str]:
    """(LiveConfig, "") or (None, what is wrong)."""
    try:
        return LiveConfig(
            pairs=0 if pairs == ALL else int(pairs),
            epochs=int(epochs),
            teacher_forcing=float(tf),
            hidden=int(hidden),
            minutes=float(minutes),
            exercise_filter=bool(exercise_filter),
        ), ""
    except (TypeError, ValueError) as exc:
        return None, str(exc)


# ---------------------------------------------------------------- cached core calls
@st.cache_resource(show_spinner=False)
def queue() -> TrainingQueue:
    """The one training queue of this server process (shared by every session)."""
    return TrainingQueue()


@st.cache_resource(show_spinner="Reading the shared corpus…")
def shared_corpus(exercise_filter: bool) -> tuple[Corpus | None, str]:
    """(Corpus, "") for the shared eng-fra.txt, or (None, why not)."""
    try:
        return prepare_corpus(None, exercise_filter), ""
    except ValueError as exc:
        return None, str(exc)


UPLOADS_KEPT = 8  # read uploads kept in memory, server-wide (the oldest go first)


@st.cache_resource(show_spinner=False)
def _upload_store() -> tuple[OrderedDict, threading.Lock]:
    """The server's read uploads: {(file id, filter): (Corpus or None, message)}.  Kept by
    hand, not with st.cache_*: reading draws a progress bar, and a cached function's elements
    would be replayed on every later hit."""
    return OrderedDict(), threading.Lock()


def uploaded_corpus(upload: Any, exercise_filter: bool) -> tuple[Corpus | None, str]:
    """(Corpus, "") for an ``st.file_uploader`` file, or (None, the reason, naming the line
    or the limit; ``read_raw_pairs`` checks the size).  A progress bar shows while a new file
    is read (a file read before comes back at once)."""
    store, lock = _upload_store()
    key = (upload.file_id, bool(exercise_filter))
    with lock:
        if key in store:
            store.move_to_end(key)
            return store[key]
    bar = st.empty()

    def progress(fraction: float, what: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=f"{upload.name}: {what}")

    try:
        result = (prepare_corpus(upload.getvalue(), exercise_filter, upload.name, progress), "")
    except ValueError as exc:
        result = (None, f"{upload.name}: {exc}")
    finally:
        bar.empty()
    with lock:
        store[key] = result
        while len(store) > UPLOADS_KEPT:
            store.popitem(last=False)
    return result


@st.cache_data(show_spinner=False, max_entries=64)
def _split_sizes(key: tuple, _corpus: Corpus, _cfg: LiveConfig) -> tuple[int, int, int] | str:
    try:
        return make_split(_corpus.pairs, _cfg).sizes()
    except ValueError as exc:
        return str(exc)


def split_sizes(corpus: Corpus, cfg: LiveConfig) -> tuple[int, int, int] | str:
    """Train/validation/test sizes of ``corpus`` under ``cfg``, or why it cannot be split."""
    key = (
        corpus.name,
        len(corpus.pairs),
        corpus.exercise_filter,
        hash(corpus.pairs[:50]),
        cfg.pairs,
        cfg.seed,
    )
    return _split_sizes(key, corpus, cfg)


# ---------------------------------------------------------------- this session's job
def owner() -> str:
    """A short random id of this browser session (who started a job)."""
    if OWNER_KEY not in st.session_state:
        st.session_state[OWNER_KEY] = secrets.token_hex(2)
    return st.session_state[OWNER_KEY]


def stop_mine(s: JobStatus) -> None:
    """Stop (or cancel) this session's job; when others joined it, only leave it."""
    q = queue()
    q.stop(s.id, owner=owner())
    try:
        now = q.status(s.id)
    except KeyError:
        return
    if now.active and now.owner != owner():  # it goes on for the others: forget it here
        st.session_state.pop(JOB_KEY, None)


def queue_label(name: str) -> str:
    """The name shown in the queue: letters, digits, spaces and . ' - only, at most MAX_LABEL
    characters ('session a1b2' when nothing is left)."""
    clean = re.sub(r"[^0-9A-Za-zÀ-ÖØ-öø-ÿ .'-]", "", name or "")
    return " ".join(clean.split())[:MAX_LABEL] or f"session {owner()}"


def start(plan: Plan, name: str) -> str:
    """Queue a job for this session; "" on success, else the reason."""
    if not plan.ready or plan.corpus is None or plan.cfg is None:
        return "Choose usable data and settings first."
    corpus = plan.corpus
    try:
        job = queue().submit(
            corpus.pairs,
            plan.cfg,
            owner=owner(),
            label=queue_label(name),
            source=corpus.name,
            digest=corpus.digest,
        )
    except ValueError as exc:  # QueueError, CorpusError
        return str(exc)
    st.session_state[JOB_KEY] = job
    st.session_state.pop(SEEN_KEY, None)
    st.query_params[JOB_PARAM] = queue().status(job).ref  # a reload or a new tab finds it
    return ""


def follow_link() -> str:
    """Adopt the job a link names (``?job=<id>-<token>``) when this session has none: the same
    person after a reload or in a new tab (a link holder may stop it).  Returns a message when
    the link's job is not on this server any more ("" otherwise)."""
    ref = st.query_params.get(JOB_PARAM)
    if not ref or st.session_state.get(JOB_KEY) is not None:
        return ""
    s = queue().find(ref, owner=owner())
    if s is None:
        del st.query_params[JOB_PARAM]
        head = ref.partition("-")[0]
        job = f"job #{head}" if head.isdigit() and len(head) < 13 else "the job"
        return (
            f"The link names training {job}, which this server no longer has: it keeps the "
            f"{queue().keep} newest trained models and {queue().max_records} job records, and "
            "forgets them all when it restarts. Start a new training below."
        )
    st.session_state[JOB_KEY] = s.id
    return ""


def my_status() -> JobStatus | None:
    """This session's latest job's status, or None (no job, or forgotten by the server)."""
    job = st.session_state.get(JOB_KEY)
    if job is None:
        return None
    try:
        return queue().status(job)
    except KeyError:
        st.session_state.pop(JOB_KEY, None)
        return None


def use_checkpoint(s: JobStatus) -> None:
    """Hand a finished job's checkpoint to the Translate page for this session (and by the
    link ``?job=<ref>``, to any tab)."""
    st.session_state[CHECKPOINT_KEY] = {
        "path": s.checkpoint,
        "label": model_label(s),
        "ref": s.ref,
    }

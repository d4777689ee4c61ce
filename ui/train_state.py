"""The Train page's server-wide training queue, its corpora and small text helpers.

torch is imported only inside the functions here (through ``core.seq2seq.live``), so the page's
title and text appear while torch loads.
"""

from __future__ import annotations

import re
import secrets
import time

import streamlit as st

from ui.registry import page

# Controls (the page binds them to the URL).
UPLOAD = "my own file"
DATA_CHOICES = ["shared corpus", UPLOAD]
PAIR_CHOICES = ["100", "250", "500", "1000", "2000", "4000", "all"]
HIDDEN_CHOICES = [32, 64, 128, 256]
MAX_EPOCHS = 60
MINUTES = (0.5, 10.0)  # the time-cap slider; core.seq2seq.live.MAX_MINUTES is the hard bound
MAX_UPLOAD_MB = 32  # = core.seq2seq.data.MAX_UPLOAD_BYTES (a test holds them equal)
MAX_LABEL = 30
DEFAULTS = {
    "data": "shared corpus",
    "filter": True,
    "pairs": "all",
    "epochs": 30,
    "tf": 1.0,
    "hidden": 128,
    "minutes": 3.0,
}

JOB_KEY = "train_job"  # this session's job id
SEEN_KEY = "train_job_seen"  # the finished job whose checkpoint was handed to Translate
GO_KEY = "train_go_translate"  # set by a button: switch to Translate on the next full run
CHECKPOINT_KEY = "seq2seq_checkpoint"  # read by the Translate page: {"path", "label"}
TRANSLATE_PAGE = page("translate").path


@st.cache_resource(show_spinner=False)
def queue():
    """The one training queue of this server process (shared by every session)."""
    from core.seq2seq.live import TrainingQueue

    return TrainingQueue()


def owner() -> str:
    """A short random id of this browser session (who started a job)."""
    if "train_owner" not in st.session_state:
        st.session_state["train_owner"] = secrets.token_hex(2)
    return st.session_state["train_owner"]


@st.cache_resource(show_spinner="Reading the shared corpus…")
def shared_corpus(exercise_filter: bool):
    """(Corpus, "") for ../shared/data/eng-fra.txt, or (None, why not)."""
    from core.seq2seq.live import prepare_corpus

    try:
        return prepare_corpus(None, exercise_filter), ""
    except ValueError as exc:
        return None, str(exc)


@st.cache_resource(show_spinner="Reading your file…", max_entries=8, ttl=3600)
def _upload_corpus(file_id: str, name: str, exercise_filter: bool, _data: bytes):
    from core.seq2seq.live import prepare_corpus

    try:
        return prepare_corpus(_data, exercise_filter, name=name), ""
    except ValueError as exc:
        return None, f"{name}: {exc}"


def uploaded_corpus(upload, exercise_filter: bool):
    """(Corpus, "") for an ``st.file_uploader`` file, or (None, the reason, naming the line
    or the limit; ``read_raw_pairs`` checks the size)."""
    return _upload_corpus(upload.file_id, upload.name, exercise_filter, upload.getvalue())


def make_config(
    pairs: str, epochs: int, tf: float, hidden: int, minutes: float, exercise_filter: bool
):
    """(LiveConfig, "") or (None, what is wrong)."""
    from core.seq2seq.live import LiveConfig

    try:
        n = 0 if pairs == "all" else int(pairs)
        return LiveConfig(
            pairs=n,
            epochs=int(epochs),
            teacher_forcing=float(tf),
            hidden=int(hidden),
            minutes=float(minutes),
            exercise_filter=bool(exercise_filter),
        ), ""
    except (TypeError, ValueError) as exc:
        return None, str(exc)


@st.cache_data(show_spinner=False, max_entries=64)
def _split_sizes(key: tuple, _corpus, _cfg) -> tuple[int, int, int] | str:
    from core.seq2seq.live import make_split

    try:
        return make_split(_corpus.pairs, _cfg).sizes()
    except ValueError as exc:
        return str(exc)


def split_sizes(corpus, cfg) -> tuple[int, int, int] | str:
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


def estimate_seconds(n_train: int, cfg) -> float:
    from core.seq2seq.live import estimate_seconds as est

    return est(n_train, cfg)


def start(corpus, cfg, name: str) -> str:
    """Queue a job for this session; "" on success, else the reason."""
    from core.seq2seq.live import QueueError

    clean = re.sub(r"[^0-9A-Za-zÀ-ÖØ-öø-ÿ .'-]", "", name or "")
    label = " ".join(clean.split())[:MAX_LABEL] or f"session {owner()}"
    try:
        job = queue().submit(corpus.pairs, cfg, owner=owner(), label=label, source=corpus.name)
    except (QueueError, ValueError) as exc:
        return str(exc)
    st.session_state[JOB_KEY] = job
    st.session_state.pop(SEEN_KEY, None)
    return ""


def my_status():
    """This session's latest job's status, or None (no job, or forgotten by the server)."""
    job = st.session_state.get(JOB_KEY)
    if job is None:
        return None
    try:
        return queue().status(job)
    except KeyError:
        st.session_state.pop(JOB_KEY, None)
        return None


def jobs():
    """The server's running job then the waiting ones."""
    return queue().jobs()


def stop(job_id: int) -> bool:
    return queue().stop(job_id)


def zip_bytes(path: str) -> bytes:
    from core.seq2seq.live import checkpoint_zip

    return checkpoint_zip(path)


def use_checkpoint(status) -> None:
    """Hand a finished job's checkpoint to the Translate page for this session."""
    st.session_state[CHECKPOINT_KEY] = {"path": status.checkpoint, "label": status.model_label()}


# ------------------------------------------------------------------ wording


def duration(seconds: float | None) -> str:
    """'45 s', '2 min 05 s', '12 min'."""
    if seconds is None:
        return "?"
    s = max(0, int(round(seconds)))
    if s < 60:
        return f"{s} s"
    m, s = divmod(s, 60)
    return f"{m} min {s:02d} s" if m < 10 else f"{m} min"


def ago(timestamp: float | None) -> str:
    return "" if timestamp is None else duration(time.time() - timestamp) + " ago"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"

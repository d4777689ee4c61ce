"""The views of the Train page: data, settings, the start row, and the live panel (the queue
and this session's job), one function per section.

Every number shown comes from ``core.seq2seq.live`` (through ``ui.train_state``); the
sentences come from ``ui.train_wording``; these functions only lay them out.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from charts import train as ch
from core.checkpoint_files import checkpoint_zip
from core.seq2seq.live.corpus import Corpus
from core.seq2seq.live.jobs import JobState, JobStatus
from ui import train_state as state
from ui import train_wording as say
from ui.common import asset_section, figure
from ui.controls import plain

MD = "train.md"
REFRESH_WATCHED = 2.0  # seconds between live-panel runs while this session's job is active
REFRESH_BUSY = 5.0  # ... while someone else's job runs or waits
REFRESH_IDLE = 15.0  # ... otherwise
# labels of the page's buttons and links (tests find them by these)
START = "Start training"
STOP = "Stop"
LEAVE = "Leave the line"
DOWNLOAD = "Download the checkpoint (.zip)"
USE = "Translate with this model"
OPEN_TRANSLATE = "Open the Translate page"
QUEUE_HEADING = "**Training queue of this server** (one training at a time)"


# ---------------------------------------------------------------- data
def data_section(where: Any) -> tuple[Corpus | None, bool]:
    """The data column: source, filter, upload.  Returns the corpus to train on (None, with a
    message saying why, when there is none) and whether the exercise's filter is on."""
    with where:
        st.subheader("Data")
        source = state.DATA.draw()
        exercise_filter = state.FILTER.draw()
        corpus, problem = None, ""
        if source == state.UPLOAD:
            upload = st.file_uploader(
                "A UTF-8 text file with one English<TAB>French pair a line",
                type=["txt", "tsv", "csv"],
                key="upload",
                max_upload_size=state.MAX_UPLOAD_MB,
                help="The layout of the exercise's eng-fra.txt: English first, then a tab, then "
                "French; a third column (e.g. an attribution) is ignored.",
            )
            if upload is None:
                st.info(
                    "Choose a file to train on, e.g. the exercise's *eng-fra.txt* from "
                    "<https://www.manythings.org/anki/> (fra-eng.zip)."
                )
            else:
                corpus, problem = state.uploaded_corpus(upload, exercise_filter)
                if problem:
                    st.error(plain(problem))
        else:
            corpus, problem = state.shared_corpus(exercise_filter)
            if problem:  # the server has no shared corpus: not the visitor's mistake
                st.warning(
                    f"{plain(problem)} Upload a file instead (choose “{state.UPLOAD}” above)."
                )
        with st.expander("What the data is and how it is split"):
            st.markdown(asset_section(MD, "Data"))
    return corpus, exercise_filter


# ---------------------------------------------------------------- settings
def settings_section(where: Any, corpus: Corpus | None, exercise_filter: bool) -> state.Plan:
    """The settings column: the sliders, then the split and the expected time."""
    with where:
        st.subheader("Settings")
        c1, c2 = st.columns(2)
        pairs = state.PAIRS.draw(c1)
        hidden = state.HIDDEN.draw(c2)
        epochs = state.EPOCHS.draw(c1)
        tf = state.TF.draw(c2)
        minutes = state.MINUTES.draw(c1)
        cfg, problem = state.make_config(pairs, epochs, tf, hidden, minutes, exercise_filter)
        sizes = state.split_sizes(corpus, cfg) if corpus is not None and cfg is not None else None
        if problem:
            st.error(plain(problem))
        elif isinstance(sizes, str):
            st.error(plain(sizes))
            sizes = None
        elif sizes is not None and corpus is not None and cfg is not None:
            st.caption(say.split_caption(corpus, sizes, cfg))
        with st.expander("What the settings do"):
            st.markdown(asset_section(MD, "Knobs"))
            st.markdown("#### Teacher forcing")
            st.markdown(asset_section(MD, "Teacher forcing"))
    return state.Plan(corpus, cfg, sizes)


# ---------------------------------------------------------------- start
def start_row(plan: state.Plan) -> None:
    """The queue name and the start button (disabled while this session has a job)."""
    mine = state.my_status()
    busy = mine is not None and mine.active
    n1, n2 = st.columns([2, 1], vertical_alignment="bottom")
    name = n1.text_input(
        "Your name in the queue (optional, shown to others)",
        key="train_name",
        max_chars=state.MAX_LABEL,
        placeholder=f"session {state.owner()}",
    )
    if n2.button(
        START,
        type="primary",
        icon=":material/play_arrow:",
        disabled=not plan.ready or busy,
        width="stretch",
        help="You already have a training in progress" if busy else None,
    ):
        problem = state.start(plan, name)
        if problem:
            st.error(plain(problem))
        else:
            st.rerun()


# ---------------------------------------------------------------- the live panel
def refresh_seconds() -> float:
    """How often the live panel reruns.  Each rerun costs the training thread 0.3-0.4 s of GIL
    time (see ``core.seq2seq.live.pipeline``), so a watched job refreshes every 2 s, others'
    jobs every 5 s."""
    mine = state.my_status()
    if mine is not None and mine.active:
        return REFRESH_WATCHED
    return REFRESH_BUSY if state.queue().jobs() else REFRESH_IDLE


def show_queue(jobs: list[JobStatus], mine: JobStatus | None) -> None:
    """The server's line: the running job, then the waiting ones."""
    with st.container(border=True):
        st.markdown(QUEUE_HEADING)
        running = [j for j in jobs if j.state == JobState.RUNNING]
        if not running:
            st.markdown("Nobody is training right now: a new training starts at once.")
        for j in running:
            st.markdown(say.running_line(j, mine))
        for j in jobs:
            if j.state == JobState.WAITING:
                st.markdown(say.waiting_line(j, mine))


def show_samples(s: JobStatus) -> None:
    """The validation sentences and the model's latest translations of them."""
    if not s.samples:
        return
    rows = {
        "French (validation sentence)": [x.fr for x in s.samples],
        "reference": [x.reference for x in s.samples],
        say.samples_heading(s): [x.output or "…" for x in s.samples],
        "exact": ["✓" if x.output == x.reference else "" for x in s.samples],
    }
    st.dataframe(rows, hide_index=True, width="stretch")


def show_waiting(s: JobStatus) -> None:
    st.info(say.waiting_text(s), icon=":material/hourglass_top:")
    if st.button(LEAVE, icon=":material/close:", key="cancel_job"):
        state.stop_mine(s)
        st.rerun()


def show_running(s: JobStatus) -> None:
    b1, b2 = st.columns([5, 1], vertical_alignment="center")
    b1.progress(s.progress, text=say.progress_text(s))
    if b2.button(
        STOP,
        icon=":material/stop:",
        key="stop_job",
        help="End now, keeping the best weights validated so far",
        width="stretch",
    ):
        state.stop_mine(s)
        st.rerun(scope="fragment")


def show_curves(s: JobStatus) -> None:
    g1, g2 = st.columns(2)
    figure(ch.loss_curves(s.history, s.config.epochs), "loss_chart", g1)
    figure(ch.bleu_curve(s.history, s.config.epochs, s.test_bleu), "bleu_chart", g2)
    show_samples(s)


def show_checkpoint(s: JobStatus) -> None:
    """A trained job's checkpoint: download, hand it to Translate, or say it is gone."""
    if s.checkpoint is None:
        st.warning(
            "This checkpoint has been removed from the server (only the most recent ones are "
            "kept). Train again to get a new one."
        )
        return
    d1, d2, d3 = st.columns(3, vertical_alignment="center")
    d1.download_button(
        DOWNLOAD,
        data=lambda p=s.checkpoint: checkpoint_zip(p),
        file_name=f"sequence-lab-model-job{s.id}.zip",
        mime="application/zip",
        icon=":material/download:",
        on_click="ignore",
        key="download_ckpt",
        width="stretch",
    )
    if d2.button(
        USE,
        icon=":material/translate:",
        key="use_ckpt",
        width="stretch",
        help="Make it the Translate page's model for your visit and go there",
    ):
        state.use_checkpoint(s)
        st.session_state[state.GO_KEY] = s.ref
        st.rerun()  # a full run switches pages (not possible inside this fragment)
    with d3:
        st.page_link(state.TRANSLATE_PAGE, label=OPEN_TRANSLATE, icon=":material/arrow_forward:")
    current = st.session_state.get(state.CHECKPOINT_KEY) or {}
    if current.get("path") == s.checkpoint:
        st.caption(
            f"The Translate page uses {plain(current.get('label', ''))} for the rest of your visit."
        )


def show_job(s: JobStatus) -> None:
    """This session's job, by state."""
    if s.state == JobState.WAITING:
        show_waiting(s)
        return
    if s.state == JobState.RUNNING:
        show_running(s)
    elif s.state == JobState.FAILED:
        st.error(say.failed_text(s))
    elif s.state == JobState.CANCELLED:
        st.info(say.cancelled_text(s))
    else:
        st.success(say.finished_text(s), icon=":material/check_circle:")
    if s.history or s.state == JobState.RUNNING:
        show_curves(s)
    if s.state.trained:
        show_checkpoint(s)


def live_panel() -> None:
    """The queue and this session's job (run as a fragment every ``refresh_seconds``)."""
    s = state.my_status()
    jobs = state.queue().jobs()
    if (
        s is not None
        and s.state.trained
        and s.checkpoint
        and st.session_state.get(state.SEEN_KEY) != s.id
    ):
        # first run that sees the job finished: hand the model to Translate, stop refreshing
        st.session_state[state.SEEN_KEY] = s.id
        st.session_state[state.WAS_ACTIVE_KEY] = False
        state.use_checkpoint(s)
        st.rerun()
    if s is not None and s.active != st.session_state.get(state.WAS_ACTIVE_KEY, s.active):
        st.session_state[state.WAS_ACTIVE_KEY] = s.active
        st.rerun()  # a full run to change the refresh rate
    if s is not None:
        st.session_state[state.WAS_ACTIVE_KEY] = s.active
    # one container: a fragment that writes a varying number of top-level elements can
    # overwrite the page's elements after it on its reruns
    with st.container():
        show_queue(jobs, s)
        if s is not None:
            show_job(s)


def explanations() -> None:
    """The closing expanders."""
    with st.expander("Why the curves look the way they do"):
        st.markdown(asset_section(MD, "Curves"))
    with st.expander("Why only one training at a time"):
        st.markdown(asset_section(MD, "Queue"))
    with st.expander("What is in the checkpoint"):
        st.markdown(asset_section(MD, "Checkpoint"))


def linked_job() -> None:
    """Take over the job a link names; say so when it is gone."""
    gone = state.follow_link()
    if gone:
        st.warning(gone, icon=":material/history:")

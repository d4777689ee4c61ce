"""Homework question 4, hands on: train the French -> English model live and watch it learn."""

import html

import streamlit as st

from charts import train as ch
from ui import train_state as state
from ui.common import asset_section, page_header, share_hint

MD = "train.md"
D = state.DEFAULTS

if st.session_state.pop(state.GO_KEY, False):  # "Translate with this model" was pressed
    # query_params={}: without it Streamlit 1.67 refuses to clear this page's bound parameters
    st.switch_page(state.TRANSLATE_PAGE, query_params={})

page_header("train")
share_hint()
st.markdown(asset_section(MD, "Intro"))

# ---------------------------------------------------------------- data and settings
data_col, set_col = st.columns(2, gap="large")
with data_col:
    st.subheader("Data")
    source = st.radio(
        "Training data",
        state.DATA_CHOICES,
        key="data",
        bind="query-params",
        horizontal=True,
        help="The shared corpus is the exercise's eng-fra.txt (Tatoeba sentences).",
    )
    exercise_filter = st.toggle(
        "Only the exercise's sentences",
        D["filter"],
        key="filter",
        bind="query-params",
        help="On: the English side starts with “i am”, “he is”, “she is”, “you are”, “we are” "
        "or “they are” (as in the exercise). Off: every pair with fewer than 10 words a "
        "side is used: more varied data, and harder to learn in two minutes.",
    )
    corpus, data_error = None, ""
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
            corpus, data_error = state.uploaded_corpus(upload, exercise_filter)
    else:
        corpus, data_error = state.shared_corpus(exercise_filter)
    if data_error and source == state.UPLOAD:
        st.error(data_error)
    elif data_error:  # the server has no shared corpus: not the visitor's mistake
        st.warning(f"{data_error} Upload a file instead (choose “{state.UPLOAD}” above).")
    with st.expander("What the data is and how it is split"):
        st.markdown(asset_section(MD, "Data"))

with set_col:
    st.subheader("Settings")
    c1, c2 = st.columns(2)
    pairs = c1.select_slider(
        "Training pairs",
        state.PAIR_CHOICES,
        D["pairs"],
        key="pairs",
        bind="query-params",
        help="A random subset of the training part (the validation and test parts stay whole).",
    )
    hidden = c2.select_slider(
        "Hidden size",
        state.HIDDEN_CHOICES,
        D["hidden"],
        key="hidden",
        bind="query-params",
        help="GRU state size of the encoder (each direction) and the "
        "decoder; the word embeddings have the same size.",
    )
    epochs = c1.slider(
        "Epochs",
        1,
        state.MAX_EPOCHS,
        D["epochs"],
        key="epochs",
        bind="query-params",
        help="Passes over the training pairs.",
    )
    tf = c2.slider(
        "Teacher forcing ratio",
        0.0,
        1.0,
        D["tf"],
        0.05,
        key="tf",
        bind="query-params",
        help="How often the decoder is fed the reference word instead of its own "
        "guess while training. Below 1 training runs step by step: slower.",
    )
    minutes = c1.slider(
        "Time cap (minutes)",
        *state.MINUTES,
        D["minutes"],
        0.5,
        key="minutes",
        bind="query-params",
        format="%.1f min",
        help="Training stops here at the latest, even before the last epoch.",
    )
    cfg, cfg_error = state.make_config(pairs, epochs, tf, hidden, minutes, exercise_filter)
    sizes = state.split_sizes(corpus, cfg) if corpus is not None and cfg is not None else None
    if cfg_error:
        st.error(cfg_error)
    elif isinstance(sizes, str):
        st.error(sizes)
        sizes = None
    elif sizes is not None:
        n_train, n_val, n_test = sizes
        est = state.estimate_seconds(n_train, cfg)
        cap = cfg.minutes * 60
        when = (
            f"about {state.duration(est)} on one CPU core"
            if est <= cap
            else f"the {cfg.minutes:g}-minute cap stops it after about "
            f"{max(1, int(cfg.epochs * cap / est))} of {cfg.epochs} epochs"
        )
        st.caption(
            f"{len(corpus.pairs):,} usable pairs in *{html.escape(corpus.name)}* → training on "
            f"**{n_train:,}**, validating on {n_val:,}, testing on {n_test:,} (split by French "
            f"sentence). Expected: {when}."
        )
    with st.expander("What the settings do"):
        st.markdown(asset_section(MD, "Knobs"))
        st.markdown("#### Teacher forcing")
        st.markdown(asset_section(MD, "Teacher forcing"))

# ---------------------------------------------------------------- start
mine = state.my_status()
busy_mine = mine is not None and mine.active
can_start = corpus is not None and cfg is not None and sizes is not None and not busy_mine
n1, n2 = st.columns([2, 1], vertical_alignment="bottom")
name = n1.text_input(
    "Your name in the queue (optional, shown to others)",
    key="train_name",
    max_chars=state.MAX_LABEL,
    placeholder=f"session {state.owner()}",
)
if n2.button(
    "Start training",
    type="primary",
    icon=":material/play_arrow:",
    disabled=not can_start,
    width="stretch",
    help="You already have a training in progress" if busy_mine else None,
):
    problem = state.start(corpus, cfg, name)
    if problem:
        st.error(problem)
    else:
        st.rerun()


# ---------------------------------------------------------------- the queue and this job
def show_queue(others: list, mine) -> None:
    running = next((j for j in others if j.state == "running"), None)
    waiting = [j for j in others if j.state == "waiting"]
    with st.container(border=True):
        st.markdown("**Training queue of this server** (one training at a time)")
        if running is None:
            st.markdown("Nobody is training right now: a new training starts at once.")
        else:
            you = " — yours" if mine is not None and running.id == mine.id else ""
            st.markdown(
                f"▶ Training now: **{html.escape(running.title)}**{you} · "
                f"{html.escape(running.config.describe(running.split_sizes[0] or None))} · "
                f"started {state.ago(running.started)}, about {state.duration(running.eta)} "
                "left"
            )
        for j in waiting:
            you = " — yours" if mine is not None and j.id == mine.id else ""
            st.markdown(
                f"{j.position}. waiting: {html.escape(j.title)}{you} · "
                f"{html.escape(j.config.describe(j.split_sizes[0] or None))} · queued "
                f"{state.ago(j.submitted)}"
            )


def show_samples(s) -> None:
    if not s.samples:
        return
    after = (
        f"after validation round {s.sample_round} (epoch {s.history[-1]['epochs']:.1f})"
        if s.sample_round and s.history
        else "not trained yet"
    )
    rows = {
        "French (validation sentence)": [x.fr for x in s.samples],
        "reference": [x.reference for x in s.samples],
        f"model output, {after}": [x.output or "…" for x in s.samples],
        "exact": ["✓" if x.output == x.reference else "" for x in s.samples],
    }
    st.dataframe(rows, hide_index=True, width="stretch")


def show_job(s) -> None:
    cfg_line = html.escape(s.config.describe(s.split_sizes[0] or None))
    if s.state == "waiting":
        ahead = s.position - 1
        st.info(
            f"Your {html.escape(s.title)} is **"
            + ("next in line" if s.position == 1 else f"{state.ordinal(s.position)} in line")
            + "**"
            + (f" (after {ahead} other waiting job{'s' * (ahead > 1)})" if ahead else "")
            + f": it starts within at most {state.duration(s.eta)}, as every training is "
            f"capped in time. Settings: {cfg_line}.",
            icon=":material/hourglass_top:",
        )
        if st.button("Leave the line", icon=":material/close:", key="cancel_job"):
            state.stop(s.id)
            st.rerun()
        return
    if s.state == "running":
        if s.phase == "training":
            text = (
                f"Epoch {min(s.epochs_done, s.config.epochs):.1f} of {s.config.epochs} · "
                f"{state.duration(s.elapsed)} elapsed · about {state.duration(s.eta)} left "
                f"(cap {s.config.minutes:g} min)"
            )
        elif s.phase == "scoring":
            text = "Training over: scoring the best weights on the test sentences and saving…"
        else:
            text = "Preparing the data…"
        b1, b2 = st.columns([5, 1], vertical_alignment="center")
        b1.progress(s.progress, text=text)
        if b2.button(
            "Stop",
            icon=":material/stop:",
            key="stop_job",
            help="End now, keeping the best weights validated so far",
            width="stretch",
        ):
            state.stop(s.id)
            st.rerun(scope="fragment")
    elif s.state == "failed":
        st.error(f"Your {html.escape(s.title)} failed: {html.escape(s.error)}")
    elif s.state == "cancelled":
        st.info(f"Your {html.escape(s.title)} left the line before it ran.")
    else:
        why = {
            "epochs": f"all {s.config.epochs} epochs done",
            "time cap": (
                f"stopped by the {s.config.minutes:g}-minute time cap after "
                f"{s.epochs_done:.1f} of {s.config.epochs} epochs"
            ),
            "stop": f"stopped by you after {s.epochs_done:.1f} epochs",
        }.get(s.ended_by, "")
        score = (
            f"**test BLEU-4 {s.test_bleu:.1f}**, exact match {100 * s.test_exact:.1f}% on "
            f"{s.test_n:,} test sentences never seen in training"
            if s.test_bleu is not None
            else "no test score"
        )
        st.success(
            f"Training finished ({why}, {state.duration(s.elapsed)}): {score}. "
            f"Settings: {cfg_line}; {s.pairs_per_s:,.0f} training pairs/s on one core.",
            icon=":material/check_circle:",
        )

    if s.history or s.state == "running":
        g1, g2 = st.columns(2)
        g1.plotly_chart(
            ch.loss_curves(s.history, s.config.epochs), width="stretch", key="loss_chart"
        )
        g2.plotly_chart(
            ch.bleu_curve(s.history, s.config.epochs, s.test_bleu),
            width="stretch",
            key="bleu_chart",
        )
        show_samples(s)

    if s.state in ("done", "stopped"):
        if s.checkpoint is None:
            st.warning(
                "This checkpoint has been removed from the server (only the most recent "
                "ones are kept). Train again to get a new one."
            )
            return
        d1, d2, d3 = st.columns(3, vertical_alignment="center")
        d1.download_button(
            "Download the checkpoint (.zip)",
            data=lambda p=s.checkpoint: state.zip_bytes(p),
            file_name=f"sequence-lab-model-job{s.id}.zip",
            mime="application/zip",
            icon=":material/download:",
            on_click="ignore",
            key="download_ckpt",
            width="stretch",
        )
        if d2.button(
            "Translate with this model",
            icon=":material/translate:",
            key="use_ckpt",
            width="stretch",
            help="Make it the Translate page's model for your visit and go there",
        ):
            state.use_checkpoint(s)
            st.session_state[state.GO_KEY] = True
            st.rerun()  # a full run switches pages (not possible inside this fragment)
        current = st.session_state.get(state.CHECKPOINT_KEY, {}) or {}
        with d3:
            st.page_link(
                state.TRANSLATE_PAGE,
                label="Open the Translate page",
                icon=":material/arrow_forward:",
            )
        if current.get("path") == s.checkpoint:
            st.caption(
                f"The Translate page uses {html.escape(current.get('label', ''))} for "
                "the rest of your visit."
            )


def live_panel() -> None:
    s = state.my_status()
    others = state.jobs()
    if (
        s is not None
        and not s.active
        and s.state in ("done", "stopped")
        and s.checkpoint
        and st.session_state.get(state.SEEN_KEY) != s.id
    ):
        # first run that sees the job finished: hand the model to Translate, stop refreshing
        st.session_state[state.SEEN_KEY] = s.id
        st.session_state["train_was_active"] = False
        state.use_checkpoint(s)
        st.rerun()
    if s is not None and s.active != st.session_state.get("train_was_active", s.active):
        st.session_state["train_was_active"] = s.active
        st.rerun()  # a full run to change the refresh rate
    if s is not None:
        st.session_state["train_was_active"] = s.active
    # one container: a fragment that writes a varying number of top-level elements can
    # overwrite the page's elements after it on its reruns
    with st.container():
        show_queue(others, s)
        if s is not None:
            show_job(s)


active_mine = mine is not None and mine.active
busy_server = bool(state.jobs())
# Refresh: each rerun of the panel costs the training thread 0.3-0.4 s of GIL time (see
# core.seq2seq.live), so a watched job refreshes every 2 s, others' jobs every 5 s.
every = 2.0 if active_mine else (5.0 if busy_server else 15.0)  # seconds
st.fragment(live_panel, run_every=every)()

with st.expander("Why the curves look the way they do"):
    st.markdown(asset_section(MD, "Curves"))
with st.expander("Why only one training at a time"):
    st.markdown(asset_section(MD, "Queue"))
with st.expander("What is in the checkpoint"):
    st.markdown(asset_section(MD, "Checkpoint"))

"""The views of the Translate page: the model choice, the input, the notes on the input, the
translation with its attention map and per-step charts, and the model's scores.

Every number shown comes from ``core.seq2seq`` (through ``ui.translate_state``); these
functions only lay it out.  Text typed by a user is shown through ``ui.controls.plain`` or
``html.escape``, never as Markdown of its own.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import streamlit as st

from charts import translate as ch
from core.checkpoint_files import MAX_ZIP_BYTES
from core.seq2seq.translation import NoteKind, Translation
from ui import quiz, stepper
from ui import translate_state as state
from ui.common import asset_section, figure, offer_csv, presenting
from ui.controls import plain
from ui.registry import page

if TYPE_CHECKING:  # the model loads with the first translation, not with this module
    from core.seq2seq.translator import Translator

MD = "translate.md"
MAX_ZIP_MB = MAX_ZIP_BYTES // 2**20


# ---------------------------------------------------------------- the model
def model_choice() -> tuple[str, str | None]:
    """Which model (``state.GRU``, ``TRANSFORMER`` or ``BOTH``, from the URL) and which
    checkpoint of it: the shipped one, this session's model from the Train page (GRU), or an
    uploaded checkpoint zip: (kind, path), path None for the shipped one.  The uploader comes
    after the choice (its callback has run before the page, so the choice already knows)."""
    kind = state.MODEL.draw()
    upload = uploaded()
    path = None if kind == state.BOTH else source_choice(kind, upload)
    upload_box()
    return kind, path


def uploaded() -> dict[str, Any] | None:
    """The uploaded checkpoint the URL or this session names (see
    ``state.uploaded_checkpoint``); a warning and None when the server no longer has it."""
    up = state.uploaded_checkpoint()
    if up and "gone" in up:
        st.warning(up["gone"], icon=":material/history:")
        st.query_params.pop(state.UPLOAD_PARAM, None)
        st.session_state.pop(state.UPLOAD_KEY, None)
        return None
    return up


def upload_box() -> None:
    """The checkpoint-zip uploader (folded) and its message about the last upload."""
    n = st.session_state.get("upload_n", 0)
    err = st.session_state.pop("upload_error", None)
    with st.expander(
        "Use a checkpoint you downloaded (.zip)",
        icon=":material/upload_file:",
        expanded=bool(err),
    ):
        st.file_uploader(
            "The zip the Train page's download gives (model.json, weights.pt, metrics.json)",
            type=["zip"],
            key=f"ck_upload_{n}",
            on_change=_take_upload,
            args=(n,),
            max_upload_size=MAX_ZIP_MB,
            help=f"At most {MAX_ZIP_MB} MB. Only the tensors are read (no code is run); the "
            "server keeps the newest few uploads, reachable by the link (upload=…).",
        )
        if err:
            st.error(plain(err), icon=":material/error:")


def _take_upload(n: int) -> None:
    """on_change of the uploader: check and unpack the zip; on success the page switches to
    its model and the uploader is emptied (a new key), so the bytes are not kept."""
    f = st.session_state.get(f"ck_upload_{n}")
    if f is None:
        return
    try:
        up_id, kind = state.accept_upload(f.getvalue())
    except ValueError as exc:
        st.session_state["upload_error"] = f"{f.name} was not taken: {exc}"
        return
    st.session_state[state.UPLOAD_KEY] = {"id": up_id, "kind": kind, "name": f.name[:60]}
    st.session_state["upload_n"] = n + 1
    st.session_state.pop(f"ck_upload_{n}", None)
    st.query_params[state.UPLOAD_PARAM] = up_id
    st.query_params.pop("job", None)
    st.session_state[state.MODEL.key] = kind
    st.session_state[f"{kind.lower()}_model"] = "uploaded"


def source_choice(kind: str, upload: dict[str, Any] | None) -> str | None:
    """The checkpoint of ``kind`` to use: shipped, this session's trained model (GRU only) or
    the upload (when it is of this kind); its path (None: the shipped one)."""
    paths: dict[str, str | None] = {"shipped": None}
    labels = {"shipped": "the shipped model"}
    mine = None
    if kind == state.GRU:
        mine = state.session_checkpoint()
        if mine and "gone" in mine:
            st.warning(mine["gone"], icon=":material/history:")
            mine = None
        if mine:
            paths["mine"] = mine["path"]
            labels["mine"] = str(mine.get("label") or "the model you trained")
            if st.session_state.get("model_seen") != mine["path"]:  # newly trained: show it
                st.session_state["model_seen"] = mine["path"]
                st.session_state["gru_model"] = "mine"
    if upload and upload["kind"] == kind:
        paths["uploaded"] = upload["path"]
        labels["uploaded"] = upload["label"]
    elif upload:
        st.caption(
            f"Your uploaded checkpoint is a {state.MODEL_LABELS[upload['kind']]} model: choose "
            f"that model above to use it."
        )
    key = f"{kind.lower()}_model"
    if len(paths) == 1:
        st.caption("Model: the shipped checkpoint.")
        if kind == state.GRU:
            st.page_link(
                page("train").path,
                icon=":material/model_training:",
                label="Train your own model: it can be used here for this session",
            )
        return None
    if st.session_state.get(key) not in paths:
        st.session_state[key] = "uploaded" if "uploaded" in paths else "shipped"
    choice = st.radio(
        "Checkpoint",
        list(paths),
        horizontal=True,
        key=key,
        format_func=labels.__getitem__,
        help="Trained and uploaded models stay on this server while they are among the newest "
        "few; the link (job=… or upload=…) opens them in any tab.",
    )
    if choice == "mine" and mine and mine.get("ref"):
        st.query_params["job"] = mine["ref"]
    elif choice != "mine":
        st.query_params.pop("job", None)
    return paths[choice]


def load_model(path: str | None, kind: str = state.GRU) -> tuple[Translator, str | None, str]:
    """(translator, path, kind) of ``path`` (or the shipped model of ``kind``); the shipped
    GRU (and a message) if it cannot be loaded.  Stops the page when not even that loads."""
    try:
        return state.translator(path, kind), path, kind
    except ValueError as exc:
        st.error(f"The translation model could not be loaded: {plain(exc)}")
        if path is None and kind == state.GRU:
            st.stop()
        st.info("Falling back to the shipped GRU model.")
        return state.translator(), None, state.GRU


def side_by_side(text: str, beam: int, examples: list[tuple[str, str]]) -> None:
    """Both shipped models on the same sentence: their words and attention maps on one colour
    scale (0 to 1), then a table of their scores from their metrics files."""
    outs = {k: state.translate(text, beam, None, k) for k in (state.GRU, state.TRANSFORMER)}
    reference = next((en for fr, en in examples if fr == text.strip()), None)
    cols = st.columns(2, gap="large")
    for col, (kind, out) in zip(cols, outs.items(), strict=True):
        with col:
            st.markdown(f"**{state.MODEL_LABELS[kind]}**")
            if not out.words:
                st.info("No translation (see the note above).")
                continue
            st.markdown("#### " + html.escape(" ".join(out.words)))
            st.caption(
                f"{len(out.words)} words · {out.seconds * 1000:.1f} ms"
                + (f" · reference: *{html.escape(reference)}*" if reference else "")
            )
    # the maps one under the other, each the page's width: side by side at 1024 px, half a
    # column each, plotly left out every other source word's label
    for kind, out in outs.items():
        if out.words:
            fig = ch.attention_map(
                out.source,
                out.words,
                out.attention,
                title=f"{state.MODEL_LABELS[kind]}: where it looks",
            )
            figure(fig, f"attn_map_{kind}")
            offer_csv(fig, f"attn_map_{kind}")
    if outs[state.TRANSFORMER].words:
        st.caption(
            "The transformer's map is its last decoder layer's encoder-decoder attention, "
            "averaged over the heads; the GRU has one attention per step. Same colour scale."
        )
    st.dataframe(compare_table(outs), hide_index=True)


def compare_table(outs: dict[str, Translation]) -> dict[str, list]:
    """The two models' test scores (same 868 test pairs), size, training time and the time of
    this sentence: one row per measure, one column per model (narrow enough for 1024 px)."""
    rows: dict[str, list] = {"": []}
    for kind, out in outs.items():
        tr = state.translator(None, kind)
        m, test = tr.metrics, tr.metrics.get("test", {})
        col = rows.setdefault(state.MODEL_LABELS[kind], [])
        for label, value in (
            ("test BLEU-4 (greedy, 868 pairs)", f"{test.get('bleu', float('nan')):.2f}"),
            ("test exact match", f"{100 * test.get('exact_match', float('nan')):.1f} %"),
            ("parameters", f"{tr.n_parameters:,}"),
            (
                "training time",
                f"{m.get('train_seconds', 0) / 60:.1f} min on {m.get('threads', 1)} thread(s)",
            ),
            ("this sentence", f"{out.seconds * 1000:.1f} ms"),
        ):
            if len(rows[""]) < 5:
                rows[""].append(label)
            col.append(value)
    return rows


# ---------------------------------------------------------------- the input
def input_row(examples: list[tuple[str, str]], no_examples: str) -> str:
    """The sentence box and the test-split examples; the sentence."""

    def use_example() -> None:
        choice = st.session_state.get("example")
        if any(fr == choice for fr, _ in examples):
            st.session_state[state.FR.key] = choice
            st.session_state["w"] = 1

    left, right = st.columns([3, 2])
    text = state.FR.draw(left)
    with right:
        if examples:
            st.selectbox(
                "…or a test sentence (never trained on)",
                [fr for fr, _ in examples],
                index=None,
                placeholder="Choose an example…",
                key="example",
                on_change=use_example,
            )
        else:
            st.caption(plain(no_examples))
    return text


def decoding_row() -> int:
    """Greedy or beam search, and the beam width; the width (1: greedy)."""
    c1, c2 = st.columns([1, 2])
    method = state.DEC.draw(c1)
    if method == state.BEAM_SEARCH:
        return int(state.BEAM.draw(c2))
    state.BEAM.check_link()  # not drawn, but a bad width in a link is still reported
    return 1


def confidence_note(out: Translation, metrics: dict) -> None:
    """A warning when the model is less sure of its words than for 95 % of its test sentences
    (``core.seq2seq.calibrate``), or when a third or more of the words are unknown."""
    if not out.words:
        return
    floor = metrics.get("confidence_p05")
    unknown = out.unknown_share
    reasons = []
    if floor is not None and out.confidence < floor:
        reasons.append(
            f"its words have a mean probability of {out.confidence:.2f}, less than for 95 % of "
            f"the test sentences it was checked on (below {floor:.2f})"
        )
    if unknown >= 1 / 3:
        reasons.append(f"{unknown:.0%} of the French words are unknown to it")
    if reasons:
        st.warning(
            "The model is unsure here: " + "; ".join(reasons) + ". The sentence is probably "
            "unlike what it learned from: read the translation with care.",
            icon=":material/help:",
        )


def input_notes(out: Translation) -> None:
    """What was done about the input; unknown words get their own box with close words."""
    notes = out.notes_except(NoteKind.UNKNOWN)
    if notes:
        box = st.error if not out.words else st.warning
        box(f"Note on the input: {plain('; '.join(notes).rstrip('.'))}.")
    if out.unknown:
        rows = [
            f"**{html.escape(w)}** → " + (", ".join(out.suggestions.get(w, [])) or "no close word")
            for w in out.unknown
        ]
        st.warning(
            "Words the model never saw in training (read as an unknown-word token). "
            "Closest known words: " + "; ".join(rows)
        )


# ---------------------------------------------------------------- the translation
def inspect_clicked_row() -> None:
    """Clicking a cell of the attention map selects that row's output word."""
    event = st.session_state.get("attn_map") or {}
    points = event.get("selection", {}).get("points", [])
    head = str(points[0].get("y", "")).split(".")[0] if points else ""
    if head.isdigit():
        st.session_state["w"] = int(head)


def attention_table(out: Translation) -> dict[str, list]:
    """The attention weights as table columns: the output words, then one column per source
    token (weights rounded to 4 decimals)."""
    cols: dict[str, list] = {"output": list(out.words)}
    for j, w in enumerate(out.source):
        cols[f"{j + 1}. {w}"] = out.attention[:, j].round(4).tolist()
    return cols


def step_caption(out: Translation, sel: int) -> str:
    step = out.steps[sel - 1]
    how = (
        "Greedy decoding always takes the most probable word."
        if out.beam == 1
        else "Beam search keeps the best partial sentences, so the chosen word is not always "
        "the most probable one at its own step."
    )
    return (
        f"At step {sel} the decoder chose “{html.escape(step.word)}” with probability "
        f"{step.prob:.3f}. {how}"
    )


def translation(out: Translation, reference: str | None) -> None:
    """The output sentence, the attention map, the selected step's charts and the table."""
    st.markdown("#### " + html.escape(" ".join(out.words)))
    how = "greedy decoding" if out.beam == 1 else f"beam search, width {out.beam}"
    if reference or not presenting():  # presenter mode: the figure comes up a line
        st.caption(
            f"{how} · {len(out.words)} words · {out.seconds * 1000:.1f} ms"
            + (f" · reference translation: *{html.escape(reference)}*" if reference else "")
        )
    n = len(out.words)
    if (st.session_state.get("w") or 1) > n:
        st.session_state["w"] = 1
    # the decoder's steps by keyboard too: Home / ← / → / End (their callbacks run first)
    stepper.step_row("w", n, prefix="w_step")
    sel = int(state.word_choice(out.words).draw() or 1)
    if not quiz.ask_all(step_questions(out, sel)):  # quiz mode: predict first
        return
    fig = ch.attention_map(out.source, out.words, out.attention, sel - 1)
    figure(fig, "attn_map", on_select=inspect_clicked_row, selection_mode="points")
    offer_csv(fig, "attn_map")
    step = out.steps[sel - 1]
    a, b = st.columns(2)
    figure(ch.step_weights(out.source, out.attention[sel - 1], sel, step.word), "step_w", a)
    figure(ch.next_word_choices(step.alternatives, step.word, sel), "step_alt", b)
    st.caption(step_caption(out, sel))
    if state.TABLE.draw():
        st.dataframe(attention_table(out), hide_index=True)


PROB_BINS = ("below 0.5", "0.5 to 0.9", "above 0.9")


def step_questions(out: Translation, sel: int) -> list[quiz.Question]:
    """Quiz mode: where the decoder looks when it writes the selected word, and how sure it is,
    answered by this translation's own attention row and probability."""
    step = out.steps[sel - 1]
    row = out.attention[sel - 1]  # (n_source,)
    top = int(row.argmax())
    options = tuple(f"{j + 1}. {w}" for j, w in enumerate(out.source))
    key = f"translate|{out.beam}|{' '.join(out.source)}|{' '.join(out.words)}|{sel}"
    p = step.prob
    return [
        quiz.Question(
            key + "|look",
            f"When it writes “{step.word}” (word {sel}), which French token does the decoder's "
            "attention weight most?",
            options,
            top,
            f"Its attention row gives {options[top]} a weight of {row[top]:.2f} (the weights "
            "sum to 1).",
        ),
        quiz.Question(
            key + "|sure",
            f"How probable is “{step.word}” at that step, for the decoder?",
            PROB_BINS,
            0 if p < 0.5 else 1 if p <= 0.9 else 2,
            f"p = {p:.3f}.",
        ),
    ]


def no_translation() -> None:
    st.info(
        "No translation to show. Type a French sentence above, e.g. *je suis content .* "
        "or *elle est plus grande que moi .*"
    )


# ---------------------------------------------------------------- about the model
def scores_line(tr: Translator, path: str | None) -> str:
    """'Shipped model: test BLEU-4 60.3, exact match ...' ("" when the checkpoint has none)."""
    m: dict[str, Any] = tr.metrics
    test = m.get("test", {})
    if not test:
        return ""
    who = "Shipped model" if path is None else "Your model"
    threads = m.get("threads", 2)
    return (
        f"{who}: test BLEU-4 **{test.get('bleu', float('nan')):.1f}**, exact match "
        f"**{100 * test.get('exact_match', float('nan')):.1f}%** on {test.get('n', 0):,} "
        f"test sentences never seen in training; trained in "
        f"{m.get('train_seconds', 0) / 60:.1f} minutes on {threads} CPU "
        f"thread{'s' if threads != 1 else ''}."
    )


def about_model(tr: Translator, path: str | None) -> None:
    with st.expander("What the model can and cannot translate"):
        st.markdown(asset_section(MD, "Filter"))
        line = scores_line(tr, path)
        if line:
            st.markdown(line)

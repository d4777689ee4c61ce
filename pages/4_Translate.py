"""Homework question 4: French -> English with a GRU encoder-decoder and attention."""

import html

import numpy as np
import streamlit as st

from charts import translate as ch
from ui import translate_state as state
from ui.common import asset_section, page_header, share_hint

MD = "translate.md"

page_header("translate")
share_hint()
st.markdown(asset_section(MD, "Intro"))

path = None
mine = state.session_checkpoint()
if mine:
    if st.session_state.get("model_seen") != mine["path"]:  # a newly trained model: show it
        st.session_state["model_seen"] = mine["path"]
        st.session_state["model"] = "mine"
    choice = st.radio(
        "Model",
        ["shipped", "mine"],
        horizontal=True,
        key="model",
        format_func=lambda m: (
            "the shipped model"
            if m == "shipped"
            else str(mine.get("label") or "the model you trained")
        ),
        help="Your model lives only in this browser session; a copied link opens the shipped one.",
    )
    path = mine["path"] if choice == "mine" else None
else:
    st.caption("Model: the shipped checkpoint.")
    st.page_link(
        "pages/5_Train.py",
        icon=":material/model_training:",
        label="Train your own model: it can be used here for this session",
    )

try:
    tr = state.translator(path)
except ValueError as exc:
    st.error(f"The translation model could not be loaded: {exc}")
    if path is None:
        st.stop()
    st.info("Falling back to the shipped model.")
    path = None
    tr = state.translator()

examples, no_examples = state.test_examples(path)


def use_example() -> None:
    choice = st.session_state.get("example")
    for fr, _en in examples:
        if fr == choice:
            st.session_state["fr"] = fr
            st.session_state["w"] = 1


def inspect_clicked_row() -> None:
    """Clicking a cell of the attention map selects that row's output word."""
    event = st.session_state.get("attn_map") or {}
    points = event.get("selection", {}).get("points", [])
    head = str(points[0].get("y", "")).split(".")[0] if points else ""
    if head.isdigit():
        st.session_state["w"] = int(head)


left, right = st.columns([3, 2])
with left:
    text = st.text_input(
        "French sentence",
        "je suis tres fatigue .",
        key="fr",
        bind="query-params",
        max_chars=state.MAX_TEXT,
        help="Capitals, accents and apostrophes are fine: the text is normalised "
        "as in training (lower case, accents removed, . ! ? split off).",
    )
with right:
    if examples:
        st.selectbox(
            "…or a sentence from the test split (never trained on)",
            [fr for fr, _ in examples],
            index=None,
            placeholder="Choose an example…",
            key="example",
            on_change=use_example,
        )
    else:
        st.caption(no_examples)

c1, c2 = st.columns([1, 2])
method = c1.radio(
    "Decoding", ["greedy", "beam search"], key="dec", bind="query-params", horizontal=True
)
beam = 1
if method == "beam search":
    beam = c2.slider("Beam width", 2, 10, 5, key="beam", bind="query-params")

out = state.translate(text, beam, path)
reference = next((en for fr, en in examples if fr == text.strip()), None)

# unknown words get their own box below, with the closest known words
notes = [m for m in out.message.split("; ") if m and "unknown word(s) read as" not in m]
if notes:
    kind = st.error if not out.words else st.warning
    kind(f"Note on the input: {'; '.join(notes).rstrip('.')}.")
if out.unknown:
    rows = [
        f"**{html.escape(w)}** → " + (", ".join(out.suggestions.get(w, [])) or "no close word")
        for w in out.unknown
    ]
    st.warning(
        "Words the model never saw in training (read as an unknown-word token). "
        "Closest known words: " + "; ".join(rows)
    )

if out.words:
    st.markdown("#### " + html.escape(" ".join(out.words)))
    how = "greedy decoding" if beam == 1 else f"beam search, width {beam}"
    st.caption(
        f"{how} · {len(out.words)} words · {out.seconds * 1000:.1f} ms"
        + (f" · reference translation: *{html.escape(reference)}*" if reference else "")
    )

    n = len(out.words)
    if st.session_state.get("w", 1) > n:
        st.session_state["w"] = 1
    sel = st.segmented_control(
        "Output word to inspect",
        list(range(1, n + 1)),
        format_func=lambda i: f"{i}. {out.words[i - 1]}",
        key="w",
        bind="query-params",
        default=1,
    )
    sel = int(sel or 1)
    st.plotly_chart(
        ch.attention_map(out.source, out.words, out.attention, sel - 1),
        width="stretch",
        key="attn_map",
        on_select=inspect_clicked_row,
        selection_mode="points",
    )

    step = out.steps[sel - 1]
    a, b = st.columns(2)
    a.plotly_chart(
        ch.step_weights(out.source, np.asarray(out.attention[sel - 1]), sel, step.word),
        width="stretch",
        key="step_w",
    )
    b.plotly_chart(
        ch.next_word_choices(step.alternatives, step.word, sel), width="stretch", key="step_alt"
    )
    st.caption(
        f"At step {sel} the decoder chose “{step.word}” with probability {step.prob:.3f}. "
        + (
            "Greedy decoding always takes the most probable word."
            if beam == 1
            else "Beam search keeps the best partial sentences, so the chosen word is not "
            "always the most probable one at its own step."
        )
    )
    if st.toggle("Show the attention weights as a table", key="table", bind="query-params"):
        st.dataframe(
            {
                "output": out.words,
                **{
                    f"{j + 1}. {w}": np.round(out.attention[:, j], 4)
                    for j, w in enumerate(out.source)
                },
            },
            hide_index=True,
        )
else:
    st.info(
        "No translation to show. Type a French sentence above, e.g. *je suis content .* "
        "or *elle est plus grande que moi .*"
    )

with st.expander("What the model can and cannot translate"):
    st.markdown(asset_section(MD, "Filter"))
    m = tr.metrics
    test = m.get("test", {})
    if test:
        who = "Shipped model" if path is None else "Your model"
        threads = m.get("threads", 2)
        st.markdown(
            f"{who}: test BLEU-4 **{test.get('bleu', float('nan')):.1f}**, exact match "
            f"**{100 * test.get('exact_match', float('nan')):.1f}%** on {test.get('n', 0):,} "
            f"test sentences never seen in training; trained in "
            f"{m.get('train_seconds', 0) / 60:.1f} minutes on {threads} CPU "
            f"thread{'s' if threads != 1 else ''}."
        )

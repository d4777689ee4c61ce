"""The Translate page's state: its URL-bound controls, cached translators and translations,
and example sentences of the checkpoint's test split.

The translators run in numpy (``core.seq2seq.np_model``, ``core.transformer.np_model``, weights
read by ``core.checkpoint_np``): the web server never imports torch, which only training needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from core.seq2seq.config import MAX_BEAM
from core.seq2seq.data import CORPUS_DIGEST, split_pairs
from core.seq2seq.translation import Translation
from ui.controls import Control

if TYPE_CHECKING:
    from core.seq2seq.translator import Translator

MAX_TEXT = 500  # characters accepted from the text box (the model reads at most 10 words)
SESSION_KEY = "seq2seq_checkpoint"  # set by the Train page: {"path": ..., "label": ...}
UPLOAD_PARAM = "upload"  # ?upload=<id>: a checkpoint zip uploaded on this server
UPLOAD_KEY = "uploaded_checkpoint"  # this session's upload: {"id": ..., "kind": ..., "name": ...}
GREEDY, BEAM_SEARCH = "greedy", "beam search"
DEFAULT_TEXT = "je suis tres fatigue ."
N_EXAMPLES = 40


class WordChoice(Control):
    """A choice among the output words: its options change with the sentence, so a link's value
    is checked only on the run that creates the widget.  After that the value in the address
    bar is the widget's own, and a new sentence must not turn it into a "bad link"."""

    def check_link(self) -> None:
        if self.key not in st.session_state:
            super().check_link()


# ---------------------------------------------------------------- URL-bound controls
FR = Control(
    "fr",
    "French sentence",
    "text",
    default=DEFAULT_TEXT,
    max_chars=MAX_TEXT,
    help="Capitals, accents and apostrophes are fine: the text is normalised as in training "
    "(lower case, accents removed, . ! ? split off).",
)
DEC = Control(
    "dec",
    "Decoding",
    "radio",
    default=GREEDY,
    options=(GREEDY, BEAM_SEARCH),
    kwargs={"horizontal": True},
)
BEAM = Control("beam", "Beam width", "slider", default=5, lo=2, hi=MAX_BEAM, integer=True)
TABLE = Control("table", "Show the attention weights as a table", "toggle", default=False)
GRU, TRANSFORMER, BOTH = "GRU", "transformer", "both"  # as in the URL: ?model=both
MODEL_LABELS = {GRU: "GRU + attention", TRANSFORMER: "Transformer"}
MODEL = Control(
    "model",
    "Model",
    "segmented",
    default=GRU,
    options=(GRU, TRANSFORMER, BOTH),
    help="The shipped GRU encoder-decoder with attention, the shipped transformer, or both on "
    "the same sentence.",
)
CONTROLS: tuple[Control, ...] = (MODEL, FR, DEC, BEAM, TABLE)  # checked at every run


def word_choice(words: list[str]) -> WordChoice:
    """The output-word selector of a translation: options 1..n shown as '2. am' (the URL holds
    that label)."""

    def fmt(i: int) -> str:
        return f"{i}. {words[i - 1]}"

    return WordChoice(
        "w",
        "Output word to inspect",
        "segmented",
        default=1,
        options=tuple(range(1, len(words) + 1)),
        kwargs={"format_func": fmt},
    )


# ---------------------------------------------------------------- cached core calls
@st.cache_resource(show_spinner="Loading the translation model…", max_entries=8)
def translator(path: str | None = None, kind: str = GRU) -> Translator:
    """The checkpoint's Translator (the shipped one of ``kind`` for ``None``), loaded once per
    server process; ``ValueError`` for a missing or broken checkpoint."""
    from core.seq2seq.translator import load_translator

    return load_translator(path, kind=kind.lower())


def session_checkpoint() -> dict[str, Any] | None:
    """The checkpoint trained on the Train page that the link names (``?job=<ref>``) or this
    session chose, if it still exists: {"path", "label", "ref"}; {"gone": message} when the
    link names a model this server no longer has; None without one."""
    from ui.train_state import JOB_PARAM, queue

    ref = st.query_params.get(JOB_PARAM)
    if ref:
        s = queue().find(ref)
        if s is not None and s.checkpoint and Path(s.checkpoint).exists():
            return {"path": s.checkpoint, "label": f"the model of training job #{s.id}", "ref": ref}
        return {
            "gone": "The link names a model trained on this server that it no longer has (it "
            "keeps the newest few, and none after a restart): showing the shipped GRU."
        }
    ck = st.session_state.get(SESSION_KEY)
    if isinstance(ck, dict) and ck.get("path") and Path(ck["path"]).exists():
        return ck
    return None


def uploaded_checkpoint() -> dict[str, Any] | None:
    """The uploaded checkpoint the link names (``?upload=<id>``) or this session uploaded, if
    the server still has it: {"path", "kind" (GRU or TRANSFORMER), "id", "label"};
    {"gone": message} when the link names one the server no longer has; None without one."""
    from core.checkpoint_files import find_upload

    ref = st.query_params.get(UPLOAD_PARAM)
    mine = st.session_state.get(UPLOAD_KEY)
    if not ref and isinstance(mine, dict):
        ref = mine.get("id")
    if not ref:
        return None
    up = find_upload(str(ref))
    if up is None:
        return {
            "gone": "The link names an uploaded checkpoint this server no longer has (it keeps "
            "the newest few uploads, and none after a restart): upload the zip again."
        }
    name = mine.get("name") if isinstance(mine, dict) and mine.get("id") == up.id else None
    return {
        "path": str(up.path),
        "kind": GRU if up.kind == "gru" else TRANSFORMER,
        "id": up.id,
        "label": f"the uploaded checkpoint {name or up.id}",
    }


def accept_upload(data: bytes) -> tuple[str, str]:
    """Check and unpack an uploaded checkpoint zip, then load it once (tensors with
    ``weights_only=True``, names, shapes and finite values checked): (id, kind as GRU or
    TRANSFORMER).  ``ValueError`` saying what is wrong; a zip whose model does not load is
    removed again."""
    import shutil

    from core.checkpoint_files import unpack_checkpoint_zip

    up = unpack_checkpoint_zip(data)
    kind = GRU if up.kind == "gru" else TRANSFORMER
    try:
        translator(str(up.path), kind)
    except ValueError as exc:
        shutil.rmtree(up.path, ignore_errors=True)
        msg = str(exc).replace(str(up.path) + "/", "").replace(str(up.path), "the zip")
        raise ValueError(f"The zip's model does not load: {msg}") from None
    return up.id, kind


def translate(text: str, beam: int, path: str | None = None, kind: str = GRU) -> Translation:
    """Translate (memoised per text, beam, checkpoint and kind inside the server process)."""
    return _translate(text, int(beam), path, kind)


@st.cache_data(show_spinner=False, max_entries=512)
def _translate(text: str, beam: int, path: str | None, kind: str = GRU) -> Translation:
    return translator(path, kind).translate(text, beam=beam)


@st.cache_data(show_spinner=False, max_entries=8)
def test_examples(
    path: str | None = None, n: int = N_EXAMPLES, kind: str = GRU
) -> tuple[list[tuple[str, str]], str]:
    """Up to ``n`` (French, reference English) pairs of the checkpoint's *test* split.

    The pairs come from the shipped corpus (assets/data), re-split with the seed stored in the
    checkpoint.  Returns ([], reason) when the model was trained on another file (told apart by
    the digest of the file's bytes recorded in the checkpoint, not by its name).
    """
    data = translator(path, kind).meta.get("data", {})
    if data.get("sha256_16") != CORPUS_DIGEST:
        return [], (
            "This model was trained on an uploaded file, so there are no test sentences "
            "of the course's corpus to show; type your own."
        )
    # the same pairs and split the checkpoint was trained with (with or without the filter):
    # the corpus the Train page reads, read once per server (split_pairs de-duplicates anyway)
    from ui.train_state import shared_corpus  # here: ui.train_state imports this module

    corpus, problem = shared_corpus(bool(data.get("exercise_filter", True)))
    if corpus is None:
        return [], problem
    split = split_pairs(
        corpus.pairs, seed=int(data.get("split_seed", 0)), by=str(data.get("split_by", "pair"))
    )
    pairs = split.unseen_source("test")
    step = max(1, len(pairs) // n)
    return [(p.fr, p.en) for p in pairs[::step][:n]], ""

"""Cached access to the translators and to example sentences for the Translate page."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

MAX_TEXT = 500  # characters accepted from the text box (the model reads at most 10 words)
SESSION_KEY = "seq2seq_checkpoint"  # set by the Train page: {"path": ..., "label": ...}


@st.cache_resource(show_spinner="Loading the translation model…", max_entries=8)
def translator(path: str | None = None):
    """The checkpoint's Translator (the shipped one for ``None``), loaded once per server
    process; torch is imported here, not when the page module loads."""
    from core.seq2seq import load_translator

    return load_translator(path)


def session_checkpoint() -> dict | None:
    """The checkpoint this session trained on the Train page, if it still exists."""
    ck = st.session_state.get(SESSION_KEY)
    if isinstance(ck, dict) and ck.get("path") and Path(ck["path"]).exists():
        return ck
    return None


def translate(text: str, beam: int, path: str | None = None):
    """Translate (memoised per text, beam and checkpoint inside the server process)."""
    return _translate(text, int(beam), path)


@st.cache_data(show_spinner=False, max_entries=512)
def _translate(text: str, beam: int, path: str | None):
    return translator(path).translate(text, beam=beam)


@st.cache_data(show_spinner=False, max_entries=8)
def test_examples(path: str | None = None, n: int = 40) -> tuple[list[tuple[str, str]], str]:
    """Up to ``n`` (French, reference English) pairs of the checkpoint's *test* split.

    The corpus is not part of the repository: the pairs are read from ../shared/data at run
    time and re-split with the seed stored in the checkpoint.  Returns ([], reason) when the
    corpus is not there or the model was trained on another file.
    """
    from core.seq2seq import DEFAULT_DATA, ENG_PREFIXES, read_raw_pairs, split_pairs
    from core.seq2seq.data import prepare_pairs

    data_path = Path(DEFAULT_DATA)
    data = translator(path).meta.get("data", {})
    if data.get("file", data_path.name) != data_path.name:
        return [], (
            "This model was trained on an uploaded file, so there are no test sentences "
            "of the shared corpus to show; type your own."
        )
    if not data_path.exists():
        return [], (
            f"The corpus is not at {data_path} on this machine, so no test sentences "
            "can be shown; type your own."
        )
    # the same pairs and split the checkpoint was trained with (with or without the filter)
    prefixes = ENG_PREFIXES if data.get("exercise_filter", True) else None
    pairs = prepare_pairs(read_raw_pairs(data_path), prefixes=prefixes)
    split = split_pairs(
        pairs, seed=int(data.get("split_seed", 0)), by=str(data.get("split_by", "pair"))
    )
    pairs = split.unseen_source("test")
    step = max(1, len(pairs) // n)
    return [(p.fr, p.en) for p in pairs[::step][:n]], ""

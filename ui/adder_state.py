"""Cached calls into ``core.binary_adder`` and the URL-bound control state of the adder page."""

from __future__ import annotations

import threading

import numpy as np
import streamlit as st

from core import binary_adder as ba
from core.parsing import format_matrix, parse_matrix, parse_scalar

WEIGHT_KEYS = ("U", "W", "V", "b_h", "b_y")
MAX_INPUT_BITS = 16


def weights_to_text(w: ba.AdderWeights) -> dict[str, str]:
    return {
        "U": format_matrix(w.U),
        "W": format_matrix(w.W),
        "V": format_matrix(w.V[None, :]),
        "b_h": format_matrix(w.b_h[None, :]),
        "b_y": ba.format_number(w.b_y),
    }


DEFAULT_WEIGHT_TEXT = weights_to_text(ba.SEED_WEIGHTS)


def parse_weights(texts: dict[str, str]) -> tuple[ba.AdderWeights | None, list[str]]:
    """Weights from the five text fields, or None and the list of problems."""
    errors: list[str] = []
    parsed: dict[str, np.ndarray | float] = {}
    for key in ("U", "W", "V", "b_h"):
        try:
            parsed[key] = parse_matrix(texts[key], key)
        except ValueError as exc:
            errors.append(str(exc))
    try:
        parsed["b_y"] = parse_scalar(texts["b_y"], "b_y")
    except ValueError as exc:
        errors.append(str(exc))
    if errors:
        return None, errors
    U = parsed["U"]
    if U.shape[1] != 2:
        return None, [f"U must have 2 columns (one per input bit), got {U.shape[1]}."]
    H = U.shape[0]
    if not 1 <= H <= ba.MAX_HIDDEN:
        return None, [f"U must have 1 to {ba.MAX_HIDDEN} rows (hidden units), got {H}."]
    problems = []
    if parsed["W"].shape != (H, H):
        problems.append(
            f"W must be {H} x {H} because U has {H} rows, got "
            f"{parsed['W'].shape[0]} x {parsed['W'].shape[1]}."
        )
    for key in ("V", "b_h"):
        if parsed[key].size != H:
            problems.append(
                f"{key} must have {H} entries because U has {H} rows, got {parsed[key].size}."
            )
    if problems:
        return None, problems
    try:
        return ba.AdderWeights(
            U=U, W=parsed["W"], V=parsed["V"].ravel(), b_h=parsed["b_h"].ravel(), b_y=parsed["b_y"]
        ), []
    except ValueError as exc:
        return None, [str(exc)]


def load_weights_into_editor(w: ba.AdderWeights) -> None:
    """Callback helper: put a design into the weight fields (and so into the URL)."""
    for key, text in weights_to_text(w).items():
        st.session_state[key] = text


def load_pair(a: int, b: int, step: int | None = None) -> None:
    """Callback helper: show (a, b) in the step-through view."""
    fmt = st.session_state.get("fmt", "binary")
    st.session_state["a"] = format(a, "b") if fmt == "binary" else str(a)
    st.session_state["b"] = format(b, "b") if fmt == "binary" else str(b)
    st.session_state["bits"] = "auto"
    st.session_state["t"] = step or 1
    st.session_state["view"] = "Step through"


def _w(wk: tuple) -> ba.AdderWeights:
    U, W, V, b_h, b_y = wk
    return ba.AdderWeights(U=U, W=W, V=V, b_h=b_h, b_y=b_y)


def wkey(w: ba.AdderWeights) -> tuple:
    return (w.U, w.W, w.V, w.b_h, w.b_y)


@st.cache_data(show_spinner=False, max_entries=256)
def run(x: np.ndarray, wk: tuple) -> ba.AdderTrace:
    return ba.run_adder(x, _w(wk))


@st.cache_data(show_spinner=False, max_entries=64)
def verify(wk: tuple, n_bits: int) -> ba.VerifyReport:
    return ba.verify_adder(_w(wk), n_bits)


@st.cache_data(show_spinner=False, max_entries=64)
def grid(wk: tuple, n_bits: int) -> np.ndarray:
    return ba.wrong_pairs_grid(_w(wk), n_bits)


@st.cache_data(show_spinner=False, max_entries=256)
def prove(wk: tuple) -> ba.ProofReport:
    return ba.prove_adder(_w(wk))


@st.cache_data(show_spinner=False, max_entries=256)
def transitions(wk: tuple) -> tuple[np.ndarray, np.ndarray]:
    return ba.transition_table(_w(wk))


@st.cache_data(show_spinner=False, max_entries=32)
def search(params: ba.SearchParams) -> ba.SearchReport:
    return ba.search_designs(params)


_TRAIN_LOCK = threading.Lock()
_TRAINED: dict = {}


def train(cfg, progress=None):
    """Train (or fetch) the learned adder for ``cfg``; one training at a time per server."""
    from core.learned_adder import train_adder

    with _TRAIN_LOCK:
        if cfg not in _TRAINED:
            if len(_TRAINED) >= 16:
                _TRAINED.pop(next(iter(_TRAINED)))
            _TRAINED[cfg] = train_adder(cfg, progress=progress)
        return _TRAINED[cfg]

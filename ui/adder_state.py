"""The adder page's state: its URL-bound controls, cached calls into ``core.adder``, and the
callbacks that write widget values (presets, counterexamples, found designs)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st
from streamlit.runtime.state.session_state_proxy import get_session_state

from core.adder.automaton import ProofReport, prove_adder, state_path, transition_table
from core.adder.encoding import format_operand, retype_number
from core.adder.network import AdderTrace, run_adder
from core.adder.search import SearchParams, SearchReport, search_designs
from core.adder.verify import MAX_VERIFY_BITS, VerifyReport, verify_adder, wrong_pairs_grid
from core.adder.weights import (
    PRESETS,
    SEED_WEIGHTS,
    WEIGHT_NAMES,
    AdderWeights,
    weights_to_text,
)
from ui.controls import Control

if TYPE_CHECKING:  # the learned adder's module is imported when its tab first opens
    from core.learned_adder import ColumnTable, LearnConfig, LearnedAdder

MAX_INPUT_BITS = 16  # operands 0 .. 65535
MAX_STEPS = MAX_INPUT_BITS + 1  # T = n + 1
MAX_OPERAND_CHARS = 64  # a 16-bit number with a 0b prefix and underscores fits easily
MAX_WEIGHT_CHARS = 2_000  # an 8 x 8 W of learned weights fits easily
DEFAULT_WEIGHT_TEXT = weights_to_text(SEED_WEIGHTS)
VIEWS = ("Step through", "Automaton", "Verify & prove", "Search designs", "Learned adder")

# ---------------------------------------------------------------- URL-bound controls
VIEW = Control("view", "View", "tabs", options=VIEWS)
_WEIGHT_LABELS = {
    "U": "U (H × 2, input → hidden)",
    "W": "W (H × H, hidden → hidden)",
    "V": "V (1 × H, hidden → output)",
    "b_h": "b_h (H entries)",
    "b_y": "b_y (one number)",
}
WEIGHTS = {  # one text field per weight of (2), in the order U, W, V, b_h, b_y
    k: Control(
        k,
        _WEIGHT_LABELS[k],
        "text",
        default=DEFAULT_WEIGHT_TEXT[k],
        max_chars=MAX_WEIGHT_CHARS,
        name=k,
    )
    for k in WEIGHT_NAMES
}
A = Control("a", "First number a", "text", default="110111", max_chars=MAX_OPERAND_CHARS, name="a")
B = Control("b", "Second number b", "text", default="10010", max_chars=MAX_OPERAND_CHARS, name="b")
FMT = Control(
    "fmt",
    "Typed as",
    "radio",
    default="binary",
    options=("binary", "decimal"),
    help="Binary also accepts a 0b prefix; decimal accepts 0b too.",
    kwargs={"horizontal": True},
)
BITS = Control(
    "bits",
    "Bit width n",
    "select",
    default="auto",
    options=("auto", *map(str, range(1, MAX_INPUT_BITS + 1))),
    help="The numbers' width; the input has T = n + 1 columns (one zero pad).",
)
STEP = Control("t", "Step t", "slider", default=1, lo=1, hi=MAX_STEPS, integer=True)  # hi: T
TABLE = Control("table", "Show every step as a table", "toggle", default=False)
SPEEDS = {"slow": 2.0, "normal": 0.9, "fast": 0.4}  # seconds per step while playing
SPEED = Control(
    "speed", "Play speed", "segmented", default="normal", options=tuple(SPEEDS), name="speed",
    help="How fast Play steps through the addition (also Space on the keyboard).",
)  # fmt: skip
VERIFY_BITS = Control(
    "n",
    "Exhaustive check: every pair of n-bit numbers, n =",
    "slider",
    default=8,
    lo=1,
    hi=MAX_VERIFY_BITS,
    integer=True,
    name="n (width of the exhaustive check)",
)
SEARCH_H = Control("sH", "Hidden units H", "select", default=3, options=(1, 2, 3, 4))
SEARCH_R = Control(
    "sr", "Weights in [-r, r], r =", "select", default=1, options=(1, 2, 3), name="r (weights)"
)
SEARCH_RB = Control(
    "sb",
    "Biases in [-r_b, r_b], r_b =",
    "select",
    default=2,
    options=(1, 2, 3, 4),
    name="r_b (biases)",
)
SEARCH_SYM = Control("ssym", "Same weight on a and b", "checkbox", default=True)
SEARCH_SEED = Control(
    "sseed", "Seed (sampling only)", "number", default=0, lo=0, hi=10_000, integer=True
)
LEARN_H = Control("lH", "Hidden units", "select", default=3, options=tuple(range(1, 9)))
LEARN_BITS = Control(
    "lbits", "Training width (bits)", "select", default=8, options=tuple(range(2, 13))
)
LEARN_STEPS = Control(
    "lsteps", "Training steps", "select", default=1500, options=(250, 500, 1000, 1500, 3000)
)
LEARN_ANNEAL = Control("lanneal", "Sharpen sigmoids while training", "checkbox", default=True)
LEARN_SEED = Control("lseed", "Seed", "number", default=1, lo=0, hi=10_000, integer=True)

# Every URL-bound control of the page, checked at the top of every run (also those of the tabs
# that are not open), so that one message lists every link value the page cannot use.
CONTROLS: tuple[Control, ...] = (
    VIEW, *WEIGHTS.values(), A, B, FMT, BITS, STEP, SPEED, TABLE, VERIFY_BITS, SEARCH_H, SEARCH_R,
    SEARCH_RB, SEARCH_SYM, SEARCH_SEED, LEARN_H, LEARN_BITS, LEARN_STEPS, LEARN_ANNEAL, LEARN_SEED,
)  # fmt: skip


# ---------------------------------------------------------------- callbacks (widget values)
def load_weights_into_editor(w: AdderWeights) -> None:
    """Callback helper: put a design into the weight fields (and so into the URL)."""
    for key, text in weights_to_text(w).items():
        st.session_state[key] = text


def load_preset() -> None:
    """Callback of the preset box: load the chosen preset into the weight fields."""
    name = st.session_state.get("preset")
    if name in PRESETS:
        load_weights_into_editor(PRESETS[name])


def load_pair(a: int, b: int, step: int | None = None) -> None:
    """Callback helper: show (a, b) in the step-through view, at ``step``."""
    fmt = st.session_state.get(FMT.key, FMT.default)
    st.session_state[A.key] = format_operand(a, fmt)
    st.session_state[B.key] = format_operand(b, fmt)
    st.session_state["bits"] = "auto"
    st.session_state["t"] = step or 1
    st.session_state["view"] = VIEWS[0]


def retype_numbers() -> None:
    """Callback of "Typed as": write a and b in the newly chosen notation, as the same numbers
    (110111 + 10010 in binary becomes 55 + 18 in decimal, and back).  A field that does not
    read as a number in the old notation keeps its text, and so its message.  The fields are
    URL-bound, so the address bar follows."""
    new = st.session_state.get(FMT.key, FMT.default)
    others = [o for o in FMT.options if o != new]
    if new not in FMT.options or len(others) != 1:
        return
    for ctl in (A, B):
        text = st.session_state.get(ctl.key)
        if isinstance(text, str):
            st.session_state[ctl.key] = retype_number(text, others[0], new, MAX_INPUT_BITS)


def follow_numbers(T: int) -> None:
    """Keep the step t within 1..T when the numbers changed.

    Once the slider has a value on this visit, the address bar's t is the slider's own mirror,
    not a link: when the numbers get shorter it may hold the old step for this run, which the
    link check of ``STEP.draw(hi=T)`` would report as a bad link value.  It is brought along
    instead.  (On the first draw a link's t is checked, and reported, as usual.)
    """
    t = st.session_state.get("t")
    if t is None:
        return
    if t > T:
        st.session_state["t"] = t = T
    with get_session_state().query_params() as qp:
        mirrored = qp.get_initial_value(STEP.key)
        if mirrored is not None and STEP.with_(hi=T).problem(mirrored) is not None:
            qp.set_corrected_value(STEP.key, t, "double_array_value")  # the slider's URL form
            qp.set_initial_query_params_from_current()


# ---------------------------------------------------------------- cached calls into core
def _w(wk: tuple) -> AdderWeights:
    U, W, V, b_h, b_y = wk
    return AdderWeights(U=U, W=W, V=V, b_h=b_h, b_y=b_y)


def wkey(w: AdderWeights) -> tuple:
    """The weights as a cache key: (U, W, V, b_h, b_y)."""
    return (w.U, w.W, w.V, w.b_h, w.b_y)


@st.cache_data(show_spinner=False, max_entries=256)
def run(x: np.ndarray, wk: tuple) -> AdderTrace:
    return run_adder(x, _w(wk))


@st.cache_data(show_spinner=False, max_entries=64)
def verify(wk: tuple, n_bits: int) -> VerifyReport:
    return verify_adder(_w(wk), n_bits)


@st.cache_data(show_spinner=False, max_entries=64)
def grid(wk: tuple, n_bits: int) -> np.ndarray:
    return wrong_pairs_grid(_w(wk), n_bits)


@st.cache_data(show_spinner=False, max_entries=256)
def prove(wk: tuple) -> ProofReport:
    return prove_adder(_w(wk))


@st.cache_data(show_spinner=False, max_entries=256)
def transitions(wk: tuple) -> tuple[np.ndarray, np.ndarray]:
    return transition_table(_w(wk))


@st.cache_data(show_spinner=False, max_entries=256)
def path(wk: tuple, x: np.ndarray) -> list[int]:
    return state_path(_w(wk), x)


@st.cache_data(show_spinner=False, max_entries=32)
def search(params: SearchParams) -> SearchReport:
    return search_designs(params)


_TRAIN_LOCK = threading.Lock()
_TRAINED: dict = {}


def train(
    cfg: LearnConfig, progress: Callable[[int, int, float], None] | None = None
) -> LearnedAdder:
    """Train (or fetch) the learned adder for ``cfg``; one training at a time per server."""
    from core.learned_adder import train_adder

    with _TRAIN_LOCK:
        if cfg not in _TRAINED:
            if len(_TRAINED) >= 16:
                _TRAINED.pop(next(iter(_TRAINED)))
            _TRAINED[cfg] = train_adder(cfg, progress=progress)
        return _TRAINED[cfg]


@st.cache_data(show_spinner=False, max_entries=64)
def column_table(cfg: LearnConfig) -> ColumnTable:
    """Which column cases (a_t, b_t, carry in) the network trained with ``cfg`` gets right."""
    from core.learned_adder import column_table as table

    return table(train(cfg))

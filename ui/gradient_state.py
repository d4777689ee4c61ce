"""The gradient-flow page's URL-bound controls and cached calls into ``core.gradient_views``.

Nothing here imports torch: the "T = 2 by hand" tab's autograd column comes from
``core.lstm_autograd``, a float64 reverse-mode autodiff engine written in plain Python
(``core.autodiff``).
"""

from __future__ import annotations

import streamlit as st

from core import gradient_views as gv
from ui.controls import Control

# ---------------------------------------------------------------- the tabs
VIEWS = ("T = 2 by hand", "Gradient flow", "Part (c)", "Gate explorer")
# The sheet's order, and the first tab opens (a link with another view's values opens that one:
# ui.controls.open_linked_view with VIEW_CONTROLS).
VIEW = Control("view", "View", "tabs", default=VIEWS[0], options=VIEWS, name="view")
TABLE = "Show the numbers as a table"

# ---------------------------------------------------------------- T = 2 by hand
T2_KEYS = {  # URL key -> field of core.gradient_views.T2Inputs
    "wix": "w_ix", "wih": "w_ih", "wfx": "w_fx", "wfh": "w_fh", "wox": "w_ox", "woh": "w_oh",
    "wgx": "w_gx", "wgh": "w_gh", "bi": "b_i", "bf": "b_f", "bo": "b_o", "bg": "b_g",
    "x1": "x1", "x2": "x2", "y": "y", "h0": "h0", "c0": "c0",
}  # fmt: skip
_T2_DEFAULT = gv.T2Inputs()
T2_NUMBERS = tuple(
    Control(
        key,
        gv.T2_SYMBOLS[field],
        "number",
        default=float(getattr(_T2_DEFAULT, field)),
        kwargs=dict(step=0.1, format="%g"),
    )
    for key, field in T2_KEYS.items()
)  # no range on the widgets: numbers beyond ±LIMIT get the page's own message
T2_TABLE = Control("t2tab", TABLE, "toggle", default=False)

# ---------------------------------------------------------------- gradient flow
REGIMES = {"as on the sheet": "sheet", "part (c): i, o ≈ 0": "small_io"}  # label -> core
RNN_KINDS: dict[str, gv.RNNKind] = {  # label -> core
    "vector RNN: spectral radius ρ": "vector",
    "scalar RNN: recurrent weight w_h": "scalar",
}
T = Control(
    "T", "Sequence length T (the loss is at step T)", "slider", default=200, lo=2, hi=400,
    integer=True, name="T",
)  # fmt: skip
REGIME = Control(
    "regime", "LSTM gates", "radio", default="as on the sheet", options=tuple(REGIMES),
    name="regime",
)  # fmt: skip
RNN = Control(
    "rnn", "Plain RNN", "radio", default="vector RNN: spectral radius ρ",
    options=tuple(RNN_KINDS), name="plain RNN",
)  # fmt: skip
H = Control(
    "H", "Hidden units H (vector RNN)", "select", default=32, options=(4, 8, 16, 32, 64), name="H"
)
SEED = Control(
    "seed", "Seed (vector RNN)", "number", default=0, lo=0, hi=9999, integer=True,
    name="seed",
    help="Seeds the random W_h (scaled to radius ρ), W_x, the inputs x and the target y.",
)  # fmt: skip
INPUT_SCALE = Control(
    "insc", "Input scale (RNN)", "select", default=0.1, options=(1.0, 0.1, 0.01),
    name="input scale",
    help="Size of the RNN's input weights. Small inputs keep the RNN near its linear regime, "
    "where gradients can explode.",
)  # fmt: skip
FLOOR = Control(
    "floor", "Colour floor (log10)", "select", default=-30, options=(-10, -20, -30, -50, -100),
    name="colour floor",
    help="Smaller values are drawn in the floor's colour; hover for exact values.",
)  # fmt: skip
FLOW_TABLE = Control("gftab", TABLE, "toggle", default=False)

# ---------------------------------------------------------------- part (c)
T_MAX = Control(
    "Tmax", "Longest sequence T_max", "select", default=5000,
    options=(100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000), name="T_max",
)  # fmt: skip  # drawn as a select_slider (ui.gradient_views.select_slider)
K = Control(
    "k", "Input and output gate bias: b_i = b_o = −k, k =", "slider", default=10.0, lo=0.0,
    hi=15.0, name="k", kwargs=dict(step=0.5),
)  # fmt: skip
PARTC_TABLE = Control("pctab", TABLE, "toggle", default=False)

# ---------------------------------------------------------------- gate explorer
CUSTOM = "custom"
SEQUENCE = Control(
    "seq", "Input sequence", "select", default=gv.PRESETS[0], options=(*gv.PRESETS, CUSTOM),
    name="input sequence",
)  # fmt: skip
GATE_T = Control(
    "gT", "Length T (presets)", "slider", default=60, lo=5, hi=400, integer=True, name="T"
)
GATE_SEED = Control(
    "gseed", "Seed (noise)", "number", default=0, lo=0, hi=9999, integer=True, name="seed"
)
XS = Control(
    "xs", "Your own sequence x(1), x(2), … (choose 'custom' above)", "text",
    default="0, 0, 1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0", name="sequence x",
    help=gv.SEQUENCE_RULE,
)  # fmt: skip
BIASES = tuple(
    Control(
        key,
        label,
        "slider",
        default=default,
        lo=-10.0,
        hi=10.0,
        name=f"b_{key[2]}",
        kwargs=dict(step=0.5),
    )
    for key, label, default in (
        ("gbi", "input gate bias b_i", 0.0),
        ("gbf", "forget gate bias b_f", 3.0),
        ("gbo", "output gate bias b_o", 0.0),
        ("gbg", "candidate bias b_g", 0.0),
    )
)
GATE_TABLE = Control("getab", TABLE, "toggle", default=False)

VIEW_CONTROLS = {  # each view's own controls
    VIEWS[0]: (*T2_NUMBERS, T2_TABLE),
    VIEWS[1]: (T, REGIME, RNN, H, SEED, INPUT_SCALE, FLOOR, FLOW_TABLE),
    VIEWS[2]: (T_MAX, K, PARTC_TABLE),
    VIEWS[3]: (SEQUENCE, GATE_T, GATE_SEED, XS, *BIASES, GATE_TABLE),
}
CONTROLS = (
    VIEW, *T2_NUMBERS, T2_TABLE, T, REGIME, RNN, H, SEED, INPUT_SCALE, FLOOR, FLOW_TABLE, T_MAX,
    K, PARTC_TABLE, SEQUENCE, GATE_T, GATE_SEED, XS, *BIASES, GATE_TABLE,
)  # fmt: skip  # every URL-bound control of the page

# ---------------------------------------------------------------- cached calls
t2_backprop = st.cache_data(show_spinner=False, max_entries=64)(gv.t2_backprop)
t2_autograd = st.cache_data(show_spinner=False, max_entries=64)(gv.t2_autograd)
lstm_maps = st.cache_data(show_spinner=False, max_entries=8)(gv.lstm_maps)  # up to 1.3 MB each


@st.cache_data(show_spinner=False, max_entries=32)
def flow_figures(T: int) -> gv.FlowFigures:
    """The Gradient flow text's numbers, from the maps "as on the sheet" at length T."""
    return gv.flow_figures(gv.lstm_maps(T, "sheet"))


rnn_map = st.cache_data(show_spinner=False, max_entries=32)(gv.rnn_map)
part_c = st.cache_data(show_spinner=False, max_entries=32)(gv.part_c)
gate_trace = st.cache_data(show_spinner=False, max_entries=64)(gv.gate_trace)

"""Cached calls into ``core.lstm``, ``core.rnn_gradients`` and ``core.lstm_partc`` for the
gradient-flow page, its control defaults, the sequence presets and the input checks.

Nothing here imports torch at import time: ``t2_autograd`` imports ``core.lstm_autograd`` (and
with it torch) only when the "T = 2 by hand" tab asks for it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import streamlit as st

from core import lstm
from core import rnn_gradients as rg
from core.lstm_partc import wix_bound_curve
from core.parsing import parse_scalar

# ---------------------------------------------------------------- control ranges and defaults
T_MIN, T_MAX, T_DEFAULT = 2, 400, 200
N_LEVELS = 200  # forget levels of the heatmap (the 200 x 200 grid of the issue)
F_LO, F_HI = 0.5, 0.9999
F_TICKS = (0.5, 0.9, 0.99, 0.999, 0.9999)
REGIMES = {"as on the sheet": "sheet", "part (c): i, o ≈ 0": "small_io"}
RNN_KINDS = ("vector RNN: spectral radius ρ", "scalar RNN: recurrent weight w_h")
INPUT_SCALES = (1.0, 0.1, 0.01)
N_RNN = 200  # scalar RNN rows (w_h from 0 to 2)
N_RHO = 100  # vector RNN rows (ρ from 0 to 2)
H_CHOICES = (4, 8, 16, 32, 64)
FLOORS = (-10, -20, -30, -50, -100)
TMAX_CHOICES = (100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000)
PARTC_BF = (0.0, 2.5, 5.0, 10.0)
K_MAX = 15.0
GATE_T_MIN, GATE_T_MAX = 5, 400
BIAS_RANGE = 10.0
PRESETS = ("pulse to remember", "noise", "step", "custom")
SEQ_MAX_LEN = 400
SIGNALS = ("h_bar", "c_bar", "o_bar", "g_bar", "i_bar", "f_bar")  # (28)-(39)
LIMIT = 100.0  # |number| accepted in the T = 2 tab and in typed sequences

T2_FIELDS = (
    # key, symbol, LSTMParams name or None
    ("wix", "w_ix", "w_ix"),
    ("wih", "w_ih", "w_ih"),
    ("wfx", "w_fx", "w_fx"),
    ("wfh", "w_fh", "w_fh"),
    ("wox", "w_ox", "w_ox"),
    ("woh", "w_oh", "w_oh"),
    ("wgx", "w_gx", "w_gx"),
    ("wgh", "w_gh", "w_gh"),
    ("bi", "b_i", "b_i"),
    ("bf", "b_f", "b_f"),
    ("bo", "b_o", "b_o"),
    ("bg", "b_g", "b_g"),
    ("x1", "x(1)", None),
    ("x2", "x(2)", None),
    ("y", "y", None),
    ("h0", "h(0)", None),
    ("c0", "c(0)", None),
)
T2_DEFAULTS = {
    **{key: float(getattr(lstm.EXAMPLE_PARAMS, name)) for key, _, name in T2_FIELDS if name},
    "x1": 1.0,
    "x2": 0.5,
    "y": 1.0,
    "h0": 0.0,
    "c0": 0.0,
}


def forget_levels(n: int = N_LEVELS) -> np.ndarray:
    """n forget levels from 0.5 to 0.9999, uniform in log(1 - f)."""
    return 1.0 - np.logspace(math.log10(1 - F_LO), math.log10(1 - F_HI), n)


# ---------------------------------------------------------------- checks of typed / linked input
def t2_problems(values: dict[str, float]) -> list[str]:
    """Messages for numbers of the T = 2 tab outside [-LIMIT, LIMIT]."""
    out = []
    for key, symbol, _ in T2_FIELDS:
        v = values[key]
        if not math.isfinite(v) or abs(v) > LIMIT:
            out.append(
                f"**{symbol} = {v:g}** is outside the range this page accepts, "
                f"[-{LIMIT:g}, {LIMIT:g}]. Beyond about ±40 every gate is fully saturated "
                f"(σ = 0 or 1 to 17 digits), so larger numbers show nothing new. Enter a "
                f"number between -{LIMIT:g} and {LIMIT:g}."
            )
    return out


def t2_params(values: dict[str, float]) -> lstm.LSTMParams:
    return lstm.LSTMParams(**{name: values[key] for key, _, name in T2_FIELDS if name})


def t2_comparison(gr: lstm.LSTMGrads, ag) -> dict[str, list]:
    """Hand BPTT against autograd for the 26 derivatives of the T = 2 tab: the 12 signals of
    (28)-(39) (first), the 12 weight and bias gradients, dL/dh(0) and dL/dc(0)."""
    names, hand, auto = [], [], []
    for field, sym in zip(SIGNALS, ("h̄", "c̄", "ō", "ḡ", "ī", "f̄"), strict=True):
        for t in (1, 2):
            names.append(f"{sym}({t})")
            hand.append(float(getattr(gr, field)[t - 1]))
            auto.append(float(getattr(ag, field)[t - 1]))
    for field, label in [(n, n) for n in lstm.PARAM_NAMES] + [
        ("h0_bar", "h(0)"),
        ("c0_bar", "c(0)"),
    ]:
        names.append(f"∂L/∂{label}")
        hand.append(float(getattr(gr, field)))
        auto.append(float(getattr(ag, field)))
    diff = [abs(a - b) for a, b in zip(hand, auto, strict=True)]
    return {"derivative": names, "hand BPTT": hand, "autograd": auto, "|difference|": diff}


SEQUENCE_HELP = (
    "numbers separated by commas or spaces, e.g. `0, 1, 0, 0, -0.5`; decimals, fractions "
    f"such as 1/2 and 1e-3 are accepted, at most {SEQ_MAX_LEN} numbers between -{LIMIT:g} "
    f"and {LIMIT:g}"
)


def parse_sequence(text: str) -> tuple[np.ndarray | None, str | None]:
    """A typed input sequence x(1..T), or None and a message that says what is accepted."""
    tokens = (text or "").replace(",", " ").replace(";", " ").split()
    if not tokens:
        return None, f"The sequence is empty. Enter {SEQUENCE_HELP}."
    values = []
    for n, tok in enumerate(tokens, start=1):
        try:
            v = parse_scalar(tok, "x")
        except ValueError as exc:
            why = "is not a finite number" if "finite" in str(exc) else "is not a number"
            if "non-ASCII" in str(exc):
                why = "contains characters other than plain digits"
            return None, f"Entry {n}, '{tok[:20]}', {why}. Enter {SEQUENCE_HELP}."
        if abs(v) > LIMIT:
            return None, f"Entry {n}, {v:g}, is too large. Enter {SEQUENCE_HELP}."
        values.append(v)
    if len(values) > SEQ_MAX_LEN:
        return None, f"The sequence has {len(values)} numbers. Enter {SEQUENCE_HELP}."
    return np.array(values), None


@dataclass(frozen=True)
class _Rule:
    kind: str  # "int", "float", "choice", "number"
    lo: float = 0.0
    hi: float = 0.0
    options: tuple = ()

    def accepts(self, raw: str) -> bool:
        if self.kind == "choice":
            return raw in {str(o) for o in self.options}
        try:
            v = float(raw)
        except ValueError:
            return False
        if not math.isfinite(v):
            return False
        if self.kind == "number":
            return True
        if self.kind == "int" and v != int(v):
            return False
        return self.lo <= v <= self.hi

    def describe(self) -> str:
        if self.kind == "choice":
            return "one of " + ", ".join(f"'{o}'" for o in self.options)
        if self.kind == "number":
            return "a finite number"
        what = "a whole number" if self.kind == "int" else "a number"
        return f"{what} from {self.lo:g} to {self.hi:g}"


def url_rules(views) -> dict[str, tuple[str, _Rule]]:
    rules: dict[str, tuple[str, _Rule]] = {
        "view": ("the tab", _Rule("choice", options=tuple(views))),
        "T": ("T", _Rule("int", T_MIN, T_MAX)),
        "regime": ("the regime", _Rule("choice", options=tuple(REGIMES))),
        "rnn": ("the plain RNN", _Rule("choice", options=RNN_KINDS)),
        "H": ("H", _Rule("choice", options=H_CHOICES)),
        "seed": ("the seed", _Rule("int", 0, 9999)),
        "insc": ("the input scale", _Rule("choice", options=INPUT_SCALES)),
        "floor": ("the colour floor", _Rule("choice", options=FLOORS)),
        "Tmax": ("T_max", _Rule("choice", options=TMAX_CHOICES)),
        "k": ("k", _Rule("float", 0.0, K_MAX)),
        "seq": ("the sequence", _Rule("choice", options=PRESETS)),
        "gT": ("T", _Rule("int", GATE_T_MIN, GATE_T_MAX)),
        "gseed": ("the seed", _Rule("int", 0, 9999)),
    }
    for key in ("gbi", "gbf", "gbo", "gbg"):
        rules[key] = (f"b_{key[2]}", _Rule("float", -BIAS_RANGE, BIAS_RANGE))
    for key, symbol, _ in T2_FIELDS:
        rules[key] = (symbol, _Rule("number"))
    return rules


def url_problems(views) -> list[str]:
    """Messages for values in the address bar that a control cannot take.

    Streamlit drops such values silently (and keeps the control's own value); call this
    before the controls are drawn, while the values are still in ``st.query_params``.
    """
    out = []
    for key, (name, rule) in url_rules(views).items():
        raw = st.query_params.get(key)
        if raw is not None and not rule.accepts(raw):
            out.append(
                f"The link sets {name} to '{raw[:40]}', but {name} must be "
                f"{rule.describe()}; the control keeps its own value instead."
            )
    return out


# ---------------------------------------------------------------- gate explorer sequences
def preset_sequence(name: str, T: int, seed: int = 0) -> np.ndarray:
    """The explorer's input presets (T,): a pulse at t = 5, seeded noise, a step at T/3."""
    t = np.arange(1, T + 1)
    if name == "pulse to remember":
        return np.where(t == min(5, T), 1.0, 0.0)
    if name == "noise":
        return np.random.default_rng(seed).standard_normal(T)
    if name == "step":
        return np.where(t > T // 3, 1.0, 0.0)
    raise ValueError(f"unknown preset {name!r}")


# ---------------------------------------------------------------- cached computations
@dataclass(frozen=True)
class FlowMaps:
    """What the gradient-flow heatmaps need (small enough to cache cheaply)."""

    T: int
    f_levels: np.ndarray  # (N_LEVELS,)
    log_c: np.ndarray  # (N_LEVELS, T) log10|c̄(t)|
    log_h: np.ndarray  # (N_LEVELS, T) log10|h̄(t)|
    rnn_label: str
    rnn_values: np.ndarray  # (R,) w_h or ρ
    log_rnn: np.ndarray  # (R, T) log10|∂L/∂h(t)| or log10 ||∂L/∂h(t)||


@st.cache_data(show_spinner=False, max_entries=32)
def lstm_maps(T: int, regime: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sw = lstm.forget_sweep(forget_levels(), T, regime)
    return sw.f_levels, sw.log10_abs_c_bar, sw.log10_abs_h_bar


@st.cache_data(show_spinner=False, max_entries=32)
def rnn_map(
    T: int, kind: str, H: int, seed: int, input_scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """The plain RNN's map: scalar (input x = sin(0.7 t), w_x = input_scale) over w_h, or the
    vector RNN (Gaussian inputs, W_x scaled by input_scale) over the spectral radius ρ."""
    if kind == RNN_KINDS[1]:
        w = np.linspace(0.0, 2.0, N_RNN)
        return w, rg.rnn_wh_sweep(w, T, w_x=input_scale).log10_abs_h_bar
    rho = np.linspace(2.0 / N_RHO, 2.0, N_RHO)
    sweep = rg.rho_sweep(rho, T, H=H, seed=seed, input_scale=input_scale)
    return rho, sweep.log10_h_bar_norm


def flow(T: int, regime: str, kind: str, H: int, seed: int, input_scale: float) -> FlowMaps:
    f, log_c, log_h = lstm_maps(T, regime)
    values, log_rnn = rnn_map(T, kind, H, seed, input_scale)
    label = "w_h" if kind == RNN_KINDS[1] else "ρ"
    return FlowMaps(T, f, log_c, log_h, label, values, log_rnn)


@st.cache_data(show_spinner=False, max_entries=64)
def t2(values: tuple) -> tuple[lstm.LSTMTrace, lstm.LSTMGrads]:
    v = dict(values)
    p = t2_params(v)
    tr = lstm.lstm_forward(p, [v["x1"], v["x2"]], h0=v["h0"], c0=v["c0"])
    return tr, lstm.lstm_backward(p, tr, v["y"])


@st.cache_data(show_spinner=False, max_entries=64)
def t2_autograd(values: tuple):
    from core.lstm_autograd import lstm_autograd  # imports torch: only this tab needs it

    v = dict(values)
    return lstm_autograd(t2_params(v), [v["x1"], v["x2"]], v["y"], h0=v["h0"], c0=v["c0"])


@dataclass(frozen=True)
class PartC:
    b_f: np.ndarray
    f: np.ndarray
    k: float
    T: np.ndarray
    actual: np.ndarray
    approx43: np.ndarray
    bound: np.ndarray
    o_last: np.ndarray  # (B, T_max) o(T) for every length


@st.cache_data(show_spinner=False, max_entries=32)
def partc(T_max: int, k: float) -> PartC:
    cv = wix_bound_curve(np.array(PARTC_BF), T_max, k)
    return PartC(cv.b_f, cv.f, cv.k, cv.T, cv.actual, cv.approx43, cv.bound, cv.trace.o)


GATE_PARAMS = lstm.EXAMPLE_PARAMS


@st.cache_data(show_spinner=False, max_entries=64)
def gates(x: tuple, b_i: float, b_f: float, b_o: float, b_g: float) -> lstm.LSTMTrace:
    p = replace(GATE_PARAMS, b_i=b_i, b_f=b_f, b_o=b_o, b_g=b_g)
    return lstm.lstm_forward(p, np.array(x, dtype=np.float64))

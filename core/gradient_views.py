"""What the gradient-flow page shows, computed (homework question 2, review questions 1-2).

The page's views built on the concept modules, as typed, frozen results (numpy and plain
Python; no torch):

* **T = 2 by hand** -- ``T2Inputs`` (the numbers of the example), ``check_t2``,
  ``t2_backprop`` (forward pass (22), loss (23), error signals (28)-(40) by
  ``core.lstm``), ``t2_autograd`` (the same by reverse-mode autodiff, ``core.lstm_autograd``)
  and ``compare_t2`` (all 26 derivatives);
* **Gradient flow** -- ``lstm_maps``: log10|c̄(t)| and log10|h̄(t)| ((29), (35) and (28), (34)
  for every step) over ``forget_levels``; ``rnn_map``: the plain RNN's log10|∂L/∂h(t)|
  (``core.rnn_gradients``);
* **Part (c)** -- ``part_c``: the exact |w̄_ix| (40), the approximation (43) and the bound (44)
  over the sequence length (``core.lstm_partc``), and the values at its end;
* **Gate explorer** -- ``preset_sequence``, ``parse_sequence`` and ``gate_trace`` ((22) with
  the example weights and chosen biases).

Shapes: B forget levels (``N_LEVELS``), T steps, R plain-RNN settings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Literal

import numpy as np

from core import lstm
from core import rnn_gradients as rg
from core.checks import Problem
from core.lstm_partc import wix_bound_curve
from core.numerics import readonly
from core.parsing import parse_scalar

if TYPE_CHECKING:
    from core.lstm_autograd import AutogradLSTM

# ---------------------------------------------------------------- fixed choices of the views
N_LEVELS = 200  # forget levels of the LSTM maps (the 200 x 200 grid at T = 200)
F_LO, F_HI = 0.5, 0.9999  # their range
N_RNN = 200  # scalar RNN rows: w_h from 0 to 2
N_RHO = 100  # vector RNN rows: ρ from 0.02 to 2
PARTC_BF = (0.0, 2.5, 5.0, 10.0)  # forget biases of part (c)'s curves
LIMIT = 100.0  # |number| accepted in the T = 2 example and in typed sequences
SEQ_MAX_LEN = 400  # longest typed sequence
PRESETS = ("pulse to remember", "noise", "step")
GATE_PARAMS = lstm.EXAMPLE_PARAMS  # the gate explorer's weights (its biases are chosen)
SIGNALS = ("h_bar", "c_bar", "o_bar", "g_bar", "i_bar", "f_bar")  # (28)-(39), LSTMGrads fields
SIGNAL_SYMBOLS = ("h̄", "c̄", "ō", "ḡ", "ī", "f̄")
RNNKind = Literal["vector", "scalar"]


# ---------------------------------------------------------------- T = 2 by hand
_EXAMPLE = {name: float(v) for name, v in lstm.EXAMPLE_PARAMS.as_dict().items()}


@dataclass(frozen=True)
class T2Inputs:
    """The numbers of the T = 2 example: the 8 weights and 4 biases of (22) (default: the
    app's example setting, no biases), the inputs x(1), x(2), the target y of (23) and the
    initial state h(0), c(0)."""

    w_ix: float = _EXAMPLE["w_ix"]
    w_ih: float = _EXAMPLE["w_ih"]
    w_fx: float = _EXAMPLE["w_fx"]
    w_fh: float = _EXAMPLE["w_fh"]
    w_ox: float = _EXAMPLE["w_ox"]
    w_oh: float = _EXAMPLE["w_oh"]
    w_gx: float = _EXAMPLE["w_gx"]
    w_gh: float = _EXAMPLE["w_gh"]
    b_i: float = _EXAMPLE["b_i"]
    b_f: float = _EXAMPLE["b_f"]
    b_o: float = _EXAMPLE["b_o"]
    b_g: float = _EXAMPLE["b_g"]
    x1: float = 1.0
    x2: float = 0.5
    y: float = 1.0
    h0: float = 0.0
    c0: float = 0.0

    def params(self) -> lstm.LSTMParams:
        return lstm.LSTMParams(**{n: getattr(self, n) for n in lstm.PARAM_NAMES})

    @property
    def x(self) -> tuple[float, float]:
        """(x(1), x(2))"""
        return (self.x1, self.x2)


T2_SYMBOLS = {
    **{n: n for n in lstm.PARAM_NAMES},
    "x1": "x(1)",
    "x2": "x(2)",
    "y": "y",
    "h0": "h(0)",
    "c0": "c(0)",
}  # field of T2Inputs -> its symbol on the sheet


def check_t2(inputs: T2Inputs) -> tuple[Problem, ...]:
    """The numbers of ``inputs`` outside [-LIMIT, LIMIT] (or not finite), in field order."""
    out = []
    for f in fields(T2Inputs):
        v = getattr(inputs, f.name)
        if not math.isfinite(v) or abs(v) > LIMIT:
            out.append(
                Problem(
                    f.name,
                    f"{T2_SYMBOLS[f.name]} = {v:g}",
                    f"outside the range this page accepts, [-{LIMIT:g}, {LIMIT:g}]. Beyond "
                    "about ±40 every gate is fully saturated (σ = 0 or 1 to 17 digits), so "
                    f"larger numbers show nothing new. Enter a number between -{LIMIT:g} and "
                    f"{LIMIT:g}.",
                )
            )
    return tuple(out)


@dataclass(frozen=True, eq=False)
class T2Backprop:
    """The forward pass (22) of the two steps and the hand BPTT (28)-(40) of the loss (23)."""

    trace: lstm.LSTMTrace
    grads: lstm.LSTMGrads


def t2_backprop(inputs: T2Inputs) -> T2Backprop:
    p = inputs.params()
    tr = lstm.lstm_forward(p, list(inputs.x), h0=inputs.h0, c0=inputs.c0)
    return T2Backprop(tr, lstm.lstm_backward(p, tr, inputs.y))


def t2_autograd(inputs: T2Inputs) -> AutogradLSTM:
    """The same two steps differentiated by reverse-mode autodiff (``core.autodiff``)."""
    from core.lstm_autograd import lstm_autograd

    return lstm_autograd(inputs.params(), list(inputs.x), inputs.y, h0=inputs.h0, c0=inputs.c0)


def signal_at(source: lstm.LSTMGrads | AutogradLSTM, signal: str, t: int | None) -> float:
    """The error signal ``signal`` (a field such as ``"c_bar"`` or ``"w_ix"``) at step ``t``
    (None for a weight gradient) of the hand BPTT or of autograd; never ``-0.0``."""
    v = getattr(source, signal)
    return float(v if t is None else v[t - 1]) + 0.0


@dataclass(frozen=True, eq=False)
class T2Comparison:
    """Hand BPTT against autograd for the 26 derivatives of the T = 2 example.

    names, hand, autograd, difference -- (26,): first the 12 signals of (28)-(39) (``h̄(1)``,
    ``h̄(2)``, ``c̄(1)``, ...), then the 12 weight and bias gradients ((40) for w_ix), then
    dL/dh(0) and dL/dc(0);  worst -- the index of the largest |difference|.
    """

    names: tuple[str, ...]
    hand: np.ndarray
    autograd: np.ndarray
    difference: np.ndarray
    worst: int

    N_SIGNALS = 12  # the first N_SIGNALS entries are the per-step signals

    @property
    def worst_name(self) -> str:
        return self.names[self.worst]

    @property
    def worst_difference(self) -> float:
        return float(self.difference[self.worst])


def compare_t2(grads: lstm.LSTMGrads, ag: AutogradLSTM) -> T2Comparison:
    names, hand, auto = [], [], []
    for field, sym in zip(SIGNALS, SIGNAL_SYMBOLS, strict=True):
        for t in (1, 2):
            names.append(f"{sym}({t})")
            hand.append(signal_at(grads, field, t))
            auto.append(signal_at(ag, field, t))
    extra = [(n, n) for n in lstm.PARAM_NAMES] + [("h0_bar", "h(0)"), ("c0_bar", "c(0)")]
    for field, label in extra:
        names.append(f"∂L/∂{label}")
        hand.append(signal_at(grads, field, None))
        auto.append(signal_at(ag, field, None))
    hand_a, auto_a = np.array(hand), np.array(auto)
    diff = np.abs(hand_a - auto_a)
    return T2Comparison(
        names=tuple(names),
        hand=readonly(hand_a),
        autograd=readonly(auto_a),
        difference=readonly(diff),
        worst=int(np.argmax(diff)),
    )


# ---------------------------------------------------------------- gradient-flow heatmaps
def forget_levels(n: int = N_LEVELS) -> np.ndarray:
    """n forget levels from F_LO = 0.5 to F_HI = 0.9999, uniform in log(1 - f).  (n,)"""
    return 1.0 - np.logspace(math.log10(1 - F_LO), math.log10(1 - F_HI), n)


@dataclass(frozen=True, eq=False)
class LSTMMaps:
    """The LSTM half of the gradient-flow heatmaps (B = N_LEVELS forget levels, T steps).

    regime -- ``"sheet"`` or ``"small_io"`` (part (c): i, o ≈ 0);  f_levels (B,);
    log_c (B, T) -- exact log10|c̄(t)| ((29), (35));  log_h (B, T) -- log10|h̄(t)| ((28), (34)).
    """

    T: int
    regime: str
    f_levels: np.ndarray
    log_c: np.ndarray
    log_h: np.ndarray


@dataclass(frozen=True)
class FlowFigures:
    """The numbers the Gradient flow text quotes, read off one LSTM map.

    T -- steps;  half_factor -- |c̄(t)| / |c̄(t+1)| per step back at f = 0.5 (geometric mean
    over the T - 1 steps);  half_log_first -- log10 |c̄(1)| at f = 0.5;  high_f -- the lowest
    forget level counted as "close to 1";  high_lo, high_hi -- the smallest and largest
    log10 |c̄(t)| over every step of the levels f >= high_f;  top_f -- the map's highest
    forget level;  top_first, top_last -- log10 |c̄(1)| and log10 |c̄(T)| at top_f.
    """

    T: int
    half_factor: float
    half_log_first: float
    high_f: float
    high_lo: float
    high_hi: float
    top_f: float
    top_first: float
    top_last: float


def flow_figures(m: LSTMMaps, high_f: float = 0.9) -> FlowFigures:
    """The figures of ``m`` that the page's text quotes (see ``FlowFigures``)."""
    half = m.log_c[int(np.argmin(np.abs(m.f_levels - 0.5)))]  # (T,)
    steps = max(1, m.T - 1)
    high = m.log_c[m.f_levels >= high_f]  # (B_high, T)
    k = int(np.argmax(m.f_levels))
    return FlowFigures(
        T=m.T,
        half_factor=float(10 ** ((half[0] - half[-1]) / steps)),
        half_log_first=float(half[0]),
        high_f=float(high_f),
        high_lo=float(high.min()),
        high_hi=float(high.max()),
        top_f=float(m.f_levels[k]),
        top_first=float(m.log_c[k, 0]),
        top_last=float(m.log_c[k, -1]),
    )


def lstm_maps(T: int, regime: str) -> LSTMMaps:
    sw = lstm.forget_sweep(forget_levels(), T, regime)
    return LSTMMaps(int(T), regime, sw.f_levels, sw.log10_abs_c_bar, sw.log10_abs_h_bar)


@dataclass(frozen=True, eq=False)
class RNNMap:
    """The plain-RNN half of the heatmaps (R settings, T steps).

    kind -- ``"vector"``: values (R,) are spectral radii ρ of W_h and log_grad (R, T) is
    log10‖∂L/∂h(t)‖;  ``"scalar"``: values are recurrent weights w_h and log_grad is
    log10|∂L/∂h(t)|.
    """

    T: int
    kind: RNNKind
    values: np.ndarray
    log_grad: np.ndarray

    @property
    def symbol(self) -> str:
        """The name of the swept parameter: ``"ρ"`` or ``"w_h"``."""
        return "ρ" if self.kind == "vector" else "w_h"


def rnn_map(T: int, kind: RNNKind, H: int, seed: int, input_scale: float) -> RNNMap:
    """The scalar RNN (input x(t) = sin(0.7 t), input weight w_x = input_scale) over N_RNN
    values of w_h in [0, 2], or the vector RNN (H units, Gaussian inputs, W_x scaled by
    input_scale, drawn from ``seed``) over N_RHO spectral radii in (0, 2]."""
    if kind == "scalar":
        w = np.linspace(0.0, 2.0, N_RNN)
        return RNNMap(int(T), kind, w, rg.rnn_wh_sweep(w, T, w_x=input_scale).log10_abs_h_bar)
    if kind != "vector":
        raise ValueError(f"kind must be 'vector' or 'scalar', got {kind!r}.")
    rho = np.linspace(2.0 / N_RHO, 2.0, N_RHO)
    log_grad = rg.rho_sweep_map(rho, T, H=H, seed=seed, input_scale=input_scale)  # (R, T)
    return RNNMap(int(T), kind, rho, log_grad)


# ---------------------------------------------------------------- part (c)
@dataclass(frozen=True)
class PartCEnd:
    """Part (c) at its longest length T for its largest forget bias b_f (the page's metrics):
    |w̄_ix| (40), |approximation (43)|, bound (44) and the output gate o(T)."""

    T: int
    b_f: float
    actual: float
    approx43: float
    bound: float
    o: float

    @property
    def orders_bound(self) -> float:
        """log10(bound (44) / exact |w̄_ix|): how loose the bound is here."""
        return float(np.log10(self.bound / self.actual))

    @property
    def orders_approx(self) -> float:
        """log10(|approximation (43)| / exact |w̄_ix|)."""
        return float(np.log10(self.approx43 / self.actual))


@dataclass(frozen=True, eq=False)
class PartC:
    """Part (c) over the length (B = len(PARTC_BF) forget biases, lengths T = 1 .. T_max).

    b_f (B,), f (B,) = σ(b_f);  k -- b_i = b_o = -k;  T (T_max,);  actual (B, T_max) |w̄_ix|;
    approx43 (B, T_max);  bound (B, T_max) (44);  o_last (B, T_max) o(T);  end -- see PartCEnd.
    """

    b_f: np.ndarray
    f: np.ndarray
    k: float
    T: np.ndarray
    actual: np.ndarray
    approx43: np.ndarray
    bound: np.ndarray
    o_last: np.ndarray
    end: PartCEnd

    @property
    def orders_bound(self) -> np.ndarray:
        """(B,): how many orders of magnitude the bound (44) lies above the exact |w̄_ix| at
        the longest length, per forget bias."""
        return np.log10(self.bound[:, -1] / self.actual[:, -1])

    @property
    def orders_approx(self) -> np.ndarray:
        """(B,): the same for the approximation (43)."""
        return np.log10(self.approx43[:, -1] / self.actual[:, -1])

    @property
    def others_bound_range(self) -> tuple[float, float]:
        """(min, max) of ``orders_bound`` over the forget biases other than ``end.b_f``."""
        others = self.orders_bound[self.b_f != self.end.b_f]
        return float(others.min()), float(others.max())


def part_c(T_max: int, k: float) -> PartC:
    cv = wix_bound_curve(np.array(PARTC_BF), T_max, k)
    j, last = int(np.argmax(cv.b_f)), cv.T.size - 1
    end = PartCEnd(
        T=int(cv.T[last]),
        b_f=float(cv.b_f[j]),
        actual=float(cv.actual[j, last]),
        approx43=float(cv.approx43[j, last]),
        bound=float(cv.bound[j, last]),
        o=float(cv.trace.o[j, last]),
    )
    return PartC(cv.b_f, cv.f, cv.k, cv.T, cv.actual, cv.approx43, cv.bound, cv.trace.o, end)


# ---------------------------------------------------------------- gate explorer
def preset_sequence(name: str, T: int, seed: int = 0) -> np.ndarray:
    """The explorer's inputs x(1..T) (T,): a pulse at t = 5, seeded noise, a step after T/3."""
    t = np.arange(1, T + 1)
    if name == "pulse to remember":
        return np.where(t == min(5, T), 1.0, 0.0)
    if name == "noise":
        return np.random.default_rng(seed).standard_normal(T)
    if name == "step":
        return np.where(t > T // 3, 1.0, 0.0)
    raise ValueError(f"unknown preset {name!r}; choose one of {PRESETS}.")


SEQUENCE_RULE = (
    "numbers separated by commas or spaces, e.g. 0, 1, 0, 0, -0.5; decimals, fractions such "
    f"as 1/2 and 1e-3 are accepted, at most {SEQ_MAX_LEN} numbers between -{LIMIT:g} and "
    f"{LIMIT:g}"
)


def _why_not_a_number(tok: str) -> str:
    if not tok.isascii():
        return "contains characters other than plain digits"
    try:
        return "not a number" if math.isfinite(float(tok)) else "not a finite number"
    except ValueError:
        return "not a number"


def parse_sequence(text: str) -> tuple[np.ndarray | None, Problem | None]:
    """A typed input sequence x(1..T) (T,), or None and the problem with the text."""
    tokens = (text or "").replace(",", " ").replace(";", " ").split()
    advice = f"Enter {SEQUENCE_RULE}."
    if not tokens:
        return None, Problem("sequence", "The sequence is empty", advice)
    values = []
    for n, tok in enumerate(tokens, start=1):
        try:
            v = parse_scalar(tok, "x")
        except ValueError:
            why = _why_not_a_number(tok)
            return None, Problem("sequence", f"Entry {n}, '{tok[:20]}'", f"{why}. {advice}")
        if abs(v) > LIMIT:
            return None, Problem("sequence", f"Entry {n}, {v:g}", f"too large. {advice}")
        values.append(v)
    if len(values) > SEQ_MAX_LEN:
        return None, Problem("sequence", f"{len(values)} numbers", f"too many. {advice}")
    return readonly(values), None


def gate_trace(x: np.ndarray, b_i: float, b_f: float, b_o: float, b_g: float) -> lstm.LSTMTrace:
    """The forward pass (22) of the example weights with these biases on the inputs x (T,)."""
    p = replace(GATE_PARAMS, b_i=b_i, b_f=b_f, b_o=b_o, b_g=b_g)
    return lstm.lstm_forward(p, np.asarray(x, dtype=np.float64))

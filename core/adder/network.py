"""The hand-designed hard-threshold RNN that adds binary numbers, run step by step.

The network of equation (2) of the homework sheet::

    h(t) = hard(U x(t) + W h(t-1) + b_h)      h(0) = 0
    y(t) = hard(V h(t) + b_y)                  hard(z) = 1 iff z >= 0   (3)

Run on the sheet's example (5) with the weights (4), ``run_adder`` computes the worked steps
(7)-(20): h(t) at the odd equations (7), (9), ..., (19) and y(t) at the even ones (8), ...,
(20); (21) is ``AdderTrace.correct``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.adder.encoding import bits_to_int, check_x, column_carries, expected_output
from core.adder.weights import AdderWeights


def hard(z: np.ndarray) -> np.ndarray:
    """The hard threshold (3): 1 where z >= 0, else 0 (int64)."""
    return (np.asarray(z) >= 0).astype(np.int64)


@dataclass(frozen=True, eq=False)
class AdderTrace:
    """Everything one run of (2) computes.  Row t-1 holds step t."""

    x: np.ndarray  # (2, T) inputs
    h0: np.ndarray  # (H,) initial state
    pre_h: np.ndarray  # (T, H) U x(t) + W h(t-1) + b_h
    h: np.ndarray  # (T, H) hidden states
    pre_y: np.ndarray  # (T,) V h(t) + b_y
    y: np.ndarray  # (T,) outputs
    target: np.ndarray  # (T,) the correct output (bits of a + b)

    @property
    def T(self) -> int:
        return self.x.shape[1]

    @property
    def correct(self) -> bool:
        """(21): the outputs y(1..T) are the bits of a + b."""
        return bool(np.array_equal(self.y, self.target))

    @property
    def output_value(self) -> int:
        """The number the network wrote, y read as LSB-first bits."""
        return bits_to_int(self.y)


def run_adder(x: np.ndarray, w: AdderWeights, h0: np.ndarray | None = None) -> AdderTrace:
    """Run the network (2) on the input matrix ``x`` (2, T): the steps (7)-(20) of the sheet.

    ``h0`` (H,) is the initial state, h(0) = 0 by default (any value is rounded to bits).
    """
    x = check_x(x)
    T = x.shape[1]
    h_prev = np.zeros(w.H, dtype=np.int64) if h0 is None else hard(np.asarray(h0) - 0.5)
    h0_used = h_prev.copy()
    pre_h = np.zeros((T, w.H))  # (T, H)
    h = np.zeros((T, w.H), dtype=np.int64)  # (T, H)
    for t in range(T):
        # h(t) = hard(U x(t) + W h(t-1) + b_h): the sheet's (7), (9), (11), (13), (15), (17), (19)
        pre_h[t] = w.U @ x[:, t] + w.W @ h_prev + w.b_h
        h[t] = hard(pre_h[t])
        h_prev = h[t]
    # y(t) = hard(V h(t) + b_y) for every t at once: (8), (10), (12), (14), (16), (18), (20)
    pre_y = h @ w.V + w.b_y  # (T,)
    return AdderTrace(
        x=x, h0=h0_used, pre_h=pre_h, h=h, pre_y=pre_y, y=hard(pre_y), target=expected_output(x)
    )


@dataclass(frozen=True)
class StepFacts:
    """Step t of a run next to grade-school addition (all bits 0 or 1, ``total`` 0 to 3)."""

    t: int  # 1-based step
    a: int  # a_t, the input x(t) = (a_t, b_t)
    b: int
    carry_in: int  # carry into column t of the true addition
    total: int  # a_t + b_t + carry_in
    target: int  # the correct output bit, total mod 2
    y: int  # the network's output y(t)

    @property
    def ok(self) -> bool:
        return self.y == self.target


def step_facts(tr: AdderTrace, t: int) -> StepFacts:
    """What happens at step ``t`` (1..T) of the run ``tr``."""
    if not 1 <= t <= tr.T:
        raise ValueError(f"t must be between 1 and T = {tr.T}, got {t}.")
    i = t - 1
    a, b = int(tr.x[0, i]), int(tr.x[1, i])
    carry = int(column_carries(tr.x)[i])
    return StepFacts(t, a, b, carry, a + b + carry, int(tr.target[i]), int(tr.y[i]))


def trace_table(tr: AdderTrace) -> dict[str, np.ndarray]:
    """Every step of a run as table columns (each (T,)): t, the inputs, each unit's
    pre-activation and value, V h + b_y, the output y and the correct bit."""
    cols: dict[str, np.ndarray] = {"t": np.arange(1, tr.T + 1), "a": tr.x[0], "b": tr.x[1]}
    for j in range(tr.h.shape[1]):
        cols[f"pre h{j + 1}"] = tr.pre_h[:, j]
        cols[f"h{j + 1}"] = tr.h[:, j]
    cols["V h + b_y"] = tr.pre_y
    cols["y"] = tr.y
    cols["correct"] = tr.target
    return cols

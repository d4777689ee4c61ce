"""Exhaustive verification of an adder design over all pairs of n-bit numbers.

``verify_adder`` runs the network (2) on all 4**n pairs (a, b) at once, T = n + 1 steps each,
as a tree of input prefixes over the product automaton of ``core.adder.automaton``.  It says
nothing about longer numbers; ``core.adder.automaton.prove_adder`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.adder.automaton import product_table
from core.adder.encoding import encode_pair
from core.adder.network import run_adder
from core.adder.weights import AdderWeights
from core.numerics import is_int

MAX_VERIFY_BITS = 12


@dataclass(frozen=True, eq=False)
class VerifyReport:
    """Result of ``verify_adder``: how many of the 4**n_bits sums come out wrong, and where."""

    n_bits: int
    n_checked: int  # 4 ** n_bits pairs (a, b), 0 <= a, b < 2 ** n_bits
    n_wrong: int
    counterexample: tuple[int, int] | None  # the wrong pair with the smallest max(a, b), then a, b
    first_error_counts: np.ndarray  # (n_bits + 1,) wrong pairs whose first wrong bit is step t
    counterexample_step: int | None = None  # 1-based first wrong step of the counterexample

    @property
    def correct(self) -> bool:
        return self.n_wrong == 0

    @property
    def T(self) -> int:
        """Steps of each run: the numbers' bits plus one padding column."""
        return self.n_bits + 1

    @property
    def n_numbers(self) -> int:
        """The operands checked are 0 .. n_numbers - 1 (2**n_bits of them)."""
        return 2**self.n_bits

    @property
    def wrong_fraction(self) -> float:
        return self.n_wrong / self.n_checked


def _final_codes(w: AdderWeights, n_bits: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Codes of all 4**n_bits pairs after T = n_bits + 1 steps (see ``verify_adder``)."""
    table, dead = product_table(w)
    code = np.zeros(1, dtype=table.dtype)  # (4**t,) start: state 0, carry 0
    first_error = np.zeros(n_bits + 1, dtype=np.int64)
    n_dead = 0
    for t in range(n_bits):
        m = code.size
        nxt = np.empty(4 * m, dtype=table.dtype)  # block k holds symbol k: index += k * 4**t
        for k in range(4):
            np.take(table[k], code, out=nxt[k * m : (k + 1) * m])
        code = nxt
        new_dead = int(np.count_nonzero(code == dead))
        # prefixes that just went wrong; each stands for 4**(n-t-1) full pairs
        first_error[t] = (new_dead - 4 * n_dead) * 4 ** (n_bits - t - 1)
        n_dead = new_dead
    code = table[0][code]  # the padding column (0, 0): the output must be the final carry
    first_error[n_bits] = int(np.count_nonzero(code == dead)) - n_dead
    return code, first_error, dead


MAX_GRID_BITS = 7
SHOWN_GRID_BITS = 6  # the page maps the pairs of at most 6-bit numbers (4,096 cells)


def grid_bits(n_bits: int) -> int:
    """Width of the numbers in the map of wrong sums drawn next to an n-bit check."""
    return min(int(n_bits), SHOWN_GRID_BITS)


def wrong_pairs_grid(w: AdderWeights, n_bits: int) -> np.ndarray:
    """Which sums of n-bit numbers come out wrong: bool (2**n, 2**n), entry [a, b]."""
    if not 1 <= n_bits <= MAX_GRID_BITS:
        raise ValueError(f"n_bits must be between 1 and {MAX_GRID_BITS} for the grid.")
    code, _, dead = _final_codes(w, int(n_bits))
    a, b = _decode_pairs(np.arange(code.size), int(n_bits))
    grid = np.zeros((2**n_bits, 2**n_bits), dtype=bool)
    grid[a, b] = code == dead
    return grid


def verify_adder(w: AdderWeights, n_bits: int = 8) -> VerifyReport:
    """Run the network on every pair of ``n_bits``-bit numbers, T = n_bits + 1 steps each.

    All 4**n pairs run at once.  Because the state after t steps depends only on the low t bits
    of a and b, the runs are built as a tree of prefixes: level t holds 4**t prefixes, each
    reduced to one code (network state, true carry, or "an output was already wrong"; see
    ``product_table``).  Index i of the last level encodes (a, b): the symbol 2 a_t + b_t of
    step t sits at bits 2t, 2t+1 of i.
    """
    if not is_int(n_bits):
        raise ValueError(f"n_bits must be an integer, got {n_bits!r}.")
    if not 1 <= n_bits <= MAX_VERIFY_BITS:
        raise ValueError(f"n_bits must be between 1 and {MAX_VERIFY_BITS}, got {n_bits}.")
    n_bits = int(n_bits)
    code, first_error, dead = _final_codes(w, n_bits)
    n_wrong = int(first_error.sum())  # every wrong pair goes wrong first at some step
    cx = _smallest_pair(code, dead, n_bits) if n_wrong else None
    cx_step = None
    if cx is not None:
        tr = run_adder(encode_pair(cx[0], cx[1], n_bits), w)
        cx_step = int(np.flatnonzero(tr.y != tr.target)[0]) + 1
    return VerifyReport(n_bits, 4**n_bits, n_wrong, cx, first_error, cx_step)


def _decode_pairs(index: np.ndarray, n_bits: int) -> tuple[np.ndarray, np.ndarray]:
    a = np.zeros(index.size, dtype=np.int64)
    b = np.zeros(index.size, dtype=np.int64)
    for t in range(n_bits):
        sym = (index >> (2 * t)) & 3
        a |= (sym >> 1) << t
        b |= (sym & 1) << t
    return a, b


CHUNK = 1 << 20  # codes examined at once when looking for the smallest wrong pair


def _smallest_pair(code: np.ndarray, dead: int, n_bits: int) -> tuple[int, int] | None:
    """The wrong pair (``code == dead``) with the smallest max(a, b), then a, then b.

    Pairs with max(a, b) < 2**j are exactly the indices below 4**j, so the indices in
    [4**(j-1), 4**j) are the pairs whose larger number has j bits: the first such band holding
    a wrong pair holds the answer.  Bands are read CHUNK codes at a time, so memory stays a few
    MB even when all 16.7 M sums of 12-bit numbers are wrong (an index array of every wrong
    pair would be 134 MB).
    """
    best: tuple[int, int, int] | None = None  # (max(a, b), a, b)
    for j in range(n_bits + 1):
        lo, hi = (0, 1) if j == 0 else (4 ** (j - 1), 4**j)
        for start in range(lo, hi, CHUNK):
            stop = min(start + CHUNK, hi)
            idx = np.flatnonzero(code[start:stop] == dead) + start
            if idx.size == 0:
                continue
            a, b = _decode_pairs(idx, n_bits)
            i = np.lexsort((b, a, np.maximum(a, b)))[0]
            cand = (int(max(a[i], b[i])), int(a[i]), int(b[i]))
            best = cand if best is None else min(best, cand)
        if best is not None:
            return best[1], best[2]
    return None

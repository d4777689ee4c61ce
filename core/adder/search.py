"""Search for adder designs with small integer weights and biases.

Hidden units are enumerated by behaviour (truth table over (state, input column) pairs), hidden
layers are unordered combinations of behaviours, and each layer is checked with the product
(state, carry) reachability of ``core.adder.automaton.prove_adder``, vectorised over layers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from math import comb

import numpy as np

from core.adder.encoding import SYMBOLS
from core.adder.weights import AdderWeights


@dataclass(frozen=True)
class SearchParams:
    """What ``search_designs`` looks through.  Weights in [-r, r], biases in [-r_b, r_b]."""

    H: int = 3
    weight_range: int = 1
    bias_range: int = 3
    symmetric: bool = True  # only units with u_a = u_b
    max_designs: int = 12
    n_samples: int = 300_000  # used when the space is too big to enumerate
    exhaustive_limit: int = 4_000_000
    seed: int = 0


@dataclass(frozen=True, eq=False)
class SearchReport:
    params: SearchParams
    exhaustive: bool  # True: every distinct hidden layer in the space was checked
    n_behaviours: int  # distinct hidden units (weight rows that fire on the same inputs merged)
    n_space: int  # distinct hidden layers (unordered combinations of H behaviours)
    n_checked: int  # hidden layers checked
    n_correct: int  # of those, how many admit an output layer that makes a correct adder
    designs: list[AdderWeights]  # up to max_designs correct designs


ROW_CHUNK = 1 << 14  # weight rows whose truth tables are computed at once (8 MB at H = 4)
LAYER_CHUNK = 500_000  # (hidden layers x states) checked at once: 62,500 layers at H = 3


def _grid_rows(idx: np.ndarray, H: int, r: int, r_b: int, symmetric: bool) -> np.ndarray:
    """Weight rows (u_a, u_b, w_1..w_H, b) number ``idx`` (n,) of the grid in C order over
    (u_a, u_b, w_1..w_H, b) -- over (u, w_1..w_H, b) with u_a = u_b = u when ``symmetric``.
    (n, H+3) int64."""
    n_w = H + (1 if symmetric else 2)
    cols = np.unravel_index(idx, (2 * r + 1,) * n_w + (2 * r_b + 1,))
    rows = np.stack(cols, axis=1).astype(np.int64)  # (n, n_w + 1)
    rows[:, :n_w] -= r
    rows[:, n_w] -= r_b
    return np.concatenate([rows[:, :1], rows], axis=1) if symmetric else rows


def _unit_rows(H: int, r: int, r_b: int, symmetric: bool) -> tuple[np.ndarray, np.ndarray]:
    """Every integer row (u_a, u_b, w_1..w_H, b), weights in [-r, r], bias in [-r_b, r_b].

    With ``symmetric`` only rows with u_a = u_b (units that treat both operands alike).

    The truth table has one bit per (state s, symbol k) pair, index s * 4 + k, telling whether
    the unit fires.  Returns unique truth tables (D, S*4) bool and the first weight row, in grid
    order, of each (D, H+3).  The grid is read in chunks and each table packed into one integer
    (S*4 <= 64 bits): at H = 4, r = 3 the grid has 1.06 M rows, and holding them with their
    tables took 180 MB where the packed keys take 8.5 MB.
    """
    S = 2**H
    n_bytes = S * 4 // 8  # 1, 2, 4 or 8: one unsigned integer per truth table
    key_type = np.dtype(f"<u{n_bytes}")
    n_rows = (2 * r + 1) ** (H + (1 if symmetric else 2)) * (2 * r_b + 1)
    inputs = np.array(
        [[a, b, *((s >> np.arange(H)) & 1), 1] for s in range(S) for a, b in SYMBOLS]
    )  # (S*4, H+3), row s*4 + k
    keys = np.empty(n_rows, dtype=key_type)  # (R,)
    for start in range(0, n_rows, ROW_CHUNK):
        idx = np.arange(start, min(start + ROW_CHUNK, n_rows))
        fires = _grid_rows(idx, H, r, r_b, symmetric) @ inputs.T >= 0  # (n, S*4)
        keys[idx] = np.packbits(fires, axis=1, bitorder="little").view(key_type)[:, 0]
    _, first = np.unique(keys, return_index=True)  # the first row of each distinct table
    first = np.sort(first)
    packed = keys[first].view(np.uint8).reshape(len(first), n_bytes)
    tables = np.unpackbits(packed, axis=1, bitorder="little").astype(bool)  # (D, S*4)
    return tables, _grid_rows(first, H, r, r_b, symmetric)


def _output_rows(H: int, r: int, r_b: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct output truth tables over the 2**H states as bitmasks, with weights (V, b_y)."""
    S = 2**H
    vals = np.arange(-r, r + 1)
    grids = np.meshgrid(*([vals] * H), np.arange(-r_b, r_b + 1), indexing="ij")
    rows = np.stack([g.ravel() for g in grids], axis=1)  # (R, H+1)
    all_h = (np.arange(S)[:, None] >> np.arange(H)) & 1
    fires = (rows[:, :H] @ all_h.T + rows[:, H:]) >= 0  # (R, S)
    masks = fires.astype(np.int64) @ (1 << np.arange(S))  # (R,)
    _, first = np.unique(masks, return_index=True)
    first = np.sort(first)
    return masks[first], rows[first]


def _check_hidden_layers(tables: np.ndarray, H: int, out_masks: np.ndarray) -> np.ndarray:
    """Vectorised correctness check of B hidden layers given by unit truth tables.

    tables: (B, H, S*4) bool.  The product (state, carry) reachability of ``prove_adder`` runs
    for all B layers at once, on bitmasks over the S = 2**H states; each network state collects
    the output bits it must produce (``need0``, ``need1``).  Layers that already ask one state for
    both bits are dropped at once, which keeps the batch small.  Returns, per layer, the index
    into ``out_masks`` of an output layer that makes the adder correct, or -1.
    """
    B = tables.shape[0]
    S = 2**H
    mask = np.uint8 if S <= 8 else np.uint16  # a bitmask over the S states
    delta = np.zeros((B, S * 4), dtype=mask)  # next state of (state, symbol), per layer
    for h in range(H):  # unit by unit: an int64 (B, H, S*4) temporary was 190 MB at H = 3
        delta |= tables[:, h, :].astype(mask) << mask(h)
    delta = np.ascontiguousarray(delta.reshape(B, S, 4).transpose(1, 2, 0))  # (S, 4, B)
    result = np.full(B, -1, dtype=np.int64)
    alive = np.arange(B)
    reach = np.zeros((2, B), dtype=mask)  # bitmask over states, per carry
    reach[0] = 1  # (state 0, carry 0)
    need = np.zeros((2, B), dtype=mask)  # states that must output 0 / 1
    one = mask(1)
    for _ in range(2 * S + 1):
        new = reach.copy()
        for c in (0, 1):
            for s in range(S):
                present = (reach[c] >> mask(s)) & one
                for k, (a, b) in enumerate(SYMBOLS):
                    total = a + b + c
                    bit = present << delta[s, k]
                    new[total >> 1] |= bit
                    need[total & 1] |= bit
        ok = (need[0] & need[1]) == 0
        done = ok & (new == reach).all(axis=0)
        for i in np.flatnonzero(done):
            n1, n0 = int(need[1, i]), int(need[0, i])
            fit = np.flatnonzero(((out_masks & n1) == n1) & ((out_masks & n0) == 0))
            if fit.size:
                result[alive[i]] = fit[0]
        keep = ok & ~done
        alive, reach, need, delta = alive[keep], new[:, keep], need[:, keep], delta[:, :, keep]
        if alive.size == 0:
            break
    return result


def search_designs(p: SearchParams, progress=None) -> SearchReport:
    """Look for correct adders with small integer weights and biases.

    Hidden units are enumerated by *behaviour*: two weight rows that fire on exactly the same
    (state, input) pairs are interchangeable, so only distinct truth tables are combined, and
    unit order is ignored.  When the number of such hidden layers is at most
    ``p.exhaustive_limit`` all are checked, so a negative answer proves that no design exists in
    that weight range; otherwise ``p.n_samples`` random ones are drawn from
    ``np.random.default_rng(p.seed)``.  ``progress(fraction)`` is called between chunks.
    """
    if not 1 <= p.H <= 4:
        raise ValueError("The search supports H = 1 to 4 hidden units.")
    if not 1 <= p.weight_range <= 3 or not 1 <= p.bias_range <= 4:
        raise ValueError("Weight range must be 1 to 3 and bias range 1 to 4.")
    H = p.H
    tables, rows = _unit_rows(H, p.weight_range, p.bias_range, p.symmetric)
    out_masks, out_rows = _output_rows(H, p.weight_range, p.bias_range)
    D = len(tables)
    n_space = _n_multisets(D, H)
    exhaustive = n_space <= p.exhaustive_limit
    chunk = max(1, LAYER_CHUNK // (2**H))
    if exhaustive:
        n_combos, parts = n_space, _multiset_chunks(D, H, chunk)
    else:
        rng = np.random.default_rng(p.seed)
        combos = np.sort(rng.integers(0, D, size=(p.n_samples, H)), axis=1)
        n_combos = len(combos)
        parts = (combos[i : i + chunk] for i in range(0, n_combos, chunk))
    found: list[AdderWeights] = []
    n_correct = 0
    done = 0
    for part in parts:
        res = _check_hidden_layers(tables[part], H, out_masks)
        hits = np.flatnonzero(res >= 0)
        n_correct += hits.size
        for i in hits[: max(0, p.max_designs - len(found))]:
            r_h = rows[part[i]]  # (H, H+3)
            o = out_rows[res[i]]
            found.append(
                AdderWeights(U=r_h[:, :2], W=r_h[:, 2 : 2 + H], V=o[:H], b_h=r_h[:, -1], b_y=o[H])
            )
        done += len(part)
        if progress is not None:
            progress(min(1.0, done / n_combos))
    return SearchReport(p, exhaustive, D, n_space, n_combos, n_correct, found)


def _n_multisets(D: int, H: int) -> int:
    """Number of unordered choices of H behaviours out of D, repetition allowed."""
    return comb(D + H - 1, H)


def _all_multisets(D: int, H: int) -> np.ndarray:
    """All sorted index tuples i1 <= i2 <= ... <= iH in range(D).  (comb(D+H-1, H), H)"""
    return np.concatenate(list(_multiset_chunks(D, H, _n_multisets(D, H))))  # one block


def _multiset_chunks(D: int, H: int, size: int) -> Iterator[np.ndarray]:
    """``_all_multisets(D, H)`` in order, as blocks of at least ``size`` rows (the last may be
    shorter; one block for H = 1): the search checks 3 M layers at its defaults and would hold
    them all (36 MB) otherwise.  (n, H) int32 each."""
    if H == 1:
        yield np.arange(D, dtype=np.int32)[:, None]
        return
    prev = _all_multisets(D, H - 1)  # sorted by its last column
    ends = np.searchsorted(prev[:, -1], np.arange(D), side="right")  # rows ending <= i
    blocks: list[np.ndarray] = []
    n = 0
    for i in range(D):  # the tuples whose largest index is i: a prefix of prev, then i
        block = np.empty((ends[i], H), dtype=np.int32)
        block[:, :-1] = prev[: ends[i]]
        block[:, -1] = i
        blocks.append(block)
        n += len(block)
        if n >= size:
            yield np.concatenate(blocks)
            blocks, n = [], 0
    if blocks:
        yield np.concatenate(blocks)

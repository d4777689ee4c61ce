"""The adder RNN as a finite automaton, and the proof that it adds inputs of every length.

Because every hidden unit is a hard threshold (3), the hidden state h(t) lives in the finite
set {0, 1}^H: the network (2) *is* a finite automaton with 2**H states, one successor per input
column 'ab' (``transition_table``) and one output bit per state.  ``prove_adder`` explores the
product of those states with the carry of true addition and so proves (or refutes) correctness
for inputs of every length; ``unit_meanings`` reads off what each hidden unit computes.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from core.adder.encoding import SYMBOLS, check_x
from core.adder.weights import AdderWeights


def state_index(h) -> int:
    """Pack a hidden state (H,) of bits into an integer: unit 1 is the least significant bit."""
    return int(sum(int(v) << j for j, v in enumerate(np.asarray(h).ravel())))


def state_bits(s: int, H: int) -> np.ndarray:
    """Inverse of ``state_index``: the hidden state (H,) of index ``s``."""
    return (int(s) >> np.arange(H)) & 1


def state_label(s: int, H: int) -> str:
    """The state as the column vector read top to bottom, e.g. '110' for h = (1, 1, 0)."""
    return "".join(str(v) for v in state_bits(s, H))


def transition_table(w: AdderWeights) -> tuple[np.ndarray, np.ndarray]:
    """Next state and output of every one of the 2**H states.

    Returns ``delta`` (2**H, 4) uint8: the state index reached from state s on symbol k
    (k = 2 a + b), and ``out`` (2**H,) uint8: the output y of a state.
    """
    S = 2**w.H
    all_h = ((np.arange(S)[:, None] >> np.arange(w.H)) & 1).astype(np.float64)  # (S, H)
    sym = np.array(SYMBOLS, dtype=np.float64)  # (4, 2)
    # (2) for every state h(t-1) and every input column at once: U x + W h + b_h, then hard (3)
    pre = all_h @ w.W.T  # (S, H)
    pre = pre[:, None, :] + (sym @ w.U.T)[None, :, :] + w.b_h  # (S, 4, H)
    nxt = (pre >= 0).astype(np.int64) @ (1 << np.arange(w.H))  # (S, 4)
    out = (all_h @ w.V + w.b_y >= 0).astype(np.uint8)  # (S,)  y = hard(V h + b_y) of (2)
    return nxt.astype(np.uint8), out


def state_path(w: AdderWeights, x: np.ndarray) -> list[int]:
    """The states (indices, see ``state_index``) the network visits reading ``x`` (2, T):
    h(0) = 0, then h(1), ..., h(T) -- T + 1 entries, read off the transition table."""
    x = check_x(x)
    delta, _ = transition_table(w)
    path = [0]
    for a, b in x.T:
        path.append(int(delta[path[-1], 2 * a + b]))
    return path


def product_table(w: AdderWeights) -> tuple[np.ndarray, int]:
    """Transition table of the network paired with true addition, with an absorbing error code.

    Code ``2 s + c`` stands for network state s and carry c; code ``2 * 2**H`` ("dead") means
    some output so far was wrong.  Returns ``table`` (4, 2 * 2**H + 1) and the dead code.
    """
    delta, out = transition_table(w)
    S = 2**w.H
    dead = 2 * S
    dtype = np.uint8 if dead < 256 else np.uint16
    table = np.full((4, dead + 1), dead, dtype=dtype)
    for s in range(S):
        for c in (0, 1):
            for k, (a, b) in enumerate(SYMBOLS):
                total = a + b + c
                s2 = int(delta[s, k])
                if int(out[s2]) == (total & 1):
                    table[k, 2 * s + c] = 2 * s2 + (total >> 1)
    return table, dead


@dataclass(frozen=True, eq=False)
class ProofReport:
    """Result of exploring the product (network state, carry of true addition)."""

    correct: bool
    H: int
    reachable: list[tuple[int, int]]  # product nodes (state index, carry) reachable from (0, 0)
    edges: list[tuple[int, int, int, int, int, bool]]  # (s, c, symbol, s', c', output ok)
    failing_symbols: list[int] | None  # shortest input sequence (symbol per step) to an error
    counterexample: tuple[int, int] | None  # (a, b) built from the failing path (+ padding)
    failing_step: int | None  # 1-based step at which the output is wrong
    state_carries: dict[int, set[int]] = field(default_factory=dict)  # state -> carries seen

    @property
    def n_product_states(self) -> int:
        return len(self.reachable)

    @property
    def n_network_states(self) -> int:
        """Hidden states reachable from h(0) = 0 (with either carry)."""
        return len({s for s, _ in self.reachable})

    @property
    def failing_columns(self) -> list[str] | None:
        """The failing input as columns 'ab', first step first (None when correct)."""
        if self.failing_symbols is None:
            return None
        return [f"{SYMBOLS[k][0]}{SYMBOLS[k][1]}" for k in self.failing_symbols]


def prove_adder(w: AdderWeights) -> ProofReport:
    """Prove or refute that ``w`` adds correctly for inputs of every length.

    Breadth-first search over pairs (network state s, carry c of true addition) from (0, 0).
    On symbol (a, b) the network moves to s' = delta(s, ab) and addition to c' = (a+b+c) // 2;
    the network is right at that step iff out(s') == (a + b + c) mod 2.  Every input prefix can be
    completed into a valid problem by padding zeros, so the network is correct on all inputs of
    all lengths iff no reachable node has a wrong edge.  BFS makes the failing path a shortest one.
    """
    delta, out = transition_table(w)
    start = (0, 0)
    parent: dict[tuple[int, int], tuple[tuple[int, int], int] | None] = {start: None}
    order: list[tuple[int, int]] = []
    edges: list[tuple[int, int, int, int, int, bool]] = []
    queue = deque([start])
    fail: tuple[tuple[int, int], int] | None = None
    while queue:
        node = queue.popleft()
        order.append(node)
        s, c = node
        for k, (a, b) in enumerate(SYMBOLS):
            total = a + b + c
            s2, c2 = int(delta[s, k]), total >> 1
            ok = int(out[s2]) == (total & 1)
            edges.append((s, c, k, s2, c2, ok))
            if not ok and fail is None:
                fail = (node, k)
            if (s2, c2) not in parent:
                parent[(s2, c2)] = (node, k)
                queue.append((s2, c2))
    state_carries: dict[int, set[int]] = {}
    for s, c in order:
        state_carries.setdefault(s, set()).add(c)
    if fail is None:
        return ProofReport(True, w.H, order, edges, None, None, None, state_carries)
    node, k = fail
    syms = [k]
    while parent[node] is not None:
        node, k_prev = parent[node]
        syms.append(k_prev)
    syms.reverse()
    a = sum(SYMBOLS[k][0] << t for t, k in enumerate(syms))
    b = sum(SYMBOLS[k][1] << t for t, k in enumerate(syms))
    return ProofReport(False, w.H, order, edges, syms, (a, b), len(syms), state_carries)


@dataclass(frozen=True, eq=False)
class UnitMeaning:
    unit: int  # 1-based
    totals: tuple[int, ...] | None  # column totals a + b + carry at which the unit fires,
    #                                  or None if it is not a function of the total
    text: str


def unit_meanings(w: AdderWeights, proof: ProofReport | None = None) -> list[UnitMeaning]:
    """What each hidden unit computes, read off the reachable product automaton.

    For each unit we collect (column total a+b+carry, unit's new value) over every reachable
    transition.  If the unit's value is a function of the total, we say at which totals it fires.
    """
    proof = proof or prove_adder(w)
    seen: list[dict[int, set[int]]] = [dict() for _ in range(w.H)]
    for _s, c, k, s2, _c2, _ok in proof.edges:
        total = sum(SYMBOLS[k]) + c
        bits = state_bits(s2, w.H)
        for j in range(w.H):
            seen[j].setdefault(total, set()).add(int(bits[j]))
    meanings = []
    for j in range(w.H):
        table = seen[j]
        if any(len(v) > 1 for v in table.values()):
            meanings.append(
                UnitMeaning(
                    j + 1,
                    None,
                    "depends on more than the column total (it also remembers earlier columns)",
                )
            )
            continue
        fires = tuple(sorted(t for t, v in table.items() if 1 in v))
        meanings.append(UnitMeaning(j + 1, fires, _describe_totals(fires, set(table))))
    return meanings


def _describe_totals(fires: tuple[int, ...], seen: set[int]) -> str:
    if not fires:
        return "never fires"
    if set(fires) == seen:
        return "always fires"
    lo = min(fires)
    if set(fires) == {t for t in seen if t >= lo}:
        return f"fires when a + b + carry ≥ {lo}" if lo < 3 else "fires when a + b + carry = 3"
    hi = max(fires)
    if set(fires) == {t for t in seen if t <= hi}:
        return f"fires when a + b + carry ≤ {hi}"
    if set(fires) == {t for t in seen if t % 2 == 1}:
        return "fires when a + b + carry is odd (the sum bit)"
    return "fires when a + b + carry ∈ {" + ", ".join(map(str, fires)) + "}"

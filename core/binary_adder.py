"""The hand-designed hard-threshold RNN that adds binary numbers (homework question 1).

The network of equation (2) of the homework sheet::

    h(t) = hard(U x(t) + W h(t-1) + b_h)      h(0) = 0
    y(t) = hard(V h(t) + b_y)                  hard(z) = 1 iff z >= 0   (3)

reads two binary numbers least significant bit first, one column ``x(t) = (a_t, b_t)`` per step,
padded with at least one zero column, and should emit the bits of ``a + b``.

Because every hidden unit is a hard threshold, the hidden state ``h(t)`` lives in the finite set
``{0, 1}^H``: the network *is* a finite automaton.  That fact powers the three checks here:

* ``verify_adder``  enumerates every pair of ``n``-bit numbers (vectorised over all 4**n pairs);
* ``prove_adder``   explores the product of the network's states with the carry of true addition
  and so proves (or refutes) correctness for inputs of *every* length;
* ``search_designs`` enumerates or samples small-integer weights and keeps the correct designs.

Only numpy is used.  Everything is deterministic; randomness goes through an explicit ``seed``.
"""

from __future__ import annotations

import unicodedata
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from core.parsing import format_number  # noqa: F401  (re-exported for pages)

MAX_HIDDEN = 8  # hidden sizes 1..8: 2**8 = 256 states still index as uint8
SYMBOLS = ((0, 0), (0, 1), (1, 0), (1, 1))  # input column (a_t, b_t); symbol index = 2 a_t + b_t


# --------------------------------------------------------------------------------------------
# Weights
# --------------------------------------------------------------------------------------------


def _as_matrix(name: str, value, shape: tuple[int, ...]) -> np.ndarray:
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must contain numbers only ({exc}).") from None
    if arr.shape != shape:
        if arr.size == int(np.prod(shape)):
            arr = arr.reshape(shape)
        else:
            want = " x ".join(str(s) for s in shape)
            got = " x ".join(str(s) for s in arr.shape) or "a scalar"
            raise ValueError(f"{name} must be {want} for H = {shape[0]} hidden units, got {got}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity; every weight must be a finite number.")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class AdderWeights:
    """Weights of the adder RNN (2).  ``H`` hidden units, 2 inputs, 1 output.

    U: (H, 2)   W: (H, H)   V: (H,) (the sheet's 1 x H row)   b_h: (H,)   b_y: float
    """

    U: np.ndarray
    W: np.ndarray
    V: np.ndarray
    b_h: np.ndarray
    b_y: float

    def __post_init__(self) -> None:
        u = np.array(self.U, dtype=np.float64, ndmin=2) if np.size(self.U) else np.zeros((0, 2))
        h = u.shape[0] if u.ndim == 2 and u.shape[-1] == 2 else np.size(self.U) // 2
        if not 1 <= h <= MAX_HIDDEN:
            raise ValueError(f"U must have between 1 and {MAX_HIDDEN} rows (one per hidden unit).")
        object.__setattr__(self, "U", _as_matrix("U", self.U, (h, 2)))
        object.__setattr__(self, "W", _as_matrix("W", self.W, (h, h)))
        object.__setattr__(self, "V", _as_matrix("V", self.V, (h,)))
        object.__setattr__(self, "b_h", _as_matrix("b_h", self.b_h, (h,)))
        b_y = _as_matrix("b_y", self.b_y, (1,))
        object.__setattr__(self, "b_y", float(b_y[0]))

    @property
    def H(self) -> int:
        return self.U.shape[0]

    def key(self) -> bytes:
        """A hashable fingerprint (for caches)."""
        parts = (self.U, self.W, self.V, self.b_h, np.array([self.b_y]))
        return b"|".join(p.tobytes() for p in parts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AdderWeights) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())


# Equation (4) of the sheet: unit k fires when the column total a + b + carry is at least k.
SEED_WEIGHTS = AdderWeights(
    U=[[1, 1], [1, 1], [1, 1]],
    W=0.5 * np.ones((3, 3)),
    V=[1, -1, 1],
    b_h=[-1, -2, -3],
    b_y=-0.5,
)

# Our own integer design: the same three "total >= k" units, but the recurrence reads only the
# carry (unit 2 of the previous step), so every weight is an integer.
CARRY_ONLY_WEIGHTS = AdderWeights(
    U=[[1, 1], [1, 1], [1, 1]],
    W=[[0, 1, 0], [0, 1, 0], [0, 1, 0]],
    V=[1, -1, 1],
    b_h=[-1, -2, -3],
    b_y=-1,
)

# Subtly broken: the sheet's design with b_h = (-1, -2, -7/2).  Unit 3 should fire when the
# column total is 3; it now needs the previous state to be 111 as well, so 1 + 1 + a carry that
# came from a column total of exactly 2 comes out wrong (3 + 3 is the smallest failure).
BROKEN_WEIGHTS = AdderWeights(
    U=[[1, 1], [1, 1], [1, 1]],
    W=0.5 * np.ones((3, 3)),
    V=[1, -1, 1],
    b_h=[-1, -2, -3.5],
    b_y=-0.5,
)


def _time_bomb() -> AdderWeights:
    """The sheet's adder plus a five-unit shift register that switches the output off.

    Unit 4 fires at every step, unit j + 1 copies unit j one step later, so unit 8 first fires
    at step 5 and then pushes y to 0.  Every pair of numbers with at most 3 bits (T <= 4 steps)
    adds correctly; longer inputs do not.  Exhaustive checks of small n pass, the proof fails.
    """
    U = np.zeros((8, 2))
    U[:3] = 1
    W = np.zeros((8, 8))
    W[:3, :3] = 0.5
    for j in range(4, 8):
        W[j, j - 1] = 1
    b_h = np.array([-1, -2, -3, 0, -1, -1, -1, -1], dtype=float)
    V = np.array([1, -1, 1, 0, 0, 0, 0, -4], dtype=float)
    return AdderWeights(U=U, W=W, V=V, b_h=b_h, b_y=-0.5)


TIME_BOMB_WEIGHTS = _time_bomb()

PRESETS: dict[str, AdderWeights] = {
    "Sheet solution (4)": SEED_WEIGHTS,
    "Integer, carry-only recurrence": CARRY_ONLY_WEIGHTS,
    "Subtly broken (b_h3 = -7/2)": BROKEN_WEIGHTS,
    "Time bomb: right up to 3 bits (H = 8)": TIME_BOMB_WEIGHTS,
}


# --------------------------------------------------------------------------------------------
# Parsing and encoding
# --------------------------------------------------------------------------------------------


def parse_number(text: str, fmt: str = "decimal", max_bits: int = 16) -> int:
    """Parse a non-negative integer typed by a user.

    ``fmt`` is ``"decimal"`` (``55``; ``0b110111`` is accepted too) or ``"binary"`` (``110111``
    or ``0b110111``).  Raises ``ValueError`` with a message that says what is accepted.
    """
    if fmt not in ("decimal", "binary"):
        raise ValueError('fmt must be "decimal" or "binary".')
    raw = "" if text is None else str(text)
    s = raw.strip().replace("_", "")
    accepted = (
        "binary digits 0 and 1, optionally prefixed with 0b (e.g. 110111 or 0b110111)"
        if fmt == "binary"
        else "a whole number in decimal digits (e.g. 55) or binary with a 0b prefix (e.g. 0b110111)"
    )
    if not s:
        raise ValueError(f"The field is empty. Enter {accepted}.")
    for ch in s:
        if not ch.isascii():
            name = unicodedata.name(ch, "a non-ASCII character")
            raise ValueError(
                f"'{ch}' ({name}) is not accepted: type plain ASCII characters. Enter {accepted}."
            )
    if s[0] in "+-":
        if s[0] == "-":
            raise ValueError(
                f"Negative numbers are not supported: the adder adds non-negative integers. "
                f"Enter {accepted}."
            )
        s = s[1:]
    base = 10
    body = s
    if s[:2].lower() == "0b":
        base, body = 2, s[2:]
    elif fmt == "binary":
        base = 2
    if not body:
        raise ValueError(f"'{raw.strip()}' has no digits. Enter {accepted}.")
    digits = "01" if base == 2 else "0123456789"
    for ch in body:
        if ch not in digits:
            what = "binary digit" if base == 2 else "decimal digit"
            raise ValueError(f"'{ch}' is not a {what}. Enter {accepted}.")
    value = int(body, base)
    if value.bit_length() > max_bits:
        raise ValueError(
            f"{value} needs {value.bit_length()} bits; this page adds numbers of at most "
            f"{max_bits} bits (0 to {2**max_bits - 1})."
        )
    return value


def _check_operand(name: str, v) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise ValueError(f"{name} must be a non-negative integer, got {v!r}.")
    v = int(v)
    if v < 0:
        raise ValueError(f"{name} must be non-negative, got {v}.")
    return v


def encode_pair(a: int, b: int, n_bits: int | None = None) -> np.ndarray:
    """The 2 x T input matrix of (5): row 0 the bits of ``a``, row 1 those of ``b``, LSB first.

    ``T = n_bits + 1``: the numbers' bits plus one padding zero column, so the final carry can
    come out.  Without ``n_bits`` the width is that of the wider operand (at least 1).
    Returns an int64 array of shape (2, T).
    """
    a = _check_operand("a", a)
    b = _check_operand("b", b)
    need = max(1, a.bit_length(), b.bit_length())
    if n_bits is None:
        n_bits = need
    else:
        if isinstance(n_bits, bool) or not isinstance(n_bits, (int, np.integer)) or n_bits < 1:
            raise ValueError(f"n_bits must be a positive integer, got {n_bits!r}.")
        if n_bits < need:
            raise ValueError(f"{max(a, b)} needs {need} bits, more than n_bits = {n_bits}.")
    t = np.arange(int(n_bits) + 1)
    return np.stack([(a >> t) & 1, (b >> t) & 1]).astype(np.int64)  # (2, T)


def bits_to_int(bits) -> int:
    """Integer value of an LSB-first bit sequence."""
    return sum(int(v) << i for i, v in enumerate(np.asarray(bits).ravel()))


def expected_output(x: np.ndarray) -> np.ndarray:
    """The correct output (6): the bits of a + b, LSB first, as many as x has columns.  (T,)"""
    x = _check_x(x)
    total = bits_to_int(x[0]) + bits_to_int(x[1])
    return (total >> np.arange(x.shape[1])) & 1


def column_carries(x: np.ndarray) -> np.ndarray:
    """Carry *into* each column of the grade-school addition (carry into column 1 is 0).  (T,)"""
    x = _check_x(x)
    carries = np.zeros(x.shape[1], dtype=np.int64)
    c = 0
    for t in range(x.shape[1]):
        carries[t] = c
        c = (int(x[0, t]) + int(x[1, t]) + c) >> 1
    return carries


def _check_x(x) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[0] != 2 or x.shape[1] < 1:
        raise ValueError(f"x must have shape (2, T) with T >= 1, got {x.shape}.")
    if not np.isin(x, (0, 1)).all():
        raise ValueError("x must contain only the bits 0 and 1.")
    return x.astype(np.int64)


# --------------------------------------------------------------------------------------------
# Forward pass
# --------------------------------------------------------------------------------------------


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
    def correct(self) -> bool:
        return bool(np.array_equal(self.y, self.target))


def run_adder(x: np.ndarray, w: AdderWeights, h0: np.ndarray | None = None) -> AdderTrace:
    """Run the network (2) on the input matrix ``x`` (2, T): the steps (7)-(20) of the sheet."""
    x = _check_x(x)
    T = x.shape[1]
    h_prev = np.zeros(w.H, dtype=np.int64) if h0 is None else hard(np.asarray(h0) - 0.5)
    h0_used = h_prev.copy()
    pre_h = np.zeros((T, w.H))  # (T, H)
    h = np.zeros((T, w.H), dtype=np.int64)  # (T, H)
    for t in range(T):
        pre_h[t] = w.U @ x[:, t] + w.W @ h_prev + w.b_h
        h[t] = hard(pre_h[t])
        h_prev = h[t]
    pre_y = h @ w.V + w.b_y  # (T,)
    return AdderTrace(
        x=x, h0=h0_used, pre_h=pre_h, h=h, pre_y=pre_y, y=hard(pre_y), target=expected_output(x)
    )


# --------------------------------------------------------------------------------------------
# The network as a finite automaton
# --------------------------------------------------------------------------------------------


def state_index(h) -> int:
    """Pack a hidden state (H,) of bits into an integer: unit 1 is the least significant bit."""
    return int(sum(int(v) << j for j, v in enumerate(np.asarray(h).ravel())))


def state_bits(s: int, H: int) -> np.ndarray:
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
    pre = all_h @ w.W.T  # (S, H)
    pre = pre[:, None, :] + (sym @ w.U.T)[None, :, :] + w.b_h  # (S, 4, H)
    nxt = (pre >= 0).astype(np.int64) @ (1 << np.arange(w.H))  # (S, 4)
    out = (all_h @ w.V + w.b_y >= 0).astype(np.uint8)  # (S,)
    return nxt.astype(np.uint8), out


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


# --------------------------------------------------------------------------------------------
# Exhaustive verification over all pairs of n-bit numbers
# --------------------------------------------------------------------------------------------

MAX_VERIFY_BITS = 12


@dataclass(frozen=True, eq=False)
class VerifyReport:
    n_bits: int
    n_checked: int  # 4 ** n_bits pairs (a, b), 0 <= a, b < 2 ** n_bits
    n_wrong: int
    counterexample: tuple[int, int] | None  # the wrong pair with the smallest max(a, b), then a, b
    first_error_counts: np.ndarray  # (n_bits + 1,) wrong pairs whose first wrong bit is step t
    counterexample_step: int | None = None  # 1-based first wrong step of the counterexample

    @property
    def correct(self) -> bool:
        return self.n_wrong == 0


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
    if isinstance(n_bits, bool) or not isinstance(n_bits, (int, np.integer)):
        raise ValueError(f"n_bits must be an integer, got {n_bits!r}.")
    if not 1 <= n_bits <= MAX_VERIFY_BITS:
        raise ValueError(f"n_bits must be between 1 and {MAX_VERIFY_BITS}, got {n_bits}.")
    n_bits = int(n_bits)
    code, first_error, dead = _final_codes(w, n_bits)
    bad = np.flatnonzero(code == dead)
    cx = _smallest_pair(bad, n_bits)
    cx_step = None
    if cx is not None:
        tr = run_adder(encode_pair(cx[0], cx[1], n_bits), w)
        cx_step = int(np.flatnonzero(tr.y != tr.target)[0]) + 1
    return VerifyReport(n_bits, 4**n_bits, int(bad.size), cx, first_error, cx_step)


def _decode_pairs(index: np.ndarray, n_bits: int) -> tuple[np.ndarray, np.ndarray]:
    a = np.zeros(index.size, dtype=np.int64)
    b = np.zeros(index.size, dtype=np.int64)
    for t in range(n_bits):
        sym = (index >> (2 * t)) & 3
        a |= (sym >> 1) << t
        b |= (sym & 1) << t
    return a, b


def _smallest_pair(bad: np.ndarray, n_bits: int) -> tuple[int, int] | None:
    """The wrong pair with the smallest max(a, b), then a, then b.

    Pairs with max(a, b) < 2**j are exactly the indices below 4**j, so only the bad indices below
    4**j for the smallest such j need decoding (``bad`` is sorted).
    """
    if bad.size == 0:
        return None
    j = (int(bad[0]).bit_length() + 1) // 2
    cand = bad[: np.searchsorted(bad, 4**j)]
    a, b = _decode_pairs(cand, n_bits)
    i = np.lexsort((b, a, np.maximum(a, b)))[0]
    return int(a[i]), int(b[i])


# --------------------------------------------------------------------------------------------
# Search over small integer weights
# --------------------------------------------------------------------------------------------


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


def _unit_rows(H: int, r: int, r_b: int, symmetric: bool) -> tuple[np.ndarray, np.ndarray]:
    """Every integer row (u_a, u_b, w_1..w_H, b), weights in [-r, r], bias in [-r_b, r_b].

    With ``symmetric`` only rows with u_a = u_b (units that treat both operands alike).

    The truth table has one bit per (state s, symbol k) pair, index s * 4 + k, telling whether
    the unit fires.  Returns unique truth tables (D, S*4) bool and one weight row for each (D, H+3).
    """
    S = 2**H
    vals = np.arange(-r, r + 1)
    grids = np.meshgrid(*([vals] * (H + 2)), np.arange(-r_b, r_b + 1), indexing="ij")
    rows = np.stack([g.ravel() for g in grids], axis=1)  # (R, H+3)
    if symmetric:
        rows = rows[rows[:, 0] == rows[:, 1]]
    inputs = np.array(
        [[a, b, *((s >> np.arange(H)) & 1), 1] for s in range(S) for a, b in SYMBOLS]
    )  # (S*4, H+3), row s*4 + k
    table = (rows @ inputs.T) >= 0  # (R, S*4)
    _, first = np.unique(np.packbits(table, axis=1), axis=0, return_index=True)
    first = np.sort(first)
    return table[first], rows[first]


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
    delta = (tables.astype(np.int64) << np.arange(H)[None, :, None]).sum(axis=1)  # (B, S*4)
    delta = np.ascontiguousarray(delta.reshape(B, S, 4).transpose(1, 2, 0))  # (S, 4, B)
    result = np.full(B, -1, dtype=np.int64)
    alive = np.arange(B)
    reach = np.zeros((2, B), dtype=np.int64)  # bitmask over states, per carry
    reach[0] = 1  # (state 0, carry 0)
    need = np.zeros((2, B), dtype=np.int64)  # states that must output 0 / 1
    for _ in range(2 * S + 1):
        new = reach.copy()
        for c in (0, 1):
            for s in range(S):
                present = (reach[c] >> s) & 1
                for k, (a, b) in enumerate(SYMBOLS):
                    total = a + b + c
                    bit = present << delta[s, k]
                    new[total >> 1] |= bit
                    need[total & 1] |= bit
        ok = (need[0] & need[1]) == 0
        done = ok & (new == reach).all(axis=0)
        for i in np.flatnonzero(done):
            fit = np.flatnonzero(
                ((out_masks & need[1, i]) == need[1, i]) & ((out_masks & need[0, i]) == 0)
            )
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
    if exhaustive:
        combos = _all_multisets(D, H)
    else:
        rng = np.random.default_rng(p.seed)
        combos = np.sort(rng.integers(0, D, size=(p.n_samples, H)), axis=1)
    found: list[AdderWeights] = []
    n_correct = 0
    chunk = max(1, 2_000_000 // (2**H))
    for start in range(0, len(combos), chunk):
        part = combos[start : start + chunk]
        res = _check_hidden_layers(tables[part], H, out_masks)
        hits = np.flatnonzero(res >= 0)
        n_correct += hits.size
        for i in hits[: max(0, p.max_designs - len(found))]:
            r_h = rows[part[i]]  # (H, H+3)
            o = out_rows[res[i]]
            found.append(
                AdderWeights(U=r_h[:, :2], W=r_h[:, 2 : 2 + H], V=o[:H], b_h=r_h[:, -1], b_y=o[H])
            )
        if progress is not None:
            progress(min(1.0, (start + chunk) / len(combos)))
    return SearchReport(p, exhaustive, D, n_space, len(combos), n_correct, found)


def _n_multisets(D: int, H: int) -> int:
    from math import comb

    return comb(D + H - 1, H)


def _all_multisets(D: int, H: int) -> np.ndarray:
    """All sorted index tuples i1 <= i2 <= ... <= iH in range(D).  (comb(D+H-1, H), H)"""
    if H == 1:
        return np.arange(D)[:, None]
    prev = _all_multisets(D, H - 1)
    parts = []
    for i in range(D):
        head = prev[prev[:, -1] <= i]
        parts.append(np.concatenate([head, np.full((len(head), 1), i)], axis=1))
    return np.concatenate(parts)

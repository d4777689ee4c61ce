"""Weights of the adder RNN (2): the sheet's design (4), our presets, and their text form."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.parsing import format_matrix, format_number, parse_matrix, parse_scalar

MAX_HIDDEN = 8  # hidden sizes 1..8: 2**8 = 256 states still index as uint8
WEIGHT_NAMES = ("U", "W", "V", "b_h", "b_y")


def _as_matrix(name: str, value, shape: tuple[int, ...]) -> np.ndarray:
    """``value`` as a read-only float64 array of ``shape`` (reshaped if the size fits)."""
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

    @property
    def n_states(self) -> int:
        """Possible hidden states h in {0, 1}^H: 2**H."""
        return 2**self.H

    def key(self) -> bytes:
        """A hashable fingerprint (for caches)."""
        parts = (self.U, self.W, self.V, self.b_h, np.array([self.b_y]))
        return b"|".join(p.tobytes() for p in parts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AdderWeights) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())


# (4): the sheet's solution.  Unit k fires when the column total a + b + carry is at least k.
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


def preset_name(w: AdderWeights) -> str | None:
    """The name of the preset equal to ``w``, or None for a design of one's own."""
    return next((name for name, p in PRESETS.items() if p == w), None)


# --------------------------------------------------------------------------------------------
# Text form: what the weight editor shows and reads
# --------------------------------------------------------------------------------------------


def weights_to_text(w: AdderWeights) -> dict[str, str]:
    """The five weights as typed in the editor: rows joined by '; ', simple fractions exact."""
    return {
        "U": format_matrix(w.U),
        "W": format_matrix(w.W),
        "V": format_matrix(w.V[None, :]),
        "b_h": format_matrix(w.b_h[None, :]),
        "b_y": format_number(w.b_y),
    }


def weights_from_text(texts: dict[str, str]) -> tuple[AdderWeights | None, list[str]]:
    """Weights from the five typed fields (keys ``WEIGHT_NAMES``), or None and every problem.

    H is the number of rows of U; W must then be H x H, and V and b_h have H entries each.
    """
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
    if not 1 <= H <= MAX_HIDDEN:
        return None, [f"U must have 1 to {MAX_HIDDEN} rows (hidden units), got {H}."]
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
        w = AdderWeights(
            U=U, W=parsed["W"], V=parsed["V"].ravel(), b_h=parsed["b_h"].ravel(), b_y=parsed["b_y"]
        )
    except ValueError as exc:
        return None, [str(exc)]
    return w, []

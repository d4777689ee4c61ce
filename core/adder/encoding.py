"""The addition a + b as the adder RNN reads it: the input matrix (5) and the correct output (6).

Two binary numbers are read least significant bit first, one column ``x(t) = (a_t, b_t)`` per
step, padded with at least one zero column so that the final carry can come out::

    a = 110111, b = 10010    ->    x = [[1 1 1 0 1 1 0],      y = [1 0 0 1 0 0 1]
                                        [0 1 0 0 1 0 0]]   (5)                     (6)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.checks import Problem
from core.numerics import is_int
from core.parsing import parse_number

SYMBOLS = ((0, 0), (0, 1), (1, 0), (1, 1))  # input column (a_t, b_t); symbol index = 2 a_t + b_t


def _check_operand(name: str, v) -> int:
    if not is_int(v):
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
        if not is_int(n_bits) or n_bits < 1:
            raise ValueError(f"n_bits must be a positive integer, got {n_bits!r}.")
        if n_bits < need:
            raise ValueError(f"{max(a, b)} needs {need} bits, more than n_bits = {n_bits}.")
    return np.stack([int_to_bits(a, int(n_bits) + 1), int_to_bits(b, int(n_bits) + 1)])  # (5)


def int_to_bits(v: int, width: int) -> np.ndarray:
    """The ``width`` lowest bits of the non-negative integer ``v``, LSB first, as int64 (width,).
    Read from Python's binary string, so any size works (numpy shifts overflow past 2**63)."""
    return np.array([int(c) for c in reversed(format(v, "b").zfill(width))][:width], np.int64)


def bits_to_int(bits) -> int:
    """Integer value of an LSB-first bit sequence."""
    return sum(int(v) << i for i, v in enumerate(np.asarray(bits).ravel()))


def check_x(x) -> np.ndarray:
    """``x`` as an int64 input matrix (2, T), T >= 1, of bits; ValueError otherwise."""
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[0] != 2 or x.shape[1] < 1:
        raise ValueError(f"x must have shape (2, T) with T >= 1, got {x.shape}.")
    if not np.isin(x, (0, 1)).all():
        raise ValueError("x must contain only the bits 0 and 1.")
    return x.astype(np.int64)


def expected_output(x: np.ndarray) -> np.ndarray:
    """The correct output (6): the bits of a + b, LSB first, as many as x has columns.  (T,)"""
    x = check_x(x)
    total = bits_to_int(x[0]) + bits_to_int(x[1])
    return int_to_bits(total, x.shape[1])


def column_carries(x: np.ndarray) -> np.ndarray:
    """Carry *into* each column of the grade-school addition (carry into column 1 is 0).  (T,)"""
    x = check_x(x)
    carries = np.zeros(x.shape[1], dtype=np.int64)
    c = 0
    for t in range(x.shape[1]):
        carries[t] = c
        c = (int(x[0, t]) + int(x[1, t]) + c) >> 1
    return carries


# --------------------------------------------------------------------------------------------
# An addition typed by a user
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Addition:
    """The sum a + b posed to the network (the sheet's "problem" (1)) and its input matrix (5).

    x: (2, T) int64, T = n + 1 for n-bit numbers;  target: (T,) the correct output (6).
    """

    a: int
    b: int
    x: np.ndarray

    @property
    def T(self) -> int:
        """Steps (columns of x)."""
        return self.x.shape[1]

    @property
    def total(self) -> int:
        return self.a + self.b

    @property
    def target(self) -> np.ndarray:
        """The correct output (6).  (T,)"""
        return expected_output(self.x)

    @property
    def n_padding(self) -> int:
        """Zero columns after the wider operand's bits (at least one)."""
        return self.T - max(1, self.a.bit_length(), self.b.bit_length())


def make_addition(a: int, b: int, n_bits: int | None = None) -> Addition:
    """``a + b`` read in ``n_bits + 1`` steps (default: as wide as the wider operand)."""
    x = encode_pair(a, b, n_bits)
    x.setflags(write=False)
    return Addition(int(a), int(b), x)


def read_addition(
    a_text: str, b_text: str, fmt: str, n_bits: int | None, max_bits: int
) -> tuple[Addition | None, list[Problem]]:
    """The addition typed into the fields a and b (``fmt`` "binary" or "decimal", see
    ``core.parsing.parse_number``) at width ``n_bits`` (None: automatic), or None and what is
    wrong with each field (field "a", "b" or "bits")."""
    values: dict[str, int] = {}
    problems: list[Problem] = []
    for name, text in (("a", a_text), ("b", b_text)):
        try:
            values[name] = parse_number(text, fmt, max_bits=max_bits)
        except ValueError as exc:
            problems.append(Problem(name, name, str(exc)))
    if problems:
        return None, problems
    try:
        return make_addition(values["a"], values["b"], n_bits), []
    except ValueError as exc:
        return None, [Problem("bits", "Bit width", f"{exc} Choose a larger width or 'auto'.")]


def format_operand(v: int, fmt: str) -> str:
    """The non-negative integer ``v`` as typed in ``fmt``: "binary" digits (55 -> 110111) or
    "decimal" (55 -> 55)."""
    if fmt not in ("binary", "decimal"):
        raise ValueError('fmt must be "binary" or "decimal".')
    v = _check_operand("v", v)
    return format(v, "b") if fmt == "binary" else str(v)


def retype_number(text: str, old_fmt: str, new_fmt: str, max_bits: int) -> str:
    """``text`` typed as ``old_fmt`` rewritten as the same number typed in ``new_fmt``
    ("binary" or "decimal"): 110111 from binary to decimal is 55, and back is 110111.

    Text that does not read as a number in ``old_fmt`` (``core.parsing.parse_number`` with
    ``max_bits``) is returned as typed, so that its message stays; so is any text when the two
    formats are the same.
    """
    for f in (old_fmt, new_fmt):
        if f not in ("binary", "decimal"):
            raise ValueError('fmt must be "binary" or "decimal".')
    if old_fmt == new_fmt:
        return text
    try:
        v = parse_number(text, old_fmt, max_bits=max_bits)
    except ValueError:
        return text
    return format_operand(v, new_fmt)

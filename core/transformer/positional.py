"""Sinusoidal positional encoding (review sheet 4, question 4, transformer part).

The sheet adds "a positional encoding to input embeddings to let model learn relative
positioning"::

    PE(pos, 2i)     = sin(pos / 10000^(2i / d_model))
    PE(pos, 2i + 1) = cos(pos / 10000^(2i / d_model))

Column pair (2i, 2i + 1) is a point on the unit circle turning with the angular frequency
``omega_i = base^(-2i / d_model)`` (``base`` = 10000 on the sheet): low ``i`` turns fast, high
``i`` slowly, so every position gets a distinct pattern of angles.

Why *relative* positions are easy to read off.  Moving from ``pos`` to ``pos + delta`` turns
every pair by the angle ``omega_i * delta``, whatever ``pos`` is (angle addition)::

    [sin(w(p + d))]   [ cos(w d)  sin(w d)] [sin(w p)]
    [cos(w(p + d))] = [-sin(w d)  cos(w d)] [cos(w p)]

so one fixed 2x2 rotation per frequency maps PE(p) to PE(p + delta) for *every* p: a shift is a
linear map (``shift_matrix``), which a layer can learn once and apply anywhere.

Two layouts are in circulation: the sheet's ``"interleaved"`` one (sine in the even columns,
cosine in the odd ones) and ``"concatenated"`` (all sines, then all cosines, as in several
libraries).  They hold the same numbers with the columns permuted.

Only numpy is used.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

LAYOUTS = ("interleaved", "concatenated")
DEFAULT_BASE = 10_000.0
MAX_ELEMENTS = 20_000_000  # n_positions * d_model cap (160 MB of float64)


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _check_base(base) -> float:
    if isinstance(base, bool) or not isinstance(base, numbers.Real):
        raise ValueError(f"base must be a number greater than 1, got {base!r}.")
    b = float(base)
    if not math.isfinite(b) or b <= 1.0:
        raise ValueError(
            f"base must be a finite number greater than 1 (the sheet uses 10000), got {base!r}."
        )
    return b


def _check_layout(layout) -> str:
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}.")
    return layout


def frequencies(d_model: int, base: float = DEFAULT_BASE) -> np.ndarray:
    """Angular frequencies omega_i = base^(-2i / d_model), i = 0 .. ceil(d_model / 2) - 1.

    (ceil(d_model / 2),) float64, decreasing from 1.
    """
    d = _positive_int("d_model", d_model)
    b = _check_base(base)
    i = np.arange((d + 1) // 2, dtype=np.float64)  # (d/2,)
    return b ** (-2.0 * i / d)


def positional_encoding(
    n_positions: int,
    d_model: int,
    base: float = DEFAULT_BASE,
    layout: str = "interleaved",
) -> np.ndarray:
    """The sheet's sinusoidal encoding of positions 0 .. n_positions - 1.

    Returns P (n_positions, d_model) float64 with, for ``layout="interleaved"`` (the sheet's)::

        P[pos, 2i]     = sin(pos / base^(2i / d_model))
        P[pos, 2i + 1] = cos(pos / base^(2i / d_model))

    and for ``layout="concatenated"`` the sines in columns 0 .. d/2 - 1 and the cosines of the
    same frequencies in columns d/2 .. d - 1.

    An odd ``d_model`` is allowed in the interleaved layout (the last column is a sine without
    its cosine, exactly what the formula gives) and rejected in the concatenated one, which
    needs two halves.  Raises ``ValueError`` for non-positive or non-integer sizes, a ``base``
    that is not a finite number above 1, an unknown layout, or more than ``MAX_ELEMENTS``
    entries.
    """
    n = _positive_int("n_positions", n_positions)
    d = _positive_int("d_model", d_model)
    b = _check_base(base)
    _check_layout(layout)
    if layout == "concatenated" and d % 2:
        raise ValueError(
            f"the concatenated layout needs an even d_model (half sines, half cosines), got {d}."
        )
    if n * d > MAX_ELEMENTS:
        raise ValueError(
            f"n_positions x d_model = {n * d:,} entries is over the {MAX_ELEMENTS:,} limit."
        )
    omega = frequencies(d, b)  # (ceil(d/2),)
    angles = np.arange(n, dtype=np.float64)[:, None] * omega[None, :]  # (n, ceil(d/2))
    P = np.empty((n, d), dtype=np.float64)
    if layout == "interleaved":
        P[:, 0::2] = np.sin(angles)
        P[:, 1::2] = np.cos(angles[:, : d // 2])
    else:
        half = d // 2
        P[:, :half] = np.sin(angles)
        P[:, half:] = np.cos(angles)
    return P


def rotation_blocks(delta: float, d_model: int, base: float = DEFAULT_BASE) -> np.ndarray:
    """The 2x2 rotations R_i(delta) that map (sin, cos) of frequency i at position p to the same
    pair at position p + delta, for every p::

        R_i(delta) = [[ cos(omega_i delta), sin(omega_i delta)],
                      [-sin(omega_i delta), cos(omega_i delta)]]

    Returns (d_model / 2, 2, 2) float64.  Needs an even ``d_model`` (every sine has its cosine).
    """
    d = _positive_int("d_model", d_model)
    if d % 2:
        raise ValueError(f"the rotation property needs an even d_model, got {d}.")
    if isinstance(delta, bool) or not isinstance(delta, numbers.Real) or not math.isfinite(delta):
        raise ValueError(f"delta must be a finite number, got {delta!r}.")
    theta = frequencies(d, base) * float(delta)  # (d/2,)
    c, s = np.cos(theta), np.sin(theta)
    R = np.empty((d // 2, 2, 2), dtype=np.float64)
    R[:, 0, 0], R[:, 0, 1] = c, s
    R[:, 1, 0], R[:, 1, 1] = -s, c
    return R


def shift_matrix(
    delta: float, d_model: int, base: float = DEFAULT_BASE, layout: str = "interleaved"
) -> np.ndarray:
    """M (d_model, d_model) with PE(p + delta) = M @ PE(p) for every position p: the blocks of
    ``rotation_blocks`` placed on the columns of each (sin, cos) pair of ``layout``.  It depends
    on ``delta`` only, never on ``p``."""
    _check_layout(layout)
    R = rotation_blocks(delta, d_model, base)  # (d/2, 2, 2)
    d = int(d_model)
    half = d // 2
    M = np.zeros((d, d), dtype=np.float64)
    for i in range(half):
        s_col, c_col = (2 * i, 2 * i + 1) if layout == "interleaved" else (i, half + i)
        M[s_col, s_col], M[s_col, c_col] = R[i, 0, 0], R[i, 0, 1]
        M[c_col, s_col], M[c_col, c_col] = R[i, 1, 0], R[i, 1, 1]
    return M

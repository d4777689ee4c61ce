"""Parse numbers and matrices typed by a user, with messages that say what is accepted."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

MATRIX_HELP = (
    "numbers separated by spaces or commas, rows separated by ';' "
    "(e.g. '1 1; 1 1; 1 1'); fractions such as 1/2 and decimals such as -0.5 are accepted"
)


def parse_scalar(token: str, name: str = "value") -> float:
    """One finite number: an integer, a decimal, or a fraction p/q."""
    tok = token.strip()
    if not tok:
        raise ValueError(f"{name} has an empty entry. Enter {MATRIX_HELP}.")
    if not tok.isascii():
        raise ValueError(f"{name}: '{tok}' contains non-ASCII characters; type plain digits.")
    try:
        value = float(Fraction(tok)) if "/" in tok else float(tok)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{name}: '{tok}' is not a number. Enter {MATRIX_HELP}.") from None
    if not math.isfinite(value):
        raise ValueError(
            f"{name}: '{tok}' is not a finite number; NaN and infinity are not accepted."
        )
    return value


def parse_matrix(text: str, name: str, shape: tuple[int, int] | None = None) -> np.ndarray:
    """Parse '1 1; 1 1' into a float array (rows, cols).  Checks ``shape`` when given."""
    raw = (text or "").strip()
    if not raw:
        raise ValueError(f"{name} is empty. Enter {MATRIX_HELP}.")
    rows = [r for r in raw.replace("\n", ";").split(";")]
    if rows and not rows[-1].strip():
        rows = rows[:-1]
    values = []
    for r in rows:
        tokens = [t for t in r.replace(",", " ").split()]
        if not tokens:
            raise ValueError(f"{name} has an empty row. Enter {MATRIX_HELP}.")
        values.append([parse_scalar(t, name) for t in tokens])
    widths = {len(r) for r in values}
    if len(widths) != 1:
        raise ValueError(
            f"{name}: every row needs the same number of entries, got rows of "
            f"{sorted(widths)} entries."
        )
    arr = np.array(values, dtype=np.float64)
    if shape is not None and arr.shape != shape:
        raise ValueError(
            f"{name} must be {shape[0]} x {shape[1]}, got {arr.shape[0]} x {arr.shape[1]}."
        )
    return arr


def format_matrix(arr, fmt=None) -> str:
    """Inverse of ``parse_matrix``: rows joined by '; '."""
    fmt = fmt or format_number
    a = np.atleast_2d(np.asarray(arr, dtype=np.float64))
    return "; ".join(" ".join(fmt(v) for v in row) for row in a)


def format_number(v: float) -> str:
    """Show a weight exactly when it is a simple fraction (1/2, -3/4), else with 4 decimals."""
    f = Fraction(float(v)).limit_denominator(64)
    if abs(float(f) - v) < 1e-12:
        return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"
    return f"{v:.4g}"

"""Parse numbers and matrices typed by a user, with messages that say what is accepted.

``parse_number`` reads a whole number typed in decimal or binary (the adder's operands);
``parse_scalar`` / ``parse_matrix`` read weights such as ``-7/2`` or ``1 1; 1 1``, and
``format_number`` / ``format_matrix`` write them back the same way.
"""

from __future__ import annotations

import math
import unicodedata
from fractions import Fraction

import numpy as np

MAX_SHOWN_DIGITS = 40  # a longer out-of-range number is described by its length, not repeated
MATRIX_HELP = (
    "numbers separated by spaces or commas, rows separated by ';' "
    "(e.g. '1 1; 1 1; 1 1'); fractions such as 1/2 and decimals such as -0.5 are accepted"
)


def parse_number(text: str, fmt: str = "decimal", max_bits: int = 16) -> int:
    """Parse a non-negative whole number typed by a user.

    ``fmt`` is ``"decimal"`` (``55``; ``0b110111`` is accepted too) or ``"binary"`` (``110111``
    or ``0b110111``); underscores are ignored.  Raises ``ValueError`` with a message that says
    what is accepted.
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
    largest = 2**max_bits - 1
    significant = body.lstrip("0")
    if len(significant) > max(MAX_SHOWN_DIGITS, len(format(largest, "b" if base == 2 else "d"))):
        # far out of range: said without building (or repeating) the huge number
        raise ValueError(
            f"A number of {len(significant):,} {'binary' if base == 2 else 'decimal'} digits "
            f"needs more than {max_bits} bits; this page adds numbers of at most {max_bits} bits "
            f"(0 to {largest})."
        )
    value = int(body, base)
    if value.bit_length() > max_bits:
        raise ValueError(
            f"{value} needs {value.bit_length()} bits; this page adds numbers of at most "
            f"{max_bits} bits (0 to {largest})."
        )
    return value


def parse_scalar(token: str, name: str = "value") -> float:
    """One finite number: an integer, a decimal, or a fraction p/q."""
    tok = token.strip()
    if not tok:
        raise ValueError(f"{name} has an empty entry. Enter {MATRIX_HELP}.")
    if not tok.isascii():
        raise ValueError(f"{name}: '{tok}' contains non-ASCII characters; type plain digits.")
    shown = tok if len(tok) <= 40 else tok[:39] + "…"
    try:
        value = float(Fraction(tok)) if "/" in tok else float(tok)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{name}: '{shown}' is not a number. Enter {MATRIX_HELP}.") from None
    except OverflowError:  # a fraction whose value is beyond float range
        value = math.inf
    if not math.isfinite(value):
        raise ValueError(
            f"{name}: '{shown}' is not a finite number (NaN, infinity and magnitudes above "
            "about 1.8e308 are not accepted)."
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

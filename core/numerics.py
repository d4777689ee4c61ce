"""Numerical helpers shared across core: input checks and overflow-free functions.

Type checks (``is_int``, ``is_number``), input checking that turns anything array-like into
finite float64 values (``finite``, ``as_real``), read-only arrays, overflow-free sigmoid / tanh
derivatives, and the power-of-two rescaling that lets the backward recursions report exact
log10 magnitudes far outside the float64 range.
"""

from __future__ import annotations

import math

import numpy as np

LOG10_2 = math.log10(2.0)


def is_int(v) -> bool:
    """A whole number: Python or numpy int, not a bool."""
    return isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_)


def is_number(v) -> bool:
    """A real number: Python or numpy int or float, not a bool (may be NaN or infinite)."""
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(
        v, bool | np.bool_
    )


def finite(name: str, value) -> float:
    """``value`` as a finite float; ValueError naming ``name`` otherwise."""
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} must be a real number, got {value!r}.") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite: it is NaN or infinity.")
    return v


def as_real(name: str, value, min_ndim: int = 0) -> float | np.ndarray:
    """A finite float (0-d input) or a read-only float64 array copy."""
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a real number or an array of real numbers, got {value!r}."
        ) from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite: it contains NaN or infinity.")
    if arr.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got {arr.shape}.")
    if arr.ndim == 0:
        return float(arr)
    arr.setflags(write=False)
    return arr


def broadcast_shape(what: str, shapes: dict[str, tuple[int, ...]]) -> tuple[int, ...]:
    try:
        return tuple(np.broadcast_shapes(*shapes.values()))
    except ValueError:
        listed = ", ".join(f"{k}: {v}" for k, v in shapes.items())
        raise ValueError(
            f"{what}: batch shapes do not broadcast together ({listed}). Use floats or arrays "
            f"of one common shape such as (B,)."
        ) from None


def readonly(a, dtype=np.float64) -> np.ndarray:
    """A contiguous read-only copy (or view) of ``a`` as ``dtype`` (None keeps its dtype)."""
    a = np.ascontiguousarray(a, dtype=dtype)
    a.setflags(write=False)
    return a


def out_value(a) -> float | np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    return float(a) if a.ndim == 0 else readonly(a)


def dtanh(z: np.ndarray) -> np.ndarray:
    """1 - tanh²(z) = 4u/(1+u)², u = exp(-2|z|): no cancellation when |z| is large."""
    u = np.exp(-2.0 * np.abs(z))
    r = 1.0 / (1.0 + u)
    return 4.0 * u * r * r


def scaled_to_plain(hat, exponent) -> np.ndarray:
    """hat * 2**exponent; underflows to 0 or saturates to ±inf, silently, outside float64.

    ``exponent`` is passed to ldexp as int32 (twice as fast as int64); |exponent| > 2**30
    is clipped, which cannot change the result for any finite hat (0 or ±inf either way).
    """
    e = np.clip(exponent, -(2**30), 2**30).astype(np.int32)
    with np.errstate(over="ignore", under="ignore"):
        return np.ldexp(hat, e)


def log10_scaled(mag: np.ndarray, exponent: np.ndarray) -> np.ndarray:
    """log10(mag * 2**exponent) for mag >= 0, without forming the product (-inf where 0)."""
    mag = np.asarray(mag)
    zero = mag == 0
    out = np.asarray(np.log10(np.where(zero, 1.0, mag)) + exponent * LOG10_2)
    out[zero] = -np.inf
    return out


def common_scale(mag: np.ndarray, exponent: np.ndarray) -> np.ndarray:
    """Per row, the exponent E of the largest of mag[..., t] * 2**exponent[..., t] (mag >= 0)
    over the last axis; rows of zeros get 0.  (*S, T) -> (*S,)"""
    e_val = np.frexp(mag)[1] + exponent
    nonzero = mag > 0
    top = np.where(nonzero, e_val, np.iinfo(np.int32).min).max(axis=-1)
    return np.where(nonzero.any(axis=-1), top, 0)


def flush_tiny(a: np.ndarray) -> np.ndarray:
    """Set subnormal entries of terms scaled to a largest entry ~1 to 0: far below rounding,
    and subnormals slow the arithmetic that follows (BLAS above all) a hundredfold."""
    a[np.abs(a) < np.finfo(np.float64).tiny] = 0.0
    return a


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Overflow-free logistic function: 1/(1+e) for z >= 0, e/(1+e) for z < 0, e = exp(-|z|)."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    r = 1.0 / (1.0 + e)
    return np.where(z >= 0, r, e * r)


def dsigmoid(z: np.ndarray) -> np.ndarray:
    """sigmoid'(z) = sigmoid(z)(1 - sigmoid(z)) = e/(1+e)², e = exp(-|z|) (no cancellation)."""
    e = np.exp(-np.abs(z))
    r = 1.0 / (1.0 + e)
    return e * r * r

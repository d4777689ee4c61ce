"""Attention as a weighted average, and why two heads beat one (homework question 3).

The operation of equations (45)-(46) of the homework sheet::

    c = sum_i alpha_i v_i                                            (45)
    alpha_i = exp(k_i^T q) / sum_j exp(k_j^T q)                      (46)

with a query ``q`` (d,), keys ``K`` (n, d) whose rows are ``k_i`` and values ``V`` (n, d) whose
rows are ``v_i``.  This module provides

* ``softmax`` / ``log_softmax`` -- numerically stable (log-sum-exp) versions of (46);
* ``attend``       -- equations (45)-(46), for one query or a batch of ``S`` queries;
* ``copy_gap``     -- part (a), (47)-(48): a large query along one key copies its value;
* ``alpha_pair_closed_form``, ``alpha_single_head_vs_norm``, ``alpha_two_heads_vs_norm`` --
  the closed forms (49), (56) and (65), evaluated in log space so they hold for huge ``M``;
* ``sample_outputs`` / ``summarize`` -- the sampling experiment of parts (c)-(e).
* ``pair_weights``, ``copy_curve``, ``near_zero_keys``, ``pair_plane`` -- what the app draws:
  part (b) computed with ``attend``, copying over a range of scales, short keys of (65),
  and the outputs seen in the plane of items ``a`` and ``b``.

Notation clash.  The sheet uses ``alpha`` twice: for the attention weights ``alpha_i`` of (46)
and for the key noise scale in ``Sigma_i = alpha I``.  In this module the *parameter* ``alpha``
of ``sample_outputs`` is always the noise scale; attention weights are called ``weights``.

Key model of parts (c)-(d).  The means ``mu_i`` are orthonormal.  They are standard basis
vectors ``mu_i = e_{pi(i)}`` with the fixed permutation ``pi`` that swaps the first two
coordinates (``pi(0) = 1, pi(1) = 0, pi(i) = i`` for ``i >= 2``), so for ``n = d = 2`` they are
exactly the sheet's ``mu_1 = (0, 1)`` and ``mu_2 = (1, 0)`` (the sheet's item 1 is index 0 here)
and items 0 and 1 always live in the first two coordinates (the ones a 2-D plot shows).  Keys
are sampled as ``k_i ~ N(mu_i, Sigma_i)`` with ``Sigma_i = alpha I`` and, for item ``a``,
``Sigma_a = alpha I + beta mu_a mu_a^T`` (the sheet has ``beta = 1/2``).  Because ``mu_a`` has
unit norm this is exactly ``k_a = mu_a + sqrt(alpha) z1 + sqrt(beta) z2 mu_a`` with independent
standard normals ``z1`` (d,) and ``z2`` (scalar): the norm of ``k_a`` wobbles (Figure 1, (55)),
its direction hardly does.  Values default to ``v_i = mu_i`` as in part (e).

Indices ``a`` and ``b`` are 0-based.  All randomness goes through ``np.random.default_rng(seed)``
and the same seed gives the same underlying normals whatever ``M``, ``alpha``, ``beta`` or
``heads`` are, so toggling those in the app changes the physics, not the dice.  Only numpy is
used.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from core.numerics import readonly

MAX_SAMPLES = 10_000  # cap on n_samples for sample_outputs
MAX_DIM = 16  # cap on d (keys are (S, n, d): 10,000 x 16 x 16 floats is about 20 MB)
ELLIPSE_POINTS = 101  # points on the closed covariance ellipse (first point == last point)


# --------------------------------------------------------------------------------------------
# Softmax (46)
# --------------------------------------------------------------------------------------------


_SMALL_AXIS = 8  # reductions over this few entries run faster as element-wise loops


def _reduce_last(z: np.ndarray, ufunc: np.ufunc) -> np.ndarray:
    """``ufunc.reduce`` over the last axis, keeping it (shape ``z.shape[:-1] + (1,)``).

    numpy reductions over a short trailing axis (n = 2 items) are slow; for at most
    ``_SMALL_AXIS`` entries an element-wise loop over the columns is several times faster.
    """
    if z.shape[-1] > _SMALL_AXIS:
        return ufunc.reduce(z, axis=-1, keepdims=True)
    out = z[..., 0].copy()
    for i in range(1, z.shape[-1]):
        ufunc(out, z[..., i], out=out)
    return out[..., None]


def _shifted(z, axis: int) -> np.ndarray:
    """Validate ``z`` and return ``z - max(z)`` along ``axis``, with that axis moved last."""
    z = np.asarray(z, dtype=np.float64)
    if z.ndim == 0:
        raise ValueError("softmax needs at least a 1-D array of scores, got a scalar.")
    z = np.moveaxis(z, axis, -1)
    if z.shape[-1] == 0:
        raise ValueError("softmax needs at least one score along the chosen axis.")
    if np.isnan(z).any() or np.isposinf(z).any():
        raise ValueError("Scores must be finite numbers (or -inf to mask an entry); got NaN/+inf.")
    zmax = _reduce_last(z, np.maximum)
    if not np.isfinite(zmax).all():
        raise ValueError("Every softmax row needs at least one finite score (all were -inf).")
    return z - zmax


def log_softmax(z, axis: int = -1) -> np.ndarray:
    """``log alpha`` of (46) along ``axis``: ``z - logsumexp(z)``, same shape as ``z``.

    Computed as ``(z - max z) - log(sum exp(z - max z))``: the largest shifted score is 0, so
    nothing overflows and the sum is at least 1.  Accepts ``-inf`` entries (masked items).
    """
    shifted = _shifted(z, axis)
    out = shifted - np.log(_reduce_last(np.exp(shifted), np.add))
    return np.moveaxis(out, -1, axis)


def softmax(z, axis: int = -1) -> np.ndarray:
    """Attention weights (46) along ``axis``; same shape as ``z``, entries in [0, 1], sum 1.

    Shift-invariant: ``softmax(z + c) == softmax(z)``, which is what makes it stable.  Scores of
    size 1e6 work without overflow warnings or NaN (tiny weights underflow quietly to 0).
    """
    e = np.exp(_shifted(z, axis))
    e /= _reduce_last(e, np.add)
    return np.moveaxis(e, -1, axis)


# --------------------------------------------------------------------------------------------
# Attention (45)-(46)
# --------------------------------------------------------------------------------------------


def _as_float_array(name: str, value) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must contain numbers only ({exc}).") from None
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity; every entry must be a finite number.")
    return arr


def _shape(arr: np.ndarray) -> str:
    return " x ".join(str(s) for s in arr.shape) or "a scalar"


def attend(q, K, V) -> tuple[np.ndarray, np.ndarray]:
    """Single-head attention (45)-(46): ``alpha = softmax(K q)``, ``c = sum_i alpha_i v_i``.

    Shapes (``S`` = batch of samples, ``n`` = items, ``d`` = dimension)::

        q (d,)    K (n, d)                  V (n, d)               -> c (d,)    alpha (n,)
        q (S, d)  K (S, n, d)               V (n, d) or (S, n, d)  -> c (S, d)  alpha (S, n)

    More generally each of ``q``, ``K``, ``V`` may be batched or not independently (e.g. one
    query ``q`` (d,) against a batch of key sets ``K`` (S, n, d)); the output is batched as soon
    as one input is, and every batched input must have the same ``S``.  Note that the values may
    have their own dimension: ``V`` (n, d_v) gives ``c`` (d_v,).

    Returns ``(c, alpha)``.  Raises ``ValueError`` for wrong ranks, mismatched sizes, empty
    inputs or non-finite entries.
    """
    q = _as_float_array("q", q)
    K = _as_float_array("K", K)
    V = _as_float_array("V", V)
    if q.ndim not in (1, 2):
        raise ValueError(f"q must be (d,) or (S, d), got {_shape(q)}.")
    if K.ndim not in (2, 3):
        raise ValueError(f"K must be (n, d) or (S, n, d), got {_shape(K)}.")
    if V.ndim not in (2, 3):
        raise ValueError(f"V must be (n, d) or (S, n, d), got {_shape(V)}.")
    n, d = K.shape[-2:]
    if n < 1 or d < 1:
        raise ValueError(f"K needs at least one key of dimension at least 1, got {_shape(K)}.")
    if q.shape[-1] != d:
        raise ValueError(f"q has dimension {q.shape[-1]} but the keys K have dimension {d}.")
    if V.shape[-2] != n:
        raise ValueError(f"V has {V.shape[-2]} values but K has {n} keys; they must match.")
    if V.shape[-1] < 1:
        raise ValueError("V needs values of dimension at least 1.")
    ranked = (("q", q, 2), ("K", K, 3), ("V", V, 3))
    batch = {name: arr.shape[0] for name, arr, rank in ranked if arr.ndim == rank}
    if len(set(batch.values())) > 1:
        sizes = ", ".join(f"{name}: {s}" for name, s in batch.items())
        raise ValueError(f"Batched inputs must share the batch size S ({sizes}).")

    # Scores k_i^T q of (46).
    if K.ndim == 3 and q.ndim == 2:
        scores = np.matmul(K, q[:, :, None])[:, :, 0]  # (S, n)
    elif K.ndim == 3:
        scores = K @ q  # (S, n)
    else:
        scores = q @ K.T  # (n,) or (S, n)
    alpha = softmax(scores, axis=-1)  # (n,) or (S, n)
    # Weighted average (45).
    if V.ndim == 2:
        c = alpha @ V  # (d_v,) or (S, d_v)
    else:
        c = np.matmul(alpha[..., None, :], V)[..., 0, :]  # (S, d_v)
    return c, alpha


# --------------------------------------------------------------------------------------------
# Closed forms (49), (56), (65)
# --------------------------------------------------------------------------------------------


def _check_n(n) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 2:
        raise ValueError(f"n (number of items) must be an integer of at least 2, got {n!r}.")
    return int(n)


def _weight(rel_terms: list[np.ndarray]) -> np.ndarray:
    """``1 / sum_t exp(rel_terms[t])`` where ``rel_terms[t] = log(term_t) - log(numerator)``.

    Writing the weight ``exp(s_a) / sum_j exp(s_j)`` as ``1 / sum_j exp(s_j - s_a)`` with the
    differences formed *before* exponentiating keeps full precision even for ``M = 1e6`` (where
    ``M + log 2`` would already have lost digits) and never overflows (log-sum-exp).
    """
    log_den = rel_terms[0]
    for term in rel_terms[1:]:
        log_den = np.logaddexp(log_den, term)
    return np.exp(-log_den)


def _scalar_or_array(x: np.ndarray, *inputs) -> float | np.ndarray:
    return float(x) if all(np.ndim(i) == 0 for i in inputs) else x


def alpha_pair_closed_form(M, n: int) -> float | np.ndarray:
    """(49)-(50), and again (52)-(53): ``alpha_a = alpha_b = exp(M) / (2 exp(M) + n - 2)``.

    The weight of each of the two targeted items for orthonormal keys and ``q = M (k_a + k_b)``
    (scores ``M, M`` and ``0`` for the other ``n - 2`` items).  ``M`` may be an array; the value
    tends to 1/2 as ``M`` grows.  Evaluated as ``1 / (2 + (n - 2) exp(-M))`` in log space, so
    ``M = 1e6`` or ``-1e6`` is fine.
    """
    n = _check_n(n)
    M = _as_float_array("M", M)
    terms = [np.full_like(M, math.log(2.0))]
    if n > 2:
        terms.append(math.log(n - 2) - M)
    return _scalar_or_array(_weight(terms), M)


def alpha_single_head_vs_norm(norm_ka, M, n: int) -> float | np.ndarray:
    """(56)-(57): weight of item ``a`` for the single-head query ``q = M (mu_a + mu_b)`` when
    ``k_a = ||k_a|| mu_a`` and every other key is exactly its mean::

        alpha_a = exp(||k_a|| M) / (exp(||k_a|| M) + exp(M) + n - 2)

    ``norm_ka`` and ``M`` broadcast against each other (arrays give an array).  For large ``M``
    this is a steep step at ``||k_a|| = 1``: a norm of ``1 - beta`` gives about 0, ``1 + beta``
    about 1, which is why ``c ≈ alpha_a v_a + alpha_b v_b`` (58) wanders between ``v_b`` and
    ``v_a`` in part (c) ii.
    """
    n = _check_n(n)
    norm_ka = _as_float_array("norm_ka", norm_ka)
    M = _as_float_array("M", M)
    s_a = norm_ka * M  # k_a^T q
    terms = [np.zeros_like(s_a), (1.0 - norm_ka) * M]  # s_a - s_a, M - s_a
    if n > 2:
        terms.append(math.log(n - 2) - s_a)
    return _scalar_or_array(_weight(terms), norm_ka, M)


def alpha_two_heads_vs_norm(norm_ka, M, n: int) -> float | np.ndarray:
    """(65), and (66) for ``b`` and ``q_2``: weight of item ``a`` for the head ``q_1 = M mu_a``
    when ``k_a = ||k_a|| mu_a`` and every other key is exactly its mean::

        alpha_a = exp(||k_a|| M) / (exp(||k_a|| M) + n - 1)

    ``norm_ka`` and ``M`` broadcast.  For large ``M`` this is close to 1 for every norm that is
    not close to 0 -- the norm of ``k_a`` hardly matters, which is the point of part (d) ii:
    each head still copies its own value, ``alpha_a ≈ 1`` (59), ``c_1 ≈ v_a`` (60),
    ``alpha_b ≈ 1`` (61), ``c_2 ≈ v_b`` (62).
    """
    n = _check_n(n)
    norm_ka = _as_float_array("norm_ka", norm_ka)
    M = _as_float_array("M", M)
    s_a = np.asarray(norm_ka * M, dtype=np.float64)  # k_a^T q_1
    return _scalar_or_array(_weight([np.zeros_like(s_a), math.log(n - 1) - s_a]), norm_ka, M)


# --------------------------------------------------------------------------------------------
# Means, queries and copying (a)
# --------------------------------------------------------------------------------------------


def _check_int(name: str, value, low: int, high: int | None = None, what: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer{what}, got {value!r}.")
    value = int(value)
    if value < low or (high is not None and value > high):
        rng = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{name} must be {rng}{what}, got {value}.")
    return value


def _check_nd(n, d) -> tuple[int, int]:
    d = _check_int("d", d, 2, MAX_DIM, " (the dimension of keys and values)")
    n = _check_int("n", n, 2, None, " (the number of items)")
    if n > d:
        raise ValueError(
            f"n = {n} orthonormal means need d >= n dimensions, got d = {d}; choose n <= d."
        )
    return n, d


def orthonormal_means(n: int, d: int) -> np.ndarray:
    """The key means ``mu_i`` (rows), ``(n, d)``: ``mu_i = e_{pi(i)}`` with ``pi`` swapping the
    first two coordinates, so ``n = d = 2`` gives the sheet's ``mu_1 = (0, 1)``, ``mu_2 = (1, 0)``.

    Requires ``2 <= n <= d <= MAX_DIM``.
    """
    n, d = _check_nd(n, d)
    perm = np.arange(n)
    perm[[0, 1]] = [1, 0]
    mu = np.zeros((n, d))  # (n, d)
    mu[np.arange(n), perm] = 1.0
    return mu


def design_queries(mu: np.ndarray, M: float, a: int, b: int, heads: int) -> np.ndarray:
    """Queries of parts (c) i. and (d) i., ``(heads, d)``.

    ``heads = 1``: ``q = M (mu_a + mu_b)`` (one row).  ``heads = 2``: ``q_1 = M mu_a`` and
    ``q_2 = M mu_b``.  ``mu`` is ``(n, d)``; inputs are assumed validated by the caller.
    """
    if heads == 1:
        return (M * (mu[a] + mu[b]))[None, :]  # (1, d)
    return M * np.stack([mu[a], mu[b]])  # (2, d)


@dataclass(frozen=True, eq=False)
class CopyResult:
    """Part (a): keys ``mu`` (n, d), query ``q = scale mu_j`` (d,).

    weights (n,) -- attention weights (46);  c (d,) -- output (45);  v_j (d,) -- the target value;
    alpha_j -- ``weights[j]``;  gap -- ``||c - v_j||`` (48);  one_minus_alpha_j -- ``1 - alpha_j``
    computed as the sum of the other weights, so it stays accurate when ``alpha_j`` rounds to 1.
    """

    j: int
    scale: float
    q: np.ndarray
    keys: np.ndarray
    values: np.ndarray
    weights: np.ndarray
    c: np.ndarray
    v_j: np.ndarray
    alpha_j: float
    one_minus_alpha_j: float
    gap: float


def copy_gap(j: int, scale: float, n: int, d: int, V=None) -> CopyResult:
    """Copying via attention (47)-(48): keys are the orthonormal means ``mu`` (n, d), the query
    is ``q = scale mu_j``, so the scores are ``scale`` for item ``j`` and 0 for the others and
    ``alpha_j = exp(scale) / (exp(scale) + n - 1) -> 1``, ``c -> v_j`` as ``scale`` grows.

    ``V`` (n, d_v) defaults to ``mu`` as in part (e).  ``j`` is 0-based.
    """
    n, d = _check_nd(n, d)
    j = _check_int("j", j, 0, n - 1, " (0-based index of the item to copy)")
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or not math.isfinite(scale):
        raise ValueError(f"scale must be a finite number, got {scale!r}.")
    mu = orthonormal_means(n, d)  # (n, d)
    values = mu if V is None else _check_values(V, n)  # (n, d_v)
    q = float(scale) * mu[j]  # (d,)
    c, weights = attend(q, mu, values)  # (d_v,), (n,)
    # 1 - alpha_j as the sum of the other weights: each of those is accurate even when it is
    # far below the rounding error of alpha_j ~ 1 (expm1 of log_softmax is not: it gives 0).
    one_minus = float(np.delete(weights, j).sum())
    return CopyResult(
        j=j,
        scale=float(scale),
        q=readonly(q),
        keys=readonly(mu),
        values=readonly(values),
        weights=readonly(weights),
        c=readonly(c),
        v_j=readonly(values[j].copy()),
        alpha_j=float(weights[j]),
        one_minus_alpha_j=one_minus,
        gap=float(np.linalg.norm(c - values[j])),
    )


# --------------------------------------------------------------------------------------------
# Sampling experiment (c)-(e)
# --------------------------------------------------------------------------------------------


def _check_values(V, n: int) -> np.ndarray:
    values = _as_float_array("V", V)
    if values.ndim != 2 or values.shape[0] != n or values.shape[1] < 1:
        raise ValueError(f"V must be (n, d_v) with n = {n} rows, got {_shape(values)}.")
    return values.copy()


def _check_real(name: str, value, *, nonneg: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}.")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}.")
    if nonneg and value < 0:
        raise ValueError(f"{name} is a variance and must be >= 0, got {value}.")
    return value


@dataclass(frozen=True)
class SampleParams:
    """The validated inputs of ``sample_outputs`` (``alpha`` = key noise variance of
    ``Sigma_i = alpha I``; ``beta`` = extra variance of item ``a`` along ``mu_a``)."""

    heads: int
    M: float
    alpha: float
    beta: float
    n_samples: int
    n: int
    d: int
    a: int
    b: int
    seed: int
    custom_values: bool


@dataclass(frozen=True, eq=False)
class SampleResult:
    """Outputs of the sampling experiment of parts (c)-(e); ``S = n_samples``.

    c        (S, d_v)   output: (45) for one head, ``(c_1 + c_2) / 2`` (63) for two heads
    keys     (S, n, d)  sampled keys ``k_i`` (row ``a`` carries the extra ``beta`` wobble)
    weights  (S, n) for one head, (S, 2, n) for two heads (head 0 looks at ``a``, head 1 at
             ``b``) -- attention weights (46)
    scores   same shape as ``weights``: ``k_i^T q``
    head_outputs  (S, heads, d_v): ``c_1`` (and ``c_2``) before averaging
    queries  (heads, d): ``q = M (mu_a + mu_b)`` or ``q_1 = M mu_a, q_2 = M mu_b``
    means    (n, d) the ``mu_i``;   values (n, d_v) the ``v_i``
    negative (S,) bool: ``k_a^T q < 0`` for the query that looks at ``a`` (``q`` or ``q_1``).  The
             sheet sets these samples aside ("ignore cases in which k_a^T q_i < 0"); the app
             marks them and never hides them.
    params   the validated inputs
    """

    c: np.ndarray
    keys: np.ndarray
    weights: np.ndarray
    scores: np.ndarray
    head_outputs: np.ndarray
    queries: np.ndarray
    means: np.ndarray
    values: np.ndarray
    negative: np.ndarray
    params: SampleParams

    @property
    def query(self) -> np.ndarray:
        """(d,): the query that looks at item ``a`` -- ``q`` for one head, ``q_1`` for two."""
        return self.queries[0]

    @property
    def score_a(self) -> np.ndarray:
        """(S,): ``k_a^T q`` (one head) or ``k_a^T q_1`` (two heads); negative where < 0."""
        a = self.params.a
        return self.scores[:, a] if self.scores.ndim == 2 else self.scores[:, 0, a]

    @property
    def norm_ka(self) -> np.ndarray:
        """(S,): ``||k_a||`` for every sample (the quantity on the x-axis of (56) and (65))."""
        return np.linalg.norm(self.keys[:, self.params.a], axis=-1)

    @property
    def target(self) -> np.ndarray:
        """(d_v,): the desired output ``(v_a + v_b) / 2`` of (51), (54), (63), (67)."""
        return 0.5 * (self.values[self.params.a] + self.values[self.params.b])

    @property
    def length_a(self) -> np.ndarray:
        """(S,): ``k_a^T mu_a``, the signed length of ``k_a`` along its mean -- the ``||k_a||``
        on the x-axis of (56) and (65), negative when ``k_a`` points backwards."""
        return self.keys[:, self.params.a] @ self.means[self.params.a]


def sample_outputs(
    heads: int = 1,
    M: float = 20.0,
    alpha: float = 1e-10,
    beta: float = 0.5,
    n_samples: int = 1000,
    n: int = 2,
    d: int = 2,
    a: int = 0,
    b: int = 1,
    seed: int = 0,
    V=None,
) -> SampleResult:
    """Sample ``n_samples`` key sets and run the single- or two-head attention of (c)-(d).

    Keys (S, n, d): ``k_i = mu_i + sqrt(alpha) z1_i`` and additionally
    ``k_a += sqrt(beta) z2 mu_a``, i.e. ``k_i ~ N(mu_i, alpha I)`` and
    ``k_a ~ N(mu_a, alpha I + beta mu_a mu_a^T)``.  ``heads = 1`` uses ``q = M (mu_a + mu_b)``;
    ``heads = 2`` uses ``q_1 = M mu_a``, ``q_2 = M mu_b`` and outputs ``(c_1 + c_2) / 2`` (63).
    Values ``V`` (n, d_v) default to ``mu`` (part (e): ``v_i = mu_i``).  ``a``, ``b`` are 0-based.

    Accepted: ``heads`` in {1, 2}; finite ``M``; finite ``alpha, beta >= 0``;
    ``1 <= n_samples <= MAX_SAMPLES``; ``2 <= n <= d <= MAX_DIM``; ``0 <= a, b < n``, ``a != b``;
    integer ``seed >= 0``.  Anything else raises ``ValueError`` saying what is accepted.
    """
    if isinstance(heads, bool) or not isinstance(heads, numbers.Integral) or heads not in (1, 2):
        raise ValueError(
            f"heads must be 1 (one query, part (c)) or 2 (two queries, part (d)), got {heads!r}."
        )
    heads = int(heads)
    M = _check_real("M", M)
    alpha = _check_real("alpha", alpha, nonneg=True)
    beta = _check_real("beta", beta, nonneg=True)
    S = _check_int("n_samples", n_samples, 1, MAX_SAMPLES)
    n, d = _check_nd(n, d)
    a = _check_int("a", a, 0, n - 1, " (0-based index of an item)")
    b = _check_int("b", b, 0, n - 1, " (0-based index of an item)")
    if a == b:
        raise ValueError(f"a and b must be two different items, got a = b = {a}.")
    seed = _check_int("seed", seed, 0, None)
    mu = orthonormal_means(n, d)  # (n, d)
    values = mu.copy() if V is None else _check_values(V, n)  # (n, d_v)

    rng = np.random.default_rng(seed)
    z1 = rng.standard_normal((S, n, d))  # (S, n, d)
    z2 = rng.standard_normal(S)  # (S,)
    keys = mu + math.sqrt(alpha) * z1  # (S, n, d)
    keys[:, a, :] += math.sqrt(beta) * z2[:, None] * mu[a]  # Sigma_a = alpha I + beta mu_a mu_a^T

    queries = design_queries(mu, M, a, b, heads)  # (heads, d)
    # Scores k_i^T q_h as one 2-D product (batched matmul of tiny matrices is slow).
    scores = (keys.reshape(S * n, d) @ queries.T).reshape(S, n, heads)  # (S, n, heads)
    scores = np.ascontiguousarray(scores.transpose(0, 2, 1))  # (S, heads, n)
    weights = softmax(scores, axis=-1)  # (S, heads, n)   (46)
    head_outputs = (weights.reshape(S * heads, n) @ values).reshape(S, heads, -1)  # (45)
    # (S, heads, d_v); the output c (S, d_v) is c_1 for one head and (c_1 + c_2) / 2 (63) for two
    c = head_outputs[:, 0] if heads == 1 else 0.5 * (head_outputs[:, 0] + head_outputs[:, 1])
    negative = scores[:, 0, a] < 0  # (S,)
    if heads == 1:
        scores, weights = scores[:, 0, :], weights[:, 0, :]  # (S, n)

    params = SampleParams(
        heads=heads,
        M=M,
        alpha=alpha,
        beta=beta,
        n_samples=S,
        n=n,
        d=d,
        a=a,
        b=b,
        seed=seed,
        custom_values=V is not None,
    )
    return SampleResult(
        c=readonly(c),
        keys=readonly(keys),
        weights=readonly(weights),
        scores=readonly(scores),
        head_outputs=readonly(head_outputs),
        queries=readonly(queries),
        means=readonly(mu),
        values=readonly(values),
        negative=readonly(negative, None),
        params=params,
    )


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class OutputSummary:
    """Statistics of the outputs ``c`` (S, d_v) of a ``SampleResult``.

    mean (d_v,), cov (d_v, d_v) (population covariance, ddof = 0, so S = 1 gives zeros),
    std (d_v,) per-axis standard deviation;  target (d_v,) = ``(v_a + v_b) / 2``;
    std_along_ab -- std of ``c`` projected on the unit vector along ``v_a - v_b`` (NaN if
    ``v_a == v_b``);  share_within -- fraction of samples with ``||c - target|| <= eps``;
    share_within_kept -- the same over samples *not* marked negative (NaN if all are);
    n_negative -- number of negative-marked samples;  ellipse (K, 2) -- closed 2-sigma
    covariance ellipse of the first two coordinates of ``c`` (around ``mean[:2]``).
    """

    mean: np.ndarray
    cov: np.ndarray
    std: np.ndarray
    target: np.ndarray
    eps: float
    std_along_ab: float
    share_within: float
    share_within_kept: float
    n_samples: int
    n_negative: int
    ellipse: np.ndarray


def covariance_ellipse(mean, cov, n_sigma: float = 2.0, points: int = ELLIPSE_POINTS) -> np.ndarray:
    """Closed ``n_sigma`` ellipse ``{mean + n_sigma L u : ||u|| = 1}`` with ``cov = L L^T``.

    ``mean`` (2,), ``cov`` (2, 2) -> (points, 2); the first and last points coincide.
    """
    mean = np.asarray(mean, dtype=np.float64)[:2]
    cov = np.asarray(cov, dtype=np.float64)[:2, :2]
    evals, evecs = np.linalg.eigh(0.5 * (cov + cov.T))
    radii = n_sigma * np.sqrt(np.clip(evals, 0.0, None))  # (2,)
    t = np.linspace(0.0, 2.0 * np.pi, points)
    circle = np.stack([np.cos(t), np.sin(t)], axis=1)  # (points, 2)
    return mean + (circle * radii) @ evecs.T  # (points, 2)


def summarize(res: SampleResult, eps: float = 0.05) -> OutputSummary:
    """Summarise ``res.c``: mean, covariance, std, share within ``eps`` of ``(v_a + v_b) / 2``
    (all samples and excluding negative-marked ones) and a 2-sigma ellipse for plotting."""
    eps = _check_real("eps", eps, nonneg=True)
    c = res.c  # (S, d_v)
    mean = c.mean(axis=0)  # (d_v,)
    dev = c - mean  # (S, d_v)
    cov = dev.T @ dev / c.shape[0]  # (d_v, d_v)
    std = np.sqrt(np.clip(np.diag(cov), 0.0, None))  # (d_v,)
    target = res.target  # (d_v,)
    within = np.linalg.norm(c - target, axis=1) <= eps  # (S,)
    kept = ~res.negative
    n_kept = int(kept.sum())
    direction = res.values[res.params.a] - res.values[res.params.b]
    norm = float(np.linalg.norm(direction))
    std_ab = float(np.std(c @ (direction / norm))) if norm > 0 else float("nan")
    if c.shape[1] >= 2:
        ellipse = covariance_ellipse(mean[:2], cov[:2, :2])
    else:  # 1-D values: the ellipse degenerates to a segment on the x-axis
        ellipse = covariance_ellipse(np.array([mean[0], 0.0]), np.diag([cov[0, 0], 0.0]))
    return OutputSummary(
        mean=readonly(mean),
        cov=readonly(cov),
        std=readonly(std),
        target=readonly(target),
        eps=eps,
        std_along_ab=std_ab,
        share_within=float(within.mean()),
        share_within_kept=float(within[kept].mean()) if n_kept else float("nan"),
        n_samples=int(c.shape[0]),
        n_negative=int(res.negative.sum()),
        ellipse=readonly(ellipse),
    )


# --------------------------------------------------------------------------------------------
# Helpers for the app: part (b) computed, copying over a range of scales, the plane of a and b
# --------------------------------------------------------------------------------------------

MAX_PAIR_ITEMS = 1000  # pair_weights builds an (n, n) identity: 1000 items is 8 MB


def pair_weights(M, n: int, a: int = 0, b: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Part (b) computed rather than read off (49): keys ``k_i = e_i`` (exactly orthonormal,
    unit norm, in R^n), query ``q = M (k_a + k_b)``, weights from ``attend`` (46).

    ``M`` (G,) or a scalar; returns ``(alpha_a, alpha_b)`` with the shape of ``M``.
    ``2 <= n <= MAX_PAIR_ITEMS``; ``a``, ``b`` 0-based and different.
    """
    n = _check_int("n", n, 2, MAX_PAIR_ITEMS, " (the number of items)")
    a = _check_int("a", a, 0, n - 1, " (0-based index of an item)")
    b = _check_int("b", b, 0, n - 1, " (0-based index of an item)")
    if a == b:
        raise ValueError(f"a and b must be two different items, got a = b = {a}.")
    M = _as_float_array("M", M)
    keys = np.eye(n)  # (n, n), row i is k_i
    q = np.multiply.outer(M.ravel(), keys[a] + keys[b])  # (G, n)
    _, weights = attend(q, keys, keys)  # (G, n)
    return weights[:, a].reshape(M.shape), weights[:, b].reshape(M.shape)


def copy_curve(j: int, scales, n: int, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``copy_gap`` over a grid of scores ``k_j^T q``: ``(alpha_j, 1 - alpha_j, gap)`` (G,)."""
    results = [copy_gap(j, float(s), n, d) for s in np.ravel(scales)]
    return (
        np.array([r.alpha_j for r in results]),
        np.array([r.one_minus_alpha_j for r in results]),
        np.array([r.gap for r in results]),
    )


def near_zero_keys(res: SampleResult, level: float = 0.99) -> np.ndarray:
    """(S,) bool: samples the sheet keeps (``k_a^T q >= 0``) whose score is still too small for
    the copying head of (65) to give item ``a`` a weight of ``level``.

    By (65) that head's weight is ``1 / (1 + (n - 1) exp(-k_a^T q_1))``, which reaches ``level``
    at ``k_a^T q_1 = log(level / (1 - level) * (n - 1))`` (about 4.6 for n = 2 and 0.99).  The
    same threshold is applied to ``res.score_a`` for one head, whose keys are the same.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be strictly between 0 and 1, got {level!r}.")
    threshold = math.log(level / (1.0 - level) * (res.params.n - 1))
    s = res.score_a
    return (s >= 0) & (s < threshold)


@dataclass(frozen=True, eq=False)
class PlaneView:
    """The outputs ``c`` seen in the plane of items ``a`` and ``b``.

    xy (S, 2) -- ``(c . mu_b, c . mu_a)``: for the sheet's ``n = d = 2``, ``a = 1``, ``b = 2``
    that is exactly ``c`` (first and second coordinate);  mean (2,), cov (2, 2) (ddof = 0),
    std (2,) of ``xy``;  ellipse (K, 2) -- closed 2-sigma ellipse;  target, v_a, v_b (2,) --
    ``(v_a + v_b) / 2``, ``v_a`` and ``v_b`` in the same coordinates.
    """

    xy: np.ndarray
    mean: np.ndarray
    cov: np.ndarray
    std: np.ndarray
    ellipse: np.ndarray
    target: np.ndarray
    v_a: np.ndarray
    v_b: np.ndarray


def pair_plane(res: SampleResult) -> PlaneView:
    """Project ``res.c`` on ``(mu_b, mu_a)`` (the values' dimension must equal ``d``)."""
    a, b = res.params.a, res.params.b
    if res.values.shape[1] != res.means.shape[1]:
        raise ValueError("pair_plane needs values of the keys' dimension d.")
    P = res.means[[b, a]]  # (2, d): rows mu_b, mu_a
    xy = res.c @ P.T  # (S, 2)
    mean = xy.mean(axis=0)  # (2,)
    dev = xy - mean
    cov = dev.T @ dev / xy.shape[0]  # (2, 2)
    return PlaneView(
        xy=readonly(xy),
        mean=readonly(mean),
        cov=readonly(cov),
        std=readonly(np.sqrt(np.clip(np.diag(cov), 0.0, None))),
        ellipse=readonly(covariance_ellipse(mean, cov)),
        target=readonly(res.target @ P.T),
        v_a=readonly(res.values[a] @ P.T),
        v_b=readonly(res.values[b] @ P.T),
    )

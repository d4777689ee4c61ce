"""Cached calls into ``core.attention`` and the checks of the attention page's controls.

The page's items are 1-based (the sheet's ``v_1``, ``v_2``); ``core.attention`` is 0-based.  The
conversion happens here, in ``check_setting``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import streamlit as st

from core import attention as ac

# Accepted ranges of the controls (messages below say them in words).
ALPHA_LOG10 = (-12.0, 0.0)  # the slider: alpha from 1e-12 to 1
MAX_M = 1000.0
MAX_BETA = 10.0
MAX_SEED = 2**32 - 1
SCALE_RANGE = (0.0, 40.0)  # part (a): the score k_j^T q
NEAR_ZERO_LEVEL = 0.99  # a kept key is "near zero" if head 1 gives item a less than this (65)
N_FAMILY = (2, 3, 10, 100, 1000)  # part (b): the curves of (49) drawn against M
DEFAULTS = {"M": 20.0, "alpha_log10": -10.0, "beta": 0.5, "N": 1000, "eps": 0.05, "kq": 5.0}


@dataclass(frozen=True)
class Setting:
    """A valid setting of parts (c)-(e); ``a``, ``b`` are 0-based here."""

    M: float
    alpha: float
    beta: float
    N: int
    n: int
    d: int
    a: int
    b: int
    seed: int


@dataclass(frozen=True)
class Checked:
    """What the controls allow: ``setting`` is None unless everything is valid.

    curves_ok -- n and M are valid (closed forms (49), (56), (65));  pair_ok -- and a, b too
    (part (b) computed);  nd_ok -- n and d are valid (part (a));  beta_ok -- β is valid;
    errors -- what to fix.
    """

    setting: Setting | None
    errors: tuple[str, ...]
    curves_ok: bool
    pair_ok: bool
    nd_ok: bool
    beta_ok: bool


def _is_int(x) -> bool:
    return isinstance(x, int | np.integer) and not isinstance(x, bool)


def check_setting(M, alpha_log10, beta, N, n, d, a, b, seed) -> Checked:
    """Check the sidebar's values; ``a``, ``b`` are the 1-based items of the page."""
    errors: list[str] = []
    ok = dict.fromkeys(("M", "alpha", "beta", "N", "n", "d", "ab", "seed"), True)

    def bad(field: str, msg: str) -> None:
        ok[field] = False
        errors.append(msg)

    if M is None or not math.isfinite(M) or not 0 <= M <= MAX_M:
        bad("M", f"**M** = {M}: the query scale M must be a number from 0 to {MAX_M:g}.")
    lo, hi = ALPHA_LOG10
    if alpha_log10 is None or not lo <= alpha_log10 <= hi:
        bad(
            "alpha",
            f"**log₁₀ α** = {alpha_log10}: α is a variance, so it is positive; the slider takes "
            f"its power of ten from {lo:g} to {hi:g} (α from 1e{lo:g} to 1).",
        )
    if beta is None or not math.isfinite(beta) or not 0 <= beta <= MAX_BETA:
        bad(
            "beta",
            f"**β** = {beta}: β is a variance (the extra spread of k_a along μ_a), so it cannot "
            f"be negative; enter a number from 0 to {MAX_BETA:g} (the sheet uses 0.5).",
        )
    if not _is_int(N) or not 1 <= N <= ac.MAX_SAMPLES:
        shown = f"{N:,}" if _is_int(N) else str(N)
        bad(
            "N",
            f"**N** = {shown} samples: choose from 1 to {ac.MAX_SAMPLES:,} (the cap keeps every "
            "change quick to compute and draw).",
        )
    if not _is_int(d) or not 2 <= d <= ac.MAX_DIM:
        bad("d", f"**d** = {d}: the dimension d must be a whole number from 2 to {ac.MAX_DIM}.")
    if not _is_int(n) or not 2 <= n <= ac.MAX_DIM:
        bad(
            "n",
            f"**n** = {n}: the number of items n must be a whole number from 2 to {ac.MAX_DIM}.",
        )
    elif ok["d"] and n > d:
        bad(
            "d",
            f"**n** = {n} > **d** = {d}: n perpendicular unit means μ_i need at least n "
            f"dimensions. Choose n ≤ d (raise d to {n} or lower n to {d}).",
        )
    if ok["n"]:
        for name, v in (("a", a), ("b", b)):
            if not _is_int(v) or not 1 <= v <= n:
                bad("ab", f"**{name}** = {v} is not an item: choose a number from 1 to n = {n}.")
        if ok["ab"] and a == b:
            bad(
                "ab",
                f"**a** = **b** = {a}: the output should average two *different* items; "
                "choose a ≠ b.",
            )
    if not _is_int(seed) or not 0 <= seed <= MAX_SEED:
        bad("seed", f"**seed** = {seed}: choose a whole number from 0 to {MAX_SEED:,}.")

    curves_ok = ok["M"] and ok["n"]
    setting = None
    if all(ok.values()):
        setting = Setting(
            M=float(M),
            alpha=float(10.0**alpha_log10),
            beta=float(beta),
            N=int(N),
            n=int(n),
            d=int(d),
            a=int(a) - 1,
            b=int(b) - 1,
            seed=int(seed),
        )
    return Checked(
        setting=setting,
        errors=tuple(errors),
        curves_ok=curves_ok,
        pair_ok=curves_ok and ok["ab"],
        nd_ok=ok["n"] and ok["d"],
        beta_ok=ok["beta"],
    )


def link_value_problem(
    key: str, label: str, lo: float, hi: float, default: float, why: str = ""
) -> str | None:
    """A message if the page's URL sets slider ``key`` outside [lo, hi] (call it before the
    slider is drawn: Streamlit quietly replaces such a value by the default and drops it)."""
    raw = st.query_params.get(key)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if math.isfinite(value) and lo <= value <= hi:
        return None
    return (
        f"The link sets **{label}** = `{raw[:20]}`, which is not a number from {lo:g} to "
        f"{hi:g}; the slider shows the default {default:g} instead.{why}"
    )


def check_eps(eps) -> str | None:
    if eps is None or not math.isfinite(eps) or not 0 <= eps <= 1:
        return f"**ε** = {eps}: the radius ε around ½(v_a + v_b) must be a number from 0 to 1."
    return None


def check_copy(j, n: int) -> str | None:
    if not _is_int(j) or not 1 <= j <= n:
        return f"**j** = {j} is not an item: choose a number from 1 to n = {n}."
    return None


# ---------------------------------------------------------------- part (a)


@st.cache_data(show_spinner=False, max_entries=128)
def copy_view(j: int, scale: float, n: int, d: int) -> ac.CopyResult:
    """Part (a) for the 0-based item ``j``."""
    return ac.copy_gap(j, scale, n, d)


@st.cache_data(show_spinner=False, max_entries=64)
def copy_curve(j: int, n: int, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(scales, alpha_j, 1 - alpha_j, gap) over the slider's range of k_j^T q."""
    scales = np.linspace(*SCALE_RANGE, 161)
    return (scales, *ac.copy_curve(j, scales, n, d))


# ---------------------------------------------------------------- part (b)


@dataclass(frozen=True, eq=False)
class PairCurves:
    """Part (b): (49) and the weights computed with ``attend``.

    vs_M -- per n of ``ns``: (M_line, closed form, M_dots, computed alpha_a, computed alpha_b);
    n_line, vs_n -- (49) at the current M over n;  n_dots, dots_a -- computed where n <= 1000.
    """

    ns: tuple[int, ...]
    vs_M: dict
    n_line: np.ndarray
    vs_n: np.ndarray
    n_dots: np.ndarray
    dots_a: np.ndarray
    alpha_closed: float
    alpha_a: float
    alpha_b: float
    rest: float


@st.cache_data(show_spinner=False, max_entries=64)
def pair_curves(M: float, n: int, a: int, b: int) -> PairCurves:
    """``a``, ``b`` 0-based."""
    m_max = max(10.0, 1.5 * M)
    M_line = np.linspace(0.0, m_max, 241)
    M_dots = np.linspace(0.0, m_max, 16)
    ns = tuple(sorted({*N_FAMILY, n}))
    vs_M = {}
    for k in ns:
        ka, kb = (a, b) if max(a, b) < k else (0, 1)
        wa, wb = ac.pair_weights(M_dots, k, ka, kb)
        vs_M[k] = (M_line, ac.alpha_pair_closed_form(M_line, k), M_dots, wa, wb)
    # (49) against n: far enough that the weights visibly leave 1/2 (n - 2 ~ 2 e^M)
    top = max(3.0, min(15.0, (M + math.log(2.0)) / math.log(10.0) + 1.5))
    n_line = np.unique(np.round(np.logspace(math.log10(2.0), top, 200)).astype(np.int64))
    vs_n = np.array([ac.alpha_pair_closed_form(M, int(k)) for k in n_line])
    n_dots = np.array([2, 3, 5, 10, 20, 50, 100, 200, 500, 1000])
    dots_a = np.array([float(ac.pair_weights(M, int(k), 0, 1)[0]) for k in n_dots])
    wa, wb = ac.pair_weights(M, n, a, b)
    closed = ac.alpha_pair_closed_form(M, n)
    return PairCurves(
        ns=ns,
        vs_M=vs_M,
        n_line=n_line,
        vs_n=vs_n,
        n_dots=n_dots,
        dots_a=dots_a,
        alpha_closed=float(closed),
        alpha_a=float(wa),
        alpha_b=float(wb),
        rest=float(max(0.0, 1.0 - float(wa) - float(wb))),
    )


# ---------------------------------------------------------------- parts (c)-(e)


@dataclass(frozen=True, eq=False)
class Panel:
    """One of the four pictures: ``heads`` in {1, 2}, ``wobble`` = Sigma_a has the beta term."""

    heads: int
    wobble: bool
    plane: ac.PlaneView
    score_a: np.ndarray  # (S,) k_a^T q (q_1 for two heads)
    negative: np.ndarray  # (S,) k_a^T q < 0: set aside by the sheet, marked on the page
    near_zero: np.ndarray  # (S,) kept, but too short for head 1 to copy v_a (65)
    length_a: np.ndarray  # (S,) k_a^T mu_a
    alpha_a: np.ndarray  # (S,) weight of item a in the head that looks at a
    near_zero_threshold: float


PICTURES = ((False, 1), (False, 2), (True, 1), (True, 2))  # (Σ_a has the β term, heads)


def _sample(s: Setting, wobble: bool, heads: int) -> ac.SampleResult:
    return ac.sample_outputs(
        heads=heads,
        M=s.M,
        alpha=s.alpha,
        beta=s.beta if wobble else 0.0,
        n_samples=s.N,
        n=s.n,
        d=s.d,
        a=s.a,
        b=s.b,
        seed=s.seed,
    )


@st.cache_data(show_spinner=False, max_entries=24)
def experiment(s: Setting) -> tuple[Panel, ...]:
    """The four pictures of (e), in the order of ``PICTURES``: (αI, one head), (αI, two heads),
    (αI + βμμᵀ, one head), (αI + βμμᵀ, two heads); the same dice (seed) for all four."""
    panels = []
    for wobble, heads in PICTURES:
        res = _sample(s, wobble, heads)
        weights_a = res.weights[:, s.a] if heads == 1 else res.weights[:, 0, s.a]
        panels.append(
            Panel(
                heads=heads,
                wobble=wobble,
                plane=ac.pair_plane(res),
                score_a=res.score_a,
                negative=res.negative,
                near_zero=ac.near_zero_keys(res, NEAR_ZERO_LEVEL),
                length_a=res.length_a,
                alpha_a=weights_a,
                near_zero_threshold=math.log(NEAR_ZERO_LEVEL / (1 - NEAR_ZERO_LEVEL) * (s.n - 1)),
            )
        )
    return tuple(panels)


@st.cache_data(show_spinner=False, max_entries=24)
def summaries(s: Setting, eps: float) -> tuple[ac.OutputSummary, ...]:
    """``summarize`` of the four pictures (same order as ``experiment``) for radius ``eps``."""
    return tuple(ac.summarize(_sample(s, wobble, heads), eps) for wobble, heads in PICTURES)


def panel_name(p: Panel) -> str:
    part = "(d)" if p.heads == 2 else "(c)"
    return f"{part} {'ii' if p.wobble else 'i'}. {'two heads' if p.heads == 2 else 'one head'}"


def _pct(x: float) -> str:
    return "—" if math.isnan(x) else f"{x:.1%}"


def stats_table(
    panels: tuple[Panel, ...], sums: tuple[ac.OutputSummary, ...], eps: float
) -> dict[str, list]:
    """The per-picture numbers, as columns for ``st.dataframe``."""
    cols: dict[str, list] = {
        "picture": [],
        "Σ_a": [],
        "mean of c": [],
        "std of c": [],
        f"within ε = {eps:g}": [],
        "within ε, k_aᵀq ≥ 0": [],
        "k_aᵀq < 0 (✕)": [],
        "near-zero k_a": [],
    }
    for p, sm in zip(panels, sums, strict=True):
        pl = p.plane
        cols["picture"].append(panel_name(p))
        cols["Σ_a"].append("αI + βμ_aμ_aᵀ" if p.wobble else "αI")
        cols["mean of c"].append(f"({pl.mean[0]:.3f}, {pl.mean[1]:.3f})")
        cols["std of c"].append(f"({pl.std[0]:.3f}, {pl.std[1]:.3f})")
        cols[f"within ε = {eps:g}"].append(_pct(sm.share_within))
        cols["within ε, k_aᵀq ≥ 0"].append(_pct(sm.share_within_kept))
        cols["k_aᵀq < 0 (✕)"].append(f"{sm.n_negative:,}")
        cols["near-zero k_a"].append(f"{int(p.near_zero.sum()):,}")
    return cols


def end_shares(p: Panel, eps: float) -> tuple[float, float]:
    """Shares of the outputs within ``eps`` of v_a and of v_b (in the plane of a and b)."""
    xy = p.plane.xy
    near_a = np.hypot(*(xy - p.plane.v_a).T) <= eps
    near_b = np.hypot(*(xy - p.plane.v_b).T) <= eps
    return float(near_a.mean()), float(near_b.mean())


# ---------------------------------------------------------------- why one head fails


@dataclass(frozen=True, eq=False)
class NormCurves:
    """(56) and (65) against the length of k_a; ``table`` at 1 - √β, 1, 1 + √β."""

    x: np.ndarray
    single: np.ndarray
    two: np.ndarray
    lengths: np.ndarray
    table_single: np.ndarray
    table_two: np.ndarray


@st.cache_data(show_spinner=False, max_entries=64)
def norm_curves(M: float, n: int, beta: float) -> NormCurves:
    spread = math.sqrt(beta)
    hi = max(2.0, 1.0 + 3.0 * spread)
    x = np.linspace(-1.0 if beta > 0 else 0.0, hi, 801)
    lengths = np.array([1.0 - spread, 1.0, 1.0 + spread])
    return NormCurves(
        x=x,
        single=np.asarray(ac.alpha_single_head_vs_norm(x, M, n)),
        two=np.asarray(ac.alpha_two_heads_vs_norm(x, M, n)),
        lengths=lengths,
        table_single=np.asarray(ac.alpha_single_head_vs_norm(lengths, M, n)),
        table_two=np.asarray(ac.alpha_two_heads_vs_norm(lengths, M, n)),
    )


def norm_table(nc: NormCurves) -> dict[str, list]:
    """α_a at the lengths 1 − √β, 1, 1 + √β for one head (56) and head 1 of two (65)."""
    return {
        "length of k_a": [f"{x:.3f}" for x in nc.lengths],
        "one head, α_a (56)": [f"{v:.6f}" for v in nc.table_single],
        "two heads, head 1's α_a (65)": [f"{v:.6f}" for v in nc.table_two],
    }


def fmt_alpha(alpha_log10: float) -> str:
    """The key noise variance for display, e.g. ``1e-10`` or ``3.2e-11``."""
    alpha = 10.0**alpha_log10
    return f"{alpha:.0e}" if float(alpha_log10).is_integer() else f"{alpha:.1e}"

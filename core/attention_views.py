"""What the attention page shows, computed (homework question 3, review questions 4-5).

The page's views built on ``core.attention``, as typed, frozen results (pure numpy):

* ``check_setting`` / ``Setting`` -- the sidebar's setting of parts (b)-(e), checked;
  ``check_eps``, ``check_copy`` -- the other inputs the math can reject;
* part (a), copying (47)-(48): ``copy_curve``;
* part (b), averaging: ``pair_curves`` -- the closed form (49) against M and n, next to the
  weights computed with attention (45)-(46);
* parts (c)-(e), sampled keys: ``experiment`` (the four pictures as ``Panel`` objects),
  ``summaries`` and ``sampling_facts`` (the numbers the page quotes);
* why one head fails: ``norm_curves`` -- (56) and (65) against the length of k_a.

Notation.  The sheet's α is two things: the attention weights α_i of (46) and the key noise
variance of Σ_i = αI.  Here the noise variance is always ``noise_var`` (its slider sets
``noise_log10`` = log10 of it); ``alpha_*`` are always attention weights.  One *sample* is one
random draw of all n keys; its output is c.  ``n_samples`` (the page's N) counts them.

Items: the page numbers them from 1 as the sheet does; ``check_setting`` converts ``a`` and
``b`` to the 0-based indices of ``core.attention``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

from core import attention as ac
from core.checks import Problem
from core.numerics import is_int, readonly

NOISE_LOG10 = (-12.0, 0.0)  # log10 of the noise variance: 1e-12 to 1
MAX_M = 1000.0
MAX_BETA = 10.0
MAX_SEED = 2**32 - 1
SCALE_RANGE = (0.0, 40.0)  # part (a): the score k_j^T q
NEAR_ZERO_LEVEL = 0.99  # a kept key is "near zero" if head 1 gives item a less than this (65)
N_FAMILY = (2, 3, 10, 100, 1000)  # part (b): the curves of (49) drawn against M


# ---------------------------------------------------------------- the setting and its checks
@dataclass(frozen=True)
class Setting:
    """A valid setting of parts (c)-(e); ``a``, ``b`` are 0-based here.

    M -- query scale;  noise_var -- the α of Σ_i = αI;  beta -- the β of
    Σ_a = αI + βμ_aμ_aᵀ;  n_samples -- key draws per picture;  n items in d dimensions.
    """

    M: float
    noise_var: float
    beta: float
    n_samples: int
    n: int
    d: int
    a: int
    b: int
    seed: int


@dataclass(frozen=True)
class Checked:
    """What the controls allow: ``setting`` is None unless everything is valid.

    problems -- what to fix;  curves_ok -- n and M are valid (closed forms (49), (56), (65));
    pair_ok -- and a, b too (part (b));  nd_ok -- n and d are valid (part (a));
    beta_ok -- β is valid.
    """

    setting: Setting | None
    problems: tuple[Problem, ...]
    curves_ok: bool
    pair_ok: bool
    nd_ok: bool
    beta_ok: bool


def _real_in(v, lo: float, hi: float) -> bool:
    return v is not None and not isinstance(v, bool) and math.isfinite(v) and lo <= v <= hi


def _int_in(v, lo: int, hi: int) -> bool:
    return is_int(v) and lo <= v <= hi


def _shown(v) -> str:
    if is_int(v):
        return f"{v:,}" if abs(v) >= 10_000 else str(v)
    return f"{v:g}" if isinstance(v, float) else str(v)


def check_setting(
    M: float,
    noise_log10: float,
    beta: float,
    n_samples: int,
    n: int,
    d: int,
    a: int,
    b: int,
    seed: int,
) -> Checked:
    """Check the sidebar's values (as the widgets hold them: any type is checked, nothing
    raises); ``a``, ``b`` are the 1-based items of the page."""
    problems: list[Problem] = []
    bad: set[str] = set()

    def report(field: str, subject: str, advice: str) -> None:
        bad.add(field)
        problems.append(Problem(field, subject, advice))

    if not _real_in(M, 0.0, MAX_M):
        report("M", f"M = {_shown(M)}", f"the query scale M must be a number from 0 to {MAX_M:g}.")
    lo, hi = NOISE_LOG10
    if not _real_in(noise_log10, lo, hi):
        report(
            "noise_var",
            f"log₁₀ α = {_shown(noise_log10)}",
            f"α is a variance, so it is positive; the slider takes its power of ten from {lo:g} "
            f"to {hi:g} (α from 1e{lo:g} to 1).",
        )
    if not _real_in(beta, 0.0, MAX_BETA):
        report(
            "beta",
            f"β = {_shown(beta)}",
            "β is a variance (the extra spread of k_a along μ_a), so it cannot be negative; "
            f"enter a number from 0 to {MAX_BETA:g} (the sheet uses 0.5).",
        )
    if not _int_in(n_samples, 1, ac.MAX_SAMPLES):
        report(
            "n_samples",
            f"N = {_shown(n_samples)} samples",
            f"choose from 1 to {ac.MAX_SAMPLES:,} (the cap keeps every change quick to compute "
            "and draw).",
        )
    if not _int_in(d, 2, ac.MAX_DIM):
        report(
            "d",
            f"d = {_shown(d)}",
            f"the dimension d must be a whole number from 2 to {ac.MAX_DIM}.",
        )
    if not _int_in(n, 2, ac.MAX_DIM):
        report(
            "n",
            f"n = {_shown(n)}",
            f"the number of items n must be a whole number from 2 to {ac.MAX_DIM}.",
        )
    elif "d" not in bad and n > d:
        report(
            "d",
            f"n = {n} > d = {d}",
            f"n perpendicular unit means μ_i need at least n dimensions. Choose n ≤ d (raise d "
            f"to {n} or lower n to {d}).",
        )
    if "n" not in bad:
        for name, v in (("a", a), ("b", b)):
            if not _int_in(v, 1, n):
                report(
                    "ab",
                    f"{name} = {_shown(v)}",
                    f"not an item: choose a number from 1 to n = {n}.",
                )
        if "ab" not in bad and a == b:
            report(
                "ab",
                f"a = b = {a}",
                "the output should average two different items; choose a ≠ b.",
            )
    if not _int_in(seed, 0, MAX_SEED):
        report("seed", f"seed = {_shown(seed)}", f"choose a whole number from 0 to {MAX_SEED:,}.")

    curves_ok = not bad & {"M", "n"}
    setting = None
    if not bad:
        setting = Setting(
            M=float(M),
            noise_var=float(10.0**noise_log10),
            beta=float(beta),
            n_samples=int(n_samples),
            n=int(n),
            d=int(d),
            a=int(a) - 1,
            b=int(b) - 1,
            seed=int(seed),
        )
    return Checked(
        setting=setting,
        problems=tuple(problems),
        curves_ok=curves_ok,
        pair_ok=curves_ok and "ab" not in bad,
        nd_ok=not bad & {"n", "d"},
        beta_ok="beta" not in bad,
    )


def check_eps(eps: float) -> Problem | None:
    """The radius ε around ½(v_a + v_b) of 'close to the average' must be in [0, 1]."""
    if not _real_in(eps, 0.0, 1.0):
        return Problem(
            "eps",
            f"ε = {_shown(eps)}",
            "the radius ε around ½(v_a + v_b) must be a number from 0 to 1.",
        )
    return None


def check_copy(j: int, n: int) -> Problem | None:
    """The item to copy, ``j``, is 1-based."""
    if not _int_in(j, 1, n):
        return Problem("j", f"j = {_shown(j)}", f"not an item: choose a number from 1 to n = {n}.")
    return None


# ---------------------------------------------------------------- part (a): copying
@dataclass(frozen=True, eq=False)
class CopyCurve:
    """``copy_gap`` over the slider's range of scores k_j^T q (G points): scales (G,),
    alpha_j (G,) the weight (46) of item j, one_minus_alpha_j (G,) (47), gap (G,) ‖c − v_j‖
    (48)."""

    scales: np.ndarray
    alpha_j: np.ndarray
    one_minus_alpha_j: np.ndarray
    gap: np.ndarray


def copy_curve(j: int, n: int, d: int) -> CopyCurve:
    """Part (a) for the 0-based item ``j`` over SCALE_RANGE."""
    scales = np.linspace(*SCALE_RANGE, 161)
    alpha_j, one_minus, gap = ac.copy_curve(j, scales, n, d)
    return CopyCurve(readonly(scales), readonly(alpha_j), readonly(one_minus), readonly(gap))


# ---------------------------------------------------------------- part (b): averaging
@dataclass(frozen=True, eq=False)
class PairFamily:
    """(49) and the weights computed with ``attend`` (46) against M, for ``n`` items.

    M_line (L,), closed (L,) -- the closed form;  M_dots (G,), alpha_a (G,), alpha_b (G,) --
    computed (items a, b, or 1, 2 when n is too small for a, b)."""

    n: int
    M_line: np.ndarray
    closed: np.ndarray
    M_dots: np.ndarray
    alpha_a: np.ndarray
    alpha_b: np.ndarray


@dataclass(frozen=True, eq=False)
class PairCurves:
    """Part (b) at the current M and n.

    families -- one PairFamily per n of N_FAMILY and the current n;  n_line (K,), vs_n (K,) --
    (49) at the current M over n;  n_dots (G,), dots_a (G,) -- computed where n <= 1000;
    alpha_closed -- (49) now;  alpha_a, alpha_b -- computed now;  rest -- the weight left on
    the other n − 2 items.
    """

    families: tuple[PairFamily, ...]
    n_line: np.ndarray
    vs_n: np.ndarray
    n_dots: np.ndarray
    dots_a: np.ndarray
    alpha_closed: float
    alpha_a: float
    alpha_b: float
    rest: float


def pair_curves(M: float, n: int, a: int, b: int) -> PairCurves:
    """``a``, ``b`` 0-based."""
    m_max = max(10.0, 1.5 * M)
    M_line = np.linspace(0.0, m_max, 241)
    M_dots = np.linspace(0.0, m_max, 16)
    families = []
    for k in sorted({*N_FAMILY, n}):
        ka, kb = (a, b) if max(a, b) < k else (0, 1)
        wa, wb = ac.pair_weights(M_dots, k, ka, kb)
        closed = np.asarray(ac.alpha_pair_closed_form(M_line, k))
        families.append(PairFamily(k, M_line, closed, M_dots, wa, wb))
    # (49) against n: far enough that the weights visibly leave 1/2 (n - 2 ~ 2 e^M)
    top = max(3.0, min(15.0, (M + math.log(2.0)) / math.log(10.0) + 1.5))
    n_line = np.unique(np.round(np.logspace(math.log10(2.0), top, 200)).astype(np.int64))
    vs_n = np.array([ac.alpha_pair_closed_form(M, int(k)) for k in n_line])
    n_dots = np.array([2, 3, 5, 10, 20, 50, 100, 200, 500, 1000])
    dots_a = np.array([float(ac.pair_weights(M, int(k), 0, 1)[0]) for k in n_dots])
    wa, wb = ac.pair_weights(M, n, a, b)
    return PairCurves(
        families=tuple(families),
        n_line=readonly(n_line, None),
        vs_n=readonly(vs_n),
        n_dots=readonly(n_dots, None),
        dots_a=readonly(dots_a),
        alpha_closed=float(ac.alpha_pair_closed_form(M, n)),
        alpha_a=float(wa),
        alpha_b=float(wb),
        rest=float(max(0.0, 1.0 - float(wa) - float(wb))),
    )


# ---------------------------------------------------------------- parts (c)-(e)
P = TypeVar("P")


@dataclass(frozen=True, eq=False)
class Pictures(Generic[P]):
    """The four pictures of experiment (e), named by the sheet's parts; iterating gives them
    in the order of the page's 2 x 2 grid (rows Σ_a = αI, αI + βμ_aμ_aᵀ; columns one head,
    two heads).

    one_head -- (c) i.;  two_heads -- (d) i.;  one_head_beta -- (c) ii.;  two_heads_beta --
    (d) ii.
    """

    one_head: P
    two_heads: P
    one_head_beta: P
    two_heads_beta: P

    def __iter__(self) -> Iterator[P]:
        yield from (self.one_head, self.two_heads, self.one_head_beta, self.two_heads_beta)


@dataclass(frozen=True, eq=False)
class Panel:
    """One picture: ``heads`` in {1, 2}; ``wobble`` -- Σ_a has the β term.  S = n_samples.

    plane -- the outputs c in the plane of items a and b;  score_a (S,) -- k_a^T q (q_1 for
    two heads);  negative (S,) -- k_a^T q < 0, set aside by the sheet and marked on the page;
    near_zero (S,) -- kept, but too short for head 1 to copy v_a (65), n_near_zero of them;
    length_a (S,) -- k_a^T μ_a;  alpha_a (S,) -- weight (46) of item a in the head that looks
    at a;  near_zero_threshold -- the score k_a^T q_1 below which a kept key is near zero;
    near_zero_length -- the same as a length of k_a (threshold / M; inf for M = 0).
    """

    heads: int
    wobble: bool
    plane: ac.PlaneView
    score_a: np.ndarray
    negative: np.ndarray
    near_zero: np.ndarray
    n_near_zero: int
    length_a: np.ndarray
    alpha_a: np.ndarray
    near_zero_threshold: float
    near_zero_length: float

    @property
    def part(self) -> str:
        """The sheet's part: ``"(c) i"``, ``"(d) i"``, ``"(c) ii"`` or ``"(d) ii"``."""
        return f"{'(d)' if self.heads == 2 else '(c)'} {'ii' if self.wobble else 'i'}"


_PICTURES = {  # field of Pictures -> (Σ_a has the β term, heads)
    "one_head": (False, 1),
    "two_heads": (False, 2),
    "one_head_beta": (True, 1),
    "two_heads_beta": (True, 2),
}


def _sample(s: Setting, wobble: bool, heads: int) -> ac.SampleResult:
    return ac.sample_outputs(
        heads=heads,
        M=s.M,
        alpha=s.noise_var,  # core.attention's ``alpha`` is the noise variance
        beta=s.beta if wobble else 0.0,
        n_samples=s.n_samples,
        n=s.n,
        d=s.d,
        a=s.a,
        b=s.b,
        seed=s.seed,
    )


def near_zero_threshold(n: int) -> float:
    """The score k_a^T q_1 at which head 1 gives item a the weight NEAR_ZERO_LEVEL (65)."""
    return math.log(NEAR_ZERO_LEVEL / (1 - NEAR_ZERO_LEVEL) * (n - 1))


def _length(threshold: float, M: float) -> float:
    return threshold / M if M > 0 else math.inf


def _panel(s: Setting, wobble: bool, heads: int) -> Panel:
    res = _sample(s, wobble, heads)
    near_zero = ac.near_zero_keys(res, NEAR_ZERO_LEVEL)
    threshold = near_zero_threshold(s.n)
    return Panel(
        heads=heads,
        wobble=wobble,
        plane=ac.pair_plane(res),
        score_a=res.score_a,
        negative=res.negative,
        near_zero=readonly(near_zero, None),
        n_near_zero=int(near_zero.sum()),
        length_a=readonly(res.length_a),
        alpha_a=readonly(res.weights[:, s.a] if heads == 1 else res.weights[:, 0, s.a]),
        near_zero_threshold=threshold,
        near_zero_length=_length(threshold, s.M),
    )


def experiment(s: Setting) -> Pictures[Panel]:
    """The four pictures of (e); the same dice (seed) for all four."""
    return Pictures(**{name: _panel(s, *spec) for name, spec in _PICTURES.items()})


def summaries(s: Setting, eps: float) -> Pictures[ac.OutputSummary]:
    """``summarize`` of the four pictures for the radius ``eps``."""
    return Pictures(
        **{name: ac.summarize(_sample(s, *spec), eps) for name, spec in _PICTURES.items()}
    )


@dataclass(frozen=True)
class SamplingFacts:
    """The numbers the page quotes about (c) ii. and (d) ii. (Σ_a with the β term).

    one_within, two_within -- shares of outputs within ε of ½(v_a + v_b), one head and two;
    one_near_a, one_near_b -- one head's shares within ε of v_a and of v_b;
    two_within_kept -- two heads' share among the n_kept samples with k_a^T q_1 >= 0;
    one_std, two_std -- std of c along v_a − v_b;  n_near_zero, n_negative -- two heads'
    near-zero and negative keys;  near_zero_threshold, near_zero_length -- see ``Panel``.
    """

    n_samples: int
    one_within: float
    one_near_a: float
    one_near_b: float
    two_within: float
    two_within_kept: float
    n_kept: int
    one_std: float
    two_std: float
    n_near_zero: int
    n_negative: int
    near_zero_threshold: float
    near_zero_length: float


def end_shares(p: Panel, eps: float) -> tuple[float, float]:
    """Shares of the outputs within ``eps`` of v_a and of v_b (in the plane of a and b)."""
    xy = p.plane.xy  # (S, 2)
    near_a = np.hypot(*(xy - p.plane.v_a).T) <= eps
    near_b = np.hypot(*(xy - p.plane.v_b).T) <= eps
    return float(near_a.mean()), float(near_b.mean())


def sampling_facts(
    panels: Pictures[Panel], summaries: Pictures[ac.OutputSummary], eps: float
) -> SamplingFacts:
    one, two = summaries.one_head_beta, summaries.two_heads_beta
    near_a, near_b = end_shares(panels.one_head_beta, eps)
    weak = panels.two_heads_beta
    return SamplingFacts(
        n_samples=two.n_samples,
        one_within=one.share_within,
        one_near_a=near_a,
        one_near_b=near_b,
        two_within=two.share_within,
        two_within_kept=two.share_within_kept,
        n_kept=two.n_samples - two.n_negative,
        one_std=one.std_along_ab,
        two_std=two.std_along_ab,
        n_near_zero=weak.n_near_zero,
        n_negative=two.n_negative,
        near_zero_threshold=weak.near_zero_threshold,
        near_zero_length=weak.near_zero_length,
    )


# ---------------------------------------------------------------- why one head fails
@dataclass(frozen=True, eq=False)
class NormCurves:
    """(56) and (65) against the length of k_a (X points).

    x (X,);  single (X,) -- one head's α_a (56);  two (X,) -- head 1's α_a (65);
    lengths (3,) -- 1 − √β, 1, 1 + √β, with table_single (3,), table_two (3,) there;
    near_zero_length -- the length below which head 1 does not copy v_a (inf for M = 0).
    """

    x: np.ndarray
    single: np.ndarray
    two: np.ndarray
    lengths: np.ndarray
    table_single: np.ndarray
    table_two: np.ndarray
    near_zero_length: float


def norm_curves(M: float, n: int, beta: float) -> NormCurves:
    spread = math.sqrt(beta)
    hi = max(2.0, 1.0 + 3.0 * spread)
    x = np.linspace(-1.0 if beta > 0 else 0.0, hi, 801)
    lengths = np.array([1.0 - spread, 1.0, 1.0 + spread])
    return NormCurves(
        x=readonly(x),
        single=readonly(ac.alpha_single_head_vs_norm(x, M, n)),
        two=readonly(ac.alpha_two_heads_vs_norm(x, M, n)),
        lengths=readonly(lengths),
        table_single=readonly(ac.alpha_single_head_vs_norm(lengths, M, n)),
        table_two=readonly(ac.alpha_two_heads_vs_norm(lengths, M, n)),
        near_zero_length=_length(near_zero_threshold(n), M),
    )

"""The attention page drawn: the sidebar's setting, the operation (45)-(46) and the four tabs.
Controls from ``ui.attention_state``, numbers from ``core.attention_views`` (cached), figures
from ``charts.attention``, text from ``assets/attention.md``.

Naming: ``noise_log10`` / ``noise_var`` is the key noise variance α of Σ_i = αI (the URL key
stays ``alpha_log10``); ``alpha_*`` are attention weights only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import streamlit as st

from charts import attention as ch
from core import attention_views as av
from core.attention import OutputSummary
from ui import attention_state as state
from ui import quiz
from ui.common import asset_section, explain, figure, presenting, setup
from ui.common import intro as intro_prose
from ui.problems import show_problem

MD = "attention.md"
NEED_SETTING = "Fix the setting in the sidebar to see this view (the messages above say how)."


def fmt_noise_var(noise_log10: float) -> str:
    """The key noise variance for display, e.g. ``1e-10`` or ``3.2e-11``."""
    noise_var = 10.0**noise_log10
    return f"{noise_var:.0e}" if float(noise_log10).is_integer() else f"{noise_var:.1e}"


def _pct(x: float) -> str:
    return "—" if math.isnan(x) else f"{x:.1%}"


@dataclass(frozen=True)
class Sidebar:
    """The sidebar's values as the widgets hold them (a, b 1-based) and their check."""

    M: float
    noise_log10: float
    beta: float
    n_samples: int
    n: int
    d: int
    a: int
    b: int
    seed: int
    checked: av.Checked


def sidebar() -> Sidebar:
    with st.sidebar:
        st.header("Setting of (b)-(e)")
        M = state.M.draw()
        noise_log10 = state.NOISE_LOG10.draw()
        st.caption(f"α = {fmt_noise_var(noise_log10)}")
        beta = state.BETA.draw()
        n_samples = state.N_SAMPLES.draw()
        c1, c2 = st.columns(2)
        n, d = state.N_ITEMS.draw(c1), state.DIM.draw(c2)
        c1, c2 = st.columns(2)
        a, b = state.ITEM_A.draw(c1), state.ITEM_B.draw(c2)
        seed = state.SEED.draw()
        st.caption(
            "Items are numbered from 1 as on the sheet. Means μ_i are perpendicular unit "
            "vectors and values v_i = μ_i; for n = d = 2, μ₁ = v₁ = (0, 1) and μ₂ = v₂ = (1, 0)."
        )
    checked = av.check_setting(M, noise_log10, beta, n_samples, n, d, a, b, seed)
    return Sidebar(M, noise_log10, beta, n_samples, n, d, a, b, seed, checked)


def intro(sb: Sidebar) -> None:
    """The operation (45)-(46), the problems of the setting, and the setting in one line.  In
    presenter mode the equations and the setting fold into one expander, the prose into
    another."""
    present = presenting()
    with setup("(45), (46) and the current setting", icon=":material/functions:"):
        st.latex(
            r"\mathbf{c} = \sum_{i=1}^{n} \alpha_i \mathbf{v}_i \quad (45) \qquad "
            r"\alpha_i = \frac{\exp(\mathbf{k}_i^\top \mathbf{q})}"
            r"{\sum_{j=1}^{n} \exp(\mathbf{k}_j^\top \mathbf{q})} \quad (46)"
        )
        if present:
            _setting_line(sb)
    intro_prose(asset_section(MD, "Attention"))
    for p in sb.checked.problems:
        show_problem(p, icon=":material/tune:")
    if not present:
        _setting_line(sb)


def _setting_line(sb: Sidebar) -> None:
    s = sb.checked.setting
    if s is not None:
        st.markdown(
            f"**Current setting:** n = {s.n} items in d = {s.d} dimensions · average items "
            f"a = {s.a + 1} and b = {s.b + 1} · M = {s.M:g} · "
            f"α = {fmt_noise_var(sb.noise_log10)} · β = {s.beta:g} · "
            f"N = {s.n_samples:,} samples · seed {s.seed}"
        )


# ---------------------------------------------------------------- (a) copying
def copying(sb: Sidebar) -> None:
    explain(asset_section(MD, "Copying"))
    if not sb.checked.nd_ok:
        st.info(NEED_SETTING)
        return
    c1, c2 = st.columns([1, 3])
    j = state.COPY_J.draw(c1)
    score = state.COPY_SCORE.draw(c2)
    problem = av.check_copy(j, sb.n)
    if problem is not None:
        show_problem(problem)
        return
    res = state.copy_gap(j - 1, score, sb.n, sb.d)
    nxt = state.copy_gap(j - 1, score + 1.0, sb.n, sb.d)  # one unit more: the gap's factor
    if not quiz.ask_all(copy_questions(res, nxt, j, score, sb.n)):  # quiz mode: predict first
        return
    m1, m2, m3 = st.columns(3)
    m1.metric(f"α_{j}", f"{res.alpha_j:.6f}")
    m2.metric(f"1 − α_{j}", f"{res.one_minus_alpha_j:.3g}")
    m3.metric(f"‖c − v_{j}‖", f"{res.gap:.3g}")
    others = sb.n - 1
    st.markdown(
        f"q = {score:g}·μ_{j}: item {j} scores {score:g}, the other {others} item(s) score 0, "
        f"so α_{j} = e^{score:g} / (e^{score:g} + {others}) = {res.alpha_j:.6f}."
    )
    g1, g2 = st.columns(2)
    figure(ch.copy_weights_bar(res), "copy_w", g1)
    figure(ch.copy_output_bar(res), "copy_c", g2)
    curve = state.copy_curve(j - 1, sb.n, sb.d)
    figure(ch.copy_gap_curve(curve, res), "copy_g")


ALPHA_BINS = ((0.0, 0.5), (0.5, 0.9), (0.9, 0.99), (0.99, 1.0))
GAP_FACTORS = (1.3, 2.0, math.e, 10.0)


def copy_questions(res, nxt, j: int, score: float, n: int) -> list[quiz.Question]:
    """Quiz mode on part (a): the weight of the copied item, and what one more unit of score
    does to the gap (47)-(48), both from ``core.attention.copy_gap`` at the current setting
    (``nxt``: the same with the score one higher)."""
    a = res.alpha_j
    a_bin = next(k for k, (lo, hi) in enumerate(ALPHA_BINS) if a < hi or k == len(ALPHA_BINS) - 1)
    ratio = res.gap / nxt.gap if nxt.gap > 0 else math.inf
    near = min(range(len(GAP_FACTORS)), key=lambda k: abs(math.log(GAP_FACTORS[k] / ratio)))
    key = f"copy|{j}|{score:g}|{n}"
    return [
        quiz.Question(
            key + "|alpha",
            f"Item {j} scores {score:g} and the other {n - 1} item(s) score 0. About how much "
            f"weight α_{j} does attention give item {j}?",
            tuple(f"{lo:g} to {hi:g}" for lo, hi in ALPHA_BINS),
            a_bin,
            f"α_{j} = e^{score:g} / (e^{score:g} + {n - 1}) = {a:.6f} (46).",
        ),
        quiz.Question(
            key + "|gap",
            f"Raise the score from {score:g} to {score + 1:g}: the gap ‖c − v_{j}‖ is divided "
            "by about…",
            ("1.3", "2", "e ≈ 2.7", "10"),
            near,
            f"‖c − v_{j}‖ goes from {res.gap:.4g} to {nxt.gap:.4g}, divided by {ratio:.3g}: "
            "for large scores every unit divides it by e, as (48) says.",
        ),
    ]


# ---------------------------------------------------------------- (b) averaging
def averaging(sb: Sidebar) -> None:
    explain(asset_section(MD, "Averaging"))
    if not sb.checked.pair_ok:
        st.info(NEED_SETTING)
        return
    M, n, a, b = float(sb.M), int(sb.n), int(sb.a), int(sb.b)
    pc = state.pair_curves(M, n, a - 1, b - 1)
    rest = (
        "With n = 2 there are no other items, so the average is exact for every M."
        if n == 2
        else f"The other {n - 2} items keep {pc.rest:.3g} of the weight together."
    )
    st.markdown(
        f"At **M = {M:g}** and **n = {n}**: (49) gives α_a = α_b = **{pc.alpha_closed:.12f}**; "
        f"attention (46) run on exactly orthonormal keys gives α_{a} = {pc.alpha_a:.12f} and "
        f"α_{b} = {pc.alpha_b:.12f}. {rest}"
    )
    g1, g2 = st.columns(2)
    figure(ch.pair_vs_M(pc, n, M), "pair_M", g1)
    figure(ch.pair_vs_n(pc, n, M), "pair_n", g2)
    st.markdown(asset_section(MD, "M"))


# ---------------------------------------------------------------- (c)-(e) sampled keys
def stats_table(
    panels: av.Pictures[av.Panel], summaries: av.Pictures[OutputSummary], eps: float
) -> dict[str, list[str]]:
    """The per-picture numbers for ``st.dataframe``: one row per measure, one column per
    picture (five narrow columns fit a 1024-px projector; eight wide ones did not)."""
    cols: dict[str, list[str]] = {
        "picture": [],
        "heads": [],
        "Σ_a": [],
        "mean of c₁": [],
        "mean of c₂": [],
        "std of c₁": [],
        "std of c₂": [],
        f"within ε = {eps:g}": [],
        "within ε, k_aᵀq ≥ 0": [],
        "k_aᵀq < 0 (✕)": [],
        "near-zero k_a": [],
    }
    for p, sm in zip(panels, summaries, strict=True):
        pl = p.plane
        cols["picture"].append(p.part)
        cols["heads"].append(str(p.heads))
        cols["Σ_a"].append("αI + βμ_aμ_aᵀ" if p.wobble else "αI")
        cols["mean of c₁"].append(f"{pl.mean[0]:.3f}")
        cols["mean of c₂"].append(f"{pl.mean[1]:.3f}")
        cols["std of c₁"].append(f"{pl.std[0]:.3f}")
        cols["std of c₂"].append(f"{pl.std[1]:.3f}")
        cols[f"within ε = {eps:g}"].append(_pct(sm.share_within))
        cols["within ε, k_aᵀq ≥ 0"].append(_pct(sm.share_within_kept))
        cols["k_aᵀq < 0 (✕)"].append(f"{sm.n_negative:,}")
        cols["near-zero k_a"].append(f"{p.n_near_zero:,}")
    pictures = cols.pop("picture")
    rows: dict[str, list[str]] = {"measure": list(cols)}
    for i, name in enumerate(pictures):
        rows[name] = [values[i] for values in cols.values()]
    return rows


SHARES = ("under 10 %", "10 % to 90 %", "over 90 %")


def _share_bin(x: float) -> int:
    return 0 if x < 0.1 else 1 if x <= 0.9 else 2


def sampled_questions(f: av.SamplingFacts, s: av.Setting, eps: float) -> list[quiz.Question]:
    """Quiz mode: the sheet's parts (c)-(d), one head against two, answered by this run's
    samples (``core.attention_views.sampling_facts``)."""
    key = f"sampled|{s}|{eps:g}"
    gap = f.two_within - f.one_within
    which = 2 if abs(gap) < 0.05 else 1 if gap > 0 else 0
    target = "½(v_a + v_b)"
    return [
        quiz.Question(
            key + "|which",
            f"Keys are sampled around μ_a, μ_b with Σ_a = αI + βμ_aμ_aᵀ (β = {s.beta:g}). "
            f"Which attention puts more of its outputs within ε = {eps:g} of {target}?",
            ("one head", "two heads", "about the same"),
            which,
            f"Computed over {f.n_samples:,} samples: one head {f.one_within:.1%}, two heads "
            f"{f.two_within:.1%}.",
        ),
        quiz.Question(
            key + "|one",
            f"What share of one head's outputs land within ε of {target}?",
            SHARES,
            _share_bin(f.one_within),
            f"{f.one_within:.1%}: the one head's weights tip towards a or b as the sampled "
            f"keys wobble, so its output lands near v_a ({f.one_near_a:.1%}) or v_b "
            f"({f.one_near_b:.1%}) instead.",
        ),
    ]


def sampled_keys(sb: Sidebar) -> None:
    explain(asset_section(MD, "Sampled keys"))
    with setup("Radius ε"):
        eps = state.EPS.draw()
    eps_problem = av.check_eps(eps)
    if eps_problem is not None:
        show_problem(eps_problem)
    s = sb.checked.setting
    if s is None:
        st.info(NEED_SETTING)
        return
    if eps_problem is not None:
        return
    eps = float(eps)
    panels = state.experiment(s)
    summaries = state.summaries(s, eps)
    panels_fig = ch.sampled_outputs(
        panels,
        summaries,
        M=s.M,
        noise_var_text=fmt_noise_var(sb.noise_log10),
        beta=s.beta,
        n=s.n,
        d=s.d,
        a=s.a + 1,
        b=s.b + 1,
        eps=eps,
    )
    f = av.sampling_facts(panels, summaries, eps)
    if not quiz.ask_all(sampled_questions(f, s, eps)):  # quiz mode: predict first
        return
    figure(panels_fig, "panels")
    st.dataframe(stats_table(panels, summaries, eps), hide_index=True, width="stretch")
    st.markdown(
        f"**With Σ_a = αI + βμ_aμ_aᵀ (β = {s.beta:g}):** one head puts "
        f"**{f.one_within:.1%}** of the {f.n_samples:,} outputs within ε = {eps:g} of "
        f"½(v_a + v_b) — and {f.one_near_a:.1%} within ε of v_a, {f.one_near_b:.1%} within ε "
        f"of v_b, drawn on top of each other under the square markers. Two heads put "
        f"**{f.two_within:.1%}** there ({f.two_within_kept:.1%} of the {f.n_kept:,} samples "
        f"with k_aᵀq₁ ≥ 0). Standard deviation along v_a − v_b: {f.one_std:.3f} for one head, "
        f"{f.two_std:.3f} for two."
    )
    st.markdown(asset_section(MD, "One head"))
    st.markdown(asset_section(MD, "Two heads"))
    st.markdown(
        asset_section(MD, "Near-zero keys")
        + f"\n\nHere: **{f.n_near_zero:,}** of {f.n_samples:,} samples have 0 ≤ k_aᵀq₁ < "
        f"{f.near_zero_threshold:.2f}, i.e. a length of k_a below {f.near_zero_length:.3f}, "
        f"and {f.n_negative:,} have k_aᵀq₁ < 0."
    )
    st.markdown(asset_section(MD, "Transformers"))


# ---------------------------------------------------------------- why one head fails
def norm_table(nc: av.NormCurves) -> dict[str, list[str]]:
    """α_a at the lengths 1 − √β, 1, 1 + √β for one head (56) and head 1 of two (65)."""
    return {
        "length of k_a": [f"{x:.3f}" for x in nc.lengths],
        "one head, α_a (56)": [f"{v:.6f}" for v in nc.table_single],
        "two heads, head 1's α_a (65)": [f"{v:.6f}" for v in nc.table_two],
    }


def one_head_vs_two(sb: Sidebar) -> None:
    st.markdown(asset_section(MD, "Why one head fails"))
    if not sb.checked.curves_ok or not sb.checked.beta_ok:
        st.info(NEED_SETTING)
        return
    M, n, beta = float(sb.M), int(sb.n), float(sb.beta)
    nc = state.norm_curves(M, n, beta)
    one = two = None
    if sb.checked.setting is not None:
        panels = state.experiment(sb.checked.setting)
        one, two = panels.one_head_beta, panels.two_heads_beta
    else:
        st.info("The sampled keys appear once the whole setting is valid.")
    figure(ch.alpha_vs_length(nc, one, two, M=M, n=n, beta=beta), "why")
    st.table(norm_table(nc))
    explain(asset_section(MD, "Self-attention"))


TABS = (copying, averaging, sampled_keys, one_head_vs_two)  # order of ui.attention_state.VIEWS

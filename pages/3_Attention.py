"""Homework question 3: attention as a weighted average, and why two heads beat one."""

import streamlit as st

from charts import attention as ch
from core import attention as ac
from ui import attention_state as state
from ui.common import asset_section, page_header, share_hint

MD = "attention.md"
VIEWS = ["Copying", "Averaging", "Sampled keys", "One head vs two"]
D = state.DEFAULTS

page_header("attention")
share_hint()

# ---------------------------------------------------------------- sidebar: the setting
with st.sidebar:
    st.header("Setting of (b)-(e)")
    # read before the slider: it quietly drops a value it cannot show
    slider_msg = state.link_value_problem(
        "alpha_log10",
        "log₁₀ α",
        *state.ALPHA_LOG10,
        D["alpha_log10"],
        " (α is a variance, so it is always positive; the slider sets its power of ten.)",
    )
    M = st.number_input(
        "Query scale M",
        value=D["M"],
        step=1.0,
        key="M",
        bind="query-params",
        help="q = M(μ_a + μ_b) for one head, q₁ = Mμ_a and q₂ = Mμ_b for two. The sheet only "
        "says 'large'; 20 makes a targeted item outscore the others by a factor e²⁰ ≈ 5·10⁸.",
    )
    alpha_log10 = st.slider(
        "log₁₀ α (α = key noise variance)",
        *state.ALPHA_LOG10,
        D["alpha_log10"],
        0.5,
        key="alpha_log10",
        bind="query-params",
        help="Every key is k_i ~ N(μ_i, αI): α is the variance of the small noise on all keys. "
        "The sheet recommends α = 1e-10.",
    )
    st.caption(f"α = {state.fmt_alpha(alpha_log10)}")
    beta = st.number_input(
        "β (extra variance of k_a along μ_a)",
        value=D["beta"],
        step=0.05,
        key="beta",
        bind="query-params",
        help="Σ_a = αI + βμ_aμ_aᵀ in the lower pictures: the length of k_a wobbles with "
        "standard deviation √β. The sheet uses β = ½.",
    )
    N = st.number_input(
        "Samples N",
        value=D["N"],
        step=500,
        key="N",
        bind="query-params",
        help=f"Key draws per picture, 1 to {ac.MAX_SAMPLES:,}.",
    )
    c1, c2 = st.columns(2)
    n = c1.number_input("Items n", value=2, step=1, key="n_items", bind="query-params")
    d = c2.number_input("Dimension d", value=2, step=1, key="dim", bind="query-params")
    c1, c2 = st.columns(2)
    a = c1.number_input("Item a", value=1, step=1, key="item_a", bind="query-params")
    b = c2.number_input("Item b", value=2, step=1, key="item_b", bind="query-params")
    seed = st.number_input("Seed", value=0, step=1, key="key_seed", bind="query-params")
    check = state.check_setting(M, alpha_log10, beta, N, n, d, a, b, seed)
    st.caption(
        "Items are numbered from 1 as on the sheet. Means μ_i are perpendicular unit vectors "
        "and values v_i = μ_i; for n = d = 2, μ₁ = v₁ = (0, 1) and μ₂ = v₂ = (1, 0)."
    )

# ---------------------------------------------------------------- the operation (45)-(46)
st.latex(
    r"\mathbf{c} = \sum_{i=1}^{n} \alpha_i \mathbf{v}_i \quad (45) \qquad "
    r"\alpha_i = \frac{\exp(\mathbf{k}_i^\top \mathbf{q})}"
    r"{\sum_{j=1}^{n} \exp(\mathbf{k}_j^\top \mathbf{q})} \quad (46)"
)
st.markdown(asset_section(MD, "Attention"))
for msg in ([slider_msg] if slider_msg else []) + list(check.errors):
    st.error(msg, icon=":material/tune:")
if check.setting is not None:
    s = check.setting
    st.markdown(
        f"**Current setting:** n = {s.n} items in d = {s.d} dimensions · average items "
        f"a = {s.a + 1} and b = {s.b + 1} · M = {s.M:g} · α = {state.fmt_alpha(alpha_log10)} · "
        f"β = {s.beta:g} · N = {s.N:,} samples · seed {s.seed}"
    )

tabs = st.tabs(VIEWS, default="Sampled keys", key="view", bind="query-params")
need_setting = "Fix the setting in the sidebar to see this view (the messages above say how)."

# ---------------------------------------------------------------- (a) copying
if tabs[0].open:
    with tabs[0]:
        st.markdown(asset_section(MD, "Copying"))
        if not check.nd_ok:
            st.info(need_setting)
        else:
            link_msg = state.link_value_problem("copy_kq", "k_jᵀq", *state.SCALE_RANGE, D["kq"])
            c1, c2 = st.columns([1, 3])
            j = c1.number_input(
                "Item to copy j", value=1, step=1, key="copy_j", bind="query-params"
            )
            scale = c2.slider(
                "Score of item j: k_jᵀq (every other score is 0)",
                *state.SCALE_RANGE,
                D["kq"],
                0.5,
                key="copy_kq",
                bind="query-params",
            )
            for msg in filter(None, [state.check_copy(j, n), link_msg]):
                st.error(msg)
            if state.check_copy(j, n) is None:
                res = state.copy_view(j - 1, scale, n, d)
                m1, m2, m3 = st.columns(3)
                m1.metric(f"α_{j}", f"{res.alpha_j:.6f}")
                m2.metric(f"1 − α_{j}", f"{res.one_minus_alpha_j:.3g}")
                m3.metric(f"‖c − v_{j}‖", f"{res.gap:.3g}")
                st.markdown(
                    f"q = {scale:g}·μ_{j}: item {j} scores {scale:g}, the other {n - 1} "
                    f"item(s) score 0, so α_{j} = e^{scale:g} / (e^{scale:g} + {n - 1}) = "
                    f"{res.alpha_j:.6f}."
                )
                g1, g2 = st.columns(2)
                g1.plotly_chart(ch.copy_weights_bar(res), width="stretch", key="copy_w")
                g2.plotly_chart(ch.copy_output_bar(res), width="stretch", key="copy_c")
                scales, _, one_minus, gap = state.copy_curve(j - 1, n, d)
                st.plotly_chart(
                    ch.copy_gap_curve(scales, one_minus, gap, res), width="stretch", key="copy_g"
                )

# ---------------------------------------------------------------- (b) averaging
if tabs[1].open:
    with tabs[1]:
        st.markdown(asset_section(MD, "Averaging"))
        if not check.pair_ok:
            st.info(need_setting)
        else:
            pc = state.pair_curves(float(M), int(n), int(a) - 1, int(b) - 1)
            rest = (
                "With n = 2 there are no other items, so the average is exact for every M."
                if n == 2
                else f"The other {n - 2} items keep {pc.rest:.3g} of the weight together."
            )
            st.markdown(
                f"At **M = {M:g}** and **n = {n}**: (49) gives α_a = α_b = "
                f"**{pc.alpha_closed:.12f}**; attention (46) run on exactly orthonormal keys "
                f"gives α_{a} = {pc.alpha_a:.12f} and α_{b} = {pc.alpha_b:.12f}. {rest}"
            )
            g1, g2 = st.columns(2)
            g1.plotly_chart(ch.pair_vs_M(pc, int(n), float(M)), width="stretch", key="pair_M")
            g2.plotly_chart(ch.pair_vs_n(pc, int(n), float(M)), width="stretch", key="pair_n")
            st.markdown(asset_section(MD, "M"))

# ---------------------------------------------------------------- (c)-(e) sampled keys
if tabs[2].open:
    with tabs[2]:
        st.markdown(asset_section(MD, "Sampled keys"))
        eps = st.number_input(
            "Radius ε around ½(v_a + v_b) for 'close to the average'",
            value=D["eps"],
            step=0.01,
            format="%.3f",
            key="eps",
            bind="query-params",
        )
        eps_msg = state.check_eps(eps)
        if eps_msg:
            st.error(eps_msg)
        if check.setting is None:
            st.info(need_setting)
        elif eps_msg is None:
            s = check.setting
            panels = state.experiment(s)
            sums = state.summaries(s, float(eps))
            st.plotly_chart(
                ch.sampled_outputs(
                    panels,
                    sums,
                    M=s.M,
                    alpha_text=state.fmt_alpha(alpha_log10),
                    beta=s.beta,
                    n=s.n,
                    d=s.d,
                    a=s.a + 1,
                    b=s.b + 1,
                    eps=float(eps),
                ),
                width="stretch",
                key="panels",
            )
            st.dataframe(
                state.stats_table(panels, sums, float(eps)), hide_index=True, width="stretch"
            )
            one, two = sums[2], sums[3]
            near_a, near_b = state.end_shares(panels[2], float(eps))
            st.markdown(
                f"**With Σ_a = αI + βμ_aμ_aᵀ (β = {s.beta:g}):** one head puts "
                f"**{one.share_within:.1%}** of the {s.N:,} outputs within ε = {eps:g} of "
                f"½(v_a + v_b) — and {near_a:.1%} within ε of v_a, {near_b:.1%} within ε of "
                f"v_b, drawn on top of each other under the square markers. Two heads put "
                f"**{two.share_within:.1%}** there ({two.share_within_kept:.1%} of the "
                f"{s.N - two.n_negative:,} samples with k_aᵀq₁ ≥ 0). Standard deviation along "
                f"v_a − v_b: {one.std_along_ab:.3f} for one head, {two.std_along_ab:.3f} for two."
            )
            st.markdown(asset_section(MD, "One head"))
            st.markdown(asset_section(MD, "Two heads"))
            n_weak = int(panels[3].near_zero.sum())
            st.markdown(
                asset_section(MD, "Near-zero keys")
                + f"\n\nHere: **{n_weak:,}** of {s.N:,} samples have 0 ≤ k_aᵀq₁ < "
                f"{panels[3].near_zero_threshold:.2f}, i.e. a length of k_a below "
                f"{panels[3].near_zero_threshold / s.M if s.M > 0 else float('inf'):.3f}, and "
                f"{two.n_negative:,} have k_aᵀq₁ < 0."
            )
            st.markdown(asset_section(MD, "Transformers"))

# ---------------------------------------------------------------- why one head fails
if tabs[3].open:
    with tabs[3]:
        st.markdown(asset_section(MD, "Why one head fails"))
        if not check.curves_ok or not check.beta_ok:
            st.info(need_setting)
        else:
            nc = state.norm_curves(float(M), int(n), float(beta))
            one = two = None
            if check.setting is not None:
                panels = state.experiment(check.setting)
                one, two = panels[2], panels[3]
            else:
                st.info("The sampled keys appear once the whole setting is valid.")
            st.plotly_chart(
                ch.alpha_vs_length(nc, one, two, M=float(M), n=int(n), beta=float(beta)),
                width="stretch",
                key="why",
            )
            st.table(state.norm_table(nc))
            st.markdown(asset_section(MD, "Self-attention"))

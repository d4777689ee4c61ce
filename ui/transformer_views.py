"""The Transformer page drawn: its three tabs.  Controls from ``ui.transformer_state``, numbers
from ``core.transformer_views`` (cached), figures from ``charts.transformer``, text from
``assets/transformer.md``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from charts import transformer as ch
from core import transformer_views as tv
from core.checks import Problem
from ui import transformer_state as state
from ui.common import asset_section, export_config
from ui.common import intro as intro_prose
from ui.controls import plain
from ui.problems import show_problem

MD = "transformer.md"


def intro() -> None:
    intro_prose(asset_section(MD, "Transformer"))


def _matrix(a: np.ndarray, rows: list[str], cols: list[str], digits: int = 3) -> pd.DataFrame:
    return pd.DataFrame(np.round(np.asarray(a, dtype=float), digits), index=rows, columns=cols)


# ---------------------------------------------------------------- 1. positional encoding
def positional() -> None:
    st.markdown(asset_section(MD, "Positional encoding"))
    st.latex(
        r"PE(pos, 2i) = \sin\!\left(\frac{pos}{\text{base}^{2i/d_{model}}}\right) \qquad "
        r"PE(pos, 2i+1) = \cos\!\left(\frac{pos}{\text{base}^{2i/d_{model}}}\right)"
    )
    c1, c2, c3, c4 = st.columns(4)
    d_model = state.D_MODEL.draw(c1)
    base = state.BASE.draw(c2)
    layout = state.LAYOUT.draw(c3) or state.LAYOUT.default
    n = state.N_POS.draw(c4)
    problems = tv.check_pe(d_model, base, layout, n)
    for p in problems:
        show_problem(p, icon=":material/tune:")
    if problems:
        st.info("Fix the value above to see the encoding.")
        return
    d_model, base, n = int(d_model), float(base), int(n)
    v = state.pe_view(n, d_model, base, layout)
    st.plotly_chart(
        ch.pe_heatmap(v), width="stretch", key="pe_heat", config=export_config("pe_heat")
    )
    dims_text = state.DIMS.draw()
    dims, dims_problem = tv.parse_dims(dims_text, d_model)
    if dims_problem is not None:
        show_problem(dims_problem)
    else:
        st.plotly_chart(
            ch.pe_lines(v, dims), width="stretch", key="pe_lines", config=export_config("pe_lines")
        )
    st.markdown(asset_section(MD, "Similarity"))
    g1, g2 = st.columns(2)
    g1.plotly_chart(
        ch.similarity_heatmap(v), width="stretch", key="pe_sim", config=export_config("pe_sim")
    )
    g2.plotly_chart(
        ch.similarity_by_distance(v),
        width="stretch",
        key="pe_dist",
        config=export_config("pe_dist"),
    )
    st.markdown(f"**Similarity and distance:** {v.sentence}")

    st.markdown(asset_section(MD, "Rotation"))
    c1, c2 = st.columns(2)
    i = state.FREQ.draw(c1)
    delta = state.DELTA.draw(c2)
    problem = tv.check_rotation(i, delta, d_model)
    if problem is not None:
        show_problem(problem)
        return
    r = state.rotation_check(n, d_model, base, layout, int(i), int(delta))
    st.latex(
        rf"\omega_{{{r.i}}} = \text{{base}}^{{-2\cdot{r.i}/{d_model}}} = {r.omega:.6g},\quad "
        rf"R = \begin{{pmatrix}} \cos\omega\delta & \sin\omega\delta \\ -\sin\omega\delta & "
        rf"\cos\omega\delta \end{{pmatrix}} = \begin{{pmatrix}} {r.R[0, 0]:.6f} & "
        rf"{r.R[0, 1]:.6f} \\ {r.R[1, 0]:.6f} & {r.R[1, 1]:.6f} \end{{pmatrix}}"
    )
    st.markdown(
        f"**Rotation check:** for all {n} positions p = 0 … {n - 1}, the pair of columns "
        f"{r.cols[0]} and {r.cols[1]} at p + {r.delta} equals R times the pair at p: max error "
        f"**{r.max_error:.3e}**. Over every frequency of the {d_model}-wide encoding at once "
        f"(the full shift matrix): max error **{r.max_error_all:.3e}**."
    )
    g1, g2 = st.columns([3, 2])
    g1.plotly_chart(
        ch.rotation_plot(r), width="stretch", key="pe_rot", config=export_config("pe_rot")
    )
    k = min(n, 6)
    table = pd.DataFrame(
        {
            "p": np.arange(k),
            "PE pair at p": [f"({a:.4f}, {b:.4f})" for a, b in r.pairs[:k]],
            "R · pair": [f"({a:.4f}, {b:.4f})" for a, b in r.rotated[:k]],
            "pair at p + δ": [f"({a:.4f}, {b:.4f})" for a, b in r.shifted[:k]],
        }
    )
    g2.dataframe(table, hide_index=True, width="stretch")
    g2.caption(f"The first {k} of the {n} positions checked.")


# ---------------------------------------------------------------- 2. scaled dot-product
def scaled() -> None:
    st.markdown(asset_section(MD, "Scaled dot-product"))
    st.latex(
        r"\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}}\right)V"
    )
    seed = state.EX_SEED.draw()
    ex = state.worked_example(int(seed))
    qs = [f"q{i + 1}" for i in range(ex.Q.shape[0])]
    ks = [f"k{j + 1}" for j in range(ex.K.shape[0])]
    dims = [f"dim {c + 1}" for c in range(ex.Q.shape[1])]
    vs = [f"v{j + 1}" for j in range(ex.K.shape[0])]
    c1, c2, c3 = st.columns(3)
    c1.markdown("**Q** (3 queries × d_k = 4)")
    c1.dataframe(_matrix(ex.Q, qs, dims, 1))
    c2.markdown("**K** (4 keys × d_k = 4)")
    c2.dataframe(_matrix(ex.K, ks, dims, 1))
    c3.markdown("**V** (4 values × d_v = 4)")
    c3.dataframe(_matrix(ex.V, vs, dims, 1))
    c1, c2, c3 = st.columns(3)
    c1.markdown("**QKᵀ / √d_k** (scores, √4 = 2)")
    c1.dataframe(_matrix(ex.scores, qs, ks))
    c2.markdown("**softmax** of each row (weights)")
    c2.dataframe(_matrix(ex.weights, qs, ks))
    c3.markdown("**Output** = weights · V")
    c3.dataframe(_matrix(ex.output, qs, dims))
    row = " + ".join(f"{w:.3f}·v{j + 1}" for j, w in enumerate(ex.weights[0]))
    st.markdown(
        f"Query 1 reads the values with its weights: output₁ = {row} = "
        f"({', '.join(f'{x:.3f}' for x in ex.output[0])})."
    )

    st.markdown(asset_section(MD, "Why divide"))
    c1, c2, c3 = st.columns([3, 1, 1])
    d_k = state.D_K.draw(c1)
    n_keys = state.N_KEYS.draw(c2)
    seed2 = state.SEED.draw(c3)
    problems = tv.check_scaling(d_k, n_keys, seed2)
    for p in problems:
        show_problem(p, icon=":material/tune:")
    if problems:
        return
    d_k, n_keys, seed2 = int(d_k), int(n_keys), int(seed2)
    pt = state.scaling_point(d_k, n_keys, seed2)
    m = st.columns(3)
    m[0].metric("std of scores, unscaled", f"{pt.std_unscaled:.2f}",
                help=f"√d_k = {np.sqrt(d_k):.2f}")  # fmt: skip
    m[1].metric("std of scores, scaled", f"{pt.std_scaled:.3f}")
    m[2].metric("√d_k", f"{np.sqrt(d_k):.2f}")
    table = pd.DataFrame(
        {
            "": ["std of scores", f"largest weight of {n_keys}", "softmax gradient size"],
            "unscaled q·k": [f"{pt.std_unscaled:.3f}", f"{pt.max_weight_unscaled:.3f}",
                             f"{pt.grad_unscaled:.4f}"],
            "scaled q·k/√d_k": [f"{pt.std_scaled:.3f}", f"{pt.max_weight_scaled:.3f}",
                                f"{pt.grad_scaled:.4f}"],
        }
    )  # fmt: skip
    st.dataframe(table, hide_index=True)
    st.markdown(
        f"**At d_k = {d_k}** ({tv.N_TRIALS} random queries, each against {n_keys} random keys, "
        f"entries N(0, 1), seed {seed2}): the unscaled scores spread with standard deviation "
        f"{pt.std_unscaled:.2f} (√d_k = {np.sqrt(d_k):.2f}), the scaled ones "
        f"{pt.std_scaled:.3f}. Unscaled, the largest weight averages {pt.max_weight_unscaled:.3f} "
        f"and the softmax gradient {pt.grad_unscaled:.4f}; scaled, {pt.max_weight_scaled:.3f} "
        f"and {pt.grad_scaled:.4f}."
    )
    curve = state.scaling_curve(n_keys, seed2, d_k)
    figs = ch.scaling_charts(curve, d_k)
    cols = st.columns(3)
    for col, fig, key in zip(cols, figs, ("dk_std", "dk_max", "dk_grad"), strict=True):
        col.plotly_chart(fig, width="stretch", key=key, config=export_config(key))
    st.markdown(asset_section(MD, "Gradient"))


# ---------------------------------------------------------------- 3. greedy decoding
def decoding() -> None:
    st.markdown(asset_section(MD, "Greedy decoding"))
    text = state.FR.draw()
    translation, trace, words = state.trace(str(text))
    for note in getattr(translation, "notes", ()):
        st.info(plain(note.text), icon=":material/info:")
    if trace is None or len(trace.ids) == 0:
        show_problem(
            Problem(
                "fr",
                "nothing to decode",
                "type a French sentence with at least one word the model knows, e.g. "
                f"'{state.DEFAULT_TEXT}'.",
            )
        )
        return
    st.markdown(f"**Translation:** {plain(' '.join(translation.words))}")
    c1, c2, c3 = st.columns([3, 1, 2])
    step = state.STEP.draw(c1)
    layer = state.LAYER.draw(c2) or state.LAYER.default
    head = state.HEAD.draw(c3) or state.HEAD.default
    h = None if head == state.MEAN else int(head) - 1
    s = tv.decode_step(trace, words, translation.source, int(step), int(layer) - 1, h)
    if int(step) > s.n_steps:
        st.caption(f"The output has {s.n_steps} steps; showing the last one.")
    written = " ".join(s.outputs[: s.t]) or "(nothing yet)"
    st.markdown(
        f"**Step {s.t + 1} of {s.n_steps}:** the decoder has read {plain('<sos> ' + written)} "
        f"and writes **{plain(s.chosen)}** (the argmax, probability {s.chosen_prob:.3f})."
    )
    st.plotly_chart(
        ch.self_attention_heatmap(s),
        width="stretch",
        key="dec_self",
        config=export_config("dec_self"),
    )
    st.caption(
        f"Grey cells are masked: a step may not look at later positions. Row {s.t + 1} has "
        f"{s.n_masked} masked cells, the {s.n_masked} future positions of the {s.n_steps}; the "
        f"rows shown have {s.n_masked_total} masked cells in all."
    )
    g1, g2 = st.columns(2)
    g1.plotly_chart(
        ch.cross_attention_bar(s),
        width="stretch",
        key="dec_cross",
        config=export_config("dec_cross"),
    )
    g2.plotly_chart(ch.top5_bar(s), width="stretch", key="dec_top", config=export_config("dec_top"))
    st.markdown(asset_section(MD, "Masking"))


TABS = (positional, scaled, decoding)  # order of ui.transformer_state.VIEWS

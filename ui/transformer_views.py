"""The Transformer page drawn: its six tabs.  Controls from ``ui.transformer_state``, numbers
from ``core.transformer_views`` (cached), figures from ``charts.transformer``, text from
``assets/transformer.md``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from charts import transformer as ch
from core import transformer_views as tv
from core.checks import Problem
from ui import quiz, stepper
from ui import transformer_state as state
from ui.common import asset_section, explain, figure, setup
from ui.common import intro as intro_prose
from ui.controls import plain
from ui.problems import show_problem

MD = "transformer.md"


def intro() -> None:
    intro_prose(asset_section(MD, "Transformer"))


_TABLE_W = 262  # px: a worked-example matrix (an index and four columns of 50 px) and its label


def _matrix(a: np.ndarray, rows: list[str], cols: list[str], digits: int = 3) -> pd.DataFrame:
    return pd.DataFrame(np.round(np.asarray(a, dtype=float), digits), index=rows, columns=cols)


# ---------------------------------------------------------------- 1. positional encoding
def positional() -> None:
    _encoding()
    _shuffled()


def _encoding() -> None:
    explain(asset_section(MD, "Positional encoding"))
    st.latex(  # one line each: side by side they run past a projector's page column
        r"\begin{aligned} PE(pos, 2i) &= \sin\!\left(\frac{pos}{\text{base}^{2i/d_{model}}}"
        r"\right) \\ PE(pos, 2i+1) &= \cos\!\left(\frac{pos}{\text{base}^{2i/d_{model}}}"
        r"\right) \end{aligned}"
    )
    with setup("Settings: d_model, base, layout, positions"):  # folded in presenter mode
        c1, c2, c3 = st.columns([1, 1, 1.4])  # four in a row left the layout control too little
        d_model = state.D_MODEL.draw(c1)
        base = state.BASE.draw(c2)
        layout = state.LAYOUT.draw(c3) or state.LAYOUT.default
        n = state.N_POS.draw()
    problems = tv.check_pe(d_model, base, layout, n)
    for p in problems:
        show_problem(p, icon=":material/tune:")
    if problems:
        st.info("Fix the value above to see the encoding.")
        return
    d_model, base, n = int(d_model), float(base), int(n)
    v = state.pe_view(n, d_model, base, layout)
    figure(ch.pe_heatmap(v), "pe_heat")
    dims_text = state.DIMS.draw()
    dims, dims_problem = tv.parse_dims(dims_text, d_model)
    if dims_problem is not None:
        show_problem(dims_problem)
    else:
        figure(ch.pe_lines(v, dims), "pe_lines")
    st.markdown(asset_section(MD, "Similarity"))
    g1, g2 = st.columns(2)
    figure(ch.similarity_heatmap(v), "pe_sim", g1)
    figure(ch.similarity_by_distance(v), "pe_dist", g2)
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
    st.latex(  # three lines: on one it runs past a projector's page column
        rf"\begin{{aligned}} \omega_{{{r.i}}} &= \text{{base}}^{{-2\cdot{r.i}/{d_model}}} = "
        rf"{r.omega:.6g} \\ "
        rf"R &= \begin{{pmatrix}} \cos\omega\delta & \sin\omega\delta \\ -\sin\omega\delta & "
        rf"\cos\omega\delta \end{{pmatrix}} \\ &= \begin{{pmatrix}} {r.R[0, 0]:.6f} & "
        rf"{r.R[0, 1]:.6f} \\ {r.R[1, 0]:.6f} & {r.R[1, 1]:.6f} \end{{pmatrix}} \end{{aligned}}"
    )
    st.markdown(
        f"**Rotation check:** for all {n} positions p = 0 … {n - 1}, the pair of columns "
        f"{r.cols[0]} and {r.cols[1]} at p + {r.delta} equals R times the pair at p: max error "
        f"**{r.max_error:.3e}**. Over every frequency of the {d_model}-wide encoding at once "
        f"(the full shift matrix): max error **{r.max_error_all:.3e}**."
    )
    figure(ch.rotation_plot(r), "pe_rot")
    k = min(n, 6)
    table = pd.DataFrame(
        {
            "p": np.arange(k),
            "PE pair at p": [f"({a:.4f}, {b:.4f})" for a, b in r.pairs[:k]],
            "R · pair": [f"({a:.4f}, {b:.4f})" for a, b in r.rotated[:k]],
            "pair at p + δ": [f"({a:.4f}, {b:.4f})" for a, b in r.shifted[:k]],
        }
    )
    st.dataframe(table, hide_index=True)  # under the figure: beside it, it did not fit
    st.caption(f"The first {k} of the {n} positions checked.")


# ---------------------------------------------------------------- 2. scaled dot-product
def scaled() -> None:
    explain(asset_section(MD, "Scaled dot-product"))
    st.latex(
        r"\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}}\right)V"
    )
    seed = state.EX_SEED.draw()
    ex = state.worked_example(int(seed))
    qs = [f"q{i + 1}" for i in range(ex.Q.shape[0])]
    ks = [f"k{j + 1}" for j in range(ex.K.shape[0])]
    dims = [f"dim {c + 1}" for c in range(ex.Q.shape[1])]
    vs = [f"v{j + 1}" for j in range(ex.K.shape[0])]
    # A table needs about 250 px: side by side as many as the page column holds (two on a
    # 1024-px projector, one at 125 % zoom), the rest wrap onto further rows.
    with st.container(horizontal=True):
        for label, a, rows, cols, digits in (
            ("**Q** (3 queries × d_k = 4)", ex.Q, qs, dims, 1),
            ("**K** (4 keys × d_k = 4)", ex.K, ks, dims, 1),
            ("**V** (4 values × d_v = 4)", ex.V, vs, dims, 1),
            ("**QKᵀ / √d_k** (scores, √4 = 2)", ex.scores, qs, ks, 3),
            ("**softmax** of each row (weights)", ex.weights, qs, ks, 3),
            ("**Output** = weights · V", ex.output, qs, dims, 3),
        ):
            with st.container(width=_TABLE_W):
                st.markdown(label)
                st.dataframe(_matrix(a, rows, cols, digits))
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
    if not quiz.ask_all(scaling_questions(pt, seed2)):  # quiz mode: predict first
        return
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
    # two by two, the text in the fourth place: three in a row are too narrow on a projector
    (c1, c2), (c3, c4) = st.columns(2), st.columns(2, vertical_alignment="center")
    for col, fig, key in zip((c1, c2, c3), figs, ("dk_std", "dk_max", "dk_grad"), strict=True):
        figure(fig, key, col)
    c4.markdown(asset_section(MD, "Gradient"))


def scaling_questions(pt: tv.ScalingPoint, seed: int) -> list[quiz.Question]:
    """Quiz mode: why the sheet divides by √d_k, answered by this run's random scores."""
    d_k, n = pt.d_k, pt.n_keys
    sizes = (1.0, float(np.sqrt(d_k)), float(d_k))
    spread = int(np.argmin([abs(np.log(pt.std_unscaled / s)) for s in sizes]))
    w = pt.max_weight_unscaled
    peak = 0 if w < 2 / n else 2 if w > 0.8 else 1
    key = f"scaled|{d_k}|{n}|{seed}"
    return [
        quiz.Question(
            key + "|std",
            f"q and k have d_k = {d_k} random entries (mean 0, variance 1). The score q·k, "
            "not divided by anything, varies from key to key with a standard deviation of "
            "about…",
            ("1", f"√d_k ≈ {np.sqrt(d_k):.1f}", f"d_k = {d_k}"),
            spread,
            f"Measured: {pt.std_unscaled:.2f}. q·k is a sum of d_k products of variance 1, so "
            "its variance is d_k; dividing by √d_k brings the spread back to "
            f"{pt.std_scaled:.2f}.",
        ),
        quiz.Question(
            key + "|peak",
            f"And without the 1/√d_k, the largest softmax weight over {n} keys is, on average…",
            (f"near 1/{n} (spread out)", "in between", "near 1 (one key takes it all)"),
            peak,
            f"Measured: {w:.3f} unscaled against {pt.max_weight_scaled:.3f} scaled; a softmax "
            f"that near one-hot passes back little gradient ({pt.grad_unscaled:.4f} against "
            f"{pt.grad_scaled:.4f}).",
        ),
    ]


def shuffle_questions(s: tv.ShuffleCheck, seed: int) -> list[quiz.Question]:
    """Quiz mode: the sheet's reason for positional encoding, answered by the trained
    encoder on the shuffled sentence."""
    key = f"shuffle|{' '.join(s.source)}|{seed}"
    options = ("the original outputs, in the shuffled order", "different vectors")
    return [
        quiz.Question(
            key + "|off",
            "Shuffle the French words and run the trained encoder WITHOUT positional encoding. "
            "Its outputs are…",
            options,
            0 if s.diff_off < 1e-4 else 1,
            f"Max |difference| from the re-ordered originals: {s.diff_off:.1e}, rounding "
            "only: self-attention and the feed-forward treat the words as a bag.",
        ),
        quiz.Question(
            key + "|on",
            "And WITH the positional encoding added?",
            options,
            0 if s.diff_on < 1e-4 else 1,
            f"Max |difference|: {s.diff_on:.3f}: each word's vector now says where it stands.",
        ),
    ]


def _shuffled() -> None:
    """Part 1's counterfactual: the trained encoder on the sentence and on its words shuffled,
    with the positional encoding and without."""
    st.markdown(asset_section(MD, "Shuffled words"))
    c1, c2 = st.columns([3, 1])
    text = state.FR.draw(c1)
    seed = state.SHUFFLE_SEED.draw(c2)
    s = state.shuffle(str(text), int(seed))
    if s is None:
        _nothing()
        return
    st.markdown(
        f"**Shuffled (seed {int(seed)}):** {plain(' '.join(s.source))} → "
        f"{plain(' '.join(s.shuffled))}"
    )
    if not quiz.ask_all(shuffle_questions(s, int(seed))):  # predict first
        return
    st.markdown(
        f"**Without PE:** the shuffled sentence's encoder outputs are the original outputs "
        f"in the shuffled order, max |difference| = **{s.diff_off:.1e}** (rounding).  \n"
        f"**With PE:** max |difference| = **{s.diff_on:.3f}**: each word's output depends on "
        f"where it stands."
    )
    table = pd.DataFrame(
        {
            "position": np.arange(len(s.order)),  # in the shuffled sentence
            "word": list(s.shuffled),
            "original position": list(s.order),
            "max |diff|, PE on": [f"{v:.3f}" for v in s.row_diff_on],
            "max |diff|, PE off": [f"{v:.1e}" for v in s.row_diff_off],
        }
    )
    st.dataframe(table, hide_index=True)
    st.caption("position: where the word stands in the shuffled sentence.")


def _nothing() -> None:
    show_problem(
        Problem(
            "fr",
            "nothing to decode",
            "type a French sentence with at least one word the model knows, e.g. "
            f"'{state.DEFAULT_TEXT}'.",
        )
    )


def _sentence(where=None):
    """The French sentence control, the model's notes on it and its trace; None (after a
    message) when nothing can be decoded."""
    text = state.FR.draw(where)
    translation, trace, words = state.trace(str(text))
    for note in getattr(translation, "notes", ()):
        st.info(plain(note.text), icon=":material/info:")
    if trace is None or len(trace.ids) == 0:
        _nothing()
        return None
    st.markdown(f"**Translation:** {plain(' '.join(translation.words))}")
    return str(text), translation, trace, words


# ---------------------------------------------------------------- 3. attention vs self-attention
def attention_vs_self() -> None:
    explain(asset_section(MD, "Attention vs self-attention"))
    got = _sentence()
    if got is None:
        return
    _, translation, trace, words = got
    c1, c2 = st.columns([1, 2])
    layer = state.AV_LAYER.draw(c1) or state.AV_LAYER.default
    head = state.AV_HEAD.draw(c2) or state.AV_HEAD.default
    h = None if head == state.MEAN else int(head) - 1
    c = tv.attention_compare(trace, words, translation.source, int(layer) - 1, h)
    enc, cross = ch.attention_pair(c)
    g1, g2 = st.columns(2)
    figure(enc, "av_self", g1)
    g1.caption(
        f"**Self-attention** (encoder): queries, keys and values all come from the French "
        f"words ({len(c.source)} of each), so the words select each other."
    )
    figure(cross, "av_cross", g2)
    g2.caption(
        f"**Attention** (encoder-decoder): the {len(c.outputs)} queries come from the decoder "
        f"(one per English word written), the keys and values from the encoder's output over "
        f"the {len(c.source)} French words."
    )
    dev = max(np.abs(c.encoder_sums - 1).max(), np.abs(c.cross_sums - 1).max())
    pairs = ", ".join(
        f"{plain(o)} → {plain(k)}" for o, k in zip(c.outputs, c.cross_top, strict=True)
    )
    st.markdown(
        f"**Rows sum to 1** in both maps (largest deviation {dev:.1e}): every query spreads "
        f"one unit of weight over the French words. Most attended French word per English "
        f"word: {pairs}."
    )
    st.markdown(asset_section(MD, "Attention or self-attention"))


# ---------------------------------------------------------------- 4. multi-head self-attention
def multihead() -> None:
    explain(asset_section(MD, "Multi-head self-attention"))
    got = _sentence()
    if got is None:
        return
    text, translation, _, _ = got
    cell = state.MH.draw() or state.MH.default
    layer, head = (int(part[1:]) - 1 for part in str(cell).split())
    p, _, _ = state.probe(text)
    if p is None:
        _nothing()
        return
    v = tv.multihead_view(p, translation.source, layer, head)
    # one under the other: beside the heatmap the shapes table did not fit a projector
    figure(ch.head_heatmap(v), "mh_heat")
    S, H, d_k, d = len(v.source), v.n_heads, v.d_k, v.d_model
    st.dataframe(
        pd.DataFrame(
            {
                "step": [f"per-head outputs (h = {H})", "concatenated", "W_O", "output"],
                "shape": [
                    f"{H} × ({S}, {d_k})",
                    str(v.concat_shape),
                    str(v.W_O_shape),
                    str(v.output_shape),
                ],
            }
        ),
        hide_index=True,
    )
    st.markdown(
        f"**Check:** concat · W_O + b_O computed from the trace equals the layer's attention "
        f"output (the module's own forward): max |difference| = **{v.max_diff:.1e}**. The "
        f"concatenation is the {H} heads side by side: max |difference| = "
        f"{v.concat_error:.1e}. Each row of the weights sums to 1 (largest deviation "
        f"{np.abs(v.row_sums - 1).max():.1e}); d_model = {d} = {H} heads × d_k = {d_k}."
    )
    st.latex(  # two lines: a long sentence would widen one past a projector's page column
        rf"\begin{{aligned}} \text{{head}}_h &= \mathrm{{softmax}}\!\left(\frac{{Q_h K_h^\top}}"
        rf"{{\sqrt{{{d_k}}}}}\right) V_h \in \mathbb{{R}}^{{{S}\times{d_k}}}, \\ "
        rf"h &= 1,\dots,{H} \end{{aligned}}"
    )
    st.latex(  # two lines: on one it runs past a projector's page column
        rf"\begin{{aligned}} &[\text{{head}}_1, \dots, \text{{head}}_{{{H}}}]\,W_O + b_O: \\ "
        rf"&({S}\times{H * d_k})\cdot({v.W_O_shape[0]}\times{v.W_O_shape[1]}) "
        rf"\to {v.output_shape[0]}\times{v.output_shape[1]} \end{{aligned}}"
    )
    tops = ", ".join(f"{plain(q)} → {plain(k)}" for q, k in zip(v.source, v.top, strict=True))
    st.markdown(f"**Layer {layer + 1}, head {head + 1}:** most attended word per query: {tops}.")
    cols = [f"dim {j}" for j in range(min(8, d_k))]
    st.markdown(f"**This head's output** (the first {len(cols)} of its {d_k} columns):")
    st.dataframe(_matrix(v.head_out[:, : len(cols)], list(tv.labels(v.source)), cols))


# ---------------------------------------------------------------- 5. encoder and decoder
def blocks() -> None:
    explain(asset_section(MD, "Encoder and decoder"))
    got = _sentence()
    if got is None:
        return
    text, translation, _, _ = got
    p, inputs, vocab = state.probe(text)
    if p is None:
        _nothing()
        return
    c1, c2 = st.columns([1, 3])
    layer = int(state.BLOCK_LAYER.draw(c1) or state.BLOCK_LAYER.default) - 1
    label = state.BLOCK.draw(c2) or state.BLOCK.default
    shapes = tv.block_shapes(p, layer)
    figure(ch.block_diagram(shapes, label, layer, len(p.enc_attention), p.norm_first), "blocks")
    b = tv.block_view(p, label, layer, translation.source, inputs, vocab)
    where = "" if b.layer < 0 else f", layer {b.layer + 1}"
    st.markdown(f"**{b.part.capitalize()}: {b.name}{where}** — output shape **{b.shape}**.")
    if b.ln_mean_max is not None and b.ln_std is not None:
        st.markdown(
            f"**Layer-norm check:** standardised per row before its gain and bias, every row "
            f"has mean ≈ 0 (largest |mean| {b.ln_mean_max:.1e}) and standard deviation ≈ 1 "
            f"({b.ln_std[0]:.6f} to {b.ln_std[1]:.6f})."
        )
    if b.d_ff is not None and b.hidden_zero is not None:
        st.markdown(
            f"**Feed-forward:** d_model {p.d_model} → hidden size d_ff = **{b.d_ff}** (relu) → "
            f"d_model {p.d_model}; relu sets {100 * b.hidden_zero:.1f} % of the hidden values "
            f"to 0 for this sentence."
        )
    if b.row_sums is not None:
        tops = ", ".join(plain(w) for w in b.top)
        st.markdown(
            f"**Softmax:** each row sums to 1 (largest deviation "
            f"{np.abs(b.row_sums - 1).max():.1e}); the most probable word per step: {tops}."
        )
    n_rows, n_cols = b.table.shape
    st.caption(f"The first {n_rows} rows and {n_cols} columns of {b.shape}.")
    st.dataframe(_matrix(b.table, list(b.rows), [f"col {j}" for j in range(n_cols)]))


# ---------------------------------------------------------------- 6. greedy decoding
def decoding() -> None:
    explain(asset_section(MD, "Greedy decoding"))
    got = _sentence()
    if got is None:
        return
    _, translation, trace, words = got
    _step_buttons(len(trace.ids))
    step = state.STEP.draw()
    c1, c2 = st.columns([1, 2])  # the head's five buttons in one row, also at 125 % zoom
    layer = state.LAYER.draw(c1) or state.LAYER.default
    head = state.HEAD.draw(c2) or state.HEAD.default
    h = None if head == state.MEAN else int(head) - 1
    s = tv.decode_step(trace, words, translation.source, int(step), int(layer) - 1, h)
    if int(step) > s.n_steps:
        st.caption(f"The output has {s.n_steps} steps; showing the last one.")
    written = " ".join(s.outputs[: s.t]) or "(nothing yet)"
    st.markdown(
        f"**Step {s.t + 1} of {s.n_steps}:** the decoder has read {plain('<sos> ' + written)} "
        f"and writes **{plain(s.chosen)}** (the argmax, probability {s.chosen_prob:.3f})."
    )
    figure(ch.self_attention_heatmap(s), "dec_self")
    st.caption(
        f"Grey cells are masked: a step may not look at later positions. Row {s.t + 1} has "
        f"{s.n_masked} masked cells, the {s.n_masked} future positions of the {s.n_steps}; the "
        f"rows shown have {s.n_masked_total} masked cells in all."
    )
    g1, g2 = st.columns(2)
    figure(ch.cross_attention_bar(s), "dec_cross", g1)
    figure(ch.top5_bar(s), "dec_top", g2)
    st.markdown(asset_section(MD, "Masking"))


def _step_buttons(n_steps: int) -> None:
    """First / Back / Next / Last (Home / ← / → / End): move the step slider within
    1 .. n_steps.  Drawn only in this tab (the page computes only the open one), so the keys
    do not step from another view."""
    stepper.step_row(state.STEP.key, n_steps, prefix="step", default=state.STEP.default)


TABS = (positional, scaled, attention_vs_self, multihead, blocks, decoding)
# order of ui.transformer_state.VIEWS

"""The gradient-flow page's four tabs, drawn: controls from ``ui.gradient_state``, numbers from
``core.gradient_views`` (cached), figures from ``charts.gradients``, text from
``assets/gradient_flow.md``."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from charts import gradients as ch
from core import gradient_views as gv
from core.lstm import LSTMTrace
from ui import gradient_state as state
from ui import quiz
from ui.common import asset_section, explain, figure, fill, offer_csv, setup
from ui.controls import Control
from ui.problems import show_problem

MD = "gradient_flow.md"


def select_slider(c: Control, where: Any = None) -> Any:
    """Draw the choice control ``c`` as a select slider bound to the URL, its link value
    checked first (``ui.controls.Control.draw`` has no select-slider widget)."""
    c.check_link()
    box = st if where is None else where
    return box.select_slider(
        c.label, c.options, value=c.default, key=c.key, bind="query-params", help=c.help,
        **c.kwargs,
    )  # fmt: skip


def _steps_table(tr: LSTMTrace) -> dict[str, Any]:
    """x(t) and the forward values of (22), one row per step."""
    cols: dict[str, Any] = {"t": list(range(1, tr.T + 1)), "x(t)": tr.x}
    for name in ("i", "f", "o", "g", "c", "h"):
        cols[f"{name}(t)"] = getattr(tr, name)
    return cols


# ---------------------------------------------------------------- T = 2 by hand
def t2_tab() -> None:
    explain(asset_section(MD, "By hand"))
    values = {}
    with setup("Weights, inputs, target and initial state"):  # folded in presenter mode
        st.caption(
            "Weights and biases of (22) (the sheet's model has no biases), then the inputs, the "
            f"target and the initial state. Numbers from -{gv.LIMIT:g} to {gv.LIMIT:g}."
        )
        for row in (state.T2_NUMBERS[0:6], state.T2_NUMBERS[6:12], state.T2_NUMBERS[12:]):
            for col, c in zip(st.columns(6), row, strict=False):
                values[state.T2_KEYS[c.key]] = c.draw(col)
    inputs = gv.T2Inputs(**values)
    problems = gv.check_t2(inputs)
    for p in problems:
        show_problem(p)
    if problems:
        st.info("Fix the numbers above to see the equations (the messages say how).")
        return
    bp = state.t2_backprop(inputs)
    if not quiz.ask_all(t2_questions(bp)):  # quiz mode: predict first
        return
    ag = state.t2_autograd(inputs)

    st.subheader("The computation graph of the two steps")
    st.graphviz_chart(ch.lstm_graph_dot(bp.trace, bp.grads, inputs.y), width="stretch")
    st.caption(asset_section(MD, "Graph"))

    st.subheader("Backprop through time, (28)-(40), with the current numbers")
    for eq in ch.t2_equations(inputs.params(), bp.trace, bp.grads, inputs.y):
        ref = gv.signal_at(ag, eq.signal, eq.t)
        st.latex(eq.latex)  # the page's full width: a 1024-px projector fits every line
        st.markdown(
            f"**({eq.tag})** autograd `{ref:.17g}` · |difference| `{abs(ref - eq.value):.1e}`"
        )
    cmp = gv.compare_t2(bp.grads, ag)
    st.success(
        f"Largest difference between the hand BPTT and autograd over all {len(cmp.names)} "
        "derivatives (the 12 signals above, all 12 weight and bias gradients, ∂L/∂h(0) and "
        f"∂L/∂c(0)): **{cmp.worst_difference:.1e}** (at {cmp.worst_name})."
    )
    k = cmp.N_SIGNALS
    with st.expander("Every weight and bias gradient, (40) for all twelve parameters"):
        st.dataframe(
            {
                "derivative": cmp.names[k:],
                "hand BPTT": cmp.hand[k:],
                "autograd": cmp.autograd[k:],
                "|difference|": cmp.difference[k:],
            },
            hide_index=True,
        )
    if state.T2_TABLE.draw():
        cols = _steps_table(bp.trace)
        for signal, sym in zip(gv.SIGNALS, gv.SIGNAL_SYMBOLS, strict=True):
            cols[f"{sym}(t) hand"] = getattr(bp.grads, signal)
            cols[f"{sym}(t) autograd"] = getattr(ag, signal)
        st.dataframe(cols, hide_index=True)


# ---------------------------------------------------------------- gradient flow
def _log_table(label: str, rows: np.ndarray, z: np.ndarray) -> dict[str, np.ndarray]:
    """One heatmap as columns: its row values, then log10 of the gradient at t = 1 .. T."""
    table = {label: np.round(rows, 6)}
    table.update({f"t={t}": np.round(z[:, t - 1], 3) for t in range(1, z.shape[1] + 1)})
    return table


def flow_tab() -> None:
    with setup("Settings of the maps"):  # folded in presenter mode
        c1, c2, c3 = st.columns([2.2, 1.5, 2.2])
        T = int(state.T.draw(c1))
        regime_label = state.REGIME.draw(c2)
        kind = state.RNN_KINDS[state.RNN.draw(c3)]
        vector = kind == "vector"
        d1, d2, d3, d4 = st.columns(4)
        H = state.H.draw(d1, disabled=not vector)
        seed = state.SEED.draw(d2, disabled=not vector)
        input_scale = state.INPUT_SCALE.draw(d3)
        floor = state.FLOOR.draw(d4)
    lstm = state.lstm_maps(T, state.REGIMES[regime_label])
    rnn = state.rnn_map(T, kind, int(H), int(seed), float(input_scale))
    ff = state.flow_figures(T)  # the numbers of the text, from the "as on the sheet" maps
    if not quiz.ask_all(flow_questions(ff)):  # quiz mode: predict first
        return
    fig = ch.flow_figure(lstm, rnn, float(floor), regime_label)
    figure(fig, "flow_fig")
    offer_csv(fig, "flow_fig")
    left, right = st.columns(2)
    left.markdown(
        fill(
            asset_section(MD, "Gradient flow"),
            T=ff.T,
            high_f=f"{ff.high_f:g}",
            high_lo=f"{ff.high_lo:.0f}",
            high_hi=f"{ff.high_hi:.0f}",
            half_factor=f"{ff.half_factor:.2f}",
            half_log_first=f"{ff.half_log_first:.0f}",
        )
    )
    right.markdown(asset_section(MD, "Plain RNN"))
    if state.FLOW_TABLE.draw():
        st.caption(
            "Exact log10 of the gradient's size (not clipped). Rows: forget level f, or "
            f"{rnn.symbol} for the RNN; columns: step t."
        )
        for title, label, rows, z in (
            ("LSTM: log10 |c̄(t)|", "f", lstm.f_levels, lstm.log_c),
            ("LSTM: log10 |h̄(t)|", "f", lstm.f_levels, lstm.log_h),
            ("Plain RNN: log10 of the gradient", rnn.symbol, rnn.values, rnn.log_grad),
        ):
            st.markdown(f"**{title}**")
            st.dataframe(_log_table(label, rows, z), hide_index=True, height=260)


# ---------------------------------------------------------------- part (c)
SHRINK_CHOICES = (0.1, 0.5, 0.9, 1.0)  # "by about what factor per step?"


def t2_questions(bp: gv.T2Backprop) -> list[quiz.Question]:
    """Quiz mode on the two steps: which factor carries c̄(2) back to c(1) (35), and which of
    the two paths into c̄(1) carries more, both from the hand BPTT's own numbers."""
    tr, gr = bp.trace, bp.grads
    cell = float(gr.c_bar[1] * tr.f[1])  # c̄(2) f(2): the cell path into c̄(1)
    via_h = float(gr.c_bar[0]) - cell  # h̄(1) o(1) (1 - tanh² c(1)): the path through h(1)
    key = "t2|" + ",".join(f"{v:.6g}" for v in (*tr.x, tr.f[1], gr.c_bar[0]))
    return [
        quiz.Question(
            key + "|factor",
            "Going back one step along the cell, c̄(2) reaches c(1) multiplied by which "
            "quantity (equation (35))?",
            (
                "the forget gate f(2)",
                "the input gate i(2)",
                "the output gate o(2)",
                "the candidate g(2)",
            ),  # fmt: skip
            0,
            f"c(2) = f(2) c(1) + i(2) g(2), so ∂c(2)/∂c(1) = f(2) = {tr.f[1]:.4f}: the cell "
            f"path gives c̄(2) f(2) = {cell:.4f}.",
        ),
        quiz.Question(
            key + "|path",
            "c̄(1) is the sum of two paths: along the cell, c̄(2) f(2), and through h(1). "
            "With these numbers, which one is larger in size?",
            ("the cell path c̄(2) f(2)", "the path through h(1)"),
            0 if abs(cell) >= abs(via_h) else 1,
            f"Cell path {cell:.4f}, path through h(1) {via_h:.4f}, together c̄(1) = "
            f"{float(gr.c_bar[0]):.4f}.",
        ),
    ]


def flow_questions(ff: gv.FlowFigures) -> list[quiz.Question]:
    """Quiz mode: the sheet's question (part b) about f -> 1, and the size of the shrink at
    f = 0.5, answered by the maps' own numbers (``core.gradient_views.flow_figures``)."""
    change = ff.top_first - ff.top_last  # orders of magnitude gained (+) or lost (-) going back
    fates = ("it vanishes (shrinks towards 0)", "it stays about the same size", "it explodes")
    fate = 1 if abs(change) <= 2 else 0 if change < 0 else 2
    factor = min(range(len(SHRINK_CHOICES)), key=lambda k: abs(SHRINK_CHOICES[k] - ff.half_factor))
    key = f"flow|{ff.T}"
    return [
        quiz.Question(
            key + "|fate",
            f"An LSTM whose forget gate is f = {ff.top_f:g}: as the gradient c̄(t) flows back "
            f"from step {ff.T} to step 1, what happens to its size?",
            fates,
            fate,
            f"On the map, log10 |c̄(t)| goes from {ff.top_last:.2f} at t = {ff.T} to "
            f"{ff.top_first:.2f} at t = 1: c̄(t-1) ≈ f c̄(t) with f ≈ 1 carries the signal "
            "instead of multiplying it away (the sheet's part b).",
        ),
        quiz.Question(
            key + "|half",
            "And with f = 0.5: by about what factor does |c̄| change per step back?",
            tuple(f"× {c:g}" for c in SHRINK_CHOICES),
            factor,
            f"Computed: × {ff.half_factor:.2f} per step, so after {ff.T} steps log10 |c̄(1)| "
            f"is about {ff.half_log_first:.0f}: the gradient vanishes.",
        ),
    ]


def part_c_tab() -> None:
    c1, c2 = st.columns(2)
    T_max = select_slider(state.T_MAX, c1)
    k = state.K.draw(c2)
    pc = state.part_c(int(T_max), float(k))
    figure(ch.partc_figure(pc), "partc_fig")
    end = pc.end
    (m1, m2), (m3, m4) = st.columns(2), st.columns(2)  # two by two: fits a 1024-px projector
    m1.metric(f"|w̄_ix| at T = {end.T:,}, b_f = {end.b_f:g}", f"{end.actual:.3e}")
    m2.metric("approximation (43)", f"{end.approx43:.3e}")
    m3.metric("bound (44)", f"{end.bound:.3e}")
    m4.metric("output gate o(T)", f"{end.o:.2e}")
    lo, hi = pc.others_bound_range
    st.markdown(
        fill(
            asset_section(MD, "Part (c)"),
            o=f"{end.o:.1e}",
            T=f"{end.T:,}",
            b_f=f"{end.b_f:g}",
            orders_approx=f"{end.orders_approx:.1f}",
            orders_bound=f"{end.orders_bound:.1f}",
            orders_bound_lo=f"{lo:.1f}",
            orders_bound_hi=f"{hi:.1f}",
        )
    )
    if state.PARTC_TABLE.draw():
        st.dataframe(ch.partc_table(pc), hide_index=True)


# ---------------------------------------------------------------- gate explorer
def gates_tab() -> None:
    c1, c2, c3 = st.columns([1.9, 2, 1])  # the preset names fit at 125 % zoom
    preset = state.SEQUENCE.draw(c1)
    custom = preset == state.CUSTOM
    T = state.GATE_T.draw(c2, disabled=custom)
    seed = state.GATE_SEED.draw(c3, disabled=preset != "noise")
    text = state.XS.draw(disabled=not custom)
    b_i, b_f, b_o, b_g = (c.draw(col) for c, col in zip(state.BIASES, st.columns(4), strict=True))
    if custom:
        x, problem = gv.parse_sequence(text)
    else:
        x, problem = gv.preset_sequence(preset, int(T), int(seed)), None
    if problem is not None:
        show_problem(problem)
        return
    tr = state.gate_trace(x, float(b_i), float(b_f), float(b_o), float(b_g))
    left, right = st.columns([2.2, 1])
    figure(
        ch.gates_figure(tr, f"How the gates shape c(t) and h(t) · input: {preset}, T = {tr.T}"),
        "gates_fig",
        left,
    )
    with right:
        st.markdown(asset_section(MD, "Gates"))
        st.caption(asset_section(MD, "Example setting"))
    if state.GATE_TABLE.draw():
        st.dataframe(_steps_table(tr), hide_index=True)


TABS = (t2_tab, flow_tab, part_c_tab, gates_tab)  # in the order of ui.gradient_state.VIEWS

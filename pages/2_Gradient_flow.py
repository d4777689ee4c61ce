"""Homework question 2: backprop through time in an LSTM, and vanishing gradients in a plain RNN."""

import numpy as np
import streamlit as st

from charts import gradients as ch
from ui import gradient_state as state
from ui.common import asset_section, page_header, share_hint

MD = "gradient_flow.md"
VIEWS = ["T = 2 by hand", "Gradient flow", "Part (c)", "Gate explorer"]
TABLE = "Show the numbers as a table"

page_header("gradient")
share_hint()
st.markdown(asset_section(MD, "Intro"))
for msg in state.url_problems(VIEWS):
    st.warning(msg)

tabs = st.tabs(VIEWS, default="Gradient flow", key="view", bind="query-params")

# ---------------------------------------------------------------- T = 2 by hand
if tabs[0].open:
    with tabs[0]:
        st.markdown(asset_section(MD, "By hand"))
        st.caption(
            "Weights and biases of (22) (the sheet's model has no biases), then the inputs, "
            "the target and the initial state. Numbers from -100 to 100."
        )
        values = {}
        rows = [state.T2_FIELDS[0:6], state.T2_FIELDS[6:12], state.T2_FIELDS[12:17]]
        for fields in rows:
            cols = st.columns(6)
            for col, (key, symbol, _) in zip(cols, fields, strict=False):
                values[key] = col.number_input(
                    symbol,
                    value=state.T2_DEFAULTS[key],
                    step=0.1,
                    format="%g",
                    key=key,
                    bind="query-params",
                )
        problems = state.t2_problems(values)
        for msg in problems:
            st.error(msg)
        if problems:
            st.info("Fix the numbers above to see the equations (the messages say how).")
        else:
            vkey = tuple(sorted(values.items()))
            tr, gr = state.t2(vkey)
            with st.spinner("Running PyTorch autograd for the check (the first time loads it)…"):
                ag = state.t2_autograd(vkey)
            p = state.t2_params(values)

            st.subheader("The computation graph of the two steps")
            st.graphviz_chart(ch.lstm_graph_dot(tr, gr, values["y"]), width="stretch")
            st.caption(asset_section(MD, "Graph"))

            st.subheader("Backprop through time, (28)-(40), with the current numbers")
            for eq in ch.t2_equations(p, tr, gr, values["y"]):
                ref = getattr(ag, eq.signal)
                ref = float(ref if eq.t is None else ref[eq.t - 1]) + 0.0  # no "-0"
                left, right = st.columns([4.6, 1.4], vertical_alignment="center")
                left.latex(eq.latex)
                right.markdown(
                    f"**({eq.tag})** autograd  \n`{ref:.17g}`  \n"
                    f"|difference| `{abs(ref - eq.value):.1e}`"
                )
            cmp = state.t2_comparison(gr, ag)
            worst = int(np.argmax(cmp["|difference|"]))
            st.success(
                f"Largest difference between the hand BPTT and autograd over all "
                f"{len(cmp['derivative'])} derivatives (the 12 signals above, all 12 weight and "
                f"bias gradients, ∂L/∂h(0) and ∂L/∂c(0)): **{cmp['|difference|'][worst]:.1e}** "
                f"(at {cmp['derivative'][worst]})."
            )
            with st.expander("Every weight and bias gradient, (40) for all twelve parameters"):
                st.dataframe({k: v[12:] for k, v in cmp.items()}, hide_index=True)
            if st.toggle(TABLE, key="t2tab", bind="query-params"):
                cols = {"t": [1, 2], "x(t)": tr.x}
                for name in ("i", "f", "o", "g", "c", "h"):
                    cols[f"{name}(t)"] = getattr(tr, name)
                for s, sym in zip(state.SIGNALS, ("h̄", "c̄", "ō", "ḡ", "ī", "f̄"), strict=True):
                    cols[f"{sym}(t) hand"] = getattr(gr, s)
                    cols[f"{sym}(t) autograd"] = getattr(ag, s)
                st.dataframe(cols, hide_index=True)

# ---------------------------------------------------------------- gradient flow
if tabs[1].open:
    with tabs[1]:
        c1, c2, c3 = st.columns([2.2, 1.5, 2.2])
        T = c1.slider(
            "Sequence length T (the loss is at step T)",
            state.T_MIN,
            state.T_MAX,
            state.T_DEFAULT,
            key="T",
            bind="query-params",
        )
        regime_label = c2.radio(
            "LSTM gates", list(state.REGIMES), key="regime", bind="query-params"
        )
        kind = c3.radio("Plain RNN", state.RNN_KINDS, key="rnn", bind="query-params")
        vector = kind == state.RNN_KINDS[0]
        d1, d2, d3, d4 = st.columns(4)
        H = d1.selectbox(
            "Hidden units H (vector RNN)",
            state.H_CHOICES,
            index=3,
            key="H",
            bind="query-params",
            disabled=not vector,
        )
        seed = d2.number_input(
            "Seed (vector RNN)",
            0,
            9999,
            0,
            key="seed",
            bind="query-params",
            disabled=not vector,
            help="Seeds the random W_h (scaled to radius ρ), W_x, the inputs x and the target y.",
        )
        input_scale = d3.selectbox(
            "Input scale (RNN)",
            state.INPUT_SCALES,
            index=1,
            key="insc",
            bind="query-params",
            help="Size of the RNN's input weights. Small inputs keep the RNN near its linear "
            "regime, where gradients can explode.",
        )
        floor = d4.selectbox(
            "Colour floor (log10)",
            state.FLOORS,
            index=2,
            key="floor",
            bind="query-params",
            help="Smaller values are drawn in the floor's colour; hover for exact values.",
        )
        maps = state.flow(
            int(T),
            state.REGIMES[regime_label],
            kind,
            int(H),
            int(seed),
            float(input_scale),
        )
        st.plotly_chart(
            ch.flow_figure(maps, float(floor), regime_label), width="stretch", key="flow_fig"
        )
        left, right = st.columns(2)
        left.markdown(asset_section(MD, "Gradient flow"))
        right.markdown(asset_section(MD, "Plain RNN"))
        if st.toggle(TABLE, key="gftab", bind="query-params"):
            st.caption(
                "Exact log10 of the gradient's size (not clipped). Rows: forget level f, or "
                f"{maps.rnn_label} for the RNN; columns: step t."
            )
            steps = [f"t={t}" for t in range(1, T + 1)]
            for title, rows, z in (
                ("LSTM: log10 |c̄(t)|", maps.f_levels, maps.log_c),
                ("LSTM: log10 |h̄(t)|", maps.f_levels, maps.log_h),
                ("Plain RNN: log10 of the gradient", maps.rnn_values, maps.log_rnn),
            ):
                st.markdown(f"**{title}**")
                label = "f" if rows is maps.f_levels else maps.rnn_label
                table = {label: np.round(rows, 6)}
                table.update({s: np.round(z[:, k], 3) for k, s in enumerate(steps)})
                st.dataframe(table, hide_index=True, height=260)

# ---------------------------------------------------------------- part (c)
if tabs[2].open:
    with tabs[2]:
        c1, c2 = st.columns(2)
        T_max = c1.select_slider(
            "Longest sequence T_max",
            state.TMAX_CHOICES,
            value=5000,
            key="Tmax",
            bind="query-params",
        )
        k = c2.slider(
            "Input and output gate bias: b_i = b_o = −k, k =",
            0.0,
            state.K_MAX,
            10.0,
            0.5,
            key="k",
            bind="query-params",
        )
        pc = state.partc(int(T_max), float(k))
        st.plotly_chart(ch.partc_figure(pc), width="stretch", key="partc_fig")
        j = int(np.argmax(pc.b_f))
        last = pc.T.size - 1
        m1, m2, m3, m4 = st.columns(4)
        m1.metric(f"|w̄_ix| at T = {pc.T[last]:,}, b_f = {pc.b_f[j]:g}", f"{pc.actual[j, last]:.3e}")
        m2.metric("approximation (43)", f"{pc.approx43[j, last]:.3e}")
        m3.metric("bound (44)", f"{pc.bound[j, last]:.3e}")
        m4.metric("output gate o(T)", f"{pc.o_last[j, last]:.2e}")
        st.markdown(asset_section(MD, "Part (c)"))
        if st.toggle(TABLE, key="pctab", bind="query-params"):
            st.dataframe(ch.partc_table(pc), hide_index=True)

# ---------------------------------------------------------------- gate explorer
if tabs[3].open:
    with tabs[3]:
        c1, c2, c3 = st.columns([1.3, 2, 1])
        preset = c1.selectbox("Input sequence", state.PRESETS, key="seq", bind="query-params")
        custom = preset == "custom"
        gT = c2.slider(
            "Length T (presets)",
            state.GATE_T_MIN,
            state.GATE_T_MAX,
            60,
            key="gT",
            bind="query-params",
            disabled=custom,
        )
        gseed = c3.number_input(
            "Seed (noise)",
            0,
            9999,
            0,
            key="gseed",
            bind="query-params",
            disabled=preset != "noise",
        )
        text = st.text_input(
            "Your own sequence x(1), x(2), … (choose 'custom' above)",
            "0, 0, 1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0",
            key="xs",
            bind="query-params",
            disabled=not custom,
            help=state.SEQUENCE_HELP,
        )
        b = st.columns(4)
        biases = {}
        for col, (key, label, default) in zip(
            b,
            (
                ("gbi", "input gate bias b_i", 0.0),
                ("gbf", "forget gate bias b_f", 3.0),
                ("gbo", "output gate bias b_o", 0.0),
                ("gbg", "candidate bias b_g", 0.0),
            ),
            strict=True,
        ):
            biases[key] = col.slider(
                label,
                -state.BIAS_RANGE,
                state.BIAS_RANGE,
                default,
                0.5,
                key=key,
                bind="query-params",
            )
        if custom:
            x, problem = state.parse_sequence(text)
        else:
            x, problem = state.preset_sequence(preset, int(gT), int(gseed)), None
        if problem:
            st.error(problem)
        else:
            tr = state.gates(
                tuple(float(v) for v in x),
                biases["gbi"],
                biases["gbf"],
                biases["gbo"],
                biases["gbg"],
            )
            left, right = st.columns([2.2, 1])
            left.plotly_chart(
                ch.gates_figure(
                    tr,
                    f"How the gates shape c(t) and h(t) · input: {preset}, T = {tr.T}",
                ),
                width="stretch",
                key="gates_fig",
            )
            with right:
                st.markdown(asset_section(MD, "Gates"))
                st.caption(asset_section(MD, "Example setting"))
            if st.toggle(TABLE, key="getab", bind="query-params"):
                cols = {"t": np.arange(1, tr.T + 1), "x(t)": tr.x}
                for name in ("i", "f", "o", "g", "c", "h"):
                    cols[f"{name}(t)"] = getattr(tr, name)
                st.dataframe(cols, hide_index=True)

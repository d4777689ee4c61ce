"""Homework question 1: a hard-threshold RNN that adds binary numbers, LSB first."""

import numpy as np
import streamlit as st

from charts import adder as ch
from core import binary_adder as ba
from ui import adder_state as state
from ui.common import asset_section, page_header, share_hint

MD = "binary_adder.md"
VIEWS = ["Step through", "Automaton", "Verify & prove", "Search designs", "Learned adder"]

page_header("adder")
share_hint()

# ---------------------------------------------------------------- sidebar: the weights (2)
with st.sidebar:
    st.header("Weights of (2)")
    st.selectbox(
        "Load a preset design",
        list(ba.PRESETS),
        index=None,
        placeholder="Choose a preset…",
        key="preset",
        on_change=lambda: (
            st.session_state.get("preset") in ba.PRESETS
            and state.load_weights_into_editor(ba.PRESETS[st.session_state["preset"]])
        ),
    )
    st.caption("Rows separated by `;`, entries by spaces. Fractions like `1/2` are fine.")
    texts = {}
    labels = {
        "U": "U (H × 2, input → hidden)",
        "W": "W (H × H, hidden → hidden)",
        "V": "V (1 × H, hidden → output)",
        "b_h": "b_h (H entries)",
        "b_y": "b_y (one number)",
    }
    for key in state.WEIGHT_KEYS:
        texts[key] = st.text_input(
            labels[key], value=state.DEFAULT_WEIGHT_TEXT[key], key=key, bind="query-params"
        )
    w, weight_errors = state.parse_weights(texts)
    for msg in weight_errors:
        st.error(msg)
    if w is not None:
        match = next((n for n, p in ba.PRESETS.items() if p == w), None)
        st.caption(
            f"H = {w.H} hidden units · "
            + (f"matches preset *{match}*" if match else "custom design")
        )

# ---------------------------------------------------------------- the problem a + b
c1, c2, c3, c4 = st.columns([2, 2, 1.4, 1.1])
a_text = c1.text_input("First number a", "110111", key="a", bind="query-params")
b_text = c2.text_input("Second number b", "10010", key="b", bind="query-params")
fmt = c3.radio(
    "Typed as",
    ["binary", "decimal"],
    key="fmt",
    bind="query-params",
    horizontal=True,
    help="Binary also accepts a 0b prefix; decimal accepts 0b too.",
)
width = c4.selectbox(
    "Bit width n",
    ["auto", *map(str, range(1, state.MAX_INPUT_BITS + 1))],
    key="bits",
    bind="query-params",
    help="The numbers' width; the input has T = n + 1 columns (one zero pad).",
)

x = None
input_errors = []
values = {}
for name, text in (("a", a_text), ("b", b_text)):
    try:
        values[name] = ba.parse_number(text, fmt, max_bits=state.MAX_INPUT_BITS)
    except ValueError as exc:
        input_errors.append(f"**{name}**: {exc}")
if not input_errors:
    try:
        x = ba.encode_pair(values["a"], values["b"], None if width == "auto" else int(width))
    except ValueError as exc:
        input_errors.append(f"Bit width: {exc} Choose a larger width or 'auto'.")
for msg in input_errors:
    st.error(msg)

if x is not None:
    a, b = values["a"], values["b"]
    y_correct = ba.expected_output(x)
    T = x.shape[1]
    st.markdown(
        f"**{a:b} + {b:b} = {a + b:b}** &nbsp; (decimal {a} + {b} = {a + b}) · "
        f"T = {T} steps, least significant bit first, padded with "
        f"{T - max(1, a.bit_length(), b.bit_length())} zero column(s)."
    )
    st.latex(ch.io_latex(x, y_correct) + r"\qquad \text{(5), (6)}")

tabs = st.tabs(VIEWS, key="view", bind="query-params")
need_weights = "Fix the weights in the sidebar to see this view (the messages there say how)."
need_inputs = "Fix the numbers above to see this view (the messages there say how)."

# ---------------------------------------------------------------- step through
if tabs[0].open:
    with tabs[0]:
        if w is None:
            st.info(need_weights)
        elif x is None:
            st.info(need_inputs)
        else:
            T = x.shape[1]
            if st.session_state.get("t", 1) > T:
                st.session_state["t"] = T
            playing = bool(st.session_state.get("playing", False))

            @st.fragment(run_every=0.9 if playing else None)
            def step_view() -> None:
                if st.session_state.get("playing", False):
                    t_now = st.session_state.get("t", 1)
                    if t_now >= T:
                        st.session_state["playing"] = False
                        st.rerun()
                    st.session_state["t"] = t_now + 1
                tr = state.run(x, state.wkey(w))

                def go(to: int) -> None:
                    st.session_state["t"] = int(min(max(to, 1), T))
                    st.session_state["playing"] = False

                t_cur = st.session_state.get("t", 1)
                is_playing = bool(st.session_state.get("playing", False))
                with st.container(horizontal=True):
                    st.button("First", icon=":material/first_page:", on_click=go, args=(1,))
                    st.button(
                        "Back", icon=":material/chevron_left:", on_click=go, args=(t_cur - 1,)
                    )
                    if st.button(
                        "Pause" if is_playing else "Play",
                        key="play_btn",
                        icon=":material/pause:" if is_playing else ":material/play_arrow:",
                        type="primary",
                    ):
                        if not is_playing and t_cur >= T:
                            st.session_state["t"] = 1
                        st.session_state["playing"] = not is_playing
                        st.rerun()
                    st.button(
                        "Next", icon=":material/chevron_right:", on_click=go, args=(t_cur + 1,)
                    )
                    st.button("Last", icon=":material/last_page:", on_click=go, args=(T,))
                t = st.slider("Step t", 1, T, key="t", bind="query-params")

                left, right = st.columns([1, 1.25])
                with left:
                    st.markdown(f"**Column addition, step t = {t}** (highlighted column)")
                    st.html(ch.column_addition_html(x, tr.y, t))
                    carry_in = int(ba.column_carries(x)[t - 1])
                    st.markdown(
                        f"x({t}) = (a, b) = ({x[0, t - 1]}, {x[1, t - 1]}), carry in = "
                        f"{carry_in}, column total a + b + carry = "
                        f"{x[0, t - 1] + x[1, t - 1] + carry_in}: the correct output bit is "
                        f"**{tr.target[t - 1]}**, the network gives **{tr.y[t - 1]}** "
                        + ("✓" if tr.y[t - 1] == tr.target[t - 1] else "✗ (wrong)")
                    )
                with right:
                    st.plotly_chart(ch.network_over_time(tr, t), width="stretch", key="net_time")
                eq_h, eq_y = ch.step_latex(w, tr, t)
                st.latex(eq_h)
                st.latex(eq_y)
                if t == T:
                    verdict = "correct ✓" if tr.correct else "wrong ✗"
                    st.markdown(
                        f"Output read MSB first: **{ba.bits_to_int(tr.y):b}** "
                        f"(= {ba.bits_to_int(tr.y)}) — {verdict}"
                    )

            step_view()

            st.subheader("What each hidden unit means")
            meanings = ba.unit_meanings(w, state.prove(state.wkey(w)))
            st.table(
                {
                    "unit": [f"h{m.unit}" for m in meanings],
                    "behaviour (read off every reachable transition)": [m.text for m in meanings],
                }
            )
            st.markdown(asset_section(MD, "Hidden units"))
            if st.toggle("Show every step as a table", key="table", bind="query-params"):
                tr = state.run(x, state.wkey(w))
                cols = {"t": np.arange(1, T + 1), "a": x[0], "b": x[1]}
                for j in range(w.H):
                    cols[f"pre h{j + 1}"] = tr.pre_h[:, j]
                    cols[f"h{j + 1}"] = tr.h[:, j]
                cols["V h + b_y"] = tr.pre_y
                cols["y"] = tr.y
                cols["correct"] = tr.target
                st.dataframe(cols, hide_index=True)

# ---------------------------------------------------------------- automaton
if tabs[1].open:
    with tabs[1]:
        if w is None:
            st.info(need_weights)
        else:
            proof = state.prove(state.wkey(w))
            _, out = state.transitions(state.wkey(w))
            path = None
            if x is not None:
                delta, _ = state.transitions(state.wkey(w))
                path = [0]
                for t in range(x.shape[1]):
                    path.append(int(delta[path[-1], 2 * x[0, t] + x[1, t]]))
            st.markdown(asset_section(MD, "Automaton"))
            st.graphviz_chart(ch.automaton_dot(proof, out, path), width="stretch")
            n_states = len({s for s, _ in proof.reachable})
            st.caption(
                f"{n_states} of the {2**w.H} possible hidden states are reachable from "
                f"h(0) = 0. Edge labels are input columns 'ab'; bold edges are the path of the "
                f"current input; red edges produce a wrong output bit. Blue states output y = 1, "
                f"orange states are reached with both carries (they cannot be right)."
            )

# ---------------------------------------------------------------- verify & prove
if tabs[2].open:
    with tabs[2]:
        if w is None:
            st.info(need_weights)
        else:
            st.markdown(asset_section(MD, "Verify"))
            n = st.slider(
                "Exhaustive check: every pair of n-bit numbers, n =",
                1,
                ba.MAX_VERIFY_BITS,
                8,
                key="n",
                bind="query-params",
            )
            rep = state.verify(state.wkey(w), n)
            proof = state.prove(state.wkey(w))
            left, right = st.columns(2)
            with left:
                st.markdown(f"##### Enumeration: all {rep.n_checked:,} pairs of {n}-bit numbers")
                if rep.correct:
                    st.success(
                        f"All {rep.n_checked:,} sums are correct (each run for "
                        f"T = {n + 1} steps). This covers only numbers below 2^{n} "
                        f"= {2**n:,}."
                    )
                else:
                    ca, cb = rep.counterexample
                    st.error(
                        f"{rep.n_wrong:,} of {rep.n_checked:,} sums are wrong "
                        f"({rep.n_wrong / rep.n_checked:.2%}). Smallest counterexample: "
                        f"a = {ca} ({ca:b}), b = {cb} ({cb:b})."
                    )
                    st.button(
                        "Load this counterexample into the step-through",
                        on_click=state.load_pair,
                        args=(ca, cb, rep.counterexample_step),
                        key="load_cx",
                    )
            with right:
                st.markdown("##### Proof: inputs of every length")
                if proof.correct:
                    st.success(
                        f"Proved correct for every input length: all "
                        f"{proof.n_product_states} reachable (state, carry) pairs "
                        f"produce the right bit on all four input columns."
                    )
                else:
                    pa, pb = proof.counterexample
                    cols = " → ".join(
                        "".join(map(str, ba.SYMBOLS[k])) for k in proof.failing_symbols
                    )
                    st.error(
                        f"Refuted: the input columns {cols} (a = {pa}, b = {pb}) reach a "
                        f"(state, carry) pair whose output is wrong at step "
                        f"{proof.failing_step}."
                    )
                    st.button(
                        "Load the failing path into the step-through",
                        on_click=state.load_pair,
                        args=(pa, pb, proof.failing_step),
                        key="load_proof",
                    )
            g1, g2 = st.columns(2)
            grid_bits = min(n, 6)
            g1.plotly_chart(
                ch.wrong_grid_heatmap(state.grid(state.wkey(w), grid_bits)),
                width="stretch",
                key="grid",
            )
            if not rep.correct:
                g2.plotly_chart(ch.first_error_bar(rep), width="stretch", key="first_err")
            else:
                g2.markdown(
                    f"The map shows the {4**grid_bits:,} pairs of {grid_bits}-bit "
                    "numbers. With a wrong design, a chart here shows at which step "
                    "the wrong sums first go wrong."
                )
            with st.expander("The product automaton the proof explored"):
                st.dataframe(
                    {
                        "state h": [ba.state_label(s, w.H) for s, _ in proof.reachable],
                        "carry": [c for _, c in proof.reachable],
                    },
                    hide_index=True,
                )

# ---------------------------------------------------------------- search
if tabs[3].open:
    with tabs[3]:
        st.markdown(asset_section(MD, "Search"))
        s1, s2, s3, s4, s5 = st.columns(5)
        H = s1.selectbox("Hidden units H", [1, 2, 3, 4], index=2, key="sH", bind="query-params")
        r = s2.selectbox("Weights in [-r, r], r =", [1, 2, 3], key="sr", bind="query-params")
        rb = s3.selectbox(
            "Biases in [-r_b, r_b], r_b =", [1, 2, 3, 4], index=1, key="sb", bind="query-params"
        )
        sym = s4.checkbox("Same weight on a and b", value=True, key="ssym", bind="query-params")
        seed = s5.number_input(
            "Seed (sampling only)", 0, 10_000, 0, key="sseed", bind="query-params"
        )
        params = ba.SearchParams(
            H=int(H), weight_range=int(r), bias_range=int(rb), symmetric=bool(sym), seed=int(seed)
        )
        with st.spinner("Searching…"):
            rep_s = state.search(params)
        how = (
            "every one of them was checked, so this answer is exhaustive for this range"
            if rep_s.exhaustive
            else f"too many to enumerate; {rep_s.n_checked:,} were sampled at random (seed {seed})"
        )
        st.markdown(
            f"**{rep_s.n_behaviours:,}** distinct unit behaviours → **{rep_s.n_space:,}** "
            f"distinct hidden layers; {how}. **{rep_s.n_correct:,}** of them can be completed "
            f"into a correct adder."
        )
        if rep_s.designs:
            st.dataframe(
                {
                    "#": list(range(1, len(rep_s.designs) + 1)),
                    **{
                        k: [state.weights_to_text(d)[k] for d in rep_s.designs]
                        for k in state.WEIGHT_KEYS
                    },
                },
                hide_index=True,
            )
            pick = st.selectbox("Design", list(range(1, len(rep_s.designs) + 1)), key="spick")
            st.button(
                "Load this design into the weight editor",
                on_click=state.load_weights_into_editor,
                args=(rep_s.designs[pick - 1],),
                key="load_design",
            )
        elif rep_s.exhaustive:
            st.warning(
                f"No correct adder has H = {H} units with weights in [-{r}, {r}] and "
                f"biases in [-{rb}, {rb}]."
            )
        st.markdown(asset_section(MD, "How few units"))

# ---------------------------------------------------------------- learned adder
if tabs[4].open:
    with tabs[4]:
        from core.learned_adder import LearnConfig, run_soft

        st.markdown(asset_section(MD, "Learned"))
        l1, l2, l3, l4, l5 = st.columns(5)
        lH = l1.selectbox("Hidden units", list(range(1, 9)), index=2, key="lH", bind="query-params")
        lbits = l2.selectbox(
            "Training width (bits)", list(range(2, 13)), index=6, key="lbits", bind="query-params"
        )
        lsteps = l3.selectbox(
            "Training steps",
            [250, 500, 1000, 1500, 3000],
            index=3,
            key="lsteps",
            bind="query-params",
        )
        lanneal = l4.checkbox(
            "Sharpen sigmoids while training", value=True, key="lanneal", bind="query-params"
        )
        lseed = l5.number_input("Seed", 0, 10_000, 0, key="lseed", bind="query-params")
        cfg = LearnConfig(
            H=int(lH), n_bits=int(lbits), steps=int(lsteps), anneal=bool(lanneal), seed=int(lseed)
        )
        bar = st.progress(0.0, text="Training…")
        learned = state.train(
            cfg,
            progress=lambda i, n, loss: bar.progress(
                min(1.0, i / n), text=f"Training… step {i}/{n}, loss {loss:.4f}"
            ),
        )
        bar.progress(
            1.0,
            text=f"Trained in {learned.seconds:.1f} s · bit accuracy of the "
            f"sigmoid network {learned.bit_accuracy:.2%}",
        )
        hw = learned.weights
        n_check = min(int(lbits) + 2, ba.MAX_VERIFY_BITS)
        rep_l = state.verify(state.wkey(hw), n_check)
        proof_l = state.prove(state.wkey(hw))
        m1, m2 = st.columns(2)
        m1.plotly_chart(ch.loss_curve(learned.losses), width="stretch")
        with m2:
            st.markdown("##### The same weights with hard thresholds")
            if rep_l.correct:
                st.success(
                    f"Enumeration: all {rep_l.n_checked:,} pairs of {n_check}-bit numbers correct."
                )
            else:
                st.error(
                    f"Enumeration: {rep_l.n_wrong:,} of {rep_l.n_checked:,} pairs of "
                    f"{n_check}-bit numbers wrong; smallest {rep_l.counterexample}."
                )
            if proof_l.correct:
                st.success("Proof: correct for inputs of every length.")
            else:
                st.error(f"Proof: fails (shortest failing input a, b = {proof_l.counterexample}).")
            st.button(
                "Load the hardened weights into the editor",
                on_click=state.load_weights_into_editor,
                args=(hw,),
                key="load_learned",
            )
        if x is not None and w is not None:
            soft = run_soft(x, learned)
            hard_tr = state.run(x, state.wkey(hw))
            hand_tr = state.run(x, state.wkey(w))
            st.plotly_chart(ch.soft_vs_hard(soft.h, hand_tr.h, hard_tr.h), width="stretch")
        else:
            st.info("Fix the numbers and weights above to compare hidden trajectories.")

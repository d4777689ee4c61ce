"""The views of the adder page: the weight editor, the sum a + b, and one function per tab.

Every number shown comes from ``core.adder`` (through the cached calls of ``ui.adder_state``);
these functions only lay it out.  Messages that quote what a user typed are escaped (``plain``,
``ui.problems.show_problem``), so typed text is shown as text, never as a link or an image.
"""

from __future__ import annotations

import hashlib
import itertools

import streamlit as st

from charts import adder as ch
from core.adder.automaton import state_label, unit_meanings
from core.adder.encoding import Addition, read_addition
from core.adder.network import AdderTrace, step_facts, trace_table
from core.adder.search import SearchParams
from core.adder.verify import grid_bits
from core.adder.weights import (
    PRESETS,
    WEIGHT_NAMES,
    AdderWeights,
    preset_name,
    weights_from_text,
    weights_to_text,
)
from core.parsing import format_number
from ui import adder_state as state
from ui import quiz, stepper
from ui.common import asset_section, explain, figure, offer_csv
from ui.controls import plain
from ui.problems import show_problem

MD = "binary_adder.md"
NEED_WEIGHTS = "Fix the weights in the sidebar to see this view (the messages there say how)."
NEED_INPUTS = "Fix the numbers above to see this view (the messages there say how)."
NEED_BOTH = "Fix the numbers and weights above to compare hidden trajectories."


# ---------------------------------------------------------------- sidebar: the weights (2)
def weight_editor() -> AdderWeights | None:
    """The sidebar's weight fields; the weights they hold, or None (and messages) if invalid."""
    with st.sidebar:
        st.header("Weights of (2)")
        st.selectbox(
            "Load a preset design",
            list(PRESETS),
            index=None,
            placeholder="Choose a preset…",
            key="preset",
            on_change=state.load_preset,
        )
        st.caption("Rows separated by `;`, entries by spaces. Fractions like `1/2` are fine.")
        texts = {key: spec.draw() for key, spec in state.WEIGHTS.items()}
        w, errors = weights_from_text(texts)
        for msg in errors:
            st.error(plain(msg))
        if w is not None:
            match = preset_name(w)
            st.caption(
                f"H = {w.H} hidden units · "
                + (f"matches preset *{match}*" if match else "custom design")
            )
    return w


# ---------------------------------------------------------------- the sum a + b
def addition_inputs() -> Addition | None:
    """The fields for a and b, how they are typed and their width; the addition, or None (and
    messages) if a field cannot be read.  Shows the sum and the matrices (5), (6)."""
    c1, c2, c3, c4 = st.columns([1.6, 1.6, 1.4, 1.3])  # the width select fits at 125 % zoom
    a_text = state.A.draw(c1)
    b_text = state.B.draw(c2)
    fmt = state.FMT.draw(c3, on_change=state.retype_numbers)  # keeps the numbers, not the digits
    width = state.BITS.draw(c4)
    addition, problems = read_addition(
        a_text, b_text, fmt, None if width == "auto" else int(width), state.MAX_INPUT_BITS
    )
    for p in problems:
        show_problem(p)
    if addition is not None:
        a, b, total = addition.a, addition.b, addition.total
        st.markdown(
            f"**{a:b} + {b:b} = {total:b}** &nbsp; (decimal {a} + {b} = {total}) · "
            f"T = {addition.T} steps, least significant bit first, padded with "
            f"{addition.n_padding} zero column(s)."
        )
        st.latex(ch.io_latex(addition.x, addition.target) + r"\qquad \text{(5), (6)}")
    return addition


# ---------------------------------------------------------------- tab: step through
def step_through(w: AdderWeights | None, addition: Addition | None) -> None:
    """Play the network step by step (7)-(20), what each unit means, every step as a table."""
    if w is None:
        st.info(NEED_WEIGHTS)
        return
    if addition is None:
        st.info(NEED_INPUTS)
        return
    T = addition.T
    state.follow_numbers(T)
    # Checked here, outside the fragment, so that a bad link value joins the page's one message.
    state.STEP.with_(hi=T).check_link()
    playing = bool(st.session_state.get("playing", False))
    every = state.SPEEDS.get(state.SPEED.draw(), state.SPEEDS[state.SPEED.default])

    @st.fragment(run_every=every if playing else None)
    def steps() -> None:
        _step_player(w, addition)

    steps()

    st.subheader("What each hidden unit means")
    meanings = unit_meanings(w, state.prove(state.wkey(w)))
    st.table(
        {
            "unit": [f"h{m.unit}" for m in meanings],
            "behaviour (read off every reachable transition)": [m.text for m in meanings],
        }
    )
    st.markdown(asset_section(MD, "Hidden units"))
    if quiz.quizzing():  # every step's numbers would answer the questions above
        state.TABLE.check_link()
        st.caption("The table of every step is off while the questions are on (quiz=1).")
    elif state.TABLE.draw():
        st.dataframe(trace_table(state.run(addition.x, state.wkey(w))), hide_index=True)


def _step_player(w: AdderWeights, addition: Addition) -> None:
    """The buttons, the step slider and step t itself (a fragment: it reruns on its own)."""
    x, T = addition.x, addition.T
    if st.session_state.get("playing", False):
        t_now = st.session_state.get("t", 1)
        if t_now >= T:
            st.session_state["playing"] = False
            st.rerun()
        st.session_state["t"] = t_now + 1
    tr = state.run(x, state.wkey(w))

    def stop() -> None:  # a step by hand stops playing
        st.session_state["playing"] = False

    t_cur = st.session_state.get("t", 1)
    is_playing = bool(st.session_state.get("playing", False))

    def play_button() -> None:
        if st.button(
            "Pause" if is_playing else "Play",
            key="play_btn",
            icon=":material/pause:" if is_playing else ":material/play_arrow:",
            type="primary",
            shortcut="Space",
        ):
            if not is_playing and t_cur >= T:
                st.session_state["t"] = 1
            st.session_state["playing"] = not is_playing
            st.rerun()

    # keyboard stepping for a projector: Home / ← / Space / → / End, no click needed first;
    # ← / → step from the step shown when pressed (also a deep link's)
    stepper.step_row("t", T, on_move=stop, middle=play_button)
    t = state.STEP.draw(hi=T)

    facts = step_facts(tr, t)
    quizzing = quiz.quizzing()
    revealed = quiz.ask_all(step_questions(tr, t))  # asks every question
    left, right = st.columns([1, 1.25])
    with left:
        st.markdown(f"**Column addition, step t = {t}** (highlighted column)")
        st.html(ch.column_addition_html(x, tr.y, t, reveal_current=revealed))
        said = (
            f"x({t}) = (a, b) = ({facts.a}, {facts.b}), carry in = {facts.carry_in}, column "
            f"total a + b + carry = {facts.total}"
        )
        if revealed:
            said += (
                f": the correct output bit is **{facts.target}**, the network gives "
                f"**{facts.y}** " + ("✓" if facts.ok else "✗ (wrong)")
            )
        st.markdown(said)
    hide_from = None  # quiz mode: the steps not yet reached (and step t until it is answered)
    if quizzing:
        hide_from = t if not revealed else (t + 1 if t < T else None)
    with right:
        fig = ch.network_over_time(tr, t, hide_from=hide_from)
        figure(fig, "net_time")
        offer_csv(fig, "net_time")
    if not revealed:
        return
    eq_h, eq_y = ch.step_latex(w, tr, t)
    st.latex(eq_h)
    st.latex(eq_y)
    if t == T:
        said = f"Output read MSB first: **{tr.output_value:b}** (= {tr.output_value})"
        if tr.correct:
            st.success(f"{said} — correct ✓")
        else:
            st.error(f"{said} — wrong ✗ (a + b = {addition.total})")


def step_questions(tr: AdderTrace, t: int) -> list[quiz.Question]:
    """Quiz mode: predict h(t) (for up to 3 hidden units: 8 choices) and y(t) before step t is
    shown.  The answers are the run's own values (``core.adder.network``)."""
    i = t - 1
    H = tr.h.shape[1]
    h_prev = tr.h0 if i == 0 else tr.h[i - 1]

    def vec(v) -> str:
        return "(" + ", ".join(format_number(float(e)) for e in v) + ")"

    run = hashlib.sha1(tr.x.tobytes() + tr.pre_h.tobytes() + tr.pre_y.tobytes()).hexdigest()
    key = f"adder|{run[:16]}|{t}"
    questions = []
    if H <= 3:
        options = tuple(vec(bits) for bits in itertools.product((0, 1), repeat=H))
        questions.append(
            quiz.Question(
                key + "|h",
                f"Step t = {t} reads x({t}) = ({int(tr.x[0, i])}, {int(tr.x[1, i])}) with "
                f"h({t - 1}) = {vec(h_prev)}. What is h({t}) = hard(U x({t}) + W h({t - 1}) "
                "+ b_h), equation (7)?",
                options,
                options.index(vec(tr.h[i])),
                f"U x + W h + b_h = {vec(tr.pre_h[i])}; the hard threshold (3) gives 1 for "
                f"each entry ≥ 0 and 0 for each negative one: h({t}) = {vec(tr.h[i])}.",
            )
        )
    questions.append(
        quiz.Question(
            key + "|y",
            f"And the output y({t}) = hard(V h({t}) + b_y), equation (8)?",
            ("0", "1"),
            int(tr.y[i]),
            f"V h + b_y = {format_number(float(tr.pre_y[i]))}, so y({t}) = {int(tr.y[i])}; the "
            f"correct bit of a + b is {int(tr.target[i])}.",
        )
    )
    return questions


# ---------------------------------------------------------------- tab: automaton
def automaton(w: AdderWeights | None, addition: Addition | None) -> None:
    """The reachable hidden states as a graph, with the path of the current input."""
    if w is None:
        st.info(NEED_WEIGHTS)
        return
    wk = state.wkey(w)
    proof = state.prove(wk)
    _, out = state.transitions(wk)
    path = state.path(wk, addition.x) if addition is not None else None
    explain(asset_section(MD, "Automaton"))
    svg = ch.automaton_svg(proof, out, path)
    st.image(svg)  # drawn here, not in the browser: natural size, shrunk to a narrow column
    st.download_button(
        "Graph (SVG)",
        data=svg,
        file_name="sequence-lab-automaton.svg",
        mime="image/svg+xml",
        icon=":material/download:",
        type="tertiary",
        key="automaton_svg",
    )
    st.caption(
        f"{proof.n_network_states} of the {w.n_states} possible hidden states are reachable from "
        f"h(0) = 0. Edge labels are input columns 'ab'; bold edges are the path of the "
        f"current input; dashed red edges produce a wrong output bit. Blue states output y = 1, "
        f"orange states are reached with both carries (they cannot be right)."
    )


# ---------------------------------------------------------------- tab: verify & prove
def verify(w: AdderWeights | None) -> None:
    """Enumeration over all pairs of n-bit numbers next to the proof for every length."""
    if w is None:
        st.info(NEED_WEIGHTS)
        return
    explain(asset_section(MD, "Verify"))
    n = state.VERIFY_BITS.draw()
    wk = state.wkey(w)
    rep = state.verify(wk, n)
    proof = state.prove(wk)
    left, right = st.columns(2)
    with left:
        st.markdown(f"##### Enumeration: all {rep.n_checked:,} pairs of {n}-bit numbers")
        if rep.correct:
            st.success(
                f"All {rep.n_checked:,} sums are correct (each run for T = {rep.T} steps). "
                f"This covers only numbers below 2^{n} = {rep.n_numbers:,}."
            )
        else:
            ca, cb = rep.counterexample
            st.error(
                f"{rep.n_wrong:,} of {rep.n_checked:,} sums are wrong "
                f"({rep.wrong_fraction:.2%}). Smallest counterexample: "
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
                f"Proved correct for every input length: all {proof.n_product_states} "
                f"reachable (state, carry) pairs produce the right bit on all four input columns."
            )
        else:
            pa, pb = proof.counterexample
            st.error(
                f"Refuted: the input columns {' → '.join(proof.failing_columns)} "
                f"(a = {pa}, b = {pb}) reach a (state, carry) pair whose output is wrong at "
                f"step {proof.failing_step}."
            )
            st.button(
                "Load the failing path into the step-through",
                on_click=state.load_pair,
                args=(pa, pb, proof.failing_step),
                key="load_proof",
            )
    g1, g2 = st.columns(2)
    shown = grid_bits(n)
    fig = ch.wrong_grid_heatmap(state.grid(wk, shown))
    figure(fig, "grid", g1)
    offer_csv(fig, "grid", g1)
    if not rep.correct:
        figure(ch.first_error_bar(rep), "first_err", g2)
    else:
        g2.markdown(
            f"The map shows the {4**shown:,} pairs of {shown}-bit numbers. With a wrong design, "
            "a chart here shows at which step the wrong sums first go wrong."
        )
    with st.expander("The product automaton the proof explored"):
        st.dataframe(
            {
                "state h": [state_label(s, w.H) for s, _ in proof.reachable],
                "carry": [c for _, c in proof.reachable],
            },
            hide_index=True,
        )


# ---------------------------------------------------------------- tab: search designs
def search() -> None:
    """Search small integer weights for correct adders; load a found design."""
    explain(asset_section(MD, "Search"))
    (s1, s2, s3), (s4, s5) = st.columns(3), st.columns([2, 1], vertical_alignment="bottom")
    H = state.SEARCH_H.draw(s1)
    r = state.SEARCH_R.draw(s2)
    rb = state.SEARCH_RB.draw(s3)
    sym = state.SEARCH_SYM.draw(s4)
    seed = state.SEARCH_SEED.draw(s5)
    params = SearchParams(
        H=int(H), weight_range=int(r), bias_range=int(rb), symmetric=bool(sym), seed=int(seed)
    )
    with st.spinner("Searching…"):
        rep = state.search(params)
    how = (
        "every one of them was checked, so this answer is exhaustive for this range"
        if rep.exhaustive
        else f"too many to enumerate; {rep.n_checked:,} were sampled at random (seed {seed})"
    )
    st.markdown(
        f"**{rep.n_behaviours:,}** distinct unit behaviours → **{rep.n_space:,}** "
        f"distinct hidden layers; {how}. **{rep.n_correct:,}** of them can be completed "
        f"into a correct adder."
    )
    if rep.designs:
        texts = [weights_to_text(d) for d in rep.designs]
        numbers = list(range(1, len(rep.designs) + 1))
        st.dataframe(
            {"#": numbers, **{k: [t[k] for t in texts] for k in WEIGHT_NAMES}},
            hide_index=True,
        )
        pick = st.selectbox("Design", numbers, key="spick")
        st.button(
            "Load this design into the weight editor",
            on_click=state.load_weights_into_editor,
            args=(rep.designs[pick - 1],),
            key="load_design",
        )
    elif rep.exhaustive:
        st.warning(
            f"No correct adder has H = {H} units with weights in [-{r}, {r}] and "
            f"biases in [-{rb}, {rb}]."
        )
    st.markdown(asset_section(MD, "How few units"))


# ---------------------------------------------------------------- tab: learned adder
def learned(w: AdderWeights | None, addition: Addition | None) -> None:
    """Train a sigmoid RNN of the same shape, harden it, check it."""
    from core.learned_adder import (
        LearnConfig,
        describe_columns,
        run_soft,
        xor_without_carry_accuracy,
    )

    explain(asset_section(MD, "Learned"))
    (l1, l2, l3), (l4, l5) = st.columns(3), st.columns([2, 1], vertical_alignment="bottom")
    cfg = LearnConfig(
        H=int(state.LEARN_H.draw(l1)),
        n_bits=int(state.LEARN_BITS.draw(l2)),
        steps=int(state.LEARN_STEPS.draw(l3)),
        anneal=bool(state.LEARN_ANNEAL.draw(l4)),
        seed=int(state.LEARN_SEED.draw(l5)),
    )
    bar = st.progress(0.0, text="Training…")
    result = state.train(
        cfg,
        progress=lambda i, n, loss: bar.progress(
            min(1.0, i / n), text=f"Training… step {i}/{n}, loss {loss:.4f}"
        ),
    )
    bar.progress(
        1.0,
        text=f"Trained in {result.seconds:.1f} s · bit accuracy of the "
        f"sigmoid network {result.bit_accuracy:.2%}",
    )
    hw = result.weights
    n_check = cfg.check_bits
    rep = state.verify(state.wkey(hw), n_check)
    proof = state.prove(state.wkey(hw))
    m1, m2 = st.columns(2)
    figure(ch.loss_curve(result.losses), "loss_curve", m1)
    with m2:
        st.markdown("##### The same weights with hard thresholds")
        if rep.correct:
            st.success(
                f"Enumeration: all {rep.n_checked:,} pairs of {n_check}-bit numbers correct."
            )
        else:
            st.error(
                f"Enumeration: {rep.n_wrong:,} of {rep.n_checked:,} pairs of "
                f"{n_check}-bit numbers wrong; smallest {rep.counterexample}."
            )
        if proof.correct:
            st.success("Proof: correct for inputs of every length.")
        else:
            st.error(f"Proof: fails (shortest failing input a, b = {proof.counterexample}).")
        st.button(
            "Load into the editor",
            on_click=state.load_weights_into_editor,
            args=(hw,),
            key="load_learned",
            help="The hardened weights go into the sidebar's weight editor (2).",
        )
    st.markdown("##### Which columns the sigmoid network gets right")
    table = state.column_table(cfg)
    st.dataframe(_column_rows(table), hide_index=True)
    st.caption(
        "sum = a + b + carry in; bit = the correct output bit; columns = how many columns of "
        "the test additions are of this case; right = how many of those the network gets "
        "right; share = right / columns (never: the case does not occur)."
    )
    st.markdown(
        f"{describe_columns(table)} Counted over every column of the "
        f"{table.n_pairs:,} held-out pairs of {table.n_bits}-bit numbers behind the bit accuracy "
        f"({table.bit_accuracy:.2%}). For comparison, a XOR b without the carry gets "
        f"{float(xor_without_carry_accuracy(table.n_bits)):.1%} of the bits of all "
        f"{table.n_bits}-bit sums right."
    )
    if addition is not None and w is not None:
        soft = run_soft(addition.x, result)
        hard_tr = state.run(addition.x, state.wkey(hw))
        hand_tr = state.run(addition.x, state.wkey(w))
        fig = ch.soft_vs_hard(soft.h, hand_tr.h, hard_tr.h)
        figure(fig, "soft_vs_hard")
        offer_csv(fig, "soft_vs_hard")
    else:
        st.info(NEED_BOTH)


def _column_rows(table) -> dict[str, list]:
    """The eight column cases of a ``core.learned_adder.ColumnTable`` as table columns."""
    cases = table.cases
    return {
        "a_t": [a for a, _, _ in cases],
        "b_t": [b for _, b, _ in cases],
        "carry in": [c for _, _, c in cases],
        "sum": [sum(c) for c in cases],  # a + b + carry (short headers: 819 px at 125 %)
        "bit": [sum(c) % 2 for c in cases],
        "columns": list(table.columns),
        "right": list(table.right),
        "share": ["never" if share is None else f"{share:.1%}" for share in table.shares],
    }

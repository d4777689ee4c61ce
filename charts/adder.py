"""Figures for the binary-adder page.  Traces in, figures (or markup strings) out; no ``st.*``."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from charts.style import BIT_COLORSCALE, OKABE_ITO, make_figure
from core.adder.automaton import ProofReport, state_label
from core.adder.encoding import SYMBOLS, column_carries, expected_output
from core.adder.network import AdderTrace
from core.adder.verify import VerifyReport
from core.adder.weights import AdderWeights
from core.parsing import format_number


def network_over_time(
    tr: AdderTrace, t_current: int | None = None, hide_from: int | None = None
) -> go.Figure:
    """Heatmap of inputs, hidden units, output and target over the steps t = 1..T.

    ``hide_from`` (1..T, quiz mode): the network's rows (h, y, correct) from that step on are
    left blank ("?"), so that the figure does not answer "what comes next?" before it is asked.
    """
    T, H = tr.h.shape
    rows = [("x₁ (a)", tr.x[0]), ("x₂ (b)", tr.x[1])]
    rows += [(f"h{j + 1}", tr.h[:, j]) for j in range(H)]
    rows += [("y (network)", tr.y), ("correct", tr.target)]
    z = np.array([r[1] for r in rows], dtype=float)  # (2 + H + 2, T)
    text = z.astype(int).astype(str)
    if hide_from is not None:
        z[2:, hide_from - 1 :] = np.nan
        text[2:, hide_from - 1 :] = "?"
    z, text = z[::-1], text[::-1]  # first row on top
    labels = [r[0] for r in rows][::-1]
    heat = go.Heatmap(
        z=z,
        x=np.arange(1, T + 1),
        y=labels,
        colorscale=BIT_COLORSCALE,
        zmin=0,
        zmax=1,
        text=text,
        texttemplate="%{text}",
        showscale=False,
        xgap=2,
        ygap=2,
        hovertemplate="step t=%{x}<br>%{y} = %{z}<extra></extra>",
    )
    marks = [
        dict(
            x=t + 1,
            y="y (network)",
            text="✗",
            showarrow=False,
            yshift=14,
            font=dict(color=OKABE_ITO["vermillion"], size=16),
        )
        for t in np.flatnonzero(tr.y != tr.target)
    ]
    shapes = []
    if t_current is not None:
        shapes.append(
            dict(
                type="rect",
                xref="x",
                yref="paper",
                x0=t_current - 0.5,
                x1=t_current + 0.5,
                y0=0,
                y1=1,
                line=dict(width=3, color=OKABE_ITO["orange"]),
            )
        )
    return make_figure(
        [heat],
        "Inputs, hidden state h(t) and output y(t) (blue = 1)",
        height=110 + 34 * len(rows),
        title_chars=30,  # the right of two columns
        xaxis=dict(title=dict(text="step t (LSB first)"), dtick=1),
        yaxis=dict(title=dict(text="unit")),
        annotations=marks,
        shapes=shapes,
    )


def column_addition_html(
    x: np.ndarray, y: np.ndarray, t_current: int, reveal_current: bool = True
) -> str:
    """Grade-school column addition, most significant column on the left; column t highlighted.

    x (2, T) the input bits, y (T,) the network's output bits, t_current in 1..T;
    ``reveal_current=False`` (quiz mode) shows "?" for column t's output until it is answered.
    Only digits go into the markup.
    """
    T = x.shape[1]
    carries = column_carries(x)  # (T,)
    correct = expected_output(x)  # (T,)
    cols = list(range(T - 1, -1, -1))

    def cell(v: str, t: int, extra: str = "") -> str:
        on = t == t_current - 1
        style = "padding:2px 9px;text-align:center;font-family:monospace;font-size:1.25rem;"
        if on:
            style += "background:#FFE8B0;border:2px solid #E69F00;"
        elif t > t_current - 1:
            style += "color:#9a9a9a;"
        return f'<td style="{style}{extra}">{html.escape(v)}</td>'

    def row(label: str, values: list[str], extra: str = "") -> str:
        tds = "".join(cell(v, t, extra) for t, v in zip(cols, values, strict=True))
        head = f'<th style="padding:2px 8px;text-align:right;font-weight:normal">{label}</th>'
        return f"<tr>{head}{tds}</tr>"

    shown = [t <= t_current - 1 for t in cols]
    carry_vals = [str(carries[t]) if s else "" for t, s in zip(cols, shown, strict=True)]
    hidden = t_current - 1 if not reveal_current else -1
    out_vals = [
        ("?" if t == hidden else str(y[t])) if s else "·" for t, s in zip(cols, shown, strict=True)
    ]
    ok_vals = [
        ("" if t == hidden else "✓" if y[t] == correct[t] else "✗") if s else ""
        for t, s in zip(cols, shown, strict=True)
    ]
    body = (
        row("carry in", carry_vals, "font-size:0.95rem;color:#0072B2;")
        + row("a", [str(x[0, t]) for t in cols])
        + row("+ b", [str(x[1, t]) for t in cols], "border-bottom:2px solid #444;")
        + row("y (network)", out_vals, "font-weight:bold;")
        + row("check", ok_vals, "font-size:0.95rem;")
        + row("t", [str(t + 1) for t in cols], "font-size:0.8rem;color:#666;")
    )
    return f'<table style="border-collapse:collapse;margin-bottom:0.5rem">{body}</table>'


def _vec(v: np.ndarray) -> str:
    """A column vector (n,) as a LaTeX bmatrix."""
    return r"\begin{bmatrix}" + r"\\ ".join(_num(e) for e in np.ravel(v)) + r"\end{bmatrix}"


def _mat(m: np.ndarray) -> str:
    """A matrix (rows, cols) (or a vector, as one row) as a LaTeX bmatrix."""
    m = np.atleast_2d(m)
    rows = [" & ".join(_num(e) for e in r) for r in m]
    return r"\begin{bmatrix}" + r"\\ ".join(rows) + r"\end{bmatrix}"


def _num(v: float) -> str:
    s = format_number(float(v))
    if "/" in s:
        p, q = s.split("/")
        sign = "-" if p.startswith("-") else ""
        return sign + r"\tfrac{" + p.lstrip("-") + "}{" + q + "}"
    return s


def step_latex(w: AdderWeights, tr: AdderTrace, t: int) -> tuple[str, str]:
    """The two equations of step t (1..T) with numbers filled in, as the sheet's (7)-(8)."""
    i = t - 1
    h_prev = tr.h0 if i == 0 else tr.h[i - 1]
    eq_h = (  # two lines, so that it fits a 1024-px projector's page column
        rf"\begin{{aligned}}\mathbf{{h}}^{{({t})}} &= \mathrm{{hard}}\left({_mat(w.U)}"
        rf"{_vec(tr.x[:, i])} + {_mat(w.W)}{_vec(h_prev)} + {_vec(w.b_h)}\right) \\"
        rf" &= \mathrm{{hard}}\left({_vec(tr.pre_h[i])}\right) = {_vec(tr.h[i])}\end{{aligned}}"
    )
    eq_y = (
        rf"y^{{({t})}} = \mathrm{{hard}}\left({_mat(w.V[None, :])}{_vec(tr.h[i])}"
        rf" {'+' if w.b_y >= 0 else '-'} {_num(abs(w.b_y))}\right)"
        rf" = \mathrm{{hard}}\left({_num(tr.pre_y[i])}\right) = {tr.y[i]}"
    )
    return eq_h, eq_y


IO_COLUMNS = 12  # steps per line of (5) and (6): a 1024-px projector's page column


def io_latex(x: np.ndarray, y: np.ndarray) -> str:
    """The input matrix (5), x (2, T), and the correct output (6), y (T,), one under the other;
    more than ``IO_COLUMNS`` steps are split over lines, each labelled with its steps."""
    T = x.shape[1]
    lines = []
    for name, m in (("x", x), ("y", y[None, :])):
        for s in range(0, T, IO_COLUMNS):
            e = min(T, s + IO_COLUMNS)
            part = "" if T <= IO_COLUMNS else rf"_{{[{s + 1}:{e}]}}"
            lines.append(rf"\mathbf{{{name}}}{part} &= {_mat(m[:, s:e])}")
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def automaton_dot(proof: ProofReport, out: np.ndarray, path: list[int] | None = None) -> str:
    """Graphviz DOT of the reachable hidden states with transitions labelled by input bits 'ab'.

    ``out`` (2**H,) is each state's output y; ``path`` the states visited by the current input
    (drawn bold).  Nodes also show which carry of true addition the state stands for.
    """
    H = proof.H
    states = sorted({s for s, _ in proof.reachable} | {s2 for *_, s2, _c2, _ok in proof.edges})
    edge_labels: dict[tuple[int, int], list[str]] = {}
    bad_edges: set[tuple[int, int]] = set()
    seen: set[tuple[int, int, int]] = set()
    for s, _c, k, s2, _c2, ok in proof.edges:
        a, b = SYMBOLS[k]
        if (s, k, s2) not in seen:
            seen.add((s, k, s2))
            edge_labels.setdefault((s, s2), []).append(f"{a}{b}")
        if not ok:
            bad_edges.add((s, s2))
    on_path = set(zip(path[:-1], path[1:], strict=True)) if path else set()
    lines = [
        "digraph adder {",
        '  rankdir=LR; bgcolor="transparent";',
        '  node [shape=circle, style=filled, fontname="Helvetica", fontsize=12, penwidth=1.5];',
        '  edge [fontname="Helvetica", fontsize=11];',
        '  start [shape=point, width=0.15, fillcolor="#000000"];',
    ]
    for s in states:
        carries = sorted(proof.state_carries.get(s, set()))
        carry = "carry " + "/".join(map(str, carries)) if carries else "unreachable"
        fill = "#56B4E9" if out[s] else "#F0F0F0"
        if carries and len(carries) > 1:
            fill = "#E69F00"
        label = f"h={state_label(s, H)}\\ny={int(out[s])}\\n{carry}"
        lines.append(f'  s{s} [label="{label}", fillcolor="{fill}"];')
    lines.append("  start -> s0;")
    for (s, s2), labs in sorted(edge_labels.items()):
        color = "#D55E00" if (s, s2) in bad_edges else "#333333"
        width = 3.5 if (s, s2) in on_path else 1.2
        lines.append(
            f'  s{s} -> s{s2} [label="{", ".join(sorted(labs))}", color="{color}", '
            f'fontcolor="{color}", penwidth={width}];'
        )
    lines.append("}")
    return "\n".join(lines)


def first_error_bar(rep: VerifyReport) -> go.Figure:
    """How many wrong pairs first go wrong at each step."""
    bar = go.Bar(
        x=np.arange(1, rep.n_bits + 2),
        y=rep.first_error_counts,
        marker_color=OKABE_ITO["vermillion"],
        name="wrong pairs",
        hovertemplate="step %{x}: %{y} pairs<extra></extra>",
    )
    return make_figure(
        [bar],
        f"Where the wrong sums first go wrong<br><sup>{rep.n_wrong:,} wrong pairs of "
        f"{rep.n_bits}-bit numbers, by step of the first wrong bit</sup>",
        height=330,
        xaxis=dict(title=dict(text="step t of the first wrong output bit"), dtick=1),
        yaxis=dict(title=dict(text="number of pairs (a, b)")),
    )


def soft_vs_hard(h_soft: np.ndarray, h_hand: np.ndarray, h_hard: np.ndarray) -> go.Figure:
    """Three heatmaps side by side: learned sigmoid units, the hardened net, the hand design.

    Each h is (T, H) for one input (the hand design may have a different H)."""
    panels = [
        ("learned (sigmoid)", h_soft),
        ("learned, hardened", h_hard),
        ("hand design (current weights)", h_hand),
    ]
    traces, layout = [], {}
    gap = 0.06
    width = (1 - 2 * gap) / 3
    annotations = []
    for col, (name, h) in enumerate(panels, start=1):
        T, H = h.shape
        axis = "" if col == 1 else str(col)
        traces.append(
            go.Heatmap(
                z=h.T,
                x=np.arange(1, T + 1),
                y=[f"h{j + 1}" for j in range(H)],
                xaxis=f"x{axis}",
                yaxis=f"y{axis}",
                colorscale="Cividis",
                zmin=0,
                zmax=1,
                showscale=col == 3,
                colorbar=dict(title=dict(text="activation")),
                text=np.round(h.T, 2),
                texttemplate="%{text}",
                xgap=1,
                ygap=1,
                hovertemplate="t=%{x}, %{y} = %{z:.3f}<extra></extra>",
            )
        )
        x0 = (col - 1) * (width + gap)
        layout[f"xaxis{axis}"] = dict(
            domain=[x0, x0 + width], anchor=f"y{axis}", dtick=1, title=dict(text="step t")
        )
        layout[f"yaxis{axis}"] = dict(
            anchor=f"x{axis}", title=dict(text="hidden unit" if col == 1 else "")
        )
        annotations.append(
            dict(
                text=name,
                x=x0 + width / 2,
                y=1.0,
                xref="paper",
                yref="paper",
                yanchor="bottom",
                showarrow=False,
                font=dict(size=13),
            )
        )
    return make_figure(
        traces,
        "Hidden trajectories for the current input",
        height=340,
        annotations=annotations,
        margin=dict(l=60, r=20, t=90, b=50),
        **layout,
    )


def loss_curve(losses: np.ndarray) -> go.Figure:
    """The training loss per step, losses (steps,), on a log scale."""
    line = go.Scatter(
        x=np.arange(1, len(losses) + 1),
        y=losses,
        mode="lines",
        line=dict(color=OKABE_ITO["blue"]),
        name="training loss",
    )
    return make_figure(
        [line],
        "Training loss (binary cross-entropy per output bit)",
        height=300,
        title_chars=30,  # the left of two columns
        xaxis=dict(title=dict(text="training step")),
        yaxis=dict(title=dict(text="loss (nats)"), type="log", exponentformat="power"),
    )


def wrong_grid_heatmap(grid: np.ndarray) -> go.Figure:
    """Map of every pair (a, b) of n-bit numbers: correct sums grey, wrong ones vermillion.

    grid (2**n, 2**n) bool, entry [a, b] True where a + b comes out wrong."""
    n = grid.shape[0]
    bits = int(np.log2(n))
    heat = go.Heatmap(
        z=grid.astype(int),
        x=np.arange(n),
        y=np.arange(n),
        colorscale=[
            [0, "#E8E8E8"],
            [0.5, "#E8E8E8"],
            [0.5, OKABE_ITO["vermillion"]],
            [1, OKABE_ITO["vermillion"]],
        ],
        zmin=0,
        zmax=1,
        showscale=False,
        xgap=0.5 if n <= 32 else 0,
        ygap=0.5 if n <= 32 else 0,
        customdata=np.where(grid, "wrong", "correct"),
        hovertemplate="a=%{y}, b=%{x}: %{customdata}<extra></extra>",
    )
    return make_figure(
        [heat],
        f"Which sums of {bits}-bit numbers are wrong<br><sup>{int(grid.sum()):,} of {n * n:,} "
        f"wrong · grey = correct, vermillion = wrong</sup>",
        height=470,
        title_chars=26,  # a square map in a column
        xaxis=dict(title=dict(text="b"), constrain="domain"),
        yaxis=dict(title=dict(text="a"), scaleanchor="x", autorange="reversed"),
    )

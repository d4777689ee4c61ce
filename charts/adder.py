"""Figures for the binary-adder page.  Traces in, figures (or markup strings) out; no ``st.*``."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

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


_FILL_Y1, _FILL_Y0, _FILL_BOTH = OKABE_ITO["sky"], "#F0F0F0", OKABE_ITO["orange"]
_INK, _TEXT, _WRONG = "#333333", "#222222", OKABE_ITO["vermillion"]
_FONT = "Helvetica, Arial, sans-serif"
_NODE_PX, _EDGE_PX, _LINE_PX = 13, 12, 15  # font sizes, line step of a state's three lines
_ARROW = 10.0  # arrowhead length
_GAP = 120.0  # free space between neighbouring circles: room for two arcs and their labels
_LOOP = 70.0  # how far a self-loop's control points stand off its circle
_PAD = 14.0  # margin around the drawing
Point = tuple[float, float]  # x, y (SVG: y grows downwards)
Box = tuple[float, float, float, float]  # centre x, centre y, half width, half height


@dataclass(frozen=True)
class _State:
    s: int  # state index (``core.adder.automaton.state_index``)
    lines: tuple[str, str, str]  # "h=…", "y=…", "carry 0" / "carry 1" / "carry 0/1" / "unreachable"
    fill: str  # y = 1 sky, y = 0 light grey, reached with both carries orange


@dataclass(frozen=True)
class _Edge:
    s: int
    s2: int
    label: str  # the input columns 'ab' that lead from s to s2, e.g. "01, 10"
    wrong: bool  # some transition of this edge produces a wrong output bit
    on_path: bool  # the current input goes from s to s2 at some step


def _automaton_graph(
    proof: ProofReport, out: np.ndarray, path: list[int] | None
) -> tuple[list[_State], list[_Edge]]:
    """The states and edges to draw: every state the proof reached or an edge leads to (sorted,
    so state 0 = h(0) comes first) and one edge per pair (s, s2) with all its labels.

    ``out`` (2**H,) is each state's output y; ``path`` (T + 1 states) the states visited by the
    current input, or None.
    """
    ids = sorted({s for s, _ in proof.reachable} | {s2 for *_, s2, _c2, _ok in proof.edges})
    states = []
    for s in ids:
        carries = sorted(proof.state_carries.get(s, set()))
        carry = "carry " + "/".join(map(str, carries)) if carries else "unreachable"
        fill = _FILL_Y1 if out[s] else _FILL_Y0
        if len(carries) > 1:
            fill = _FILL_BOTH
        states.append(_State(s, (f"h={state_label(s, proof.H)}", f"y={int(out[s])}", carry), fill))
    labels: dict[tuple[int, int], set[str]] = {}
    bad: set[tuple[int, int]] = set()
    for s, _c, k, s2, _c2, ok in proof.edges:
        a, b = SYMBOLS[k]
        labels.setdefault((s, s2), set()).add(f"{a}{b}")
        if not ok:
            bad.add((s, s2))
    on_path = set(zip(path[:-1], path[1:], strict=True)) if path else set()
    edges = [
        _Edge(s, s2, ", ".join(sorted(labs)), (s, s2) in bad, (s, s2) in on_path)
        for (s, s2), labs in sorted(labels.items())
    ]
    return states, edges


def _unit(dx: float, dy: float) -> tuple[float, float]:
    n = math.hypot(dx, dy) or 1.0
    return dx / n, dy / n


def _half_box(text: str, px: float) -> tuple[float, float]:
    """Half width and half height of ``text`` at font size ``px`` (generous: 0.6 em per
    character, wider than any Helvetica digit or lower-case letter)."""
    return 0.3 * px * len(text), 0.6 * px


def _label_spot(
    x: float, y: float, ux: float, uy: float, text: str, taken: list[Box]
) -> tuple[float, float]:
    """The centre of an edge label for ``text`` just beyond the point (x, y) in the direction
    (ux, uy): its box does not touch the point and, moved on or sideways by up to 40 px if need
    be, does not overlap the boxes ``taken`` (other labels, the circles)."""
    hw, hh = _half_box(text, _EDGE_PX)
    d = abs(ux) * hw + abs(uy) * hh + 4
    for extra in range(0, 44, 4):
        for side in (0, extra, -extra):
            lx = x + ux * (d + extra) - uy * side
            ly = y + uy * (d + extra) + ux * side
            if not any(
                abs(lx - bx) < hw + bw and abs(ly - by) < hh + bh for bx, by, bw, bh in taken
            ):
                return lx, ly
    return x + ux * d, y + uy * d


def _loop(x: float, y: float, r: float, phi: float) -> tuple[Point, str, list[Point], Point]:
    """A self-loop on the circle (x, y, r) pointing in the direction ``phi``: its start, path
    command and points (the end stops an arrowhead short of the circle) and its far point."""

    def at(dist: float, angle: float) -> Point:
        return x + dist * math.cos(angle), y + dist * math.sin(angle)

    p0, c1, c2, tip = (
        at(r, phi - 0.4),
        at(r + _LOOP, phi - 0.6),
        at(r + _LOOP, phi + 0.6),
        at(r, phi + 0.4),
    )
    tx, ty = _unit(tip[0] - c2[0], tip[1] - c2[1])
    end = (tip[0] - _ARROW * tx, tip[1] - _ARROW * ty)
    far = (
        (p0[0] + 3 * c1[0] + 3 * c2[0] + tip[0]) / 8,
        (p0[1] + 3 * c1[1] + 3 * c2[1] + tip[1]) / 8,
    )
    return p0, "C", [c1, c2, end], far


def _arc(a: Point, b: Point, r: float) -> tuple[Point, str, list[Point], Point, Point]:
    """A quadratic arc from the circle around ``a`` to the one around ``b`` (radius r), bent
    to the right of its direction of travel, so that b -> a bends the other way: its start,
    path command and points, its middle and the side it bends to (a unit vector)."""
    (ax, ay), (bx, by) = a, b
    tx, ty = _unit(bx - ax, by - ay)
    nx, ny = -ty, tx
    bend = 0.2 * math.hypot(bx - ax, by - ay)
    cx, cy = (ax + bx) / 2 + nx * bend, (ay + by) / 2 + ny * bend
    ux, uy = _unit(cx - ax, cy - ay)
    p0 = (ax + r * ux, ay + r * uy)
    vx, vy = _unit(cx - bx, cy - by)
    tip = (bx + r * vx, by + r * vy)
    end = (tip[0] + _ARROW * vx, tip[1] + _ARROW * vy)
    mid = ((p0[0] + 2 * cx + tip[0]) / 4, (p0[1] + 2 * cy + tip[1]) / 4)
    return p0, "Q", [(cx, cy), end], mid, (nx, ny)


def automaton_svg(proof: ProofReport, out: np.ndarray, path: list[int] | None = None) -> str:
    """The reachable hidden states as a standalone SVG document, transitions labelled by the
    input columns 'ab'.

    ``out`` (2**H,) is each state's output y; ``path`` (T + 1 states, h(0) first) the states
    visited by the current input: its edges are drawn bold.  Each circle shows the state h, its
    output y and which carry of true addition it stands for (fill: y = 1 sky, y = 0 grey, both
    carries orange).  Edges with a wrong output bit are vermillion *and* dashed.  The states
    sit on a circle, state 0 on the left with the start arrow; a self-loop points away from the
    centre; the edges s -> s2 and s2 -> s bend to opposite sides.  Text is dark on light fills
    on a white background, so it reads on a dark theme and on a projector alike.  The size is
    the drawing's bounding box (labels included), so nothing is clipped.
    """
    states, edges = _automaton_graph(proof, out, path)
    n = len(states)
    widest = max(2 * _half_box(line, _NODE_PX)[0] for st_ in states for line in st_.lines)
    r = max(32.0, math.ceil(math.hypot(widest / 2, _LINE_PX + 0.6 * _NODE_PX)) + 4.0)
    if n == 1:
        outward = {states[0].s: -math.pi / 2}  # the loop above, the start arrow from the left
        centre = {states[0].s: (0.0, 0.0)}
        start_angle = math.pi
    else:
        ring = (2 * r + _GAP) / (2 * math.sin(math.pi / n))
        outward = {st_.s: math.pi + 2 * math.pi * i / n for i, st_ in enumerate(states)}
        centre = {s: (ring * math.cos(a), ring * math.sin(a)) for s, a in outward.items()}
        start_angle = math.pi + 1.0  # from the upper left
    boxes: list[Box] = [(x, y, r + 1, r + 1) for x, y in centre.values()]  # all that is drawn
    taken = list(boxes)  # what a label must not cover
    curves: list[str] = []
    labels: list[str] = []

    def point(p: Point) -> str:
        boxes.append((p[0], p[1], 2.0, 2.0))  # a curve lies within its points' hull
        return f"{p[0]:.1f},{p[1]:.1f}"

    def label(at: Point, towards: Point, text: str, bold: bool) -> None:
        lx, ly = _label_spot(*at, *towards, text, taken)
        taken.append((lx, ly, *_half_box(text, _EDGE_PX)))
        boxes.append(taken[-1])
        weight = ' font-weight="bold"' if bold else ""
        labels.append(
            f'<text x="{lx:.1f}" y="{ly + 0.35 * _EDGE_PX:.1f}" font-size="{_EDGE_PX}"'
            f'{weight} text-anchor="middle">{escape(text)}</text>'
        )

    for e in edges:
        if e.s == e.s2:  # a loop outside the circle, pointing away from the centre
            phi = outward[e.s]
            p0, cmd, pts, far = _loop(*centre[e.s], r, phi)
            label(far, (math.cos(phi), math.sin(phi)), e.label, e.on_path)
        else:
            p0, cmd, pts, mid, side = _arc(centre[e.s], centre[e.s2], r)
            label(mid, side, e.label, e.on_path)
        colour = _WRONG if e.wrong else _INK
        dash = ' stroke-dasharray="7 4"' if e.wrong else ""
        curves.append(
            f'<path id="e{e.s}-{e.s2}" class="edge" d="M{point(p0)} {cmd}'
            f'{" ".join(point(p) for p in pts)}" fill="none" stroke="{colour}" '
            f'stroke-width="{3.5 if e.on_path else 1.4}"{dash} '
            f'marker-end="url(#{"arrow-wrong" if e.wrong else "arrow"})"/>'
        )
    sx, sy = centre[states[0].s]
    ux, uy = math.cos(start_angle), math.sin(start_angle)
    tail = (sx + (r + 48) * ux, sy + (r + 48) * uy)
    end = (sx + (r + _ARROW) * ux, sy + (r + _ARROW) * uy)
    curves.append(
        f'<path id="start" d="M{point(tail)} L{point(end)}" stroke="{_INK}" '
        f'stroke-width="1.4" marker-end="url(#arrow)"/>'
    )
    label(tail, (ux, uy), "start", False)
    nodes = []
    for st_ in states:
        x, y = centre[st_.s]
        lines = "".join(
            f'<tspan x="{x:.1f}" y="{y + (i - 1) * _LINE_PX + 0.35 * _NODE_PX:.1f}">'
            f"{escape(line)}</tspan>"
            for i, line in enumerate(st_.lines)
        )
        nodes.append(
            f'<g id="s{st_.s}" class="state"><title>{escape(", ".join(st_.lines))}</title>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{st_.fill}" '
            f'stroke="#222222" stroke-width="1.5"/>'
            f'<text font-size="{_NODE_PX}" text-anchor="middle">{lines}</text></g>'
        )
    x0 = math.floor(min(x - w for x, _, w, _ in boxes) - _PAD)
    y0 = math.floor(min(y - h for _, y, _, h in boxes) - _PAD)
    width = math.ceil(max(x + w for x, _, w, _ in boxes) + _PAD) - x0
    height = math.ceil(max(y + h for _, y, _, h in boxes) + _PAD) - y0
    markers = "".join(
        f'<marker id="{name}" viewBox="0 0 10 8" refX="0" refY="4" markerWidth="{_ARROW:g}" '
        f'markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">'
        f'<path d="M0,0 L10,4 L0,8 z" fill="{colour}"/></marker>'
        for name, colour in (("arrow", _INK), ("arrow-wrong", _WRONG))
    )
    title = f"Reachable hidden states of the adder RNN (H = {proof.H})"
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="{x0} {y0} {width} {height}" font-family="{_FONT}" fill="{_TEXT}">',
            f"<title>{escape(title)}</title>",
            f"<defs>{markers}</defs>",
            f'<rect x="{x0}" y="{y0}" width="{width}" height="{height}" fill="#ffffff"/>',
            *curves,
            *nodes,
            f'<g stroke="#ffffff" stroke-width="4" paint-order="stroke">{"".join(labels)}</g>',
            "</svg>",
        ]
    )


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
        ("learned", h_soft),  # short: at 1024 px a panel is about 110 px wide
        ("hardened", h_hard),
        ("hand design", h_hand),
    ]
    traces, layout = [], {}
    gap = 0.085  # room for the next panel's unit labels (h1, h2 ...) beside the numbers
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
        "Hidden trajectories for the current input<br><sup>learned: the trained sigmoid units; "
        "hardened: the same weights with hard thresholds;<br>hand design: the weights of (2) in "
        "the sidebar</sup>",
        height=340,
        annotations=annotations,
        margin=dict(l=60, r=20, t=110, b=50),
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

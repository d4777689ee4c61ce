"""Figures for the gradient-flow page.  Numbers in; figures, DOT and LaTeX out; no ``st.*``."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from charts.style import OKABE_ITO, base_layout, card, with_layout
from core.gradient_views import F_HI, F_LO, LSTMMaps, PartC, RNNMap
from core.lstm import LSTMGrads, LSTMParams, LSTMTrace

COLORSCALE = "Cividis"  # blue -> yellow, readable with every common colour-vision deficiency
GATE_COLORS = {
    "i": OKABE_ITO["blue"],
    "f": OKABE_ITO["orange"],
    "o": OKABE_ITO["green"],
    "g": OKABE_ITO["purple"],
    "c": OKABE_ITO["vermillion"],
    "h": OKABE_ITO["black"],
    "x": OKABE_ITO["sky"],
}


# ---------------------------------------------------------------- numbers in LaTeX
def num(v: float, sig: int = 6) -> str:
    """A number for LaTeX: 6 significant digits, powers of ten as ×10^{k}."""
    v = float(v)
    if v == 0:
        return "0"
    s = f"{v:.{sig}g}"
    if "e" in s:
        mant, exp = s.split("e")
        return rf"{mant}\times 10^{{{int(exp)}}}"
    return s


def _p(v: float) -> str:
    """A factor in parentheses, as in (0.5)(-0.25)."""
    return rf"\left({num(v)}\right)"


def result(v: float) -> str:
    """The value an equation evaluates to (10 significant digits)."""
    return num(v, 10)


@dataclass(frozen=True)
class Equation:
    """One of (28)-(40): ``signal`` (a field of LSTMGrads) at step ``t`` (None for w̄_ix)."""

    tag: int
    latex: str
    signal: str
    t: int | None
    value: float


def t2_equations(p: LSTMParams, tr: LSTMTrace, gr: LSTMGrads, y: float) -> list[Equation]:
    """(28)-(40) for T = 2: the symbols, then the current numbers, then the value.

    Short equations are one line; long ones are aligned over several lines (symbols, numbers,
    value) so that they fit a page column.  The equation number is ``Equation.tag``.
    """
    if tr.T != 2 or tr.batch_shape != ():
        raise ValueError("t2_equations needs an unbatched trace of T = 2 steps.")
    i, f, o, g, c = tr.i, tr.f, tr.o, tr.g, tr.c
    hb, cb, ob, gb, ib, fb = gr.h_bar, gr.c_bar, gr.o_bar, gr.g_bar, gr.i_bar, gr.f_bar
    c_prev, x = tr.c_prev, tr.x

    def bar(name: str, t: int) -> str:
        return rf"\bar{{{name}}}^{{({t})}}"

    def s(name: str, t: int) -> str:
        return rf"{name}^{{({t})}}"

    def sig(gate: str, k: int) -> str:  # gate(1 - gate) with numbers
        v = (i, f, o)["ifo".index(gate)][k]
        return rf"{_p(v)}\left(1 - {num(v)}\right)"

    eqs: list[Equation] = []

    def add(
        tag: int,
        lhs: str,
        sym: list[str],
        nums: list[str],
        signal: str,
        t: int | None,
        value: float,
        wrap: bool = False,
    ) -> None:
        short = len(lhs) + sum(map(len, sym + nums)) < 90  # about 40 characters shown
        if len(sym) == 1 and len(nums) == 1 and (short and not wrap):
            tex = rf"{lhs} = {sym[0]} = {nums[0]} = {result(value)}"
        else:
            body = [rf"{lhs} &= {sym[0]}"] + [rf"&\quad + {m}" for m in sym[1:]]
            body += [rf"&= {nums[0]}"] + [rf"&\quad + {m}" for m in nums[1:]]
            body += [rf"&= {result(value)}"]
            tex = r"\begin{aligned}" + r" \\ ".join(body) + r"\end{aligned}"
        eqs.append(Equation(tag, tex, signal, t, float(value)))

    one_minus_tanh2 = r"\left[1 - \tanh^2 "
    # t = 2: (28)-(33)
    add(28, bar("h", 2), [rf"{s('h', 2)} - y"], [rf"{_p(tr.h[1])} - {_p(y)}"], "h_bar", 2, hb[1])
    add(
        29,
        bar("c", 2),
        [rf"{bar('h', 2)}\, {s('o', 2)} {one_minus_tanh2}{s('c', 2)}\right]"],
        [rf"{_p(hb[1])}{_p(o[1])}{one_minus_tanh2}{_p(c[1])}\right]"],
        "c_bar",
        2,
        cb[1],
        wrap=True,
    )
    add(
        30,
        bar("o", 2),
        [rf"{bar('h', 2)} \tanh {s('c', 2)}"],
        [rf"{_p(hb[1])}\tanh{_p(c[1])}"],
        "o_bar",
        2,
        ob[1],
        wrap=True,
    )
    add(
        31,
        bar("g", 2),
        [rf"{bar('c', 2)}\, {s('i', 2)}"],
        [rf"{_p(cb[1])}{_p(i[1])}"],
        "g_bar",
        2,
        gb[1],
    )
    add(
        32,
        bar("i", 2),
        [rf"{bar('c', 2)}\, {s('g', 2)}"],
        [rf"{_p(cb[1])}{_p(g[1])}"],
        "i_bar",
        2,
        ib[1],
    )
    add(
        33,
        bar("f", 2),
        [rf"{bar('c', 2)}\, {s('c', 1)}"],
        [rf"{_p(cb[1])}{_p(c[0])}"],
        "f_bar",
        2,
        fb[1],
    )
    # (34): h̄(1) collects from all four gates of step 2
    add(
        34,
        bar("h", 1),
        [
            rf"{bar('i', 2)}\, {s('i', 2)}(1 - {s('i', 2)})\, w_{{ih}}"
            rf" + {bar('f', 2)}\, {s('f', 2)}(1 - {s('f', 2)})\, w_{{fh}}",
            rf"{bar('o', 2)}\, {s('o', 2)}(1 - {s('o', 2)})\, w_{{oh}}"
            rf" + {bar('g', 2)} \left[1 - ({s('g', 2)})^2\right] w_{{gh}}",
        ],
        [
            rf"{_p(ib[1])}{sig('i', 1)}{_p(p.w_ih)}",
            rf"{_p(fb[1])}{sig('f', 1)}{_p(p.w_fh)}",
            rf"{_p(ob[1])}{sig('o', 1)}{_p(p.w_oh)}",
            rf"{_p(gb[1])}\left[1 - {_p(g[1])}^2\right]{_p(p.w_gh)}",
        ],
        "h_bar",
        1,
        hb[0],
    )
    add(
        35,
        bar("c", 1),
        [
            rf"{bar('c', 2)}\, {s('f', 2)}"
            rf" + {bar('h', 1)}\, {s('o', 1)} {one_minus_tanh2}{s('c', 1)}\right]"
        ],
        [rf"{_p(cb[1])}{_p(f[1])}", rf"{_p(hb[0])}{_p(o[0])}{one_minus_tanh2}{_p(c[0])}\right]"],
        "c_bar",
        1,
        cb[0],
    )
    # t = 1: (36)-(39)
    add(
        36,
        bar("o", 1),
        [rf"{bar('h', 1)} \tanh {s('c', 1)}"],
        [rf"{_p(hb[0])}\tanh{_p(c[0])}"],
        "o_bar",
        1,
        ob[0],
        wrap=True,
    )
    add(
        37,
        bar("g", 1),
        [rf"{bar('c', 1)}\, {s('i', 1)}"],
        [rf"{_p(cb[0])}{_p(i[0])}"],
        "g_bar",
        1,
        gb[0],
    )
    add(
        38,
        bar("i", 1),
        [rf"{bar('c', 1)}\, {s('g', 1)}"],
        [rf"{_p(cb[0])}{_p(g[0])}"],
        "i_bar",
        1,
        ib[0],
    )
    add(
        39,
        bar("f", 1),
        [rf"{bar('c', 1)}\, {s('c', 0)}"],
        [rf"{_p(cb[0])}{_p(c_prev[0])}"],
        "f_bar",
        1,
        fb[0],
    )
    # (40): the weight w_ix collects from both steps
    add(
        40,
        r"\bar{w}_{ix}",
        [
            rf"{bar('i', 2)}\, {s('i', 2)}(1 - {s('i', 2)})\, {s('x', 2)}"
            rf" + {bar('i', 1)}\, {s('i', 1)}(1 - {s('i', 1)})\, {s('x', 1)}"
        ],
        [rf"{_p(ib[1])}{sig('i', 1)}{_p(x[1])}", rf"{_p(ib[0])}{sig('i', 0)}{_p(x[0])}"],
        "w_ix",
        None,
        gr.w_ix,
    )
    return eqs


# ---------------------------------------------------------------- the computation graph
def _fmt(v: float) -> str:
    return f"{float(v) + 0.0:.4g}".replace("-", "−")  # + 0.0: no "−0"


def lstm_graph_dot(tr: LSTMTrace, gr: LSTMGrads, y: float) -> str:
    """Graphviz DOT of the steps, top to bottom: x(t), h(t-1), c(t-1) -> gates i, f, o, g ->
    c(t) -> h(t), and h(T), y -> L.

    Every node shows its forward value and, in vermillion, its error signal v̄ = dL/dv.  The
    cell path c(0) -> c(1) -> ... is drawn thick (orange), labelled with its factor f(t).
    """
    T = tr.T
    fills = {
        "i": "#CFE3F2",
        "f": "#FBE3B0",
        "o": "#BFE6DA",
        "g": "#F0D3E4",
        "c": "#E4E4E4",
        "h": "#E4E4E4",
        "x": "#DDEFFB",
    }
    err = OKABE_ITO["vermillion"]

    def node(
        name: str, title: str, value: float, signal: float | None, fill: str, shape: str = "box"
    ) -> str:
        rows = f"<b>{title}</b><br/>{_fmt(value)}"
        if signal is not None:
            rows += f'<br/><font color="{err}">grad {_fmt(signal)}</font>'
        return (
            f'  {name} [label=<{rows}>, shape={shape}, style="rounded,filled", fillcolor="{fill}"];'
        )

    lines = [
        "digraph lstm {",
        '  rankdir=TB; bgcolor="white"; pad=0.15; nodesep=0.25; ranksep=0.32; newrank=true;',
        '  node [fontname="Helvetica", fontsize=13, penwidth=1.2, margin="0.10,0.04"];',
        '  edge [fontname="Helvetica", fontsize=12, color="#666666", arrowsize=0.7];',
        node("h0", "h(0)", tr.h0, gr.h0_bar, fills["h"]),
        node("c0", "c(0)", tr.c0, gr.c0_bar, fills["c"]),
    ]
    for k in range(T):
        t = k + 1
        h_prev = "h0" if t == 1 else f"h{t - 1}"
        c_prev = "c0" if t == 1 else f"c{t - 1}"
        lines.append(node(f"x{t}", f"x({t})", tr.x[k], None, fills["x"], "ellipse"))
        for gate, sig_name in (("i", "i_bar"), ("f", "f_bar"), ("o", "o_bar"), ("g", "g_bar")):
            fn = "tanh" if gate == "g" else "σ"
            lines.append(
                node(
                    f"{gate}{t}",
                    f"{gate}({t}) = {fn}(·)",
                    getattr(tr, gate)[k],
                    getattr(gr, sig_name)[k],
                    fills[gate],
                )
            )
        lines.append(node(f"c{t}", f"c({t}) = f c + i g", tr.c[k], gr.c_bar[k], fills["c"]))
        lines.append(node(f"h{t}", f"h({t}) = o tanh c", tr.h[k], gr.h_bar[k], fills["h"]))
        lines.append(f"  {{rank=same; {h_prev}; x{t};}}")
        lines.append(f"  {{rank=same; i{t}; f{t}; o{t}; g{t};}}")
        for gate in "ifog":
            lines.append(f"  x{t} -> {gate}{t};")
            lines.append(f"  {h_prev} -> {gate}{t};")
        lines.append(
            f'  {c_prev} -> c{t} [penwidth=3, color="{OKABE_ITO["orange"]}", '
            f'label=" × f({t})", fontcolor="#9A6A00"];'
        )
        for gate in "fig":
            lines.append(f"  {gate}{t} -> c{t};")
        lines.append(f"  c{t} -> h{t}; o{t} -> h{t};")
    lines.append(
        f"  y [label=<<b>y</b><br/>{_fmt(y)}>, shape=ellipse, style=filled, "
        f'fillcolor="{fills["x"]}"];'
    )
    lines.append(
        f"  L [label=<<b>L = ½(y − h({T}))²</b><br/>{_fmt(float(gr.loss))}>, "
        f'shape=box, style="rounded,filled", fillcolor="#FFD9C2"];'
    )
    lines.append(f"  {{rank=same; h{T}; y;}}")
    lines.append(f"  h{T} -> L; y -> L;")
    lines.append("}")
    return "\n".join(lines)


# ---------------------------------------------------------------- gradient-flow heatmaps
def _clip(z: np.ndarray, floor: float) -> np.ndarray:
    z = np.where(np.isneginf(z), floor, z)  # -inf: the signal is exactly 0
    return np.maximum(z, floor).astype(np.float32)  # float32: half the bytes to the browser


def color_range(lstm: LSTMMaps, rnn: RNNMap, floor: float) -> tuple[float, float]:
    """One colour range for all three maps: [floor, max(0, largest log10)], whole numbers."""
    top = max(
        float(np.nanmax(np.where(np.isfinite(m), m, -np.inf)))
        for m in (lstm.log_c, lstm.log_h, rnn.log_grad)
    )
    return float(floor), float(max(0.0, math.ceil(top)))


def _columns(n: int, gap: float) -> list[list[float]]:
    """Horizontal domains of n equal panels separated by ``gap`` (paper fraction)."""
    w = (1.0 - gap * (n - 1)) / n
    return [[k * (w + gap), k * (w + gap) + w] for k in range(n)]


def _panel_title(text: str, x: float, y: float) -> dict:
    return dict(
        text=text,
        x=x,
        y=y,
        xref="paper",
        yref="paper",
        xanchor="center",
        yanchor="bottom",
        showarrow=False,
        font=dict(size=14),
    )


def flow_figure(lstm: LSTMMaps, rnn: RNNMap, floor: float, regime_label: str) -> go.Figure:
    """log10|c̄(t)|, log10|h̄(t)| over (t, forget level) and the plain RNN's map, one colour
    scale (Cividis) and one colour bar; values below ``floor`` are drawn at the floor.

    Built in one ``go.Figure(data, layout)`` call (each update_* call costs milliseconds)."""
    if lstm.T != rnn.T:
        raise ValueError(f"the maps have different lengths: T = {lstm.T} and {rnn.T}.")
    T = lstm.T
    steps = np.arange(1, T + 1)
    y_f = -np.log10(1.0 - lstm.f_levels)
    zmin, zmax = color_range(lstm, rnn, floor)
    vec = rnn.kind == "vector"
    rnn_sym = "‖∂L/∂h(t)‖" if vec else "|∂L/∂h(t)|"
    f_hover = "t = %{x}<br>forget gate f = 1 − 10<sup>−%{y:.2f}</sup><br>"
    data = [
        go.Heatmap(
            z=_clip(z, zmin),
            x=steps,
            y=y_f,
            coloraxis="coloraxis",
            xaxis=xa,
            yaxis=ya,
            hovertemplate=f_hover + name + " = %{z:.2f}<extra></extra>",
        )
        for z, name, xa, ya in (
            (lstm.log_c, "log10|c̄|", "x", "y"),
            (lstm.log_h, "log10|h̄|", "x2", "y2"),
        )
    ]
    data.append(
        go.Heatmap(
            z=_clip(rnn.log_grad, zmin),
            x=steps,
            y=rnn.values,
            coloraxis="coloraxis",
            xaxis="x3",
            yaxis="y3",
            hovertemplate=f"t = %{{x}}<br>{rnn.symbol} = %{{y:.3f}}<br>log10 {rnn_sym} = "
            "%{z:.2f}<extra></extra>",
        )
    )
    dom = _columns(3, 0.11)
    tick_f = (F_LO, 0.9, 0.99, 0.999, F_HI)
    # one x title under the middle map and short panel titles: at 1024 px the page's column is
    # 560 px wide, and three copies of each overlapped their neighbours
    x_title = "step t of each map (the loss is at t = T)"
    f_axis = dict(tickvals=[-math.log10(1 - f) for f in tick_f], ticktext=[str(f) for f in tick_f])
    layout = base_layout(
        f"T = {T} steps: how far back the error signal reaches, LSTM gates "
        f"{regime_label}<br><sup>colour = log10 of the gradient's size (dark = vanishing; "
        f"values below 10<sup>{int(zmin)}</sup> are drawn at the floor {int(zmin)})</sup>",
        height=540,
    )
    layout = with_layout(
        layout,
        xaxis=dict(domain=dom[0], anchor="y"),
        xaxis2=dict(domain=dom[1], anchor="y2", title=x_title),
        xaxis3=dict(domain=dom[2], anchor="y3"),
        yaxis=dict(anchor="x", title="forget gate f (spaced by log(1 − f))", **f_axis),
        yaxis2=dict(anchor="x2", **f_axis),
        yaxis3=dict(
            anchor="x3", title="spectral radius ρ of W_h" if vec else "recurrent weight w_h"
        ),
        annotations=[
            _panel_title("LSTM |c̄(t)|", sum(dom[0]) / 2, 1.0),
            _panel_title("LSTM |h̄(t)|", sum(dom[1]) / 2, 1.0),
            _panel_title(f"RNN {rnn_sym}", sum(dom[2]) / 2, 1.0),
            dict(
                x=1,
                xref="x3",
                y=1.0,
                yref="y3",
                text=f"{rnn.symbol} = 1",
                showarrow=False,
                xanchor="left",
                yanchor="bottom",
                font=dict(color="white", size=12),
            ),
        ],
        shapes=[
            dict(
                type="line",
                xref="x3 domain",
                x0=0,
                x1=1,
                yref="y3",
                y0=1.0,
                y1=1.0,
                line=dict(color="white", width=1.5, dash="dash"),
            )
        ],
        coloraxis=dict(
            colorscale=COLORSCALE,
            cmin=zmin,
            cmax=zmax,
            colorbar=dict(
                title=dict(text=f"log10 |gradient|<br>(floor {int(zmin)})", side="right"),
                thickness=14,
            ),
        ),
        margin=dict(l=70, r=20, t=110, b=60),
    )
    return card(data, layout)


# ---------------------------------------------------------------- part (c) curves
def log_indices(n: int, points: int = 400) -> np.ndarray:
    """About ``points`` indices 0..n-1, evenly spaced on a log axis (always with 0 and n-1)."""
    idx = np.unique(np.round(np.logspace(0, math.log10(n), points)).astype(int) - 1)
    return idx[(idx >= 0) & (idx < n)]


def partc_figure(pc: PartC) -> go.Figure:
    """|w̄_ix| (solid), the bound (44) (dashed) and approximation (43) (dotted) over T."""
    idx = log_indices(pc.T.size)
    T = pc.T[idx]

    def pos(a: np.ndarray) -> np.ndarray:  # a log axis cannot show 0 (an underflowed gradient)
        return np.where(a > 0, a, np.nan)

    colors = [OKABE_ITO["sky"], OKABE_ITO["green"], OKABE_ITO["orange"], OKABE_ITO["blue"]]
    data: list[go.Scatter] = []
    # bound (44) and (43) hardly depend on b_f when i is nearly closed: then draw them once
    shared = {}
    for key, arr in (("bound", pc.bound), ("approx43", pc.approx43)):
        spread = np.max(np.abs(arr - arr[-1:]) / np.maximum(np.abs(arr[-1:]), 1e-300))
        shared[key] = bool(spread < 0.02)
    for j, bf in enumerate(pc.b_f):
        col = colors[j % len(colors)]
        name = f"b_f = {bf:g} (1 − f = {1.0 - pc.f[j]:.2g})"
        group = f"bf{j}"
        data.append(
            go.Scatter(
                x=T,
                y=pos(pc.actual[j, idx]),
                mode="lines",
                line=dict(color=col, width=2.5),
                name=name,
                legendgroup=group,
                hovertemplate=f"{name}<br>T = %{{x}}<br>|w̄_ix| = %{{y:.3e}}<extra></extra>",
            )
        )
        for key, dash, label in (
            ("bound", "dash", "bound (44)"),
            ("approx43", "dot", "|approximation (43)|"),
        ):
            if shared[key]:
                continue
            data.append(
                go.Scatter(
                    x=T,
                    y=pos(getattr(pc, key)[j, idx]),
                    mode="lines",
                    line=dict(color=col, width=1.5, dash=dash),
                    name=f"{name}: {label}",
                    legendgroup=group,
                    showlegend=False,
                    hovertemplate=f"{name}<br>T = %{{x}}<br>{label} = %{{y:.3e}}<extra></extra>",
                )
            )
    for key, dash, label in (
        ("bound", "dash", "bound (44)"),
        ("approx43", "dot", "|approximation (43)|"),
    ):
        if shared[key]:
            data.append(
                go.Scatter(
                    x=T,
                    y=pos(getattr(pc, key)[-1, idx]),
                    mode="lines",
                    line=dict(color="#333333", width=1.8, dash=dash),
                    name=f"{label}, every b_f (they differ by < 2 %)",
                    hovertemplate=f"{label}<br>T = %{{x}}<br>%{{y:.3e}}<extra></extra>",
                )
            )
        else:
            data.append(
                go.Scatter(
                    x=[None],
                    y=[None],
                    mode="lines",
                    line=dict(color="#333333", dash=dash),
                    name=f"{label} (dashed/dotted in each colour)",
                )
            )
    layout = base_layout(
        f"Part (c): the exact |w̄_ix| against the bound (44) · b_i = b_o = −{pc.k:g}"
        f"<br><sup>each curve: the loss (23) at length T, input x(t) = sin(0.7 t), y = 1; "
        f"the forget gate is held at f = σ(b_f)</sup>",
        height=640,
    )
    layout = with_layout(  # the legend under the plot: beside it, it left the plot 150 px
        layout,
        legend=dict(orientation="h", yanchor="top", y=-0.16, xanchor="left", x=0.0),
        margin=dict(l=70, r=20, t=80, b=190),
        xaxis=dict(title="sequence length T (steps, log scale)", type="log"),
        yaxis=dict(title="|∂L/∂w_ix| (log scale)", type="log", exponentformat="power"),
    )
    return card(data, layout)


def partc_table(pc: PartC, points: int = 25) -> dict[str, np.ndarray]:
    """About ``points`` lengths T (log-spaced) with |w̄_ix|, (43) and (44) for every b_f."""
    idx = log_indices(pc.T.size, points)
    table = {"T": pc.T[idx]}
    for j, bf in enumerate(pc.b_f):
        table[f"|w̄_ix|, b_f={bf:g}"] = pc.actual[j, idx]
        table[f"(43), b_f={bf:g}"] = pc.approx43[j, idx]
        table[f"bound (44), b_f={bf:g}"] = pc.bound[j, idx]
    return table


# ---------------------------------------------------------------- gate explorer
def gates_figure(tr: LSTMTrace, title: str) -> go.Figure:
    """x(t); the gates i, f, o; the candidate g; c(t) and h(t): four panels, one time axis.

    Built in one ``go.Figure(data, layout)`` call."""
    T = tr.T
    t = np.arange(1, T + 1)
    mode = "lines+markers" if T <= 80 else "lines"
    gap = 0.06
    heights = np.array([0.18, 0.3, 0.2, 0.32]) * (1.0 - 3 * gap)
    tops = 1.0 - np.concatenate([[0.0], np.cumsum(heights[:-1] + gap)])
    domains = [
        [max(0.0, float(top - h)), min(1.0, float(top))]
        for top, h in zip(tops, heights, strict=True)
    ]
    panels = [
        ("input x(t)", "x", None),
        (
            "gates i(t), f(t), o(t) (0 = closed, 1 = open)",
            "gate value",
            [-0.05, 1.05],
        ),
        ("candidate g(t) = tanh(z_g)", "g", [-1.05, 1.05]),
        ("cell c(t) and hidden h(t) = o(t) tanh c(t)", "c, h", None),
    ]
    data = []

    def line(y: np.ndarray, name: str, key: str, row: int, dash: str | None = None) -> None:
        data.append(
            go.Scatter(
                x=t,
                y=y,
                name=name,
                mode=mode,
                marker=dict(size=4),
                line=dict(color=GATE_COLORS[key], width=2, dash=dash),
                xaxis="x" if row == 1 else f"x{row}",
                yaxis="y" if row == 1 else f"y{row}",
                hovertemplate=f"t = %{{x}}<br>{name} = %{{y:.4f}}<extra></extra>",
            )
        )

    line(tr.x, "x(t)", "x", 1)
    line(tr.i, "input gate i(t)", "i", 2)
    line(tr.f, "forget gate f(t)", "f", 2, "dash")
    line(tr.o, "output gate o(t)", "o", 2, "dot")
    line(tr.g, "candidate g(t)", "g", 3)
    line(tr.c, "cell c(t)", "c", 4)
    line(tr.h, "hidden h(t)", "h", 4, "dash")
    layout = base_layout(title, height=760)
    annotations = []
    for row, ((panel, y_title, y_range), dom) in enumerate(zip(panels, domains, strict=True), 1):
        sx = "" if row == 1 else str(row)
        last = row == len(panels)
        layout[f"xaxis{sx}"] = dict(
            anchor=f"y{sx}",
            domain=[0.0, 1.0],
            matches=None if row == 4 else "x4",
            showticklabels=last,
            title="step t" if last else None,
        )
        layout[f"yaxis{sx}"] = dict(anchor=f"x{sx}", domain=dom, title=y_title)
        if y_range:
            layout[f"yaxis{sx}"]["range"] = y_range
        annotations.append(_panel_title(panel, 0.5, dom[1]))
    layout = with_layout(
        layout,
        annotations=annotations,
        legend=dict(orientation="h", yanchor="top", y=-0.07, xanchor="left", x=0.0),
        margin=dict(l=60, r=20, t=70, b=110),
    )
    return card(data, layout)

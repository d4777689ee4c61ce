"""Figures for the Transformer page (review questions 3-5).  Numbers in, Plotly figures out; no
``st.*``.

Heatmaps use the colour-blind-safe Cividis scale with a titled colour bar; lines use Okabe-Ito
colours (``charts.style``).  Masked cells of the decoder's self-attention are NaN: Plotly leaves
them empty, and a grey layer beneath shows them as "masked" with its own legend entry.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from charts.style import INK, OKABE_ITO, make_figure
from core.transformer_views import (
    AttentionCompare,
    BlockShape,
    DecodeStep,
    MultiHeadView,
    PEView,
    RotationCheck,
    ScalingCurve,
)

OI = OKABE_ITO
LINES = [OI["blue"], OI["orange"], OI["green"], OI["purple"]]
UNSCALED, SCALED = OI["vermillion"], OI["blue"]
MASK_GREY = "#BDBDBD"
HALF = 30  # title characters per line of a figure half the page wide (charts.attention.HALF)


def _f32(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)


def _vline(x: float) -> dict:
    return dict(
        type="line", xref="x", yref="paper", x0=x, x1=x, y0=0, y1=1,
        line=dict(color=OI["black"], dash="dash", width=1.5),
    )  # fmt: skip


# ---------------------------------------------------------------- positional encoding
def _unit_heatmap(z: np.ndarray, colorbar: str, hover: str) -> dict:
    """A heatmap of values in [-1, 1] on the colour-blind-safe cividis scale, rows and
    columns numbered from 0."""
    rows, cols = z.shape
    return dict(
        type="heatmap",
        z=_f32(z),
        x=np.arange(cols),
        y=np.arange(rows),
        colorscale="Cividis",
        zmin=-1,
        zmax=1,
        colorbar=dict(title=dict(text=colorbar)),
        hovertemplate=hover,
    )


def pe_heatmap(v: PEView) -> go.Figure:
    n, d = v.P.shape
    hm = _unit_heatmap(v.P, "PE value", "pos %{y}, dim %{x}: %{z:.4f}<extra></extra>")
    return make_figure(
        [hm],
        f"PE(pos, dim), d_model = {d}, {v.layout}",
        420,
        xaxis=dict(title=dict(text="dimension")),
        yaxis=dict(title=dict(text="position pos"), autorange="reversed"),
    )


def pe_lines(v: PEView, dims: tuple[int, ...]) -> go.Figure:
    n = v.P.shape[0]
    traces = [
        dict(
            type="scatter",
            x=np.arange(n),
            y=_f32(v.P[:, j]),
            mode="lines+markers",
            marker=dict(size=4),
            name=f"dim {j}",
            line=dict(color=LINES[k % len(LINES)], width=2),
        )
        for k, j in enumerate(dims)
    ]
    return make_figure(
        traces,
        "Chosen dimensions against position",
        360,
        xaxis=dict(title=dict(text="position pos")),
        yaxis=dict(title=dict(text="PE(pos, dim)"), range=[-1.1, 1.1]),
    )


def similarity_heatmap(v: PEView) -> go.Figure:
    hm = _unit_heatmap(v.similarity, "cosine", "pos %{y} vs %{x}: %{z:.3f}<extra></extra>")
    # half the page wide: the colour bar under the square, which keeps the whole width
    hm["colorbar"].update(orientation="h", y=-0.3, yanchor="top", thickness=12, len=0.9)
    return make_figure(
        [hm],
        "Cosine similarity of PE(p) and PE(q)",
        420,
        title_chars=HALF,
        xaxis=dict(title=dict(text="position q"), scaleanchor="y", constrain="domain"),
        yaxis=dict(title=dict(text="position p"), autorange="reversed", constrain="domain"),
        margin=dict(l=55, r=15, t=80, b=110),
    )


def similarity_by_distance(v: PEView) -> go.Figure:
    n = len(v.by_distance)
    line = dict(
        type="scatter", x=np.arange(n), y=_f32(v.by_distance), mode="lines+markers",
        name="mean over p", line=dict(color=OI["blue"], width=2), marker=dict(size=4),
    )  # fmt: skip
    return make_figure(
        [line],
        "Mean similarity against distance δ",
        360,
        title_chars=HALF,
        xaxis=dict(title=dict(text="distance δ = |p − q|")),
        yaxis=dict(title=dict(text="mean cosine similarity"), range=[-1.05, 1.05]),
        showlegend=True,
    )


def rotation_plot(r: RotationCheck) -> go.Figure:
    """The (sin, cos) pair of frequency i at every p, the pair at p + δ, and R applied."""
    data = [
        dict(
            type="scatter", x=_f32(r.pairs[:, 0]), y=_f32(r.pairs[:, 1]), mode="markers",
            name="PE pair at p", marker=dict(color=OI["sky"], size=7),
        ),
        dict(
            type="scatter", x=_f32(r.shifted[:, 0]), y=_f32(r.shifted[:, 1]), mode="markers",
            name="PE pair at p + δ", marker=dict(color=OI["orange"], size=12, symbol="circle-open"),
        ),
        dict(
            type="scatter", x=_f32(r.rotated[:, 0]), y=_f32(r.rotated[:, 1]), mode="markers",
            name="R · PE pair at p", marker=dict(color=OI["black"], size=5, symbol="x"),
        ),
    ]  # fmt: skip
    return make_figure(
        data,
        f"Pair i = {r.i} on the unit circle",
        400,
        xaxis=dict(title=dict(text=f"sin column {r.cols[0]}"), range=[-1.15, 1.15]),
        yaxis=dict(title=dict(text=f"cos column {r.cols[1]}"), range=[-1.15, 1.15],
                   scaleanchor="x"),
    )  # fmt: skip


# ---------------------------------------------------------------- scaled dot-product
def _pair(c: ScalingCurve, un, sc, title: str, ytitle: str, d_k: int, log_y: bool) -> go.Figure:
    data = [
        dict(type="scatter", x=c.d_k, y=un, mode="lines+markers", name="unscaled q·k",
             line=dict(color=UNSCALED, width=2, dash="dot"), marker=dict(symbol="square")),
        dict(type="scatter", x=c.d_k, y=sc, mode="lines+markers", name="scaled q·k/√d_k",
             line=dict(color=SCALED, width=2)),
    ]  # fmt: skip
    return make_figure(
        data,
        title,
        400,
        title_chars=HALF,
        # the legend under the plot: above it, in a figure half the page wide, it covers the title
        legend=dict(orientation="h", yanchor="top", y=-0.32, xanchor="left", x=0.0),
        margin=dict(l=60, r=20, t=80, b=110),
        xaxis=dict(title=dict(text="d_k (log scale)"), type="log"),
        yaxis=dict(title=dict(text=ytitle), type="log" if log_y else "linear"),
        shapes=[_vline(d_k)],
        # right of the line for a small d_k, left of it for a large one: inside the figure
        annotations=[dict(x=np.log10(d_k), y=1, yref="paper", text=f"d_k = {d_k}",
                          showarrow=False, xanchor="left" if d_k <= 64 else "right",
                          yanchor="bottom")],
    )  # fmt: skip


def scaling_charts(c: ScalingCurve, d_k: int) -> tuple[go.Figure, go.Figure, go.Figure]:
    return (
        _pair(c, c.std_unscaled, c.std_scaled, "Spread of the scores", "std of scores", d_k,
              True),
        _pair(c, c.max_weight_unscaled, c.max_weight_scaled, "Largest softmax weight",
              "mean max weight", d_k, False),
        _pair(c, c.grad_unscaled, c.grad_scaled, "Softmax gradient size",
              "mean ‖∂a/∂z‖ (Frobenius)", d_k, False),
    )  # fmt: skip


# ---------------------------------------------------------------- greedy decoding
def self_attention_heatmap(s: DecodeStep) -> go.Figure:
    rows = s.self_rows  # (t + 1, N), NaN = masked
    n_rows, n_cols = rows.shape
    x = [f"{j}: {w}" for j, w in enumerate(s.inputs)]
    y = [f"step {i + 1} → {s.outputs[i]}" for i in range(n_rows)]
    masked = np.where(np.isnan(rows), 1.0, np.nan)
    data = [
        dict(
            type="heatmap", z=_f32(masked), x=x, y=y, showscale=False, name="masked (future)",
            colorscale=[[0, MASK_GREY], [1, MASK_GREY]], showlegend=True,
            hovertemplate="%{y} · %{x}: masked<extra></extra>",
        ),
        dict(
            type="heatmap", z=_f32(rows), x=x, y=y, colorscale="Cividis", zmin=0, zmax=1,
            colorbar=dict(title=dict(text="weight")), name="attention weight",
            text=[["" if np.isnan(v) else f"{v:.2f}" for v in r] for r in rows],
            texttemplate="%{text}", hovertemplate="%{y} · %{x}: %{z:.3f}<extra></extra>",
        ),
    ]  # fmt: skip
    return make_figure(
        data,
        f"Masked self-attention, layer {s.layer + 1}, {s.head_label}",
        120 + 42 * max(n_rows, 3),  # room for the colour bar also at step 1
        xaxis=dict(title=dict(text="decoder input position"), side="bottom"),
        yaxis=dict(title=dict(text="query (step)"), autorange="reversed"),
    )


def cross_attention_bar(s: DecodeStep) -> go.Figure:
    x = [f"{j}: {w}" for j, w in enumerate(s.source)]
    bar = dict(
        type="bar", x=x, y=_f32(s.cross_row), name="weight", marker=dict(color=OI["blue"]),
        text=[f"{v:.2f}" for v in s.cross_row], textposition="outside", cliponaxis=False,
        hovertemplate="%{x}: %{y:.3f}<extra></extra>",
    )  # fmt: skip
    return make_figure(
        [bar],
        f"Step {s.t + 1}: cross-attention",
        340,
        title_chars=HALF,
        xaxis=dict(title=dict(text="French token")),
        yaxis=dict(title=dict(text="weight"), range=[0, 1.1]),
        showlegend=True,
    )


def top5_bar(s: DecodeStep) -> go.Figure:
    colors = [OI["orange"] if w == s.chosen and k == 0 else "#9E9E9E"
              for k, w in enumerate(s.top_words)]  # fmt: skip
    bar = dict(
        type="bar", x=list(s.top_words), y=_f32(s.top_probs), name="probability (orange: chosen)",
        marker=dict(color=colors), text=[f"{p:.3f}" for p in s.top_probs],
        textposition="outside", cliponaxis=False,
        hovertemplate="%{x}: %{y:.4f}<extra></extra>",
    )  # fmt: skip
    return make_figure(
        [bar],
        f"Step {s.t + 1}: top-5 next words",
        340,
        title_chars=HALF,
        xaxis=dict(title=dict(text="next word"), type="category"),
        yaxis=dict(title=dict(text="probability"), range=[0, 1.1]),
        showlegend=True,
    )


# ---------------------------------------------------------------- attention vs self-attention
def _weights_heatmap(w: np.ndarray, x, y, hover: str) -> dict:
    """Attention weights on one 0..1 Cividis scale, each cell's weight written in it."""
    return dict(
        type="heatmap", z=_f32(w), x=list(x), y=list(y), colorscale="Cividis", zmin=0, zmax=1,
        colorbar=dict(title=dict(text="weight")), text=[[f"{v:.2f}" for v in r] for r in w],
        texttemplate="%{text}" if w.size <= 400 else "", hovertemplate=hover,
    )  # fmt: skip


def attention_pair(c: AttentionCompare) -> tuple[go.Figure, go.Figure]:
    """The encoder's self-attention (S, S) and the decoder's cross-attention (N, S), one scale."""
    src = [f"{j}: {w}" for j, w in enumerate(c.source)]
    out = [f"{t + 1}: {w}" for t, w in enumerate(c.outputs)]
    height = 160 + 40 * max(len(src), len(out))

    def panel(w, rows, hover_row: str, title: str, query: str) -> go.Figure:
        return make_figure(
            [_weights_heatmap(w, src, rows, f"{hover_row} %{{y}} → key %{{x}}: "
                              "%{z:.3f}<extra></extra>")],
            f"{title}, {c.head_label}",
            height,
            title_chars=HALF,
            # dtick 1: every word labelled (rotated if need be) in half a 819 px page, where
            # plotly labelled only every other one
            xaxis=dict(title=dict(text="key: French word"), type="category", dtick=1),
            yaxis=dict(title=dict(text=f"query: {query}"), autorange="reversed",
                       automargin=True, type="category", dtick=1),
        )  # fmt: skip

    enc = panel(c.encoder, src, "query", f"Self-attention, encoder layer {c.layer + 1}",
                "French word")  # fmt: skip
    cross = panel(c.cross, out, "step", f"Cross-attention, decoder layer {c.layer + 1}",
                  "English word written")  # fmt: skip
    return enc, cross


# ---------------------------------------------------------------- multi-head self-attention
def head_heatmap(v: MultiHeadView) -> go.Figure:
    src = [f"{j}: {w}" for j, w in enumerate(v.source)]
    return make_figure(
        [_weights_heatmap(v.weights, src, src,
                          "query %{y} → key %{x}: %{z:.4f}<extra></extra>")],
        f"Encoder layer {v.layer + 1}, head {v.head + 1} of {v.n_heads}: weights",
        160 + 40 * len(src),
        xaxis=dict(title=dict(text="key: French word"), type="category"),
        yaxis=dict(title=dict(text="query: French word"), autorange="reversed",
                   automargin=True, type="category"),
    )  # fmt: skip


# ---------------------------------------------------------------- encoder and decoder blocks
BLOCK_COLOURS = {
    "embedding + PE": OI["orange"],
    "self-attention": OI["sky"],
    "masked self-attention": OI["sky"],
    "encoder-decoder attention": OI["blue"],
    "feed-forward": OI["green"],
    "linear": OI["purple"],
    "softmax": OI["purple"],
}
NORM_COLOUR = OI["yellow"]


def _tint(hex_colour: str, alpha: float = 0.45) -> str:
    """'#RRGGBB' as a see-through fill, so that black labels stay readable on it."""
    r, g, b = (int(hex_colour[k : k + 2], 16) for k in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


COLUMNS = {"encoder": (0.4, 4.4), "decoder": (5.6, 9.6)}


def block_diagram(
    shapes: tuple[BlockShape, ...], selected: str, layer: int, n_layers: int, pre_ln: bool = True
) -> go.Figure:
    """The sheet's Figures 4-5 as boxes, data flowing upwards: the encoder (left) and the
    decoder (right) of layer ``layer`` (0-based), each box labelled with its live output shape;
    the chosen box (``selected``, 'part: name') has a thick black border."""
    shapes_out: list[dict] = []
    notes: list[dict] = []
    centres: dict[str, tuple[float, float]] = {}
    hover_x, hover_y, hover_text = [], [], []
    for part, (x0, x1) in COLUMNS.items():
        boxes = [s for s in shapes if s.part == part]
        layer_ys = []
        for k, s in enumerate(boxes):
            y0, y1 = k * 1.0 + 0.15, k * 1.0 + 0.85
            colour = NORM_COLOUR if "norm" in s.name else BLOCK_COLOURS.get(s.name, OI["sky"])
            chosen = s.label == selected
            shapes_out.append(dict(
                type="rect", x0=x0, x1=x1, y0=y0, y1=y1, fillcolor=_tint(colour),
                line=dict(color=OI["black"], width=4 if chosen else 1),
            ))  # fmt: skip
            notes.append(dict(  # two lines: on one they overflow the box on a projector
                x=(x0 + x1) / 2, y=(y0 + y1) / 2, showarrow=False,
                font=dict(size=12, color=INK),
                text=f"<b>{s.name}</b><br>{s.shape}" if chosen else f"{s.name}<br>{s.shape}",
            ))  # fmt: skip
            centres[s.label] = ((x0 + x1) / 2, (y0 + y1) / 2)
            hover_x.append((x0 + x1) / 2)
            hover_y.append((y0 + y1) / 2)
            hover_text.append(f"{s.label}: output {s.shape}")
            if k > 0:
                notes.append(dict(
                    x=(x0 + x1) / 2, y=y0, ax=(x0 + x1) / 2, ay=y0 - 0.3, xref="x", yref="y",
                    axref="x", ayref="y", text="", showarrow=True, arrowhead=2, arrowsize=1,
                    arrowcolor=OI["black"],
                ))  # fmt: skip
            if s.name not in ("embedding + PE", "final layer norm", "linear", "softmax"):
                layer_ys.append((y0, y1))
        if layer_ys:
            shapes_out.append(dict(
                type="rect", x0=x0 - 0.25, x1=x1 + 0.25, y0=layer_ys[0][0] - 0.08,
                y1=layer_ys[-1][1] + 0.08, line=dict(color=OI["black"], dash="dash", width=1),
            ))  # fmt: skip
            notes.append(dict(
                x=x0 - 0.45 if part == "encoder" else x1 + 0.45,
                y=(layer_ys[0][0] + layer_ys[-1][1]) / 2, showarrow=False,
                text=f"layer {layer + 1} of {n_layers}", textangle=-90, font=dict(color=INK),
            ))  # fmt: skip
        notes.append(dict(x=(x0 + x1) / 2, y=-0.35, showarrow=False,
                          text=f"<b>{part.capitalize()}</b>", font=dict(color=INK)))  # fmt: skip
    enc_out = centres.get("encoder: final layer norm") or centres.get("encoder: add & norm 2")
    cross = centres.get("decoder: encoder-decoder attention")
    if enc_out and cross:
        notes.append(dict(
            x=COLUMNS["decoder"][0], y=cross[1], ax=COLUMNS["encoder"][1], ay=enc_out[1],
            xref="x", yref="y", axref="x", ayref="y", text="", showarrow=True, arrowhead=2,
            arrowcolor=OI["vermillion"], arrowwidth=2,
        ))  # fmt: skip
        notes.append(dict(
            x=(COLUMNS["encoder"][1] + COLUMNS["decoder"][0]) / 2,
            y=(enc_out[1] + cross[1]) / 2, showarrow=False, bgcolor="white",
            text="keys,<br>values", font=dict(color=OI["vermillion"], size=12),
        ))  # fmt: skip
    n_rows = max(sum(s.part == p for s in shapes) for p in COLUMNS)
    hover = dict(
        type="scatter", x=hover_x, y=hover_y, mode="markers", marker=dict(size=30, opacity=0),
        text=hover_text, hovertemplate="%{text}<extra></extra>", showlegend=False,
    )  # fmt: skip
    norm = "layer norm before each block, add after (pre-LN)" if pre_ln else "add, then norm"
    return make_figure(
        [hover],
        "Encoder and decoder blocks with live shapes",
        120 + 58 * n_rows,
        # two lines: one would run past a projector's page column
        xaxis=dict(title=dict(text=f"encoder (left) and decoder (right)<br>{norm}"),
                   range=[-0.3, 10.3], showticklabels=False, showgrid=False, zeroline=False),
        yaxis=dict(title=dict(text="data flows upwards"), range=[-0.7, n_rows + 0.1],
                   showticklabels=False, showgrid=False, zeroline=False),
        shapes=shapes_out,
        annotations=notes,
        margin=dict(l=60, r=20, t=80, b=70),
    )  # fmt: skip

"""Figures for the Transformer page (review questions 3-5).  Numbers in, Plotly figures out; no
``st.*``.

Heatmaps use the colour-blind-safe Cividis scale with a titled colour bar; lines use Okabe-Ito
colours (``charts.style``).  Masked cells of the decoder's self-attention are NaN: Plotly leaves
them empty, and a grey layer beneath shows them as "masked" with its own legend entry.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from charts.style import OKABE_ITO, make_figure
from core.transformer_views import DecodeStep, PEView, RotationCheck, ScalingCurve

OI = OKABE_ITO
LINES = [OI["blue"], OI["orange"], OI["green"], OI["purple"]]
UNSCALED, SCALED = OI["vermillion"], OI["blue"]
MASK_GREY = "#BDBDBD"


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
    return make_figure(
        [hm],
        "Cosine similarity of PE(p) and PE(q)",
        420,
        xaxis=dict(title=dict(text="position q"), scaleanchor="y"),
        yaxis=dict(title=dict(text="position p"), autorange="reversed"),
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
        340,
        xaxis=dict(title=dict(text="d_k (log scale)"), type="log"),
        yaxis=dict(title=dict(text=ytitle), type="log" if log_y else "linear"),
        shapes=[_vline(d_k)],
        annotations=[dict(x=np.log10(d_k), y=1, yref="paper", text=f"d_k = {d_k}",
                          showarrow=False, xanchor="left", yanchor="bottom")],
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
        120 + 42 * n_rows,
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
        xaxis=dict(title=dict(text="next word"), type="category"),
        yaxis=dict(title=dict(text="probability"), range=[0, 1.1]),
        showlegend=True,
    )

"""Figures for the Translate page: attention map, per-step weights and next-word choices."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from charts.style import OKABE_ITO, make_figure


def attention_map(
    source: Sequence[str],
    words: Sequence[str],
    attention: np.ndarray,
    selected: int | None = None,
    title: str = "Where the decoder looks, word by word (click a row to inspect it)",
) -> go.Figure:
    """Heatmap of ``attention`` (len(words), len(source)): one row per output word, one column
    per source token; row ``selected`` (0-based) can be marked.

    Plotly heatmaps cannot be selected in Streamlit, so an invisible marker sits on every cell:
    clicking a cell selects that marker, whose ``y`` is the row's label ("3. word").
    """
    n_out, n_src = len(words), len(source)
    ylabels = [f"{i + 1}. {w}" for i, w in enumerate(words)]
    xlabels = [f"{j + 1}. {w}" for j, w in enumerate(source)]
    heat = go.Heatmap(
        z=attention,
        x=xlabels,
        y=ylabels,
        zmin=0,
        zmax=1,
        colorscale="Cividis",
        colorbar=dict(title=dict(text="attention<br>weight")),
        text=np.round(attention, 2),
        texttemplate="%{text:.2f}",
        xgap=1,
        ygap=1,
        hoverinfo="skip",
        name="attention",
    )
    grid_x = [x for _ in ylabels for x in xlabels]
    grid_y = [y for y in ylabels for _ in xlabels]
    weights = np.asarray(attention, dtype=float).reshape(-1) if n_out and n_src else []
    cells = go.Scatter(
        x=grid_x,
        y=grid_y,
        mode="markers",
        customdata=weights,
        showlegend=False,
        marker=dict(size=28, color="rgba(0,0,0,0)", symbol="square"),
        hovertemplate="output %{y}<br>source %{x}<br>weight %{customdata:.3f}"
        "<br>click to inspect this output word<extra></extra>",
        name="cells",
    )
    shapes = []
    if selected is not None and 0 <= selected < n_out:
        shapes.append(
            dict(
                type="rect",
                xref="paper",
                yref="y",
                x0=0,
                x1=1,
                y0=selected - 0.5,
                y1=selected + 0.5,
                line=dict(color=OKABE_ITO["orange"], width=3),
            )
        )
    return make_figure(
        [heat, cells],
        dict(
            text=title,
            x=0.0,
            xanchor="left",
            y=0.99,
            yanchor="top",
            yref="container",
            font=dict(size=16),
        ),
        height=155 + 34 * max(n_out, 1),
        xaxis=dict(
            title=dict(text="French source tokens (normalised)"),
            side="top",
            type="category",
            dtick=1,  # every source word labelled, rotated when the map is narrow
            categoryorder="array",
            categoryarray=xlabels,
        ),
        yaxis=dict(
            title=dict(text="English output, in order"),
            autorange="reversed",
            type="category",
            categoryorder="array",
            categoryarray=ylabels,
        ),
        shapes=shapes,
        margin=dict(l=120, r=20, t=125, b=30),
        clickmode="event+select",
        hovermode="closest",
        hoverdistance=-1,  # a click anywhere in a cell picks that cell's (nearest) marker
        dragmode=False,
    )


def step_weights(source: Sequence[str], weights: np.ndarray, step: int, word: str) -> go.Figure:
    """The context vector's weights (len(source),) over the source tokens at decoding step
    ``step`` (1-based), which wrote ``word``."""
    bar = go.Bar(
        x=[f"{j + 1}. {w}" for j, w in enumerate(source)],
        y=weights,
        marker_color=OKABE_ITO["blue"],
        hovertemplate="%{x}: %{y:.3f}<extra></extra>",
        name="attention",
    )
    return make_figure(
        [bar],
        f"Step {step}: attention weights that form the context for “{word}”",
        height=300,
        title_chars=30,  # half the page wide
        xaxis=dict(title=dict(text="French source tokens")),
        yaxis=dict(title=dict(text="weight (sums to 1)"), range=[0, 1]),
    )


def next_word_choices(
    alternatives: Sequence[tuple[str, float]], chosen: str, step: int
) -> go.Figure:
    """The top next-word probabilities (word, probability), most probable first, at decoding
    step ``step`` (1-based); the ``chosen`` word highlighted."""
    words = [w for w, _ in alternatives][::-1]
    probs = [p for _, p in alternatives][::-1]
    colors = [OKABE_ITO["orange"] if w == chosen else OKABE_ITO["sky"] for w in words]
    bar = go.Bar(
        x=probs,
        y=words,
        orientation="h",
        marker_color=colors,
        hovertemplate="%{y}: p = %{x:.3f}<extra></extra>",
        name="probability",
    )
    return make_figure(
        [bar],
        f"Step {step}: the decoder's top next words (orange = chosen)",
        height=300,
        title_chars=30,
        xaxis=dict(title=dict(text="probability"), range=[0, 1]),
        yaxis=dict(title=dict(text="next English word"), type="category"),
    )

"""Shared look: colour-blind-safe colours (Okabe-Ito) and a common layout."""

from __future__ import annotations

import plotly.graph_objects as go

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}

# 0 -> light grey, 1 -> blue: readable in every common colour-vision deficiency and in greyscale.
BIT_COLORSCALE = [[0.0, "#EDEDED"], [0.5, "#EDEDED"], [0.5, "#0072B2"], [1.0, "#0072B2"]]


def base_layout(title: str | dict, height: int = 380) -> dict:
    """``title``: the text, or a full Plotly title dict (e.g. to pin it to the top edge)."""
    return dict(
        title=title
        if isinstance(title, dict)
        else dict(text=title, x=0.0, xanchor="left", font=dict(size=16)),
        height=height,
        margin=dict(l=60, r=20, t=80, b=50),
        # No named template: applying one costs ~50 ms per figure; Streamlit's own chart theme
        # styles the figure in the browser anyway.
        plot_bgcolor="white",
        font=dict(size=13),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1.0),
    )


def make_figure(
    traces,
    title: str | dict,
    height: int = 380,
    *,
    xaxis: dict | None = None,
    yaxis: dict | None = None,
    **layout,
) -> go.Figure:
    """A figure built in one constructor call.

    Plotly validates every ``update_layout`` / ``update_xaxes`` / ``add_shape`` call separately
    (15-20 ms each here); one ``go.Figure(data, layout)`` call costs about 1 ms.
    """
    lay = base_layout(title, height)
    if xaxis is not None:
        lay["xaxis"] = xaxis
    if yaxis is not None:
        lay["yaxis"] = yaxis
    lay.update(layout)
    return go.Figure(data=list(traces), layout=lay)

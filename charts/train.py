"""Figures for the Train page: live loss curves and the validation BLEU of a training job."""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

from charts.style import OKABE_ITO, make_figure
from core.seq2seq.live.jobs import LiveRow

TRAIN_COLOR = OKABE_ITO["blue"]
VAL_COLOR = OKABE_ITO["vermillion"]
BLEU_COLOR = OKABE_ITO["green"]
TEST_COLOR = OKABE_ITO["black"]


def _waiting(text: str) -> list[dict]:
    return [
        dict(
            text=text,
            x=0.5,
            y=0.5,
            xref="paper",
            yref="paper",
            showarrow=False,
            font=dict(size=14, color="#555555"),
        )
    ]


def _x_axis(epochs: float | None, history: Sequence[LiveRow]) -> dict:
    last = max((r.get("epochs", 0.0) for r in history), default=0.0)
    top = max(epochs or 0.0, last, 1.0)
    return dict(
        title=dict(text="epochs (passes over the training pairs)"),
        range=[0, top * 1.02],
        zeroline=False,
        showgrid=True,
        gridcolor="#EEEEEE",
    )


def _curve(
    x: Sequence[float],
    y: Sequence[float],
    name: str,
    color: str,
    symbol: str,
    fmt: str,
    dash: str = "solid",
) -> go.Scatter:
    """One lines-and-markers series against epochs; ``fmt`` formats y in the hover text."""
    return go.Scatter(
        x=x,
        y=y,
        name=name,
        mode="lines+markers",
        line=dict(color=color, width=2, dash=dash),
        marker=dict(symbol=symbol, size=7 if symbol == "diamond" else 6),
        hovertemplate=f"epoch %{{x:.2f}}<br>{name} %{{y:{fmt}}}<extra></extra>",
    )


def loss_curves(history: Sequence[LiveRow], epochs: float | None = None) -> go.Figure:
    """Training loss (mean over each round's batches, with dropout on) and validation loss
    (after the round) against epochs, both in nats per target word."""
    x = [r["epochs"] for r in history]
    traces = [
        _curve(
            x, [r["train_loss"] for r in history], "training loss", TRAIN_COLOR, "circle", ".3f"
        ),
        _curve(
            x,
            [r["val_loss"] for r in history],
            "validation loss",
            VAL_COLOR,
            "diamond",
            ".3f",
            dash="dash",
        ),
    ]
    ys = [v for r in history for v in (r["train_loss"], r["val_loss"]) if math.isfinite(v)]
    top = max(ys, default=5.0)
    return make_figure(
        traces,
        "Loss: training vs validation",
        height=360,
        xaxis=_x_axis(epochs, history),
        yaxis=dict(
            title=dict(text="cross-entropy per target word (nats)"),
            range=[0, top * 1.08],
            gridcolor="#EEEEEE",
        ),
        annotations=[] if history else _waiting("waiting for the first validation round…"),
        hovermode="x unified",
    )


def bleu_curve(
    history: Sequence[LiveRow], epochs: float | None = None, test_bleu: float | None = None
) -> go.Figure:
    """Validation BLEU-4 (greedy decoding) against epochs; the final test BLEU as a star at
    the end when known."""
    x = [r["epochs"] for r in history]
    y = [r["val_bleu"] for r in history]
    traces = [_curve(x, y, "validation BLEU", BLEU_COLOR, "square", ".1f")]
    xaxis = _x_axis(epochs, history)
    if test_bleu is not None and history:
        star_x = x[-1] + max(0.04 * (x[-1] - x[0]), 0.05)
        xaxis["range"][1] = max(xaxis["range"][1], star_x * 1.04)
        traces.append(
            go.Scatter(
                # just right of the last validation point, so neither hides the other
                x=[star_x],
                y=[test_bleu],
                name=f"test BLEU {test_bleu:.1f} (best weights)",
                mode="markers+text",
                marker=dict(symbol="star", size=16, color=TEST_COLOR),
                text=[f"test {test_bleu:.1f}"],
                textposition="top center",
                hovertemplate="test BLEU %{y:.1f}<extra></extra>",
            )
        )
    top = max([*y, test_bleu or 0.0, 0.0])
    y_top = max(20.0, math.ceil(top * 1.15 / 10) * 10)
    return make_figure(
        traces,
        "Validation BLEU-4 (greedy translations)",
        height=360,
        xaxis=xaxis,
        yaxis=dict(
            title=dict(text="BLEU-4 (%)"), range=[0, min(100.0, y_top)], gridcolor="#EEEEEE"
        ),
        annotations=[] if history else _waiting("waiting for the first validation round…"),
        hovermode="x unified",
    )

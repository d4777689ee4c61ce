"""Figures for the attention page (homework question 3).  Numbers in, Plotly figures out; no
``st.*``.

Colours are Okabe-Ito (``charts.style``); sampled outputs are coloured with the sequential,
colour-blind-safe Cividis scale, and the samples the sheet sets aside are vermillion crosses.
Plotly text takes HTML, so subscripts are written ``k<sub>a</sub>``.

Every figure is assembled from plain trace and layout dicts and built with one ``go.Figure``
call: Plotly validates it once, which is several times faster than ``add_trace`` /
``add_vline`` / ``update_layout`` one by one (it matters for 4 x 10,000 points on every rerun).
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from charts.style import OKABE_ITO, TITLE_CHARS, base_layout, card, with_layout
from core.attention import CopyResult, OutputSummary
from core.attention_views import CopyCurve, NormCurves, PairCurves, Panel, Pictures

OI = OKABE_ITO
KAQ = "k<sub>a</sub><sup>T</sup>q"
TARGET = "½(v<sub>a</sub> + v<sub>b</sub>)"
# line colours for families of curves (yellow is too pale on white)
FAMILY = [OI["blue"], OI["orange"], OI["green"], OI["purple"], OI["sky"], OI["black"]]
GREY = "#8C8C8C"
TEXT = "#262730"


def _f32(x: np.ndarray) -> np.ndarray:
    """Plotted arrays go to the browser as float32: half the bytes, plenty of precision."""
    return np.asarray(x, dtype=np.float32)


def _sub(name: str, i: int) -> str:
    return f"{name}<sub>{i}</sub>"


HALF = 30  # title characters per line of a figure half the page wide


def _layout(title: str, height: int, title_chars: int = TITLE_CHARS, **extra) -> dict:
    return with_layout(base_layout(title, height, title_chars), **extra)


def _vline(x: float, color: str = OI["black"], dash: str = "dash", xref: str = "x") -> dict:
    return dict(
        type="line",
        xref=xref,
        yref="paper",
        x0=x,
        x1=x,
        y0=0,
        y1=1,
        line=dict(color=color, dash=dash, width=1.5),
    )


def _hline(y: float, color: str = GREY, dash: str = "dot") -> dict:
    return dict(
        type="line",
        xref="paper",
        yref="y",
        x0=0,
        x1=1,
        y0=y,
        y1=y,
        line=dict(color=color, dash=dash, width=1.5),
    )


def _label(x: float, y: float, text: str, **extra) -> dict:
    spec = dict(x=x, y=y, text=text, showarrow=False, xanchor="left", yanchor="bottom")
    spec.update(extra)
    return spec


# ---------------------------------------------------------------------------- part (a)


def copy_weights_bar(res: CopyResult) -> go.Figure:
    """The attention weights α_i of (46) over the items; item j highlighted."""
    n = len(res.weights)
    bar = dict(
        type="bar",
        x=[f"item {i + 1}" for i in range(n)],
        y=res.weights,
        marker=dict(color=[OI["blue"] if i == res.j else "#BDBDBD" for i in range(n)]),
        text=[f"{w:.4f}" for w in res.weights],
        textposition="outside",
        cliponaxis=False,
        name="α_i",
        hovertemplate="%{x}: α = %{y:.6g}<extra></extra>",
    )
    layout = _layout(
        f"Attention weights α<sub>i</sub> (46) for q = {res.scale:g}·μ<sub>{res.j + 1}</sub>"
        f"<br><sup>score k<sub>{res.j + 1}</sub><sup>T</sup>q = {res.scale:g}, all other "
        "scores 0 · blue = the item to copy</sup>",
        340,
        title_chars=HALF,
        showlegend=False,
        xaxis=dict(title=dict(text="item i (key k<sub>i</sub> = μ<sub>i</sub>)")),
        yaxis=dict(title=dict(text="weight α<sub>i</sub>"), range=[0, 1.15]),
    )
    return card([bar], layout)


def copy_output_bar(res: CopyResult) -> go.Figure:
    """The output c of (45) next to the value v_j, coordinate by coordinate."""
    coords = [f"coordinate {k + 1}" for k in range(len(res.c))]
    data = [
        dict(
            type="bar",
            x=coords,
            y=res.v_j,
            name=f"v<sub>{res.j + 1}</sub> (to be copied)",
            marker=dict(color=OI["orange"]),
            hovertemplate="%{x}: %{y:.6g}<extra>v_j</extra>",
        ),
        dict(
            type="bar",
            x=coords,
            y=res.c,
            name="output c (45)",
            marker=dict(color=OI["blue"]),
            hovertemplate="%{x}: %{y:.6g}<extra>c</extra>",
        ),
    ]
    layout = _layout(
        f"Output c against v<sub>{res.j + 1}</sub>"
        f"<br><sup>‖c − v<sub>{res.j + 1}</sub>‖ = {res.gap:.3g}</sup>",
        340,
        title_chars=HALF,
        barmode="group",
        yaxis=dict(title=dict(text="value"), range=[0, 1.1]),
    )
    return card(data, layout)


def copy_gap_curve(curve: CopyCurve, res: CopyResult) -> go.Figure:
    """1 − α_j and ‖c − v_j‖ against the score k_j^T q (log scale), the current score marked."""
    j = res.j + 1
    data = [
        dict(
            type="scatter",
            x=curve.scales,
            y=curve.gap,
            mode="lines",
            name=f"‖c − v<sub>{j}</sub>‖ (48)",
            line=dict(color=OI["blue"], width=3),
            hovertemplate="score %{x:.1f}: gap %{y:.3g}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=curve.scales,
            y=curve.one_minus_alpha_j,
            mode="lines",
            name=f"1 − α<sub>{j}</sub> (47)",
            line=dict(color=OI["orange"], width=2, dash="dash"),
            hovertemplate="score %{x:.1f}: 1 − α = %{y:.3g}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=[res.scale, res.scale],
            y=[max(res.gap, 1e-300), max(res.one_minus_alpha_j, 1e-300)],
            mode="markers",
            name="current score",
            marker=dict(color=OI["black"], size=10, symbol="circle-open", line=dict(width=2)),
            hovertemplate="current: %{y:.3g}<extra></extra>",
        ),
    ]
    layout = _layout(
        "How close the copy is: the gap shrinks like e<sup>−score</sup>"
        f"<br><sup>n = {len(res.weights)} items; every extra unit of score divides the gap "
        "by e ≈ 2.7</sup>",
        360,
        xaxis=dict(title=dict(text=f"score k<sub>{j}</sub><sup>T</sup>q")),
        yaxis=dict(title=dict(text="distance (log scale)"), type="log", exponentformat="power"),
    )
    return card(data, layout)


# ---------------------------------------------------------------------------- part (b)


def pair_vs_M(curves: PairCurves, n_now: int, M_now: float) -> go.Figure:
    """(49) against M for a family of n, with the weights computed by attention (46) as dots."""
    data = []
    for i, fam in enumerate(curves.families):
        k = fam.n
        color = FAMILY[i % len(FAMILY)]
        now = k == n_now
        data.append(
            dict(
                type="scatter",
                x=fam.M_line,
                y=fam.closed,
                mode="lines",
                name=f"n = {k:,}" + (" (current)" if now else ""),
                legendgroup=str(k),
                line=dict(color=color, width=4 if now else 2),
                hovertemplate=f"n = {k}, M = %{{x:.2f}}: (49) = %{{y:.6f}}<extra></extra>",
            )
        )
        dots = ((fam.alpha_a, "circle-open", 9, "a"), (fam.alpha_b, "x-thin", 6, "b"))
        for w, symbol, size, which in dots:
            data.append(
                dict(
                    type="scatter",
                    x=fam.M_dots,
                    y=w,
                    mode="markers",
                    legendgroup=str(k),
                    showlegend=False,
                    marker=dict(color=color, size=size, symbol=symbol, line=dict(width=2)),
                    hovertemplate=(
                        f"n = {k}, M = %{{x:.2f}}: computed α_{which} = %{{y:.6f}}<extra></extra>"
                    ),
                )
            )
    for symbol, size, name in (
        ("circle-open", 9, "computed α<sub>a</sub> (attend)"),
        ("x-thin", 6, "computed α<sub>b</sub> (attend)"),
    ):
        data.append(
            dict(
                type="scatter",
                x=[None],
                y=[None],
                mode="markers",
                name=name,
                marker=dict(color=GREY, size=size, symbol=symbol, line=dict(width=2, color=GREY)),
            )
        )
    layout = _layout(
        "α<sub>a</sub> = α<sub>b</sub> against M: lines (49), dots computed with (46)"
        "<br><sup>keys exactly orthonormal, q = M(k<sub>a</sub> + k<sub>b</sub>)</sup>",
        500,
        title_chars=HALF,
        legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0.0),
        margin=dict(l=60, r=20, t=80, b=40),
        shapes=[_hline(0.5), _vline(M_now)],
        annotations=[_label(M_now, 0.0, f" M = {M_now:g}", yref="y")],
        xaxis=dict(title=dict(text="query scale M")),
        yaxis=dict(title=dict(text="weight of item a (and of b)"), range=[0, 0.55]),
    )
    return card(data, layout)


def pair_vs_n(curves: PairCurves, n_now: int, M_now: float) -> go.Figure:
    """(49) against the number of items n at the current M, computed dots for n ≤ 1000."""
    data = [
        dict(
            type="scatter",
            x=curves.n_line,
            y=curves.vs_n,
            mode="lines",
            name=f"(49) at M = {M_now:g}",
            line=dict(color=OI["blue"], width=3),
            hovertemplate="n = %{x:,}: α = %{y:.6f}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=curves.n_dots,
            y=curves.dots_a,
            mode="markers",
            name="computed with (46)",
            marker=dict(color=OI["orange"], size=9, symbol="circle-open", line=dict(width=2)),
            hovertemplate="n = %{x:,}: computed α = %{y:.6f}<extra></extra>",
        ),
    ]
    layout = _layout(
        f"α<sub>a</sub> = α<sub>b</sub> against the number of items n (M = {M_now:g})"
        "<br><sup>the n − 2 other items share what is left; it matters once n − 2 is "
        "comparable to 2e<sup>M</sup></sup>",
        500,
        title_chars=HALF,
        legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0.0),
        margin=dict(l=60, r=20, t=80, b=40),
        shapes=[_hline(0.5), _vline(n_now)],
        # on a log axis an annotation's x is log10 of the value
        annotations=[_label(math.log10(n_now), 0.02, f" n = {n_now}", yref="y")],
        xaxis=dict(
            title=dict(text="number of items n (log scale)"), type="log", exponentformat="power"
        ),
        yaxis=dict(title=dict(text="weight of item a (and of b)"), range=[0, 0.55]),
    )
    return card(data, layout)


# ---------------------------------------------------------------------------- parts (c)-(e)

_COLS = [(0.0, 0.45), (0.55, 1.0)]  # x domains: one head, two heads
_ROWS = [(0.55, 1.0), (0.0, 0.45)]  # y domains: Σ_a = αI (top), αI + βμμᵀ (bottom)


def _panel_label(p: Panel) -> str:
    heads = "two heads" if p.heads == 2 else "one head"
    sigma = "αI + βμ<sub>a</sub>μ<sub>a</sub><sup>T</sup>" if p.wobble else "αI"
    return f"{p.part}. {heads}, Σ<sub>a</sub> = {sigma}"


def sampled_outputs(
    panels: Pictures[Panel],
    summaries: Pictures[OutputSummary],
    *,
    M: float,
    noise_var_text: str,
    beta: float,
    n: int,
    d: int,
    a: int,
    b: int,
    eps: float,
) -> go.Figure:
    """The four pictures of experiment (e) on the same axes: outputs c in the plane of items a
    and b, coloured by k_a^T q; k_a^T q < 0 marked, 2σ ellipse, ε-circle around ½(v_a + v_b).

    ``panels`` and their ``summaries`` are drawn in a 2 x 2 grid in the order of
    ``Pictures``: rows Σ_a = αI, αI + βμμᵀ; columns one head, two heads.  ``noise_var_text`` is
    the noise variance α as shown; ``a``, ``b`` are 1-based items.
    """
    data: list[dict] = []
    axes: dict = {}
    shapes, annotations = [], []
    # common axis range: [0, 1] and every ellipse, padded
    n_samples = summaries.one_head.n_samples
    lo = min(0.0, *(float(p.plane.ellipse.min()) for p in panels)) - 0.08
    hi = max(1.0, *(float(p.plane.ellipse.max()) for p in panels)) + 0.08
    lo, hi = max(lo, -1.0), min(hi, 2.0)
    for i, (p, sm) in enumerate(zip(panels, summaries, strict=True)):
        row, col = divmod(i, 2)
        ax = "" if i == 0 else str(i + 1)
        on = dict(xaxis=f"x{ax}", yaxis=f"y{ax}")
        pl, neg = p.plane, p.negative
        keep = ~neg
        first = i == 0
        data += [
            dict(
                type="scattergl",
                x=_f32(pl.xy[keep, 0]),
                y=_f32(pl.xy[keep, 1]),
                mode="markers",
                name=f"samples of c, colour = {KAQ}",
                legendgroup="samples",
                showlegend=first,
                marker=dict(
                    size=5, opacity=0.6, color=_f32(p.score_a[keep]), coloraxis="coloraxis"
                ),
                hovertemplate=(
                    f"c = (%{{x:.4f}}, %{{y:.4f}})<br>{KAQ} = %{{marker.color:.2f}}<extra></extra>"
                ),
                **on,
            ),
            dict(
                type="scattergl",
                x=_f32(pl.xy[neg, 0]),
                y=_f32(pl.xy[neg, 1]),
                mode="markers",
                name=(
                    f"{KAQ} < 0, {'two heads' if p.heads == 2 else 'one head'}, "
                    f"Σ<sub>a</sub> = {'αI + βμμ<sup>T</sup>' if p.wobble else 'αI'}: "
                    f"{sm.n_negative:,}"
                ),
                marker=dict(
                    size=7,
                    symbol="x",
                    color=OI["vermillion"],
                    line=dict(width=1, color=OI["vermillion"]),
                ),
                hovertemplate=(
                    "c = (%{x:.4f}, %{y:.4f})<br>"
                    f"{KAQ} < 0: set aside by the sheet<extra></extra>"
                ),
                **on,
            ),
            dict(
                type="scatter",
                x=pl.ellipse[:, 0],
                y=pl.ellipse[:, 1],
                mode="lines",
                name="mean ± 2 std (covariance ellipse)",
                legendgroup="ellipse",
                showlegend=first,
                line=dict(color=OI["black"], width=1.2, dash="dash"),
                hoverinfo="skip",
                **on,
            ),
            dict(
                type="scatter",
                x=[pl.mean[0]],
                y=[pl.mean[1]],
                mode="markers",
                name="mean of c",
                legendgroup="mean",
                showlegend=first,
                marker=dict(color=OI["black"], size=9, symbol="cross"),
                hovertemplate="mean of c = (%{x:.4f}, %{y:.4f})<extra></extra>",
                **on,
            ),
            dict(
                type="scatter",
                x=[pl.target[0]],
                y=[pl.target[1]],
                mode="markers",
                name=f"target {TARGET}, ε-circle dotted",
                legendgroup="target",
                showlegend=first,
                marker=dict(
                    color=OI["green"], size=13, symbol="diamond-open", line=dict(width=2.5)
                ),
                hovertemplate="½(v_a + v_b) = (%{x:.2f}, %{y:.2f})<extra></extra>",
                **on,
            ),
            dict(
                type="scatter",
                x=[pl.v_a[0], pl.v_b[0]],
                y=[pl.v_a[1], pl.v_b[1]],
                mode="markers+text",
                text=[_sub("v", a), _sub("v", b)],
                textposition=["middle right", "top center"],
                textfont=dict(size=14, color=OI["purple"]),
                name=f"values {_sub('v', a)} = μ<sub>{a}</sub>, {_sub('v', b)} = μ<sub>{b}</sub>",
                legendgroup="values",
                showlegend=first,
                marker=dict(
                    color=OI["purple"], size=13, symbol="square-open", line=dict(width=2.5)
                ),
                hovertemplate="(%{x:.2f}, %{y:.2f})<extra>value</extra>",
                **on,
            ),
        ]
        shapes.append(
            dict(
                type="circle",
                xref=on["xaxis"],
                yref=on["yaxis"],
                x0=pl.target[0] - eps,
                x1=pl.target[0] + eps,
                y0=pl.target[1] - eps,
                y1=pl.target[1] + eps,
                line=dict(color=OI["green"], width=1.5, dash="dot"),
            )
        )
        xd, yd = _COLS[col], _ROWS[row]
        annotations.append(
            dict(
                text=(  # three short lines: at 819 px (125 % zoom) a panel is 200 px wide
                    f"<b>{_panel_label(p)}</b><br>within ε: {sm.share_within:.1%}<br>"
                    f"{KAQ} < 0: {sm.n_negative:,} of {sm.n_samples:,}"
                ),
                x=(xd[0] + xd[1]) / 2,
                y=yd[1],
                xref="paper",
                yref="paper",
                xanchor="center",
                yanchor="bottom",
                showarrow=False,
                font=dict(size=12, color=TEXT),
            )
        )
        x_title = f"c · μ<sub>{b}</sub> (along {_sub('v', b)})" if row == 1 else ""
        y_title = f"c · μ<sub>{a}</sub> (along {_sub('v', a)})" if col == 0 else ""
        axes[f"xaxis{ax}"] = dict(
            domain=list(xd),
            anchor=on["yaxis"],
            range=[lo, hi],
            title=dict(text=x_title),
            zeroline=False,
            constrain="domain",
        )
        axes[f"yaxis{ax}"] = dict(
            domain=list(yd),
            anchor=on["xaxis"],
            range=[lo, hi],
            title=dict(text=y_title),
            zeroline=False,
            scaleanchor=on["xaxis"],
            scaleratio=1,
            constrain="domain",
        )
    layout = _layout(
        f"Outputs c of {n_samples:,} key samples: one head (left) against "
        "two heads (right)"
        f"<br><sup>M = {M:g}, α = {noise_var_text}, β = {beta:g}, n = {n}, d = {d}, items a = {a},"
        f" b = {b}; the same random draws in all four pictures</sup>",
        1000,
        legend=dict(orientation="h", yanchor="top", y=-0.07, xanchor="left", x=0.0),
        margin=dict(l=70, r=110, t=175, b=40),  # the panels' three-line titles below the title
        shapes=shapes,
        annotations=annotations,
        coloraxis=dict(
            colorscale="Cividis",
            cmin=0.0,
            cmax=max(1.0, 2.0 * M),
            colorbar=dict(
                title=dict(text=f"{KAQ}<br>(q or q<sub>1</sub>)", side="top"),
                x=1.01,
                xanchor="left",
                y=0.5,
                yanchor="middle",
                len=0.6,
                thickness=14,
            ),
        ),
        **axes,
    )
    return card(data, layout)


# ---------------------------------------------------------------------------- why one head fails


def alpha_vs_length(
    curves: NormCurves, one: Panel | None, two: Panel | None, *, M: float, n: int, beta: float
) -> go.Figure:
    """(56) and (65) against the length of k_a, the sampled keys' computed weights on top, and
    a histogram of the sampled lengths underneath.  ``one``/``two`` are the β panels (or None)."""
    x = curves.x
    # all WebGL, so the sampled dots (drawn after the curves) lie on top of them
    data = [
        dict(
            type="scattergl",
            x=x,
            y=curves.single,
            mode="lines",
            name="one head, (56)",
            line=dict(color=OI["blue"], width=2.5),
            hovertemplate="length %{x:.3f}: α_a = %{y:.4f}<extra>one head (56)</extra>",
        ),
        dict(
            type="scattergl",
            x=x,
            y=curves.two,
            mode="lines",
            name="two heads (head 1), (65)",
            line=dict(color=OI["orange"], width=2.5, dash="dash"),
            hovertemplate="length %{x:.3f}: α_a = %{y:.4f}<extra>head 1 (65)</extra>",
        ),
    ]
    for p, color, name in ((one, OI["blue"], "one head"), (two, OI["orange"], "head 1")):
        if p is not None:
            data.append(
                dict(
                    type="scattergl",
                    x=_f32(p.length_a),
                    y=_f32(p.alpha_a),
                    mode="markers",
                    name=f"sampled keys, {name} (computed)",
                    marker=dict(color=color, size=5, opacity=0.35),
                    hovertemplate=f"length %{{x:.3f}}: α_a = %{{y:.4f}}<extra>{name}</extra>",
                )
            )
    if one is not None:
        data.append(
            dict(
                type="histogram",
                x=_f32(one.length_a),
                name=(
                    f"sampled lengths k<sub>a</sub><sup>T</sup>μ<sub>a</sub> "
                    f"(N = {len(one.length_a):,})"
                ),
                marker=dict(color=GREY),
                nbinsx=80,
                yaxis="y2",
                hovertemplate="length %{x}: %{y} samples<extra></extra>",
            )
        )
    lo, hi = float(x[0]), float(x[-1])
    band = dict(type="rect", xref="x", yref="paper", y0=0.33, y1=1.0, line=dict(width=0))
    shapes = [_vline(1.0, GREY, "dot")]
    annotations = []
    if lo < 0:
        shapes.append({**band, "x0": lo, "x1": 0.0, "fillcolor": OI["vermillion"], "opacity": 0.1})
        annotations.append(
            _label(lo, 1.0, f" {KAQ} < 0:<br> set aside", yref="y", yanchor="top", align="left")
        )
    tau = curves.near_zero_length  # inf for M = 0
    if tau < hi:
        shapes.append({**band, "x0": 0.0, "x1": tau, "fillcolor": OI["yellow"], "opacity": 0.35})
        annotations.append(
            dict(
                x=tau,
                y=0.5,
                ax=15,
                ay=0,
                text=(
                    "near-zero k<sub>a</sub>:<br>kept, but head 1<br>does not copy v<sub>a</sub>"
                ),
                font=dict(size=11),
                showarrow=True,
                arrowhead=2,
                xanchor="left",
                align="left",
            )
        )
    if beta == 0:
        annotations.append(
            dict(
                text="β = 0: every key has length ≈ 1",
                xref="paper",
                yref="paper",
                x=0.5,
                y=0.12,
                showarrow=False,
            )
        )
    layout = _layout(
        f"Weight of item a against the length of k<sub>a</sub> (M = {M:g}, n = {n})"
        "<br><sup>one head: a steep step at length 1; head 1 of two heads: ≈ 1 for every "
        "length that is not near zero</sup>",
        620,
        margin=dict(l=60, r=20, t=160, b=50),
        shapes=shapes,
        annotations=annotations,
        bargap=0.02,
        xaxis=dict(
            title=dict(
                text="signed length of k<sub>a</sub> along its mean: k<sub>a</sub><sup>T</sup>"
                "μ<sub>a</sub> (= ‖k<sub>a</sub>‖ when k<sub>a</sub> points along μ<sub>a</sub>)"
            ),
            anchor="y2",
            range=[lo, hi],
        ),
        yaxis=dict(
            domain=[0.33, 1.0], title=dict(text="weight α<sub>a</sub>"), range=[-0.03, 1.05]
        ),
        yaxis2=dict(domain=[0.0, 0.24], title=dict(text="samples")),
    )
    return card(data, layout)

"""Shared look: colour-blind-safe colours (Okabe-Ito) and a common layout."""

from __future__ import annotations

import re

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


INK = "#262730"  # text on a figure (Streamlit's light-theme text colour)
_AXIS_INK = dict(color=INK, title=dict(font=dict(color=INK)), tickfont=dict(color=INK))
_AXIS_KEY = re.compile(r"^[xy]axis\d*$")
_COLORAXIS_KEY = re.compile(r"^coloraxis\d*$")


def _plain(value):
    """A Plotly object as its dict; anything else as it is."""
    return value.to_plotly_json() if hasattr(value, "to_plotly_json") else value


def _merged(default: dict, given) -> dict:
    """``given`` (a dict or a Plotly object) with ``default``'s entries where it has none
    (nested dicts merged; a title given as a bare string is its text)."""
    out = dict(_plain(given))
    for k, v in default.items():
        have = _plain(out.get(k))
        if isinstance(v, dict) and isinstance(have, str):
            have = {"text": have}
        if isinstance(v, dict) and isinstance(have, dict):
            out[k] = _merged(v, have)
        elif have is None:
            out[k] = v
    return out


_BAR_INK = {"tickfont": {"color": INK}, "title": {"font": {"color": INK}}}
_COLORBAR_TYPES = ("heatmap", "contour", "histogram2d")  # trace dicts with a colour bar


def _get(owner, key: str):
    return owner.get(key) if isinstance(owner, dict) else getattr(owner, key, None)


def _ink_colorbar(owner) -> None:
    """Dark text on the colour bar of ``owner`` (a trace or a marker, dict or Plotly object)."""
    owner["colorbar"] = _merged(_BAR_INK, _get(owner, "colorbar") or {})


def card(data: list, layout: dict) -> go.Figure:
    """``go.Figure(data, layout)`` drawn as a light card with dark text on a light or a dark
    page: white paper and plot, and the colour of every text set (title, every axis including
    subplots', legend, colour bars), since Streamlit's dark chart theme draws the text it is
    left to choose light grey.  This app's colours (labels on the white plot area, panel
    titles, Okabe-Ito traces, the grey of a 0 bit) are made for a light background.  Plain
    dictionary work before the one constructor call: no extra Plotly validation."""
    ink = {"color": INK}
    defaults = {
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": ink,
        "title": {"font": ink},
        "legend": {"font": ink},
        **dict.fromkeys([k for k in ("xaxis", "yaxis", *layout) if _AXIS_KEY.match(k)], _AXIS_INK),
        **{k: {"colorbar": _BAR_INK} for k in layout if _COLORAXIS_KEY.match(k)},
    }
    lay = _merged(defaults, layout)
    for trace in data:
        if (
            trace.get("type") in _COLORBAR_TYPES
            if isinstance(trace, dict)
            else "colorbar" in trace._valid_props
        ):
            _ink_colorbar(trace)
        marker = _get(trace, "marker")
        if marker is not None and _get(marker, "colorscale") is not None:
            _ink_colorbar(marker)
    return go.Figure(data=list(data), layout=lay)


TITLE_CHARS = 46  # a title line fits the page column at 125 % zoom on a 1024-px projector


def _visible(text: str) -> int:
    return len(re.sub(r"<[^>]+>", "", text))


def wrap_title(text: str, max_chars: int = TITLE_CHARS) -> str:
    """``text`` with each of its lines broken at spaces into lines of at most ``max_chars``
    visible characters (markup such as ``<sub>`` not counted), joined by ``<br>``: Plotly never
    wraps a title itself, it clips it at the figure's edge."""
    out: list[str] = []
    for line in re.split(r"<br\s*/?>", text):
        tagged = re.fullmatch(r"<(sup|sub|b|i)>(.*)</\1>", line)  # a subtitle: tag each line
        inner = tagged.group(2) if tagged else line
        width = int(max_chars * 1.4) if tagged and tagged.group(1) in ("sup", "sub") else max_chars
        lines: list[str] = []
        for word in inner.split(" "):
            if lines and _visible(lines[-1]) + 1 + _visible(word) <= width:
                lines[-1] += " " + word
            else:
                lines.append(word)
        if tagged:
            lines = [f"<{tagged.group(1)}>{ln}</{tagged.group(1)}>" for ln in lines]
        out.extend(lines)
    return "<br>".join(out)


def base_layout(title: str | dict, height: int = 380, title_chars: int = TITLE_CHARS) -> dict:
    """``title``: the text (wrapped at ``title_chars``: narrow figures pass a smaller number),
    or a full Plotly title dict (e.g. to pin it to the top edge)."""
    if not isinstance(title, dict):
        text = wrap_title(title, title_chars)
        title = dict(text=text, x=0.0, xanchor="left", font=dict(size=16))
    extra = 20 * str(title.get("text", "")).count("<br>")
    return dict(
        title=title,
        height=height + extra,
        margin=dict(l=60, r=20, t=80 + extra, b=50),
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
    title_chars: int = TITLE_CHARS,
    xaxis: dict | None = None,
    yaxis: dict | None = None,
    **layout,
) -> go.Figure:
    """A figure built in one constructor call.

    Plotly validates every ``update_layout`` / ``update_xaxes`` / ``add_shape`` call separately
    (15-20 ms each here); one ``go.Figure(data, layout)`` call costs about 1 ms.
    """
    lay = with_layout(base_layout(title, height, title_chars), **layout)
    if xaxis is not None:
        lay["xaxis"] = xaxis
    if yaxis is not None:
        lay["yaxis"] = yaxis
    return card(list(traces), lay)


def with_layout(base: dict, **layout) -> dict:
    """``base`` (from ``base_layout``) updated with ``layout``; a ``margin`` given here keeps the
    room ``base_layout`` added above the plot for a title wrapped onto more lines."""
    extra = base["margin"]["t"] - 80
    out = {**base, **layout}
    if "margin" in layout and extra:
        out["margin"] = {**layout["margin"], "t": layout["margin"].get("t", 80) + extra}
    return out


def heatmap_csv(fig: go.Figure) -> str | None:
    """The numbers of every heatmap in ``fig`` as CSV (None when it has none): for each, a line
    naming it, a header of its x labels, then one row per y label.  NaN (a hidden cell) is an
    empty field; text in labels is quoted as CSV requires."""
    import csv
    import io

    heats = [t for t in fig.data if t.type == "heatmap" and t.z is not None]
    if not heats:
        return None
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    title = re.sub(r"<[^>]+>", " ", str(fig.layout.title.text or "")).strip()
    for k, h in enumerate(heats):
        z = [list(row) for row in h.z]
        xs = list(h.x) if h.x is not None else list(range(len(z[0]) if z else 0))
        ys = list(h.y) if h.y is not None else list(range(len(z)))
        name = title if len(heats) == 1 else f"{title}: {h.name or k + 1}"
        if k:
            out.writerow([])
        out.writerow([name])
        out.writerow(["y \\ x", *xs])
        for y, row in zip(ys, z, strict=False):
            out.writerow([y, *("" if v is None or v != v else f"{float(v):.10g}" for v in row)])
    return buf.getvalue()


def scale_fonts(fig: go.Figure, factor: float) -> go.Figure:
    """``fig``, changed in place (4-5 ms; a copy would cost 15) so that its text is ``factor``
    times larger: the base font, the title, the axis titles and tick labels, the legend and
    every annotation (presenter mode: figure text reads from the back of a lecture room like
    the page's own text).  Sizes left to Plotly's default (12 px; 17 px for titles) are scaled
    from that default; the top margin grows with the title.  Returns ``fig``."""
    lay = fig.layout
    base = lay.font.size or 12

    def grow(font, default: float = base) -> None:
        font.size = round((font.size or default) * factor, 1)

    grow(lay.font, 12)
    grow(lay.title.font, 17)
    grow(lay.legend.font)
    for axis in [*fig.select_xaxes(), *fig.select_yaxes()]:
        grow(axis.title.font)
        grow(axis.tickfont)
    for ann in lay.annotations:
        grow(ann.font)
    if lay.margin.t is not None:
        lay.margin.t = round(lay.margin.t * factor)
    return fig

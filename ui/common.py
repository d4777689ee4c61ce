"""Small Streamlit helpers shared by every page."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import streamlit as st

from ui.controls import begin_page, report, shown
from ui.registry import HOME, PAGES, PageInfo, page

ASSETS = Path(__file__).resolve().parent.parent / "assets"


@st.cache_data(show_spinner=False)
def asset_text(name: str) -> str:
    """The text of ``assets/<name>``."""
    return (ASSETS / name).read_text(encoding="utf-8")


def fill(text: str, **values: object) -> str:
    """``text`` with every ``[[name]]`` replaced by ``values[name]`` (numbers computed by the
    page, so that the prose quotes what the charts show).  A missing value is a KeyError."""
    out = re.sub(r"\[\[(\w+)\]\]", lambda m: str(values[m.group(1)]), text)
    return out


def asset_section(name: str, section: str) -> str:
    """One '## section' of a Markdown asset, without its heading."""
    text = asset_text(name)
    out: list[str] = []
    inside = False
    for line in text.splitlines():
        if line.startswith("## "):
            inside = line[3:].strip() == section
            continue
        if inside:
            out.append(line)
    if not out:
        raise KeyError(f"section {section!r} not found in assets/{name}")
    return "\n".join(out).strip()


def nav_sidebar() -> None:
    """Our own page list (the automatic one would call the home page 'app')."""
    with st.sidebar:
        for p in (HOME, *PAGES):
            st.page_link(p.path, label=p.title, icon=p.icon)
        st.divider()


PRESENT_PARAM = "present"  # ?present=1: presenter mode, for a projector
# Larger text for the back of a lecture room; Plotly figures keep their own sizes.
PRESENT_CSS = """<style>
[data-testid="stMain"] { font-size: 1.2rem; }
[data-testid="stMain"] p, [data-testid="stMain"] li { font-size: 1.2rem; }
[data-testid="stMain"] .block-container { padding-top: 3.5rem; max-width: 100%; }
</style>"""


# On every page: rows of tabs and of segmented-control buttons wrap onto a second line instead
# of scrolling sideways on a narrow projector (1024 px with the sidebar open, or 125 % zoom).
# (Each tab draws its own selection mark, so a wrapped row still shows which one is open.)
LAYOUT_CSS = """<style>
[data-testid="stTabs"] [role="tablist"] { flex-wrap: wrap; overflow-x: visible; row-gap: 0.2rem; }
[data-testid="stButtonGroup"] > div { flex-wrap: wrap; }
</style>"""

EXPORT_WIDTH, EXPORT_HEIGHT = 1920, 1080  # projector resolution of a downloaded figure


def export_config(name: str) -> dict:
    """Plotly's chart config: the camera button saves a PNG at projector resolution
    (1920 x 1080) named ``sequence-lab-<name>.png``; no Plotly logo."""
    return {
        "toImageButtonOptions": {
            "format": "png",
            "filename": f"sequence-lab-{name}",
            "width": EXPORT_WIDTH,
            "height": EXPORT_HEIGHT,
            "scale": 1,
        },
        "displaylogo": False,
    }


FLAG_ON, FLAG_OFF = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")
FLAGS = (PRESENT_PARAM, "quiz")  # the page-wide URL flags (``?quiz=1``: ui.quiz)


def flag(name: str) -> bool:
    """Whether the URL flag ``name`` is on (``?name=1``; also true/yes/on)."""
    return str(st.query_params.get(name, "")).strip().lower() in FLAG_ON


def check_flags() -> None:
    """Report a flag's link value that is neither on nor off in the page's one message about
    link values (it counts as off)."""
    for name in FLAGS:
        raw = st.query_params.get(name)
        if raw is not None and raw.strip().lower() not in FLAG_ON + FLAG_OFF:
            report(
                name,
                f"{name} = '{shown(raw)}' is not accepted: it takes 1 (on) or 0 (off), "
                "so it is off.",
            )


def offer_csv(fig: Any, name: str, where: Any = None) -> None:
    """A "CSV" download of the numbers of ``fig``'s heatmaps (nothing for a figure without
    one), named ``sequence-lab-<name>.csv``; built only when clicked."""
    from charts.style import heatmap_csv

    if not any(t.type == "heatmap" for t in fig.data):
        return
    (where or st).download_button(
        "Numbers (CSV)",
        data=lambda: heatmap_csv(fig) or "",
        file_name=f"sequence-lab-{name}.csv",
        mime="text/csv",
        icon=":material/table_view:",
        type="tertiary",
        key=f"csv_{name}",
    )


def presenting() -> bool:
    """Whether the link asks for presenter mode (``?present=1``)."""
    return flag(PRESENT_PARAM)


def intro(markdown: str, label: str = "About this page") -> None:
    """A page's introductory prose: shown as is, or folded into an expander in presenter
    mode, so the page's figure comes into the first screen."""
    if presenting():
        with st.expander(label):
            st.markdown(markdown)
    else:
        st.markdown(markdown)


def page_header(page_id: str) -> PageInfo:
    """Page config, sidebar, title and source line of a registered page, and the place of its
    one message about link values it could not use (see ``ui.controls``).  In presenter mode
    (``?present=1``) the sidebar starts collapsed, text is larger and the source line shorter."""
    info = page(page_id)
    present = presenting()
    st.set_page_config(
        page_title=f"{info.title} · Sequence Lab",
        page_icon="🧮",
        layout="wide",
        initial_sidebar_state="collapsed" if present else "auto",
    )
    nav_sidebar()
    st.html(LAYOUT_CSS + (PRESENT_CSS if present else ""))
    st.title(info.title)
    if not present:
        st.caption(info.source)
    begin_page(page_id)
    check_flags()
    return info


# Page runs that build at once, server-wide.  Python runs one thread at a time anyway, so more
# concurrent runs do not finish sooner; they only hold more half-built figures in memory at
# once when a whole class clicks together (bench/load.py).  Fragment reruns are not counted.
RUNS_AT_ONCE = 3
_RUNS = threading.BoundedSemaphore(RUNS_AT_ONCE)


@contextmanager
def page_run(page_id: str) -> Iterator[PageInfo]:
    """``with page_run("adder"):`` around a page's body: its header (``page_header``), and a
    place among the RUNS_AT_ONCE page runs that may build at once."""
    with _RUNS:
        yield page_header(page_id)


def share_hint() -> None:
    st.caption(
        ":material/link: Every control is mirrored in the address bar: copy the URL to share "
        "this exact view."
    )

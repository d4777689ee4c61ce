"""Small Streamlit helpers shared by every page."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

from ui.controls import begin_page
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


def presenting() -> bool:
    """Whether the link asks for presenter mode (``?present=1``)."""
    return st.query_params.get(PRESENT_PARAM, "").lower() in ("1", "true", "yes")


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
    if present:
        st.html(PRESENT_CSS)
    st.title(info.title)
    if not present:
        st.caption(info.source)
    begin_page(page_id)
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

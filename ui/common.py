"""Small Streamlit helpers shared by every page."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

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
        image_format_choice()
        st.divider()


PRESENT_PARAM = "present"  # ?present=1: presenter mode, for a projector
# Larger text for the back of a lecture room (figures: PRESENT_FONT_SCALE in ``figure``).  The
# title is smaller and the top padding less than Streamlit's, so that the page's main figure
# comes into the first screen of a 1024 x 768 projector.
PRESENT_CSS = """<style>
[data-testid="stMain"] { font-size: 1.2rem; }
[data-testid="stMain"] p, [data-testid="stMain"] li { font-size: 1.2rem; }
[data-testid="stMain"] .block-container { padding-top: 3.75rem; max-width: 100%; }
[data-testid="stMain"] h1 { font-size: 2.1rem; padding-top: 0; padding-bottom: 0.25rem; }
</style>"""


# On every page: rows of tabs and of segmented-control buttons wrap onto a second line instead
# of scrolling sideways on a narrow projector (1024 px with the sidebar open, or 125 % zoom).
# (Each tab draws its own selection mark, so a wrapped row still shows which one is open.)
LAYOUT_CSS = """<style>
[data-testid="stTabs"] [role="tablist"] { flex-wrap: wrap; overflow-x: visible; row-gap: 0.2rem; }
[data-testid="stButtonGroup"] > div { flex-wrap: wrap; }
[data-testid="stCaptionContainer"] a { overflow-wrap: anywhere; }
</style>"""

EXPORT_WIDTH, EXPORT_HEIGHT = 1920, 1080  # projector resolution of a downloaded figure
IMAGE_FORMATS = ("PNG", "SVG")  # what the camera button of every figure saves
IMAGE_FORMAT_KEY = "image_format"  # the sidebar's choice, kept for the session
PRESENT_FONT_SCALE = 1.3  # figure text in presenter mode, like the page's 1.2rem text


def image_format() -> str:
    """The format the figures' camera buttons save: 'png' or 'svg' (the sidebar's choice)."""
    return str(st.session_state.get(IMAGE_FORMAT_KEY) or IMAGE_FORMATS[0]).lower()


def export_config(name: str) -> dict:
    """Plotly's chart config: the camera button saves the figure at projector resolution
    (1920 x 1080) as ``sequence-lab-<name>.png`` or ``.svg`` (the sidebar's choice); no
    Plotly logo."""
    return {
        "toImageButtonOptions": {
            "format": image_format(),
            "filename": f"sequence-lab-{name}",
            "width": EXPORT_WIDTH,
            "height": EXPORT_HEIGHT,
            "scale": 1,
        },
        "displaylogo": False,
    }


_page = threading.local()  # the address of the page being run (set by page_header)


def view_link() -> str:
    """The link to the current view: the page's address with every URL-bound control's value
    (``st.context.url`` is the browser's address without its query; a test run has none, so
    the link is then relative)."""
    base = st.context.url or ""
    if not base:
        base = getattr(_page, "path", "") or "/"
    query = urlencode(st.query_params.to_dict())
    return base + ("?" + query if query else "")


def figure(fig: Any, name: str, where: Any = None, **kwargs: Any) -> Any:
    """Show the Plotly figure ``fig`` at its column's width (``where``: a column or container)
    with the camera button of ``export_config(name)``, text scaled up in presenter mode, and a
    caption giving the file it saves and the link to the current view.  Extra keyword
    arguments go to ``st.plotly_chart`` (e.g. ``on_select``); its return value is returned."""
    from charts.style import scale_fonts

    box = where or st
    if presenting():
        scale_fonts(fig, PRESENT_FONT_SCALE)
    event = box.plotly_chart(fig, width="stretch", key=name, config=export_config(name), **kwargs)
    link = view_link()
    box.caption(
        f":material/photo_camera: sequence-lab-{name}.{image_format()} · "
        f":material/link: link to this view: [{_link_text(link)}]({link})"
    )
    return event


def _link_text(link: str) -> str:
    """``link`` as the text of a Markdown link: percent-encoded already (no spaces, quotes or
    brackets); the characters Markdown would still read are escaped."""
    return re.sub(r"([\\`*_\[\]<>~|])", r"\\\1", link)


def image_format_choice() -> None:
    """The sidebar's choice of what the figures' camera buttons save (PNG or SVG).  Kept for
    the session under IMAGE_FORMAT_KEY: the widget itself is a new one on every page."""
    widget = "_" + IMAGE_FORMAT_KEY

    def keep() -> None:
        st.session_state[IMAGE_FORMAT_KEY] = st.session_state.get(widget) or IMAGE_FORMATS[0]

    now = str(st.session_state.get(IMAGE_FORMAT_KEY) or IMAGE_FORMATS[0])
    if st.session_state.get(widget) not in (None, now):
        st.session_state[widget] = now
    st.segmented_control(
        "Figures save as",
        IMAGE_FORMATS,
        default=now,
        key=widget,
        on_change=keep,
        help="What the camera icon above each figure downloads, at 1920 × 1080: a PNG "
        "picture, or an SVG drawing that stays sharp at any size (for slides).",
    )


FLAG_ON, FLAG_OFF = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")
FLAGS = (PRESENT_PARAM, "quiz")  # the page-wide URL flags (``?quiz=1``: ui.quiz)


def flag(name: str) -> bool:
    """Whether the URL flag ``name`` is on (``?name=1``; also true/yes/on)."""
    return str(st.query_params.get(name, "")).strip().lower() in FLAG_ON


THEME_PARAM = "theme"  # ?theme=dark / light / auto (the browser's choice, the default)
THEMES = ("auto", "light", "dark")

# Streamlit picks its theme when the page loads: from the browser (no choice made), from the
# app menu's Settings, or from the link's ``embed_options=dark_theme`` / ``light_theme``.  For
# ``?theme=dark`` the page adds that option and loads once more -- only if the theme shown is
# not the one asked for, and at most once in 10 s (Streamlit drops embed options from the
# address when controls change it, so the option alone would not survive a reload).
_THEME_JS = """<script>
(() => {
  const key = "sequence-lab-theme-reload", now = Date.now();
  if (now - Number(sessionStorage.getItem(key) || 0) < 10000) return;
  sessionStorage.setItem(key, String(now));
  const url = new URL(window.location.href);
  url.searchParams.delete("embed_options");
  url.searchParams.append("embed_options", "%s_theme");
  window.location.replace(url.toString());
})();
</script>"""


def theme_choice() -> str:
    """The link's theme: 'auto' (follow the browser; also for a value it does not accept),
    'light' or 'dark'."""
    raw = str(st.query_params.get(THEME_PARAM, "auto")).strip().lower()
    return raw if raw in THEMES else "auto"


def apply_theme() -> None:
    """Show the theme the link asks for (``?theme=dark``): when the page shows the other one,
    load it once more with Streamlit's own theme option (see ``_THEME_JS``)."""
    want = theme_choice()
    now = getattr(st.context.theme, "type", None)
    if want != "auto" and now is not None and now != want:
        st.html(_THEME_JS % want, unsafe_allow_javascript=True)


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
    raw = st.query_params.get(THEME_PARAM)
    if raw is not None and raw.strip().lower() not in THEMES:
        report(
            THEME_PARAM,
            f"{THEME_PARAM} = '{shown(raw)}' is not accepted: it takes light, dark or auto "
            "(the browser's choice), so the browser's choice is used.",
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


def explain(markdown: str, label: str = "How to read this view") -> None:
    """A view's explanation above its figure: shown as is, or folded into an expander in
    presenter mode (the teacher tells it; the figure comes into the first screen)."""
    intro(markdown, label)


@contextmanager
def setup(label: str, icon: str = ":material/tune:") -> Iterator[None]:
    """``with setup("Numbers a and b"):`` around the controls that set a view up: drawn in
    place, or folded into an expander named ``label`` in presenter mode, so that the page's
    figure comes into the first screen at 1024 x 768.  The controls keep working folded (the
    keyboard steps, links set them)."""
    if presenting():
        with st.expander(label, icon=icon):
            yield
    else:
        yield


def page_shell(page_title: str) -> bool:
    """What every page, the home page too, starts with: the page config (wide; the sidebar
    collapsed in presenter mode), the sidebar, the layout CSS (and presenter mode's) and the
    link's theme.  Whether presenter mode is on."""
    present = presenting()
    st.set_page_config(
        page_title=page_title,
        page_icon="🧮",
        layout="wide",
        initial_sidebar_state="collapsed" if present else "auto",
    )
    nav_sidebar()
    st.html(LAYOUT_CSS + (PRESENT_CSS if present else ""))
    apply_theme()
    return present


def page_header(page_id: str) -> PageInfo:
    """Page config, sidebar, title and source line of a registered page, and the place of its
    one message about link values it could not use (see ``ui.controls``).  In presenter mode
    (``?present=1``) the sidebar starts collapsed, text is larger and the source line shorter."""
    info = page(page_id)
    _page.path = info.url_path or "/"
    present = page_shell(f"{info.title} · Sequence Lab")
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
    """The line saying that the address bar holds the view (not in presenter mode: every
    figure's caption there gives the link)."""
    if presenting():
        return
    st.caption(
        ":material/link: Every control is mirrored in the address bar: copy the URL to share "
        "this exact view."
    )

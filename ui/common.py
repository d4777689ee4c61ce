"""Small Streamlit helpers shared by every page."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

ASSETS = Path(__file__).resolve().parent.parent / "assets"


@st.cache_data(show_spinner=False)
def asset_text(name: str) -> str:
    """The text of ``assets/<name>``."""
    return (ASSETS / name).read_text(encoding="utf-8")


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


PAGES = [
    ("app.py", "Home", ":material/home:"),
    ("pages/1_Binary_adder.py", "Binary adder RNN", ":material/calculate:"),
    ("pages/2_Gradient_flow.py", "Gradient flow", ":material/trending_down:"),
    ("pages/3_Attention.py", "Attention", ":material/center_focus_strong:"),
    ("pages/4_Translate.py", "Translate", ":material/translate:"),
    ("pages/5_Train.py", "Train a translator", ":material/model_training:"),
]


def nav_sidebar() -> None:
    """Our own page list (the automatic one would call the home page 'app')."""
    with st.sidebar:
        for path, label, icon in PAGES:
            st.page_link(path, label=label, icon=icon)
        st.divider()


def page_header(title: str, subtitle: str) -> None:
    st.set_page_config(page_title=f"{title} · Sequence Lab", page_icon="🧮", layout="wide")
    nav_sidebar()
    st.title(title)
    st.caption(subtitle)


def share_hint() -> None:
    st.caption(
        ":material/link: Every control is mirrored in the address bar: copy the URL to share "
        "this exact view."
    )

"""Sequence Lab: home page.  Run with `streamlit run app.py`."""

import streamlit as st

from ui.common import (
    LAYOUT_CSS,
    PRESENT_CSS,
    apply_theme,
    asset_section,
    asset_text,
    nav_sidebar,
    presenting,
)
from ui.registry import PAGES

present = presenting()  # ?present=1: presenter mode, as on every page
st.set_page_config(
    page_title="Sequence Lab",
    page_icon="🧮",
    layout="wide",
    initial_sidebar_state="collapsed" if present else "auto",
)
nav_sidebar()
st.html(LAYOUT_CSS + (PRESENT_CSS if present else ""))
apply_theme()

st.title("Sequence Lab")
st.subheader("See what the equations of recurrent networks and attention do")
st.markdown(asset_text("home.md").split("## ")[0])

st.header("Topics")
cols = st.columns(2)
for i, p in enumerate(PAGES):
    with cols[i % 2].container(border=True):
        st.markdown(f"#### {p.title}")
        st.caption(p.source)
        st.markdown(p.question)
        name = p.url_path.strip("/").replace("_", " ")
        st.page_link(p.path, label=f"Open {name}", icon=":material/arrow_forward:")

st.header("How to use it in class")
st.markdown(asset_section("home.md", "How to use it in class"))

"""Sequence Lab: home page.  Run with `streamlit run app.py`."""

import streamlit as st

from ui.common import asset_section, asset_text, page_shell
from ui.registry import PAGES

page_shell("Sequence Lab")  # ?present=1 and ?theme= as on every page

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

"""Sequence Lab: home page.  Run with `streamlit run app.py`."""

import streamlit as st

from ui.common import asset_section, asset_text, nav_sidebar

st.set_page_config(page_title="Sequence Lab", page_icon="🧮", layout="wide")
nav_sidebar()

st.title("Sequence Lab")
st.subheader("See what the equations of recurrent networks and attention do")
st.markdown(asset_text("home.md").split("## ")[0])

st.header("Topics")
TOPICS = [
    (
        "pages/1_Binary_adder.py",
        "An RNN that adds binary numbers",
        "Homework question 1 · equations (2)-(21)",
        "How can a recurrent network with hard-threshold units add two binary numbers bit by "
        "bit? Step through the sheet's worked example, see the carry as a state of a finite "
        "automaton, verify any design on millions of sums, prove it for all lengths, search "
        "for other designs and train one by gradient descent.",
    ),
]
cols = st.columns(2)
for i, (path, title, source, question) in enumerate(TOPICS):
    with cols[i % 2].container(border=True):
        st.markdown(f"#### {title}")
        st.caption(source)
        st.markdown(question)
        st.page_link(path, label=f"Open: {title}", icon=":material/arrow_forward:")

st.header("How to use it in class")
st.markdown(asset_section("home.md", "How to use it in class"))

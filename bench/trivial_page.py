"""The baseline for bench.pages: one widget and one line of text."""

import streamlit as st

v = st.slider("value", 0, 100, 0, key="v")
st.write(f"value = {v}")

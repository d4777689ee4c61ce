"""A tiny page for the URL-state layer's tests: one control of each kind."""

import streamlit as st

from ui.controls import Control, begin_page

begin_page("demo")
N = Control("N", "Samples N", "number", default=2000, lo=1, hi=10_000, integer=True)
x = Control("x", "Scale x", "slider", default=0.5, lo=0.0, hi=1.0)
view = Control("view", "View", "tabs", default="B", options=("A", "B", "C"))
mode = Control("mode", "Mode", "radio", default="fast", options=("fast", "slow"))
word = Control("w", "Word", "text", default="je", max_chars=20)
flag = Control("flag", "Flag", "toggle", default=False)
values = [c.draw() for c in (N, x, mode, word, flag)]
tabs = view.draw()
st.write(repr(values))

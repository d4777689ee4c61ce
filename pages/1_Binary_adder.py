"""Homework question 1: a hard-threshold RNN that adds binary numbers, LSB first.

The views live in ``ui.adder_views``, the controls and cached calls in ``ui.adder_state``, the
network itself in ``core.adder``.
"""

from ui import adder_state as state
from ui import adder_views as views
from ui.common import page_run, setup, share_hint
from ui.controls import check_links

with page_run("adder"):  # the header; at most RUNS_AT_ONCE page runs build at once
    share_hint()
    check_links(state.CONTROLS)  # every link value, also those of the tabs that are not open

    w = views.weight_editor()  # the sidebar: the weights of (2), or None
    with setup("The numbers a and b"):  # folded in presenter mode
        addition = views.addition_inputs()  # a + b, the input (5) and the output (6), or None

    tabs = state.VIEW.draw()
    if tabs[0].open:
        with tabs[0]:
            views.step_through(w, addition)
    if tabs[1].open:
        with tabs[1]:
            views.automaton(w, addition)
    if tabs[2].open:
        with tabs[2]:
            views.verify(w)
    if tabs[3].open:
        with tabs[3]:
            views.search()
    if tabs[4].open:
        with tabs[4]:
            views.learned(w, addition)

"""Homework question 2: backprop through time in an LSTM, and vanishing gradients in a plain RNN."""

from ui import gradient_state as state
from ui import gradient_views as views
from ui.common import asset_section, intro, page_run, share_hint
from ui.controls import check_links, open_linked_view

with page_run("gradient"):  # the header; at most RUNS_AT_ONCE page runs build at once
    share_hint()
    intro(asset_section(views.MD, "Intro"))
    open_linked_view(state.VIEW, state.VIEW_CONTROLS)  # before the link values are checked
    check_links(state.CONTROLS)  # every bad link value in one message, also those of closed tabs

    tabs = state.VIEW.draw()
    for tab, draw in zip(tabs, views.TABS, strict=True):
        if tab.open:  # only the open tab is computed
            with tab:
                draw()

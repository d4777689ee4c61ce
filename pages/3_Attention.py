"""Homework question 3: attention as a weighted average, and why two heads beat one."""

from ui import attention_state as state
from ui import attention_views as views
from ui.common import page_run, share_hint
from ui.controls import check_links, open_linked_view

with page_run("attention"):  # the header; at most RUNS_AT_ONCE page runs build at once
    share_hint()
    open_linked_view(state.VIEW, state.VIEW_CONTROLS)  # before the link values are checked
    check_links(state.CONTROLS)  # every bad link value in one message, also those of closed tabs

    sidebar = views.sidebar()
    views.intro(sidebar)
    tabs = state.VIEW.draw()
    for tab, draw in zip(tabs, views.TABS, strict=True):
        if tab.open:  # only the open tab is computed
            with tab:
                draw(sidebar)

"""Review questions 3-5: the transformer's positional encoding, scaled dot-product attention,
attention vs self-attention, multi-head self-attention, the encoder and decoder blocks and greedy
decoding, step by step."""

from ui import transformer_state as state
from ui import transformer_views as views
from ui.common import page_run, share_hint
from ui.controls import check_links

with page_run("transformer"):  # the header; at most RUNS_AT_ONCE page runs build at once
    share_hint()
    check_links(state.CONTROLS)  # every bad link value in one message, also those of closed tabs

    views.intro()
    tabs = state.VIEW.draw()
    for tab, draw in zip(tabs, views.TABS, strict=True):
        if tab.open:  # only the open tab is computed
            with tab:
                draw()

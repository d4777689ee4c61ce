"""A row of First / Back / Next / Last buttons that moves a whole-number session-state key within
1 .. n, with the keyboard shortcuts Home / ← / → / End (no click needed first, issue 12).

The buttons write ``st.session_state[key]`` in their callbacks, which run before the page is
drawn, so the widget of that key (a URL-bound ``ui.controls.Control``) shows the new value and
puts it in the address bar.  Draw the row only where its view is shown: a shortcut exists as long
as its button is on the page.

    stepper.step_row(state.STEP.key, n_steps, prefix="step")
    step = state.STEP.draw()
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st


def move(key: str, n: int, *, to: int | None = None, by: int = 0, default: int = 1) -> int:
    """Set ``st.session_state[key]`` to ``to`` (or to its value now plus ``by``), kept within
    1 .. n; the new value.  A value now past ``n`` (a slider's range can be longer than the
    steps there are) counts as ``n``; none at all (a deselected choice) as ``default``."""
    n = max(int(n), 1)
    if to is None:
        now = st.session_state.get(key)
        now = default if now is None else int(now)
        to = min(now, n) + by
    st.session_state[key] = min(max(int(to), 1), n)
    return st.session_state[key]


def step_row(
    key: str,
    n: int,
    *,
    prefix: str | None = None,
    default: int = 1,
    on_move: Callable[[], None] | None = None,
    middle: Callable[[], None] | None = None,
) -> None:
    """First (Home), Back (←), Next (→) and Last (End) in one wrapping row, moving
    ``st.session_state[key]`` within 1 .. n.

    prefix -- the buttons' keys are ``{prefix}_first``, ``_back``, ``_next``, ``_last`` (None:
    Streamlit's own keys, from the labels);  default -- the value when the key has none;
    on_move -- called after every move (e.g. to stop playing);  middle -- draws something
    between Back and Next (e.g. a play button)."""

    def go(to: int | None, by: int) -> None:
        move(key, n, to=to, by=by, default=default)
        if on_move is not None:
            on_move()

    def k(name: str) -> str | None:
        return None if prefix is None else f"{prefix}_{name}"

    with st.container(horizontal=True):
        st.button("First", icon=":material/first_page:", key=k("first"), on_click=go,
                  args=(1, 0), shortcut="Home")  # fmt: skip
        st.button("Back", icon=":material/chevron_left:", key=k("back"), on_click=go,
                  args=(None, -1), shortcut="Left")  # fmt: skip
        if middle is not None:
            middle()
        st.button("Next", icon=":material/chevron_right:", key=k("next"), on_click=go,
                  args=(None, 1), shortcut="Right")  # fmt: skip
        st.button("Last", icon=":material/last_page:", key=k("last"), on_click=go,
                  args=(n, 0), shortcut="End")  # fmt: skip

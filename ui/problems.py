"""How a core check's :class:`core.checks.Problem` is shown: one error box, the bad value in
bold, all text escaped (a value typed by a user or set by a link can never become a link)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.checks import Problem
from ui.controls import plain


def problem_markdown(p: Problem) -> str:
    """``**subject**: advice``, both shown literally."""
    return f"**{plain(p.subject)}**: {plain(p.advice)}"


def show_problem(p: Problem, where: Any = None, icon: str | None = None) -> None:
    """An ``st.error`` box for ``p`` in ``where`` (default: the page)."""
    (st if where is None else where).error(problem_markdown(p), icon=icon)

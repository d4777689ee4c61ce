"""A value the math cannot use, said in words (shared by the pages' core checks).

Core checks return :class:`Problem` objects instead of raising: a page shows every problem of
its setting at once and keeps drawing what does not depend on the bad value.  The text is
plain (no Markdown); the ui decides how to show it (``ui.problems.show_problem`` escapes it,
so a typed value can never become a link).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """field -- which input is wrong (a control's name, e.g. ``"n"``);
    subject -- the bad value as written, e.g. ``"n = 5 > d = 2"``;
    advice -- why it cannot be used and what to enter instead."""

    field: str
    subject: str
    advice: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.advice}"

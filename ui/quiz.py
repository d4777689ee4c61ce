"""Predict, then reveal (``?quiz=1``): a question from the sheets before the part of a figure
that answers it.

``ask(question)`` draws the question with its options and returns False until the student has
committed an answer; from then on (for the rest of the visit) it says whether the answer was
right, with the reason, and returns True, and the page draws what it was holding back.
Without the flag, ``ask`` draws nothing and returns True: a student's link looks as before.
The right answer always comes from the page's own computation (a core trace), never from a
fixed sheet of answers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import streamlit as st

from ui.common import flag
from ui.controls import plain

QUIZ_PARAM = "quiz"  # ?quiz=1
_ANSWERS = "_quiz_answers"  # session state: {question key: the option chosen}


@dataclass(frozen=True)
class Question:
    """One prediction question.

    key      what identifies it for this visit (the same situation asks the same question once)
    prompt   the question (plain text; shown escaped)
    options  the choices (plain text)
    answer   the index of the right option, from the page's computation
    why      the reason, shown after the answer (plain text)
    """

    key: str
    prompt: str
    options: tuple[str, ...]
    answer: int
    why: str

    def __post_init__(self) -> None:
        if not 0 <= self.answer < len(self.options):
            raise ValueError(f"answer {self.answer} is not one of {len(self.options)} options")


def quizzing() -> bool:
    """Whether the link turns the questions on (``?quiz=1``)."""
    return flag(QUIZ_PARAM)


def _widget_key(q: Question) -> str:
    return "quiz_" + hashlib.sha1(q.key.encode()).hexdigest()[:12]


def answered(q: Question) -> int | None:
    """The option this visit chose for ``q`` (None: not answered yet)."""
    return st.session_state.get(_ANSWERS, {}).get(q.key)


def ask_all(questions: list[Question]) -> bool:
    """Ask every question (each is drawn, answered or not); whether all are answered, so
    that what answers them may be shown."""
    return all([ask(q) for q in questions])  # a list, not a generator: no question is skipped


def ask(q: Question) -> bool:
    """The question (in quiz mode); whether what answers it may be shown."""
    if not quizzing():
        return True
    key = _widget_key(q)
    with st.container(border=True):
        st.markdown(f"**Predict first:** {plain(q.prompt)}")
        pick = answered(q)
        if pick is None:
            choice = st.radio(
                "Your answer",
                list(range(len(q.options))),
                format_func=lambda i: q.options[i],
                index=None,
                horizontal=True,
                key=key,
            )
            if not st.button("Check my answer", key=key + "_check", disabled=choice is None):
                st.caption("What answers it is shown once you have answered.")
                return False
            pick = int(choice)
            st.session_state.setdefault(_ANSWERS, {})[q.key] = pick
        right = pick == q.answer
        said = f"You said {q.options[pick]}: "
        if right:
            st.success(plain(said + "right. " + q.why), icon=":material/check_circle:")
        else:
            st.error(
                plain(f"{said}not quite, it is {q.options[q.answer]}. {q.why}"),
                icon=":material/cancel:",
            )
    return True

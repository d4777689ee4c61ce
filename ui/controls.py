"""One URL-state layer: a spec per URL-bound control, link values checked before use.

Every control a page binds to the address bar is described once by a :class:`Control`
(key, widget, default, range or choices, help). ``Control.draw`` checks the link's value for
that key *before* Streamlit's widget reads it: a value the widget cannot take (``inf`` for a
whole number, a 400-digit number, an option that does not exist, an over-long text) is removed
from the link, the widget shows its default, and the page's one link message (drawn by
``ui.common.page_header``) lists it in plain text — never as Markdown, so user text cannot
become a link or an image.

    N = Control("N", "Samples N", "number", default=2000, lo=1, hi=10_000, integer=True)
    n = N.draw(st.sidebar)
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState
from streamlit.runtime.state.session_state_proxy import get_session_state

Widget = Literal[
    "number", "slider", "select", "radio", "segmented", "text", "text_area", "toggle",
    "checkbox", "tabs",
]  # fmt: skip
CHOICE_WIDGETS = ("select", "radio", "segmented", "tabs")
MAX_SHOWN = 40  # characters of a bad link value repeated in the message
_INT = re.compile(r"[+-]?\d{1,15}")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")
_PROBLEMS = "_link_problems"  # session_state: {page: {key: message}}


WORD_JOINER = "\u2060"  # invisible; breaks what GFM would turn into a link by itself
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.I)


def no_autolinks(text: str) -> str:
    """``text`` with bare URLs (``https://…``, ``www.…``) and e-mail addresses defused by an
    invisible word joiner: Streamlit's Markdown (GFM) links them even when every character is
    escaped."""
    return _AUTOLINK.sub(WORD_JOINER, str(text))


def plain(text: str) -> str:
    """``text`` escaped so that Streamlit's Markdown shows it literally (no links, bare-URL
    autolinks, images, HTML or formatting)."""
    return _MARKDOWN.sub(r"\\\1", no_autolinks(text))


def shown(raw: str) -> str:
    """A link value as quoted in a message: at most MAX_SHOWN characters, one line."""
    one_line = " ".join(str(raw).split())
    return one_line if len(one_line) <= MAX_SHOWN else one_line[: MAX_SHOWN - 1] + "…"


def _num(v: float) -> str:
    return f"{v:,}" if isinstance(v, int) else f"{v:g}"


@dataclass(frozen=True)
class Control:
    """A URL-bound control.

    key -- the widget key and the URL parameter;  label -- what the widget shows;
    widget -- which Streamlit widget draws it;  default -- its value when the link has none;
    lo, hi -- the accepted range of a number;  integer -- whole numbers only;
    options -- the choices of a select / radio / segmented control / tabs;
    max_chars -- longest accepted text;  name -- how messages call it (default: the label);
    kwargs -- further keyword arguments for the widget (step, format, format_func, ...).
    """

    key: str
    label: str
    widget: Widget
    default: Any = None
    lo: float | None = None
    hi: float | None = None
    integer: bool = False
    options: tuple = ()
    max_chars: int | None = None
    help: str | None = None
    name: str | None = None
    kwargs: dict = field(default_factory=dict)

    # ------------------------------------------------------------ what a link may say
    def _labels(self) -> list[str]:
        fmt: Callable[[Any], str] = self.kwargs.get("format_func", str)
        return [str(fmt(o)) for o in self.options]

    def accepts(self, raw: str) -> bool:
        """Whether the widget can take ``raw`` from a link (the widget's own URL format)."""
        if self.widget in CHOICE_WIDGETS:
            return raw in self._labels()
        if self.widget in ("toggle", "checkbox"):
            return raw.lower() in ("true", "false")
        if self.widget in ("text", "text_area"):
            return self.max_chars is None or len(raw) <= self.max_chars
        if self.integer:
            if not _INT.fullmatch(raw.strip()):
                return False
            value: float = int(raw)
        else:
            try:
                value = float(raw)
            except ValueError:
                return False
            if not math.isfinite(value) or len(raw) > 40:
                return False
        if self.lo is not None and value < self.lo:
            return False
        return self.hi is None or value <= self.hi

    def describe(self) -> str:
        """What a link may give, as a phrase: 'a whole number from 1 to 10,000'."""
        if self.widget in CHOICE_WIDGETS:
            labels = self._labels()
            if len(labels) > 8:
                return f"one of its {len(labels)} choices ({labels[0]!r} … {labels[-1]!r})"
            return "one of " + ", ".join(repr(o) for o in labels)
        if self.widget in ("toggle", "checkbox"):
            return "true or false"
        if self.widget in ("text", "text_area"):
            return f"a text of at most {self.max_chars:,} characters"
        what = "a whole number" if self.integer else "a number"
        if self.lo is not None and self.hi is not None:
            return f"{what} from {_num(self.lo)} to {_num(self.hi)}"
        if self.lo is not None:
            return f"{what} of at least {_num(self.lo)}"
        return f"a finite {what[2:]}"

    def problem(self, raw: str | list[str] | None) -> str | None:
        """The message for a link value the widget cannot take; None when it is fine."""
        if raw is None:
            return None
        if isinstance(raw, list):  # ?N=1&N=2: Streamlit takes the last one
            raw = raw[-1] if raw else ""
        if self.accepts(raw):
            return None
        shown_default = self.default
        if self.widget in CHOICE_WIDGETS and self.default is None and self.options:
            shown_default = self._labels()[0]
        return (
            f"{self.name or self.label} = '{shown(raw)}' is not accepted: it takes "
            f"{self.describe()}, so it shows {shown_default!r} instead."
        )

    # ------------------------------------------------------------ drawing
    def check_link(self) -> None:
        """Drop this control's link value if the widget cannot take it (call before drawing)."""
        with get_session_state().query_params() as qp:
            raw = qp._initial_query_params.get(self.key)  # what the widget will be seeded from
            if raw is None and self.key in qp._query_params:
                raw = qp._query_params[self.key]
            msg = self.problem(raw)
            if msg is None:
                return
            qp._initial_query_params.pop(self.key, None)
            if self.key in qp._query_params and not qp.is_bound(self.key):
                del qp[self.key]
        report(self.key, msg)

    def draw(self, where: Any = None, **overrides: Any) -> Any:
        """Draw the widget bound to the URL in ``where`` (a column, the sidebar, ...; default:
        the page) and return its value. ``overrides`` replace the spec's widget arguments for
        this run (e.g. a range that depends on another control)."""
        spec = self.with_(**overrides) if overrides else self
        spec.check_link()
        box = st if where is None else where
        kw = dict(spec.kwargs)
        common = dict(key=spec.key, bind="query-params", help=spec.help)
        w = spec.widget
        if w == "number":
            lo, hi = spec.lo, spec.hi
            if spec.integer:
                lo = None if lo is None else int(lo)
                hi = None if hi is None else int(hi)
            return box.number_input(
                spec.label, min_value=lo, max_value=hi, value=spec.default, **common, **kw
            )
        if w == "slider":
            return box.slider(
                spec.label, min_value=spec.lo, max_value=spec.hi, value=spec.default,
                **common, **kw,
            )  # fmt: skip
        if w in ("select", "radio"):
            index = spec.options.index(spec.default) if spec.default in spec.options else 0
            fn = box.selectbox if w == "select" else box.radio
            return fn(spec.label, spec.options, index=index, **common, **kw)
        if w == "segmented":
            return box.segmented_control(
                spec.label, spec.options, default=spec.default, **common, **kw
            )
        if w in ("text", "text_area"):
            fn = box.text_input if w == "text" else box.text_area
            return fn(spec.label, spec.default, max_chars=spec.max_chars, **common, **kw)
        if w in ("toggle", "checkbox"):
            fn = box.toggle if w == "toggle" else box.checkbox
            return fn(spec.label, value=bool(spec.default), **common, **kw)
        if w == "tabs":
            common.pop("help")
            return box.tabs(list(spec.options), default=spec.default, **common, **kw)
        raise ValueError(f"unknown widget {w!r}")

    def with_(self, **changes: Any) -> Control:
        """A copy with some fields (or widget arguments) changed."""
        fields = {k: v for k, v in changes.items() if k in self.__dataclass_fields__}
        extra = {k: v for k, v in changes.items() if k not in fields}
        if extra:
            fields["kwargs"] = {**self.kwargs, **extra}
        return Control(**{**self.__dict__, **fields})


def open_linked_view(view: Control, groups: dict[str, Sequence[Control]]) -> None:
    """Before the page's tabs (``view``) are drawn: a link that names no view opens the one
    that its other values belong to, when they all belong to one (``groups``: view -> its own
    controls; controls shared by several views are left out).  Links made while a page opened
    on another tab by default keep opening the view they were made on."""
    if view.key in st.query_params or view.key in st.session_state:
        return  # the link names its view, or this is not the visit's first run
    owner = {c.key: name for name, controls in groups.items() for c in controls}
    found = {owner[k] for k in st.query_params if k in owner}
    if len(found) == 1:
        st.session_state[view.key] = found.pop()  # the tabs open on it (and the URL says so)


def check_links(controls: Sequence[Control]) -> None:
    """Check several controls' link values at once (e.g. those of a tab that is drawn later)."""
    for c in controls:
        c.check_link()


# ---------------------------------------------------------------- the page's one message
_run = threading.local()  # the current script run's message placeholder


def begin_page(page: str) -> None:
    """Reserve the place of the page's link message (``ui.common.page_header`` calls this)."""
    problems = st.session_state.setdefault(_PROBLEMS, {})
    for other in [p for p in problems if p != page]:
        del problems[other]  # a message belongs to the link that opened its page
    _run.page = page
    _run.box = st.empty()
    _show()


def report(key: str, message: str) -> None:
    """Add one replaced link value to the page's message (shown for the rest of the visit)."""
    page = getattr(_run, "page", "")
    st.session_state.setdefault(_PROBLEMS, {}).setdefault(page, {})[key] = message
    if ThreadState.get().fragment_id is not None:
        # A fragment rerun cannot write above itself: say it here, once.
        st.warning(plain(message), icon=":material/link_off:")
        return
    _show()


def link_problems() -> list[str]:
    """The messages of the current page, in the order they were found."""
    page = getattr(_run, "page", "")
    return list(st.session_state.get(_PROBLEMS, {}).get(page, {}).values())


def _show() -> None:
    msgs = link_problems()
    box = getattr(_run, "box", None)
    if not msgs or box is None:
        return
    lines = "\n".join(f"- {plain(m)}" for m in msgs)
    head = (
        "This link set a value that the page cannot use:"
        if len(msgs) == 1
        else f"This link set {len(msgs)} values that the page cannot use:"
    )
    box.warning(f"{head}\n{lines}", icon=":material/link_off:")

"""Shared AppTest helpers: open a page through the entry point, collect its visible text."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def open_page(page: str, query: dict | None = None, timeout: float = 90) -> AppTest:
    """Run app.py (with ``query`` as the URL's query string), then switch to ``page``."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if query:
        at.query_params = dict(query)
    at.run()
    assert not at.exception
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    """Markdown, LaTeX, alerts and captions of the current run, one per line."""
    parts = [m.value for m in at.markdown] + [e.value for e in at.latex]
    for kind in (at.error, at.success, at.info, at.warning, at.caption):
        parts += [e.value for e in kind]
    return "\n".join(parts)

"""A minimal client of Streamlit's own websocket protocol, for load tests.

It speaks to ``/_stcore/stream`` the way the browser does, with the protobufs that ship with
streamlit (``streamlit.proto``):

* the socket is opened with the subprotocol ``streamlit`` (the browser may add an XSRF token and a
  session id to resume as 2nd and 3rd entries; a fresh session needs neither);
* every run is asked for with a ``BackMsg`` whose ``rerun_script`` is a ``ClientState``: the
  page (``page_script_hash`` once known, else ``page_name``, the page's URL path), the URL's
  ``query_string``, the ``widget_states`` that changed, the optional ``fragment_id`` of a
  fragment rerun, and the hashes of the messages this client has cached;
* the server answers with ``ForwardMsg``\\ s: ``new_session`` at the start of each run (session
  id, config, the page that runs; ``metadata.run.fragment_ids`` tells a fragment run),
  ``page_info_changed`` (the query string after the run wrote its bound widgets into it),
  ``navigation`` (the pages by URL path and hash, the page that runs), ``delta``\\ s (elements
  and blocks; an uncaught exception is an ``exception`` element, ``st.error`` an ``alert`` with
  format ERROR), ``auto_rerun`` for a ``st.fragment(run_every=...)`` (the browser, not the
  server, then asks for the fragment's reruns), ``page_not_found``, ``session_status_changed``
  and finally ``script_finished`` with a status (``FINISHED_EARLY_FOR_RERUN`` when the script
  called ``st.rerun()``: another run follows);
* a delta marked ``metadata.cacheable`` is kept by the browser; its hash goes back in the next
  ``ClientState.cached_message_hashes`` and the server then sends a short ``ref_hash`` message in
  its place.  This client does the same (with the browser's ageing by
  ``new_session.config.max_cached_message_age``), so the server does the work it does for a
  browser and every element is still seen.

Widgets are discovered from the deltas (any element with a non-empty ``id``, and a stateful
``st.tabs``), so a load test can change a page's controls without knowing their keys.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

STREAM_PATH = "/_stcore/stream"
FINISHED = ForwardMsg.ScriptFinishedStatus
FINAL_STATUSES = {
    FINISHED.FINISHED_SUCCESSFULLY: "ok",
    FINISHED.FINISHED_WITH_COMPILE_ERROR: "compile error",
    FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY: "ok",
}
ALERT_ERROR = 1
ALERT_WARNING = 2

# widget kinds (the Element oneof name) whose every offered value is valid by construction
CHOICE_KINDS = ("slider", "selectbox", "radio", "checkbox", "button_group", "tabs")


@dataclass
class Widget:
    """One control found in the deltas of a run."""

    kind: str  # the Element oneof field ("slider", "number_input", ...) or "tabs"
    id: str
    label: str
    query_key: str  # the URL parameter it is bound to ("" if none)
    disabled: bool
    fragment_id: str
    proto: Any = None  # the element's protobuf (None for tabs)
    options: list[str] = field(default_factory=list)  # tab labels / formatted options

    def describe(self) -> str:
        name = self.query_key or self.label[:30]
        return f"{self.kind}:{name}"


@dataclass
class RunResult:
    """What one rerun request brought back."""

    status: str  # "ok", "compile error", "timeout", "disconnected"
    seconds: float
    fragment: bool = False
    page_hash: str = ""
    page_not_found: str | None = None
    exceptions: list[str] = field(default_factory=list)
    error_alerts: list[str] = field(default_factory=list)
    warnings: int = 0
    elements: int = 0
    messages: int = 0
    bytes: int = 0
    ref_hits: int = 0
    cache_misses: int = 0
    early_reruns: int = 0  # FINISHED_EARLY_FOR_RERUN seen (st.rerun on the server)

    @property
    def finished(self) -> bool:
        return self.status in ("ok", "compile error")


class _Accumulator:
    def __init__(self, fragment: bool) -> None:
        self.result = RunResult(status="running", seconds=0.0, fragment=fragment)
        self.done = asyncio.Event()


def _widget_from_element(element: Any, fragment_id: str) -> Widget | None:
    kind = element.WhichOneof("type")
    if kind is None:
        return None
    proto = getattr(element, kind)
    wid = getattr(proto, "id", "") if hasattr(proto, "id") else ""
    if not isinstance(wid, str) or not wid:
        return None
    query_key = ""
    if "query_param_key" in proto.DESCRIPTOR.fields_by_name and proto.HasField("query_param_key"):
        query_key = proto.query_param_key
    options: list[str] = []
    if kind == "button_group":
        options = [o.content for o in proto.options]
    elif "options" in proto.DESCRIPTOR.fields_by_name:
        options = [str(o) for o in proto.options]
    return Widget(
        kind=kind,
        id=wid,
        label=getattr(proto, "label", ""),
        query_key=query_key,
        disabled=bool(getattr(proto, "disabled", False)),
        fragment_id=fragment_id,
        proto=proto,
        options=options,
    )


class StreamlitClient:
    """One browser tab: a websocket session that asks for runs and waits for their end."""

    def __init__(self, base_url: str, *, name: str = "", open_timeout: float = 30.0) -> None:
        parts = urlsplit(base_url.rstrip("/"))
        scheme = "wss" if parts.scheme == "https" else "ws"
        self.base_url = base_url.rstrip("/")
        self.ws_url = f"{scheme}://{parts.netloc}{parts.path}{STREAM_PATH}"
        self.name = name
        self.open_timeout = open_timeout
        self.session_id = ""
        self.pages: dict[str, str] = {}  # url_pathname -> page_script_hash ("" = main page)
        self.page_names: dict[str, str] = {}  # page_script_hash -> url_pathname
        self.current_page_hash = ""
        self.query_string = ""
        self.widgets: dict[str, Widget] = {}
        # fragment id -> [interval (s), when the browser's timer next fires (time.monotonic())]
        self.auto_reruns: dict[str, list[float]] = {}
        self.closed_reason: str | None = None
        self.bytes_received = 0
        self._ws: Any = None
        self._reader: asyncio.Task | None = None
        self._acc: _Accumulator | None = None
        self._cache: dict[str, list[Any]] = {}  # hash -> [ForwardMsg, age]
        self._max_cache_age = 2
        self._tab_paths: dict[tuple[int, ...], Widget] = {}
        self.orphan_exceptions: list[str] = []

    # ------------------------------------------------------------------ connection
    async def connect(self) -> None:
        self._ws = await connect(
            self.ws_url,
            subprotocols=["streamlit"],
            proxy=None,  # loopback stays loopback, whatever the environment says
            ping_interval=None,  # a browser sends no pings; the server pings us
            max_size=None,
            max_queue=None,
            open_timeout=self.open_timeout,
            user_agent_header="sequence-lab-bench",
        )
        self._reader = asyncio.create_task(self._read_loop(), name=f"reader-{self.name}")

    async def close(self) -> None:
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ws.close(), 5)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader

    @property
    def connected(self) -> bool:
        return self._ws is not None and self.closed_reason is None

    # ------------------------------------------------------------------ requests
    def page_hash(self, url_pathname: str) -> str:
        return self.pages.get(url_pathname, "")

    async def rerun(
        self,
        page: str | None = None,
        query: str | None = None,
        widgets: list[WidgetState] | None = None,
        fragment_id: str = "",
        auto: bool = False,
        timeout: float = 60.0,
    ) -> RunResult:
        """Ask for a run and wait for its ``script_finished``.

        ``page``: the page's URL path without the slash ("" = the main page, None = stay).
        ``query``: the URL query string (None = keep the current one, as last set by the server).
        ``fragment_id``: rerun only that fragment (a widget inside it changed, or ``auto``: its
        ``run_every`` timer fired).
        """
        if self._acc is not None:
            raise RuntimeError("one run at a time per session")
        acc = _Accumulator(fragment=bool(fragment_id))
        if not self.connected:
            acc.result.status = "disconnected"
            return acc.result
        msg = BackMsg()
        cs = msg.rerun_script
        if page is not None:
            page_hash = self.pages.get(page, "")
            cs.page_name = page
            if page_hash:
                cs.page_script_hash = page_hash
            if page_hash != self.current_page_hash:
                self.auto_reruns.clear()  # a new page: its fragments' timers go away
        else:
            cs.page_script_hash = self.current_page_hash
            cs.page_name = self.page_names.get(self.current_page_hash, "")
        if query is not None:
            self.query_string = query.lstrip("?")  # the browser's address bar
        cs.query_string = self.query_string
        if widgets:
            cs.widget_states.widgets.extend(widgets)
        if fragment_id:
            cs.fragment_id = fragment_id
            cs.is_auto_rerun = auto
        cs.cached_message_hashes.extend(self._cache)
        cs.context_info.timezone = "UTC"
        cs.context_info.timezone_offset = 0
        cs.context_info.locale = "en-US"
        cs.context_info.url = f"{self.base_url}/{cs.page_name}" + (
            f"?{cs.query_string}" if cs.query_string else ""
        )
        self._acc = acc
        t0 = time.perf_counter()
        try:
            await self._ws.send(msg.SerializeToString())
            await asyncio.wait_for(acc.done.wait(), timeout)
        except TimeoutError:
            acc.result.status = "timeout"
        except ConnectionClosed:
            acc.result.status = "disconnected"
        finally:
            acc.result.seconds = time.perf_counter() - t0
            self._acc = None
        if acc.result.status == "running":
            acc.result.status = "disconnected"
        return acc.result

    # ------------------------------------------------------------------ receiving
    async def _read_loop(self) -> None:
        try:
            async for data in self._ws:
                if isinstance(data, str):
                    continue
                self.bytes_received += len(data)
                msg = ForwardMsg()
                msg.ParseFromString(data)
                if self._acc is not None:
                    self._acc.result.bytes += len(data)
                self._handle(msg)
            self.closed_reason = "closed by server"
        except ConnectionClosed as exc:
            self.closed_reason = f"closed: {exc}"
        except asyncio.CancelledError:
            self.closed_reason = self.closed_reason or "closed by client"
            raise
        except Exception as exc:  # a bug in this client must not hang the waiter
            self.closed_reason = f"client error: {exc!r}"
        finally:
            if self._acc is not None:
                self._acc.result.status = "disconnected"
                self._acc.done.set()

    def _resolve_ref(self, msg: ForwardMsg) -> ForwardMsg | None:
        entry = self._cache.get(msg.ref_hash)
        if entry is None:
            if self._acc is not None:
                self._acc.result.cache_misses += 1
            return None
        entry[1] = 0
        full = ForwardMsg()
        full.CopyFrom(entry[0])
        full.metadata.CopyFrom(msg.metadata)
        if self._acc is not None:
            self._acc.result.ref_hits += 1
        return full

    def _age_cache(self) -> None:
        for key in list(self._cache):
            entry = self._cache[key]
            entry[1] += 1
            if entry[1] > self._max_cache_age:
                del self._cache[key]

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        acc = self._acc
        if acc is not None:
            acc.result.messages += 1
        if kind == "ref_hash":
            resolved = self._resolve_ref(msg)
            if resolved is None:
                return
            msg, kind = resolved, resolved.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash:
            self._cache[msg.hash] = [msg, 0]

        if kind == "delta":
            self._handle_delta(msg)
        elif kind == "new_session":
            ns = msg.new_session
            if ns.initialize.session_id:
                self.session_id = ns.initialize.session_id
            if ns.config.max_cached_message_age:
                self._max_cache_age = ns.config.max_cached_message_age
            # its app_pages are not the navigation's (on a first run only the asked-for page,
            # under a provisional hash): the navigation message that follows is authoritative.
            # A fragment run starts with a new_session too, tagged with its fragment ids: it
            # keeps the page's other widgets and the fragment timers (sent by full runs only).
            if not msg.metadata.run.fragment_ids:
                self.widgets.clear()
                self._tab_paths.clear()
                self.auto_reruns.clear()
        elif kind == "navigation":
            self._set_pages(msg.navigation.app_pages)
            if msg.navigation.page_script_hash:
                self.current_page_hash = msg.navigation.page_script_hash
                if acc is not None:
                    acc.result.page_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "page_not_found":
            if acc is not None:
                acc.result.page_not_found = msg.page_not_found.page_name or "?"
        elif kind == "auto_rerun":
            interval = max(0.1, msg.auto_rerun.interval)
            self.auto_reruns[msg.auto_rerun.fragment_id] = [interval, time.monotonic() + interval]
        elif kind == "stop_auto_rerun":
            for fid in msg.stop_auto_rerun.fragment_ids:
                self.auto_reruns.pop(fid, None)
        elif kind == "session_event":
            ev = msg.session_event
            if ev.WhichOneof("type") == "script_compilation_exception":
                text = f"compile: {ev.script_compilation_exception.message}"
                if acc is not None:
                    acc.result.exceptions.append(text)
                else:
                    self.orphan_exceptions.append(text)
        elif kind == "script_finished":
            status = msg.script_finished
            if status == FINISHED.FINISHED_EARLY_FOR_RERUN:
                if acc is not None:
                    acc.result.early_reruns += 1
                return
            if status != FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                self._age_cache()
            if acc is not None:
                acc.result.status = FINAL_STATUSES.get(status, "ok")
                acc.done.set()

    def _set_pages(self, app_pages: Any) -> None:
        for p in app_pages:
            self.pages[p.url_pathname] = p.page_script_hash
            self.page_names[p.page_script_hash] = p.url_pathname

    def _handle_delta(self, msg: ForwardMsg) -> None:
        delta = msg.delta
        dkind = delta.WhichOneof("type")
        acc = self._acc
        path = tuple(msg.metadata.delta_path)
        if dkind == "new_element":
            el = delta.new_element
            ekind = el.WhichOneof("type")
            if acc is not None:
                acc.result.elements += 1
            if ekind == "exception":
                text = f"{el.exception.type or 'exception'}: {el.exception.message}"[:300]
                if acc is not None:
                    acc.result.exceptions.append(text)
                else:
                    self.orphan_exceptions.append(text)
            elif ekind == "alert":
                if el.alert.format == ALERT_ERROR and acc is not None:
                    acc.result.error_alerts.append(el.alert.body[:300])
                elif el.alert.format == ALERT_WARNING and acc is not None:
                    acc.result.warnings += 1
            w = _widget_from_element(el, delta.fragment_id)
            if w is not None:
                self.widgets[w.id] = w
        elif dkind == "add_block":
            block = delta.add_block
            bkind = block.WhichOneof("type")
            if bkind == "tab_container" and block.tab_container.id:
                tc = block.tab_container
                w = Widget(
                    kind="tabs",
                    id=tc.id,
                    label="tabs",
                    query_key=tc.query_param_key if tc.HasField("query_param_key") else "",
                    disabled=False,
                    fragment_id=delta.fragment_id,
                )
                self.widgets[w.id] = w
                self._tab_paths[path] = w
            elif bkind == "tab":
                parent = self._tab_paths.get(path[:-1])
                if parent is not None:
                    parent.options.append(block.tab.label)


# ---------------------------------------------------------------------- changing controls
def _grid_value(rng: random.Random, lo: float, hi: float, step: float) -> float:
    if step <= 0 or hi <= lo:
        return lo
    n = int((hi - lo) / step + 1e-9)
    return lo + step * rng.randint(0, n)


def new_widget_state(
    w: Widget, rng: random.Random, bounded_only: bool = True
) -> WidgetState | None:
    """A state that changes ``w`` to another value it offers, or None if it cannot.

    Only values the control itself offers are used (an option of a select, a point of a
    slider's grid, a number between a number input's bounds), so a message the page shows
    afterwards is about a combination of valid values, not about a typo.  Number inputs
    without both bounds are left alone when ``bounded_only``; free text, buttons, uploads and
    charts are never touched here.
    """
    if w.disabled:
        return None
    ws = WidgetState(id=w.id)
    p = w.proto
    if w.kind == "tabs":
        if len(w.options) < 2:
            return None
        ws.string_value = rng.choice(w.options)
    elif w.kind == "slider":
        if p.options:  # st.select_slider: formatted options
            n = 2 if len(p.default) >= 2 else 1
            picks = sorted(rng.sample(range(len(p.options)), min(n, len(p.options))))
            ws.string_array_value.data.extend(p.options[i] for i in picks)
        else:
            if p.data_type not in (0, 1):  # INT, FLOAT; dates and times are left alone
                return None
            n = max(1, len(p.default))
            vals = sorted(_grid_value(rng, p.min, p.max, p.step) for _ in range(n))
            if p.data_type == 0:
                vals = [float(round(v)) for v in vals]
            ws.double_array_value.data.extend(vals)
    elif w.kind == "number_input":
        if p.has_min and p.has_max:
            step = p.step or 1.0
            v = _grid_value(rng, p.min, p.max, step)
        elif bounded_only:
            return None
        else:
            base = p.value if p.HasField("value") else (p.default if p.HasField("default") else 0)
            v = base + (p.step or 1.0) * rng.choice((-2, -1, 1, 2))
            if p.has_min:
                v = max(v, p.min)
            if p.has_max:
                v = min(v, p.max)
        if p.data_type == 0:
            ws.int_value = int(round(v))
        else:
            ws.double_value = float(v)
    elif w.kind in ("selectbox", "radio"):
        if not p.options:
            return None
        ws.string_value = rng.choice(list(p.options))
    elif w.kind == "checkbox":
        ws.bool_value = rng.random() < 0.5
    elif w.kind == "button_group":
        if not w.options:
            return None
        if p.click_mode == 1:  # multi select
            k = rng.randint(0, len(w.options))
            ws.string_array_value.data.extend(rng.sample(w.options, k))
        else:
            ws.string_array_value.data.append(rng.choice(w.options))
    else:
        return None
    return ws


def trigger_state(w: Widget) -> WidgetState:
    """The state of a pressed ``st.button``."""
    return WidgetState(id=w.id, trigger_value=True)

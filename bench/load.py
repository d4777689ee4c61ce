"""Load test: N concurrent browser sessions on one Streamlit server, over its own websocket.

    python -m bench.load --sessions 40 [--seconds 100] [--train] [--json out.json]
    python -m bench.load --sessions 10 20 40 --train      # one fresh server per level
    python -m bench.load --url http://127.0.0.1:8501 --sessions 5   # a server already running

Without ``--url`` it starts ``streamlit run app.py`` on a free port of 127.0.0.1 (loopback only)
and stops it afterwards.  Each session (``bench.ws_client``, a client of Streamlit's websocket
protocol) cycles through every page, each session starting on a different one.  A visit is a
link (``/Attention?N=500``, next visit ``N=2000``, ...: ``LINKS``) and then ``--changes`` changes
of controls found in the page's own deltas (a random other value the control offers, see
``ws_client.new_widget_state``; a control inside a fragment reruns only its fragment, as in the
browser), each after a think time of ``--think`` seconds on average (uniform 0.5x..1.5x).
While a session thinks, its ``st.fragment(run_every=...)`` timers fire as a browser's would.
With ``--train`` one more session opens the Train page, presses its start button (found by
label) and watches the live panel until the end, then presses its stop button.

Measured per rerun: the time from sending the request to ``script_finished``.  Errors are
exceptions (Streamlit's exception element), ``st.error`` alerts that are the app's, timeouts
(``--timeout``), disconnects, pages that never arrived or arrived wrong, missing cached messages
and, when this script started the server, tracebacks in its log.  An alert is the app's when it
reads like a failure (an exception's name, "failed", "could not") or follows a link (valid by
construction) to a page where the session has not changed a control yet (after a change, its
session state carries the values it chose for controls the link does not name).  Other
``st.error`` alerts follow a combination of valid values a student can also choose (e.g. a
bit width too small for the numbers) and are counted apart as input messages.  The server
process and all its children are sampled from /proc every 0.5 s:
RSS (sum over processes; PSS too), CPU in cores.  The table counts the reruns students asked
for (links and control changes); fragment timer reruns are reported on their own line.
MB = 2**20 bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.ws_client import (
    CHOICE_KINDS,
    RunResult,
    StreamlitClient,
    new_widget_state,
    trigger_state,
)

ROOT = Path(__file__).resolve().parent.parent
MB = 2**20

# The pages by URL path ("" = home) and links to alternate between, visit after visit.  A key a
# page does not (or no longer) know is ignored by Streamlit, so these only need to stay valid
# values, never exact widget ids.
PAGES = ("", "Binary_adder", "Gradient_flow", "Attention", "Translate", "Train", "Transformer")
LINKS: dict[str, tuple[str, ...]] = {
    "": ("",),
    "Binary_adder": ("t=3", "t=5", "view=Automaton", "a=1011011&b=110", "view=Verify+%26+prove"),
    "Gradient_flow": (
        "T=150",
        "T=60",
        "view=Part+%28c%29",
        "view=Gate+explorer",
        "view=T+%3D+2+by+hand",
    ),
    "Attention": ("view=Sampled+keys&N=500", "N=2000", "view=Copying", "view=One+head+vs+two"),
    "Translate": (
        "fr=je+suis+content+.",
        "fr=il+est+en+retard+.",
        "fr=elle+est+prete+.&dec=beam+search&beam=5",
        "fr=nous+sommes+fatigues+.",
    ),
    "Train": ("", "epochs=3"),
    "Transformer": (
        "",
        "view=Multi-head+self-attention",
        "view=Greedy+decoding&fr=il+est+en+retard+.",
        "view=Encoder+and+decoder",
    ),
}
APP_FAILURE = re.compile(
    r"Traceback|\b[A-Z]\w*(Error|Exception)\b|\bfailed\b|could not|went wrong|internal error",
    re.IGNORECASE,
)
START_BUTTON = re.compile(r"start training", re.IGNORECASE)
STOP_BUTTON = re.compile(r"^\s*stop\s*$", re.IGNORECASE)


@dataclass
class Settings:
    sessions: int = 40
    seconds: float = 100.0
    reruns: int = 500  # per session, at most
    think: float = 3.0
    changes: int = 2
    timeout: float = 60.0
    ramp: float = 5.0
    settle: float = 10.0
    train: bool = False
    train_query: str = ""
    all_controls: bool = False
    warmup: bool = False
    seed: int = 0
    url: str | None = None
    pid: int | None = None
    pages: tuple[str, ...] = PAGES
    app_dir: str = str(ROOT)
    server_options: tuple[str, ...] = ()


@dataclass
class Rerun:
    session: int
    kind: str  # "link", "widget", "fragment" (a run_every timer), "train"
    page: str
    what: str
    start: float  # s since the load started
    seconds: float
    status: str
    exceptions: list[str]
    app_alerts: list[str]
    input_alerts: list[str]
    wrong_page: bool
    page_not_found: bool
    cache_misses: int
    bytes: int


@dataclass
class SessionLog:
    index: int
    role: str = "browse"
    connect_error: str = ""
    got_page: bool = False
    disconnected: str = ""
    train_pressed: bool = False
    train_seen_running: bool = False
    train_stopped: bool = False
    orphan_exceptions: list[str] = field(default_factory=list)
    reruns: list[Rerun] = field(default_factory=list)
    input_texts: set[str] = field(default_factory=set)
    changed_pages: set[str] = field(default_factory=set)  # pages where it changed a control


# ---------------------------------------------------------------------- /proc sampling
CLK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def _proc_table() -> dict[int, tuple[int, int, int]]:
    """pid -> (ppid, cpu ticks incl. reaped children, rss bytes) for every visible process."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                raw = f.read()
        except OSError:
            continue
        rest = raw[raw.rindex(b")") + 2 :].split()
        ticks = int(rest[11]) + int(rest[12]) + int(rest[13]) + int(rest[14])
        table[int(name)] = (int(rest[1]), ticks, int(rest[21]) * PAGE_SIZE)
    return table


def _tree(table: dict[int, tuple[int, int, int]], root: int) -> list[int]:
    children = defaultdict(list)
    for pid, (ppid, _, _) in table.items():
        children[ppid].append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            out.append(pid)
            todo.extend(children[pid])
    return out


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _machine_ticks() -> tuple[int, int]:
    with open("/proc/stat") as f:
        vals = [int(v) for v in f.readline().split()[1:]]
    idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
    return sum(vals[:8]) - idle, sum(vals[:8])


class Sampler(threading.Thread):
    """Samples the server's process tree (and this process, and the machine) every period."""

    def __init__(self, pid: int, period: float = 0.5) -> None:
        super().__init__(daemon=True, name="proc-sampler")
        self.pid = pid
        self.period = period
        self.samples: list[dict] = []
        self._stop_event = threading.Event()
        self._lock = threading.Lock()

    def sample(self, with_pss: bool = False) -> dict:
        table = _proc_table()
        pids = _tree(table, self.pid)
        busy, _ = _machine_ticks()
        s = {
            "t": time.monotonic(),
            "rss": sum(table[p][2] for p in pids),
            "rss_server": table[self.pid][2] if self.pid in table else 0,  # the server alone
            "ticks": sum(table[p][1] for p in pids),
            "procs": len(pids),
            "self_ticks": sum(os.times()[:2]) * CLK,
            "machine_busy": busy,
            "pss": sum(_pss(p) for p in pids) if with_pss else None,
        }
        return s

    def run(self) -> None:
        n = 0
        while not self._stop_event.is_set():
            s = self.sample(with_pss=n % 4 == 0)
            with self._lock:
                self.samples.append(s)
            n += 1
            self._stop_event.wait(self.period)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(5)

    def window(self, t0: float, t1: float) -> list[dict]:
        with self._lock:
            return [s for s in self.samples if t0 <= s["t"] <= t1]


def rss_of_tree(pid: int) -> int:
    table = _proc_table()
    return sum(table[p][2] for p in _tree(table, pid))


# ---------------------------------------------------------------------- the server
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http_ok(url: str, timeout: float = 2.0) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as r:
            return r.status == 200
    except OSError:
        return False


def wait_healthy(base_url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        if _http_ok(f"{base_url}/_stcore/health"):
            return
        time.sleep(0.3)
    raise RuntimeError(f"no healthy server at {base_url} within {timeout:.0f} s")


def pid_listening_on(port: int) -> int | None:
    """The pid of a process of this user listening on the TCP port (via /proc), if visible."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(parts[9])
        except OSError:
            continue
    targets = {f"socket:[{i}]" for i in inodes}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            for fd in os.listdir(f"/proc/{name}/fd"):
                if os.readlink(f"/proc/{name}/fd/{fd}") in targets:
                    return int(name)
        except OSError:
            continue
    return None


class Server:
    """``streamlit run app.py`` on 127.0.0.1 and a free port, in its own process group."""

    def __init__(self, log_path: Path, app_dir: str | Path = ROOT, options: tuple = ()) -> None:
        self.app_dir = Path(app_dir)
        self.options = tuple(options)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self._log = None

    def start(self, timeout: float = 120.0) -> None:
        cmd = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(self.port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            *(f"--{o.lstrip('-')}" for o in self.options),
        ]
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd, cwd=self.app_dir, stdout=self._log, stderr=subprocess.STDOUT, env=env,
            start_new_session=True,
        )  # fmt: skip
        wait_healthy(self.base_url, timeout, self.proc)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        if self.proc is not None:
            # a worker the server started and left behind: same process group, ours to end
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self._log is not None:
            self._log.close()

    def log_tracebacks(self) -> list[str]:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return []
        out = []
        for m in re.finditer(r"Traceback \(most recent call last\):\n(?:.*\n)*?(\S.*)", text):
            out.append(m.group(1)[:200])
        return out


# ---------------------------------------------------------------------- the sessions
def _record(
    log: SessionLog, t_load: float, kind: str, page: str, what: str, r: RunResult, expect: str
) -> Rerun:
    wrong = bool(r.finished and expect and r.page_hash and r.page_hash != expect)
    app_alerts, input_alerts = [], []
    # after a link (valid by construction) a message is the app's -- unless the session changed
    # a control of that page before: its session state keeps what it chose (weights, "typed
    # as", ...) for the controls the link does not name, as a student's tab does
    fresh = kind == "link" and page not in log.changed_pages
    if kind != "link":
        log.changed_pages.add(page)
    for body in r.error_alerts:
        if APP_FAILURE.search(body) or (fresh and body not in log.input_texts):
            app_alerts.append(body)
        else:
            input_alerts.append(body)
            log.input_texts.add(body)
    rec = Rerun(
        session=log.index,
        kind=kind,
        page=page,
        what=what,
        start=round(time.monotonic() - r.seconds - t_load, 3),
        seconds=r.seconds,
        status=r.status,
        exceptions=r.exceptions,
        app_alerts=app_alerts,
        input_alerts=input_alerts,
        wrong_page=wrong,
        page_not_found=r.page_not_found is not None,
        cache_misses=r.cache_misses,
        bytes=r.bytes,
    )
    log.reruns.append(rec)
    return rec


async def _think(
    c: StreamlitClient,
    log: SessionLog,
    seconds: float,
    t_end: float,
    t_load: float,
    s: Settings,
    page: str,
) -> None:
    """Wait like a reader, firing the page's fragment timers when they are due."""
    until = min(t_end, time.monotonic() + seconds)
    while c.connected:
        now = time.monotonic()
        due = [(t, fid) for fid, (_, t) in c.auto_reruns.items() if t <= min(until, now)]
        if due:
            _, fid = min(due)
            interval = c.auto_reruns[fid][0]
            c.auto_reruns[fid][1] = now + interval
            r = await c.rerun(fragment_id=fid, auto=True, timeout=s.timeout)
            _record(log, t_load, "fragment", page, "run_every", r, "")
            continue
        nxt = min([t for _, t in c.auto_reruns.values()] + [until])
        if now >= until:
            return
        await asyncio.sleep(max(0.01, min(nxt, until) - now))


def _changeable(c: StreamlitClient) -> list:
    return [
        w
        for w in c.widgets.values()
        if not w.disabled and (w.kind in CHOICE_KINDS or w.kind == "number_input")
    ]


async def browse(i: int, base_url: str, s: Settings, t_load: float, t_end: float) -> SessionLog:
    """One student: cycle through the pages, follow a link, change controls, read."""
    log = SessionLog(index=i)
    rng = random.Random(s.seed * 100_003 + i)
    await asyncio.sleep(s.ramp * i / max(1, s.sessions))
    c = StreamlitClient(base_url, name=f"s{i}", open_timeout=s.timeout)
    try:
        await c.connect()
    except Exception as exc:
        log.connect_error = repr(exc)[:200]
        return log
    visits: Counter = Counter()
    page_i = i % len(s.pages)
    try:
        while time.monotonic() < t_end and len(log.reruns) < s.reruns and c.connected:
            page = s.pages[page_i]
            links = LINKS.get(page, ("",))
            query = links[(visits[page] + i) % len(links)]
            visits[page] += 1
            r = await c.rerun(page=page, query=query, timeout=s.timeout)
            rec = _record(log, t_load, "link", page, query, r, c.page_hash(page))
            if r.finished and not rec.wrong_page and not rec.page_not_found:
                log.got_page = True
            for _ in range(s.changes):
                await _think(c, log, s.think * rng.uniform(0.5, 1.5), t_end, t_load, s, page)
                if time.monotonic() >= t_end or not c.connected:
                    break
                ws, w = None, None
                candidates = _changeable(c)
                rng.shuffle(candidates)
                for w in candidates:
                    ws = new_widget_state(w, rng, bounded_only=not s.all_controls)
                    if ws is not None:
                        break
                if ws is None:
                    continue
                r = await c.rerun(widgets=[ws], fragment_id=w.fragment_id, timeout=s.timeout)
                _record(log, t_load, "widget", page, w.describe(), r, c.page_hash(page))
            await _think(c, log, s.think * rng.uniform(0.5, 1.5), t_end, t_load, s, page)
            page_i = (page_i + 1) % len(s.pages)
    finally:
        if not c.connected and c.closed_reason:
            log.disconnected = c.closed_reason[:200]
        log.orphan_exceptions = c.orphan_exceptions
        await c.close()
    return log


async def train(i: int, base_url: str, s: Settings, t_load: float, t_end: float) -> SessionLog:
    """One student who starts a training on the Train page and watches it to the end."""
    log = SessionLog(index=i, role="train")
    c = StreamlitClient(base_url, name=f"train{i}", open_timeout=s.timeout)
    try:
        await c.connect()
    except Exception as exc:
        log.connect_error = repr(exc)[:200]
        return log
    try:
        r = await c.rerun(page="Train", query=s.train_query, timeout=s.timeout)
        rec = _record(log, t_load, "link", "Train", s.train_query, r, c.page_hash("Train"))
        log.got_page = r.finished and not rec.wrong_page and not rec.page_not_found
        start = next(
            (w for w in c.widgets.values() if w.kind == "button" and START_BUTTON.search(w.label)),
            None,
        )
        if start is not None and not start.disabled:
            r = await c.rerun(widgets=[trigger_state(start)], timeout=s.timeout)
            _record(log, t_load, "train", "Train", "start", r, c.page_hash("Train"))
            log.train_pressed = r.finished
        while time.monotonic() < t_end and c.connected:
            await _think(c, log, 1.0, t_end, t_load, s, "Train")
            if any(w.kind == "button" and STOP_BUTTON.search(w.label) for w in c.widgets.values()):
                log.train_seen_running = True
        if log.train_pressed and c.connected:  # leave the server as we found it
            await c.rerun(page="Train", query=s.train_query, timeout=s.timeout)
            stop = next(
                (
                    w
                    for w in c.widgets.values()
                    if w.kind == "button" and STOP_BUTTON.search(w.label)
                ),
                None,
            )
            if stop is not None:
                r = await c.rerun(
                    widgets=[trigger_state(stop)], fragment_id=stop.fragment_id, timeout=s.timeout
                )
                log.train_stopped = r.finished
    finally:
        if not c.connected and c.closed_reason:
            log.disconnected = c.closed_reason[:200]
        log.orphan_exceptions = c.orphan_exceptions
        await c.close()
    return log


async def warmup(base_url: str, s: Settings) -> None:
    """Open every page with every link once, so that caches are warm before measuring."""
    c = StreamlitClient(base_url, name="warmup", open_timeout=s.timeout)
    await c.connect()
    try:
        for page in s.pages:
            for query in LINKS.get(page, ("",)):
                await c.rerun(page=page, query=query, timeout=max(s.timeout, 120))
    finally:
        await c.close()


async def drive(base_url: str, s: Settings) -> tuple[list[SessionLog], float, float]:
    t_load = time.monotonic()
    t_end = t_load + s.seconds
    tasks = [asyncio.create_task(browse(i, base_url, s, t_load, t_end)) for i in range(s.sessions)]
    if s.train:
        tasks.append(asyncio.create_task(train(s.sessions, base_url, s, t_load, t_end)))
    logs = await asyncio.gather(*tasks)
    return list(logs), t_load, time.monotonic()


# ---------------------------------------------------------------------- numbers
def _pct(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def _dist(xs: list[float]) -> dict:
    return {
        "n": len(xs),
        "p50": _pct(xs, 0.5),
        "p95": _pct(xs, 0.95),
        "max": max(xs) if xs else None,
        "mean": statistics.fmean(xs) if xs else None,
    }


def summarize(
    s: Settings,
    logs: list[SessionLog],
    t_load: float,
    t_done: float,
    sampler: Sampler | None,
    rss_idle_before: int | None,
    rss_idle_after: int | None,
    log_tracebacks: list[str],
    loadavg_before: str,
) -> dict:
    reruns = [r for log in logs for r in log.reruns]
    user = [r for r in reruns if r.kind in ("link", "widget", "train")]
    frag = [r for r in reruns if r.kind == "fragment"]
    done = [r for r in user if r.status in ("ok", "compile error")]
    browse_logs = [log for log in logs if log.role == "browse"]
    errors = {
        "exceptions": sum(len(r.exceptions) for r in reruns)
        + sum(len(log.orphan_exceptions) for log in logs),
        "app st.error": sum(len(r.app_alerts) for r in reruns),
        "timeouts": sum(r.status == "timeout" for r in reruns),
        "disconnects": sum(bool(log.disconnected) for log in logs)
        + sum(bool(log.connect_error) for log in logs),
        "no page": sum(not log.got_page for log in logs),
        "wrong page": sum(r.wrong_page or r.page_not_found for r in reruns),
        "compile errors": sum(r.status == "compile error" for r in reruns),
        "cache misses": sum(r.cache_misses for r in reruns),
        "server log tracebacks": len(log_tracebacks),
    }
    samples = {
        "exceptions": Counter(x for r in reruns for x in r.exceptions).most_common(5),
        "app st.error": Counter(
            f"{r.page}?{r.what}: {a[:120]}" for r in reruns for a in r.app_alerts
        ).most_common(5),
        "input st.error": Counter(
            f"{r.page} {r.what}: {a[:100]}" for r in reruns for a in r.input_alerts
        ).most_common(5),
        "disconnects": [x for log in logs for x in (log.disconnected, log.connect_error) if x][:5],
        "timeouts": [f"{r.page} {r.kind} {r.what}" for r in reruns if r.status == "timeout"][:5],
        "server log tracebacks": Counter(log_tracebacks).most_common(5),
    }
    per_page = {}
    for page in s.pages:
        xs = [r.seconds for r in done if r.page == page]
        per_page[page or "home"] = _dist(xs)
    per_kind = {k: _dist([r.seconds for r in done if r.kind == k]) for k in ("link", "widget")}
    per_session = [sum(r.kind in ("link", "widget") for r in log.reruns) for log in browse_logs]
    out = {
        "settings": asdict(s),
        "sessions": s.sessions,
        "train_session": s.train,
        "wall_seconds": t_done - t_load,
        "reruns_done": len(done),
        "reruns_asked": len(user),
        "rerun_seconds": _dist([r.seconds for r in done]),
        "per_kind": per_kind,
        "per_page": per_page,
        "reruns_per_session": {
            "min": min(per_session, default=0),
            "median": statistics.median(per_session) if per_session else 0,
            "max": max(per_session, default=0),
        },
        "fragment_reruns": _dist([r.seconds for r in frag if r.status == "ok"]),
        "fragment_timeouts": sum(r.status == "timeout" for r in frag),
        "input_st_error": sum(len(r.input_alerts) for r in reruns),
        "errors": errors,
        "error_total": sum(errors.values()),
        "error_samples": samples,
        "sessions_without_page": [log.index for log in logs if not log.got_page],
        "train": next(
            (
                {
                    "pressed": log.train_pressed,
                    "seen_running": log.train_seen_running,
                    "stopped_at_end": log.train_stopped,
                }
                for log in logs
                if log.role == "train"
            ),
            None,
        ),
        "mb_received": sum(r.bytes for r in reruns) / MB,
        "records": [
            [r.session, r.kind, r.page, r.what, r.start, round(r.seconds, 4), r.status]
            + [len(r.exceptions), len(r.app_alerts), len(r.input_alerts)]
            for r in reruns
        ],
        "loadavg_before": loadavg_before,
    }
    if sampler is not None:
        win = sampler.window(t_load, t_done)
        if len(win) >= 2:
            dt = win[-1]["t"] - win[0]["t"]
            out["server_cpu_cores"] = (win[-1]["ticks"] - win[0]["ticks"]) / CLK / dt
            peaks = [
                (b["ticks"] - a["ticks"]) / CLK / (b["t"] - a["t"])
                for a, b in zip(win, win[4:], strict=False)
            ]
            out["server_cpu_cores_peak_2s"] = max(peaks, default=None)
            out["client_cpu_cores"] = (win[-1]["self_ticks"] - win[0]["self_ticks"]) / CLK / dt
            out["machine_busy_cores"] = (
                (win[-1]["machine_busy"] - win[0]["machine_busy"]) / CLK / dt
            )
            out["machine_cores"] = os.cpu_count()
        all_s = sampler.window(0, float("inf"))
        out["server_rss_peak_mb"] = max((x["rss"] for x in all_s), default=0) / MB
        out["server_pss_peak_mb"] = (
            max((x["pss"] for x in all_s if x["pss"]), default=0) / MB or None
        )
        out["server_procs_max"] = max((x["procs"] for x in all_s), default=0)
        # the web server process alone, and the rest of its tree (the training worker)
        out["server_alone_rss_peak_mb"] = max((x["rss_server"] for x in all_s), default=0) / MB
        out["children_rss_peak_mb"] = (
            max((x["rss"] - x["rss_server"] for x in all_s), default=0) / MB
        )
    out["rss_idle_before_mb"] = rss_idle_before / MB if rss_idle_before is not None else None
    out["rss_idle_after_mb"] = rss_idle_after / MB if rss_idle_after is not None else None
    with open("/proc/loadavg") as f:
        out["loadavg_after"] = " ".join(f.read().split()[:3])
    return out


def _s(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f} s" if x < 10 else f"{x:.1f} s"


def table_header() -> str:
    return (
        "| sessions | reruns done | rerun p50 | p95 | max | server RSS peak | server CPU |\n"
        "|---|---|---|---|---|---|---|"
    )


def table_row(o: dict) -> str:
    d = o["rerun_seconds"]
    who = f"{o['sessions']}" + (" (+1 training)" if o["train_session"] else "")
    cpu = o.get("server_cpu_cores")
    rss = o.get("server_rss_peak_mb")
    return (
        f"| {who} | {o['reruns_done']} in {o['wall_seconds']:.0f} s | {_s(d['p50'])} | "
        f"{_s(d['p95'])} | {_s(d['max'])} | "
        + (f"{rss:.0f} MB" if rss is not None else "-")
        + " | "
        + (f"{cpu:.2f} cores" if cpu is not None else "-")
        + " |"
    )


def report(o: dict) -> str:
    lines = [table_header(), table_row(o), ""]
    e = o["errors"]
    lines.append(
        f"errors: {o['error_total']} — "
        + ", ".join(f"{k} {v}" for k, v in e.items())
        + f"; input messages (st.error after valid control values): {o['input_st_error']}"
    )
    for k, v in o["error_samples"].items():
        if v:
            lines.append(f"  {k}: {v}")
    rps = o["reruns_per_session"]
    lines.append(
        f"reruns asked {o['reruns_asked']}, per browsing session min {rps['min']} / median "
        f"{rps['median']} / max {rps['max']}; links {o['per_kind']['link']['n']} "
        f"(p50 {_s(o['per_kind']['link']['p50'])}, p95 {_s(o['per_kind']['link']['p95'])}), "
        f"control changes {o['per_kind']['widget']['n']} "
        f"(p50 {_s(o['per_kind']['widget']['p50'])}, p95 {_s(o['per_kind']['widget']['p95'])})"
    )
    f = o["fragment_reruns"]
    lines.append(
        f"fragment timer reruns {f['n']} (p50 {_s(f['p50'])}, p95 {_s(f['p95'])}, max "
        f"{_s(f['max'])}), unanswered {o['fragment_timeouts']}"
    )
    if o.get("train") is not None:
        t = o["train"]
        lines.append(
            f"training: started {t['pressed']}, seen running {t['seen_running']}, "
            f"stopped at the end {t['stopped_at_end']}"
        )
    lines.append(
        "per page: "
        + "; ".join(
            f"{p} {d['n']}× p50 {_s(d['p50'])} p95 {_s(d['p95'])}" for p, d in o["per_page"].items()
        )
    )

    def mb(x: float | None) -> str:
        return "-" if x is None else f"{x:.0f} MB"

    lines.append(
        f"server RSS idle before {mb(o['rss_idle_before_mb'])}, peak "
        f"{mb(o.get('server_rss_peak_mb'))} (PSS peak {mb(o.get('server_pss_peak_mb'))}, "
        f"up to {o.get('server_procs_max', '-')} processes; the web server alone "
        f"{mb(o.get('server_alone_rss_peak_mb'))}, its children "
        f"{mb(o.get('children_rss_peak_mb'))}), idle after "
        f"{mb(o['rss_idle_after_mb'])} ({o['settings']['settle']:.0f} s after the last session "
        "closed; Streamlit keeps a closed session up to server.disconnectedSessionTTL)"
    )
    if "server_cpu_cores" in o:
        lines.append(
            f"CPU: server {o['server_cpu_cores']:.2f} cores (2 s peak "
            f"{o['server_cpu_cores_peak_2s'] or 0:.2f}), this load client "
            f"{o['client_cpu_cores']:.2f}, whole machine {o['machine_busy_cores']:.2f} of "
            f"{o['machine_cores']}; load average before {o['loadavg_before']}, after "
            f"{o['loadavg_after']}; {o['mb_received']:.1f} MB received"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------- running a level
def run_async(coro):
    """``asyncio.run(coro)`` in a thread of its own: works even where the caller already runs an
    event loop (pytest after Playwright's sync API, a notebook)."""
    box: dict = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as e:  # handed to the caller below
            box["error"] = e

    t = threading.Thread(target=target, name="bench-load-loop")
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def run_level(s: Settings, log_dir: Path | None = None) -> dict:
    """Run one load level (starting and stopping a server unless ``s.url``); the numbers."""
    with open("/proc/loadavg") as f:
        loadavg_before = " ".join(f.read().split()[:3])
    server = None
    base_url = s.url.rstrip("/") if s.url else None
    pid = s.pid
    if base_url is None:
        log_dir = log_dir or Path(tempfile.mkdtemp(prefix="bench-load-"))
        server = Server(log_dir / f"server-{s.sessions}.log", s.app_dir, s.server_options)
        server.start()
        base_url, pid = server.base_url, server.proc.pid
    else:
        wait_healthy(base_url, 30)
        if pid is None:
            from urllib.parse import urlsplit

            pid = pid_listening_on(urlsplit(base_url).port or 80)
    sampler = None
    try:
        rss_before = None
        if pid is not None:
            time.sleep(1.0)
            rss_before = rss_of_tree(pid)
            sampler = Sampler(pid)
            sampler.start()
        if s.warmup:
            run_async(warmup(base_url, s))
        logs, t_load, t_done = run_async(drive(base_url, s))
        rss_after = None
        if pid is not None:
            time.sleep(s.settle)
            rss_after = rss_of_tree(pid)
        if sampler is not None:
            sampler.stop()
        tracebacks = server.log_tracebacks() if server is not None else []
        out = summarize(
            s, logs, t_load, t_done, sampler, rss_before, rss_after, tracebacks, loadavg_before
        )
        out["server_log"] = str(server.log_path) if server is not None else None
        out["server_pid"] = pid
        return out
    finally:
        if sampler is not None and sampler.is_alive():
            sampler.stop()
        if server is not None:
            server.stop()


def parse_args(argv: list[str] | None = None) -> tuple[list[int], Settings, argparse.Namespace]:
    p = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", type=int, nargs="+", default=[40], help="one level or several")
    p.add_argument("--seconds", type=float, default=100.0, help="time bound of a level (100)")
    p.add_argument("--reruns", type=int, default=500, help="reruns per session, at most (500)")
    p.add_argument("--think", type=float, default=3.0, help="mean think time, s (3)")
    p.add_argument("--changes", type=int, default=2, help="control changes per page visit (2)")
    p.add_argument("--timeout", type=float, default=60.0, help="per rerun, s (60)")
    p.add_argument("--ramp", type=float, default=5.0, help="sessions join over this many s (5)")
    p.add_argument("--settle", type=float, default=10.0, help="s before idle RSS after (10)")
    p.add_argument("--train", action="store_true", help="one more session trains on Train")
    p.add_argument("--train-query", default="", help="the Train page's link for it, e.g. epochs=2")
    p.add_argument(
        "--all-controls", action="store_true", help="also number inputs without both bounds"
    )
    p.add_argument("--warmup", action="store_true", help="open every link once before measuring")
    p.add_argument("--pages", default=None, help="comma-separated URL paths (default all)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--url", default=None, help="a running server instead of starting one")
    p.add_argument("--pid", type=int, default=None, help="its pid, for RSS/CPU (found if local)")
    p.add_argument("--json", default=None, help="write the numbers to this file")
    p.add_argument("--log-dir", default=None, help="where the server's log goes (a temp dir)")
    p.add_argument(
        "--app-dir",
        default=str(ROOT),
        help="run the app from here, e.g. a `git archive` snapshot (default: this checkout)",
    )
    p.add_argument(
        "--server-opt",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra `streamlit run` option, e.g. server.fileWatcherType=none (repeatable)",
    )
    a = p.parse_args(argv)
    if a.url and not re.match(r"https?://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$)", a.url):
        p.error("--url must be a loopback address (127.0.0.1, localhost or [::1])")
    s = Settings(
        seconds=a.seconds,
        reruns=a.reruns,
        think=a.think,
        changes=a.changes,
        timeout=a.timeout,
        ramp=a.ramp,
        settle=a.settle,
        train=a.train,
        train_query=a.train_query,
        all_controls=a.all_controls,
        warmup=a.warmup,
        seed=a.seed,
        url=a.url,
        pid=a.pid,
        pages=tuple(x.strip().strip("/") for x in a.pages.split(",")) if a.pages else PAGES,
        app_dir=a.app_dir,
        server_options=tuple(a.server_opt),
    )
    return a.sessions, s, a


def main(argv: list[str] | None = None) -> int:
    levels, base, a = parse_args(argv)
    log_dir = Path(a.log_dir) if a.log_dir else None
    if log_dir:
        log_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for n in levels:
        s = Settings(**{**asdict(base), "sessions": n})
        print(
            f"== {n} sessions" + (" + 1 training" if s.train else "") + f", {s.seconds:.0f} s, "
            f"think {s.think:g} s, {s.changes} control changes a visit, "
            f"pages {', '.join(p or 'home' for p in s.pages)}",
            flush=True,
        )
        o = run_level(s, log_dir)
        results.append(o)
        print(report(o), flush=True)
        if o.get("server_log"):
            print(f"server log: {o['server_log']}", flush=True)
        print(flush=True)
    if len(results) > 1:
        print(table_header())
        for o in results:
            print(table_row(o))
    if a.json:
        Path(a.json).write_text(json.dumps(results if len(results) > 1 else results[0], indent=1))
    return 0 if all(o["error_total"] == 0 for o in results) else 1


if __name__ == "__main__":
    sys.exit(main())

"""A small load test: 5 sessions browse every page of a real server for 20 s, over the websocket.

The full version is ``python -m bench.load --sessions 40`` (see bench/load.py).  Timeouts are
generous so that a loaded 2-core machine passes; the test takes about 30 s.
"""

from pathlib import Path

import pytest

from bench.load import Settings, report, run_level


@pytest.mark.timeout(150)
def test_five_sessions_browse_every_page_without_errors(tmp_path):
    s = Settings(
        sessions=5,
        seconds=20.0,
        think=1.0,
        changes=2,
        timeout=40.0,
        ramp=2.0,
        settle=0.0,
    )
    out = run_level(s, log_dir=tmp_path)
    text = report(out)
    print(text)
    assert out["error_total"] == 0, text
    assert out["sessions_without_page"] == [], text
    assert out["reruns_per_session"]["min"] >= 2, text
    assert out["rerun_seconds"]["n"] >= 10, text
    # every page was reached by some session (each starts on a different one)
    assert all(d["n"] > 0 for d in out["per_page"].values()), text


@pytest.mark.timeout(300)
def test_pages_opened_one_after_another_stay_under_the_smallest_cloud_tier(tmp_path):
    """Community Cloud's smallest app has 690 MB: one visitor opening every page in turn (the
    Translate and Transformer pages load both translation models, the Learned adder trains)
    must leave the server well under it -- and the server never imports torch, which only the
    training worker needs (its import alone is ~224 MB)."""
    from bench.load import Server, rss_of_tree, run_async
    from bench.ws_client import StreamlitClient

    pages = [
        ("", ""),
        ("Binary_adder", ""),
        ("Binary_adder", "view=Learned+adder&lsteps=250"),
        ("Gradient_flow", ""),
        ("Attention", ""),
        ("Translate", ""),
        ("Translate", "model=both"),
        ("Train", ""),
        ("Transformer", "view=Encoder+and+decoder"),
    ]
    seen: dict[str, float] = {}

    async def visit(url: str, pid: int) -> None:
        c = StreamlitClient(url)
        await c.connect()
        for p, query in pages:
            r = await c.rerun(page=p, query=query)
            assert r.status == "ok" and not r.exceptions, (p, r.status, r.exceptions)
            seen[f"{p or 'home'}?{query}"] = rss_of_tree(pid) / 2**20
        await c.close()

    srv = Server(tmp_path / "server.log")
    srv.start()
    try:
        run_async(visit(srv.base_url, srv.proc.pid))  # also where a loop runs (Playwright)
        maps = Path(f"/proc/{srv.proc.pid}/maps").read_text()
    finally:
        srv.stop()
    print({k: round(v) for k, v in seen.items()})
    assert "libtorch" not in maps  # torch was never imported by the web server
    assert max(seen.values()) < 300, seen  # MB; 236 measured 2026-12-06 (256, 421 with torch)

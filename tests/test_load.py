"""A small load test: 5 sessions browse every page of a real server for 20 s, over the websocket.

The full version is ``python -m bench.load --sessions 40`` (see bench/load.py).  Timeouts are
generous so that a loaded 2-core machine passes; the test takes about 30 s.
"""

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

"""The training worker does not re-run the parent's main script (issue 10, memory).

Started by the ``streamlit`` console script (as on Community Cloud), the server's ``__main__``
is a file that imports ``streamlit.web.cli``; *spawn* would run it again in every training
worker.  ``core.seq2seq.live.worker._main_not_rerun`` keeps the child from doing so."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_spawned_worker_skips_the_console_scripts_imports(tmp_path):
    (tmp_path / "probe.py").write_text(
        "def child(q):\n    import sys\n    q.put('streamlit' in sys.modules)\n"
    )
    main = tmp_path / "console_script.py"  # like .venv/bin/streamlit: imports, then main()
    main.write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path[:0] = [{str(tmp_path)!r}, {str(ROOT)!r}]
            import streamlit.web.cli  # noqa: F401

            if __name__ == "__main__":
                import multiprocessing as mp
                from probe import child
                from core.seq2seq.live.worker import _main_not_rerun
                ctx = mp.get_context("spawn")
                for guarded in (False, True):
                    q = ctx.Queue()
                    p = ctx.Process(target=child, args=(q,))
                    if guarded:
                        with _main_not_rerun():
                            p.start()
                    else:
                        p.start()
                    print(guarded, q.get(timeout=60))
                    p.join()
                print("spec after:", sys.modules["__main__"].__spec__)
            """
        )
    )
    res = subprocess.run(
        [sys.executable, str(main)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert res.returncode == 0, res.stderr
    lines = res.stdout.strip().splitlines()
    assert lines == ["False True", "True False", "spec after: None"]

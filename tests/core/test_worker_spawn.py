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


def test_the_server_side_of_a_training_never_imports_torch(tmp_path):
    """The queue runs a job in the worker process and receives its outcome; torch (~224 MB)
    is imported there only, never in the process that queued the job (the web server)."""
    code = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from core.seq2seq.data import load_pairs
        from core.seq2seq.live.config import LiveConfig
        from core.seq2seq.live.queue import TrainingQueue
        from tests.toy_corpus import toy_corpus

        q = TrainingQueue(workdir={str(tmp_path)!r})
        cfg = LiveConfig(hidden=16, batch=16, val_pairs=40, samples=3, epochs=1)
        job = q.submit(tuple(load_pairs(toy_corpus().decode())), cfg, owner="a")
        s = q.wait(job, timeout=240)
        q.shutdown()
        print(s.state, s.checkpoint is not None, "torch" in sys.modules)
        """
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.split() == ["done", "True", "False"], res.stdout + res.stderr[-2000:]

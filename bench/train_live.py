"""The Train page's live training: speed, quality, and what it costs the rest of the app.

    python -m bench.train_live [--epochs N] [--minutes M] [--hidden H] [--pairs P]

Runs, in one process (like the Streamlit server), one live training with the page's default
settings (``core.seq2seq.live.config.LiveConfig()``; options override them) through a
``TrainingQueue`` and prints:

* training throughput (pairs/s of pure training on one thread, validation excluded), the time
  from submitting to a finished job (split, training with validation rounds, test scoring and
  saving), the epochs done, how it ended and the final test BLEU-4 / exact match;
* the CPU used by the process in the first seconds of training divided by wall time (about 1.0
  when the job runs on one thread);
* median latency of a greedy translation with the shipped translator
  (``core.seq2seq.load_translator()``) idle (before and after the training) and while the
  training runs, and their ratio.  The latency thread is a new thread after
  ``torch.set_num_threads(1)``, as Streamlit's script threads are on a server after its first
  live training.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

import torch

from bench.sentences import FALLBACK_SENTENCES
from core.seq2seq import DEFAULT_CHECKPOINT, DEFAULT_DATA, load_translator
from core.seq2seq.live import LiveConfig, TrainingQueue, make_split, prepare_corpus, spread


def latencies(tr, sentences, until=None, pause: float = 0.02, limit: int = 400) -> list[float]:
    """Greedy translation times (ms), cycling through ``sentences`` until ``until()`` is true
    (or once through them), with a short pause between requests as from users."""
    out, i = [], 0
    while True:
        s = sentences[i % len(sentences)]
        t0 = time.perf_counter()
        tr.translate(s, beam=1)
        out.append((time.perf_counter() - t0) * 1e3)
        i += 1
        if (
            (until is None and i >= len(sentences))
            or (until is not None and until())
            or (i >= limit)
        ):
            return out
        time.sleep(pause)


def in_thread(fn):
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("v", fn()))
    t.start()
    t.join()
    return box["v"]


def main() -> None:
    d = LiveConfig()
    ap = argparse.ArgumentParser(prog="python -m bench.train_live")
    ap.add_argument("--epochs", type=int, default=d.epochs)
    ap.add_argument("--minutes", type=float, default=d.minutes)
    ap.add_argument("--hidden", type=int, default=d.hidden)
    ap.add_argument("--pairs", type=int, default=d.pairs, help="training pairs (0: all)")
    ap.add_argument("--teacher-forcing", type=float, default=d.teacher_forcing)
    a = ap.parse_args()
    cfg = LiveConfig(
        pairs=a.pairs,
        epochs=a.epochs,
        minutes=a.minutes,
        hidden=a.hidden,
        teacher_forcing=a.teacher_forcing,
    )
    if not DEFAULT_DATA.is_file():
        raise SystemExit(f"no corpus at {DEFAULT_DATA}: nothing to train on")
    torch.set_num_threads(1)
    print(
        f"torch {torch.__version__}; live config: pairs {cfg.pairs or 'all'}, {cfg.epochs} "
        f"epochs, hidden {cfg.hidden}, teacher forcing {cfg.teacher_forcing:g}, cap "
        f"{cfg.minutes:g} min"
    )
    t0 = time.perf_counter()
    corpus = prepare_corpus(None)
    print(
        f"corpus: {len(corpus.pairs):,} pairs after the filter ({corpus.lines:,} lines), "
        f"read in {time.perf_counter() - t0:.2f} s"
    )

    tr = load_translator(DEFAULT_CHECKPOINT)
    sents = [p.fr for p in spread(make_split(corpus.pairs, LiveConfig()).test, 100)]
    sents = sents or FALLBACK_SENTENCES
    in_thread(lambda: latencies(tr, sents[:20], pause=0))  # warm up
    idle = in_thread(lambda: latencies(tr, sents))

    q = TrainingQueue()
    t_submit = time.perf_counter()
    job = q.submit(corpus.pairs, cfg, owner="bench", label="bench")
    while q.status(job).phase != "training":
        time.sleep(0.05)
    # CPU share of the training alone, for a few seconds
    c0, w0 = time.process_time(), time.perf_counter()
    time.sleep(8.0)
    cpu_share = (time.process_time() - c0) / (time.perf_counter() - w0)
    busy = in_thread(lambda: latencies(tr, sents, until=lambda: not q.status(job).active))
    st = q.wait(job)
    total = time.perf_counter() - t_submit
    idle += in_thread(lambda: latencies(tr, sents))
    q.shutdown()

    if not st.state.trained:
        raise SystemExit(f"the job {st.state}: {st.error}")
    m_idle, m_busy = statistics.median(idle), statistics.median(busy)
    train_s = st.history[-1]["seconds"] if st.history else float("nan")
    print(
        f"training: {st.pairs_per_s:,.0f} pairs/s on 1 thread (validation excluded); "
        f"split {st.split_sizes} train/val/test"
    )
    print(
        f"run: {total:.1f} s from submit to a finished job ({train_s:.1f} s training loop with "
        f"{len(st.history)} validation rounds), {st.epochs_done:.1f} epochs, ended by "
        f"{st.ended_by}"
    )
    print(
        f"test BLEU-4 {st.test_bleu:.2f}, exact match {st.test_exact:.1%} on {st.test_n} test "
        f"pairs (best validation BLEU {max(r['val_bleu'] for r in st.history):.2f})"
    )
    print(f"CPU used / wall time while training alone: {cpu_share:.2f}")
    print(
        f"greedy translation latency, shipped model: idle {m_idle:.2f} ms (n={len(idle)}), "
        f"during training {m_busy:.2f} ms (n={len(busy)}), ratio {m_busy / m_idle:.2f} x"
    )


if __name__ == "__main__":
    main()

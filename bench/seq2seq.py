"""Speed and quality of the translation model, beside the exercise's own recipe.

    python -m bench.seq2seq [--threads 1 2] [--pairs 2000] [--rounds 3]

Prints, measured in one run on the same split (seed 0 of ``core.seq2seq.data.split_pairs``):

* training throughput (pairs/s) of the exercise's recipe (``core.seq2seq.recipe``: hidden 128,
  batch 32, one token at a time over padded length-10 sentences) and of our implementation at the
  same size (embedding and hidden 128, one-directional encoder), and their ratio, with 1 and
  with 2 threads.  The two are measured in alternating rounds of ``--pairs`` training pairs each
  and the medians compared, so that load from other processes on the machine hits both alike;
* the throughput of the shipped configuration, for reference;
* the shipped model's test BLEU, exact match and training time from its metrics JSON;
* checkpoint load time, and median latencies of greedy and beam-5 translation of one sentence
  over 100 test sentences.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

import torch

from bench.sentences import FALLBACK_SENTENCES
from core.seq2seq.data import DEFAULT_DATA, build_vocab, load_pairs, split_pairs
from core.seq2seq.model import ModelConfig, Seq2Seq, default_cutoffs, load_checkpoint
from core.seq2seq.recipe import build_recipe, train_recipe
from core.seq2seq.train import batch_loss, encode_pairs, make_batches
from core.seq2seq.translator import DEFAULT_CHECKPOINT, Translator, load_translator


class Ours:
    """Training steps of our model on the training split, in bucketed batches."""

    def __init__(
        self,
        split,
        hidden: int,
        emb: int,
        bidirectional: bool,
        batch: int,
        dropout: float,
        seed: int = 0,
    ):
        torch.manual_seed(seed)
        sv = build_vocab(p.fr for p in split.train)
        tv = build_vocab(p.en for p in split.train)
        cfg = ModelConfig(
            len(sv),
            len(tv),
            emb=emb,
            hidden=hidden,
            bidirectional=bidirectional,
            cutoffs=default_cutoffs(len(tv)),
            dropout=dropout,
        )
        self.model = Seq2Seq(cfg).train()
        self.opt = torch.optim.Adam(self.model.parameters(), lr=2e-3, fused=True)
        self.batches = make_batches(encode_pairs(split.train, sv, tv), batch, random.Random(seed))
        self.i = 0

    def run(self, n_pairs: int) -> float:
        """Train on at least ``n_pairs`` pairs; returns pairs per second."""
        done, t0 = 0, time.perf_counter()
        while done < n_pairs:
            b = self.batches[self.i % len(self.batches)]
            self.i += 1
            loss = batch_loss(self.model, b)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
            self.opt.step()
            done += b.size
        return done / (time.perf_counter() - t0)


def median_ms(fn, items) -> float:
    times = []
    for x in items:
        t0 = time.perf_counter()
        fn(x)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.seq2seq")
    ap.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=[1, 2],
        help="thread counts for the throughput comparison; the first one is used for the rest",
    )
    ap.add_argument("--pairs", type=int, default=2000, help="training pairs per round")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads[0])
    print(f"torch {torch.__version__}; latency and the shipped config at {a.threads[0]} thread(s)")

    have_corpus = DEFAULT_DATA.is_file()
    if have_corpus:
        pairs = load_pairs(DEFAULT_DATA)
        split = split_pairs(pairs, seed=0)
        print(f"{len(pairs):,} filtered pairs, split train/val/test {split.sizes()}")

        print(
            f"training throughput at hidden 128, {a.rounds} alternating rounds of {a.pairs} "
            f"pairs each (medians):"
        )
        for threads in a.threads:
            torch.set_num_threads(threads)
            rec = build_recipe(split, hidden=128, seed=0)
            ours = Ours(split, hidden=128, emb=128, bidirectional=False, batch=128, dropout=0.1)
            train_recipe(rec, split.train, epochs=1, max_pairs=64)  # warm up
            ours.run(256)
            r_rec, r_ours = [], []
            for k in range(a.rounds):
                r_rec.append(
                    train_recipe(rec, split.train, epochs=1, max_pairs=a.pairs, seed=k)[
                        "pairs_per_s"
                    ]
                )
                r_ours.append(ours.run(a.pairs))
            m_rec, m_ours = statistics.median(r_rec), statistics.median(r_ours)
            print(
                f"  {threads} thread(s): recipe (batch 32, per-token decoder, padded to 10) "
                f"{m_rec:6.0f} pairs/s [{', '.join(f'{x:.0f}' for x in r_rec)}]"
            )
            print(
                f"  {threads} thread(s): ours   (batch 128, bucketed, masked, fused GRUs)  "
                f"{m_ours:6.0f} pairs/s [{', '.join(f'{x:.0f}' for x in r_ours)}]"
                f"   ratio {m_ours / m_rec:.2f} x"
            )
        torch.set_num_threads(a.threads[0])
    else:
        split = None
        print(f"no corpus at {DEFAULT_DATA}: throughput comparison skipped")

    if not (DEFAULT_CHECKPOINT / "weights.pt").is_file():
        print(f"no shipped checkpoint in {DEFAULT_CHECKPOINT}: model figures skipped")
        return
    t0 = time.perf_counter()
    model, sv, tv, meta = load_checkpoint(DEFAULT_CHECKPOINT)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    tr = load_translator()
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    assert load_translator() is tr
    again = time.perf_counter() - t0
    tc = meta.get("train_config", {})
    if split is not None:
        shipped = Ours(
            split,
            hidden=tc["hidden"],
            emb=tc["emb"],
            bidirectional=tc["bidirectional"],
            batch=tc["batch"],
            dropout=tc["dropout"],
        )
        shipped.run(128)
        print(
            f"  shipped config (emb {tc['emb']}, hidden {tc['hidden']}, "
            f"{'bi' if tc['bidirectional'] else 'uni'}directional, batch {tc['batch']}) "
            f"{shipped.run(a.pairs):8.0f} pairs/s"
        )
    metrics = json.loads((DEFAULT_CHECKPOINT / "metrics.json").read_text())
    size = sum(f.stat().st_size for f in DEFAULT_CHECKPOINT.iterdir()) / 2**20
    print(f"shipped model ({size:.1f} MB in {DEFAULT_CHECKPOINT.name}/), from its metrics JSON:")
    print(
        f"  test BLEU-4 {metrics['test']['bleu']:.2f}, exact match "
        f"{metrics['test']['exact_match']:.1%} on {metrics['test']['n']} test pairs "
        f"(val BLEU {metrics['val']['bleu']:.2f})"
    )
    print(
        f"  beam 5: test BLEU-4 {metrics['test_beam5']['bleu']:.2f}, exact match "
        f"{metrics['test_beam5']['exact_match']:.1%}"
    )
    print(
        f"  training {metrics['train_seconds']:.0f} s ({metrics['command_seconds']:.0f} s for "
        f"the whole command up to the scores), {metrics['epochs']} epochs, "
        f"{metrics['rounds']} validations (best: {metrics['best_epoch']}), "
        f"{metrics['threads']} thread(s), {metrics['train_pairs_per_s']:.0f} pairs/s"
    )
    print(
        f"load: checkpoint {load_s * 1e3:.0f} ms; load_translator() first call "
        f"{first * 1e3:.0f} ms, again {again * 1e6:.0f} us (cached once per process)"
    )
    sents = [p.fr for p in split.test[:100]] if split is not None else FALLBACK_SENTENCES * 10
    assert isinstance(tr, Translator)
    for s in sents[:10]:
        tr.translate(s)  # warm up
    g = median_ms(lambda s: tr.translate(s, beam=1), sents)
    b = median_ms(lambda s: tr.translate(s, beam=5), sents)
    print(f"latency over {len(sents)} sentences (median): greedy {g:.2f} ms, beam 5 {b:.2f} ms")


if __name__ == "__main__":
    main()

"""Speed, memory and quality of the shipped transformer translator, beside the shipped GRU.

    python -m bench.transformer [--threads 1] [--sentences 100] [--no-beam-bleu]

Both translators run in numpy, as in the web server (one BLAS thread, ``core.threads``); torch
is imported here only to time the torch checkpoint load beside them, with ``--threads`` torch
threads (default 1).  Prints, measured in one run:

* checkpoint load time, and the first and a repeated ``load_transformer_translator()`` call;
* resident memory (RSS) added by loading and warming up the GRU, then the transformer on top;
* median latency of ``translate`` (greedy and beam 5) over the first ``--sentences`` test
  sentences, for the transformer and the GRU;
* test BLEU-4 and exact match on the 868 test pairs, recomputed here (greedy, and beam 5 unless
  ``--no-beam-bleu``), next to the numbers stored in the metrics JSON by the training command.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time

import torch

from bench.sentences import FALLBACK_SENTENCES
from bench.seq2seq import median_ms
from core.seq2seq.data import DEFAULT_DATA, load_pairs, split_pairs
from core.seq2seq.evaluate import corpus_bleu
from core.seq2seq.live.worker import rss_mb
from core.seq2seq.translator import DEFAULT_CHECKPOINT, load_translator
from core.threads import single_blas_thread
from core.transformer.model import load_checkpoint
from core.transformer.train import translate_all
from core.transformer.translator import (
    DEFAULT_TRANSFORMER_CHECKPOINT,
    load_transformer_translator,
)


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.transformer")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--sentences", type=int, default=100)
    ap.add_argument("--no-beam-bleu", action="store_true", help="skip the beam-5 test BLEU")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    single_blas_thread()  # as the server does (ui/__init__.py)
    ck = DEFAULT_TRANSFORMER_CHECKPOINT
    if not (ck / "weights.pt").is_file():
        print(f"no shipped transformer in {ck} (python -m core.transformer.train)")
        return
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    have_corpus = DEFAULT_DATA.is_file()
    split = split_pairs(load_pairs(DEFAULT_DATA), seed=0) if have_corpus else None
    sents = (
        [p.fr for p in split.test[: a.sentences]]
        if split is not None
        else (FALLBACK_SENTENCES * (a.sentences // 10 + 1))[: a.sentences]
    )

    gc.collect()
    rss0 = rss_mb(os.getpid())
    gru = load_translator() if (DEFAULT_CHECKPOINT / "weights.pt").is_file() else None
    if gru is not None:
        for s in sents[:10]:
            gru.translate(s, beam=5)
    gc.collect()
    rss1 = rss_mb(os.getpid())
    t0 = time.perf_counter()
    load_checkpoint(ck)
    load_s = time.perf_counter() - t0
    gc.collect()
    t0 = time.perf_counter()
    tr = load_transformer_translator()
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    assert load_transformer_translator() is tr
    again = time.perf_counter() - t0
    for s in sents[:10]:
        tr.translate(s, beam=5)  # warm up
    gc.collect()
    rss2 = rss_mb(os.getpid())
    size = sum(f.stat().st_size for f in ck.iterdir()) / 2**20
    print(
        f"transformer checkpoint: {size:.1f} MB in {ck.name}/, "
        f"{tr.model.n_parameters():,} parameters"
    )
    print(
        f"load: checkpoint {load_s * 1e3:.0f} ms; load_transformer_translator() first call "
        f"{first * 1e3:.0f} ms, again {again * 1e6:.0f} us (cached once per process)"
    )
    print(
        f"RSS: {rss0:.0f} MB with torch imported; +{rss1 - rss0:.0f} MB after loading and "
        f"using the GRU; +{rss2 - rss1:.0f} MB more for the transformer (both: "
        f"+{rss2 - rss0:.0f} MB)"
    )

    g = median_ms(lambda s: tr.translate(s, beam=1), sents)
    b = median_ms(lambda s: tr.translate(s, beam=5), sents)
    print(
        f"transformer latency over {len(sents)} test sentences (median): greedy {g:.2f} ms, "
        f"beam 5 {b:.2f} ms"
    )
    if gru is not None:
        gg = median_ms(lambda s: gru.translate(s, beam=1), sents)
        gb = median_ms(lambda s: gru.translate(s, beam=5), sents)
        print(
            f"GRU latency, same sentences (median):                greedy {gg:.2f} ms, "
            f"beam 5 {gb:.2f} ms"
        )

    metrics = json.loads((ck / "metrics.json").read_text())
    if split is not None:
        refs = [p.en for p in split.test]
        t0 = time.perf_counter()
        hyps = translate_all(tr.model, [p.fr for p in split.test], tr.src_vocab, tr.tgt_vocab)
        dt = time.perf_counter() - t0
        exact = sum(h == r for h, r in zip(hyps, refs, strict=True)) / len(refs)
        print(
            f"test BLEU-4 greedy {corpus_bleu(hyps, refs):.2f}, exact match {exact:.1%} on "
            f"{len(refs)} pairs (batched, {dt:.1f} s); metrics JSON: "
            f"{metrics['test']['bleu']:.2f}, {metrics['test']['exact_match']:.1%}"
        )
        if not a.no_beam_bleu:
            t0 = time.perf_counter()
            hyps = translate_all(
                tr.model, [p.fr for p in split.test], tr.src_vocab, tr.tgt_vocab, beam=5
            )
            dt = time.perf_counter() - t0
            exact = sum(h == r for h, r in zip(hyps, refs, strict=True)) / len(refs)
            stored = metrics.get("test_beam5", {})
            print(
                f"test BLEU-4 beam 5 {corpus_bleu(hyps, refs):.2f}, exact match {exact:.1%} "
                f"({dt:.1f} s); metrics JSON: {stored.get('bleu', float('nan')):.2f}, "
                f"{stored.get('exact_match', float('nan')):.1%}"
            )
    else:
        print(
            f"no corpus at {DEFAULT_DATA}: test BLEU from the metrics JSON only: "
            f"{metrics['test']['bleu']:.2f}"
        )
    print(
        f"validation BLEU-4 {metrics['val']['bleu']:.2f}; training {metrics['train_seconds']:.0f}"
        f" s, {metrics['steps']} steps, {metrics['threads']} thread(s)"
    )
    if gru is not None:
        gm = json.loads((DEFAULT_CHECKPOINT / "metrics.json").read_text())
        print(
            f"GRU (metrics JSON): test BLEU-4 {gm['test']['bleu']:.2f}, exact match "
            f"{gm['test']['exact_match']:.1%}; transformer - GRU = "
            f"{metrics['test']['bleu'] - gm['test']['bleu']:+.2f} BLEU"
        )


if __name__ == "__main__":
    main()

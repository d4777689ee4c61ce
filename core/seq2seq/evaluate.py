"""Corpus BLEU-4 (sacrebleu, one reference), exact match and examples on held-out pairs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from core.seq2seq.data import UNK, Pair, Vocab, encode_source, pad_batch
from core.seq2seq.decode import MAX_DECODE_STEPS, beam_search, greedy_batch
from core.seq2seq.model import Seq2Seq

EVAL_BATCH = 256


def corpus_bleu(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Corpus BLEU-4 in percent (sacrebleu defaults: 13a tokenisation, exponential smoothing
    off), one reference per sentence."""
    import sacrebleu

    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references.")
    if not hypotheses:
        return 0.0
    return float(sacrebleu.corpus_bleu(list(hypotheses), [list(references)], force=True).score)


def source_ids(sentence: str, vocab: Vocab) -> list[int]:
    """Model ids of a normalised French sentence (unseen inflections read as seen ones)."""
    return encode_source(sentence.split(), vocab)[0]


def translate_batch(
    model: Seq2Seq,
    sentences: Sequence[str],
    src_vocab: Vocab,
    tgt_vocab: Vocab,
    batch: int = EVAL_BATCH,
    max_steps: int = MAX_DECODE_STEPS,
) -> list[str]:
    """Greedy translations of normalised, space-tokenised French sentences, in input order.
    Sentences are batched by length; an empty sentence gives an empty translation."""
    ids = [source_ids(s, src_vocab) for s in sentences]
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = [""] * len(ids)
    todo = [i for i in order if ids[i]]
    for b in range(0, len(todo), batch):
        idx = todo[b : b + batch]
        src, src_len = pad_batch([ids[i] for i in idx])
        with torch.inference_mode():
            r = greedy_batch(model, src, src_len, max_steps)
        for row, i in enumerate(idx):
            out[i] = " ".join(tgt_vocab.decode(r["ids"][row].tolist()))
    return out


@dataclass(frozen=True, eq=False)
class EvalReport:
    """Scores of greedy translations of ``n`` pairs."""

    bleu: float  # corpus BLEU-4, percent
    exact_match: float  # fraction of translations equal to the reference
    n: int
    examples: list[tuple[str, str, str]]  # (French, reference, translation), first few pairs
    unknown_rate: float  # fraction of source tokens that are UNK

    def as_dict(self) -> dict:
        return {
            "bleu": round(self.bleu, 2),
            "exact_match": round(self.exact_match, 4),
            "n": self.n,
            "unknown_rate": round(self.unknown_rate, 4),
        }


def evaluate(
    model: Seq2Seq,
    pairs: Sequence[Pair],
    src_vocab: Vocab,
    tgt_vocab: Vocab,
    n_examples: int = 10,
    beam: int = 1,
) -> EvalReport:
    """Translate the French side of ``pairs`` (greedy in batches, or beam search of width
    ``beam`` one sentence at a time) and score against the English side."""
    if beam == 1:
        hyps = translate_batch(model, [p.fr for p in pairs], src_vocab, tgt_vocab)
    else:
        hyps = []
        for p in pairs:
            ids = source_ids(p.fr, src_vocab)
            best = beam_search(model, ids, beam)[0] if ids else None
            hyps.append(" ".join(tgt_vocab.decode(best.ids.tolist())) if best else "")
    refs = [p.en for p in pairs]
    exact = sum(h == r for h, r in zip(hyps, refs, strict=True)) / max(1, len(refs))
    n_tok = sum(len(p.fr.split()) for p in pairs)
    n_unk = sum(i == UNK for p in pairs for i in source_ids(p.fr, src_vocab))
    ex = [(p.fr, p.en, h) for p, h in zip(pairs[:n_examples], hyps, strict=False)]
    return EvalReport(corpus_bleu(hyps, refs), exact, len(pairs), ex, n_unk / max(1, n_tok))

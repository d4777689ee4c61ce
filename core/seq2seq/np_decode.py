"""Greedy decoding and beam search of one sentence with the numpy model (``Seq2SeqNumpy``).

The same rules and results as ``core.seq2seq.decode`` (torch), which imports the torch-free
pieces from here: the ``Decoded`` hypothesis, the step limit ``MAX_DECODE_STEPS``, the number
``TOP_K`` of alternatives recorded per step, and the tokens a decoder never writes
(``NEVER_OUTPUT``: the start and padding tokens).

Beam search scores a hypothesis by the sum of its tokens' log-probabilities (EOS included);
with width 1 it is exactly greedy decoding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.numerics import is_int
from core.seq2seq.config import MAX_BEAM
from core.seq2seq.data import EOS, PAD, SOS
from core.seq2seq.np_model import Seq2SeqNumpy

__all__ = [
    "MAX_BEAM",
    "MAX_DECODE_STEPS",
    "NEVER_OUTPUT",
    "TOP_K",
    "Decoded",
    "beam_search",
    "greedy",
    "topk",
]

MAX_DECODE_STEPS = 20  # targets have at most 9 tokens + EOS; leave room for long inputs
TOP_K = 5

NEVER_OUTPUT = (SOS, PAD)  # tokens a decoder may score but must never write
_NEVER_OUTPUT = list(NEVER_OUTPUT)


def _allowed(logp: np.ndarray) -> np.ndarray:
    """logp (n, V) with the start and padding tokens ruled out (an undertrained model can give
    them mass; they are inputs, never words of a translation).  Changes ``logp`` in place."""
    logp[:, _NEVER_OUTPUT] = -np.inf
    return logp


def topk(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k largest values of each row of x (..., V) and their indices (..., k), largest
    first; equal values in index order."""
    k = min(k, x.shape[-1])
    if k < x.shape[-1]:
        part = np.argpartition(-x, k - 1, axis=-1)[..., :k]  # (..., k) in no order
    else:
        part = np.broadcast_to(np.arange(x.shape[-1]), x.shape)
    vals = np.take_along_axis(x, part, axis=-1)
    order = np.lexsort((part, -vals), axis=-1)  # by value descending, then index
    return np.take_along_axis(vals, order, axis=-1), np.take_along_axis(part, order, axis=-1)


@dataclass(frozen=True, eq=False)
class Decoded:
    """One decoded hypothesis.  N steps: the output tokens, then EOS when ``ended``.

    ids        (N,) int token ids, EOS included when ``ended``
    attention  (N, S) attention weights of each step over the S source tokens
    logprobs   (N,) log-probability of each chosen token
    top_ids    (N, k) the k most probable tokens at each step (after the same prefix)
    top_probs  (N, k) their probabilities
    score      sum of ``logprobs`` (the beam search's ranking score)
    ended      whether EOS was produced within the step limit
    """

    ids: np.ndarray
    attention: np.ndarray
    logprobs: np.ndarray
    top_ids: np.ndarray
    top_probs: np.ndarray
    score: float
    ended: bool

    @property
    def n_words(self) -> int:
        """Output tokens without the final EOS."""
        return len(self.ids) - int(self.ended)


@dataclass
class _Hyp:
    """An open beam-search prefix (both decoders' beam searches build ``Decoded`` from it)."""

    ids: list[int]
    attn: list[np.ndarray]
    lps: list[float]
    tids: list[np.ndarray]
    tps: list[np.ndarray]
    score: float

    def extend(self, tok: int, lp: float, a, ti, tp) -> _Hyp:
        return _Hyp(
            self.ids + [tok],
            self.attn + [a],
            self.lps + [lp],
            self.tids + [ti],
            self.tps + [tp],
            self.score + lp,
        )

    def freeze(self, ended: bool, S: int, k: int) -> Decoded:
        n = len(self.ids)
        return Decoded(
            ids=np.array(self.ids, dtype=np.int64),
            attention=np.stack(self.attn) if n else np.zeros((0, S), np.float32),
            logprobs=np.array(self.lps, dtype=np.float64),
            top_ids=np.stack(self.tids) if n else np.zeros((0, k), np.int64),
            top_probs=np.stack(self.tps) if n else np.zeros((0, k), np.float32),
            score=float(self.score),
            ended=ended,
        )


def greedy(
    model: Seq2SeqNumpy,
    src_ids: list[int],
    max_steps: int = MAX_DECODE_STEPS,
    top_k: int = TOP_K,
) -> Decoded:
    """Greedy decoding of one sentence given as source ids (at least one): the most probable
    allowed token at each step until EOS or ``max_steps`` tokens."""
    if not len(src_ids):
        raise ValueError("greedy needs at least one source token.")
    enc = model.encode(src_ids)
    s = enc.h0[None]  # (1, H)
    y = np.array([SOS])
    tk = max(1, int(top_k))
    ids, attn, lps, tids, tps = [], [], [], [], []
    for _t in range(max_steps):
        logp, s, a = model.step(y, s, enc)  # (1, V), (1, H), (1, S)
        tv, ti = topk(_allowed(logp)[0], tk)  # (k,) sorted: the argmax first
        y = ti[:1]
        ids.append(int(ti[0]))
        attn.append(a[0])
        lps.append(float(tv[0]))
        tids.append(ti.astype(np.int64))
        tps.append(np.exp(tv))
        if ids[-1] == EOS:
            break
    lp = np.array(lps, dtype=np.float64)
    return Decoded(
        ids=np.array(ids, dtype=np.int64),
        attention=np.stack(attn),
        logprobs=lp,
        top_ids=np.stack(tids),
        top_probs=np.stack(tps),
        score=float(lp.sum()),
        ended=bool(ids and ids[-1] == EOS),
    )


def beam_search(
    model: Seq2SeqNumpy,
    src_ids: list[int],
    beam: int = 5,
    max_steps: int = MAX_DECODE_STEPS,
    top_k: int = TOP_K,
) -> list[Decoded]:
    """Beam search of width ``beam`` (1 to 10) over one sentence.

    Keeps the ``beam`` best unfinished prefixes by total log-probability.  At each step the
    2 * beam best extensions are scanned in order: an EOS among the first ``beam`` of them
    finishes a hypothesis, the others fill the next beam.  Since log-probabilities are <= 0,
    scores only fall as a prefix grows, so the search stops as soon as ``beam`` hypotheses are
    finished and no open prefix scores above the worst of them.  Prefixes still open after
    ``max_steps`` count as finished (``ended`` False).

    Returns up to ``beam`` hypotheses, best first, scores non-increasing.  With ``beam`` = 1 this
    is ``greedy``.
    """
    if not is_int(beam) or not 1 <= beam <= MAX_BEAM:
        raise ValueError(f"beam must be an integer from 1 to {MAX_BEAM}, got {beam!r}.")
    if not len(src_ids):
        raise ValueError("beam_search needs at least one source token.")
    k = int(beam)
    S = len(src_ids)
    enc = model.encode(src_ids)
    live = [_Hyp([], [], [], [], [], 0.0)]
    s = enc.h0[None]  # (n, H)
    finished: list[Decoded] = []
    tk = max(1, top_k)
    for _t in range(max_steps):
        y = np.array([h.ids[-1] if h.ids else SOS for h in live])
        logp, s_new, a = model.step(y, s, enc)  # (n, V), (n, H), (n, S)
        n, V = logp.shape
        # one partial sort per row serves both the alternatives (first tk) and the candidates:
        # the 2 k best extensions overall are among the 2 k best of each row
        top_v, top_i = topk(_allowed(logp), max(tk, 2 * k))  # (n, kk) best first
        tv, ti = np.exp(top_v[:, :tk]), top_i[:, :tk]  # (n, tk)
        cand = np.array([h.score for h in live])[:, None] + top_v[:, : 2 * k].astype(np.float64)
        idx = np.arange(n)[:, None] * V + top_i[:, : 2 * k]  # (n, <= 2 k) index in (n, V)
        order = np.lexsort((idx.ravel(), -cand.ravel()))[: min(2 * k, n * V)]
        best_v, best_i = cand.ravel()[order], idx.ravel()[order]  # by score, then index
        live, parents, finished, stop = beam_advance(
            live, finished, best_v.tolist(), best_i.tolist(), V, k, (a, ti, tv), S
        )
        s = s_new[parents]
        if stop:
            break
    else:
        finished.extend(h.freeze(False, S, tk) for h in live)
    finished.sort(key=lambda d: -d.score)
    return finished[:k]


def beam_advance(
    live: list[_Hyp],
    finished: list[Decoded],
    best_v: list[float],
    best_i: list[int],
    V: int,
    k: int,
    rows: tuple[np.ndarray, np.ndarray, np.ndarray],
    S: int,
) -> tuple[list[_Hyp], list[int], list[Decoded], bool]:
    """One step of beam search's bookkeeping, shared by the numpy and the torch decoder.

    ``best_v``/``best_i``: the up to 2 k best extensions, best first, as (total score, index
    p * V + token into the live prefixes' (n, V) scores); ``rows``: per live prefix its
    attention row (n, S), top-k ids and probabilities (n, tk).  Scanned in order, an EOS among
    the first k finishes a hypothesis and the others fill the next beam.  Returns the new live
    prefixes, the index of each one's parent (to reorder the decoder states), the k best
    finished hypotheses, best first, and whether the search is over (no live prefix, or k
    finished and no live prefix scoring above the worst of them)."""
    a, ti, tv = rows
    tk = ti.shape[1]
    nxt: list[_Hyp] = []
    parents: list[int] = []
    for rank, (sc, flat) in enumerate(zip(best_v, best_i, strict=True)):
        p, tok = divmod(flat, V)
        lp = sc - live[p].score
        if tok == EOS:
            if rank < k:
                finished.append(live[p].extend(tok, lp, a[p], ti[p], tv[p]).freeze(True, S, tk))
            continue
        if len(nxt) < k:
            nxt.append(live[p].extend(tok, lp, a[p], ti[p], tv[p]))
            parents.append(p)
    finished = sorted(finished, key=lambda d: -d.score)[:k]
    stop = not nxt or (len(finished) >= k and max(h.score for h in nxt) <= finished[-1].score)
    return nxt, parents, finished, stop

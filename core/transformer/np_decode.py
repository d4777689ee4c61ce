"""Greedy decoding and beam search of the numpy transformer (``core.transformer.np_model``),
with per-step traces: what the web server runs, without torch.

The same procedure, stop rules and ``DecodeTrace`` as the torch decoder
(``core.transformer.decode``, which re-exports ``DecodeTrace`` and the limits from here): at
step t the decoder reads SOS, y_1 .. y_t, and the final linear + log-softmax (SOS and PAD ruled
out) gives the distribution of y_{t+1}; greedy decoding writes its argmax until EOS or
``MAX_DECODE_STEPS`` words.  The trace of an output is one teacher-forced pass over it (the
causal mask makes its rows those of the step-by-step decoding).  Greedy decoding runs the
encoder once for both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.seq2seq.data import EOS, PAD, SOS
from core.transformer.np_model import NumpyTransformer, log_softmax

MAX_DECODE_STEPS = 20  # as the GRU's decoder: targets have at most 9 words + EOS
TOP_K = 5
MAX_BEAM = 10
NEVER_OUTPUT = (SOS, PAD)  # inputs of the decoder, never words of a translation


@dataclass(frozen=True, eq=False)
class DecodeTrace:
    """One decoded sentence, N steps (the words, then EOS when ``ended``), S source tokens,
    L decoder layers, H heads, L_enc encoder layers.

    ids              (N,) chosen token ids (argmax for greedy), EOS last when ``ended``
    inputs           (N,) decoder input at each step: SOS, ids[0], ..., ids[N-2]
    logprobs         (N,) log-probability of each chosen token
    top_ids          (N, k) the k most probable next tokens at each step, best first
    top_probs        (N, k) their probabilities
    self_attention   (L, H, N, N) row t: masked self-attention of step t over inputs 0 .. t
                     (zero above the diagonal)
    cross_attention  (L, H, N, S) row t: attention of step t over the French tokens
    encoder_attention (L_enc, H, S, S) the encoder's self-attention
    causal_mask      (N, N) bool, True where attending is allowed (lower triangle)
    score            sum of ``logprobs``
    ended            EOS was produced within the step limit
    """

    ids: np.ndarray
    inputs: np.ndarray
    logprobs: np.ndarray
    top_ids: np.ndarray
    top_probs: np.ndarray
    self_attention: np.ndarray
    cross_attention: np.ndarray
    encoder_attention: np.ndarray
    causal_mask: np.ndarray
    score: float
    ended: bool

    @property
    def n_words(self) -> int:
        """Output tokens without the final EOS."""
        return len(self.ids) - int(self.ended)

    @property
    def attention(self) -> np.ndarray:
        """(N, S) the last decoder layer's cross-attention averaged over heads: the one map
        shown beside the GRU's attention (rows sum to 1)."""
        return self.cross_attention[-1].mean(axis=0)


def check_beam(beam) -> int:
    """``beam`` as an int from 1 to ``MAX_BEAM``; ``ValueError`` otherwise."""
    if (
        isinstance(beam, bool)
        or not isinstance(beam, (int, np.integer))
        or not (1 <= beam <= MAX_BEAM)
    ):
        raise ValueError(f"beam must be an integer from 1 to {MAX_BEAM}, got {beam!r}.")
    return int(beam)


def allowed_logp(logits: np.ndarray) -> np.ndarray:
    """log-softmax over the vocabulary (float32) with SOS and PAD ruled out.  logits (..., V)."""
    logp = log_softmax(np.asarray(logits, dtype=np.float32))
    logp[..., list(NEVER_OUTPUT)] = -np.inf
    return logp


def _top_k(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k largest entries of each row of x (..., V), largest first (ties: lower index
    first): (values (..., k), indices (..., k))."""
    k = min(k, x.shape[-1])
    part = np.argpartition(-x, k - 1, axis=-1)[..., :k] if k < x.shape[-1] else None
    idx = np.broadcast_to(np.arange(x.shape[-1]), x.shape) if part is None else part
    vals = np.take_along_axis(x, idx, -1)
    order = np.lexsort((idx, -vals), axis=-1)  # by value descending, then index
    idx = np.take_along_axis(idx, order, -1)
    return np.take_along_axis(x, idx, -1), idx.astype(np.int64)


def _src(src_ids) -> np.ndarray:
    ids = [int(i) for i in src_ids]
    if not ids:
        raise ValueError("decoding needs at least one source token.")
    return np.array([ids], dtype=np.int64)  # (1, S)


def trace_output(
    model: NumpyTransformer, src_ids, out_ids, top_k: int = TOP_K, encoded=None
) -> DecodeTrace:
    """The trace of a given output ``out_ids`` (N,) for source ``src_ids`` (S,): one
    teacher-forced pass with every attention weight kept.  ``encoded``: the source's
    ``model.encode(src, need_weights=True)`` if already computed."""
    src = _src(src_ids)
    out = [int(i) for i in out_ids]
    N = len(out)
    inputs = [SOS] + out[:-1] if N else []
    memory, allowed, w_enc = encoded or model.encode(src, need_weights=True)
    S, H = src.shape[1], model.cfg.n_heads
    enc = np.stack([w[0] for w in w_enc])  # (L_enc, H, S, S)
    if N == 0:
        L = model.cfg.dec_layers
        return DecodeTrace(
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros(0),
            np.zeros((0, top_k), np.int64),
            np.zeros((0, top_k), np.float32),
            np.zeros((L, H, 0, 0), np.float32),
            np.zeros((L, H, 0, S), np.float32),
            enc,
            np.zeros((0, 0), bool),
            0.0,
            False,
        )
    tgt_in = np.array([inputs], dtype=np.int64)  # (1, N)
    h, w_self, w_cross = model.decode(tgt_in, memory, allowed, need_weights=True)
    logp = allowed_logp(model.logits(h))[0]  # (N, V)
    k = max(1, min(int(top_k), logp.shape[-1]))
    tv, ti = _top_k(logp, k)  # (N, k)
    lp = logp[np.arange(N), out].astype(np.float64)  # (N,)
    return DecodeTrace(
        ids=np.array(out, dtype=np.int64),
        inputs=np.array(inputs, dtype=np.int64),
        logprobs=lp,
        top_ids=ti,
        top_probs=np.exp(tv),
        self_attention=np.stack([w[0] for w in w_self]),  # (L, H, N, N)
        cross_attention=np.stack([w[0] for w in w_cross]),  # (L, H, N, S)
        encoder_attention=enc,
        causal_mask=np.tril(np.ones((N, N), dtype=bool)),
        score=float(lp.sum()),
        ended=out[-1] == EOS,
    )


def _trim(row: np.ndarray) -> np.ndarray:
    """A greedy_batch row up to and including its first EOS."""
    ends = np.flatnonzero(row == EOS)
    return row[: int(ends[0]) + 1] if len(ends) else row


def greedy(
    model: NumpyTransformer, src_ids, max_steps: int = MAX_DECODE_STEPS, top_k: int = TOP_K
) -> DecodeTrace:
    """Greedy decoding of one sentence (source ids, at least one) with its full trace (the
    encoder runs once, for both)."""
    src = _src(src_ids)
    encoded = model.encode(src, need_weights=True)
    ids = _trim(greedy_batch(model, src, max_steps, encoded[:2])[0])
    return trace_output(model, src_ids, [int(i) for i in ids], top_k, encoded)


def greedy_batch(
    model: NumpyTransformer, src, max_steps: int = MAX_DECODE_STEPS, encoded=None
) -> np.ndarray:
    """Greedy decoding of a batch src (B, S) (PAD-padded).  Returns ids (B, N): after a
    sentence's EOS only EOS follows.  ``encoded``: (memory, src_allowed) of
    ``model.encode(src)`` if already computed."""
    src = np.asarray(src, dtype=np.int64)
    B = src.shape[0]
    memory, allowed = encoded or model.encode(src)[:2]
    kv = model.memory_kv(memory)
    caches = [None] * len(kv)
    y = np.full(B, SOS, dtype=np.int64)
    done = np.zeros(B, dtype=bool)
    steps = []
    for t in range(max_steps):
        logits, caches = model.decode_step(y, t, kv, allowed, caches)
        y = allowed_logp(logits).argmax(-1)  # (B,)
        y = np.where(done, EOS, y)
        steps.append(y)
        done |= y == EOS
        if done.all():
            break
    return np.stack(steps, 1)  # (B, N)


def beam_search(
    model: NumpyTransformer,
    src_ids,
    beam: int = 5,
    max_steps: int = MAX_DECODE_STEPS,
    top_k: int = TOP_K,
) -> list[DecodeTrace]:
    """Beam search of width ``beam`` (1 .. 10): keeps the ``beam`` best open prefixes by total
    log-probability; of the 2 * beam best extensions, an EOS among the first ``beam`` finishes
    a hypothesis and the others fill the next beam.  Log-probabilities are <= 0, so the search
    stops once ``beam`` hypotheses are finished and no open prefix scores above the worst.
    Returns up to ``beam`` traces, best first.  Width 1 is greedy decoding."""
    k = check_beam(beam)
    src = _src(src_ids)
    memory1, allowed1, _ = model.encode(src)
    kv1 = model.memory_kv(memory1)  # [(1, H, S, d_k) x 2] per layer
    live: list[tuple[list[int], float]] = [([], 0.0)]
    caches: list = [None] * len(kv1)
    finished: list[tuple[list[int], float, bool]] = []
    for t in range(max_steps):
        n = len(live)
        y = np.array([ids[-1] if ids else SOS for ids, _ in live], dtype=np.int64)  # (n,)
        kv = [(np.broadcast_to(K, (n, *K.shape[1:])), np.broadcast_to(V, (n, *V.shape[1:])))
              for K, V in kv1]  # fmt: skip
        logits, caches = model.decode_step(y, t, kv, allowed1, caches)
        logp = allowed_logp(logits).astype(np.float64)  # (n, V)
        scores = np.array([s for _, s in live], dtype=np.float64)[:, None] + logp  # (n, V)
        m = min(2 * k, scores.size)
        best_v, best_i = _top_k(scores.reshape(-1), m)
        live, parents, finished, stop = beam_advance(
            live, finished, best_v.tolist(), best_i.tolist(), logp.shape[1], k
        )
        if parents:  # the caches follow their hypotheses
            idx = np.array(parents, dtype=np.int64)
            caches = [(K[idx], V[idx]) for K, V in caches]
        if stop:
            break
    else:
        finished.extend((ids, s, False) for ids, s in live)
    finished.sort(key=lambda f: -f[1])
    return [trace_output(model, src_ids, ids, top_k) for ids, _, _ in finished[:k]]


Prefix = tuple[list[int], float]  # an open hypothesis: its ids and total log-probability
Finished = tuple[list[int], float, bool]  # ids, score, whether it ended with EOS


def beam_advance(
    live: list[Prefix],
    finished: list[Finished],
    best_v: list[float],
    best_i: list[int],
    n_vocab: int,
    k: int,
) -> tuple[list[Prefix], list[int], list[Finished], bool]:
    """One step of beam search's bookkeeping, shared by the numpy and the torch decoder.

    ``best_v``/``best_i``: the up to 2 k best extensions, best first, as (total score, index
    p * n_vocab + token into the live prefixes' (n, n_vocab) scores).  Scanned in order, an
    EOS among the first k finishes a hypothesis and the others fill the next beam.  Returns the
    new live prefixes, the index of each one's parent (to reorder the decoder caches), the k
    best finished hypotheses, best first, and whether the search is over (no live prefix, or k
    finished and no live prefix scoring above the worst of them)."""
    nxt: list[Prefix] = []
    parents: list[int] = []
    for rank, (sc, flat) in enumerate(zip(best_v, best_i, strict=True)):
        p, tok = divmod(flat, n_vocab)
        if tok == EOS:
            if rank < k:
                finished.append((live[p][0] + [EOS], sc, True))
            continue
        if len(nxt) < k:
            nxt.append((live[p][0] + [tok], sc))
            parents.append(p)
    finished = sorted(finished, key=lambda f: -f[1])[:k]
    stop = not nxt or (len(finished) >= k and max(s for _, s in nxt) <= finished[-1][1])
    return nxt, parents, finished, stop

"""Greedy decoding (review question 4: "picks the word with the highest probability at each time
step") and beam search, both recording the attention and the per-step probabilities.

``greedy_batch`` decodes many sentences at once (for evaluation); ``greedy`` and
``beam_search`` decode one sentence and return ``Decoded`` hypotheses with, per output step,
the attention row over the source tokens and the top-k alternatives with their probabilities.
Beam search scores a hypothesis by the sum of its tokens' log-probabilities (EOS included);
with width 1 it is exactly greedy decoding.

``Decoded``, ``MAX_DECODE_STEPS``, ``TOP_K`` and ``NEVER_OUTPUT`` live in
``core.seq2seq.np_decode`` (no torch; the same decoders for the numpy model) and are
re-exported here.
"""

from __future__ import annotations

import numpy as np
import torch

from core.numerics import is_int
from core.seq2seq.config import MAX_BEAM
from core.seq2seq.data import EOS, SOS, pad_batch
from core.seq2seq.model import Encoded, Seq2Seq
from core.seq2seq.np_decode import (
    MAX_DECODE_STEPS,
    NEVER_OUTPUT,
    TOP_K,
    Decoded,
    _Hyp,
    beam_advance,
)

_NEVER_OUTPUT = torch.tensor(NEVER_OUTPUT)  # built once: _allowed runs at every decoding step


def _allowed(logp: torch.Tensor) -> torch.Tensor:
    """logp (B, V) with the start and padding tokens ruled out (an undertrained model can give
    them mass; they are inputs, never words of a translation)."""
    return logp.index_fill(1, _NEVER_OUTPUT, float("-inf"))


def _expand(enc: Encoded, n: int) -> Encoded:
    return Encoded(*(x.expand(n, *x.shape[1:]) for x in enc))


@torch.inference_mode()
def greedy_batch(
    model: Seq2Seq,
    src: torch.Tensor,
    src_len: torch.Tensor,
    max_steps: int = MAX_DECODE_STEPS,
    top_k: int = 0,
) -> dict[str, torch.Tensor]:
    """Greedy decoding of a batch.  src (B, S) padded, src_len (B,).

    Returns a dict: ``ids`` (B, N) chosen tokens (after the first EOS only EOS follows),
    ``lengths`` (B,) steps up to and including EOS (N when no EOS), ``attention`` (B, N, S),
    ``logprobs`` (B, N), and with ``top_k`` > 0 ``top_ids`` / ``top_probs`` (B, N, top_k).
    Each sentence's result is the same as decoding it alone (padding is masked out).
    """
    model.eval()
    B = src.shape[0]
    enc = model.encode(src, src_len)
    s = enc.h0
    y = torch.full((B,), SOS, dtype=torch.long)
    done = torch.zeros(B, dtype=torch.bool)
    ids, attn, lps, tids, tps = [], [], [], [], []
    lengths = torch.full((B,), max_steps, dtype=torch.long)
    for t in range(max_steps):
        logp, s, a = model.step(y, s, enc)  # (B, V), (B, H), (B, S)
        logp = _allowed(logp)
        if top_k:
            tv, ti = logp.topk(top_k, dim=-1)  # sorted: column 0 is the argmax
            lp, y = tv[:, 0], ti[:, 0]
            tids.append(ti)
            tps.append(tv.exp())
        else:
            lp, y = logp.max(dim=-1)
        if B == 1:  # one sentence: no bookkeeping of finished rows
            ids.append(y)
            attn.append(a)
            lps.append(lp)
            if int(y) == EOS:
                lengths[0] = t + 1
                break
            continue
        y = torch.where(done, torch.full_like(y, EOS), y)
        ids.append(y)
        attn.append(a)
        lps.append(torch.where(done, torch.zeros_like(lp), lp))
        newly = (y == EOS) & ~done
        lengths[newly] = t + 1
        done |= newly
        if bool(done.all()):
            break
    out = {
        "ids": torch.stack(ids, 1),
        "lengths": lengths.clamp(max=len(ids)),
        "attention": torch.stack(attn, 1),
        "logprobs": torch.stack(lps, 1),
    }
    if top_k:
        out["top_ids"] = torch.stack(tids, 1)
        out["top_probs"] = torch.stack(tps, 1)
    return out


def greedy(
    model: Seq2Seq, src_ids: list[int], max_steps: int = MAX_DECODE_STEPS, top_k: int = TOP_K
) -> Decoded:
    """Greedy decoding of one sentence given as source ids (at least one)."""
    if not src_ids:
        raise ValueError("greedy needs at least one source token.")
    src, src_len = pad_batch([src_ids])
    r = greedy_batch(model, src, src_len, max_steps, top_k)
    n = int(r["lengths"][0])
    ids = r["ids"][0, :n].numpy()
    lp = r["logprobs"][0, :n].numpy().astype(np.float64)
    return Decoded(
        ids=ids,
        attention=r["attention"][0, :n].numpy(),
        logprobs=lp,
        top_ids=r["top_ids"][0, :n].numpy(),
        top_probs=r["top_probs"][0, :n].numpy(),
        score=float(lp.sum()),
        ended=bool(n and ids[-1] == EOS),
    )


@torch.inference_mode()
def beam_search(
    model: Seq2Seq,
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
    if not src_ids:
        raise ValueError("beam_search needs at least one source token.")
    model.eval()
    k = int(beam)
    src, src_len = pad_batch([src_ids])
    S = src.shape[1]
    enc1 = model.encode(src, src_len)
    live = [_Hyp([], [], [], [], [], 0.0)]
    s = enc1.h0
    finished: list[Decoded] = []
    tk = max(1, top_k)
    for _t in range(max_steps):
        n = len(live)
        enc = _expand(enc1, n)
        y = torch.tensor([h.ids[-1] if h.ids else SOS for h in live], dtype=torch.long)
        logp, s_new, a = model.step(y, s, enc)  # (n, V), (n, H), (n, S)
        logp = _allowed(logp)
        tv, ti = logp.topk(tk, dim=-1)
        tv, ti, a_np = tv.exp().numpy(), ti.numpy(), a.numpy()
        scores = torch.tensor([h.score for h in live], dtype=torch.float64)[:, None] + logp.double()
        m = min(2 * k, scores.numel())
        best_v, best_i = scores.view(-1).topk(m)
        live, parents, finished, stop = beam_advance(
            live, finished, best_v.tolist(), best_i.tolist(), logp.shape[1], k, (a_np, ti, tv), S
        )
        s = s_new[torch.tensor(parents, dtype=torch.long)] if parents else s_new[:0]
        if stop:
            break
    else:
        finished.extend(h.freeze(False, S, tk) for h in live)
    finished.sort(key=lambda d: -d.score)
    return finished[:k]

"""The GRU encoder-decoder with attention of ``core.seq2seq.model`` for inference, in numpy.

The web server translates with this (torch's import alone costs ~224 MB of resident memory);
torch stays for training and for the tests that check this module against ``Seq2Seq``.  The
math is ``Seq2Seq`` in eval mode (no dropout), float32 throughout, one source sentence at a
time (so no padding) and any number of decoder states at once (the beam's hypotheses).

Shapes: S source tokens, n decoder states (hypotheses), E embedding size, H hidden size, D = 2
for a bidirectional encoder (else 1), A attention size, O output layer size, V target vocabulary.

GRU cell (torch's gate order r, z, n in the stacked weights (3 H, .))::

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
    z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
    h' = (1 - z) * n + z * h

``param_shapes(cfg)`` gives the names and shapes of ``Seq2Seq(cfg).state_dict()`` without
building it; ``Seq2SeqNumpy(weights, cfg)`` takes such a dict of arrays (kept as float32, no
further copies: the products use transposed views).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from core.seq2seq.config import ModelConfig

__all__ = ["DIV_VALUE", "NpEncoded", "Seq2SeqNumpy", "param_shapes", "tail_sizes"]

DIV_VALUE = 4.0  # the adaptive softmax's div_value in ``Seq2Seq``


def tail_sizes(cfg: ModelConfig) -> list[tuple[int, int]]:
    """(hidden size, number of words) of each tail cluster of the adaptive softmax, as
    ``nn.AdaptiveLogSoftmaxWithLoss(O, V, cutoffs, div_value=4)`` makes them."""
    bounds = (*cfg.cutoffs, cfg.tgt_vocab)
    return [
        (int(cfg.O // (DIV_VALUE ** (i + 1))), bounds[i + 1] - bounds[i])
        for i in range(len(cfg.cutoffs))
    ]


def param_shapes(cfg: ModelConfig) -> dict[str, tuple[int, ...]]:
    """Names and shapes of ``Seq2Seq(cfg).state_dict()``, in its order, computed without torch."""
    E, H, A, DH = cfg.emb, cfg.hidden, cfg.A, cfg.D * cfg.hidden
    O = cfg.O  # noqa: E741 - the output layer's size

    def gru(prefix: str, n_in: int, suffix: str = "") -> dict[str, tuple[int, ...]]:
        return {
            f"{prefix}.weight_ih_l0{suffix}": (3 * H, n_in),
            f"{prefix}.weight_hh_l0{suffix}": (3 * H, H),
            f"{prefix}.bias_ih_l0{suffix}": (3 * H,),
            f"{prefix}.bias_hh_l0{suffix}": (3 * H,),
        }

    shapes: dict[str, tuple[int, ...]] = {"v": (A,), "src_emb.weight": (cfg.src_vocab, E)}
    shapes |= gru("encoder", E)
    if cfg.bidirectional:
        shapes |= gru("encoder", E, "_reverse")
    shapes |= {"init.weight": (H, DH), "init.bias": (H,), "tgt_emb.weight": (cfg.tgt_vocab, E)}
    shapes |= gru("decoder", E)
    shapes |= {
        "W_q.weight": (A, H),
        "W_q.bias": (A,),
        "W_k.weight": (A, DH),
        "W_o.weight": (O, H + DH + E),
        "W_o.bias": (O,),
    }
    if cfg.cutoffs:
        shapes["out.head.weight"] = (cfg.cutoffs[0] + len(cfg.cutoffs), O)
        for i, (h, n) in enumerate(tail_sizes(cfg)):
            shapes[f"out.tail.{i}.0.weight"] = (h, O)
            shapes[f"out.tail.{i}.1.weight"] = (n, h)
    else:
        shapes |= {"out.weight": (cfg.tgt_vocab, O), "out.bias": (cfg.tgt_vocab,)}
    return shapes


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)) without overflow warnings (the same function, written with tanh)."""
    return np.float32(0.5) * (np.tanh(np.float32(0.5) * x) + np.float32(1))


def _log_softmax(x: np.ndarray) -> np.ndarray:
    """log softmax over the last axis (float32 in, float32 out)."""
    m = x.max(axis=-1, keepdims=True)
    y = x - m
    return y - np.log(np.exp(y).sum(axis=-1, keepdims=True))


class _GRU(NamedTuple):
    """One GRU direction: transposed weights for row-vector products."""

    w_ih: np.ndarray  # (E, 3 H)
    w_hh: np.ndarray  # (H, 3 H)
    b_ih: np.ndarray  # (3 H,)
    b_hh: np.ndarray  # (3 H,)

    def cell(self, gi: np.ndarray, h: np.ndarray) -> np.ndarray:
        """New states (n, H) from input projections gi = x W_ih^T + b_ih (n, 3 H) and states
        h (n, H)."""
        H = h.shape[-1]
        gh = h @ self.w_hh + self.b_hh  # (n, 3 H)
        r = _sigmoid(gi[:, :H] + gh[:, :H])
        z = _sigmoid(gi[:, H : 2 * H] + gh[:, H : 2 * H])
        n = np.tanh(gi[:, 2 * H :] + r * gh[:, 2 * H :])
        return (1 - z) * n + z * h

    def run(self, x: np.ndarray, reverse: bool = False) -> np.ndarray:
        """States (S, H) of the GRU over inputs x (S, E) from a zero state, read backwards
        when ``reverse`` (the states stay at their token's position)."""
        gi = x @ self.w_ih + self.b_ih  # (S, 3 H)
        H = self.w_hh.shape[0]
        S = x.shape[0]
        out = np.empty((S, H), np.float32)
        h = np.zeros((1, H), np.float32)
        for j in reversed(range(S)) if reverse else range(S):
            h = self.cell(gi[j : j + 1], h)
            out[j] = h[0]
        return out


class NpEncoded(NamedTuple):
    """Encoder output of one sentence, everything the decoder needs."""

    values: np.ndarray  # (S, D H) encoder states k_j
    keys: np.ndarray  # (S, A) W_k k_j
    h0: np.ndarray  # (H,) initial decoder state


class Seq2SeqNumpy:
    """``Seq2Seq`` for inference: ``encode`` one sentence, ``step`` n decoder states at once.

    ``weights`` are the state dict's arrays by name (``param_shapes(cfg)``); float32 copies are
    kept.  Thread-compatible for reading (nothing is written after construction)."""

    def __init__(self, weights: dict[str, np.ndarray], cfg: ModelConfig):
        want = param_shapes(cfg)
        missing = sorted(set(want) - set(weights))
        if missing:
            raise ValueError(f"weights missing for the config: {missing[:3]}")
        for k, shape in want.items():
            if tuple(np.shape(weights[k])) != shape:
                raise ValueError(f"{k} has shape {np.shape(weights[k])}, the config needs {shape}.")
        w = {k: np.asarray(weights[k], dtype=np.float32) for k in want}  # no copy if float32
        self.cfg = cfg
        self.weights = w

        def t(name: str) -> np.ndarray:  # (in, out) for x @ W^T: a view, BLAS reads it as is
            return w[name].T

        def gru(prefix: str, suffix: str = "") -> _GRU:
            return _GRU(
                t(f"{prefix}.weight_ih_l0{suffix}"),
                t(f"{prefix}.weight_hh_l0{suffix}"),
                w[f"{prefix}.bias_ih_l0{suffix}"],
                w[f"{prefix}.bias_hh_l0{suffix}"],
            )

        self.src_emb = w["src_emb.weight"]  # (V_src, E)
        self.tgt_emb = w["tgt_emb.weight"]  # (V, E)
        self.enc_fwd = gru("encoder")
        self.enc_bwd = gru("encoder", "_reverse") if cfg.bidirectional else None
        self.dec = gru("decoder")
        self.init_w, self.init_b = t("init.weight"), w["init.bias"]  # (D H, H), (H,)
        self.q_w, self.q_b = t("W_q.weight"), w["W_q.bias"]  # (H, A), (A,)
        self.k_w = t("W_k.weight")  # (D H, A)
        self.v = w["v"]  # (A,)
        self.o_w, self.o_b = t("W_o.weight"), w["W_o.bias"]  # (H + D H + E, O), (O,)
        if cfg.cutoffs:
            self.head_w = t("out.head.weight")  # (O, cutoffs[0] + clusters)
            self.tails = [
                (t(f"out.tail.{i}.0.weight"), t(f"out.tail.{i}.1.weight"))  # (O, h), (h, n)
                for i in range(len(cfg.cutoffs))
            ]
        else:
            self.out_w, self.out_b = t("out.weight"), w["out.bias"]  # (O, V), (V,)

    def eval(self) -> Seq2SeqNumpy:
        """Always in eval mode (no dropout): here for the same calls as an ``nn.Module``."""
        return self

    def parameters(self) -> list[np.ndarray]:
        """The state dict's arrays (their sizes sum to ``Seq2Seq``'s parameter count)."""
        return list(self.weights.values())

    def n_parameters(self) -> int:
        return sum(a.size for a in self.weights.values())

    # ---------------------------------------------------------------- encoder

    def encode(self, src_ids) -> NpEncoded:
        """Encode one sentence of source ids (S,), S >= 1."""
        ids = np.asarray(src_ids, dtype=np.int64)
        if ids.ndim != 1 or not len(ids):
            raise ValueError("encode needs one sentence of at least one token id.")
        x = self.src_emb[ids]  # (S, E)
        fwd = self.enc_fwd.run(x)  # (S, H)
        if self.enc_bwd is not None:
            bwd = self.enc_bwd.run(x, reverse=True)  # (S, H)
            values = np.concatenate([fwd, bwd], axis=1)  # (S, 2 H)
            last = np.concatenate([fwd[-1], bwd[0]])  # (2 H,) both directions' final states
        else:
            values, last = fwd, fwd[-1]  # (S, H), (H,)
        h0 = np.tanh(last @ self.init_w + self.init_b)  # (H,)
        return NpEncoded(values, values @ self.k_w, h0)

    # ---------------------------------------------------------------- decoder

    def attend(self, s: np.ndarray, enc: NpEncoded) -> tuple[np.ndarray, np.ndarray]:
        """Additive attention of decoder states s (n, H): contexts (n, D H), weights (n, S)."""
        q = s @ self.q_w + self.q_b  # (n, A)
        scores = np.tanh(enc.keys[None, :, :] + q[:, None, :]) @ self.v  # (n, S)
        e = np.exp(scores - scores.max(axis=-1, keepdims=True))
        a = e / e.sum(axis=-1, keepdims=True)  # (n, S)
        return a @ enc.values, a

    def step(
        self, y_prev, s: np.ndarray, enc: NpEncoded
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Decode one token for n states: previous tokens y_prev (n,), states s (n, H).
        Returns log-probabilities (n, V), the new states (n, H), attention weights (n, S)."""
        emb = self.tgt_emb[np.asarray(y_prev, dtype=np.int64)]  # (n, E)
        s = self.dec.cell(emb @ self.dec.w_ih + self.dec.b_ih, s)  # (n, H)
        ctx, a = self.attend(s, enc)  # (n, D H), (n, S)
        o = np.tanh(np.concatenate([s, ctx, emb], axis=1) @ self.o_w + self.o_b)  # (n, O)
        return self.log_probs(o), s, a

    def log_probs(self, o: np.ndarray) -> np.ndarray:
        """Log-probabilities over the target vocabulary (n, V) of output features o (n, O)."""
        if not self.cfg.cutoffs:
            return _log_softmax(o @ self.out_w + self.out_b)
        c0 = self.cfg.cutoffs[0]
        head = _log_softmax(o @ self.head_w)  # (n, c0 + clusters)
        out = np.empty((o.shape[0], self.cfg.tgt_vocab), np.float32)  # (n, V)
        out[:, :c0] = head[:, :c0]
        bounds = (*self.cfg.cutoffs, self.cfg.tgt_vocab)
        for i, (w1, w2) in enumerate(self.tails):
            tail = _log_softmax((o @ w1) @ w2)  # (n, words of cluster i)
            out[:, bounds[i] : bounds[i + 1]] = tail + head[:, c0 + i : c0 + i + 1]
        return out

"""Probes of a trained transformer on one sentence, for the Transformer page (review sheet 4,
questions 4-5): every block's output, the encoder's multi-head self-attention with its per-head
outputs, concatenation and W_O, and the encoder run with or without the positional encoding.

numpy only: the model is the numpy transformer of the web server
(``core.transformer.np_model.NumpyTransformer``; a torch ``Transformer`` is read through a numpy
copy of its weights, ``as_numpy``), in eval mode (no dropout), and is not changed.  Results are
float64 copies (read-only) of its float32 arithmetic, in frozen dataclasses.
``core.transformer_views`` turns these probes into what the page shows.

    probe = forward_probe(model, src_ids, tgt_in)      # src (S,), decoder inputs (N,) SOS first
    probe.enc_attention[0].heads                        # (H, S, d_k) per-head outputs, layer 1
    encoder_output(model, src_ids, positional=False)   # (S, d_model), no PE added
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.numerics import readonly
from core.transformer.attention import MultiHeadTrace
from core.transformer.np_model import LayerNorm, NumpyTransformer, as_numpy, softmax

ENCODER, DECODER = "encoder", "decoder"
# block names, in the order data flows through them (one layer of each stack)
EMBED = "embedding + PE"
SELF_ATTN = "self-attention"
MASKED_ATTN = "masked self-attention"
CROSS_ATTN = "encoder-decoder attention"
ADD_NORM = ("add & norm 1", "add & norm 2", "add & norm 3")
FEED_FORWARD = "feed-forward"
FINAL_NORM = "final layer norm"
LINEAR = "linear"
SOFTMAX = "softmax"


@dataclass(frozen=True, eq=False)
class BlockOutput:
    """One block of one layer (``layer`` 0-based; -1 for the blocks outside the layers).

    output  (n, width)  what the block hands on (width d_model, or the vocabulary size)
    normed  (n, d_model) or None  for an add & norm block: the layer norm's input standardised
            per row, (x − mean) / sqrt(var + eps), before its gain and bias
    hidden  (n, d_ff) or None  for the feed-forward block: relu(x W_1 + b_1)
    """

    part: str
    layer: int
    name: str
    output: np.ndarray
    normed: np.ndarray | None = None
    hidden: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class ForwardProbe:
    """One teacher-forced pass of source ``src_ids`` (S,) and decoder inputs ``tgt_in`` (N,).

    enc_attention         one ``MultiHeadTrace`` per encoder layer: Q, K, V, weights (H, S, S),
                          heads (H, S, d_k), concat (S, H d_k), W_O (H d_k, d_model), output
    enc_attention_bias    b_O (d_model,) per encoder layer
    enc_attention_module  (S, d_model) per encoder layer: the attention module's own forward
                          (the model's batched path, not the trace's), to check concat W_O + b_O
                          against
    blocks                every block's output, encoder first, in data-flow order
    """

    src_ids: np.ndarray
    tgt_in: np.ndarray
    enc_attention: tuple[MultiHeadTrace, ...]
    enc_attention_bias: tuple[np.ndarray, ...]
    enc_attention_module: tuple[np.ndarray, ...]
    blocks: tuple[BlockOutput, ...]
    d_model: int
    n_heads: int
    d_k: int
    d_ff: int
    vocab: int
    norm_first: bool


def _np(x: np.ndarray) -> np.ndarray:
    """(1, n, w) or (n, w) array -> (n, w) read-only float64."""
    return readonly(x[0] if x.ndim == 3 else x)


def _standardised(norm: LayerNorm, x: np.ndarray) -> np.ndarray:
    """x (1, n, d) as ``norm`` (a LayerNorm) standardises it, before gain and bias."""
    return _np(norm.standardise(x))


def _ids(ids) -> np.ndarray:
    out = [int(i) for i in ids]
    if not out:
        raise ValueError("the probe needs at least one token.")
    return np.array([out], dtype=np.int64)  # (1, n)


def encoder_output(model: NumpyTransformer, src_ids, positional: bool = True) -> np.ndarray:
    """The encoder's output (S, d_model) for source ids (S,), with the positional encoding added
    to the embeddings (``positional``) or not."""
    memory, _, _ = as_numpy(model).encode(_ids(src_ids), positional=positional)
    return _np(memory)


def forward_probe(model: NumpyTransformer, src_ids, tgt_in) -> ForwardProbe:
    """Every block's output for one sentence: source ids (S,), decoder inputs (N,) (SOS, then
    the words written).  The same arithmetic as the model's forward pass (pre-LN or post-LN),
    block by block."""
    model = as_numpy(model)
    cfg = model.cfg
    src, tgt = _ids(src_ids), _ids(tgt_in)
    allowed = model.source_mask(src)  # (1, 1, 1, S)
    blocks: list[BlockOutput] = []
    pre = cfg.norm_first

    def add(part, layer, name, out, normed=None, hidden=None):
        blocks.append(BlockOutput(part, layer, name, _np(out), normed, hidden))

    def ff(mod, x, norm, part, i, k):
        """The feed-forward sublayer and its add & norm; ``norm`` is its layer norm."""
        h = norm(x) if pre else x
        hidden = np.maximum(mod.ff.linear1(h), 0)  # (1, n, d_ff)
        f = mod.ff.linear2(hidden)  # (1, n, d)
        add(part, i, FEED_FORWARD, f, hidden=_np(hidden))
        s = x + f
        out = s if pre else norm(s)
        add(part, i, ADD_NORM[k], out, normed=_standardised(norm, x if pre else s))
        return out

    # ---- encoder
    x = model.embed(model.src_emb, src)  # (1, S, d)
    add(ENCODER, -1, EMBED, x)
    traces, biases, module_out = [], [], []
    for i, layer in enumerate(model.encoder):
        h = layer.norm1(x) if pre else x
        traces.append(layer.self_attn.trace(h, h, allowed))
        biases.append(readonly(layer.self_attn.W_O.bias))
        a, _ = layer.self_attn(h, h, allowed)  # (1, S, d), the module's own forward
        module_out.append(_np(a))
        add(ENCODER, i, SELF_ATTN, a)
        s = x + a
        add(ENCODER, i, ADD_NORM[0], s if pre else layer.norm1(s),
            normed=_standardised(layer.norm1, x if pre else s))  # fmt: skip
        x = s if pre else layer.norm1(s)
        x = ff(layer, x, layer.norm2, ENCODER, i, 1)
    memory = model.enc_norm(x)
    if pre:
        add(ENCODER, -1, FINAL_NORM, memory, normed=_standardised(model.enc_norm, x))

    # ---- decoder
    y = model.embed(model.tgt_emb, tgt)  # (1, N, d)
    add(DECODER, -1, EMBED, y)
    causal = model.causal(tgt.shape[1])
    for i, layer in enumerate(model.decoder):
        h = layer.norm1(y) if pre else y
        a, _ = layer.self_attn(h, h, causal)
        add(DECODER, i, MASKED_ATTN, a)
        s = y + a
        y_new = s if pre else layer.norm1(s)
        add(DECODER, i, ADD_NORM[0], y_new, normed=_standardised(layer.norm1, y if pre else s))
        y = y_new
        h = layer.norm2(y) if pre else y
        c, _ = layer.cross_attn(h, memory, allowed)
        add(DECODER, i, CROSS_ATTN, c)
        s = y + c
        y_new = s if pre else layer.norm2(s)
        add(DECODER, i, ADD_NORM[1], y_new, normed=_standardised(layer.norm2, y if pre else s))
        y = ff(layer, y_new, layer.norm3, DECODER, i, 2)
    out = model.dec_norm(y)
    if pre:
        add(DECODER, -1, FINAL_NORM, out, normed=_standardised(model.dec_norm, y))
    logits = model.logits(out)  # (1, N, V)
    add(DECODER, -1, LINEAR, logits)
    add(DECODER, -1, SOFTMAX, softmax(logits.astype(np.float64)))
    return ForwardProbe(
        src_ids=readonly(src[0], np.int64),
        tgt_in=readonly(tgt[0], np.int64),
        enc_attention=tuple(traces),
        enc_attention_bias=tuple(biases),
        enc_attention_module=tuple(module_out),
        blocks=tuple(blocks),
        d_model=cfg.d_model,
        n_heads=cfg.n_heads,
        d_k=cfg.d_k,
        d_ff=cfg.d_ff,
        vocab=cfg.tgt_vocab,
        norm_first=pre,
    )

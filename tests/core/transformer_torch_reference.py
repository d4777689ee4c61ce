"""The torch probe of the transformer as the server ran it before the numpy port
(``core.transformer.probe`` now computes the same in numpy): the reference the numpy probe is
checked against in ``test_transformer_numpy.py``."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as fn

from core.numerics import readonly
from core.transformer.model import Transformer
from core.transformer.probe import (
    ADD_NORM,
    CROSS_ATTN,
    DECODER,
    EMBED,
    ENCODER,
    FEED_FORWARD,
    FINAL_NORM,
    LINEAR,
    MASKED_ATTN,
    SELF_ATTN,
    SOFTMAX,
    BlockOutput,
    ForwardProbe,
)


def _np(x: torch.Tensor) -> np.ndarray:
    """(1, n, w) or (n, w) tensor -> (n, w) read-only float64."""
    x = x.detach().to(torch.float64).cpu()
    return readonly((x[0] if x.dim() == 3 else x).numpy())


def _standardised(norm: nn.Module, x: torch.Tensor) -> np.ndarray:
    """x (1, n, d) as ``norm`` (a LayerNorm) standardises it, before gain and bias."""
    eps = getattr(norm, "eps", 1e-5)
    z = (x - x.mean(-1, keepdim=True)) / torch.sqrt(x.var(-1, unbiased=False, keepdim=True) + eps)
    return _np(z)


def _ids(ids) -> torch.Tensor:
    out = [int(i) for i in ids]
    if not out:
        raise ValueError("the probe needs at least one token.")
    return torch.tensor([out], dtype=torch.long)  # (1, n)


@torch.inference_mode()
def encoder_output(model: Transformer, src_ids, positional: bool = True) -> np.ndarray:
    """The encoder's output (S, d_model) for source ids (S,), with the positional encoding added
    to the embeddings (``positional``) or not."""
    model.eval()
    memory, _, _ = model.encode(_ids(src_ids), positional=positional)
    return _np(memory)


@torch.inference_mode()
def forward_probe(model: Transformer, src_ids, tgt_in) -> ForwardProbe:
    """Every block's output for one sentence: source ids (S,), decoder inputs (N,) (SOS, then
    the words written).  The same arithmetic as ``Transformer.forward`` (pre-LN or post-LN),
    block by block."""
    model.eval()
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
        hidden = fn.relu(mod.ff.linear1(h))  # (1, n, d_ff)
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
        biases.append(readonly(layer.self_attn.W_O.bias.detach().double().numpy()))
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
    add(DECODER, -1, SOFTMAX, torch.softmax(logits.double(), dim=-1))
    return ForwardProbe(
        src_ids=readonly(src[0].numpy(), np.int64),
        tgt_in=readonly(tgt[0].numpy(), np.int64),
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

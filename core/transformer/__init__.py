"""The transformer of review sheet 4 (questions 4-5): positional encoding, scaled dot-product and
multi-head attention, encoder and decoder layers, greedy decoding, and a trained French ->
English transformer translator.

    from core.transformer import positional_encoding, scaled_dot_product_attention
    P = positional_encoding(n_positions=50, d_model=16)          # (50, 16), sheet's sin/cos
    out, weights = scaled_dot_product_attention(Q, K, V, mask=None, scale=True)

    from core.transformer import load_transformer_translator
    tr = load_transformer_translator()                            # assets/transformer/model
    tr.translate("je suis tres fatigue .", beam=1).words          # the GRU translator's contract

Modules: ``positional`` and ``attention`` (numpy only; importing this package imports neither
torch nor anything else heavy), ``config`` (``TransformerConfig``, ``param_shapes``; no torch),
``layers`` (torch multi-head attention, encoder and decoder layers), ``model`` (the torch model
for training, checkpoints), ``decode`` (its greedy decoding and beam search), ``np_model`` and
``np_decode`` (the same model and decoding in numpy, with ``DecodeTrace``: what the web server
runs), ``probe`` (every block on one sentence, numpy), ``train``
(``python -m core.transformer.train``), ``translator`` (the public entry point, numpy).  The
names below are imported on first use; only the torch ones import torch.
"""

from __future__ import annotations

import importlib

from core.transformer.attention import (
    MultiHeadParams,
    MultiHeadTrace,
    attention_per_query,
    causal_mask,
    multi_head_attention,
    padding_mask,
    scaled_dot_product_attention,
)
from core.transformer.positional import (
    frequencies,
    positional_encoding,
    rotation_blocks,
    shift_matrix,
)

_LAZY = {
    "MultiHeadAttention": "core.transformer.layers",
    "EncoderLayer": "core.transformer.layers",
    "DecoderLayer": "core.transformer.layers",
    "Transformer": "core.transformer.model",
    "TransformerConfig": "core.transformer.config",
    "param_shapes": "core.transformer.config",
    "NumpyTransformer": "core.transformer.np_model",
    "load_checkpoint": "core.transformer.model",
    "save_checkpoint": "core.transformer.model",
    "DecodeTrace": "core.transformer.np_decode",
    "greedy": "core.transformer.decode",
    "beam_search": "core.transformer.decode",
    "trace_output": "core.transformer.decode",
    "TransformerTranslator": "core.transformer.translator",
    "load_transformer_translator": "core.transformer.translator",
    "DEFAULT_TRANSFORMER_CHECKPOINT": "core.transformer.translator",
}

__all__ = [
    "MultiHeadParams",
    "MultiHeadTrace",
    "attention_per_query",
    "causal_mask",
    "frequencies",
    "multi_head_attention",
    "padding_mask",
    "positional_encoding",
    "rotation_blocks",
    "scaled_dot_product_attention",
    "shift_matrix",
    *_LAZY,
]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'core.transformer' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)

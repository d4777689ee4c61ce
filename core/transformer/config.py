"""The transformer's sizes (``TransformerConfig``) and the names and shapes of its weights
(``param_shapes``), without torch: the numpy inference model (``core.transformer.np_model``) and
the torch-free checkpoint reader (``core.checkpoint_np``) need both, the torch model
(``core.transformer.model``, which re-exports ``TransformerConfig``) builds from the config.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class TransformerConfig:
    """Sizes of the model.

    src_vocab, tgt_vocab  vocabulary sizes (specials included)
    d_model               width of every token vector (embeddings, attention, layer outputs)
    n_heads               attention heads per block; d_k = d_v = d_model / n_heads
    d_ff                  hidden width of the two-layer feed-forward network
    enc_layers, dec_layers  layers in the encoder and the decoder stack
    dropout               on the embeddings and on each block's output (before the skip)
    attn_dropout          on the attention weights
    ff_dropout            on the feed-forward hidden layer
    norm_first            pre-LN (True) or the sheet's post-LN (False)
    tie_output            the final linear layer reuses the target embedding matrix
    max_positions         positions with a precomputed encoding (longer inputs compute more)
    pe_base               the 10000 of the sheet's PE formula
    """

    src_vocab: int
    tgt_vocab: int
    d_model: int = 256
    n_heads: int = 4
    d_ff: int = 1024
    enc_layers: int = 2
    dec_layers: int = 2
    dropout: float = 0.1
    attn_dropout: float = 0.0
    ff_dropout: float = 0.0
    norm_first: bool = True
    tie_output: bool = True
    max_positions: int = 64
    pe_base: float = 10_000.0

    def __post_init__(self) -> None:
        for name in (
            "src_vocab",
            "tgt_vocab",
            "d_model",
            "n_heads",
            "d_ff",
            "enc_layers",
            "dec_layers",
            "max_positions",
        ):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}.")
        if self.d_model % self.n_heads:
            raise ValueError(
                f"d_model ({self.d_model}) must be a multiple of n_heads ({self.n_heads})."
            )
        if self.d_model % 2:
            raise ValueError(f"d_model must be even (sine and cosine pairs), got {self.d_model}.")
        for name in ("dropout", "attn_dropout", "ff_dropout"):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(f"{name} must be in [0, 1), got {getattr(self, name)!r}.")
        if not (math.isfinite(self.pe_base) and self.pe_base > 1):
            raise ValueError(f"pe_base must be a finite number above 1, got {self.pe_base!r}.")

    @property
    def d_k(self) -> int:
        return self.d_model // self.n_heads


def _linear(prefix: str, n_in: int, n_out: int) -> dict[str, tuple[int, ...]]:
    """torch ``Linear(n_in, n_out)``: weight (n_out, n_in), bias (n_out,)."""
    return {f"{prefix}.weight": (n_out, n_in), f"{prefix}.bias": (n_out,)}


def _norm(prefix: str, d: int) -> dict[str, tuple[int, ...]]:
    """torch ``LayerNorm(d)``: gain and bias (d,)."""
    return {f"{prefix}.weight": (d,), f"{prefix}.bias": (d,)}


def _attention(prefix: str, d: int) -> dict[str, tuple[int, ...]]:
    out: dict[str, tuple[int, ...]] = {}
    for name in ("W_Q", "W_K", "W_V", "W_O"):
        out |= _linear(f"{prefix}.{name}", d, d)
    return out


def param_shapes(cfg: TransformerConfig) -> dict[str, tuple[int, ...]]:
    """Every weight of ``core.transformer.model.Transformer(cfg)`` by its ``state_dict`` name:
    {name: shape}, in the state dict's order.  The positional encoding is a fixed, non-persistent
    buffer, not a weight."""
    d, f = cfg.d_model, cfg.d_ff
    out: dict[str, tuple[int, ...]] = {}
    if cfg.tie_output:
        out["out_bias"] = (cfg.tgt_vocab,)
    out["src_emb.weight"] = (cfg.src_vocab, d)
    out["tgt_emb.weight"] = (cfg.tgt_vocab, d)
    for i in range(cfg.enc_layers):
        p = f"encoder.{i}"
        out |= _attention(f"{p}.self_attn", d)
        out |= _linear(f"{p}.ff.linear1", d, f) | _linear(f"{p}.ff.linear2", f, d)
        out |= _norm(f"{p}.norm1", d) | _norm(f"{p}.norm2", d)
    for i in range(cfg.dec_layers):
        p = f"decoder.{i}"
        out |= _attention(f"{p}.self_attn", d) | _attention(f"{p}.cross_attn", d)
        out |= _linear(f"{p}.ff.linear1", d, f) | _linear(f"{p}.ff.linear2", f, d)
        out |= _norm(f"{p}.norm1", d) | _norm(f"{p}.norm2", d) | _norm(f"{p}.norm3", d)
    if cfg.norm_first:
        out |= _norm("enc_norm", d) | _norm("dec_norm", d)
    if not cfg.tie_output:
        out |= _linear("out", d, cfg.tgt_vocab)
    return out

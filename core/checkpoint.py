"""One checkpoint format for the project's translation models (the GRU and the transformer).

A checkpoint is a directory with ``model.json`` (format name and version, the model's config,
both vocabularies and free ``meta``) and ``weights.pt``: a plain ``dict[str, Tensor]`` stored in
float16 and read back with ``torch.load(..., weights_only=True)``, so nothing is unpickled.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import torch
from torch import nn

from core.checkpoint_files import META_FILE, WEIGHTS_FILE
from core.checkpoint_np import FORMAT_VERSION, check_weights, read_doc
from core.seq2seq.data import Vocab

__all__ = ["FORMAT_VERSION", "load", "save"]


def save(
    out_dir: str | Path, model: nn.Module, src_vocab: Vocab, tgt_vocab: Vocab, meta: dict, fmt: str
) -> Path:
    """Write ``weights.pt`` (float16 tensors) and ``model.json`` (format ``fmt``, the model's
    dataclass ``cfg``) into ``out_dir``; returns it."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    weights = {k: v.detach().to(torch.float16).contiguous() for k, v in model.state_dict().items()}
    torch.save(weights, out / WEIGHTS_FILE)
    doc = {
        "format": fmt,
        "version": FORMAT_VERSION,
        "config": asdict(model.cfg),
        "src_vocab": list(src_vocab.words),
        "tgt_vocab": list(tgt_vocab.words),
        "meta": meta,
    }
    (out / META_FILE).write_text(json.dumps(doc, indent=1))
    return out


def load(
    path: str | Path, fmt: str, what: str, config: Callable, build: Callable
) -> tuple[nn.Module, Vocab, Vocab, dict]:
    """Read a checkpoint directory (or its ``model.json`` / ``weights.pt``) of format ``fmt``.

    ``config(**doc["config"])`` makes the model's config, ``build(cfg)`` an untrained model;
    ``what`` names the kind in messages ("seq2seq", "transformer").  Returns (model in eval
    mode, float32; source vocabulary; target vocabulary; meta).  Raises ``ValueError`` naming
    the file and the problem for anything missing, too large, unreadable, of the wrong format,
    shape or not finite.
    """
    wf, cfg, src_vocab, tgt_vocab, meta = read_doc(path, fmt, what, config)
    try:
        weights = torch.load(wf, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - torch raises many kinds for a damaged file
        msg = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise ValueError(f"Checkpoint file {wf} is corrupted or not a tensor file: {msg}") from None
    if not isinstance(weights, dict) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in weights.items()
    ):
        raise ValueError(f"Checkpoint file {wf} is corrupted: expected a dict of named tensors.")
    model = build(cfg)
    want = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    check_weights(wf, weights, want, lambda t: bool(torch.isfinite(t.float()).all()))
    model.load_state_dict({k: v.float() for k, v in weights.items()})
    model.eval()
    return model, src_vocab, tgt_vocab, meta

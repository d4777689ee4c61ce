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

from core.checkpoint_files import MAX_CHECKPOINT_BYTES, META_FILE, WEIGHTS_FILE
from core.seq2seq.data import Vocab

FORMAT_VERSION = 1


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
    p = Path(path)
    d = p.parent if p.name in (WEIGHTS_FILE, META_FILE) else p
    wf, mf = d / WEIGHTS_FILE, d / META_FILE
    for f in (mf, wf):
        if not f.is_file():
            raise ValueError(
                f"Checkpoint file {f} is missing (a {what} checkpoint is a directory with "
                f"{META_FILE} and {WEIGHTS_FILE})."
            )
        if f.stat().st_size > MAX_CHECKPOINT_BYTES:
            raise ValueError(
                f"Checkpoint file {f} is larger than {MAX_CHECKPOINT_BYTES // 2**20} MB."
            )
    try:
        doc = json.loads(mf.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"Checkpoint file {mf} is corrupted: not valid JSON ({exc}).") from None
    if not isinstance(doc, dict) or doc.get("format") != fmt:
        raise ValueError(f"{mf} is not a Sequence Lab {what} checkpoint (format field).")
    if doc.get("version") != FORMAT_VERSION:
        raise ValueError(
            f"{mf} has format version {doc.get('version')!r}; this code reads "
            f"version {FORMAT_VERSION}."
        )
    try:
        cfg = config(**doc["config"])
        src_vocab = Vocab(tuple(doc["src_vocab"]))
        tgt_vocab = Vocab(tuple(doc["tgt_vocab"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"Checkpoint file {mf} is corrupted: {exc}") from None
    if (len(src_vocab), len(tgt_vocab)) != (cfg.src_vocab, cfg.tgt_vocab):
        raise ValueError(
            f"Checkpoint file {mf} is corrupted: vocabulary sizes "
            f"{len(src_vocab)}, {len(tgt_vocab)} do not match the config."
        )
    meta = doc.get("meta", {})
    if not isinstance(meta, dict):
        raise ValueError(f"Checkpoint file {mf} is corrupted: meta must be an object.")
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
    want = model.state_dict()
    missing, extra = sorted(set(want) - set(weights)), sorted(set(weights) - set(want))
    if missing or extra:
        raise ValueError(
            f"Checkpoint file {wf} does not match its config: missing "
            f"{missing[:3]}, unexpected {extra[:3]}."
        )
    for k, v in want.items():
        if weights[k].shape != v.shape:
            raise ValueError(
                f"Checkpoint file {wf}: {k} has shape {tuple(weights[k].shape)}, "
                f"the config needs {tuple(v.shape)}."
            )
        if not torch.isfinite(weights[k].float()).all():
            raise ValueError(f"Checkpoint file {wf}: {k} contains NaN or infinity.")
    model.load_state_dict({k: v.float() for k, v in weights.items()})
    model.eval()
    return model, src_vocab, tgt_vocab, meta

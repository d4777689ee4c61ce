"""A checkpoint read without torch: ``model.json`` checked, ``weights.pt`` read into numpy.

The web server translates with numpy (torch's import alone is ~224 MB of resident memory, and
the server plus a training worker must fit a 690 MB host), so it reads the checkpoints that
``core.checkpoint.save`` writes with ``torch.save`` itself.  Such a file is a zip holding
``<name>/data.pkl`` -- a pickle of ``{name: tensor}`` whose tensors are
``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)`` calls on storages
named by key -- and ``<name>/data/<key>``, each storage's raw little-endian bytes.

The pickle is read by an unpickler that knows exactly four globals (the rebuild function, the
storage types of float16/bfloat16/float32/float64, and ``collections.OrderedDict``) and refuses
every other one, as ``torch.load(..., weights_only=True)`` does; no code from the file runs.
``read_weights`` returns float32 arrays.  ``load_np`` adds the same checks and messages as
``core.checkpoint.load``: ``model.json`` (format, version, config, vocabularies, meta) and the
weights' names, shapes (``shapes(cfg)``) and finite values.
"""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from core.checkpoint_files import MAX_CHECKPOINT_BYTES, META_FILE, WEIGHTS_FILE
from core.seq2seq.data import Vocab

FORMAT_VERSION = 1
MAX_TENSORS = 10_000  # far above any model here; a pickle naming more is refused

# torch's storage classes -> numpy dtypes (bfloat16 is read as the top half of a float32)
_STORAGES = {
    "HalfStorage": np.dtype("<f2"),
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "BFloat16Storage": np.dtype("<u2"),
}


class _Storage:
    """A storage class named in the pickle (only its name and dtype matter here)."""

    def __init__(self, name: str) -> None:
        self.name, self.dtype = name, _STORAGES[name]


def _rebuild_tensor(storage, offset, size, stride, *_rest) -> np.ndarray:  # noqa: ANN001
    """torch._utils._rebuild_tensor_v2 for a numpy storage: a float32 copy."""
    flat, name = storage
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride) or any(s < 0 for s in (*size, *stride)) or offset < 0:
        raise ValueError("a tensor with a negative size, stride or offset")
    n = int(np.prod(size)) if size else 1
    last = offset + sum((s - 1) * st for s, st in zip(size, stride, strict=True)) if n else offset
    if n and last >= flat.size:
        raise ValueError("a tensor reaches past the end of its storage")
    view = np.lib.stride_tricks.as_strided(
        flat[offset:], shape=size, strides=tuple(st * flat.itemsize for st in stride)
    )
    if name == "BFloat16Storage":
        return (view.astype(np.uint32) << 16).view(np.float32).copy()
    return view.astype(np.float32)


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, zf: zipfile.ZipFile, prefix: str) -> None:
        super().__init__(io.BytesIO(data))
        self.zf, self.prefix, self.loaded = zf, prefix, {}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if module == "torch" and name in _STORAGES:
            return _Storage(name)
        if (module, name) == ("collections", "OrderedDict"):
            return OrderedDict
        raise pickle.UnpicklingError(f"it names {module}.{name}, which a tensor file never needs")

    def persistent_load(self, pid: Any) -> tuple[np.ndarray, str]:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError("an unknown persistent id")
        _, kind, key, _location, numel = pid
        if not isinstance(kind, _Storage) or not isinstance(key, str) or not key.isdigit():
            raise pickle.UnpicklingError("a storage of an unknown type or key")
        if key not in self.loaded:
            raw = self.zf.read(f"{self.prefix}data/{key}")
            if len(raw) < int(numel) * kind.dtype.itemsize:
                raise pickle.UnpicklingError(f"storage {key} is shorter than its {numel} values")
            self.loaded[key] = np.frombuffer(raw, dtype=kind.dtype, count=int(numel))
        return self.loaded[key], kind.name


def read_weights(path: str | Path) -> dict[str, np.ndarray]:
    """{name: float32 array} of a ``torch.save``d dict of tensors, without torch.

    Raises ``ValueError`` ("corrupted or not a tensor file: ...") for anything else: not a zip,
    no ``data.pkl``, big-endian bytes, a pickle naming any other global, truncated storages."""
    wf = Path(path)
    try:
        with zipfile.ZipFile(wf) as zf:
            pkl = [n for n in zf.namelist() if n.endswith("/data.pkl") and n.count("/") == 1]
            if len(pkl) != 1:
                raise ValueError("no data.pkl")
            prefix = pkl[0][: -len("data.pkl")]
            order = f"{prefix}byteorder"
            if order in zf.namelist() and zf.read(order).strip() != b"little":
                raise ValueError("big-endian tensors")
            obj = _Unpickler(zf.read(pkl[0]), zf, prefix).load()
    except (OSError, ValueError, KeyError, EOFError, pickle.UnpicklingError, zipfile.BadZipFile,
            TypeError, AttributeError, IndexError) as exc:  # fmt: skip
        msg = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise ValueError(f"Checkpoint file {wf} is corrupted or not a tensor file: {msg}") from None
    if not (
        isinstance(obj, dict)
        and len(obj) <= MAX_TENSORS
        and all(isinstance(k, str) and isinstance(v, np.ndarray) for k, v in obj.items())
    ):
        raise ValueError(f"Checkpoint file {wf} is corrupted: expected a dict of named tensors.")
    return dict(obj)


def read_doc(path: str | Path, fmt: str, what: str, config: Callable) -> tuple:
    """Check a checkpoint's files and ``model.json``: (weights file, config, source vocabulary,
    target vocabulary, meta).  ``ValueError`` naming the file and the problem for anything
    missing, too large, unreadable, of the wrong format or version, or inconsistent."""
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
    return wf, cfg, src_vocab, tgt_vocab, meta


def check_weights(wf: Path, weights: dict, want: dict[str, tuple], finite: Callable) -> None:
    """``ValueError`` unless ``weights`` has exactly the names of ``want``, each of its shape,
    and ``finite(tensor)`` holds for each (shared by the numpy and the torch loader)."""
    missing, extra = sorted(set(want) - set(weights)), sorted(set(weights) - set(want))
    if missing or extra:
        raise ValueError(
            f"Checkpoint file {wf} does not match its config: missing "
            f"{missing[:3]}, unexpected {extra[:3]}."
        )
    for k, shape in want.items():
        if tuple(weights[k].shape) != tuple(shape):
            raise ValueError(
                f"Checkpoint file {wf}: {k} has shape {tuple(weights[k].shape)}, "
                f"the config needs {tuple(shape)}."
            )
        if not finite(weights[k]):
            raise ValueError(f"Checkpoint file {wf}: {k} contains NaN or infinity.")


def load_np(
    path: str | Path, fmt: str, what: str, config: Callable, shapes: Callable
) -> tuple[dict[str, np.ndarray], Any, Vocab, Vocab, dict]:
    """Read a checkpoint directory (or its ``model.json`` / ``weights.pt``) of format ``fmt``
    without torch: (float32 weights by name, config, source vocabulary, target vocabulary,
    meta).  ``shapes(cfg)`` gives the names and shapes the config needs; the same checks and
    messages as ``core.checkpoint.load``."""
    wf, cfg, src_vocab, tgt_vocab, meta = read_doc(path, fmt, what, config)
    weights = read_weights(wf)
    check_weights(wf, weights, shapes(cfg), lambda a: bool(np.isfinite(a).all()))
    return weights, cfg, src_vocab, tgt_vocab, meta

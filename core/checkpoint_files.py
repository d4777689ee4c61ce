"""What a checkpoint directory holds, and a checkpoint zip read back strictly (no torch here).

A checkpoint (see ``core.checkpoint``) is a directory with ``model.json`` and ``weights.pt``
and, when the training command wrote it, ``metrics.json``.  The Train page offers it as a zip
(``checkpoint_zip``); the Translate page takes such a zip back (``unpack_checkpoint_zip``).
An upload is checked before a byte of it is written: its size, that it is a zip, that it holds
exactly the expected files (at the top or in one folder), each under the size cap, and that
``model.json`` names a format this code reads.  The tensors themselves are checked when the
model loads (``core.checkpoint_np``: tensor data only, names, shapes, finite values).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from core.seq2seq.data import MAX_UPLOAD_BYTES

WEIGHTS_FILE = "weights.pt"
META_FILE = "model.json"
METRICS_FILE = "metrics.json"
REQUIRED_FILES = (META_FILE, WEIGHTS_FILE)
ALLOWED_FILES = (META_FILE, WEIGHTS_FILE, METRICS_FILE)
MAX_CHECKPOINT_BYTES = 64 * 2**20  # one file of a checkpoint, unpacked
# An uploaded zip: the server's one upload limit (server.maxUploadSize in .streamlit/config.toml).
MAX_ZIP_BYTES = MAX_UPLOAD_BYTES
MAX_METRICS_BYTES = 4 * 2**20  # model.json and metrics.json are text: far below this
GRU_FORMAT, TRANSFORMER_FORMAT = "sequence-lab-seq2seq", "sequence-lab-transformer"
FORMATS = {GRU_FORMAT: "gru", TRANSFORMER_FORMAT: "transformer"}  # model.json format -> kind
ZIP_FOLDER = "sequence-lab-model"
UPLOAD_PREFIX = "sequence-lab-upload-"
KEEP_UPLOADS = 8  # the newest uploaded checkpoints a server keeps
ID_CHARS = 12  # an upload's id: the first hex digits of the zip's SHA-256


@dataclass(frozen=True)
class UploadedCheckpoint:
    """An uploaded checkpoint unpacked on the server.

    id       the first ``ID_CHARS`` hex digits of the zip's SHA-256 (the same zip, the same id)
    path     the checkpoint directory (model.json, weights.pt[, metrics.json])
    kind     "gru" or "transformer", from model.json's format field
    n_bytes  the zip's size in bytes
    """

    id: str
    path: Path
    kind: str
    n_bytes: int


def checkpoint_zip(path: str | Path, folder: str = ZIP_FOLDER) -> bytes:
    """The checkpoint directory ``path`` as a zip archive (files under ``folder/``); unzip it
    and pass the folder to ``load_translator``, or upload it on the Translate page.
    ``ValueError`` if it is not a directory."""
    p = Path(path)
    if not p.is_dir():
        raise ValueError(f"No checkpoint directory at {p} (it may have been cleaned up).")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(p.iterdir()):
            if f.is_file() and f.name in ALLOWED_FILES:
                zf.write(f, f"{folder}/{f.name}")
    return buf.getvalue()


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB"


def _members(zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The archive's files by base name; ``ValueError`` for anything but the expected files at
    the top level or inside one folder."""
    found: dict[str, zipfile.ZipInfo] = {}
    folders: set[str] = set()
    unexpected: list[str] = []
    for info in zf.infolist():
        name = info.filename
        if info.is_dir():
            continue
        parts = name.split("/")
        if (
            "\\" in name
            or name.startswith("/")
            or any(part in ("", ".", "..") for part in parts)
            or len(parts) > 2
            or parts[-1] not in ALLOWED_FILES
        ):
            unexpected.append(name)
            continue
        folders.add(parts[0] if len(parts) == 2 else "")
        if parts[-1] in found:
            raise ValueError(f"The zip holds {parts[-1]} more than once.")
        if info.flag_bits & 0x1:
            raise ValueError(f"{name} in the zip is encrypted; upload an unencrypted zip.")
        found[parts[-1]] = info
    if unexpected:
        shown = ", ".join(repr(n[:60]) for n in unexpected[:3])
        more = f" and {len(unexpected) - 3} more" if len(unexpected) > 3 else ""
        raise ValueError(
            f"The zip holds files a checkpoint does not have: {shown}{more}. It may hold only "
            f"{', '.join(ALLOWED_FILES)} (metrics.json optional), at the top or in one folder."
        )
    if len(folders) > 1:
        raise ValueError("The zip's files are in different folders; a checkpoint is one folder.")
    missing = [f for f in REQUIRED_FILES if f not in found]
    if missing:
        raise ValueError(
            f"The zip has no {' and no '.join(missing)}: a checkpoint needs "
            f"{' and '.join(REQUIRED_FILES)} (as the Train page's download has)."
        )
    return found


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """A member's bytes, refusing more than ``cap`` whatever its header says (zip bombs)."""
    if info.file_size > cap:
        raise ValueError(f"{info.filename} unpacks to {_mb(info.file_size)}; at most {_mb(cap)}.")
    out = bytearray()
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 20):
            out += chunk
            if len(out) > cap:
                raise ValueError(f"{info.filename} unpacks to more than {_mb(cap)}.")
    return bytes(out)


def _kind(meta: bytes) -> str:
    """ "gru" or "transformer" from model.json's format field; ``ValueError`` otherwise."""
    try:
        doc = json.loads(meta.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(f"{META_FILE} in the zip is not valid UTF-8 JSON.") from None
    fmt = doc.get("format") if isinstance(doc, dict) else None
    if fmt not in FORMATS:
        raise ValueError(
            f"{META_FILE} in the zip is not a Sequence Lab checkpoint: its format is "
            f"{str(fmt)[:40]!r}, expected one of {', '.join(map(repr, FORMATS))}."
        )
    return FORMATS[fmt]


def upload_root() -> Path:
    """Where a server keeps uploaded checkpoints: one folder per upload in the temp dir."""
    return Path(tempfile.gettempdir())


def unpack_checkpoint_zip(
    data: bytes, root: str | Path | None = None, keep: int = KEEP_UPLOADS
) -> UploadedCheckpoint:
    """Check an uploaded checkpoint zip and unpack it into ``root/sequence-lab-upload-<id>``.

    Refused with ``ValueError`` (saying what was wrong and what is accepted): more than
    ``MAX_ZIP_BYTES``; not a zip; files other than model.json, weights.pt and metrics.json (at
    the top level or in one folder), paths with ``..`` or backslashes, encrypted or duplicate
    members; a missing model.json or weights.pt; a file unpacking to more than
    ``MAX_CHECKPOINT_BYTES``; a model.json that is not JSON or not of a known format.  The same
    zip uploaded twice gets the same folder.  Only the ``keep`` newest uploads stay: older
    folders are removed.  The weights are not read here (see ``core.checkpoint.load``)."""
    if len(data) > MAX_ZIP_BYTES:
        raise ValueError(
            f"The file has {_mb(len(data))}; a checkpoint zip may have at most "
            f"{_mb(MAX_ZIP_BYTES)}."
        )
    if not data:
        raise ValueError("The file is empty; upload the zip the Train page's download gives.")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ValueError(
            "The file is not a zip archive; upload the .zip the Train page's download gives."
        ) from None
    with zf:
        members = _members(zf)
        try:
            blobs = {
                name: _read(
                    zf, info, MAX_CHECKPOINT_BYTES if name == WEIGHTS_FILE else MAX_METRICS_BYTES
                )
                for name, info in members.items()
            }
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, RuntimeError) as exc:
            raise ValueError(f"The zip is damaged: {str(exc)[:120]}") from None
        except NotImplementedError:  # an unknown compression method
            raise ValueError("The zip uses a compression this server cannot read.") from None
    kind = _kind(blobs[META_FILE])
    digest = hashlib.sha256(data).hexdigest()[:ID_CHARS]
    base = Path(root) if root is not None else upload_root()
    base.mkdir(parents=True, exist_ok=True)
    dest = base / f"{UPLOAD_PREFIX}{digest}"
    if not dest.is_dir():
        tmp = Path(tempfile.mkdtemp(prefix=f".{UPLOAD_PREFIX}", dir=base))
        for name, blob in blobs.items():
            (tmp / name).write_bytes(blob)
        try:
            os.replace(tmp, dest)
        except OSError:  # another session unpacked the same zip at the same moment
            shutil.rmtree(tmp, ignore_errors=True)
    os.utime(dest)  # the newest upload
    prune_uploads(base, keep)
    return UploadedCheckpoint(id=digest, path=dest, kind=kind, n_bytes=len(data))


def prune_uploads(root: str | Path | None = None, keep: int = KEEP_UPLOADS) -> int:
    """Remove all but the ``keep`` most recently used upload folders; returns how many went."""
    base = Path(root) if root is not None else upload_root()
    dirs = sorted(
        (d for d in base.glob(f"{UPLOAD_PREFIX}*") if d.is_dir()),
        key=lambda d: d.stat().st_mtime,
        reverse=True,
    )
    for d in dirs[keep:]:
        shutil.rmtree(d, ignore_errors=True)
    return len(dirs[keep:])


def find_upload(upload_id: str, root: str | Path | None = None) -> UploadedCheckpoint | None:
    """The upload with this id if the server still has it (None otherwise, also for an id
    that is not ``ID_CHARS`` lower-case hex digits)."""
    if len(upload_id) != ID_CHARS or any(c not in "0123456789abcdef" for c in upload_id):
        return None
    base = Path(root) if root is not None else upload_root()
    d = base / f"{UPLOAD_PREFIX}{upload_id}"
    try:
        kind = _kind((d / META_FILE).read_bytes())
    except (OSError, ValueError):
        return None
    if not (d / WEIGHTS_FILE).is_file():
        return None
    os.utime(d, (time.time(), time.time()))  # used: it stays among the newest
    return UploadedCheckpoint(id=upload_id, path=d, kind=kind, n_bytes=0)

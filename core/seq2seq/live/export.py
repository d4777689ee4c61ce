"""A trained job's checkpoint as a download (``checkpoint_zip``)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

ZIP_FOLDER = "sequence-lab-model"


def checkpoint_zip(path: str | Path, folder: str = ZIP_FOLDER) -> bytes:
    """The checkpoint directory ``path`` as a zip archive (files under ``folder/``); unzip it
    and pass the folder to ``load_translator``.  ``ValueError`` if it is not a directory."""
    p = Path(path)
    if not p.is_dir():
        raise ValueError(f"No checkpoint directory at {p} (it may have been cleaned up).")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(p.iterdir()):
            if f.is_file():
                zf.write(f, f"{folder}/{f.name}")
    return buf.getvalue()

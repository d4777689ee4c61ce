"""Checkpoint zips read back strictly (core.checkpoint_files): what is refused and why, what is
accepted, and that an accepted zip loads as the same model (tensors via weights_only=True)."""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from pathlib import Path

import pytest

from core.checkpoint_files import (
    KEEP_UPLOADS,
    MAX_ZIP_BYTES,
    UPLOAD_PREFIX,
    checkpoint_zip,
    find_upload,
    prune_uploads,
    unpack_checkpoint_zip,
)

ROOT = Path(__file__).resolve().parents[2]
GRU = ROOT / "assets" / "seq2seq" / "model"
TRANSFORMER = ROOT / "assets" / "transformer" / "model"


def make_zip(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, blob in files.items():
            zf.writestr(name, blob)
    return buf.getvalue()


META = json.dumps({"format": "sequence-lab-seq2seq", "version": 1}).encode()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b"PK\x03\x04 not really a zip", "not a zip"),
        (b"<html>hello</html>", "not a zip"),
        (make_zip({"model.json": META}), "no weights.pt"),
        (make_zip({"weights.pt": b"x"}), "no model.json"),
        (make_zip({"model.json": META, "weights.pt": b"x", "run.py": b"import os"}), "'run.py'"),
        (make_zip({"model.json": META, "weights.pt": b"x", "../model.json": META}), "'../"),
        (make_zip({"a/model.json": META, "b/weights.pt": b"x"}), "different folders"),
        (make_zip({"a/b/model.json": META, "a/b/weights.pt": b"x"}), "'a/b/model.json'"),
        (make_zip({"model.json": b"\xff\xfe", "weights.pt": b"x"}), "not valid UTF-8 JSON"),
        (make_zip({"model.json": b'{"format": "pickle"}', "weights.pt": b"x"}), "'pickle'"),
        (make_zip({"model.json": b"[1, 2]", "weights.pt": b"x"}), "not a Sequence Lab"),
    ],
)
def test_refused_with_a_reason(tmp_path, data, says):
    with pytest.raises(ValueError, match=None) as exc:
        unpack_checkpoint_zip(data, tmp_path)
    assert says in str(exc.value)
    assert not list(tmp_path.glob(f"{UPLOAD_PREFIX}*"))  # nothing written


def test_refused_before_reading_when_too_large(tmp_path):
    with pytest.raises(ValueError, match="at most 32.0 MB"):
        unpack_checkpoint_zip(b"\0" * (MAX_ZIP_BYTES + 1), tmp_path)


def test_zip_bomb_is_stopped_by_the_unpacked_cap(tmp_path):
    # 70 MB of zeros compress to ~70 kB; the weights cap is 64 MB
    data = make_zip({"model.json": META, "weights.pt": b"\0" * (70 * 2**20)})
    assert len(data) < 1 * 2**20
    with pytest.raises(ValueError, match="unpacks to 70.0 MB; at most 64.0 MB"):
        unpack_checkpoint_zip(data, tmp_path)


def test_duplicate_member_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("model.json", META)
        zf.writestr("weights.pt", b"x")
        with pytest.warns(UserWarning):
            zf.writestr("weights.pt", b"y")
    with pytest.raises(ValueError, match="weights.pt more than once"):
        unpack_checkpoint_zip(buf.getvalue(), tmp_path)


@pytest.mark.parametrize(("ck", "kind"), [(GRU, "gru"), (TRANSFORMER, "transformer")])
def test_round_trip_of_the_shipped_models(tmp_path, ck, kind):
    from core.seq2seq.translator import load_translator

    data = checkpoint_zip(ck)
    up = unpack_checkpoint_zip(data, tmp_path)
    assert up.kind == kind and up.n_bytes == len(data) and len(up.id) == 12
    assert sorted(f.name for f in up.path.iterdir()) == ["metrics.json", "model.json", "weights.pt"]
    for f in up.path.iterdir():
        assert f.read_bytes() == (ck / f.name).read_bytes()
    # same bytes, same id and folder; found by id
    assert unpack_checkpoint_zip(data, tmp_path) == up
    assert find_upload(up.id, tmp_path).path == up.path
    shipped = load_translator(kind=kind).translate("je suis fatigue .")
    mine = load_translator(up.path, kind=kind).translate("je suis fatigue .")
    assert mine.words == shipped.words
    assert abs(mine.confidence - shipped.confidence) < 1e-9


def test_files_at_the_top_level_are_accepted(tmp_path):
    files = {f.name: f.read_bytes() for f in GRU.iterdir() if f.name != "metrics.json"}
    up = unpack_checkpoint_zip(make_zip(files, zipfile.ZIP_STORED), tmp_path)
    assert up.kind == "gru"
    assert sorted(f.name for f in up.path.iterdir()) == ["model.json", "weights.pt"]


@pytest.mark.filterwarnings("ignore:Detected pickle protocol:UserWarning")
def test_damaged_weights_pass_the_zip_check_and_fail_the_load(tmp_path):
    from core.seq2seq.translator import load_translator

    files = {f.name: f.read_bytes() for f in GRU.iterdir()}
    files["weights.pt"] = b"\x80\x04 this is a pickle, not tensors"
    up = unpack_checkpoint_zip(make_zip(files), tmp_path)
    with pytest.raises(ValueError, match="corrupted or not a tensor file"):
        load_translator(up.path, kind="gru")


def test_only_the_newest_uploads_stay(tmp_path):
    ids = []
    for i in range(KEEP_UPLOADS + 3):
        up = unpack_checkpoint_zip(
            make_zip({"model.json": META, "weights.pt": bytes([i])}), tmp_path
        )
        past = time.time() - 1000 + i  # distinct, increasing times
        os.utime(up.path, (past, past))
        ids.append(up.id)
    assert prune_uploads(tmp_path) == 0  # pruned while uploading already
    left = {d.name.removeprefix(UPLOAD_PREFIX) for d in tmp_path.glob(f"{UPLOAD_PREFIX}*")}
    assert left == set(ids[-KEEP_UPLOADS:])
    assert find_upload(ids[0], tmp_path) is None
    assert find_upload(ids[-1], tmp_path) is not None


@pytest.mark.parametrize("bad", ["", "../../etc", "ABCDEF123456", "0" * 11, "0" * 13, "g" * 12])
def test_find_upload_refuses_ids_that_are_not_ids(tmp_path, bad):
    assert find_upload(bad, tmp_path) is None

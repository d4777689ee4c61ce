"""AppTest runs of the Translate page's checkpoint-zip upload (issue 11: a downloaded model can
be brought back).  A zip is checked strictly, its model loaded with weights_only=True, and the
page switches to it; bad zips get a message naming the problem and the page keeps working;
the link (?upload=<id>) opens the uploaded model in another session."""

from __future__ import annotations

import html
import io
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.checkpoint_files import checkpoint_zip, find_upload
from core.seq2seq import load_translator
from tests.app.test_translate_page import _session_checkpoint, boxes, headline, open_page
from ui import translate_state as state

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def toy_zip(tmp_path_factory) -> bytes:
    """A tiny GRU checkpoint (translates differently from the shipped one), as the Train page
    would offer it for download."""
    return checkpoint_zip(_session_checkpoint(tmp_path_factory.mktemp("toy"), {"data": {}}))


def upload(at: AppTest, blob: bytes, name: str = "model.zip") -> AppTest:
    key = next(u.key for u in at.get("file_uploader") if u.key.startswith("ck_upload"))
    at.file_uploader(key=key).set_value((name, blob, "application/zip")).run()
    return at


def test_an_uploaded_gru_zip_is_used_and_linkable(toy_zip):
    at = upload(open_page(), toy_zip, "sequence-lab-model-job3.zip")
    assert not at.exception and not at.error
    assert at.radio(key="gru_model").value == "uploaded"
    label = at.radio(key="gru_model").options[-1]
    assert "sequence-lab-model-job3.zip" in label
    up_id = at.query_params[state.UPLOAD_PARAM]
    up_id = up_id if isinstance(up_id, str) else up_id[-1]
    up = find_upload(up_id)
    assert up is not None
    path = str(up.path)
    toy = load_translator(path).translate(state.DEFAULT_TEXT, beam=1)
    shipped = load_translator().translate(state.DEFAULT_TEXT, beam=1)
    assert headline(at) == html.escape(" ".join(toy.words)) != " ".join(shipped.words)
    # the uploader is emptied (its bytes are not kept in the session)
    assert all(u.value is None for u in at.get("file_uploader"))
    # back to the shipped model, and the link leaves out the upload's choice... but keeps its id
    at.radio(key="gru_model").set_value("shipped").run()
    assert headline(at) == " ".join(shipped.words)
    # another session opening the link sees the uploaded model
    other = open_page({state.UPLOAD_PARAM: up_id})
    assert not other.exception and "no longer has" not in boxes(other.warning)
    assert other.radio(key="gru_model").value == "uploaded"
    assert headline(other) == html.escape(" ".join(toy.words))


def test_an_uploaded_transformer_zip_switches_the_model():
    blob = checkpoint_zip(ROOT / "assets" / "transformer" / "model")
    at = upload(open_page(), blob)
    assert not at.exception and not at.error
    assert at.segmented_control(key="model").value == state.TRANSFORMER
    assert at.radio(key="transformer_model").value == "uploaded"
    shipped = load_translator(kind="transformer").translate(state.DEFAULT_TEXT, beam=1)
    assert headline(at) == " ".join(shipped.words)  # the same weights as the shipped one


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for k, v in files.items():
            zf.writestr(k, v)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("blob", "says"),
    [
        (b"just text, not a zip", "not a zip archive"),
        (_zip({"model.json": b"{}", "weights.pt": b"x", "evil.py": b"import os"}), "evil.py"),
        (_zip({"notes.txt": b"hello"}), "notes.txt"),
        (_zip({"model.json": b'{"format": "x"}', "weights.pt": b"x"}), "not a Sequence Lab"),
    ],
)
def test_bad_zips_get_a_message_and_the_page_keeps_working(blob, says):
    at = upload(open_page(), blob, "bad.zip")
    assert not at.exception
    errors = boxes(at.error)
    assert "bad.zip was not taken" in errors and says in errors
    assert state.UPLOAD_PARAM not in at.query_params
    shipped = load_translator().translate(state.DEFAULT_TEXT, beam=1)
    assert headline(at) == " ".join(shipped.words)  # the shipped model still translates


def test_a_zip_whose_tensors_do_not_load_is_refused_and_removed(toy_zip, tmp_path):
    with zipfile.ZipFile(io.BytesIO(toy_zip)) as zf:
        files = {i.filename: zf.read(i) for i in zf.infolist()}
    files = {
        k: (b"\x80\x02not tensors" if k.endswith("weights.pt") else v) for k, v in files.items()
    }
    at = upload(open_page(), _zip(files), "damaged.zip")
    assert not at.exception
    errors = boxes(at.error)
    assert "damaged.zip was not taken" in errors and "does not load" in errors
    assert "/tmp" not in errors  # the server's folders are not shown


def test_a_link_to_an_upload_the_server_no_longer_has():
    at = open_page({state.UPLOAD_PARAM: "0123456789ab"})
    assert not at.exception
    assert "no longer has" in boxes(at.warning)
    assert state.UPLOAD_PARAM not in at.query_params
    shipped = load_translator().translate(state.DEFAULT_TEXT, beam=1)
    assert headline(at) == " ".join(shipped.words)

"""AppTest runs of the Train page: controls, deep links, bad uploads and tiny live trainings.

The trainings run on a made-up corpus uploaded through the page ("i am NAME ." / "je suis
NAME ."), not on sentences of the real corpus."""

import time

import pytest
from streamlit.testing.v1 import AppTest

from core.seq2seq import DEFAULT_DATA, load_translator
from tests.app.helpers import open_page as _open
from tests.app.helpers import texts
from tests.toy_corpus import toy_corpus

PAGE = "pages/5_Train.py"
TOY = toy_corpus()


def open_page(query: dict | None = None) -> AppTest:
    return _open(PAGE, query, timeout=60)


def upload(at: AppTest, blob: bytes, name: str = "pairs.txt") -> AppTest:
    at.file_uploader(key="upload").set_value((name, blob, "text/plain")).run()
    assert not at.exception, at.exception
    return at


def start_button(at: AppTest):
    return next(b for b in at.button if b.label == "Start training")


def run_until(at: AppTest, pred, timeout: float = 60.0) -> AppTest:
    deadline = time.monotonic() + timeout
    while not pred(at):
        assert time.monotonic() < deadline, texts(at)[-2000:]
        time.sleep(0.3)
        at.run()
        assert not at.exception, at.exception
    return at


def finished(at: AppTest) -> bool:
    return any("Training finished" in s.value for s in at.success) or bool(at.error)


@pytest.mark.skipif(not DEFAULT_DATA.exists(), reason="the corpus ../shared/data is not here")
def test_default_view_on_the_shared_corpus():
    at = open_page()
    assert at.select_slider(key="pairs").value == "all"
    assert at.select_slider(key="hidden").value == 128
    assert (
        at.slider(key="epochs").value,
        at.slider(key="tf").value,
        at.slider(key="minutes").value,
    ) == (30, 1.0, 3.0)
    body = texts(at)
    assert "training on **6,761**, validating on 836, testing on 868" in body
    assert "Expected: about" in body  # the default run fits its time cap
    assert not start_button(at).disabled
    assert "Training queue of this server" in body
    # fewer pairs and a bigger model change the summary
    at.select_slider(key="pairs").set_value("500").run()
    assert "training on **500**" in texts(at)
    at.select_slider(key="pairs").set_value("all").run()
    at.select_slider(key="hidden").set_value(256).run()
    at.slider(key="minutes").set_value(0.5).run()
    assert "cap stops it after about" in texts(at)


def test_deep_link_restores_the_controls():
    at = open_page(
        {
            "data": "my own file",
            "filter": "false",
            "pairs": "500",
            "hidden": "64",
            "epochs": "5",
            "tf": "0.5",
            "minutes": "1.5",
        }
    )
    assert at.radio(key="data").value == "my own file"
    assert at.toggle(key="filter").value is False
    assert at.select_slider(key="pairs").value == "500"
    assert at.select_slider(key="hidden").value == 64
    assert (
        at.slider(key="epochs").value,
        at.slider(key="tf").value,
        at.slider(key="minutes").value,
    ) == (5, 0.5, 1.5)
    assert "Choose a file to train on" in texts(at)
    assert start_button(at).disabled


@pytest.mark.parametrize(
    "blob, expected",
    [
        (
            b"i am anna .\tje suis anna .\nhe is ok .\til va bien .\nbad \xff\xfe\tbyte\n",
            "Line 3 is not valid UTF-8",
        ),
        (b"i am anna .\tje suis anna .\njust one column\n", "Line 2 has no tab"),
        (
            b"i am anna .\tje suis anna .\ni am bruno .\t\n",
            "Line 2: the French (second) column is empty",
        ),
        (b"", "The corpus is empty"),
        (b"\n \n", "The corpus is empty"),
        (b"x" * (50 * 2**20), "over the 32 MB limit"),
        (TOY[:300], "at least 20 are needed"),
    ],
)
def test_bad_uploads_get_a_message_naming_the_line_or_limit(blob, expected):
    at = upload(open_page({"data": "my own file"}), blob, "bad.txt")
    errors = "\n".join(e.value for e in at.error)
    assert expected in errors and "bad.txt" in errors
    assert "Traceback" not in texts(at)
    assert start_button(at).disabled


def test_the_uploader_limit_is_the_readers_limit():
    from core.seq2seq.data import MAX_UPLOAD_BYTES
    from ui.train_state import MAX_UPLOAD_MB

    assert MAX_UPLOAD_MB * 2**20 == MAX_UPLOAD_BYTES


def test_a_tiny_training_runs_to_the_end_and_hands_its_model_to_translate():
    at = upload(open_page({"data": "my own file", "hidden": "32", "epochs": "3"}), TOY, "toy.txt")
    assert "108 usable pairs in *toy.txt* → training on **86**" in texts(at)
    at.text_input(key="train_name").set_value("Ada <b>").run()
    start_button(at).click().run()
    assert not at.exception
    run_until(at, finished)
    assert not at.error, [e.value for e in at.error]
    done = next(s.value for s in at.success if "Training finished" in s.value)
    assert "all 3 epochs done" in done and "test BLEU-4" in done
    assert len(at.get("plotly_chart")) == 2
    assert len(at.dataframe) == 1  # sample translations
    ck = at.session_state["seq2seq_checkpoint"]
    assert ck["label"].startswith("your model: hidden 32, 3 epochs, test BLEU")
    assert load_translator(ck["path"]).translate("je suis anna .").source
    assert "The Translate page uses your model" in texts(at)
    assert any(p.proto.label == "Open the Translate page" for p in at.get("page_link"))
    assert "Training queue of this server" in texts(at)
    # the button hands the model over (again) and opens the Translate page
    at.session_state["seq2seq_checkpoint"] = None
    next(b for b in at.button if b.label == "Translate with this model").click().run()
    assert not at.exception, at.exception
    assert at.session_state["seq2seq_checkpoint"] == ck
    assert "Translate French to English" in at.title[0].value


def test_stopping_a_training_from_the_page():
    query = {"data": "my own file", "hidden": "32", "epochs": "60", "minutes": "1"}
    at = upload(open_page(query), TOY)
    start_button(at).click().run()
    run_until(at, lambda a: any(b.label == "Stop" for b in a.button))
    assert at.get("progress")[0].text.startswith(("Preparing", "Epoch"))
    next(b for b in at.button if b.label == "Stop").click().run()
    run_until(at, finished)
    done = next(s.value for s in at.success if "Training finished" in s.value)
    assert "stopped by you after" in done
    assert at.session_state["seq2seq_checkpoint"]["path"]

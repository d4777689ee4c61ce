"""AppTest runs of the Train page: controls, deep links, bad links, bad uploads and tiny live
trainings, plus the page's wording helpers.

The trainings run on a made-up corpus uploaded through the page ("i am NAME ." / "je suis
NAME ."), not on sentences of the real corpus.  Checks compare what the page shows with the
values core computes (split sizes, the job's status) rather than whole sentences."""

import re
import time

import pytest
from streamlit.testing.v1 import AppTest

from core.seq2seq import DEFAULT_DATA, load_translator
from core.seq2seq.live import EndedBy, JobState, LiveConfig, epochs_within_cap
from tests.app.helpers import open_page as _open
from tests.app.helpers import texts
from tests.toy_corpus import toy_corpus
from ui import train_state as state
from ui import train_views as views
from ui import train_wording as say
from ui.controls import plain
from ui.registry import page

PAGE = "pages/5_Train.py"
TOY = toy_corpus()
needs_corpus = pytest.mark.skipif(
    not DEFAULT_DATA.exists(), reason="the shipped corpus assets/data/eng-fra.txt.xz is missing"
)


def open_page(query: dict | None = None) -> AppTest:
    return _open(PAGE, query, timeout=60)


def shown(markdown: str) -> str:
    """Markdown as read on the page: backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def numbers(text: str) -> list[float]:
    """The numbers in ``text`` in order ('6,761' -> 6761)."""
    return [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", shown(text))]


def split_caption(at: AppTest) -> str:
    """The caption under the settings (the one that names the usable pairs)."""
    return next(shown(c.value) for c in at.caption if "usable pairs" in c.value)


def upload(at: AppTest, blob: bytes, name: str = "pairs.txt") -> AppTest:
    at.file_uploader(key="upload").set_value((name, blob, "text/plain")).run()
    assert not at.exception, at.exception
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def run_until(at: AppTest, pred, timeout: float = 60.0) -> AppTest:
    deadline = time.monotonic() + timeout
    while not pred(at):
        assert time.monotonic() < deadline, texts(at)[-2000:]
        time.sleep(0.3)
        at.run()
        assert not at.exception, at.exception
    return at


def finished(at: AppTest) -> bool:
    return bool(at.success) or bool(at.error)


def my_job(at: AppTest):
    """This session's job as the server's queue reports it."""
    return state.queue().status(at.session_state[state.JOB_KEY])


@needs_corpus
def test_default_view_on_the_shared_corpus():
    at = open_page()
    assert at.select_slider(key="pairs").value == "all"
    assert at.select_slider(key="hidden").value == 128
    assert (
        at.slider(key="epochs").value,
        at.slider(key="tf").value,
        at.slider(key="minutes").value,
    ) == (30, 1.0, 3.0)
    caption = split_caption(at)
    assert numbers(caption)[1:4] == [6761, 836, 868]  # training, validation, test pairs
    cfg = LiveConfig()
    assert epochs_within_cap(6761, cfg) is None  # the default run fits its time cap
    assert shown(say.expected_time(6761, cfg)) in caption
    assert not button(at, views.START).disabled
    assert views.QUEUE_HEADING in [m.value for m in at.markdown]
    assert not at.warning and not at.error
    # fewer pairs and a bigger model change the summary
    at.select_slider(key="pairs").set_value("500").run()
    assert numbers(split_caption(at))[1] == 500
    at.select_slider(key="pairs").set_value("all").run()
    at.select_slider(key="hidden").set_value(256).run()
    at.slider(key="minutes").set_value(0.5).run()
    capped = LiveConfig(hidden=256, minutes=0.5)
    assert epochs_within_cap(6761, capped) is not None  # the cap now cuts the run short
    assert shown(say.expected_time(6761, capped)) in split_caption(at)


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
    assert len(at.get("file_uploader")) == 1 and len(at.info) == 1  # it asks for a file
    assert not at.warning  # every link value was usable
    assert button(at, views.START).disabled


DEFAULTS = {
    "epochs": ("slider", 30),
    "tf": ("slider", 1.0),
    "minutes": ("slider", 3.0),
    "pairs": ("select_slider", "all"),
    "hidden": ("select_slider", 128),
    "filter": ("toggle", True),
}


@pytest.mark.parametrize(
    "key, raw",
    [
        ("epochs", "inf"),
        ("epochs", "1" + "0" * 400),
        ("epochs", "2.5"),
        ("epochs", "61"),
        ("tf", "nan"),
        ("tf", "1e308"),
        ("minutes", "0.1"),
        ("minutes", "-inf"),
        ("pairs", "123"),
        ("pairs", "[click](https://evil.example)"),
        ("hidden", "100"),
        ("hidden", "![i](https://evil.example/pixel.png)"),
        ("filter", "maybe"),
    ],
)
def test_bad_link_values_fall_back_to_the_default_with_one_warning(key, raw):
    at = open_page({"data": "my own file", key: raw})
    assert not at.exception
    kind, default = DEFAULTS[key]
    assert getattr(at, kind)(key=key).value == default
    assert len(at.warning) == 1
    msg = at.warning[0].value
    control = next(c for c in state.CONTROLS if c.key == key)
    assert plain(control.name or control.label) in msg  # it names the control
    assert "](" not in msg  # escaped: a link value is never a link or an image
    if "](" in raw:
        assert "\\]\\(" in msg
    assert at.radio(key="data").value == "my own file"  # the good value is kept


@needs_corpus
def test_an_unknown_data_choice_in_a_link_falls_back_to_the_shared_corpus():
    at = open_page({"data": "![x](https://evil.example/x.png)"})
    assert not at.exception
    assert at.radio(key="data").value == state.SHARED
    assert len(at.warning) == 1 and "](" not in at.warning[0].value
    assert numbers(split_caption(at))[1:4] == [6761, 836, 868]


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
        (b"![pic](https://evil.example/p.png)\n", "Line 1 has no tab"),
    ],
)
def test_bad_uploads_get_a_message_naming_the_line_or_limit(blob, expected):
    at = upload(open_page({"data": "my own file"}), blob, "bad.txt")
    assert len(at.error) == 1
    error = at.error[0].value
    assert expected in shown(error) and "bad.txt" in shown(error)
    assert "](" not in error  # the file's text is shown literally
    assert "Traceback" not in texts(at)
    assert button(at, views.START).disabled


def test_a_tiny_training_runs_to_the_end_and_hands_its_model_to_translate():
    at = upload(open_page({"data": "my own file", "hidden": "32", "epochs": "3"}), TOY, "toy.txt")
    caption = split_caption(at)
    assert numbers(caption)[:2] == [108, 86] and "toy.txt" in caption
    at.text_input(key="train_name").set_value("Ada <b>").run()
    button(at, views.START).click().run()
    assert not at.exception
    run_until(at, finished)
    assert not at.error, [e.value for e in at.error]
    s = my_job(at)
    assert s.state is JobState.DONE and s.ended_by is EndedBy.EPOCHS and s.label == "Ada b"
    assert s.test_bleu is not None
    done = shown(at.success[0].value)
    assert say.ended_reason(s) in done and f"{s.test_bleu:.1f}" in done
    assert len(at.get("plotly_chart")) == 2
    assert len(at.dataframe) == 1  # sample translations
    ck = at.session_state[state.CHECKPOINT_KEY]
    assert ck == {"path": s.checkpoint, "label": say.model_label(s), "ref": s.ref}
    assert at.query_params[state.JOB_PARAM] in (s.ref, [s.ref])  # a reload or another tab finds it
    assert ck["label"].startswith("your model: hidden 32, 3 epochs, test BLEU")
    assert load_translator(ck["path"]).translate("je suis anna .").source
    assert any(ck["label"] in shown(c.value) for c in at.caption)  # Translate uses it now
    assert any(p.proto.label == views.OPEN_TRANSLATE for p in at.get("page_link"))
    assert views.QUEUE_HEADING in [m.value for m in at.markdown]
    # the button hands the model over (again) and opens the Translate page
    at.session_state[state.CHECKPOINT_KEY] = None
    button(at, views.USE).click().run()
    assert not at.exception, at.exception
    assert at.session_state[state.CHECKPOINT_KEY] == ck
    assert at.title[0].value == page("translate").title
    assert at.query_params[state.JOB_PARAM] in (
        s.ref,
        [s.ref],
    )  # the Translate link names the model
    # a new visitor (a reload, another tab) with that link gets the same model and the job
    again = open_page({state.JOB_PARAM: s.ref})
    assert my_job(again).id == s.id and not again.warning
    other = _open("pages/4_Translate.py", {state.JOB_PARAM: s.ref})
    assert other.radio(key="gru_model").value == "mine"
    assert not [w for w in other.warning if "no longer has" in w.value]
    assert f"job #{s.id}" in other.radio(key="gru_model").options[1]


def test_a_link_to_a_job_the_server_no_longer_has_says_so():
    at = open_page({state.JOB_PARAM: "9999-abcdef"})
    assert not at.exception
    (w,) = [w.value for w in at.warning if "no longer has" in w.value]
    assert "job #9999" in w and state.JOB_PARAM not in at.query_params
    at = _open("pages/4_Translate.py", {state.JOB_PARAM: "9999-abcdef"})
    assert not at.exception and any("no longer has" in w.value for w in at.warning)
    assert at.markdown  # the shipped model still translates


def test_stopping_a_training_from_the_page():
    query = {"data": "my own file", "hidden": "32", "epochs": "60", "minutes": "1"}
    at = upload(open_page(query), TOY)
    button(at, views.START).click().run()
    run_until(at, lambda a: any(b.label == views.STOP for b in a.button))
    bar = at.get("progress")[0]
    assert 0 <= bar.value <= 100 and bar.text  # a progress bar with its text
    button(at, views.STOP).click().run()
    run_until(at, finished)
    s = my_job(at)
    assert s.state is JobState.STOPPED and s.ended_by is EndedBy.STOP
    assert say.ended_reason(s) in shown(at.success[0].value)
    assert at.session_state[state.CHECKPOINT_KEY]["path"] == s.checkpoint


# ---------------------------------------------------------------- the page's wording
def test_wording_of_settings_and_durations():
    cfg = LiveConfig()
    assert "30 epochs · hidden 128" in say.config_line(cfg, 6761)
    assert say.config_line(cfg).startswith("all pairs")
    assert say.config_line(LiveConfig(epochs=1), 1).startswith("1 pair · 1 epoch ·")
    assert [say.duration(x) for x in (None, 45, 125, 720)] == ["?", "45 s", "2 min 05 s", "12 min"]
    assert [say.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 22, 101)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "22nd",
        "101st",
    ]
    assert say.ago(100.0, now=145.0) == "45 s ago" and say.ago(None) == ""

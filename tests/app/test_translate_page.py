"""AppTest runs of the Translate page (homework question 4), with the shipped checkpoint."""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.seq2seq import DEFAULT_DATA, load_translator
from tests.app.helpers import open_page as _open
from tests.app.helpers import texts

PAGE = "pages/4_Translate.py"


def open_page(query: dict | None = None) -> AppTest:
    return _open(PAGE, query, timeout=120)


def headline(at: AppTest) -> str:
    return next((m.value[5:] for m in at.markdown if m.value.startswith("#### ")), "")


def test_default_sentence_translates_with_its_attention_map():
    at = open_page()
    out = load_translator().translate("je suis tres fatigue .", beam=1)
    assert headline(at) == " ".join(out.words)
    assert out.words[:2] in (["i", "am"], ["i", "m"])
    assert len(at.get("plotly_chart")) == 3
    assert "greedy decoding" in texts(at)
    # attention rows are distributions over the source tokens
    np.testing.assert_allclose(out.attention.sum(axis=1), 1.0, atol=1e-5)


def test_deep_link_with_beam_search_and_a_selected_word():
    out = load_translator().translate("Il est plus grand que moi.", beam=5)
    # the URL holds the selected word's button label, "2. <word>"
    at = open_page(
        {
            "fr": "Il est plus grand que moi.",
            "dec": "beam search",
            "beam": "5",
            "w": f"2. {out.words[1]}",
        }
    )
    assert headline(at) == " ".join(out.words)
    assert at.slider(key="beam").value == 5
    assert "beam search, width 5" in texts(at)
    step = out.steps[1]
    assert f"At step 2 the decoder chose “{step.word}” with probability {step.prob:.3f}" in texts(
        at
    )


def test_changing_the_sentence_and_the_decoder():
    at = open_page()
    at.text_input(key="fr").set_value("Nous sommes en retard !").run()
    assert not at.exception
    first = headline(at)
    assert first.startswith("we ")
    at.radio(key="dec").set_value("beam search").run()
    assert not at.exception
    assert at.slider(key="beam").value == 5
    at.toggle(key="table").set_value(True).run()
    assert len(at.dataframe) == 1


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "empty input"),
        ("   ", "empty input"),
        ("😀🙂", "no French words left"),
        ("12345", "no French words left"),
        ("<script>alert(1)</script>", "none of the words is in the model's French vocabulary"),
        ("cat dog", "none of the words is in the model's French vocabulary"),
    ],
)
def test_bad_input_gets_a_message(text, expected):
    at = open_page()
    at.text_input(key="fr").set_value(text).run()
    assert not at.exception
    body = "\n".join(e.value for e in at.error)
    assert expected in body
    assert "No translation to show" in texts(at)
    # nothing of the input is rendered as HTML
    assert "<script>" not in "".join(m.value for m in at.markdown)


def test_english_input_is_recognised():
    # "the", "on" and "table" are also French words, so a (poor) translation still appears
    at = open_page({"fr": "The cat is on the table."})
    assert not at.exception
    warn = "\n".join(w.value for w in at.warning)
    assert "this looks like English (cat, is are English words" in warn
    assert "the model translates French into English" in warn


def test_unknown_words_are_flagged_with_close_words():
    at = open_page({"fr": "je suis tres fatiguee et contant ."})
    assert not at.exception
    warn = "\n".join(w.value for w in at.warning)
    assert "Words the model never saw" in warn
    assert headline(at)  # the sentence still translates


def test_long_input_is_cut_with_a_note():
    at = open_page()
    at.text_input(key="fr").set_value(" ".join(["je suis content ."] * 30)).run()
    assert not at.exception
    assert "translated the first 10" in "\n".join(w.value for w in at.warning)


@pytest.mark.skipif(not DEFAULT_DATA.exists(), reason="the corpus ../shared/data is not here")
def test_examples_come_from_the_test_split():
    at = open_page()
    box = at.selectbox(key="example")
    assert len(box.options) >= 10
    choice = box.options[3]
    box.set_value(choice).run()
    assert at.text_input(key="fr").value == choice
    assert "reference translation" in texts(at)


def _session_checkpoint(tmp_path, meta: dict) -> str:
    """A small random model saved as a checkpoint (what the Train page hands over)."""
    import torch

    from core.seq2seq import ModelConfig, Seq2Seq, save_checkpoint
    from core.seq2seq.data import build_vocab

    src = build_vocab(["je suis content .", "il est grand ."])
    tgt = build_vocab(["i am happy .", "he is tall ."])
    torch.manual_seed(0)
    model = Seq2Seq(
        ModelConfig(src_vocab=len(src), tgt_vocab=len(tgt), emb=8, hidden=8, dropout=0.0)
    ).eval()
    return str(save_checkpoint(tmp_path / "mine", model, src, tgt, meta))


def test_a_model_trained_in_this_session_can_be_chosen(tmp_path):
    path = _session_checkpoint(tmp_path, {"data": {"file": "upload.txt"}})
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"), default_timeout=120)
    at.session_state["seq2seq_checkpoint"] = {"path": path, "label": "your model: hidden 8"}
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    # a newly trained model is preselected
    assert at.radio(key="model").value == "mine"
    assert "your model: hidden 8" in at.radio(key="model").options
    mine = load_translator(path).translate("je suis tres fatigue .", beam=1)
    assert headline(at) == " ".join(mine.words)
    assert "trained on an uploaded file" in texts(at)  # no shared-corpus examples for it
    at.radio(key="model").set_value("shipped").run()
    assert not at.exception
    shipped = load_translator().translate("je suis tres fatigue .", beam=1)
    assert headline(at) == " ".join(shipped.words) != " ".join(mine.words)
    # the choice sticks on the next run (the model is no longer new)
    at.run()
    assert at.radio(key="model").value == "shipped"


def test_a_broken_session_checkpoint_falls_back_to_the_shipped_model(tmp_path):
    path = _session_checkpoint(tmp_path, {})
    (Path(path) / "weights.pt").write_bytes(b"not a checkpoint")
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"), default_timeout=120)
    at.session_state["seq2seq_checkpoint"] = {"path": path, "label": "broken"}
    at.run()
    at.switch_page(PAGE).run()
    assert at.radio(key="model").value == "mine"
    assert not at.exception
    assert "could not be loaded" in "\n".join(e.value for e in at.error)
    assert "Falling back to the shipped model" in texts(at)
    assert headline(at) == " ".join(load_translator().translate("je suis tres fatigue .").words)

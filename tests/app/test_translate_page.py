"""AppTest runs of the Translate page (homework question 4), with the shipped checkpoint.

Checks compare what the page shows with what ``core.seq2seq`` computes for the same input (the
words, the notes on the input, the chosen step's word and probability) and the kinds of the
elements, rather than whole sentences of the page."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.seq2seq import load_translator
from core.seq2seq.translation import NoteKind
from tests.app.helpers import open_page as _open
from tests.app.helpers import texts
from ui import translate_state as state
from ui import translate_views as views

PAGE = "pages/4_Translate.py"
APP = str(Path(__file__).resolve().parents[2] / "app.py")


def open_page(query: dict | None = None) -> AppTest:
    return _open(PAGE, query, timeout=120)


def shown(markdown: str) -> str:
    """Markdown as read on the page: backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def headline(at: AppTest) -> str:
    return next((m.value[5:] for m in at.markdown if m.value.startswith("#### ")), "")


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def boxes(kind) -> str:
    return "\n".join(shown(e.value) for e in kind)


def test_default_sentence_translates_with_its_attention_map():
    at = open_page()
    out = load_translator().translate(state.DEFAULT_TEXT, beam=1)
    assert headline(at) == " ".join(out.words)
    assert out.words[:2] in (["i", "am"], ["i", "m"])
    assert len(at.get("plotly_chart")) == 3
    assert at.radio(key="dec").value == state.GREEDY
    assert any(c.startswith(state.GREEDY) for c in captions(at))  # says how it decoded
    assert not at.warning and not at.error
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
    assert any(c.startswith(f"{state.BEAM_SEARCH}, width 5") for c in captions(at))
    assert at.button_group(key="w").value == 2
    assert views.step_caption(out, 2) in captions(at)  # step 2's word and probability
    assert f"{out.steps[1].prob:.3f}" in views.step_caption(out, 2)
    assert not at.warning


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
    assert not at.warning


def test_a_new_sentence_after_a_deep_linked_word_is_not_a_bad_link():
    out = load_translator().translate("Il est plus grand que moi.", beam=1)
    at = open_page({"fr": "Il est plus grand que moi.", "w": f"3. {out.words[2]}"})
    assert at.button_group(key="w").value == 3 and not at.warning
    at.text_input(key="fr").set_value("je suis content .").run()
    assert not at.exception and not at.warning  # the word's old label is the widget's own
    at.text_input(key="fr").set_value("oui .").run()
    # no link warning (an "unsure" note on the model's confidence may come: "oui ." is short)
    assert not at.exception and not [w for w in at.warning if "link" in w.value]
    assert 1 <= at.button_group(key="w").value <= len(headline(at).split())


def test_step_buttons_move_the_selected_word_and_the_link():
    out = load_translator().translate(state.DEFAULT_TEXT, beam=1)
    n = len(out.words)
    at = open_page()
    shortcuts = {b.key: b.proto.shortcut for b in at.button if b.key and b.key.startswith("w_")}
    assert shortcuts == {  # as Streamlit stores them
        "w_step_first": "home", "w_step_back": "left", "w_step_next": "right", "w_step_last": "end",
    }  # fmt: skip

    def press(name: str, want: int) -> None:
        at.button(key=f"w_step_{name}").click().run()
        assert not at.exception and not at.warning, name
        assert at.button_group(key="w").value == want, name
        assert views.step_caption(out, want) in captions(at), name
        link = None if want == 1 else f"{want}. {out.words[want - 1]}"  # the button's label
        assert at.query_params.get("w") == link, name

    press("next", 2)
    press("back", 1)
    press("back", 1)  # Back stops at the first word
    press("last", n)
    press("next", n)  # Next stops at the last word
    press("back", n - 1)
    press("first", 1)


def test_step_buttons_start_from_a_deep_linked_word_and_follow_a_new_sentence():
    long = load_translator().translate("Il est plus grand que moi.", beam=1).words
    short = load_translator().translate("je suis content .", beam=1).words
    at = open_page({"fr": "Il est plus grand que moi.", "w": f"3. {long[2]}"})
    at.button(key="w_step_back").click().run()
    assert at.button_group(key="w").value == 2 and at.query_params["w"] == f"2. {long[1]}"
    at.text_input(key="fr").set_value("je suis content .").run()
    at.button(key="w_step_last").click().run()
    assert not at.exception and not at.warning
    assert at.button_group(key="w").value == len(short)
    assert at.query_params["w"] == f"{len(short)}. {short[-1]}"


def test_no_step_keys_when_both_models_are_shown():
    at = open_page({"model": "both"})
    assert not [b for b in at.button if b.proto.shortcut]


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀🙂", "12345", "<script>alert(1)</script>", "cat dog"],
)
def test_bad_input_gets_a_message(text):
    at = open_page()
    at.text_input(key="fr").set_value(text).run()
    assert not at.exception
    out = load_translator().translate(text, beam=1)
    assert not out.words and out.notes[0].kind is NoteKind.NOTHING
    assert len(at.error) == 1
    assert out.notes[0].text in boxes(at.error)  # core's reason, shown as an error
    assert not headline(at) and len(at.info) >= 1  # no translation, a hint instead
    # nothing of the input is rendered as HTML
    assert "<script>" not in "".join(m.value for m in at.markdown)


def test_english_input_is_recognised():
    # "the", "on" and "table" are also French words, so a (poor) translation still appears
    text = "The cat is on the table."
    at = open_page({"fr": text})
    assert not at.exception
    out = load_translator().translate(text, beam=1)
    english = [n.text for n in out.notes if n.kind is NoteKind.ENGLISH]
    assert english and "cat, is" in english[0]
    assert english[0] in boxes(at.warning)
    assert headline(at) == " ".join(out.words)


def test_unknown_words_are_flagged_with_close_words():
    text = "je suis tres fatiguee et contant ."
    at = open_page({"fr": text})
    assert not at.exception
    out = load_translator().translate(text, beam=1)
    assert out.unknown
    unknown_box = next(w.value for w in at.warning if all(u in w.value for u in out.unknown))
    for u in out.unknown:  # each unknown word with its closest known words
        for close in out.suggestions.get(u, []):
            assert close in unknown_box
    # the note listing the unknown words is not repeated in the notes box
    unknown_note = next(n.text for n in out.notes if n.kind is NoteKind.UNKNOWN)
    assert unknown_note not in boxes(at.warning)
    assert headline(at)  # the sentence still translates


def test_long_input_is_cut_with_a_note():
    text = " ".join(["je suis content ."] * 30)
    at = open_page()
    at.text_input(key="fr").set_value(text).run()
    assert not at.exception
    out = load_translator().translate(text[: state.MAX_TEXT], beam=1)  # the box keeps 500
    cut = [n.text for n in out.notes if n.kind is NoteKind.ADJUSTED]
    assert cut and "first 10" in cut[0]
    assert cut[0] in boxes(at.warning)


@pytest.mark.parametrize(
    "query, key, default",
    [
        ({"dec": "beam search", "beam": "inf"}, "beam", 5),
        ({"dec": "beam search", "beam": "1" + "0" * 400}, "beam", 5),
        ({"dec": "beam search", "beam": "11"}, "beam", 5),
        ({"dec": "beam search", "beam": "2.5"}, "beam", 5),
        ({"beam": "nan"}, "beam", None),  # not drawn with greedy decoding: still reported
        ({"dec": "turbo"}, "dec", state.GREEDY),
        ({"dec": "![i](https://evil.example/pixel.png)"}, "dec", state.GREEDY),
        ({"table": "maybe"}, "table", False),
        ({"fr": "x" * (state.MAX_TEXT + 1)}, "fr", state.DEFAULT_TEXT),
        ({"w": "[click](https://evil.example)"}, "w", 1),
        ({"w": "9. nothing"}, "w", 1),
    ],
)
def test_bad_link_values_fall_back_to_the_default_with_one_warning(query, key, default):
    at = open_page(query)
    assert not at.exception
    assert len(at.warning) == 1
    msg = at.warning[0].value
    assert "](" not in msg  # escaped: a link value is never a link or an image
    if any("](" in v for v in query.values()):
        assert "\\]\\(" in msg
    widget = {
        "beam": lambda: at.slider(key="beam").value,
        "dec": lambda: at.radio(key="dec").value,
        "table": lambda: at.toggle(key="table").value,
        "fr": lambda: at.text_input(key="fr").value,
        "w": lambda: at.button_group(key="w").value,
    }
    if default is not None:
        assert widget[key]() == default
    out = load_translator().translate(state.DEFAULT_TEXT, beam=5 if key == "beam" else 1)
    if key in ("beam", "table", "w"):
        assert headline(at) == " ".join(out.words)  # the page still translates


def test_examples_come_from_the_test_split():
    at = open_page()
    box = at.selectbox(key="example")
    assert len(box.options) >= 10
    choice = box.options[3]
    box.set_value(choice).run()
    assert at.text_input(key="fr").value == choice
    examples, _ = state.test_examples(None)
    reference = dict(examples)[choice]
    assert any(reference in shown(c) for c in captions(at))  # the reference translation


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
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[state.SESSION_KEY] = {"path": path, "label": "your model: hidden 8"}
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    # a newly trained model is preselected
    assert at.radio(key="gru_model").value == "mine"
    assert "your model: hidden 8" in at.radio(key="gru_model").options
    mine = load_translator(path).translate(state.DEFAULT_TEXT, beam=1)
    assert headline(at) == " ".join(mine.words)
    # no shared-corpus examples for a model trained on an uploaded file
    assert not [b for b in at.selectbox if b.key == "example"]
    assert state.test_examples(path)[1] in [shown(c) for c in captions(at)]
    at.radio(key="gru_model").set_value("shipped").run()
    assert not at.exception
    shipped = load_translator().translate(state.DEFAULT_TEXT, beam=1)
    assert headline(at) == " ".join(shipped.words) != " ".join(mine.words)
    # the choice sticks on the next run (the model is no longer new)
    at.run()
    assert at.radio(key="gru_model").value == "shipped"


def test_a_broken_session_checkpoint_falls_back_to_the_shipped_model(tmp_path):
    path = _session_checkpoint(tmp_path, {})
    (Path(path) / "weights.pt").write_bytes(b"not a checkpoint")
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[state.SESSION_KEY] = {"path": path, "label": "broken"}
    at.run()
    at.switch_page(PAGE).run()
    assert at.radio(key="gru_model").value == "mine"
    assert not at.exception
    assert len(at.error) == 1 and "weights.pt" in shown(at.error[0].value)  # names the file
    assert len(at.info) >= 1  # and says it falls back
    assert headline(at) == " ".join(load_translator().translate(state.DEFAULT_TEXT).words)


def test_the_page_says_what_is_the_tutorials_and_what_is_ours():
    """It used to call the shipped model 'the course's exercise' that learned only the
    exercise's slice; the model was trained on 62,704 more pairs with another architecture."""
    import json

    from core.seq2seq.translator import DEFAULT_CHECKPOINT

    at = open_page()
    text = " ".join(texts(at).split())
    meta = json.loads((DEFAULT_CHECKPOINT / "model.json").read_text())["meta"]
    assert f"{meta['data']['extra_pairs']:,} other short pairs" in text
    assert "course's sequence-to-sequence exercise" not in text
    for ours in ("both directions", "adaptive softmax", "split by French sentence"):
        assert ours in text
    assert "review question 4" not in text


def test_an_unlike_sentence_gets_a_calibrated_unsure_warning():
    """Out-of-domain French used to get confident nonsense with no note (issue 11)."""
    at = open_page()
    at.text_input(key="fr").set_value(
        "Le gouvernement a annoncé une nouvelle politique économique."
    ).run()
    out = load_translator().translate(
        "Le gouvernement a annoncé une nouvelle politique économique."
    )
    floor = load_translator().metrics["confidence_p05"]
    assert out.confidence < floor  # 0.59 < 0.64
    unsure = [w.value for w in at.warning if "unsure" in w.value]
    assert len(unsure) == 1 and f"{out.confidence:.2f}" in unsure[0] and f"{floor:.2f}" in unsure[0]
    at.text_input(key="fr").set_value("je suis fatigue .").run()
    assert not [w for w in at.warning if "unsure" in w.value]  # confident: 0.97


def test_the_model_choice_is_in_the_link_and_both_models_compare_side_by_side():
    gru, tf = load_translator(), load_translator(kind="transformer")
    at = open_page({"model": "transformer", "fr": "Ferme la porte."})
    assert at.segmented_control(key="model").value == "transformer"
    assert headline(at) == " ".join(tf.translate("Ferme la porte.").words)
    at = open_page({"model": "both", "fr": "je suis tres fatigue ."})
    heads = [m.value[5:] for m in at.markdown if m.value.startswith("#### ")]
    assert heads == [
        " ".join(gru.translate("je suis tres fatigue .").words),
        " ".join(tf.translate("je suis tres fatigue .").words),
    ]
    table = at.dataframe[-1].value.set_index("")
    assert list(table.columns) == ["GRU + attention", "Transformer"]
    bleu = list(table.loc["test BLEU-4 (greedy, 868 pairs)"])
    assert bleu == [f"{gru.metrics['test']['bleu']:.2f}", f"{tf.metrics['test']['bleu']:.2f}"]
    assert table.loc["parameters", "Transformer"] == f"{tf.metrics['parameters']:,}"
    maps = [c for c in at.get("plotly_chart")]
    assert len(maps) == 2  # one attention map per model, same colour scale
    for c in maps:
        fig = json.loads(c.proto.spec)
        heat = [d for d in fig["data"] if d["type"] == "heatmap"][0]
        assert (heat["zmin"], heat["zmax"]) == (0, 1)

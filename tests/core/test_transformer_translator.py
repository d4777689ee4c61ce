"""The transformer translator: the GRU translator's contract, the training command, and the
shipped model in assets/transformer/model."""

import json

import numpy as np
import pytest
import torch

from core.seq2seq.data import DEFAULT_DATA, SPECIALS, Vocab
from core.seq2seq.translator import Step, Translation
from core.transformer.model import Transformer, TransformerConfig
from core.transformer.translator import (
    DEFAULT_TRANSFORMER_CHECKPOINT,
    TransformerTranslator,
    load_transformer_translator,
)
from tests.toy_corpus import toy_corpus

SHIPPED = DEFAULT_TRANSFORMER_CHECKPOINT
needs_shipped = pytest.mark.skipif(
    not (SHIPPED / "weights.pt").is_file(),
    reason="no shipped transformer in assets/transformer/model (python -m core.transformer.train)",
)

FR = ("je", "suis", "tres", "fatigue", "il", "est", "content", "heureux", ".", "!", "?")
EN = ("i", "m", "very", "tired", "he", "s", "happy", "content", ".", "!", "?")


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """One torch thread: tiny tensors, and a shared 2-core machine where a second OpenMP
    thread mostly waits (each op then takes ~30x longer under load)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def toy_translator():
    torch.manual_seed(0)
    sv, tv = Vocab(SPECIALS + FR), Vocab(SPECIALS + EN)
    cfg = TransformerConfig(len(sv), len(tv), d_model=16, n_heads=2, d_ff=16, dropout=0.0)
    return TransformerTranslator(Transformer(cfg), sv, tv)


@pytest.fixture(scope="module")
def shipped():
    if not (SHIPPED / "weights.pt").is_file():
        pytest.skip("no shipped transformer checkpoint")
    return load_transformer_translator()


ODD_INPUTS = [
    ("", "empty input"),
    ("   \n\t ", "empty input"),
    ("!!! ??? ... 123 #$%", None),
    ("@#$%^&*()", "no French words"),
    ("<script>alert('x')</script> <b>je suis</b>", None),
    ("je suis " * 2000, "characters"),  # 16,000 characters
    ("x" * 10_000, None),
    ("zzqx blorf", "vocabulary"),
    ("je suis zzqx", "unknown"),
    ("I am very tired", "English"),
    (None, "empty input"),
    (12345, "no French words"),
    ("😀 je suis fatigué 😀", None),
    ("\x00\x01 je", None),
]


def _check_contract(out, beam_used=1):
    assert isinstance(out, Translation)
    assert isinstance(out.words, list) and all(isinstance(w, str) for w in out.words)
    assert out.attention.shape == (len(out.words), len(out.source))
    assert out.attention.dtype == np.float32 and np.isfinite(out.attention).all()
    if out.words:
        assert np.allclose(out.attention.sum(1), 1, atol=1e-4)
        assert len(out.steps) in (len(out.words), len(out.words) + 1)
        assert all(isinstance(s, Step) for s in out.steps)
        assert [s.word for s in out.steps[: len(out.words)]] == out.words
    assert out.beam == beam_used and isinstance(out.message, str)
    assert set(out.suggestions) <= set(out.unknown)


@pytest.mark.parametrize("text,words", ODD_INPUTS)
@pytest.mark.parametrize("beam", [1, 3])
def test_toy_translator_never_raises(toy_translator, text, words, beam):
    out = toy_translator.translate(text, beam=beam)
    _check_contract(out, beam)
    if words:
        assert words in out.message
    assert len(out.source) <= 10


def test_unknown_words_are_flagged_with_suggestions(toy_translator):
    out = toy_translator.translate("je suis trez fatigue", beam=1)
    assert out.unknown == ["trez"] and out.suggestions["trez"][0] == "tres"
    assert "unknown word" in out.message and out.words  # still translated


def test_odd_beam_values_are_clamped_and_reported(toy_translator):
    assert toy_translator.translate("je suis", beam=99).beam == 10
    out = toy_translator.translate("je suis", beam="wide")
    assert out.beam == 1 and "not a number" in out.message
    assert toy_translator.translate("je suis", beam=0).beam == 1


def test_trace_returns_every_layer_and_head(toy_translator):
    out, d = toy_translator.trace("il est tres content .")
    cfg = toy_translator.model.cfg
    n = len(d.ids)
    assert d.cross_attention.shape == (cfg.dec_layers, cfg.n_heads, n, len(out.source))
    assert np.allclose(out.attention, d.cross_attention[-1].mean(0)[: len(out.words)])
    assert toy_translator.trace("")[1] is None


def test_training_command_writes_a_loadable_checkpoint_with_metrics(tmp_path):
    from core.transformer.train import main

    data = tmp_path / "toy.txt"
    data.write_bytes(toy_corpus())
    out = tmp_path / "model"
    rc = main(
        [
            "--data",
            str(data),
            "--out",
            str(out),
            "--minutes",
            "0.01",
            "--d-model",
            "16",
            "--n-heads",
            "2",
            "--d-ff",
            "16",
            "--enc-layers",
            "1",
            "--dec-layers",
            "1",
            "--eval-every",
            "40",
            "--warmup",
            "5",
            "--extra-minutes",
            "0.005",
            "--no-beam",
        ]
    )
    assert rc == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert {"test", "val", "parameters", "train_seconds", "settings", "history"} <= set(metrics)
    assert metrics["history"] and metrics["settings"]["d_model"] == 16
    tr = load_transformer_translator(out)
    assert isinstance(tr.translate("je suis anna .").words, list)
    assert torch.load(out / "weights.pt", weights_only=True)  # a plain tensor dict


# --------------------------------------------------------------------------------------------
# The shipped model
# --------------------------------------------------------------------------------------------


@needs_shipped
@pytest.mark.parametrize("text,words", ODD_INPUTS)
def test_shipped_translator_never_raises(shipped, text, words):
    out = shipped.translate(text, beam=1)
    _check_contract(out)
    if words:
        assert words in out.message


@needs_shipped
def test_shipped_model_translates_sensibly_and_flags_unknown_words(shipped):
    out = shipped.translate("Je suis très fatigué.", beam=1)
    assert out.words == ["i", "m", "very", "tired", "."] and out.ended and not out.message
    assert out.source == ["je", "suis", "tres", "fatigue", "."]
    assert out.attention.argmax(1)[3] == 3  # "tired" looks at "fatigue"
    out = shipped.translate("il est tres fatiguxe .", beam=5)
    assert out.unknown == ["fatiguxe"] and "fatigue" in out.suggestions["fatiguxe"]
    assert out.beam == 5 and out.words


@needs_shipped
def test_shipped_checkpoint_is_small_plain_and_scored():
    size = sum(f.stat().st_size for f in SHIPPED.iterdir())
    assert size < 20 * 2**20
    weights = torch.load(SHIPPED / "weights.pt", weights_only=True)
    assert all(isinstance(v, torch.Tensor) for v in weights.values())
    metrics = json.loads((SHIPPED / "metrics.json").read_text())
    assert metrics["test"]["n"] == 868 and metrics["val"]["n"] == 836
    assert metrics["test"]["bleu"] > 60.3  # better than the shipped GRU on the same test pairs


@needs_shipped
@pytest.mark.skipif(not DEFAULT_DATA.is_file(), reason="the exercise's corpus is absent")
def test_shipped_model_bleu_on_a_slice_of_the_test_split(shipped):
    from core.seq2seq.data import load_pairs, split_pairs
    from core.seq2seq.evaluate import corpus_bleu
    from core.transformer.train import translate_all

    test = split_pairs(load_pairs(DEFAULT_DATA), seed=0).test[:200]
    hyps = translate_all(shipped.model, [p.fr for p in test], shipped.src_vocab, shipped.tgt_vocab)
    assert corpus_bleu(hyps, [p.en for p in test]) > 55


@needs_shipped
def test_shipped_transformer_scores_as_its_metrics_say_and_beats_the_gru():
    """The numbers the Translate page quotes, recomputed: greedy BLEU-4 on the 868 test pairs."""
    from core.seq2seq import load_translator
    from core.seq2seq.data import prepare_pairs, read_raw_pairs, split_pairs
    from core.transformer.train import score

    tr = load_translator(kind="transformer")
    split = split_pairs(prepare_pairs(read_raw_pairs()), seed=0, by="source")
    assert len(split.test) == 868
    got = score(tr.model, split.test, tr.src_vocab, tr.tgt_vocab)
    metrics = json.loads((SHIPPED / "metrics.json").read_text())
    assert got["bleu"] == pytest.approx(metrics["test"]["bleu"], abs=0.05)
    assert got["bleu"] >= 64.0  # the target, met
    gru = json.loads((SHIPPED.parents[1] / "seq2seq" / "model" / "metrics.json").read_text())
    assert got["bleu"] - gru["test"]["bleu"] > 3  # 64.0 vs 60.3 on the same pairs
    with pytest.raises(ValueError, match="kind must be one of"):
        load_translator(kind="lstm")

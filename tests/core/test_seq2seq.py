"""The seq2seq translation core: data rules, masking, decoding, checkpoints, the shipped model."""

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from core.seq2seq import data as seqdata
from core.seq2seq.data import (
    EOS,
    PAD,
    PROJECT_ROOT,
    SOS,
    UNK,
    CorpusError,
    Pair,
    Vocab,
    build_vocab,
    keep_pair,
    load_pairs,
    normalize_string,
    pad_batch,
    read_raw_pairs,
    split_pairs,
)
from core.seq2seq.decode import beam_search, greedy, greedy_batch
from core.seq2seq.evaluate import corpus_bleu, evaluate
from core.seq2seq.model import ModelConfig, Seq2Seq, load_checkpoint, save_checkpoint
from core.seq2seq.translation import Note, NoteKind, Translation
from core.seq2seq.translator import DEFAULT_CHECKPOINT, load_translator

ROOT = Path(__file__).resolve().parents[2]

CORPUS = seqdata.DEFAULT_DATA
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_file(), reason=f"the exercise's corpus is not at {CORPUS}"
)
needs_checkpoint = pytest.mark.skipif(
    not (DEFAULT_CHECKPOINT / "weights.pt").is_file(),
    reason="no shipped checkpoint in assets/seq2seq/model (python -m core.seq2seq.train)",
)

# A tiny made-up corpus in the file layout (not sentences of the real corpus).
ADJ = [
    ("tired", "fatigue"),
    ("happy", "heureux"),
    ("cold", "froid"),
    ("ready", "pret"),
    ("late", "en retard"),
    ("sad", "triste"),
    ("busy", "occupe"),
    ("hungry", "affame"),
]
WHO = [("I am", "Je suis"), ("He is", "Il est"), ("You are", "Tu es"), ("We are", "Nous sommes")]
TOY = "\n".join(f"{e} {a}.\t{f} {b}." for e, f in WHO for a, b in ADJ) + "\n"


@pytest.fixture(scope="module")
def corpus_pairs():
    if not CORPUS.is_file():
        pytest.skip(f"the exercise's corpus is not at {CORPUS}")
    return load_pairs(CORPUS)


@pytest.fixture(scope="module")
def random_model():
    torch.manual_seed(0)
    cfg = ModelConfig(
        src_vocab=40, tgt_vocab=30, emb=16, hidden=16, bidirectional=True, dropout=0.0
    )
    return Seq2Seq(cfg).eval()


# ------------------------------------------------------------------ normalisation and filter


@pytest.mark.parametrize(
    "raw, norm",
    [
        ("J'ai froid.", "j ai froid ."),
        ("Je suis très fatigué.", "je suis tres fatigue ."),
        ("Qu'est-ce que c'est ?", "qu est ce que c est ?"),
        ("  Ça va!!  ", "ca va ! !"),
        ("Il a 3 chats, 2 chiens…", "il a chats chiens"),
        ("ÉLÈVE Noël naïve", "eleve noel naive"),
        ("I'm sure.", "i m sure ."),
        ("😀 <b>", "b"),
        ("123", ""),
    ],
)
def test_normalize_string_follows_the_exercise(raw, norm):
    assert normalize_string(raw) == norm


def test_filter_keeps_short_pairs_with_an_english_prefix():
    assert keep_pair("je suis fatigue .", "i am tired .")
    assert keep_pair("il est la .", "he s here .")
    assert not keep_pair("je vois .", "i see .")  # no prefix
    assert not keep_pair("je suis " + "tres " * 7 + ".", "i am very tired .")  # 10 tokens
    assert keep_pair("je suis " + "tres " * 6 + ".", "i am very tired .")  # 9 tokens
    assert keep_pair("je vois .", "i see .", prefixes=None)


@needs_corpus
def test_corpus_counts_with_the_exact_rules(corpus_pairs):
    raw = read_raw_pairs(CORPUS)
    assert len(raw) == 75_437
    assert len(corpus_pairs) == 8_471  # normalised, < 10 tokens each side, English prefix
    assert all(p.en.startswith(seqdata.ENG_PREFIXES) for p in corpus_pairs)
    assert max(len(p.fr.split()) for p in corpus_pairs) == 9
    assert len(seqdata.prepare_pairs(raw[:2000], filter_pairs=False)) == 2000


# ------------------------------------------------------------------ reading uploads


def test_upload_bytes_and_text_are_read():
    assert len(read_raw_pairs(TOY.encode())) == 32
    assert len(read_raw_pairs(TOY)) == 32
    assert len(load_pairs(("\ufeff" + TOY.replace("\n", "\r\n")).encode())) == 32
    three = read_raw_pairs("Go.\tVa !\tCC-BY 2.0 (France) Attribution: tatoeba.org\n\n")
    assert three == [Pair(fr="Va !", en="Go.")]


@pytest.mark.parametrize(
    "blob, words",
    [
        (b"I am here.\tJe suis ici.\nHe is ok.\tIl va bien.\nbad \xff\xfe\tbyte\n", "Line 3"),
        (b"I am here.\tJe suis ici.\njust one column\n", "Line 2 has no tab"),
        (b"I am here.\tJe suis ici.\nI am.\t\n", "Line 2"),
        (b"\n\n  \n", "empty"),
        (b"x" * (50 * 2**20), "limit"),
    ],
)
def test_malformed_uploads_name_the_line_or_limit(blob, words):
    with pytest.raises(ValueError, match=words):
        read_raw_pairs(blob)


def test_missing_file_is_a_value_error(tmp_path):
    with pytest.raises(CorpusError, match="No corpus file"):
        read_raw_pairs(tmp_path / "nope.txt")


# ------------------------------------------------------------------ vocabulary and split


def test_vocab_specials_and_round_trip():
    v = build_vocab(["je suis la .", "je suis ici ."])
    assert v.words[:4] == ("<sos>", "<eos>", "<pad>", "<unk>")
    assert (SOS, EOS, PAD, UNK) == (0, 1, 2, 3)
    assert v.words[4:7] == (".", "je", "suis")  # most frequent first, ties alphabetical
    ids = v.encode(["je", "zzz", "."])
    assert ids[1] == UNK
    assert v.decode([*ids, EOS, 5]) == ["je", "<unk>", "."]
    assert "je" in v and "<pad>" not in v
    with pytest.raises(ValueError):
        Vocab(("a", "b"))


def test_unseen_inflections_are_read_as_seen_forms():
    v = build_vocab(["je suis mecontent .", "elle est heureuse .", "ils sont fatigues ."])
    assert seqdata.known_form("mecontente", v) == "mecontent"
    assert seqdata.known_form("mecontentes", v) == "mecontent"
    assert seqdata.known_form("heureux", v) is None  # heureuse -> heureux only, not back
    assert seqdata.known_form("fatigue", v) == "fatigues"
    assert seqdata.known_form("zzz", v) is None
    ids, subst = seqdata.encode_source(["je", "suis", "mecontente", "zzz"], v)
    assert ids[2] == v.index["mecontent"] and ids[3] == UNK
    assert subst == {"mecontente": "mecontent"}


def test_split_is_deterministic_disjoint_and_order_free():
    pairs = load_pairs(TOY) * 2  # exact duplicates are kept once
    a = split_pairs(pairs, seed=3, by="source")
    b = split_pairs(list(reversed(pairs)), seed=3, by="source")
    assert {p for p in a.test} == {p for p in b.test}
    assert sum(a.sizes()) == 32
    fr = [{p.fr for p in part} for part in (a.train, a.val, a.test)]
    assert not (fr[0] & fr[1] or fr[0] & fr[2] or fr[1] & fr[2])
    assert split_pairs(pairs, seed=4, by="source").test != a.test
    c = split_pairs(pairs, seed=3, by="pair")
    assert sum(c.sizes()) == 32
    assert set(c.test) == set(split_pairs(pairs[::-1], seed=3, by="pair").test)


@needs_corpus
def test_corpus_split_sizes(corpus_pairs):
    s = split_pairs(corpus_pairs, seed=0, by="pair")
    assert s.sizes() == (6772, 846, 847)  # 8,465 distinct pairs
    assert not set(s.train) & set(s.test)
    assert len(s.unseen_source()) == 755  # the other 92 test sentences are trained on
    s = split_pairs(corpus_pairs, seed=0, by="source")
    assert s.sizes() == (6761, 836, 868)
    train_fr = {p.fr for p in s.train}
    assert not any(p.fr in train_fr for p in s.test)  # no test sentence is trained on


# ------------------------------------------------------------------ masking and decoding


@pytest.mark.parametrize("bidirectional", [True, False])
def test_attention_ignores_padding_exactly(bidirectional):
    torch.manual_seed(2)
    m = Seq2Seq(
        ModelConfig(
            src_vocab=40, tgt_vocab=30, emb=16, hidden=16, bidirectional=bidirectional, dropout=0.0
        )
    ).eval()
    seqs = [[5, 6, 7, 8, 9, 10], [11, 12], [13, 14, 15, 16]]
    src, src_len = pad_batch(seqs)
    tgt_in, _ = pad_batch([[SOS, 4, 5], [SOS, 6], [SOS, 7, 8, 9]])
    with torch.no_grad():
        o, a = m(src, src_len, tgt_in)  # a (B, T, S)
    for i, n in enumerate(src_len.tolist()):
        assert torch.all(a[i, :, n:] == 0)
        torch.testing.assert_close(a[i].sum(-1), torch.ones(a.shape[1]))
        alone_o, alone_a = m(src[i : i + 1, :n], src_len[i : i + 1], tgt_in[i : i + 1])
        torch.testing.assert_close(alone_a[0], a[i, :, :n], atol=1e-6, rtol=1e-5)
        torch.testing.assert_close(alone_o[0], o[i], atol=1e-5, rtol=1e-5)


def test_decoding_steps_match_the_teacher_forced_pass(random_model):
    m = random_model
    src, src_len = pad_batch([[5, 6, 7, 8], [9, 10]])
    tgt_in = torch.tensor([[SOS, 4, 5], [SOS, 6, 7]])
    with torch.no_grad():
        o, a = m(src, src_len, tgt_in)
        full = m.log_probs(o)  # (B, T, V)
        enc = m.encode(src, src_len)
        s = enc.h0
        for t in range(tgt_in.shape[1]):
            lp, s, at = m.step(tgt_in[:, t], s, enc)
            torch.testing.assert_close(at, a[:, t], atol=1e-6, rtol=1e-5)
            torch.testing.assert_close(lp, full[:, t], atol=1e-5, rtol=1e-5)


def test_decoders_never_write_start_or_padding_tokens():
    torch.manual_seed(3)
    model = Seq2Seq(ModelConfig(src_vocab=12, tgt_vocab=8, emb=8, hidden=8, dropout=0.0)).eval()
    with torch.no_grad():  # make the start and padding tokens the most probable outputs
        model.out.bias[seqdata.SOS] = 50.0
        model.out.bias[seqdata.PAD] = 49.0
    banned = {seqdata.SOS, seqdata.PAD}
    with torch.inference_mode():
        g = greedy(model, [4, 5, 6])
        beams = beam_search(model, [4, 5, 6], beam=3)
    assert not banned & set(g.ids.tolist()) and not banned & set(g.top_ids[:, 0].tolist())
    for d in beams:
        assert not banned & set(d.ids.tolist())
    # the model's own distribution still puts the mass there: only the choice is restricted
    assert g.top_probs[0].sum() < 1e-6


def test_greedy_batch_equals_greedy_alone(random_model):
    seqs = [[5, 6, 7, 8, 9, 10, 11, 12], [20], [13, 14, 15]]
    src, src_len = pad_batch(seqs)
    r = greedy_batch(random_model, src, src_len, max_steps=6, top_k=3)
    for i, s in enumerate(seqs):
        d = greedy(random_model, s, max_steps=6, top_k=3)
        n = len(d.ids)
        assert d.ids.tolist() == r["ids"][i, :n].tolist()
        np.testing.assert_allclose(d.attention, r["attention"][i, :n, : len(s)], atol=1e-6)
        assert np.all(r["attention"][i, :, len(s) :].numpy() == 0)


def test_beam_one_is_greedy_and_scores_do_not_increase(random_model):
    for s in ([5, 6, 7], [8, 9, 10, 11, 12, 13], [30]):
        g = greedy(random_model, s, max_steps=8)
        b1 = beam_search(random_model, s, beam=1, max_steps=8)
        assert len(b1) == 1
        assert b1[0].ids.tolist() == g.ids.tolist()
        assert b1[0].score == pytest.approx(g.score, abs=1e-5)
        hyps = beam_search(random_model, s, beam=5, max_steps=8)
        scores = [h.score for h in hyps]
        assert scores == sorted(scores, reverse=True)
        assert hyps[0].score >= g.score - 1e-5
        for h in hyps:
            assert h.attention.shape == (len(h.ids), len(s))
            assert h.top_probs.shape == (len(h.ids), 5)
            assert np.all(np.diff(h.top_probs, axis=1) <= 1e-7)
    with pytest.raises(ValueError, match="beam"):
        beam_search(random_model, [5], beam=11)


def test_adaptive_softmax_is_a_distribution():
    torch.manual_seed(1)
    m = Seq2Seq(ModelConfig(src_vocab=30, tgt_vocab=1000, emb=8, hidden=32, cutoffs=(200, 800)))
    m.eval()
    src, src_len = pad_batch([[5, 6, 7]])
    with torch.no_grad():
        o, _ = m(src, src_len, torch.tensor([[SOS, 5]]))
        lp = m.log_probs(o)
    torch.testing.assert_close(lp.exp().sum(-1), torch.ones(1, 2))


# ------------------------------------------------------------------ training and checkpoints


@pytest.fixture(scope="module")
def toy_checkpoint(tmp_path_factory):
    from core.seq2seq.train_cli import main

    d = tmp_path_factory.mktemp("s2s")
    (d / "toy.txt").write_text(TOY)
    rc = main(
        [
            "--data",
            str(d / "toy.txt"),
            "--out",
            str(d / "model"),
            "--epochs",
            "2",
            "--emb",
            "16",
            "--hidden",
            "16",
            "--batch",
            "8",
            "--threads",
            "1",
        ]
    )
    assert rc == 0
    return d / "model"


def test_training_command_writes_a_plain_checkpoint(toy_checkpoint):
    w = torch.load(toy_checkpoint / "weights.pt", weights_only=True)
    assert isinstance(w, dict) and all(isinstance(v, torch.Tensor) for v in w.values())
    doc = json.loads((toy_checkpoint / "model.json").read_text())
    assert doc["src_vocab"][:4] == list(seqdata.SPECIALS)
    metrics = json.loads((toy_checkpoint / "metrics.json").read_text())
    assert {"test", "val", "train_seconds", "history"} <= set(metrics)
    tr = load_translator(toy_checkpoint)
    assert load_translator(toy_checkpoint) is tr  # loaded once per process
    out = tr.translate("Je suis triste.")
    assert out.attention.shape == (len(out.words), len(out.source))


def test_train_with_partial_teacher_forcing_and_without_ema():
    from core.seq2seq.train import TrainConfig, train

    split = split_pairs(load_pairs(TOY), seed=0)
    cfg = TrainConfig(
        emb=8,
        hidden=8,
        batch=8,
        epochs=2,
        teacher_forcing=0.5,
        ema=0.0,
        adaptive=False,
        extra_data=False,
        label_smoothing=0.1,
    )
    res = train(split, cfg)
    assert len(res.history) == 2 and res.best_epoch in (1, 2)
    assert all(np.isfinite(r["train_loss"]) for r in res.history)
    with pytest.raises(ValueError, match="split_by"):
        TrainConfig(split_by="random")


def _corrupt(src, dst, how):
    shutil.copytree(src, dst)
    if how == "truncated weights":
        b = (dst / "weights.pt").read_bytes()
        (dst / "weights.pt").write_bytes(b[: len(b) // 2])
    elif how == "garbage weights":
        (dst / "weights.pt").write_bytes(b"\x00\x01not a zip" * 100)
    elif how == "bad json":
        (dst / "model.json").write_text("{not json")
    elif how == "missing weights":
        (dst / "weights.pt").unlink()
    elif how == "wrong shape":
        doc = json.loads((dst / "model.json").read_text())
        doc["config"]["hidden"] += 1
        (dst / "model.json").write_text(json.dumps(doc))
    elif how == "nan":
        w = torch.load(dst / "weights.pt", weights_only=True)
        next(iter(w.values())).view(-1)[0] = float("nan")
        torch.save(w, dst / "weights.pt")
    elif how == "vocab mismatch":
        doc = json.loads((dst / "model.json").read_text())
        doc["tgt_vocab"].pop()
        (dst / "model.json").write_text(json.dumps(doc))


@pytest.mark.parametrize(
    "how",
    [
        "truncated weights",
        "garbage weights",
        "bad json",
        "missing weights",
        "wrong shape",
        "nan",
        "vocab mismatch",
    ],
)
def test_corrupted_checkpoint_is_a_clear_value_error(toy_checkpoint, tmp_path, how):
    _corrupt(toy_checkpoint, tmp_path / "bad", how)
    with pytest.raises(ValueError, match=r"(?i)checkpoint|corrupted|weights|does not match"):
        load_checkpoint(tmp_path / "bad")
    with pytest.raises(ValueError):
        load_translator(tmp_path / "bad")


def test_save_and_load_round_trip(random_model, tmp_path):
    sv = Vocab(seqdata.SPECIALS + tuple(f"f{i}" for i in range(36)))
    tv = Vocab(seqdata.SPECIALS + tuple(f"e{i}" for i in range(26)))
    save_checkpoint(tmp_path, random_model, sv, tv, {"note": 1})
    m, sv2, tv2, meta = load_checkpoint(tmp_path)
    assert sv2.words == sv.words and tv2.words == tv.words and meta == {"note": 1}
    for k, v in random_model.state_dict().items():
        torch.testing.assert_close(m.state_dict()[k], v, atol=2e-3, rtol=1e-3)  # float16


# ------------------------------------------------------------------ the shipped model


@pytest.fixture(scope="module")
def shipped():
    if not (DEFAULT_CHECKPOINT / "weights.pt").is_file():
        pytest.skip("no shipped checkpoint")
    return load_translator()


@needs_checkpoint
def test_shipped_checkpoint_is_small_and_loads_with_weights_only():
    w = torch.load(DEFAULT_CHECKPOINT / "weights.pt", weights_only=True)
    assert all(v.dtype == torch.float16 for v in w.values())
    total = sum(f.stat().st_size for f in DEFAULT_CHECKPOINT.iterdir())
    assert total < 10 * 2**20


@needs_checkpoint
def test_shipped_model_translates_sensibly(shipped):
    out = shipped.translate("je suis tres fatigue .")
    assert out.words[:2] in (["i", "am"], ["i", "m"]), out.words
    assert "tired" in out.words
    assert out.source == ["je", "suis", "tres", "fatigue", "."]
    assert out.unknown == [] and out.message == "" and out.notes == ()
    assert out.attention.shape == (len(out.words), 5)
    np.testing.assert_allclose(out.attention.sum(1), 1, atol=1e-5)
    assert len(out.steps) == len(out.words) + 1 and out.steps[-1].word == "<eos>"
    assert all(len(s.alternatives) == 5 for s in out.steps)
    assert out.steps[0].alternatives[0][0] == out.words[0]
    same = shipped.translate("Je suis très fatigué.", beam=1)
    assert same.words == out.words
    b5 = shipped.translate("Je suis très fatigué.", beam=5)
    assert b5.beam == 5 and b5.words[:1] == ["i"]


@needs_checkpoint
def test_unknown_words_get_suggestions(shipped):
    out = shipped.translate("Je suis tres fatigeu.")
    assert out.unknown == ["fatigeu"]
    assert "fatigue" in out.suggestions["fatigeu"]
    assert [n.kind for n in out.notes] == [NoteKind.UNKNOWN]
    assert "fatigeu" in out.notes[0].text and out.message == out.notes[0].text


@needs_checkpoint
def test_french_is_not_taken_for_english(shipped):
    # "the" (the) and "on" are French words too; mostly-French input gets no English note
    for text in ("On boit du the .", "Je suis en retard .", "Il est sur la table ."):
        kinds = [n.kind for n in shipped.translate(text).notes]
        assert NoteKind.ENGLISH not in kinds


@needs_checkpoint
@pytest.mark.parametrize(
    "text, kind, msg",
    [
        ("", NoteKind.NOTHING, "empty"),
        ("   \n\t ", NoteKind.NOTHING, "empty"),
        ("😀🙈🚀", NoteKind.NOTHING, "no French words"),
        ("12345 678", NoteKind.NOTHING, "no French words"),
        ("<script>alert('x')</script>", None, ""),
        ("I am very tired.", NoteKind.ENGLISH, "looks like English"),
        ("je suis " * 2000, NoteKind.ADJUSTED, "longer than"),
        ("a" * 10_000, None, ""),
        ("\x00\x01\ud800", None, ""),
        ("<b>Je</b> suis <i>là</i> !", None, ""),
    ],
)
def test_translate_never_raises(shipped, text, kind, msg):
    out = shipped.translate(text)
    assert isinstance(out.words, list)
    assert out.attention.shape == (len(out.words), len(out.source))
    assert len(out.source) <= 10
    kinds = [n.kind for n in out.notes]
    assert NoteKind.FAILED not in kinds
    if kind is not None:
        assert any(n.kind is kind and msg in n.text for n in out.notes), out.notes
    if not out.words:
        assert out.notes and out.notes[0].kind is NoteKind.NOTHING
        assert out.message.startswith(out.notes[0].text)


@needs_checkpoint
@pytest.mark.parametrize("beam", [0, 11, 10**400, float("inf"), float("nan"), "five", None])
def test_any_beam_is_clamped_with_a_note(shipped, beam):
    out = shipped.translate("je suis content .", beam=beam)
    assert out.words and 1 <= out.beam <= 10
    assert [n.kind for n in out.notes] == [NoteKind.ADJUSTED]
    assert "beam" in out.notes[0].text


def test_notes_and_message_agree():
    empty = np.zeros((0, 0), np.float32)
    notes = (Note(NoteKind.ADJUSTED, "cut"), Note(NoteKind.UNKNOWN, "2 unknown"))
    t = Translation([], empty, [], [], notes=notes)
    assert t.message == "cut; 2 unknown" and t.notes == notes
    assert t.notes_except(NoteKind.UNKNOWN) == ["cut"]
    legacy = Translation([], empty, [], [], message="something odd")  # message given alone
    assert legacy.notes == (Note(NoteKind.OTHER, "something odd"),)
    assert Translation([], empty, [], []).notes == () and not Translation([], empty, [], []).message


def test_package_and_data_import_without_torch():
    code = (
        "import sys\n"
        "import core.seq2seq, core.seq2seq.data, core.seq2seq.config, core.seq2seq.translation\n"
        "import core.seq2seq.live, core.seq2seq.live.queue, core.seq2seq.live.export\n"
        "from core.seq2seq import Pair, split_pairs, DEFAULT_DATA\n"
        "print('torch' in sys.modules)\n"
        "from core.seq2seq import load_translator, ModelConfig, Decoded\n"
        "print('torch' in sys.modules)\n"
        "from core.seq2seq import Seq2Seq\n"
        "print('torch' in sys.modules)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    # the translator is numpy; torch loads with the torch model (training, evaluation)
    assert res.stdout.split() == ["False", "False", "True"]


def test_every_public_name_of_the_package_resolves():
    import core.seq2seq as pkg

    for name in pkg.__all__:
        assert getattr(pkg, name) is not None, name
    assert pkg.load_translator is load_translator and pkg.NoteKind is NoteKind
    with pytest.raises(AttributeError):
        pkg.no_such_name  # noqa: B018


def test_training_command_help_runs_as_a_module():
    for module in ("core.seq2seq.train", "core.seq2seq.train_cli"):
        res = subprocess.run(
            [sys.executable, "-m", module, "--help"], cwd=ROOT, capture_output=True, text=True
        )
        assert res.returncode == 0, res.stderr
        assert res.stdout.startswith("usage: python -m core.seq2seq.train")
        assert "--data" in res.stdout and "--threads" in res.stdout


@needs_checkpoint
@needs_corpus
def test_shipped_model_bleu_on_the_test_split(shipped, corpus_pairs):
    metrics = json.loads((DEFAULT_CHECKPOINT / "metrics.json").read_text())
    assert metrics["test"]["bleu"] >= 60
    assert metrics["train_seconds"] <= 600
    data = shipped.meta["data"]
    split = split_pairs(corpus_pairs, seed=data["split_seed"], by=data["split_by"])
    model = load_checkpoint(DEFAULT_CHECKPOINT)[0]  # the torch model: evaluation decodes in torch
    rep = evaluate(model, split.test, shipped.src_vocab, shipped.tgt_vocab)
    assert rep.n == metrics["test"]["n"]
    assert rep.bleu == pytest.approx(metrics["test"]["bleu"], abs=0.3)
    assert rep.bleu >= 60


def test_corpus_bleu_is_sacrebleu_percent():
    assert corpus_bleu(["i am tired ."], ["i am tired ."]) == pytest.approx(100)
    assert corpus_bleu(["he is here ."], ["i am tired ."]) < 20
    assert corpus_bleu(["you are"], ["i am tired ."]) == 0
    with pytest.raises(ValueError):
        corpus_bleu(["a"], [])


def test_recipe_trains_a_few_batches():
    from core.seq2seq.recipe import build_recipe, train_recipe, translate_recipe

    split = split_pairs(load_pairs(TOY), seed=0)
    rec = build_recipe(split, hidden=16)
    r = train_recipe(rec, split.train, epochs=1)
    assert r["pairs"] == len(split.train) and r["pairs_per_s"] > 0
    assert len(translate_recipe(rec, [p.fr for p in split.test])) == len(split.test)


# --------------------------------------------------------------------------------------------
# The shipped corpus (assets/data/eng-fra.txt.xz): the app needs nothing beside the repo
# --------------------------------------------------------------------------------------------


def test_the_shipped_corpus_is_the_whole_exercise_file():
    from core.seq2seq.data import CORPUS_DIGEST, CORPUS_FILE, DEFAULT_DATA, data_digest, file_bytes

    assert DEFAULT_DATA == CORPUS_FILE and CORPUS_FILE.stat().st_size < 1_000_000  # packed
    raw = read_raw_pairs()  # the default source is the shipped copy
    assert len(raw) == 75_437 and raw[0] == Pair(fr="Va !", en="Go.")
    digest = hashlib.sha256(file_bytes(CORPUS_FILE)).hexdigest()
    assert digest[:16] == CORPUS_DIGEST == data_digest() == data_digest(CORPUS_FILE)
    assert digest.startswith("0e56c01fc60ce1c0da06c6f0c520a0ebd4cc9b0365bd433fe06ed398d45b5208")
    # the digest the shipped GRU recorded when it was trained from ../shared/data/eng-fra.txt
    meta = json.loads((PROJECT_ROOT / "assets/seq2seq/model/model.json").read_text())["meta"]
    assert meta["data"]["sha256_16"] == CORPUS_DIGEST
    shared = PROJECT_ROOT.parent / "shared" / "data" / "eng-fra.txt"
    if shared.is_file():  # the course's own copy, where it is beside the repo
        assert data_digest(shared) == CORPUS_DIGEST


def test_data_digest_tells_an_upload_named_like_the_corpus_apart(tmp_path):
    from core.seq2seq.data import CORPUS_DIGEST, data_digest

    fake = tmp_path / "eng-fra.txt"
    fake.write_bytes(b"I am here.\tJe suis ici.\n")
    assert data_digest(fake) == data_digest(fake.read_bytes()) != CORPUS_DIGEST
    assert data_digest("I am here.\tJe suis ici.\nHe is.\tIl est.") == ""


def test_a_broken_or_oversized_xz_file_is_a_clear_error(tmp_path, monkeypatch):
    import lzma

    import core.seq2seq.data as data_mod

    bad = tmp_path / "bad.txt.xz"
    bad.write_bytes(b"not xz at all")
    with pytest.raises(CorpusError, match="not a valid .xz"):
        read_raw_pairs(bad)
    bomb = tmp_path / "big.txt.xz"
    bomb.write_bytes(lzma.compress(b"a\tb\n" * 1000))
    monkeypatch.setattr(data_mod, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(CorpusError, match="unpacks to over"):
        read_raw_pairs(bomb)


def test_an_xz_corpus_unpacks_in_steps_and_a_cut_file_is_an_error(tmp_path, monkeypatch):
    import lzma

    import core.seq2seq.data as data_mod

    text = "".join(f"I am {k}.\tJe suis {k}.\n" for k in range(300)).replace("0", "zero")
    packed = tmp_path / "c.txt.xz"
    packed.write_bytes(lzma.compress(text.encode()))
    monkeypatch.setattr(data_mod, "UNPACK_STEP", 100)  # many steps
    assert data_mod.file_bytes(packed) == text.encode()
    assert read_raw_pairs(packed) == read_raw_pairs(text)
    cut = tmp_path / "cut.txt.xz"
    cut.write_bytes(packed.read_bytes()[:-30])
    with pytest.raises(CorpusError, match="not a valid .xz file"):
        read_raw_pairs(cut)


def test_the_shipped_corpus_unpacks_in_little_memory():
    """The server unpacks assets/data/eng-fra.txt.xz once per page that reads it: with xz's
    64 MiB dictionary that took 66 MB at its peak, with the file's 4 MiB one about 6."""
    import tracemalloc

    from core.seq2seq.data import CORPUS_DIGEST, CORPUS_FILE, data_digest, file_bytes

    tracemalloc.start()
    try:
        data = file_bytes(CORPUS_FILE)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(data) == 3_967_826 and data_digest(data) == CORPUS_DIGEST
    assert peak < 16 * 2**20, f"{peak / 2**20:.1f} MB"


def _reference_pairs(text: str) -> list[Pair]:
    """What read_raw_pairs reads, written the plain way: the whole text, split into lines."""
    out = []
    for line in text.removeprefix("\ufeff").splitlines():
        if line.strip():
            en, fr = line.split("\t")[:2]
            out.append(Pair(fr=fr.strip(), en=en.strip()))
    return out


@pytest.mark.parametrize(
    "text",
    [
        "Go.\tVa !\nRun!\tCours !\n",
        "\ufeffGo.\tVa !\r\nRun!\tCours !",  # byte-order mark, Windows line ends, no last one
        "Go.\tVa !\rRun!\tCours !\r\n\n  \nWait.\tAttends.\tCC-BY 2.0\n",  # old Mac, blanks
        "Go.\tVa !\u2028Déjà vu.\tDéjà vu.\x0cÇa va.\tÇa va.\n",  # the other line breaks
    ],
)
def test_raw_pairs_read_line_by_line_as_the_whole_text_would(text):
    from core.seq2seq.data import RawPairs

    want = _reference_pairs(text)
    assert read_raw_pairs(text) == read_raw_pairs(text.encode()) == want
    assert list(RawPairs(text.encode("utf-8"))) == want
    r = RawPairs(text.encode())
    assert r.lines_read == 0 and list(r) == want and r.lines_read == len(text.splitlines())


def test_the_line_limit_counts_lines_before_reading(monkeypatch):
    import core.seq2seq.data as data_mod

    monkeypatch.setattr(data_mod, "MAX_LINES", 3)
    with pytest.raises(CorpusError, match="has 4 lines, over the 3 limit"):
        read_raw_pairs(b"a\tb\na\tb\na\tb\na\tb")
    with pytest.raises(CorpusError, match="has 5 lines, over the 3 limit"):  # 3 blank
        read_raw_pairs(b"a\tb\r\r\r\ra\tb\r")
    with pytest.raises(CorpusError, match="over 3 lines"):  # line breaks the count cannot see
        read_raw_pairs(b"a\tb\x0ca\tb\x0ca\tb\x0ca\tb")
    assert len(read_raw_pairs(b"a\tb\na\tb\na\tb\n")) == 3


@pytest.mark.parametrize(
    "text, words, note",
    [
        ("?!?!", [], "only punctuation"),
        ("?!?! ...", [], "only punctuation"),
        ("<b>je suis</b> fatigue .", ["i", "m", "tired", "."], "removed the HTML tags <b> </b>"),
        ("Je suis fatigué", ["i", "m", "tired", "."], "added a final '.'"),
        ("je suis @#$ content .", ["i", "m", "glad", "."], "ignored the symbols @ # $"),
    ],
)
def test_what_the_input_loses_or_gains_is_said(text, words, note):
    """These gave a confident translation (or 'tired of tired') and no message before."""
    out = load_translator().translate(text)
    assert out.words == words
    assert any(note in n.text for n in out.notes), out.notes
    if not words:
        assert out.notes[0].kind is NoteKind.NOTHING


def test_prepare_source_without_a_model():
    from core.seq2seq.translation import prepare_source

    src = prepare_source("Il est <i>très</i> grand", normalize_string, 10)
    assert src.tokens == ["il", "est", "tres", "grand", "."] and not src.nothing
    assert [n.kind for n in src.notes] == [NoteKind.ADJUSTED, NoteKind.ADJUSTED]
    assert prepare_source("   ", normalize_string, 10).nothing == "empty input"
    assert prepare_source("je suis là !", normalize_string, 10).notes == []  # nothing to say


def test_confidence_is_the_geometric_mean_of_the_written_words_probabilities():
    out = load_translator().translate("je suis fatigue .")
    probs = [s.prob for s in out.steps]  # "i", "m", "tired", ".", <eos>
    assert len(probs) == len(out.words) + 1
    assert out.confidence == pytest.approx(np.prod(probs) ** (1 / len(probs)), rel=1e-9)
    assert Translation(words=[], attention=np.zeros((0, 0)), source=[], unknown=[]).confidence == 0


def test_the_shipped_warning_level_is_the_5th_percentile_of_the_test_sentences():
    from core.seq2seq.calibrate import confidence_floor, test_sentences

    tr = load_translator()
    sentences = test_sentences()
    assert len(sentences) == 868
    assert confidence_floor(tr, sentences) == pytest.approx(tr.metrics["confidence_p05"], abs=1e-4)

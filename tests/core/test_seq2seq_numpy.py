"""The numpy GRU translator (``core.seq2seq.np_model``, ``np_decode``) against the torch one.

The server translates with numpy (no torch import); these tests hold it to the torch model of
``core.seq2seq.model`` and the decoders of ``core.seq2seq.decode``: the same parameter names
and shapes, the same log-probabilities, and on the shipped checkpoint the same words.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from core.seq2seq import decode as torch_decode
from core.seq2seq import np_decode
from core.seq2seq.data import EOS, PAD, SOS, pad_batch
from core.seq2seq.model import ModelConfig, Seq2Seq, load_checkpoint
from core.seq2seq.np_model import Seq2SeqNumpy, param_shapes
from core.seq2seq.translator import DEFAULT_CHECKPOINT, Translator, load_translator

ROOT = Path(__file__).resolve().parents[2]
needs_checkpoint = pytest.mark.skipif(
    not (DEFAULT_CHECKPOINT / "weights.pt").is_file(),
    reason="no shipped checkpoint in assets/seq2seq/model (python -m core.seq2seq.train)",
)


def _numpy(model: Seq2Seq) -> Seq2SeqNumpy:
    return Seq2SeqNumpy({k: v.numpy() for k, v in model.state_dict().items()}, model.cfg)


def _random(seed: int, **sizes) -> Seq2Seq:
    torch.manual_seed(seed)
    cfg = ModelConfig(**{"src_vocab": 40, "tgt_vocab": 30, "emb": 16, "hidden": 16, **sizes})
    model = Seq2Seq(cfg).eval()
    with torch.no_grad():  # larger than the default initialisation: decisive distributions
        for p in model.parameters():
            p.mul_(3)
    return model


# ------------------------------------------------------------------ parameter names and shapes


@pytest.mark.parametrize("bidirectional", [True, False])
@pytest.mark.parametrize("cutoffs", [(), (200, 800), (300,)])
@pytest.mark.parametrize(("attn", "out"), [(0, 0), (7, 0), (0, 20), (9, 37)])
def test_param_shapes_are_the_torch_state_dict(bidirectional, cutoffs, attn, out):
    cfg = ModelConfig(
        src_vocab=50,
        tgt_vocab=1000,
        emb=8,
        hidden=32,  # the second tail cluster has 32 // 16 = 2 units
        bidirectional=bidirectional,
        attn=attn,
        out=out,
        cutoffs=cutoffs,
    )
    want = {k: tuple(v.shape) for k, v in Seq2Seq(cfg).state_dict().items()}
    got = param_shapes(cfg)
    assert got == want and list(got) == list(want)  # the same names in the same order
    assert all(isinstance(n, int) for shape in got.values() for n in shape)


def test_param_shapes_need_no_torch():
    code = (
        "import sys\n"
        "from core.seq2seq.config import ModelConfig\n"
        "from core.seq2seq.np_model import param_shapes\n"
        "from core.seq2seq.np_decode import beam_search, greedy\n"
        "s = param_shapes(ModelConfig(src_vocab=9, tgt_vocab=9, emb=2, hidden=3))\n"
        "print(s['encoder.weight_ih_l0'], 'torch' in sys.modules)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["(9,", "2)", "False"]


def test_model_config_and_decoded_are_re_exported():
    import core.seq2seq as pkg
    from core.seq2seq import config, model

    assert model.ModelConfig is config.ModelConfig is pkg.ModelConfig
    assert model.default_cutoffs is config.default_cutoffs
    assert torch_decode.Decoded is np_decode.Decoded is pkg.Decoded
    assert torch_decode.MAX_DECODE_STEPS == np_decode.MAX_DECODE_STEPS
    assert torch_decode.TOP_K == np_decode.TOP_K


def test_wrong_weights_are_a_value_error():
    m = _random(0)
    w = {k: v.numpy() for k, v in m.state_dict().items()}
    with pytest.raises(ValueError, match="missing"):
        Seq2SeqNumpy({k: v for k, v in w.items() if k != "v"}, m.cfg)
    with pytest.raises(ValueError, match="shape"):
        Seq2SeqNumpy({**w, "v": np.zeros(3, np.float32)}, m.cfg)


# ------------------------------------------------------------------ the same math


@pytest.mark.parametrize(
    "sizes",
    [
        {"tgt_vocab": 1000, "cutoffs": (200, 800), "bidirectional": True, "attn": 7, "out": 24},
        {"tgt_vocab": 1000, "cutoffs": (200, 800), "bidirectional": True},
        {"bidirectional": False},
        {"bidirectional": True, "attn": 5},
    ],
)
def test_encode_and_steps_give_the_torch_log_probs(sizes):
    m = _random(1, **sizes)
    nm = _numpy(m)
    rng = np.random.default_rng(0)
    for src_ids in ([5, 6, 7, 8, 9, 10, 11], [12], [13, 4, 30, 31]):
        src, src_len = pad_batch([src_ids])
        with torch.no_grad():
            enc = m.encode(src, src_len)
        enc_np = nm.encode(src_ids)
        assert enc_np.values.dtype == enc_np.keys.dtype == enc_np.h0.dtype == np.float32
        np.testing.assert_allclose(enc_np.values, enc.values[0].numpy(), atol=1e-6)
        np.testing.assert_allclose(enc_np.keys, enc.keys[0].numpy(), atol=1e-6)
        np.testing.assert_allclose(enc_np.h0, enc.h0[0].numpy(), atol=1e-6)
        # three hypotheses stepped together, random previous tokens, 6 steps
        n = 3
        s, s_np = enc.h0.expand(n, -1).contiguous(), np.repeat(enc_np.h0[None], n, axis=0)
        enc3 = torch_decode._expand(enc, n)
        for _ in range(6):
            y = rng.integers(0, m.cfg.tgt_vocab, n)
            with torch.no_grad():
                lp, s, a = m.step(torch.as_tensor(y), s, enc3)
            lp_np, s_np, a_np = nm.step(y, s_np, enc_np)
            assert lp_np.dtype == s_np.dtype == a_np.dtype == np.float32
            assert lp_np.shape == (n, m.cfg.tgt_vocab) and a_np.shape == (n, len(src_ids))
            np.testing.assert_allclose(lp_np, lp.numpy(), atol=1e-5, rtol=0)
            np.testing.assert_allclose(s_np, s.numpy(), atol=1e-6, rtol=0)
            np.testing.assert_allclose(a_np, a.numpy(), atol=1e-6, rtol=0)
            np.testing.assert_allclose(np.exp(lp_np).sum(-1), 1, atol=1e-5)  # a distribution


def test_n_parameters_are_the_torch_count():
    m = _random(2, tgt_vocab=1000, cutoffs=(200, 800))
    assert _numpy(m).n_parameters() == sum(p.numel() for p in m.parameters())
    assert Translator(_numpy(m), None, None).n_parameters == Translator(m, None, None).n_parameters


# ------------------------------------------------------------------ the same decoders


def _same_decoded(a, b, atol=1e-5):
    assert a.ids.tolist() == b.ids.tolist() and a.ended == b.ended
    assert a.top_ids.tolist() == b.top_ids.tolist()
    assert a.ids.dtype == b.ids.dtype == a.top_ids.dtype == np.int64
    assert a.attention.dtype == b.attention.dtype == np.float32
    assert a.top_probs.dtype == b.top_probs.dtype == np.float32
    assert a.logprobs.dtype == b.logprobs.dtype == np.float64
    np.testing.assert_allclose(a.attention, b.attention, atol=atol)
    np.testing.assert_allclose(a.logprobs, b.logprobs, atol=atol)
    np.testing.assert_allclose(a.top_probs, b.top_probs, atol=atol)
    assert a.score == pytest.approx(b.score, abs=atol)


@pytest.mark.parametrize(
    "sizes", [{"tgt_vocab": 1000, "cutoffs": (200, 800)}, {"bidirectional": False}]
)
def test_greedy_and_beam_search_decode_as_in_torch(sizes):
    m = _random(3, **sizes)
    nm = _numpy(m)
    for src_ids in ([5, 6, 7], [8, 9, 10, 11, 12, 13], [30], [4, 4, 4, 4, 4, 4, 4, 4, 4]):
        for top_k in (1, 5):
            _same_decoded(
                np_decode.greedy(nm, src_ids, 8, top_k), torch_decode.greedy(m, src_ids, 8, top_k)
            )
        for beam in (1, 2, 5, 10):
            got = np_decode.beam_search(nm, src_ids, beam, max_steps=8)
            want = torch_decode.beam_search(m, src_ids, beam, max_steps=8)
            assert len(got) == len(want)
            for a, b in zip(got, want, strict=True):
                _same_decoded(a, b)
        b1 = np_decode.beam_search(nm, src_ids, 1, max_steps=8)[0]
        assert b1.ids.tolist() == np_decode.greedy(nm, src_ids, 8).ids.tolist()
    with pytest.raises(ValueError, match="beam"):
        np_decode.beam_search(nm, [5], beam=11)
    with pytest.raises(ValueError, match="at least one"):
        np_decode.greedy(nm, [])


def test_numpy_decoders_never_write_start_or_padding_tokens():
    torch.manual_seed(3)
    model = Seq2Seq(ModelConfig(src_vocab=12, tgt_vocab=8, emb=8, hidden=8, dropout=0.0)).eval()
    with torch.no_grad():  # make the start and padding tokens the most probable outputs
        model.out.bias[SOS] = 50.0
        model.out.bias[PAD] = 49.0
    nm = _numpy(model)
    g = np_decode.greedy(nm, [4, 5, 6])
    assert not {SOS, PAD} & set(g.ids.tolist()) and not {SOS, PAD} & set(g.top_ids.ravel())
    for d in np_decode.beam_search(nm, [4, 5, 6], beam=3):
        assert not {SOS, PAD} & set(d.ids.tolist())
    assert g.top_probs[0].sum() < 1e-6  # the mass is still there: only the choice is restricted
    assert len(g.ids) == np_decode.MAX_DECODE_STEPS or g.ids[-1] == EOS


def test_topk_orders_by_value_then_index():
    x = np.array([[0.1, 0.5, 0.5, -np.inf, 0.3], [1, 2, 3, 4, 5]], np.float32)
    v, i = np_decode.topk(x, 3)
    assert i.tolist() == [[1, 2, 4], [4, 3, 2]] and v.dtype == np.float32
    v, i = np_decode.topk(x[0], 5)
    assert i.tolist() == [1, 2, 4, 0, 3]


# ------------------------------------------------------------------ the shipped checkpoint


@pytest.fixture(scope="module")
def both():
    """(numpy translator as the server loads it, the torch translator of the same file)."""
    if not (DEFAULT_CHECKPOINT / "weights.pt").is_file():
        pytest.skip("no shipped checkpoint")
    model, sv, tv, meta = load_checkpoint(DEFAULT_CHECKPOINT)
    return load_translator(), Translator(model, sv, tv, meta, DEFAULT_CHECKPOINT)


ODD = [
    "Je suis très fatigué.",
    "Il est plus grand que moi.",
    "je suis tres fatigeu .",
    "I am very tired.",
    "je suis " + "tres " * 30 + "fatigue .",
    "?!?!",
    "",
    "<b>je suis</b> fatigue .",
    "nous sommes zzzz qqqq .",
]


@needs_checkpoint
@pytest.mark.parametrize("beam", [1, 5])
def test_the_shipped_model_translates_as_in_torch(both, beam):
    from core.seq2seq.calibrate import test_sentences

    np_tr, torch_tr = both
    assert isinstance(np_tr.model, Seq2SeqNumpy)
    assert np_tr.n_parameters == torch_tr.n_parameters
    sentences = test_sentences()[::20] + ODD  # 44 test sentences and odd input
    assert len(sentences) >= 50
    worst = 0.0
    for text in sentences:
        a, b = np_tr.translate(text, beam=beam), torch_tr.translate(text, beam=beam)
        assert a.words == b.words, text
        assert (a.source, a.unknown, a.suggestions) == (b.source, b.unknown, b.suggestions)
        assert (a.notes, a.ended, a.beam) == (b.notes, b.ended, b.beam)
        assert a.attention.dtype == np.float32 and a.attention.shape == b.attention.shape
        assert not a.attention.flags.writeable
        np.testing.assert_allclose(a.attention, b.attention, atol=1e-4)
        assert len(a.steps) == len(b.steps)
        for x, y in zip(a.steps, b.steps, strict=True):
            assert x.word == y.word
            assert [w for w, _ in x.alternatives] == [w for w, _ in y.alternatives]
            probs = [(x.prob, y.prob)] + [
                (p, q) for (_, p), (_, q) in zip(x.alternatives, y.alternatives, strict=True)
            ]
            worst = max(worst, *(abs(p - q) for p, q in probs))
        assert a.score == pytest.approx(b.score, abs=1e-4)
        assert a.confidence == pytest.approx(b.confidence, abs=1e-4)
    assert worst < 1e-4


@needs_checkpoint
def test_the_server_path_translates_without_torch():
    code = (
        "import sys\n"
        "from core.seq2seq.translator import load_translator\n"
        "out = load_translator(None, kind='gru').translate('Je suis très fatigué.', beam=5)\n"
        "assert out.words == ['i', 'm', 'very', 'tired', '.'], out.words\n"
        "import ui.translate_state as state\n"
        "out = state.translator(None, state.GRU).translate('il est plus grand que moi .')\n"
        "assert out.words and out.ended, out\n"
        "assert state.translate('je suis content .', 1).words\n"
        "print('torch' in sys.modules)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split()[-1] == "False"


@needs_checkpoint
def test_the_translate_page_with_the_gru_does_not_import_torch():
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('app.py', default_timeout=120).run()\n"
        "at.switch_page('pages/4_Translate.py').run()\n"
        "assert not at.exception, at.exception\n"
        "assert 'core.seq2seq.np_decode' in sys.modules  # it translated\n"
        "print('torch' in sys.modules)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == "False"

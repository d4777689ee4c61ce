"""The numpy transformer the web server runs (``core.transformer.np_model``, ``np_decode``,
``probe``, the translator) against the torch model it was trained as: the same words, attention
weights, probe tensors and encoder outputs, and no torch imported on the server's path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from core import transformer_views as tv
from core.seq2seq.data import DEFAULT_DATA, SPECIALS, Vocab, encode_source
from core.transformer import decode, np_decode
from core.transformer.config import param_shapes
from core.transformer.model import Transformer, TransformerConfig, load_checkpoint
from core.transformer.np_model import NumpyTransformer, as_numpy
from core.transformer.probe import encoder_output, forward_probe
from core.transformer.translator import (
    DEFAULT_TRANSFORMER_CHECKPOINT,
    TransformerTranslator,
    load_transformer_translator,
)
from tests.core import transformer_torch_reference as ref

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = DEFAULT_TRANSFORMER_CHECKPOINT
TOL = 1e-4
needs_shipped = pytest.mark.skipif(
    not (SHIPPED / "weights.pt").is_file(), reason="no shipped transformer checkpoint"
)
EXTRA = [
    "Je suis très fatigué.",
    "il est tres fatiguxe .",  # an unknown word
    "je ne sais pas ce que tu veux dire .",
    "nous sommes en retard !",
    "elle est plus grande que sa soeur .",
    "je suis content que tu sois la .",
    "tu es le seul a pouvoir m aider .",
    "ils ont peur du noir .",
    "I am very tired",  # English
    "je suis " * 8,  # cut to 10 tokens, no end of sentence
]


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _sentences() -> list[str]:
    """The first 30 test-split sentences of the corpus (when present) and ``EXTRA``."""
    if not DEFAULT_DATA.is_file():
        return list(EXTRA)
    from core.seq2seq.data import prepare_pairs, read_raw_pairs, split_pairs

    test = split_pairs(prepare_pairs(read_raw_pairs()), seed=0, by="source").test
    return [p.fr for p in test[:30]] + EXTRA


@pytest.fixture(scope="module")
def pair():
    """(numpy translator as the server loads it, torch translator of the same checkpoint)."""
    if not (SHIPPED / "weights.pt").is_file():
        pytest.skip("no shipped transformer checkpoint")
    np_tr = load_transformer_translator()
    model, sv, tgt, meta = load_checkpoint(SHIPPED)
    return np_tr, TransformerTranslator(model, sv, tgt, meta, SHIPPED)


CONFIGS = [
    dict(),
    dict(norm_first=False),
    dict(tie_output=False, enc_layers=1, dec_layers=3),
    dict(d_model=16, n_heads=2, d_ff=8, norm_first=False, tie_output=False),
]


@pytest.mark.parametrize("kw", CONFIGS)
def test_param_shapes_are_the_torch_state_dict_shapes(kw):
    cfg = TransformerConfig(11, 7, **kw)
    want = {k: tuple(v.shape) for k, v in Transformer(cfg).state_dict().items()}
    assert param_shapes(cfg) == want and list(param_shapes(cfg)) == list(want)


def test_numpy_model_refuses_weights_that_do_not_fit():
    cfg = TransformerConfig(11, 7, d_model=16, n_heads=2, d_ff=8)
    w = {k: np.zeros(s, np.float32) for k, s in param_shapes(cfg).items()}
    NumpyTransformer(w, cfg)
    with pytest.raises(ValueError, match="missing"):
        NumpyTransformer({k: v for k, v in w.items() if k != "out_bias"}, cfg)
    with pytest.raises(ValueError, match="shape"):
        NumpyTransformer({**w, "out_bias": np.zeros(8, np.float32)}, cfg)
    with pytest.raises(TypeError):
        as_numpy("a model")


# --------------------------------------------------------------------------------------------
# Small random models: every branch (post-LN, untied output, padding in a batch)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kw", CONFIGS[1:])
def test_random_models_match_torch(kw):
    torch.manual_seed(1)
    cfg = TransformerConfig(20, 15, **{"d_model": 16, "n_heads": 2, "d_ff": 32, **kw})
    model = Transformer(cfg).eval()
    with torch.no_grad():  # non-zero biases and norms, so that every term counts
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))
    npm = as_numpy(model)
    src = np.array([[5, 6, 7, 8, 9], [10, 11, 12, 2, 2]])  # the second row padded
    tgt = np.array([[0, 9, 10, 4], [0, 3, 5, 6]])
    with torch.inference_mode():
        want = model(torch.tensor(src), torch.tensor(tgt)).numpy()
        ids_t = decode.greedy_batch(model, torch.tensor(src)).numpy()
    np.testing.assert_allclose(npm(src, tgt), want, atol=TOL)
    np.testing.assert_array_equal(np_decode.greedy_batch(npm, src), ids_t)
    p, q = (
        forward_probe(npm, [5, 6, 7], [0, 9, 10]),
        ref.forward_probe(model, [5, 6, 7], [0, 9, 10]),
    )
    assert _probe_diff(p, q) < TOL
    for beam in (1, 3):
        a = np_decode.beam_search(npm, [5, 6, 7, 8], beam)
        b = decode.beam_search(model, [5, 6, 7, 8], beam)
        assert [x.ids.tolist() for x in a] == [x.ids.tolist() for x in b]
        assert max(_trace_diff(x, y) for x, y in zip(a, b, strict=True)) < TOL


# --------------------------------------------------------------------------------------------
# The shipped model
# --------------------------------------------------------------------------------------------


def _trace_diff(a, b) -> float:
    """Largest difference between two DecodeTraces of the same output (ids, inputs, top ids
    and the shapes must agree exactly)."""
    assert a.ids.tolist() == b.ids.tolist() and a.inputs.tolist() == b.inputs.tolist()
    assert a.ended == b.ended and a.top_ids[:, 0].tolist() == b.top_ids[:, 0].tolist()
    np.testing.assert_array_equal(a.causal_mask, b.causal_mask)
    diffs = [abs(a.score - b.score)]
    for f in ("logprobs", "top_probs", "self_attention", "cross_attention", "encoder_attention"):
        x, y = getattr(a, f), getattr(b, f)
        assert x.shape == y.shape and x.dtype == y.dtype, f
        diffs.append(float(np.abs(x - y).max(initial=0)))
    return max(diffs)


def _probe_diff(p, q) -> float:
    """Largest difference between two ForwardProbes (names, shapes and ids must agree)."""
    assert p.src_ids.tolist() == q.src_ids.tolist() and p.tgt_in.tolist() == q.tgt_in.tolist()
    assert (p.d_model, p.n_heads, p.d_k, p.d_ff, p.vocab, p.norm_first) == (
        q.d_model, q.n_heads, q.d_k, q.d_ff, q.vocab, q.norm_first)  # fmt: skip
    assert [(b.part, b.layer, b.name) for b in p.blocks] == [
        (b.part, b.layer, b.name) for b in q.blocks
    ]
    pairs = []
    for a, b in zip(p.blocks, q.blocks, strict=True):
        for f in ("output", "normed", "hidden"):
            x, y = getattr(a, f), getattr(b, f)
            assert (x is None) == (y is None)
            if x is not None:
                assert not x.flags.writeable  # read-only, as the torch probe's
                pairs.append((x, y))
    for a, b in zip(p.enc_attention, q.enc_attention, strict=True):
        for f in ("Q", "K", "V", "scores", "weights", "heads", "concat", "W_O", "output"):
            pairs.append((getattr(a, f), getattr(b, f)))
        np.testing.assert_array_equal(a.mask, b.mask)
    pairs += list(zip(p.enc_attention_bias, q.enc_attention_bias, strict=True))
    pairs += list(zip(p.enc_attention_module, q.enc_attention_module, strict=True))
    for x, y in pairs:
        assert x.shape == y.shape and x.dtype == y.dtype == np.float64
    return max(float(np.abs(x - y).max()) for x, y in pairs)


@needs_shipped
@pytest.mark.parametrize("beam", [1, 5])
def test_shipped_numpy_translator_writes_the_torch_words(pair, beam):
    np_tr, torch_tr = pair
    assert isinstance(np_tr.model, NumpyTransformer) and np_tr.kind == "transformer"
    assert np_tr.n_parameters == torch_tr.n_parameters and np_tr.metrics == torch_tr.metrics
    sents = _sentences()
    assert len(sents) >= 30
    worst = 0.0
    for s in sents:
        (a, da), (b, db) = np_tr.trace(s, beam=beam), torch_tr.trace(s, beam=beam)
        assert a.words == b.words, s
        assert (a.source, a.unknown, a.suggestions) == (b.source, b.unknown, b.suggestions)
        assert a.ended == b.ended and a.beam == b.beam
        assert [n.kind for n in a.notes] == [n.kind for n in b.notes]
        assert [s.word for s in a.steps] == [s.word for s in b.steps]
        worst = max(worst, float(np.abs(a.attention - b.attention).max(initial=0)))
        assert (da is None) == (db is None)
        if da is not None:
            worst = max(worst, abs(a.score - b.score), _trace_diff(da, db))
    assert worst < TOL


@needs_shipped
def test_shipped_probe_and_encoder_outputs_match_torch(pair):
    np_tr, torch_tr = pair
    worst = 0.0
    for s in _sentences()[:12]:
        out, d = np_tr.trace(s, beam=1)
        if d is None:
            continue
        ids = np_tr.read_words(list(out.source))[0]
        p = forward_probe(np_tr.model, ids, d.inputs)
        q = ref.forward_probe(torch_tr.model, ids, d.inputs)
        worst = max(worst, _probe_diff(p, q))
        for pe in (True, False):
            x, y = encoder_output(np_tr.model, ids, pe), ref.encoder_output(torch_tr.model, ids, pe)
            worst = max(worst, float(np.abs(x - y).max()))
        # a torch model passed to the probe is read through a numpy copy: the same numbers
        np.testing.assert_array_equal(
            forward_probe(torch_tr.model, ids, d.inputs).blocks[-1].output, p.blocks[-1].output
        )
    assert worst < TOL


@needs_shipped
def test_shipped_greedy_decoding_encodes_once(pair, monkeypatch):
    np_tr, _ = pair
    model = np_tr.model
    calls = []
    encode = model.encode
    monkeypatch.setattr(model, "encode", lambda *a, **k: calls.append(1) or encode(*a, **k))
    ids = encode_source("je suis tres fatigue .".split(), np_tr.src_vocab)[0]
    d = np_decode.greedy(model, ids)
    assert len(calls) == 1 and d.ended and d.n_words == 5


@needs_shipped
def test_shipped_without_pe_shuffled_words_give_permuted_outputs(pair):
    np_tr, _ = pair
    for s in _sentences()[:10]:
        out, d = np_tr.trace(s)
        ids = np_tr.read_words(list(out.source))[0]
        if len(ids) < 2:
            continue
        order = tv.shuffle_order(len(ids), 0)
        moved = [ids[i] for i in order]
        outs = [encoder_output(np_tr.model, x, pe) for pe in (True, False) for x in (ids, moved)]
        on, on_s, off, off_s = outs
        np.testing.assert_allclose(off_s, off[list(order)], atol=1e-5)
        c = tv.shuffle_check(out.source, order, *outs)
        assert c.diff_off < 1e-5 and c.diff_on > 0.1


def test_toy_translator_on_a_torch_model_equals_the_numpy_one():
    torch.manual_seed(0)
    fr = ("je", "suis", "tres", "fatigue", "il", "est", ".")
    en = ("i", "m", "very", "tired", "he", "s", ".")
    sv, tgt = Vocab(SPECIALS + fr), Vocab(SPECIALS + en)
    cfg = TransformerConfig(len(sv), len(tgt), d_model=16, n_heads=2, d_ff=16, dropout=0.0)
    model = Transformer(cfg)
    a, b = TransformerTranslator(model, sv, tgt), TransformerTranslator(as_numpy(model), sv, tgt)
    for text in ("je suis tres fatigue .", "il est", ""):
        for beam in (1, 4):
            x, y = a.translate(text, beam=beam), b.translate(text, beam=beam)
            assert x.words == y.words and np.abs(x.attention - y.attention).max(initial=0) < TOL


@needs_shipped
def test_the_servers_transformer_path_imports_no_torch():
    """Loading the shipped transformer, translating (greedy and beam), tracing, probing and the
    shuffle check through the Transformer page's cached functions and the Translate page's
    loader: torch is never imported."""
    code = (
        "import sys, warnings, logging\n"
        "logging.disable(logging.WARNING)\n"
        "warnings.simplefilter('ignore')\n"
        "from ui import transformer_state as s\n"
        "from ui.translate_state import translator\n"
        "tr = translator(None, 'transformer')\n"
        "assert tr.translate('je suis tres fatigue .', beam=5).words\n"
        "translation, d, words = s.trace('je suis tres fatigue .')\n"
        "assert translation.words and d is not None\n"
        "p, inputs, vocab = s.probe('je suis tres fatigue .')\n"
        "assert p is not None and p.blocks\n"
        "assert s.shuffle('je suis tres fatigue .', 0).diff_off < 1e-5\n"
        "print('torch' in sys.modules)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.strip().splitlines()[-1] == "False"

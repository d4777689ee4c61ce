"""core.transformer.probe and the views built on it (attention vs self-attention, multi-head
self-attention, the encoder/decoder blocks, shuffled words), on the shipped transformer."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core import transformer_views as tv
from core.seq2seq import load_translator
from core.transformer.model import Transformer, TransformerConfig, load_checkpoint
from core.transformer.probe import encoder_output, forward_probe
from core.transformer.translator import DEFAULT_TRANSFORMER_CHECKPOINT

TEXT = "je suis tres fatigue ."


@pytest.fixture(scope="module")
def shipped():
    """(translator, translation, DecodeTrace, source ids, ForwardProbe) of TEXT."""
    tr = load_translator(kind="transformer")
    translation, trace = tr.trace(TEXT)
    ids = tr.read_words(list(translation.source))[0]
    return tr, translation, trace, ids, forward_probe(tr.model, ids, trace.inputs)


@pytest.fixture(scope="module")
def shipped_torch():
    """The shipped checkpoint as a torch ``Transformer`` (the server's model is numpy)."""
    return load_checkpoint(DEFAULT_TRANSFORMER_CHECKPOINT)[0]


def _reference_logits(model, src_ids, tgt_in) -> np.ndarray:
    """Teacher-forced logits (N, V) of a torch ``Transformer``."""
    with torch.inference_mode():
        out = model(torch.tensor([list(src_ids)]), torch.tensor([list(tgt_in)]))
    return out[0].double().numpy()


def test_probe_blocks_reproduce_the_models_forward(shipped, shipped_torch):
    tr, translation, trace, ids, p = shipped
    S, N = len(ids), len(trace.inputs)
    linear = [b for b in p.blocks if b.name == "linear"][0]
    np.testing.assert_allclose(
        linear.output, _reference_logits(shipped_torch, ids, trace.inputs), atol=1e-5
    )
    final = [b for b in p.blocks if b.part == "encoder" and b.name == "final layer norm"][0]
    np.testing.assert_allclose(final.output, encoder_output(tr.model, ids), atol=1e-6)
    # the greedy output is the argmax of the probe's softmax at every step
    soft = [b for b in p.blocks if b.name == "softmax"][0]
    assert soft.output.shape == (N, len(tr.tgt_vocab))
    np.testing.assert_allclose(soft.output.sum(-1), 1.0, atol=1e-9)
    assert list(soft.output.argmax(-1)) == [int(i) for i in trace.ids]
    for b in p.blocks:
        n = S if b.part == "encoder" else N
        assert b.output.shape[0] == n
        if b.normed is not None:
            np.testing.assert_allclose(b.normed.mean(-1), 0.0, atol=1e-6)
            np.testing.assert_allclose(b.normed.std(-1), 1.0, atol=1e-4)
        if b.hidden is not None:
            assert b.hidden.shape == (n, tr.model.cfg.d_ff) and (b.hidden >= 0).all()


def test_post_ln_probe_matches_forward_too():
    torch.manual_seed(0)
    cfg = TransformerConfig(src_vocab=20, tgt_vocab=15, d_model=16, n_heads=2, d_ff=32,
                            norm_first=False, dropout=0.0)  # fmt: skip
    model = Transformer(cfg).eval()
    src, tgt = [5, 6, 7, 8], [0, 9, 10]
    p = forward_probe(model, src, tgt)
    linear = [b for b in p.blocks if b.name == "linear"][0]
    np.testing.assert_allclose(linear.output, _reference_logits(model, src, tgt), atol=1e-5)
    assert not any(b.name == "final layer norm" for b in p.blocks)
    last = [b for b in p.blocks if b.part == "encoder"][-1]
    np.testing.assert_allclose(last.output, encoder_output(model, src), atol=1e-6)


def test_multi_head_concat_times_w_o_is_the_attention_output(shipped):
    tr, translation, _, ids, p = shipped
    S, H, d_k, d = len(ids), tr.model.cfg.n_heads, tr.model.cfg.d_k, tr.model.cfg.d_model
    for layer in range(len(p.enc_attention)):
        mh = p.enc_attention[layer]
        np.testing.assert_allclose(
            mh.concat @ mh.W_O + p.enc_attention_bias[layer],
            p.enc_attention_module[layer],
            atol=1e-5,
        )
        for head in range(H):
            v = tv.multihead_view(p, translation.source, layer, head)
            assert v.heads_shape == (H, S, d_k)
            assert v.concat_shape == (S, H * d_k) and v.W_O_shape == (H * d_k, d)
            assert v.output_shape == (S, d)
            assert v.max_diff < 1e-5 and v.concat_error == 0.0
            np.testing.assert_allclose(v.row_sums, 1.0, atol=1e-6)
            np.testing.assert_allclose(v.weights, mh.weights[head])
            np.testing.assert_allclose(v.head_out, mh.heads[head])
            assert v.top == tuple(translation.source[j] for j in v.weights.argmax(-1))
    # the probe's weights are the decode trace's encoder attention
    _, _, trace, _, _ = shipped
    np.testing.assert_allclose(
        np.stack([m.weights for m in p.enc_attention]), trace.encoder_attention, atol=1e-6
    )
    with pytest.raises(ValueError):
        tv.multihead_view(p, translation.source, 5, 0)


def test_attention_compare_reads_the_trace(shipped):
    tr, translation, trace, _, _ = shipped
    vocab = tr.tgt_vocab.words
    c = tv.attention_compare(trace, vocab, translation.source, 1, None)
    np.testing.assert_allclose(c.encoder, trace.encoder_attention[1].mean(0), atol=1e-7)
    np.testing.assert_allclose(c.cross, trace.cross_attention[1].mean(0), atol=1e-7)
    assert c.encoder.shape == (len(translation.source),) * 2
    assert c.cross.shape == (len(trace.ids), len(translation.source))
    np.testing.assert_allclose(c.encoder_sums, 1.0, atol=1e-6)
    np.testing.assert_allclose(c.cross_sums, 1.0, atol=1e-6)
    c2 = tv.attention_compare(trace, vocab, translation.source, 0, 2)
    np.testing.assert_allclose(c2.cross, trace.cross_attention[0, 2], atol=1e-7)
    assert c2.head_label == "head 3" and c.head_label == "mean over heads"
    assert c.outputs[-1] == "<eos>"


def test_block_view_and_shapes(shipped):
    tr, translation, trace, ids, p = shipped
    vocab = tr.tgt_vocab.words
    inputs = [vocab[int(i)] for i in trace.inputs]
    S, N, d = len(ids), len(trace.inputs), tr.model.cfg.d_model
    shapes = {s.label: s.shape for s in tv.block_shapes(p, 0)}
    assert set(shapes) == set(tv.BLOCKS)
    assert shapes["encoder: self-attention"] == f"({S}, {d})"
    assert shapes["decoder: softmax"] == f"({N}, {len(vocab)})"
    ff = tv.block_view(p, "encoder: feed-forward", 1, translation.source, inputs, vocab)
    assert ff.d_ff == tr.model.cfg.d_ff and 0 < ff.hidden_zero < 1 and ff.layer == 1
    want = [b for b in p.blocks if b.name == "feed-forward" and b.part == "encoder"][1].output
    np.testing.assert_allclose(ff.table, want[: tv.SHOWN_ROWS, : tv.SHOWN_COLS])
    norm = tv.block_view(p, "decoder: add & norm 2", 0, translation.source, inputs, vocab)
    assert norm.ln_mean_max < 1e-6 and 0.9999 < norm.ln_std[0] <= norm.ln_std[1] < 1.0001
    assert norm.rows[0] == "0: <sos>"
    soft = tv.block_view(p, "decoder: softmax", 0, translation.source, inputs, vocab)
    np.testing.assert_allclose(soft.row_sums, 1.0, atol=1e-9)
    assert soft.top[: len(translation.words)] == tuple(translation.words)
    with pytest.raises(ValueError):
        tv.block_view(p, "encoder: nothing", 0, translation.source, inputs, vocab)


def test_shuffle_order_is_a_seeded_permutation():
    for n in (2, 5, 9):
        for seed in range(20):
            o = tv.shuffle_order(n, seed)
            assert sorted(o) == list(range(n)) and o != tuple(range(n))
            assert o == tv.shuffle_order(n, seed)
    assert tv.shuffle_order(1, 3) == (0,)


def test_without_pe_the_encoder_is_permutation_equivariant(shipped):
    tr, translation, _, ids, _ = shipped
    order = tv.shuffle_order(len(ids), 0)
    moved = [ids[i] for i in order]
    outs = [encoder_output(tr.model, x, pe) for pe in (True, False) for x in (ids, moved)]
    s = tv.shuffle_check(translation.source, order, *outs)
    on, on_s, off, off_s = outs
    np.testing.assert_allclose(off_s, off[list(order)], atol=1e-5)
    assert s.diff_off < 1e-5 and s.diff_on > 0.1
    assert s.diff_on == pytest.approx(np.abs(on_s - on[list(order)]).max())
    assert s.shuffled == tuple(translation.source[i] for i in order)
    assert s.row_diff_off.shape == (len(ids),) and (s.row_diff_on > 1e-3).all()
    # with PE the outputs really differ from the PE-off ones
    assert np.abs(on - off).max() > 0.1

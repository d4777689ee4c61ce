"""The transformer core: positional encoding, scaled dot-product and multi-head attention, the
encoder and decoder layers against torch's, masking, decoding and checkpoints."""

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from core.transformer import (
    attention_per_query,
    causal_mask,
    multi_head_attention,
    padding_mask,
    positional_encoding,
    rotation_blocks,
    scaled_dot_product_attention,
    shift_matrix,
)
from core.transformer.decode import beam_search, greedy, greedy_batch, trace_output
from core.transformer.layers import DecoderLayer, EncoderLayer, MultiHeadAttention
from core.transformer.model import (
    Transformer,
    TransformerConfig,
    load_checkpoint,
    save_checkpoint,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """One torch thread: tiny tensors, and a shared 2-core machine where a second OpenMP
    thread mostly waits (each op then takes ~30x longer under load)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# --------------------------------------------------------------------------------------------
# Positional encoding
# --------------------------------------------------------------------------------------------


def test_positional_encoding_is_the_sheets_formula_typed_literally():
    P = positional_encoding(n_positions=50, d_model=16)
    assert P.shape == (50, 16)
    for pos in range(50):
        for i in range(8):
            # PE(pos, 2i) = sin(pos / 10000^(2i/d_model)), PE(pos, 2i+1) = cos(same)
            assert P[pos, 2 * i] == pytest.approx(math.sin(pos / 10000 ** (2 * i / 16)), abs=1e-12)
            assert P[pos, 2 * i + 1] == pytest.approx(
                math.cos(pos / 10000 ** (2 * i / 16)), abs=1e-12
            )
    assert P[0].tolist() == [0.0, 1.0] * 8  # position 0: every sine 0, every cosine 1
    assert P[1, 0] == pytest.approx(0.8414709848078965)  # sin(1)


def test_concatenated_layout_and_base_and_odd_width():
    Pi = positional_encoding(7, 10, base=100)
    Pc = positional_encoding(7, 10, base=100, layout="concatenated")
    assert np.allclose(Pc[:, :5], Pi[:, 0::2]) and np.allclose(Pc[:, 5:], Pi[:, 1::2])
    assert Pi[3, 2] == pytest.approx(math.sin(3 / 100 ** (2 / 10)))
    odd = positional_encoding(4, 5)  # interleaved: the last column is a sine without partner
    assert odd.shape == (4, 5) and odd[2, 4] == pytest.approx(math.sin(2 / 10000 ** (4 / 5)))


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(n_positions=0, d_model=4),
        dict(n_positions=5, d_model=-2),
        dict(n_positions=2.5, d_model=4),
        dict(n_positions=5, d_model=True),
        dict(n_positions=5, d_model=4, base=1),
        dict(n_positions=5, d_model=4, base=-10),
        dict(n_positions=5, d_model=4, base=float("nan")),
        dict(n_positions=5, d_model=4, layout="stacked"),
        dict(n_positions=5, d_model=5, layout="concatenated"),
        dict(n_positions=10**6, d_model=10**6),
    ],
)
def test_positional_encoding_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        positional_encoding(**kwargs)


@pytest.mark.parametrize("layout", ["interleaved", "concatenated"])
@pytest.mark.parametrize("delta", [1, 3, 17, -5])
def test_one_rotation_per_frequency_shifts_every_position(layout, delta):
    d = 16
    P = positional_encoding(80, d, layout=layout)
    M = shift_matrix(delta, d, layout=layout)
    lo, hi = max(0, -delta), min(80, 80 - delta)
    p = np.arange(lo, hi)
    assert np.allclose(P[p] @ M.T, P[p + delta], atol=1e-12)  # the same M for every p
    # the blocks themselves: pair i of PE(p) turned by R_i(delta) is pair i of PE(p + delta)
    R = rotation_blocks(delta, d)
    Pi = positional_encoding(80, d)
    pairs = Pi.reshape(80, d // 2, 2)  # (pos, i, (sin, cos))
    turned = np.einsum("irc,pic->pir", R, pairs[p])
    assert np.allclose(turned, pairs[p + delta], atol=1e-12)
    assert not np.allclose(M, np.eye(d))


def test_rotation_needs_even_width():
    with pytest.raises(ValueError):
        rotation_blocks(1, 7)


# --------------------------------------------------------------------------------------------
# Scaled dot-product attention
# --------------------------------------------------------------------------------------------


def _qkv(n_q=4, n_k=6, d_k=8, d_v=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n_q, d_k)), rng.normal(size=(n_k, d_k)), rng.normal(size=(n_k, d_v))


def test_matrix_form_equals_per_query_form_and_the_definition():
    Q, K, V = _qkv()
    out, w = scaled_dot_product_attention(Q, K, V)
    assert out.shape == (4, 3) and w.shape == (4, 6)
    S = Q @ K.T / math.sqrt(8)
    E = np.exp(S)
    assert np.allclose(w, E / E.sum(1, keepdims=True), atol=1e-14)
    for i in range(4):
        o_i, a_i = attention_per_query(Q[i], K, V)
        assert np.allclose(o_i, out[i], atol=1e-13) and np.allclose(a_i, w[i], atol=1e-14)
    single_out, single_w = scaled_dot_product_attention(Q[2], K, V)
    assert np.allclose(single_out, out[2]) and single_w.shape == (6,)


def test_scale_false_and_factor():
    Q, K, V = _qkv()
    _, w = scaled_dot_product_attention(Q, K, V, scale=False)
    E = np.exp(Q @ K.T)
    assert np.allclose(w, E / E.sum(1, keepdims=True))
    _, w2 = scaled_dot_product_attention(Q, K, V, scale=0.5)
    E2 = np.exp(0.5 * Q @ K.T)
    assert np.allclose(w2, E2 / E2.sum(1, keepdims=True))


def test_matches_torch_sdpa_with_boolean_mask_and_takes_tensors():
    Q, K, V = _qkv(n_q=5, n_k=5)
    mask = causal_mask(5)
    out, w = scaled_dot_product_attention(Q, K, V, mask=mask)
    ref = nn.functional.scaled_dot_product_attention(
        torch.tensor(Q), torch.tensor(K), torch.tensor(V), attn_mask=torch.tensor(mask)
    )
    assert np.allclose(out, ref.numpy(), atol=1e-13)
    t_out, t_w = scaled_dot_product_attention(
        torch.tensor(Q), torch.tensor(K), torch.tensor(V), mask=torch.tensor(mask)
    )
    assert isinstance(t_out, torch.Tensor) and t_out.dtype == torch.float64
    assert np.allclose(t_out.numpy(), out, atol=1e-13) and np.allclose(t_w.numpy(), w)


def test_causal_mask_puts_no_weight_on_future_positions():
    Q, K, V = _qkv(n_q=6, n_k=6)
    _, w = scaled_dot_product_attention(Q * 50, K, V, mask=causal_mask(6))  # huge scores too
    assert np.all(w[np.triu_indices(6, 1)] == 0.0)
    assert np.allclose(w.sum(1), 1.0)
    assert w[0, 0] == 1.0  # the first position sees only itself


def test_padding_keys_get_no_weight_and_do_not_change_outputs():
    Q, K, V = _qkv(n_q=3, n_k=6)
    allowed = padding_mask([4], 6)[0]  # keys 4 and 5 are padding
    out, w = scaled_dot_product_attention(Q, K, V, mask=allowed[None, :])
    assert np.all(w[:, 4:] == 0.0)
    K2, V2 = K.copy(), V.copy()
    K2[4:], V2[4:] = 1e3, -1e3  # whatever sits in the padding
    out2, _ = scaled_dot_product_attention(Q, K2, V2, mask=allowed[None, :])
    ref, _ = scaled_dot_product_attention(Q, K[:4], V[:4])
    assert np.allclose(out, ref, atol=1e-14) and np.allclose(out2, ref, atol=1e-14)


def test_fully_masked_rows_are_zero_not_nan_or_raise_on_request():
    Q, K, V = _qkv(n_q=3, n_k=4)
    mask = np.ones((3, 4), bool)
    mask[1] = False
    out, w = scaled_dot_product_attention(Q, K, V, mask=mask)
    assert np.isfinite(out).all() and np.isfinite(w).all()
    assert np.all(w[1] == 0) and np.all(out[1] == 0)
    assert np.allclose(w[[0, 2]].sum(1), 1.0)
    t_out, t_w = scaled_dot_product_attention(
        torch.tensor(Q), torch.tensor(K), torch.tensor(V), mask=torch.tensor(mask)
    )
    assert torch.isfinite(t_out).all() and float(t_w[1].abs().sum()) == 0.0
    with pytest.raises(ValueError, match="fully masked"):
        scaled_dot_product_attention(Q, K, V, mask=mask, empty_rows="raise")
    out0, w0 = scaled_dot_product_attention(Q, K[:0], V[:0])  # no key at all
    assert out0.shape == (3, 3) and np.all(out0 == 0) and w0.shape == (3, 0)


@pytest.mark.parametrize(
    "args",
    [
        (np.ones((2, 3)), np.ones((4, 5)), np.ones((4, 2))),  # d_k mismatch
        (np.ones((2, 3)), np.ones((4, 3)), np.ones((5, 2))),  # n_k mismatch
        (np.ones((2, 0)), np.ones((4, 0)), np.ones((4, 2))),  # d_k = 0
        (np.full((2, 3), np.nan), np.ones((4, 3)), np.ones((4, 2))),
    ],
)
def test_sdpa_rejects_bad_shapes_and_values(args):
    with pytest.raises(ValueError):
        scaled_dot_product_attention(*args)


def test_sdpa_rejects_float_masks_and_bad_scale():
    Q, K, V = _qkv()
    with pytest.raises(ValueError, match="boolean"):
        scaled_dot_product_attention(Q, K, V, mask=np.zeros((4, 6)))
    with pytest.raises(ValueError):
        scaled_dot_product_attention(Q, K, V, mask=np.ones((3, 6), bool))
    with pytest.raises(ValueError):
        scaled_dot_product_attention(Q, K, V, scale=-1.0)
    _, w = scaled_dot_product_attention(Q, K, V, mask=np.ones((4, 6), int))  # 0/1 integers ok
    assert np.allclose(w.sum(1), 1)


# --------------------------------------------------------------------------------------------
# Multi-head attention and the layers against torch
# --------------------------------------------------------------------------------------------

D, H, FF = 16, 4, 24


def _copy_mha(mine: MultiHeadAttention, ref: nn.MultiheadAttention) -> None:
    with torch.no_grad():
        W_q, W_k, W_v = ref.in_proj_weight.chunk(3)
        b_q, b_k, b_v = ref.in_proj_bias.chunk(3)
        for lin, W, b in ((mine.W_Q, W_q, b_q), (mine.W_K, W_k, b_k), (mine.W_V, W_v, b_v)):
            lin.weight.copy_(W)
            lin.bias.copy_(b)
        mine.W_O.weight.copy_(ref.out_proj.weight)
        mine.W_O.bias.copy_(ref.out_proj.bias)


def _randomise(module: nn.Module, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=p.dtype) * 0.3)


def test_multi_head_attention_equals_torch_per_head_and_the_numpy_trace():
    torch.manual_seed(0)
    ref = nn.MultiheadAttention(D, H, batch_first=True, dtype=torch.float64)
    _randomise(ref, 1)
    mine = MultiHeadAttention(D, H).double()
    _copy_mha(mine, ref)
    x = torch.randn(2, 5, D, dtype=torch.float64)
    mem = torch.randn(2, 7, D, dtype=torch.float64)
    pad = torch.tensor([[False] * 7, [False] * 4 + [True] * 3])  # torch: True = ignore
    r_out, r_w = ref(x, mem, mem, key_padding_mask=pad, average_attn_weights=False)
    m_out, m_w = mine(x, mem, (~pad)[:, None, None, :], need_weights=True)
    assert torch.allclose(m_out, r_out, atol=1e-12) and torch.allclose(m_w, r_w, atol=1e-12)
    fused, _ = mine(x, mem, (~pad)[:, None, None, :])  # the fused kernel path
    assert torch.allclose(fused, r_out, atol=1e-12)
    assert float(m_w[1, :, :, 4:].detach().abs().max()) == 0.0
    # one sentence: module trace == numpy multi_head_attention with the per-head matrices
    tr = mine.trace(x[1:], mem[1:], (~pad)[1:, None, None, :])
    np_tr = multi_head_attention(
        x[1].numpy(), mem[1].numpy(), mine.params(), mask=(~pad[1]).numpy()[None, :]
    )
    assert np.allclose(tr.output, r_out[1].detach().numpy(), atol=1e-12)
    assert np.allclose(np_tr.output, tr.output, atol=1e-12)
    assert np.allclose(np_tr.weights, r_w[1].detach().numpy(), atol=1e-12)
    assert np_tr.Q.shape == (H, 5, D // H) and np_tr.concat.shape == (5, D)
    assert np.allclose(np_tr.concat @ np_tr.W_O + mine.W_O.bias.detach().numpy(), np_tr.output)
    # head h is attention with head h's own projections
    h = 2
    Qh = x[1].numpy() @ mine.params().W_Q[h] + mine.params().b_Q[h]
    assert np.allclose(np_tr.Q[h], Qh)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_equals_torch_transformer_encoder_layer(norm_first):
    torch.manual_seed(0)
    ref = nn.TransformerEncoderLayer(
        D, H, FF, dropout=0.0, batch_first=True, norm_first=norm_first, dtype=torch.float64
    )
    _randomise(ref, 2)
    mine = EncoderLayer(D, H, FF, dropout=0.0, norm_first=norm_first).double()
    _copy_mha(mine.self_attn, ref.self_attn)
    with torch.no_grad():
        for a, b in (
            (mine.ff.linear1, ref.linear1),
            (mine.ff.linear2, ref.linear2),
            (mine.norm1, ref.norm1),
            (mine.norm2, ref.norm2),
        ):
            a.weight.copy_(b.weight)
            a.bias.copy_(b.bias)
    x = torch.randn(2, 6, D, dtype=torch.float64)
    pad = torch.tensor([[False] * 6, [False] * 3 + [True] * 3])
    ref.train()  # dropout 0; training mode keeps torch off its fused inference fast path
    mine.train()
    r = ref(x, src_key_padding_mask=pad)
    m, _ = mine(x, (~pad)[:, None, None, :])
    assert torch.allclose(m, r, atol=1e-12)
    mine.eval()
    m2, w = mine(x, (~pad)[:, None, None, :], need_weights=True)
    assert torch.allclose(m2, r, atol=1e-12) and w.shape == (2, H, 6, 6)


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_equals_torch_transformer_decoder_layer(norm_first):
    torch.manual_seed(0)
    ref = nn.TransformerDecoderLayer(
        D, H, FF, dropout=0.0, batch_first=True, norm_first=norm_first, dtype=torch.float64
    )
    _randomise(ref, 3)
    mine = DecoderLayer(D, H, FF, dropout=0.0, norm_first=norm_first).double()
    _copy_mha(mine.self_attn, ref.self_attn)
    _copy_mha(mine.cross_attn, ref.multihead_attn)
    with torch.no_grad():
        for a, b in (
            (mine.ff.linear1, ref.linear1),
            (mine.ff.linear2, ref.linear2),
            (mine.norm1, ref.norm1),
            (mine.norm2, ref.norm2),
            (mine.norm3, ref.norm3),
        ):
            a.weight.copy_(b.weight)
            a.bias.copy_(b.bias)
    y = torch.randn(2, 5, D, dtype=torch.float64)
    mem = torch.randn(2, 7, D, dtype=torch.float64)
    pad = torch.tensor([[False] * 7, [False] * 2 + [True] * 5])
    causal = torch.ones(5, 5, dtype=torch.bool).tril()
    r = ref(y, mem, tgt_mask=~causal, memory_key_padding_mask=pad)  # torch: True = blocked
    m, ws, wc = mine(y, mem, causal, (~pad)[:, None, None, :], need_weights=True)
    assert torch.allclose(m, r, atol=1e-12)
    assert float(ws.detach()[:, :, ~causal].abs().max()) == 0.0  # no weight on future positions
    assert float(wc.detach()[1, :, :, 2:].abs().max()) == 0.0  # nor on padding
    # incremental decoding, one position at a time with cached keys/values, gives the same rows
    mine.eval()
    kv = mine.cross_attn.project_kv(mem)
    cache, rows = None, []
    for t in range(5):
        out, cache = mine.step(y[:, t : t + 1], cache, kv, (~pad)[:, None, None, :])
        rows.append(out)
    assert torch.allclose(torch.cat(rows, 1), r, atol=1e-12)


@pytest.mark.parametrize("norm_first", [False, True])
def test_model_stacks_equal_torch_encoder_and_decoder_stacks(norm_first):
    torch.manual_seed(0)
    cfg = TransformerConfig(
        20,
        15,
        d_model=D,
        n_heads=H,
        d_ff=FF,
        enc_layers=2,
        dec_layers=2,
        dropout=0.0,
        norm_first=norm_first,
    )
    model = Transformer(cfg).double().eval()
    _randomise(model, 4)
    enc_ref = nn.TransformerEncoder(
        nn.TransformerEncoderLayer(
            D, H, FF, 0.0, batch_first=True, norm_first=norm_first, dtype=torch.float64
        ),
        2,
        norm=nn.LayerNorm(D, dtype=torch.float64) if norm_first else None,
        enable_nested_tensor=False,
    )
    dec_ref = nn.TransformerDecoder(
        nn.TransformerDecoderLayer(
            D, H, FF, 0.0, batch_first=True, norm_first=norm_first, dtype=torch.float64
        ),
        2,
        norm=nn.LayerNorm(D, dtype=torch.float64) if norm_first else None,
    )
    with torch.no_grad():
        for mine, ref in zip(model.encoder, enc_ref.layers, strict=True):
            _copy_mha(mine.self_attn, ref.self_attn)
            for a, b in (
                (mine.ff.linear1, ref.linear1),
                (mine.ff.linear2, ref.linear2),
                (mine.norm1, ref.norm1),
                (mine.norm2, ref.norm2),
            ):
                a.weight.copy_(b.weight)
                a.bias.copy_(b.bias)
        for mine, ref in zip(model.decoder, dec_ref.layers, strict=True):
            _copy_mha(mine.self_attn, ref.self_attn)
            _copy_mha(mine.cross_attn, ref.multihead_attn)
            for a, b in (
                (mine.ff.linear1, ref.linear1),
                (mine.ff.linear2, ref.linear2),
                (mine.norm1, ref.norm1),
                (mine.norm2, ref.norm2),
                (mine.norm3, ref.norm3),
            ):
                a.weight.copy_(b.weight)
                a.bias.copy_(b.bias)
        if norm_first:
            for a, b in ((model.enc_norm, enc_ref.norm), (model.dec_norm, dec_ref.norm)):
                a.weight.copy_(b.weight)
                a.bias.copy_(b.bias)
    src = torch.tensor([[5, 6, 7, 8], [9, 10, 2, 2]])  # 2 = PAD
    tgt = torch.tensor([[0, 4, 5], [0, 6, 7]])
    enc_ref.train(), dec_ref.train()  # dropout 0; off torch's inference fast path
    x = model.embed(model.src_emb, src)
    # the sheet's input: embedding * sqrt(d_model) + PE
    assert torch.allclose(
        x[0, 1],
        model.src_emb.weight[6] * math.sqrt(D) + torch.tensor(positional_encoding(4, D)[1]),
        atol=1e-12,
    )
    mem_ref = enc_ref(x, src_key_padding_mask=src == 2)
    mem, allowed, _ = model.encode(src)
    assert torch.allclose(mem, mem_ref, atol=1e-12)
    y = model.embed(model.tgt_emb, tgt)
    h_ref = dec_ref(
        y,
        mem_ref,
        tgt_mask=~torch.ones(3, 3, dtype=torch.bool).tril(),
        memory_key_padding_mask=src == 2,
    )
    h, _, _ = model.decode(tgt, mem, allowed)
    assert torch.allclose(h, h_ref, atol=1e-12)
    # final linear (the tied target embedding) + softmax: a distribution over English words
    p = torch.softmax(model.logits(h), -1)
    assert p.shape == (2, 3, 15) and torch.allclose(p.sum(-1), torch.ones(2, 3, dtype=p.dtype))
    assert torch.allclose(model.logits(h), h @ model.tgt_emb.weight.T + model.out_bias)


# --------------------------------------------------------------------------------------------
# The model: padding, order, decoding, checkpoints
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_model():
    torch.manual_seed(0)
    cfg = TransformerConfig(30, 25, d_model=D, n_heads=H, d_ff=FF, dropout=0.0)
    model = Transformer(cfg).eval()
    _randomise(model, 5)
    return model


def test_padding_in_a_batch_changes_nothing(small_model):
    alone, _, _ = small_model.encode(torch.tensor([[5, 6, 7]]))
    batch, _, _ = small_model.encode(torch.tensor([[5, 6, 7, 2, 2], [8, 9, 10, 11, 12]]))
    assert torch.allclose(batch[0, :3], alone[0], atol=1e-5)
    ids = greedy_batch(small_model, torch.tensor([[5, 6, 7, 2, 2], [8, 9, 10, 11, 12]]), 6)
    one = greedy_batch(small_model, torch.tensor([[5, 6, 7]]), 6)
    n = min(ids.shape[1], one.shape[1])
    assert torch.equal(ids[0, :n], one[0, :n])


def test_without_positional_encoding_word_order_cannot_matter(small_model):
    src = torch.tensor([[5, 6, 7, 8, 9]])
    perm = torch.tensor([3, 0, 4, 1, 2])
    plain, _, _ = small_model.encode(src, positional=False)
    shuffled, _, _ = small_model.encode(src[:, perm], positional=False)
    assert torch.allclose(shuffled[0], plain[0, perm], atol=1e-5)  # same vectors, permuted
    with_pe, _, _ = small_model.encode(src)
    with_pe_shuffled, _, _ = small_model.encode(src[:, perm])
    assert not torch.allclose(with_pe_shuffled[0], with_pe[0, perm], atol=1e-2)


def test_future_target_words_do_not_change_earlier_predictions(small_model):
    mem, allowed, _ = small_model.encode(torch.tensor([[5, 6, 7]]))
    a = small_model.logits(small_model.decode(torch.tensor([[0, 4, 5, 6]]), mem, allowed)[0])
    b = small_model.logits(small_model.decode(torch.tensor([[0, 4, 9, 12]]), mem, allowed)[0])
    assert torch.allclose(a[0, :2], b[0, :2], atol=1e-6)
    assert not torch.allclose(a[0, 2:], b[0, 2:], atol=1e-3)


def test_greedy_trace_rows_equal_the_rows_computed_while_decoding(small_model):
    src_ids = [5, 6, 7, 8]
    d = greedy(small_model, src_ids, max_steps=6, top_k=4)
    N, S = len(d.ids), len(src_ids)
    L, Hh = small_model.cfg.dec_layers, small_model.cfg.n_heads
    assert d.self_attention.shape == (L, Hh, N, N) and d.cross_attention.shape == (L, Hh, N, S)
    assert np.all(d.self_attention[..., ~d.causal_mask] == 0)  # upper triangle: masked
    assert np.allclose(d.self_attention.sum(-1), 1, atol=1e-5)
    assert np.allclose(d.cross_attention.sum(-1), 1, atol=1e-5)
    assert list(d.inputs) == [0, *d.ids[:-1]]
    for t in range(N):
        # decoding only up to step t (the words after t do not exist yet) gives the same row
        part = trace_output(small_model, src_ids, d.ids[: t + 1], top_k=4)
        assert np.allclose(
            part.self_attention[:, :, t], d.self_attention[:, :, t, : t + 1], atol=1e-6
        )
        assert np.allclose(part.cross_attention[:, :, t], d.cross_attention[:, :, t], atol=1e-6)
        assert d.top_ids[t, 0] == d.ids[t]  # greedy: the chosen word is the argmax
    assert np.all(np.diff(d.top_probs, axis=1) <= 0) and d.top_probs.shape == (N, 4)
    assert np.isclose(d.score, d.logprobs.sum())
    assert d.encoder_attention.shape == (small_model.cfg.enc_layers, Hh, S, S)


def test_beam_one_is_greedy_and_beams_are_sorted(small_model):
    g = greedy(small_model, [5, 6, 7], max_steps=8)
    b1 = beam_search(small_model, [5, 6, 7], beam=1, max_steps=8)[0]
    assert list(b1.ids) == list(g.ids)
    b = beam_search(small_model, [5, 6, 7], beam=4, max_steps=8)
    assert 1 <= len(b) <= 4
    assert all(x.score >= y.score - 1e-9 for x, y in zip(b, b[1:], strict=False))
    assert b[0].score >= g.score - 1e-6
    with pytest.raises(ValueError):
        beam_search(small_model, [5], beam=0)


def test_checkpoint_round_trip_and_corruption(small_model, tmp_path):
    from core.seq2seq.data import SPECIALS, Vocab

    sv = Vocab(SPECIALS + tuple(f"f{i}" for i in range(26)))
    tv = Vocab(SPECIALS + tuple(f"e{i}" for i in range(21)))
    out = save_checkpoint(tmp_path / "ck", small_model, sv, tv, {"note": 1})
    weights = torch.load(out / "weights.pt", weights_only=True)
    assert all(v.dtype == torch.float16 for v in weights.values())
    assert "pe" not in weights  # the encoding is a formula, not a weight
    model, sv2, tv2, meta = load_checkpoint(out)
    assert meta == {"note": 1} and sv2.words == sv.words and tv2.words == tv.words
    x = torch.tensor([[5, 6, 7]])
    assert torch.allclose(model.encode(x)[0], small_model.encode(x)[0], atol=2e-2)
    (out / "weights.pt").write_bytes(b"not a tensor file")
    with pytest.raises(ValueError, match="corrupted"):
        load_checkpoint(out)
    with pytest.raises(ValueError, match="missing"):
        load_checkpoint(tmp_path / "nothing")


def test_config_rejects_bad_sizes():
    with pytest.raises(ValueError):
        TransformerConfig(10, 10, d_model=30, n_heads=4)
    with pytest.raises(ValueError):
        TransformerConfig(10, 10, dropout=1.0)


def test_package_import_does_not_import_torch():
    code = (
        "import sys\nfrom core.transformer import positional_encoding, "
        "scaled_dot_product_attention\nprint('torch' in sys.modules)"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["False"]


def test_torch_parts_load_on_first_use():
    import core.transformer as package
    import core.transformer.model as model_module

    assert package.Transformer is model_module.Transformer
    assert callable(package.load_transformer_translator)
    with pytest.raises(AttributeError):
        package.no_such_name  # noqa: B018

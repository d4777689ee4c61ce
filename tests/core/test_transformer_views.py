"""core.transformer_views: the numbers of the Transformer page, checked against the sheet."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core import transformer_views as tv


def sheet_pe(pos: int, dim: int, d_model: int) -> float:
    """The sheet's formula, typed literally: PE(pos, 2i) = sin(pos / 10000^(2i/d_model)),
    PE(pos, 2i + 1) = cos(pos / 10000^(2i/d_model))."""
    i = dim // 2
    if dim % 2 == 0:
        return math.sin(pos / 10000 ** (2 * i / d_model))
    return math.cos(pos / 10000 ** (2 * i / d_model))


def test_pe_view_matches_the_sheets_formula():
    v = tv.pe_view(30, 16, 10000.0, "interleaved")
    assert v.P.shape == (30, 16)
    for pos in range(30):
        for dim in range(16):
            assert v.P[pos, dim] == pytest.approx(sheet_pe(pos, dim, 16), abs=1e-12)


def test_concatenated_layout_is_the_same_numbers_permuted():
    a = tv.pe_view(20, 8, 10000.0, "interleaved").P
    b = tv.pe_view(20, 8, 10000.0, "concatenated").P
    np.testing.assert_allclose(b[:, :4], a[:, 0::2], atol=1e-15)
    np.testing.assert_allclose(b[:, 4:], a[:, 1::2], atol=1e-15)


def test_similarity_is_cosine_and_depends_only_on_distance():
    v = tv.pe_view(40, 32, 10000.0, "interleaved")
    P = v.P
    p, q = 7, 19
    cos = P[p] @ P[q] / (np.linalg.norm(P[p]) * np.linalg.norm(P[q]))
    assert v.similarity[p, q] == pytest.approx(cos, abs=1e-12)
    np.testing.assert_allclose(np.diag(v.similarity), 1.0, atol=1e-12)
    # constant along diagonals: sum of cos(omega_i * delta) / (d/2)
    omega = 10000.0 ** (-2.0 * np.arange(16) / 32)
    for delta in (1, 5, 12):
        expected = np.cos(omega * delta).mean()
        np.testing.assert_allclose(np.diagonal(v.similarity, delta), expected, atol=1e-12)
        assert v.by_distance[delta] == pytest.approx(expected, abs=1e-12)
    assert v.by_distance[1] > v.by_distance[10]
    assert f"{v.by_distance[1]:.3f} at δ = 1" in v.sentence


@pytest.mark.parametrize("layout", ["interleaved", "concatenated"])
def test_rotation_maps_every_position(layout):
    r = tv.rotation_check(100, 64, 10000.0, layout, 5, 7)
    w = 10000.0 ** (-2 * 5 / 64)
    assert r.omega == pytest.approx(w, rel=1e-15)
    np.testing.assert_allclose(
        r.R, [[math.cos(7 * w), math.sin(7 * w)], [-math.sin(7 * w), math.cos(7 * w)]], atol=1e-15
    )
    assert len(r.pairs) == 100
    assert r.max_error < 1e-12 and r.max_error_all < 1e-12
    # the shifted pairs are the formula at p + 7
    sin_col = 10 if layout == "interleaved" else 5
    assert r.cols[0] == sin_col
    for p in (0, 50, 99):
        assert r.shifted[p, 0] == pytest.approx(math.sin((p + 7) * w), abs=1e-12)
        assert r.shifted[p, 1] == pytest.approx(math.cos((p + 7) * w), abs=1e-12)


def test_checks_reject_bad_settings_without_raising():
    assert tv.check_pe(64, 10000.0, "interleaved", 50) == ()
    fields = [p.field for p in tv.check_pe(5, 10000.0, "interleaved", 50)]
    assert fields == ["d_model"]
    assert "odd" in tv.check_pe(5, 10000.0, "interleaved", 50)[0].subject
    for bad in (10**9, 0, -4, 2, float("nan"), None, "x"):
        assert [p.field for p in tv.check_pe(bad, 10000.0, "interleaved", 50)] == ["d_model"]
    assert [p.field for p in tv.check_pe(64, 1.0, "nope", 1)] == ["base", "layout", "n_positions"]
    assert tv.check_rotation(32, 3, 64).field == "freq"
    assert tv.check_rotation(3, 0, 64).field == "delta"
    assert tv.check_rotation(31, 1, 64) is None
    assert tv.parse_dims("0, 1 6 7", 16) == ((0, 1, 6, 7), None)
    for bad in ("", "0", "0 1 2 3 4", "0 99", "a b", "-1 2"):
        dims, problem = tv.parse_dims(bad, 16)
        assert dims == () and problem is not None


def test_worked_example_equals_softmax_formula():
    ex = tv.worked_example(3)
    assert ex.Q.shape == (3, 4) and ex.K.shape == (4, 4) and ex.V.shape == (4, 4)
    scores = ex.Q @ ex.K.T / 2.0
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights = e / e.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(ex.scores, scores, atol=1e-14)
    np.testing.assert_allclose(ex.weights, weights, atol=1e-14)
    np.testing.assert_allclose(ex.output, weights @ ex.V, atol=1e-14)
    # the per-query sum of the sheet gives the same first row
    q = ex.Q[0]
    num = [math.exp(q @ k / 2.0) for k in ex.K]
    row = sum(n / sum(num) * v for n, v in zip(num, ex.V, strict=True))
    np.testing.assert_allclose(ex.output[0], row, atol=1e-12)
    # seeded: the same seed gives the same numbers, another seed others
    np.testing.assert_array_equal(tv.worked_example(3).Q, ex.Q)
    assert not np.array_equal(tv.worked_example(4).Q, ex.Q)


def test_score_spread_unscaled_is_sqrt_dk_and_scaled_is_one():
    p = tv.scaling_point(256, 16, seed=1, n_trials=1000)
    assert abs(p.std_unscaled - 16.0) < 0.1 * 16.0
    assert abs(p.std_scaled - 1.0) < 0.1
    assert p.max_weight_unscaled > 0.8 > 0.5 > p.max_weight_scaled
    assert p.grad_unscaled < p.grad_scaled


def test_gradient_norm_matches_the_jacobian():
    a = np.array([[0.1, 0.2, 0.7], [1.0, 0.0, 0.0]])
    for row, norm in zip(a, tv._jacobian_norm(a), strict=True):
        J = np.diag(row) - np.outer(row, row)
        assert norm == pytest.approx(np.linalg.norm(J), abs=1e-15)
    assert tv._jacobian_norm(a)[1] == 0.0  # one-hot: no gradient


def test_scaling_curve_includes_the_current_dk_and_trends():
    c = tv.scaling_curve(16, 0, current=100)
    assert 100 in c.d_k and list(c.d_k) == sorted(c.d_k)
    assert c.std_unscaled[-1] > 10 * c.std_unscaled[0]
    np.testing.assert_allclose(c.std_scaled, 1.0, atol=0.1)
    assert c.grad_unscaled[-1] < 0.5 * c.grad_unscaled[0]
    assert c.max_weight_unscaled[-1] > c.max_weight_scaled[-1]


def test_scaling_rejects_dk_zero():
    assert [p.field for p in tv.check_scaling(0, 16, 0)] == ["d_k"]
    with pytest.raises(ValueError, match="d_k"):
        tv.scaling_point(0, 16)


class FakeTrace:
    """A DecodeTrace of N = 4 steps, S = 3 source tokens, 2 layers, 2 heads."""

    def __init__(self):
        rng = np.random.default_rng(0)
        N, S = 4, 3
        mask = np.tril(np.ones((N, N), bool))
        w = rng.random((2, 2, N, N)) * mask
        self.self_attention = w / w.sum(-1, keepdims=True)
        c = rng.random((2, 2, N, S))
        self.cross_attention = c / c.sum(-1, keepdims=True)
        self.causal_mask = mask
        self.ids = np.array([10, 11, 12, 1])
        self.inputs = np.array([0, 10, 11, 12])
        self.logprobs = np.log([0.9, 0.8, 0.7, 0.95])
        self.top_ids = np.array([[10, 11, 12, 1, 13]] * N)
        self.top_probs = np.array([[0.9, 0.05, 0.02, 0.02, 0.01]] * N)


VOCAB = {0: "<sos>", 1: "<eos>", 10: "i", 11: "am", 12: "tired", 13: "x"}


def test_decode_step_masks_the_future_and_picks_layer_and_head():
    tr = FakeTrace()
    for step in range(1, 5):
        s = tv.decode_step(tr, VOCAB, ["je", "suis", "."], step, layer=-1, head=None)
        t = step - 1
        assert s.t == t and s.self_rows.shape == (step, 4)
        assert s.n_masked == 4 - 1 - t == int(np.isnan(s.self_rows[t]).sum())
        np.testing.assert_allclose(
            s.self_rows[t, : t + 1], tr.self_attention[1, :, t, : t + 1].mean(0)
        )
        np.testing.assert_allclose(s.cross_row, tr.cross_attention[1, :, t].mean(0))
    s = tv.decode_step(tr, VOCAB, ["je", "suis", "."], 2, layer=0, head=1)
    np.testing.assert_allclose(s.cross_row, tr.cross_attention[0, 1, 1])
    assert s.inputs == ("<sos>", "i", "am", "tired") and s.chosen == "am"
    assert s.chosen_prob == pytest.approx(0.8)
    assert s.head_label == "head 2" and s.layer == 0
    assert tv.decode_step(tr, VOCAB, ["a"], 99).t == 3  # clamped to the last step


def test_scores_drawn_via_the_query_norm_match_explicit_keys():
    """scaling_point draws q·k as ‖q‖·N(0, 1); explicit random keys give the same statistics."""
    rng = np.random.default_rng(11)
    q = rng.standard_normal((1000, 1, 64))
    k = rng.standard_normal((1000, 16, 64))
    s = (q * k).sum(-1)
    a = tv.softmax_rows(s / 8.0)
    p = tv.scaling_point(64, 16, seed=2, n_trials=1000)
    assert p.std_unscaled == pytest.approx(s.std(), rel=0.05)
    assert p.max_weight_scaled == pytest.approx(a.max(-1).mean(), rel=0.05)
    assert p.grad_scaled == pytest.approx(tv._jacobian_norm(a).mean(), rel=0.05)

"""Tests for core.attention: softmax, attention (45)-(46), closed forms (49)/(56)/(65),
copying (a) and the sampling experiment of parts (c)-(e)."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pytest

from core.attention import (
    MAX_PAIR_ITEMS,
    MAX_SAMPLES,
    alpha_pair_closed_form,
    alpha_single_head_vs_norm,
    alpha_two_heads_vs_norm,
    attend,
    copy_curve,
    copy_gap,
    covariance_ellipse,
    log_softmax,
    near_zero_keys,
    orthonormal_means,
    pair_plane,
    pair_weights,
    sample_outputs,
    softmax,
    summarize,
)

SHEET = dict(M=20.0, alpha=1e-10, n_samples=1000, n=2, d=2, a=0, b=1, seed=0)
HALF = np.array([0.5, 0.5])
V1_MINUS_V2 = np.array([-1.0, 1.0]) / math.sqrt(2.0)  # unit vector along v_1 - v_2


# --------------------------------------------------------------------------------------------
# softmax
# --------------------------------------------------------------------------------------------


def test_softmax_matches_direct_formula_for_moderate_scores():
    rng = np.random.default_rng(1)
    z = rng.normal(scale=5.0, size=(7, 5))
    direct = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(softmax(z), direct, rtol=1e-12, atol=0)
    np.testing.assert_allclose(softmax(z, axis=0), np.exp(z) / np.exp(z).sum(0), rtol=1e-12)
    np.testing.assert_allclose(log_softmax(z), np.log(direct), rtol=1e-12, atol=1e-12)


def test_softmax_known_values():
    np.testing.assert_allclose(softmax([0.0, math.log(3.0)]), [0.25, 0.75], rtol=1e-14)
    np.testing.assert_allclose(softmax([2.0, 2.0, 2.0, 2.0]), [0.25] * 4, rtol=1e-14)


def test_softmax_huge_scores_are_finite_and_normalised():
    z = np.array([[1e6, -1e6, 0.0], [1e6, 1e6, -1e6], [-1e6, -1e6, -1e6], [1e6, 1e6 - 1, 0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any overflow / invalid warning fails the test
        p = softmax(z)
        lp = log_softmax(z)
    assert np.isfinite(p).all() and np.isfinite(lp).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(p[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(p[1], [0.5, 0.5, 0.0])
    np.testing.assert_allclose(p[2], [1 / 3] * 3, rtol=1e-14)
    np.testing.assert_allclose(p[3, :2], [1 / (1 + math.exp(-1)), 1 / (1 + math.e)], rtol=1e-12)
    np.testing.assert_allclose(lp[0], [0.0, -2e6, -1e6])


@pytest.mark.parametrize("shift", [-1e5, -3.7, 0.0, 12.5, 1e5])
def test_softmax_is_shift_invariant(shift):
    z = np.array([0.3, -1.2, 2.5, 0.0])
    np.testing.assert_allclose(softmax(z + shift), softmax(z), rtol=1e-9, atol=1e-15)


def test_softmax_masks_minus_inf_and_rejects_nan():
    np.testing.assert_allclose(softmax([0.0, -np.inf, 0.0]), [0.5, 0.0, 0.5])
    for bad in ([0.0, np.nan], [0.0, np.inf], [-np.inf, -np.inf], 3.0, []):
        with pytest.raises(ValueError):
            softmax(bad)


# --------------------------------------------------------------------------------------------
# attend (45)-(46)
# --------------------------------------------------------------------------------------------


def test_attend_hand_computed_2x2():
    q = np.array([1.0, 2.0])
    K = np.array([[1.0, 0.0], [0.0, 1.0]])  # scores 1 and 2
    V = np.array([[10.0, 0.0], [0.0, 4.0]])
    c, a = attend(q, K, V)
    w1 = 1.0 / (1.0 + math.e)  # e^1 / (e^1 + e^2)
    np.testing.assert_allclose(a, [w1, 1 - w1], rtol=1e-14)
    np.testing.assert_allclose(c, [10 * w1, 4 * (1 - w1)], rtol=1e-14)
    assert c.shape == (2,) and a.shape == (2,)


def test_attend_batched_equals_loop():
    rng = np.random.default_rng(7)
    S, n, d = 6, 4, 3
    q = rng.normal(size=(S, d))
    K = rng.normal(size=(S, n, d))
    V_shared = rng.normal(size=(n, d))
    V_batched = rng.normal(size=(S, n, d))
    c_sh, a_sh = attend(q, K, V_shared)
    c_b, a_b = attend(q, K, V_batched)
    assert c_sh.shape == (S, d) and a_sh.shape == (S, n)
    for s in range(S):
        c1, a1 = attend(q[s], K[s], V_shared)
        np.testing.assert_allclose(c_sh[s], c1, rtol=1e-13)
        np.testing.assert_allclose(a_sh[s], a1, rtol=1e-13)
        c2, _ = attend(q[s], K[s], V_batched[s])
        np.testing.assert_allclose(c_b[s], c2, rtol=1e-13)
    # one query against a batch of key sets
    c_one, a_one = attend(q[0], K, V_shared)
    for s in range(S):
        np.testing.assert_allclose(a_one[s], attend(q[0], K[s], V_shared)[1], rtol=1e-13)
    assert c_one.shape == (S, d)


@pytest.mark.parametrize(
    "q, K, V",
    [
        (np.ones(3), np.ones((2, 2)), np.ones((2, 2))),  # q dimension != key dimension
        (np.ones(2), np.ones((2, 2)), np.ones((3, 2))),  # values != keys
        (np.ones((2, 2, 2)), np.ones((2, 2)), np.ones((2, 2))),  # q rank 3
        (np.ones(2), np.ones(2), np.ones((2, 2))),  # K rank 1
        (np.ones(2), np.ones((2, 2)), np.ones(2)),  # V rank 1
        (np.ones((3, 2)), np.ones((4, 2, 2)), np.ones((2, 2))),  # batch sizes differ
        (np.ones(2), np.ones((2, 2)), np.ones((5, 2, 2)) * np.nan),  # NaN (and batch)
        (np.array([np.inf, 0.0]), np.ones((2, 2)), np.ones((2, 2))),  # inf
        (np.ones(2), np.ones((0, 2)), np.ones((0, 2))),  # no keys
        (["x", "y"], np.ones((2, 2)), np.ones((2, 2))),  # not numbers
    ],
)
def test_attend_rejects_bad_shapes(q, K, V):
    with pytest.raises(ValueError):
        attend(q, K, V)


# --------------------------------------------------------------------------------------------
# Closed forms (49), (56), (65)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 3, 5, 8])
@pytest.mark.parametrize("M", [0.0, 0.7, 3.0, 20.0, 300.0])
def test_pair_closed_form_matches_attend(M, n):
    mu = orthonormal_means(n, n)
    a, b = 0, n - 1
    _, weights = attend(M * (mu[a] + mu[b]), mu, mu)
    expected = alpha_pair_closed_form(M, n)
    np.testing.assert_allclose(weights[[a, b]], [expected, expected], rtol=1e-12)
    if M < 50:  # direct formula (49) where it does not overflow
        direct = math.exp(M) / (2 * math.exp(M) + n - 2)
        assert expected == pytest.approx(direct, rel=1e-12)


def test_closed_forms_are_stable_for_huge_M():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert alpha_pair_closed_form(1e6, 5) == 0.5
        assert alpha_pair_closed_form(-1e6, 5) == 0.0
        assert alpha_pair_closed_form(1e6, 2) == 0.5
        assert alpha_single_head_vs_norm(1.5, 1e6, 4) == 1.0
        assert alpha_single_head_vs_norm(0.5, 1e6, 4) == 0.0
        assert alpha_single_head_vs_norm(1.0, 1e6, 4) == 0.5
        assert alpha_two_heads_vs_norm(0.5, 1e6, 4) == 1.0
        assert alpha_two_heads_vs_norm(-0.5, 1e6, 4) == 0.0
    curve = alpha_two_heads_vs_norm(np.linspace(0.5, 1.5, 11), 20.0, 2)
    assert curve.shape == (11,) and (curve > 1 - 1e-4).all()


@pytest.mark.parametrize("n, d", [(2, 2), (3, 3), (4, 6)])
@pytest.mark.parametrize("norm", [0.0, 0.3, 0.5, 0.95, 1.0, 1.05, 1.5])
@pytest.mark.parametrize("M", [1.0, 5.0, 20.0])
def test_norm_closed_forms_match_attend(n, d, norm, M):
    mu = orthonormal_means(n, d)
    a, b = 1, 0
    K = mu.copy()
    K[a] = norm * mu[a]  # k_a = ||k_a|| mu_a, other keys exactly at their means
    _, w_single = attend(M * (mu[a] + mu[b]), K, mu)  # (56)
    assert w_single[a] == pytest.approx(alpha_single_head_vs_norm(norm, M, n), rel=1e-12)
    _, w_head1 = attend(M * mu[a], K, mu)  # (65)
    assert w_head1[a] == pytest.approx(alpha_two_heads_vs_norm(norm, M, n), rel=1e-12)


def test_single_head_curve_is_a_step_two_head_curve_is_flat():
    lo, hi = alpha_single_head_vs_norm(np.array([0.5, 1.5]), 20.0, 2)
    assert lo < 1e-4 and hi > 1 - 1e-4  # (56) ~ [0, 1]
    lo2, hi2 = alpha_two_heads_vs_norm(np.array([0.5, 1.5]), 20.0, 2)
    assert lo2 > 1 - 1e-4 and hi2 > 1 - 1e-12  # (65) ~ 1


@pytest.mark.parametrize(
    "call",
    [
        lambda: alpha_pair_closed_form(20.0, 1),
        lambda: alpha_pair_closed_form(20.0, 2.5),
        lambda: alpha_pair_closed_form(np.nan, 3),
        lambda: alpha_single_head_vs_norm(np.inf, 20.0, 3),
        lambda: alpha_two_heads_vs_norm(1.0, 20.0, True),
    ],
)
def test_closed_forms_reject_bad_input(call):
    with pytest.raises(ValueError):
        call()


# --------------------------------------------------------------------------------------------
# Copying (a)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n, d, j", [(2, 2, 0), (2, 2, 1), (5, 7, 3)])
def test_copy_with_large_scale(n, d, j):
    res = copy_gap(j, 50.0, n, d)
    assert res.alpha_j > 1 - 1e-10
    assert res.gap < 1e-18
    assert res.one_minus_alpha_j == pytest.approx((n - 1) * math.exp(-50.0), rel=1e-9, abs=0)
    np.testing.assert_array_equal(res.v_j, orthonormal_means(n, d)[j])


@pytest.mark.parametrize("scale", [0.0, 1.0, 20.0, 30.0, 36.5, 40.0, 300.0])
def test_copy_one_minus_alpha_is_accurate_where_alpha_rounds_to_one(scale):
    n = 3
    res = copy_gap(0, scale, n, n)
    exact = (n - 1) * math.exp(-scale) / (1 + (n - 1) * math.exp(-scale))
    assert res.one_minus_alpha_j == pytest.approx(exact, rel=1e-12, abs=0)


def test_copy_with_small_scale_is_not_a_copy():
    res = copy_gap(0, 0.0, 4, 4)  # uniform weights
    np.testing.assert_allclose(res.weights, 0.25)
    assert res.gap == pytest.approx(math.sqrt(0.75**2 + 3 * 0.25**2))
    gaps = [copy_gap(1, s, 3, 3).gap for s in (0.0, 1.0, 5.0, 10.0)]
    assert gaps == sorted(gaps, reverse=True)


def test_copy_rejects_bad_input():
    for args in ((2, 50.0, 2, 2), (-1, 50.0, 2, 2), (0, math.nan, 2, 2), (0, 1.0, 3, 2)):
        with pytest.raises(ValueError):
            copy_gap(*args)


# --------------------------------------------------------------------------------------------
# Sampling experiment (c)-(e)
# --------------------------------------------------------------------------------------------


def test_means_reproduce_the_sheet():
    mu = orthonormal_means(2, 2)
    np.testing.assert_array_equal(mu, [[0.0, 1.0], [1.0, 0.0]])  # mu_1 = (0,1), mu_2 = (1,0)
    res = sample_outputs(**SHEET, heads=1, beta=0.5)
    np.testing.assert_array_equal(res.means, mu)
    np.testing.assert_array_equal(res.values, mu)  # v_i = mu_i (e)
    np.testing.assert_allclose(res.query, [20.0, 20.0])  # q = M (mu_1 + mu_2)


def test_single_head_small_noise_gives_the_average():
    res = sample_outputs(**SHEET, heads=1, beta=0.0)
    dist = np.linalg.norm(res.c - HALF, axis=1)
    assert dist.max() < 1e-3
    assert not res.negative.any()
    s = summarize(res)
    assert s.share_within == 1.0 and s.share_within_kept == 1.0


def test_single_head_with_beta_spreads_the_output():
    res = sample_outputs(**SHEET, heads=1, beta=0.5)
    s = summarize(res)
    assert s.std_along_ab > 0.2
    assert float(np.std((res.c - HALF) @ V1_MINUS_V2)) == pytest.approx(s.std_along_ab)
    v1, v2 = res.values
    assert (np.linalg.norm(res.c - v1, axis=1) < 0.05).sum() > 50  # some copies of v_1
    assert (np.linalg.norm(res.c - v2, axis=1) < 0.05).sum() > 50  # some copies of v_2
    assert s.share_within < 0.1 and s.share_within_kept < 0.1
    # c is (almost) a convex combination of v_1 and v_2 (58)
    np.testing.assert_allclose(res.c.sum(axis=1), 1.0, atol=1e-6)


def test_two_heads_small_noise_gives_the_average():
    res = sample_outputs(**SHEET, heads=2, beta=0.0)
    assert np.linalg.norm(res.c - HALF, axis=1).max() < 1e-6


def test_two_heads_with_beta_stays_at_the_average_apart_from_tiny_keys():
    res = sample_outputs(**SHEET, heads=2, beta=0.5)
    kept = ~res.negative
    dist = np.linalg.norm(res.c - HALF, axis=1)
    s = summarize(res, eps=1e-2)
    # The sheet's claim (67) holds for the large majority of non-negative samples ...
    assert s.share_within_kept > 0.9
    assert s.share_within_kept == pytest.approx(float((dist[kept] <= 1e-2).mean()))
    # ... and for every sample whose key k_a is not nearly zero (k_a^T q_1 = ||k_a|| M >= 5).
    assert dist[kept & (res.score_a >= 5.0)].max() < 1e-2
    # Samples with 0 < ||k_a|| M small are off, exactly as (65) predicts:
    # c = (alpha_a v_a + (1 - alpha_a) v_b + v_b) / 2.
    alpha_a = alpha_two_heads_vs_norm(res.score_a / 20.0, 20.0, 2)
    v1, v2 = res.values
    predicted = 0.5 * (alpha_a[:, None] * v1 + (1 - alpha_a[:, None]) * v2 + v2)
    np.testing.assert_allclose(res.c, predicted, atol=1e-3)
    # Far tighter than one head with the same keys.
    single = summarize(sample_outputs(**SHEET, heads=1, beta=0.5), eps=1e-2)
    assert s.share_within_kept > 5 * single.share_within_kept
    assert summarize(res).std_along_ab < 0.5 * single.std_along_ab


@pytest.mark.parametrize("heads", [1, 2])
def test_negative_mask_is_ka_dot_q_below_zero(heads):
    res = sample_outputs(**SHEET, heads=heads, beta=0.5)
    mu = orthonormal_means(2, 2)
    q = 20.0 * (mu[0] + mu[1]) if heads == 1 else 20.0 * mu[0]
    expected = res.keys[:, 0, :] @ q < 0
    np.testing.assert_array_equal(res.negative, expected)
    assert 30 < expected.sum() < 130  # P(1 + z / sqrt(2) < 0) ~ 7.9 % of 1000
    np.testing.assert_array_equal(res.negative, res.score_a < 0)


def test_shapes_for_two_heads():
    res = sample_outputs(heads=2, n=3, d=4, n_samples=17, a=2, b=0, seed=3)
    assert res.c.shape == (17, 4)
    assert res.keys.shape == (17, 3, 4)
    assert res.weights.shape == (17, 2, 3)
    assert res.scores.shape == (17, 2, 3)
    assert res.head_outputs.shape == (17, 2, 4)
    assert res.queries.shape == (2, 4) and res.query.shape == (4,)
    assert res.negative.shape == (17,) and res.negative.dtype == bool
    np.testing.assert_allclose(res.weights.sum(axis=-1), 1.0)
    np.testing.assert_allclose(res.c, res.head_outputs.mean(axis=1))
    np.testing.assert_allclose(res.queries, 20.0 * res.means[[2, 0]])
    one = sample_outputs(heads=1, n=3, d=4, n_samples=17, a=2, b=0, seed=3)
    assert one.weights.shape == (17, 3) and one.scores.shape == (17, 3)
    assert one.queries.shape == (1, 4)


def test_batched_outputs_agree_with_attend():
    res = sample_outputs(heads=2, n=3, d=3, n_samples=5, beta=0.5, alpha=0.01, M=3.0, seed=11)
    for s in range(5):
        c1, w1 = attend(res.queries[0], res.keys[s], res.values)
        c2, w2 = attend(res.queries[1], res.keys[s], res.values)
        np.testing.assert_allclose(res.weights[s], [w1, w2], rtol=1e-12)
        np.testing.assert_allclose(res.c[s], 0.5 * (c1 + c2), rtol=1e-12)


def test_general_n_d_means_are_orthonormal():
    mu = orthonormal_means(3, 5)
    np.testing.assert_allclose(mu @ mu.T, np.eye(3))
    res = sample_outputs(heads=1, n=3, d=5, n_samples=200, beta=0.0, a=0, b=2, seed=5)
    assert res.c.shape == (200, 5) and res.keys.shape == (200, 3, 5)
    target = 0.5 * (mu[0] + mu[2])
    assert np.linalg.norm(res.c - target, axis=1).max() < 1e-3
    assert summarize(res).ellipse.shape[1] == 2


def test_key_noise_has_the_sheet_covariance():
    res = sample_outputs(heads=1, alpha=0.01, beta=0.5, n_samples=MAX_SAMPLES, n=3, d=3, a=1, b=0)
    mu = res.means
    cov_a = np.cov(res.keys[:, 1, :].T)
    expected_a = 0.01 * np.eye(3) + 0.5 * np.outer(mu[1], mu[1])  # Sigma_a
    np.testing.assert_allclose(cov_a, expected_a, atol=0.03)
    np.testing.assert_allclose(np.cov(res.keys[:, 0, :].T), 0.01 * np.eye(3), atol=0.002)
    np.testing.assert_allclose(res.keys.mean(axis=0), mu, atol=0.03)


def test_determinism_by_seed():
    r1 = sample_outputs(**SHEET, heads=1, beta=0.5)
    r2 = sample_outputs(**SHEET, heads=1, beta=0.5)
    np.testing.assert_array_equal(r1.keys, r2.keys)
    np.testing.assert_array_equal(r1.c, r2.c)
    r3 = sample_outputs(**{**SHEET, "seed": 1}, heads=1, beta=0.5)
    assert not np.array_equal(r1.keys, r3.keys)
    # same seed, other head count: same keys (the dice do not change, the physics does)
    r4 = sample_outputs(**SHEET, heads=2, beta=0.5)
    np.testing.assert_array_equal(r1.keys, r4.keys)


def test_results_are_frozen():
    res = sample_outputs(**SHEET, heads=1, beta=0.5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.c = None  # type: ignore[misc]
    with pytest.raises(ValueError):
        res.c[0, 0] = 1.0
    assert res.params.beta == 0.5 and res.params.heads == 1 and res.params.n_samples == 1000


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(alpha=-1e-10),
        dict(beta=-0.5),
        dict(alpha=math.inf),
        dict(n_samples=MAX_SAMPLES + 1),
        dict(n_samples=0),
        dict(n_samples=2.5),
        dict(n=3, d=2),
        dict(n=1, d=2),
        dict(a=1, b=1),
        dict(a=2),
        dict(b=-1),
        dict(heads=3),
        dict(heads=0),
        dict(heads=True),
        dict(heads=1.0),
        dict(M=math.inf),
        dict(M=math.nan),
        dict(M="20"),
        dict(d=1000, n=2),
        dict(seed=-1),
        dict(V=np.ones((3, 2))),
        dict(V=[[0.0, np.nan], [1.0, 0.0]]),
    ],
)
def test_invalid_inputs_raise(kwargs):
    with pytest.raises(ValueError):
        sample_outputs(**kwargs)


def test_error_messages_say_what_is_accepted():
    with pytest.raises(ValueError, match="heads must be 1"):
        sample_outputs(heads=3)
    with pytest.raises(ValueError, match=r"n_samples must be between 1 and 10000"):
        sample_outputs(n_samples=20_000)
    with pytest.raises(ValueError, match="d >= n"):
        sample_outputs(n=3, d=2)
    with pytest.raises(ValueError, match="different items"):
        sample_outputs(a=0, b=0)
    with pytest.raises(ValueError, match=">= 0"):
        sample_outputs(beta=-1.0)


def test_custom_values():
    V = np.array([[2.0, 0.0, 1.0], [0.0, 4.0, 1.0]])
    res = sample_outputs(**SHEET, heads=2, beta=0.0, V=V)
    assert res.c.shape == (1000, 3) and res.params.custom_values
    np.testing.assert_allclose(res.c, np.broadcast_to([1.0, 2.0, 1.0], (1000, 3)), atol=1e-6)


# --------------------------------------------------------------------------------------------
# summarize
# --------------------------------------------------------------------------------------------


def test_summary_statistics():
    res = sample_outputs(**SHEET, heads=1, beta=0.5)
    s = summarize(res, eps=0.05)
    np.testing.assert_allclose(s.mean, res.c.mean(axis=0))
    np.testing.assert_allclose(s.cov, np.cov(res.c.T, ddof=0), rtol=1e-10)
    np.testing.assert_allclose(s.std, res.c.std(axis=0), rtol=1e-10)
    np.testing.assert_array_equal(s.target, HALF)
    dist = np.linalg.norm(res.c - HALF, axis=1)
    assert s.share_within == pytest.approx(float((dist <= 0.05).mean()))
    assert s.share_within_kept == pytest.approx(float((dist[~res.negative] <= 0.05).mean()))
    assert s.n_negative == int(res.negative.sum()) and s.n_samples == 1000


def test_ellipse_is_two_sigma():
    mean = np.array([0.2, -0.1])
    cov = np.array([[4.0, 1.0], [1.0, 2.0]])
    pts = covariance_ellipse(mean, cov)
    assert pts.shape[1] == 2 and pts.shape[0] >= 50
    np.testing.assert_allclose(pts[0], pts[-1], atol=1e-12)  # closed curve
    dev = pts - mean
    mahal = np.einsum("ki,ij,kj->k", dev, np.linalg.inv(cov), dev)
    np.testing.assert_allclose(mahal, 4.0, rtol=1e-10)  # 2 sigma: Mahalanobis distance 2
    # The sheet's single head: c lies on the segment v_1 v_2, so the ellipse is a thin needle
    # along v_1 - v_2 reaching 2 standard deviations either way.
    res = sample_outputs(**SHEET, heads=1, beta=0.5)
    s = summarize(res)
    along = (s.ellipse - s.mean) @ V1_MINUS_V2
    across = (s.ellipse - s.mean) @ np.array([1.0, 1.0]) / math.sqrt(2.0)
    assert along.max() == pytest.approx(2 * s.std_along_ab, rel=1e-6)
    assert along.min() == pytest.approx(-2 * s.std_along_ab, rel=1e-6)
    assert np.abs(across).max() < 1e-4


def test_summary_with_one_sample_and_bad_eps():
    res = sample_outputs(n_samples=1)
    s = summarize(res)
    np.testing.assert_array_equal(s.cov, np.zeros((2, 2)))
    assert np.isfinite(s.ellipse).all()
    with pytest.raises(ValueError):
        summarize(res, eps=-0.1)


# --------------------------------------------------------------------------------------------
# App helpers: pair_weights (b), copy_curve (a), length_a, near_zero_keys, pair_plane
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n, a, b", [(2, 0, 1), (3, 2, 0), (10, 4, 7), (MAX_PAIR_ITEMS, 0, 999)])
def test_pair_weights_match_closed_form_49(n, a, b):
    M = np.array([0.0, 0.5, 2.0, 7.0, 20.0, 300.0])
    wa, wb = pair_weights(M, n, a, b)
    assert wa.shape == M.shape and wb.shape == M.shape
    np.testing.assert_allclose(wa, alpha_pair_closed_form(M, n), rtol=1e-12)
    np.testing.assert_array_equal(wa, wb)
    # M = 0: uniform attention over all n items
    assert wa[0] == pytest.approx(1.0 / n, rel=1e-12)
    wa1, _ = pair_weights(3.0, n, a, b)
    assert np.ndim(wa1) == 0 and float(wa1) == pytest.approx(alpha_pair_closed_form(3.0, n))


def test_pair_weights_reject_bad_input():
    for args in ((1.0, 1), (1.0, MAX_PAIR_ITEMS + 1), (1.0, 3, 1, 1), (1.0, 3, 0, 3), (np.nan, 3)):
        with pytest.raises(ValueError):
            pair_weights(*args)


def test_copy_curve_is_copy_gap_on_a_grid():
    scales = np.array([0.0, 1.0, 5.0, 30.0])
    alpha_j, one_minus, gap = copy_curve(1, scales, 3, 4)
    for i, s in enumerate(scales):
        r = copy_gap(1, float(s), 3, 4)
        assert (alpha_j[i], one_minus[i], gap[i]) == (r.alpha_j, r.one_minus_alpha_j, r.gap)
    assert alpha_j[0] == pytest.approx(1 / 3)
    # 1 - alpha_j = (n - 1) e^-s / (1 + (n - 1) e^-s), exact even where alpha_j rounds to 1
    assert one_minus[-1] == pytest.approx(2 * math.exp(-30.0), rel=1e-9)
    assert list(gap) == sorted(gap, reverse=True)


def test_length_a_is_the_signed_length_along_mu_a():
    res = sample_outputs(**SHEET, heads=2, beta=0.5)
    np.testing.assert_allclose(res.length_a, res.keys[:, 0, 1])  # mu_1 = (0, 1)
    np.testing.assert_allclose(np.abs(res.length_a), res.norm_ka, atol=1e-4)  # alpha tiny
    np.testing.assert_array_equal(res.negative, res.length_a < 0)  # q_1 = M mu_a, M > 0
    np.testing.assert_allclose(res.score_a, 20.0 * res.length_a, rtol=1e-12)


def test_near_zero_keys_are_the_kept_samples_head_one_does_not_copy():
    res = sample_outputs(**SHEET, heads=2, beta=0.5)
    weak = near_zero_keys(res)
    assert not (weak & res.negative).any()
    head1_alpha_a = res.weights[:, 0, 0]
    np.testing.assert_array_equal(weak, ~res.negative & (head1_alpha_a < 0.99))
    assert 30 < weak.sum() < 110  # P(0 < 1 + z / sqrt(2) < 4.6 / 20) ~ 6.6 % of 1000
    dist = np.linalg.norm(res.c - HALF, axis=1)
    # the rest sit on the average (67): head 1 misses v_a by at most 1 %, so
    # ||c - target|| <= 0.01 ||v_a - v_b|| / 2
    assert dist[~res.negative & ~weak].max() <= 0.005 * math.sqrt(2.0) + 1e-9
    # one head: the same keys give the same mask
    one = sample_outputs(**SHEET, heads=1, beta=0.5)
    np.testing.assert_array_equal(near_zero_keys(one), weak)
    with pytest.raises(ValueError):
        near_zero_keys(res, level=1.0)


def test_pair_plane_is_c_for_the_sheet_and_follows_a_b_otherwise():
    res = sample_outputs(**SHEET, heads=1, beta=0.5)
    view = pair_plane(res)
    np.testing.assert_array_equal(view.xy, res.c)  # x = c . mu_2 = c_1, y = c . mu_1 = c_2
    s = summarize(res)
    np.testing.assert_allclose(view.mean, s.mean, rtol=1e-12)
    np.testing.assert_allclose(view.ellipse, s.ellipse, atol=1e-12)
    np.testing.assert_array_equal(view.target, HALF)
    np.testing.assert_array_equal(view.v_a, [0.0, 1.0])
    np.testing.assert_array_equal(view.v_b, [1.0, 0.0])
    other = sample_outputs(heads=2, n=4, d=5, a=3, b=0, beta=0.5, n_samples=300, seed=2)
    mu = other.means
    pv = pair_plane(other)
    np.testing.assert_allclose(pv.xy, np.stack([other.c @ mu[0], other.c @ mu[3]], axis=1))
    np.testing.assert_allclose(pv.std, pv.xy.std(axis=0), rtol=1e-10)
    np.testing.assert_array_equal(pv.v_a, [0.0, 1.0])
    np.testing.assert_array_equal(pv.v_b, [1.0, 0.0])
    with pytest.raises(ValueError):
        pair_plane(sample_outputs(**SHEET, V=np.ones((2, 3))))

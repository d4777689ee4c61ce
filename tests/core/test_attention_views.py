"""core.attention_views: what the attention page shows, computed without Streamlit."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from core import attention as ac
from core import attention_views as av

SHEET = dict(M=20.0, noise_log10=-10.0, beta=0.5, n_samples=1000, n=2, d=2, a=1, b=2, seed=0)


def check(**over) -> av.Checked:
    return av.check_setting(**{**SHEET, **over})


# ---------------------------------------------------------------- the setting
def test_the_sheets_setting_is_valid_and_zero_based():
    c = check()
    assert c.problems == ()
    assert c.setting == av.Setting(
        M=20.0, noise_var=1e-10, beta=0.5, n_samples=1000, n=2, d=2, a=0, b=1, seed=0
    )
    assert c.curves_ok and c.pair_ok and c.nd_ok and c.beta_ok
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.setting.M = 3.0  # type: ignore[misc, union-attr]


@pytest.mark.parametrize(
    "over, field, subject, flags",
    [
        # flags: curves_ok, pair_ok, nd_ok, beta_ok
        (dict(M=-3.0), "M", "M = -3", (False, False, True, True)),
        (dict(M=math.nan), "M", "M = nan", (False, False, True, True)),
        (dict(noise_log10=3.0), "noise_var", "log₁₀ α = 3", (True, True, True, True)),
        (dict(beta=-0.5), "beta", "β = -0.5", (True, True, True, False)),
        (dict(n_samples=20_000), "n_samples", "N = 20,000 samples", (True, True, True, True)),
        (dict(n=3), "d", "n = 3 > d = 2", (True, True, False, True)),
        (dict(n=1), "n", "n = 1", (False, False, False, True)),
        (dict(d=40), "d", "d = 40", (True, True, False, True)),
        (dict(a=2), "ab", "a = b = 2", (True, False, True, True)),
        (dict(b=5), "ab", "b = 5", (True, False, True, True)),
        (dict(seed=-1), "seed", "seed = -1", (True, True, True, True)),
    ],
)
def test_each_bad_value_is_one_problem(over, field, subject, flags):
    c = check(**over)
    assert c.setting is None
    assert [(p.field, p.subject) for p in c.problems] == [(field, subject)]
    assert (c.curves_ok, c.pair_ok, c.nd_ok, c.beta_ok) == flags


def test_several_problems_are_all_reported():
    c = check(beta=-1.0, n_samples=0, n=5)
    assert [p.field for p in c.problems] == ["beta", "n_samples", "d"]
    assert "n ≤ d" in c.problems[2].advice


def test_eps_and_the_item_to_copy():
    assert av.check_eps(0.05) is None and av.check_eps(0.0) is None
    assert av.check_eps(-0.1).subject == "ε = -0.1"
    assert av.check_eps(math.inf) is not None
    assert av.check_copy(2, 2) is None
    p = av.check_copy(3, 2)
    assert (p.field, p.subject) == ("j", "j = 3") and "n = 2" in p.advice


# ---------------------------------------------------------------- (a), (b)
def test_copy_curve_is_copy_gap_over_the_scores():
    cc = av.copy_curve(1, 3, 3)
    assert cc.scales[0] == av.SCALE_RANGE[0] and cc.scales[-1] == av.SCALE_RANGE[1]
    k = 40
    res = ac.copy_gap(1, float(cc.scales[k]), 3, 3)
    assert (cc.alpha_j[k], cc.one_minus_alpha_j[k], cc.gap[k]) == (
        res.alpha_j,
        res.one_minus_alpha_j,
        res.gap,
    )


def test_pair_curves_closed_form_and_computed_agree():
    pc = av.pair_curves(3.0, 5, 2, 0)
    assert [f.n for f in pc.families] == [2, 3, 5, 10, 100, 1000]
    closed = math.exp(3) / (2 * math.exp(3) + 3)
    assert pc.alpha_closed == pytest.approx(closed, rel=1e-12)
    assert pc.alpha_a == pytest.approx(closed, abs=1e-12) == pc.alpha_b
    assert pc.rest == pytest.approx(3 / (2 * math.exp(3) + 3), rel=1e-9)
    fam = next(f for f in pc.families if f.n == 5)
    np.testing.assert_allclose(fam.alpha_a, ac.alpha_pair_closed_form(fam.M_dots, 5), atol=1e-12)
    np.testing.assert_allclose(
        pc.dots_a, [ac.alpha_pair_closed_form(3.0, int(n)) for n in pc.n_dots]
    )


# ---------------------------------------------------------------- (c)-(e)
@pytest.fixture(scope="module")
def sheet():
    s = check().setting
    return s, av.experiment(s), av.summaries(s, 0.05)


def test_the_four_pictures_are_named_by_the_sheets_parts(sheet):
    s, panels, sums = sheet
    assert [(p.heads, p.wobble, p.part) for p in panels] == [
        (1, False, "(c) i"),
        (2, False, "(d) i"),
        (1, True, "(c) ii"),
        (2, True, "(d) ii"),
    ]
    assert panels.two_heads_beta is list(panels)[3]
    for (heads, wobble), sm in zip(((1, 0.0), (2, 0.0), (1, 0.5), (2, 0.5)), sums, strict=True):
        res = ac.sample_outputs(heads=heads, M=20.0, alpha=1e-10, beta=wobble, n_samples=1000)
        ref = ac.summarize(res, 0.05)
        assert (sm.share_within, sm.n_negative) == (ref.share_within, ref.n_negative)


def test_panels_carry_what_the_page_counts(sheet):
    s, panels, _ = sheet
    p = panels.two_heads_beta
    res = ac.sample_outputs(heads=2, M=20.0, alpha=1e-10, beta=0.5, n_samples=1000)
    near = ac.near_zero_keys(res, av.NEAR_ZERO_LEVEL)
    assert p.n_near_zero == int(near.sum()) > 0
    np.testing.assert_array_equal(p.alpha_a, res.weights[:, 0, 0])
    assert p.near_zero_threshold == pytest.approx(math.log(99))
    assert p.near_zero_length == pytest.approx(math.log(99) / 20)


def test_sampling_facts(sheet):
    s, panels, sums = sheet
    f = av.sampling_facts(panels, sums, 0.05)
    assert f.one_within == sums.one_head_beta.share_within < 0.05
    assert f.two_within == sums.two_heads_beta.share_within
    assert f.n_kept == 1000 - sums.two_heads_beta.n_negative
    assert f.n_near_zero == panels.two_heads_beta.n_near_zero
    assert (f.one_near_a, f.one_near_b) == av.end_shares(panels.one_head_beta, 0.05)
    assert f.one_near_a + f.one_near_b > 0.5  # one head mostly copies one of the two values


def test_the_near_zero_length_is_infinite_without_a_query():
    s = check(M=0.0).setting
    assert av.experiment(s).two_heads_beta.near_zero_length == math.inf
    assert av.norm_curves(0.0, 2, 0.5).near_zero_length == math.inf


# ---------------------------------------------------------------- why one head fails
def test_norm_curves():
    nc = av.norm_curves(20.0, 3, 0.5)
    np.testing.assert_allclose(nc.lengths, [1 - math.sqrt(0.5), 1.0, 1 + math.sqrt(0.5)])
    np.testing.assert_array_equal(nc.table_two, ac.alpha_two_heads_vs_norm(nc.lengths, 20.0, 3))
    assert nc.table_single[1] == pytest.approx(math.exp(20) / (2 * math.exp(20) + 1))
    assert nc.x[0] == -1.0 and av.norm_curves(20.0, 3, 0.0).x[0] == 0.0
    assert nc.near_zero_length == pytest.approx(math.log(99 * 2) / 20)

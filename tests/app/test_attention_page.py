"""AppTest runs of the attention page (homework question 3), through the entry point."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.attention import (
    alpha_pair_closed_form,
    alpha_single_head_vs_norm,
    alpha_two_heads_vs_norm,
    near_zero_keys,
    sample_outputs,
    summarize,
)
from tests.app.helpers import open_page as _open
from tests.app.helpers import texts

PAGE = "pages/3_Attention.py"
SHEET = dict(M=20.0, alpha=1e-10, beta=0.5, n_samples=1000, n=2, d=2, a=0, b=1, seed=0)
FIX = "Fix the setting in the sidebar"


def open_page(query: dict | None = None) -> AppTest:
    return _open(PAGE, query)


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


def charts(at: AppTest) -> list:
    return at.get("plotly_chart")


def stats(at: AppTest):
    """The per-picture table of the sampled-keys view, as a DataFrame."""
    return at.dataframe[0].value


def pct(x: float) -> str:
    return f"{x:.1%}"


def sheet_summaries(eps: float = 0.05, **over) -> list:
    kw = {**SHEET, **over}
    beta = kw.pop("beta")
    return [
        summarize(sample_outputs(heads=h, beta=bb, **kw), eps)
        for bb, h in ((0.0, 1), (0.0, 2), (beta, 1), (beta, 2))
    ]


# ---------------------------------------------------------------- default view: experiment (e)


def test_default_view_is_the_sheets_experiment():
    at = open_page()
    assert not at.error
    body = texts(at)
    assert "Attention: why two heads beat one" in at.title[0].value
    assert "n = 2 items in d = 2 dimensions · average items a = 1 and b = 2 · M = 20" in body
    assert "α = 1e-10 · β = 0.5 · N = 1,000 samples · seed 0" in body
    assert len(at.tabs) == 4
    assert len(charts(at)) == 1  # only the open tab (Sampled keys) is computed
    df = stats(at)
    assert list(df["picture"]) == [
        "(c) i. one head",
        "(d) i. two heads",
        "(c) ii. one head",
        "(d) ii. two heads",
    ]
    # the numbers are those of core.attention for the sheet's setting
    sums = sheet_summaries()
    assert list(df["within ε = 0.05"]) == [pct(s.share_within) for s in sums]
    assert list(df["within ε, k_aᵀq ≥ 0"]) == [pct(s.share_within_kept) for s in sums]
    assert list(df["k_aᵀq < 0 (✕)"]) == [f"{s.n_negative:,}" for s in sums]
    # ... and they say what the sheet says: tiny noise -> all on the average; with the wobble
    # one head misses it, two heads (ignoring k_a^T q < 0) keep it
    assert sums[0].share_within == sums[1].share_within == 1.0
    assert sums[2].share_within < 0.05 and sums[3].share_within_kept > 0.9
    assert f"one head puts **{pct(sums[2].share_within)}**" in body
    assert f"Two heads put **{pct(sums[3].share_within)}** there" in body
    assert f"{sums[3].n_negative:,} have k_aᵀq₁ < 0" in body


def test_near_zero_band_is_counted_not_hidden():
    at = open_page()
    res = sample_outputs(heads=2, **SHEET)
    weak = int(near_zero_keys(res).sum())
    assert weak > 0
    assert f"Here: **{weak:,}** of 1,000 samples have 0 ≤ k_aᵀq₁ < {math.log(99):.2f}" in texts(at)
    assert list(stats(at)["near-zero k_a"])[3] == f"{weak:,}"


def spec(at: AppTest, i: int = 0) -> dict:
    return json.loads(charts(at)[i].proto.spec)


def test_the_chart_marks_negative_samples_and_shares_axes():
    at = open_page({"N": "2000"})
    fig = spec(at)
    sums = sheet_summaries(n_samples=2000)
    marked = [t for t in fig["data"] if "set aside by the sheet" in t.get("hovertemplate", "")]
    assert len(marked) == 4  # one trace per picture, even when empty
    for t, s in zip(marked, sums, strict=True):
        assert t["type"] == "scattergl" and t["marker"]["symbol"] == "x"
        assert t["name"].endswith(f": {s.n_negative:,}")  # counted in the legend
    assert sums[3].n_negative > 100
    samples = [t for t in fig["data"] if t.get("legendgroup") == "samples"]
    assert len(samples) == 4 and all(t["type"] == "scattergl" for t in samples)
    # the four pictures share one range on both axes
    ranges = {tuple(v["range"]) for k, v in fig["layout"].items() if k[1:5] == "axis"}
    assert len(ranges) == 1


# ---------------------------------------------------------------- controls and deep links


def test_changing_controls_changes_the_numbers():
    at = open_page()
    at.number_input(key="beta").set_value(0.0).run()
    assert not at.error
    assert list(stats(at)["within ε = 0.05"]) == ["100.0%"] * 4
    at.number_input(key="beta").set_value(0.5).run()
    at.number_input(key="key_seed").set_value(7).run()
    sums = sheet_summaries(seed=7)
    assert list(stats(at)["within ε = 0.05"]) == [pct(s.share_within) for s in sums]
    at.number_input(key="eps").set_value(0.01).run()
    sums = sheet_summaries(eps=0.01, seed=7)
    assert list(stats(at)["within ε = 0.01"]) == [pct(s.share_within) for s in sums]


def test_deep_link_reproduces_a_view():
    q = {"N": "10000", "key_seed": "3", "beta": "0.25", "M": "10", "eps": "0.02"}
    at = open_page(q)
    assert not at.error
    assert at.number_input(key="N").value == 10_000
    assert at.number_input(key="M").value == 10.0
    body = texts(at)
    assert "M = 10 · α = 1e-10 · β = 0.25 · N = 10,000 samples · seed 3" in body
    sums = sheet_summaries(eps=0.02, M=10.0, beta=0.25, n_samples=10_000, seed=3)
    assert list(stats(at)["within ε = 0.02"]) == [pct(s.share_within) for s in sums]


def test_general_items_and_dimension():
    at = open_page({"n_items": "4", "dim": "5", "item_a": "3", "item_b": "1", "alpha_log10": "-4"})
    assert not at.error
    assert "n = 4 items in d = 5 dimensions · average items a = 3 and b = 1" in texts(at)
    sums = sheet_summaries(n=4, d=5, a=2, b=0, alpha=1e-4)
    assert list(stats(at)["within ε = 0.05"]) == [pct(s.share_within) for s in sums]


# ---------------------------------------------------------------- the other views


def test_copying_view():
    at = open_page({"view": "Copying", "n_items": "3", "dim": "3", "copy_j": "2"})
    at.slider(key="copy_kq").set_value(10.0).run()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    alpha = math.exp(10) / (math.exp(10) + 2)
    assert metrics["α_2"] == f"{alpha:.6f}"
    assert metrics["1 − α_2"] == f"{2 / (math.exp(10) + 2):.3g}"
    assert len(charts(at)) == 3
    # far out, 1 - α_j is still exact (it is below the rounding error of α_j ~ 1)
    at.slider(key="copy_kq").set_value(38.0).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["1 − α_2"] == f"{2 * math.exp(-38):.3g}"


def test_averaging_view_closed_form_matches_computed():
    at = open_page({"view": "Averaging", "n_items": "5", "dim": "5", "M": "3"})
    assert not at.error
    body = texts(at)
    closed = alpha_pair_closed_form(3.0, 5)
    assert closed == pytest.approx(math.exp(3) / (2 * math.exp(3) + 3), rel=1e-12)
    m = re.search(r"\(49\) gives α_a = α_b = \*\*([0-9.]+)\*\*", body)
    assert m and float(m.group(1)) == pytest.approx(closed, abs=1e-12)
    computed = re.search(r"gives α_1 = ([0-9.]+) and α_2 = ([0-9.]+)\. ", body)
    assert computed
    assert float(computed.group(1)) == float(computed.group(2)) == pytest.approx(closed, abs=1e-12)
    assert len(charts(at)) == 2
    assert "With n = 2 there are no other items" in texts(open_page({"view": "Averaging"}))


def test_one_head_vs_two_view():
    at = open_page({"view": "One head vs two"})
    assert not at.error
    table = at.table[0].value
    lengths = np.array([1 - math.sqrt(0.5), 1.0, 1 + math.sqrt(0.5)])
    assert list(table["one head, α_a (56)"]) == [
        f"{v:.6f}" for v in alpha_single_head_vs_norm(lengths, 20.0, 2)
    ]
    assert list(table["two heads, head 1's α_a (65)"]) == [
        f"{v:.6f}" for v in alpha_two_heads_vs_norm(lengths, 20.0, 2)
    ]
    assert table["one head, α_a (56)"][1] == "0.500000"
    names = [t.get("name", "") for t in spec(at)["data"]]
    assert "sampled keys, head 1 (computed)" in names
    assert any(t["type"] == "histogram" for t in spec(at)["data"])


# ---------------------------------------------------------------- bad input: messages


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"beta": "-0.5"}, "β is a variance (the extra spread of k_a along μ_a), so it cannot"),
        ({"N": "20000"}, "**N** = 20,000 samples: choose from 1 to 10,000"),
        ({"n_items": "3"}, "**n** = 3 > **d** = 2: n perpendicular unit means μ_i need"),
        ({"item_a": "2"}, "**a** = **b** = 2: the output should average two *different* items"),
        ({"item_b": "5"}, "**b** = 5 is not an item: choose a number from 1 to n = 2."),
        ({"M": "-3"}, "the query scale M must be a number from 0 to 1000"),
        ({"dim": "40"}, "the dimension d must be a whole number from 2 to 16"),
        ({"n_items": "1"}, "the number of items n must be a whole number from 2 to 16"),
        ({"key_seed": "-1"}, "**seed** = -1: choose a whole number from 0 to"),
        ({"alpha_log10": "3"}, "The link sets **log₁₀ α** = `3`, which is not a number from -12"),
        ({"alpha_log10": "nan"}, "slider shows the default -10 instead"),
    ],
)
def test_bad_setting_gets_a_message_and_the_page_keeps_working(query, expected):
    at = open_page(query)
    assert not at.exception
    assert expected in "\n".join(e.value for e in at.main.error)
    assert len(at.tabs) == 4
    if "alpha_log10" not in query:  # a bad link value falls back to the default: still fine
        assert FIX in texts(at)


def test_bad_input_from_the_controls_and_recovery():
    at = open_page()
    at.number_input(key="beta").set_value(-1.0).run()
    assert "cannot be negative" in errors(at) and FIX in texts(at)
    at.number_input(key="beta").set_value(0.5).run()
    assert not at.error and FIX not in texts(at)
    at.number_input(key="item_b").set_value(1).run()
    assert "choose a ≠ b" in errors(at)


def test_n_above_d_leaves_the_closed_form_views_working():
    at = open_page({"view": "Averaging", "n_items": "5"})
    assert "**n** = 5 > **d** = 2" in errors(at)
    assert "(49) gives α_a = α_b" in texts(at)
    at = open_page({"view": "One head vs two", "n_items": "5"})
    assert "The sampled keys appear once the whole setting is valid." in texts(at)
    assert len(charts(at)) == 1
    at = open_page({"view": "Copying", "n_items": "5"})
    assert FIX in texts(at)


def test_bad_eps_and_bad_item_to_copy():
    at = open_page({"eps": "-0.1"})
    assert "**ε** = -0.1: the radius ε around ½(v_a + v_b) must be a number from 0 to 1" in (
        errors(at)
    )
    assert not charts(at)
    at = open_page({"view": "Copying", "copy_j": "3"})
    assert "**j** = 3 is not an item: choose a number from 1 to n = 2." in errors(at)
    at = open_page({"view": "Copying", "copy_kq": "99"})
    assert "The link sets **k_jᵀq** = `99`" in errors(at)
    assert len(charts(at)) == 3


def test_state_left_by_the_adder_page_does_not_leak_in():
    at = open_page({"view": "Verify & prove", "n": "6", "a": "11", "b": "11"})
    at.switch_page("pages/1_Binary_adder.py").run()
    at.query_params.clear()
    at.switch_page(PAGE).run()
    assert not at.exception and not at.error
    assert at.number_input(key="n_items").value == 2

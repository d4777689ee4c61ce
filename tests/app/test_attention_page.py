"""AppTest runs of the attention page (homework question 3), through the entry point."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.attention import (
    OutputSummary,
    alpha_pair_closed_form,
    alpha_single_head_vs_norm,
    alpha_two_heads_vs_norm,
    near_zero_keys,
    sample_outputs,
    summarize,
)
from core.attention_views import Pictures
from tests.app.helpers import open_page as _open
from ui.attention_views import NEED_SETTING

PAGE = "pages/3_Attention.py"
SHEET = dict(M=20.0, alpha=1e-10, beta=0.5, n_samples=1000, n=2, d=2, a=0, b=1, seed=0)


SAMPLED = {"view": "Sampled keys"}  # the sheet's experiment (c)-(e); the page opens on (a)


def open_page(query: dict | None = None) -> AppTest:
    """The page on the Sampled keys view unless ``query`` names another view (most tests here
    are about the sheet's experiment)."""
    return _open(PAGE, {**SAMPLED, **(query or {})})


def unescaped(markdown: str) -> str:
    """Markdown escaped by ``ui.controls.plain`` as the reader sees it (the invisible word
    joiners that keep bare URLs from becoming links dropped)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def bold(markdown: str) -> list[str]:
    """The bold parts of a Markdown text, unescaped."""
    return [unescaped(b) for b in re.findall(r"\*\*(.+?)\*\*", markdown)]


def the_error(at: AppTest) -> tuple[str, str]:
    """The page's only error box (in the main area): its bold subject and its whole text."""
    (error,) = at.main.error
    return bold(error.value)[0], unescaped(error.value)


def the_link_warning(at: AppTest) -> str:
    """The page's one message about link values, unescaped; it must never contain a link."""
    assert not at.exception, at.exception
    (warning,) = at.warning
    assert "](" not in warning.value  # escaped: shown literally, never a link or an image
    return unescaped(warning.value)


def needs_setting(at: AppTest) -> bool:
    return any(i.value == NEED_SETTING for i in at.info)


def markdown_with(at: AppTest, marker: str) -> str:
    """The one Markdown element that contains ``marker``."""
    (md,) = [m.value for m in at.markdown if marker in m.value]
    return md


def facts(text: str) -> dict[str, str]:
    """``name = value`` pairs of a line of text, e.g. {"n": "2", "M": "20", "N": "1,000"}."""
    return dict(re.findall(r"([^\s*·(]+) = \**(-?\d[\w+-]*(?:[.,]\w[\w+-]*)*)", text))


def numbers(text: str) -> list[str]:
    """The numbers of a text, in order, as written."""
    return re.findall(r"-?\d[\d,]*(?:\.\d+)?", text)


def setting(at: AppTest) -> dict[str, str]:
    """The values of the page's "current setting" line."""
    line = markdown_with(at, "Current setting")
    return {**facts(line), "seed": re.search(r"seed (\d+)", line).group(1)}


def charts(at: AppTest) -> list:
    return at.get("plotly_chart")


def stats(at: AppTest):
    """The per-picture table of the sampled-keys view, as a DataFrame with one row per picture
    (the page shows it transposed: one row per measure)."""
    df = at.dataframe[0].value.set_index("measure").T
    return df.rename_axis("picture").reset_index()


def pct(x: float) -> str:
    return f"{x:.1%}"


def sheet_summaries(eps: float = 0.05, **over) -> Pictures[OutputSummary]:
    """The four pictures' summaries straight from core.attention (in the page's order)."""
    kw = {**SHEET, **over}
    beta = kw.pop("beta")

    def summary(heads: int, b: float) -> OutputSummary:
        return summarize(sample_outputs(heads=heads, beta=b, **kw), eps)

    return Pictures(summary(1, 0.0), summary(2, 0.0), summary(1, beta), summary(2, beta))


# ---------------------------------------------------------------- default view: experiment (e)


def test_the_page_opens_on_the_sheets_first_part():
    """The tabs are in the sheet's order, (a) copying first, and a plain link opens it; a link
    with only the experiment's ε (made when the page opened on it) opens the experiment."""
    at = _open(PAGE, None)
    assert [t.label for t in at.tabs] == ["Copying", "Averaging", "Sampled keys", "One head vs two"]
    assert at.session_state["view"] == "Copying" and not at.warning
    assert at.number_input(key="copy_j").value == 1 and len(charts(at)) == 3
    at = _open(PAGE, {"eps": "0.1"})
    assert at.session_state["view"] == "Sampled keys" and at.number_input(key="eps").value == 0.1


def test_sampled_keys_view_is_the_sheets_experiment():
    at = open_page()
    assert not at.error and not at.warning
    assert "Attention: why two heads beat one" in at.title[0].value
    expected = {"n": "2", "d": "2", "a": "1", "b": "2", "M": "20", "α": "1e-10", "β": "0.5"}
    assert setting(at) == {**expected, "N": "1,000", "seed": "0"}
    assert len(at.tabs) == 4
    assert len(charts(at)) == 1  # only the open tab is computed
    df = stats(at)
    assert list(df["picture"]) == ["(c) i", "(d) i", "(c) ii", "(d) ii"]
    assert list(df["heads"]) == ["1", "2", "1", "2"]
    # the numbers are those of core.attention for the sheet's setting
    summaries = sheet_summaries()
    assert list(df["within ε = 0.05"]) == [pct(s.share_within) for s in summaries]
    assert list(df["within ε, k_aᵀq ≥ 0"]) == [pct(s.share_within_kept) for s in summaries]
    assert list(df["k_aᵀq < 0 (✕)"]) == [f"{s.n_negative:,}" for s in summaries]
    # ... and they say what the sheet says: tiny noise -> all on the average; with the wobble
    # one head misses it, two heads (ignoring k_a^T q < 0) keep it
    one, two = summaries.one_head_beta, summaries.two_heads_beta
    assert summaries.one_head.share_within == summaries.two_heads.share_within == 1.0
    assert one.share_within < 0.05 and two.share_within_kept > 0.9
    # the page quotes them: one head's share, then two heads' (in bold), and the kept share
    quoted = markdown_with(at, "within ε of v_a")
    assert bold(quoted)[1:] == [pct(one.share_within), pct(two.share_within)]
    assert f"{pct(two.share_within_kept)} of the {1000 - two.n_negative:,}" in quoted
    here = markdown_with(at, "Here:").split("Here:")[1]
    assert numbers(here)[5] == f"{two.n_negative:,}"  # ... and {n} have k_aᵀq₁ < 0


def test_near_zero_band_is_counted_not_hidden():
    at = open_page()
    res = sample_outputs(heads=2, **SHEET)
    weak = int(near_zero_keys(res).sum())
    assert weak > 0
    here = markdown_with(at, "Here:").split("Here:")[1]
    # {weak} of {N} samples have 0 ≤ k_aᵀq₁ < {threshold}, i.e. a length below {threshold / M}
    assert numbers(here)[:5] == [
        f"{weak:,}", "1,000", "0", f"{math.log(99):.2f}", f"{math.log(99) / 20:.3f}"
    ]  # fmt: skip
    assert list(stats(at)["near-zero k_a"])[3] == f"{weak:,}"


def spec(at: AppTest, i: int = 0) -> dict:
    return json.loads(charts(at)[i].proto.spec)


def test_the_chart_marks_negative_samples_and_shares_axes():
    at = open_page({"N": "2000"})
    fig = spec(at)
    summaries = sheet_summaries(n_samples=2000)
    marked = [t for t in fig["data"] if "set aside by the sheet" in t.get("hovertemplate", "")]
    assert len(marked) == 4  # one trace per picture, even when empty
    for t, s in zip(marked, summaries, strict=True):
        assert t["type"] == "scattergl" and t["marker"]["symbol"] == "x"
        assert t["name"].endswith(f": {s.n_negative:,}")  # counted in the legend
    assert summaries.two_heads_beta.n_negative > 100
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
    summaries = sheet_summaries(seed=7)
    assert list(stats(at)["within ε = 0.05"]) == [pct(s.share_within) for s in summaries]
    at.number_input(key="eps").set_value(0.01).run()
    summaries = sheet_summaries(eps=0.01, seed=7)
    assert list(stats(at)["within ε = 0.01"]) == [pct(s.share_within) for s in summaries]


def test_deep_link_reproduces_a_view():
    q = {"N": "10000", "key_seed": "3", "beta": "0.25", "M": "10", "eps": "0.02"}
    at = open_page(q)
    assert not at.error
    assert at.number_input(key="N").value == 10_000
    assert at.number_input(key="M").value == 10.0
    shown = setting(at)
    assert {k: shown[k] for k in ("M", "α", "β", "N", "seed")} == dict(
        M="10", α="1e-10", β="0.25", N="10,000", seed="3"
    )  # fmt: skip
    summaries = sheet_summaries(eps=0.02, M=10.0, beta=0.25, n_samples=10_000, seed=3)
    assert list(stats(at)["within ε = 0.02"]) == [pct(s.share_within) for s in summaries]


def test_general_items_and_dimension():
    at = open_page({"n_items": "4", "dim": "5", "item_a": "3", "item_b": "1", "alpha_log10": "-4"})
    assert not at.error
    shown = setting(at)
    assert {k: shown[k] for k in ("n", "d", "a", "b", "α")} == dict(
        n="4", d="5", a="3", b="1", α="1e-04"
    )  # fmt: skip
    summaries = sheet_summaries(n=4, d=5, a=2, b=0, alpha=1e-4)
    assert list(stats(at)["within ε = 0.05"]) == [pct(s.share_within) for s in summaries]


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
    closed = alpha_pair_closed_form(3.0, 5)
    assert closed == pytest.approx(math.exp(3) / (2 * math.exp(3) + 3), rel=1e-12)
    quoted = facts(markdown_with(at, "**M = "))
    assert float(quoted["α_b"]) == pytest.approx(closed, abs=1e-12)  # α_a = α_b = (49)
    # computed by attention (46) for items 1 and 2
    assert float(quoted["α_1"]) == float(quoted["α_2"]) == pytest.approx(closed, abs=1e-12)
    assert len(charts(at)) == 2
    at = open_page({"view": "Averaging"})  # n = 2: nothing is left for other items
    quoted = facts(markdown_with(at, "**M = "))
    assert quoted["α_1"] == quoted["α_2"] == quoted["α_b"] == "0.500000000000"
    assert "no other items" in markdown_with(at, "**M = ")


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
    "query, subject, why",
    [
        ({"beta": "-0.5"}, "β = -0.5", "β is a variance"),
        ({"N": "20000"}, "N = 20,000 samples", "from 1 to 10,000"),
        ({"n_items": "3"}, "n = 3 > d = 2", "n ≤ d"),
        ({"item_a": "2"}, "a = b = 2", "a ≠ b"),
        ({"item_b": "5"}, "b = 5", "from 1 to n = 2"),
        ({"M": "-3"}, "M = -3", "from 0 to 1000"),
        ({"dim": "40"}, "d = 40", "whole number from 2 to 16"),
        ({"n_items": "1"}, "n = 1", "whole number from 2 to 16"),
        ({"key_seed": "-1"}, "seed = -1", "whole number from 0 to"),
    ],
)
def test_bad_setting_gets_a_message_and_the_page_keeps_working(query, subject, why):
    at = open_page(query)
    assert not at.exception and not at.warning  # the widget holds it: the page explains
    shown, text = the_error(at)
    assert shown == subject and why in text
    assert len(at.tabs) == 4
    assert needs_setting(at)


@pytest.mark.parametrize(
    "query, quoted, accepted, widget, default",
    [
        ({"alpha_log10": "3"}, "log₁₀ α = '3'", "from -12 to 0", "slider:alpha_log10", -10.0),
        ({"alpha_log10": "nan"}, "log₁₀ α = 'nan'", "-10", "slider:alpha_log10", -10.0),
        ({"N": "inf"}, "N = 'inf'", "whole number", "number_input:N", 1000),
        ({"N": "1" + "0" * 400}, "N = '1000000000", "whole number", "number_input:N", 1000),
        ({"n_items": "2.5"}, "n = '2.5'", "whole number", "number_input:n_items", 2),
        ({"M": "1e999"}, "M = '1e999'", "finite number", "number_input:M", 20.0),
        ({"beta": "-inf"}, "β = '-inf'", "finite number", "number_input:beta", 0.5),
        ({"eps": "abc"}, "ε = 'abc'", "finite number", "number_input:eps", 0.05),
        # a bad view: the page's first view, (a) copying
        ({"view": "Nope"}, "view = 'Nope'", "'Copying', 'Averaging'", "number_input:copy_j", 1),
    ],
)
def test_link_values_a_widget_cannot_hold_get_the_link_message(
    query, quoted, accepted, widget, default
):
    at = open_page(query)
    msg = the_link_warning(at)
    assert quoted in msg and accepted in msg  # the value, and what the control takes
    kind, key = widget.split(":")
    assert getattr(at, kind)(key=key).value == default  # the control shows its default
    assert not at.error and charts(at)  # the view is computed


@pytest.mark.parametrize(
    "query, quoted",
    [
        ({"view": "[click here](https://evil.example/login)"}, "[click here](https://evil"),
        ({"view": "![x](https://evil.example/pixel.png)"}, "![x](https://evil"),
        ({"key_seed": "[s](https://evil.example)"}, "[s](https://evil"),
        ({"N": "<img src=x onerror=alert(1)>"}, "<img src=x"),
    ],
)
def test_markdown_in_a_link_is_shown_as_text(query, quoted):
    at = open_page(query)
    msg = the_link_warning(at)
    assert quoted in msg
    assert not re.search(r"(?<!\\)<", at.warning[0].value)  # escaped, never HTML
    at.run()  # the message stays for the visit; nothing breaks on a rerun
    assert len(at.warning) == 1 and not at.exception


def test_several_bad_link_values_are_listed_in_one_warning():
    at = open_page({"N": "inf", "copy_kq": "99", "view": "[x](https://e.x)", "dim": "1e400"})
    msg = the_link_warning(at)
    assert msg.count("\n- ") == 4  # one line per value, closed tabs' controls included
    assert at.number_input(key="N").value == 1000 and at.number_input(key="dim").value == 2


def test_bad_input_from_the_controls_and_recovery():
    at = open_page()
    at.number_input(key="beta").set_value(-1.0).run()
    assert the_error(at)[0] == "β = -1" and needs_setting(at)
    at.number_input(key="beta").set_value(0.5).run()
    assert not at.error and not needs_setting(at)
    at.number_input(key="item_b").set_value(1).run()
    shown, text = the_error(at)
    assert shown == "a = b = 1" and "a ≠ b" in text


def test_n_above_d_leaves_the_closed_form_views_working():
    at = open_page({"view": "Averaging", "n_items": "5"})
    assert the_error(at)[0] == "n = 5 > d = 2"
    quoted = facts(markdown_with(at, "**M = "))  # (49) and the computed weights are still shown
    assert float(quoted["α_b"]) == pytest.approx(alpha_pair_closed_form(20.0, 5), abs=1e-12)
    at = open_page({"view": "One head vs two", "n_items": "5"})
    assert len(at.info) == 1 and not needs_setting(at)  # only: no sampled keys yet
    assert len(charts(at)) == 1
    assert not any("sampled keys" in t.get("name", "") for t in spec(at)["data"])
    at = open_page({"view": "Copying", "n_items": "5"})
    assert needs_setting(at)


def test_bad_eps_and_bad_item_to_copy():
    at = open_page({"eps": "-0.1"})
    shown, text = the_error(at)
    assert shown == "ε = -0.1" and "from 0 to 1" in text
    assert not charts(at)
    at = open_page({"view": "Copying", "copy_j": "3"})
    shown, text = the_error(at)
    assert shown == "j = 3" and "from 1 to n = 2" in text
    at = open_page({"view": "Copying", "copy_kq": "99"})
    msg = the_link_warning(at)
    assert "k_jᵀq = '99'" in msg and "from 0 to 40" in msg
    assert at.slider(key="copy_kq").value == 5.0
    assert len(charts(at)) == 3


def test_state_left_by_the_adder_page_does_not_leak_in():
    at = open_page({"view": "Verify & prove", "n": "6", "a": "11", "b": "11"})
    at.switch_page("pages/1_Binary_adder.py").run()
    at.query_params.clear()
    at.switch_page(PAGE).run()
    assert not at.exception and not at.error
    assert at.number_input(key="n_items").value == 2

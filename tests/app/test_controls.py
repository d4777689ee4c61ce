"""The URL-state layer: link values a widget cannot take are replaced and reported once."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.controls import Control, plain

DEMO = str(Path(__file__).parent / "scripts" / "controls_demo.py")


def run(query: dict) -> AppTest:
    at = AppTest.from_file(DEMO, default_timeout=30)
    at.query_params = dict(query)
    at.run()
    assert not at.exception, at.exception
    return at


def values(at: AppTest) -> list:
    return eval(at.markdown[-1].value)  # the demo writes repr(values)  # noqa: S307


def test_good_link_values_are_used_and_no_message():
    at = run({"N": "500", "x": "0.25", "mode": "slow", "w": "chat", "flag": "true", "view": "C"})
    assert values(at) == [500, 0.25, "slow", "chat", True]
    assert not at.warning


@pytest.mark.parametrize(
    "key,raw",
    [
        ("N", "inf"), ("N", "nan"), ("N", "1" + "0" * 400), ("N", "2.5"), ("N", "0"),
        ("N", "-0"), ("x", "1e308"), ("x", "-inf"), ("x", "abc"), ("mode", "turbo"),
        ("w", "x" * 21), ("flag", "maybe"), ("view", "Z"),
    ],
)  # fmt: skip
def test_bad_link_values_fall_back_to_the_default_with_one_message(key, raw):
    at = run({key: raw})
    assert values(at) == [2000, 0.5, "fast", "je", False]
    assert len(at.warning) == 1
    assert "cannot use" in at.warning[0].value
    at.run()  # the message stays for the visit; nothing breaks on a rerun
    assert len(at.warning) == 1 and not at.exception


def test_several_bad_values_are_listed_in_one_message():
    at = run({"N": "inf", "mode": "turbo", "x": "7"})
    assert len(at.warning) == 1
    msg = at.warning[0].value
    assert msg.count("\n- ") == 3
    assert "from 1 to 10,000" in msg and "'fast', 'slow'" in msg


def test_user_text_is_never_markdown():
    at = run({"mode": "![i](https://evil.example/pixel.png)", "view": "[click](https://e.x)"})
    msg = at.warning[0].value
    assert "](" not in msg and "\\]\\(" in msg  # escaped: shown literally, never a link
    assert plain("<b>x</b>") == "\\<b\\>x\\</b\\>"


def test_spec_describes_and_checks_without_streamlit():
    c = Control("k", "k", "number", default=1.0, lo=-2.0, hi=2.0)
    assert c.accepts("1e0") and not c.accepts("2.0001") and not c.accepts("NaN")
    assert c.describe() == "a number from -2 to 2"
    assert c.problem("3").startswith("k = '3' is not accepted")
    assert c.problem(None) is None and c.problem(["3", "1"]) is None  # the last one counts

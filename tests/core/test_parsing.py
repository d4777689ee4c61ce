import numpy as np
import pytest

from core.parsing import format_matrix, format_number, parse_matrix, parse_number, parse_scalar


def test_parse_matrix_with_fractions_and_separators():
    m = parse_matrix("1/2 1/2, -1; 0.25 -3 1e-1", "W")
    np.testing.assert_array_equal(m, [[0.5, 0.5, -1], [0.25, -3, 0.1]])
    assert parse_matrix("1 1; 1 1;", "U", (2, 2)).shape == (2, 2)


@pytest.mark.parametrize(
    "text, match",
    [
        ("", "empty"),
        ("1 nan", "finite"),
        ("inf 1", "finite"),
        ("1 x", "'x' is not a number"),
        ("1 1; 1", "same number of entries"),
        ("1/0", "not a number"),
        ("1 ; ; 2", "empty row"),
        ("１ 1", "non-ASCII"),
        ("1" + "0" * 400 + "/1 1", "1.8e308"),  # Fraction -> float overflows: a message
        ("-1" + "0" * 400 + "/3", "1.8e308"),
        ("9" * 5000, "not a finite number"),
    ],
)
def test_parse_matrix_rejects(text, match):
    with pytest.raises(ValueError, match=match):
        parse_matrix(text, "U")


def test_shape_check_and_round_trip():
    with pytest.raises(ValueError, match="must be 3 x 2"):
        parse_matrix("1 1; 1 1", "U", (3, 2))
    m = np.array([[0.5, -1.0], [1 / 3, 0.123456]])
    back = parse_matrix(format_matrix(m), "m")
    np.testing.assert_allclose(back, m, rtol=1e-3)
    assert format_number(-0.5) == "-1/2" and format_number(3.0) == "3"
    assert parse_scalar("-7/2") == -3.5


# ------------------------------------------------------------------ whole numbers (the adder)


@pytest.mark.parametrize(
    "text, fmt, value",
    [
        ("110111", "binary", 55),
        ("0b110111", "binary", 55),
        (" 10010 ", "binary", 18),
        ("55", "decimal", 55),
        ("0b110111", "decimal", 55),
        ("0", "decimal", 0),
        ("+7", "decimal", 7),
        ("1_000", "decimal", 1000),
        ("0" * 60 + "101", "binary", 5),
    ],
)
def test_parse_number_accepts(text, fmt, value):
    assert parse_number(text, fmt) == value


@pytest.mark.parametrize(
    "text, fmt, match",
    [
        ("", "decimal", "empty"),
        ("   ", "binary", "empty"),
        ("abc", "decimal", "'a' is not"),
        ("-5", "decimal", "Negative"),
        ("1021", "binary", "'2' is not a binary digit"),
        ("１２", "decimal", "FULLWIDTH DIGIT ONE"),
        ("99999", "binary", "'9' is not"),
        ("1.5", "decimal", r"'\.' is not"),
        ("nan", "decimal", "'n' is not"),
        ("inf", "decimal", "'i' is not"),
        ("0b", "binary", "no digits"),
        ("70000", "decimal", "needs 17 bits"),
        ("0b102", "decimal", "'2' is not a binary"),
        ("9" * 5000, "decimal", "5,000 decimal digits"),  # no 5000-digit number is built
        ("1" * 41, "binary", "41 binary digits"),
    ],
)
def test_parse_number_rejects_with_a_message_saying_what_is_accepted(text, fmt, match):
    with pytest.raises(ValueError, match=match) as info:
        parse_number(text, fmt, max_bits=16)
    msg = str(info.value)
    assert "Enter" in msg or "at most" in msg


def test_a_long_bad_entry_is_quoted_short():
    with pytest.raises(ValueError) as e:
        parse_scalar("x" * 10_000)
    assert len(str(e.value)) < 300

import numpy as np
import pytest

from core.parsing import format_matrix, format_number, parse_matrix, parse_scalar


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

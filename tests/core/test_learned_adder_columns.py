"""Which column cases (a_t, b_t, carry in) a learned adder gets right, and what the docs say
about it.  The tables are checked against a brute-force count, the XOR-without-carry baseline
against an exact enumeration of every 8-bit sum."""

import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import core.learned_adder as la
from core.binary_adder import encode_pair
from core.learned_adder import (
    COLUMN_CASES,
    ColumnTable,
    LearnConfig,
    column_table,
    describe_columns,
    evaluation_pairs,
    run_soft,
    train_adder,
    xor_without_carry_accuracy,
)

ROOT = Path(__file__).resolve().parents[2]

# With the default settings but a single network, these seeds stop at about 91.5 % of the bits.
STUCK_SEEDS = (0, 3, 5)


@pytest.fixture(scope="module")
def stuck():
    cfg = LearnConfig(seed=STUCK_SEEDS[0], restarts=1)
    return train_adder(cfg)


def brute_force_table(learned) -> tuple[list[int], list[int]]:
    """Columns and right answers per case, one sum at a time: the carry by grade-school
    addition, the network's bits from the float64 numpy forward pass ``run_soft``."""
    cfg = learned.config
    columns, right = [0] * 8, [0] * 8
    for a, b in evaluation_pairs(cfg).T.tolist():
        bits = run_soft(encode_pair(a, b, cfg.n_bits), learned).bits
        total = a + b
        carry = 0
        for t in range(cfg.n_bits + 1):
            a_t, b_t = (a >> t) & 1, (b >> t) & 1
            i = COLUMN_CASES.index((a_t, b_t, carry))
            columns[i] += 1
            right[i] += int(bits[t] == (total >> t) & 1)
            carry = (a_t + b_t + carry) >> 1
    return columns, right


def test_column_table_matches_a_brute_force_count(stuck):
    table = column_table(stuck)
    columns, right = brute_force_table(stuck)
    assert table.columns == tuple(columns)
    assert table.right == tuple(right)
    cfg = stuck.config
    assert table.n_pairs == la.TEST_PAIRS and table.n_bits == cfg.n_bits
    assert table.n_columns == la.TEST_PAIRS * cfg.T
    # the same columns as the bit accuracy the page shows
    assert table.bit_accuracy == stuck.bit_accuracy
    assert sum(right) / sum(columns) == pytest.approx(stuck.bit_accuracy, abs=1e-12)


@pytest.mark.parametrize("seed", STUCK_SEEDS)
def test_the_91_percent_networks_track_the_carry_and_fail_only_total_3(seed, stuck):
    learned = stuck if seed == STUCK_SEEDS[0] else train_adder(LearnConfig(seed=seed, restarts=1))
    table = column_table(learned)
    assert 0.91 < learned.bit_accuracy < 0.92
    assert table.wrong_cases == ((1, 1, 1),)  # a + b + carry = 3, and nothing else
    assert table.right[COLUMN_CASES.index((1, 1, 1))] == 0
    # every column with carry 1 and total 1 or 2 is right: the carry is tracked
    assert all(table.shares[i] == 1.0 for i, c in enumerate(COLUMN_CASES) if c != (1, 1, 1))
    text = describe_columns(table)
    assert "Wrong only when a + b + carry = 3" in text and "all such columns" in text


@pytest.mark.parametrize("n_bits", [1, 3, 8])
def test_xor_without_carry_baseline_is_exact(n_bits):
    """a XOR b (no carry) against every column of every sum of two n-bit numbers."""
    v = np.arange(2**n_bits, dtype=np.int64)
    a, b = (x.ravel() for x in np.meshgrid(v, v, indexing="ij"))
    total = a + b
    right = sum(
        int(np.count_nonzero((((a >> t) ^ (b >> t)) & 1) == ((total >> t) & 1)))
        for t in range(n_bits + 1)
    )
    exact = Fraction(right, a.size * (n_bits + 1))
    assert xor_without_carry_accuracy(n_bits) == exact
    if n_bits == 8:
        assert exact == Fraction(2815, 4608)
        assert abs(float(exact) - 0.61) < 0.001  # about 61 %, far from 91 %


def test_describe_columns_on_made_up_tables():
    cols = (10, 10, 10, 10, 10, 10, 10, 10)
    everything = ColumnTable(8, 10, cols, cols)
    assert "Right in all 80 columns" in describe_columns(everything)
    xor_like = ColumnTable(8, 10, cols, tuple(0 if c[2] else 10 for c in COLUMN_CASES))
    text = describe_columns(xor_like)
    assert "Wrong only when the carry in is 1" in text and "XOR" in text
    one = ColumnTable(8, 10, cols, (10, 10, 10, 10, 10, 3, 10, 10))
    assert "(a, b, carry) is (1, 0, 1): 7 of the 10 such columns" in describe_columns(one)
    two_totals = ColumnTable(8, 10, cols, (10, 10, 10, 0, 10, 0, 0, 0))
    assert "a + b + carry is 2 or 3" in describe_columns(two_totals)
    nothing = ColumnTable(8, 10, cols, (0,) * 8)
    assert describe_columns(nothing).startswith("Wrong in every case")
    with pytest.raises(ValueError):
        describe_columns("table")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _learned_section() -> str:
    """The '## Learned' section of the page's Markdown (what the Learned adder view shows)."""
    text = (ROOT / "assets" / "binary_adder.md").read_text(encoding="utf-8")
    section = text.split("\n## Learned\n", 1)[1].split("\n## ", 1)[0]
    assert "gradient descent" in section
    return section


@pytest.mark.parametrize(
    "text",
    [la.__doc__, _learned_section()],
    ids=["docstring", "markdown"],
)
def test_docs_no_longer_claim_xor_forgets_the_carry_at_91_percent(text):
    text = _one_line(text)
    assert not re.search(r"XOR b and (forgets|ignores) the carry", text)
    assert not re.search(r"forgets the carry|ignores the carry", text)
    assert not re.search(r"XOR[^.]*\b9\d ?%", text)  # XOR is about 61 %, not 91 %

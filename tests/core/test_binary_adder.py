"""The binary-adder RNN (core.adder): the sheet's worked example, enumeration, proof, search.

Most tests go through ``core.binary_adder``, the module of the README's public API, which
re-exports every name of the package ``core.adder``.
"""

import itertools
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from core import binary_adder as ba
from core import parsing
from core.adder import automaton, encoding, network, search, verify, weights
from core.binary_adder import SEED_WEIGHTS, encode_pair, run_adder, verify_adder

ROOT = Path(__file__).resolve().parents[2]

# ------------------------------------------------------------------ the sheet, (4)-(21)

SHEET_X = np.array([[1, 1, 1, 0, 1, 1, 0], [0, 1, 0, 0, 1, 0, 0]])  # (5)
SHEET_Y = np.array([1, 0, 0, 1, 0, 0, 1])  # (6)
# pre-activations inside hard(.) of (7), (9), (11), (13), (15), (17), (19)
SHEET_PRE_H = np.array(
    [
        [0, -1, -2],
        [1.5, 0.5, -0.5],
        [1, 0, -1],
        [0, -1, -2],
        [1.5, 0.5, -0.5],
        [1, 0, -1],
        [0, -1, -2],
    ]
)
SHEET_H = np.array([[1, 0, 0], [1, 1, 0], [1, 1, 0], [1, 0, 0], [1, 1, 0], [1, 1, 0], [1, 0, 0]])
# the arguments of hard(.) in (8), (10), ..., (20)
SHEET_PRE_Y = np.array([0.5, -0.5, -0.5, 0.5, -0.5, -0.5, 0.5])


def test_seed_weights_are_equation_4():
    w = SEED_WEIGHTS
    assert w.H == 3
    np.testing.assert_array_equal(w.U, np.ones((3, 2)))
    np.testing.assert_array_equal(w.W, np.full((3, 3), 0.5))
    np.testing.assert_array_equal(w.V, [1, -1, 1])
    np.testing.assert_array_equal(w.b_h, [-1, -2, -3])
    assert w.b_y == -0.5


def test_encode_pair_reproduces_input_matrix_5():
    x = encode_pair(55, 18)  # 110111 + 10010
    assert x.shape == (2, 7)
    np.testing.assert_array_equal(x, SHEET_X)
    np.testing.assert_array_equal(ba.expected_output(x), SHEET_Y)


def test_run_adder_reproduces_steps_7_to_20_exactly():
    tr = run_adder(encode_pair(55, 18), SEED_WEIGHTS)
    np.testing.assert_array_equal(tr.pre_h, SHEET_PRE_H)
    np.testing.assert_array_equal(tr.h, SHEET_H)
    np.testing.assert_array_equal(tr.pre_y, SHEET_PRE_Y)
    np.testing.assert_array_equal(tr.y, SHEET_Y)  # (21)
    assert tr.correct
    assert ba.bits_to_int(tr.y) == 73


def test_step_facts_and_table_of_the_sheets_example():
    tr = run_adder(encode_pair(55, 18), SEED_WEIGHTS)
    assert tr.T == 7 and tr.output_value == 73
    f = ba.step_facts(tr, 2)  # (9)-(10): 1 + 1 with no carry in
    assert (f.t, f.a, f.b, f.carry_in, f.total, f.target, f.y, f.ok) == (2, 1, 1, 0, 2, 0, 0, True)
    f = ba.step_facts(tr, 3)  # 1 + 0 + carry 1
    assert (f.carry_in, f.total, f.target) == (1, 2, 0)
    with pytest.raises(ValueError, match="between 1 and T = 7"):
        ba.step_facts(tr, 8)
    table = ba.trace_table(tr)
    assert list(table) == [
        "t", "a", "b", "pre h1", "h1", "pre h2", "h2", "pre h3", "h3", "V h + b_y", "y", "correct"
    ]  # fmt: skip
    np.testing.assert_array_equal(table["t"], np.arange(1, 8))
    np.testing.assert_array_equal(table["pre h2"], SHEET_PRE_H[:, 1])
    np.testing.assert_array_equal(table["V h + b_y"], SHEET_PRE_Y)


def test_read_addition_from_typed_fields():
    add, problems = ba.read_addition("110111", "10010", "binary", None, 16)
    assert problems == [] and (add.a, add.b, add.total, add.T, add.n_padding) == (55, 18, 73, 7, 1)
    np.testing.assert_array_equal(add.x, SHEET_X)
    np.testing.assert_array_equal(add.target, SHEET_Y)
    assert not add.x.flags.writeable
    add, _ = ba.read_addition("5", "0b1", "decimal", 8, 16)
    assert (add.a, add.b, add.T, add.n_padding) == (5, 1, 9, 6)
    add, problems = ba.read_addition("12", "x", "binary", None, 16)
    assert add is None and [p.field for p in problems] == ["a", "b"]
    assert problems[1].advice.startswith("'x' is not a binary digit")
    add, problems = ba.read_addition("55", "18", "decimal", 3, 16)
    assert add is None and [p.field for p in problems] == ["bits"]
    assert problems[0].advice.startswith("55 needs 6 bits, more than n_bits = 3.")


def test_switching_the_notation_keeps_the_numbers():
    """Switching "Typed as" rewrites the fields: the same numbers in the other notation, not
    the digits read again (110111 in binary is 55 in decimal, not the decimal number 110111)."""
    assert ba.retype_number("110111", "binary", "decimal", 16) == "55"
    assert ba.retype_number("10010", "binary", "decimal", 16) == "18"
    assert ba.retype_number("55", "decimal", "binary", 16) == "110111"
    assert ba.retype_number("0b1_0010", "binary", "decimal", 16) == "18"
    assert ba.retype_number("0b110111", "decimal", "binary", 16) == "110111"
    assert ba.retype_number(" 0 ", "decimal", "binary", 16) == "0"
    for text in ("110111", "0", "1" * 16):  # round trip
        there = ba.retype_number(text, "binary", "decimal", 16)
        assert ba.retype_number(there, "decimal", "binary", 16) == text
    # text that is not a number in the old notation stays as typed, so its message stays
    for text in ("12x", "", "-5", "1021", "1" * 17, "１２"):
        assert ba.retype_number(text, "binary", "decimal", 16) == text
    assert ba.retype_number("99999", "decimal", "binary", 16) == "99999"  # over 16 bits
    assert ba.retype_number("0b101", "binary", "binary", 16) == "0b101"  # nothing to switch
    assert ba.format_operand(55, "binary") == "110111" and ba.format_operand(0, "decimal") == "0"
    with pytest.raises(ValueError, match="fmt"):
        ba.retype_number("1", "binary", "hex", 16)
    with pytest.raises(ValueError, match="fmt"):
        ba.format_operand(1, "octal")


def test_encode_pair_widths_and_padding():
    assert encode_pair(0, 0).shape == (2, 2)
    assert encode_pair(5, 1, n_bits=8).shape == (2, 9)
    x = encode_pair(255, 255)
    assert x.shape == (2, 9) and x[:, -1].tolist() == [0, 0]
    np.testing.assert_array_equal(ba.expected_output(x), (510 >> np.arange(9)) & 1)
    np.testing.assert_array_equal(ba.column_carries(encode_pair(3, 1)), [0, 1, 1])


@pytest.mark.parametrize(
    "args, match",
    [
        ((-1, 2), "non-negative"),
        ((1.5, 2), "integer"),
        ((True, 2), "integer"),
        ((300, 1, 8), "needs 9 bits"),
        ((1, 1, 0), "positive"),
    ],
)
def test_encode_pair_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        encode_pair(*args)


# ------------------------------------------------------------------ weights and their text


def test_weights_validation():
    with pytest.raises(ValueError, match="NaN or infinity"):
        ba.AdderWeights(U=[[np.nan, 1]], W=[[0]], V=[1], b_h=[0], b_y=0)
    with pytest.raises(ValueError, match="NaN or infinity"):
        ba.AdderWeights(U=[[1, 1]], W=[[0]], V=[1], b_h=[0], b_y=np.inf)
    with pytest.raises(ValueError, match="W must be 2 x 2"):
        ba.AdderWeights(U=np.ones((2, 2)), W=np.ones((3, 3)), V=[1, 1], b_h=[0, 0], b_y=0)
    with pytest.raises(ValueError, match="between 1 and 8"):
        ba.AdderWeights(U=np.ones((9, 2)), W=np.ones((9, 9)), V=np.ones(9), b_h=np.ones(9), b_y=0)
    w = ba.AdderWeights(
        U=SEED_WEIGHTS.U.copy(),
        W=SEED_WEIGHTS.W,
        V=SEED_WEIGHTS.V,
        b_h=SEED_WEIGHTS.b_h,
        b_y=np.array([-0.5]),
    )
    assert w == SEED_WEIGHTS and hash(w) == hash(SEED_WEIGHTS)
    assert w != ba.BROKEN_WEIGHTS


@pytest.mark.parametrize("name", list(ba.PRESETS))
def test_weights_round_trip_through_their_text(name):
    w = ba.PRESETS[name]
    texts = ba.weights_to_text(w)
    assert set(texts) == set(ba.WEIGHT_NAMES)
    back, errors = ba.weights_from_text(texts)
    assert errors == [] and back == w
    assert ba.preset_name(back) == name


def test_weights_from_text_says_every_problem():
    texts = ba.weights_to_text(SEED_WEIGHTS)
    assert ba.weights_to_text(SEED_WEIGHTS)["b_h"] == "-1 -2 -3"
    w, errors = ba.weights_from_text({**texts, "U": "1 x; 1 1", "b_y": "inf"})
    assert w is None and len(errors) == 2
    assert "'x' is not a number" in errors[0] and "finite" in errors[1]
    w, errors = ba.weights_from_text({**texts, "W": "1 1; 1 1", "V": "1 1"})
    assert w is None
    assert errors == [
        "W must be 3 x 3 because U has 3 rows, got 2 x 2.",
        "V must have 3 entries because U has 3 rows, got 2.",
    ]
    assert ba.weights_from_text({**texts, "U": "1 1 1"})[1] == [
        "U must have 2 columns (one per input bit), got 3."
    ]
    assert ba.preset_name(ba.weights_from_text({**texts, "b_y": "-1/4"})[0]) is None


# ------------------------------------------------------------------ enumeration vs a slow loop


def slow_verify(w, n_bits):
    """Reference: run the network pair by pair."""
    wrong = []
    first = np.zeros(n_bits + 1, dtype=int)
    for a, b in itertools.product(range(2**n_bits), repeat=2):
        tr = run_adder(encode_pair(a, b, n_bits), w)
        bad = np.flatnonzero(tr.y != tr.target)
        if bad.size:
            wrong.append((a, b))
            first[bad[0]] += 1
    wrong.sort(key=lambda p: (max(p), p[0], p[1]))
    return len(wrong), (wrong[0] if wrong else None), first


def random_designs(count, seed=1):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        H = int(rng.integers(1, 5))
        out.append(
            ba.AdderWeights(
                U=rng.integers(-2, 3, (H, 2)),
                W=rng.integers(-2, 3, (H, H)) / 2,
                V=rng.integers(-2, 3, H),
                b_h=rng.integers(-3, 2, H) + 0.5 * rng.integers(0, 2),
                b_y=float(rng.integers(-2, 2)),
            )
        )
    return out


DESIGNS = list(ba.PRESETS.values()) + random_designs(25)


@pytest.mark.parametrize("w", DESIGNS, ids=[f"design{i}" for i in range(len(DESIGNS))])
def test_verify_adder_equals_slow_enumeration(w):
    for n_bits in (1, 3, 4):
        rep = verify_adder(w, n_bits)
        n_wrong, cx, first = slow_verify(w, n_bits)
        assert rep.n_checked == 4**n_bits
        assert rep.n_wrong == n_wrong
        assert rep.counterexample == cx
        np.testing.assert_array_equal(rep.first_error_counts, first)


@pytest.mark.parametrize("w", DESIGNS[:8], ids=[f"design{i}" for i in range(8)])
def test_wrong_pairs_grid_equals_pair_by_pair_runs(w):
    grid = ba.wrong_pairs_grid(w, 3)
    for a, b in itertools.product(range(8), repeat=2):
        assert grid[a, b] == (not run_adder(encode_pair(a, b, 3), w).correct)
    assert grid.sum() == verify_adder(w, 3).n_wrong


def test_verify_public_api_and_known_counts():
    rep = verify_adder(SEED_WEIGHTS, n_bits=8)
    assert (rep.n_checked, rep.n_wrong, rep.counterexample) == (65536, 0, None)
    broken = verify_adder(ba.BROKEN_WEIGHTS, n_bits=4)
    assert broken.counterexample == (3, 3) and broken.counterexample_step == 2
    assert broken.n_wrong == 56
    full = verify_adder(SEED_WEIGHTS, n_bits=12)
    assert full.n_checked == 16_777_216 and full.n_wrong == 0
    with pytest.raises(ValueError, match="between 1 and 12"):
        verify_adder(SEED_WEIGHTS, n_bits=13)


# ------------------------------------------------------------------ the proof


@pytest.mark.parametrize("w", DESIGNS, ids=[f"design{i}" for i in range(len(DESIGNS))])
def test_proof_agrees_with_enumeration(w):
    proof = ba.prove_adder(w)
    # If the network fails at all, it fails on an input no longer than the number of product
    # states (a shortest failing path visits each (state, carry) pair at most once).
    n = min(ba.MAX_VERIFY_BITS, max(1, proof.n_product_states))
    rep = verify_adder(w, n)
    assert proof.correct == rep.correct
    if not proof.correct:
        a, b = proof.counterexample
        tr = run_adder(encode_pair(a, b), w)
        assert not tr.correct
        assert int(np.flatnonzero(tr.y != tr.target)[0]) + 1 == proof.failing_step
        assert len(proof.failing_symbols) == proof.failing_step


def test_time_bomb_passes_small_enumeration_but_fails_the_proof():
    w = ba.TIME_BOMB_WEIGHTS
    assert verify_adder(w, 3).correct
    assert not verify_adder(w, 4).correct
    proof = ba.prove_adder(w)
    assert not proof.correct and proof.failing_step == 5


def test_seed_automaton_carry_lives_in_the_state():
    proof = ba.prove_adder(SEED_WEIGHTS)
    assert proof.correct
    labels = {ba.state_label(s, 3): cs for s, cs in proof.state_carries.items()}
    assert labels == {"000": {0}, "100": {0}, "110": {1}, "111": {1}}
    meanings = [m.totals for m in ba.unit_meanings(SEED_WEIGHTS, proof)]
    assert meanings == [(1, 2, 3), (2, 3), (3,)]


def test_state_path_is_the_run_read_as_states():
    for w in DESIGNS[:10]:
        for a, b in ((201, 77), (0, 0), (55, 18)):
            x = encode_pair(a, b)
            tr = run_adder(x, w)
            path = ba.state_path(w, x)
            assert path == [0] + [ba.state_index(h) for h in tr.h]
            for s, h in zip(path[1:], tr.h, strict=True):
                np.testing.assert_array_equal(ba.state_bits(s, w.H), h)


def test_proof_report_counts_and_failing_columns():
    proof = ba.prove_adder(SEED_WEIGHTS)
    assert (proof.n_product_states, proof.n_network_states, SEED_WEIGHTS.n_states) == (4, 4, 8)
    assert proof.failing_columns is None
    broken = ba.prove_adder(ba.BROKEN_WEIGHTS)
    assert broken.failing_columns == ["11", "11"] and broken.counterexample == (3, 3)
    rep = verify_adder(ba.BROKEN_WEIGHTS, 4)
    assert (rep.T, rep.n_numbers, rep.wrong_fraction) == (5, 16, 56 / 256)
    assert [ba.grid_bits(n) for n in (1, 6, 12)] == [1, 6, 6]


def test_transition_table_matches_run_adder():
    w = ba.CARRY_ONLY_WEIGHTS
    delta, out = ba.transition_table(w)
    x = encode_pair(201, 77)
    tr = run_adder(x, w)
    s = 0
    for t in range(x.shape[1]):
        s = int(delta[s, 2 * x[0, t] + x[1, t]])
        assert ba.state_label(s, w.H) == "".join(map(str, tr.h[t]))
        assert out[s] == tr.y[t]


# ------------------------------------------------------------------ the search


def test_one_and_two_units_never_suffice_in_the_searched_ranges():
    for H, r, rb in ((1, 3, 4), (2, 1, 3), (2, 2, 2)):
        rep = ba.search_designs(
            ba.SearchParams(H=H, weight_range=r, bias_range=rb, symmetric=False)
        )
        assert rep.exhaustive and rep.n_checked == rep.n_space > 0
        assert rep.n_correct == 0 and rep.designs == []


def test_three_units_found_and_every_found_design_is_correct():
    rep = ba.search_designs(ba.SearchParams(H=3, weight_range=1, bias_range=2, symmetric=True))
    assert rep.exhaustive
    assert rep.n_correct >= 5
    assert len(rep.designs) == min(rep.n_correct, rep.params.max_designs)
    for w in rep.designs:
        assert set(np.unique(np.concatenate([w.U.ravel(), w.W.ravel(), w.V]))) <= {-1, 0, 1}
        assert ba.prove_adder(w).correct
        assert verify_adder(w, 6).correct


def test_the_pages_default_search_finds_what_the_int64_version_found():
    """The page's default search (H = 3, weights in [-1, 1], biases in [-3, 3], symmetric):
    every one of the 3,066,580 distinct hidden layers checked, 17 correct -- the numbers of
    the earlier int64 implementation, which needed 527 MB where uint8 masks need ~110 MB, and
    chunks 18 MB."""
    import tracemalloc

    tracemalloc.start()
    try:
        rep = ba.search_designs(ba.SearchParams())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rep.exhaustive and (rep.n_checked, rep.n_correct) == (3_066_580, 17)
    assert all(ba.prove_adder(w).correct for w in rep.designs)
    # in chunks: 18 MB at its peak (68 MB with every layer and its tables held at once), so
    # that a class's concurrent searches stay within a 690 MB server
    assert peak < 30 * 2**20, f"{peak / 2**20:.1f} MB"


@pytest.mark.parametrize("H", [2, 3, 4])
def test_vectorised_layer_check_agrees_with_the_proof(H):
    """_check_hidden_layers (bitmasks over all layers at once, uint8 or uint16) against
    prove_adder one design at a time: a layer passes exactly when some output row makes a
    correct adder, and the row it names does."""
    from core.adder import search

    tables, rows = search._unit_rows(H, 1, 2, True)
    out_masks, out_rows = search._output_rows(H, 1, 2)
    rng = np.random.default_rng(H)
    part = np.sort(rng.integers(0, len(tables), size=(40, H)), axis=1)
    res = search._check_hidden_layers(tables[part], H, out_masks)

    def design(layer, o):
        r_h = rows[layer]
        return ba.AdderWeights(U=r_h[:, :2], W=r_h[:, 2 : 2 + H], V=o[:H], b_h=r_h[:, -1], b_y=o[H])

    for layer, r in zip(part, res, strict=True):
        if r >= 0:
            assert ba.prove_adder(design(layer, out_rows[r])).correct
        else:
            assert not any(ba.prove_adder(design(layer, o)).correct for o in out_rows)


@pytest.mark.parametrize(
    "H, r, rb, symmetric", [(1, 3, 4, False), (2, 2, 1, True), (3, 1, 3, True), (3, 2, 2, False)]
)
def test_unit_rows_are_the_first_row_of_each_distinct_truth_table(monkeypatch, H, r, rb, symmetric):
    """_unit_rows reads the weight grid in chunks and packs each truth table into one integer;
    the result must be what the plain definition gives: every grid row (C order over u_a, u_b,
    w, b; u_a = u_b only when symmetric), its table, and the first row of each distinct one."""
    from itertools import product

    from core.adder import search

    monkeypatch.setattr(search, "ROW_CHUNK", 1000)  # several chunks even for small grids
    S = 2**H
    vals, biases = range(-r, r + 1), range(-rb, rb + 1)
    first: dict[tuple, tuple] = {}
    for row in product(vals, vals, *([vals] * H), biases):
        if symmetric and row[0] != row[1]:
            continue
        table = tuple(
            row[0] * a
            + row[1] * b
            + sum(w * ((s >> j) & 1) for j, w in enumerate(row[2:-1]))
            + row[-1]
            >= 0
            for s in range(S)
            for a, b in ba.SYMBOLS
        )
        first.setdefault(table, row)
    tables, rows = search._unit_rows(H, r, rb, symmetric)
    assert tables.shape == (len(first), S * 4) and rows.shape == (len(first), H + 3)
    assert [tuple(t) for t in tables] == list(first) and [tuple(w) for w in rows] == list(
        first.values()
    )


@pytest.mark.parametrize("D, H, size", [(7, 1, 3), (6, 2, 4), (9, 3, 25), (5, 4, 1), (40, 3, 700)])
def test_multisets_come_in_chunks_of_every_sorted_tuple_in_order(D, H, size):
    from itertools import combinations_with_replacement

    from core.adder import search

    want = sorted(combinations_with_replacement(range(D), H), key=lambda c: c[::-1])
    chunks = list(search._multiset_chunks(D, H, size))
    assert all(len(c) >= size for c in chunks[:-1]) and all(c.dtype == np.int32 for c in chunks)
    got = [tuple(t) for t in np.concatenate(chunks)]
    assert got == want == [tuple(t) for t in search._all_multisets(D, H)]
    assert len(got) == search._n_multisets(D, H)


def test_sampled_search_is_deterministic():
    p = ba.SearchParams(H=3, weight_range=2, bias_range=3, n_samples=20_000, seed=5)
    r1, r2 = ba.search_designs(p), ba.search_designs(p)
    assert not r1.exhaustive and r1.n_checked == 20_000
    assert r1.n_correct == r2.n_correct


# ------------------------------------------------------------------ the module layout


def test_binary_adder_keeps_every_name_of_the_single_module():
    """Every name the 771-line module had is still importable from it (the README's API)."""
    names = """
        MAX_HIDDEN SYMBOLS AdderWeights SEED_WEIGHTS CARRY_ONLY_WEIGHTS BROKEN_WEIGHTS
        TIME_BOMB_WEIGHTS PRESETS parse_number encode_pair bits_to_int expected_output
        column_carries hard AdderTrace run_adder state_index state_bits state_label
        transition_table ProofReport prove_adder UnitMeaning unit_meanings MAX_VERIFY_BITS
        VerifyReport product_table MAX_GRID_BITS wrong_pairs_grid verify_adder SearchParams
        SearchReport search_designs format_number _as_matrix _time_bomb _check_operand _check_x
        _describe_totals _final_codes _decode_pairs _smallest_pair _unit_rows _output_rows
        _check_hidden_layers _n_multisets _all_multisets
    """.split()
    for name in names:
        assert hasattr(ba, name), name
    modules = (weights, encoding, network, automaton, verify, search, parsing)
    for name in ba.__all__:
        (home,) = [m for m in modules if name in vars(m) and vars(m)[name] is getattr(ba, name)][:1]
        assert getattr(home, name) is getattr(ba, name)


def test_the_sheets_equations_are_tagged_where_they_are_computed():
    """`git grep "(N)"` leads to the code of every step equation (7)-(20) of question 1."""
    code = (ROOT / "core" / "adder" / "network.py").read_text()
    comments = "\n".join(re.findall(r"#.*", code))
    for n in range(7, 21):
        assert f"({n})" in comments, n  # in a comment next to the computation
    everything = "\n".join(p.read_text() for p in (ROOT / "core" / "adder").glob("*.py"))
    for n in range(2, 22):  # the network (2)-(3), weights (4), input (5), output (6), (21)
        assert f"({n})" in everything, n
    if shutil.which("git") and (ROOT / ".git").exists():
        res = subprocess.run(
            ["git", "grep", "--untracked", "-l", "-F", "(12)", "--", "core/"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert "core/adder/network.py" in res.stdout.split()


@pytest.mark.parametrize(
    "a, b", [(2**63, 1), (2**64 - 1, 2**64 - 1), (3**200, 7**150), (0, 2**100)]
)
def test_operands_of_any_size_are_encoded_and_added(a, b):
    from core.adder.encoding import bits_to_int
    from core.binary_adder import SEED_WEIGHTS, encode_pair, run_adder

    x = encode_pair(a, b)
    assert x.shape == (2, max(a, b).bit_length() + 1) and x.dtype == np.int64
    assert bits_to_int(x[0]) == a and bits_to_int(x[1]) == b
    tr = run_adder(x, SEED_WEIGHTS)
    assert tr.correct and bits_to_int(tr.y) == a + b  # the proof covers every length; so does this


def test_the_column_table_shows_the_carry_into_column_1():
    """The text says the carry into column 1 is 0; the table left that cell blank (issue 12)."""
    import re

    from charts.adder import column_addition_html
    from core.binary_adder import SEED_WEIGHTS, encode_pair, run_adder

    x = encode_pair(55, 18)
    html = column_addition_html(x, run_adder(x, SEED_WEIGHTS).y, t_current=1)
    carry_row = re.search(r"<tr><th[^>]*>carry in</th>(.*?)</tr>", html).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", carry_row)
    assert cells[-1] == "0"  # column 1 is the rightmost: its carry in is 0, shown
    assert all(c == "" for c in cells[:-1])  # later columns stay hidden at t = 1


@pytest.mark.parametrize("w", DESIGNS[:12], ids=[f"design{i}" for i in range(12)])
def test_smallest_counterexample_read_in_small_chunks(w, monkeypatch):
    """The counterexample search reads the codes CHUNK at a time (memory stays small at
    n = 12); with chunks of 7 codes, chunk edges fall inside every band, and the answer is
    still the slow enumeration's."""
    from core.adder import verify as verify_module

    monkeypatch.setattr(verify_module, "CHUNK", 7)
    for n_bits in (3, 4):
        assert verify_adder(w, n_bits).counterexample == slow_verify(w, n_bits)[1]

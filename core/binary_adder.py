"""The binary-adder RNN of homework question 1 -- every name in one place.

The code lives in the package ``core.adder``, one concept a module (see its docstring):

    core.adder.weights    AdderWeights, SEED_WEIGHTS (4), PRESETS, the weights' text form
    core.adder.encoding   encode_pair (5), expected_output (6), column carries, typed sums
                          (read_addition, retype_number)
    core.adder.network    hard (3), run_adder: the network (2), the worked steps (7)-(20), (21)
    core.adder.automaton  transition_table, prove_adder, unit_meanings, state_path
    core.adder.verify     verify_adder, wrong_pairs_grid
    core.adder.search     search_designs
    core.parsing          parse_number (typed operands), format_number

This module re-exports all of them, so the README's public API keeps working::

    from core.binary_adder import SEED_WEIGHTS, encode_pair, run_adder, verify_adder
"""

from __future__ import annotations

from core.adder import automaton as _automaton
from core.adder import encoding as _encoding
from core.adder import search as _search
from core.adder import verify as _verify
from core.adder import weights as _weights
from core.adder.automaton import (
    ProofReport,
    UnitMeaning,
    product_table,
    prove_adder,
    state_bits,
    state_index,
    state_label,
    state_path,
    transition_table,
    unit_meanings,
)
from core.adder.encoding import (
    SYMBOLS,
    Addition,
    bits_to_int,
    check_x,
    column_carries,
    encode_pair,
    expected_output,
    format_operand,
    make_addition,
    read_addition,
    retype_number,
)
from core.adder.network import AdderTrace, StepFacts, hard, run_adder, step_facts, trace_table
from core.adder.search import (
    SearchParams,
    SearchReport,
    search_designs,
)
from core.adder.verify import (
    MAX_GRID_BITS,
    MAX_VERIFY_BITS,
    VerifyReport,
    grid_bits,
    verify_adder,
    wrong_pairs_grid,
)
from core.adder.weights import (
    BROKEN_WEIGHTS,
    CARRY_ONLY_WEIGHTS,
    MAX_HIDDEN,
    PRESETS,
    SEED_WEIGHTS,
    TIME_BOMB_WEIGHTS,
    WEIGHT_NAMES,
    AdderWeights,
    preset_name,
    weights_from_text,
    weights_to_text,
)
from core.parsing import format_number, parse_number

# The private helpers keep their old import path too (code written against the single module).
_as_matrix = _weights._as_matrix
_time_bomb = _weights._time_bomb
_check_operand = _encoding._check_operand
_check_x = check_x
_describe_totals = _automaton._describe_totals
_final_codes = _verify._final_codes
_decode_pairs = _verify._decode_pairs
_smallest_pair = _verify._smallest_pair
_unit_rows = _search._unit_rows
_output_rows = _search._output_rows
_check_hidden_layers = _search._check_hidden_layers
_n_multisets = _search._n_multisets
_all_multisets = _search._all_multisets

__all__ = [
    "BROKEN_WEIGHTS",
    "CARRY_ONLY_WEIGHTS",
    "MAX_GRID_BITS",
    "MAX_HIDDEN",
    "MAX_VERIFY_BITS",
    "PRESETS",
    "SEED_WEIGHTS",
    "SYMBOLS",
    "TIME_BOMB_WEIGHTS",
    "WEIGHT_NAMES",
    "AdderTrace",
    "AdderWeights",
    "Addition",
    "ProofReport",
    "SearchParams",
    "SearchReport",
    "StepFacts",
    "UnitMeaning",
    "VerifyReport",
    "bits_to_int",
    "check_x",
    "column_carries",
    "encode_pair",
    "expected_output",
    "format_number",
    "format_operand",
    "grid_bits",
    "hard",
    "make_addition",
    "parse_number",
    "preset_name",
    "product_table",
    "prove_adder",
    "read_addition",
    "retype_number",
    "run_adder",
    "search_designs",
    "state_bits",
    "state_index",
    "state_label",
    "state_path",
    "step_facts",
    "trace_table",
    "transition_table",
    "unit_meanings",
    "verify_adder",
    "weights_from_text",
    "weights_to_text",
    "wrong_pairs_grid",
]

"""The hard-threshold RNN that adds binary numbers (homework question 1), one concept a module.

    weights    AdderWeights; the sheet's design (4) and the other presets; their text form
    encoding   a + b as the network reads it: the input matrix (5) and the correct output (6)
    network    the network (2)-(3) run step by step: the worked steps (7)-(20), the check (21)
    automaton  the network as a finite automaton; the proof for inputs of every length
    verify     the exhaustive check over all pairs of n-bit numbers
    search     the search over small integer weights

Only numpy is used here.  ``core.binary_adder`` re-exports every name (the README's public API),
and the adder learned by gradient descent (torch) is ``core.learned_adder``.
"""

"""Benchmarks: `python -m bench.pages`, `python -m bench.adder`.  Medians, measured in one run."""

"""Benchmarks: `python -m bench.pages`, `bench.load`, `bench.adder`, ... (medians, one run)."""

"""Speed of the binary-adder checks.

    python -m bench.adder

Prints medians of repeated runs of verify_adder (all pairs of n-bit numbers), prove_adder and
search_designs, measured in one run.
"""

from __future__ import annotations

import statistics
import time

from core.adder.automaton import prove_adder
from core.adder.search import SearchParams, search_designs
from core.adder.verify import verify_adder
from core.adder.weights import PRESETS


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    print(f"{'check':52s} {'median':>10s}")
    for name, w in PRESETS.items():
        for n in (8, 10, 12):
            t = median_time(lambda w=w, n=n: verify_adder(w, n), 7)
            pairs = 4**n
            print(
                f"verify {name[:30]:30s} n={n:2d} ({pairs:>10,} pairs) {t * 1e3:8.1f} ms"
                f"  ({pairs / t / 1e6:6.1f} M additions/s)"
            )
    for name, w in PRESETS.items():
        t = median_time(lambda w=w: prove_adder(w), 15)
        print(f"prove  {name[:30]:30s} {'':22s}{t * 1e3:8.2f} ms")
    for p in (
        SearchParams(H=2, weight_range=2, bias_range=4, symmetric=False),
        SearchParams(H=3, weight_range=1, bias_range=2, symmetric=True),
    ):
        t = median_time(lambda p=p: search_designs(p), 3)
        rep = search_designs(p)
        print(
            f"search H={p.H} r={p.weight_range} r_b={p.bias_range} sym={p.symmetric}: "
            f"{rep.n_checked:,} layers, {rep.n_correct} correct, {t:6.2f} s"
        )


if __name__ == "__main__":
    main()

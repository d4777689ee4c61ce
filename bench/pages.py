"""Server time of a page rerun after a control change, against a trivial page, in one run.

    python -m bench.pages [--repeats 15]

Each scenario opens the app through its entry point with streamlit.testing.v1.AppTest, applies
the scenario's query string, then alternates one control between two values and times the
rerun (script execution on the server, including cache look-ups, excluding the browser).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
ADDER = "pages/1_Binary_adder.py"
GRADIENTS = "pages/2_Gradient_flow.py"
ATTENTION = "pages/3_Attention.py"
TRANSLATE = "pages/4_Translate.py"
TRAIN = "pages/5_Train.py"
TRANSFORMER = "pages/6_Transformer.py"

# distinct sentences, so every rerun translates anew (no cache hit): "after a new sentence"
NEW_SENTENCES = tuple(
    f"{who} {verb} {adj} ."
    for who, verb in (
        ("je", "suis"),
        ("il", "est"),
        ("elle", "est"),
        ("nous", "sommes"),
        ("vous", "etes"),
        ("ils", "sont"),
    )
    for adj in ("fatigue", "content", "en retard", "pret", "malade", "occupe")
)

# (name, page, query, widget kind, key, two values to alternate)
SCENARIOS = [
    ("adder: step slider t", ADDER, {}, "slider", "t", (3, 4)),
    ("adder: new number a", ADDER, {}, "text_input", "a", ("110111", "1011011")),
    (
        "adder: automaton, new a",
        ADDER,
        {"view": "Automaton"},
        "text_input",
        "a",
        ("110111", "1011011"),
    ),
    ("adder: verify n=12 <-> 11", ADDER, {"view": "Verify & prove"}, "slider", "n", (12, 11)),
    ("adder: search H=3, seed", ADDER, {"view": "Search designs"}, "number_input", "sseed", (1, 2)),
    (
        "gradients: flow map, T 200 <-> 150",
        GRADIENTS,
        {"view": "Gradient flow"},
        "slider",
        "T",
        (200, 150),
    ),
    (
        "gradients: T=2 by hand, weight w_ix",
        GRADIENTS,
        {"view": "T = 2 by hand"},
        "number_input",
        "wix",
        (0.5, 0.7),
    ),
    (
        "attention: sampled N=10k, seed",
        ATTENTION,
        {"N": "10000", "view": "Sampled keys"},
        "number_input",
        "key_seed",
        (1, 2),
    ),
    (
        "attention: 1 vs 2 heads N=10k, seed",
        ATTENTION,
        {"N": "10000", "view": "One head vs two"},
        "number_input",
        "key_seed",
        (1, 2),
    ),
    ("translate: new sentence, greedy", TRANSLATE, {}, "text_input", "fr", NEW_SENTENCES),
    (
        "translate: new sentence, beam 5",
        TRANSLATE,
        {"dec": "beam search", "beam": "5"},
        "text_input",
        "fr",
        NEW_SENTENCES[::-1],
    ),
    ("train: settings, hidden 128 <-> 64", TRAIN, {}, "select_slider", "hidden", (128, 64)),
    ("transformer: PE shuffle seed", TRANSFORMER, {}, "number_input", "shuffle_seed", (1, 2)),
    (
        "transformer: attn vs self, head",
        TRANSFORMER,
        {"view": "Attention vs self-attention"},
        "button_group",
        "av_head",
        ("1", "2"),
    ),
    (
        "transformer: multi-head, L1H1<->L2H3",
        TRANSFORMER,
        {"view": "Multi-head self-attention"},
        "button_group",
        "mh",
        ("L1 H1", "L2 H3"),
    ),
    (
        "transformer: blocks, new sentence",
        TRANSFORMER,
        {"view": "Encoder and decoder"},
        "text_input",
        "fr",
        NEW_SENTENCES,
    ),
    (
        "transformer: blocks, pick block",
        TRANSFORMER,
        {"view": "Encoder and decoder"},
        "selectbox",
        "block",
        ("encoder: feed-forward", "decoder: softmax"),
    ),
    (
        "transformer: decoding step 2 <-> 3",
        TRANSFORMER,
        {"view": "Greedy decoding"},
        "slider",
        "step",
        (2, 3),
    ),
]


def _widget(at: AppTest, kind: str, key: str):
    return getattr(at, kind)(key=key)


def time_reruns(
    path: str, query: dict, kind: str, key: str, values, repeats: int, page: str | None = None
) -> list[float]:
    at = AppTest.from_file(str(ROOT / path), default_timeout=120)
    at.query_params = dict(query)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    fresh = len(values) > 2  # many distinct values: each rerun misses the caches
    if not fresh:  # warm the caches for both values
        for v in values:
            _widget(at, kind, key).set_value(v).run()
    times = []
    for i in range(repeats):
        _widget(at, kind, key).set_value(values[i % len(values)])
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--only", default="", help="run the scenarios whose name contains this")
    args = ap.parse_args()
    base = time_reruns("bench/trivial_page.py", {}, "slider", "v", (1, 2), args.repeats)
    base_med = statistics.median(base)
    print(f"{'scenario':34s} {'median ms':>10s} {'ratio to trivial':>17s}")
    print(f"{'trivial page (1 slider)':34s} {base_med * 1e3:10.1f} {1.0:17.1f}")
    for name, page, query, kind, key, values in SCENARIOS:
        if args.only not in name:
            continue
        t = time_reruns("app.py", query, kind, key, values, args.repeats, page=page)
        med = statistics.median(t)
        print(f"{name:34s} {med * 1e3:10.1f} {med / base_med:17.1f}")


if __name__ == "__main__":
    main()

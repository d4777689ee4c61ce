"""Calibrate a translator's "unsure" warning on its own test sentences.

    python -m core.seq2seq.calibrate --kind gru            # assets/seq2seq/model
    python -m core.seq2seq.calibrate --kind transformer    # assets/transformer/model

``Translation.confidence`` is the geometric mean of the probabilities of the words a model
wrote.  The warning level is its 5th percentile over the 868 test sentences of the shared split
(sentences the model never saw): 95 % of in-domain sentences get more.  The command writes it
as ``confidence_p05`` into the checkpoint's metrics (``model.json`` and ``metrics.json``);
the Translate page warns below it.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from core.seq2seq.data import prepare_pairs, read_raw_pairs, split_pairs

PERCENTILE = 5.0
KEY = "confidence_p05"


def confidence_floor(translator, sentences: Sequence[str], q: float = PERCENTILE) -> float:
    """The ``q``-th percentile of ``translator.translate(s).confidence`` over ``sentences``."""
    conf = [translator.translate(s, beam=1).confidence for s in sentences]
    return float(np.percentile(conf, q))


def test_sentences() -> list[str]:
    """The French side of the shared test split (seed 0, split by French sentence)."""
    split = split_pairs(prepare_pairs(read_raw_pairs()), seed=0, by="source")
    return [p.fr for p in split.test]


def write(checkpoint: Path, value: float) -> None:
    """Record ``value`` as KEY in the checkpoint's model.json metrics and metrics.json."""
    model_json = checkpoint / "model.json"
    d = json.loads(model_json.read_text())
    d.setdefault("meta", {}).setdefault("metrics", {})[KEY] = round(value, 4)
    model_json.write_text(json.dumps(d, indent=1))
    metrics_json = checkpoint / "metrics.json"
    if metrics_json.is_file():
        m = json.loads(metrics_json.read_text())
        m[KEY] = round(value, 4)
        metrics_json.write_text(json.dumps(m, indent=1))


def main(argv: Sequence[str] | None = None) -> int:
    from core.seq2seq import load_translator

    ap = argparse.ArgumentParser(prog="python -m core.seq2seq.calibrate", description=__doc__)
    ap.add_argument("--kind", choices=("gru", "transformer"), default="gru")
    ap.add_argument("--path", default=None, help="a checkpoint directory (default: shipped)")
    a = ap.parse_args(argv)
    tr = load_translator(a.path, kind=a.kind)
    value = confidence_floor(tr, test_sentences())
    path = Path(a.path) if a.path else Path(tr.path)
    write(path, value)
    print(f"{a.kind}: {KEY} = {value:.4f} over 868 test sentences; written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

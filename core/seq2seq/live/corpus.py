"""The data of a live training: a normalised, filtered corpus (``prepare_corpus``), its split
(``make_split``) and the validation sentences shown while it trains (``sample_pairs``).

No torch here: the Train page reads and splits corpora before torch loads.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TypeVar

from core.seq2seq.data import (
    EMPTY_CORPUS,
    ENG_PREFIXES,
    MAX_LENGTH,
    CorpusError,
    Pair,
    PairTable,
    RawPairs,
    Split,
    data_digest,
    prepare_pairs,
    split_pairs,
)
from core.seq2seq.live.config import MAX_VOCAB, LiveConfig

MIN_PAIRS = 20  # pairs left after the filter; fewer cannot be split into train/val/test
SHARED_NAME = "eng-fra.txt"

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Corpus:
    """Normalised, filtered, de-duplicated pairs ready for ``make_split``."""

    pairs: PairTable  # a Sequence[Pair]
    lines: int  # pairs read from the file, before normalisation and the filter
    name: str  # "eng-fra.txt" or the upload's name
    exercise_filter: bool
    digest: str = ""  # data_digest of the file read: tells the shipped corpus from an upload


PROGRESS_CHUNK = 20_000  # pairs normalised between two progress reports


def prepare_corpus(
    source: str | Path | bytes | None = None,
    exercise_filter: bool = True,
    name: str = "",
    progress: Callable[[float, str], None] | None = None,
) -> Corpus:
    """Read ``English<TAB>French`` pairs (a path, an upload's bytes, or None for the shared
    corpus), normalise them and keep pairs with fewer than 10 words a side (and, with
    ``exercise_filter``, an English side starting with one of the exercise's prefixes).

    ``progress(fraction, what)`` (optional) is called as the work goes on: after reading, then
    after every ``PROGRESS_CHUNK`` pairs normalised (a 30 MB file takes half a minute).
    Raises ``CorpusError`` (a ValueError) naming the line or the limit for an unreadable file
    (``read_raw_pairs``), or when fewer than MIN_PAIRS pairs are left.
    """
    report = progress or (lambda fraction, what: None)
    report(0.0, "Reading the file…")
    reader = RawPairs(source)  # read one line at a time (RawPairs)
    prefixes = ENG_PREFIXES if exercise_filter else None
    kept: dict[Pair, None] = {}  # normalised pairs, once each, in file order
    n_raw = 0
    raw = iter(reader)
    while chunk := list(islice(raw, PROGRESS_CHUNK)):
        report(
            0.1 + 0.9 * min(1.0, reader.lines_read / reader.n_lines),
            f"Normalising and filtering: {reader.lines_read:,} of {reader.n_lines:,} lines…",
        )
        kept.update(dict.fromkeys(prepare_pairs(chunk, prefixes=prefixes, max_length=MAX_LENGTH)))
        n_raw += len(chunk)
    if not n_raw:
        raise CorpusError(EMPTY_CORPUS)
    report(1.0, f"{n_raw:,} pairs read.")
    pairs = PairTable(kept)  # compact: the server keeps it (PairTable)
    if len(pairs) < MIN_PAIRS:
        rule = (
            "fewer than 10 words on each side and an English side starting with 'i am', "
            "'he is', 'she is', 'you are', 'we are' or 'they are' (or their contractions)"
            if exercise_filter
            else "fewer than 10 words on each side"
        )
        raise CorpusError(
            f"Only {len(pairs)} of the {n_raw:,} pairs in the file are usable ({rule}); at "
            f"least {MIN_PAIRS} are needed to hold some out for validation and testing."
            + (" Try without the exercise's filter." if exercise_filter else "")
        )
    if source is None:
        name = name or SHARED_NAME
    elif isinstance(source, (str, Path)) and not name:
        name = Path(source).name
    return Corpus(pairs, n_raw, name or "upload", exercise_filter, data_digest(source))


def make_split(pairs: Sequence[Pair], cfg: LiveConfig) -> Split:
    """Split by French sentence with ``cfg.seed`` (80/10/10); the training part is cut to a
    seeded random subset of ``cfg.pairs`` pairs (kept in file order) when that is smaller.
    Raises ``CorpusError`` when the validation or test part comes out empty."""
    split = split_pairs(pairs, seed=cfg.seed, by="source")
    if not split.train or not split.val or not split.test:
        raise CorpusError(
            f"The {len(pairs)} pairs have too few distinct French sentences to hold some out: "
            f"the split gives {split.sizes()} training/validation/test pairs."
        )
    train_pairs = split.train
    if 0 < cfg.pairs < len(train_pairs):
        keep = sorted(random.Random(cfg.seed).sample(range(len(train_pairs)), cfg.pairs))
        train_pairs = [train_pairs[i] for i in keep]
    return Split(
        train=list(train_pairs), val=split.val, test=split.test, seed=split.seed, by=split.by
    )


def spread(items: Sequence[T], n: int) -> list[T]:
    """``n`` items evenly spread over ``items`` (all of them when there are not more)."""
    if len(items) <= n:
        return list(items)
    return [items[(i * len(items)) // n] for i in range(n)]


def sample_pairs(val: Sequence[Pair], n: int) -> list[Pair]:
    """The validation pairs whose translations are shown live: evenly spread, 5 words or more
    on the French side when there are enough of those."""
    longer = [p for p in val if len(p.fr.split()) >= 5]
    return spread(longer if len(longer) >= n else list(val), n)


def vocab_sizes(pairs: Sequence[Pair]) -> tuple[int, int]:
    """Words (with the 4 specials) of the French and the English side of ``pairs``, each at
    most MAX_VOCAB + 4 (the live vocabularies keep the most frequent MAX_VOCAB words)."""
    fr = {w for p in pairs for w in p.fr.split()}
    en = {w for p in pairs for w in p.en.split()}
    return min(len(fr), MAX_VOCAB) + 4, min(len(en), MAX_VOCAB) + 4

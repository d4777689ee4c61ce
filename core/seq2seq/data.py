"""Sentence pairs for the French -> English translation exercise.

The corpus is the tab-separated layout of the classic "translation with a sequence to sequence
network and attention" exercise: one pair a line, ``English<TAB>French`` (a third column, e.g.
Tatoeba's attribution, is ignored).  This module

* reads it from a path or from an uploaded file (``bytes`` / ``str``), with a ``ValueError``
  (``CorpusError``) naming the line or the limit for anything malformed;
* applies the exercise's normalisation (``normalize_string``) and filter (``keep_pair``), both
  optional;
* builds the vocabularies (``Vocab``; ids 0 = SOS and 1 = EOS as in the exercise, plus 2 = PAD
  and 3 = UNK for this batched implementation);
* splits the pairs deterministically into train / validation / test (``split_pairs``), by pair
  (the exercise's random split: a test pair is never trained on, though its French sentence may
  be, with another translation) or by French sentence (no test sentence is ever seen).

Only the standard library is imported with this module; ``pad_batch`` imports torch when it is
first called, so the pages can read corpora and splits before torch has loaded.
"""

from __future__ import annotations

import hashlib
import lzma
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The exercise's whole corpus ships with the app, xz-compressed (assets/data/README.md): the
# Train page, the test sentences and the training commands work with nothing beside the repo.
CORPUS_NAME = "eng-fra.txt"
CORPUS_FILE = PROJECT_ROOT / "assets" / "data" / "eng-fra.txt.xz"
CORPUS_DIGEST = "0e56c01fc60ce1c0"  # data_digest of the unpacked eng-fra.txt
DEFAULT_DATA = CORPUS_FILE

MAX_LENGTH = 10  # the exercise's MAX_LENGTH: both sides have fewer than 10 tokens
ENG_PREFIXES = (
    "i am ",
    "i m ",
    "he is",
    "he s ",
    "she is",
    "she s ",
    "you are",
    "you re ",
    "we are",
    "we re ",
    "they are",
    "they re ",
)
MAX_UPLOAD_BYTES = 32 * 2**20  # the whole Tatoeba English-French file is about 10 MB
MAX_LINES = 1_000_000
UNPACK_STEP = 1 << 20  # bytes unpacked at a time from an .xz corpus

SOS, EOS, PAD, UNK = 0, 1, 2, 3
SPECIALS = ("<sos>", "<eos>", "<pad>", "<unk>")


class CorpusError(ValueError):
    """A corpus file or upload that cannot be read; the message names the line or the limit."""


# --------------------------------------------------------------------------------------------
# Normalisation and filter (the exercise's rules)
# --------------------------------------------------------------------------------------------


def unicode_to_ascii(s: str) -> str:
    """Strip accents: decompose (NFD) and drop the combining marks (category Mn)."""
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


_PUNCT = re.compile(r"([.!?])")
_NON_LETTERS = re.compile(r"[^a-zA-Z.!?]+")


def normalize_string(s: str) -> str:
    """The exercise's ``normalizeString``: lower case, accents stripped, ``.!?`` split off as
    tokens, every other non-letter (apostrophes, digits, commas, emoji ...) turned into a space.

    >>> normalize_string("J'ai froid.")
    'j ai froid .'
    """
    s = unicode_to_ascii(s.lower().strip())
    s = _PUNCT.sub(r" \1", s)
    s = _NON_LETTERS.sub(" ", s)
    return s.strip()


def keep_pair(
    fr: str, en: str, max_length: int = MAX_LENGTH, prefixes: Sequence[str] | None = ENG_PREFIXES
) -> bool:
    """The exercise's ``filterPair`` on normalised sentences: both sides have fewer than
    ``max_length`` space-separated tokens and the English side starts with one of ``prefixes``
    (no prefix condition when ``prefixes`` is None or empty)."""
    if len(fr.split(" ")) >= max_length or len(en.split(" ")) >= max_length:
        return False
    return not prefixes or en.startswith(tuple(prefixes))


# --------------------------------------------------------------------------------------------
# Reading a corpus
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pair:
    """One sentence pair, source French and target English (normalised or not).  Slots: the
    server may hold the whole corpus's 71,214 pairs (7 MB less than with an instance dict)."""

    fr: str
    en: str


class PairTable(Sequence[Pair]):
    """Pairs stored compactly, read back as ``Pair`` objects on access: one string
    ``"fr<TAB>en<LF>fr<TAB>en..."`` and the offsets of each line and of its tab (C ints).

    A server holds a prepared corpus for as long as it runs.  As 71,214 ``Pair`` objects of two
    small strings each, the shipped corpus took 23 MB of small-object memory that stayed
    fragmented after the page that read it had finished; here it is one 3.6 MB string and two
    0.3 MB arrays.  Equal to another ``PairTable`` with the same pairs in the same order.
    Neither side of a pair may hold a tab or a line break (normalised text never does).
    """

    __slots__ = ("_starts", "_tabs", "text")

    def __init__(self, pairs: Iterable[Pair] = ()):
        lines: list[str] = []
        starts: list[int] = []
        tabs: list[int] = []
        pos = 0
        for p in pairs:
            if any(c in p.fr or c in p.en for c in "\t\n"):
                raise ValueError(f"A PairTable pair has a tab or a line break: {p!r:.80}")
            starts.append(pos)
            tabs.append(pos + len(p.fr))
            lines.append(f"{p.fr}\t{p.en}")
            pos += len(lines[-1]) + 1
        if pos >= 2**31:
            raise ValueError("A PairTable holds at most 2**31 characters.")
        self.text = "\n".join(lines)
        starts.append(pos)  # one past the last line's end (its line break, when there is one)
        self._starts = array("i", starts)  # (n + 1,) C ints
        self._tabs = array("i", tabs)  # (n,)

    def __len__(self) -> int:
        return len(self._tabs)

    def _pair(self, i: int) -> Pair:
        start, tab, end = self._starts[i], self._tabs[i], self._starts[i + 1] - 1
        return Pair(self.text[start:tab], self.text[tab + 1 : end])

    def __getitem__(self, i):  # int -> Pair; slice -> tuple[Pair, ...]
        if isinstance(i, slice):
            return tuple(self._pair(j) for j in range(*i.indices(len(self))))
        n = len(self)
        j = int(i) + n if int(i) < 0 else int(i)
        if not 0 <= j < n:
            raise IndexError(f"PairTable index {i} out of range for {n} pairs.")
        return self._pair(j)

    def __iter__(self) -> Iterator[Pair]:
        for line in self.text.split("\n") if len(self) else ():
            fr, _, en = line.partition("\t")
            yield Pair(fr, en)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PairTable):
            return self.text == other.text and len(self) == len(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal by value, so not hashable

    def __repr__(self) -> str:
        return f"PairTable({len(self)} pairs, {len(self.text):,} characters)"


def file_bytes(path: str | Path) -> bytes:
    """The content of a corpus file, unpacked when its name ends in ``.xz``.  Raises
    ``CorpusError`` for a missing file or more than ``MAX_UPLOAD_BYTES`` (packed or not)."""
    path = Path(path)
    limit_mb = MAX_UPLOAD_BYTES / 2**20
    if not path.is_file():
        raise CorpusError(
            f"No corpus file at {path}. Give the path of an 'English<TAB>French' file such as "
            "the exercise's eng-fra.txt, or upload one."
        )
    size = path.stat().st_size
    if size > MAX_UPLOAD_BYTES:
        mb = size / 2**20
        raise CorpusError(f"{path.name} is {mb:.1f} MB, over the {limit_mb:.0f} MB limit.")
    data = path.read_bytes()
    if path.suffix == ".xz":
        # 1 MB at a time: asked for up to the limit at once, lzma sets aside a buffer of the
        # limit's size (32 MB, twice at the peak) for a file that unpacks to 3.8 MB
        unpack, out, packed = lzma.LZMADecompressor(), bytearray(), data
        try:
            while not unpack.eof and len(out) <= MAX_UPLOAD_BYTES:
                piece = unpack.decompress(packed, max_length=UNPACK_STEP)
                packed = b""  # the decompressor keeps what it has not used yet
                if not piece and unpack.needs_input:
                    break  # the file ends before the stream does
                out += piece
        except lzma.LZMAError as exc:
            raise CorpusError(f"{path.name} is not a valid .xz file ({exc}).") from None
        if len(out) > MAX_UPLOAD_BYTES:
            raise CorpusError(f"{path.name} unpacks to over the {limit_mb:.0f} MB limit.")
        if not unpack.eof:
            raise CorpusError(f"{path.name} is not a valid .xz file (it ends too early).")
        data = bytes(out)
    return data


def data_digest(source: str | Path | bytes | bytearray | None = None) -> str:
    """First 16 hex digits of the SHA-256 of a corpus' bytes (unpacked), as recorded in
    checkpoints: the same for ``eng-fra.txt`` and the shipped ``eng-fra.txt.xz``.  ``source`` as
    for ``read_raw_pairs`` (None: the shipped corpus); "" for text given as ``str``."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return hashlib.sha256(bytes(source)).hexdigest()[:16]
    if isinstance(source, str) and "\n" in source:
        return ""
    path = Path(DEFAULT_DATA if source is None else source)
    if path.resolve() == CORPUS_FILE.resolve():
        return CORPUS_DIGEST  # known: no need to unpack it again
    return hashlib.sha256(file_bytes(path)).hexdigest()[:16]


class RawPairs:
    """The ``English<TAB>French`` lines of a corpus as ``Pair(fr, en)``, read one line at a time.

    ``source`` is a path (``str`` / ``Path``; default ``DEFAULT_DATA``), or an uploaded file's
    content as ``bytes`` (UTF-8) or as ``str`` holding several lines.  A ``str`` without a line
    break is taken as a path.  The file is read and its size checked when the reader is made;
    lines are decoded and checked as they are iterated, so the whole corpus never exists as
    one decoded text and a list of pairs at once (for the shipped file, 3.97 MB and 75,437
    pairs, reading all of it and then normalising took 74 MB at the peak, 66 MB of it the
    xz dictionary that ``file_bytes`` no longer needs; read this way, 14 MB with the
    exercise's filter and 37 MB without).  Blank lines are skipped.  ``CorpusError`` (a
    ValueError) for a missing file, a file over ``MAX_UPLOAD_BYTES`` or ``MAX_LINES``, bad
    UTF-8, a line without a tab or with an empty side; the message names the line or the limit.
    """

    def __init__(self, source: str | Path | bytes | bytearray | None = None):
        limit_mb = MAX_UPLOAD_BYTES / 2**20
        is_path = isinstance(source, Path) or (isinstance(source, str) and "\n" not in source)
        data: bytes | str
        if source is None or is_path:
            data = file_bytes(DEFAULT_DATA if source is None else source)
        elif isinstance(source, (bytes, bytearray, memoryview)):
            data = bytes(source)
            if len(data) > MAX_UPLOAD_BYTES:
                raise CorpusError(
                    f"The upload is {len(data) / 2**20:.1f} MB, over the {limit_mb:.0f} MB limit."
                )
        elif isinstance(source, str):
            if len(source) > MAX_UPLOAD_BYTES:
                raise CorpusError(
                    f"The text is {len(source) / 2**20:.1f} M characters, over the "
                    f"{limit_mb:.0f} MB limit."
                )
            data = source
        else:
            raise CorpusError(f"Expected a path, bytes or text, got {type(source).__name__}.")
        lf, cr = (b"\n", b"\r") if isinstance(data, bytes) else ("\n", "\r")
        # lines of the file, blank ones included (exact for \n, \r\n and \r line ends)
        self.n_lines = max(data.count(lf), data.count(cr)) + (0 if data.endswith((lf, cr)) else 1)
        self.lines_read = 0  # lines iterated so far
        if self.n_lines > MAX_LINES:
            raise CorpusError(
                f"The corpus has {self.n_lines:,} lines, over the {MAX_LINES:,} limit."
            )
        self._data = data

    def _texts(self) -> Iterator[str]:
        """The text between two line feeds, decoded one piece at a time (a line feed byte is
        never part of a longer UTF-8 sequence, so this is how the whole file decodes)."""
        data = self._data
        bom, newline = (b"\xef\xbb\xbf", b"\n") if isinstance(data, bytes) else ("\ufeff", "\n")
        start = len(bom) if data.startswith(bom) else 0  # type: ignore[arg-type]
        piece = 0
        while start < len(data):
            end = data.find(newline, start)  # type: ignore[arg-type]
            end = len(data) if end < 0 else end + 1
            piece += 1
            chunk = data[start:end]
            if isinstance(chunk, bytes):
                try:
                    chunk = chunk.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise CorpusError(
                        f"Line {piece} is not valid UTF-8 text (byte 0x{chunk[exc.start]:02x}); "
                        "save the file as UTF-8 with one 'English<TAB>French' pair a line."
                    ) from None
            yield chunk
            start = end

    def __iter__(self) -> Iterator[Pair]:
        i = 0
        for text in self._texts():
            for line in text.splitlines():  # also \r, \r\n and the other breaks str knows
                i += 1
                self.lines_read = i
                if i > MAX_LINES:
                    raise CorpusError(f"The corpus has over {MAX_LINES:,} lines, the limit.")
                if not line.strip():
                    continue
                cols = line.split("\t")
                shown = line if len(line) <= 60 else line[:57] + "..."
                if len(cols) < 2:
                    raise CorpusError(
                        f"Line {i} has no tab: expected 'English<TAB>French', got {shown!r}."
                    )
                en, fr = cols[0].strip(), cols[1].strip()
                if not en or not fr:
                    side = "English (first)" if not en else "French (second)"
                    raise CorpusError(f"Line {i}: the {side} column is empty in {shown!r}.")
                yield Pair(fr=fr, en=en)


EMPTY_CORPUS = "The corpus is empty: no 'English<TAB>French' line found."


def read_raw_pairs(source: str | Path | bytes | bytearray | None = None) -> list[Pair]:
    """Read ``English<TAB>French`` lines into ``Pair(fr, en)`` exactly as written: the list
    of ``RawPairs(source)`` (which see for ``source`` and the errors), or ``CorpusError`` when
    there is no pair at all."""
    pairs = list(RawPairs(source))
    if not pairs:
        raise CorpusError(EMPTY_CORPUS)
    return pairs


def prepare_pairs(
    raw: Iterable[Pair],
    normalize: bool = True,
    filter_pairs: bool = True,
    max_length: int = MAX_LENGTH,
    prefixes: Sequence[str] | None = ENG_PREFIXES,
) -> list[Pair]:
    """Normalise (``normalize_string``) and filter (``keep_pair``) raw pairs, in file order.

    Pairs that normalise to an empty side are dropped.  Without ``normalize`` the sentences are
    only split on white space; without ``filter_pairs`` every non-empty pair is kept.
    """
    clean = normalize_string if normalize else (lambda s: " ".join(s.split()))
    prefixes = tuple(prefixes or ())
    out = []
    for p in raw:
        en = clean(p.en)
        if not en or (filter_pairs and prefixes and not en.startswith(prefixes)):
            continue  # cheap test first: most lines fail the English prefix
        fr = clean(p.fr)
        if not fr or (filter_pairs and not keep_pair(fr, en, max_length, prefixes)):
            continue
        out.append(Pair(fr=fr, en=en))
    return out


def load_pairs(
    source: str | Path | bytes | bytearray | None = None,
    normalize: bool = True,
    filter_pairs: bool = True,
    max_length: int = MAX_LENGTH,
    prefixes: Sequence[str] | None = ENG_PREFIXES,
) -> list[Pair]:
    """``read_raw_pairs`` then ``prepare_pairs``: the exercise's data in one call."""
    return prepare_pairs(read_raw_pairs(source), normalize, filter_pairs, max_length, prefixes)


# --------------------------------------------------------------------------------------------
# Vocabularies
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Vocab:
    """Words by id.  ``words[:4]`` are always ``SPECIALS`` (SOS=0, EOS=1, PAD=2, UNK=3)."""

    words: tuple[str, ...]
    index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        words = tuple(self.words)
        if words[: len(SPECIALS)] != SPECIALS:
            raise ValueError(f"A vocabulary must start with {SPECIALS}, got {words[:4]}.")
        if any(not isinstance(w, str) or not w for w in words):
            raise ValueError("Vocabulary words must be non-empty strings.")
        index = {w: i for i, w in enumerate(words)}
        if len(index) != len(words):
            raise ValueError("The vocabulary has repeated words.")
        object.__setattr__(self, "words", words)
        object.__setattr__(self, "index", index)

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.index and self.index[word] >= len(SPECIALS)

    def encode(self, tokens: Sequence[str]) -> list[int]:
        """Ids of ``tokens``; unknown words become UNK."""
        return [self.index.get(t, UNK) for t in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Words of ``ids`` up to (without) the first EOS; SOS and PAD are skipped."""
        out = []
        for i in ids:
            i = int(i)
            if i == EOS:
                break
            if i in (SOS, PAD):
                continue
            out.append(self.words[i] if 0 <= i < len(self.words) else SPECIALS[UNK])
        return out

    @property
    def content_words(self) -> tuple[str, ...]:
        return self.words[len(SPECIALS) :]


# French inflections tried, in order, for a word missing from the vocabulary: feminine and
# plural endings of adjectives and nouns (fatiguee, fatigues -> fatigue; heureuse -> heureux).
_INFLECTIONS = (
    ("ees", "e"),
    ("ee", "e"),
    ("es", ""),
    ("s", ""),
    ("e", ""),
    ("x", ""),
    ("euses", "eux"),
    ("euse", "eux"),
    ("euses", "eur"),
    ("euse", "eur"),
    ("ives", "if"),
    ("ive", "if"),
    ("aux", "al"),
    ("eaux", "eau"),
    ("nnes", "n"),
    ("nne", "n"),
    ("lles", "l"),
    ("lle", "l"),
    ("ttes", "t"),
    ("tte", "t"),
    ("", "e"),
    ("", "s"),
    ("", "es"),
)


def known_form(word: str, vocab: Vocab) -> str | None:
    """An inflection of ``word`` that is in ``vocab`` (``word`` itself first), or None.

    French adjectives and nouns vary in gender and number (fatigue, fatiguee, fatigues,
    fatiguees) while English does not, so an unseen form is read as a seen one:
    ``known_form("mecontente", v) == "mecontent"`` when only the masculine was seen.
    """
    if word in vocab:
        return word
    for suffix, repl in _INFLECTIONS:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            cand = word[: len(word) - len(suffix)] + repl
            if cand in vocab:
                return cand
    return None


def encode_source(tokens: Sequence[str], vocab: Vocab) -> tuple[list[int], dict[str, str]]:
    """Ids of French ``tokens``: a word missing from ``vocab`` is read as its ``known_form``
    when it has one, else as UNK.  Returns the ids and the substitutions made {word: form}."""
    ids, subst = [], {}
    for t in tokens:
        form = known_form(t, vocab)
        if form is None:
            ids.append(UNK)
        else:
            ids.append(vocab.index[form])
            if form != t:
                subst[t] = form
    return ids, subst


def build_vocab(sentences: Iterable[str], min_count: int = 1) -> Vocab:
    """Vocabulary of the space-separated tokens of ``sentences`` seen at least ``min_count``
    times, most frequent first (ties alphabetically), after the four specials."""
    counts = Counter(t for s in sentences for t in s.split())
    words = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    return Vocab(SPECIALS + tuple(words))


# --------------------------------------------------------------------------------------------
# Split
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Split:
    """Train / validation / test pairs (no pair in two parts), and how they were cut."""

    train: list[Pair]
    val: list[Pair]
    test: list[Pair]
    seed: int
    by: str = "source"

    def sizes(self) -> tuple[int, int, int]:
        return len(self.train), len(self.val), len(self.test)

    def unseen_source(self, part: str = "test") -> list[Pair]:
        """The pairs of ``part`` whose French sentence never occurs in the training part (all
        of them when the split is by source)."""
        seen = {p.fr for p in self.train}
        return [p for p in getattr(self, part) if p.fr not in seen]


def _rank(seed: int, text: str) -> bytes:
    return hashlib.blake2b(f"{seed}\x00{text}".encode(), digest_size=8).digest()


def split_pairs(
    pairs: Sequence[Pair],
    seed: int = 0,
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1),
    by: str = "source",
) -> Split:
    """Deterministic split of ``pairs`` into train / validation / test.

    Exact duplicate pairs are kept once.  The units of the split -- distinct French sentences
    (``by="source"``, the default: all translations of a sentence land in the same part, so no
    test sentence is seen in training even with another translation) or distinct pairs
    (``by="pair"``, as the exercise's random split) -- are ordered by a seeded hash (blake2b
    of seed and text) and cut at the cumulative ``fractions``.  The result depends only on the
    set of pairs and the seed, not on their order; each part keeps the order of ``pairs``.
    """
    if len(fractions) != 3 or any(f < 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(
            f"fractions must be three non-negative numbers summing to 1, got {fractions}."
        )
    if by not in ("pair", "source"):
        raise ValueError(f'by must be "pair" or "source", got {by!r}.')
    unique = list(dict.fromkeys(pairs))

    def unit(p: Pair) -> str:
        return p.fr if by == "source" else f"{p.fr}\t{p.en}"

    units = sorted({unit(p) for p in unique}, key=lambda u: _rank(seed, u))
    n = len(units)
    cut1 = round(n * fractions[0])
    cut2 = round(n * (fractions[0] + fractions[1]))
    part = {u: 0 if i < cut1 else 1 if i < cut2 else 2 for i, u in enumerate(units)}
    parts: tuple[list[Pair], list[Pair], list[Pair]] = ([], [], [])
    for p in unique:
        parts[part[unit(p)]].append(p)
    return Split(train=parts[0], val=parts[1], test=parts[2], seed=seed, by=by)


# --------------------------------------------------------------------------------------------
# Tensors
# --------------------------------------------------------------------------------------------


def pad_batch(seqs: Sequence[Sequence[int]], pad: int = PAD) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pad id sequences: ids (B, T) int64 and lengths (B,) int64."""
    import torch  # here, not at the top: reading and splitting corpora needs no torch

    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.long)  # (B,)
    T = int(lengths.max()) if len(seqs) else 0
    ids = torch.full((len(seqs), T), pad, dtype=torch.long)  # (B, T)
    for i, s in enumerate(seqs):
        if len(s):
            ids[i, : len(s)] = torch.as_tensor(list(s), dtype=torch.long)
    return ids, lengths

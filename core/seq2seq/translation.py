"""What a translation is: ``Translation`` (words, attention, steps, notes on the input),
``Step`` and ``Note`` / ``NoteKind``.  No torch here: pages can read these types before the
model loads; ``core.seq2seq.translator`` makes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

import numpy as np


class NoteKind(StrEnum):
    """What a note on the input is about.

    NOTHING     nothing could be translated: empty input, no French words, none of them known
    ADJUSTED    the input was changed to fit: text or sentence cut, beam clamped, an unseen
                inflection read as a seen one
    ENGLISH     the input looks like English
    UNKNOWN     words read as the unknown-word token (listed with suggestions in ``unknown``)
    UNFINISHED  the decoder stopped at the step limit without an end of sentence
    FAILED      translation failed inside the model (should not happen)
    OTHER       a note given as plain text (``Translation(message=...)``)
    """

    NOTHING = "nothing"
    ADJUSTED = "adjusted"
    ENGLISH = "english"
    UNKNOWN = "unknown"
    UNFINISHED = "unfinished"
    FAILED = "failed"
    OTHER = "other"


class Note(NamedTuple):
    """One note on the input: (kind, text)."""

    kind: NoteKind
    text: str


@dataclass(frozen=True)
class Step:
    """One output step: the chosen word, its probability, and the top-k alternatives
    (word, probability) of the distribution it was chosen from, most probable first."""

    word: str
    prob: float
    alternatives: list[tuple[str, float]]


@dataclass(frozen=True, eq=False)
class Translation:
    """The result of ``Translator.translate``.

    words        English output without EOS
    attention    (len(words), len(source)) float32 attention weights, rows sum to 1 (read-only)
    source       the normalised French tokens the attention columns refer to (after truncation)
    unknown      source words not in the vocabulary (fed to the model as <unk>), in order;
                 a word whose other inflection is known is read as that one instead (a note
                 of kind ADJUSTED) and is not listed
    suggestions  for each unknown word, up to 3 close in-vocabulary words (difflib)
    steps        one ``Step`` per output word, then one for EOS when the output ended
    notes        what was done about the input, as ``Note(kind, text)``; () when all went well
    message      the notes' texts joined by "; " ("" when there are none); given alone, it
                 becomes one note of kind OTHER
    score        log-probability of the output (EOS included when it ended)
    beam         beam width used (1: greedy)
    ended        the decoder produced EOS within the step limit
    seconds      decoding wall time
    """

    words: list[str]
    attention: np.ndarray
    source: list[str]
    unknown: list[str]
    suggestions: dict[str, list[str]] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    message: str = ""
    score: float = 0.0
    beam: int = 1
    ended: bool = False
    seconds: float = 0.0
    notes: tuple[Note, ...] = ()

    @property
    def confidence(self) -> float:
        """The model's own confidence: the geometric mean of the probabilities of the words it
        wrote (end of sentence included), exp(mean log p); 0 when nothing was written."""
        probs = [max(s.prob, 1e-300) for s in self.steps]
        return float(np.exp(np.mean(np.log(probs)))) if probs else 0.0

    @property
    def unknown_share(self) -> float:
        """Share of the source's words (alphabetic tokens) that the model never saw."""
        words = [t for t in self.source if t.isalpha()]
        return sum(t in self.unknown for t in words) / len(words) if words else 0.0

    def __post_init__(self) -> None:
        notes = tuple(Note(NoteKind(k), str(t)) for k, t in self.notes)
        if not notes and self.message:
            notes = (Note(NoteKind.OTHER, self.message),)
        object.__setattr__(self, "notes", notes)
        object.__setattr__(self, "message", "; ".join(n.text for n in notes))

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def notes_except(self, *kinds: NoteKind) -> list[str]:
        """The texts of the notes not of ``kinds``, in order."""
        return [n.text for n in self.notes if n.kind not in kinds]


# --------------------------------------------------------------------------------------------
# The input as both translators read it
# --------------------------------------------------------------------------------------------

MAX_INPUT_CHARS = 2_000  # longer text is cut before normalisation
FINAL = (".", "!", "?")  # every training sentence ends with one of these
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,80}>")
_QUIET = set(" \t\n\r,'’-")  # dropped by normalisation without a note


@dataclass(frozen=True)
class Source:
    """French text prepared for a translator.

    tokens -- the normalised tokens to translate ([] when there is nothing to translate);
    notes -- what was changed or ignored, in order;  nothing -- why nothing can be translated
    ("" when ``tokens`` is not empty).
    """

    tokens: list[str]
    notes: list[Note]
    nothing: str = ""


def prepare_source(text, normalize, max_tokens: int) -> Source:
    """Read ``text`` as the translators do and say every change.

    ``normalize`` is the training data's normalisation (``core.seq2seq.data.normalize_string``).
    HTML tags are removed and named; other symbols that normalisation drops are named; a text
    of punctuation only gives nothing to translate; more than ``max_tokens`` tokens are cut;
    a sentence without final punctuation gets the "." that every training sentence has (the
    models translate the last word badly without it).
    """
    notes: list[Note] = []
    text = "" if text is None else text if isinstance(text, str) else str(text)
    if len(text) > MAX_INPUT_CHARS:
        notes.append(
            Note(
                NoteKind.ADJUSTED,
                f"the text has {len(text):,} characters; read the first {MAX_INPUT_CHARS:,}",
            )
        )
        text = text[:MAX_INPUT_CHARS]
    if not text.strip():
        return Source([], notes, "empty input")
    tags = list(dict.fromkeys(_TAG.findall(text)))
    if tags:
        text = _TAG.sub(" ", text)
        shown = " ".join(tags[:6]) + (" …" if len(tags) > 6 else "")
        notes.append(Note(NoteKind.ADJUSTED, f"removed the HTML tags {shown}"))
    tokens = normalize(text).split()
    kept = set("".join(tokens))
    dropped = [c for c in dict.fromkeys(text) if c not in _QUIET and not c.isalnum()]
    dropped = [c for c in dropped if c not in kept and c not in FINAL]
    if dropped:
        shown = " ".join(dropped[:12]) + (" …" if len(dropped) > 12 else "")
        notes.append(Note(NoteKind.ADJUSTED, f"ignored the symbols {shown}"))
    if not any(t.isalpha() for t in tokens):
        why = (
            "only punctuation and symbols: no French words to translate"
            if tokens or dropped
            else "no French words left after normalisation (only letters a-z after accents "
            "are stripped, and . ! ? are kept)"
        )
        return Source([], notes, why)
    if len(tokens) > max_tokens:
        notes.append(
            Note(
                NoteKind.ADJUSTED,
                f"longer than the {max_tokens} words the model was trained on "
                f"({len(tokens)} tokens); translated the first {max_tokens}",
            )
        )
        tokens = tokens[:max_tokens]
    if tokens[-1] not in FINAL:
        tokens = [*tokens[: max_tokens - 1], "."]  # the "." takes the last place if need be
        notes.append(
            Note(
                NoteKind.ADJUSTED,
                "added a final '.': every sentence the model learned from ends with . ! or ?",
            )
        )
    return Source(tokens, notes)

"""What a translation is: ``Translation`` (words, attention, steps, notes on the input),
``Step`` and ``Note`` / ``NoteKind``.  No torch here: pages can read these types before the
model loads; ``core.seq2seq.translator`` makes them.
"""

from __future__ import annotations

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

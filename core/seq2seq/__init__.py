"""French -> English translation with attention (the course's seq2seq exercise), in torch.

    from core.seq2seq import load_translator
    tr = load_translator()                        # the shipped checkpoint in assets/seq2seq/
    out = tr.translate("Je suis très fatigué.", beam=1)
    out.words        # ['i', 'm', 'very', 'tired', '.']
    out.attention    # (len(out.words), len(out.source)) attention weights
    out.source       # ['je', 'suis', 'tres', 'fatigue', '.']
    out.unknown      # source words not in the vocabulary
    out.suggestions  # close in-vocabulary words for each unknown word
    out.steps        # per output step: word, probability, top-5 alternatives
    out.notes        # what was done about odd input: (NoteKind, text) pairs; () when nothing
    out.message      # the notes' texts in one line ("" when nothing)

Modules: ``data`` (reading, normalisation, filter, vocabularies, split), ``config``
(``TrainConfig``, the history row), ``model`` (encoder, attention decoder, checkpoints),
``decode`` (greedy, batched greedy, beam search), ``np_model`` and ``np_decode`` (the same
model and decoders in numpy, for translating without torch), ``evaluate`` (BLEU, exact
match), ``train`` (the training loop), ``train_cli`` (``python -m core.seq2seq.train``),
``recipe`` (the exercise's own training recipe, the benchmark's baseline), ``translation``
(the result types),
``translator`` (the public entry point), ``live`` (the Train page's live training: settings,
corpus, jobs, queue, pipeline, export).

Importing this package, ``data``, ``config``, ``translation``, ``np_model``, ``np_decode``,
``translator`` or ``live`` does not import torch: the names below are loaded from their module
on first use (``load_translator`` translates with numpy; ``Seq2Seq``, ``greedy``,
``beam_search``, ``evaluate`` and the checkpoint writers import torch).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# name -> the submodule that defines it (loaded on first access)
_WHERE = {
    **dict.fromkeys(
        (
            "DEFAULT_DATA",
            "ENG_PREFIXES",
            "MAX_LENGTH",
            "CorpusError",
            "Pair",
            "Split",
            "Vocab",
            "load_pairs",
            "normalize_string",
            "read_raw_pairs",
            "split_pairs",
        ),
        "data",
    ),
    "Decoded": "np_decode",
    **dict.fromkeys(("beam_search", "greedy", "greedy_batch"), "decode"),
    **dict.fromkeys(("EvalReport", "corpus_bleu", "evaluate"), "evaluate"),
    "ModelConfig": "config",
    **dict.fromkeys(("Seq2Seq", "load_checkpoint", "save_checkpoint"), "model"),
    **dict.fromkeys(("Note", "NoteKind", "Step", "Translation"), "translation"),
    **dict.fromkeys(("DEFAULT_CHECKPOINT", "Translator", "load_translator"), "translator"),
}

__all__ = [
    "DEFAULT_CHECKPOINT",
    "DEFAULT_DATA",
    "ENG_PREFIXES",
    "MAX_LENGTH",
    "CorpusError",
    "Decoded",
    "EvalReport",
    "ModelConfig",
    "Note",
    "NoteKind",
    "Pair",
    "Seq2Seq",
    "Split",
    "Step",
    "Translation",
    "Translator",
    "Vocab",
    "beam_search",
    "corpus_bleu",
    "evaluate",
    "greedy",
    "greedy_batch",
    "load_checkpoint",
    "load_pairs",
    "load_translator",
    "normalize_string",
    "read_raw_pairs",
    "split_pairs",
    "save_checkpoint",
]

if TYPE_CHECKING:  # what type checkers and editors see; nothing is imported at run time
    from core.seq2seq.config import ModelConfig
    from core.seq2seq.data import (
        DEFAULT_DATA,
        ENG_PREFIXES,
        MAX_LENGTH,
        CorpusError,
        Pair,
        Split,
        Vocab,
        load_pairs,
        normalize_string,
        read_raw_pairs,
        split_pairs,
    )
    from core.seq2seq.decode import beam_search, greedy, greedy_batch
    from core.seq2seq.evaluate import EvalReport, corpus_bleu, evaluate
    from core.seq2seq.model import Seq2Seq, load_checkpoint, save_checkpoint
    from core.seq2seq.np_decode import Decoded
    from core.seq2seq.translation import Note, NoteKind, Step, Translation
    from core.seq2seq.translator import DEFAULT_CHECKPOINT, Translator, load_translator


def __getattr__(name: str) -> Any:
    """Load ``name`` from its submodule on first access (and keep it here)."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

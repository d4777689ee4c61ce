"""The shipped translator: any string in, a ``Translation`` out, never an exception.

from core.seq2seq import load_translator
tr = load_translator()                       # assets/seq2seq/model, loaded once per process
out = tr.translate("Je suis très fatigué.", beam=1)
out.words, out.attention, out.source, out.unknown, out.suggestions, out.steps, out.notes

The result types (``Translation``, ``Step``, ``Note``, ``NoteKind``) live in
``core.seq2seq.translation`` (no torch) and are re-exported here.

No torch here: ``load_translator`` reads the checkpoint with ``core.checkpoint_np`` into the
numpy model (``core.seq2seq.np_model``) and decodes with ``core.seq2seq.np_decode``, so the web
server never imports torch for the GRU.  A ``Translator`` built on a torch ``Seq2Seq`` (training,
tests) decodes with ``core.seq2seq.decode`` instead (torch is then imported on first use).
"""

from __future__ import annotations

import difflib
import functools
import time
from pathlib import Path

import numpy as np

from core.checkpoint_files import GRU_FORMAT
from core.checkpoint_np import load_np
from core.numerics import readonly
from core.seq2seq.config import MAX_BEAM, ModelConfig
from core.seq2seq.data import (
    EOS,
    MAX_LENGTH,
    PROJECT_ROOT,
    SPECIALS,
    UNK,
    Vocab,
    encode_source,
    normalize_string,
)
from core.seq2seq.np_decode import MAX_DECODE_STEPS, TOP_K, Decoded
from core.seq2seq.np_decode import beam_search as np_beam_search
from core.seq2seq.np_decode import greedy as np_greedy
from core.seq2seq.np_model import Seq2SeqNumpy, param_shapes
from core.seq2seq.translation import (
    MAX_INPUT_CHARS,
    Note,
    NoteKind,
    Step,
    Translation,
    prepare_source,
)

__all__ = [
    "DEFAULT_CHECKPOINT",
    "MAX_INPUT_CHARS",
    "MAX_SOURCE_TOKENS",
    "Note",
    "NoteKind",
    "Step",
    "Translation",
    "Translator",
    "load_translator",
]

DEFAULT_CHECKPOINT = PROJECT_ROOT / "assets" / "seq2seq" / "model"
MAX_SOURCE_TOKENS = MAX_LENGTH  # the model saw fewer than MAX_LENGTH tokens per sentence
MAX_SUGGESTED = 10  # unknown words that get spelling suggestions


class LoadedModel:
    """What every translator holds: a model in eval mode (a numpy model or a torch module: any
    object with ``eval()`` and ``parameters()``), its vocabularies, its checkpoint's ``meta``
    and path; its scores, size and spelling suggestions for unknown words."""

    def __init__(
        self,
        model,
        src_vocab: Vocab,
        tgt_vocab: Vocab,
        meta: dict | None = None,
        path: Path | None = None,
    ):
        self.model = model.eval()
        self.src_vocab = src_vocab
        self.tgt_vocab = tgt_vocab
        self.meta = meta or {}
        self.path = path
        self._close_cache: dict[str, list[str]] = {}

    @property
    def metrics(self) -> dict:
        return dict(self.meta.get("metrics", {}))

    @property
    def n_parameters(self) -> int:
        """Trainable numbers of the model."""
        return sum(int(np.prod(p.shape)) for p in self.model.parameters())

    def read_words(
        self, tokens: list[str]
    ) -> tuple[list[int], list[str], dict[str, list[str]], list[Note], str]:
        """Token ids of ``tokens`` and what the model makes of them: (ids, unknown words, close
        known words for each, notes -- inflections read as seen ones, English input, unknown
        words --, and why nothing can be translated: "" unless no word is known)."""
        ids, substituted = encode_source(tokens, self.src_vocab)
        unknown = list(dict.fromkeys(t for t, i in zip(tokens, ids, strict=True) if i == UNK))
        notes: list[Note] = []
        if substituted:
            read_as = ", ".join(f"{w} as {f}" for w, f in substituted.items())
            notes.append(Note(NoteKind.ADJUSTED, f"read {read_as} (a form seen in training)"))
        suggestions = {w: self.suggest(w) for w in unknown[:MAX_SUGGESTED]}
        english = [w for w in unknown if w in self.tgt_vocab]
        words = [t for t in tokens if t.isalpha()]
        if english and 2 * sum(t in self.tgt_vocab for t in words) >= len(words):
            listed = ", ".join(english[:MAX_SUGGESTED])
            what = (
                "are English words, not French ones"
                if len(english) > 1
                else "is an English word, not a French one"
            )
            notes.append(
                Note(
                    NoteKind.ENGLISH,
                    f"this looks like English ({listed} {what}); the model translates "
                    "French into English",
                )
            )
        if unknown and all(i == UNK for i, t in zip(ids, tokens, strict=True) if t.isalpha()):
            nothing = (
                f"none of the words is in the model's French vocabulary "
                f"({len(self.src_vocab.content_words):,} words); is it French?"
            )
            return ids, unknown, suggestions, notes, nothing
        if unknown:
            notes.append(
                Note(
                    NoteKind.UNKNOWN,
                    f"{len(unknown)} unknown word(s) read as {SPECIALS[UNK]}: "
                    + ", ".join(unknown[:MAX_SUGGESTED]),
                )
            )
        return ids, unknown, suggestions, notes, ""

    def suggest(self, word: str, n: int = 3) -> list[str]:
        """Up to ``n`` in-vocabulary French words close to ``word`` (difflib ratio >= 0.7)."""
        if word not in self._close_cache:
            self._close_cache[word] = difflib.get_close_matches(
                word, self.src_vocab.content_words, n=n, cutoff=0.7
            )
        return self._close_cache[word]


def _decoders(model) -> tuple:
    """(greedy, beam_search) for ``model``: numpy for ``Seq2SeqNumpy``, else torch's."""
    if isinstance(model, Seq2SeqNumpy):
        return np_greedy, np_beam_search
    from core.seq2seq import decode  # torch, only for a torch model

    return decode.greedy, decode.beam_search


class Translator(LoadedModel):
    """The GRU encoder-decoder with attention, loaded: ``model`` is a ``Seq2SeqNumpy`` (what
    ``load_translator`` gives) or a torch ``Seq2Seq``.  Thread-compatible for reading."""

    def _empty(
        self,
        source: list[str],
        unknown: list[str],
        notes: list[Note],
        beam: int,
        t0: float,
        suggestions: dict[str, list[str]] | None = None,
    ) -> Translation:
        """No output words; ``notes`` say why (the first one of kind NOTHING or FAILED)."""
        return Translation(
            words=[],
            attention=readonly(np.zeros((0, len(source))), np.float32),
            source=source,
            unknown=unknown,
            suggestions=suggestions or {},
            notes=tuple(notes),
            beam=beam,
            seconds=time.perf_counter() - t0,
        )

    def translate(self, text: str, beam: int = 1, top_k: int = TOP_K) -> Translation:
        """Translate French ``text`` with greedy decoding (``beam`` = 1) or beam search.

        Never raises for any ``text``: the input is normalised like the training data; empty
        input, input with no letters, input longer than the model's sentences (cut to the first
        ``MAX_SOURCE_TOKENS`` tokens) and unknown words are reported in ``notes``.  ``beam``
        outside 1..10 is clamped (and reported).
        """
        t0 = time.perf_counter()
        notes: list[Note] = []
        try:
            b = int(beam)
        except (TypeError, ValueError, OverflowError):
            b = 1
            notes.append(
                Note(NoteKind.ADJUSTED, f"beam {beam!r} is not a number; used greedy decoding")
            )
        if not 1 <= b <= MAX_BEAM:
            used = min(max(b, 1), MAX_BEAM)
            notes.append(
                Note(NoteKind.ADJUSTED, f"beam {b} is outside 1 to {MAX_BEAM}; used {used}")
            )
            b = used
        try:
            return self._translate(text, b, max(1, int(top_k)), notes, t0)
        except Exception as exc:  # the contract is: never raise on input
            failed = Note(NoteKind.FAILED, f"could not translate: {type(exc).__name__}: {exc}")
            return self._empty([], [], [failed], b, t0)

    def _translate(self, text, beam: int, top_k: int, notes: list[Note], t0: float) -> Translation:
        src = prepare_source(text, normalize_string, MAX_SOURCE_TOKENS)
        notes.extend(src.notes)
        if src.nothing:
            return self._empty([], [], [Note(NoteKind.NOTHING, src.nothing), *notes], beam, t0)
        tokens = src.tokens
        ids, unknown, suggestions, read_notes, nothing = self.read_words(tokens)
        notes.extend(read_notes)
        if nothing:
            return self._empty(
                tokens, unknown, [Note(NoteKind.NOTHING, nothing), *notes], beam, t0, suggestions
            )
        greedy, beam_search = _decoders(self.model)
        if beam == 1:
            d = greedy(self.model, ids, MAX_DECODE_STEPS, top_k)
        else:
            d = beam_search(self.model, ids, beam, MAX_DECODE_STEPS, top_k)[0]
        if not d.ended:
            notes.append(
                Note(
                    NoteKind.UNFINISHED,
                    f"stopped after {MAX_DECODE_STEPS} words without an end of sentence",
                )
            )
        return self._result(d, tokens, unknown, suggestions, notes, beam, t0)

    def _result(
        self,
        d: Decoded,
        tokens: list[str],
        unknown: list[str],
        suggestions: dict[str, list[str]],
        notes: list[Note],
        beam: int,
        t0: float,
    ) -> Translation:
        n = d.n_words
        words = [self.tgt_vocab.words[int(i)] for i in d.ids[:n]]
        steps = []
        for t in range(len(d.ids)):
            alts = [
                (self.tgt_vocab.words[int(i)], float(p))
                for i, p in zip(d.top_ids[t], d.top_probs[t], strict=True)
            ]
            w = "<eos>" if int(d.ids[t]) == EOS else self.tgt_vocab.words[int(d.ids[t])]
            steps.append(Step(w, float(np.exp(d.logprobs[t])), alts))
        return Translation(
            words=words,
            attention=readonly(d.attention[:n], np.float32),
            source=list(tokens),
            unknown=unknown,
            suggestions=suggestions,
            steps=steps,
            notes=tuple(notes),
            score=float(d.score),
            beam=beam,
            ended=d.ended,
            seconds=time.perf_counter() - t0,
        )


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Translator:
    weights, cfg, src_vocab, tgt_vocab, meta = load_np(
        path, GRU_FORMAT, "seq2seq", ModelConfig, param_shapes
    )
    return Translator(Seq2SeqNumpy(weights, cfg), src_vocab, tgt_vocab, meta, Path(path))


KINDS = ("gru", "transformer")


def load_translator(path: str | Path | None = None, kind: str = "gru"):
    """The translator of the checkpoint at ``path``, loaded once per process and path.

    ``kind="gru"`` (default: the shipped GRU + attention in ``assets/seq2seq/model``) or
    ``kind="transformer"`` (default: ``assets/transformer/model``); both have the same
    ``.translate(text, beam)`` contract.  Raises ``ValueError`` for an unknown kind or a missing
    or corrupted checkpoint."""
    if kind == "transformer":
        from core.transformer.translator import load_transformer_translator

        return load_transformer_translator(path)
    if kind != "gru":
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}.")
    p = Path(DEFAULT_CHECKPOINT if path is None else path).resolve()
    return _load(str(p))

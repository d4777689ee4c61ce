"""The shipped transformer translator: any string in, a ``Translation`` out, never an exception.

    from core.transformer import load_transformer_translator
    tr = load_transformer_translator()              # assets/transformer/model, once per process
    out = tr.translate("Je suis très fatigué.", beam=1)
    out.words, out.attention, out.source, out.unknown, out.suggestions, out.steps, out.notes

The contract is the GRU translator's (``core.seq2seq.translator``), with its ``Translation``
and ``Step`` result types: the same normalisation, the same handling of empty input, input
without letters, over-long input (cut to the first ``MAX_LENGTH`` tokens), odd beam widths,
English input and unknown words (read as ``<unk>``, listed, with up to three close French words
each), and the same notes on the input (kind and text; ``message`` joins their texts).  The
input handling is this module's own copy of that logic (the GRU module keeps it in private
methods), so that both models answer alike.  Notes are made as (kind, text) pairs with the kind
names of ``core.seq2seq.translation.NoteKind``; a ``Translation`` type without notes gets their
texts as its ``message``.

No torch here: ``load_transformer_translator`` reads the checkpoint with ``core.checkpoint_np``
into the numpy model (``core.transformer.np_model``) and decodes with
``core.transformer.np_decode``, so the web server never imports torch for the transformer.  A
``TransformerTranslator`` built on a torch ``Transformer`` (training, tests) decodes with
``core.transformer.decode`` instead (torch is then already imported).

``Translation.attention`` is the cross-attention of the *last* decoder layer averaged over its
heads (rows sum to 1), the map comparable with the GRU's single attention.  Every layer and head,
the decoder's masked self-attention and the encoder's self-attention are in the ``DecodeTrace``
returned by ``TransformerTranslator.trace``.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from pathlib import Path

import numpy as np

from core.checkpoint_files import TRANSFORMER_FORMAT
from core.checkpoint_np import load_np
from core.seq2seq.data import (
    EOS,
    MAX_LENGTH,
    PROJECT_ROOT,
    normalize_string,
)
from core.seq2seq.translation import prepare_source
from core.seq2seq.translator import LoadedModel, Step, Translation
from core.transformer import np_decode
from core.transformer.config import TransformerConfig, param_shapes
from core.transformer.np_decode import MAX_BEAM, MAX_DECODE_STEPS, TOP_K, DecodeTrace
from core.transformer.np_model import NumpyTransformer

DEFAULT_TRANSFORMER_CHECKPOINT = PROJECT_ROOT / "assets" / "transformer" / "model"
MAX_SOURCE_TOKENS = MAX_LENGTH  # the model saw fewer than MAX_LENGTH tokens per sentence

# the kinds of notes on the input (the values of core.seq2seq.translation.NoteKind)
NOTHING, ADJUSTED, ENGLISH, UNKNOWN, UNFINISHED, FAILED = (
    "nothing",
    "adjusted",
    "english",
    "unknown",
    "unfinished",
    "failed",
)
_HAS_NOTES = "notes" in {f.name for f in dataclasses.fields(Translation)}


def _translation(notes: list[tuple[str, str]], attention: np.ndarray, **fields) -> Translation:
    """A ``Translation`` with read-only float32 ``attention`` and the notes on the input."""
    a = np.array(attention, dtype=np.float32)  # a copy: the caller's array stays writable
    a.setflags(write=False)
    if _HAS_NOTES:
        return Translation(attention=a, notes=tuple(notes), **fields)
    return Translation(attention=a, message="; ".join(t for _, t in notes), **fields)


def _decoders(model) -> tuple:
    """(greedy, beam_search) for ``model``: numpy for a ``NumpyTransformer``, else torch's."""
    if isinstance(model, NumpyTransformer):
        return np_decode.greedy, np_decode.beam_search
    from core.transformer import decode  # torch, only for a torch model

    return decode.greedy, decode.beam_search


class TransformerTranslator(LoadedModel):
    """A loaded transformer with its vocabularies (inference only): ``model`` is a
    ``NumpyTransformer`` (what ``load_transformer_translator`` gives) or a torch
    ``Transformer``."""

    kind = "transformer"

    # ----------------------------------------------------------------------------------------

    def translate(self, text, beam: int = 1, top_k: int = TOP_K) -> Translation:
        """Translate French ``text`` with greedy decoding (``beam`` = 1) or beam search.

        Never raises for any ``text``: see the module docstring.  ``beam`` outside 1..10 is
        clamped and a beam that is not a number means greedy decoding (both noted).
        """
        return self._run(text, beam, top_k)[0]

    def trace(
        self, text, beam: int = 1, top_k: int = TOP_K
    ) -> tuple[Translation, DecodeTrace | None]:
        """``translate`` plus the full ``DecodeTrace`` of the output (None when nothing was
        decoded: empty input, no known word, or an internal error)."""
        return self._run(text, beam, top_k)

    def _run(self, text, beam, top_k) -> tuple[Translation, DecodeTrace | None]:
        t0 = time.perf_counter()
        notes: list[tuple[str, str]] = []
        try:
            b = int(beam)
        except (TypeError, ValueError, OverflowError):
            b = 1
            notes.append((ADJUSTED, f"beam {beam!r} is not a number; used greedy decoding"))
        if not 1 <= b <= MAX_BEAM:
            used = min(max(b, 1), MAX_BEAM)
            notes.append((ADJUSTED, f"beam {b} is outside 1 to {MAX_BEAM}; used {used}"))
            b = used
        try:
            k = max(1, min(int(top_k), len(self.tgt_vocab)))
        except (TypeError, ValueError, OverflowError):
            k = TOP_K
        try:
            return self._translate(text, b, k, notes, t0)
        except Exception as exc:  # noqa: BLE001 - the contract is: never raise on input
            failed = (FAILED, f"could not translate: {type(exc).__name__}: {exc}")
            return self._empty([], [], [failed], b, t0), None

    def _empty(self, source, unknown, notes, beam, t0, suggestions=None) -> Translation:
        """No output words; ``notes`` say why (the first one of kind NOTHING or FAILED)."""
        return _translation(
            notes,
            np.zeros((0, len(source))),
            words=[],
            source=list(source),
            unknown=list(unknown),
            suggestions=suggestions or {},
            beam=beam,
            seconds=time.perf_counter() - t0,
        )

    def _translate(self, text, beam, top_k, notes, t0):
        src = prepare_source(text, normalize_string, MAX_SOURCE_TOKENS)
        notes.extend(src.notes)
        if src.nothing:
            return self._empty([], [], [(NOTHING, src.nothing), *notes], beam, t0), None
        tokens = src.tokens
        ids, unknown, suggestions, read_notes, nothing = self.read_words(tokens)
        notes.extend(read_notes)
        if nothing:
            return self._empty(
                tokens, unknown, [(NOTHING, nothing), *notes], beam, t0, suggestions
            ), None
        greedy, beam_search = _decoders(self.model)
        if beam == 1:
            d = greedy(self.model, ids, MAX_DECODE_STEPS, top_k)
        else:
            d = beam_search(self.model, ids, beam, MAX_DECODE_STEPS, top_k)[0]
        if not d.ended:
            notes.append(
                (UNFINISHED, f"stopped after {MAX_DECODE_STEPS} words without an end of sentence")
            )
        return self._result(d, tokens, unknown, suggestions, notes, beam, t0), d

    def _result(self, d: DecodeTrace, tokens, unknown, suggestions, notes, beam, t0):
        n = d.n_words
        vocab = self.tgt_vocab.words
        steps = []
        for t in range(len(d.ids)):
            alts = [
                (vocab[int(i)], float(p)) for i, p in zip(d.top_ids[t], d.top_probs[t], strict=True)
            ]
            w = "<eos>" if int(d.ids[t]) == EOS else vocab[int(d.ids[t])]
            steps.append(Step(w, float(np.exp(d.logprobs[t])), alts))
        return _translation(
            notes,
            d.attention[:n],
            words=[vocab[int(i)] for i in d.ids[:n]],
            source=list(tokens),
            unknown=unknown,
            suggestions=suggestions,
            steps=steps,
            score=float(d.score),
            beam=beam,
            ended=d.ended,
            seconds=time.perf_counter() - t0,
        )


@functools.lru_cache(maxsize=4)
def _load(path: str) -> TransformerTranslator:
    weights, cfg, src_vocab, tgt_vocab, meta = load_np(
        path, TRANSFORMER_FORMAT, "transformer", TransformerConfig, param_shapes
    )
    model = NumpyTransformer(weights, cfg)
    return TransformerTranslator(model, src_vocab, tgt_vocab, meta, Path(path))


def load_transformer_translator(path: str | Path | None = None) -> TransformerTranslator:
    """The transformer translator of the checkpoint at ``path`` (default: the shipped one in
    ``assets/transformer/model``), loaded once per process and path, as a numpy model (no
    torch).  Raises ``ValueError`` for a missing or corrupted checkpoint (the messages of
    ``core.checkpoint.load``)."""
    p = Path(DEFAULT_TRANSFORMER_CHECKPOINT if path is None else path).resolve()
    return _load(str(p))

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
    out.message      # what was done about odd input ("" when nothing)

Modules: ``data`` (reading, normalisation, filter, vocabularies, split), ``model`` (encoder,
attention decoder, checkpoints), ``decode`` (greedy, batched greedy, beam search), ``evaluate``
(BLEU, exact match), ``train`` (``python -m core.seq2seq.train``), ``recipe`` (the exercise's
own training recipe, the benchmark's baseline), ``translator`` (the public entry point).
Importing this package imports torch.
"""

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
from core.seq2seq.decode import Decoded, beam_search, greedy, greedy_batch
from core.seq2seq.evaluate import EvalReport, corpus_bleu, evaluate
from core.seq2seq.model import ModelConfig, Seq2Seq, load_checkpoint, save_checkpoint
from core.seq2seq.translator import (
    DEFAULT_CHECKPOINT,
    Step,
    Translation,
    Translator,
    load_translator,
)

__all__ = [
    "DEFAULT_CHECKPOINT",
    "DEFAULT_DATA",
    "ENG_PREFIXES",
    "MAX_LENGTH",
    "CorpusError",
    "Decoded",
    "EvalReport",
    "ModelConfig",
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

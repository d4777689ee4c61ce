"""Settings of the translation model that pages read before torch loads: the network's sizes
(``ModelConfig``, ``default_cutoffs``), how to train it (``TrainConfig``), what a validation
round reports (``HistoryRow``), the beam width limit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from core.numerics import is_int, is_number

MAX_BEAM = 10  # widest beam search (``core.seq2seq.decode.beam_search``)


@dataclass(frozen=True)
class ModelConfig:
    """Sizes of the network.

    src_vocab, tgt_vocab   vocabulary sizes (with the 4 specials)
    emb                    embedding size E (source and target)
    hidden                 decoder hidden size H; each encoder direction has H units too
    bidirectional          encoder reads both ways (D = 2) or left to right only (D = 1)
    attn                   attention size A of the additive score (0: same as H)
    out                    size O of the deep output layer before the softmax (0: same as H)
    cutoffs                an adaptive softmax (Grave et al. 2017) when not empty: the words
                           below cutoffs[0] (the most frequent; ids are sorted by frequency)
                           form the head with one entry per tail cluster, and the rarer words
                           sit in tail clusters of O/4, O/16 ... dimensions.  The distribution
                           is still exact and normalised; it is several times cheaper to train
                           than the full V x O softmax layer, the costliest part of training.
    dropout                dropout on embeddings and on the output layer's input
    """

    src_vocab: int
    tgt_vocab: int
    emb: int = 256
    hidden: int = 256
    bidirectional: bool = True
    attn: int = 0
    out: int = 0
    cutoffs: tuple[int, ...] = ()
    dropout: float = 0.2

    def __post_init__(self) -> None:
        for name in ("src_vocab", "tgt_vocab", "emb", "hidden", "attn", "out"):
            v = getattr(self, name)
            lo = 0 if name in ("attn", "out") else (5 if "vocab" in name else 1)
            if not is_int(v) or not lo <= v <= 1_000_000:
                raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}.")
            object.__setattr__(self, name, int(v))  # numpy ints too: the config goes to JSON
        if not isinstance(self.bidirectional, bool):
            raise ValueError(f"bidirectional must be True or False, got {self.bidirectional!r}.")
        c = (0, *self.cutoffs, self.tgt_vocab - 1)
        if any(not is_int(x) for x in self.cutoffs) or any(
            a >= b for a, b in zip(c, c[1:], strict=False)
        ):
            raise ValueError(
                f"cutoffs must be increasing integers between 1 and "
                f"tgt_vocab - 2, got {self.cutoffs!r}."
            )
        object.__setattr__(self, "cutoffs", tuple(int(x) for x in self.cutoffs))
        if not is_number(self.dropout) or not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be a number in [0, 1), got {self.dropout!r}.")
        object.__setattr__(self, "dropout", float(self.dropout))

    @property
    def D(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def A(self) -> int:
        return self.attn or self.hidden

    @property
    def O(self) -> int:  # noqa: E743 - the output layer's size
        return self.out or self.hidden


def default_cutoffs(tgt_vocab: int) -> tuple[int, ...]:
    """Adaptive-softmax clusters for a frequency-sorted vocabulary: the 200 most frequent ids
    (about 85 % of English tokens here) in the head, then ids 200-799, then the rest.  A
    vocabulary of 400 words or fewer gets the plain softmax."""
    if tgt_vocab <= 400:
        return ()
    return tuple(c for c in (200, 800) if c < tgt_vocab - 1)


class HistoryRow(TypedDict):
    """One validation round of ``core.seq2seq.train.train``.

    round       validation rounds so far (1, 2, ...)
    epoch       the epoch the round ended in (1, 2, ...)
    phase       1 with the extra data, 2 on the filtered pairs only
    train_loss  mean cross-entropy (nats per target word) of the round's batches, dropout on
    val_loss    the same on the validation pairs after the round, dropout off
    val_bleu    corpus BLEU-4 (percent) of greedy validation translations
    val_exact   fraction of validation translations equal to the reference
    lr          the learning rate at the end of the round
    seconds     since training began
    pairs_per_s training pairs per second of the round (validation excluded)
    """

    round: int
    epoch: int
    phase: int
    train_loss: float
    val_loss: float
    val_bleu: float
    val_exact: float
    lr: float
    seconds: float
    pairs_per_s: float


@dataclass(frozen=True)
class TrainConfig:
    """How to train.

    emb, hidden, bidirectional, attn, out, dropout   model sizes (see ``ModelConfig``)
    adaptive         adaptive softmax with ``default_cutoffs`` (else the full softmax)
    batch            sentence pairs per step
    lr               Adam learning rate (see ``decay``)
    epochs           upper bound on epochs
    minutes          wall-clock budget for the training loop (evaluation included)
    patience         stop after this many epochs without a better validation score
    monitor          "bleu" (validation BLEU, higher is better) or "loss" (validation loss)
    clip             gradient-norm clipping
    label_smoothing  of the cross-entropy
    word_dropout     probability of replacing a source token by UNK while training
    teacher_forcing  probability of feeding the reference token (1.0: always; below 1 the
                     model's own greedy token is fed at that step for the whole batch)
    seed             seeds the split, the initialisation and the batch order
    split_by         "source" (no French sentence in two parts) or "pair" (see ``split_pairs``)
    extra_data       also train on the corpus' other short pairs (no English-prefix filter),
                     minus every pair sharing a sentence with the validation or test part
    in_domain_repeat times the filtered training pairs occur per epoch
    min_count        extra-data words need this many occurrences to enter the vocabulary
    eval_every       validate every this many training pairs (0: once per epoch)
    extra_minutes    with extra data: after this many minutes (or ``patience`` validations
                     without progress) training goes on with the filtered pairs only, which
                     tunes the model to the exercise's sentences
    ema              decay of the moving average of the weights that is validated and kept
                     (0: the raw weights); restarted when the filtered-only phase begins
    decay            in the filtered-only phase, lower the learning rate linearly to 5 % at the
                     end of the time budget (else: halve it after ``lr_patience`` validations
                     without progress)
    """

    emb: int = 256
    hidden: int = 256
    bidirectional: bool = True
    attn: int = 0
    out: int = 0
    adaptive: bool = True
    dropout: float = 0.3
    batch: int = 64
    lr: float = 2e-3
    epochs: int = 60
    minutes: float = 9.3
    patience: int = 8
    lr_patience: int = 3
    monitor: str = "bleu"
    clip: float = 1.0
    label_smoothing: float = 0.1
    word_dropout: float = 0.1
    teacher_forcing: float = 1.0
    seed: int = 0
    split_by: str = "source"
    extra_data: bool = True
    in_domain_repeat: int = 2
    min_count: int = 3
    eval_every: int = 20_000
    extra_minutes: float = 3.5
    ema: float = 0.995
    decay: bool = True

    def __post_init__(self) -> None:
        if self.split_by not in ("source", "pair"):
            raise ValueError(f'split_by must be "source" or "pair", got {self.split_by!r}.')
        if self.monitor not in ("bleu", "loss"):
            raise ValueError(f'monitor must be "bleu" or "loss", got {self.monitor!r}.')
        positive = ("emb", "hidden", "batch", "epochs", "patience", "lr_patience")
        for name in (*positive, "in_domain_repeat", "min_count"):
            v = getattr(self, name)
            if not is_int(v) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}.")
        for name in ("dropout", "label_smoothing", "word_dropout"):
            v = getattr(self, name)
            if not is_number(v) or not 0 <= v < 1:
                raise ValueError(f"{name} must be in [0, 1), got {v!r}.")
        if not is_number(self.ema) or not 0 <= self.ema < 1:
            raise ValueError(f"ema must be in [0, 1), got {self.ema!r}.")
        tf = self.teacher_forcing
        if not is_number(tf) or not 0 <= tf <= 1:
            raise ValueError(f"teacher_forcing must be in [0, 1], got {tf!r}.")
        if not (self.lr > 0 and self.clip > 0 and self.minutes > 0):
            raise ValueError("lr, clip and minutes must be positive.")
        plain_numbers(self)


def plain_numbers(cfg: object) -> None:
    """Turn numpy numbers in a checked frozen config into Python ones (configs go to JSON)."""
    for name, v in vars(cfg).items():
        if is_int(v):
            object.__setattr__(cfg, name, int(v))
        elif is_number(v):
            object.__setattr__(cfg, name, float(v))

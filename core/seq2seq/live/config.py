"""What a live training does (``LiveConfig``) and about how long it takes (``estimate_seconds``).

No torch here: the Train page validates its settings and shows the estimate before torch loads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.numerics import is_int, is_number
from core.seq2seq.config import TrainConfig, plain_numbers

MAX_MINUTES = 10.0  # hard upper bound of a job's training time
DEFAULT_MINUTES = 3.0
MAX_EPOCHS = 100
MIN_HIDDEN, MAX_HIDDEN = 8, 512
# Measured training pairs per second on one thread (x86-64, 2.x GHz), all 6,761 training
# pairs, teacher forcing 1; validation rounds excluded.  Only used for time estimates.
PAIRS_PER_S = {32: 4200.0, 64: 3200.0, 128: 2200.0, 256: 850.0}
# Seconds per validation round (300 sentences, greedy BLEU and loss) by hidden size, early in
# training (an untrained model writes the longest outputs).
VAL_SECONDS = {32: 0.12, 64: 0.17, 128: 0.28, 256: 0.6}
MIN_ROUND_PAIRS = 1000
# Bounds that keep one job inside the training worker's memory (core.seq2seq.live.worker):
MAX_VOCAB = 20_000  # words per language kept (the most frequent); the others read as UNK
MAX_MODEL_MB = 400  # weights, gradients, Adam's two moments and the weight average
BYTES_PER_PARAMETER = 5 * 4  # float32: weights, gradients, Adam m and v, EMA copy
FREE_RUNNING_SLOWDOWN = 1.4  # training with teacher forcing below 1 steps the decoder


@dataclass(frozen=True)
class LiveConfig:
    """What a live training does.

    pairs            training pairs used (a seeded random subset of the split's training part;
                     0 or more than there are: all of them)
    epochs           passes over those pairs (1 to MAX_EPOCHS)
    teacher_forcing  probability of feeding the reference word to the decoder while training
                     (1: always; below 1 the model's own guess at some steps, slower)
    hidden           GRU size H of encoder (each direction) and decoder; embeddings have H too
    minutes          wall-clock cap of the training loop (validation included), at most
                     MAX_MINUTES
    seed             the split, the subset, the initialisation and the batch order
    exercise_filter  keep only pairs whose English side starts with "i am", "he is" ... (the
                     exercise's filter); both sides always have fewer than 10 words
    batch, lr        Adam on batches of this many pairs
    ema              decay of the weight average that is validated and kept (0: raw weights)
    val_pairs        validation sentences scored after every round (an evenly spread subset)
    samples          validation sentences whose translations are shown as training goes
    test_pairs       test sentences scored at the end (an evenly spread subset; bounds the
                     scoring time for a large upload)
    """

    pairs: int = 0
    epochs: int = 30
    teacher_forcing: float = 1.0
    hidden: int = 128
    minutes: float = DEFAULT_MINUTES
    seed: int = 0
    exercise_filter: bool = True
    batch: int = 64
    lr: float = 2e-3
    ema: float = 0.99
    val_pairs: int = 300
    samples: int = 5
    test_pairs: int = 2000

    def __post_init__(self) -> None:
        if not is_int(self.pairs) or self.pairs < 0:
            raise ValueError(
                f"The number of training pairs must be a whole number >= 0 "
                f"(0: all), got {self.pairs!r}."
            )
        if not is_int(self.epochs) or not 1 <= self.epochs <= MAX_EPOCHS:
            raise ValueError(
                f"Epochs must be a whole number from 1 to {MAX_EPOCHS}, got {self.epochs!r}."
            )
        tf = self.teacher_forcing
        if not is_number(tf) or not 0 <= tf <= 1:
            raise ValueError(f"The teacher forcing ratio must be a number from 0 to 1, got {tf!r}.")
        if not is_int(self.hidden) or not MIN_HIDDEN <= self.hidden <= MAX_HIDDEN:
            raise ValueError(
                f"The hidden size must be a whole number from {MIN_HIDDEN} to "
                f"{MAX_HIDDEN}, got {self.hidden!r}."
            )
        m = self.minutes
        if not is_number(m) or not math.isfinite(m) or not 0 < m <= MAX_MINUTES:
            raise ValueError(
                f"The time cap must be more than 0 and at most {MAX_MINUTES:g} minutes, got {m!r}."
            )
        if not is_int(self.seed) or not 0 <= self.seed < 2**31:
            raise ValueError(
                f"The seed must be a whole number from 0 to 2^31 - 1, got {self.seed!r}."
            )
        if not isinstance(self.exercise_filter, bool):
            raise ValueError(
                f"exercise_filter must be True or False, got {self.exercise_filter!r}."
            )
        if not is_int(self.batch) or not 1 <= self.batch <= 1024:
            raise ValueError(
                f"The batch size must be a whole number from 1 to 1024, got {self.batch!r}."
            )
        if not is_number(self.lr) or not 0 < self.lr <= 1:
            raise ValueError(f"The learning rate must be in (0, 1], got {self.lr!r}.")
        if not is_number(self.ema) or not 0 <= self.ema < 1:
            raise ValueError(f"ema must be in [0, 1), got {self.ema!r}.")
        for name in ("val_pairs", "samples", "test_pairs"):
            v = getattr(self, name)
            if not is_int(v) or not 1 <= v <= 100_000:
                raise ValueError(f"{name} must be a positive whole number, got {v!r}.")
        plain_numbers(self)

    def rounds_per_epoch(self, n_train: int) -> int:
        """Validation rounds per epoch: about 40 points over the run, 1 to 4 per epoch, and
        at least MIN_ROUND_PAIRS training pairs between two of them when there are that many
        (a validation round costs about as much as training on 500 pairs)."""
        k = min(4, max(1, round(40 / self.epochs)))
        return max(1, min(k, n_train // MIN_ROUND_PAIRS))

    def train_config(self, n_train: int) -> TrainConfig:
        """The ``TrainConfig`` of a live run on ``n_train`` training pairs: a bidirectional
        GRU model with embeddings of the hidden size, the filtered pairs only, no early
        stopping (the epochs and the time cap decide), the learning rate halved when the
        validation BLEU stalls for 3 rounds, no label smoothing (so the training and
        validation losses measure the same thing)."""
        k = self.rounds_per_epoch(n_train)
        return TrainConfig(
            emb=self.hidden,
            hidden=self.hidden,
            bidirectional=True,
            adaptive=True,
            dropout=0.3,
            batch=self.batch,
            lr=float(self.lr),
            epochs=self.epochs,
            minutes=float(self.minutes),
            patience=10**6,
            lr_patience=3 * k,
            monitor="bleu",
            clip=1.0,
            label_smoothing=0.0,
            word_dropout=0.1,
            teacher_forcing=float(self.teacher_forcing),
            seed=self.seed,
            split_by="source",
            extra_data=False,
            in_domain_repeat=1,
            min_count=1,
            eval_every=math.ceil(max(1, n_train) / k),
            ema=float(self.ema),
            decay=False,
        )


def estimate_seconds(n_train: int, cfg: LiveConfig) -> float:
    """A rough training time (one thread) for ``cfg`` on ``n_train`` pairs, without the cap:
    the tabled throughput (interpolated in the hidden size), FREE_RUNNING_SLOWDOWN times slower
    without full teacher forcing, plus the tabled time per validation round."""
    sizes = sorted(PAIRS_PER_S)
    rate = float(np.interp(cfg.hidden, sizes, [PAIRS_PER_S[s] for s in sizes]))  # clamped
    if cfg.teacher_forcing < 1:
        rate /= FREE_RUNNING_SLOWDOWN
    rounds = cfg.epochs * cfg.rounds_per_epoch(n_train)
    val = VAL_SECONDS[min(sizes, key=lambda s: abs(s - cfg.hidden))]
    return cfg.epochs * n_train / rate + val * rounds


def epochs_within_cap(n_train: int, cfg: LiveConfig) -> int | None:
    """About how many epochs the time cap lets ``cfg`` train on ``n_train`` pairs (at least 1);
    None when all of ``cfg.epochs`` fit."""
    est = estimate_seconds(n_train, cfg)
    cap = cfg.minutes * 60
    return None if est <= cap else max(1, int(cfg.epochs * cap / est))


def parameter_estimate(hidden: int, n_src: int, n_tgt: int) -> int:
    """About how many parameters the live model has (bidirectional GRU encoder, GRU decoder
    with attention and a deep output, embeddings of the hidden size, an adaptive softmax that
    costs about a quarter of a hidden-size vector per target word beyond its embedding): the
    embeddings and the output grow with the vocabularies, the recurrent layers with hidden².
    Checked against the real count in the tests."""
    return int((n_src + 1.25 * n_tgt) * hidden + 24 * hidden * hidden)


def model_megabytes(hidden: int, n_src: int, n_tgt: int) -> float:
    """Training memory of the weights and the optimizer state in MB (2**20 bytes)."""
    return parameter_estimate(hidden, n_src, n_tgt) * BYTES_PER_PARAMETER / 2**20


def too_big(hidden: int, n_src: int, n_tgt: int) -> str:
    """Why a training of this size is refused ("" when it fits MAX_MODEL_MB), in words."""
    mb = model_megabytes(hidden, n_src, n_tgt)
    if mb <= MAX_MODEL_MB:
        return ""
    millions = parameter_estimate(hidden, n_src, n_tgt) / 1e6
    return (
        f"This training would need about {mb:,.0f} MB for its model and optimizer "
        f"({millions:.1f} million parameters: hidden size {hidden}, vocabularies of "
        f"{n_src:,} French and {n_tgt:,} English words), more than the {MAX_MODEL_MB} MB a "
        "training may use on this server. Choose a smaller hidden size, fewer pairs or the "
        "exercise's filter."
    )

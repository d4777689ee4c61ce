"""Live training for the Train page: one training at a time per server, in a background thread.

    from core.seq2seq.live import LiveConfig, TrainingQueue, prepare_corpus
    corpus = prepare_corpus(None)                 # the shared corpus with the exercise's filter
    queue = TrainingQueue()                       # one per server process
    job = queue.submit(corpus.pairs, LiveConfig(epochs=5), owner="a1b2", label="Ada")
    s = queue.status(job)   # JobStatus: state, position, progress, history, samples, test BLEU
    queue.stop(job)         # the running job ends after its current batch, with a checkpoint
    queue.cancel(job)       # a waiting job leaves the line

Modules, one concept each:

    config    LiveConfig (the settings, checked), estimate_seconds, epochs_within_cap
    corpus    Corpus, prepare_corpus, make_split, spread, sample_pairs
    jobs      JobState / Phase / EndedBy enums, LiveRow, Sample, JobStatus, JobRecord
    queue     TrainingQueue (the line and its worker thread), QueueError
    pipeline  run_job: train, watch, score and save one job (the only one importing torch)
    export    checkpoint_zip (a checkpoint as a download)

Importing this package does not import torch; the queue's worker imports the pipeline (and
torch) when the first job starts.
"""

from core.seq2seq.live.config import (
    DEFAULT_MINUTES,
    MAX_EPOCHS,
    MAX_HIDDEN,
    MAX_MINUTES,
    MIN_HIDDEN,
    LiveConfig,
    epochs_within_cap,
    estimate_seconds,
)
from core.seq2seq.live.corpus import (
    MIN_PAIRS,
    Corpus,
    make_split,
    prepare_corpus,
    sample_pairs,
    spread,
)
from core.seq2seq.live.export import checkpoint_zip
from core.seq2seq.live.jobs import EndedBy, JobState, JobStatus, LiveRow, Phase, Sample
from core.seq2seq.live.queue import QueueError, TrainingQueue

__all__ = [
    "DEFAULT_MINUTES",
    "MAX_EPOCHS",
    "MAX_HIDDEN",
    "MAX_MINUTES",
    "MIN_HIDDEN",
    "MIN_PAIRS",
    "Corpus",
    "EndedBy",
    "JobState",
    "JobStatus",
    "LiveConfig",
    "LiveRow",
    "Phase",
    "QueueError",
    "Sample",
    "TrainingQueue",
    "checkpoint_zip",
    "epochs_within_cap",
    "estimate_seconds",
    "make_split",
    "prepare_corpus",
    "sample_pairs",
    "spread",
]

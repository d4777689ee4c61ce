"""What the Train page says: durations, settings lines, job titles and status sentences.

Plain functions of core's values (``LiveConfig``, ``JobStatus``): no Streamlit here, so the
wording can be read and tested on its own.  Sentences are Markdown; text that comes from a
user (a name, a file name, an error about a file) goes through ``ui.controls.plain`` so that it
is shown literally, never as a link, an image or formatting.
"""

from __future__ import annotations

import time

from core.seq2seq.live.config import LiveConfig, epochs_within_cap, estimate_seconds
from core.seq2seq.live.corpus import Corpus
from core.seq2seq.live.jobs import EndedBy, JobStatus, Phase
from ui.controls import plain


# ---------------------------------------------------------------- small pieces
def duration(seconds: float | None) -> str:
    """'45 s', '2 min 05 s', '12 min'; 'under 1 s' below half a second."""
    if seconds is None:
        return "?"
    s = max(0, int(round(seconds)))
    if s == 0:
        return "under 1 s"
    if s < 60:
        return f"{s} s"
    m, s = divmod(s, 60)
    return f"{m} min {s:02d} s" if m < 10 else f"{m} min"


def ago(timestamp: float | None, now: float | None = None) -> str:
    """'2 min 05 s ago' ("" for None)."""
    if timestamp is None:
        return ""
    return duration((time.time() if now is None else now) - timestamp) + " ago"


def ordinal(n: int) -> str:
    """'1st', '2nd', '3rd', '4th', '11th', '22nd'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def plural(n: int, word: str) -> str:
    """'1 epoch', '6,761 pairs'."""
    return f"{n:,} {word}{'s' * (n != 1)}"


def config_line(cfg: LiveConfig, n_train: int | None = None) -> str:
    """One line: '6,761 pairs · 30 epochs · hidden 128 · teacher forcing 1 · cap 3 min'."""
    n = n_train if n_train is not None else cfg.pairs
    pairs = plural(n, "pair") if n else "all pairs"
    return (
        f"{pairs} · {plural(cfg.epochs, 'epoch')} · hidden {cfg.hidden} · teacher forcing "
        f"{cfg.teacher_forcing:g} · cap {cfg.minutes:g} min"
    )


def job_title(s: JobStatus) -> str:
    """'job #3 (Ada)', escaped for Markdown."""
    return f"job #{s.id}" + (f" ({plain(s.label)})" if s.label else "")


def model_label(s: JobStatus) -> str:
    """How the Translate page names a trained job's model, e.g.
    'your model: hidden 128, 30 epochs, test BLEU 52.4' (plain text, not Markdown)."""
    ep = s.epochs_done
    if ep >= s.config.epochs - 1e-6:
        ep_txt = plural(s.config.epochs, "epoch")
    else:
        ep_txt = f"{ep:.1f} epochs"
    bleu = f", test BLEU {s.test_bleu:.1f}" if s.test_bleu is not None else ""
    return f"your model: hidden {s.config.hidden}, {ep_txt}{bleu}"


# ---------------------------------------------------------------- settings
def expected_time(n_train: int, cfg: LiveConfig) -> str:
    """'about 2 min 05 s on one CPU core', or what the time cap cuts off."""
    fit = epochs_within_cap(n_train, cfg)
    if fit is None:
        return f"about {duration(estimate_seconds(n_train, cfg))} on one CPU core"
    return (
        f"the {cfg.minutes:g}-minute cap stops it after about {fit} of "
        f"{plural(cfg.epochs, 'epoch')}"
    )


def split_caption(corpus: Corpus, sizes: tuple[int, int, int], cfg: LiveConfig) -> str:
    """The data line under the settings: usable pairs, the split, the expected time."""
    n_train, n_val, n_test = sizes
    return (
        f"{len(corpus.pairs):,} usable pairs in *{plain(corpus.name)}* → training on "
        f"**{n_train:,}**, validating on {n_val:,}, testing on {n_test:,} (split by French "
        f"sentence). Expected: {expected_time(n_train, cfg)}."
    )


# ---------------------------------------------------------------- the queue
def yours(s: JobStatus, mine: JobStatus | None) -> str:
    return " — yours" if mine is not None and s.id == mine.id else ""


def joined(s: JobStatus) -> str:
    """' · 3 more joined' when identical requests joined the job."""
    return f" · {s.joined} more joined (same data and settings)" if s.joined else ""


def running_line(s: JobStatus, mine: JobStatus | None) -> str:
    return (
        f"▶ Training now: **{job_title(s)}**{yours(s, mine)} · "
        f"{config_line(s.config, s.n_train)} · started {ago(s.started)}, about "
        f"{duration(s.eta)} left{joined(s)}"
    )


def waiting_line(s: JobStatus, mine: JobStatus | None) -> str:
    return (
        f"{s.position}. waiting: {job_title(s)}{yours(s, mine)} · "
        f"{config_line(s.config, s.n_train)} · queued {ago(s.submitted)}{joined(s)}"
    )


# ---------------------------------------------------------------- one job
def waiting_text(s: JobStatus) -> str:
    """Where this session's waiting job is in the line, and at most how long until it starts."""
    ahead = (s.position or 1) - 1
    place = "next in line" if s.position == 1 else f"{ordinal(s.position or 0)} in line"
    after = f" (after {ahead} other waiting job{'s' * (ahead > 1)})" if ahead else ""
    return (
        f"Your {job_title(s)} is **{place}**{after}: it starts within at most "
        f"{duration(s.eta)}, as every training is capped in time. Settings: "
        f"{config_line(s.config, s.n_train)}."
    )


def progress_text(s: JobStatus) -> str:
    """The running job's progress bar text."""
    if s.phase == Phase.TRAINING:
        return (
            f"Epoch {min(s.epochs_done, s.config.epochs):.1f} of {s.config.epochs} · "
            f"{duration(s.elapsed)} elapsed · about {duration(s.eta)} left "
            f"(cap {s.config.minutes:g} min)"
        )
    if s.phase == Phase.SCORING:
        return "Training over: scoring the best weights on the test sentences and saving…"
    return "Preparing the data…"


def ended_reason(s: JobStatus) -> str:
    """Why a trained job's training loop ended."""
    if s.ended_by == EndedBy.EPOCHS:
        n = s.config.epochs
        return "its one epoch done" if n == 1 else f"all {n} epochs done"
    if s.ended_by == EndedBy.TIME_CAP:
        return (
            f"stopped by the {s.config.minutes:g}-minute time cap after "
            f"{s.epochs_done:.1f} of {plural(s.config.epochs, 'epoch')}"
        )
    if s.ended_by == EndedBy.STOP:
        return f"stopped by you after {s.epochs_done:.1f} epochs"
    return ""


def finished_text(s: JobStatus) -> str:
    """A trained job's summary: why it ended, how long it took, its test score."""
    score = (
        f"**test BLEU-4 {s.test_bleu:.1f}**, exact match {100 * (s.test_exact or 0):.1f}% on "
        f"{s.test_n:,} test sentences never seen in training"
        if s.test_bleu is not None
        else "no test score"
    )
    return (
        f"Training finished ({ended_reason(s)}, {duration(s.elapsed)}): {score}. "
        f"Settings: {config_line(s.config, s.n_train)}; {s.pairs_per_s:,.0f} training "
        "pairs/s on one core."
    )


def failed_text(s: JobStatus) -> str:
    return f"Your {job_title(s)} failed: {plain(s.error)}"


def cancelled_text(s: JobStatus) -> str:
    return f"Your {job_title(s)} left the line before it ran."


def samples_heading(s: JobStatus) -> str:
    """The model-output column's heading: which round the translations are from."""
    if s.sample_round and s.history:
        return (
            f"model output, after validation round {s.sample_round} "
            f"(epoch {s.history[-1]['epochs']:.1f})"
        )
    return "model output, not trained yet"

"""Live training for the Train page: the one-at-a-time queue, stop, cancel, time cap, configs.

Trains tiny models on a made-up corpus ("i am NAME ." / "je suis NAME ."), not on sentences of
the real corpus."""

import io
import math
import time
import zipfile
from dataclasses import replace

import pytest

from core.seq2seq.data import CorpusError, Pair, PairTable, load_pairs
from core.seq2seq.live import (
    MAX_MINUTES,
    EndedBy,
    JobState,
    JobStatus,
    LiveConfig,
    Phase,
    QueueError,
    TrainingQueue,
    checkpoint_zip,
    epochs_within_cap,
    estimate_seconds,
    make_split,
    prepare_corpus,
)
from core.seq2seq.live.queue import request_key
from core.seq2seq.train import batches_per_epoch
from core.seq2seq.translator import load_translator
from tests.toy_corpus import NAMES, WHO


def synthetic_text() -> str:
    lines = []
    for en, fr in WHO:
        for n in NAMES:
            lines.append(f"{en} {n} .\t{fr} {n} .")
            lines.append(f"{en} not {n} !\t{fr.split()[0]} ne {fr.split()[1]} pas {n} !")
    return "\n".join(lines) + "\n"


TEXT = synthetic_text()
PAIRS = tuple(load_pairs(TEXT))
TINY = dict(hidden=16, batch=16, val_pairs=40, samples=3)


@pytest.fixture
def queue(tmp_path):
    q = TrainingQueue(workdir=tmp_path / "ckpt", keep=3)
    yield q
    q.shutdown()


def wait_for(q: TrainingQueue, job: int, pred, timeout: float = 30.0) -> JobStatus:
    deadline = time.monotonic() + timeout
    while True:
        s = q.status(job)
        if pred(s):
            return s
        assert time.monotonic() < deadline, f"timed out waiting; last status {s.state}"
        time.sleep(0.02)


# ------------------------------------------------------------------ settings and data


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(pairs=-1), "training pairs"),
        (dict(pairs=2.5), "training pairs"),
        (dict(epochs=0), "Epochs"),
        (dict(epochs=101), "Epochs"),
        (dict(teacher_forcing=1.5), "teacher forcing"),
        (dict(teacher_forcing=-0.1), "teacher forcing"),
        (dict(hidden=4), "hidden size"),
        (dict(hidden=True), "hidden size"),
        (dict(minutes=0), "time cap"),
        (dict(minutes=MAX_MINUTES + 0.1), "time cap"),
        (dict(minutes=math.nan), "time cap"),
        (dict(seed=-1), "seed"),
        (dict(batch=0), "batch"),
        (dict(lr=0), "learning rate"),
        (dict(ema=1.0), "ema"),
        (dict(exercise_filter="yes"), "exercise_filter"),
        (dict(test_pairs=0), "test_pairs"),
    ],
)
def test_bad_configs_raise_readable_value_errors(kwargs, words):
    with pytest.raises(ValueError, match=words):
        LiveConfig(**kwargs)


def test_default_config_maps_to_fast_train_settings():
    cfg = LiveConfig()
    assert cfg.minutes <= MAX_MINUTES and cfg.hidden == 128 and cfg.teacher_forcing == 1.0
    tc = cfg.train_config(6761)
    assert (tc.extra_data, tc.emb, tc.hidden, tc.epochs, tc.decay) == (False, 128, 128, 30, False)
    assert tc.minutes == cfg.minutes and tc.eval_every == 6761  # one validation per epoch
    assert LiveConfig(epochs=5).train_config(6761).eval_every == math.ceil(6761 / 4)
    assert LiveConfig(epochs=5).train_config(300).eval_every == 300  # >= 200 pairs apart
    assert 60 < estimate_seconds(6761, cfg) < 150  # "about two minutes"
    assert estimate_seconds(6761, LiveConfig(hidden=256)) > estimate_seconds(6761, cfg)
    assert batches_per_epoch(100, 16) == 7 and batches_per_epoch(3201, 64) == 51
    assert epochs_within_cap(6761, cfg) is None  # the default run fits its cap
    short = LiveConfig(hidden=256, minutes=0.5)
    assert 1 <= epochs_within_cap(6761, short) < short.epochs


def test_numpy_numbers_in_a_config_become_python_numbers():
    import dataclasses
    import json

    import numpy as np

    cfg = LiveConfig(pairs=np.int64(50), hidden=np.int32(64), teacher_forcing=np.float32(0.5))
    assert type(cfg.pairs) is int and type(cfg.teacher_forcing) is float
    json.dumps(dataclasses.asdict(cfg))  # checkpoints store it as JSON
    json.dumps(dataclasses.asdict(cfg.train_config(100)))


def test_job_states_are_an_enum_with_their_old_values():
    assert [s.value for s in JobState] == [
        "waiting",
        "running",
        "done",
        "stopped",
        "failed",
        "cancelled",
    ]
    assert JobState.DONE == "done" and JobState("stopped") is JobState.STOPPED
    assert [s for s in JobState if s.active] == [JobState.WAITING, JobState.RUNNING]
    assert [s for s in JobState if s.trained] == [JobState.DONE, JobState.STOPPED]
    assert [e.value for e in EndedBy] == ["", "epochs", "time cap", "stop"]
    assert [p.value for p in Phase] == ["", "preparing", "training", "scoring"]


def test_prepare_corpus_reads_uploads_and_names_problems():
    c = prepare_corpus(TEXT.encode(), name="toy.txt")
    assert len(c.pairs) == len(PAIRS) == 216 and c.name == "toy.txt" and c.lines == 216
    with pytest.raises(CorpusError, match="Line 2 has no tab"):
        prepare_corpus(b"i am anna .\tje suis anna .\nno tab here\n")
    with pytest.raises(CorpusError, match="Line 1 is not valid UTF-8"):
        prepare_corpus(b"i am \xff\tje suis\n")
    with pytest.raises(CorpusError, match="empty"):
        prepare_corpus(b"")
    with pytest.raises(CorpusError, match="32 MB limit"):
        prepare_corpus(b"x" * (50 * 2**20))
    # the exercise's filter keeps only "i am", "he is" ... sentences
    other = "\n".join(
        f"the {n} {en} .\tle {n} {fr} ."
        for n in NAMES
        for en, fr in (("sleeps", "dort"), ("eats", "mange"))
    )
    with pytest.raises(CorpusError, match="Only 0 of the 36 pairs.*without the exercise"):
        prepare_corpus(other)
    assert len(prepare_corpus(other, exercise_filter=False).pairs) == 36


def test_pair_table_reads_back_the_pairs_it_stores():
    pairs = [Pair("je suis anna .", "i am anna ."), Pair("", ""), Pair("a", "b c")]
    t = PairTable(pairs)
    assert len(t) == 3 and list(t) == pairs and [t[i] for i in range(3)] == pairs
    assert t[-1] == pairs[-1] and t[-3] == pairs[0] and t[1:] == tuple(pairs[1:])
    assert t[::-1] == tuple(reversed(pairs)) and t[5:] == ()
    assert t.text == "je suis anna .\ti am anna .\n\t\na\tb c"
    with pytest.raises(IndexError, match="index 3 out of range for 3 pairs"):
        t[3]
    with pytest.raises(IndexError):
        t[-4]
    assert t == PairTable(pairs) and t != PairTable(pairs[:2]) and t != PairTable(pairs[::-1])
    assert PairTable([]) == PairTable() and len(PairTable()) == 0 and list(PairTable()) == []
    with pytest.raises(ValueError, match="tab or a line break"):
        PairTable([Pair("a\tb", "c")])
    with pytest.raises(ValueError, match="tab or a line break"):
        PairTable([Pair("a", "b\nc")])
    # a corpus holds its pairs this way; the same training request whichever form is given
    c = prepare_corpus(TEXT.encode(), name="toy.txt")
    assert isinstance(c.pairs, PairTable) and list(c.pairs) == list(dict.fromkeys(PAIRS))
    cfg = LiveConfig()
    assert request_key(c.pairs, cfg) == request_key(list(c.pairs), cfg)
    assert request_key(PairTable(), cfg) == request_key([], cfg)
    assert request_key(c.pairs, cfg) != request_key(list(c.pairs)[1:], cfg)
    assert make_split(c.pairs, cfg).__dict__ == make_split(list(c.pairs), cfg).__dict__


def test_split_subsets_the_training_part_only():
    full = make_split(PAIRS, LiveConfig())
    small = make_split(PAIRS, LiveConfig(pairs=50))
    assert len(small.train) == 50 and set(small.train) <= set(full.train)
    assert (small.val, small.test) == (full.val, full.test)
    assert make_split(PAIRS, LiveConfig(pairs=50)).train == small.train  # seeded
    assert make_split(PAIRS, LiveConfig(pairs=10_000)).train == full.train
    same = [Pair("je suis anna .", f"i am anna {i} .") for i in range(30)]
    with pytest.raises(CorpusError, match="too few distinct French sentences"):
        make_split(same, LiveConfig())


# ------------------------------------------------------------------ a whole job


def test_tiny_training_finishes_with_history_samples_and_a_loadable_checkpoint(queue, tmp_path):
    cfg = LiveConfig(epochs=3, **TINY)
    job = queue.submit(PAIRS, cfg, owner="a", label="Ada", source="toy.txt")
    s = queue.wait(job, timeout=60)
    assert s.state is JobState.DONE and s.ended_by is EndedBy.EPOCHS and s.error == ""
    assert s.progress == 1.0 and s.position is None and s.eta is None
    assert s.split_sizes[0] > 150 and s.epochs_done == pytest.approx(3.0)
    k = cfg.rounds_per_epoch(s.split_sizes[0])
    assert len(s.history) == 3 * k
    assert [r["epochs"] for r in s.history][-1] == pytest.approx(3.0)
    for r in s.history:
        assert {"train_loss", "val_loss", "val_bleu", "seconds"} <= set(r)
        assert math.isfinite(r["train_loss"]) and math.isfinite(r["val_loss"])
    assert len(s.samples) == 3 and all(x.output for x in s.samples)
    assert s.sample_round == len(s.history)
    assert s.test_bleu is not None and 0 <= s.test_bleu <= 100 and s.test_n > 0
    assert s.config.hidden == 16 and s.epochs_done == pytest.approx(3.0)
    tr = load_translator(s.checkpoint)
    assert tr.metrics["test"]["bleu"] == s.test_bleu and tr.meta["label"] == "Ada"
    out = tr.translate("Je suis Anna.")
    assert out.attention.shape == (len(out.words), len(out.source))
    blob = checkpoint_zip(s.checkpoint)
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        names = set(zf.namelist())
        assert {"sequence-lab-model/weights.pt", "sequence-lab-model/model.json"} <= names
        zf.extractall(tmp_path / "unzipped")
    assert load_translator(tmp_path / "unzipped" / "sequence-lab-model").translate("il est hugo")


def test_one_at_a_time_in_fifo_order_with_positions_cancel_and_stop(queue):
    long = LiveConfig(epochs=100, minutes=1.0, **TINY)
    # other seeds: identical requests would join one job (test_identical_requests_...)
    a = queue.submit(PAIRS, long, owner="a", label="first")
    b = queue.submit(PAIRS, replace(long, seed=1), owner="b", label="second")
    c = queue.submit(PAIRS, replace(long, seed=2), owner="c", label="third")
    sa = wait_for(queue, a, lambda s: s.state is JobState.RUNNING and s.history)
    assert [(s.id, s.state, s.position) for s in queue.jobs()] == [
        (a, JobState.RUNNING, 0),
        (b, JobState.WAITING, 1),
        (c, JobState.WAITING, 2),
    ]
    sb, sc = queue.status(b), queue.status(c)
    assert 0 < sa.eta <= 75 and 0 < sa.progress < 1
    assert sb.eta <= 60 + 15 and sc.eta > sb.eta  # bounded by the caps of the jobs ahead
    # a waiting job can leave the line; the one behind moves up
    assert queue.cancel(b) and queue.status(b).state is JobState.CANCELLED
    assert not queue.cancel(b) and not queue.cancel(a)  # only waiting jobs can be cancelled
    assert queue.status(c).position == 1
    # stopping the running job is quick and still gives a checkpoint
    t0 = time.monotonic()
    assert queue.stop(a)
    sa = queue.wait(a, timeout=20)
    assert time.monotonic() - t0 < 5
    assert sa.state is JobState.STOPPED and sa.ended_by is EndedBy.STOP and sa.epochs_done < 100
    assert load_translator(sa.checkpoint).translate("tu es lea .").source
    # next in line runs, and never two at once
    sc = wait_for(queue, c, lambda s: s.state is JobState.RUNNING)
    assert sc.started >= sa.finished
    assert [s.state for s in queue.jobs()] == [JobState.RUNNING]
    assert queue.stop(c) and queue.wait(c, timeout=20).state is JobState.STOPPED
    assert not queue.stop(c) and queue.jobs() == []


def test_stop_before_the_first_validation_still_gives_a_checkpoint(queue):
    job = queue.submit(PAIRS, LiveConfig(epochs=100, **TINY), owner="a")
    wait_for(queue, job, lambda s: s.phase is Phase.TRAINING)
    queue.stop(job)
    s = queue.wait(job, timeout=20)
    assert s.state is JobState.STOPPED and len(s.history) >= 1 and s.checkpoint is not None


def test_the_time_cap_ends_a_job(queue):
    cap = 0.04  # minutes: 2.4 s
    job = queue.submit(PAIRS, LiveConfig(epochs=100, minutes=cap, **TINY), owner="a")
    s = queue.wait(job, timeout=30)
    assert s.state is JobState.DONE and s.ended_by is EndedBy.TIME_CAP and s.epochs_done < 100
    assert s.history[-1]["seconds"] < cap * 60 + 2
    assert s.elapsed < cap * 60 + 10 and s.checkpoint is not None


def test_limits_one_job_per_owner_and_a_bounded_line(tmp_path):
    q = TrainingQueue(workdir=tmp_path, max_waiting=1)
    try:
        long = LiveConfig(epochs=100, minutes=1.0, **TINY)
        a = q.submit(PAIRS, long, owner="a")
        assert q.submit(PAIRS, long, owner="a") == a  # the same request again: the same job
        with pytest.raises(QueueError, match="You already have job"):
            q.submit(PAIRS, replace(long, seed=1), owner="a")
        wait_for(q, a, lambda s: s.state is JobState.RUNNING)
        q.submit(PAIRS, replace(long, seed=2), owner="b")
        with pytest.raises(QueueError, match="already waiting"):
            q.submit(PAIRS, replace(long, seed=3), owner="c")
        with pytest.raises(CorpusError, match="at least"):
            q.submit(PAIRS[:5], long, owner="d")
    finally:
        t0 = time.monotonic()
        q.shutdown()
        assert time.monotonic() - t0 < 10
    assert all(not s.active for s in (q.status(1), q.status(2)))


def test_data_that_cannot_be_split_is_refused_at_once(queue):
    same = [Pair("je suis anna .", f"i am anna {chr(97 + i)} .") for i in range(25)]
    with pytest.raises(CorpusError, match="too few distinct French sentences"):
        queue.submit(same, LiveConfig(**TINY), owner="a")
    assert queue.jobs() == []


def test_a_failing_job_reports_without_stopping_the_queue(tmp_path, monkeypatch):
    from core.seq2seq.live import pipeline

    queue = TrainingQueue(workdir=tmp_path, process=False)  # the patch is seen in this process

    real_train = pipeline.train

    def flaky(split, cfg, **kw):
        if cfg.hidden == 17:
            raise RuntimeError("out of memory\nwith details")
        return real_train(split, cfg, **kw)

    monkeypatch.setattr(pipeline, "train", flaky)
    bad = queue.submit(PAIRS, LiveConfig(**{**TINY, "hidden": 17}), owner="a")
    good = queue.submit(PAIRS, LiveConfig(epochs=1, **TINY), owner="b")
    s = queue.wait(bad, timeout=20)
    assert s.state is JobState.FAILED and s.error == "RuntimeError: out of memory"
    assert s.checkpoint is None and s.position is None
    assert queue.wait(good, timeout=60).state is JobState.DONE
    queue.shutdown()


class _Recorder:
    def __init__(self):
        self.calls = []

    def started(self, *a):
        self.calls.append("started")

    def batch_done(self):
        self.calls.append("batch")

    def round_done(self, *a):
        self.calls.append("round")

    def scoring(self, *a):
        self.calls.append("scoring")

    def should_stop(self):
        return False


def test_the_worker_process_relays_reports_errors_and_bounds_memory(tmp_path):
    from core.seq2seq.live.config import LiveConfig as Cfg
    from core.seq2seq.live.corpus import make_split
    from core.seq2seq.live.worker import WorkerError, run_job_in_process

    cfg = Cfg(epochs=1, **TINY)
    split = make_split(PAIRS, cfg)
    w = _Recorder()
    out = run_job_in_process(split, cfg, tmp_path / "ok", w, label="t", source="toy")
    assert out.checkpoint.is_dir() and 0 <= out.test_bleu <= 100 and out.test_n == len(split.test)
    assert w.calls[0] == "started" and w.calls.count("batch") >= 1 and w.calls[-1] == "scoring"
    (tmp_path / "file").write_text("x")  # the checkpoint cannot be written under a file
    with pytest.raises(WorkerError, match="Error"):
        run_job_in_process(split, cfg, tmp_path / "file" / "sub", _Recorder())
    with pytest.raises(WorkerError, match="more than 40 MB"):  # torch alone is more
        run_job_in_process(split, cfg, tmp_path / "big", _Recorder(), max_rss_mb=40)


def test_old_checkpoints_are_removed(tmp_path):
    q = TrainingQueue(workdir=tmp_path, keep=1)
    try:
        first = q.submit(PAIRS, LiveConfig(epochs=1, **TINY), owner="a")
        s1 = q.wait(first, timeout=60)
        second = q.submit(PAIRS, LiveConfig(epochs=1, seed=1, **TINY), owner="a")
        s2 = q.wait(second, timeout=60)
    finally:
        q.shutdown()
    assert s2.checkpoint is not None
    assert q.status(first).checkpoint is None  # deleted: only the newest is kept
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"job-{second}"]
    with pytest.raises(ValueError, match="No checkpoint directory"):
        checkpoint_zip(s1.checkpoint)


def test_train_hooks_stop_and_report_rounds():
    from core.seq2seq.train import train

    cfg = LiveConfig(epochs=4, **TINY)
    split = make_split(PAIRS, cfg)
    tc = cfg.train_config(len(split.train))
    rounds = []
    res = train(split, tc, on_round=lambda row, model: rounds.append((row, model.training)))
    assert [r["round"] for r, _ in rounds] == [r["round"] for r in res.history]
    assert not any(training for _, training in rounds)  # the validated model, in eval mode
    calls = []
    res = train(split, tc, should_stop=lambda: calls.append(1) or len(calls) > 2)
    assert len(res.history) == 1 and len(calls) == 3  # one round, validated, then out


def test_identical_requests_join_the_running_job_and_reuse_its_model(tmp_path):
    q = TrainingQueue(workdir=tmp_path, process=False)
    cfg = LiveConfig(epochs=1, **TINY)
    a = q.submit(PAIRS, cfg, owner="a")
    assert q.submit(PAIRS, cfg, owner="b") == a  # same data, settings and seed: joins
    assert q.submit(PAIRS, cfg, owner="c") == a
    assert q.submit(PAIRS, cfg, owner="a") == a  # asking twice is not joining
    assert q.status(a).joined == 2 and len(q.jobs()) == 1
    other = q.submit(PAIRS, LiveConfig(epochs=1, **{**TINY, "seed": 1}), owner="d")
    assert other != a and len(q.jobs()) == 2  # another seed is another training
    assert q.stop(a, owner="b") and q.status(a).active and q.status(a).joined == 1  # b left
    assert q.stop(a, owner="a") and q.status(a).active and q.status(a).owner == "c"  # c has it
    done = q.wait(a, timeout=60)
    assert done.state is JobState.DONE and done.checkpoint
    n_jobs = len(q._jobs)
    assert q.submit(PAIRS, cfg, owner="e") == a  # the finished model is reused, no new job
    assert len(q._jobs) == n_jobs
    q.wait(other, timeout=60)
    q.shutdown()


def test_checkpoint_folders_of_killed_servers_are_removed_at_the_next_start(tmp_path):
    import os
    import subprocess
    import sys

    from core.seq2seq.live.queue import WORKDIR_PREFIX, remove_stale_workdirs

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()  # a pid that ended
    stale = tmp_path / f"{WORKDIR_PREFIX}{dead}-abc"
    (stale / "job-1").mkdir(parents=True)
    alive = tmp_path / f"{WORKDIR_PREFIX}{os.getpid()}-def"
    alive.mkdir()
    other = tmp_path / "someone-elses-folder"
    other.mkdir()
    assert remove_stale_workdirs(tmp_path) == 1
    assert not stale.exists() and alive.exists() and other.exists()


@pytest.mark.parametrize(
    "hidden, n_src, n_tgt", [(64, 3607, 2266), (256, 13090, 7560), (512, 20004, 20004)]
)
def test_the_parameter_estimate_that_bounds_a_job_matches_the_real_model(hidden, n_src, n_tgt):
    from core.seq2seq.live.config import parameter_estimate
    from core.seq2seq.model import ModelConfig, Seq2Seq
    from core.seq2seq.train import default_cutoffs

    tc = LiveConfig(hidden=hidden).train_config(6000)
    model = Seq2Seq(
        ModelConfig(
            src_vocab=n_src,
            tgt_vocab=n_tgt,
            emb=tc.emb,
            hidden=tc.hidden,
            bidirectional=tc.bidirectional,
            attn=tc.attn,
            out=tc.out,
            cutoffs=default_cutoffs(n_tgt),
            dropout=tc.dropout,
        )
    )
    real = sum(p.numel() for p in model.parameters())
    assert parameter_estimate(hidden, n_src, n_tgt) == pytest.approx(real, rel=0.05)


def test_a_job_too_big_for_the_worker_is_refused_before_it_queues(tmp_path):
    from core.seq2seq.live.config import MAX_VOCAB, too_big

    # 9,000 pairs whose every word is new: the vocabularies, not the pair count, make it big
    pairs = [Pair(f"je suis w{i}a w{i}b w{i}c .", f"i am v{i}a v{i}b v{i}c .") for i in range(9000)]
    q = TrainingQueue(workdir=tmp_path, process=False)
    with pytest.raises(QueueError, match=r"more than the 400 MB"):
        q.submit(pairs, LiveConfig(hidden=512, **{k: v for k, v in TINY.items() if k != "hidden"}))
    assert q.jobs() == []
    assert too_big(512, MAX_VOCAB + 4, MAX_VOCAB + 4)  # even the capped vocabularies, at 512
    assert not too_big(128, MAX_VOCAB + 4, MAX_VOCAB + 4)
    q.shutdown()


def test_a_job_is_found_again_by_its_link_reference_and_only_by_it(tmp_path):
    q = TrainingQueue(workdir=tmp_path, process=False)
    job = q.submit(PAIRS, LiveConfig(epochs=100, minutes=1.0, **TINY), owner="tab1")
    ref = q.status(job).ref
    head, _, token = ref.partition("-")
    assert head == str(job) and len(token) == 6
    for bad in ("", "x", f"{job}", f"{job}-", f"{job}-000000", f"{job + 1}-{token}", "9" * 40):
        assert q.find(bad) is None, bad
    assert q.find(ref).id == job and q.status(job).owner == "tab1"  # looking does not take it
    assert q.find(ref, owner="tab2").owner == "tab2"  # the link holder (a reload) takes it over
    assert q.stop(job, owner="tab2")  # the new owner may stop (or cancel) it
    assert q.wait(job, timeout=60).state in (JobState.STOPPED, JobState.CANCELLED)
    q.shutdown()


def test_prepare_corpus_reports_progress_in_order(monkeypatch):
    """A long upload's reading shows progress: fractions rise from 0 to 1, one report per
    chunk of pairs, and the corpus is the same as without the reports."""
    import core.seq2seq.live.corpus as corpus_mod

    monkeypatch.setattr(corpus_mod, "PROGRESS_CHUNK", 7)
    words = [chr(97 + k // 26) + chr(97 + k % 26) + "x" for k in range(40)]  # no digits
    lines = [f"i am {w} .\tje suis {w} .\n" for w in words]
    data = "".join(lines).encode()
    seen: list[tuple[float, str]] = []
    with_reports = corpus_mod.prepare_corpus(data, True, progress=lambda f, w: seen.append((f, w)))
    fractions = [f for f, _ in seen]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    assert len(seen) == 2 + 6  # reading, 40 pairs in chunks of 7, done
    assert "7 of 40 lines" in seen[1][1] and "40 of 40 lines" in seen[-2][1]
    assert with_reports.pairs == corpus_mod.prepare_corpus(data, True).pairs

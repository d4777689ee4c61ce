"""The Train page's wording: numbers and plurals read as a person would write them (issue 11)."""

from types import SimpleNamespace

from charts.train import bleu_curve
from core.seq2seq.live.config import LiveConfig
from core.seq2seq.live.jobs import EndedBy
from ui.train_wording import config_line, duration, ended_reason, expected_time, model_label


def test_durations_never_say_about_0_s():
    assert duration(0.2) == "under 1 s" and duration(0) == "under 1 s"
    assert duration(1.4) == "1 s" and duration(125) == "2 min 05 s" and duration(None) == "?"


def test_one_epoch_is_singular_everywhere():
    cfg = LiveConfig(epochs=1, hidden=32)
    assert "1 epoch ·" in config_line(cfg, 100)
    job = SimpleNamespace(config=cfg, epochs_done=1.0, test_bleu=12.34, ended_by=EndedBy.EPOCHS)
    assert model_label(job) == "your model: hidden 32, 1 epoch, test BLEU 12.3"
    assert ended_reason(job) == "its one epoch done"
    job = SimpleNamespace(config=LiveConfig(epochs=4), epochs_done=4.0, ended_by=EndedBy.EPOCHS)
    assert ended_reason(job) == "all 4 epochs done"
    long = LiveConfig(epochs=100, minutes=0.5)
    assert "of 100 epochs" in expected_time(6761, long)


def test_the_test_bleu_star_does_not_sit_on_the_last_validation_point():
    rows = [{"epochs": e, "val_bleu": b} for e, b in ((1, 10.0), (2, 20.0), (3, 25.0))]
    fig = bleu_curve(rows, 3, test_bleu=25.0)
    star = fig.data[-1]
    assert star.x[0] > 3 and star.textposition == "top center"
    assert fig.layout.xaxis.range[1] > star.x[0]  # and it is inside the chart

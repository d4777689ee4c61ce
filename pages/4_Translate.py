"""Homework question 4: French -> English with a GRU encoder-decoder and attention."""

from ui import translate_state as state
from ui import translate_views as views
from ui.common import asset_section, intro, page_run, setup, share_hint
from ui.controls import check_links

with page_run("translate"):  # the header; at most RUNS_AT_ONCE page runs build at once
    check_links(state.CONTROLS)
    share_hint()
    intro(asset_section(views.MD, "Intro"))

    with setup("Model"):  # folded in presenter mode
        kind, path = views.model_choice()
        tr, path, used = views.load_model(path, state.GRU if kind == state.BOTH else kind)
    examples, no_examples = state.test_examples(path, kind=used)
    text = views.input_row(examples, no_examples)
    with setup("Decoding"):
        beam = views.decoding_row()
    out = state.translate(text, beam, path, used)
    views.input_notes(out)
    if kind == state.BOTH:
        views.side_by_side(text, beam, examples)
    else:
        views.confidence_note(out, tr.metrics)
        if out.words:
            reference = next((en for fr, en in examples if fr == text.strip()), None)
            views.translation(out, reference)
        else:
            views.no_translation()
    views.about_model(tr, path)

"""AppTest runs of the Transformer page (review questions 3-5), through the entry point."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core import transformer_views as tv
from core.seq2seq import load_translator
from tests.app.helpers import open_page as _open
from tests.app.helpers import texts

PAGE = "pages/6_Transformer.py"


def open_page(query: dict | None = None) -> AppTest:
    return _open(PAGE, query)


def specs(at: AppTest) -> dict[str, dict]:
    """The page's Plotly figures by their title text."""
    out = {}
    for c in at.get("plotly_chart"):
        fig = json.loads(c.proto.spec)
        out[re.sub(r"<br\s*/?>", " ", fig["layout"]["title"]["text"])] = fig  # wrapped titles
    return out


def markdown_with(at: AppTest, marker: str) -> str:
    (md,) = [m.value for m in at.markdown if marker in m.value]
    return re.sub(r"\\(.)", r"\1", md)


def check_figures(at: AppTest) -> None:
    """Every figure has a short title and titled axes."""
    for title, fig in specs(at).items():
        assert 0 < len(re.sub(r"<[^>]+>", "", title)) <= 70, title
        lay = fig["layout"]
        assert lay["xaxis"]["title"]["text"] and lay["yaxis"]["title"]["text"], title


# ---------------------------------------------------------------- 1. positional encoding
def test_positional_encoding_by_deep_link():
    q = dict(view="Positional encoding", d_model="32", base="1000", layout="concatenated",
             n_pos="40", dims="0 3 16", freq="2", delta="5")  # fmt: skip
    at = open_page(q)
    assert not at.error and not at.warning
    assert at.number_input(key="d_model").value == 32
    assert at.slider(key="n_pos").value == 40
    figs = specs(at)
    heat = figs["PE(pos, dim), d_model = 32, concatenated"]
    z = np.array(heat["data"][0]["z"]["bdata"] if isinstance(heat["data"][0]["z"], dict) else
                 heat["data"][0]["z"])  # fmt: skip
    assert heat["data"][0]["colorscale"] and heat["data"][0]["colorbar"]["title"]["text"]
    assert z.size > 0
    lines = figs["Chosen dimensions against position"]
    assert [t["name"] for t in lines["data"]] == ["dim 0", "dim 3", "dim 16"]
    v = tv.pe_view(40, 32, 1000.0, "concatenated")
    assert v.sentence in markdown_with(at, "Similarity and distance")
    rot = markdown_with(at, "Rotation check")
    errs = [float(x) for x in re.findall(r"max error \*\*([0-9.e+-]+)\*\*", rot)]
    assert len(errs) == 2 and max(errs) < 1e-12
    assert "columns 2 and 18 at p + 5" in rot and "all 40 positions" in rot
    w = 1000.0 ** (-2 * 2 / 32)
    latex = "\n".join(e.value for e in at.latex)
    assert f"{math.cos(5 * w):.6f}" in latex and f"{-math.sin(5 * w):.6f}" in latex
    check_figures(at)


def test_changing_d_model_changes_the_encoding_and_odd_is_refused():
    at = open_page()
    at.number_input(key="d_model").set_value(16).run()
    assert "PE(pos, dim), d_model = 16, interleaved" in specs(at)
    at.number_input(key="d_model").set_value(15).run()
    assert not at.exception
    (err,) = at.error
    assert "odd" in err.value and "even" in err.value
    assert not specs(at)
    at.number_input(key="d_model").set_value(10**6).run()
    assert not at.exception and "from 4 to 512" in at.error[0].value


# ---------------------------------------------------------------- 2. scaled dot-product
def test_scaled_dot_product_by_deep_link():
    at = open_page({"view": "Scaled dot-product", "ex_seed": "5", "d_k": "256", "n_keys": "8"})
    assert not at.error and not at.warning
    ex = tv.worked_example(5)
    out = at.dataframe[5].value.to_numpy(dtype=float)
    np.testing.assert_allclose(out, np.round(ex.output, 3))
    scores = ex.Q @ ex.K.T / 2
    e = np.exp(scores)
    np.testing.assert_allclose(out, np.round((e / e.sum(1, keepdims=True)) @ ex.V, 3), atol=1e-9)
    assert r"\sqrt{d_k}" in "\n".join(x.value for x in at.latex)
    p = tv.scaling_point(256, 8, 0)
    line = markdown_with(at, "At d_k = 256")
    assert f"deviation {p.std_unscaled:.2f} (√d_k = 16.00)" in line
    assert abs(p.std_unscaled - 16) < 1.6 and f"{p.std_scaled:.3f}" in line
    figs = specs(at)
    assert set(figs) == {"Spread of the scores", "Largest softmax weight", "Softmax gradient size"}
    for fig in figs.values():
        assert fig["layout"]["shapes"][0]["x0"] == 256  # the current d_k marked
    at.slider(key="d_k").set_value(16).run()
    assert "At d_k = 16" in texts(at)
    check_figures(at)


@pytest.mark.parametrize(
    ("query", "name"), [({"d_k": "0"}, "d_k = '0'"), ({"d_model": "inf"}, "d_model = 'inf'")]
)
def test_bad_link_value_gets_one_warning(query, name):
    at = open_page({"view": "Scaled dot-product", **query})
    (warning,) = at.warning
    text = re.sub(r"\\(.)", r"\1", warning.value)
    assert name in text
    assert at.slider(key="d_k").value == 64  # the default, still computed
    assert "At d_k = 64" in texts(at)


# ---------------------------------------------------------------- 3. greedy decoding
@pytest.fixture(scope="module")
def reference():
    tr = load_translator(kind="transformer")
    return tr.trace("je suis tres fatigue .")


def test_decoding_steps_and_mask(reference):
    translation, trace = reference
    N = len(trace.ids)
    at = open_page({"view": "Greedy decoding", "step": "2"})
    assert not at.error and not at.warning
    assert " ".join(translation.words) in texts(at).replace("\\", "")
    for step in (2, 4, 1):
        if step != 2:
            at.slider(key="step").set_value(step).run()
        assert not at.exception
        head = markdown_with(at, f"of {N}:**")
        assert f"**Step {step} of {N}:**" in head
        vocab = load_translator(kind="transformer").tgt_vocab.words
        assert f"**{vocab[int(trace.ids[step - 1])]}**" in head
        heat = specs(at)["Masked self-attention, layer 2, mean over heads"]
        weights = heat["data"][1]["z"]
        rows = np.array(_decode(weights), dtype=float).reshape(step, N)
        future = N - step
        assert int(np.isnan(rows[-1]).sum()) == future
        np.testing.assert_allclose(
            rows[-1][:step], trace.self_attention[-1, :, step - 1, :step].mean(0), atol=1e-5
        )
        caption = [c.value for c in at.caption if "masked" in c.value][0]
        assert f"Row {step} has {future} masked cells" in caption
        top = specs(at)[f"Step {step}: top-5 next words"]
        assert top["data"][0]["x"][0] == vocab[int(trace.ids[step - 1])]
        cross = specs(at)[f"Step {step}: cross-attention"]
        np.testing.assert_allclose(
            np.array(_decode(cross["data"][0]["y"]), dtype=float),
            trace.cross_attention[-1, :, step - 1].mean(0),
            atol=1e-5,
        )


def test_decoding_layer_and_head_by_link(reference):
    _, trace = reference
    at = open_page({"view": "Greedy decoding", "step": "3", "layer": "1", "head": "2"})
    assert not at.error and not at.warning
    cross = specs(at)["Step 3: cross-attention"]
    np.testing.assert_allclose(
        np.array(_decode(cross["data"][0]["y"]), dtype=float),
        trace.cross_attention[0, 1, 2],
        atol=1e-5,
    )
    assert "Masked self-attention, layer 1, head 2" in specs(at)


@pytest.mark.parametrize("text", ["", "!!! ???", "<b>x</b>"])
def test_bad_sentence_gets_a_message(text):
    at = open_page({"view": "Greedy decoding"})
    at.text_input(key="fr").set_value(text).run()
    assert not at.exception
    assert at.error and "nothing to decode" in at.error[0].value
    assert not specs(at)


def _decode(z):
    """A Plotly array as sent to the browser: a list, or {dtype, bdata} base64."""
    if isinstance(z, dict):
        import base64

        arr = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"])
        return arr.tolist() if "shape" not in z else arr.reshape(
            [int(s) for s in str(z["shape"]).split(",")]).tolist()  # fmt: skip
    return z


# ---------------------------------------------------------------- 1b. shuffled words, PE on / off
def _sci(text: str, marker: str) -> float:
    """The first bold number after ``marker`` in ``text``."""
    at = text.index(marker) + len(marker)
    m = re.search(r"\*\*([0-9.e+-]+)\*\*", text[at:])
    assert m, text
    return float(m.group(1))


def test_pe_shuffle_counterfactual_by_deep_link(reference):
    from core.transformer.probe import encoder_output

    at = open_page({"shuffle_seed": "3"})
    assert not at.error and not at.warning
    assert at.number_input(key="shuffle_seed").value == 3
    tr = load_translator(kind="transformer")
    translation, _ = reference
    ids = tr.read_words(list(translation.source))[0]
    order = tv.shuffle_order(len(ids), 3)
    moved = [ids[i] for i in order]
    outs = [encoder_output(tr.model, x, pe) for pe in (True, False) for x in (ids, moved)]
    s = tv.shuffle_check(translation.source, order, *outs)
    body = texts(at).replace("\\", "")
    off, on = _sci(body, "Without PE:"), _sci(body, "With PE:")
    assert off < 1e-5 and off == pytest.approx(s.diff_off, rel=0.06)
    assert on > 0.1 and on == pytest.approx(s.diff_on, abs=1e-3)
    assert " ".join(s.shuffled) in body
    table = [d.value for d in at.dataframe if "max |diff|, PE off" in d.value.columns][0]
    assert list(table["word"]) == list(s.shuffled)
    assert list(table["original position"]) == list(order)
    at.number_input(key="shuffle_seed").set_value(4).run()
    assert "Shuffled (seed 4)" in texts(at)


# ---------------------------------------------------------------- 3. attention vs self-attention
def test_attention_vs_self_attention_by_deep_link(reference):
    _, trace = reference
    at = open_page({"view": "Attention vs self-attention", "av_layer": "1", "av_head": "3"})
    assert not at.error and not at.warning
    figs = specs(at)
    enc = figs["Self-attention, encoder layer 1, head 3"]["data"][0]
    cross = figs["Cross-attention, decoder layer 1, head 3"]["data"][0]
    for hm in (enc, cross):
        assert (hm["zmin"], hm["zmax"]) == (0, 1) and hm["colorbar"]["title"]["text"] == "weight"
    S, N = trace.encoder_attention.shape[-1], len(trace.ids)
    z_enc = np.array(_decode(enc["z"]), dtype=float).reshape(S, S)
    z_cross = np.array(_decode(cross["z"]), dtype=float).reshape(N, S)
    np.testing.assert_allclose(z_enc, trace.encoder_attention[0, 2], atol=1e-6)
    np.testing.assert_allclose(z_cross, trace.cross_attention[0, 2], atol=1e-6)
    caps = " ".join(c.value for c in at.caption)
    assert "queries, keys and values all come from the French words" in caps
    assert f"the {N} queries come from the decoder" in caps
    assert "**Rows sum to 1**" in texts(at)
    at.button_group(key="av_head").set_value("mean").run()
    cross = specs(at)["Cross-attention, decoder layer 1, mean over heads"]["data"][0]
    np.testing.assert_allclose(
        np.array(_decode(cross["z"]), dtype=float).reshape(N, S),
        trace.cross_attention[0].mean(0),
        atol=1e-6,
    )
    check_figures(at)


# ---------------------------------------------------------------- 4. multi-head self-attention
def test_multi_head_by_deep_link_and_grid(reference):
    _, trace = reference
    S = trace.encoder_attention.shape[-1]
    at = open_page({"view": "Multi-head self-attention", "mh": "L2 H3"})
    assert not at.error and not at.warning
    hm = specs(at)["Encoder layer 2, head 3 of 4: weights"]["data"][0]
    z = np.array(_decode(hm["z"]), dtype=float).reshape(S, S)
    np.testing.assert_allclose(z, trace.encoder_attention[1, 2], atol=1e-6)
    np.testing.assert_allclose(z.sum(1), 1.0, atol=1e-5)
    assert hm["texttemplate"] == "%{text}" and "%{z:.4f}" in hm["hovertemplate"]
    check = markdown_with(at, "**Check:**")
    diff = _sci(check, "max |difference| =")
    assert diff < 1e-5
    shapes = [d.value for d in at.dataframe if "shape" in d.value.columns][0]
    assert list(shapes["shape"]) == [f"4 × ({S}, 64)", f"({S}, 256)", "(256, 256)", f"({S}, 256)"]
    latex = "\n".join(e.value for e in at.latex)
    assert rf"({S}\times256)\cdot(256\times256) \to {S}\times256" in latex
    at.button_group(key="mh").set_value("L1 H1").run()
    hm = specs(at)["Encoder layer 1, head 1 of 4: weights"]["data"][0]
    np.testing.assert_allclose(
        np.array(_decode(hm["z"]), dtype=float).reshape(S, S),
        trace.encoder_attention[0, 0],
        atol=1e-6,
    )
    check_figures(at)


# ---------------------------------------------------------------- 5. encoder and decoder
def test_encoder_decoder_blocks_by_deep_link(reference):
    translation, trace = reference
    S, N = len(translation.source), len(trace.ids)
    q = {"view": "Encoder and decoder", "block": "decoder: feed-forward", "blk_layer": "2"}
    at = open_page(q)
    assert not at.error and not at.warning
    fig = specs(at)["Encoder and decoder blocks with live shapes"]
    notes = " ".join(a["text"] for a in fig["layout"]["annotations"])
    assert f"encoder-decoder attention<br>({N}, 256)" in notes  # name and shape on two lines
    assert f"<b>feed-forward</b><br>({N}, 256)" in notes  # the chosen block in bold
    assert f"self-attention<br>({S}, 256)" in notes and f"softmax<br>({N}, 4493)" in notes
    assert "layer 2 of 2" in notes
    body = texts(at).replace("\\", "")
    assert f"**Decoder: feed-forward, layer 2** — output shape **({N}, 256)**" in body
    assert "hidden size d_ff = **1024**" in body
    tr = load_translator(kind="transformer")
    from core.transformer.probe import forward_probe

    ids = tr.read_words(list(translation.source))[0]
    p = forward_probe(tr.model, ids, trace.inputs)
    want = [b for b in p.blocks if b.part == "decoder" and b.name == "feed-forward"][1].output
    table = at.dataframe[-1].value
    np.testing.assert_allclose(table.to_numpy(dtype=float), np.round(want[:6, :8], 3))
    assert list(table.index)[0] == "0: <sos>"
    at.selectbox(key="block").set_value("encoder: add & norm 1").run()
    ln = markdown_with(at, "Layer-norm check")
    assert float(re.search(r"largest \|mean\| ([0-9.e+-]+)", ln).group(1)) < 1e-5
    lo, hi = (float(x) for x in re.search(r"\(([0-9.]+) to ([0-9.]+)\)", ln).groups())
    assert 0.9999 < lo <= hi < 1.0001
    at.text_input(key="fr").set_value("il y a un chat sur la table .").run()
    notes = " ".join(a["text"] for a in specs(at)["Encoder and decoder blocks with live shapes"]
                     ["layout"]["annotations"])  # fmt: skip
    assert "self-attention<br>(9, 256)" in notes
    check_figures(at)


@pytest.mark.parametrize(
    ("query", "name", "key", "default"),
    [
        ({"view": "Multi-head self-attention", "mh": "L9 H9"}, "layer and head", "mh", "L1 H1"),
        ({"view": "Attention vs self-attention", "av_head": "7"}, "attention head", "av_head",
         "mean"),
    ],
)  # fmt: skip
def test_bad_link_values_of_the_new_tabs(query, name, key, default):
    at = open_page(query)
    assert not at.exception
    (warning,) = at.warning
    assert name in re.sub(r"\\(.)", r"\1", warning.value)
    assert at.button_group(key=key).value == default
    assert specs(at)  # the tab is still drawn with the default


def test_bad_block_link_falls_back():
    at = open_page({"view": "Encoder and decoder", "block": "decoder: nothing"})
    assert not at.exception
    (warning,) = at.warning
    assert "block" in warning.value and at.selectbox(key="block").value == "encoder: self-attention"


@pytest.mark.parametrize(
    "view",
    ["Positional encoding", "Attention vs self-attention", "Multi-head self-attention",
     "Encoder and decoder"],
)  # fmt: skip
def test_new_parts_refuse_an_unreadable_sentence(view):
    at = open_page({"view": view, "fr": "!!! ???"})
    assert not at.exception
    assert any("nothing to decode" in e.value for e in at.error)
    titles = set(specs(at))
    assert not any("attention" in t.lower() or "blocks" in t for t in titles)


# ---------------------------------------------------------------- 6. First / Back / Next / Last
def test_step_buttons_move_the_step_and_the_link(reference):
    _, trace = reference
    N = len(trace.ids)
    at = open_page({"view": "Greedy decoding", "step": "2"})

    def press(name: str, want: int) -> None:
        at.button(key=f"step_{name}").click().run()
        assert not at.exception
        assert at.slider(key="step").value == want, name
        assert f"**Step {want} of {N}:**" in texts(at), name
        assert at.query_params.get("step") == (None if want == 1 else str(want)), name
        assert at.query_params["view"] == "Greedy decoding"

    press("next", 3)
    for want in (2, 1, 1):  # Back stops at step 1
        press("back", want)
    press("last", N)
    press("next", N)  # Next stops at the last step
    press("back", N - 1)
    press("first", 1)
    press("first", 1)


def test_step_keys_belong_to_the_decoding_view_alone():
    """Home / ← / → / End step the decoder only where it is shown: in other views they are not
    on the page, so they cannot move a hidden step."""
    at = open_page({"view": "Greedy decoding"})
    shortcuts = {b.key: b.proto.shortcut for b in at.button if b.key and b.key.startswith("step_")}
    assert shortcuts == {  # as Streamlit stores them
        "step_first": "home", "step_back": "left", "step_next": "right", "step_last": "end",
    }  # fmt: skip
    for view in ("Positional encoding", "Encoder and decoder"):
        at = open_page({"view": view})
        assert not [b for b in at.button if b.proto.shortcut], view


def test_a_step_past_the_end_of_a_short_output_steps_back_from_the_end(reference):
    _, trace = reference
    N = len(trace.ids)
    at = open_page({"view": "Greedy decoding", "step": "20"})  # the slider goes to 20
    at.button(key="step_back").click().run()
    assert at.slider(key="step").value == N - 1 and at.query_params["step"] == str(N - 1)

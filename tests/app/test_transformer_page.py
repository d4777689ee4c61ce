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
        out[fig["layout"]["title"]["text"]] = fig
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

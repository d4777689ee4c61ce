"""The Transformer page's URL-bound controls and cached calls into ``core.transformer_views``.

Number inputs for d_model, base and the rotation's i and δ carry no range on purpose: a value the
widget can hold but the math rejects (an odd or huge d_model, i beyond d_model/2 − 1) gets a
message from ``core.transformer_views`` saying why.  What a widget cannot hold at all (``inf``,
a 400-digit number, an unknown tab) is dropped from a link by ``ui.controls``.

The trained model (the shuffle check of the positional-encoding tab and the last four tabs) is the
numpy transformer of ``core.transformer.np_model``, loaded by ``ui.translate_state.translator``
when a part first needs it; the server never imports torch.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from core import transformer_views as tv
from core.transformer.np_decode import MAX_DECODE_STEPS
from core.transformer.positional import LAYOUTS
from ui.controls import Control

MODEL_JSON = (
    Path(__file__).resolve().parent.parent / "assets" / "transformer" / "model" / "model.json"
)


def _model_shape() -> tuple[int, int, int]:
    """(decoder layers, heads, encoder layers) of the shipped transformer, from its metadata."""
    try:
        cfg = json.loads(MODEL_JSON.read_text(encoding="utf-8"))["config"]
        return int(cfg["dec_layers"]), int(cfg["n_heads"]), int(cfg["enc_layers"])
    except (OSError, ValueError, KeyError, TypeError):
        return 2, 4, 2


N_LAYERS, N_HEADS, N_ENC_LAYERS = _model_shape()
MEAN = "mean"
MAX_STEPS = MAX_DECODE_STEPS
MAX_TEXT = 500
DEFAULT_TEXT = "je suis tres fatigue ."

# ---------------------------------------------------------------- the tabs
VIEWS = (
    "Positional encoding", "Scaled dot-product", "Attention vs self-attention",
    "Multi-head self-attention", "Encoder and decoder", "Greedy decoding",
)  # fmt: skip
VIEW = Control("view", "View", "tabs", default=VIEWS[0], options=VIEWS, name="view")

# ---------------------------------------------------------------- 1. positional encoding
D_MODEL = Control(
    "d_model", "d_model (even)", "number", default=64, integer=True, name="d_model",
    kwargs=dict(step=2),
    help=f"Width of the encoding, an even number from {tv.D_MODEL[0]} to {tv.D_MODEL[1]}.",
)  # fmt: skip
BASE = Control(
    "base", "Base (10000 on the sheet)", "number", default=10000.0, name="base",
    kwargs=dict(step=1000.0, format="%g"),
    help=f"The wavelengths run from 2π to 2π·base; from {tv.BASE[0]:g} to {tv.BASE[1]:g}.",
)  # fmt: skip
LAYOUT = Control(
    "layout", "Layout", "segmented", default=LAYOUTS[0], options=LAYOUTS, name="layout",
    help="interleaved: sin in even, cos in odd columns (the sheet); concatenated: all sines, "
    "then all cosines.",
)  # fmt: skip
N_POS = Control(
    "n_pos", "Positions n", "slider", default=50, lo=tv.N_POSITIONS[0], hi=tv.N_POSITIONS[1],
    integer=True, name="n",
)  # fmt: skip
DIMS = Control(
    "dims", "Dimensions to plot (2-4, from 0)", "text", default="0 1 10 11", max_chars=40,
    name="dimensions",
)  # fmt: skip
FREQ = Control(
    "freq", "Frequency index i", "number", default=1, integer=True, name="i",
    help="Columns 2i and 2i + 1 (interleaved) or i and d/2 + i (concatenated).",
)  # fmt: skip
DELTA = Control(
    "delta", "Offset δ", "number", default=3, integer=True, name="δ",
    help=f"A whole number from {tv.DELTA[0]} to {tv.DELTA[1]}.",
)  # fmt: skip

SHUFFLE_SEED = Control(
    "shuffle_seed", "Shuffle seed", "number", default=0, integer=True, lo=0, hi=tv.MAX_SEED,
    name="shuffle seed", help="Seeds the permutation of the French words.",
)  # fmt: skip

# ---------------------------------------------------------------- 2. scaled dot-product
EX_SEED = Control("ex_seed", "Seed of the worked example", "number", default=0, integer=True,
                  lo=0, hi=tv.MAX_SEED, name="example seed")  # fmt: skip
D_K = Control(
    "d_k", "d_k", "slider", default=64, lo=tv.D_K[0], hi=tv.D_K[1], integer=True, name="d_k",
)  # fmt: skip
N_KEYS = Control(
    "n_keys", "Keys n", "number", default=16, integer=True, lo=tv.N_KEYS[0], hi=tv.N_KEYS[1],
    name="n keys",
)  # fmt: skip
SEED = Control("seed", "Seed", "number", default=0, integer=True, lo=0, hi=tv.MAX_SEED,
               name="seed")  # fmt: skip

# ---------------------------------------------------------------- 3. greedy decoding
FR = Control(
    "fr", "French sentence", "text", default=DEFAULT_TEXT, max_chars=MAX_TEXT,
    help="Normalised as in training: lower case, accents removed, . ! ? split off.",
)  # fmt: skip
STEP = Control(
    "step", "Step t", "slider", default=1, lo=1, hi=MAX_STEPS, integer=True, name="step",
    help="The output position being written; steps past the end show the last one.",
)  # fmt: skip
LAYER = Control(
    "layer", "Decoder layer", "segmented", default=N_LAYERS,
    options=tuple(range(1, N_LAYERS + 1)), name="layer",
)  # fmt: skip
HEAD = Control(
    "head", "Head", "segmented", default=MEAN,
    options=(MEAN, *(str(h) for h in range(1, N_HEADS + 1))), name="head",
)  # fmt: skip

# ---------------------------------------------------------------- attention vs self-attention
AV_LAYER = Control(
    "av_layer", "Layer (encoder and decoder)", "segmented", default=N_LAYERS,
    options=tuple(range(1, min(N_LAYERS, N_ENC_LAYERS) + 1)), name="attention layer",
)  # fmt: skip
AV_HEAD = Control(
    "av_head", "Head", "segmented", default=MEAN,
    options=(MEAN, *(str(h) for h in range(1, N_HEADS + 1))), name="attention head",
)  # fmt: skip

# ---------------------------------------------------------------- multi-head self-attention
MH_CELLS = tuple(
    f"L{layer} H{head}" for layer in range(1, N_ENC_LAYERS + 1) for head in range(1, N_HEADS + 1)
)
MH = Control(
    "mh", "Encoder layer and head", "segmented", default=MH_CELLS[0], options=MH_CELLS,
    name="layer and head", help="L = encoder layer, H = head.",
)  # fmt: skip

# ---------------------------------------------------------------- encoder and decoder
BLOCK = Control(
    "block", "Block", "select", default="encoder: self-attention", options=tv.BLOCKS,
    name="block",
)  # fmt: skip
BLOCK_LAYER = Control(
    "blk_layer", "Layer", "segmented", default=1,
    options=tuple(range(1, min(N_LAYERS, N_ENC_LAYERS) + 1)), name="block layer",
)  # fmt: skip

CONTROLS = (
    VIEW, D_MODEL, BASE, LAYOUT, N_POS, DIMS, FREQ, DELTA, SHUFFLE_SEED, EX_SEED, D_K, N_KEYS,
    SEED, FR, STEP, LAYER, HEAD, AV_LAYER, AV_HEAD, MH, BLOCK, BLOCK_LAYER,
)  # fmt: skip  # every URL-bound control of the page

# ---------------------------------------------------------------- cached calls
pe_view = st.cache_data(show_spinner=False, max_entries=16)(tv.pe_view)  # up to 1.1 MB each
rotation_check = st.cache_data(show_spinner=False, max_entries=64)(tv.rotation_check)
worked_example = st.cache_data(show_spinner=False, max_entries=64)(tv.worked_example)
scaling_point = st.cache_data(show_spinner=False, max_entries=256)(tv.scaling_point)
scaling_curve = st.cache_data(show_spinner=False, max_entries=64)(tv.scaling_curve)


@st.cache_data(show_spinner="Translating…", max_entries=256)
def trace(text: str):
    """(Translation, DecodeTrace or None, {token id: word} of the ids the trace names) of the
    shipped transformer's greedy decoding of ``text``; the model is loaded once per process."""
    from ui.translate_state import translator

    tr = translator(None, "transformer")
    translation, d = tr.trace(text, beam=1)
    words: dict[int, str] = {}
    if d is not None:
        vocab = tr.tgt_vocab.words
        for i in (*d.ids, *d.inputs, *d.top_ids.ravel()):
            words[int(i)] = vocab[int(i)]
    return translation, d, words


def _source_ids(tr, translation) -> list[int]:
    """The model's ids of the translation's French tokens (as read when translating)."""
    return list(tr.read_words(list(translation.source))[0])


# An entry is about 2 MB (every block's output and each layer's W_O, float64): 64 entries, as
# a class typing its own sentences would fill, would hold 130 MB.  A probe takes 7 ms again.
@st.cache_data(show_spinner="Running the encoder and decoder…", max_entries=8)
def probe(text: str):
    """(ForwardProbe or None, decoder input words (N,), target words by id) of ``text``: every
    block of the shipped transformer on the sentence and its greedy translation."""
    from core.transformer.probe import forward_probe
    from ui.translate_state import translator

    translation, d, _ = trace(text)
    if d is None or len(d.ids) == 0:
        return None, (), ()
    tr = translator(None, "transformer")
    vocab = tr.tgt_vocab.words
    p = forward_probe(tr.model, _source_ids(tr, translation), d.inputs)
    return p, tuple(vocab[int(i)] for i in d.inputs), vocab


@st.cache_data(show_spinner="Shuffling and encoding…", max_entries=64)
def shuffle(text: str, seed: int):
    """``tv.ShuffleCheck`` of ``text``'s French words shuffled with ``seed`` (None when nothing
    can be read)."""
    from core.transformer.probe import encoder_output
    from ui.translate_state import translator

    translation, d, _ = trace(text)
    if d is None or not translation.source:
        return None
    tr = translator(None, "transformer")
    ids = _source_ids(tr, translation)
    order = tv.shuffle_order(len(ids), seed)
    moved = [ids[i] for i in order]
    outs = [encoder_output(tr.model, x, pe) for pe in (True, False) for x in (ids, moved)]
    return tv.shuffle_check(translation.source, order, *outs)

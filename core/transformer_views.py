"""What the Transformer page shows, computed (review questions 3-5, the transformer part).

Pure numpy, typed frozen results; nothing here draws or imports torch:

* positional encoding: ``check_pe`` (the controls the math can reject), ``pe_view`` (the
  encoding, chosen dimensions, the position-by-position cosine similarity and a sentence on how
  it falls with distance) and ``rotation_check`` (PE(p + δ) = R PE(p) for every p);
* scaled dot-product: ``worked_example`` (softmax(QKᵀ/√d_k)V on 3 queries, 4 keys, d_k = 4),
  ``scaling_point`` / ``scaling_curve`` (score spread, largest weight, softmax gradient size,
  unscaled against scaled, over d_k);
* greedy decoding: ``decode_step`` (one step of a ``core.transformer.np_decode.DecodeTrace``: the
  masked self-attention rows, the cross-attention row, the top-5 next words);
* attention vs self-attention: ``attention_compare`` (the encoder's self-attention beside the
  decoder's cross-attention, from the same ``DecodeTrace``);
* multi-head self-attention: ``multihead_view`` (one head's weights, the shapes of
  concat · W_O and the check against the module's own output, from a
  ``core.transformer.probe.ForwardProbe``);
* encoder and decoder blocks: ``block_shapes`` / ``block_view`` (live shapes and numbers of each
  block of the sheet's Figures 4-5, from the same probe);
* shuffled words: ``shuffle_order`` / ``shuffle_check`` (the encoder with and without the
  positional encoding on a sentence and on its words shuffled).

The probes themselves run the numpy model in ``core.transformer.probe``; this module only reads
them.

Every random number comes from ``np.random.default_rng(seed)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.checks import Problem
from core.numerics import is_int, is_number, readonly
from core.transformer.attention import scaled_dot_product_attention
from core.transformer.positional import LAYOUTS, positional_encoding, rotation_blocks

D_MODEL = (4, 512)
BASE = (100.0, 100_000.0)
N_POSITIONS = (2, 200)
DELTA = (1, 100)
D_K = (4, 1024)
N_KEYS = (2, 1000)
MAX_SEED = 2**32 - 1
N_TRIALS = 400  # queries per d_k in the scaling statistics (each against n keys)
CURVE_DK = (4, 8, 16, 32, 64, 128, 256, 512, 1024)
SIMILAR = 0.5  # "alike": mean cosine similarity above this


def _shown(v) -> str:
    if is_int(v):
        return f"{v:,}" if abs(v) >= 10_000 else str(v)
    if isinstance(v, float):
        return f"{v:g}"
    return repr(v) if isinstance(v, str) else str(v)


def _int_in(v, lo: int, hi: int) -> bool:
    return is_int(v) and lo <= v <= hi


def _real_in(v, lo: float, hi: float) -> bool:
    return is_number(v) and math.isfinite(v) and lo <= v <= hi


# ---------------------------------------------------------------- positional encoding
def check_pe(d_model, base, layout, n_positions) -> tuple[Problem, ...]:
    """The problems of the positional-encoding controls (any type is checked, nothing raises)."""
    out: list[Problem] = []
    lo, hi = D_MODEL
    if not _int_in(d_model, lo, hi):
        out.append(
            Problem(
                "d_model",
                f"d_model = {_shown(d_model)}",
                f"choose a whole number from {lo} to {hi} (the trained model uses 256).",
            )
        )
    elif d_model % 2:
        out.append(
            Problem(
                "d_model",
                f"d_model = {d_model} is odd",
                "every sine needs its cosine partner, so d_model must be even; "
                f"try {d_model - 1 if d_model > lo else d_model + 1}.",
            )
        )
    blo, bhi = BASE
    if not _real_in(base, blo, bhi):
        out.append(
            Problem(
                "base",
                f"base = {_shown(base)}",
                f"choose a number from {blo:g} to {bhi:g} (the sheet uses 10000).",
            )
        )
    if layout not in LAYOUTS:
        out.append(Problem("layout", f"layout = {_shown(layout)}", f"choose one of {LAYOUTS}."))
    nlo, nhi = N_POSITIONS
    if not _int_in(n_positions, nlo, nhi):
        out.append(
            Problem(
                "n_positions",
                f"n = {_shown(n_positions)} positions",
                f"choose a whole number from {nlo} to {nhi}.",
            )
        )
    return tuple(out)


def parse_dims(text, d_model: int) -> tuple[tuple[int, ...], Problem | None]:
    """The 2-4 dimensions (columns, from 0) typed as e.g. ``"0 1 6 7"`` or ``"0, 1"``."""
    raw = str(text).replace(",", " ").split()
    advice = f"type 2 to 4 whole numbers from 0 to {d_model - 1}, e.g. '0 1 6 7'."
    if not 2 <= len(raw) <= 4 or not all(r.isdigit() and len(r) <= 4 for r in raw):
        return (), Problem("dims", f"dimensions = '{str(text)[:40]}'", advice)
    dims = tuple(dict.fromkeys(int(r) for r in raw))
    if len(dims) < 2 or max(dims) >= d_model:
        return (), Problem("dims", f"dimensions = '{str(text)[:40]}'", advice)
    return dims, None


@dataclass(frozen=True)
class PEView:
    """P (n, d) the encoding;  similarity (n, n) cosine of PE(p) and PE(q);
    by_distance (n,) the mean similarity of positions δ apart, δ = 0 .. n - 1;
    alike_until -- the largest δ up to which every mean similarity stays above SIMILAR;
    sentence -- how similarity falls with distance, in words."""

    P: np.ndarray
    similarity: np.ndarray
    by_distance: np.ndarray
    alike_until: int
    sentence: str
    d_model: int
    base: float
    layout: str


def pe_view(n_positions: int, d_model: int, base: float, layout: str) -> PEView:
    """The encoding of positions 0 .. n - 1 and how alike the positions are."""
    P = positional_encoding(n_positions, d_model, base, layout)
    norms = np.linalg.norm(P, axis=1)
    S = (P @ P.T) / np.outer(norms, norms)
    n = n_positions
    by = np.array([np.diagonal(S, k).mean() for k in range(n)])
    below = np.nonzero(by <= SIMILAR)[0]
    alike = int(below[0]) - 1 if len(below) else n - 1
    picks = [k for k in (1, 2, 5, 10, 20, 50, 100) if k < n]
    parts = ", ".join(f"{by[k]:.3f} at δ = {k}" for k in picks)
    far = by[1:].min()
    where = int(np.argmin(by[1:])) + 1
    if len(below):
        reach = (
            f"Positions up to {alike} apart keep a mean similarity above {SIMILAR:g}; it first "
            f"falls to {SIMILAR:g} or below at δ = {alike + 1}."
        )
    else:
        reach = f"Over these {n} positions it never falls to {SIMILAR:g}: the base is too large."
    sentence = (
        f"The cosine similarity of PE(p) and PE(p + δ) does not depend on p; averaged over p it "
        f"is 1 at δ = 0, {parts}. {reach} The lowest is {far:.3f} at δ = {where}."
    )
    return PEView(
        readonly(P), readonly(S), readonly(by), alike, sentence, d_model, float(base), layout
    )


def check_rotation(i, delta, d_model: int) -> Problem | None:
    half = d_model // 2
    if not _int_in(i, 0, half - 1):
        return Problem(
            "freq",
            f"i = {_shown(i)}",
            f"the frequency index runs from 0 to d_model/2 − 1 = {half - 1}.",
        )
    lo, hi = DELTA
    if not _int_in(delta, lo, hi):
        return Problem("delta", f"δ = {_shown(delta)}", f"choose an offset from {lo} to {hi}.")
    return None


@dataclass(frozen=True)
class RotationCheck:
    """For frequency i and offset δ: omega = base^(-2i/d);  R (2, 2) the rotation;
    pairs (n, 2) (PE(p, sin col), PE(p, cos col)) for p = 0 .. n - 1;  shifted (n, 2) the same
    at p + δ (from the formula);  rotated (n, 2) R applied to ``pairs``;  max_error the largest
    |shifted − rotated| over every p;  max_error_all the same over every frequency (the full
    d × d shift)."""

    i: int
    delta: int
    omega: float
    R: np.ndarray
    cols: tuple[int, int]
    pairs: np.ndarray
    shifted: np.ndarray
    rotated: np.ndarray
    max_error: float
    max_error_all: float


def rotation_check(
    n_positions: int, d_model: int, base: float, layout: str, i: int, delta: int
) -> RotationCheck:
    P = positional_encoding(n_positions + delta, d_model, base, layout)
    half = d_model // 2
    cols = (2 * i, 2 * i + 1) if layout == "interleaved" else (i, half + i)
    Rs = rotation_blocks(delta, d_model, base)  # (d/2, 2, 2)
    sin_cols = np.arange(half) * 2 if layout == "interleaved" else np.arange(half)
    cos_cols = sin_cols + 1 if layout == "interleaved" else sin_cols + half
    now = np.stack([P[:n_positions, sin_cols], P[:n_positions, cos_cols]], -1)  # (n, d/2, 2)
    later = np.stack([P[delta:, sin_cols], P[delta:, cos_cols]], -1)
    turned = np.einsum("fab,pfb->pfa", Rs, now)
    err_all = float(np.abs(turned - later).max())
    pairs, shifted, rotated = now[:, i], later[:, i], turned[:, i]
    return RotationCheck(
        i=int(i),
        delta=int(delta),
        omega=float(base ** (-2.0 * i / d_model)),
        R=readonly(Rs[i].copy()),
        cols=(int(cols[0]), int(cols[1])),
        pairs=readonly(pairs.copy()),
        shifted=readonly(shifted.copy()),
        rotated=readonly(rotated.copy()),
        max_error=float(np.abs(rotated - shifted).max()),
        max_error_all=err_all,
    )


# ---------------------------------------------------------------- scaled dot-product
def softmax_rows(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class WorkedExample:
    """Q (3, 4), K (4, 4), V (4, 4) with one decimal;  scores = QKᵀ/√d_k;  weights = the
    row softmax;  output = weights V (from ``core.transformer.scaled_dot_product_attention``)."""

    Q: np.ndarray
    K: np.ndarray
    V: np.ndarray
    scores: np.ndarray
    weights: np.ndarray
    output: np.ndarray
    seed: int


def worked_example(seed: int = 0, n_q: int = 3, n_k: int = 4, d_k: int = 4) -> WorkedExample:
    rng = np.random.default_rng(seed)
    Q = np.round(rng.standard_normal((n_q, d_k)), 1)
    K = np.round(rng.standard_normal((n_k, d_k)), 1)
    V = np.round(rng.standard_normal((n_k, d_k)), 1)
    scores = Q @ K.T / math.sqrt(d_k)
    out, w = scaled_dot_product_attention(Q, K, V)
    return WorkedExample(
        *(readonly(np.asarray(a, dtype=np.float64)) for a in (Q, K, V, scores, w, out)), seed
    )


def check_scaling(d_k, n_keys, seed) -> tuple[Problem, ...]:
    out: list[Problem] = []
    lo, hi = D_K
    if not _int_in(d_k, lo, hi):
        out.append(
            Problem(
                "d_k",
                f"d_k = {_shown(d_k)}",
                f"queries and keys need at least one dimension; choose d_k from {lo} to {hi}.",
            )
        )
    lo, hi = N_KEYS
    if not _int_in(n_keys, lo, hi):
        out.append(
            Problem("n_keys", f"n = {_shown(n_keys)} keys", f"choose from {lo} to {hi} keys.")
        )
    if not _int_in(seed, 0, MAX_SEED):
        out.append(Problem("seed", f"seed = {_shown(seed)}", f"choose from 0 to {MAX_SEED:,}."))
    return tuple(out)


@dataclass(frozen=True)
class ScalingPoint:
    """Statistics of n_trials queries q against n_keys keys k, entries N(0, 1), dimension d_k.

    std_* -- standard deviation of the scores q·k (unscaled) and q·k/√d_k (scaled);
    max_weight_* -- mean over queries of the largest softmax weight over the n keys;
    grad_* -- mean Frobenius norm of the softmax Jacobian diag(a) − aaᵀ at those scores
    (0 when the softmax is one-hot: almost no gradient flows back)."""

    d_k: int
    n_keys: int
    std_unscaled: float
    std_scaled: float
    max_weight_unscaled: float
    max_weight_scaled: float
    grad_unscaled: float
    grad_scaled: float


def _jacobian_norm(a: np.ndarray) -> np.ndarray:
    """‖diag(a) − aaᵀ‖_F per row of a (..., n), without forming the matrix."""
    s2 = (a * a).sum(-1)
    s3 = (a**3).sum(-1)
    return np.sqrt(np.maximum(s2 - 2.0 * s3 + s2 * s2, 0.0))


def scaling_point(d_k: int, n_keys: int, seed: int = 0, n_trials: int = N_TRIALS) -> ScalingPoint:
    problems = check_scaling(d_k, n_keys, seed)
    if problems:
        raise ValueError(str(problems[0]))
    rng = np.random.default_rng([seed, d_k, n_keys])
    q = rng.standard_normal((n_trials, d_k))
    # For a fixed q and k ~ N(0, I), q·k is exactly N(0, ‖q‖²): drawing the scores that way is
    # the same distribution as drawing the n keys, at O(n_trials (d_k + n)) cost instead of
    # O(n_trials n d_k) (400 x 1000 x 1024 would be 3 GB).
    s = np.linalg.norm(q, axis=1, keepdims=True) * rng.standard_normal((n_trials, n_keys))
    scaled = s / math.sqrt(d_k)
    a_u, a_s = softmax_rows(s), softmax_rows(scaled)
    return ScalingPoint(
        d_k=int(d_k),
        n_keys=int(n_keys),
        std_unscaled=float(s.std()),
        std_scaled=float(scaled.std()),
        max_weight_unscaled=float(a_u.max(-1).mean()),
        max_weight_scaled=float(a_s.max(-1).mean()),
        grad_unscaled=float(_jacobian_norm(a_u).mean()),
        grad_scaled=float(_jacobian_norm(a_s).mean()),
    )


@dataclass(frozen=True)
class ScalingCurve:
    """``ScalingPoint`` fields as arrays over d_k = CURVE_DK (and the current d_k)."""

    d_k: np.ndarray
    std_unscaled: np.ndarray
    std_scaled: np.ndarray
    max_weight_unscaled: np.ndarray
    max_weight_scaled: np.ndarray
    grad_unscaled: np.ndarray
    grad_scaled: np.ndarray


def scaling_curve(n_keys: int, seed: int = 0, current: int | None = None) -> ScalingCurve:
    dks = sorted(set(CURVE_DK) | ({int(current)} if current is not None else set()))
    pts = [scaling_point(d, n_keys, seed) for d in dks]
    names = [f for f in ScalingCurve.__dataclass_fields__ if f != "d_k"]
    cols = {f: readonly(np.array([getattr(p, f) for p in pts])) for f in names}
    return ScalingCurve(d_k=readonly(np.array(dks)), **cols)


# ---------------------------------------------------------------- greedy decoding
@dataclass(frozen=True)
class DecodeStep:
    """Step t (0-based) of greedy decoding, N steps in all, S French tokens.

    inputs -- the decoder's input tokens (N,): <sos>, then the words written;
    outputs -- the chosen token at each step (N,) (<eos> last when the output ended);
    self_rows (t + 1, N) masked self-attention rows 0 .. t of the chosen layer / head
    (NaN where the causal mask forbids attending: the positions after the row's own);
    n_masked -- masked cells in row t (= N − 1 − t, the future positions);
    cross_row (S,) the cross-attention of step t over the French tokens;
    top_words, top_probs -- the five most probable next tokens; chosen -- the argmax written."""

    t: int
    n_steps: int
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    source: tuple[str, ...]
    self_rows: np.ndarray
    n_masked: int
    n_masked_total: int
    cross_row: np.ndarray
    top_words: tuple[str, ...]
    top_probs: np.ndarray
    chosen: str
    chosen_prob: float
    head_label: str
    layer: int


def _pick(weights: np.ndarray, layer: int, head: int | None) -> np.ndarray:
    """(L, H, ...) -> one layer's one head, or the mean over heads when ``head`` is None."""
    w = weights[layer]
    return w.mean(axis=0) if head is None else w[head]


def decode_step(trace, vocab, source, step: int, layer: int = -1, head: int | None = None):
    """Step ``step`` (1-based, clamped to 1 .. N) of ``trace`` (a ``DecodeTrace``), with
    ``vocab`` the target words and ``source`` the French tokens; ``layer`` 0-based (-1: last),
    ``head`` 0-based or None for the mean over heads."""
    N = len(trace.ids)
    if N == 0:
        raise ValueError("nothing was decoded.")
    t = min(max(int(step), 1), N) - 1
    L = trace.self_attention.shape[0]
    layer = int(layer) % L
    selfw = _pick(trace.self_attention, layer, head)[: t + 1].astype(np.float64)  # (t+1, N)
    mask = np.asarray(trace.causal_mask)[: t + 1]
    rows = np.where(mask, selfw, np.nan)
    cross = _pick(trace.cross_attention, layer, head)[t].astype(np.float64)
    word = [str(vocab[int(i)]) for i in trace.ids]
    return DecodeStep(
        t=t,
        n_steps=N,
        inputs=tuple(str(vocab[int(i)]) for i in trace.inputs),
        outputs=tuple(word),
        source=tuple(str(s) for s in source),
        self_rows=readonly(rows),
        n_masked=int((~mask[t]).sum()),
        n_masked_total=int((~mask).sum()),
        cross_row=readonly(cross),
        top_words=tuple(str(vocab[int(i)]) for i in trace.top_ids[t]),
        top_probs=readonly(np.asarray(trace.top_probs[t], dtype=np.float64)),
        chosen=word[t],
        chosen_prob=float(np.exp(trace.logprobs[t])),
        head_label="mean over heads" if head is None else f"head {head + 1}",
        layer=layer,
    )


# ---------------------------------------------------------------- attention vs self-attention
def labels(words) -> tuple[str, ...]:
    """Position-numbered labels, so that a repeated word stays two rows: '0: je'."""
    return tuple(f"{j}: {w}" for j, w in enumerate(words))


@dataclass(frozen=True)
class AttentionCompare:
    """The trained model's two kinds of attention for one sentence, one layer and head.

    encoder (S, S) self-attention: row i = French word i (query) over the French words (keys);
    cross (N, S) encoder-decoder attention: row t = output step t (query, the decoder state
    that writes ``outputs[t]``) over the French words (keys, from the encoder's output);
    *_sums -- the row sums (1: each row is a softmax);  *_top -- the key with the largest
    weight in each row."""

    source: tuple[str, ...]
    outputs: tuple[str, ...]
    encoder: np.ndarray
    cross: np.ndarray
    encoder_sums: np.ndarray
    cross_sums: np.ndarray
    encoder_top: tuple[str, ...]
    cross_top: tuple[str, ...]
    layer: int
    head_label: str


def attention_compare(trace, vocab, source, layer: int = -1, head: int | None = None):
    """From a ``DecodeTrace``: the encoder self-attention of encoder layer ``layer`` and the
    cross-attention of decoder layer ``layer`` (0-based, -1: last), head ``head`` (0-based) or
    the mean over heads (None)."""
    L = trace.cross_attention.shape[0]
    layer = int(layer) % L
    enc = _pick(trace.encoder_attention, layer % trace.encoder_attention.shape[0], head)
    cross = _pick(trace.cross_attention, layer, head)
    enc, cross = enc.astype(np.float64), cross.astype(np.float64)
    src = tuple(str(s) for s in source)
    return AttentionCompare(
        source=src,
        outputs=tuple(str(vocab[int(i)]) for i in trace.ids),
        encoder=readonly(enc),
        cross=readonly(cross),
        encoder_sums=readonly(enc.sum(-1)),
        cross_sums=readonly(cross.sum(-1)),
        encoder_top=tuple(src[int(j)] for j in enc.argmax(-1)),
        cross_top=tuple(src[int(j)] for j in cross.argmax(-1)),
        layer=layer,
        head_label="mean over heads" if head is None else f"head {head + 1}",
    )


# ---------------------------------------------------------------- multi-head self-attention
@dataclass(frozen=True)
class MultiHeadView:
    """Encoder self-attention of layer ``layer``, head ``head`` (0-based), S French tokens.

    weights (S, S) the head's softmax rows (query i over key j);  row_sums (S,);
    head_out (S, d_k) the head's output weights · V;  the shapes of every step of
    concat(head_1 .. head_H) · W_O + b_O;  concat_error -- max |concat − [head_1 … head_H]|;
    max_diff -- max |concat · W_O + b_O (numpy, float64) − the attention module's own output|;
    top -- the most attended key of each query."""

    layer: int
    head: int
    n_heads: int
    d_k: int
    d_model: int
    source: tuple[str, ...]
    weights: np.ndarray
    row_sums: np.ndarray
    head_out: np.ndarray
    heads_shape: tuple[int, int, int]
    concat_shape: tuple[int, int]
    W_O_shape: tuple[int, int]
    output_shape: tuple[int, int]
    concat_error: float
    max_diff: float
    top: tuple[str, ...]


def multihead_view(probe, source, layer: int, head: int) -> MultiHeadView:
    """``probe`` a ``core.transformer.probe.ForwardProbe``; ``layer`` and ``head`` 0-based."""
    L = len(probe.enc_attention)
    if not (0 <= layer < L and 0 <= head < probe.n_heads):
        raise ValueError(f"layer must be 0 .. {L - 1} and head 0 .. {probe.n_heads - 1}.")
    mh = probe.enc_attention[layer]
    H, S, d_k = mh.heads.shape  # (H, S, d_k)
    stacked = np.concatenate(list(mh.heads), axis=-1)  # (S, H d_k)
    out = mh.concat @ mh.W_O + probe.enc_attention_bias[layer]  # (S, d_model)
    w = np.asarray(mh.weights[head], dtype=np.float64)  # (S, S)
    src = tuple(str(s) for s in source)
    return MultiHeadView(
        layer=int(layer),
        head=int(head),
        n_heads=int(H),
        d_k=int(d_k),
        d_model=int(mh.W_O.shape[1]),
        source=src,
        weights=readonly(w),
        row_sums=readonly(w.sum(-1)),
        head_out=readonly(mh.heads[head]),
        heads_shape=(int(H), int(S), int(d_k)),
        concat_shape=tuple(int(x) for x in mh.concat.shape),  # type: ignore[arg-type]
        W_O_shape=tuple(int(x) for x in mh.W_O.shape),  # type: ignore[arg-type]
        output_shape=tuple(int(x) for x in out.shape),  # type: ignore[arg-type]
        concat_error=float(np.abs(mh.concat - stacked).max()),
        max_diff=float(np.abs(out - probe.enc_attention_module[layer]).max()),
        top=tuple(src[int(j)] for j in w.argmax(-1)),
    )


# ---------------------------------------------------------------- encoder and decoder blocks
ENCODER_BLOCKS = ("embedding + PE", "self-attention", "add & norm 1", "feed-forward",
                  "add & norm 2", "final layer norm")  # fmt: skip
DECODER_BLOCKS = ("embedding + PE", "masked self-attention", "add & norm 1",
                  "encoder-decoder attention", "add & norm 2", "feed-forward", "add & norm 3",
                  "final layer norm", "linear", "softmax")  # fmt: skip
BLOCKS = tuple(f"encoder: {b}" for b in ENCODER_BLOCKS) + tuple(
    f"decoder: {b}" for b in DECODER_BLOCKS
)  # the choices of the page's block control, "part: name"
SHOWN_ROWS, SHOWN_COLS = 6, 8  # of a block's output table


def _block(probe, part: str, name: str, layer: int):
    for b in probe.blocks:
        if b.part == part and b.name == name and b.layer in (layer, -1):
            return b
    raise ValueError(f"no block {part}: {name} in layer {layer + 1}.")


def _shape(a: np.ndarray) -> str:
    return "(" + ", ".join(str(int(x)) for x in a.shape) + ")"


@dataclass(frozen=True)
class BlockShape:
    """One block of the diagram: its part, name and live output shape '(n, width)'."""

    part: str
    name: str
    label: str
    shape: str


def block_shapes(probe, layer: int) -> tuple[BlockShape, ...]:
    """The diagram's blocks for layer ``layer`` (0-based) with their live output shapes; the
    final layer norm only for a pre-LN model (which has one)."""
    out = []
    for part, names in (("encoder", ENCODER_BLOCKS), ("decoder", DECODER_BLOCKS)):
        for name in names:
            try:
                b = _block(probe, part, name, layer)
            except ValueError:
                continue
            out.append(BlockShape(part, name, f"{part}: {name}", _shape(b.output)))
    return tuple(out)


@dataclass(frozen=True)
class BlockView:
    """One block's numbers: its output (n, width) and the first SHOWN_ROWS x SHOWN_COLS of it
    (``table``, rows named by ``rows``); for an add & norm block the standardised layer-norm
    input per row (``ln_mean_max`` = max |row mean|, ``ln_std`` = (min, max) row std); for the
    feed-forward block the hidden width d_ff and the share of hidden units relu set to 0; for
    the softmax the row sums and each row's most probable word (``top``)."""

    part: str
    name: str
    layer: int
    shape: str
    rows: tuple[str, ...]
    table: np.ndarray
    ln_mean_max: float | None
    ln_std: tuple[float, float] | None
    d_ff: int | None
    hidden_zero: float | None
    row_sums: np.ndarray | None
    top: tuple[str, ...]


def block_view(probe, label: str, layer: int, source, inputs, vocab=None) -> BlockView:
    """The block named ``label`` ('encoder: feed-forward', one of BLOCKS) of layer ``layer``
    (0-based).  ``source`` the French tokens (S,), ``inputs`` the decoder's input words (N,),
    ``vocab`` the target words (for the softmax's most probable word)."""
    if label not in BLOCKS:
        raise ValueError(f"unknown block {label!r}; choose one of {BLOCKS}.")
    part, name = label.split(": ", 1)
    b = _block(probe, part, name, layer)
    words = source if part == "encoder" else inputs
    rows = labels(words)[:SHOWN_ROWS]
    ln_mean = ln_std = None
    if b.normed is not None:
        ln_mean = float(np.abs(b.normed.mean(-1)).max())
        sd = b.normed.std(-1)
        ln_std = (float(sd.min()), float(sd.max()))
    d_ff = zero = None
    if b.hidden is not None:
        d_ff, zero = int(b.hidden.shape[-1]), float((b.hidden == 0).mean())
    sums, top = None, ()
    if name == "softmax":
        sums = readonly(b.output.sum(-1))
        if vocab is not None:
            top = tuple(str(vocab[int(j)]) for j in b.output.argmax(-1))
    return BlockView(
        part=part,
        name=name,
        layer=int(b.layer),
        shape=_shape(b.output),
        rows=rows,
        table=readonly(b.output[:SHOWN_ROWS, :SHOWN_COLS]),
        ln_mean_max=ln_mean,
        ln_std=ln_std,
        d_ff=d_ff,
        hidden_zero=zero,
        row_sums=sums,
        top=top,
    )


# ---------------------------------------------------------------- shuffled words, PE on / off
def shuffle_order(n: int, seed: int) -> tuple[int, ...]:
    """A seeded permutation of 0 .. n - 1 that moves at least one word when n > 1: the
    shuffled sentence's position k holds the original word ``order[k]``."""
    if not (is_int(n) and n >= 1):
        raise ValueError(f"n must be a positive whole number, got {n!r}.")
    order = np.random.default_rng(int(seed)).permutation(int(n))
    if n > 1 and (order == np.arange(n)).all():
        order = np.roll(order, 1)
    return tuple(int(i) for i in order)


@dataclass(frozen=True)
class ShuffleCheck:
    """The encoder's outputs (S, d) for a sentence and for its words shuffled (``order``:
    shuffled position k holds original word order[k]), with the positional encoding added and
    without.  ``diff_*`` -- max |shuffled output − original output re-ordered by ``order``|;
    ``row_diff_*`` (S,) the same per shuffled position.  Without PE the encoder sees a bag of
    words, so the difference is rounding only; with PE the words' new positions change them."""

    source: tuple[str, ...]
    shuffled: tuple[str, ...]
    order: tuple[int, ...]
    diff_on: float
    diff_off: float
    row_diff_on: np.ndarray
    row_diff_off: np.ndarray


def shuffle_check(source, order, on, on_shuffled, off, off_shuffled) -> ShuffleCheck:
    """``on`` / ``off`` (S, d) the encoder output of the sentence with / without PE,
    ``*_shuffled`` the same for the shuffled sentence."""
    idx = np.asarray(order, dtype=np.int64)
    d_on = np.abs(np.asarray(on_shuffled, np.float64) - np.asarray(on, np.float64)[idx])
    d_off = np.abs(np.asarray(off_shuffled, np.float64) - np.asarray(off, np.float64)[idx])
    src = tuple(str(s) for s in source)
    return ShuffleCheck(
        source=src,
        shuffled=tuple(src[i] for i in idx),
        order=tuple(int(i) for i in idx),
        diff_on=float(d_on.max()),
        diff_off=float(d_off.max()),
        row_diff_on=readonly(d_on.max(-1)),
        row_diff_off=readonly(d_off.max(-1)),
    )

"""Learning the binary adder by gradient descent instead of designing it by hand.

The model has the same shape as the hand-designed network (2) of ``core.adder``, but its units
are sigmoids with a slope ``s`` instead of hard thresholds::

    h(t) = sigmoid(s * (U x(t) + W h(t-1) + b_h))      h(0) = 0
    y(t) = sigmoid(s * (V h(t) + b_y))

It is trained with Adam on the binary cross-entropy between y(t) and the bits of a + b (LSB first)
for random pairs of ``n_bits``-bit numbers, each read in ``T = n_bits + 1`` steps (one padding
zero column so that the final carry can come out).

With ``anneal`` ("sharpening") the slope grows geometrically from 1 to ``max_slope`` during
training, a penalty 4 h (1 - h) pushes the hidden units towards 0 and 1 in the second half, and
the last 20% of the steps run the hidden units as hard thresholds in the forward pass with the
sigmoid's gradient in the backward pass (straight-through estimator).  ``restarts`` networks are
trained side by side from different initial weights; the one whose hardened network gets the
most sums of ``n_bits``-bit numbers right is kept.  A single run often stops at a network that
gets some kind of column wrong: with the default settings but ``restarts=1`` the seeds 0, 3 and
5 end at about 91.7 % of the bits, with a network that tracks the carry and fails exactly the
columns where a + b + carry = 3 (a XOR b without the carry would get only about 61 % of the bits
of 8-bit sums right, ``xor_without_carry_accuracy``).  ``column_table`` counts, for a trained
network, how often its output bit is right in each of the eight column cases (a_t, b_t,
carry in), and ``describe_columns`` says in a sentence where it fails.  The returned weights are
the trained ones multiplied by the final slope, so that

* ``run_soft`` (slope 1 on those weights) is exactly the trained soft network, and
* the hard-threshold network (3) with the *same* weights, ``hard(z) = 1 iff z >= 0``, is the
  soft network with every ``sigmoid(z)`` rounded at 0.5.  ``harden`` returns those weights;
  check them with ``core.adder.verify.verify_adder`` or ``core.adder.automaton.prove_adder``.

Only numpy is used (float64): the forward pass, backpropagation through time and Adam are
written out (torch would cost the web server, which trains this network, 224 MB of memory;
``tests/core/test_learned_adder.py`` checks the gradients against torch.autograd).  Training is
deterministic for a given ``LearnConfig``: every random number comes from numpy Generators
seeded by ``cfg.seed``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from core.adder.encoding import check_x
from core.adder.verify import MAX_VERIFY_BITS, verify_adder
from core.adder.weights import MAX_HIDDEN, AdderWeights
from core.numerics import is_int, is_number, sigmoid

MAX_TRAIN_BITS = 16  # a, b < 2**16 fit comfortably in int64 and T = 17 steps stay quick
TEST_PAIRS = 4096  # size of the held-out batch behind ``bit_accuracy`` and ``column_table``
PROGRESS_EVERY = 50  # ``progress`` is called every this many steps (and after the last one)
GRAD_CLIP = 1.0  # maximal gradient norm
INIT_SCALE = 0.5  # initial weights are uniform in [-INIT_SCALE, INIT_SCALE]
_TEST_SEED_OFFSET = 1_000_003
WEIGHT_DECAY = 0.0
BINARY_PENALTY = 0.1  # final weight of the "be 0 or 1" term while sharpening
STRAIGHT_THROUGH_FROM = 0.8  # while sharpening, the last 20% of steps train the hard network
ANNEAL_START = 0.0  # fraction of the steps at slope 1 before the slope starts to grow


# --------------------------------------------------------------------------------------------
# Configuration and results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LearnConfig:
    """How to train the soft adder.

    H          hidden units, 1 to 8
    n_bits     width of the training numbers; every sequence has T = n_bits + 1 steps
    steps      Adam steps, each on a fresh batch of random pairs
    batch      pairs (a, b) per step, a and b uniform in [0, 2**n_bits)
    lr         Adam learning rate
    seed       seeds the initial weights, the training pairs and the test pairs
    anneal     raise the sigmoid slope geometrically from 1 to ``max_slope`` during training
    max_slope  final slope when annealing (ignored without ``anneal``: the slope stays 1)
    restarts   networks trained side by side; the best hardened one is kept
    """

    H: int = 3
    n_bits: int = 8
    steps: int = 1500
    batch: int = 256
    lr: float = 0.05
    seed: int = 1  # numpy's seed 0 stops all eight restarts at the 91.8 % plateau (try it)
    anneal: bool = True
    max_slope: float = 8.0
    restarts: int = 8

    def __post_init__(self) -> None:
        if not is_int(self.H) or not 1 <= self.H <= MAX_HIDDEN:
            raise ValueError(f"H must be an integer from 1 to {MAX_HIDDEN}, got {self.H!r}.")
        if not is_int(self.n_bits) or not 1 <= self.n_bits <= MAX_TRAIN_BITS:
            raise ValueError(
                f"n_bits must be an integer from 1 to {MAX_TRAIN_BITS}, got {self.n_bits!r}."
            )
        if not is_int(self.steps) or not 1 <= self.steps <= 100_000:
            raise ValueError(f"steps must be an integer from 1 to 100000, got {self.steps!r}.")
        if not is_int(self.batch) or not 1 <= self.batch <= 65_536:
            raise ValueError(f"batch must be an integer from 1 to 65536, got {self.batch!r}.")
        if not is_number(self.lr) or not (math.isfinite(self.lr) and 0 < self.lr <= 10):
            raise ValueError(f"lr must be a number in (0, 10], got {self.lr!r}.")
        if not is_int(self.seed) or not 0 <= self.seed < 2**63:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}.")
        if not is_int(self.restarts) or not 1 <= self.restarts <= 16:
            raise ValueError(f"restarts must be an integer from 1 to 16, got {self.restarts!r}.")
        if not isinstance(self.anneal, (bool, np.bool_)):
            raise ValueError(f"anneal must be True or False, got {self.anneal!r}.")
        if not is_number(self.max_slope) or not (
            math.isfinite(self.max_slope) and 1 <= self.max_slope <= 1000
        ):
            raise ValueError(f"max_slope must be a number from 1 to 1000, got {self.max_slope!r}.")

    @property
    def T(self) -> int:
        """Steps per training sequence: the numbers' bits plus one padding zero."""
        return self.n_bits + 1

    @property
    def check_bits(self) -> int:
        """Width of the exhaustive check of the hardened network: two bits wider than the
        training numbers (so it also covers numbers never seen), at most MAX_VERIFY_BITS."""
        return min(self.n_bits + 2, MAX_VERIFY_BITS)

    @property
    def final_slope(self) -> float:
        """The slope s at the end of training (and the factor folded into the weights)."""
        return float(self.max_slope) if self.anneal else 1.0

    def slope_at(self, step: int) -> float:
        """Slope used at training step ``step`` (0-based): 1 * (max_slope)**(step / (steps-1))."""
        if not self.anneal or self.steps == 1:
            return self.final_slope
        s0 = int(ANNEAL_START * self.steps)
        if step < s0:
            return 1.0
        return float(self.max_slope) ** ((step - s0) / max(1, self.steps - 1 - s0))


@dataclass(frozen=True, eq=False)
class LearnedAdder:
    """Result of ``train_adder``.

    ``weights`` are the trained parameters times the final slope, so the soft network is
    ``sigmoid(U x + W h + b_h)`` on them (slope 1) and the hard network (3) on them is its
    rounding.  ``losses`` (steps,) is the training loss per step (mean binary cross-entropy per
    output bit, at that step's slope).  ``bit_accuracy`` is the fraction of output bits the soft
    network gets right (y rounded at 0.5) on a fresh seeded batch of 4096 pairs.
    """

    config: LearnConfig
    weights: AdderWeights
    losses: np.ndarray  # (steps,)
    bit_accuracy: float
    seconds: float
    all_losses: np.ndarray | None = None  # (steps, restarts) every restart's losses
    chosen: int = 0  # which restart was kept (lowest mean loss over the last 100 steps)

    @property
    def final_loss(self) -> float:
        """Mean loss over the last (up to) 50 steps."""
        return float(np.mean(self.losses[-PROGRESS_EVERY:]))


@dataclass(frozen=True, eq=False)
class SoftTrace:
    """One run of the soft network.  Row t-1 holds step t."""

    x: np.ndarray  # (2, T) inputs
    pre_h: np.ndarray  # (T, H) U x(t) + W h(t-1) + b_h
    h: np.ndarray  # (T, H) sigmoid(pre_h), in (0, 1)
    pre_y: np.ndarray  # (T,) V h(t) + b_y
    y: np.ndarray  # (T,) sigmoid(pre_y): probability that output bit t is 1

    @property
    def bits(self) -> np.ndarray:
        """The rounded outputs (y >= 0.5), int64.  (T,)"""
        return (self.pre_y >= 0).astype(np.int64)


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


def _random_batch(rng: np.random.Generator, n: int, n_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Random pairs as inputs (T, n, 2) and target bits of a + b (T, n), float64."""
    ab = rng.integers(0, 2**n_bits, size=(2, n), dtype=np.int64)  # (2, n)
    return _encode_batch(ab, n_bits)


def evaluation_pairs(cfg: LearnConfig) -> np.ndarray:
    """The held-out pairs of ``n_bits``-bit numbers that ``bit_accuracy`` and ``column_table``
    are computed on: row 0 the a's, row 1 the b's.  (2, TEST_PAIRS) int64."""
    rng = np.random.default_rng(int(cfg.seed) + _TEST_SEED_OFFSET)
    return rng.integers(0, 2**cfg.n_bits, size=(2, TEST_PAIRS), dtype=np.int64)


def _encode_batch(ab: np.ndarray, n_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ab (2, n) as inputs (T, n, 2) and target bits of a + b (T, n), float64."""
    t = np.arange(n_bits + 1, dtype=np.int64)  # (T,)
    x = (ab[:, None, :] >> t[None, :, None]) & 1  # (2, T, n)
    y = ((ab[0] + ab[1])[None, :] >> t[:, None]) & 1  # (T, n)
    return x.transpose(1, 2, 0).astype(np.float64), y.astype(np.float64)


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------


def train_adder(
    cfg: LearnConfig, progress: Callable[[int, int, float], None] | None = None
) -> LearnedAdder:
    """Train the soft adder with Adam and return its weights with the final slope folded in.

    ``progress(step, total, loss)`` is called after every 50th step and after the last one
    (``step`` counts the steps done, ``loss`` is that step's loss).
    """
    if not isinstance(cfg, LearnConfig):
        raise ValueError("cfg must be a LearnConfig.")
    start = time.perf_counter()
    params, losses = _train(cfg, progress)
    tail = losses[-min(len(losses), 100) :].mean(axis=0)  # (K,)
    # Keep the restart whose *hardened* network is wrong on the fewest pairs of
    # n_bits-bit numbers (at most 10 bits), ties broken by the training loss.
    n_check = min(cfg.n_bits, 10)
    wrong = (
        []
        if not cfg.anneal
        else [
            verify_adder(_hardened([p[k] for p in params], cfg.final_slope), n_check).n_wrong
            for k in range(cfg.restarts)
        ]
    )
    # (Only when sharpening: plain training never looks at the hard network, so without
    # it the restart with the lowest loss is kept and hardening may well fail.)
    best = min(range(cfg.restarts), key=lambda k: (wrong[k] if cfg.anneal else 0, tail[k]))
    params = [p[best : best + 1] for p in params]
    acc = _bit_accuracy(cfg, params)
    weights = _hardened([p[0] for p in params], cfg.final_slope)
    return LearnedAdder(
        cfg,
        weights,
        losses[:, best].copy(),
        acc,
        time.perf_counter() - start,
        all_losses=losses,
        chosen=best,
    )


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z) as (1 + tanh(z / 2)) / 2: one ufunc, no overflow, the dtype of z."""
    return 0.5 * (1 + np.tanh(0.5 * z))


@dataclass
class _Forward:
    """What the backward pass needs of one forward pass of K networks (network-major layout,
    so that every reduction runs over contiguous axes)."""

    logits: np.ndarray  # (K, T, n) s * (V h(t) + b_y)
    hidden: np.ndarray  # (K, T, n, H) h(t) as used forward (hard under straight-through)
    slope: np.ndarray  # (K, T, n, H) sigmoid'(z) = sigma (1 - sigma), the backward's slope


def _forward(
    x: np.ndarray, params: list[np.ndarray], s: float, straight_through: bool = False
) -> _Forward:
    """K soft networks run side by side: x (T, n, 2); U (K, H, 2), W (K, H, H), V (K, H),
    b_h (K, H), b_y (K,).

    With ``straight_through`` the hidden units are hard thresholds in the forward pass while
    the backward pass uses the sigmoid's derivative (the straight-through estimator), so the
    loss measures the hardened network itself."""
    U, W, V, b_h, b_y = params
    T, n = x.shape[:2]
    K, H = V.shape
    dt = U.dtype
    xu = (s * U).reshape(K * H, 2) @ x.reshape(T * n, 2).astype(dt).T  # (K H, T n)
    inp = xu.reshape(K, H, T, n).transpose(0, 2, 3, 1) + s * b_h[:, None, None, :]  # (K,T,n,H)
    w_t = s * W.transpose(0, 2, 1)  # (K, H, H): s h @ W^T per network
    hidden = np.empty((K, T, n, H), dtype=dt)
    slope = np.empty((K, T, n, H), dtype=dt)
    h = np.zeros((K, n, H), dtype=dt)
    for t in range(T):
        z = inp[:, t] + h @ w_t  # (K, n, H) s (U x + W h + b_h)
        sig = _sigmoid(z)
        slope[:, t] = sig * (1 - sig)
        h = (z >= 0).astype(dt) if straight_through else sig
        hidden[:, t] = h
    logits = s * ((hidden.reshape(K, T * n, H) @ V[:, :, None])[..., 0] + b_y[:, None])
    return _Forward(logits.reshape(K, T, n), hidden, slope)


def _loss_and_grads(
    x: np.ndarray,
    target: np.ndarray,
    params: list[np.ndarray],
    s: float,
    straight_through: bool = False,
    penalty: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Per network: the loss (mean binary cross-entropy per output bit), the loss plus
    ``penalty`` * mean 4 h (1 - h), and the gradients of the latter's sum over networks by
    backpropagation through time (written out; ``tests/core/test_learned_adder.py`` checks them
    against torch.autograd).  x (T, n, 2), target (T, n) -> (K,), (K,), [dU, dW, dV, db_h, db_y].
    """
    U, W, V, b_h, b_y = params
    f = _forward(x, params, s, straight_through)
    K, T, n, H = f.hidden.shape
    y = target[None].astype(U.dtype)  # (1, T, n)
    l = f.logits  # noqa: E741 - (K, T, n)
    softplus = np.maximum(l, 0) + np.log1p(np.exp(-np.abs(l)))  # log(1 + e^l), stable
    per_net = (softplus - y * l).reshape(K, -1).mean(axis=1, dtype=np.float64)  # (K,)
    total = per_net
    d_logits = (_sigmoid(l) - y) / (T * n)  # (K, T, n)
    d_hidden = d_logits[..., None] * (s * V)[:, None, None, :]  # (K, T, n, H)
    hid = f.hidden.reshape(K, T * n, H)
    if penalty:
        undecided = (4 * hid * (1 - hid)).reshape(K, -1).mean(axis=1, dtype=np.float64)
        total = per_net + penalty * undecided
        d_hidden += penalty * 4 * (1 - 2 * f.hidden) / (T * n * H)
    dV = s * (d_logits.reshape(K, 1, T * n) @ hid)[:, 0]  # (K, H)
    db_y = s * d_logits.reshape(K, -1).sum(axis=1)  # (K,)
    g = np.empty_like(f.hidden)  # (K, T, n, H) dL/d(U x(t) + W h(t-1) + b_h)
    carry = np.zeros((K, n, H), dtype=U.dtype)  # dL/dh(t) through h(t+1)
    for t in range(T - 1, -1, -1):
        g[:, t] = s * (d_hidden[:, t] + carry) * f.slope[:, t]
        carry = g[:, t] @ W  # (K, n, H)
    g_t = g.reshape(K, T * n, H).transpose(0, 2, 1)  # (K, H, T n)
    dU = g_t @ x.reshape(T * n, 2).astype(U.dtype)  # (K, H, 2)
    dW = g_t[:, :, n:] @ hid[:, : (T - 1) * n]  # (K, H, H): g(t) h(t-1)^T summed, t >= 2
    db_h = g_t.sum(axis=2)  # (K, H)
    return per_net, total, [dU, dW, dV, db_h, db_y]


def _hardened(params: list[np.ndarray], s: float) -> AdderWeights:
    """One network's (U, W, V, b_h, b_y) times the slope s, as AdderWeights."""
    U, W, V, b_h, b_y = (np.asarray(p, dtype=np.float64) * s for p in params)
    return AdderWeights(U=U, W=W, V=V, b_h=b_h, b_y=float(b_y))


def _clip_per_network(grads: list[np.ndarray], max_norm: float) -> None:
    """Gradient-norm clipping for each of the K networks separately (in place)."""
    sq = sum((g.reshape(g.shape[0], -1) ** 2).sum(axis=1) for g in grads)  # (K,)
    scale = np.minimum(max_norm / (np.sqrt(sq) + 1e-6), 1.0)  # (K,)
    for g in grads:
        g *= scale.reshape(-1, *([1] * (g.ndim - 1)))


class _Adam:
    """Adam on numpy arrays (the update of ``core.optim.Adam``, torch.optim's)."""

    def __init__(self, params: list[np.ndarray], lr: float, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps, self.t = params, lr, betas, eps, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, grads: list[np.ndarray]) -> None:
        (b1, b2), self.t = self.betas, self.t + 1
        step_size = self.lr / (1 - b1**self.t)
        bc2_sqrt = math.sqrt(1 - b2**self.t)
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m += (1 - b1) * (g - m)
            v *= b2
            v += (1 - b2) * g * g
            p -= step_size * m / (np.sqrt(v) / bc2_sqrt + self.eps)


def _train(cfg: LearnConfig, progress) -> tuple[list[np.ndarray], np.ndarray]:
    rng = np.random.default_rng(int(cfg.seed))
    H, K = cfg.H, cfg.restarts

    def init(*shape: int) -> np.ndarray:  # float32, as fast as needed and precise enough
        return ((rng.random(shape) * 2 - 1) * INIT_SCALE).astype(np.float32)

    params = [init(K, H, 2), init(K, H, H), init(K, H), init(K, H), init(K)]  # U, W, V, b_h, b_y
    opt = _Adam(params, lr=float(cfg.lr))
    losses = np.zeros((cfg.steps, K))
    for step in range(cfg.steps):
        x, target = _random_batch(rng, cfg.batch, cfg.n_bits)
        ste = cfg.anneal and step >= STRAIGHT_THROUGH_FROM * cfg.steps
        # Sharpening also asks every hidden unit to be near 0 or 1: 4 h (1 - h) is 1 at
        # h = 1/2 and 0 at the ends.  Its weight grows linearly over the second half.
        ramp = max(0.0, 2 * step / cfg.steps - 1) if cfg.anneal else 0.0
        per_net, _, grads = _loss_and_grads(
            x, target, params, cfg.slope_at(step), ste, BINARY_PENALTY * ramp
        )
        _clip_per_network(grads, GRAD_CLIP)
        opt.step(grads)
        losses[step] = per_net
        done = step + 1
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == cfg.steps):
            progress(done, cfg.steps, float(losses[step].min()))
    return params, losses


def _test_outputs(cfg: LearnConfig, params: list[np.ndarray]):
    """One network (K = 1) on the held-out pairs: inputs (T, n, 2), target bits (T, n) and the
    soft network's output bits (y rounded at 0.5) (T, n)."""
    x, target = _encode_batch(evaluation_pairs(cfg), cfg.n_bits)
    logits = _forward(x, params, cfg.final_slope).logits[0]  # (T, n)
    return x, target, (logits >= 0).astype(np.float64)


def _bit_accuracy(cfg: LearnConfig, params: list[np.ndarray]) -> float:
    _, target, out = _test_outputs(cfg, params)
    return float((out == target).mean())


# --------------------------------------------------------------------------------------------
# Running and hardening the learned network
# --------------------------------------------------------------------------------------------


def run_soft(x: np.ndarray, learned: LearnedAdder) -> SoftTrace:
    """Run the trained soft network on the input matrix ``x`` (2, T) (e.g. from ``encode_pair``).

    Uses ``learned.weights`` with slope 1 (the final slope is already folded into them), in
    float64 numpy.
    """
    x = check_x(x)
    w = learned.weights
    xf = x.astype(np.float64)
    T = xf.shape[1]
    pre_h = np.zeros((T, w.H))  # (T, H)
    h = np.zeros((T, w.H))  # (T, H)
    h_prev = np.zeros(w.H)  # (H,)
    for t in range(T):
        pre_h[t] = w.U @ xf[:, t] + w.W @ h_prev + w.b_h
        h[t] = sigmoid(pre_h[t])
        h_prev = h[t]
    pre_y = h @ w.V + w.b_y  # (T,)
    return SoftTrace(x=x, pre_h=pre_h, h=h, pre_y=pre_y, y=sigmoid(pre_y))


def harden(learned: LearnedAdder) -> AdderWeights:
    """The hard-threshold network (3) with the learned weights.

    Nothing is computed: because the final slope is already folded into ``learned.weights``,
    ``hard(z) = 1 iff z >= 0`` is exactly ``sigmoid(z) >= 0.5``, so the hard network is the soft
    one with every unit rounded.  Whether that rounding still adds correctly is a separate
    question: ask ``core.adder.verify.verify_adder`` (all n-bit pairs) or ``prove_adder``
    (inputs of every length).
    """
    return learned.weights


# --------------------------------------------------------------------------------------------
# Which columns the learned network gets right
# --------------------------------------------------------------------------------------------

# The eight column cases (a_t, b_t, carry in), in the order of ``ColumnTable``'s counts.
COLUMN_CASES: tuple[tuple[int, int, int], ...] = tuple(
    (a, b, c) for a in (0, 1) for b in (0, 1) for c in (0, 1)
)


@dataclass(frozen=True)
class ColumnTable:
    """How often a trained network's output bit is right, per column case.

    Every column t of every held-out sum (the pairs of ``evaluation_pairs``, the same columns
    as ``LearnedAdder.bit_accuracy``) is one of the eight cases (a_t, b_t, carry into column t)
    of ``COLUMN_CASES``; ``columns[i]`` counts the columns of case i and ``right[i]`` those
    where the soft network's output bit (y rounded at 0.5) is the correct bit of a + b.
    """

    n_bits: int
    n_pairs: int
    columns: tuple[int, ...]  # (8,) in the order of COLUMN_CASES
    right: tuple[int, ...]  # (8,)

    @property
    def cases(self) -> tuple[tuple[int, int, int], ...]:
        return COLUMN_CASES

    @property
    def shares(self) -> tuple[float | None, ...]:
        """Fraction right per case; None for a case that never occurs."""
        return tuple(r / n if n else None for r, n in zip(self.right, self.columns, strict=True))

    @property
    def n_columns(self) -> int:
        return sum(self.columns)

    @property
    def bit_accuracy(self) -> float:
        """Fraction of all columns right (equals ``LearnedAdder.bit_accuracy``)."""
        return sum(self.right) / self.n_columns

    @property
    def wrong_cases(self) -> tuple[tuple[int, int, int], ...]:
        """The cases with at least one wrong column."""
        return tuple(
            c for c, r, n in zip(COLUMN_CASES, self.right, self.columns, strict=True) if r < n
        )


def column_table(learned: LearnedAdder) -> ColumnTable:
    """Tabulate, for the trained soft network, how often its output bit is right in each case
    (a_t, b_t, carry in) over all columns of the held-out sums behind ``bit_accuracy``.

    The network is run exactly as for ``bit_accuracy`` (float64, the trained weights at the
    final slope), so the table's overall accuracy is ``learned.bit_accuracy``.
    """
    if not isinstance(learned, LearnedAdder):
        raise ValueError("learned must be a LearnedAdder (from train_adder).")
    cfg = learned.config
    w = learned.weights
    s = cfg.final_slope
    params = [np.asarray(v, dtype=np.float64)[None] / s for v in (w.U, w.W, w.V, w.b_h, w.b_y)]
    x, target, out = _test_outputs(cfg, params)  # U (1, H, 2), W (1, H, H), ... b_y (1,)
    a_t = x[:, :, 0].astype(np.int64)  # (T, n)
    b_t = x[:, :, 1].astype(np.int64)
    bit = target.astype(np.int64)
    carry = bit ^ a_t ^ b_t  # the sum bit is a_t xor b_t xor carry in
    case = 4 * a_t + 2 * b_t + carry  # index into COLUMN_CASES
    ok = out == target  # (T, n) bool
    columns = np.bincount(case.ravel(), minlength=8)
    right = np.bincount(case[ok], minlength=8)
    return ColumnTable(
        n_bits=cfg.n_bits,
        n_pairs=int(x.shape[1]),
        columns=tuple(int(v) for v in columns),
        right=tuple(int(v) for v in right),
    )


def xor_without_carry_accuracy(n_bits: int) -> Fraction:
    """Exact fraction of output bits that ``a_t XOR b_t`` (the sum bit without the carry) gets
    right over all columns of all sums of two ``n_bits``-bit numbers (T = n_bits + 1 columns).

    It is right exactly where the carry in is 0.  For uniform a, b the carry into column t is 1
    with probability 1/2 - 1/2**(t+1), so the share is (sum over t of 1/2 + 1/2**(t+1)) / T:
    2815/4608, about 61.1 %, for 8-bit numbers.
    """
    if not is_int(n_bits) or n_bits < 1:
        raise ValueError(f"n_bits must be a positive integer, got {n_bits!r}.")
    T = int(n_bits) + 1
    return sum((Fraction(1, 2) + Fraction(1, 2 ** (t + 1)) for t in range(T)), Fraction(0)) / T


def _case_text(case: tuple[int, int, int]) -> str:
    return "({}, {}, {})".format(*case)


def _where(wrong: tuple, seen: tuple) -> str:
    """Where the wrong cases lie, as a condition on the column: a set of column totals, the
    carry, or the cases themselves."""
    wrong_set = set(wrong)
    totals = sorted({sum(c) for c in wrong})
    if wrong_set == {c for c in seen if sum(c) in totals}:
        if len(totals) == 1:
            return f"a + b + carry = {totals[0]}"
        listed = ", ".join(map(str, totals[:-1])) + f" or {totals[-1]}"
        return f"a + b + carry is {listed}"
    for carry in (1, 0):
        if wrong_set == {c for c in seen if c[2] == carry}:
            return f"the carry in is {carry}"
    listed = [_case_text(c) for c in wrong]
    joined = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + f" or {listed[-1]}"
    return f"(a, b, carry) is {joined}"


def describe_columns(table: ColumnTable) -> str:
    """One sentence on where the network's output bit is wrong, read off ``table``."""
    if not isinstance(table, ColumnTable):
        raise ValueError("table must be a ColumnTable (from column_table).")
    seen = tuple(c for c, n in zip(COLUMN_CASES, table.columns, strict=True) if n)
    wrong = table.wrong_cases
    if not wrong:
        return (
            f"Right in all {table.n_columns:,} columns, in every case of a, b and the carry: "
            "the network tracks the carry."
        )
    idx = [COLUMN_CASES.index(c) for c in wrong]
    n_in = sum(table.columns[i] for i in idx)
    n_bad = n_in - sum(table.right[i] for i in idx)
    if len(wrong) == len(seen):
        return (
            f"Wrong in every case of a, b and the carry: {n_bad:,} of the {n_in:,} columns "
            "are wrong."
        )
    where = _where(wrong, seen)
    how = "all" if n_bad == n_in else f"{n_bad:,} of the {n_in:,}"
    text = (
        f"Wrong only when {where}: {how} such columns are wrong, and every other column is right."
    )
    if where == "the carry in is 1" and n_bad == n_in:
        text += " These are exactly the mistakes of a XOR b without the carry."
    return text

"""The learned (sigmoid) adder: training, the soft forward pass, hardening."""

import numpy as np
import pytest
import torch

import core.learned_adder as la
from core.binary_adder import encode_pair, prove_adder, run_adder, verify_adder
from core.learned_adder import LearnConfig, harden, run_soft, train_adder


@pytest.fixture(scope="module")
def learned():
    return train_adder(LearnConfig())


def test_training_learns_and_hardens_into_a_proved_adder(learned):
    losses = learned.losses
    assert losses.shape == (LearnConfig().steps,)
    assert losses[-100:].mean() < losses[:100].mean() / 5
    assert learned.bit_accuracy >= 0.99
    w = harden(learned)
    assert w.H == 3
    assert verify_adder(w, 8).n_wrong == 0
    assert prove_adder(w).correct


def test_run_soft_matches_a_torch_forward_pass(learned):
    w = learned.weights
    x = encode_pair(201, 77)
    tr = run_soft(x, learned)
    xt = torch.tensor(x.T, dtype=torch.float64)  # (T, 2)
    U, W, V = (torch.tensor(a) for a in (w.U, w.W, w.V))
    b_h = torch.tensor(w.b_h)
    h = torch.zeros(w.H, dtype=torch.float64)
    for t in range(x.shape[1]):
        h = torch.sigmoid(U @ xt[t] + W @ h + b_h)
        np.testing.assert_allclose(tr.h[t], h.numpy(), rtol=0, atol=1e-12)
        y = torch.sigmoid(V @ h + w.b_y)
        np.testing.assert_allclose(tr.y[t], y.item(), rtol=0, atol=1e-12)


def test_hardened_network_is_the_rounded_soft_network_on_the_sheets_example(learned):
    x = encode_pair(55, 18)
    soft = run_soft(x, learned)
    hard = run_adder(x, harden(learned))
    np.testing.assert_array_equal(hard.y, soft.bits)
    np.testing.assert_array_equal(hard.y, hard.target)


def test_training_is_deterministic():
    cfg = LearnConfig(steps=60, restarts=2)
    a, b = train_adder(cfg), train_adder(cfg)
    assert a.weights == b.weights
    np.testing.assert_array_equal(a.losses, b.losses)


def test_progress_is_reported():
    calls = []
    train_adder(LearnConfig(steps=120, restarts=1), progress=lambda *a: calls.append(a))
    assert [c[0] for c in calls] == [50, 100, 120]
    assert all(c[1] == 120 and np.isfinite(c[2]) for c in calls)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"H": 0}, "H must"),
        ({"H": 9}, "H must"),
        ({"n_bits": 0}, "n_bits"),
        ({"steps": 0}, "steps"),
        ({"lr": float("nan")}, "lr"),
        ({"lr": -1.0}, "lr"),
        ({"seed": -1}, "seed"),
        ({"restarts": 0}, "restarts"),
        ({"max_slope": 0.5}, "max_slope"),
        ({"anneal": "yes"}, "anneal"),
    ],
)
def test_invalid_configs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LearnConfig(**kwargs)


@pytest.mark.parametrize("straight_through", [False, True])
@pytest.mark.parametrize("penalty", [0.0, 0.3])
def test_backprop_through_time_equals_torch_autograd(straight_through, penalty):
    """The written-out BPTT of la._loss_and_grads against torch.autograd (float64) on K = 3
    random networks of H = 4 units, with and without the straight-through estimator and the
    4 h (1 - h) penalty."""
    rng = np.random.default_rng(0)
    K, H, n, n_bits, s = 3, 4, 7, 5, 1.7
    params = [rng.normal(size=shape) for shape in [(K, H, 2), (K, H, H), (K, H), (K, H), (K,)]]
    x, y = la._encode_batch(rng.integers(0, 2**n_bits, size=(2, n)), n_bits)
    per_net, total, grads = la._loss_and_grads(x, y, params, s, straight_through, penalty)

    U, W, V, b_h, b_y = P = [torch.tensor(p, requires_grad=True) for p in params]
    X, Y = torch.tensor(x), torch.tensor(y)
    h, hs = torch.zeros(K, n, H, dtype=torch.float64), []
    for t in range(X.shape[0]):
        z = s * (torch.einsum("ni,khi->knh", X[t], U) + b_h[:, None] + h @ W.transpose(1, 2))
        h = torch.sigmoid(z)
        if straight_through:
            h = h + ((z >= 0).double() - h).detach()
        hs.append(h)
    hidden = torch.stack(hs)  # (T, K, n, H)
    logits = s * (torch.einsum("tknh,kh->tkn", hidden, V) + b_y[None, :, None])
    target = Y[:, None, :].expand_as(logits)
    bce = torch.nn.functional.binary_cross_entropy_with_logits(logits, target, reduction="none")
    want_per_net = bce.mean(dim=(0, 2))
    want_total = want_per_net + penalty * (4 * hidden * (1 - hidden)).mean(dim=(0, 2, 3))
    want_total.sum().backward()
    np.testing.assert_allclose(per_net, want_per_net.detach().numpy(), rtol=0, atol=1e-13)
    np.testing.assert_allclose(total, want_total.detach().numpy(), rtol=0, atol=1e-13)
    for name, g, p in zip(("U", "W", "V", "b_h", "b_y"), grads, P, strict=True):
        assert float(np.abs(p.grad.numpy()).max()) > 1e-4, name  # not a vacuous comparison
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=0, atol=1e-12, err_msg=name)

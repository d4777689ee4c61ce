"""core.optim against torch.optim, step by step in float64, and without torch._dynamo."""

import subprocess
import sys

import pytest
import torch

from core.optim import Adam, adamw


def _params(seed: int) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    shapes = [(3, 4), (4,), (2, 3, 2), ()]
    return [torch.randn(s, generator=g, dtype=torch.float64).requires_grad_(True) for s in shapes]


def _loss(params: list[torch.Tensor], step: int) -> torch.Tensor:
    # a different, non-quadratic loss every step so moments and bias corrections all matter
    return sum(((p * (1 + 0.1 * step)).sin() ** 2).sum() + p.pow(4).sum() * 0.01 for p in params)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda p: Adam(p, lr=0.05), lambda p: torch.optim.Adam(p, lr=0.05)),
        (
            lambda p: Adam(p, lr=0.02, betas=(0.9, 0.98), eps=1e-9),
            lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.9, 0.98), eps=1e-9),
        ),
        (
            lambda p: Adam(p, lr=0.03, weight_decay=0.1),
            lambda p: torch.optim.Adam(p, lr=0.03, weight_decay=0.1),
        ),
        (
            lambda p: adamw(p, lr=0.03, weight_decay=0.05),
            lambda p: torch.optim.AdamW(p, lr=0.03, weight_decay=0.05),
        ),
    ],
    ids=["adam", "adam-betas-eps", "adam-l2", "adamw"],
)
def test_updates_equal_torch_optim(ours, theirs):
    a, b = _params(0), _params(0)
    opt_a, opt_b = ours(a), theirs(b)
    for step in range(30):
        if step == 12:  # the learning rate changed between steps, as the trainers' decay does
            for o in (opt_a, opt_b):
                for g in o.param_groups:
                    g["lr"] *= 0.5
        for params, opt in ((a, opt_a), (b, opt_b)):
            opt.zero_grad(set_to_none=True)
            _loss(params, step).backward()
            if step % 7 == 3:  # a parameter without a gradient this step keeps its own count
                params[1].grad = None
            opt.step()
        for pa, pb in zip(a, b, strict=True):
            torch.testing.assert_close(pa, pb, rtol=0, atol=1e-12)
    assert (
        max(
            float((pa.detach() - pb0.detach()).abs().max())
            for pa, pb0 in zip(a, _params(0), strict=True)
        )
        > 0.1
    )


def test_zero_grad_without_set_to_none_keeps_zero_tensors():
    p = _params(1)
    opt = Adam(p)
    _loss(p, 0).backward()
    opt.zero_grad(set_to_none=False)
    assert all(q.grad is not None and float(q.grad.abs().sum()) == 0 for q in p)
    opt.zero_grad()
    assert all(q.grad is None for q in p)


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="no parameters"):
        Adam([])
    with pytest.raises(ValueError, match="betas"):
        Adam(_params(0), betas=(1.0, 0.999))


def test_training_never_imports_dynamo():
    """torch.optim would import torch._dynamo (+~830 modules, +72 MB); the server's learned
    adder and the training worker's step must not."""
    code = (
        "import sys, torch\n"
        "from core.learned_adder import LearnConfig, train_adder\n"
        "train_adder(LearnConfig(H=3, steps=20, restarts=2, seed=1))\n"
        "from core.optim import Adam\n"
        "p = torch.zeros(3, requires_grad=True)\n"
        "o = Adam([p]); (p - 1).pow(2).sum().backward(); o.step()\n"
        "heavy = ('torch._dynamo', 'sympy', 'torch.distributed.tensor')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr

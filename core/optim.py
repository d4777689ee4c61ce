"""Adam and AdamW, written out.

``torch.optim``'s optimizers import ``torch._dynamo`` on their first ``step`` (and with it sympy,
mpmath and ``torch.distributed``: about 830 modules and +72 MB of resident memory measured on
torch 2.13, before a single number is updated).  The web server trains the learned adder in
its own process and the training worker trains a translation model; neither compiles anything,
so both use this module instead.  The updates are the ones ``torch.optim.Adam`` and
``torch.optim.AdamW`` make (non-amsgrad, non-maximize); ``tests/core/test_optim.py`` checks
them against torch step by step in float64.

For a parameter p with gradient g at its step t (counted per parameter, from 1)::

    Adam:   g <- g + weight_decay * p              (L2 penalty in the gradient)
    AdamW:  p <- p * (1 - lr * weight_decay)       (decoupled decay)
    m <- beta1 * m + (1 - beta1) * g
    v <- beta2 * v + (1 - beta2) * g * g
    p <- p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

Like torch's, an optimizer has ``param_groups`` (one here, a list holding one dict whose
``"lr"`` may be changed between steps), ``zero_grad(set_to_none=True)`` and ``step()``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch


class Adam:
    """Adam (Kingma & Ba, 2015); ``decoupled=True`` is AdamW (Loshchilov & Hutter, 2019)."""

    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled: bool = False,
    ) -> None:
        params = list(params)
        if not params:
            raise ValueError("The optimizer got no parameters.")
        if not (lr >= 0 and 0 <= betas[0] < 1 and 0 <= betas[1] < 1 and eps >= 0):
            raise ValueError(
                f"Adam needs lr >= 0, 0 <= betas < 1, eps >= 0; got {lr}, {betas}, {eps}."
            )
        self.param_groups = [
            {
                "params": params,
                "lr": lr,
                "betas": tuple(betas),
                "eps": eps,
                "weight_decay": weight_decay,
            }
        ]
        self.decoupled = decoupled
        self.steps = [0] * len(params)  # per parameter: steps taken with a gradient
        self.exp_avg = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in params]
        self.exp_avg_sq = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in params]

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.param_groups[0]["params"]:
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad.detach_().zero_()

    @torch.no_grad()
    def step(self) -> None:
        group = self.param_groups[0]
        lr, (beta1, beta2), eps, wd = (
            group["lr"],
            group["betas"],
            group["eps"],
            group["weight_decay"],
        )
        idx = [k for k, p in enumerate(group["params"]) if p.grad is not None]
        if not idx:
            return
        params = [group["params"][k] for k in idx]
        grads = [group["params"][k].grad for k in idx]
        m = [self.exp_avg[k] for k in idx]
        v = [self.exp_avg_sq[k] for k in idx]
        for k in idx:
            self.steps[k] += 1
        if wd != 0:
            if self.decoupled:
                torch._foreach_mul_(params, 1 - lr * wd)
            else:
                grads = torch._foreach_add(grads, params, alpha=wd)
        torch._foreach_lerp_(m, grads, 1 - beta1)
        torch._foreach_mul_(v, beta2)
        torch._foreach_addcmul_(v, grads, grads, 1 - beta2)
        step_size = [-lr / (1 - beta1 ** self.steps[k]) for k in idx]
        bc2_sqrt = [math.sqrt(1 - beta2 ** self.steps[k]) for k in idx]
        denom = torch._foreach_sqrt(v)
        torch._foreach_div_(denom, bc2_sqrt)
        torch._foreach_add_(denom, eps)
        torch._foreach_addcdiv_(params, m, denom, step_size)


def adamw(
    params: Iterable[torch.Tensor], lr: float = 1e-3, weight_decay: float = 1e-2, **kw
) -> Adam:
    """AdamW: Adam with decoupled weight decay (``torch.optim.AdamW``'s default decay 0.01)."""
    return Adam(params, lr=lr, weight_decay=weight_decay, decoupled=True, **kw)

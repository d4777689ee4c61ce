"""Speed of the gradient-flow computations, hand BPTT (numpy) against torch autograd.

    python -m bench.gradients [--repeats 7]

The centrepiece of the gradient-flow page is a 200 x 200 grid: 200 forget-gate levels x 200
steps, |c̄(t)| and |h̄(t)| for every cell.  ``core.lstm.forget_sweep`` computes it with the
hand-written BPTT, vectorised over the 200 settings.  The same grid with torch.autograd (float64)
is one batched forward pass over the 200 settings with ``retain_grad()`` on every c(t) and h(t)
and a single ``backward()`` of the summed losses (the settings are independent, so each
setting's gradients are exactly those of its own loss).  The script checks that both give the
same numbers, then prints medians and their ratio, and the plain-RNN sweeps of the page.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from core import lstm
from core import rnn_gradients as rg
from core.gradient_views import N_LEVELS, forget_levels
from core.lstm_partc import wix_bound_curve

T = 200
BUDGET_MS = 50.0  # the target for the 200 x 200 heatmap


def median_ms(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def numpy_grid(f: np.ndarray, regime: str) -> tuple[np.ndarray, np.ndarray]:
    sw = lstm.forget_sweep(f, T, regime)
    return sw.abs_c_bar, sw.abs_h_bar


def torch_grid(f: np.ndarray, regime: str) -> tuple[np.ndarray, np.ndarray]:
    """The same grid by torch.autograd: batched over the settings, retain_grad on c(t), h(t)."""
    import torch

    f64 = torch.float64
    p = lstm.EXAMPLE_PARAMS
    B = f.size
    b_f = torch.tensor(np.log(f) - np.log1p(-f), dtype=f64)
    io = -10.0 if regime == "small_io" else 0.0
    x = torch.tensor(lstm.default_inputs(T), dtype=f64)
    # leaf weights (shared by the batch) so that autograd builds the full graph
    w = {
        n: torch.tensor(float(getattr(p, n)), dtype=f64, requires_grad=True)
        for n in ("w_ix", "w_ih", "w_ox", "w_oh", "w_gx", "w_gh")
    }
    h = torch.zeros(B, dtype=f64)
    c = torch.zeros(B, dtype=f64)
    f_gate = torch.sigmoid(b_f)  # w_fx = w_fh = 0: the forget gate is pinned
    cs, hs = [], []
    for k in range(T):
        i = torch.sigmoid(w["w_ix"] * x[k] + w["w_ih"] * h + io)
        o = torch.sigmoid(w["w_ox"] * x[k] + w["w_oh"] * h + io)
        g = torch.tanh(w["w_gx"] * x[k] + w["w_gh"] * h)
        c = f_gate * c + i * g
        h = o * torch.tanh(c)
        c.retain_grad()
        h.retain_grad()
        cs.append(c)
        hs.append(h)
    loss = (0.5 * (1.0 - h) ** 2).sum()
    loss.backward()
    c_bar = torch.stack([t.grad for t in cs], dim=1).abs().numpy()
    h_bar = torch.stack([t.grad for t in hs], dim=1).abs().numpy()
    return c_bar, h_bar


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    import torch

    torch.set_num_threads(1)  # the grid is many tiny ops: threads only add overhead
    f = forget_levels()  # the page's 200 levels
    load = os.getloadavg()[0]
    print(
        f"{N_LEVELS} forget levels x {T} steps (|c̄(t)| and |h̄(t)| for every cell); "
        f"{os.cpu_count()} cores, load average {load:.1f} (timings grow with the load)"
    )
    print(f"{'computation':48s} {'median ms':>10s}")
    for regime in lstm.SWEEP_REGIMES:
        c_np, h_np = numpy_grid(f, regime)
        c_pt, h_pt = torch_grid(f, regime)
        # same numbers (relative to each row's largest value; tiny entries may underflow)
        for a, b in ((c_np, c_pt), (h_np, h_pt)):
            scale = np.max(np.abs(a), axis=1, keepdims=True)
            assert np.max(np.abs(a - b) / scale) < 1e-9, "numpy and torch grids disagree"
        t_np = median_ms(lambda regime=regime: numpy_grid(f, regime), args.repeats)
        t_pt = median_ms(lambda regime=regime: torch_grid(f, regime), args.repeats)
        ok = "within" if t_np <= BUDGET_MS else "OVER"
        print(
            f"forget sweep, hand BPTT (numpy), {regime:9s}        {t_np:10.1f}"
            f"   ({ok} the {BUDGET_MS:.0f} ms budget)"
        )
        print(
            f"forget sweep, torch autograd (float64), {regime:9s} {t_pt:10.1f}"
            f"   torch / numpy = {t_pt / t_np:.1f}x"
        )
    w_h = np.linspace(0.0, 2.0, 200)
    t = median_ms(lambda: rg.rnn_wh_sweep(w_h, T, w_x=0.1), args.repeats)
    print(f"{'scalar RNN sweep, 200 w_h x 200 steps':48s} {t:10.1f}")
    rho = np.linspace(0.02, 2.0, 100)
    for H in (32, 64):
        t = median_ms(lambda H=H: rg.rho_sweep(rho, T, H=H, seed=0, input_scale=0.1), args.repeats)
        print(f"{f'vector RNN sweep, 100 rho x 200 steps, H={H}':48s} {t:10.1f}")
    for T_max in (5000, 50000):
        t = median_ms(
            lambda T_max=T_max: wix_bound_curve([0.0, 2.5, 5.0, 10.0], T_max),
            max(1, args.repeats // 3),
        )
        print(f"{f'part (c) curves, 4 b_f x T = 1..{T_max}':48s} {t:10.1f}")


if __name__ == "__main__":
    main()

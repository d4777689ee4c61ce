"""The attention page's URL-bound controls and cached calls into ``core.attention_views``.

The number inputs have no range on purpose: a value the widget can hold but the math rejects
(β < 0, n > d, a = b, ...) gets a message from ``core.attention_views.check_setting`` that
says why; only what a widget cannot hold at all (``inf``, a 400-digit number, an unknown tab)
is dropped from a link by ``ui.controls``.
"""

from __future__ import annotations

import streamlit as st

from core import attention as ac
from core import attention_views as av
from ui.controls import Control

# ---------------------------------------------------------------- the tabs
VIEWS = ("Copying", "Averaging", "Sampled keys", "One head vs two")
# The sheet's order, and the first tab opens (a link with another view's values opens that one:
# ui.controls.open_linked_view with VIEW_CONTROLS).
VIEW = Control("view", "View", "tabs", default=VIEWS[0], options=VIEWS, name="view")

# ---------------------------------------------------------------- sidebar: the setting of (b)-(e)
M = Control(
    "M", "Query scale M", "number", default=20.0, name="M", kwargs=dict(step=1.0),
    help="q = M(μ_a + μ_b) for one head, q₁ = Mμ_a and q₂ = Mμ_b for two. The sheet only says "
    "'large'; 20 makes a targeted item outscore the others by a factor e²⁰ ≈ 5·10⁸.",
)  # fmt: skip
NOISE_LOG10 = Control(
    "alpha_log10", "log₁₀ α (α = key noise variance)", "slider", default=-10.0,
    lo=av.NOISE_LOG10[0], hi=av.NOISE_LOG10[1], name="log₁₀ α", kwargs=dict(step=0.5),
    help="Every key is k_i ~ N(μ_i, αI): α is the variance of the small noise on all keys. The "
    "sheet recommends α = 1e-10.",
)  # fmt: skip
BETA = Control(
    "beta", "β (extra variance of k_a along μ_a)", "number", default=0.5, name="β",
    kwargs=dict(step=0.05),
    help="Σ_a = αI + βμ_aμ_aᵀ in the lower pictures: the length of k_a wobbles with standard "
    "deviation √β. The sheet uses β = ½.",
)  # fmt: skip
N_SAMPLES = Control(
    "N", "Samples N", "number", default=1000, integer=True, name="N", kwargs=dict(step=500),
    help=f"Key draws per picture, 1 to {ac.MAX_SAMPLES:,}.",
)  # fmt: skip
N_ITEMS = Control("n_items", "Items n", "number", default=2, integer=True, name="n")
DIM = Control("dim", "Dimension d", "number", default=2, integer=True, name="d")
ITEM_A = Control("item_a", "Item a", "number", default=1, integer=True, name="a")
ITEM_B = Control("item_b", "Item b", "number", default=2, integer=True, name="b")
SEED = Control("key_seed", "Seed", "number", default=0, integer=True, name="seed")

# ---------------------------------------------------------------- the tabs' own controls
COPY_J = Control("copy_j", "Item to copy j", "number", default=1, integer=True, name="j")
COPY_SCORE = Control(
    "copy_kq", "Score of item j: k_jᵀq (every other score is 0)", "slider", default=5.0,
    lo=av.SCALE_RANGE[0], hi=av.SCALE_RANGE[1], name="k_jᵀq", kwargs=dict(step=0.5),
)  # fmt: skip
EPS = Control(
    "eps", "Radius ε around ½(v_a + v_b) for 'close to the average'", "number", default=0.05,
    name="ε", kwargs=dict(step=0.01, format="%.3f"),
)  # fmt: skip

VIEW_CONTROLS = {  # each view's own controls (the sidebar's serve several views)
    VIEWS[0]: (COPY_J, COPY_SCORE),
    VIEWS[2]: (EPS,),
}
CONTROLS = (
    VIEW, M, NOISE_LOG10, BETA, N_SAMPLES, N_ITEMS, DIM, ITEM_A, ITEM_B, SEED, COPY_J,
    COPY_SCORE, EPS,
)  # fmt: skip  # every URL-bound control of the page

# ---------------------------------------------------------------- cached calls
copy_gap = st.cache_data(show_spinner=False, max_entries=128)(ac.copy_gap)
copy_curve = st.cache_data(show_spinner=False, max_entries=64)(av.copy_curve)
pair_curves = st.cache_data(show_spinner=False, max_entries=64)(av.pair_curves)
experiment = st.cache_data(show_spinner=False, max_entries=8)(av.experiment)  # ~1 MB each
summaries = st.cache_data(show_spinner=False, max_entries=24)(av.summaries)
norm_curves = st.cache_data(show_spinner=False, max_entries=64)(av.norm_curves)

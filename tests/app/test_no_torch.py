"""The web server imports torch for no page but the translation models' (issue 10: torch's
import alone is ~224 MB of resident memory, a third of Community Cloud's smallest tier).

One subprocess opens, through the entry point, every view of the pages that compute without
torch -- including the two that used it before: the Learned adder (numpy BPTT) and the T = 2
autograd column (core.autodiff) -- and reports whether torch was imported."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

VISITS = [
    ("pages/1_Binary_adder.py", {}),
    ("pages/1_Binary_adder.py", {"view": "Learned adder", "lsteps": "250"}),
    ("pages/1_Binary_adder.py", {"view": "Automaton"}),
    ("pages/2_Gradient_flow.py", {"view": "T = 2 by hand"}),
    ("pages/2_Gradient_flow.py", {"view": "Gradient flow"}),
    ("pages/2_Gradient_flow.py", {"view": "Part (c)"}),
    ("pages/2_Gradient_flow.py", {"view": "Gate explorer"}),
    ("pages/3_Attention.py", {}),
    ("pages/3_Attention.py", {"view": "Sampled keys", "N": "500"}),
    ("pages/3_Attention.py", {"view": "One head vs two"}),
    ("pages/5_Train.py", {}),
]


def test_pages_without_translation_models_never_import_torch():
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"visits = {VISITS!r}\n"
        "for page, query in visits:\n"
        "    at = AppTest.from_file('app.py', default_timeout=120)\n"
        "    at.query_params = dict(query)\n"
        "    at.run()\n"
        "    at.switch_page(page).run()\n"
        "    assert not at.exception, (page, query, at.exception)\n"
        "    assert not at.error and len(at.main.children) > 3, (page, query)\n"
        "    print(page, query, 'torch' in sys.modules, flush=True)\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert res.returncode == 0, res.stderr[-3000:]
    lines = res.stdout.strip().splitlines()
    assert len(lines) == len(VISITS), res.stdout
    assert all(line.endswith("False") for line in lines), res.stdout

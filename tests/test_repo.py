"""Repository rules: README commands, CI, lint, the purity of core/, lazy torch."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INSTALL_AND_RUN = "pip install -r requirements.txt && streamlit run app.py"
INSTALL_AND_TEST = "pip install -r requirements-dev.txt && python -m pytest"


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_command():
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, flags=re.S)
    assert blocks[:2] == [INSTALL_AND_RUN, INSTALL_AND_TEST]
    assert readme.index(blocks[0]) < 40  # right after the title
    ci = (ROOT / ".ci" / "run").read_text()
    assert INSTALL_AND_TEST in ci


def test_requirements_pin_torch_cpu_release():
    reqs = (ROOT / "requirements.txt").read_text()
    assert "torch==2.13.0" in reqs
    for pkg in ("streamlit==", "plotly==", "altair==", "numpy=="):
        assert pkg in reqs


def _importers(folder: str, modules: str) -> list[str]:
    banned = re.compile(rf"^\s*(import|from)\s+({modules})\b", re.M)
    files = (ROOT / folder).rglob("*.py")
    return sorted(str(p.relative_to(ROOT)) for p in files if banned.search(p.read_text()))


def test_layers_import_only_downwards():
    """pages -> ui -> charts -> core: core draws nothing, charts never call st.*, pages and
    charts compute nothing themselves (no numpy in pages, no torch in either), nothing
    imports upwards."""
    assert _importers("core", "streamlit|plotly|altair|ui|charts|pages") == []
    assert _importers("charts", "streamlit|ui|pages|torch") == []
    assert _importers("ui", "pages") == []
    assert _importers("pages", "numpy|torch") == []


def test_ruff_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (pip install -r requirements-dev.txt)")
    res = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    res = subprocess.run([ruff, "format", "--check", "."], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, "run `ruff format .`:\n" + res.stdout + res.stderr


def test_adder_page_does_not_import_torch_until_the_learned_tab():
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('app.py', default_timeout=60).run()\n"
        "at.switch_page('pages/1_Binary_adder.py').run()\n"
        "assert not at.exception\n"
        "print('torch' in sys.modules)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == "False"

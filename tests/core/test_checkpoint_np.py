"""core.checkpoint_np reads torch.save'd tensor files without torch, as strictly as
torch.load(weights_only=True)."""

import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from core.checkpoint_np import read_weights

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = [ROOT / "assets" / "seq2seq" / "model", ROOT / "assets" / "transformer" / "model"]


@pytest.mark.parametrize("ckpt", SHIPPED, ids=["gru", "transformer"])
def test_shipped_weights_equal_torch_load(ckpt):
    ours = read_weights(ckpt / "weights.pt")
    theirs = torch.load(ckpt / "weights.pt", map_location="cpu", weights_only=True)
    assert list(ours) == list(theirs) and len(ours) > 10
    for k, v in theirs.items():
        assert ours[k].dtype == np.float32 and ours[k].shape == tuple(v.shape), k
        np.testing.assert_array_equal(ours[k], v.float().numpy(), err_msg=k)


def test_dtypes_views_and_shared_storages(tmp_path):
    base = torch.arange(24, dtype=torch.float64).reshape(4, 6)
    tensors = {
        "half": torch.tensor([1.5, -2.25, 65504.0], dtype=torch.float16),
        "bf16": torch.tensor([1.0, -3.5, 1e30], dtype=torch.bfloat16),
        "f32": torch.randn(2, 3, generator=torch.Generator().manual_seed(0)),
        "f64": base,
        "transposed": base.t(),  # a strided view of the same storage
        "slice": base[1:3, 2:],  # an offset view
        "scalar": torch.tensor(7.0),
        "empty": torch.zeros(0, 3),
    }
    torch.save(tensors, tmp_path / "w.pt")
    ours = read_weights(tmp_path / "w.pt")
    for k, v in tensors.items():
        np.testing.assert_array_equal(ours[k], v.float().numpy(), err_msg=k)
        assert ours[k].dtype == np.float32


def _save_pickle(path: Path, obj) -> None:
    torch.save(obj, path)


class Evil:
    def __reduce__(self):
        return (print, ("pwned",))


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.write_bytes(b"not a zip at all"), "not a tensor file"),
        (lambda p: _save_pickle(p, {"w": torch.zeros(2), "x": Evil()}), r"\.print, which a tensor"),
        (lambda p: _save_pickle(p, [torch.zeros(2)]), "dict of named tensors"),
        (lambda p: _save_pickle(p, {"w": torch.zeros(2), "n": 3}), "dict of named tensors"),
        (lambda p: _save_pickle(p, {"w": torch.zeros(2, dtype=torch.int64)}), "LongStorage"),
    ],
    ids=["not-zip", "code", "list", "non-tensor", "int-tensor"],
)
def test_anything_else_is_refused(tmp_path, make, message):
    p = tmp_path / "weights.pt"
    make(p)
    with pytest.raises(ValueError, match=message):
        read_weights(p)


def test_truncated_storage_is_refused(tmp_path):
    p = tmp_path / "weights.pt"
    torch.save({"w": torch.zeros(1000)}, p)
    broken = tmp_path / "broken.pt"
    with zipfile.ZipFile(p) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, data[:100] if "/data/" in info.filename else data)
    with pytest.raises(ValueError, match="shorter than"):
        read_weights(broken)


def test_reading_never_imports_torch():
    code = (
        "import sys\n"
        "from core.checkpoint_np import read_weights\n"
        "w = read_weights('assets/seq2seq/model/weights.pt')\n"
        "print(len(w), 'torch' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    n, torch_loaded = out.stdout.split()
    assert int(n) > 10 and torch_loaded == "False", out.stderr

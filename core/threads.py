"""One BLAS thread for numpy in the web server.

numpy's wheels ship OpenBLAS, which starts one thread per core.  The server's matrices are small
(a sentence is at most 20 rows; the learned adder's are 256 x 3), and a class's sessions already
keep both cores busy, so a second BLAS thread only waits for a core: on a loaded 2-core machine
a transformer greedy translation took 113 ms with two BLAS threads and 19 ms with one (beam 5:
371 ms and 70 ms).  ``OPENBLAS_NUM_THREADS=1`` in the environment does the same, but only
before numpy is first imported, which a hosted server's launcher does not let us control.

``ui/__init__.py`` calls ``single_blas_thread()`` once per server process.
"""

from __future__ import annotations

import ctypes
import functools
from pathlib import Path

import numpy as np

# OpenBLAS's setter in numpy's wheels (scipy-openblas, 64-bit ints) or in a plain OpenBLAS
_SETTERS = ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_",
            "openblas_set_num_threads")  # fmt: skip


@functools.cache
def single_blas_thread() -> bool:
    """Let numpy's OpenBLAS use one thread, process-wide; whether a setter was found (False,
    and nothing changed, for a numpy built on another BLAS)."""
    libs = Path(np.__file__).resolve().parent.parent / "numpy.libs"
    for f in sorted(libs.glob("*openblas*")):
        try:
            lib = ctypes.CDLL(str(f))
        except OSError:
            continue
        for name in _SETTERS:
            setter = getattr(lib, name, None)
            if setter is not None:
                setter(ctypes.c_int(1))
                return True
    return False

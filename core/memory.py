"""Give freed memory back to the operating system (glibc's malloc), for long-lived processes.

glibc serves a large allocation (a numpy array of a few MB) with its own ``mmap`` and unmaps it
when freed -- but after each such free it raises its threshold for doing so, up to 32 MB, so
that later arrays of that size come from the heap, which only shrinks from its top.  A server
whose sessions build and drop arrays of 1-30 MB at random then keeps its peak for good
(bench/load.py: 40 sessions on the adder page left 643 MB behind).  Fixing the thresholds
turns that adjustment off: blocks from ``MMAP_THRESHOLD`` up are always mapped and unmapped,
and free memory at the heap's top above ``TRIM_THRESHOLD`` is returned.

No-op where the C library is not glibc (macOS, musl) or ``ctypes`` cannot reach it.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1  # mallopt parameters, from glibc's malloc.h
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 1 << 20  # 1 MiB: every array this large or larger is its own mapping
TRIM_THRESHOLD = 8 << 20  # 8 MiB


def release_freed_memory() -> bool:
    """Fix glibc's mmap and trim thresholds for this process (see the module docstring).
    Whether it took effect."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    ok = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    return ok and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1

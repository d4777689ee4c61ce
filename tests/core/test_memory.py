"""core.memory: freed memory goes back to the system (glibc)."""


def test_release_freed_memory_sets_glibc_thresholds():
    """core.memory: on glibc the thresholds are fixed (mallopt returns 1 for both); elsewhere
    it reports that nothing was done instead of failing."""
    import ctypes.util
    import platform

    from core.memory import release_freed_memory

    done = release_freed_memory()
    if platform.system() == "Linux" and ctypes.util.find_library("c"):
        assert done is True
    else:
        assert done is False


def test_single_blas_thread_finds_numpys_openblas():
    """core.threads: numpy's wheel ships OpenBLAS, whose thread setter is found (the server
    then runs small matrix products on one thread); products stay right."""
    import numpy as np

    from core.threads import single_blas_thread

    assert single_blas_thread() is True
    a = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(a @ a.T, np.einsum("ij,kj->ik", a, a))

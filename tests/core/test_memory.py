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

"""Streamlit helpers shared by the pages (layout, messages, assets).

Every page (and the home page) imports this package first, so the modules that plotly and
Streamlit otherwise import lazily -- from whichever session's script thread needs them first --
are imported here, whole, under Python's import lock.  Imported lazily, a second session's
thread could meet a half-imported module ("partially initialized module 'pandas' has no
attribute 'Series'") when a class opens the app at once.
"""

import pandas  # noqa: F401
import plotly.graph_objects  # noqa: F401
import pyarrow  # noqa: F401

from core.memory import release_freed_memory
from core.threads import single_blas_thread

# The server's freed arrays go back to the system instead of keeping its peak (core.memory).
release_freed_memory()
single_blas_thread()  # small matrices, many sessions: core.threads

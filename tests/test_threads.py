"""The BLAS-thread policy (betascale.threads)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from betascale.threads import ONE_THREAD_ENV

pytest.importorskip("mumps")

#: In a fresh process without the one-thread environment: every BLAS that is loaded
#: inside the block, the solver's own included, runs one thread.
PROBE = """
from threadpoolctl import threadpool_info
from betascale.threads import one_blas_thread
with one_blas_thread():
    import mumps  # the solver's BLAS (Debian's OpenBLAS), loaded on first use
    import kwant
    print(sorted({(p["filepath"], p["num_threads"]) for p in threadpool_info()}))
    assert all(p["num_threads"] == 1 for p in threadpool_info()), threadpool_info()
"""


def test_one_blas_thread_limits_the_solver_blas_loaded_inside_the_block():
    env = {k: v for k, v in os.environ.items() if k not in ONE_THREAD_ENV}
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "openblas" in done.stdout.lower()

"""The BLAS-thread policy: one BLAS/OpenMP thread per process that computes samples.

Every entry point that computes samples (the ensemble runner, :func:`betascale.conductance`,
the benchmarks) goes through :func:`one_blas_thread`, so the Python API runs at the
speed of the command line; so does the finite-size Cooperon
(:func:`betascale.cooperon.finite_size_crossover`), a sweep of small dense inverses.
Multithreaded LAPACK on the small dense interface matrices of a sample is slower than
one thread, pathologically so when the cores are busy with other work, and under MPI
each rank already owns a core.

The command line also sets ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS`` and
``MKL_NUM_THREADS`` to 1 before NumPy is imported (:data:`ONE_THREAD_ENV`), unless the
user set them; this module limits the thread pools of an already running process
through threadpoolctl.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

#: Environment that gives a new process one BLAS/OpenMP thread.
ONE_THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Limit BLAS/OpenMP to one thread in this process while the block runs."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a dependency of betascale
        yield
        return
    _load_solver_blas()
    with threadpool_limits(limits=1):
        yield


def _load_solver_blas() -> None:
    """Load the BLAS that MUMPS and Kwant link (Debian's OpenBLAS, not NumPy's copy).

    threadpoolctl limits only the libraries already loaded; python-mumps loads its own
    BLAS when it is first imported, which a sample's solver does inside the block.
    """
    with contextlib.suppress(ImportError):
        import mumps  # noqa: F401

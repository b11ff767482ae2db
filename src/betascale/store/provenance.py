"""Provenance of a run: versions, git commit, host, and the BLAS platform.

Results are bit-identical on one platform whatever the number of ranks, the
schedule or a resume; across platforms (other CPUs pick other BLAS kernels) they
agree to about 1e-12 relative. The BLAS library, its kernel (core type) and its
thread count are recorded so that a difference can be explained.
"""

from __future__ import annotations

import os
import platform
import socket
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from betascale.solvers.backends import default_backend


def collect_run_info() -> dict[str, Any]:
    """Provenance of a run.

    Returns
    -------
    dict
        ``versions`` (betascale, kwant, numpy, scipy, mpi4py, python-mumps, the MPI
        library, Python and SQLite; None for what is not installed), ``blas`` (per
        loaded BLAS/OpenMP library: its API, version, kernel architecture and
        threads, from threadpoolctl), ``solver_backend`` (the fast solver's default
        back end here, ``mumps`` or ``scipy``: their T agree to about 1e-10, not bit
        for bit), ``machine`` (CPU architecture), ``git_commit``
        of the betascale source tree (``-dirty`` appended if it has uncommitted
        changes; None outside a git checkout), ``host``, ``pid``, ``argv`` and
        ``start`` (ISO-8601 UTC).
    """
    return {
        "start": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": _versions(),
        "blas": blas_info(),
        "solver_backend": default_backend(),
        "machine": platform.machine(),
        "git_commit": _git_commit(Path(__file__).resolve().parents[1]),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "argv": list(sys.argv),
    }


def blas_info() -> list[dict[str, Any]]:
    """The BLAS and OpenMP libraries loaded in this process (threadpoolctl's report).

    Each entry has ``internal_api`` (e.g. ``openblas``), ``version``,
    ``architecture`` (the kernel, e.g. ``Haswell`` or ``SkylakeX``),
    ``num_threads`` and ``filepath``.
    """
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover - a dependency of betascale
        return []
    keys = ("user_api", "internal_api", "version", "architecture", "num_threads", "filepath")
    return [{key: info.get(key) for key in keys} for info in threadpool_info()]


def _versions() -> dict[str, str | None]:
    from importlib import metadata

    out: dict[str, str | None] = {}
    for dist in ("betascale", "kwant", "numpy", "scipy", "mpi4py", "python-mumps"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    out["mpi"] = _mpi_library_version()
    out["python"] = platform.python_version()
    out["sqlite"] = sqlite3.sqlite_version
    return out


def _mpi_library_version() -> str | None:
    if "mpi4py.MPI" not in sys.modules:
        return None  # never start MPI just to ask for its version
    try:
        from mpi4py import MPI

        return MPI.Get_library_version().strip().splitlines()[0].strip()
    except Exception:  # no MPI (or a broken one) is not an error here
        return None


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def _git_commit(package_dir: Path) -> str | None:
    """HEAD of the git checkout holding ``package_dir``, if it tracks the package."""
    if _git(["ls-files", "--error-unmatch", "__init__.py"], package_dir) is None:
        return None
    commit = _git(["rev-parse", "HEAD"], package_dir)
    if not commit:
        return None
    dirty = _git(["status", "--porcelain", "--", "."], package_dir)
    return f"{commit}-dirty" if dirty else commit

"""Shared pieces of the ensemble tests: small studies and how to run them for real."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from betascale.benchmark import mpiexec_path
from betascale.store import Store

SMALL = """
model = "orthogonal"
E = 1.0
W = [2.0, 5.0]
L = [6, 10, 12]
samples = 6
seed = 5
"""

# Long enough (several seconds) to be interrupted in the middle.
LONG = """
model = "symplectic"
E = 1.0
W = [1.5]
L = [30, 40]
samples = 400
seed = 8
"""

# Many tiny samples: the store outgrows a 200 kB disk within seconds.
MANY = """
model = "orthogonal"
E = 1.0
W = [2.0, 3.0]
L = [4, 6, 10]
samples = 20000
seed = 5
"""

#: Seconds after which a run under test counts as hung.
TIMEOUT = 180


def write(tmp_path: Path, text: str, name: str = "study") -> Path:
    """Write a study file ``name.toml``."""
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


def betascale(
    *args: str, ranks: int | None = None, script: str | None = None, **kwargs
) -> subprocess.CompletedProcess:
    """The CLI in a subprocess (under ``mpiexec -n ranks`` if given), or ``script``
    (a program that patches something and then calls the CLI)."""
    entry = ["-c", script] if script is not None else ["-m", "betascale"]
    cmd = [sys.executable, *entry, *args]
    if ranks is not None:
        cmd = [mpiexec_path(), "-n", str(ranks), *cmd]
    kwargs.setdefault("timeout", TIMEOUT)
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)


def table(path: Path) -> dict:
    """Key -> (T, N) of the successful samples of a store."""
    with Store.open(path) as store:
        return {r.key: (r.T, r.N) for r in store.records() if r.error is None}


def count(path: Path) -> int:
    """Successful samples in a store that may be being written (0 before it exists)."""
    try:
        with sqlite3.connect(path, timeout=5) as conn:
            sql = "SELECT COALESCE(SUM(count - failed), 0) FROM chunks"
            return conn.execute(sql).fetchone()[0]
    except sqlite3.Error:
        return 0


def statuses(path: Path) -> list[str]:
    """The statuses of the runs recorded in a store."""
    with Store.open(path) as store:
        return [run["status"] for run in store.metadata["runs"]]


def wait_for_samples(path: Path, proc: subprocess.Popen, at_least: int) -> None:
    """Wait until the run ``proc`` has stored ``at_least`` samples."""
    deadline = time.monotonic() + TIMEOUT
    while count(path) < at_least:
        assert proc.poll() is None, "run finished before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.05)


def rank_pid(rank: int, marker: str) -> int:
    """The process id of MPI rank ``rank`` of the run whose command line holds ``marker``."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
                environ = (entry / "environ").read_bytes().split(b"\0")
            except OSError:
                continue
            if marker in cmdline and f"PMI_RANK={rank}".encode() in environ:
                return int(entry.name)
        time.sleep(0.05)
    raise AssertionError(f"no process of rank {rank}")

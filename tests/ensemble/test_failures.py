"""No failure leaves a job hanging, and no run with missing samples is called complete.

Each test runs real processes (MPI where it matters) under a timeout: a hang fails the
test instead of blocking the suite.
"""

import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from betascale.benchmark import mpiexec_path
from betascale.cli import main
from betascale.ensemble import Worker
from betascale.store import SampleRecord, Store

SMALL = """
model = "orthogonal"
E = 1.0
W = [2.0, 5.0]
L = [6, 10, 12]
samples = 6
seed = 5
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

# Long enough (several seconds) to be interrupted in the middle.
LONG = """
model = "symplectic"
E = 1.0
W = [1.5]
L = [30, 40]
samples = 400
seed = 8
"""

TIMEOUT = 180


def write(tmp_path: Path, text: str, name: str = "study") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


def mpi_run(*args: str, ranks: int = 2, script: str | None = None, **kwargs):
    """``mpiexec -n ranks`` of the CLI (or of ``script`` that patches and then calls it)."""
    entry = ["-c", script] if script is not None else ["-m", "betascale"]
    cmd = [mpiexec_path(), "-n", str(ranks), sys.executable, *entry, *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, **kwargs)


def statuses(path: Path) -> list[str]:
    with Store.open(path) as store:
        return [run["status"] for run in store.metadata["runs"]]


def count(path: Path) -> int:
    try:
        with sqlite3.connect(path, timeout=5) as conn:
            sql = "SELECT COUNT(*) FROM samples WHERE error IS NULL"
            return conn.execute(sql).fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


# ------------------------------------------------------------ full disk, MPI
def test_a_full_disk_aborts_the_mpi_job_instead_of_hanging(tmp_path, small_disk):
    study = write(tmp_path, MANY)
    for attempt in range(3):  # it hung in 4 of 10 tries before the fix
        out = small_disk / f"s{attempt}.sqlite"
        proc = mpi_run("run", str(study), "--out", str(out), "--quiet")
        assert proc.returncode == 2, proc.stderr
        assert "database or disk is full" in proc.stderr
        assert "Traceback" not in proc.stderr
        for name in os.listdir(small_disk):
            os.unlink(small_disk / name)


# ------------------------------------------------- rank 0's compute thread dies
_PATCHED = textwrap.dedent(
    """
    import sys, threading
    import betascale.ensemble.mpi as mpi
    from betascale.ensemble.worker import Worker

    kind = sys.argv.pop(1)
    original = Worker.compute_chunk

    def dying(self, chunk, stop):
        if threading.current_thread().name == "rank0-compute":
            raise MemoryError("simulated: no memory for this geometry")
        return original(self, chunk, stop)

    def silent(self):
        return None  # the thread ends without a word (as if killed mid-put)

    if kind == "raises":
        Worker.compute_chunk = dying
    else:
        mpi._Root._compute = silent
    from betascale.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


@pytest.mark.parametrize("kind", ["raises", "silent"])
def test_a_dead_compute_thread_on_rank_0_fails_the_run_at_once(tmp_path, kind):
    study = write(tmp_path, LONG)
    out = tmp_path / "dead.sqlite"
    start = time.monotonic()
    proc = mpi_run(kind, "run", str(study), "--out", str(out), "--quiet", script=_PATCHED)
    assert proc.returncode == 1
    assert "rank 0 failed" in proc.stderr
    assert ("MemoryError" if kind == "raises" else "compute thread died") in proc.stderr
    assert time.monotonic() - start < 120
    assert statuses(out) == ["failed"]


# ------------------------------------------------------ SIGTERM to one worker
def _rank_pid(rank: int, marker: str) -> int:
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


def test_sigterm_to_one_worker_loses_no_sample(tmp_path):
    study = write(tmp_path, LONG)
    out = tmp_path / "term.sqlite"
    cmd = [mpiexec_path(), "-n", "2", sys.executable, "-m", "betascale", "run", str(study)]
    proc = subprocess.Popen(
        [*cmd, "--out", str(out), "--json", "--quiet"], stdout=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + TIMEOUT
    while not out.exists() or count(out) < 40:
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(_rank_pid(1, str(out)), signal.SIGTERM)
    stdout, _ = proc.communicate(timeout=TIMEOUT)
    summary = json.loads(stdout)
    # rank 0 hands the worker's unfinished and prefetched samples to itself: all done
    assert proc.returncode == 0 and summary["status"] == "complete"
    assert summary["missing_after"] == 0 and count(out) == 800
    assert statuses(out) == ["complete"]


# ------------------------------------------------------------- failing samples
def test_a_run_whose_samples_all_fail_exits_non_zero(tmp_path, monkeypatch, capsys):
    def failing(self, task):
        return SampleRecord(task.W, task.L, task.M, task.sample, float("nan"), 0, 0.0, 0, "boom")

    monkeypatch.setattr(Worker, "compute", failing)
    out = tmp_path / "fail.sqlite"
    assert main(["run", str(write(tmp_path, SMALL)), "--out", str(out), "--json"]) == 1
    summary = json.loads(capsys.readouterr().out)
    assert summary["status"] == "incomplete" and summary["failed"] == 36
    assert statuses(out) == ["incomplete"]


def test_missing_samples_are_never_recorded_as_complete(tmp_path, monkeypatch):
    from betascale.ensemble import Runner
    from betascale.study import parse_study_text

    original = Store.add_chunks

    def lossy(self, results):  # a store that loses the last sample of every chunk
        original(self, [dataclasses.replace(r, T=r.T[:-1], N=r.N[:-1], seconds=r.seconds[:-1])
                        for r in results])  # fmt: skip

    monkeypatch.setattr(Store, "add_chunks", lossy)
    out = tmp_path / "lossy.sqlite"
    summary = Runner(parse_study_text(SMALL), out, quiet=True).run()
    assert summary.status == "incomplete" and summary.missing_after > 0
    assert statuses(out) == ["incomplete"]

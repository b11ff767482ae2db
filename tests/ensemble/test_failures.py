"""No failure leaves a job hanging, and no run with missing samples is called complete.

Each test runs real processes (MPI where it matters) under a timeout: a hang fails the
test instead of blocking the suite.
"""

import dataclasses
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from betascale.benchmark import mpiexec_path
from betascale.cli import main
from betascale.ensemble import Worker
from betascale.store import SampleRecord, Store
from tests.ensemble.helpers import (
    LONG,
    MANY,
    SMALL,
    TIMEOUT,
    betascale,
    count,
    rank_pid,
    statuses,
    write,
)


# ------------------------------------------------------------ full disk, MPI
def test_a_full_disk_aborts_the_mpi_job_instead_of_hanging(tmp_path, small_disk):
    study = write(tmp_path, MANY)
    for attempt in range(3):  # it hung in 4 of 10 tries before the fix
        out = small_disk / f"s{attempt}.sqlite"
        proc = betascale("run", str(study), "--out", str(out), "--quiet", ranks=2)
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
    proc = betascale(
        kind, "run", str(study), "--out", str(out), "--quiet", ranks=2, script=_PATCHED
    )
    assert proc.returncode == 1
    assert "rank 0 failed" in proc.stderr
    assert ("MemoryError" if kind == "raises" else "compute thread died") in proc.stderr
    assert time.monotonic() - start < 120
    assert statuses(out) == ["failed"]


# ------------------------------------------------------ SIGTERM to one worker
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
    os.kill(rank_pid(1, str(out)), signal.SIGTERM)
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

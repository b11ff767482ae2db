"""No failure leaves a job hanging, and no run with missing samples is called complete.

Each test runs real processes (MPI where it matters) under a timeout: a hang fails the
test instead of blocking the suite.
"""

import contextlib
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
    wait_for_samples,
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


# ------------------------------------------------------ a worker stopped (SIGSTOP)
_SHORT_LEASES = textwrap.dedent(
    """
    import sys
    import betascale.ensemble.leases as leases
    import betascale.ensemble.mpi as mpi

    leases.LEASE_FLOOR_SECONDS = 3.0
    leases.LEASE_FACTOR = 3.0
    mpi.LATE_GRACE_SECONDS = float(sys.argv.pop(1))
    from betascale.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def _stop_one_worker(tmp_path, grace: float):
    """Run LONG on 3 ranks, stop rank 1 with SIGSTOP once samples are stored, and wait
    until every sample is stored without it; return (process, store, rank 1's pid)."""
    out = tmp_path / "stopped.sqlite"
    cmd = [mpiexec_path(), "-n", "3", sys.executable, "-c", _SHORT_LEASES, str(grace), "run"]
    cmd += [str(write(tmp_path, LONG)), "--out", str(out), "--json", "--log-interval", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_samples(out, proc, 40)
    worker = rank_pid(1, str(out))
    os.kill(worker, signal.SIGSTOP)
    deadline = time.monotonic() + TIMEOUT
    while count(out) < 800:  # the others take its chunks over
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    return proc, out, worker


def _release(proc, worker: int) -> None:
    """Leave nothing behind: wake the stopped rank and end the job if it still runs."""
    for sig in (signal.SIGCONT, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker, sig)
    if proc.poll() is None:
        proc.kill()
    proc.communicate(timeout=30)


def test_a_stopped_worker_s_chunks_go_to_other_ranks(tmp_path):
    proc, out, worker = _stop_one_worker(tmp_path, grace=TIMEOUT)
    try:
        assert proc.poll() is None  # waiting for the late rank, within the grace
        os.kill(worker, signal.SIGCONT)  # its late answer is discarded
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
    finally:
        _release(proc, worker)
    assert proc.returncode == 0, stderr
    summary = json.loads(stdout)
    assert summary["status"] == "complete" and summary["missing_after"] == 0
    assert 1 in summary["late_ranks"]
    assert "rank 1 is late" in stderr and "late rank(s): 1" in stderr
    assert "rank 1 answers again" in stderr and "late: rank" in stderr
    assert count(out) == 800 and statuses(out) == ["complete"]


def test_a_worker_stopped_for_good_ends_the_job_after_the_grace(tmp_path):
    proc, out, worker = _stop_one_worker(tmp_path, grace=2.0)
    try:
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
    finally:
        _release(proc, worker)
    assert proc.returncode == 1 and stdout == ""  # nothing runs after the abort
    assert "rank(s) 1 stopped answering (run complete)" in stderr
    assert "Traceback" not in stderr
    assert count(out) == 800 and statuses(out) == ["complete"]

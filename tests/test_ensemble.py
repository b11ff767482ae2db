"""Tests of betascale.ensemble: scheduling, MPI runs, resume, signals, failures."""

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from betascale.benchmark import mpiexec_path
from betascale.ensemble import Progress, Scheduler, Task, Worker, run_study
from betascale.errors import InputError
from betascale.store import SampleRecord, Store
from betascale.study import load_study, parse_study_text

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


def write(tmp_path: Path, text: str, name: str = "study") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


def betascale(*args: str, ranks: int | None = None, **kwargs) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "betascale", *args]
    if ranks is not None:
        cmd = [mpiexec_path(), "-n", str(ranks), *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)


def table(path: Path) -> dict:
    with Store.open(path) as store:
        return {(r.W, r.L, r.sample): (r.T, r.N) for r in store.records() if r.error is None}


def count(path: Path) -> int:
    try:
        with sqlite3.connect(path, timeout=5) as conn:
            return conn.execute("SELECT COUNT(*) FROM samples").fetchone()[0]
    except sqlite3.Error:
        return 0


# ---------------------------------------------------------------- scheduler
def test_scheduler_hands_out_every_key_once_large_l_first():
    study = parse_study_text(SMALL)
    scheduler = Scheduler(study, study.keys(), ranks=2)
    first = scheduler.next_chunk(0)
    assert first[0].L == 12
    seen = [t for t in first]
    while (chunk := scheduler.next_chunk(len(seen) % 2)) is not None:
        assert len({(t.W, t.L) for t in chunk}) == 1  # one geometry and W per chunk
        seen.extend(chunk)
    keys = [(t.W, t.L, t.sample) for t in seen]
    assert sorted(keys) == sorted(study.keys())
    assert all(t.M == study.width(t.L) for t in seen)


def test_scheduler_spreads_ranks_over_geometries_and_keeps_affinity():
    study = parse_study_text(SMALL.replace("samples = 6", "samples = 200"))
    scheduler = Scheduler(study, study.keys(), ranks=2)
    a, b = scheduler.next_chunk(0), scheduler.next_chunk(1)
    assert a[0].L == 12 and b[0].L == 10  # rank 1 does not build rank 0's geometry
    assert scheduler.next_chunk(0)[0].L == 12 and scheduler.next_chunk(1)[0].L == 10


def test_scheduler_chunks_shrink_towards_the_end():
    study = parse_study_text(SMALL.replace("samples = 6", "samples = 300"))
    scheduler = Scheduler(study, study.keys(), ranks=2)
    sizes = []
    while (chunk := scheduler.next_chunk(0)) is not None:
        sizes.append(len(chunk))
    assert sizes[-1] == 1 and max(sizes) > 4 * sizes[-1]


def test_worker_records_an_exception_and_goes_on(monkeypatch):
    study = parse_study_text(SMALL)
    worker = Worker(study)
    solver = worker.solver(6, 6)
    original = solver.solve

    def flaky(disorder, eigenvalues=False):
        if disorder.onsite[0, 0] == solver.system.draw_disorder(2.0, 5, 1).onsite[0, 0]:
            raise RuntimeError("MUMPS exploded\nsecond line")
        return original(disorder)

    monkeypatch.setattr(solver, "solve", flaky)
    good, bad = worker.compute(Task(2.0, 6, 6, 0)), worker.compute(Task(2.0, 6, 6, 1))
    assert good.error is None and 0 < good.T <= good.N
    assert bad.error == "RuntimeError: MUMPS exploded" and np.isnan(bad.T)


def test_progress_lines_have_rate_and_eta():
    stream = io.StringIO()
    progress = Progress(10, stream=stream, interval=0.0)
    progress.update([SampleRecord(1.0, 6, 6, i, 1.0, 2, 0.1) for i in range(4)])
    line = stream.getvalue()
    assert "4/10 samples (40%)" in line and "samples/s" in line and "ETA" in line
    quiet = io.StringIO()
    Progress(10, quiet=True, stream=quiet, interval=0.0).update([])
    assert quiet.getvalue() == ""


# ------------------------------------------------------------- in-process run
def test_failed_samples_are_recorded_then_retried(tmp_path, monkeypatch):
    study = parse_study_text(SMALL)
    store_path = tmp_path / "store.sqlite"
    original = Worker.compute

    def failing(self, task):
        if task.sample == 3 and task.L == 10:
            nan = float("nan")
            return SampleRecord(task.W, task.L, task.M, 3, nan, 0, 0.0, self.rank, "failure")
        return original(self, task)

    monkeypatch.setattr(Worker, "compute", failing)
    first = run_study(study, store_path, quiet=True)
    assert first.failed == 2 and first.missing_after == 2
    with Store.open(store_path) as store:
        assert {(r.W, r.L, r.sample) for r in store.failures()} == {(2.0, 10, 3), (5.0, 10, 3)}
    monkeypatch.setattr(Worker, "compute", original)
    second = run_study(study, store_path, quiet=True)
    assert second.computed == 2 and second.failed == 0 and second.missing_after == 0
    with Store.open(store_path) as store:
        assert store.failures() == []


def test_threshold_size_is_refused_before_anything_runs(tmp_path):
    study = parse_study_text(SMALL.replace("L = [6, 10, 12]", "L = [6, 8]"))
    with pytest.raises(InputError, match="M = 8"):
        run_study(study, tmp_path / "s.sqlite", quiet=True)
    assert not (tmp_path / "s.sqlite").exists() or table(tmp_path / "s.sqlite") == {}


# -------------------------------------------------------------- real processes
def test_two_mpi_ranks_equal_one_process_bit_for_bit(tmp_path):
    study = write(tmp_path, SMALL)
    one = betascale("run", str(study), "--out", str(tmp_path / "one.sqlite"), "--quiet")
    two = betascale(
        "run", str(study), "--out", str(tmp_path / "two.sqlite"), "--json", "--quiet", ranks=2
    )
    assert one.returncode == 0, one.stderr
    assert two.returncode == 0, two.stderr
    summary = json.loads(two.stdout)
    assert summary["ranks"] == 2 and summary["computed"] == 36
    a, b = table(tmp_path / "one.sqlite"), table(tmp_path / "two.sqlite")
    assert len(a) == 36 and a == b  # every T bit for bit
    with Store.open(tmp_path / "two.sqlite") as store:
        ranks = set(store.samples().rank.tolist())
    assert ranks == {0, 1}  # both ranks computed, including the one that writes


def test_extending_samples_computes_only_the_new_ones(tmp_path):
    study = write(tmp_path, SMALL)
    out = tmp_path / "ext.sqlite"
    assert betascale("run", str(study), "--out", str(out), "--samples", "3").returncode == 0
    proc = betascale("run", str(study), "--out", str(out), "--json", "--quiet")
    assert json.loads(proc.stdout)["computed"] == 18
    full = tmp_path / "full.sqlite"
    assert betascale("run", str(study), "--out", str(full), "--quiet").returncode == 0
    assert table(out) == table(full)


def test_changed_study_is_refused_with_the_difference(tmp_path):
    out = tmp_path / "s.sqlite"
    assert betascale("run", str(write(tmp_path, SMALL)), "--out", str(out)).returncode == 0
    changed = write(tmp_path, SMALL.replace("E = 1.0", "E = 1.1"), "changed")
    proc = betascale("run", str(changed), "--out", str(out))
    assert proc.returncode == 2
    assert "E" in proc.stderr and "1.1" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_bad_study_file_exits_2_on_every_rank(tmp_path):
    bad = write(tmp_path, SMALL.replace("samples = 6", "sample = 6"))
    proc = betascale("run", str(bad), ranks=2)
    assert proc.returncode == 2
    assert proc.stderr.count("error") == 1 and "sample" in proc.stderr


def _wait_for_samples(path: Path, proc: subprocess.Popen, at_least: int) -> None:
    deadline = time.monotonic() + 120
    while count(path) < at_least:
        assert proc.poll() is None, "run finished before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.05)


def _reference(tmp_path: Path, study: Path) -> dict:
    ref = tmp_path / "reference.sqlite"
    assert betascale("run", str(study), "--out", str(ref), "--quiet", ranks=2).returncode == 0
    return table(ref)


def test_sigkill_then_resume_is_complete_and_identical(tmp_path):
    study = write(tmp_path, LONG)
    out = tmp_path / "killed.sqlite"
    cmd = [sys.executable, "-m", "betascale", "run", str(study), "--out", str(out), "--quiet"]
    proc = subprocess.Popen(cmd)
    _wait_for_samples(out, proc, 60)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(out) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    kept = count(out)
    assert 0 < kept < 800
    resumed = betascale("run", str(study), "--out", str(out), "--json", "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["computed"] == 800 - kept
    assert table(out) == _reference(tmp_path, study)
    with Store.open(out) as store:
        statuses = [run["status"] for run in store.metadata["runs"]]
    assert statuses == ["killed", "complete"]


@pytest.mark.parametrize(("sig", "ranks"), [(signal.SIGINT, None), (signal.SIGTERM, 2)])
def test_signal_finishes_writing_and_says_how_to_resume(tmp_path, sig, ranks):
    study = write(tmp_path, LONG)
    out = tmp_path / "stopped.sqlite"
    cmd = [sys.executable, "-m", "betascale", "run", str(study), "--out", str(out)]
    if ranks:
        cmd = [mpiexec_path(), "-n", str(ranks), *cmd]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    _wait_for_samples(out, proc, 40)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "To resume:" in err and "--out" in err
    with Store.open(out) as store:
        assert store.metadata["runs"][-1]["status"] == "interrupted"
        assert 0 < len(store.samples()) < 800
    resumed = betascale("run", str(study), "--out", str(out), "--quiet")
    assert resumed.returncode == 0
    assert table(out) == _reference(tmp_path, study)


def test_a_dying_rank_aborts_the_job_and_keeps_the_samples(tmp_path):
    study = write(tmp_path, LONG)
    out = tmp_path / "dead.sqlite"
    cmd = [mpiexec_path(), "-n", "2", sys.executable, "-m", "betascale", "run", str(study)]
    proc = subprocess.Popen([*cmd, "--out", str(out), "--quiet"])
    _wait_for_samples(out, proc, 40)
    worker = _rank_pid(1, str(out))
    os.kill(worker, signal.SIGKILL)
    assert proc.wait(timeout=60) != 0
    with sqlite3.connect(out) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    kept = table(out)
    assert len(kept) > 0
    assert betascale("run", str(study), "--out", str(out), "--quiet").returncode == 0
    final = table(out)
    assert all(final[key] == value for key, value in kept.items())
    assert len(final) == 800


def _rank_pid(rank: int, marker: str) -> int:
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
    raise AssertionError(f"no process of rank {rank}")


def test_study_is_loaded_from_a_builtin_name(tmp_path):
    proc = betascale("run", "tiny", "--out", str(tmp_path / "t.sqlite"), "--json", "--quiet")
    assert proc.returncode == 0
    tiny = load_study(Path(__file__).parents[1] / "src/betascale/studies/tiny.toml")
    assert json.loads(proc.stdout)["computed"] == len(tiny.keys())


def test_progress_eta_weighs_samples_by_cost():
    stream = io.StringIO()
    progress = Progress(
        4, stream=stream, interval=0.0, weight=lambda r: float(r.L), total_weight=100.0
    )
    progress.start -= 10.0  # pretend 10 s have passed
    progress.update([SampleRecord(1.0, 90, 90, 0, 1.0, 2, 0.1)])  # 90 % of the work
    assert "1/4 samples (25%)" in stream.getvalue()
    assert "ETA 1s" in stream.getvalue()  # 10 s x (1 - 0.9) / 0.9, not 30 s


def test_several_studies_in_one_job(tmp_path):
    first = write(tmp_path, SMALL, "first")
    second = write(tmp_path, SMALL.replace("seed = 5", "seed = 6"), "second")
    proc = betascale(
        "run", str(first), str(second), "--out-dir", str(tmp_path / "d"), "--json", ranks=2
    )
    assert proc.returncode == 0, proc.stderr
    summaries = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [s["computed"] for s in summaries] == [36, 36]
    a, b = table(tmp_path / "d" / "first.sqlite"), table(tmp_path / "d" / "second.sqlite")
    assert a.keys() == b.keys() and a != b  # different seeds, different samples
    both = betascale("run", str(first), str(second), "--out", str(tmp_path / "x.sqlite"))
    assert both.returncode == 2 and "--out-dir" in both.stderr

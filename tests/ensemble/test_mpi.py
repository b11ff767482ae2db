"""Real runs (one process and MPI): bit-identity, resume, signals, dying ranks."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from betascale.benchmark import mpiexec_path
from betascale.store import Store
from betascale.study import load_study
from tests.ensemble.helpers import (
    LONG,
    SMALL,
    betascale,
    count,
    rank_pid,
    table,
    wait_for_samples,
    write,
)


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


def _reference(tmp_path: Path, study: Path) -> dict:
    ref = tmp_path / "reference.sqlite"
    assert betascale("run", str(study), "--out", str(ref), "--quiet", ranks=2).returncode == 0
    return table(ref)


def test_sigkill_then_resume_is_complete_and_identical(tmp_path):
    study = write(tmp_path, LONG)
    out = tmp_path / "killed.sqlite"
    cmd = [sys.executable, "-m", "betascale", "run", str(study), "--out", str(out), "--quiet"]
    proc = subprocess.Popen(cmd)
    wait_for_samples(out, proc, 60)
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
    wait_for_samples(out, proc, 40)
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


@pytest.mark.parametrize("ranks", [None, 2])
def test_sighup_is_a_graceful_stop_as_sigterm(tmp_path, ranks):
    """A hang-up (a closed terminal or session, ``scancel --signal=HUP``) stores the
    samples in progress and records the run as interrupted. Under MPI it reaches the
    ranks (Hydra's mpiexec itself has no SIGHUP handler: it dies, as under SIGKILL)."""
    out = tmp_path / "hup.sqlite"
    cmd = [sys.executable, "-m", "betascale", "run", str(write(tmp_path, LONG)), "--out", str(out)]
    if ranks:
        cmd = [mpiexec_path(), "-n", str(ranks), *cmd]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    wait_for_samples(out, proc, 40)
    pids = [proc.pid] if not ranks else [rank_pid(r, str(out)) for r in range(ranks)]
    for pid in pids:
        os.kill(pid, signal.SIGHUP)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "SIGHUP received" in err and "To resume:" in err
    with Store.open(out) as store:
        assert store.metadata["runs"][-1]["status"] == "interrupted"
        assert 0 < len(store.samples()) < 800


def test_a_dying_rank_aborts_the_job_and_keeps_the_samples(tmp_path):
    study = write(tmp_path, LONG)
    out = tmp_path / "dead.sqlite"
    cmd = [mpiexec_path(), "-n", "2", sys.executable, "-m", "betascale", "run", str(study)]
    proc = subprocess.Popen([*cmd, "--out", str(out), "--quiet"])
    wait_for_samples(out, proc, 40)
    worker = rank_pid(1, str(out))
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


def test_study_is_loaded_from_a_builtin_name(tmp_path):
    proc = betascale("run", "tiny", "--out", str(tmp_path / "t.sqlite"), "--json", "--quiet")
    assert proc.returncode == 0
    tiny = load_study(Path(__file__).parents[2] / "src/betascale/studies/tiny.toml")
    assert json.loads(proc.stdout)["computed"] == len(list(tiny.keys()))


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


def test_abort_job_never_returns_even_if_mpi_abort_does():
    """MPICH's MPI_Abort can return while the launcher tears the job down."""
    script = (
        "from betascale.ensemble.mpi import abort_job\n"
        "class Comm:\n"
        "    def Abort(self, code):\n"
        "        pass\n"
        "abort_job(Comm(), 'rank 3 failed', 7)\n"
        "print('returned')\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 7 and proc.stdout == ""
    assert proc.stderr.strip() == "betascale run: error: rank 3 failed; aborting the MPI job"


def test_an_idle_server_waits_longer_and_longer_up_to_a_bound():
    """Every idle wake-up costs rank 0 CPU (issue 18, part 3): idle turns in a row
    wait from IDLE_SECONDS up to MAX_IDLE_SECONDS, and a busy turn starts again."""
    from betascale.ensemble.mpi import IDLE_SECONDS, MAX_IDLE_SECONDS, _Root

    root = object.__new__(_Root)
    waits = []
    for turns in (0, 1, 2, 3, 10, 10**6):
        root.idle_turns = turns
        waits.append(root._idle_wait())
    assert waits[0] == IDLE_SECONDS and waits[-1] == waits[-2] == MAX_IDLE_SECONDS
    assert waits == sorted(waits) and MAX_IDLE_SECONDS <= 0.05

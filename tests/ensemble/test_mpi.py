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
    assert summary["server_chunks"] >= 1 and summary["server_cpu_seconds"] > 0
    assert 0 < summary["server_work_seconds"] <= summary["server_cpu_seconds"]
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
    """Every idle wake-up costs rank 0 CPU (issue 18, part 3): with no chunk leased out,
    idle turns in a row wait from IDLE_SECONDS up to MAX_IDLE_SECONDS."""
    from betascale.ensemble.leases import Leases
    from betascale.ensemble.mpi import IDLE_SECONDS, MAX_IDLE_SECONDS, _Root

    root = object.__new__(_Root)
    root.leases, root.handed_out = Leases(lambda chunk: 1.0), False
    waits = []
    for turns in (0, 1, 2, 3, 10, 10**6):
        root.idle_turns = turns
        waits.append(root._idle_wait())
    assert waits[0] == IDLE_SECONDS and waits[-1] == waits[-2] == MAX_IDLE_SECONDS
    assert waits == sorted(waits) and MAX_IDLE_SECONDS <= 0.05


def test_a_server_with_chunks_leased_out_waits_a_fraction_of_the_shortest():
    """While chunks are out, rank 0 answers within a fraction of the shortest one's
    expected time (the workers ask one chunk ahead and never wait on a send), so that
    it wakes up a few times per chunk instead of every 40 ms (issue 18, part 3)."""
    from betascale.ensemble.leases import Leases
    from betascale.ensemble.mpi import (
        IDLE_SECONDS,
        LATENCY_FRACTION,
        LEASED_IDLE_SECONDS,
        _Root,
    )
    from betascale.ensemble.tasks import Chunk

    root = object.__new__(_Root)
    root.leases = Leases(lambda chunk: 0.01 * len(chunk))  # 10 ms per sample
    root.idle_turns, root.handed_out = 0, False
    assert root._idle_wait(busy=True) == 0.0  # nothing out: the next turn at once
    long = root.leases.grant(1, Chunk(2.0, 0.0, 4, 4, 0, 1000))  # 10 s
    assert root._idle_wait() == LEASED_IDLE_SECONDS and root._idle_wait(busy=True) == 0.0
    root.handed_out = True  # the end: ranks wait for their last chunks, answer quickly
    assert root._idle_wait() == IDLE_SECONDS and root._idle_wait(busy=True) == 0.0
    root.handed_out = False
    short = root.leases.grant(2, Chunk(2.0, 0.0, 4, 4, 1000, 1040))  # 0.4 s
    assert root._idle_wait() == pytest.approx(LATENCY_FRACTION * 0.4)
    root.leases.grant(3, Chunk(2.0, 0.0, 4, 4, 1040, 1041))  # 10 ms
    assert root._idle_wait() == IDLE_SECONDS
    for lease in root.leases.drop(3):
        assert lease.stop == 1041
    assert root._idle_wait() == pytest.approx(LATENCY_FRACTION * 0.4)
    assert root.leases.release(2, short) and root._idle_wait() == LEASED_IDLE_SECONDS
    assert root.leases.release(1, long) and root.leases.shortest() is None


# ------------------------------------------------- messages, with a stand-in comm
class _Request:
    def __init__(self, value=None, done: bool = True) -> None:
        self.value, self.done = value, done

    def Test(self) -> bool:
        return self.done

    def test(self):
        return (True, self.value) if self.done else (False, None)

    def wait(self):
        return self.value


class _Status:
    source = -1

    def Get_source(self) -> int:
        return self.source


def test_a_worker_hands_in_its_results_with_its_next_request(tmp_path):
    """Two messages per chunk instead of three (issue 18, part 3): the results of a
    chunk travel with the request that follows; the last ones before the goodbye."""
    import threading
    from types import SimpleNamespace

    from betascale.ensemble.mpi import _BYE, _REQUEST, _RESULTS, _WorkerLoop
    from betascale.ensemble.tasks import Chunk
    from betascale.study import parse_study_text

    study = parse_study_text(SMALL)
    M = study.width(6)
    chunks = [Chunk(2.0, 0.0, 6, M, 0, 2), Chunk(2.0, 0.0, 6, M, 2, 4)]
    replies, sent = [*chunks, None], []
    comm = SimpleNamespace(
        isend=lambda message, dest, tag: sent.append(message) or _Request(),
        irecv=lambda source, tag: _Request(replies.pop(0)),
    )
    stop = SimpleNamespace(event=threading.Event(), is_set=lambda: False)
    loop = _WorkerLoop(SimpleNamespace(comm=comm, rank=1, study=study), stop)
    loop.run(idle=False)
    kinds = [kind for kind, _ in sent]
    assert kinds == [_REQUEST, _REQUEST, _REQUEST, _RESULTS, _BYE]
    assert sent[1][1] is None and sent[2][1].chunk == chunks[0]  # results of chunk 1
    assert sent[3][1].chunk == chunks[1] and len(sent[3][1]) == 2 and loop.computed == 4


def test_rank_0_receives_without_blocking_and_in_order_per_rank():
    """A message still arriving holds back the later ones of its rank only."""
    from betascale.ensemble.mpi import _Root

    arriving = [(1, _Request(("results", "a"), done=False)), (2, _Request(("bye", "b")))]
    arriving.append((1, _Request(("bye", "c"))))
    status = _Status()

    def improbe(source, tag, status):
        if not arriving:
            return None
        status.source, request = arriving.pop(0)
        return type("Message", (), {"irecv": lambda self: request})()

    root = object.__new__(_Root)
    root.comm = type("Comm", (), {"improbe": staticmethod(improbe)})()
    root.active, root.inbox, root.any_source, handled = {1, 2}, [], -1, []
    root._handle = lambda source, kind, payload: handled.append(payload)
    assert root._drain_messages(status) and handled == ["b"] and len(root.inbox) == 2
    root.inbox[0][1].done = True
    assert root._drain_messages(status) and handled == ["b", "a", "c"] and not root.inbox
    assert not root._drain_messages(status)


# ---------------------------------------------- rank 0 replayed (bench --serve --replay)


def test_replay_server_commits_what_it_serves(tmp_path):
    """replay_server on a study: the store ends complete, each sample from its chunk."""
    import numpy as np

    from betascale.ensemble.comm import ReplayComm
    from betascale.ensemble.mpi import replay_server
    from betascale.ensemble.runner import Runner
    from betascale.ensemble.tasks import ChunkResult
    from betascale.models import ModelSpec
    from betascale.study import Study

    study = Study("replay", ModelSpec("anderson", E=1.0), W=(2.0,), L=(4, 6), samples=500, seed=1)

    def result_of(chunk, rank):
        n = len(chunk)
        T = 0.001 * np.arange(chunk.start, chunk.stop) + chunk.L  # a known value per key
        return ChunkResult(chunk, T, np.full(n, 3), np.full(n, 1e-3), (), rank)

    runner = Runner(study, tmp_path / "s.sqlite", quiet=True, comm=ReplayComm(4))
    runner.open()
    work, chunks, done = replay_server(runner, result_of)
    assert runner.finish().status == "complete"
    runner.store.close()  # type: ignore[union-attr]
    assert done == 1000 and chunks >= 2 and work > 0
    with Store.open(tmp_path / "s.sqlite") as store:
        table = store.samples()
    assert np.array_equal(table.T, 0.001 * table.sample + table.L)

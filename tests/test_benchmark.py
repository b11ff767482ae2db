"""Tests of betascale.benchmark: the bookkeeping (the timings themselves are never tested)."""

import json
import subprocess
import sys

import pytest

from betascale.benchmark import (
    DEFAULT_CLASSES,
    LargeRow,
    bench_classes,
    fit_exponent,
    large_exponents,
    peak_rss_mb,
)


def test_fit_exponent_recovers_a_power_law():
    sizes = [512, 1024, 2048]
    assert fit_exponent(sizes, [3.0 * L**2.7 for L in sizes]) == pytest.approx(2.7)
    assert fit_exponent([4], [1.0]) != fit_exponent([4], [1.0])  # nan with one point


def test_large_exponents_use_the_memory_above_the_imports():
    rows = [
        LargeRow(L, 0.0, 0.0, L**3 / 1e8, L**3 / 2e8, 100 + L**2 / 1e4, 100, 0, 0)
        for L in (512, 1024, 2048)
    ]
    fit = large_exponents(rows)
    assert fit["time"] == pytest.approx(3.0) and fit["cpu"] == pytest.approx(3.0)
    assert fit["memory"] == pytest.approx(2.0) and fit["floor"] == 3.0


def test_bench_classes_compares_with_kwant():
    rows = bench_classes([10, 16], kwant_max=10, repeats=1)
    assert [row.model for row in rows] == [name for name in DEFAULT_CLASSES for _ in (10, 16)]
    for row in rows:
        assert row.fast > 0 and row.setup_fast > 0 and row.peak_rss_mb >= 1
        if row.L == 10:
            assert row.max_rel_diff < 1e-8 and row.ratio > 0
        else:
            assert row.kwant is None and row.ratio is None
    assert peak_rss_mb() >= rows[-1].peak_rss_mb


def test_cli_bench_prints_json():
    cmd = [sys.executable, "-m", "betascale", "bench", "--sizes", "10", "--repeats", "1"]
    cmd += ["--classes", "orthogonal", "--json"]
    out = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    (row,) = out
    assert row["model"] == "orthogonal" and row["L"] == 10 and row["max_rel_diff"] < 1e-8


def _blas_threads() -> int:
    from threadpoolctl import threadpool_info

    return max(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")


def test_the_benchmarks_compute_with_one_blas_thread(monkeypatch):
    from threadpoolctl import threadpool_limits

    from betascale.benchmark import bench_solvers, large_sample
    from betascale.solvers import FastSolver

    seen = []
    original = FastSolver.solve

    def spy(self, *args, **kwargs):
        seen.append(_blas_threads())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(FastSolver, "solve", spy)
    with threadpool_limits(limits=2):  # a process whose BLAS has two threads
        assert _blas_threads() == 2
        bench_solvers([8], [], repeats=1)
        large_sample(8)
    assert len(seen) >= 2 and set(seen) == {1}


def test_cli_bench_api_compares_the_api_with_the_command_line():
    cmd = [sys.executable, "-m", "betascale", "bench", "--api", "--api-L", "10"]
    cmd += ["--api-samples", "2", "--json"]
    rows = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    assert [row["path"] for row in rows] == ["bs.conductance", "bs.run", "betascale run"]
    for row in rows:  # the same samples on every path, bit for bit
        assert row["samples"] == 2 and row["identical"] and row["per_sample"] > 0
    assert rows[-1]["ratio"] == 1.0


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--api-samples", "0"], "--api-samples"), (["--api-L", "20"], "threshold")],
)
def test_cli_bench_api_refuses_bad_input_in_one_line(capsys, args, message):
    from betascale.cli import main

    assert main(["bench", "--api", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err
    assert len(captured.err.strip().splitlines()) == 1


def test_bench_backends_times_both_backends_on_the_same_samples():
    """``bench --backends --json``: one row per size, both back ends, their agreement."""
    import json
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "betascale", "bench", "--backends", "--sizes", "13", "--repeats",
         "2", "--json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    (row,) = json.loads(proc.stdout)
    assert row["L"] == 13 and set(row["seconds"]) == {"mumps", "scipy"}
    assert row["max_rel_diff"] < 1e-10


def test_the_kwant_builder_case_agrees_with_kwant_and_is_timed():
    """``bench --classes kwant-square``: the generic Kwant path against kwant.smatrix."""
    from betascale.benchmark import bench_classes

    (row,) = bench_classes(sizes=[17], kwant_max=17, repeats=1, classes=["kwant-square"])
    assert row.model == "kwant-square" and row.L == 17
    assert row.ratio > 0 and row.max_rel_diff < 1e-10


def test_bench_server_measures_rank_0s_cost_per_chunk():
    """A real MPI run of tiny samples: the capacity, the CPU time per chunk, and the
    ranks that would keep rank 0 busy follow from one another (issue 18, part 3)."""
    from betascale.benchmark import bench_server
    from betascale.ensemble.scheduler import MAX_SERVER_LOAD, MIN_CHUNK_SECONDS

    row = bench_server(ranks=3, samples=3000, big_runs=(10, 10**6))
    assert row.samples == 3000 and row.chunks >= 2 and row.server_cpu_seconds > 0
    assert 0 < row.work_seconds <= row.server_cpu_seconds  # the work is part of the CPU time
    assert row.idle_seconds == pytest.approx(row.server_cpu_seconds - row.work_seconds)
    assert row.capacity == pytest.approx(3000 / row.work_seconds)
    assert row.chunk_cpu_seconds == pytest.approx(row.work_seconds / row.chunks)
    for seconds, served in row.ranks_served.items():
        assert served == pytest.approx(seconds / row.chunk_cpu_seconds)
    assert row.chunk_floor[10] == MIN_CHUNK_SECONDS  # ten ranks: the fixed floor
    assert row.chunk_floor[10**6] == pytest.approx(10**6 * row.chunk_cpu_seconds / MAX_SERVER_LOAD)


def test_bench_server_replay_serves_every_sample_with_rank_0s_own_code():
    """The replay drives rank 0's handling and commits in one process: every sample is
    stored once, the chunks cover the study, and all of its CPU time is work."""
    from betascale.benchmark import bench_server_replay

    row = bench_server_replay(ranks=5, samples=20_000, big_runs=(10,))
    assert row.samples == 20_000 and row.chunks >= 4 and row.work_seconds > 0
    assert row.server_cpu_seconds == row.work_seconds and row.idle_seconds == 0
    assert row.capacity == pytest.approx(20_000 / row.work_seconds)
    from betascale.errors import InputError

    with pytest.raises(InputError, match="ranks must be >= 2"):
        bench_server_replay(ranks=1)

"""Tests of ``betascale conductance`` and ``betascale bench``."""

import json
import subprocess
import sys

import pytest

from betascale.cli import main
from betascale.models import ModelSpec, build_system
from betascale.solvers import FastSolver


def run_cli(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_json_output_matches_the_api(capsys):
    status, out, _ = run_cli(
        capsys, "conductance", "--L", "10", "--W", "2", "--samples", "3", "--sample", "2", "--json"
    )
    assert status == 0
    data = json.loads(out)
    assert set(data) == {"T", "N", "seconds", "setup_seconds"}
    assert len(data["T"]) == len(data["seconds"]) == 3
    system = build_system(ModelSpec(), 10, 10)
    fast = FastSolver(system)
    assert data["T"] == [fast.sample(2.0, 7, i).T for i in (2, 3, 4)]
    assert data["N"] == system.num_channels
    assert all(s > 0 for s in data["seconds"]) and data["setup_seconds"] > 0


def test_kwant_solver_agrees_through_the_cli(capsys):
    args = ["conductance", "--model", "symplectic", "--L", "6", "--W", "3", "--json"]
    _, fast, _ = run_cli(capsys, *args)
    _, ref, _ = run_cli(capsys, *args, "--solver", "kwant")
    a, b = json.loads(fast)["T"][0], json.loads(ref)["T"][0]
    assert a == pytest.approx(b, rel=1e-8)


def test_table_output(capsys):
    status, out, _ = run_cli(
        capsys, "conductance", "--model", "unitary", "--flux", "0.05", "--L", "6", "--W", "1"
    )
    assert status == 0
    assert "Anderson model, flux 0.05 (unitary)" in out and "N=" in out
    assert len(out.strip().splitlines()) == 3


def test_same_sample_in_separate_processes_is_bit_identical():
    argv = [sys.executable, "-m", "betascale", "conductance", "--model", "symplectic"]
    argv += ["--L", "10", "--W", "2.5", "--seed", "99", "--sample", "4", "--json"]
    first = json.loads(subprocess.run(argv, capture_output=True, check=True, text=True).stdout)
    second = json.loads(subprocess.run(argv, capture_output=True, check=True, text=True).stdout)
    assert first["T"] == second["T"]
    system = build_system(ModelSpec("symplectic"), 10, 10)
    assert first["T"][0] == FastSolver(system).sample(2.5, 99, 4).T


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--L", "1", "--W", "1"], "L must be at least 2"),
        (["--L", "4", "--W", "-1"], "--W must be >= 0"),
        (["--L", "4", "--W", "nan"], "--W must be finite"),
        (["--L", "4", "--W", "1", "--E", "inf"], "--E must be finite"),
        (["--L", "5", "--W", "1"], "subband threshold"),
        (
            ["--L", "8", "--W", "1", "--model", "unitary", "--flux", "0.1", "--bc", "periodic"],
            "flux*M must be an integer",
        ),
        (["--L", "4", "--W", "1", "--samples", "0"], "--samples must be >= 1"),
        (["--L", "4", "--W", "1", "--model", "nope"], "invalid choice"),
        (["--L", "four", "--W", "1"], "invalid int value"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(extra, fragment):
    proc = subprocess.run(
        [sys.executable, "-m", "betascale", "conductance", *extra],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert fragment in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


def test_bench_reports_ratio_and_agreement(capsys):
    status, out, _ = run_cli(
        capsys, "bench", "--sizes", "16", "--repeats", "1", "--classes", "orthogonal", "--json"
    )
    assert status == 0
    (row,) = json.loads(out)
    assert row["L"] == 16 and row["fast"] > 0 and row["kwant"] > 0
    assert row["ratio"] == pytest.approx(row["kwant"] / row["fast"])
    assert row["max_rel_diff"] < 1e-8
    assert row["peak_rss_mb"] > 0


def test_bench_serve_replay_prints_rank_0s_work_per_chunk(capsys):
    status, out, _ = run_cli(capsys, "bench", "--serve", "--replay", "--server-ranks", "3")
    assert status == 0
    assert "replayed in one process" in out and "0.000 s waking up idle" in out
    assert "per chunk:" in out and "ranks that keep rank 0 fully busy" in out

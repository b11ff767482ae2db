"""Tests of betascale.benchmark: the bookkeeping (the timings themselves are never tested)."""

import json
import subprocess
import sys

import pytest

from betascale.benchmark import (
    BENCH_CLASSES,
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
    assert [row.model for row in rows] == [name for name in BENCH_CLASSES for _ in (10, 16)]
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

"""Shared helpers of the CLI tests: run a command, write a synthetic table into a store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from betascale.cli import main
from betascale.store import SampleRecord, Store
from tests.store.helpers import RUN_INFO


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    """Run ``betascale ARGV`` in this process; return (status, stdout, stderr)."""
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def write_table(path: Path, table, study, keep: Callable | None = None) -> Path:
    """Store the samples of a synthetic ``table`` under ``study`` (``keep(W, L)`` filters)."""
    records = [
        SampleRecord(
            float(w), int(x), int(m), int(i), float(t), int(n), 0.01, 0, None, study.flux[0]
        )
        for w, x, m, i, t, n in zip(
            table.W, table.L, table.M, table.sample, table.T, table.N, strict=True
        )
        if keep is None or keep(w, x)
    ]
    with Store.open_for_run(path, study, RUN_INFO) as store:
        store.add(records)
    return path

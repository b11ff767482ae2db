"""Progress of a store: completed, missing and failed samples per cell, and its runs."""

from __future__ import annotations

import math
import os
import socket
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from betascale.store.records import SampleRecord
from betascale.study import Study
from betascale.text import printable


@dataclass(frozen=True)
class CellStatus:
    """Progress of one (W, flux, L) cell of the study grid."""

    W: float
    L: int
    M: int
    completed: int
    missing: int
    failed: int
    cpu_seconds: float
    flux: float = 0.0


@dataclass(frozen=True)
class StoreStatus:
    """Completed, missing and failed samples of a store, per cell and in total.

    ``cpu_seconds`` sums the solve time of every stored sample, failed ones included.
    """

    path: str
    study: Study
    cells: tuple[CellStatus, ...]
    failures: tuple[SampleRecord, ...]
    runs: tuple[dict, ...]

    @property
    def completed(self) -> int:
        """Successful samples of the study grid."""
        return sum(c.completed for c in self.cells)

    @property
    def missing(self) -> int:
        """Samples of the study grid not (successfully) computed yet."""
        return sum(c.missing for c in self.cells)

    @property
    def failed(self) -> int:
        """Samples whose last attempt raised."""
        return sum(c.failed for c in self.cells)

    @property
    def running(self) -> tuple[dict, ...]:
        """The runs recorded as still running (a run killed on this host is shown as
        killed once its process is gone)."""
        return tuple(run for run in self.runs if run.get("status") == "running")

    @property
    def cpu_seconds(self) -> float:
        """Total solve time spent on the stored samples, in seconds."""
        return float(sum(c.cpu_seconds for c in self.cells))

    def to_dict(self) -> dict[str, Any]:
        """The status as JSON-able data."""
        return {
            "path": self.path,
            "study": self.study.to_dict(),
            "physics_hash": self.study.physics_hash(),
            "completed": self.completed,
            "missing": self.missing,
            "failed": self.failed,
            "cpu_seconds": self.cpu_seconds,
            "cells": [asdict(c) for c in self.cells],
            "failures": [r.to_dict() for r in self.failures],
            "runs": [_run_summary(r) for r in self.runs],
        }

    def __str__(self) -> str:
        return self.format()

    def format(self, max_failures: int = 10) -> str:
        """A plain-text report: the grid table, totals, failures and runs."""
        scan = len(self.study.flux) > 1 or self.study.flux != (0.0,)
        flux_head = f" {'flux':>9}" if scan else ""
        lines = [
            f"store   {self.path}",
            f"study   {self.study.describe()}",
            f"physics hash {self.study.physics_hash()}",
            "",
            f"{'W':>10}{flux_head} {'L':>6} {'M':>6} {'done':>8} {'missing':>8} {'failed':>7} "
            f"{'cpu s':>10}",
        ]
        for c in self.cells:
            flux = f" {c.flux:>9g}" if scan else ""
            lines.append(
                f"{c.W:>10g}{flux} {c.L:>6d} {c.M:>6d} {c.completed:>8d} {c.missing:>8d} "
                f"{c.failed:>7d} {c.cpu_seconds:>10.1f}"
            )
        total = sum(c.completed + c.missing for c in self.cells)
        pad = 24 + (10 if scan else 0)
        lines += [
            f"{'total':>{pad}} {self.completed:>8d} {self.missing:>8d} {self.failed:>7d} "
            f"{self.cpu_seconds:>10.1f}",
            "",
            f"completed {self.completed} of {total} samples; missing {self.missing}; "
            f"failed {self.failed}",
            f"CPU time {self.cpu_seconds:.1f} s ({self.cpu_seconds / 3600:.3g} h)",
        ]
        lines += _format_failures(self.failures, max_failures)
        lines += _format_runs(self.runs)
        return "\n".join(lines)


def store_status(store) -> StoreStatus:
    """The :class:`StoreStatus` of an open :class:`~betascale.store.Store`, counted from
    its samples as arrays (only those of the study's grid)."""
    cols = store._columns()  # sorted by key: each cell is one run of entries
    if len(cols.T) == 0:
        return _status(store, {})
    keys = (cols.W, cols.flux, cols.L)
    change = np.zeros(len(cols.T), dtype=bool)
    change[0] = True
    for key in keys:
        change[1:] |= key[1:] != key[:-1]
    starts = np.flatnonzero(change)
    total = np.diff(np.append(starts, len(cols.T)))
    done = np.add.reduceat(cols.ok.astype(np.int64), starts)
    seconds = np.where(np.isnan(cols.seconds), 0.0, cols.seconds)  # as SQL's TOTAL
    cpu = np.add.reduceat(seconds, starts)
    cells = zip(*(key[starts].tolist() for key in keys), strict=True)
    counts = {
        cell: (int(d), int(t - d), float(c))
        for cell, d, t, c in zip(cells, done, total, cpu, strict=True)
    }
    return _status(store, counts)


def records_status(store) -> StoreStatus:
    """The :class:`StoreStatus` of any :class:`~betascale.store.SampleStore`, counted
    from its records (:meth:`~betascale.store.SampleStore.records`)."""
    study = store.study
    counts: dict[tuple[float, float, int], tuple[int, int, float]] = {}
    for r in store.records():
        if r.L not in study.L or not 0 <= r.sample < study.samples_at(r.L):
            continue
        done, failed, cpu = counts.get((r.W, r.flux, r.L), (0, 0, 0.0))
        ok = r.error is None
        seconds = 0.0 if math.isnan(r.seconds) else r.seconds  # as SQL's TOTAL skips NULL
        counts[(r.W, r.flux, r.L)] = (done + ok, failed + (not ok), cpu + seconds)
    return _status(store, counts)


def _status(store, counts: dict) -> StoreStatus:
    """The status of ``store`` from ``(done, failed, cpu seconds)`` per cell."""
    study = store.study
    cells = []
    for W, flux, L in study.cells():
        done, failed, cpu = counts.get((W, flux, L), (0, 0, 0.0))
        missing = study.samples_at(L) - done
        cells.append(CellStatus(W, L, study.width(L), done, missing, failed, cpu, flux))
    runs = tuple(mark_killed_runs([dict(run) for run in store.metadata.get("runs", [])]))
    path = ":memory:" if store.path is None else str(store.path)
    return StoreStatus(path, study, tuple(cells), tuple(store.failures()), runs)


def _format_failures(failures: Sequence[SampleRecord], limit: int) -> list[str]:
    if not failures:
        return []
    lines = ["", f"failures ({len(failures)}; retried on resume):"]
    for r in failures[:limit]:
        flux = f" flux={r.flux:g}" if r.flux else ""
        error = printable(r.error)
        lines.append(f"  W={r.W:g}{flux} L={r.L} sample={r.sample} rank={r.rank}: {error}")
    if len(failures) > limit:
        lines.append(f"  ... and {len(failures) - limit} more")
    return lines


def _format_runs(runs: Sequence[dict]) -> list[str]:
    if not runs:
        return []
    lines = ["", "runs:"]
    for i, run in enumerate(runs, 1):
        s = _run_summary(run)
        end = s["end"] or "-"
        lines.append(f"  {i}. {s['start']} -> {end}  {s['status']}  on {s['host']}")
    return lines


def _run_summary(run: dict) -> dict[str, Any]:
    out = {key: run.get(key) for key in ("start", "end", "status", "host", "git_commit")}
    return {key: None if value is None else printable(value) for key, value in out.items()}


def mark_killed_runs(runs: list[dict]) -> list[dict]:
    """Mark runs still 'running' whose process on this host is gone as 'killed'.

    Called when a run records itself, and on every status report (on a copy), so that
    a run killed with ``kill -9`` is not shown as still running.
    """
    host = socket.gethostname()
    for run in runs:
        pid = run.get("pid")
        if run.get("status") == "running" and run.get("host") == host and isinstance(pid, int):
            if not _pid_alive(pid):
                run["status"] = "killed"
    return runs


def _pid_alive(pid: int) -> bool:
    if os.name != "posix":  # os.kill(pid, 0) would terminate the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True
    return True

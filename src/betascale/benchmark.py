"""Benchmarks of the conductance solvers (measured, never timed in tests).

:func:`bench_solvers` times, in one process, the per-sample solve of the ``fast``
solver and of the ``kwant`` reference (built once, disorder through ``params``) on
the same samples, and reports the ratio measured in the same run. Geometry set-up
(building and finalizing the system, the lead self-energies, the symbolic
analysis of MUMPS) is timed separately: it is paid once per size, not per sample.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from betascale.models import ModelSpec, build_system
from betascale.solvers import FastSolver, KwantSolver

#: The benchmark model: orthogonal class, E = 1, periodic transverse boundaries
#: (E = 1 is a lead threshold for hardwall widths with (M+1) divisible by 3, such as
#: 128 and 512; periodic strips have thresholds at E = 1 only for M divisible by 6).
BENCH_SPEC = ModelSpec(model="orthogonal", E=1.0, bc="periodic")
BENCH_W = 2.0


@dataclass(frozen=True)
class BenchRow:
    """Timings of one size. Times are medians over the repeats, in seconds."""

    L: int
    setup_fast: float
    fast: float
    kwant: float | None
    ratio: float | None
    max_rel_diff: float | None
    peak_rss_mb: float

    def to_dict(self) -> dict:
        """The row as a plain dict."""
        return asdict(self)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _median_time(solve: Callable, disorders: Sequence) -> tuple[float, list]:
    """Median seconds of ``solve(d)`` over ``disorders``, and the results."""
    times, results = [], []
    for disorder in disorders:
        start = time.perf_counter()
        results.append(solve(disorder))
        times.append(time.perf_counter() - start)
    return float(np.median(times)), results


def bench_solvers(
    sizes: Sequence[int],
    kwant_sizes: Sequence[int],
    repeats: int = 3,
    kwant_repeats: int = 1,
    spec: ModelSpec = BENCH_SPEC,
    W: float = BENCH_W,
    seed: int = 1,
    report: Callable[[BenchRow], None] | None = None,
) -> list[BenchRow]:
    """Time the fast solver (every size) and Kwant (``kwant_sizes``) per sample.

    Each repeat solves a different sample; Kwant solves the same samples as the
    fast solver so that their results are compared too (``max_rel_diff``).
    """
    rows = []
    for L in sorted(sizes):
        start = time.perf_counter()
        system = build_system(spec, L)
        fast = FastSolver(system)
        disorders = [system.draw_disorder(W, seed, i) for i in range(repeats + 1)]
        fast.solve(disorders[-1])  # the first solve also runs MUMPS' symbolic analysis
        setup = time.perf_counter() - start
        t_fast, fast_results = _median_time(fast.solve, disorders[:repeats])
        t_kwant = ratio = diff = None
        if L in kwant_sizes:
            reference = KwantSolver(system)
            t_kwant, kwant_results = _median_time(reference.solve, disorders[:kwant_repeats])
            ratio = t_kwant / t_fast
            diff = max(
                abs(a.T - b.T) / max(abs(b.T), 1e-300) for a, b in zip(fast_results, kwant_results)
            )
        row = BenchRow(L, setup, t_fast, t_kwant, ratio, diff, peak_rss_mb())
        rows.append(row)
        if report is not None:
            report(row)
    return rows


@dataclass(frozen=True)
class MpiBenchRow:
    """Throughput of one study run with ``ranks`` MPI ranks."""

    ranks: int
    samples: int
    seconds: float
    samples_per_second: float
    efficiency: float  # rate / (ranks x one-rank rate)

    def to_dict(self) -> dict:
        """The row as a plain dict."""
        return asdict(self)


def mpiexec_path() -> str:
    """The ``mpiexec`` of this environment (the PyPI MPICH beside the interpreter)."""
    import shutil
    import sys
    from pathlib import Path

    local = Path(sys.executable).parent / "mpiexec"
    found = str(local) if local.exists() else shutil.which("mpiexec")
    if found is None:
        from betascale.errors import InputError

        raise InputError("mpiexec not found: install MPICH (pip install mpich) or a system MPI")
    return found


def bench_mpi(
    study: str,
    ranks: Sequence[int] = (1, 2),
    workdir: str | None = None,
    report: Callable[[MpiBenchRow], None] | None = None,
) -> list[MpiBenchRow]:
    """Run ``study`` from scratch with each number of ``ranks``; measure samples/s.

    Each run is a real ``mpiexec -n R betascale run`` into a fresh store; the time
    is the run's own wall time (from the first chunk to the last record), without
    MPI start-up and imports. The efficiency is relative to the first entry of
    ``ranks`` scaled to one rank. The stores of all runs must agree bit for bit.
    """
    import json
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from betascale.store import Store

    rows: list[MpiBenchRow] = []
    reference = None
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        for n in ranks:
            out = Path(tmp) / f"ranks{n}.sqlite"
            cmd = [mpiexec_path(), "-n", str(n), sys.executable, "-m", "betascale", "run", study]
            cmd += ["--out", str(out), "--quiet", "--json"]
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
            summary = json.loads(proc.stdout.strip().splitlines()[-1])
            with Store.open(out) as store:
                table = store.samples()
            if reference is None:
                reference = table
            elif not np.array_equal(table.T, reference.T):
                raise RuntimeError(f"the {n}-rank run differs from the {ranks[0]}-rank run")
            rate = summary["samples_per_second"]
            base = rows[0].samples_per_second / rows[0].ranks if rows else rate / n
            row = MpiBenchRow(n, summary["computed"], summary["seconds"], rate, rate / (n * base))
            rows.append(row)
            if report is not None:
                report(row)
    return rows

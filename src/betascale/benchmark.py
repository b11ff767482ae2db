"""Benchmarks of the conductance solvers (measured, never timed in tests).

Three measurements, each reported as figures of one run on this machine:

:func:`bench_classes`
    For each symmetry class (:data:`BENCH_CLASSES`), in one process, the set-up of
    the fast solver (geometry checks, vectorized assembly, lead self-energies,
    MUMPS' symbolic analysis), its per-sample time, and the per-sample time of the
    ``kwant`` reference (built once, disorder through ``params``) on the same
    samples, their ratio and their agreement (max |ΔT|/T).
:func:`bench_large`
    The fast solver alone at large L, each size in a fresh interpreter so that its
    peak resident memory is its own (``ru_maxrss`` is a process-wide maximum); the
    exponents of time and memory against L are fitted (:func:`fit_exponent`) next
    to the L³ of nested dissection.
:func:`large_sample`
    What one such interpreter measures, including, if asked, the breakdown of a
    sample (value assembly, factorization with the Schur complement, interface
    solve, the rest) and MUMPS' factorization of the same matrix alone (no Schur
    complement, nested-dissection ordering): the floor.

:func:`bench_mpi` measures the samples per second of a study with several MPI ranks.

:func:`bench_api` compares the Python API (:func:`betascale.conductance`, and
:func:`betascale.run` in memory) with the command line (``betascale run`` in a fresh
process) on the same samples: per-sample times and their ratio, in one run.

Every function here that computes samples in this process does so with one BLAS
thread (:func:`betascale.threads.one_blas_thread`), and the processes it starts get
:data:`betascale.threads.ONE_THREAD_ENV`, as the command line has.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from betascale.files import write_text
from betascale.models import ModelSpec, build_system
from betascale.models.examples import KWANT_SQUARE
from betascale.solvers import FastSolver, KwantSolver
from betascale.threads import ONE_THREAD_ENV, one_blas_thread

#: The benchmark models, one per symmetry class, at E = 1. Periodic transverse
#: boundaries avoid the hardwall thresholds at E = 1 (widths with (M+1) divisible
#: by 3, such as 128 and 512; periodic strips have thresholds at E = 1 only for M
#: divisible by 6). The unitary model is hardwall: a periodic strip can only carry
#: a flux with flux*M integer, whose Landau levels close every lead channel.
BENCH_CLASSES = {
    "orthogonal": ModelSpec("anderson", E=1.0, bc="periodic"),
    "unitary": ModelSpec("anderson", E=1.0, bc="hardwall", flux=0.01),
    "symplectic": ModelSpec("su2", E=1.0, bc="periodic"),
    # the square lattice as a user's Kwant builder (issue 17's generic path); E = 0.3
    # keeps the hardwall widths 64, 128, 256 off the lead thresholds
    "kwant-square": ModelSpec(KWANT_SQUARE, E=0.3),
}
#: The classes ``betascale bench`` times by default.
DEFAULT_CLASSES = ("orthogonal", "unitary", "symplectic")
#: The model of the large-L measurements (the orthogonal class).
BENCH_SPEC = BENCH_CLASSES["orthogonal"]
BENCH_W = 2.0
#: Sizes of ``betascale bench`` and of ``--large``.
BENCH_SIZES = (64, 128, 256)
LARGE_SIZES = (512, 1024, 2048, 4096)
#: Sizes whose large-L run also breaks one sample down and measures the floor.
BREAKDOWN_SIZES = (1024, 2048)
#: The API benchmark's case, the one measured in issue 16 (hardwall, L = 66, W = 4).
API_SPEC = ModelSpec("anderson", E=1.0, bc="hardwall")
API_L, API_W, API_SAMPLES = 66, 4.0, 20


@dataclass(frozen=True)
class BenchRow:
    """Timings of one class and size. Times are medians over the repeats, in seconds."""

    model: str
    L: int
    setup_fast: float
    fast: float
    fast_cpu: float
    kwant: float | None
    ratio: float | None
    max_rel_diff: float | None
    peak_rss_mb: float

    def to_dict(self) -> dict:
        """The row as a plain dict."""
        return asdict(self)


@dataclass(frozen=True)
class LargeRow:
    """One large sample of the fast solver, measured in a fresh interpreter.

    ``setup`` is the geometry's set-up (checks, assembly, leads, analysis); ``fast``
    and ``fast_cpu`` the wall and CPU seconds per sample (medians); ``peak_rss_mb``
    the interpreter's peak and ``base_rss_mb`` its size after the imports;
    ``breakdown`` the stages of one sample; when measured, ``floor`` the seconds of
    MUMPS' plain factorization of the same matrix with its best ordering
    (``floor_ordering``; :func:`betascale.solvers.floor.plain_factorization_floor`),
    ``floor_flops`` and ``sample_flops`` the operations MUMPS reports for that
    factorization and for the sample's own (with the Schur complement), and
    ``gemm_rate`` the operations per second of a dense matrix product of the same
    arithmetic measured in the same process (:func:`~betascale.solvers.floor.dense_gemm_rate`).
    """

    L: int
    setup: float
    setup_cpu: float
    fast: float
    fast_cpu: float
    peak_rss_mb: float
    base_rss_mb: float
    estimated_mb: float
    mumps_estimated_mb: float
    breakdown: dict = field(default_factory=dict)
    floor: float | None = None
    floor_ordering: str = ""
    floor_flops: float | None = None
    sample_flops: float | None = None
    gemm_rate: float | None = None

    def to_dict(self) -> dict:
        """The row as a plain dict."""
        return asdict(self)


def _status_mb(key: str) -> float | None:
    """A memory figure of ``/proc/self/status`` (Linux) in MB, or None."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB.

    Linux's ``VmHWM``: unlike ``ru_maxrss``, which Linux carries over an ``exec``
    from the parent process, it is this interpreter's own peak.
    """
    peak = _status_mb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _median_time(solve: Callable, disorders: Sequence) -> tuple[float, float, list]:
    """Median wall and CPU seconds of ``solve(d)`` over ``disorders``, and the results."""
    wall, cpu, results = [], [], []
    for disorder in disorders:
        start, start_cpu = time.perf_counter(), time.process_time()
        results.append(solve(disorder))
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return float(np.median(wall)), float(np.median(cpu)), results


def _max_rel_diff(results, references) -> float:
    return max(abs(a.T - b.T) / max(abs(b.T), 1e-300) for a, b in zip(results, references))


@one_blas_thread()
def bench_solvers(
    sizes: Sequence[int],
    kwant_sizes: Sequence[int],
    repeats: int = 3,
    kwant_repeats: int = 1,
    spec: ModelSpec = BENCH_SPEC,
    W: float = BENCH_W,
    seed: int = 1,
    report: Callable[[BenchRow], None] | None = None,
    model: str = "orthogonal",
) -> list[BenchRow]:
    """Time the fast solver (every size) and Kwant (``kwant_sizes``) per sample.

    Each repeat solves a different sample; Kwant solves the same samples as the
    fast solver so that their results are compared too (``max_rel_diff``). The
    set-up (checks, assembly, leads, MUMPS analysis) is timed apart; the Kwant
    system is built before Kwant is timed. ``peak_rss_mb`` is the peak of the
    process so far.
    """
    rows = []
    for L in sorted(sizes):
        start = time.perf_counter()
        system = build_system(spec, L)
        fast = FastSolver(system).prepare()
        setup = time.perf_counter() - start
        disorders = [system.draw_disorder(W, seed, i) for i in range(repeats)]
        t_fast, cpu_fast, fast_results = _median_time(fast.solve, disorders)
        t_kwant = ratio = diff = None
        if L in kwant_sizes:
            reference = KwantSolver(system)
            system.fsyst  # noqa: B018 (built before the timing)
            t_kwant, _, kwant_results = _median_time(reference.solve, disorders[:kwant_repeats])
            ratio = t_kwant / t_fast
            diff = _max_rel_diff(fast_results, kwant_results)
        row = BenchRow(model, L, setup, t_fast, cpu_fast, t_kwant, ratio, diff, peak_rss_mb())
        rows.append(row)
        if report is not None:
            report(row)
    return rows


def bench_classes(
    sizes: Sequence[int] = BENCH_SIZES,
    kwant_max: int = 256,
    repeats: int = 3,
    kwant_repeats: int = 1,
    classes: Sequence[str] = DEFAULT_CLASSES,
    report: Callable[[BenchRow], None] | None = None,
) -> list[BenchRow]:
    """:func:`bench_solvers` for each class of :data:`BENCH_CLASSES`, in this process."""
    rows = []
    for name in classes:
        kwant_sizes = [L for L in sizes if L <= kwant_max]
        rows += bench_solvers(
            sizes,
            kwant_sizes,
            repeats,
            kwant_repeats,
            spec=BENCH_CLASSES[name],
            report=report,
            model=name,
        )
    return rows


# ------------------------------------------------------------------ large samples
def _current_rss_mb() -> float:
    current = _status_mb("VmRSS")
    return current if current is not None else peak_rss_mb()


@one_blas_thread()
def large_sample(L: int, repeats: int = 1, breakdown: bool = False, seed: int = 1) -> LargeRow:
    """Set up an ``L x L`` geometry of :data:`BENCH_SPEC` and time ``repeats`` samples.

    Meant to run alone in a fresh interpreter (see :func:`bench_large`). With
    ``breakdown`` the stages of the last sample are kept and MUMPS then factorizes
    the same matrix once more without the Schur complement and with its
    best ordering (the floor, with its operation count and the dense matrix-product
    rate of this machine); the peak memory is read before that.
    """
    from betascale.resources import estimated_geometry_bytes
    from betascale.solvers.floor import dense_gemm_rate, plain_factorization_floor

    base = _current_rss_mb()
    start, start_cpu = time.perf_counter(), time.process_time()
    system = build_system(BENCH_SPEC, L)
    fast = FastSolver(system).prepare()
    setup, setup_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    disorders = [system.draw_disorder(BENCH_W, seed, i) for i in range(repeats)]
    wall, cpu, _ = _median_time(fast.solve, disorders)
    stages = dict(fast.timings)
    peak = peak_rss_mb()
    floor = None
    if breakdown:
        clean = fast.clean
        values = fast.matrix_values(disorders[-1])
        floor = plain_factorization_floor(clean.size, clean.rows, clean.cols, values, fast.real)
    estimate = estimated_geometry_bytes(L, L, BENCH_SPEC.norbs, BENCH_SPEC.is_real) / 1e6
    mumps_mb = fast.statistics.get("estimated_mb_incore", float("nan"))
    if floor is None:
        return LargeRow(L, setup, setup_cpu, wall, cpu, peak, base, estimate, mumps_mb)
    return LargeRow(
        L, setup, setup_cpu, wall, cpu, peak, base, estimate, mumps_mb, stages,
        floor.factor, floor.ordering, floor.flops, fast.statistics.get("factor_flops"),
        dense_gemm_rate(fast.real),
    )  # fmt: skip


def _run_large_in_subprocess(L: int, repeats: int, breakdown: bool) -> LargeRow:
    code = (
        "import json, sys; from betascale.benchmark import large_sample; "
        "print(json.dumps(large_sample(*json.loads(sys.argv[1])).to_dict()))"
    )
    args = [sys.executable, "-c", code, json.dumps([L, repeats, breakdown])]
    env = {**os.environ, **ONE_THREAD_ENV}
    proc = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["killed"])[-1]
        raise RuntimeError(f"the L = {L} benchmark failed (exit {proc.returncode}): {tail}")
    return LargeRow(**json.loads(proc.stdout.strip().splitlines()[-1]))


def bench_large(
    sizes: Sequence[int] = LARGE_SIZES,
    repeats: int = 1,
    breakdown_sizes: Sequence[int] = BREAKDOWN_SIZES,
    report: Callable[[LargeRow], None] | None = None,
    skip: Callable[[int, str], None] | None = None,
) -> list[LargeRow]:
    """:func:`large_sample` for each size, each in a fresh interpreter, one at a time.

    A size whose estimated memory (:func:`betascale.resources.estimated_geometry_bytes`)
    exceeds what is available now is skipped (``skip(L, reason)``).
    """
    from betascale.resources import available_memory_bytes, estimated_geometry_bytes

    rows = []
    for L in sorted(sizes):
        need = estimated_geometry_bytes(L, L, BENCH_SPEC.norbs, BENCH_SPEC.is_real)
        have = available_memory_bytes()
        if need > have:
            if skip is not None:
                skip(L, f"needs about {need / 1e9:.1f} GB, {have / 1e9:.1f} GB available")
            continue
        row = _run_large_in_subprocess(L, repeats, L in breakdown_sizes)
        rows.append(row)
        if report is not None:
            report(row)
    return rows


def fit_exponent(sizes: Sequence[float], values: Sequence[float]) -> float:
    """The exponent p of a least-squares fit ``values ∝ sizes^p`` (in log-log)."""
    x, y = np.log(np.asarray(sizes, float)), np.log(np.asarray(values, float))
    if x.size < 2:
        return float("nan")
    return float(np.polyfit(x, y, 1)[0])


def large_exponents(rows: Sequence[LargeRow]) -> dict:
    """Fitted exponents of the per-sample time (wall, CPU) and of the memory against L.

    The memory is the peak above the interpreter's size after the imports.
    """
    sizes = [row.L for row in rows]
    return {
        "time": fit_exponent(sizes, [row.fast for row in rows]),
        "cpu": fit_exponent(sizes, [row.fast_cpu for row in rows]),
        "memory": fit_exponent(sizes, [row.peak_rss_mb - row.base_rss_mb for row in rows]),
        "floor": 3.0,
    }


# ---------------------------------------------------------------------------- MPI
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
    import tempfile
    from pathlib import Path

    from betascale.store import open_store

    rows: list[MpiBenchRow] = []
    reference = None
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        for n in ranks:
            out = Path(tmp) / f"ranks{n}.sqlite"
            cmd = [mpiexec_path(), "-n", str(n), sys.executable, "-m", "betascale", "run", study]
            cmd += ["--out", str(out), "--quiet", "--json"]
            env = {**os.environ, **ONE_THREAD_ENV}
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
            if proc.returncode != 0:
                raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
            summary = json.loads(proc.stdout.strip().splitlines()[-1])
            with open_store(out) as store:
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


# ------------------------------------------------------------ rank 0's capacity
@dataclass(frozen=True)
class ServerBench:
    """Rank 0's capacity, its CPU time per chunk, and the ranks it can serve.

    Measured on a run of tiny samples with ``ranks`` ranks (rank 0 only serves).
    ``server_cpu_seconds`` is all the CPU time rank 0's server spent, ``work_seconds``
    the part spent handling requests and results (receiving, scheduling, leasing,
    counting) and committing them; the rest (``idle_seconds``) is the cost of waking
    up to find nothing to do, which an oversubscribed benchmark pays often and a
    saturated rank 0 not at all. ``capacity`` is samples per second of work. Rank 0
    pays mostly per chunk, whatever its length, so the figure that carries over to
    other runs is ``chunk_cpu_seconds``, its work per chunk: ranks that each hand in a
    chunk of ``s`` seconds of work keep it fully busy at ``s / chunk_cpu_seconds``
    ranks (``ranks_served``, at the shortest and the target chunk length of
    :func:`~betascale.ensemble.scheduler.chunk_size`). A run of more ranks makes its
    chunks longer (at least ``ranks chunk_cpu_seconds / MAX_SERVER_LOAD`` seconds, with
    the cost per chunk the run measures of itself the same way), so rank 0 is never
    more than half busy; ``chunk_floor`` is that length for a few rank counts.
    """

    ranks: int
    L: int
    samples: int
    chunks: int
    server_cpu_seconds: float
    work_seconds: float
    capacity: float
    chunk_cpu_seconds: float
    ranks_served: dict[float, float]
    chunk_floor: dict[int, float]

    @property
    def idle_seconds(self) -> float:
        """Rank 0's CPU time spent waking up to find nothing to do."""
        return self.server_cpu_seconds - self.work_seconds

    def to_dict(self) -> dict:
        """The result as a plain dict."""
        return {**asdict(self), "idle_seconds": self.idle_seconds}


def bench_server(
    ranks: int = 17, L: int = 4, samples: int = 200_000, big_runs: Sequence[int] = (1000, 10_000)
) -> ServerBench:
    """Measure rank 0's serving capacity with ``ranks`` MPI ranks on tiny samples.

    A real ``mpiexec -n ranks betascale run`` of an orthogonal study at size ``L``
    (oversubscribed: the workers only have to keep rank 0 busy). ``chunk_floor`` gives
    the shortest chunk (seconds of work) that runs of ``big_runs`` ranks would get
    with the measured work per chunk.
    """
    import tempfile
    from pathlib import Path

    from betascale.study import Study

    study = Study("bench-server", BENCH_SPEC, W=(BENCH_W,), L=(L,), samples=samples, seed=3)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "study.toml"
        write_text(path, study.to_toml())
        cmd = [mpiexec_path(), "-n", str(ranks), sys.executable, "-m", "betascale", "run"]
        cmd += [str(path), "--out", str(Path(tmp) / "s.sqlite"), "--quiet", "--json"]
        env = {**os.environ, **ONE_THREAD_ENV}
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    cpu, work, chunks = (
        summary[k] for k in ("server_cpu_seconds", "server_work_seconds", "server_chunks")
    )
    return _server_bench(ranks, L, summary["computed"], chunks, cpu, work, big_runs)


def _server_bench(
    ranks: int, L: int, done: int, chunks: int, cpu: float, work: float, big_runs: Sequence[int]
) -> ServerBench:
    """The :class:`ServerBench` of a measurement: capacity, ranks served, chunk floors."""
    from betascale.ensemble.scheduler import (
        MAX_SERVER_LOAD,
        MIN_CHUNK_SECONDS,
        TARGET_CHUNK_SECONDS,
    )

    per_chunk = work / chunks
    served = {s: s / per_chunk for s in (MIN_CHUNK_SECONDS, TARGET_CHUNK_SECONDS)}
    floor = {n: max(MIN_CHUNK_SECONDS, n * per_chunk / MAX_SERVER_LOAD) for n in big_runs}
    return ServerBench(ranks, L, done, chunks, cpu, work, done / work, per_chunk, served, floor)


#: Seconds per sample that the replay's results report (the scheduler cuts chunks from
#: them): about what ``bench_server``'s oversubscribed workers take at L = 4, so that
#: both measure chunks of about 1200 samples.
REPLAY_SAMPLE_SECONDS = 1e-3


def bench_server_replay(
    ranks: int = 17,
    L: int = 4,
    samples: int = 200_000,
    big_runs: Sequence[int] = (1000, 10_000),
    sample_seconds: float = REPLAY_SAMPLE_SECONDS,
) -> ServerBench:
    """Rank 0's work per chunk at saturation on a core of its own, without MPI.

    The same study as :func:`bench_server`, served in this process by rank 0's own
    code (:func:`betascale.ensemble.mpi.replay_server`: unpickling, scheduling,
    leasing, counting, committing to a store file) with ``ranks - 1`` simulated workers
    that answer at once with made-up transmissions; only MPI's transfer of each
    message is left out. Nothing else runs, so no other process evicts rank 0's caches
    between its turns as in the oversubscribed :func:`bench_server`. All of rank 0's
    CPU time here is work.
    """
    import tempfile
    from pathlib import Path

    from betascale import validation
    from betascale.ensemble.comm import ReplayComm
    from betascale.ensemble.mpi import replay_server
    from betascale.ensemble.runner import Runner
    from betascale.ensemble.tasks import ChunkResult
    from betascale.study import Study

    ranks = validation.integer("ranks", ranks, low=2)
    sample_seconds = validation.number("sample_seconds", sample_seconds, low=0.0, open_low=True)
    study = Study("bench-server", BENCH_SPEC, W=(BENCH_W,), L=(L,), samples=samples, seed=3)

    def result_of(chunk, rank: int) -> ChunkResult:
        n = len(chunk)
        T = np.random.default_rng(chunk.start).random(n)
        return ChunkResult(chunk, T, np.full(n, 3), np.full(n, sample_seconds), (), rank)

    with tempfile.TemporaryDirectory() as tmp, one_blas_thread():
        runner = Runner(study, Path(tmp) / "s.sqlite", quiet=True, comm=ReplayComm(ranks))
        runner.open()
        store = runner.store
        if store is None:  # open() opens it on rank 0
            raise RuntimeError("the replay's store did not open")
        try:
            work, chunks, done = replay_server(runner, result_of)
            runner.finish()
        finally:
            store.close()
    return _server_bench(ranks, L, done, chunks, work, work, big_runs)


# ------------------------------------------------------- the Python API and the CLI
@dataclass(frozen=True)
class ApiBenchRow:
    """One way of computing the same samples, timed.

    ``path`` is ``bs.conductance``, ``bs.run`` (the runner, in memory, in this process)
    or ``betascale run`` (the command line, in a fresh process, into a store);
    ``per_sample`` the median seconds of a sample's solve, ``wall_per_sample`` the wall
    time of the whole call per sample (the geometry's set-up included; the first call
    also imports the solvers; the command line's interpreter start-up is excluded),
    ``ratio`` its ``per_sample`` over the command line's, and ``identical`` whether its
    transmissions equal the command line's bit for bit.
    """

    path: str
    samples: int
    per_sample: float
    wall_per_sample: float
    ratio: float
    identical: bool

    def to_dict(self) -> dict:
        """The row as a plain dict."""
        return asdict(self)


def bench_api(
    spec: ModelSpec = API_SPEC,
    L: int = API_L,
    W: float = API_W,
    samples: int = API_SAMPLES,
    seed: int = 1,
    report: Callable[[ApiBenchRow], None] | None = None,
) -> list[ApiBenchRow]:
    """Time :func:`betascale.conductance`, :func:`betascale.run` and ``betascale run``
    on the same samples (``0 .. samples - 1`` of an ``L x L`` geometry of ``spec``).

    All three should compute at the same speed, since all use one BLAS thread per
    process (:mod:`betascale.threads`); issue 16 measured ``bs.conductance`` at
    0.017 s per sample against 0.008 s for the command line (L = 66, hardwall, W = 4)
    before the API had that policy. The rows come in that order, the command line's
    last; every ratio is relative to it.
    """
    from betascale.ensemble import run
    from betascale.landauer import conductance
    from betascale.study import Study

    study = Study("bench-api", spec, W=(W,), L=(L,), samples=samples, seed=seed)
    start = time.perf_counter()
    result = conductance(spec, L=L, W=W, samples=samples, seed=seed)
    api = (result.T, result.seconds, time.perf_counter() - start)
    start = time.perf_counter()
    table = run(study, quiet=True)
    order = np.argsort(table.sample)
    runner = (table.T[order], table.seconds[order], time.perf_counter() - start)
    cli = _cli_samples(study)
    rows = []
    for path, (T, seconds, wall) in zip(
        ("bs.conductance", "bs.run", "betascale run"), (api, runner, cli), strict=True
    ):
        per_sample = float(np.median(seconds))
        ratio = per_sample / float(np.median(cli[1]))
        identical = bool(np.array_equal(T, cli[0]))
        rows.append(ApiBenchRow(path, len(T), per_sample, wall / len(T), ratio, identical))
        if report is not None:
            report(rows[-1])
    return rows


def _cli_samples(study) -> tuple[np.ndarray, np.ndarray, float]:
    """``betascale run`` of ``study`` in a fresh process: (T, seconds) by sample index
    and the run's own wall time."""
    import tempfile
    from pathlib import Path

    from betascale.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        path, out = Path(tmp) / "study.toml", Path(tmp) / "s.sqlite"
        write_text(path, study.to_toml())
        cmd = [sys.executable, "-m", "betascale", "run", str(path), "--out", str(out)]
        env = {**os.environ, **ONE_THREAD_ENV}
        proc = subprocess.run(
            [*cmd, "--quiet", "--json"], capture_output=True, text=True, check=False, env=env
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
        summary = json.loads(proc.stdout.strip().splitlines()[-1])
        with open_store(out) as store:
            table = store.samples()
    order = np.argsort(table.sample)
    return table.T[order], table.seconds[order], float(summary["seconds"])

"""Disorder ensembles over MPI ranks: scheduling, workers, progress, interruption.

``betascale run STUDY.toml`` runs here, in one process or under
``mpiexec -n N``. The design:

* **Every rank computes.** Rank 0 also owns the store: its main thread serves work
  requests and writes results, while a compute thread of rank 0 works through
  chunks like any other rank. MUMPS and LAPACK release the GIL, so the server
  answers within milliseconds even during a factorization.
* **Dynamic scheduling, large L first, in chunks.** The missing keys are grouped
  by (L, W), ordered by decreasing L, and cut into chunks of about
  :data:`TARGET_CHUNK_SECONDS` of estimated work. A rank asks for its next chunk
  when it hands in the results of the previous one.
* **Reproducible.** A sample is a pure function of (seed, W, L, M, index)
  (:meth:`betascale.models.DisorderedSystem.draw_disorder`) and the solver's result
  does not depend on what the process solved before, so T is bit-identical with
  any number of ranks and after a resume.
* **Nothing lost.** Each chunk's records are committed in one transaction as soon
  as they arrive. A sample that raises is recorded with its error, and the run
  goes on (failed samples are retried by the next run). SIGINT and SIGTERM stop
  handing out work, collect what is being finished, close the store and say how
  to resume; a second signal stops at once. A rank that dies makes MPICH abort
  the job, and every committed sample stays in the store.
"""

from __future__ import annotations

import math
import queue
import signal
import sys
import threading
import time
import traceback
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TextIO

from betascale.errors import InputError
from betascale.store import SampleRecord, Store
from betascale.study import Study

#: Aim for chunks of about this many seconds of estimated work.
TARGET_CHUNK_SECONDS = 2.0
#: Never put more samples than this into one chunk.
MAX_CHUNK = 64
#: Seconds between two plain progress lines when stderr is not a terminal.
LOG_INTERVAL = 30.0

_TAG_WORK = 11  # rank 0 -> worker: a chunk (list of Task) or None (no more work)
_TAG_RESULT = 12  # worker -> rank 0: (kind, payload), kind one of:
_REQUEST, _RESULTS, _BYE = "request", "results", "bye"  # payload None, records, None


@dataclass(frozen=True)
class Task:
    """One disorder sample to compute."""

    W: float
    L: int
    M: int
    sample: int


@dataclass(frozen=True)
class RunSummary:
    """What a run did (rank 0's view; other ranks get a summary with ``rank`` only)."""

    store: Path | None
    computed: int
    failed: int
    missing_before: int
    missing_after: int
    seconds: float
    status: str
    rank: int = 0
    ranks: int = 1

    @property
    def samples_per_second(self) -> float:
        """Throughput of the run (samples computed per second of wall time)."""
        return self.computed / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict:
        """The summary as a JSON-able dict."""
        out = asdict(self)
        out["store"] = None if self.store is None else str(self.store)
        out["samples_per_second"] = self.samples_per_second
        return out


def estimated_seconds(L: int, M: int, solver: str) -> float:
    """Rough solve time of one sample (nested dissection: work ~ (L M)^1.5)."""
    per_sample = 6e-9 * (L * M) ** 1.5 + 2e-4
    return per_sample * (30.0 if solver == "kwant" else 1.0)


class Scheduler:
    """Hands out chunks of missing samples to ranks: dynamic, large L first.

    The policy (thread-safe; rank 0's server and compute threads share it):

    1. A rank keeps to a geometry it has built (the last two L it got), because a
       build costs as much as tens of samples;
    2. otherwise it takes the largest L that no other rank is working on, so
       that ranks spread over geometries instead of all building every one;
    3. otherwise the largest L left.

    A chunk holds samples of one (W, L). Its size is guided self-scheduling: at
    most :data:`TARGET_CHUNK_SECONDS` of work and at most the remaining work
    divided by twice the number of ranks, so chunks shrink towards the end and
    the ranks finish together. Costs per sample start from
    :func:`estimated_seconds` and follow the measured solve times.
    """

    def __init__(self, study: Study, keys: Iterable[tuple[float, int, int]], ranks: int) -> None:
        self.study = study
        self.ranks = max(1, ranks)
        groups: dict[tuple[int, float], list[int]] = {}
        for W, L, sample in keys:
            groups.setdefault((int(L), float(W)), []).append(int(sample))
        order = sorted(groups, key=lambda key: (-key[0], key[1]))
        self._groups = OrderedDict((key, deque(sorted(groups[key]))) for key in order)
        self.total = sum(len(q) for q in self._groups.values())
        self.total_work = sum(
            len(q) * estimated_seconds(L, study.width(L), study.solver)
            for (L, _), q in self._groups.items()
        )
        self._cost = {
            L: estimated_seconds(L, study.width(L), study.solver) for L, _ in self._groups
        }
        self._measured: dict[int, tuple[int, float]] = {}
        self._holding: dict[int, deque] = {}
        self._working: dict[int, int | None] = {}
        self._lock = threading.Lock()

    def remaining(self) -> int:
        """Samples not yet handed out."""
        with self._lock:
            return sum(len(q) for q in self._groups.values())

    def observe(self, records: Sequence[SampleRecord]) -> None:
        """Learn the cost per sample of each L from finished records."""
        with self._lock:
            for r in records:
                if r.error is None:
                    n, total = self._measured.get(r.L, (0, 0.0))
                    self._measured[r.L] = (n + 1, total + r.seconds)
                    self._cost[r.L] = (total + r.seconds) / (n + 1)

    def next_chunk(self, rank: int) -> list[Task] | None:
        """The next chunk for ``rank``, or None when everything is handed out."""
        with self._lock:
            live = [key for key, q in self._groups.items() if q]
            if not live:
                self._working[rank] = None
                return None
            holding = self._holding.setdefault(rank, deque(maxlen=2))
            busy = {L for r, L in self._working.items() if r != rank and L is not None}
            key = (
                next((k for k in live if k[0] in holding), None)
                or next((k for k in live if k[0] not in busy), None)
                or live[0]
            )
            L, W = key
            remaining_work = sum(len(self._groups[k]) * self._cost[k[0]] for k in live)
            budget = min(TARGET_CHUNK_SECONDS, remaining_work / (2 * self.ranks))
            size = max(1, min(MAX_CHUNK, int(budget / self._cost[L])))
            q = self._groups[key]
            samples = [q.popleft() for _ in range(min(size, len(q)))]
            if L not in holding:
                holding.append(L)
            self._working[rank] = L
            M = self.study.width(L)
            return [Task(W, L, M, s) for s in samples]


class Worker:
    """Computes chunks of one study, keeping the last two geometries built."""

    def __init__(self, study: Study, rank: int = 0, keep: int = 2) -> None:
        self.study = study
        self.rank = rank
        self.keep = keep
        self._solvers: OrderedDict[tuple[int, int], object] = OrderedDict()

    def solver(self, L: int, M: int):
        """The solver of geometry (L, M), built on first use."""
        from betascale.models import build_system
        from betascale.solvers import make_solver

        key = (L, M)
        if key in self._solvers:
            self._solvers.move_to_end(key)
            return self._solvers[key]
        while len(self._solvers) >= self.keep:
            self._solvers.popitem(last=False)
        solver = make_solver(self.study.solver, build_system(self.study.model, L, M))
        self._solvers[key] = solver
        return solver

    def compute(self, task: Task) -> SampleRecord:
        """Compute one sample; an exception becomes a record with its error."""
        start = time.perf_counter()
        try:
            solver = self.solver(task.L, task.M)
            disorder = solver.system.draw_disorder(task.W, self.study.seed, task.sample)
            start = time.perf_counter()
            result = solver.solve(disorder)
        except Exception as exc:  # recorded, and the run goes on
            message = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
            return SampleRecord(
                task.W, task.L, task.M, task.sample, math.nan, 0,
                time.perf_counter() - start, self.rank, message,
            )  # fmt: skip
        seconds = time.perf_counter() - start
        return SampleRecord(
            task.W, task.L, task.M, task.sample, result.T, result.N, seconds, self.rank
        )

    def compute_chunk(self, chunk: Sequence[Task], stop: threading.Event) -> list[SampleRecord]:
        """Compute a chunk, returning early (with what is done) once ``stop`` is set."""
        records = []
        for task in chunk:
            if stop.is_set():
                break
            records.append(self.compute(task))
        return records


# ------------------------------------------------------------------ progress
class Progress:
    """Progress on rank 0: a tqdm bar on a terminal, plain log lines otherwise.

    The ETA weighs samples by their estimated cost (``weight(record)``, e.g. the
    nested-dissection estimate ~ (L M)^1.5), because large samples come first and
    a count of samples would promise far too early an end.
    """

    def __init__(
        self,
        total: int,
        quiet: bool = False,
        stream: TextIO | None = None,
        interval: float = LOG_INTERVAL,
        weight: Callable[[SampleRecord], float] | None = None,
        total_weight: float | None = None,
    ) -> None:
        self.total = total
        self.weight = weight
        self.total_weight = total_weight if weight is not None else None
        self.done_weight = 0.0
        self.done = 0
        self.failed = 0
        self.quiet = quiet
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self.start = time.monotonic()
        self._last_log = self.start
        self._bar = None
        if not quiet and total and getattr(self.stream, "isatty", lambda: False)():
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="sample", file=self.stream, smoothing=0.05)

    def update(self, records: Sequence[SampleRecord]) -> None:
        """Count finished records and report if it is time to."""
        self.done += len(records)
        self.failed += sum(r.error is not None for r in records)
        if self.weight is not None:
            self.done_weight += sum(self.weight(r) for r in records)
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.update(len(records))
            if self.failed:
                self._bar.set_postfix(failed=self.failed)
            return
        now = time.monotonic()
        if now - self._last_log >= self.interval or self.done == self.total:
            self._last_log = now
            self.log(self.line())

    def line(self) -> str:
        """One plain progress line with rate and ETA."""
        elapsed = time.monotonic() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        if self.total_weight and self.done_weight > 0:
            fraction = min(1.0, self.done_weight / self.total_weight)
            eta = _duration(elapsed * (1 - fraction) / fraction)
        else:
            eta = _duration((self.total - self.done) / rate) if rate > 0 else "?"
        percent = 100.0 * self.done / self.total if self.total else 100.0
        failed = f", {self.failed} failed" if self.failed else ""
        return (
            f"{self.done}/{self.total} samples ({percent:.0f}%){failed}, "
            f"{rate:.3g} samples/s, elapsed {_duration(elapsed)}, ETA {eta}"
        )

    def log(self, message: str) -> None:
        """Print a message (above the bar on a terminal)."""
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.write(f"[betascale] {message}", file=self.stream)
        else:
            print(f"[betascale] {message}", file=self.stream, flush=True)

    def close(self) -> None:
        """Close the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else (f"{m}m{s:02d}s" if m else f"{s}s")


# -------------------------------------------------------------------- signals
class StopSignal:
    """Turn the first SIGINT/SIGTERM into a stop request; a second one stops at once."""

    def __init__(self, on_first: Callable[[int], None] | None = None) -> None:
        self.event = threading.Event()
        self.signum: int | None = None
        self._on_first = on_first
        self._previous: dict[int, object] = {}

    def __enter__(self) -> StopSignal:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _handle(self, signum: int, frame) -> None:
        if self.event.is_set():
            raise KeyboardInterrupt
        self.signum = signum
        self.event.set()
        if self._on_first is not None:
            self._on_first(signum)


# ------------------------------------------------------------------- running
def _get_comm(comm):
    if comm is not None:
        return comm
    from mpi4py import MPI

    return MPI.COMM_WORLD


def run_study(
    study: Study,
    store_path: str | Path | None = None,
    *,
    quiet: bool = False,
    comm=None,
    stream: TextIO | None = None,
    log_interval: float = LOG_INTERVAL,
    resume_hint: str | None = None,
) -> RunSummary:
    """Compute every missing sample of ``study`` into its store, on every MPI rank.

    Call it on all ranks of ``comm`` (default ``MPI.COMM_WORLD``) with the same
    arguments. Rank 0 validates the geometries, opens the store and refuses an
    incompatible one; an error there is raised as :class:`InputError` on every
    rank (only rank 0 should print it).

    Parameters
    ----------
    study
        The validated study.
    store_path
        The store file; default :meth:`Study.default_store_path`.
    quiet
        No progress output.
    comm
        An mpi4py communicator.
    stream
        Where progress goes (default stderr).
    log_interval
        Seconds between plain progress lines (when ``stream`` is not a terminal).
    resume_hint
        The command that resumes this run, printed if it is interrupted.
    """
    comm = _get_comm(comm)
    rank, size = comm.Get_rank(), comm.Get_size()
    path = Path(store_path) if store_path is not None else study.default_store_path()

    store, error, scheduler = None, None, None
    if rank == 0:
        try:
            from betascale.models import validate_geometry

            for L in study.L:
                validate_geometry(study.model, L, study.width(L))
            store = Store.open_for_run(path, study, _run_info(size))
            scheduler = Scheduler(study, store.missing_keys(study), size)
        except InputError as exc:
            error = str(exc)
            if store is not None:
                store.close()
    error = comm.bcast(error, root=0)
    if error is not None:
        raise InputError(error)
    if rank != 0:
        return _serve_as_worker(study, comm, rank, size)
    try:
        return _serve_as_root(
            study, store, scheduler, comm, size, quiet, stream, log_interval, resume_hint
        )
    finally:
        store.close()


def _run_info(size: int) -> dict:
    from betascale.store import collect_run_info

    info = collect_run_info()
    info["mpi_ranks"] = size
    return info


def _serve_as_worker(study: Study, comm, rank: int, size: int) -> RunSummary:
    worker = Worker(study, rank)
    computed = failed = 0
    start = time.monotonic()
    with StopSignal() as stop:
        try:
            # Prefetch: ask for the next chunk before computing the current one, so
            # the reply's latency is hidden behind the computation.
            comm.send((_REQUEST, None), dest=0, tag=_TAG_RESULT)
            upcoming = comm.recv(source=0, tag=_TAG_WORK)
            while upcoming is not None and not stop.event.is_set():
                chunk = upcoming
                comm.send((_REQUEST, None), dest=0, tag=_TAG_RESULT)
                reply = comm.irecv(source=0, tag=_TAG_WORK)
                records = worker.compute_chunk(chunk, stop.event)
                computed += len(records)
                failed += sum(r.error is not None for r in records)
                comm.send((_RESULTS, records), dest=0, tag=_TAG_RESULT)
                upcoming = reply.wait()  # dropped if stopping: resumed by the next run
            comm.send((_BYE, None), dest=0, tag=_TAG_RESULT)
        except KeyboardInterrupt:
            raise
        except BaseException:
            traceback.print_exc()
            print(f"[betascale] rank {rank} failed; aborting the MPI job", file=sys.stderr)
            sys.stderr.flush()
            comm.Abort(1)
    status = "interrupted" if stop.event.is_set() else "complete"
    return RunSummary(None, computed, failed, 0, 0, time.monotonic() - start, status, rank, size)


def _serve_as_root(
    study, store, scheduler, comm, size, quiet, stream, log_interval, resume_hint
) -> RunSummary:
    from mpi4py import MPI

    total = scheduler.total

    def weight(record) -> float:
        return estimated_seconds(record.L, record.M, study.solver)

    progress = Progress(
        total,
        quiet=quiet,
        stream=stream,
        interval=log_interval,
        weight=weight,
        total_weight=scheduler.total_work,
    )
    results: queue.Queue = queue.Queue()
    start = time.monotonic()
    progress.log(
        f"{study.name}: {total} samples to compute on {size} "
        f"rank{'s' if size > 1 else ''} -> {store.path}"
    )

    def on_signal(signum: int) -> None:
        name = signal.Signals(signum).name
        progress.log(f"{name} received: finishing the samples in progress (again to stop now)")

    computed = failed = 0
    status = "complete"
    with StopSignal(on_signal) as stop:

        def next_chunk(rank: int):
            return None if stop.event.is_set() else scheduler.next_chunk(rank)

        def local_compute() -> None:
            worker = Worker(study, 0)
            try:
                while (chunk := next_chunk(0)) is not None:
                    results.put(worker.compute_chunk(chunk, stop.event))
            except BaseException as exc:  # an unexpected failure of rank 0's worker
                results.put(exc)
            finally:
                results.put(None)

        thread = threading.Thread(target=local_compute, name="betascale-rank0-worker", daemon=True)
        thread.start()
        active = set(range(1, size))
        local_running = True
        status_obj = MPI.Status()

        def take(records: Sequence[SampleRecord]) -> None:
            nonlocal computed, failed
            if records:
                store.add(records)
                scheduler.observe(records)
                computed += len(records)
                failed += sum(r.error is not None for r in records)
                progress.update(records)

        try:
            while active or local_running:
                while active and comm.Iprobe(
                    source=MPI.ANY_SOURCE, tag=_TAG_RESULT, status=status_obj
                ):
                    source = status_obj.Get_source()
                    kind, payload = comm.recv(source=source, tag=_TAG_RESULT)
                    if kind == _REQUEST:
                        comm.send(next_chunk(source), dest=source, tag=_TAG_WORK)
                    elif kind == _RESULTS:
                        take(payload)
                    else:
                        active.discard(source)
                try:
                    item = results.get(timeout=0.01)
                except queue.Empty:
                    continue
                if item is None:
                    local_running = False
                elif isinstance(item, BaseException):
                    raise item
                else:
                    take(item)
        except KeyboardInterrupt:
            status = "interrupted"
            store.finish_run(status)
            progress.close()
            raise
        except BaseException:
            status = "failed"
            store.finish_run(status)
            progress.close()
            if size > 1:
                traceback.print_exc()
                print("[betascale] rank 0 failed; aborting the MPI job", file=sys.stderr)
                sys.stderr.flush()
                comm.Abort(1)
            raise
        thread.join()
        if stop.event.is_set():
            status = "interrupted"

    store.finish_run(status)
    progress.close()
    missing_after = len(store.missing_keys())
    elapsed = time.monotonic() - start
    summary = RunSummary(
        store.path, computed, failed, total, missing_after, elapsed, status, 0, size
    )
    if status == "interrupted":
        hint = resume_hint or "run the same command again"
        progress.log(
            f"interrupted: {computed} samples stored, {missing_after} missing; "
            f"the store {store.path} is consistent. To resume: {hint}"
        )
    else:
        failed_note = f", {failed} failed (retried by the next run)" if failed else ""
        progress.log(
            f"done: {computed} samples{failed_note} in {_duration(elapsed)}; "
            f"{missing_after} missing; store {store.path}"
        )
    return summary


def with_samples(study: Study, samples: int | None) -> Study:
    """The study with ``samples`` per (W, L) (None keeps it)."""
    if samples is None:
        return study
    if samples < 1:
        raise InputError(f"--samples must be >= 1, got {samples}")
    return replace(study, samples=int(samples))

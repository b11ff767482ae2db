"""Computes chunks of one study, keeping the geometries it has built."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence

from betascale.ensemble.scheduler import KEEP_GEOMETRIES
from betascale.ensemble.tasks import Chunk, Task
from betascale.models import build_system
from betascale.solvers import make_solver
from betascale.store import SampleRecord
from betascale.study import Study


class Worker:
    """Computes samples of one study, keeping the last ``keep`` geometries built.

    A geometry is ``(flux, L)``: its solver (the factorization's analysis, the lead
    self-energies) is built once and reused by every sample of it.
    """

    def __init__(self, study: Study, rank: int = 0, keep: int = KEEP_GEOMETRIES) -> None:
        self.study = study
        self.rank = rank
        self.keep = keep
        self._solvers: OrderedDict[tuple[float, int, int], object] = OrderedDict()

    def solver(self, L: int, M: int, flux: float = 0.0):
        """The solver of geometry (flux, L, M), built on first use."""
        key = (float(flux), int(L), int(M))
        if key in self._solvers:
            self._solvers.move_to_end(key)
            return self._solvers[key]
        while len(self._solvers) >= self.keep:
            self._solvers.popitem(last=False)
        system = build_system(self.study.spec(flux), L, M)
        solver = make_solver(self.study.solver, system)
        self._solvers[key] = solver
        return solver

    def keep_only(self, geometries: Iterable[tuple[float, int]]) -> None:
        """Drop every built geometry ``(flux, L)`` not in ``geometries`` (frees its memory)."""
        wanted = {(float(f), int(L)) for f, L in geometries}
        for key in [k for k in self._solvers if (k[0], k[1]) not in wanted]:
            del self._solvers[key]

    def compute(self, task: Task) -> SampleRecord:
        """Compute one sample; an exception becomes a record with its error."""
        start = time.perf_counter()
        try:
            solver = self.solver(task.L, task.M, task.flux)
            disorder = solver.system.draw_disorder(task.W, self.study.seed, task.sample)
            start = time.perf_counter()
            result = solver.solve(disorder)
        except Exception as exc:  # recorded, and the run goes on
            message = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
            return SampleRecord(
                task.W, task.L, task.M, task.sample, math.nan, 0,
                time.perf_counter() - start, self.rank, message, task.flux,
            )  # fmt: skip
        seconds = time.perf_counter() - start
        return SampleRecord(
            task.W, task.L, task.M, task.sample, result.T, result.N, seconds, self.rank,
            None, task.flux,
        )  # fmt: skip

    def compute_chunk(
        self, chunk: Chunk | Sequence[Task], stop: threading.Event
    ) -> list[SampleRecord]:
        """Compute a chunk, returning early (with what is done) once ``stop`` is set."""
        hold = getattr(chunk, "hold", ())
        if hold:
            self.keep_only(hold)
        records = []
        for task in chunk:
            if stop.is_set():
                break
            records.append(self.compute(task))
        return records

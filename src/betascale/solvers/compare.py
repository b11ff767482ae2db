"""The fast solver's back ends side by side: speed and agreement on the same samples.

:func:`compare_backends` solves the same samples with every available back end of
:mod:`betascale.solvers.backends` (MUMPS and SciPy's SuperLU) and reports, per
size, each back end's median wall time per sample and the largest relative
difference of T between them. The back ends are not bit-identical to each other
(different factorizations round differently); each is bit-identical run to run.
Meant for ``betascale bench`` (one row per size).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from betascale import validation
from betascale.models import ModelSpec, build_system
from betascale.solvers.backends import BACKENDS, mumps_available
from betascale.solvers.fast import FastSolver


@dataclass(frozen=True)
class BackendRow:
    """One size of :func:`compare_backends`.

    Attributes
    ----------
    L
        Sample size (L x L).
    seconds
        Median wall seconds per sample, by back end.
    max_rel_diff
        Largest ``|T_a − T_b| / max(|T_b|, 1e-300)`` over the samples between the
        first back end and each other (None with one back end).
    samples
        Number of samples solved by each back end.
    """

    L: int
    seconds: dict[str, float]
    max_rel_diff: float | None
    samples: int


def available_backends() -> tuple[str, ...]:
    """The back ends that can run in this process (SciPy always; MUMPS if it imports)."""
    return tuple(name for name in BACKENDS if name != "mumps" or mumps_available())


def _run(solver: FastSolver, disorders: list) -> tuple[float, np.ndarray]:
    times, values = [], []
    for disorder in disorders:
        start = time.perf_counter()
        values.append(solver.solve(disorder).T)
        times.append(time.perf_counter() - start)
    return float(np.median(times)), np.array(values)


def compare_backends(
    spec: ModelSpec,
    sizes: Sequence[int] = (64, 128, 256),
    samples: int = 3,
    W: float = 2.0,
    seed: int = 1,
    backends: Sequence[str] | None = None,
    report: Callable[[BackendRow], None] | None = None,
) -> list[BackendRow]:
    """Time the fast solver's back ends on the same ``samples`` samples at each size.

    Parameters
    ----------
    spec
        The model (``betascale bench`` uses its orthogonal benchmark model).
    sizes
        Sample sizes L (L x L samples).
    samples
        Samples per size, solved by every back end; each back end is set up (and
        warmed up on the clean sample) before it is timed.
    W, seed
        Disorder strength and study seed of the samples.
    backends
        The back ends to compare (default: :func:`available_backends`).
    report
        Called with each row as soon as it is measured.
    """
    samples = validation.integer("samples", samples, low=1)
    names = tuple(available_backends() if backends is None else backends)
    rows = []
    for L in sizes:
        system = build_system(spec, L)
        disorders = [system.draw_disorder(W, seed, index) for index in range(samples)]
        seconds, results = {}, {}
        for name in names:
            solver = FastSolver(system, backend=name).prepare()
            solver.solve(system.clean_disorder())  # warm-up: first-use costs are not timed
            seconds[name], results[name] = _run(solver, disorders)
        diff = None
        if len(names) > 1:
            ref = results[names[0]]
            scale = np.maximum(np.abs(ref), 1e-300)
            diff = max(float(np.max(np.abs(results[n] - ref) / scale)) for n in names[1:])
        row = BackendRow(L, seconds, diff, samples)
        rows.append(row)
        if report is not None:
            report(row)
    return rows


__all__ = ["BackendRow", "available_backends", "compare_backends"]

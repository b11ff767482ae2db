"""The Landauer conductance of individual samples: model in, transmissions out.

:func:`conductance` is the shortest way from a model to numbers, as
``kwant.smatrix`` is in Kwant: it builds the geometry once, draws the requested
samples (a sample is a pure function of the seed and its key, the same as in a
study run) and solves each.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from betascale import validation
from betascale.errors import InputError
from betascale.models import ModelSpec, build_system, require_spec
from betascale.solvers import SOLVERS, make_solver
from betascale.threads import one_blas_thread

#: Most samples one call solves: it keeps every result in memory (a study run stores
#: them as it goes, and has no such limit).
MAX_CALL_SAMPLES = 10**6


@dataclass(frozen=True)
class Conductances:
    """Transmissions of consecutive samples of one geometry.

    Attributes
    ----------
    spec, L, M, W, seed, solver
        What was solved.
    indices
        Sample indices.
    T
        Total transmission of each sample, in e²/h (both spins where there are two).
    N
        Open channels of each lead.
    seconds
        Solve time of each sample.
    setup_seconds
        Time to build the geometry and the solver (paid once).
    eigenvalues
        Transmission eigenvalues of each sample (descending), if asked for.
    """

    spec: ModelSpec
    L: int
    M: int
    W: float
    seed: int
    solver: str
    indices: np.ndarray
    T: np.ndarray
    N: int
    seconds: np.ndarray
    setup_seconds: float
    eigenvalues: list[np.ndarray] | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        """``T``, ``N``, ``seconds``, ``setup_seconds`` (and ``eigenvalues``) as plain data."""
        out = {
            "T": self.T.tolist(),
            "N": self.N,
            "seconds": self.seconds.tolist(),
            "setup_seconds": self.setup_seconds,
        }
        if self.eigenvalues is not None:
            out["eigenvalues"] = [e.tolist() for e in self.eigenvalues]
        return out

    def header(self) -> str:
        """One line naming the model, the geometry and the solver."""
        return (
            f"{self.spec.describe()}, L={self.L}, M={self.M}, W={self.W:g}, seed={self.seed}, "
            f"solver={self.solver}; N={self.N}; set-up {self.setup_seconds:.3f} s"
        )

    def __str__(self) -> str:
        lines = [f"# {self.header()}", f"{'sample':>8} {'T (e^2/h)':>22} {'seconds':>10}"]
        for index, T, sec in zip(self.indices, self.T, self.seconds, strict=True):
            lines.append(f"{index:>8d} {T:>22.15g} {sec:>10.4f}")
        return "\n".join(lines)


def conductance(
    model: ModelSpec,
    L: int,
    W: float,
    *,
    M: int | None = None,
    seed: int = 7,
    samples: int = 1,
    start: int = 0,
    solver: str = "fast",
    eigenvalues: bool = False,
) -> Conductances:
    """Solve samples ``start .. start + samples - 1`` of an ``L x M`` geometry at strength W.

    Parameters
    ----------
    model
        The model (:class:`~betascale.ModelSpec`).
    L, M
        Length and width (``M`` defaults to ``L``).
    W
        Disorder strength (box distribution [−W/2, W/2]).
    seed, samples, start
        Study seed, number of samples and first sample index.
    solver
        ``"fast"`` (default) or ``"kwant"``, the reference.
    eigenvalues
        Also return the transmission eigenvalues.

    Raises
    ------
    InputError
        For a model that is not a :class:`~betascale.ModelSpec`, a bad number (not a
        number, a bool, not finite, out of range: ``W >= 0``, ``1 <= samples <=``
        :data:`MAX_CALL_SAMPLES`, ``start, seed >= 0``), an unknown solver, or a
        geometry that cannot be built (:func:`~betascale.models.build_system`).

    Examples
    --------
    >>> import betascale as bs
    >>> result = bs.conductance(bs.ModelSpec("su2", E=1.0), L=10, W=2.0, samples=2)
    >>> result.T.shape, result.N
    ((2,), 14)
    """
    require_spec(model)
    W = validation.number("W", W, low=0.0)
    samples = validation.integer("samples", samples, low=1, high=MAX_CALL_SAMPLES)
    start = validation.integer("start", start, low=0, high=validation.MAX_INT - samples)
    seed = validation.seed("seed", seed)
    validation.choice("solver", solver, SOLVERS)
    eigenvalues = validation.flag("eigenvalues", eigenvalues)
    with one_blas_thread():
        span = range(start, start + samples)
        return _solve_samples(model, L, M, W, seed, span, solver, eigenvalues)


def _solve_samples(
    model: ModelSpec,
    L: int,
    M: int | None,
    W: float,
    seed: int,
    span: range,
    solver: str,
    eigenvalues: bool,
) -> Conductances:
    """Build the geometry and solve the samples in ``span`` (the caller sets the threads)."""
    begin = time.perf_counter()
    system = build_system(model, L, M)
    engine = make_solver(solver, system)
    setup = time.perf_counter() - begin
    indices = np.arange(span.start, span.stop)
    T, seconds = np.empty(indices.size), np.empty(indices.size)
    eigs: list[np.ndarray] = []
    for k, index in enumerate(indices):
        disorder = system.draw_disorder(W, seed, int(index))
        t0 = time.perf_counter()
        result = engine.solve(disorder, eigenvalues=eigenvalues)
        seconds[k] = time.perf_counter() - t0
        T[k] = result.T
        if eigenvalues:
            if result.eigenvalues is None:
                raise RuntimeError(f"solver {solver!r} returned no transmission eigenvalues")
            eigs.append(result.eigenvalues)
    N = system.num_channels
    if not math.isfinite(float(np.sum(T))):
        raise InputError("a sample gave a non-finite transmission")
    return Conductances(
        model, system.L, system.M, W, seed, solver, indices, T, N, seconds, setup,
        eigs if eigenvalues else None,
    )  # fmt: skip

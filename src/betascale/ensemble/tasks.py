"""Units of work: one sample (:class:`Task`) and a run of samples of one cell (:class:`Chunk`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from betascale import resources
from betascale.errors import InputError


@dataclass(frozen=True)
class Task:
    """One disorder sample to compute."""

    W: float
    L: int
    M: int
    sample: int
    flux: float = 0.0


@dataclass(frozen=True)
class Chunk:
    """Consecutive samples ``start`` to ``stop - 1`` of one cell (W, flux, L): what a rank computes.

    It is small on the wire (six numbers, whatever its length) and behaves as a
    sequence of :class:`Task`.

    Attributes
    ----------
    hold
        The geometries ``(flux, L)`` the worker should keep built after this chunk
        (the scheduler's memory accounting); empty means no advice.
    lease
        The number of the lease under which rank 0 handed it out (0: none); see
        :mod:`~betascale.ensemble.leases`.
    """

    W: float
    flux: float
    L: int
    M: int
    start: int
    stop: int
    hold: tuple[tuple[float, int], ...] = ()
    lease: int = 0

    def __len__(self) -> int:
        return self.stop - self.start

    def __getitem__(self, i: int) -> Task:
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        return Task(self.W, self.L, self.M, self.start + i, self.flux)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    @property
    def geometry(self) -> tuple[float, int]:
        """``(flux, L)``: what a worker builds to compute it."""
        return (self.flux, self.L)

    def rest(self, done: int) -> Chunk | None:
        """The samples after the first ``done`` (None if nothing is left)."""
        if done >= len(self):
            return None
        return Chunk(self.W, self.flux, self.L, self.M, self.start + done, self.stop, self.hold)


def estimated_seconds(L: int, M: int, solver: str, norbs: int = 1, real: bool = True) -> float:
    """Rough solve time of one sample (nested dissection: work ~ (L M norbs)^1.5)."""
    per_sample = 6e-9 * (L * M * norbs * norbs) ** 1.5 * (1.0 if real else 2.0) + 2e-4
    return per_sample * (30.0 if solver == "kwant" else 1.0)


def geometry_bytes(study, flux: float, L: int) -> float:
    """Estimated memory of one built geometry of ``study`` (see :mod:`betascale.resources`)."""
    return resources.geometry_bytes(study.spec(flux), L, study.width(L))


def check_geometry_fits(study, flux: float, L: int, budget: float) -> None:
    """Refuse a geometry of ``study`` that needs more than ``budget`` bytes of a host."""
    need = geometry_bytes(study, flux, L)
    if need > budget:
        raise InputError(
            f"a geometry with L = {L} needs about {need / 1e9:.3g} GB, more than the "
            f"{budget / 1e9:.3g} GB available to a rank; use fewer ranks per node or smaller sizes"
        )


def geometry_seconds(study, flux: float, L: int) -> float:
    """Estimated solve time of one sample of a geometry of ``study``."""
    spec = study.spec(flux)
    return estimated_seconds(L, study.width(L), study.solver, spec.norbs, spec.is_real)


def duration(seconds: float) -> str:
    """``1h02m03s``, ``2m03s`` or ``3s``."""
    if not math.isfinite(seconds):
        return "?"
    seconds = round(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else (f"{m}m{s:02d}s" if m else f"{s}s")


@dataclass(frozen=True)
class ChunkResult:
    """The results of (the first ``len(T)`` samples of) a chunk, as arrays.

    Compact on the wire and cheap to store: rank 0 handles a chunk's results without a
    Python object per sample.

    Attributes
    ----------
    chunk
        The chunk; the results are its samples ``start .. start + len(T) - 1``.
    T, N, seconds
        Per sample (T is NaN where the sample failed).
    errors
        ``(offset, message)`` of the failed samples.
    rank
        The rank that computed them.
    """

    chunk: Chunk
    T: np.ndarray
    N: np.ndarray
    seconds: np.ndarray
    errors: tuple[tuple[int, str], ...] = ()
    rank: int = 0

    @classmethod
    def from_records(cls, chunk: Chunk, records: list, rank: int = 0) -> ChunkResult:
        """Pack the records of a chunk's first samples (in order)."""
        T = np.array([r.T for r in records], dtype=float)
        N = np.array([r.N for r in records], dtype=np.int64)
        seconds = np.array([r.seconds for r in records], dtype=float)
        errors = tuple((k, r.error) for k, r in enumerate(records) if r.error is not None)
        return cls(chunk, T, N, seconds, errors, rank)

    def __len__(self) -> int:
        return int(self.T.size)

    @property
    def failed(self) -> int:
        """Samples that raised."""
        return len(self.errors)

    def records(self) -> list:
        """The results as :class:`~betascale.store.SampleRecord` s."""
        from betascale.store import SampleRecord

        c, errors = self.chunk, dict(self.errors)
        rows = zip(self.T.tolist(), self.N.tolist(), self.seconds.tolist(), strict=True)
        return [
            SampleRecord(c.W, c.L, c.M, c.start + k, T, N, sec, self.rank, errors.get(k), c.flux)
            for k, (T, N, sec) in enumerate(rows)
        ]

"""The interface of a results store, and the logic every store shares.

:class:`SampleStore` declares what the runner, the analysis and the command line use
of a store (the model is xarray's ``AbstractDataStore``). :class:`StoreBase`
implements most of it on top of two methods, :meth:`~StoreBase.add` and
:meth:`~StoreBase.records`: the SQLite file (:class:`~betascale.store.Store`) and the
in-memory table (:class:`~betascale.store.MemoryStore`) derive from it and replace
what they do faster, and so can a store of another package (registered with
:func:`~betascale.store.register_store_backend` or the entry-point group
``betascale.stores``).

The policies of a store live here once: which records a store accepts (a key of the
study's grid, the study's width M; a non-finite T is a failure), which study a
store's reader may ask about (the same physics), and which run statuses exist.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol, TypeGuard, runtime_checkable

import numpy as np

from betascale.errors import InputError
from betascale.store.integrity import Grid
from betascale.store.records import SampleRecord, SampleTable, records_table
from betascale.study import Study, compare_physics

#: Statuses of a finished run; a run that is still going (or was killed) is "running".
#: "incomplete": the run ended normally, but samples are missing or failed.
RUN_STATUSES = ("complete", "incomplete", "interrupted", "failed")
#: A missing range of sample indices of one cell: ``[start, stop)``.
Range = tuple[int, int]
#: The key of a sample: ``(W, flux, L, sample)``.
Key = tuple[float, float, int, int]


@runtime_checkable
class SampleStore(Protocol):
    """What betascale asks of a results store.

    Attributes
    ----------
    study
        The stored study: its grid is the keys the store holds.
    """

    study: Study

    @property
    def path(self) -> Path | None:
        """The file (None for a store without one)."""

    def missing_ranges(
        self, study: Study | None = None
    ) -> Iterator[tuple[float, float, int, list[Range]]]:
        """Per cell ``(W, flux, L)``, the missing sample indices as ranges."""

    def missing_keys(self, study: Study | None = None) -> Iterator[Key]:
        """Keys of ``study`` still to compute, in key order."""

    def count_missing(self, study: Study | None = None) -> int:
        """How many samples of ``study`` are still to compute."""

    def completed_keys(self) -> set[Key]:
        """Keys of the successful samples."""

    def add(self, records: Iterable[SampleRecord]) -> None:
        """Store ``records`` at once (a record replaces one of the same key)."""

    def add_chunks(self, results: Iterable) -> None:
        """Store the results of chunks (:class:`~betascale.ensemble.tasks.ChunkResult`)."""

    def finish_run(self, status: str) -> None:
        """Record the end of the run that opened the store, with ``status``."""

    def records(self) -> list[SampleRecord]:
        """Every stored record, failures included, sorted by key."""

    def failures(self) -> list[SampleRecord]:
        """The records of failed samples, sorted by key."""

    def samples(self) -> SampleTable:
        """The successful samples as arrays, sorted by key, with the study."""

    def status(self) -> Any:
        """Completed, missing and failed samples per cell (a :class:`StoreStatus`)."""

    @property
    def metadata(self) -> dict[str, Any]:
        """The store's metadata (``runs``, ...), as JSON-able data."""

    def close(self) -> None:
        """Release what the store holds (idempotent)."""

    def __enter__(self) -> SampleStore: ...

    def __exit__(self, *exc: object) -> None: ...


class StoreBase(ABC):
    """A :class:`SampleStore` built on :meth:`add` and :meth:`records`.

    A subclass calls ``super().__init__(study, path)``, implements :meth:`add` (after
    :meth:`checked_record` of each record) and :meth:`records` (sorted by key), and
    may replace any other method with a faster one.
    """

    def __init__(self, study: Study, path: Path | None = None) -> None:
        self.study = study
        self.path = path
        self._grid = Grid.of(study)

    # ------------------------------------------------------ to implement
    @abstractmethod
    def add(self, records: Iterable[SampleRecord]) -> None:
        """Store ``records`` at once (a record replaces one of the same key)."""

    @abstractmethod
    def records(self) -> list[SampleRecord]:
        """Every stored record of the study's grid, failures included, sorted by key."""

    # ------------------------------------------------------------ shared
    def __enter__(self) -> StoreBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:  # noqa: B027 - optional: most stores hold nothing
        """Nothing to release."""

    @property
    def metadata(self) -> dict[str, Any]:
        """The store's metadata: none kept."""
        return {}

    def add_chunks(self, results: Iterable) -> None:
        """Store the records of chunks (:meth:`ChunkResult.records`) at once."""
        self.add([record for res in results for record in res.records()])

    def finish_run(self, status: str) -> None:
        """Check ``status`` (one of :data:`RUN_STATUSES`) and record it."""
        check_run_status(status)
        self._record_run_status(status)

    def _record_run_status(self, status: str) -> None:  # noqa: B027 - optional
        """Nothing to record."""

    def missing_ranges(
        self, study: Study | None = None
    ) -> Iterator[tuple[float, float, int, list[Range]]]:
        """Per cell ``(W, flux, L)`` of ``study`` (default: the stored one), the missing
        sample indices as ranges ``[start, stop)``; complete cells are left out (lazily).
        An incompatible ``study`` is refused at once."""
        return self._missing_ranges(self._checked(study))

    def _missing_ranges(self, study: Study) -> Iterator[tuple[float, float, int, list[Range]]]:
        for W, flux, L in study.cells():
            n = study.samples_at(L)
            ranges = gaps(self._done_indices(W, flux, L, n), n)
            if ranges:
                yield W, flux, L, ranges

    def _done_indices(self, W: float, flux: float, L: int, samples: int) -> np.ndarray:
        """The sorted indices ``< samples`` of the successful samples of one cell."""
        done = (i for w, f, n, i in self.completed_keys() if (w, f, n) == (W, flux, L))
        return np.array(sorted(i for i in done if 0 <= i < samples), dtype=np.int64)

    def missing_keys(self, study: Study | None = None) -> Iterator[Key]:
        """Keys ``(W, flux, L, sample)`` of ``study`` still to compute, in key order (lazily)."""
        cells = self.missing_ranges(study)
        return (
            (W, flux, L, i)
            for W, flux, L, ranges in cells
            for start, stop in ranges
            for i in range(start, stop)
        )

    def count_missing(self, study: Study | None = None) -> int:
        """How many samples of ``study`` are still to compute."""
        return sum(b - a for *_, ranges in self.missing_ranges(study) for a, b in ranges)

    def completed_keys(self) -> set[Key]:
        """Keys ``(W, flux, L, sample)`` of the successful samples (failures are not done)."""
        return {r.key for r in self.records() if r.error is None}

    def failures(self) -> list[SampleRecord]:
        """The records of failed samples, sorted by key."""
        return [r for r in self.records() if r.error is not None]

    def samples(self) -> SampleTable:
        """The successful samples as arrays, sorted by key, with the study."""
        return records_table(self.records(), study=self.study)

    def status(self):
        """Completed, missing and failed samples per (W, flux, L) of the stored study."""
        from betascale.store.status import records_status

        return records_status(self)

    def __repr__(self) -> str:
        where = "memory" if self.path is None else repr(str(self.path))
        return f"{type(self).__name__}({where}, study={self.study.name!r})"

    # ---------------------------------------------------------- policies
    def _checked(self, study: Study | None) -> Study:
        """``study`` (default: the stored one), refused unless its physics is the store's."""
        if study is None:
            return self.study
        diffs = compare_physics(self.study, study)
        if diffs:
            raise InputError(refusal(self.path, diffs))
        return study

    def check_key(self, W: float, flux: float, L: int, M: int, sample: int) -> None:
        """Refuse a key outside the study's grid, or a width M not the study's at L.

        Raises
        ------
        ValueError
            If the record does not belong to the store (a programming error).
        """
        if not self._grid.contains(W, flux, L, sample):
            raise ValueError(
                f"sample (W={W}, flux={flux}, L={L}, sample={sample}) is not in the study grid"
            )
        width = self.study.width(L)
        if M != width:
            raise ValueError(f"sample at L={L} has M={M}, but the study's width is M={width}")

    def checked_row(self, r: SampleRecord) -> tuple:
        """The ten columns of a record the store accepts (:meth:`check_key`); a record
        without an error but with a non-finite T becomes a failure; a non-finite T is
        stored as None (read back as NaN)."""
        W, flux, L, M, sample = float(r.W), float(r.flux), int(r.L), int(r.M), int(r.sample)
        self.check_key(W, flux, L, M, sample)
        error = None if r.error is None else (str(r.error) or "unknown error")
        T = float(r.T)
        if error is None and not math.isfinite(T):
            error = f"non-finite transmission T = {T}"  # never counted as a result
        stored = T if math.isfinite(T) else None  # as for chunks: no infinite T is stored
        return (W, flux, L, M, sample, stored, int(r.N), float(r.seconds), int(r.rank), error)

    def checked_record(self, r: SampleRecord) -> SampleRecord:
        """The record as stored (:meth:`checked_row`), read back."""
        return record_from_row(self.checked_row(r))


def is_store(obj: object) -> TypeGuard[SampleStore]:
    """Whether ``obj`` is a store (a :class:`StoreBase`, or anything with the members of
    :class:`SampleStore`).

    Use it rather than ``isinstance(obj, SampleStore)``: before Python 3.12 that check
    reads every member with ``hasattr``, and so runs properties such as a closed
    store's ``metadata``.
    """
    return isinstance(obj, StoreBase) or isinstance(obj, SampleStore)


def check_run_status(status: str) -> None:
    """Refuse a run status that is not one of :data:`RUN_STATUSES`."""
    if status not in RUN_STATUSES:
        raise ValueError(f"run status must be one of {', '.join(RUN_STATUSES)}, got {status!r}")


def refusal(path: Path | None, diffs: list[str]) -> str:
    """The one line refusing a study whose physics differs from a store's."""
    where = "in memory" if path is None else str(path)
    return f"store {where} was made with a different study: {'; '.join(diffs)}; use a new store"


def gaps(done: np.ndarray, samples: int) -> list[Range]:
    """The ranges of ``range(samples)`` not in the sorted array ``done``."""
    ranges, start = [], 0
    for i in done.tolist():
        if i > start:
            ranges.append((start, i))
        start = i + 1
    if start < samples:
        ranges.append((start, samples))
    return ranges


def record_from_row(row: tuple) -> SampleRecord:
    """The :class:`SampleRecord` of a stored row (NaN for a NULL T or seconds)."""
    W, flux, L, M, sample, T, N, seconds, rank, error = row
    return SampleRecord(
        W=W,
        L=L,
        M=M,
        sample=sample,
        T=math.nan if T is None else T,
        N=N,
        seconds=math.nan if seconds is None else seconds,
        rank=rank,
        error=error,
        flux=flux,
    )


__all__ = [
    "RUN_STATUSES",
    "Key",
    "Range",
    "SampleStore",
    "StoreBase",
    "check_run_status",
    "gaps",
    "is_store",
    "record_from_row",
    "refusal",
]

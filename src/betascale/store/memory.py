"""An in-memory store: the same interface as :class:`~betascale.store.Store`, no file.

:func:`betascale.run` uses it when no store path is given: the samples live in the
process and are returned as a :class:`~betascale.store.SampleTable`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from betascale.store.core import Range, _gaps
from betascale.store.records import SampleRecord, SampleTable, records_table
from betascale.study import Study


class MemoryStore:
    """Samples of one study kept in a dict keyed by ``(W, flux, L, sample)``."""

    path = None

    def __init__(self, study: Study) -> None:
        self.study = study
        self._records: dict[tuple[float, float, int, int], SampleRecord] = {}

    def add(self, records: Iterable[SampleRecord]) -> None:
        """Keep ``records`` (a record replaces one of the same key)."""
        for r in records:
            self._records[r.key] = r

    def add_chunks(self, results: Iterable) -> None:
        """Keep the results of chunks."""
        for res in results:
            self.add(res.records())

    def missing_ranges(
        self, study: Study | None = None
    ) -> Iterator[tuple[float, float, int, list[Range]]]:
        """Per cell, the missing sample indices as ranges (see :meth:`Store.missing_ranges`)."""
        study = self.study if study is None else study
        for W, flux, L in study.cells():
            limit = study.samples_at(L)
            done = sorted(
                i for (w, f, n, i), r in self._records.items()
                if (w, f, n) == (W, flux, L) and r.error is None and i < limit
            )  # fmt: skip
            ranges = _gaps(np.asarray(done, dtype=np.int64), limit)
            if ranges:
                yield W, flux, L, ranges

    def count_missing(self, study: Study | None = None) -> int:
        """How many samples are still to compute."""
        return sum(b - a for *_, ranges in self.missing_ranges(study) for a, b in ranges)

    def finish_run(self, status: str) -> None:
        """Nothing to record without a file."""

    def failures(self) -> list[SampleRecord]:
        """The failed records."""
        return [r for r in self._records.values() if r.error is not None]

    def samples(self) -> SampleTable:
        """The successful samples, sorted by key, with the study."""
        return records_table(list(self._records.values()), study=self.study)

    def close(self) -> None:
        """Nothing to close."""

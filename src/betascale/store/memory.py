"""An in-memory store: a :class:`~betascale.store.SampleStore` without a file.

:func:`betascale.run` uses it when no store path is given (``open_store(None, study,
mode="a")``): the samples live in the process and are returned as a
:class:`~betascale.store.SampleTable`. It accepts exactly the records the SQLite store
accepts (:meth:`~betascale.store.StoreBase.checked_row`), and reads them back the same.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from betascale.store.base import Key, StoreBase
from betascale.store.records import SampleRecord
from betascale.study import Study


class MemoryStore(StoreBase):
    """Samples of one study kept in a dict per cell ``(W, flux, L)``, keyed by index."""

    def __init__(self, study: Study) -> None:
        super().__init__(study, None)
        self._cells: dict[tuple[float, float, int], dict[int, SampleRecord]] = {}

    def add(self, records: Iterable[SampleRecord]) -> None:
        """Keep ``records`` (a record replaces one of the same key); all or nothing."""
        checked = [self.checked_record(r) for r in records]
        for r in checked:
            W, flux, L, sample = r.key
            self._cells.setdefault((W, flux, L), {})[sample] = r

    def records(self) -> list[SampleRecord]:
        """Every record kept, failures included, sorted by (W, flux, L, sample)."""
        return [
            cell[i] for key in sorted(self._cells) for cell in [self._cells[key]]
            for i in sorted(cell)
        ]  # fmt: skip

    def completed_keys(self) -> set[Key]:
        """Keys of the successful samples."""
        return {
            (*key, i) for key, cell in self._cells.items()
            for i, r in cell.items() if r.error is None
        }  # fmt: skip

    def _done_indices(self, W: float, flux: float, L: int, samples: int) -> np.ndarray:
        cell = self._cells.get((float(W), float(flux), int(L)), {})
        done = sorted(i for i, r in cell.items() if r.error is None and 0 <= i < samples)
        return np.asarray(done, dtype=np.int64)

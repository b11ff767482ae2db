"""The records of a store: one computed sample, and many samples as arrays."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np


@dataclass(frozen=True)
class SampleRecord:
    """One computed (or failed) disorder sample.

    Attributes
    ----------
    W, L, M, sample
        Disorder strength, size and sample index.
    T
        Total transmission in e^2/h (NaN if the sample failed).
    N
        Open lead channels (0 if unknown because the sample failed).
    seconds
        Solve time of this sample alone (geometry set-up excluded).
    rank
        MPI rank that computed it.
    error
        None, or the one-line error of a sample whose computation raised.
    flux
        Flux quanta per plaquette. The key of a sample is (W, flux, L, sample).
    """

    W: float
    L: int
    M: int
    sample: int
    T: float
    N: int
    seconds: float
    rank: int = 0
    error: str | None = None
    flux: float = 0.0

    @property
    def key(self) -> tuple[float, float, int, int]:
        """``(W, flux, L, sample)``."""
        return (float(self.W), float(self.flux), int(self.L), int(self.sample))

    def to_dict(self) -> dict[str, Any]:
        """The record as a dict (T None for a failed sample)."""
        out = asdict(self)
        out["T"] = None if math.isnan(self.T) else self.T
        return out


@dataclass(frozen=True)
class SampleTable:
    """Samples as parallel arrays (one entry per successful sample).

    ``flux`` (flux quanta per plaquette) defaults to zeros. ``study`` is the study the
    samples belong to, when known (the analysis takes the class and labels from it).
    """

    W: np.ndarray
    L: np.ndarray
    M: np.ndarray
    sample: np.ndarray
    T: np.ndarray
    N: np.ndarray
    seconds: np.ndarray
    rank: np.ndarray
    # None (the default) becomes zeros in __post_init__: an array from then on.
    flux: np.ndarray = None  # type: ignore[assignment]
    study: Any = None

    def __post_init__(self) -> None:
        if self.flux is None:
            object.__setattr__(self, "flux", np.zeros(np.shape(self.T)))

    def __len__(self) -> int:
        return int(self.T.size)

    def __repr__(self) -> str:
        name = f" of {self.study.name}" if self.study is not None else ""
        cells = len(set(zip(self.W.tolist(), self.flux.tolist(), self.L.tolist(), strict=True)))
        return f"<SampleTable{name}: {len(self)} samples in {cells} (W, flux, L) cells>"

    def select(self, mask: np.ndarray) -> SampleTable:
        """The samples where ``mask`` is true (same study)."""
        arrays = {f.name: getattr(self, f.name)[mask] for f in fields(self) if f.name != "study"}
        return SampleTable(**arrays, study=self.study)

    def at_flux(self, flux: float) -> SampleTable:
        """The samples at one flux."""
        return self.select(self.flux == flux)

    def to_dataframe(self):
        """The samples as a ``pandas.DataFrame`` (one row per sample)."""
        import pandas as pd

        names = ("W", "flux", "L", "M", "sample", "T", "N", "seconds", "rank")
        return pd.DataFrame({name: getattr(self, name) for name in names})

    def to_dataset(self):
        """The samples as an ``xarray.Dataset`` with dims (W, flux, L, sample)."""
        frame = self.to_dataframe().set_index(["W", "flux", "L", "sample"])
        ds = frame.drop(columns=["M"]).to_xarray()
        if self.study is not None:
            ds.attrs["study"] = self.study.to_toml()
        return ds


def records_table(records: list[SampleRecord], study: Any = None) -> SampleTable:
    """The successful records as a :class:`SampleTable`, sorted by key."""
    ok = sorted((r for r in records if r.error is None), key=lambda r: r.key)
    kinds = {"W": float, "L": np.int64, "M": np.int64, "sample": np.int64, "T": float}
    kinds.update(N=np.int64, seconds=float, rank=np.int64, flux=float)
    arrays = {name: np.array([getattr(r, name) for r in ok], dtype=k) for name, k in kinds.items()}
    return SampleTable(**arrays, study=study)

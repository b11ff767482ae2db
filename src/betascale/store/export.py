"""Export of a store's samples as a labelled table: NetCDF (xarray) or CSV."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import numpy as np

from betascale.errors import InputError
from betascale.files import atomic_write, check_destination
from betascale.store.backends import open_store
from betascale.store.base import SampleStore, is_store
from betascale.store.records import SampleRecord
from betascale.store.sqlite import FORMAT_VERSION
from betascale.study import Study

EXPORT_FORMATS = {"netcdf": ".nc", "csv": ".csv"}
_CSV_COLUMNS = ("W", "flux", "L", "M", "sample", "T", "N", "seconds", "rank", "error")


def export_store(store_or_path: SampleStore | str | Path, out_path: str | Path, fmt: str) -> Path:
    """Write the samples of a store as a labelled table.

    Parameters
    ----------
    store_or_path
        An open store (a :class:`~betascale.store.SampleStore`), or the path of one
        (:func:`~betascale.store.open_store`).
    out_path
        The file to write, through :func:`betascale.files.atomic_write` (a temporary
        file renamed over it: a reader never sees half a file, a planted symlink is
        replaced, not followed, and the file gets the umask's permissions).
    fmt
        ``"netcdf"``: an ``xarray.Dataset`` (:func:`to_dataset`; NetCDF3 via scipy),
        a grid, or one entry per record when the grid would be too large.
        ``"csv"``: a header and one row per record (W, flux, L, M, sample, T, N,
        seconds, rank, error), floats written exactly (``repr``).

    Returns
    -------
    Path
        ``out_path``.
    """
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"export format must be one of {', '.join(EXPORT_FORMATS)}, got {fmt!r}")
    out_path = check_destination(out_path)
    if is_store(store_or_path):
        return _export(store_or_path, out_path, fmt)
    with open_store(store_or_path) as store:
        return _export(store, out_path, fmt)


def _export(store: SampleStore, out_path: Path, fmt: str) -> Path:
    if store.path is not None and out_path.resolve() == Path(store.path).resolve():
        raise InputError(f"refusing to overwrite the store {store.path} with its export")
    if fmt == "netcdf":
        dataset = to_dataset(store)
        with atomic_write(out_path) as f:
            dataset.to_netcdf(f, engine="scipy")
    else:
        with atomic_write(out_path, "w", newline="") as f:
            _write_csv(store.records(), f)
    return out_path


def to_dataset(store: SampleStore):
    """The records of a store as an ``xarray.Dataset``, in one of two layouts.

    ``layout = "grid"`` (attribute): dims (W, flux, L, sample) over the full grid of
    the study; variables T, N, seconds, rank and failed (NaN or -1 where a sample is
    missing), M a coordinate over L. Used when the grid has at most
    :data:`GRID_MAX_CELLS` cells (every shipped study has fewer than 10**5).

    ``layout = "records"``: one dimension ``record``, one entry per stored sample,
    with coordinates W, flux, L, M and sample and the same variables; used when the
    dense grid would be larger (a study with ``samples = 10**9``, say), so the export
    holds what exists, never an empty grid. ``ds.set_index(record=["W", "flux", "L",
    "sample"]).unstack("record")`` turns it into a grid over the stored values.

    Both carry attributes holding the study, physics hash, metadata and failures
    as JSON.
    """
    study = store.study
    records = store.records()
    axes, n_samples = _grid_axes(study, records)
    cells = n_samples * math.prod(len(axis) for axis in axes.values())
    dense = all(r.sample >= 0 for r in records) and cells <= GRID_MAX_CELLS
    ds = _grid_dataset(study, records, axes, n_samples) if dense else _records_dataset(records)
    for name, attrs in _VARIABLE_ATTRS.items():
        ds[name].attrs.update(attrs)
    failures = [[r.W, r.flux, r.L, r.sample, r.error] for r in records if r.error is not None]
    ds.attrs.update(
        title=f"betascale samples of study {study.name}",
        layout="grid" if dense else "records",
        study=json.dumps(study.to_dict()),
        physics_hash=study.physics_hash(),
        metadata=json.dumps(store.metadata),
        failures=json.dumps(failures),
        format_version=FORMAT_VERSION,
    )
    return ds


#: Largest dense grid :func:`to_dataset` builds: 10**7 cells, 250 MB for its five
#: variables (8 + 4 + 8 + 4 + 1 bytes a cell). Larger grids are exported as records.
GRID_MAX_CELLS = 10**7


def _values(records: Sequence[SampleRecord]) -> dict[str, np.ndarray]:
    """The variables of the records as arrays (the dtypes of the export)."""
    return {
        "T": np.array([r.T for r in records], np.float64),
        "N": _int32("N", [r.N for r in records]),
        "seconds": np.array([r.seconds for r in records], np.float64),
        "rank": _int32("rank", [r.rank for r in records]),
        "failed": np.array([r.error is not None for r in records], np.int8),
    }


def _grid_axes(study: Study, records: Sequence[SampleRecord]) -> tuple[dict[str, np.ndarray], int]:
    """The W, flux and L axes of the grid (the study's, with any stored outside it) and
    its number of samples (the largest of the study or the records; not built yet)."""
    n_samples = max([study.samples_at(n) for n in study.L] + [r.sample + 1 for r in records])
    axes = {
        "W": np.array(sorted(set(study.W) | {r.W for r in records}), np.float64),
        "flux": np.array(sorted(set(study.flux) | {r.flux for r in records}), np.float64),
        "L": np.array(sorted(set(study.L) | {r.L for r in records}), np.int64),
    }
    return axes, n_samples


def _int32(name: str, values: Sequence[int]) -> np.ndarray:
    """``values`` as int32, the widest integer of NetCDF3, or one line naming the value."""
    info = np.iinfo(np.int32)
    bad = [v for v in values if not info.min <= v <= info.max]
    if bad:
        raise InputError(
            f"a stored {name} = {bad[0]} does not fit a NetCDF3 integer; export as CSV"
        )
    return np.array(values, np.int32)


def _grid_dataset(
    study: Study, records: Sequence[SampleRecord], axes: dict[str, np.ndarray], n_samples: int
):
    import xarray as xr

    axes = {**axes, "sample": np.arange(n_samples, dtype=np.int64)}
    shape = tuple(len(axis) for axis in axes.values())
    where = tuple(
        np.searchsorted(axis, np.array([getattr(r, name) for r in records], axis.dtype))
        for name, axis in axes.items()
    )
    data = {}
    for name, values in _values(records).items():
        fill = np.nan if values.dtype == np.float64 else (0 if name == "failed" else -1)
        grid = np.full(shape, fill, values.dtype)
        grid[where] = values
        data[name] = (tuple(axes), grid)
    M = np.array([study.width(int(n)) for n in axes["L"]], np.int32)
    return xr.Dataset(data, coords={**axes, "M": ("L", M)})


def _records_dataset(records: Sequence[SampleRecord]):
    import xarray as xr

    coords = {
        "W": ("record", np.array([r.W for r in records], np.float64)),
        "flux": ("record", np.array([r.flux for r in records], np.float64)),
        "L": ("record", _int32("L", [r.L for r in records])),
        "M": ("record", _int32("M", [r.M for r in records])),
        "sample": ("record", _int32("sample", [r.sample for r in records])),
    }
    data = {name: ("record", values) for name, values in _values(records).items()}
    return xr.Dataset(data, coords=coords)


_VARIABLE_ATTRS = {
    "T": {"long_name": "total transmission", "units": "e^2/h", "missing": "NaN"},
    "N": {"long_name": "open lead channels", "missing": "-1"},
    "seconds": {"long_name": "solve time of the sample", "units": "s", "missing": "NaN"},
    "rank": {"long_name": "MPI rank that computed the sample", "missing": "-1"},
    "failed": {"long_name": "1 where the last attempt raised (see attribute failures)"},
}


def _write_csv(records: Sequence[SampleRecord], f: IO[str]) -> None:
    writer = csv.writer(f)
    writer.writerow(_CSV_COLUMNS)
    for r in records:
        writer.writerow(
            [repr(float(r.W)), repr(float(r.flux)), r.L, r.M, r.sample, repr(float(r.T)),
             r.N, repr(float(r.seconds)), r.rank, "" if r.error is None else r.error]
        )  # fmt: skip


def load_export(path: str | Path):
    """Read back an export written by :func:`export_store`.

    Returns
    -------
    xarray.Dataset or list of SampleRecord
        The dataset of a ``.nc`` file (loaded into memory), or the records of a
        ``.csv`` file in file order.
    """
    path = Path(path)
    if path.suffix == ".nc":
        import xarray as xr

        with xr.open_dataset(path, engine="scipy") as ds:
            return ds.load()
    if path.suffix == ".csv":
        return _read_csv(path)
    raise InputError(f"cannot tell the format of {path}: expected a .nc or .csv file")


def _read_csv(path: Path) -> list[SampleRecord]:
    with open(path, newline="", encoding="utf-8") as f:
        return [
            SampleRecord(
                W=float(row["W"]),
                L=int(row["L"]),
                M=int(row["M"]),
                sample=int(row["sample"]),
                T=float(row["T"]),
                N=int(row["N"]),
                seconds=float(row["seconds"]),
                rank=int(row["rank"]),
                error=row["error"] or None,
                flux=float(row.get("flux") or 0.0),
            )
            for row in csv.DictReader(f)
        ]

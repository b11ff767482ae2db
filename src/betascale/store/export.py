"""Export of a store's samples as a labelled table: NetCDF (xarray) or CSV."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from betascale.errors import InputError
from betascale.store.core import Store
from betascale.store.records import SampleRecord
from betascale.store.sqlite import FORMAT_VERSION

EXPORT_FORMATS = {"netcdf": ".nc", "csv": ".csv"}
_CSV_COLUMNS = ("W", "flux", "L", "M", "sample", "T", "N", "seconds", "rank", "error")


def export_store(store_or_path: Store | str | Path, out_path: str | Path, fmt: str) -> Path:
    """Write the samples of a store as a labelled table.

    Parameters
    ----------
    store_or_path
        An open :class:`Store`, or the path of one.
    out_path
        The file to write. It is written to a new temporary file beside it (created
        exclusively, with an unpredictable name) and then renamed over it, so a
        reader never sees half a file and a planted symlink is replaced, not followed.
    fmt
        ``"netcdf"``: an ``xarray.Dataset`` (:func:`to_dataset`; NetCDF3 via scipy).
        ``"csv"``: a header and one row per record (W, flux, L, M, sample, T, N,
        seconds, rank, error), floats written exactly (``repr``).

    Returns
    -------
    Path
        ``out_path``.
    """
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"export format must be one of {', '.join(EXPORT_FORMATS)}, got {fmt!r}")
    out_path = Path(out_path)
    if out_path.is_dir():
        raise InputError(f"cannot export to {out_path}: it is a directory")
    if isinstance(store_or_path, Store):
        return _export(store_or_path, out_path, fmt)
    with Store.open(store_or_path) as store:
        return _export(store, out_path, fmt)


def _export(store: Store, out_path: Path, fmt: str) -> Path:
    if out_path.resolve() == store.path.resolve():
        raise InputError(f"refusing to overwrite the store {store.path} with its export")
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out_path.parent, prefix=f".{out_path.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"cannot write {out_path}: {exc.strerror or exc}") from None
    os.close(fd)
    try:
        if fmt == "netcdf":
            to_dataset(store).to_netcdf(tmp, engine="scipy")
        else:
            _write_csv(store.records(), Path(tmp))
        os.replace(tmp, out_path)
    except OSError as exc:
        raise InputError(f"cannot write {out_path}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return out_path


def to_dataset(store: Store):
    """The records of a store as an ``xarray.Dataset`` with dims (W, flux, L, sample).

    Variables T, N, seconds, rank and failed (NaN or -1 where a sample is missing), M
    as a coordinate over L, and attributes holding the study, physics hash, metadata
    and failures as JSON. Built with pandas: one row per record, unstacked onto the
    full grid of the study.
    """
    import pandas as pd

    study = store.study
    records = store.records()
    frame = pd.DataFrame(
        [(r.W, r.flux, r.L, r.sample, r.T, r.N, r.seconds, r.rank, r.error is not None)
         for r in records],
        columns=["W", "flux", "L", "sample", "T", "N", "seconds", "rank", "failed"],
    )  # fmt: skip
    n_samples = max([study.samples_at(n) for n in study.L] + [r.sample + 1 for r in records])
    index = pd.MultiIndex.from_product(
        [
            sorted(set(study.W) | set(frame["W"])),
            sorted(set(study.flux) | set(frame["flux"])),
            sorted(set(study.L) | set(frame["L"])),
            range(n_samples),
        ],
        names=["W", "flux", "L", "sample"],
    )
    frame = frame.set_index(["W", "flux", "L", "sample"]).reindex(index)
    ds = frame.to_xarray()
    for name, dtype in (("N", np.int32), ("rank", np.int32), ("failed", np.int8)):
        fill = 0 if name == "failed" else -1
        ds[name] = ds[name].fillna(fill).astype(dtype)
    ds = ds.assign_coords(M=("L", np.array([study.width(int(n)) for n in ds.L], np.int32)))
    for name, attrs in _VARIABLE_ATTRS.items():
        ds[name].attrs.update(attrs)
    failures = [[r.W, r.flux, r.L, r.sample, r.error] for r in records if r.error is not None]
    ds.attrs.update(
        title=f"betascale samples of study {study.name}",
        study=json.dumps(study.to_dict()),
        physics_hash=study.physics_hash(),
        metadata=json.dumps(store.metadata),
        failures=json.dumps(failures),
        format_version=FORMAT_VERSION,
    )
    return ds


_VARIABLE_ATTRS = {
    "T": {"long_name": "total transmission", "units": "e^2/h", "missing": "NaN"},
    "N": {"long_name": "open lead channels", "missing": "-1"},
    "seconds": {"long_name": "solve time of the sample", "units": "s", "missing": "NaN"},
    "rank": {"long_name": "MPI rank that computed the sample", "missing": "-1"},
    "failed": {"long_name": "1 where the last attempt raised (see attribute failures)"},
}


def _write_csv(records: Sequence[SampleRecord], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
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

"""Tests of betascale.store.export: NetCDF and CSV round trips, safe writing."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import stat
from types import SimpleNamespace

import numpy as np
import pytest

from betascale.errors import InputError
from betascale.store import Store, export_store, load_export, to_dataset
from betascale.study import Study, study_from_dict
from tests.store.helpers import RUN_INFO, keys, make_study, record


def _filled_store(store: Store, study: Study) -> Store:
    all_keys = keys(study)
    store.add([record(k, study) for k in all_keys[:9]])
    store.add([record(all_keys[10], study, error="LinAlgError: singular, 'quoted', a,b")])
    return store


def test_export_netcdf_round_trip(tmp_path, store, study):
    _filled_store(store, study)
    out = export_store(store, tmp_path / "out" / "s.nc", "netcdf")
    ds = load_export(out)
    assert dict(ds.sizes) == {"W": 2, "flux": 1, "L": 2, "sample": 3}
    ds = ds.isel(flux=0)
    assert ds["W"].values.tolist() == [1.0, 2.0] and ds["L"].values.tolist() == [4, 6]
    assert ds["M"].values.tolist() == [4, 6]
    seen = np.zeros((2, 2, 3), dtype=bool)
    for r in store.records():
        i, j, k = study.W.index(r.W), study.L.index(r.L), r.sample
        seen[i, j, k] = True
        T = ds["T"].values[i, j, k]
        if r.error is None:
            assert np.float64(r.T).tobytes() == T.tobytes()  # bit for bit
            assert ds["failed"].values[i, j, k] == 0
        else:
            assert np.isnan(T) and ds["failed"].values[i, j, k] == 1
        assert np.float64(r.seconds).tobytes() == ds["seconds"].values[i, j, k].tobytes()
        assert (ds["N"].values[i, j, k], ds["rank"].values[i, j, k]) == (r.N, r.rank)
    assert np.isnan(ds["T"].values[~seen]).all() and (ds["N"].values[~seen] == -1).all()
    assert study_from_dict(json.loads(ds.attrs["study"])) == study
    assert ds.attrs["physics_hash"] == study.physics_hash()
    assert json.loads(ds.attrs["metadata"])["runs"][0]["versions"] == {"betascale": "test"}
    failures = json.loads(ds.attrs["failures"])
    assert failures == [[2.0, 0.0, 6, 1, "LinAlgError: singular, 'quoted', a,b"]]


def test_export_csv_round_trip(tmp_path, store, study):
    _filled_store(store, study)
    out = export_store(store.path, tmp_path / "s.csv", "csv")
    assert out.read_text().splitlines()[0] == "W,flux,L,M,sample,T,N,seconds,rank,error"
    back = load_export(out)
    records = store.records()
    assert len(back) == len(records) == 10
    for a, b in zip(back, records, strict=True):
        assert np.float64(a.T).tobytes() == np.float64(b.T).tobytes()
        assert dataclasses.replace(a, T=0.0) == dataclasses.replace(b, T=0.0)
    assert back[-1].error == "LinAlgError: singular, 'quoted', a,b"


def test_export_rejects_unknown_format(tmp_path, store):
    with pytest.raises(InputError, match="export format must be one of"):
        export_store(store, tmp_path / "x.h5", "hdf5")
    assert not (tmp_path / "x.h5").exists()


def test_export_gets_the_umask_permissions_and_a_long_name(tmp_path, store, study):
    _filled_store(store, study)
    old = os.umask(0o022)
    try:
        for fmt, suffix in (("netcdf", ".nc"), ("csv", ".csv")):
            out = tmp_path / ("e" * (250 - len(suffix)) + suffix)
            export_store(store, out, fmt)
            assert stat.S_IMODE(out.stat().st_mode) == 0o644  # not mkstemp's 0600
    finally:
        os.umask(old)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "e" * 246 + ".csv",
        "e" * 247 + ".nc",
        "runs",
    ]


def test_export_write_error_is_one_line_naming_the_file(tmp_path, store, study, monkeypatch):
    _filled_store(store, study)
    out = tmp_path / "s.nc"

    def fsync(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(InputError, match=f"^cannot write {out}: No space left on device$"):
        export_store(store, out, "netcdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs"]


def test_export_of_a_huge_sparse_study_holds_the_records_not_the_grid(tmp_path, study):
    # samples = 10**9: the dense grid would hold 4 * 10**9 cells (it was allocated, and
    # failed at 7.45 GiB); the export holds the stored records, one entry each.
    huge = make_study(samples=10**9)
    with Store.open_for_run(tmp_path / "huge.sqlite", huge, RUN_INFO) as store:
        all_keys = [(W, 0.0, L, i) for W in huge.W for L in huge.L for i in (0, 5, 10**8)]
        store.add([record(k, huge) for k in all_keys])
        store.add([record((1.0, 0.0, 4, 7), huge, error="RuntimeError: x")])
        ds = load_export(export_store(store, tmp_path / "huge.nc", "netcdf"))
        records = store.records()
    assert ds.attrs["layout"] == "records" and dict(ds.sizes) == {"record": 13}
    for name in ("W", "flux", "L", "M", "sample", "T", "N", "seconds", "rank"):
        expected = np.array([getattr(r, name) for r in records])
        np.testing.assert_array_equal(ds[name].values, expected)
    assert ds["failed"].values.tolist() == [r.error is not None for r in records]
    grid = ds.set_index(record=["W", "flux", "L", "sample"]).unstack("record")
    assert dict(grid.sizes) == {"W": 2, "flux": 1, "L": 2, "sample": 4}


def test_export_of_a_normal_study_is_a_grid(tmp_path, store, study):
    _filled_store(store, study)
    ds = load_export(export_store(store, tmp_path / "s.nc", "netcdf"))
    assert ds.attrs["layout"] == "grid"
    assert {name: ds[name].dtype for name in ("T", "N", "seconds", "rank", "failed")} == {
        "T": np.float64, "N": np.int32, "seconds": np.float64, "rank": np.int32,
        "failed": np.int8,
    }  # fmt: skip
    assert ds["M"].dims == ("L",)


def test_export_refuses_an_integer_netcdf3_cannot_hold_in_one_line(study):
    # a row the store's checks would refuse, given to to_dataset directly
    row = dataclasses.replace(record(keys(study)[0], study), sample=2**62)
    fake = SimpleNamespace(study=study, records=lambda: [row], metadata={})
    with pytest.raises(InputError, match=f"a stored sample = {2**62} does not fit a NetCDF3"):
        to_dataset(fake)

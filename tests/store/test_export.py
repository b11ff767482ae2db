"""Tests of betascale.store.export: NetCDF and CSV round trips, safe writing."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from betascale.errors import InputError
from betascale.store import Store, export_store, load_export
from betascale.study import Study, study_from_dict
from tests.store.helpers import keys, record


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

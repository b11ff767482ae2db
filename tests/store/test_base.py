"""The SampleStore interface: the SQLite store and the in-memory table behave alike."""

from __future__ import annotations

import math

import numpy as np
import pytest

from betascale.errors import InputError
from betascale.store import MemoryStore, SampleRecord, SampleStore, Store, StoreBase
from betascale.store.base import gaps, is_store
from tests.store.helpers import RUN_INFO, keys, make_study, record


@pytest.fixture(params=["sqlite", "memory"])
def any_store(request, tmp_path):
    study = make_study()
    if request.param == "sqlite":
        with Store.open_for_run(tmp_path / "s.sqlite", study, RUN_INFO) as store:
            yield store
    else:
        with MemoryStore(study) as store:
            yield store


def fill(store) -> list[SampleRecord]:
    """Every key but the last of each cell; sample 1 of W = 2 failed."""
    study = store.study
    added = [
        record(k, study, error="boom" if k[0] == 2.0 and k[3] == 1 else None)
        for k in keys(study)
        if k[3] < study.samples_at(k[2]) - 1
    ]
    store.add(added)
    return added


def test_both_stores_implement_the_protocol(any_store):
    assert isinstance(any_store, SampleStore) and isinstance(any_store, StoreBase)


def test_both_stores_answer_alike(tmp_path):
    study = make_study()
    with (
        Store.open_for_run(tmp_path / "s.sqlite", study, RUN_INFO) as sql,
        MemoryStore(study) as memory,
    ):
        fill(sql), fill(memory)
        assert sql.records() == memory.records()
        assert sql.failures() == memory.failures()
        assert sql.completed_keys() == memory.completed_keys()
        assert list(sql.missing_ranges()) == list(memory.missing_ranges())
        assert list(sql.missing_keys()) == list(memory.missing_keys())
        assert sql.count_missing() == memory.count_missing() == 4 + 2
        a, b = sql.samples(), memory.samples()
        assert np.array_equal(a.T, b.T) and np.array_equal(a.sample, b.sample)
        s, m = sql.status(), memory.status()
        assert s.cells == m.cells and s.failures == m.failures and m.path == ":memory:"


def test_the_memory_store_accepts_what_the_file_accepts(tmp_path):
    """One policy for the records of every store (the memory store used to keep any)."""
    study = make_study()
    memory = MemoryStore(study)
    outside = record((9.0, 0.0, 4, 0), study)
    with pytest.raises(ValueError, match="not in the study grid"):
        memory.add([outside])
    wrong_width = SampleRecord(1.0, 4, 99, 0, 1.0, 4, 0.1)
    with pytest.raises(ValueError, match="the study's width"):
        memory.add([wrong_width])
    inf = SampleRecord(1.0, 4, study.width(4), 0, math.inf, 4, 0.1)
    memory.add([inf])
    (stored,) = memory.records()
    assert stored.error == "non-finite transmission T = inf" and math.isnan(stored.T)
    assert memory.completed_keys() == set() and memory.count_missing() == 12


def test_a_store_refuses_questions_about_other_physics(any_store):
    with pytest.raises(InputError, match="different study: seed"):
        any_store.missing_ranges(make_study(seed=99))
    with pytest.raises(ValueError, match="run status must be one of"):
        any_store.finish_run("done")


def test_gaps():
    assert gaps(np.array([0, 1, 4], dtype=np.int64), 7) == [(2, 4), (5, 7)]
    assert gaps(np.array([], dtype=np.int64), 2) == [(0, 2)]


def test_is_store_never_runs_a_closed_store_s_properties(filled):
    store = Store.open(filled)
    store.close()
    assert is_store(store) and is_store(MemoryStore(make_study()))
    assert not is_store(store.study) and not is_store(filled)

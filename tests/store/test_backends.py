"""open_store dispatches to a store backend: SQLite, memory, or a third party's."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import numpy as np
import pytest

import betascale as bs
from betascale.errors import InputError
from betascale.store import (
    ENTRY_POINT_GROUP,
    MemoryStore,
    SampleStore,
    Store,
    StoreBackend,
    StoreBase,
    get_backend,
    open_store,
    register_store_backend,
    store_backends,
    unregister_store_backend,
)
from betascale.store import backends as backends_module
from tests.store.helpers import RUN_INFO, make_study


class FakeStore(StoreBase):
    """A third party's store: a list of records, and a log of what it was asked."""

    def __init__(self, target, study) -> None:
        super().__init__(study, None)
        self.target = target
        self.rows: dict = {}
        self.log: list[str] = []

    def add(self, records) -> None:
        for r in [self.checked_record(r) for r in records]:
            self.rows[r.key] = r
        self.log.append("add")

    def records(self):
        return [self.rows[k] for k in sorted(self.rows)]

    def _record_run_status(self, status: str) -> None:
        self.log.append(f"finish {status}")


class FakeBackend(StoreBackend):
    name = "fake"
    suffixes = (".fake",)
    description = "a test's store"

    def __init__(self) -> None:
        self.opened: list[FakeStore] = []

    def open(self, target, study, mode, run_info):
        self.opened.append(FakeStore(target, study))
        return self.opened[-1]


class EntryPointBackend(FakeBackend):
    name = ""  # named by its entry point
    suffixes = (".epfake",)


@pytest.fixture
def fake():
    backend = register_store_backend(FakeBackend())
    yield backend
    unregister_store_backend("fake")


@pytest.fixture
def small():
    return bs.Study("plug", bs.ModelSpec(E=1.0), W=[2.0], L=[6, 10], samples=3, seed=3)


def test_a_registered_store_is_used_by_run(fake, small, tmp_path):
    samples = bs.run(small, tmp_path / "x.fake", quiet=True)
    (store,) = fake.opened
    assert store.log[0] == "add" and store.log[-1] == "finish complete"
    assert isinstance(store, SampleStore) and not (tmp_path / "x.fake").exists()
    assert np.array_equal(samples.T, bs.run(small, quiet=True).T)  # bit for bit
    bs.run(small, "anywhere", store_backend="fake", quiet=True)
    assert len(fake.opened) == 2 and fake.opened[1].target == "anywhere"
    assert bs.analyze(store, n_boot=20).ensembles  # any SampleStore is analysed


def test_a_store_from_an_entry_point(monkeypatch):
    ep = EntryPoint("epfake", f"{__name__}:EntryPointBackend", ENTRY_POINT_GROUP)
    monkeypatch.setattr("importlib.metadata.entry_points", lambda group: [ep])
    monkeypatch.setattr(backends_module, "_entry_points_read", False)
    try:
        assert type(get_backend("s.sqlite")).__name__ == "SQLiteBackend"  # no plug-in read
        assert not backends_module._entry_points_read
        backend = get_backend("x.epfake")
        assert isinstance(backend, EntryPointBackend) and backend.name == "epfake"
        assert store_backends()["epfake"] is backend is get_backend(backend="epfake")
    finally:
        unregister_store_backend("epfake")


def test_a_broken_entry_point_is_one_line(monkeypatch):
    ep = EntryPoint("broken", "no_such_module_xyz:Backend", ENTRY_POINT_GROUP)
    monkeypatch.setattr("importlib.metadata.entry_points", lambda group: [ep])
    monkeypatch.setattr(backends_module, "_entry_points_read", False)
    with pytest.raises(InputError, match=r"store backend 'broken' .* cannot be loaded"):
        get_backend(backend="broken")


def test_open_store_dispatches(tmp_path):
    study = make_study()
    for target in (None, ":memory:"):
        with open_store(target, study, "a") as store:
            assert isinstance(store, MemoryStore)
    path = tmp_path / "s.store"  # any other suffix is a SQLite file
    with open_store(path, study, "a", run_info=RUN_INFO) as store:
        assert isinstance(store, Store) and store.metadata["runs"][0]["git_commit"] is None
    with open_store(path) as store, open_store(str(path), study) as same:
        assert isinstance(store, Store) and same.study == store.study
    with open_store(None, study, "a", backend="memory") as store:
        assert isinstance(store, MemoryStore)


@pytest.mark.parametrize(
    ("args", "kwargs", "fragment"),
    [
        ((None,), {}, "in-memory store has nothing to read"),
        (("s.sqlite", None, "w"), {}, "store mode must be one of 'r', 'a'"),
        (("s.sqlite", None, "a"), {}, "needs its study"),
        (("s.sqlite", "study.toml"), {}, "study must be a Study"),
        (("s.sqlite",), {"backend": "nope"}, "unknown store backend 'nope'; known: memory"),
        ((42,), {}, "cannot open a store from int 42"),
    ],
)
def test_open_store_refuses_in_one_line(args, kwargs, fragment, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match=fragment):
        open_store(*args, **kwargs)


def test_reading_with_a_study_of_other_physics_is_refused(filled):
    with pytest.raises(InputError, match="different study: seed"):
        open_store(filled, make_study(seed=99))


def test_register_refuses_bad_backends(fake):
    with pytest.raises(InputError, match="already registered"):
        register_store_backend(FakeBackend())
    with pytest.raises(InputError, match="already registered"):
        register_store_backend(type("S", (FakeBackend,), {"name": "sqlite"})(), replace=True)
    with pytest.raises(InputError, match="must be a StoreBackend"):
        register_store_backend(object())
    assert register_store_backend(FakeBackend(), replace=True).name == "fake"


def test_memory_backend_refuses_a_run_without_its_study():
    # it used to build a store without a study; now one line, as the CLI prints it
    with pytest.raises(InputError) as info:
        backends_module.MemoryBackend().open(None, None, "a", None)
    assert str(info.value) == "opening a store for a run (mode 'a') needs its study"

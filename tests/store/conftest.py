"""Fixtures of the store tests."""

from __future__ import annotations

import pytest

from betascale.store import Store
from betascale.study import Study
from tests.store.helpers import RUN_INFO, keys, make_study, record


@pytest.fixture
def study() -> Study:
    return make_study()


@pytest.fixture
def store(tmp_path, study):
    with Store.open_for_run(tmp_path / "runs" / "s.sqlite", study, RUN_INFO) as s:
        yield s


@pytest.fixture
def filled(tmp_path):
    """A store with every sample of a small study."""
    study = make_study()
    path = tmp_path / "filled.sqlite"
    with Store.open_for_run(path, study, RUN_INFO) as store:
        store.add([record(k, study) for k in keys(study)])
        store.finish_run("complete")
    return path

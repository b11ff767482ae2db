"""Fixtures of the store tests."""

from __future__ import annotations

import pytest

from betascale.store import Store
from betascale.study import Study
from tests.store.helpers import RUN_INFO, make_study


@pytest.fixture
def study() -> Study:
    return make_study()


@pytest.fixture
def store(tmp_path, study):
    with Store.open_for_run(tmp_path / "runs" / "s.sqlite", study, RUN_INFO) as s:
        yield s

"""Tests of betascale.solvers.compare: the back ends side by side."""

import pytest

from betascale.errors import InputError
from betascale.models import ModelSpec
from betascale.solvers.compare import available_backends, compare_backends

SPEC = ModelSpec("anderson", E=1.0, bc="periodic")


def test_both_backends_are_timed_on_the_same_samples_and_agree():
    assert available_backends() == ("mumps", "scipy")
    seen = []
    rows = compare_backends(SPEC, sizes=(8, 10), samples=2, report=seen.append)
    assert rows == seen and [row.L for row in rows] == [8, 10]
    for row in rows:
        assert set(row.seconds) == {"mumps", "scipy"} and min(row.seconds.values()) > 0
        assert row.samples == 2 and 0 <= row.max_rel_diff < 1e-10


def test_one_backend_has_no_difference_and_bad_counts_are_refused():
    (row,) = compare_backends(SPEC, sizes=(8,), samples=1, backends=("scipy",))
    assert row.max_rel_diff is None
    with pytest.raises(InputError, match="samples must be >= 1"):
        compare_backends(SPEC, sizes=(8,), samples=0)

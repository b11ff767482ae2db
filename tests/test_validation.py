"""Tests of betascale.validation: one input policy for the API, the TOML reader and the CLI."""

from __future__ import annotations

import math

import numpy as np
import pytest

from betascale import validation
from betascale.errors import InputError


@pytest.mark.parametrize("value", [1, 1.5, np.int64(2), np.float64(2.5), np.float32(1), -0.0])
def test_numbers_of_python_and_numpy_pass(value):
    assert validation.finite("x", value) == float(value)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("1", "got string '1'"),
        (True, "got boolean true"),
        (np.bool_(False), "got boolean"),
        (None, "got NoneType"),
        ([1.0], "got array"),
        (1 + 0j, "got complex"),
        (math.nan, "must be finite"),
        (-math.inf, "must be finite"),
        (10**400, "must be a finite number"),
    ],
)
def test_what_is_not_a_finite_number_is_refused(value, fragment):
    with pytest.raises(InputError, match="x must") as info:
        validation.finite("x", value)
    assert fragment in str(info.value)


def test_integers():
    assert validation.integer("n", np.int64(3), low=1) == 3
    assert type(validation.integer("n", np.int32(3))) is int
    for bad in (True, 3.0, "3", None, np.array([2, 3])):
        with pytest.raises(InputError, match="n must be an integer"):
            validation.integer("n", bad)
    assert validation.integer("n", 3.0, allow_float=True) == 3
    with pytest.raises(InputError, match="n must be an integer"):
        validation.integer("n", 2.5, allow_float=True)
    with pytest.raises(InputError, match="n must be <= 10"):
        validation.integer("n", 11, high=10)
    with pytest.raises(InputError, match="seed must be >= 0"):
        validation.seed("seed", -1)
    with pytest.raises(InputError, match="seed must be <="):
        validation.seed("seed", 2**63)


def test_ranges_name_the_bounds():
    assert validation.number("r", 0.5, low=0.0, high=1.0, open_low=True) == 0.5
    with pytest.raises(InputError, match=r"r must be in \(0, 1\] \(why\), got 0"):
        validation.number("r", 0, low=0.0, high=1.0, open_low=True, why="why")
    with pytest.raises(InputError, match=r"ci must lie in \(0, 1\)"):
        validation.confidence("ci", 1.0)


@pytest.mark.parametrize("values", [[1.0, 2.0], (1, 2), range(1, 3), np.array([1.0, 2.0])])
def test_lists(values):
    assert validation.sequence("W", values) == tuple(values)


@pytest.mark.parametrize(
    "values", ["12", b"12", {2.0: 1}, {1.0, 2.0}, 2.0, None, np.ones((2, 2)), []]
)
def test_what_is_not_a_list_is_refused(values):
    with pytest.raises(InputError, match="W must"):
        validation.sequence("W", values)


def test_flags_and_choices():
    assert validation.flag("fit", np.bool_(True)) is True
    with pytest.raises(InputError, match="fit must be true or false, got integer 1"):
        validation.flag("fit", 1)
    with pytest.raises(InputError, match="stat must be one of a, b, got"):
        validation.choice("stat", ["a"], ("a", "b"))


@pytest.mark.parametrize("phi", [0.5, -0.5, 1.0, 1.25, 1e300])
def test_a_flux_outside_the_period_is_refused_with_the_reason(phi):
    with pytest.raises(InputError, match=r"flux must lie in \(-1/2, 1/2\).*periodic with period 1"):
        validation.flux(phi)


def test_a_flux_inside_the_period_passes():
    assert validation.flux(np.float64(0.49)) == 0.49
    assert math.copysign(1.0, validation.flux(-0.0)) == 1.0


@pytest.mark.parametrize(
    ("phi", "broken"), [(0.0, False), (0.5, False), (1.0, False), (-0.5, False), (0.1, True)]
)
def test_time_reversal_follows_the_plaquette_phase(phi, broken):
    assert validation.breaks_time_reversal(phi) is broken


def test_nesting_is_measured_without_recursion():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert validation.depth(deep) == validation.MAX_DEPTH + 1
    assert validation.depth([[1], 2]) == 2 and validation.depth(3) == 0
    with pytest.raises(InputError, match="aspect is nested more than 8 levels deep"):
        validation.shallow("aspect", deep)
    assert "nested" in validation.show(deep)  # repr would recurse
    with pytest.raises(InputError, match="got array <list nested"):
        validation.finite("aspect", deep)


@pytest.mark.parametrize("value", [1e-300, -1e-13, 5e-324])
def test_a_flux_without_effect_is_refused(value):
    """A flux whose phases are rounding would be a real Hamiltonian labelled unitary."""
    with pytest.raises(InputError, match="must be 0 or at least 1e-12"):
        validation.flux(value)
    assert validation.flux(1e-12) == 1e-12 and validation.flux(-0.0) == 0.0

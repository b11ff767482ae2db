"""Tests of betascale.rg.checks: the public input checks shared with the command line."""

from __future__ import annotations

import math

import pytest

from betascale import rg
from betascale.errors import InputError


def test_checks_return_canonical_values():
    assert rg.check_nv(2.0) == 2 and isinstance(rg.check_nv(2.0), int)
    assert rg.check_rho0(0) == 0.0 and isinstance(rg.check_rho0(0), float)
    assert rg.check_gamma0(-0.5) == -0.5
    assert rg.check_positive("xi_max", 3) == 3.0
    # an explicit cap replaces the default one
    assert rg.check_rho0(5e3, cap=math.inf) == 5e3
    assert rg.check_gamma0(5e3, cap=math.inf) == 5e3


@pytest.mark.parametrize(
    ("check", "value", "name"),
    [
        (rg.check_nv, 0, "nv"),
        (rg.check_nv, True, "nv"),
        (rg.check_nv, "two", "nv"),
        (rg.check_rho0, -0.1, "rho0"),
        (rg.check_rho0, rg.RHO_CAP, "rho0"),
        (rg.check_gamma0, -1.0, "gamma0"),
        (rg.check_gamma0, rg.GAMMA2_CAP, "gamma0"),
        (lambda v: rg.check_positive("xi_max", v), 0.0, "xi_max"),
        (lambda v: rg.check_positive("xi_max", v), math.nan, "xi_max"),
    ],
)
def test_checks_name_the_parameter_in_one_line(check, value, name):
    with pytest.raises(InputError) as info:
        check(value)
    message = str(info.value)
    assert message.startswith(f"{name} must") and "\n" not in message

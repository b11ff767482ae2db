"""Tests of betascale.rg.schematic: the seed's schematic flow dt/dℓ = t² − γt, dγ/dℓ = γ²t."""

from __future__ import annotations

import math

import numpy as np
import pytest

from betascale import rg
from betascale.errors import InputError

# ------------------------------------------------------------- the schematic flow


def test_schematic_resistance_is_stationary_on_gamma_equals_t_but_not_fixed():
    t = np.array([0.05, 0.3, 1.0, 4.0])
    gamma = t  # the line γ = t, where dt/dℓ = t (t − γ) vanishes
    dt, dg = rg.schematic_rhs(t, gamma)
    np.testing.assert_array_equal(dt, 0.0)
    np.testing.assert_allclose(dg, t**3)  # γ still grows: the line is crossed
    for ti in t:
        p = rg.classify_schematic_point(ti, ti)
        assert p.kind == "resistance maximum"
        assert p.resistance_stationary and not p.is_fixed_point


def test_schematic_t_zero_is_a_line_of_fixed_points():
    for gamma, kind, eig in (
        (0.7, "fixed line, attractive", (-0.7, 0.0)),
        (-0.4, "fixed line, repulsive", (0.0, 0.4)),
        (0.0, "fixed line, marginal", (0.0, 0.0)),
    ):
        p = rg.classify_schematic_point(0.0, gamma)
        assert p.is_fixed_point and p.dt_dl == 0 and p.dgamma_dl == 0
        assert p.kind == kind
        np.testing.assert_allclose(p.eigenvalues.real, eig, atol=1e-15)


def test_schematic_has_no_fixed_point_at_positive_resistance():
    t, gamma = np.meshgrid(np.linspace(0.01, 3, 120), np.linspace(-3, 3, 121))
    dt, dg = rg.schematic_rhs(t, gamma)
    assert not np.any((np.abs(dt) < 1e-12) & (np.abs(dg) < 1e-12))
    # γ > t: the resistance decreases (metallic side); γ < t: it grows.
    assert np.all(dt[gamma > t] < 0)
    assert np.all(dt[gamma < t] > 0)
    assert rg.classify_schematic_point(0.2, 0.5).kind == "metallic"
    assert rg.classify_schematic_point(0.5, 0.2).kind == "insulating"


def test_schematic_trajectory_crosses_gamma_equals_t_and_flows_to_the_metal():
    tr = rg.integrate_schematic(0.5, 0.3)
    assert tr.runaway is None and tr.t_max is not None
    assert tr.t_max.t == pytest.approx(tr.t_max.gamma, rel=1e-10)
    before, after = tr.ell < tr.t_max.ell, tr.ell > tr.t_max.ell
    assert np.all(np.diff(tr.t[before]) > 0)
    assert np.all(tr.t[after] < tr.t_max.t)
    # It ends on the attractive fixed line t = 0 at finite γ.
    assert tr.t[-1] < 1e-10 * tr.t_max.t
    assert np.all(np.diff(tr.gamma) > -1e-9)  # γ grows, up to dense-output noise
    assert abs(tr.gamma[-1] - tr.gamma[len(tr.gamma) // 2]) < 1e-8
    inv = rg.schematic_invariant(tr.t, tr.gamma)
    np.testing.assert_allclose(inv, inv[0], rtol=1e-7)


def test_schematic_without_interaction_runs_away_to_the_insulator():
    t0 = 0.5  # γ = 0: dt/dℓ = t², t = t₀/(1 − t₀ ℓ)
    tr = rg.integrate_schematic(t0, 0.0)
    assert tr.t_max is None and tr.runaway is not None
    assert tr.runaway.ell == pytest.approx(1 / t0 - 1 / rg.T_CAP, rel=1e-9)
    np.testing.assert_allclose(tr.t, t0 / (1 - t0 * tr.ell), rtol=1e-7)


def test_schematic_metallic_start_only_decreases():
    tr = rg.integrate_schematic(0.3, 0.5, ell_max=20.0)
    assert tr.t_max is None and tr.runaway is None
    assert np.all(np.diff(tr.t) <= 1e-15)
    assert tr.t[-1] < 1e-6


def test_schematic_bad_input():
    for kwargs in ({"t0": -1.0, "gamma0": 0.1}, {"t0": 0.1, "gamma0": math.nan}):
        with pytest.raises(InputError):
            rg.integrate_schematic(**kwargs)
    with pytest.raises(InputError):
        rg.integrate_schematic(0.1, 0.1, ell_max=0.0)
    with pytest.raises(InputError):
        rg.classify_schematic_point(-0.1, 0.2)


def test_schematic_results_print_and_serialize():
    tr = rg.integrate_schematic(0.5, 0.3)
    text = str(tr)
    assert text.startswith("schematic flow (seed article): t0 = 0.5, gamma0 = 0.3")
    assert f"maximum of t at {tr.t_max}" in text and "runs away" not in text
    d = tr.to_dict()
    assert d["t_max"] == {"ell": tr.t_max.ell, "t": tr.t_max.t, "gamma": tr.t_max.gamma}
    assert d["runaway"] is None and d["end"]["ell"] == tr.ell[-1]
    assert tr.to_dict(samples=True)["t"] == tr.t.tolist()
    run = rg.integrate_schematic(0.5, 0.0)
    assert "t has no maximum" in str(run) and "t runs away (> 1000) at ell = " in str(run)
    point = str(rg.classify_schematic_point(0.0, 0.7))
    assert point.splitlines()[0] == "(t, gamma) = (0, 0.7): fixed line, attractive"


# ------------------------------------------------ issue 16: bounded, strict arguments
@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"ell_max": 1e6}, "ell_max must be in"),  # ran for minutes near the slow flow
        ({"n_points": 10**9}, "n_points must be <= 1000000"),
        ({"t0": "0.2"}, "t0 must be a number"),
        ({"gamma0": None}, "gamma0 must be a number"),
    ],
)
def test_every_numeric_argument_is_checked(kwargs, fragment):
    args = {"t0": 0.2, "gamma0": 0.3, **kwargs}
    with pytest.raises(InputError, match=fragment):
        rg.integrate_schematic(**args)

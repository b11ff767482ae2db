"""Tests of betascale.rg.pf: the one-loop Punnoose–Finkel'stein flow and its integration.

The checks are independent of the integrator where possible: exact power series, the
closed-form flow lines ρ(γ₂) (dividing the two equations removes ξ), ξ(γ₂) by
quadrature along those lines, and the analytic non-interacting solution.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest
from scipy.integrate import quad

from betascale import rg
from betascale.errors import InputError
from betascale.serialization import dumps

# ----------------------------------------------------------------- the triplet function


def _f_series_exact(gamma: float, terms: int = 60) -> float:
    """f(γ) = Σ (−1)^{k+1} γ^k/(k(k+1)), summed in exact rational arithmetic."""
    g = Fraction(gamma)
    return float(sum(Fraction((-1) ** (k + 1), k * (k + 1)) * g**k for k in range(1, terms)))


@pytest.mark.parametrize("gamma", [1e-12, 1e-6, 1e-3, 0.00999, 0.0101, 0.2, 0.5, -1e-7, -0.3])
def test_triplet_function_matches_exact_series(gamma):
    assert rg.triplet_function(gamma) == pytest.approx(_f_series_exact(gamma), rel=1e-13)


def test_triplet_function_small_gamma_is_half_gamma():
    # The naive formula loses all digits here; the series must not.
    for g in (1e-15, 1e-10, -1e-10):
        assert rg.triplet_function(g) == pytest.approx(g / 2 - g * g / 6, rel=1e-14)
    assert rg.triplet_function(0.0) == 0.0


def test_triplet_function_negative_branch_and_limits():
    # γ = −1/2: (1/2)/(−1/2) ln(1/2) − 1 = ln 2 − 1.
    assert rg.triplet_function(-0.5) == pytest.approx(math.log(2) - 1, rel=1e-15)
    assert rg.triplet_function(-1 + 1e-12) == pytest.approx(-1.0, abs=1e-10)
    # Large γ: f ≈ ln γ − 1 + O(ln γ/γ).
    assert rg.triplet_function(1e8) == pytest.approx(math.log(1e8) - 1, rel=1e-6)
    g = np.linspace(-0.99, 5, 200)
    f = rg.triplet_function(g)
    assert f.shape == g.shape
    assert np.all(np.diff(f) > 0)
    with pytest.raises(InputError):
        rg.triplet_function(-1.0)


# ----------------------------------------------------------------------- the bracket


@pytest.mark.parametrize("nv", [1, 2, 3])
def test_bracket_at_gamma2_zero_is_weak_localization_plus_singlet(nv):
    assert rg.pf_bracket(0.0, nv) == nv + 1
    h = 1e-7  # slope: −(4 n_v² − 1)/2 from f ≈ γ₂/2
    slope = (rg.pf_bracket(h, nv) - rg.pf_bracket(0.0, nv)) / h
    assert slope == pytest.approx(-(4 * nv * nv - 1) / 2, rel=1e-6)


@pytest.mark.parametrize("nv", [1, 2, 3, 4])
def test_bracket_zero_by_root_finder(nv):
    gstar = rg.bracket_zero(nv)
    assert rg.triplet_function(gstar) == pytest.approx((nv + 1) / (4 * nv * nv - 1), rel=1e-13)
    assert abs(rg.pf_bracket(gstar, nv)) < 1e-12
    # Unique: positive below (including all of (−1, 0]), negative above.
    below = np.linspace(-0.999, gstar * (1 - 1e-6), 300)
    above = np.linspace(gstar * (1 + 1e-6), 50 * gstar, 300)
    assert np.all(rg.pf_bracket(below, nv) > 0)
    assert np.all(rg.pf_bracket(above, nv) < 0)


def test_bracket_zero_known_values():
    # Solutions of (1+γ)/γ ln(1+γ) = 5/3 (n_v = 1) and = 6/5 (n_v = 2).
    for nv, ratio in ((1, 5 / 3), (2, 6 / 5)):
        g = rg.bracket_zero(nv)
        assert (1 + g) / g * math.log1p(g) == pytest.approx(ratio, rel=1e-13)
    assert rg.bracket_zero(1) == pytest.approx(2.0841041, abs=1e-6)
    assert rg.bracket_zero(2) == pytest.approx(0.4570852, abs=1e-6)


def _xi_along_flow_line(gamma_end, rho0, gamma0, nv):
    """ξ(γ₂) = ∫ 2 dγ/(ρ(γ)(1+γ)²), by quadrature on the exact flow line."""

    def integrand(g):
        return 2.0 / (rg.pf_rho_on_flow_line(g, rho0, gamma0, nv) * (1 + g) ** 2)

    val, _err = quad(integrand, gamma0, gamma_end, epsabs=0, epsrel=1e-12, limit=200)
    return val


STARTS = [
    (2, 0.2, 0.3),
    (2, 0.05, 0.0),
    (2, 0.005, -0.3),
    (1, 0.2, 0.3),
    (1, 0.1, -0.3),
    (3, 0.3, 0),
]


@pytest.mark.parametrize(("nv", "rho0", "gamma0"), STARTS)
def test_peak_of_trajectory_is_the_bracket_zero(nv, rho0, gamma0):
    tr = rg.integrate_pf(rho0, gamma0, nv)
    gstar = rg.bracket_zero(nv)
    assert tr.bracket_zero == gstar
    assert tr.peak is not None
    # Root finder against the integrated trajectory.
    assert tr.peak.gamma2 == pytest.approx(gstar, rel=1e-9)
    # The peak value and place against the exact flow line and the quadrature of ξ.
    assert tr.peak.rho == pytest.approx(rg.pf_rho_on_flow_line(gstar, rho0, gamma0, nv), rel=1e-8)
    assert tr.peak.xi == pytest.approx(_xi_along_flow_line(gstar, rho0, gamma0, nv), rel=1e-8)
    # It is the maximum of the sampled trajectory: rising before, falling after.
    assert tr.peak.rho >= tr.rho.max() * (1 - 1e-12)
    before, after = tr.xi < tr.peak.xi, tr.xi > tr.peak.xi
    assert np.all(np.diff(tr.rho[before]) > 0)
    assert np.all(np.diff(tr.rho[after]) < 0)
    assert np.all(np.diff(tr.gamma2) > 0)


@pytest.mark.parametrize(("nv", "rho0", "gamma0"), STARTS)
def test_trajectory_stays_on_exact_flow_line(nv, rho0, gamma0):
    tr = rg.integrate_pf(rho0, gamma0, nv, xi_max=20.0)
    exact = rg.pf_rho_on_flow_line(tr.gamma2, rho0, gamma0, nv)
    np.testing.assert_allclose(tr.rho, exact, rtol=1e-7)


def test_gamma2_runs_away_at_finite_xi_with_finite_rho():
    nv, rho0, gamma0 = 1, 0.2, 0.3
    tr = rg.integrate_pf(rho0, gamma0, nv, xi_max=100.0)
    run = tr.runaway
    assert run is not None and run.reason == "gamma2" and run.cap == rg.GAMMA2_CAP
    assert run.gamma2 == pytest.approx(rg.GAMMA2_CAP, rel=1e-9)
    assert tr.xi_end == pytest.approx(run.xi) and run.xi < 100.0
    assert run.xi == pytest.approx(_xi_along_flow_line(rg.GAMMA2_CAP, rho0, gamma0, nv), rel=1e-7)
    # The divergence is at finite ξ_c: the quadrature to γ₂ = ∞ converges, and the cap
    # misses it by about 2/(ρ_∞ γ_cap).
    rho_inf = rg.pf_rho_at_runaway(rho0, gamma0, nv)
    assert 0.05 < rho_inf < rho0
    xi_c = _xi_along_flow_line(math.inf, rho0, gamma0, nv)
    assert math.isfinite(xi_c)
    assert xi_c - run.xi == pytest.approx(2 / (rho_inf * rg.GAMMA2_CAP), rel=0.05)
    assert run.rho == pytest.approx(
        rg.pf_rho_on_flow_line(rg.GAMMA2_CAP, rho0, gamma0, nv), rel=1e-7
    )
    assert run.rho == pytest.approx(rho_inf, rel=0.05)  # ρ(γ₂) − ρ_∞ ~ ln γ₂/γ₂
    # A lower cap stops earlier.
    lower = rg.integrate_pf(rho0, gamma0, nv, xi_max=100.0, gamma2_cap=100.0).runaway
    assert lower is not None and lower.xi < run.xi < xi_c


def test_nv2_flows_to_small_rho_without_runaway_by_default():
    tr = rg.integrate_pf(0.2, 0.3, 2)
    assert tr.runaway is None
    assert tr.xi_end == rg.DEFAULT_XI_MAX
    assert tr.rho[-1] < 0.01 * tr.peak.rho


def test_gamma0_beyond_bracket_zero_decreases_from_start():
    tr = rg.integrate_pf(0.2, 1.3, 2, xi_max=10.0)
    assert tr.rho_decreasing_from_start
    assert tr.peak is None
    assert np.all(np.diff(tr.rho) < 0)


def test_rho0_zero_is_fixed():
    tr = rg.integrate_pf(0.0, 0.3, 2, xi_max=5.0)
    assert tr.peak is None and tr.runaway is None
    assert np.all(tr.rho == 0) and np.all(tr.gamma2 == 0.3)


# ---------------------------------------------------------------- analytic limits


@pytest.mark.parametrize("nv", [1, 2])
def test_noninteracting_limit_is_orthogonal_weak_localization(nv):
    rho0 = 0.05
    tr = rg.integrate_pf(rho0, 0.0, nv, xi_max=100.0, interactions=False)
    # dρ/dξ = n_v ρ²  ⇒  ρ = ρ₀/(1 − n_v ρ₀ ξ), which blows up at ξ = 1/(n_v ρ₀).
    keep = tr.rho < 10.0
    np.testing.assert_allclose(tr.rho[keep], rho0 / (1 - nv * rho0 * tr.xi[keep]), rtol=1e-8)
    assert tr.peak is None and np.all(tr.gamma2 == 0.0)
    assert tr.runaway is not None and tr.runaway.reason == "rho"
    assert tr.runaway.xi == pytest.approx((1 - rho0 / rg.RHO_CAP) / (nv * rho0), rel=1e-8)
    # β(g₁) = d ln g₁/d ln L with ξ = 2 ln L and g₁ = 1/(2π n_v ρ): −1/(π g₁).
    tr2 = rg.integrate_pf(
        rho0, 0.0, nv, xi_max=0.8 / (nv * rho0), interactions=False, n_points=4000
    )
    g1 = rg.g_from_rho(tr2.rho, nv)
    log_l = tr2.xi / 2
    beta = np.gradient(np.log(g1), log_l)
    np.testing.assert_allclose(beta[1:-1], -1 / (math.pi * g1[1:-1]), rtol=1e-4)


def test_conductance_mapping():
    # ρ = 1/(π g) with g = 2 n_v g₁ summed over spins and valleys.
    assert rg.rho_from_g(1.0, 1) == pytest.approx(1 / (2 * math.pi))
    assert rg.rho_from_g(3.0, 2) == pytest.approx(1 / (math.pi * 12.0))
    assert rg.g_from_rho(rg.rho_from_g(2.5, 2), 2) == pytest.approx(2.5)


@pytest.mark.parametrize("nv", [1, 2])
def test_gamma2_zero_limit_of_the_flow(nv):
    # At γ₂ = 0: weak localization (n_v) plus the singlet (1) remain.
    drho, dgam = rg.pf_rhs(0.0, np.array([0.3, 0.0]), nv)
    assert drho == pytest.approx((nv + 1) * 0.09, rel=1e-15)
    assert dgam == pytest.approx(0.15, rel=1e-15)
    # Without interactions only weak localization remains.
    drho, dgam = rg.pf_rhs(0.0, np.array([0.3, 0.7]), nv, interactions=False)
    assert drho == pytest.approx(nv * 0.09) and dgam == 0.0


@pytest.mark.parametrize(("nv", "gamma0"), [(2, 0.0), (2, 0.3), (1, -0.5), (3, 0.1)])
def test_small_rho_first_order_perturbation(nv, gamma0):
    # For ρ₀ ξ ≪ 1: ρ ≈ ρ₀ + B(γ₀) ρ₀² ξ and γ₂ ≈ γ₀ + ρ₀ (1+γ₀)² ξ/2.
    rho0, xi = 1e-5, 10.0
    tr = rg.integrate_pf(rho0, gamma0, nv, xi_max=xi)
    b = rg.pf_bracket(gamma0, nv)
    assert (tr.rho[-1] - rho0) / (rho0**2 * xi) == pytest.approx(b, rel=2e-3)
    assert (tr.gamma2[-1] - gamma0) / (rho0 * xi) == pytest.approx((1 + gamma0) ** 2 / 2, rel=2e-3)


# ---------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"rho0": -0.1}, "rho0"),
        ({"rho0": math.nan}, "rho0"),
        ({"rho0": math.inf}, "rho0"),
        ({"gamma0": -1.0}, "gamma0"),
        ({"gamma0": -3.0}, "gamma0"),
        ({"gamma0": 1e4}, "gamma0"),
        ({"nv": 0}, "nv"),
        ({"nv": 1.5}, "nv"),
        ({"nv": True}, "nv"),
        ({"nv": "two"}, "nv"),
        ({"xi_max": 0.0}, "xi_max"),
        ({"xi_max": -2.0}, "xi_max"),
        ({"xi_max": math.inf}, "xi_max"),
    ],
)
def test_invalid_initial_values_raise_clear_errors(kwargs, word):
    args = {"rho0": 0.2, "gamma0": 0.3, "nv": 2, "xi_max": 10.0, **kwargs}
    with pytest.raises(InputError) as info:
        rg.integrate_pf(**args)
    message = str(info.value)
    assert word in message and "\n" not in message


def test_nv_integer_valued_float_is_accepted():
    assert rg.integrate_pf(0.1, 0.0, 2.0, xi_max=1.0).nv == 2


# ------------------------------------------------------------ the flow field, one bracket


def test_flow_field_is_the_bracket_and_vectorizes():
    rho, gamma2 = np.meshgrid(np.linspace(0, 0.5, 7), np.linspace(-0.5, 3, 9))
    drho, dgam = rg.pf_flow_field(rho, gamma2, 2)
    np.testing.assert_array_equal(drho, rho * rho * rg.pf_bracket(gamma2, 2))
    np.testing.assert_array_equal(dgam, 0.5 * rho * (1 + gamma2) ** 2)
    for r, g in ((0.2, 0.3), (0.05, -0.4)):
        np.testing.assert_array_equal(rg.pf_rhs(0.0, np.array([r, g]), 2), rg.pf_flow_field(r, g))
    drho, dgam = rg.pf_flow_field(rho, gamma2, 3, interactions=False)
    np.testing.assert_array_equal(drho, 3 * rho * rho)
    assert dgam.shape == rho.shape and np.all(dgam == 0)
    with pytest.raises(InputError, match="nv"):
        rg.pf_flow_field(0.1, 0.1, 0)


# ------------------------------------------------------------------ readable results


def test_trajectory_to_dict_is_the_json_summary():
    tr = rg.integrate_pf(0.2, 0.3, 1, xi_max=100.0)
    d = tr.to_dict()
    assert list(d) == [
        "nv",
        "rho0",
        "gamma0",
        "xi_max",
        "peak",
        "rho_decreasing_from_start",
        "runaway",
        "end",
        "bracket_zero_gamma2",
        "rho_at_gamma2_runaway",
    ]
    assert d["peak"] == tr.peak.to_dict() and d["runaway"] == tr.runaway.to_dict()
    assert d["peak"]["T_tau"] == pytest.approx(math.exp(-tr.peak.xi))
    assert d["rho_at_gamma2_runaway"] == rg.pf_rho_at_runaway(0.2, 0.3, 1)
    assert json.loads(dumps(d)) == d
    full = tr.to_dict(samples=True)
    assert full["xi"] == tr.xi.tolist() and len(full["rho"]) == len(full["gamma2"]) == tr.xi.size


def test_trajectory_and_events_print_readably():
    tr = rg.integrate_pf(0.2, 0.3, 1, xi_max=100.0)
    text = str(tr)
    lines = text.splitlines()
    assert lines[0].startswith("one-loop RG flow (Punnoose & Finkel'stein), n_v = 1")
    assert "rho0 = 0.2, gamma2_0 = 0.3" in lines[0]
    assert str(tr.peak) in text and str(tr.runaway) in text
    assert str(tr.peak).startswith("rho peaks at xi = ")
    assert str(tr.runaway).startswith("gamma2 runs away (> 1000) at xi = ")
    assert "as gamma2 -> infinity" in lines[-1]
    assert all(len(line) < 100 for line in lines)
    no_run = str(rg.integrate_pf(0.2, 0.3, 2))
    assert "no runaway up to xi = 60" in no_run


def test_noninteracting_trajectory_prints_and_serializes():
    tr = rg.integrate_pf(0.05, 0.0, 2, xi_max=5.0, interactions=False)
    text = str(tr)
    assert text.startswith("weak-localization flow (no interactions)")
    assert "gamma2*" not in text and "rho grows without maximum" in text
    d = tr.to_dict()
    assert d["bracket_zero_gamma2"] is None and d["rho_at_gamma2_runaway"] is None
    assert json.loads(dumps(d)) == d


# ------------------------------------------------ issue 16: bounded, strict arguments
@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"rtol": math.nan}, "rtol must be finite"),  # hung for over 120 s
        ({"rtol": 0.0}, "rtol must be in"),
        ({"rtol": -1.0}, "rtol must be in"),
        ({"atol": 0.0}, "atol must be in"),
        ({"atol": math.inf}, "atol must be finite"),
        ({"n_points": 10**9}, "n_points must be <= 1000000"),  # was OOM-killed
        ({"n_points": 1}, "n_points must be >= 2"),
        ({"n_points": 400.0}, "n_points must be an integer"),
        ({"interactions": 1}, "interactions must be true or false"),
        ({"gamma2_cap": 1e300}, "gamma2_cap must be in"),
        ({"xi_max": 1e300}, "xi_max must be in"),
        ({"rho0": "0.2"}, "rho0 must be a number"),
        ({"gamma0": True}, "gamma0 must be a number"),
        ({"nv": "2"}, "nv must be an integer"),
    ],
)
def test_every_numeric_argument_is_checked(kwargs, fragment):
    args = {"rho0": 0.2, "gamma0": 0.3, **kwargs}
    with pytest.raises(InputError, match=fragment):
        rg.integrate_pf(**args)


def test_numpy_scalars_are_accepted():
    tr = rg.integrate_pf(np.float64(0.1), np.float64(0.0), np.int64(2), np.float64(1.0),
                         n_points=np.int64(10), rtol=np.float64(1e-8))  # fmt: skip
    assert tr.nv == 2

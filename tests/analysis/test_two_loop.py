"""Tests of the size laws and their least squares (analysis.two_loop), and of the unitary
two-loop joint fit on synthetic ensembles with a known c2."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from betascale.analysis.two_loop import (
    C2_THEORY,
    C4_THEORY,
    ONE_LOOP,
    TWO_LOOP,
    law_of,
    resolution_note,
    two_loop_g,
)
from betascale.analysis.weak_localization import joint_fit, size_series, weak_localization
from betascale.testing import synthetic_table

SIZES = (24, 32, 48, 64, 96, 128, 192, 256)


def test_theory_values_and_laws():
    assert C2_THEORY == pytest.approx(1 / (2 * math.pi**2))
    assert C4_THEORY == pytest.approx(3 / (8 * math.pi**4))
    assert law_of("unitary") is TWO_LOOP and law_of("orthogonal") is ONE_LOOP
    assert law_of("symplectic") is ONE_LOOP


def test_flow_at_c4_zero_is_the_closed_form_with_its_derivatives():
    lnL = np.linspace(-2.0, 2.5, 7)
    g0, c2 = 1.6, 0.07
    g, d_g0, d_c2 = two_loop_g(lnL, g0, c2, c4=0.0)
    exact = np.sqrt(g0**2 - 2 * c2 * lnL)
    assert g == pytest.approx(exact, rel=1e-12)
    assert d_g0 == pytest.approx(g0 / exact, rel=1e-10)
    assert d_c2 == pytest.approx(-lnL / exact, rel=1e-10, abs=1e-14)


def test_flow_with_c4_solves_the_implicit_two_loop_solution_and_any_sign_of_c2():
    lnL = np.linspace(-2.0, 3.0, 6)
    g0, c2, c4 = 1.3, C2_THEORY, C4_THEORY
    g, d_g0, d_c2 = two_loop_g(lnL, g0, c2, c4)

    def F(u):  # u - (c4/c2) ln(c2 u + c4) = const - 2 c2 l along the flow
        return u - c4 / c2 * np.log(c2 * u + c4)

    assert F(g**2) - F(g0**2) == pytest.approx(-2 * c2 * lnL, abs=1e-11)
    h = 1e-6  # the derivatives against central differences
    for k, d in ((1, d_g0), (2, d_c2)):
        up = two_loop_g(lnL, g0 + h * (k == 1), c2 + h * (k == 2), c4)[0]
        dn = two_loop_g(lnL, g0 - h * (k == 1), c2 - h * (k == 2), c4)[0]
        assert d == pytest.approx((up - dn) / (2 * h), rel=1e-6, abs=1e-9)
    up = two_loop_g(lnL, g0, -0.05, c4)[0]  # antilocalizing c2: g grows with L
    assert np.all(np.diff(up) > 0)
    assert np.isnan(two_loop_g(np.array([40.0]), 1.0, 0.05, c4)[0][0])  # g reaches 0


def _truth(g0: float, c2: float, c: float, L_ref: float = 64.0):
    """<g>(L) = G(L) + c/L, G from solve_ivp of the two-loop flow (independent of RK4)."""

    def flow(g0_, L):
        lnL = np.log(np.asarray(L, dtype=float) / L_ref)
        out = []
        for x in lnL:
            sol = solve_ivp(lambda _l, g: -c2 / g - C4_THEORY / g**3, (0, x), [g0], rtol=1e-12)
            out.append(sol.y[0, -1])
        return np.array(out) + c / np.asarray(L, dtype=float)

    return flow


def _series(seed: int, c2=C2_THEORY, c=-3.0, n=300, sigma=0.12, g0=1.6, W=4.0):
    tab = synthetic_table(
        "unitary", W=(W,), g0=(g0,), L=SIZES, n=n, sigma=sigma, seed=seed, flow=_truth(g0, c2, c)
    )
    return size_series(tab, "mean_g", 200, np.random.default_rng(seed + 1000))


def test_two_loop_fit_recovers_c2_and_c_within_their_errors():
    j = joint_fit(_series(1, sigma=0.05), "unitary", corrections=1)
    assert (j.law, j.coefficient, j.W) == ("two-loop", "c2", (4.0,))
    assert j.a_theory == pytest.approx(C2_THEORY)
    assert abs(j.a - C2_THEORY) < 3 * j.sigma_a
    assert abs(j.c[0] + 3.0) < 3 * j.c_error[0]
    assert j.significance > 3 and j.dof == len(SIZES) - 3
    assert j.p_value > 1e-3 and math.isnan(j.p_shared) and j.delta_dof == 0
    assert j.L_ref == pytest.approx(math.exp(np.mean(np.log(SIZES))))
    assert j.c4 == pytest.approx(C4_THEORY)


def test_the_c2_errors_are_honest_pulls_over_seeds():
    pulls, chi2 = [], []
    for seed in range(16):
        j = joint_fit(_series(seed, n=200), "unitary", corrections=1)
        pulls.append((j.a - C2_THEORY) / j.sigma_a)
        chi2.append(j.chi2 / j.dof)
    assert abs(np.mean(pulls)) < 3 / math.sqrt(len(pulls)) + 0.1
    assert 0.6 < np.std(pulls, ddof=1) < 1.5
    assert 0.6 < np.mean(chi2) < 1.5


def test_without_a_remainder_in_the_data_c_is_compatible_with_zero():
    j = joint_fit(_series(3, c=0.0, sigma=0.08), "unitary", corrections=1)
    assert abs(j.c[0]) < 3 * j.c_error[0]
    assert abs(j.a - C2_THEORY) < 3 * j.sigma_a
    with_c = joint_fit(_series(3, c=-8.0, sigma=0.02), "unitary", corrections=1)
    assert abs(with_c.c[0] + 8.0) < 3 * with_c.c_error[0] < 8.0  # and resolved if present


def test_several_W_share_c2_through_weak_localization_and_the_report():
    t1 = synthetic_table(
        "unitary", W=(3.0,), g0=(2.4,), L=SIZES, n=200, sigma=0.06, flow=_truth(2.4, C2_THEORY, -8)
    )
    t2 = synthetic_table(
        "unitary", W=(4.0,), g0=(1.6,), L=SIZES, n=200, sigma=0.06, seed=5,
        flow=_truth(1.6, C2_THEORY, -3),
    )  # fmt: skip
    tab = type(t1)(
        **{f.name: np.concatenate([getattr(t1, f.name), getattr(t2, f.name)])
           for f in dataclasses.fields(t1) if f.name != "study"},
        study=None,
    )  # fmt: skip
    wl = weak_localization(tab, "unitary", E=1.0, n_boot=200)
    (j,) = wl.joint
    assert j.W == (3.0, 4.0) and j.delta_dof == 1 and j.p_shared > 0.01
    assert abs(j.a - C2_THEORY) < 3 * j.sigma_a
    text = str(wl)
    assert "two-loop joint fit at flux 0 (unitary class), W = 3, 4 (shared c2)" in text
    assert "theory 1/(2 pi^2) = +0.0507" in text and "sigma from zero" in text
    assert "dG/d ln L = -c2/G - c4/G^3" in text
    d = wl.to_dict()["joint"][0]
    assert d["coefficient"] == "c2" and d["significance"] == pytest.approx(j.a / j.sigma_a)
    assert d["form"] == "G(L) + c/L"


def test_resolution_note():
    assert resolution_note("c2", 0.05, 0.01) == ""
    assert resolution_note("c2", 0.02, 0.01) == "not resolved: |c2|/sigma = 2.0 < 3"

"""Tests of the analytic beta functions and weak-localization forms (betascale.theory)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import zeta

from betascale import theory
from betascale.errors import InputError

G = np.geomspace(0.3, 300.0, 50)


def test_zeta3_constant():
    assert theory.ZETA3 == pytest.approx(zeta(3), rel=1e-15)


@pytest.mark.parametrize(
    ("model", "coef", "power"),
    [
        ("orthogonal", -1 / math.pi, 1),
        ("unitary", -1 / (2 * math.pi**2), 2),
        ("symplectic", 1 / math.pi, 1),
    ],
)
def test_leading_order_is_exact_and_the_large_g_limit(model, coef, power):
    assert theory.leading_coefficient(model) == (pytest.approx(coef, rel=1e-15), power)
    # leading order alone
    np.testing.assert_allclose(theory.beta(G, model, terms=1) * G**power, coef, rtol=1e-14)
    # with the next term the leading one dominates as g -> infinity
    big = np.array([1e2, 1e3, 1e4])
    rel = np.abs(theory.beta(big, model, terms=2) * big**power / coef - 1)
    assert np.all(np.diff(rel) < 0)
    assert rel[-1] < 1e-9
    # beta -> 0 at large g
    assert abs(theory.beta(1e8, model)) < 1e-8


@pytest.mark.parametrize(
    ("model", "coef"),
    [
        ("orthogonal", -3 * zeta(3) / (4 * math.pi**4)),
        ("unitary", -3 / (8 * math.pi**4)),
        ("symplectic", -3 * zeta(3) / (4 * math.pi**4)),
    ],
)
def test_next_term_is_the_g4_term(model, coef):
    g = np.geomspace(0.3, 30.0, 20)  # where the difference is not lost to rounding
    diff = theory.beta(g, model, terms=2) - theory.beta(g, model, terms=1)
    np.testing.assert_allclose(diff * g**4, coef, rtol=1e-7)


def test_signs_of_the_three_classes():
    g = 5.0
    assert theory.beta_orthogonal(g) < 0  # weak localization
    assert theory.beta_unitary(g) < 0
    assert theory.beta_symplectic(g) > 0  # weak antilocalization
    # the unitary flow is slower: no one-loop term
    assert abs(theory.beta_unitary(g)) < abs(theory.beta_orthogonal(g))


@pytest.mark.parametrize("terms", [1, 2])
def test_symplectic_is_orthogonal_at_minus_g(terms):
    np.testing.assert_allclose(
        theory.beta_symplectic(G, terms), theory.beta_orthogonal(-G, terms), rtol=1e-14
    )
    assert theory.beta_symplectic(2.0, terms) == pytest.approx(
        theory.beta_orthogonal(-2.0, terms), rel=1e-14
    )


def test_symplectic_one_loop_is_minus_half_the_spin_degenerate_orthogonal_correction():
    # HLN 1980: antilocalization = -1/2 of the orthogonal correction with both spins
    # counted, which is twice the spinless one: dg/dlnL = +1/pi vs 2 * (-1/pi).
    g = 7.0
    dg_symplectic = g * theory.beta_symplectic(g, terms=1)
    dg_orthogonal_two_spins = 2 * g * theory.beta_orthogonal(g, terms=1)
    assert dg_symplectic == pytest.approx(-0.5 * dg_orthogonal_two_spins)


def test_matches_the_sigma_model_series_in_t():
    # Evers & Mirlin (2008): beta(t) = -dt/dlnL = t * beta(g), t = 1/(2 pi g)
    t = 1 / (2 * math.pi * G)
    np.testing.assert_allclose(
        t * theory.beta_orthogonal(G), -2 * t**2 - 12 * zeta(3) * t**5, rtol=1e-12
    )
    np.testing.assert_allclose(t * theory.beta_unitary(G), -2 * t**3 - 6 * t**5, rtol=1e-12)
    np.testing.assert_allclose(
        t * theory.beta_symplectic(G), 2 * t**2 - 12 * zeta(3) * t**5, rtol=1e-12
    )


def test_dispatch_and_scalar_output():
    for model, f in (
        ("orthogonal", theory.beta_orthogonal),
        ("unitary", theory.beta_unitary),
        ("symplectic", theory.beta_symplectic),
    ):
        np.testing.assert_array_equal(theory.beta(G, model), f(G))
        assert isinstance(theory.beta(3.0, model), float)
    assert isinstance(theory.g_weak_localization(10.0, 5.0, "orthogonal"), float)
    assert theory.beta(G, "orthogonal").shape == G.shape


@pytest.mark.parametrize("model", theory.CLASSES)
def test_weak_localization_forms_integrate_the_leading_beta(model):
    L = np.geomspace(1.0, 1e3, 400)
    g = theory.g_weak_localization(L, 6.0, model, ell=1.0)
    assert g[0] == pytest.approx(6.0)
    dg_dlnL = np.gradient(g, np.log(L))
    np.testing.assert_allclose(dg_dlnL[1:-1], (g * theory.beta(g, model, 1))[1:-1], rtol=1e-4)


def test_weak_localization_slopes():
    L = np.array([1.0, math.e])
    assert np.diff(theory.g_weak_localization(L, 5.0, "orthogonal")) == pytest.approx(-1 / math.pi)
    assert np.diff(theory.g_weak_localization(L, 5.0, "symplectic")) == pytest.approx(1 / math.pi)
    g2 = theory.g_weak_localization(L, 5.0, "unitary") ** 2
    assert np.diff(g2) == pytest.approx(-1 / math.pi**2)
    # ell sets the origin
    assert theory.g_weak_localization(20.0, 4.0, "orthogonal", ell=20.0) == pytest.approx(4.0)


def test_weak_localization_outside_its_domain_is_nan():
    assert math.isnan(theory.g_weak_localization(1e10, 1.0, "orthogonal"))
    assert math.isnan(theory.g_weak_localization(1e10, 0.5, "unitary"))
    assert theory.g_weak_localization(1e10, 1.0, "symplectic") > 1.0


def test_formulas_and_bad_input():
    assert theory.formula("orthogonal") == r"$-1/(\pi g)$"
    assert "zeta(3)" in theory.formula("symplectic", 2)
    with pytest.raises(InputError, match="symmetry class must be one of"):
        theory.beta(1.0, "chiral")
    with pytest.raises(InputError, match="terms must be 1"):
        theory.beta(1.0, "unitary", terms=3)
    with pytest.raises(InputError, match="ell must be positive"):
        theory.g_weak_localization(10, 1.0, "orthogonal", ell=0)
    with pytest.raises(InputError, match="L must be positive"):
        theory.g_weak_localization([0, 1], 1.0, "orthogonal")

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


# ------------------------------------------------------- lattice mean free path
def test_density_of_states_is_normalised_and_matches_the_dispersion():
    from scipy.integrate import quad

    total, _ = quad(theory.density_of_states, -4, 4, points=[0.0], limit=200)
    assert total == pytest.approx(1.0, abs=1e-9)
    # histogram of eps(k) = -2 (cos kx + cos ky) on a fine k grid
    k = (np.arange(1200) + 0.5) * 2 * np.pi / 1200
    eps = (-2 * (np.cos(k)[:, None] + np.cos(k)[None, :])).ravel()
    hist, edges = np.histogram(eps, bins=80, range=(-4, 4), density=True)
    centres = 0.5 * (edges[1:] + edges[:-1])
    far = np.abs(centres) > 0.5  # away from the log peak, where bins average it
    np.testing.assert_allclose(hist[far], theory.density_of_states(centres[far]), rtol=0.02)


def test_density_of_states_limits():
    # logarithmic van Hove divergence: nu ~ ln(16/|E|)/(2 pi^2)
    for E in (1e-4, 1e-8):
        assert theory.density_of_states(E) * 2 * math.pi**2 / math.log(16 / E) == pytest.approx(
            1, abs=1e-6
        )
    assert theory.density_of_states(1e-8) > theory.density_of_states(1e-4) > 0.5
    # band edge: the 2D continuum with mass 1/2, nu = 1/(4 pi)
    assert theory.density_of_states(4 - 1e-9) == pytest.approx(1 / (4 * math.pi), rel=1e-6)
    assert theory.density_of_states(-3.999999) == pytest.approx(1 / (4 * math.pi), rel=1e-5)
    assert theory.density_of_states(4.5) == 0.0


def test_fermi_surface_at_E_1():
    fs = theory.fermi_surface(1.0)
    assert fs.dos == pytest.approx(0.141911, abs=1e-6)
    assert fs.channels_per_width == pytest.approx(2 / 3, rel=1e-12)
    # independent evaluation on the Fermi line (/work/notes/references.md, Sec. 5)
    assert fs.vx2 == pytest.approx(2.5624, abs=2e-4)
    assert fs.vx_abs == pytest.approx(1.4954, abs=2e-4)
    # channel count of a wide periodic lead: ky = 2 pi j / M with |E + 2 cos ky| < 2
    M = 3001
    ky = 2 * np.pi * np.arange(M) / M
    assert np.count_nonzero(np.abs(1.0 + 2 * np.cos(ky)) < 2) / M == pytest.approx(
        fs.channels_per_width, abs=1e-3
    )


def test_fermi_surface_velocity_averages_match_a_direct_average():
    # <v_x^2> and <|v_x|> of the states in a thin shell around E on a fine k grid
    k = (np.arange(1000) + 0.5) * 2 * np.pi / 1000
    kx, ky = np.meshgrid(k, k, indexing="ij")
    eps = -2 * (np.cos(kx) + np.cos(ky))
    shell = np.abs(eps - 2.0) < 0.03
    vx = 2 * np.sin(kx[shell])
    fs = theory.fermi_surface(2.0)
    assert np.mean(vx**2) == pytest.approx(fs.vx2, rel=5e-3)
    assert np.mean(np.abs(vx)) == pytest.approx(fs.vx_abs, rel=5e-3)


def test_mean_free_path_limits():
    E = 1.0
    ell = theory.mean_free_path(np.array([0.5, 1.0, 2.0]), E)
    np.testing.assert_allclose(ell * np.array([0.5, 1.0, 2.0]) ** 2, ell[1], rtol=1e-12)  # 1/W^2
    fs = theory.fermi_surface(E)
    tau = theory.elastic_scattering_time(2.0, E)
    assert 1 / tau == pytest.approx(2 * math.pi * fs.dos * 4 / 12)
    assert theory.mean_free_path(2.0, E) == pytest.approx(fs.v_rms * tau)
    assert theory.drude_conductivity(2.0, E) == pytest.approx(12 * fs.vx2 / 4)
    # Drude relation: N ell_D / L = sigma_D M / L with N = M pi nu <|v_x|>
    assert theory.mean_free_path(2.0, E, "drude") * fs.channels_per_width == pytest.approx(
        theory.drude_conductivity(2.0, E)
    )
    # near the band edge the Fermi line is a circle: continuum ratios and velocity
    E = 3.99999
    assert theory.fermi_surface(E).v_rms == pytest.approx(2 * math.sqrt(4 - E), rel=1e-4)
    ratio = theory.mean_free_path(1.0, E, "drude") / theory.mean_free_path(1.0, E)
    assert ratio == pytest.approx(math.pi / 2, rel=1e-4)
    ratio = theory.mean_free_path(1.0, E, "ballistic") / theory.mean_free_path(1.0, E)
    assert ratio == pytest.approx(4 / math.pi, rel=1e-4)


def test_mean_free_path_bad_input():
    with pytest.raises(InputError, match="van Hove"):
        theory.mean_free_path(1.0, 0.0)
    with pytest.raises(InputError, match="inside the band"):
        theory.mean_free_path(1.0, 4.0)
    with pytest.raises(InputError, match="W must be positive"):
        theory.mean_free_path(0.0, 1.0)
    with pytest.raises(InputError, match="kind must be one of"):
        theory.mean_free_path(1.0, 1.0, kind="transport")


def test_drude_regime_of_short_wide_samples_with_the_fast_solver():
    """1/T - 1/N = L/(sigma_D M) for L ~ ell (weak disorder, wide periodic samples)."""
    from betascale.models import ModelSpec, build_system
    from betascale.solvers import FastSolver

    W, M, sizes, n = 1.0, 64, (16, 32), 60
    spec = ModelSpec(model="orthogonal", E=1.0, bc="periodic")
    y = []
    for L in sizes:
        solver = FastSolver(build_system(spec, L, M))
        T = np.array([solver.sample(W, 3, i).T for i in range(n)])
        y.append(1 / T.mean() - 1 / solver.N)
    sigma = (sizes[1] - sizes[0]) / ((y[1] - y[0]) * M)
    # measured 31.04 against sigma_D = 30.75 (L/ell = 0.5 to 1); 43.4 -> 45.3 for the
    # length ell_D at M = 200, n = 200 from L = 2 to 64 (ell_D = 46.1)
    assert sigma == pytest.approx(theory.drude_conductivity(W, 1.0), rel=0.06)


# ------------------------------------------------------------- magnetoconductance
def test_magnetic_length_and_hln_flux_star():
    assert theory.magnetic_length(1 / (2 * math.pi)) == pytest.approx(1.0)
    assert theory.magnetic_length(-0.01) == theory.magnetic_length(0.01)
    phi, L_phi = 1e-3, 40.0
    star = theory.hln_flux_star(L_phi)
    assert star / phi == pytest.approx(theory.magnetic_length(phi) ** 2 / (4 * L_phi**2))
    assert theory.hln_dephasing_length(star) == pytest.approx(L_phi)
    with pytest.raises(InputError, match="flux must be non-zero"):
        theory.magnetic_length(0.0)


def test_hln_reference_values_and_limits():
    # f(x) = psi(1/2 + 1/x) + ln x at x = phi/phi_* (references.md, Sec. 4)
    for x, f in ((1.0, 0.0364900), (10.0, 0.761966), (100.0, 2.690183)):
        assert theory.hln(x, math.pi, 1.0) == pytest.approx(f, abs=2e-6)
    alpha, star = 0.5, 1e-4
    # weak field: quadratic, alpha/pi x^2/24
    phi = np.array([1e-7, 3e-7, 1e-6])
    np.testing.assert_allclose(
        theory.hln(phi, alpha, star), alpha / math.pi * (phi / star) ** 2 / 24, rtol=1e-3
    )
    # strong field: logarithmic, alpha/pi [ln x + psi(1/2)] with psi(1/2) = -1.963510
    phi = np.array([1e-1, 1.0])
    big = alpha / math.pi * (np.log(phi / star) - 1.9635100260214235)
    np.testing.assert_allclose(theory.hln(phi, alpha, star), big, atol=alpha / math.pi * 5e-3)
    # zero field, sign, symmetry, continuity where the asymptotic series takes over
    assert theory.hln(0.0, alpha, star) == 0.0
    assert theory.hln(1e-3, -alpha, star) == -theory.hln(1e-3, alpha, star)
    assert theory.hln(-1e-3, alpha, star) == theory.hln(1e-3, alpha, star)
    edge = star / 1e3
    lo, hi = theory.hln(np.array([edge * (1 - 1e-9), edge * (1 + 1e-9)]), 1.0, star)
    assert hi == pytest.approx(lo, rel=1e-6)


def test_expected_slopes_and_alpha():
    assert theory.weak_localization_slope("orthogonal") == pytest.approx(-1 / math.pi)
    assert theory.weak_localization_slope("symplectic") == pytest.approx(1 / math.pi)
    assert theory.weak_localization_slope("unitary", 4.0) == pytest.approx(
        -1 / (2 * math.pi**2 * 4.0)
    )
    with pytest.raises(InputError, match="needs the conductance"):
        theory.weak_localization_slope("unitary")
    assert theory.magnetoconductance_slope("orthogonal") == pytest.approx(1 / math.pi)
    assert theory.magnetoconductance_slope("symplectic") == pytest.approx(-1 / math.pi)
    assert theory.magnetoconductance_slope("unitary") == 0.0
    # alpha and the WL slope: the field removes d<g>/d ln L = -2 alpha/pi
    for model in ("orthogonal", "symplectic"):
        assert theory.weak_localization_slope(model) == pytest.approx(
            -2 * theory.HLN_ALPHA[model] / math.pi
        )

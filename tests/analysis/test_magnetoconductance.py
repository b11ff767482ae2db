"""Tests of the paired magnetoconductance and the HLN fit (analysis.magnetoconductance)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from betascale import theory
from betascale.analysis.magnetoconductance import (
    expected_alpha,
    expected_slope,
    fit_cooperon,
    fit_hln,
    magnetoconductance,
    paired_delta,
    paired_values,
)
from betascale.cooperon import finite_size_magnetoconductance
from betascale.errors import InputError
from betascale.models import ModelSpec
from betascale.serialization import dumps
from betascale.store import SampleTable
from betascale.study import Study
from betascale.testing import synthetic_flux_table

FLUXES = (0.0, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3)


@pytest.fixture(scope="module")
def orthogonal():
    table = synthetic_flux_table("orthogonal", n=300, fluxes=FLUXES, seed=2)
    return magnetoconductance(table, "orthogonal", n_boot=300)


def test_hln_fit_recovers_alpha_and_flux_star(orthogonal):
    for model, mc in (
        ("orthogonal", orthogonal),
        ("symplectic", magnetoconductance(synthetic_flux_table("symplectic"), "symplectic")),
    ):
        assert mc.defined
        assert len(mc.hln) == 4  # one per L
        for h in mc.hln:
            assert h.determined
            # the synthetic pairs are drawn with the one-loop alpha; the expectation
            # carries the two-loop term at the table's <g(phi)>
            assert h.alpha_one_loop == theory.HLN_ALPHA[model]
            assert h.alpha_theory == pytest.approx(expected_alpha(model, h.g_flux))
            assert abs(h.alpha - h.alpha_one_loop) < 4 * h.alpha_error
            assert 0.01 < h.alpha_error < 0.1
            # phi_* = 1/(8 pi L^2) for L_phi = L
            assert h.L_phi == pytest.approx(h.L, rel=0.15)
            lo, hi = h.flux_star_interval
            assert lo < theory.hln_flux_star(h.L) * 1.3 and hi > theory.hln_flux_star(h.L) / 1.3


def test_hln_fit_of_exact_data_is_exact():
    phi = np.array([1e-5, 1e-4, 1e-3, 1e-2])
    exact = theory.hln(phi, -0.5, 2e-5)
    rng = np.random.default_rng(0)
    deltas = exact + 1e-6 * rng.standard_normal((50, phi.size))
    h = fit_hln(phi, deltas, "symplectic", n_boot=50)
    assert h.alpha == pytest.approx(-0.5, rel=1e-3)
    assert h.flux_star == pytest.approx(2e-5, rel=1e-2)
    with pytest.raises(InputError, match="non-zero fluxes"):
        fit_hln([0.0, 1e-3], deltas[:, :2])
    with pytest.raises(InputError, match="at least 3 pairs"):
        fit_hln(phi, deltas[:2])


def test_flux_star_beyond_the_fluxes_is_flagged():
    phi = np.array([1e-6, 2e-6, 4e-6])  # all deep in the quadratic regime of phi_* = 1e-2
    deltas = theory.hln(phi, 0.5, 1e-2) + 1e-12 * np.random.default_rng(1).normal(size=(20, 3))
    assert not fit_hln(phi, deltas, n_boot=30).determined


def test_delta_g_slope_at_l_B_much_smaller_than_L(orthogonal):
    (fit,) = [f for f in orthogonal.fits if f.flux == 3e-3]
    # expected: +1/pi from the field, minus the unitary two-loop slope of g(phi) ~ 6
    assert 1 / math.pi - fit.b_theory == pytest.approx(1 / (2 * math.pi**2 * 6.2), rel=0.1)
    assert abs(fit.b - 1 / math.pi) < 3 * fit.sigma_b  # the synthetic truth is 1/pi
    big = [s for s in orthogonal.slopes if s.flux == 3e-3]
    assert all(s.L_over_lB > 5 for s in big)
    assert all(s.predicted == pytest.approx(1 / math.pi, rel=0.03) for s in big)


def test_delta_slope_splits_into_the_slopes_of_g_phi_and_g_zero():
    """Synthetic truth: <g(0)> = g0 - (1/pi) ln L; at phi >> phi_* <g(phi)> is flat."""
    table = synthetic_flux_table("orthogonal", n=400, fluxes=(0.0, 3e-3), seed=8, sigma=0.05)
    mc = magnetoconductance(table, "orthogonal", n_boot=50, corrections=0)
    assert len(mc.slopes) == 3
    for s in mc.slopes:
        assert s.slope == pytest.approx(s.flux_slope - s.zero_slope, abs=1e-12)
        assert abs(s.zero_slope + 1 / math.pi) < 4 * s.zero_slope_error < 0.03
        # the HLN tail (phi_*/phi)^2 is below 1e-3 here: g(phi) has no ln L term
        assert abs(s.flux_slope) < 4 * s.flux_slope_error + 1e-3
        g = [d.g_flux.mean for d in mc.deltas if d.L in (s.L1, s.L2)]
        assert s.flux_slope_predicted == pytest.approx(-1 / (math.pi**2 * sum(g)))
        assert s.predicted == pytest.approx(1 / math.pi + s.flux_slope_predicted)
    text = str(mc)
    assert "slope of <g(phi)>" in text and "2-loop" in text
    assert mc.to_dict()["slopes"][0]["zero_slope"] == pytest.approx(mc.slopes[0].zero_slope)


def test_slopes_at_finite_L_over_l_B_follow_the_hln_tail(orthogonal):
    """Synthetic truth: exact HLN with phi_* = 1/(8 pi L^2); far from l_B << L the
    asymptotic expectation misses, the one with the fitted phi_* does not."""
    weak = [s for s in orthogonal.slopes if s.flux == 3e-5]  # L/l_B = 0.4 ... 3.5
    assert all(s.predicted - s.slope > 0.04 for s in weak)  # still in the crossover
    for s in orthogonal.slopes:
        unitary = s.flux_slope_predicted
        assert abs(s.slope - s.predicted_tail + unitary) < 4 * s.error + 0.01
    assert "HLN tail" in str(orthogonal)
    # without determined HLN fits (one flux only) the tail is not known
    one = synthetic_flux_table("orthogonal", L=(32, 64), fluxes=(0.0, 1e-3), n=30, seed=9)
    mc = magnetoconductance(one, "orthogonal", n_boot=30, corrections=0)
    assert math.isnan(mc.slopes[0].predicted_tail)


def test_asymptotic_fit_uses_only_sizes_far_beyond_l_B():
    """Synthetic truth: exact HLN, so <Delta g> -> d0 - (1/pi) ln L (symplectic) as
    (l_B/L)^2; only L >= 13 l_B enter, and the plain fit recovers the slope there."""
    L = (16, 32, 64, 128, 256)
    table = synthetic_flux_table("symplectic", L=L, fluxes=(0.0, 3e-3), n=400, sigma=0.05)
    mc = magnetoconductance(table, "symplectic", n_boot=100)
    (far,) = mc.asymptotic
    l_B = theory.magnetic_length(3e-3)
    assert far.lmin == 128 and far.fit.L == (128, 256) and 13 * l_B > 64
    assert far.fit.form == "y0 + a ln L" and far.fit.dof == 0
    exact = [float(theory.hln(3e-3, -0.5, theory.hln_flux_star(x))) for x in (128, 256)]
    truth = (exact[1] - exact[0]) / math.log(2)
    assert abs(truth + 1 / math.pi) < 0.01  # the tail is below 3 % of 1/pi there
    assert abs(far.b - truth) < 4 * far.sigma_b < 0.05
    assert "asymptotic (L >= 13 l_B)" in str(mc)
    one = synthetic_flux_table("symplectic", L=(16, 32), fluxes=(0.0, 3e-3), n=30)
    assert magnetoconductance(one, "symplectic", n_boot=30, corrections=0).asymptotic == ()


def test_pairing_helps_at_small_flux_and_not_after_decorrelation(orthogonal):
    d = {(x.L, x.flux): x for x in orthogonal.deltas}
    small, large = d[(32, 3e-5)], d[(256, 3e-3)]
    assert small.gain > 10 and small.correlation > 0.99
    assert large.gain == pytest.approx(1, abs=0.25) and abs(large.correlation) < 0.25
    assert small.unpaired_error == pytest.approx(math.sqrt(2) * 0.3 / math.sqrt(300), rel=0.15)


def test_pairs_are_matched_by_sample_key():
    table = synthetic_flux_table(L=(32, 64), fluxes=(0.0, 1e-3), n=40, seed=5)
    order = np.random.default_rng(3).permutation(len(table))
    shuffled = table.select(order)
    a = magnetoconductance(table, "orthogonal", n_boot=50, corrections=0)
    b = magnetoconductance(shuffled, "orthogonal", n_boot=50, corrections=0)
    assert [x.delta for x in a.deltas] == [x.delta for x in b.deltas]
    # a sample missing at one flux drops out of the pairs
    drop = ~((table.flux == 1e-3) & (table.L == 32) & (table.sample == 7))
    ids, g1, g0 = paired_values(table.select(drop), 1e-3, 2.0, 32)
    assert ids.size == 39 and 7 not in ids and g1.size == g0.size == 39


def test_real_solver_pairing_and_zero_delta_at_zero_flux():
    """The disorder does not depend on the flux: flux -> 0 reproduces flux 0 exactly."""
    from betascale.models import ModelSpec, build_system
    from betascale.solvers import FastSolver

    W, L, M, n = 3.0, 6, 9, 12
    cols = {k: [] for k in ("flux", "sample", "T", "N")}
    for hamiltonian in ("anderson", "su2"):
        T = {}
        for flux in (0.0, 1e-9):
            spec = ModelSpec(hamiltonian, E=1.0, bc="hardwall", flux=flux)
            solver = FastSolver(build_system(spec, L, M))
            T[flux] = [solver.sample(W, 11, i) for i in range(n)]
            if hamiltonian == "anderson":
                for i, r in enumerate(T[flux]):
                    for k, v in (("flux", flux), ("sample", i), ("T", r.T), ("N", r.N)):
                        cols[k].append(v)
        # real (flux 0) against complex (flux 1e-9) arithmetic; T is even in the flux
        dT = [abs(a.T - b.T) for a, b in zip(T[0.0], T[1e-9], strict=True)]
        assert max(dT) <= 1e-12, hamiltonian
    size = len(cols["T"])
    table = SampleTable(
        W=np.full(size, W),
        L=np.full(size, L),
        M=np.full(size, M),
        sample=np.array(cols["sample"]),
        T=np.array(cols["T"]),
        N=np.array(cols["N"]),
        seconds=np.zeros(size),
        rank=np.zeros(size, dtype=int),
        flux=np.array(cols["flux"]),
    )
    ids, g1, g0 = paired_values(table, 1e-9, W, L)
    assert ids.size == n and np.max(np.abs(g1 - g0)) <= 1e-12
    d = paired_delta(g1, g0, W, L, 1e-9)
    assert abs(d.delta.mean) <= 1e-12 and d.correlation == pytest.approx(1.0)
    mc = magnetoconductance(table, "orthogonal", n_boot=30)
    assert mc.defined and abs(mc.deltas[0].delta.mean) <= 1e-12


def test_not_applicable_and_report(orthogonal):
    no_scan = synthetic_flux_table(fluxes=(0.0,), n=10)
    mc = magnetoconductance(no_scan, "orthogonal")
    assert not mc.defined and "no flux scan" in mc.reason and "not applicable" in str(mc)
    no_zero = synthetic_flux_table(fluxes=(1e-3, 2e-3), n=10)
    assert "flux 0" in magnetoconductance(no_zero, "orthogonal").reason
    with pytest.raises(InputError, match="stat must be one of"):
        magnetoconductance(no_scan, "orthogonal", stat="typical")
    text = str(orthogonal)
    assert "HLN fit" in text and "gain" in text and "+0.3183" in text
    d = orthogonal.to_dict()
    assert d["alpha_one_loop"] == 0.5 and d["slope_one_loop"] == pytest.approx(1 / math.pi)
    assert d["hln"][0]["alpha"] == pytest.approx(orthogonal.hln[0].alpha)
    assert dumps(d)


def test_figures(orthogonal):
    from matplotlib.figure import Figure

    from betascale.analysis.weak_localization import weak_localization
    from betascale.plots.weak_localization import plot_delta_g_of_L, plot_hln, plot_wl_slope

    zero = orthogonal  # the flux-0 part of the same kind of table gives the WL slope
    table = synthetic_flux_table("orthogonal", n=40, fluxes=(0.0, 1e-3), seed=4)
    wl = weak_localization(table, "orthogonal", E=1.0, n_boot=50)
    for fig in (plot_wl_slope(wl), plot_delta_g_of_L(zero), plot_hln(zero, W=2.0)):
        assert isinstance(fig, Figure)
        assert "contact-corrected" in fig.axes[0].get_legend().get_title().get_text()
    assert isinstance(plot_wl_slope(wl, flux=1e-3), Figure)  # unitary: -1/(2 pi^2 g)
    with pytest.raises(InputError, match="no magnetoconductance to plot"):
        plot_hln(magnetoconductance(synthetic_flux_table(fluxes=(0.0,), n=5), "orthogonal"))
    with pytest.raises(InputError, match="no data at W=9"):
        plot_hln(zero, W=9.0)


def test_a_cell_not_computed_yet_is_skipped_not_an_error():
    """A store still being computed: one (flux, L) has no sample, the rest is analysed."""
    table = synthetic_flux_table(L=(32, 64), fluxes=(0.0, 1e-4, 1e-3), n=40, seed=6)
    partial = table.select(~((table.flux == 1e-3) & (table.L == 64)))
    ids, g1, g0 = paired_values(partial, 1e-3, 2.0, 64)
    assert ids.size == g1.size == g0.size == 0
    mc = magnetoconductance(partial, "orthogonal", n_boot=50, corrections=0)
    assert mc.defined
    cells = {(x.L, x.flux) for x in mc.deltas}
    assert cells == {(32, 1e-4), (64, 1e-4), (32, 1e-3)}


def test_a_skipped_fit_names_the_diffusive_limit_that_removed_its_fluxes():
    table = synthetic_flux_table(L=(32,), fluxes=(0.0, 1e-4, 2e-3, 1e-2), n=40, seed=7)
    mc = magnetoconductance(table, "orthogonal", n_boot=50, corrections=0, hln_max_flux=5e-4)
    hln = [line for line in mc.skipped if line.startswith("HLN fit")]
    assert hln == [
        "HLN fit at W=2, L=32 skipped: 1 flux value(s), need 2 (2 of 3 lie above the "
        "diffusive limit |flux| <= 0.0005, hln_max_flux)"
    ]


# ------------------------------------------------- finite-size Cooperon fit
def test_cooperon_fit_recovers_alpha_from_synthetic_pairs():
    """Pairs drawn around 2 alpha F(L/l_B), with a shared (paired) fluctuation."""
    L, phi = 96, np.array([1e-4, 3e-4, 1e-3, 3e-3])
    exact = finite_size_magnetoconductance(phi, L, -0.5)
    rng = np.random.default_rng(3)
    common = rng.standard_normal((2000, 1))
    deltas = exact + 0.05 * (0.6 * common + 0.8 * rng.standard_normal((2000, phi.size)))
    fit = fit_cooperon(phi, deltas, L, "symplectic", n_boot=300, W=2.0)
    assert fit.alpha_theory == fit.alpha_one_loop == -0.5 and fit.dof == 3  # no g given
    assert math.isnan(fit.g_flux)
    assert abs(fit.alpha + 0.5) < 4 * fit.alpha_error
    assert 1e-3 < fit.alpha_error < 0.02
    assert fit.relative_deviation == pytest.approx(fit.alpha / -0.5 - 1)
    assert fit(phi) == pytest.approx(2 * fit.alpha * exact / -1.0)
    exact_fit = fit_cooperon(phi, exact + 1e-9 * rng.standard_normal((20, 4)), L, n_boot=20)
    assert exact_fit.alpha == pytest.approx(-0.5, rel=1e-6)
    with pytest.raises(InputError, match="non-zero fluxes"):
        fit_cooperon([0.0], deltas[:, :1], L)
    with pytest.raises(InputError, match="at least 3 pairs"):
        fit_cooperon(phi, deltas[:2], L)
    with pytest.raises(InputError, match="L must be"):
        fit_cooperon(phi, deltas, 0)


def test_cooperon_fit_tells_the_finite_sample_from_the_hln_film():
    """Data made with the HLN film form (L_phi = L) are not the finite sample's shape:
    with many pairs the Cooperon fit's chi2 says so, and the HLN fit's does not."""
    L, phi = 64, np.array([3e-5, 1e-4, 3e-4, 1e-3, 3e-3])
    film = theory.hln(phi, 0.5, theory.hln_flux_star(L))
    rng = np.random.default_rng(5)
    deltas = film + 0.01 * rng.standard_normal((4000, phi.size))
    coop, hln = fit_cooperon(phi, deltas, L, n_boot=50), fit_hln(phi, deltas, n_boot=50)
    assert coop.p_value < 1e-6 < hln.p_value


def test_cooperon_fits_in_the_analysis_need_hard_walls():
    table = synthetic_flux_table("symplectic", L=(32, 64), n=60, seed=7)
    mc = magnetoconductance(table, "symplectic", n_boot=30, corrections=0)
    assert mc.cooperon == () and any("implemented for hard walls" in s for s in mc.skipped)
    study = Study("mc", ModelSpec("su2", E=1.02, bc="hardwall"), W=[2.0], L=[32, 64],
                  flux=[0.0, 1e-4, 3e-4, 1e-3, 3e-3], samples=60, seed=1)  # fmt: skip
    mc = magnetoconductance(replace(table, study=study), "symplectic", n_boot=30, corrections=0)
    assert [(c.W, c.L, c.aspect) for c in mc.cooperon] == [(2.0, 32, 1.0), (2.0, 64, 1.0)]
    assert all(len(c.fluxes) == 4 and c.alpha < 0 for c in mc.cooperon)
    assert "finite-size Cooperon fit" in str(mc) and mc.to_dict()["cooperon"][0]["L"] == 32
    from betascale.plots.weak_localization import plot_hln

    legend = plot_hln(mc).axes[0].get_legend().get_texts()
    assert any("finite-size Cooperon" in t.get_text() for t in legend)
    periodic = Study("mc", ModelSpec("anderson", E=1.0, bc="periodic"), W=[2.0],
                     L=[32, 64], samples=60, seed=1)  # fmt: skip
    mc = magnetoconductance(replace(table, study=periodic), "symplectic", n_boot=30)
    assert mc.cooperon == () and any("bc = 'periodic'" in s for s in mc.skipped)


def test_the_tail_on_hard_walls_is_the_finite_size_cooperon():
    """On a hard-wall square-lattice store the expected slope at finite L/l_B is the
    sample's own one-loop crossover, 2 alpha [F(L2/l_B) - F(L1/l_B)] / ln(L2/L1) plus
    the two-loop term, with no fitted length; elsewhere the HLN film's."""
    table = synthetic_flux_table("symplectic", L=(32, 64), fluxes=(0.0, 1e-3), n=60, seed=7)
    assert magnetoconductance(table, "symplectic", n_boot=30).tail_source == "HLN"
    study = Study("mc", ModelSpec("su2", E=1.02, bc="hardwall"), W=[2.0], L=[32, 64],
                  flux=[0.0, 1e-3], samples=60, seed=1)  # fmt: skip
    mc = magnetoconductance(replace(table, study=study), "symplectic", n_boot=30)
    assert mc.tail_source == "Cooperon" and "Cooperon tail" in str(mc)
    (s,) = mc.slopes
    change = finite_size_magnetoconductance(1e-3, 64, -0.5) - finite_size_magnetoconductance(
        1e-3, 32, -0.5
    )
    assert s.predicted_tail == pytest.approx(change / math.log(2) + s.flux_slope_predicted)
    assert -1 / math.pi < s.predicted_tail - s.flux_slope_predicted < 0  # still crossing over


def test_the_asymptotic_cut_is_where_the_cooperon_slope_is_within_one_percent():
    """ASYMPTOTIC_L_OVER_LB: from L = 13 l_B on, the one-loop slope of a square hard-wall
    sample is 1/pi to 1 % (grid values only, below the asymptote's x = 16)."""
    from betascale.analysis.magnetoconductance import ASYMPTOTIC_L_OVER_LB
    from betascale.cooperon import DIRECT_MAX_X, finite_size_crossover

    lo, hi = ASYMPTOTIC_L_OVER_LB, DIRECT_MAX_X
    slope = (finite_size_crossover(hi) - finite_size_crossover(lo)) / math.log(hi / lo)
    assert slope * math.pi == pytest.approx(1.0, abs=0.01)  # measured 1.0054
    half = (finite_size_crossover(lo) - finite_size_crossover(lo / 2)) / math.log(2)
    assert half * math.pi < 0.99  # a cut at half of it would not be (0.982)


def test_the_cooperon_theory_needs_the_square_lattice():
    from types import SimpleNamespace

    from betascale.analysis.magnetoconductance import _cooperon_geometry

    square, honeycomb = ModelSpec("su2", E=1.0), ModelSpec("honeycomb", E=0.5)
    assert square.family.on_square_lattice() and not honeycomb.family.on_square_lattice()
    assert _cooperon_geometry(SimpleNamespace(model=square)) == ""
    assert "square lattice" in _cooperon_geometry(SimpleNamespace(model=honeycomb))
    assert "unknown" in _cooperon_geometry(None)


# ------------------------------------------------------- expected alpha
@pytest.mark.parametrize("model", ["orthogonal", "symplectic"])
def test_expected_alpha_is_one_loop_at_large_g_and_follows_the_slope(model):
    one_loop = theory.HLN_ALPHA[model]
    assert expected_alpha(model, 1e12) == pytest.approx(one_loop, abs=1e-12)
    # alpha/pi is half the slope in ln L: alpha = +-1/2 - 1/(4 pi g)
    assert expected_alpha(model, 4.0) == pytest.approx(one_loop - 1 / (16 * math.pi))
    assert expected_alpha(model, 4.0) == pytest.approx(0.5 * math.pi * expected_slope(model, 4.0))


def test_a_prefactor_fit_given_g_reports_both_expectations():
    L, phi = 96, np.array([3e-4, 1e-3, 3e-3])
    exact = finite_size_magnetoconductance(phi, L, -0.55)
    deltas = exact + 1e-9 * np.random.default_rng(1).standard_normal((20, phi.size))
    fit = fit_cooperon(phi, deltas, L, "symplectic", n_boot=20, g_flux=4.0)
    assert fit.g_flux == 4.0 and fit.alpha_one_loop == -0.5
    assert fit.alpha_theory == pytest.approx(-0.5 - 1 / (16 * math.pi))
    assert fit.relative_deviation_one_loop == pytest.approx(0.1, rel=1e-6)
    assert fit.relative_deviation == pytest.approx(-0.55 / fit.alpha_theory - 1, rel=1e-6)
    noise = deltas - exact
    hln = fit_hln(phi, theory.hln(phi, -0.55, 2e-5) + noise, "symplectic", 20, g_flux=4.0)
    assert hln.alpha_theory == fit.alpha_theory


def test_the_expected_alpha_is_taken_at_g_of_the_flux_not_at_zero_flux(orthogonal):
    table = synthetic_flux_table("orthogonal", n=300, fluxes=FLUXES, seed=2)
    for h in orthogonal.hln:
        at_flux = [np.mean(paired_values(table, f, h.W, h.L)[1]) for f in h.fluxes]
        at_zero = np.mean(paired_values(table, h.fluxes[0], h.W, h.L)[2])
        assert h.g_flux == pytest.approx(np.mean(at_flux), rel=1e-12)
        assert abs(h.g_flux - at_zero) > 1e-3  # the two differ: the test can tell
    assert expected_alpha("unitary", 2.0) == 0.0  # no Cooperon for the field to remove


def test_a_unitary_reference_expects_no_alpha_and_says_so():
    table = synthetic_flux_table("orthogonal", n=40, fluxes=(0.0, 1e-4, 1e-3), seed=1)
    mc = magnetoconductance(table, "unitary", n_boot=20)
    assert mc.alpha_one_loop == 0.0
    assert all(h.alpha_theory == 0.0 for h in mc.hln)
    assert "no alpha expected: no Cooperon for the field to remove" in str(mc)

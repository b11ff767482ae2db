"""Tests of the scaling analysis (betascale.analysis) on synthetic samples of known flows."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from betascale import theory
from betascale.analysis import (
    Estimate,
    analyze_table,
    beta_points,
    contact_corrected,
    ensemble_stats,
    fit_beta,
    format_pm,
    scaling_test,
    table_stats,
)
from betascale.errors import InputError
from betascale.store import SampleTable
from betascale.testing import synthetic_table

Ls = (8, 16, 32, 64, 128)


def true_beta(model: str, g0: float, L1: int, L2: int) -> float:
    """The exact finite-difference beta of the default synthetic flow."""
    g1, g2 = theory.g_weak_localization(np.array([L1, L2]), g0, model, ell=Ls[0])
    return math.log(g2 / g1) / math.log(L2 / L1)


def subset(table: SampleTable, keep: np.ndarray) -> SampleTable:
    return table.select(keep)


# ------------------------------------------------------------------ statistics
def test_contact_correction():
    g = contact_corrected([5.0, 10.0, 0.0], 10)
    assert g[0] == pytest.approx(10.0)  # 1/g = 1/5 - 1/10
    assert math.isinf(g[1])  # ballistic
    assert g[2] == 0.0
    with pytest.raises(InputError, match="exceeds the number of open channels"):
        contact_corrected([10.5], 10)
    with pytest.raises(InputError, match="T must be >= 0"):
        contact_corrected([-0.1], 10)
    with pytest.raises(InputError, match="N must be positive"):
        contact_corrected([0.5], 0)


def test_ensemble_statistics_and_their_errors():
    rng = np.random.default_rng(1)
    N = 50
    T = rng.uniform(1.0, 5.0, 400)
    s = ensemble_stats(T, N, W=2.0, L=16, M=16)
    n = T.size
    assert (s.W, s.L, s.M, s.N, s.n) == (2.0, 16, 16, N, n)
    assert s.mean_T.mean == pytest.approx(T.mean())
    assert s.mean_T.error == pytest.approx(T.std(ddof=1) / math.sqrt(n))
    assert s.var_T.mean == pytest.approx(T.var(ddof=1))
    # uniform distribution: SE of the variance ~ sqrt((mu4 - s^4 (n-3)/(n-1)) / n)
    assert 0 < s.var_T.error < s.var_T.mean
    assert s.mean_lnT.mean == pytest.approx(np.log(T).mean())
    g = T * N / (N - T)
    assert s.mean_g.mean == pytest.approx(g.mean())
    assert s.mean_g.error == pytest.approx(g.std(ddof=1) / math.sqrt(n))
    assert s.mean_ln_g.mean == pytest.approx(np.log(g).mean())
    assert s.typical_g.mean == pytest.approx(math.exp(np.log(g).mean()))
    assert s.typical_g.error == pytest.approx(s.typical_g.mean * s.mean_ln_g.error)
    gm = 1 / (1 / T.mean() - 1 / N)
    assert s.g_of_means.mean == pytest.approx(gm)
    assert s.g_of_means.error == pytest.approx((N / (N - T.mean())) ** 2 * s.mean_T.error)
    # the contact correction makes g larger than T, and Jensen: typical <= mean
    assert s.mean_g.mean > s.mean_T.mean
    assert s.typical_g.mean < s.mean_g.mean
    assert s.G("mean_T") is s.mean_T and s.G("typical") is s.typical_g


def test_variance_error_is_calibrated():
    # the standard error of var T matches the spread of var T over many ensembles
    rng = np.random.default_rng(2)
    draws = rng.normal(6.0, 1.0, size=(400, 200))
    variances = draws.var(axis=1, ddof=1)
    errors = [ensemble_stats(d, 1000).var_T.error for d in draws[:50]]
    assert np.mean(errors) == pytest.approx(variances.std(), rel=0.1)
    assert np.mean(errors) == pytest.approx(math.sqrt(2 / 199), rel=0.1)  # normal: sqrt(2/(n-1))


def test_estimate_formatting():
    assert format_pm(3.14159, 0.0123) == "3.142 ± 0.012"
    assert format_pm(6.52e-11, 4.5e-12) == "(6.52 ± 0.45)e-11"
    assert format_pm(2.0, 0.0) == "2"
    assert str(Estimate(0.5, 0.25)) == "0.50 ± 0.25"
    assert Estimate(math.inf, math.nan).to_dict() == {"mean": None, "error": None}


# ------------------------------------------------------------------ beta points
def test_beta_is_the_finite_difference_at_the_geometric_means():
    table = synthetic_table(sigma=1e-6, n=20, seed=3)
    betas = beta_points(table, n_boot=50, seed=0)
    assert len(betas.points) == 3 * (len(Ls) - 1)
    for p, g0 in zip(betas.points, np.repeat([8.0, 5.0, 3.0], len(Ls) - 1), strict=True):
        g1, g2 = theory.g_weak_localization(np.array([p.L1, p.L2]), g0, "orthogonal", ell=8)
        assert p.L == pytest.approx(math.sqrt(p.L1 * p.L2))
        assert p.G == pytest.approx(math.sqrt(g1 * g2), rel=1e-5)
        assert p.beta == pytest.approx(true_beta("orthogonal", g0, p.L1, p.L2), abs=1e-4)
        assert p.beta_interval[0] <= p.beta <= p.beta_interval[1]
    # and it approximates the continuum beta = -1/(pi g) at G
    np.testing.assert_allclose(betas.beta, -1 / (math.pi * betas.G), rtol=2e-3)


def test_statistic_choice():
    table = synthetic_table(n=50, seed=4)
    by_stat = {s: beta_points(table, stat=s, n_boot=30) for s in ("mean_T", "mean_g", "typical")}
    stats = table_stats(table)
    first = stats[0]
    assert by_stat["mean_T"].points[0].G == pytest.approx(
        math.sqrt(first.mean_T.mean * stats[1].mean_T.mean)
    )
    assert by_stat["typical"].points[0].G == pytest.approx(
        math.sqrt(first.typical_g.mean * stats[1].typical_g.mean)
    )
    # <T> lacks the contact correction: smaller than <g>
    assert np.all(by_stat["mean_T"].G < by_stat["mean_g"].G)
    with pytest.raises(InputError, match="stat must be one of"):
        beta_points(table, stat="median")


def test_bootstrap_is_reproducible_and_seeded():
    table = synthetic_table(n=60, seed=5)
    a = beta_points(table, n_boot=100, seed=11)
    b = beta_points(table, n_boot=100, seed=11)
    c = beta_points(table, n_boot=100, seed=12)
    np.testing.assert_array_equal(a.boot_beta, b.boot_beta)
    assert not np.array_equal(a.boot_beta, c.boot_beta)
    assert a.boot_beta.shape == (100, len(a.points))


def test_bootstrap_intervals_cover_the_truth():
    """68 % percentile intervals contain the true beta in about 68 % of the cases."""
    hits = []
    for seed in range(60):
        table = synthetic_table(n=80, seed=seed)
        betas = beta_points(table, n_boot=200, seed=seed)
        for p in betas.points:
            g0 = {1.0: 8.0, 2.0: 5.0, 3.0: 3.0}[p.W]
            lo, hi = p.beta_interval
            hits.append(lo <= true_beta("orthogonal", g0, p.L1, p.L2) <= hi)
    coverage = np.mean(hits)
    assert 0.6 <= coverage <= 0.78, coverage


# ------------------------------------------------------------------------- fit
@pytest.mark.parametrize(
    ("model", "g0", "n"),
    [
        ("orthogonal", (8.0, 5.0, 3.0), 400),
        ("symplectic", (6.0, 3.5, 2.0), 400),
        ("unitary", (3.0, 2.0, 1.2), 3000),
    ],
)
def test_fit_recovers_the_leading_coefficient(model, g0, n):
    table = synthetic_table(model, g0=g0, n=n, sigma=0.2, seed=6)
    an = analyze_table(table, model, gmin=1.0, n_boot=400, seed=1)
    f = an.fit
    a_true = theory.leading_coefficient(model)[0]
    assert f.a_theory == a_true
    assert abs(f.a - a_true) < 3 * f.sigma_a
    assert f.sigma_a < abs(a_true)  # the data resolve the coefficient
    assert f.a_interval[0] < f.a < f.a_interval[1]
    assert f.n_points == 12 and f.dof == 10
    assert 0.001 < f.p_value
    assert f.powers == (2, 3) if model == "unitary" else f.powers == (1, 2)


def test_fit_recovers_a_known_second_coefficient():
    a, b = -1 / math.pi, -0.6

    def flow(g0, L):  # dg/dlnL = g beta(g) = a + b/g
        sol = solve_ivp(
            lambda x, y: [a + b / y[0]],
            (math.log(L[0]), math.log(L[-1])),
            [g0],
            t_eval=np.log(L),
            rtol=1e-10,
        )
        return sol.y[0]

    pulls_a, pulls_b = [], []
    for seed in range(3):
        table = synthetic_table(g0=(9.0, 5.0, 2.5), n=400, sigma=0.1, seed=seed, flow=flow)
        f = analyze_table(table, "orthogonal", gmin=1.0, n_boot=400, seed=seed).fit
        pulls_a.append((f.a - a) / f.sigma_a)
        pulls_b.append((f.b - b) / f.sigma_b)
        # the fitted curve follows the flow where the points are
        assert f(3.0) == pytest.approx(a / 3 + b / 9, abs=4 * f.sigma_a / 3)
    assert np.max(np.abs(pulls_a)) < 3.5 and np.max(np.abs(pulls_b)) < 3.5


def test_fit_errors_are_calibrated():
    """|a - a_true| < sigma_a in about 68 % of many synthetic data sets."""
    inside, chi2 = [], []
    for seed in range(50):
        an = analyze_table(synthetic_table(n=100, seed=100 + seed), "orthogonal", n_boot=300)
        inside.append(abs(an.fit.a + 1 / math.pi) < an.fit.sigma_a)
        chi2.append(an.fit.chi2)
    assert 0.5 <= np.mean(inside) <= 0.85
    assert np.mean(chi2) == pytest.approx(10, rel=0.3)  # chi2 / dof ~ 1


def test_fit_with_powers_and_gmin():
    table = synthetic_table(n=100, seed=7)
    betas = beta_points(table, n_boot=100)
    f = fit_beta(betas, "unitary", gmin=4.0, powers=(2, 4))
    assert f.powers == (2, 4) and f.form == "beta = a/g^2 + b/g^4"
    assert f.g_range[0] >= 4.0 and f.n_points == 8
    assert all(w in (1.0, 2.0) for w, _, _ in f.points)
    with pytest.raises(
        InputError, match=r"gmin = 50 leaves 0 beta point\(s\).*from 2\.\d+ to 7\.\d+"
    ):
        fit_beta(betas, "orthogonal", gmin=50)
    with pytest.raises(InputError, match="powers must differ"):
        fit_beta(betas, "orthogonal", powers=(1, 1))


# --------------------------------------------------------------------- scaling
def test_scaling_holds_for_one_parameter_data():
    an = analyze_table(synthetic_table(n=200, seed=8), "orthogonal", n_boot=400)
    sc = an.scaling
    assert sc.defined and sc.n_W == 3 and sc.n_points == 12
    assert sc.p_value > 0.01
    assert sc.chi2_dof_single < 2.5
    assert sc.delta_dof == sc.dof_single - sc.dof_separate > 0
    assert len(sc.pulls) == 12
    np.testing.assert_allclose(sc.curve(an.betas.G), an.betas.beta, atol=0.05)


def test_scaling_violation_is_detected():
    # two W over the same range of g with different slopes dg/dlnL
    slopes = {5.0: -1 / math.pi, 5.5: -3 / math.pi}

    def flow(g0, L):
        return g0 + slopes[g0] * np.log(L / L[0])

    table = synthetic_table(W=(1.0, 2.0), g0=(5.0, 5.5), n=300, sigma=0.1, seed=9, flow=flow)
    sc = scaling_test(beta_points(table, n_boot=300))
    assert sc.defined
    assert sc.p_value < 1e-3
    assert sc.chi2_dof_single > 3


def test_scaling_test_with_one_W_is_not_defined():
    table = synthetic_table(W=(1.0,), g0=(6.0,), n=50, seed=10)
    an = analyze_table(table, "orthogonal", n_boot=50)
    assert not an.scaling.defined
    assert "one disorder strength" in an.scaling.reason
    assert "not tested" in an.scaling.summary()
    with pytest.raises(InputError, match="no scaling curve"):
        an.scaling.curve(3.0)


def test_scaling_test_over_a_wide_crossover_accepts_one_curve():
    # a one-parameter flow from the metal deep into the insulator
    def flow(g0, L):
        def rhs(x, y):
            return [-math.log1p(1 / (math.pi * math.exp(y[0])))]

        sol = solve_ivp(
            rhs, (math.log(L[0]), math.log(L[-1])), [math.log(g0)], t_eval=np.log(L), rtol=1e-10
        )
        return np.exp(sol.y[0])

    table = synthetic_table(
        W=(1, 2, 3, 4, 5),
        g0=(12.0, 4.0, 1.5, 0.6, 0.25),
        L=(8, 16, 32, 64, 128, 256),
        n=300,
        sigma=0.2,
        seed=11,
        flow=flow,
    )
    an = analyze_table(table, "orthogonal", n_boot=400)
    assert an.betas.G.min() < 1e-3  # deep in the insulator
    assert an.scaling.defined and an.scaling.p_value > 0.01


# ------------------------------------------------------------------ bad input
def test_empty_table():
    empty = subset(synthetic_table(n=5), np.zeros(5 * 15, dtype=bool))
    with pytest.raises(InputError, match="no successful samples"):
        analyze_table(empty, "orthogonal")


def test_single_L():
    table = synthetic_table(L=(16,), n=10)
    with pytest.raises(InputError, match="at least two sizes L, but there is only L = 16"):
        analyze_table(table, "orthogonal")


def test_missing_W_at_some_L_is_named():
    table = synthetic_table(n=10)
    keep = ~((table.W == 2.0) & (table.L == 32))
    with pytest.raises(InputError, match=r"W=2 has no samples at L=32"):
        analyze_table(subset(table, keep), "orthogonal")
    # a W of the study grid without any sample
    with pytest.raises(InputError, match=r"W=4 has no samples at L=8 \(and 4 more"):
        analyze_table(table, "orthogonal", W=(1.0, 2.0, 3.0, 4.0), L=Ls)


def test_other_bad_input():
    table = synthetic_table(n=10)
    one = subset(table, (table.sample == 0) | (table.L != 8))
    with pytest.raises(InputError, match="W=1, L=8 has 1 sample"):
        analyze_table(one, "orthogonal")
    # a fit that does not apply is skipped with its reason (issue 11), not an error
    skipped = analyze_table(table, "orthogonal", gmin=100, n_boot=50)
    assert skipped.fit is None and "skipped: gmin = 100 leaves 0" in skipped.fit_note
    with pytest.raises(InputError, match="symmetry class"):
        analyze_table(table, "chiral")
    with pytest.raises(InputError, match="at least 20 replicates"):
        analyze_table(table, "orthogonal", n_boot=5)
    N = table.N.copy()
    N[0] = 999
    with pytest.raises(InputError, match="W=1, L=8: the number of open channels N differs"):
        analyze_table(dataclasses.replace(table, N=N), "orthogonal")


def test_ballistic_samples():
    table = synthetic_table(n=10)
    T = table.T.copy()
    T[3] = table.N[3]  # T = N: g infinite
    ballistic = dataclasses.replace(table, T=T)
    with pytest.raises(InputError, match=r"W=1, L=8: 1 sample.*T = N.*use the statistic mean_T"):
        analyze_table(ballistic, "orthogonal")
    an = analyze_table(ballistic, "orthogonal", stat="mean_T", n_boot=50)
    assert an.ensembles[0].n_ballistic == 1
    assert math.isinf(an.ensembles[0].mean_g.mean)


# ------------------------------------------------------------------- results
def test_analysis_result_json_and_report():
    an = analyze_table(
        synthetic_table(n=50, seed=12), "orthogonal", n_boot=100, name="s", title="orthogonal, E=1"
    )
    data = json.loads(json.dumps(an.to_dict(), allow_nan=False))
    assert data["model"] == "orthogonal" and data["stat"] == "mean_g"
    assert len(data["ensembles"]) == 15 and len(data["beta"]) == 12
    assert data["fit"]["a_theory"] == pytest.approx(-1 / math.pi)
    assert data["fit"]["a"] == pytest.approx(an.fit.a)
    assert data["scaling"]["defined"] is True
    assert json.loads(an.to_json())["name"] == "s"
    text = an.report()
    for needle in ("<g>, contact-corrected", "exp<ln g>", "a = ", "-1/pi = -0.3183", "chi2/dof"):
        assert needle in text
    assert an.W == [1.0, 2.0, 3.0] and an.L == list(Ls)
    assert an.samples(2.0, 16).size == 50
    with pytest.raises(InputError, match="no ensemble at W=7"):
        an.ensemble(7.0, 16)


def test_analysis_without_fit():
    an = analyze_table(synthetic_table(n=20), "orthogonal", gmin=100, n_boot=50, fit=False)
    assert an.fit is None
    assert "fit of beta: not asked for" in an.report()
    assert an.to_dict()["fit"] is None

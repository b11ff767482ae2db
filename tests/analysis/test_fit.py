"""Tests of betascale.analysis.fit: the sigma-model fit of beta on synthetic data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from betascale import theory
from betascale.analysis import (
    analyze_table,
    beta_points,
    fit_beta,
)
from betascale.errors import InputError
from betascale.testing import synthetic_table

# ------------------------------------------------------------------ statistics


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


def test_an_exact_fit_is_flagged_and_the_correlation_is_the_covariances():
    table = synthetic_table(n=100, seed=7)
    betas = beta_points(table, n_boot=100)
    f = fit_beta(betas, "orthogonal", gmin=1.0)
    (va, cab), (_, vb) = f.cov
    assert f.correlation == pytest.approx(cab / math.sqrt(va * vb))
    assert -1 <= f.correlation < 0 and f.caveat == "" and "corr(a, b)" in str(f)
    assert "not a test" not in str(f) and f.to_dict()["correlation"] == f.correlation
    top = np.sort(betas.G)[-2]  # the two points of largest G only
    exact = fit_beta(betas, "orthogonal", gmin=top)
    assert exact.dof == 0 and exact.n_points == 2
    assert exact.caveat.startswith("an exact fit (2 points")
    assert f"not a test of a: {exact.caveat}" in str(exact)


# --------------------------------------------------------------------- scaling

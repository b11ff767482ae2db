"""Tests of betascale.analysis.scaling_test: one-parameter scaling."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from betascale.analysis import (
    analyze_table,
    beta_points,
    scaling_test,
)
from betascale.errors import InputError
from betascale.testing import synthetic_table

# ------------------------------------------------------------------ statistics


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

"""Tests of betascale.analysis.beta: numerical beta and its bootstrap."""

from __future__ import annotations

import math

import numpy as np
import pytest

from betascale import theory
from betascale.analysis import (
    beta_points,
    table_stats,
)
from betascale.errors import InputError
from betascale.testing import synthetic_table
from tests.analysis.helpers import Ls, true_beta

# ------------------------------------------------------------------ statistics


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

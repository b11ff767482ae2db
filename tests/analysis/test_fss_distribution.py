"""Tests of the critical distribution (fss_distribution) and of β(g) (fss_beta)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from betascale.analysis.fss import fss_fit
from betascale.analysis.fss_beta import fss_beta
from betascale.analysis.fss_distribution import critical_distribution, nearest_W
from betascale.analysis.fss_pipeline import fss_analyze_table
from betascale.errors import InputError
from betascale.serialization import dumps
from betascale.testing import synthetic_fss_table


@pytest.fixture(scope="module")
def table():
    return synthetic_fss_table(F=(1.4, -2.0, 0.5), n=300, sigma=0.4, seed=11)


# ------------------------------------------------------------ distribution
def test_distribution_collapses_at_W_c(table):
    """At W = W_c the synthetic distribution is the same for every L."""
    d = critical_distribution(table, 6.01)
    assert d.W == 6.0 and d.quantity == "g"
    assert [s.L for s in d.sizes] == [16, 24, 32, 48, 64]
    for s in d.sizes:
        assert s.n == 300 and s.N == 1000
        assert s.mean_g.mean == pytest.approx(1.4, abs=4 * s.mean_g.error)
        # log-normal: var g = <g>^2 (exp(sigma^2) - 1)
        assert s.var_g.mean == pytest.approx(1.4**2 * math.expm1(0.16), abs=4 * s.var_g.error)
    assert min(k.p_value for k in d.ks_successive) > 1e-3
    assert d.ad_p_value > 0.01 and d.p_mean > 0.001 and d.p_var > 0.001
    assert d.dof == 4 and len(d.ks_largest) == 4
    edges, dens = d.histogram(20)
    assert edges.size == 21 and set(dens) == {16, 24, 32, 48, 64}
    for p in dens.values():
        assert np.sum(p * np.diff(edges)) == pytest.approx(1.0)


def test_distribution_drifts_away_from_W_c(table):
    """At W = 5.6 the ensembles flow to the metal: the tests see it."""
    d = critical_distribution(table, 5.6, quantity="T")
    assert d.W == 5.6
    assert d.ks_largest[0].p_value < 1e-3
    assert d.ad_p_value < 0.01 and d.p_mean < 1e-3
    text = str(d)
    assert "critical distribution at W = 5.6" in text and "Anderson-Darling" in text
    out = json.loads(dumps(d.to_dict()))
    assert out["quantity"] == "T" and len(out["sizes"]) == 5


def test_distribution_refusals(table):
    with pytest.raises(InputError, match="quantity"):
        critical_distribution(table, 6.0, quantity="lnT")
    with pytest.raises(InputError, match="W_c must be finite"):
        critical_distribution(table, math.nan)
    with pytest.raises(InputError, match="no samples at W = 7"):
        critical_distribution(table, 6.0, W=7.0)
    one = table.select(np.asarray(table.L) == 16)
    with pytest.raises(InputError, match="2 or more sizes"):
        nearest_W(one, 6.0)


# --------------------------------------------------------------------- beta
@pytest.mark.parametrize("stat", ["mean_g", "mean_lng"])
def test_beta_changes_sign_at_g_c(table, stat):
    fit = fss_fit(table, stat=stat, orders=(2, 1, 0, 0), n_boot=20)
    b = fss_beta(fit, table, n_boot=20)
    assert np.all(np.diff(b.g) > 0)
    assert np.all(b.beta[b.g > b.g_c * 1.01] > 0)  # metal
    assert np.all(b.beta[b.g < b.g_c * 0.99] < 0)  # insulator
    # beta vanishes at g_c with slope d beta / d ln g = 1/nu
    assert np.interp(b.g_c, b.g, b.beta) == pytest.approx(0.0, abs=1e-3)
    k = np.searchsorted(b.g, b.g_c)
    slope = (b.beta[k + 1] - b.beta[k - 1]) / np.log(b.g[k + 1] / b.g[k - 1])
    assert slope == pytest.approx(1 / fit.nu.value, rel=0.05)
    assert b.g_c == pytest.approx(1.4 * (1 if stat == "mean_g" else math.exp(-0.08)), rel=0.05)
    # the finite-difference points agree in sign with the curve
    pts = b.points.points
    assert b.points_stat == ("typical" if stat == "mean_lng" else stat)
    assert len(pts) == 9 * 4
    far = [p for p in pts if abs(math.log(p.G / b.g_c)) > 0.25]
    assert all((p.beta > 0) == (p.G > b.g_c) for p in far)
    assert b.band is not None and np.nanmax(b.band[1] - b.band[0]) > 0
    assert "zero at g_c" in str(b)
    json.loads(dumps(b.to_dict()))


# ----------------------------------------------------------------- pipeline
def test_pipeline(table):
    an = fss_analyze_table(table, n_boot=20, order_table=[(1, 1, 0, 0), (2, 1, 0, 0)], name="s")
    assert an.fit.stat == "mean_g" and an.distribution.quantity == "g"
    assert len(an.crossings.crossings) == 4 and len(an.order_table.rows) == 2
    text = str(an)
    for part in ("finite-size-scaling fit", "stability", "crossings", "critical distribution"):
        assert part in text
    d = json.loads(an.to_json())
    assert d["name"] == "s" and d["fit"]["orders"] == [3, 1, 0, 0]

"""Tests of the Slevin–Ohtsuki finite-size-scaling fit (betascale.analysis.fss).

The data come from :func:`betascale.testing.synthetic_fss_table`: per-sample
conductances whose mean follows a known scaling form, so that the fit must recover
W_c, ν and Γ_c and its bootstrap must cover them at about the nominal rate.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from betascale.analysis.fss import (
    FSSFit,
    fss_fit,
    fss_fit_data,
    fss_order_table,
)
from betascale.analysis.fss_data import FSS_STATS, fss_data
from betascale.analysis.fss_model import ScalingModel, check_orders
from betascale.errors import InputError
from betascale.serialization import dumps
from betascale.testing import synthetic_fss_table

TRUE = {"W_c": 6.0, "nu": 2.7, "gamma_c": 1.4}
W_GRID = (5.7, 5.8, 5.9, 6.0, 6.1, 6.2, 6.3)


@pytest.fixture(scope="module")
def precise():
    """Many samples, a quadratic scaling function, no irrelevant term."""
    return synthetic_fss_table(F=(1.4, -2.0, 0.5), n=1000, sigma=0.3, seed=7)


@pytest.fixture(scope="module")
def precise_fit(precise) -> FSSFit:
    return fss_fit(precise, stat="mean_g", orders=(2, 1, 0, 0), n_boot=40, seed=1)


# ------------------------------------------------------------------ the model
@pytest.mark.parametrize("orders", [(3, 2, 0, 0), (2, 3, 2, 2), (1, 1, 1, 0)])
def test_model_jacobian_matches_finite_differences(orders):
    model = ScalingModel(orders)
    rng = np.random.default_rng(1)
    p = 0.3 * rng.standard_normal(model.n_params)
    p[:2] = 6.0, 2.7
    if orders[2]:
        p[1 + orders[1]] = 1.3
    W = rng.uniform(5.5, 6.5, 20)
    L = rng.choice([16, 32, 64], 20)
    J = model.jacobian(p, W, L)
    for k in range(model.n_params):
        h = 1e-6 * max(1.0, abs(p[k]))
        dp = np.zeros_like(p)
        dp[k] = h
        fd = (model(p + dp, W, L) - model(p - dp, W, L)) / (2 * h)
        np.testing.assert_allclose(J[:, k], fd, atol=1e-7)


def test_model_names_and_normalisation():
    model = ScalingModel((2, 2, 1, 1))
    assert model.names == (
        "W_c", "nu", "b_2", "y", "c_1", "f_00", "f_01", "f_10", "f_11", "f_20", "f_21"
    )  # fmt: skip
    p = np.zeros(model.n_params)
    p[:4] = 6.0, 2.0, 0.0, 1.0
    s = model.arguments(p, [6.6], [16])
    # u1'(0) = 1 and u0(0) = 1: phi1 = w L^{1/nu}, phi0 = L^{-y}
    assert s.phi1[0] == pytest.approx(0.1 * 4.0)
    assert s.phi0[0] == pytest.approx(1 / 16)


@pytest.mark.parametrize(
    "orders", [(0, 1, 0, 0), (2, 0, 0, 0), (2, 1, 0, 1), (2, 1, -1, 0), (2, 1, 0), (2.5, 1, 0, 0)]
)
def test_bad_orders_are_refused(orders):
    with pytest.raises(InputError, match="orders"):
        check_orders(orders)


# ------------------------------------------------------------- recovery
def test_fit_recovers_critical_point(precise_fit):
    f = precise_fit
    for key, true in TRUE.items():
        par = getattr(f, key)
        assert abs(par.value - true) < 3 * par.error, (key, par)
        assert abs(par.value - true) < 3 * par.error_cov, (key, par)
    assert abs(f.W_c.value - 6.0) < 0.02
    assert abs(f.nu.value - 2.7) < 0.2
    assert abs(f.gamma_c.value - 1.4) < 0.02
    assert f.dof == f.n_points - len(f.names) == 45 - 5
    assert 0.001 < f.p_value < 0.999
    assert f.n_boot == 40 and f.n_boot_failed == 0 and math.isnan(f.y.value)
    # bootstrap and covariance errors agree to a factor 2
    for key in TRUE:
        par = getattr(f, key)
        assert 0.5 < par.error / par.error_cov < 2


def test_fit_with_irrelevant_term_is_consistent_with_the_truth():
    table = synthetic_fss_table(
        L=(12, 16, 24, 32, 48, 64),
        F=(1.4, -2.0),
        F_irrelevant=(-6.0,),
        y=1.5,
        n=100,
        sigma=0.1,
        seed=0,
    )
    plain = fss_fit(table, stat="mean_g", orders=(1, 1, 0, 0), n_boot=0)
    assert plain.p_value < 1e-3  # the correction is visible
    f = fss_fit(table, stat="mean_g", orders=(1, 1, 1, 0), n_boot=0)
    assert f.p_value > 0.01
    for key, true in {**TRUE, "y": 1.5}.items():
        par = getattr(f, key)
        assert abs(par.value - true) < 3 * par.error_cov, (key, par)
    # the correction the fit subtracts has the sign of the one put in and decays with L
    W, L = f.data.W, f.data.L
    corr = f.data.gamma - f.corrected(W, L, f.data.gamma)
    np.testing.assert_allclose(f(W, L) - corr, f.scaling_function(f.scaling_variable(W, L)))
    at = W == 6.0
    assert np.all(corr[at] < 0) and np.all(np.diff(np.abs(corr[at])) < 0)


def test_scaling_function_and_variable(precise_fit):
    f = precise_fit
    x = f.scaling_variable([6.0, 6.6], [16, 16])
    assert x[0] == pytest.approx((6.0 - f.W_c.value) * 16 ** (1 / f.nu.value))
    assert f.scaling_function(0.0) == pytest.approx(f.gamma_c.value)
    np.testing.assert_allclose(f([6.3], [32]), f.scaling_function(f.scaling_variable(6.3, 32)))


@pytest.mark.parametrize("stat", list(FSS_STATS))
def test_every_statistic_fits(precise, stat):
    f = fss_fit(precise, stat=stat, orders=(2, 1, 0, 0), n_boot=0)
    assert abs(f.W_c.value - 6.0) < 0.05
    assert 2.0 < f.nu.value < 3.5
    # <ln g> is the log of the typical value at the critical point
    if stat == "mean_lng":
        typ = fss_fit(precise, stat="typical", orders=(2, 1, 0, 0), n_boot=0)
        assert math.exp(f.gamma_c.value) == pytest.approx(typ.gamma_c.value, rel=0.02)


def test_bootstrap_is_reproducible(precise):
    a = fss_fit(precise, stat="mean_g", orders=(1, 1, 0, 0), n_boot=12, seed=3)
    b = fss_fit(precise, stat="mean_g", orders=(1, 1, 0, 0), n_boot=12, seed=3)
    c = fss_fit(precise, stat="mean_g", orders=(1, 1, 0, 0), n_boot=12, seed=4)
    assert a.nu.error == b.nu.error and a.nu.error != c.nu.error
    np.testing.assert_array_equal(a.boot, b.boot)


def test_bootstrap_covers_the_truth_at_the_nominal_rate():
    """Over 40 synthetic sets the ±1σ bootstrap intervals cover about 68 %.

    Binomial(40, 0.68) has mean 27 and sd 3; the band 16..37 is 3-4 sd wide on each
    side, but errors off by a factor 2 (coverage 38 % or 95 %) fall outside it.
    """
    hits = {"W_c": 0, "nu": 0, "gamma_c": 0}
    interval = 0
    for s in range(40):
        table = synthetic_fss_table(W=W_GRID, L=(16, 32, 64), n=100, sigma=0.4, seed=100 + s)
        f = fss_fit(table, stat="mean_g", orders=(1, 1, 0, 0), n_boot=30, seed=s)
        for key, true in TRUE.items():
            par = getattr(f, key)
            hits[key] += abs(par.value - true) <= par.error
        lo, hi = f.W_c.interval
        interval += lo <= 6.0 <= hi
    for key, n in hits.items():
        assert 16 <= n <= 37, (key, n)
    assert 14 <= interval <= 37


# ------------------------------------------------------------- order table
def test_order_table(precise):
    data = fss_data(precise, "mean_g", W_range=(5.8, 6.2), lmin=24)
    table = fss_order_table(data, [(1, 1, 0, 0), (2, 1, 0, 0), (8, 8, 2, 2)])
    assert [r[0] for r in table.rows] == [(1, 1, 0, 0), (2, 1, 0, 0), (8, 8, 2, 2)]
    assert len(table.fits) == 2
    assert "points for" in table.rows[2][2]
    text = str(table)
    assert "refused" in text and "2,1,0,0" in text
    json.loads(dumps(table.to_dict()))
    for f in table.fits:
        assert abs(f.W_c.value - 6.0) < 0.05


# ------------------------------------------------------------------ output
def test_str_and_to_dict(precise_fit):
    text = str(precise_fit)
    for word in ("W_c", "nu", "Gamma_c", "chi2/dof", "nr=2, mr=1, ni=0, mi=0", "45 points"):
        assert word in text
    d = json.loads(dumps(precise_fit.to_dict()))
    assert d["orders"] == [2, 1, 0, 0] and d["y"]["value"] is None
    assert d["W_c"]["value"] == pytest.approx(precise_fit.W_c.value)
    assert set(d["params"]) == set(precise_fit.names)
    assert precise_fit.param("f_10") < 0
    with pytest.raises(InputError, match="no parameter"):
        precise_fit.param("b_2")


# --------------------------------------------------------------- refusals
def test_too_few_points_are_refused(precise):
    with pytest.raises(InputError, match=r"\d+ points for \d+ parameters"):
        fss_fit(precise, stat="mean_g", W_range=(5.9, 6.1), lmin=48, orders=(4, 3, 0, 0))


def test_one_size_is_refused(precise):
    one = precise.select(np.asarray(precise.L) == 32)
    with pytest.raises(InputError, match="at least two sizes"):
        fss_fit(one, stat="mean_g")
    with pytest.raises(InputError, match="lmin = 64 leaves 1 size"):
        fss_fit(precise, stat="mean_g", lmin=64)


def test_W_range_without_data_is_refused(precise):
    with pytest.raises(InputError, match=r"W_range \[7, 8\] holds no data"):
        fss_fit(precise, W_range=(7, 8))
    with pytest.raises(InputError, match="lo < hi"):
        fss_fit(precise, W_range=(6.2, 5.8))


def test_no_crossing_is_refused(precise):
    with pytest.raises(InputError, match=r"do not cross in W = 5\.6\.\.5\.9 .* stays above"):
        fss_fit(precise, stat="mean_g", W_range=(5.6, 5.9))
    with pytest.raises(InputError, match="do not cross"):
        fss_fit(precise, stat="mean_g", W_range=(6.1, 6.4))


def test_bad_arguments_are_refused(precise):
    with pytest.raises(InputError, match="stat must be one of"):
        fss_fit(precise, stat="median")
    with pytest.raises(InputError, match="n_boot"):
        fss_fit(precise, n_boot=5)
    with pytest.raises(InputError, match="confidence level"):
        fss_fit_data(fss_data(precise), ci=1.5)

"""Tests of the weak-localization slopes and finite-size fits (analysis.weak_localization)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from betascale import theory
from betascale.analysis.weak_localization import (
    fit_log_size,
    joint_fit,
    size_series,
    weak_localization,
)
from betascale.errors import InputError
from betascale.serialization import dumps
from betascale.testing import synthetic_table

SIZES = (16, 32, 64, 128, 256, 512)
C_OF_W = {1.0: -20.0, 2.0: -8.0}


def fit_at(wl, W: float, flux: float = 0.0):
    (f,) = [f for f in wl.fits if f.W == W and f.flux == flux]
    return f


def _flow(a: float, c_of_g0: dict[float, float]):
    def flow(g0, L):
        return g0 + a * np.log(np.asarray(L) / SIZES[0]) + c_of_g0[g0] / np.asarray(L)

    return flow


def _table(a=-1 / math.pi, n=300, sigma=0.08, seed=1, model="orthogonal", g0=(9.0, 5.0)):
    flow = _flow(a, {g0[0]: C_OF_W[1.0], g0[1]: C_OF_W[2.0]})
    return synthetic_table(
        model, W=(1.0, 2.0), g0=g0, L=SIZES, n=n, sigma=sigma, seed=seed, flow=flow
    )


def test_finite_size_fit_recovers_a_and_c_from_noisy_data():
    wl = weak_localization(_table(), "orthogonal", E=1.0, n_boot=400)
    assert wl.defined
    for W, c in C_OF_W.items():
        f = fit_at(wl, W)
        assert f.fit.form == "y0 + a ln L + c/L"
        assert abs(f.a + 1 / math.pi) < 3 * f.sigma_a
        assert abs(f.c.mean - c) < 3 * f.c.error
        assert 0.005 < f.sigma_a < 0.1
        assert f.a_theory == pytest.approx(-1 / math.pi)
        assert f.fit.dof == len(SIZES) - 3
        assert f.ell == pytest.approx(theory.mean_free_path(W, 1.0))
    # the joint fit shares a, and sharing is not rejected
    (j,) = wl.joint
    assert j.W == (1.0, 2.0)
    assert abs(j.a + 1 / math.pi) < 3 * j.sigma_a
    assert j.sigma_a < min(fit_at(wl, 1.0).sigma_a, fit_at(wl, 2.0).sigma_a)
    assert j.p_shared > 0.01
    assert j.delta_dof == 1


def test_bootstrap_errors_match_the_scatter_over_repeated_data_sets():
    a_hat = [
        fit_at(weak_localization(_table(seed=s, n=100), "orthogonal", n_boot=200), 2.0).a
        for s in range(12)
    ]
    wl = weak_localization(_table(seed=99, n=100), "orthogonal", n_boot=400)
    sigma = fit_at(wl, 2.0).sigma_a
    assert np.std(a_hat, ddof=1) == pytest.approx(sigma, rel=0.5)


def test_pure_log_data_and_the_slopes():
    tab = synthetic_table("symplectic", W=(1.0,), g0=(3.0,), L=SIZES, n=200, sigma=1e-6)
    wl = weak_localization(tab, "symplectic", corrections=0, n_boot=100)
    f = fit_at(wl, 1.0)
    assert f.a == pytest.approx(1 / math.pi, rel=1e-5)
    assert f.a_theory == pytest.approx(1 / math.pi)
    assert math.isnan(f.c.mean)
    assert [s.slope for s in wl.slopes] == pytest.approx([1 / math.pi] * (len(SIZES) - 1), 1e-4)
    assert all(math.isnan(s.L_over_ell) for s in wl.slopes)  # no E given
    assert "E was not given" in wl.ell_note
    assert wl.skipped and "fewer than two W" in wl.skipped[0][2]


def test_a_different_slope_per_W_rejects_sharing():
    flow_a = _flow(-1 / math.pi, {9.0: -20.0})
    flow_b = _flow(-0.05, {5.0: -8.0})
    t1 = synthetic_table(W=(1.0,), g0=(9.0,), L=SIZES, n=300, sigma=0.05, flow=flow_a)
    t2 = synthetic_table(W=(2.0,), g0=(5.0,), L=SIZES, n=300, sigma=0.05, flow=flow_b, seed=3)
    rng = np.random.default_rng(0)
    series = size_series(t1, "mean_g", 200, rng) + size_series(t2, "mean_g", 200, rng)
    j = joint_fit(series, "orthogonal", corrections=1)
    assert j.p_shared < 1e-3


def test_unitary_prediction_uses_the_data_g_and_the_joint_fit_its_two_loop_law():
    tab = synthetic_table("unitary", W=(1.0, 2.0), g0=(6.0, 4.0), L=SIZES, n=100)
    wl = weak_localization(tab, "unitary", E=1.0, n_boot=100)
    for f in wl.fits:
        assert f.a_theory == pytest.approx(-1 / (2 * math.pi**2 * f.G))
    (j,) = wl.joint  # c2 shared over W, fitted with the two-loop flow (analysis.two_loop)
    assert (j.law, j.coefficient, j.W) == ("two-loop", "c2", (1.0, 2.0))
    assert j.a_theory == pytest.approx(1 / (2 * math.pi**2))
    assert abs(j.a - j.a_theory) < 3 * j.sigma_a
    assert not any("joint" in r for *_, r in wl.skipped)


def test_unitary_joint_fit_floor_and_a_flux_only_heading():
    # <g> ~ 1.5 < gmin = 2 (the beta-fit default): the two-loop fit still takes the W
    t = synthetic_table("unitary", W=(4.0,), g0=(1.6,), L=SIZES, n=100)
    t = type(t)(**{k: getattr(t, k) for k in ("W", "L", "M", "sample", "T", "N", "seconds",
                                              "rank")}, flux=np.full(len(t), 0.01))  # fmt: skip
    wl = weak_localization(t, "orthogonal", gmin=2.0, n_boot=50)
    assert [j.model for j in wl.joint] == ["unitary"]
    head = str(wl).splitlines()[0]
    assert "unitary class at flux 0.01" in head and "orthogonal" not in head
    low = weak_localization(t, "orthogonal", gmin=1.99, n_boot=50)
    assert low.joint[0].a == wl.joint[0].a
    too_low = synthetic_table("unitary", W=(9.0,), g0=(0.9,), L=SIZES, n=50)
    skipped = weak_localization(too_low, "unitary", n_boot=50).skipped
    assert any("no W with <g> >= gmin = 1" in r for *_, r in skipped)


def test_flux_values_are_analysed_separately_and_ell_notes():
    t0 = synthetic_table(W=(2.0,), g0=(5.0,), L=(32, 64, 128), n=50)
    t1 = synthetic_table("unitary", W=(2.0,), g0=(5.0,), L=(32, 64, 128), n=50, seed=4)
    tab = type(t0)(
        *(np.concatenate([getattr(t0, k), getattr(t1, k)]) for k in ("W", "L", "M", "sample")),
        T=np.concatenate([t0.T, t1.T]),
        N=np.concatenate([t0.N, t1.N]),
        seconds=np.zeros(300),
        rank=np.zeros(300, dtype=int),
        flux=np.r_[np.zeros(150), np.full(150, 1e-3)],
    )
    wl = weak_localization(tab, "orthogonal", E=1.0, n_boot=50)
    assert [(f.flux, f.model) for f in wl.fits] == [(0.0, "orthogonal"), (1e-3, "unitary")]
    assert wl.slopes[0].L_over_ell == pytest.approx(
        math.sqrt(32 * 64) / theory.mean_free_path(2.0, 1.0)
    )
    sym = weak_localization(t0, "symplectic", E=1.0, n_boot=50)
    assert "Anderson hopping only" in sym.ell_note
    given = weak_localization(t0, "orthogonal", ell={2.0: 10.0}, n_boot=50)
    assert given.slopes[0].L_over_ell == pytest.approx(math.sqrt(32 * 64) / 10)


def test_not_applicable_cases_and_bad_input():
    one_size = synthetic_table(L=(32,), n=20)
    wl = weak_localization(one_size, "orthogonal", n_boot=50)
    assert not wl.defined and "two sizes" in wl.reason
    assert "not applicable" in str(wl)
    ballistic = synthetic_table(L=(32, 64), n=20, N=1000)
    ballistic.T[:] = 1000
    wl = weak_localization(ballistic, "orthogonal", n_boot=50)
    assert not wl.defined and "ballistic" in wl.reason
    assert weak_localization(ballistic, "orthogonal", stat="mean_T", n_boot=50).defined
    short = weak_localization(synthetic_table(L=(32, 64), n=20), "orthogonal", n_boot=50)
    assert short.defined and not short.fits and "at least 3 sizes" in short.skipped[0][2]
    with pytest.raises(InputError, match="stat must be one of mean_g, mean_T"):
        weak_localization(one_size, "orthogonal", stat="typical")
    with pytest.raises(InputError, match="corrections must be 0, 1 or 2"):
        weak_localization(one_size, "orthogonal", corrections=3)
    with pytest.raises(InputError, match="symmetry class"):
        weak_localization(one_size, "chiral")
    with pytest.raises(InputError, match="needs at least 3 sizes"):
        fit_log_size([8, 16], [1.0, 2.0], [0.1, 0.1], np.zeros((5, 2)))


def test_report_and_json():
    wl = weak_localization(_table(n=50), "orthogonal", E=1.0, n_boot=50)
    text = str(wl)
    assert "joint fit" in text and "one-loop" in text and "L/ell" in text
    d = wl.to_dict()
    assert d["form"] == "g0 + a ln L + c/L"
    assert d["fits"][0]["fit"]["names"][1] == "a"
    assert d["fits"][0]["fit"]["intervals"][1][0] < d["fits"][0]["a"]
    assert dumps(d)  # strictly JSON-safe

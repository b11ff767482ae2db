"""Tests of betascale.analysis.ensembles: statistics with errors, contact correction."""

from __future__ import annotations

import math

import numpy as np
import pytest

from betascale.analysis import (
    Estimate,
    contact_corrected,
    ensemble_stats,
    format_pm,
)
from betascale.errors import InputError

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


def test_an_empty_table_is_refused_naming_the_mpi_rank_it_is_on(monkeypatch):
    """Under MPI, ``bs.run`` returns the samples on rank 0 and an empty table elsewhere."""
    import sys
    from types import SimpleNamespace

    from betascale.analysis.ensembles import require_samples
    from betascale.store import records_table

    empty = records_table([])
    fake = SimpleNamespace(COMM_WORLD=SimpleNamespace(Get_rank=lambda: 0))
    monkeypatch.setitem(sys.modules, "mpi4py.MPI", fake)
    with pytest.raises(
        InputError, match=r"^no successful samples to analyse \(the store is empty\)$"
    ):
        require_samples(empty)
    fake.COMM_WORLD.Get_rank = lambda: 1
    with pytest.raises(
        InputError, match=r"on MPI rank 1: betascale\.run returns the samples on rank 0"
    ):
        require_samples(empty)

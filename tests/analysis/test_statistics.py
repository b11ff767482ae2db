"""Tests of betascale.analysis.statistics: one declaration per statistic, read everywhere.

A statistic registered here, in the test module (the median of g), reaches the
ensemble table, beta, the report, the JSON, the finite-size-scaling data, the figure
labels and the command-line choices without any edit of the package.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from betascale.analysis import (
    STAT_LABELS,
    STATS,
    analyze_table,
    ensemble_stats,
    statistics,
)
from betascale.analysis.fss_data import FSS_STAT_SYMBOLS, FSS_STATS, fss_data
from betascale.analysis.statistics import (
    Statistic,
    conductance,
    contact_corrected,
    median_estimate,
    median_rows,
    per_sample_values,
    register,
    unregister,
)
from betascale.analysis.weak_localization import WL_STATS
from betascale.errors import InputError
from betascale.testing import synthetic_fss_table, synthetic_table

MEDIAN = Statistic(
    "median_g",
    "median g, contact-corrected",
    "med g",
    r"median $g$, contact-corrected",
    r"\mathrm{med}\,g",
    conductance,
    estimate=median_estimate,
    replicate=median_rows,
)


@pytest.fixture
def median_g():
    register(MEDIAN)
    yield MEDIAN
    unregister(MEDIAN.name)


# ------------------------------------------------------------------ the registry
def test_builtins_are_declared_once_with_their_uses():
    assert statistics.names("fss") == ("mean_T", "mean_g", "mean_lng", "typical")
    assert tuple(STATS) == ("mean_T", "mean_g", "typical")  # beta needs Γ > 0
    assert set(WL_STATS) == {"mean_T", "mean_g"}  # linear in g
    assert STATS["mean_g"] == "<g>, contact-corrected"
    assert FSS_STATS["mean_lng"] == statistics.get("mean_lng").text
    assert statistics.get("mean_lng").log_of == "typical"


def test_views_follow_the_registry(median_g):
    assert STATS["median_g"] == "median g, contact-corrected"
    assert STAT_LABELS["median_g"] == median_g.label
    assert FSS_STAT_SYMBOLS["median_g"] == median_g.symbol
    assert "median_g" not in WL_STATS
    unregister("median_g")
    assert "median_g" not in STATS and "median_g" not in FSS_STATS
    with pytest.raises(KeyError):
        STATS["median_g"]


@pytest.mark.parametrize(
    ("stat", "message"),
    [
        (MEDIAN, "already registered"),
        (Statistic("mean_g", "x", "x", "x", "x", conductance), "built-in"),
        (Statistic("not a name", "x", "x", "x", "x", conductance), "identifier"),
        (Statistic("x", "x", "x", "x", "x", conductance, log_of="nope"), "log_of"),
    ],
)
def test_register_refuses_bad_declarations(median_g, stat, message):
    with pytest.raises(InputError, match=message):
        register(stat)


def test_builtins_cannot_be_removed_and_unknown_names_are_refused():
    with pytest.raises(InputError, match="built-in"):
        unregister("typical")
    with pytest.raises(InputError, match="stat must be one of mean_T, mean_g, typical, got"):
        statistics.get("mean_lng", "beta")
    with pytest.raises(InputError, match="stat must be one of mean_g, mean_T, got"):
        statistics.get("typical", "linear")


def test_refusals_name_the_statistic_and_the_ensemble():
    T = np.array([0.0, 1.0, 2.0])
    with pytest.raises(InputError, match=r"W=1, L=8: 1 sample\(s\) have T = 0.*mean_lng"):
        per_sample_values(T, 4, "mean_lng", "W=1, L=8")
    with pytest.raises(InputError, match=r"1 sample\(s\) have T = N.*use the statistic mean_T"):
        per_sample_values(np.array([1.0, 4.0]), 4, "mean_g", "here")
    assert per_sample_values(T, 4, "mean_g", "here") == pytest.approx(contact_corrected(T, 4))


# ------------------------------------------------------- a statistic from outside
def test_registered_statistic_reaches_the_ensembles(median_g):
    T = np.linspace(0.5, 3.5, 41)
    s = ensemble_stats(T, 8, W=1.0, L=8)
    assert s.G("median_g").mean == pytest.approx(float(np.median(contact_corrected(T, 8))))
    assert s.G("mean_g") is s.mean_g and s.G("typical") is s.typical_g
    assert s.to_dict()["statistics"]["median_g"]["mean"] == s.G("median_g").mean
    assert "med g" in str(s)


def test_registered_statistic_goes_through_analyze(median_g):
    table = synthetic_table(n=40, L=(8, 16, 32))
    an = analyze_table(table, "orthogonal", stat="median_g", n_boot=40, gmin=1.0)
    first = an.ensembles[0]
    g = contact_corrected(an.samples(first.W, first.L), first.N)
    assert first.G("median_g").mean == pytest.approx(float(np.median(g)))
    p = an.betas.points[0]
    G1, G2 = an.ensembles[0].G("median_g").mean, an.ensembles[1].G("median_g").mean
    assert p.beta == pytest.approx(math.log(G2 / G1) / math.log(p.L2 / p.L1))
    report = an.report()
    assert "G = median g, contact-corrected" in report and "med g" in report
    assert an.to_dict()["stat_label"] == "median g, contact-corrected"


def test_registered_statistic_goes_into_the_fss_data(median_g):
    table = synthetic_fss_table(n=30, W=(5.8, 6.0, 6.2), L=(8, 16))
    data = fss_data(table, "median_g")
    mean_g = fss_data(table, "mean_g")
    for k, v in enumerate(data.values):
        assert data.gamma[k] == pytest.approx(float(np.median(v)))
        assert v == pytest.approx(mean_g.values[k])
    boot = data.bootstrap(25, seed=1)
    assert boot.shape == (25, len(data)) and np.all(np.isfinite(boot))


def test_registered_statistic_is_a_command_line_choice(median_g, capsys):
    from betascale.cli import main

    with pytest.raises(SystemExit):
        main(["analyze", "--help"])
    out = capsys.readouterr().out
    assert "median_g" in out and "median g, contact-corrected" in out


def test_median_estimate_is_the_median_with_its_large_sample_error():
    x = np.random.default_rng(3).normal(size=4000)
    e = median_estimate(x)
    assert e.mean == float(np.median(x))
    # the standard error of the median of N(0, 1) is sqrt(pi/2)/sqrt(n)
    assert e.error == pytest.approx(math.sqrt(math.pi / 2 / x.size), rel=0.2)

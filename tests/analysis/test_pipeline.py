"""Tests of betascale.analysis.pipeline: whole analyses, bad input, results."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from betascale.analysis import (
    analyze_table,
)
from betascale.errors import InputError
from betascale.testing import synthetic_table
from tests.analysis.helpers import Ls

# ------------------------------------------------------------------ statistics


def test_empty_table():
    empty = synthetic_table(n=5).select(np.zeros(5 * 15, dtype=bool))
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
        analyze_table(table.select(keep), "orthogonal")
    # a W of the study grid without any sample
    with pytest.raises(InputError, match=r"W=4 has no samples at L=8 \(and 4 more"):
        analyze_table(table, "orthogonal", W=(1.0, 2.0, 3.0, 4.0), L=Ls)


def test_other_bad_input():
    table = synthetic_table(n=10)
    one = table.select((table.sample == 0) | (table.L != 8))
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

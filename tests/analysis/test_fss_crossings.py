"""Tests of the model-free crossings of Γ(W) curves (betascale.analysis.fss_crossings)."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest

from betascale.analysis.fss_crossings import find_crossing, fss_crossings
from betascale.errors import InputError
from betascale.serialization import dumps
from betascale.testing import synthetic_fss_table


def test_linear_curves_cross_exactly():
    W = np.linspace(5.0, 7.0, 11)
    d = 0.7 * (W - 6.13)
    assert find_crossing(W, d) == pytest.approx(6.13, abs=1e-12)
    assert find_crossing(W, d, degree=1, window=2) == pytest.approx(6.13, abs=1e-12)
    assert find_crossing(W[::-1], d[::-1]) == pytest.approx(6.13, abs=1e-12)  # any order


def test_quadratic_curves_need_degree_two():
    W = np.linspace(5.0, 7.0, 11)
    d = (W - 6.13) * (W - 3.0)  # one root inside, one outside the range
    assert find_crossing(W, d, degree=2, window=5) == pytest.approx(6.13, abs=1e-10)
    assert abs(find_crossing(W, d, degree=1, window=2) - 6.13) < 0.01  # interpolation


def test_weights_and_no_sign_change():
    W = np.linspace(5.0, 7.0, 5)
    assert math.isnan(find_crossing(W, W + 1.0))
    x = find_crossing(W, W - 6.2, sigma=np.full(5, 0.1))
    assert x == pytest.approx(6.2)
    with pytest.raises(InputError, match="window"):
        find_crossing(W, W - 6, degree=2, window=2)
    with pytest.raises(InputError, match="same length"):
        find_crossing(W, W[:-1])
    with pytest.raises(InputError, match="sigma must be positive"):
        find_crossing(W, W - 6, sigma=np.zeros(5))


def test_crossings_drift_towards_W_c():
    """With an irrelevant correction the crossings of exact curves are known.

    ``Γ = 1.4 - 2 w L^{1/ν} - 2 L^{-y}`` is linear in W, so the crossing of L1 and L2
    is ``w* = -(L2^{-y} - L1^{-y}) / (L2^{1/ν} - L1^{1/ν})``, which tends to 0.
    """
    L = (8, 16, 32, 64, 128)
    nu, y = 2.7, 1.5
    table = synthetic_fss_table(
        L=L, F=(1.4, -2.0), F_irrelevant=(-2.0,), y=y, n=50, sigma=1e-4, seed=2
    )
    cs = fss_crossings(table, stat="mean_g", n_boot=20, seed=0)
    assert [(c.L1, c.L2) for c in cs.crossings] == list(itertools.pairwise(L))
    for c in cs.crossings:
        w = -(c.L2**-y - c.L1**-y) / (c.L2 ** (1 / nu) - c.L1 ** (1 / nu))
        assert c.found and c.W == pytest.approx(6.0 * (1 + w), abs=2e-3)
        assert c.W_error < 2e-3 and c.n_failed == 0
        assert c.W_interval[0] <= c.W + 1e-3 and c.W - 1e-3 <= c.W_interval[1]
    drift = [abs(c.W - 6.0) for c in cs.crossings]
    assert all(a > b for a, b in itertools.pairwise(drift))
    assert cs.crossings[-1].gamma == pytest.approx(1.4, abs=0.03)


def test_crossings_with_noise_and_output():
    table = synthetic_fss_table(n=100, sigma=0.3, seed=4)
    cs = fss_crossings(table, stat="mean_T", n_boot=50, seed=1)
    assert len(cs.found) == 4
    for c in cs.found:
        assert abs(c.W - 6.0) < 4 * c.W_error + 0.02
        assert abs(c.gamma - 1.4) < 4 * c.gamma_error + 0.02
    text = str(cs)
    assert "crossings of <T>" in text and "sqrt(L1 L2)" in text
    d = json.loads(dumps(cs.to_dict()))
    assert len(d["crossings"]) == 4 and d["n_boot"] == 50
    assert cs.boot_W.shape == (50, 4)
    again = fss_crossings(table, stat="mean_T", n_boot=50, seed=1)
    assert again.crossings == cs.crossings


def test_pairs_that_do_not_cross_are_reported():
    table = synthetic_fss_table(n=40, sigma=0.2, seed=5)
    cs = fss_crossings(table, stat="mean_g", W_range=(5.6, 5.8), n_boot=10)
    assert not cs.found
    assert all(math.isnan(c.W) for c in cs.crossings)
    assert "no crossing in the W range" in str(cs)
    with pytest.raises(InputError, match="at least 10"):
        fss_crossings(table, n_boot=3)

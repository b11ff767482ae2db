"""Tests of betascale.rg.flow_lines: the closed-form flow lines of the one-loop flow."""

from __future__ import annotations

import math

import numpy as np
import pytest

from betascale import rg

# ------------------------------------------------------------------ exact flow lines


@pytest.mark.parametrize("nv", [1, 2])
def test_flow_invariant_derivative(nv):
    g = np.array([-0.7, -0.2, 0.0, 0.3, 1.0, 4.0, 30.0])
    h = 1e-5
    dF = (rg.pf_flow_invariant(g + h, nv) - rg.pf_flow_invariant(g - h, nv)) / (2 * h)
    np.testing.assert_allclose(dF, 2 * rg.pf_bracket(g, nv) / (1 + g) ** 2, rtol=1e-7, atol=1e-9)
    m = 4 * nv * nv - 1
    assert rg.pf_flow_invariant(math.inf, nv) == pytest.approx(-m * math.pi**2 / 3, rel=1e-15)
    assert rg.pf_flow_invariant(1e9, nv) == pytest.approx(-m * math.pi**2 / 3, rel=1e-6)

"""Shared pieces of the analysis tests: the sizes of the synthetic tables and the
exact beta of their flow."""

from __future__ import annotations

import math

import numpy as np

from betascale import theory

#: The sizes of :func:`betascale.testing.synthetic_table`'s default tables.
Ls = (8, 16, 32, 64, 128)


def true_beta(model: str, g0: float, L1: int, L2: int) -> float:
    """The exact finite-difference beta of the default synthetic flow."""
    g1, g2 = theory.g_weak_localization(np.array([L1, L2]), g0, model, ell=Ls[0])
    return math.log(g2 / g1) / math.log(L2 / L1)

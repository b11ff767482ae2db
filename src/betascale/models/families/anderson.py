"""The Anderson model: spinless, hopping -1, on-site energies uniform in [-W/2, W/2].

P. W. Anderson, Phys. Rev. 109, 1492 (1958); the conventions of ``PHYSICS.md``. H is
real without flux (orthogonal class) and complex with it (unitary). Its lead is the
spinless square-lattice lead, with closed-form self-energy and thresholds without
flux. The Born mean free path is :func:`betascale.theory.mean_free_path`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from betascale import theory
from betascale.models.disorder import Disorder, box_onsite
from betascale.models.family import Family

if TYPE_CHECKING:
    from betascale.models.spec import ModelSpec


class Anderson(Family):
    """The spinless Anderson model (see the module docstring)."""

    name = "anderson"
    label = "Anderson model"
    norbs = 1
    real = True
    symmetry = "orthogonal"
    symmetry_with_flux = "unitary"
    random_bonds = False
    separable_lead = True
    max_energy = 4.0

    def hopping_x(self, spec: ModelSpec) -> float:
        """``-1``."""
        return -1.0

    def hopping_y(self, spec: ModelSpec) -> float:
        """``-1``."""
        return -1.0

    def draw(self, spec: ModelSpec, rng: np.random.Generator, L: int, M: int, W: float) -> Disorder:
        """The on-site energies (:func:`~betascale.models.disorder.box_onsite`)."""
        return Disorder(box_onsite(rng, L, M, W))

    def mean_free_path(self, W: float, E: float) -> float | None:
        """The Born elastic mean free path ``v_rms tau``.

        :func:`betascale.theory.mean_free_path` (Born approximation on the square lattice).
        """
        return float(theory.mean_free_path(W, E))


ANDERSON = Anderson()

__all__ = ["ANDERSON", "Anderson"]

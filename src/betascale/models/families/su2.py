"""The SU(2) model: spin 1/2, a Haar-random SU(2) hopping on every bond of the sample.

Asada, Slevin & Ohtsuki, Phys. Rev. Lett. 89, 256601 (2002) and Phys. Rev. B 70,
035115 (2004): the hopping across each bond is ``-R`` with R Haar-random in SU(2),
drawn per sample after the on-site energies (uniform in [-W/2, W/2]). Symplectic
without flux, unitary with it. The leads are clean and spin-degenerate (hopping
``-1`` times the 2x2 identity): two copies of the spinless lead, with closed-form
self-energy and thresholds without flux. No mean free path is known in closed form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from betascale.lattice import num_bonds_y
from betascale.models.disorder import Disorder, box_onsite
from betascale.models.family import Family

if TYPE_CHECKING:
    from betascale.models.spec import ModelSpec

_IDENTITY2 = np.eye(2, dtype=complex)


def haar_su2(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Haar-random SU(2) matrices of the given shape (Asada, Slevin & Ohtsuki 2002).

    ``R = [[e^{i a} cos b, e^{i g} sin b], [-e^{-i g} sin b, e^{-i a} cos b]]`` with
    a, g uniform on [0, 2 pi) and b = arcsin(sqrt(u)), u uniform (density sin 2b).
    """
    u = rng.random((3, *shape))
    alpha = 2 * np.pi * u[0]
    beta = np.arcsin(np.sqrt(u[1]))
    gamma = 2 * np.pi * u[2]
    out = np.empty((*shape, 2, 2), dtype=complex)
    cb, sb = np.cos(beta), np.sin(beta)
    out[..., 0, 0] = np.exp(1j * alpha) * cb
    out[..., 0, 1] = np.exp(1j * gamma) * sb
    out[..., 1, 0] = -np.exp(-1j * gamma) * sb
    out[..., 1, 1] = np.exp(-1j * alpha) * cb
    return out


class SU2(Family):
    """The SU(2) model (see the module docstring)."""

    name = "su2"
    label = "SU(2) model"
    norbs = 2
    real = False
    symmetry = "symplectic"
    symmetry_with_flux = "unitary"
    random_bonds = True
    separable_lead = True
    max_energy = 4.5

    def hopping_x(self, spec: ModelSpec) -> np.ndarray:
        """The clean (lead) hopping ``-1`` times the 2x2 identity."""
        return -_IDENTITY2

    def hopping_y(self, spec: ModelSpec) -> np.ndarray:
        """The clean (lead) hopping ``-1`` times the 2x2 identity."""
        return -_IDENTITY2

    def draw(self, spec: ModelSpec, rng: np.random.Generator, L: int, M: int, W: float) -> Disorder:
        """On-site energies, then the x-bonds and the y-bonds (:func:`haar_su2`)."""
        onsite = box_onsite(rng, L, M, W)
        bonds_x = haar_su2(rng, (L - 1, M))
        bonds_y = haar_su2(rng, (L, num_bonds_y(spec.bc, M)))
        return Disorder(onsite, bonds_x, bonds_y)


SU2_FAMILY = SU2()

__all__ = ["SU2", "SU2_FAMILY", "haar_su2"]

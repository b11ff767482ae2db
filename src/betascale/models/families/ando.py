"""The Ando model: spin 1/2 with a uniform spin–orbit hopping of strength S.

T. Ando, Phys. Rev. B 40, 5325 (1989): x-bonds carry ``-(V1 + i V2 sigma_y)`` and
y-bonds ``-(V1 - i V2 sigma_x)``, with ``V2 = S`` and ``V1 = sqrt(1 - S^2)``; on-site
energies uniform in [-W/2, W/2]. Symplectic without flux, unitary with it. The leads
are clean and carry the same spin–orbit hopping, so a clean sample (W = 0) transmits
perfectly; they do not separate into spinless copies, so their self-energies come
from Kwant's modes and their thresholds are found numerically. No mean free path is
known in closed form.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from betascale.errors import InputError
from betascale.models.disorder import Disorder, box_onsite
from betascale.models.family import Family

if TYPE_CHECKING:
    from betascale.models.spec import ModelSpec

_SIGMA_X = np.array([[0, 1], [1, 0]], dtype=complex)
_SIGMA_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
_IDENTITY2 = np.eye(2, dtype=complex)


def _v1_v2(spec: ModelSpec) -> tuple[float, float]:
    v2 = spec.S
    return math.sqrt(1.0 - v2 * v2), v2


class Ando(Family):
    """The Ando model (see the module docstring)."""

    name = "ando"
    label = "Ando model"
    norbs = 2
    real = False
    symmetry = "symplectic"
    symmetry_with_flux = "unitary"
    random_bonds = False
    separable_lead = False
    max_energy = 4.5
    parameters = ("S",)

    def check_spec(self, spec: ModelSpec) -> None:
        """Refuse ``S = 0``: without spin–orbit hopping H is real (two copies of the
        Anderson model), so the sample is orthogonal, not the symplectic class this
        family declares."""
        if spec.S == 0.0:
            raise InputError(
                "S = 0 switches off the Ando model's spin-orbit coupling: it is then two "
                "copies of the orthogonal Anderson model, not symplectic; use "
                "hamiltonian = 'anderson', or S > 0"
            )

    def hopping_x(self, spec: ModelSpec) -> np.ndarray:
        """``-(V1 + i V2 sigma_y)``."""
        v1, v2 = _v1_v2(spec)
        return -(v1 * _IDENTITY2 + 1j * v2 * _SIGMA_Y)

    def hopping_y(self, spec: ModelSpec) -> np.ndarray:
        """``-(V1 - i V2 sigma_x)``."""
        v1, v2 = _v1_v2(spec)
        return -(v1 * _IDENTITY2 - 1j * v2 * _SIGMA_X)

    def draw(self, spec: ModelSpec, rng: np.random.Generator, L: int, M: int, W: float) -> Disorder:
        """The on-site energies (:func:`~betascale.models.disorder.box_onsite`)."""
        return Disorder(box_onsite(rng, L, M, W))


ANDO = Ando()

__all__ = ["ANDO", "Ando"]

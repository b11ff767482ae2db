"""The reference solver: Kwant's scattering matrix (``kwant.smatrix``)."""

from __future__ import annotations

import numpy as np

from betascale.kwant_import import import_kwant
from betascale.models import Disorder
from betascale.solvers.base import ConductanceSolver, Transmission


class KwantSolver(ConductanceSolver):
    """The reference: ``kwant.smatrix`` with the disorder passed through ``params``.

    This is Kwant's own best practice (build once, vary by parameters); the
    finalized system is built on first use (``system.fsyst``).
    """

    name = "kwant"

    def solve(self, disorder: Disorder, eigenvalues: bool = False) -> Transmission:
        """Transmission of one sample from Kwant's scattering matrix."""
        kwant = import_kwant()

        system = self.system
        smatrix = kwant.smatrix(system.fsyst, system.spec.E, params=system.params(disorder))
        T = float(smatrix.transmission(1, 0))
        N = int(smatrix.num_propagating(0))
        eig = None
        if eigenvalues:
            t = smatrix.submatrix(1, 0)
            eig = np.sort(np.linalg.svd(t, compute_uv=False) ** 2)[::-1]
        return Transmission(T, N, eig)

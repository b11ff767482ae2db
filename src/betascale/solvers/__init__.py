"""Landauer conductance of one disorder sample: a fast solver and Kwant's reference.

Both solvers return the total transmission T (in e²/h, both spins in the
symplectic class) and the number N of open lead channels
(:class:`Transmission`).

``fast`` (:class:`FastSolver`, the default)
    The Schur complement of the sample's sparse matrix onto the lead interfaces,
    by MUMPS or, without python-mumps, SciPy's SuperLU
    (:mod:`betascale.solvers.fast`, back ends in :mod:`betascale.solvers.backends`).
``kwant`` (:class:`KwantSolver`)
    The reference: ``kwant.smatrix`` on the finalized system, disorder through
    ``params`` (:mod:`betascale.solvers.kwant`).

Modules: :mod:`~betascale.solvers.base` (the result and the abstract
:class:`ConductanceSolver`), :mod:`~betascale.solvers.fast`,
:mod:`~betascale.solvers.kwant`, :mod:`~betascale.solvers.backends` (the
back-end registry: ``"mumps"``, ``"scipy"``), :mod:`~betascale.solvers.mumps_adapter`
(the one module that touches MUMPS, imported only when used),
:mod:`~betascale.solvers.scipy_backend` (SuperLU), :mod:`~betascale.solvers.compare`
(the back ends' speed and agreement) and :mod:`~betascale.solvers.ordering` (the
geometric nested dissection the fast solver hands to the back end).
"""

from __future__ import annotations

from betascale.errors import InputError
from betascale.models import DisorderedSystem
from betascale.solvers.backends import BACKENDS, default_backend
from betascale.solvers.base import ConductanceSolver, Transmission
from betascale.solvers.fast import DEFAULT_ORDERING, MIN_RCOND, FastSolver
from betascale.solvers.kwant import KwantSolver

#: The solver names, the single source of truth (studies and the CLI use these).
SOLVERS = ("fast", "kwant")

_CLASSES: dict[str, type[ConductanceSolver]] = {"fast": FastSolver, "kwant": KwantSolver}


def make_solver(name: str, system: DisorderedSystem, **options) -> ConductanceSolver:
    """The solver called ``name`` (one of :data:`SOLVERS`) bound to ``system``.

    Keyword ``options`` go to the solver's constructor (e.g. ``ordering``,
    ``check`` or ``backend`` of :class:`FastSolver`).

    Raises
    ------
    InputError
        For an unknown name.
    """
    if name not in _CLASSES:
        raise InputError(f"solver must be one of {', '.join(SOLVERS)}, got {name!r}")
    return _CLASSES[name](system, **options)


__all__ = [
    "BACKENDS",
    "DEFAULT_ORDERING",
    "MIN_RCOND",
    "SOLVERS",
    "ConductanceSolver",
    "FastSolver",
    "KwantSolver",
    "Transmission",
    "default_backend",
    "make_solver",
]

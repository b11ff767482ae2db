"""What every conductance solver is: a result type and an abstract solver of one geometry."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field

import numpy as np

from betascale.models import Disorder, DisorderedSystem


@dataclass(frozen=True)
class Transmission:
    """The Landauer result of one sample.

    Attributes
    ----------
    T
        Total transmission ``Tr t†t`` in units of e²/h.
    N
        Number of open channels of each lead.
    eigenvalues
        The transmission eigenvalues (sorted, descending), when asked for.
    """

    T: float
    N: int
    eigenvalues: np.ndarray | None = field(default=None, repr=False)


class ConductanceSolver(abc.ABC):
    """A solver bound to one geometry (a :class:`~betascale.models.DisorderedSystem`).

    Subclasses implement :meth:`solve`; :meth:`sample` draws a sample's disorder
    from the study seed and the sample key and solves it.
    """

    #: The name under which :func:`betascale.solvers.make_solver` knows the solver.
    name: str = "base"

    def __init__(self, system: DisorderedSystem) -> None:
        self.system = system

    @abc.abstractmethod
    def solve(self, disorder: Disorder, eigenvalues: bool = False) -> Transmission:
        """Transmission of one sample with the given disorder."""

    def sample(self, W: float, seed: int, index: int, eigenvalues: bool = False) -> Transmission:
        """Draw sample ``index`` of the study ``seed`` at strength ``W`` and solve it."""
        return self.solve(self.system.draw_disorder(W, seed, index), eigenvalues=eigenvalues)

"""Example Kwant builders made into families: the generic path in its simplest form.

:data:`KWANT_SQUARE` is the square lattice of ``PHYSICS.md`` (hopping −1, an L × M
sample between two leads of width M along x, hardwall) built as a plain Kwant builder
and run through :class:`~betascale.models.KwantFamily`. ``betascale bench --classes
kwant-square`` times it against ``kwant.smatrix`` on the same samples; with the same
seed it draws the disorder of the built-in ``anderson`` family.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from betascale.kwant_import import import_kwant
from betascale.models.kwant_family import KwantFamily

if TYPE_CHECKING:
    import kwant
else:
    kwant = import_kwant()


def square_builder(L: int, M: int) -> kwant.Builder:
    """The clean ``L x M`` square-lattice sample with two leads of width ``M``."""
    lat = kwant.lattice.square(a=1, norbs=1)
    syst = kwant.Builder()
    syst[(lat(x, y) for x in range(L) for y in range(M))] = 0.0
    syst[lat.neighbors()] = -1.0
    lead = kwant.Builder(kwant.TranslationalSymmetry((-1, 0)))
    lead[(lat(0, y) for y in range(M))] = 0.0
    lead[lat.neighbors()] = -1.0
    syst.attach_lead(lead)
    syst.attach_lead(lead.reversed())
    return syst


#: The square lattice through the generic Kwant path (orthogonal, box disorder).
KWANT_SQUARE = KwantFamily(square_builder, symmetry="orthogonal", name="kwant-square")

__all__ = ["KWANT_SQUARE", "square_builder"]

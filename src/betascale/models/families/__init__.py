"""The built-in Hamiltonian families, one file each, registered when imported.

Adding a family is adding one file here (a :class:`~betascale.models.family.Family`
subclass and an instance) and one line in :data:`BUILTIN_FAMILIES`; a family outside
the package registers itself (:func:`~betascale.models.family.register_family`) or
through the entry-point group ``betascale.families``.
"""

from __future__ import annotations

from betascale.models.families.anderson import ANDERSON, Anderson
from betascale.models.families.ando import ANDO, Ando
from betascale.models.families.honeycomb import HONEYCOMB, Honeycomb
from betascale.models.families.su2 import SU2, SU2_FAMILY, haar_su2
from betascale.models.family import register_family

#: The built-in families, in the order of :data:`betascale.models.HAMILTONIANS`.
BUILTIN_FAMILIES = (ANDERSON, SU2_FAMILY, ANDO, HONEYCOMB)

for _family in BUILTIN_FAMILIES:
    register_family(_family)

__all__ = [
    "ANDERSON",
    "ANDO",
    "BUILTIN_FAMILIES",
    "HONEYCOMB",
    "SU2",
    "SU2_FAMILY",
    "Anderson",
    "Ando",
    "Honeycomb",
    "haar_su2",
]

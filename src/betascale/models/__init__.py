"""Disordered 2D tight-binding models: Hamiltonian families as plug-ins, with or without flux.

The package is layered, each module importing only those below it:

* :mod:`~betascale.models.disorder`: the random numbers of one sample, a pure
  function of the study seed and the sample key;
* :mod:`~betascale.models.family`: the :class:`Family` seam (what a Hamiltonian
  family declares) and the one registry (:func:`get_family`, :func:`register_family`,
  the entry-point group ``betascale.families``);
* :mod:`~betascale.models.spec`: :class:`ModelSpec`, a family and its parameters,
  with the older naming (``model = "orthogonal" | "unitary" | "symplectic"``);
* :mod:`~betascale.models.families`: the built-in families, one file each:
  ``anderson`` (Anderson 1958), ``su2`` (Asada, Slevin & Ohtsuki 2002), ``ando``
  (Ando 1989) and ``honeycomb`` (graphene's lattice through the generic Kwant path);
* :mod:`~betascale.models.system`: the geometry on top (:func:`build_system`), with
  :mod:`betascale.lattice`, :mod:`betascale.leads` and :mod:`betascale.thresholds`;
* :mod:`~betascale.models.kwant_family`: any two-terminal Kwant builder as a family
  (:class:`KwantFamily`), its matrix (:mod:`~betascale.models.kwant_matrix`) and its
  disorder (:class:`OnsiteDisorder`, :class:`FunctionDisorder`:
  :mod:`~betascale.models.kwant_disorder`).

Adding a family is adding one file: subclass :class:`Family`, then register an
instance (:func:`register_family`, or the entry point).
"""

from __future__ import annotations

from betascale.lattice import num_bonds_y
from betascale.leads import finalized_lead, lead_builder, lead_channels
from betascale.models.disorder import (
    Disorder,
    clean_disorder,
    draw_disorder,
    sample_key,
    sample_rng,
)
from betascale.models.families import haar_su2
from betascale.models.family import Family, family_names, get_family, register_family
from betascale.models.kwant_disorder import FunctionDisorder, OnsiteDisorder
from betascale.models.kwant_family import KwantFamily, KwantSystem
from betascale.models.spec import (
    BOUNDARY_CONDITIONS,
    DEFAULT_HAMILTONIAN,
    HAMILTONIAN_NAMES,
    HAMILTONIANS,
    SOC_MODELS,
    SYMMETRY_CLASSES,
    ModelSpec,
    clean_hopping_x,
    clean_hopping_y,
    require_spec,
)
from betascale.models.system import DisorderedSystem, Geometry, build_system, validate_geometry

__all__ = [
    "BOUNDARY_CONDITIONS",
    "DEFAULT_HAMILTONIAN",
    "HAMILTONIANS",
    "HAMILTONIAN_NAMES",
    "SOC_MODELS",
    "SYMMETRY_CLASSES",
    "Disorder",
    "DisorderedSystem",
    "Family",
    "FunctionDisorder",
    "Geometry",
    "KwantFamily",
    "KwantSystem",
    "ModelSpec",
    "OnsiteDisorder",
    "build_system",
    "clean_disorder",
    "clean_hopping_x",
    "clean_hopping_y",
    "draw_disorder",
    "family_names",
    "finalized_lead",
    "get_family",
    "haar_su2",
    "lead_builder",
    "lead_channels",
    "num_bonds_y",
    "register_family",
    "require_spec",
    "sample_key",
    "sample_rng",
    "validate_geometry",
]

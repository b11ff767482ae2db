"""The geometry of a model on top of its family: the checked size, the clean matrix, the
leads and the Kwant system, built once and reused for every disorder sample.

:func:`build_system` checks a geometry (size, memory, lead thresholds) and returns a
:class:`DisorderedSystem`, which builds what the solvers need on first use from
:mod:`betascale.lattice` (the clean matrix), :mod:`betascale.leads` (the lead
self-energies) and Kwant (the reference system, whose value functions read the
sample's disorder from ``params``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import cast

import numpy as np

from betascale import validation
from betascale.errors import InputError
from betascale.kwant_import import import_kwant
from betascale.lattice import (
    CleanMatrix,
    assemble,
    kwant_hopping_x,
    kwant_hopping_y,
    num_bonds_y,
    peierls_bonds,
    peierls_factor,
    peierls_factor_y,
)
from betascale.lattice import orbital_index as _orbital_index
from betascale.leads import LeadSelfEnergies, lead_builder, lead_self_energies
from betascale.models.disorder import Disorder, clean_disorder, draw_disorder
from betascale.models.spec import ModelSpec, require_spec
from betascale.resources import check_geometry_memory
from betascale.thresholds import analytic_thresholds, check_lead, open_channels


@dataclass(frozen=True)
class Geometry:
    """The size of one sample."""

    L: int
    M: int

    def __post_init__(self) -> None:
        for name in ("L", "M"):
            # No upper bound here: the memory check refuses a size too large, and says why.
            value = validation.integer(name, getattr(self, name), high=None)
            object.__setattr__(self, name, value)
        if self.L < 2:
            raise InputError(f"L must be at least 2 (one column per lead interface), got {self.L}")
        if self.M < 1:
            raise InputError(f"M must be at least 1, got {self.M}")


@dataclass(eq=False)
class DisorderedSystem:
    """One geometry of a model, reused for every disorder sample.

    Build it with :func:`build_system`, which checks the geometry and builds
    nothing else. What the solvers need is built on first use and cached:

    * :attr:`clean_matrix`, the clean A₀ = E − H₀ assembled by
      :mod:`betascale.lattice` (the fast solver's matrix; seconds at L = 1024);
    * :attr:`leads`, the lead self-energies (:mod:`betascale.leads`);
    * :attr:`fsyst`, the finalized Kwant system with its two leads (the ``kwant``
      solver and checks; a minute at L = 1024). Its value functions read the
      sample's disorder from ``params`` (:meth:`params`), so one system serves
      every sample.

    Attributes
    ----------
    spec, L, M
        The model and the size.
    """

    spec: ModelSpec
    L: int
    M: int

    @property
    def norbs(self) -> int:
        """Orbitals per site."""
        return self.spec.norbs

    @property
    def num_bonds_y(self) -> int:
        """y-bonds per column: M-1 (hardwall) or M (periodic)."""
        return num_bonds_y(self.spec.bc, self.M)

    def draw_disorder(self, W: float, seed: int, index: int) -> Disorder:
        """Draw sample ``index`` at strength ``W`` of the study ``seed`` (see draw_disorder)."""
        return draw_disorder(self.spec, self.L, self.M, W, seed, index)

    def clean_disorder(self) -> Disorder:
        """A disorder-free sample (W = 0; with random bonds, R = 1)."""
        return clean_disorder(self.spec, self.L, self.M)

    @staticmethod
    def params(disorder: Disorder) -> dict:
        """The ``params`` dict that Kwant's value functions of this system read."""
        params: dict[str, np.ndarray | None] = {"onsite_energy": disorder.onsite}
        if disorder.bonds_x is not None:
            params["bonds_x"] = disorder.bonds_x
            params["bonds_y"] = disorder.bonds_y
        return params

    @cached_property
    def num_channels(self) -> int:
        """N, the number of open channels of a lead at the energy E (both spins).

        In closed form where the lead's thresholds are (:mod:`betascale.thresholds`),
        otherwise from the lead modes computed for :attr:`leads`.
        """
        if analytic_thresholds(self.spec, self.M) is not None:
            return open_channels(self.spec, self.M)
        return self.leads.N

    @property
    def site_index(self) -> np.ndarray:
        """``site_index[x, y]``: the index of site (x, y), ``x M + y`` (also in ``fsyst``)."""
        return np.arange(self.L * self.M, dtype=np.int64).reshape(self.L, self.M)

    def orbital_index(self) -> np.ndarray:
        """Orbital indices ``[x, y, orbital]`` in the Hamiltonian (of ``fsyst`` too)."""
        return _orbital_index(self.L, self.M, self.norbs)

    @cached_property
    def clean_matrix(self) -> CleanMatrix:
        """The clean A₀ = E − H₀ (a :class:`betascale.lattice.CleanMatrix`; upper if real)."""
        return assemble(self.spec, self.L, self.M, upper=self.spec.is_real)

    @cached_property
    def leads(self) -> LeadSelfEnergies:
        """Self-energies, Γ factors and channels of the leads (:mod:`betascale.leads`)."""
        return lead_self_energies(self.spec, self.M, L=self.L)

    @cached_property
    def fsyst(self):
        """The finalized Kwant system with its leads (left = 0, right = 1), built on first use."""
        return _kwant_system(self.spec, self.L, self.M)

    @property
    def has_fsyst(self) -> bool:
        """Whether the Kwant system has been built."""
        return "fsyst" in self.__dict__


def validate_geometry(spec: ModelSpec, L: int, M: int | None = None) -> tuple[int, int]:
    """Check that an ``L x M`` sample of ``spec`` can be built; return ``(L, M)``.

    This is cheap (no Kwant system is built), so a study checks every size up front.

    Raises
    ------
    InputError
        For a bad size, a flux that periodic boundaries cannot carry, an energy on
        (or near) a lead subband threshold (the message suggests a safe energy and
        width), an energy with no open lead channel, or a geometry whose
        factorization would need more memory than the machine has.
    """
    require_spec(spec)
    geometry = Geometry(L, L if M is None else M)
    L, M = geometry.L, geometry.M
    check_geometry_memory(spec, L, M)
    check_lead(spec, M)
    return L, M


def build_system(spec: ModelSpec, L: int, M: int | None = None) -> DisorderedSystem:
    """The geometry of an ``L x M`` sample of ``spec``, checked and ready for the solvers.

    Nothing is built yet: the clean matrix, the lead self-energies and the Kwant
    system are made on first use (see :class:`DisorderedSystem`).

    Parameters
    ----------
    spec
        The model.
    L, M
        Sample length (along the leads) and width; ``M`` defaults to ``L``.

    Raises
    ------
    InputError
        As :func:`validate_geometry`.
    """
    L, M = validate_geometry(spec, L, M)
    system = spec.family.make_system(spec, L, M)  # a family off the square lattice
    if system is None:
        return DisorderedSystem(spec, L, M)
    # Family.make_system returns object: a family's own geometry (KwantSystem) offers,
    # duck-typed, what the solvers read of a DisorderedSystem
    return cast(DisorderedSystem, system)


def _sample_hoppings(spec: ModelSpec):
    """Kwant values of the sample's x- and y-hoppings (read from ``params`` if random).

    With a flux the Peierls factor goes on the x-bonds (:func:`peierls_factor`, field
    in the leads) or on the y-bonds (:func:`peierls_factor_y`, field-free leads), as
    :func:`betascale.lattice.peierls_bonds` says.
    """
    if not spec.random_bonds:
        return kwant_hopping_x(spec), kwant_hopping_y(spec)
    flux = spec.flux

    def sample_hop_x(to_site, from_site, bonds_x):
        x, y = from_site.tag
        return -bonds_x[x, y] * peierls_factor(flux, y)

    def sample_hop_y(to_site, from_site, bonds_y):
        return -bonds_y[from_site.tag[0], from_site.tag[1]]

    if peierls_bonds(spec) != "y":
        return sample_hop_x, sample_hop_y

    def sample_hop_x_plain(to_site, from_site, bonds_x):
        return -bonds_x[from_site.tag[0], from_site.tag[1]]

    def sample_hop_y_peierls(to_site, from_site, bonds_y):
        x, y = from_site.tag
        return -bonds_y[x, y] * peierls_factor_y(flux, x)

    return sample_hop_x_plain, sample_hop_y_peierls


def _onsite_value(norbs: int):
    """The Kwant value of the on-site energy, read from ``params`` (times 1 on the orbitals)."""
    if norbs == 1:

        def onsite(site, onsite_energy):
            return onsite_energy[site.tag[0], site.tag[1]]

        return onsite
    identity = np.eye(norbs, dtype=complex)

    def onsite_orbitals(site, onsite_energy):
        return onsite_energy[site.tag[0], site.tag[1]] * identity

    return onsite_orbitals


def _kwant_system(spec: ModelSpec, L: int, M: int):
    """Build and finalize the Kwant system of an ``L x M`` sample with its two leads.

    Its sites are in the order of :meth:`DisorderedSystem.site_index` (x-major),
    which the vectorized assembly (:mod:`betascale.lattice`) relies on; this is
    checked here.
    """
    kwant = import_kwant()  # a heavy import, kept off ``import betascale``

    lat = kwant.lattice.square(a=1, norbs=spec.norbs)
    sample_hop_x, sample_hop_y = _sample_hoppings(spec)
    syst = kwant.Builder()
    syst[(lat(x, y) for x in range(L) for y in range(M))] = _onsite_value(spec.norbs)
    syst[((lat(x + 1, y), lat(x, y)) for x in range(L - 1) for y in range(M))] = sample_hop_x
    ny = num_bonds_y(spec.bc, M)
    syst[((lat(x, (y + 1) % M), lat(x, y)) for x in range(L) for y in range(ny))] = sample_hop_y
    lead = lead_builder(spec, M)
    syst.attach_lead(lead)
    syst.attach_lead(lead_builder(spec, M, column=L - 1).reversed())
    fsyst = syst.finalized()
    tags = np.array([site.tag for site in fsyst.sites])
    if not np.array_equal(tags[:, 0] * M + tags[:, 1], np.arange(L * M)):
        raise AssertionError("Kwant ordered the sites differently from betascale.lattice")
    return fsyst


__all__ = ["DisorderedSystem", "Geometry", "build_system", "validate_geometry"]

"""The Family seam: what a Hamiltonian family declares, and the one registry of families.

A family is a tight-binding Hamiltonian on the square lattice of ``PHYSICS.md``
(lattice constant 1, nearest-neighbour bonds, ``L`` sites along the leads by ``M``
across, clean semi-infinite leads of width ``M``). It declares everything the rest of
betascale needs, and nothing else of the package compares family names:

* its orbitals per site (:attr:`Family.norbs`) and whether H is real without flux
  (:attr:`Family.real`);
* its clean hoppings (:meth:`Family.hopping_x`, :meth:`Family.hopping_y`); a flux
  ``phi`` enters every family the same way, through the Peierls factor
  ``exp(-2 pi i phi y)`` of the x-bonds in the Landau gauge A = (-B y, 0)
  (:func:`betascale.lattice.peierls_factor`; Peierls, Z. Phys. 80, 763 (1933));
* the random terms of one sample, drawn vectorized from the sample's generator
  (:meth:`Family.draw`): on-site energies, and random bonds where the model has them
  (:attr:`Family.random_bonds`);
* its lead route (:attr:`Family.separable_lead`): the closed-form self-energy of
  :mod:`betascale.leads` for leads made of ``norbs`` copies of the spinless
  square-lattice lead, else Kwant's modes;
* its threshold check, closed form or numeric (:meth:`Family.closed_form_lead`,
  :meth:`Family.lead_probe`; :mod:`betascale.thresholds`);
* its mean free path, or None where none is known (:meth:`Family.mean_free_path`);
* its symmetry class without and with flux (:attr:`Family.symmetry`,
  :attr:`Family.symmetry_with_flux`).

Families are found by name in one registry (:func:`get_family`). The built-in ones
(:mod:`betascale.models.families`) register when :mod:`betascale.models` is imported;
a user registers another with :func:`register_family`, and a package registers its
families through the entry-point group ``betascale.families``, read on the first
look-up of an unknown name, as xarray finds its backends
(``xarray/backends/plugins.py``)::

    [project.entry-points."betascale.families"]
    honeycomb = "mypackage.models:HONEYCOMB"   # a Family instance (or subclass)
"""

from __future__ import annotations

import importlib
import importlib.metadata
import math
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

import numpy as np

from betascale.errors import InputError
from betascale.lattice import num_bonds_y
from betascale.models.disorder import Disorder
from betascale.theory import SYMMETRY_CLASSES

if TYPE_CHECKING:
    from betascale.models.spec import ModelSpec

#: The entry-point group through which packages register their families.
ENTRY_POINT_GROUP = "betascale.families"
#: The family whose lead, copied on each orbital, is the lead of every separable family:
#: the spinless square lattice with hopping -1 (see :meth:`Family.lead_probe`).
SPINLESS_FAMILY = "anderson"


class Family(ABC):
    """A Hamiltonian family: subclass it, set the class attributes and the three methods.

    Attributes
    ----------
    name
        The registry key, as written in study files (``hamiltonian = "name"``).
    label
        A human-readable name, e.g. ``"Anderson model"``.
    norbs
        Orbitals per site.
    real
        Whether H is real at zero flux (then the class without flux is orthogonal and
        the solver may use real arithmetic).
    symmetry, symmetry_with_flux
        The Wigner–Dyson class without and with a flux.
    random_bonds
        Whether :meth:`draw` draws random hoppings (``norbs x norbs`` matrices R per
        bond, the hopping being ``-R`` times the Peierls factor) besides on-site terms.
    separable_lead
        Whether the clean lead is ``norbs`` identical copies of the spinless
        square-lattice lead (hopping -1): its self-energy and thresholds then have
        closed forms without flux, and its channels follow from the spinless lead.
    max_energy
        No lead channel is open at ``|E| >= max_energy``.
    parameters
        The :class:`~betascale.models.ModelSpec` fields the family reads beyond E, bc
        and flux (``("S",)`` for the Ando model): they enter the physics and the label.
    """

    name: str
    label: str
    norbs: int = 1
    real: bool = True
    symmetry: str = "orthogonal"
    symmetry_with_flux: str = "unitary"
    random_bonds: bool = False
    separable_lead: bool = True
    max_energy: float = 4.0
    parameters: tuple[str, ...] = ()

    @abstractmethod
    def hopping_x(self, spec: ModelSpec) -> float | np.ndarray:
        """The hopping ``H[(x+1, y), (x, y)]`` of a clean bond, before the Peierls factor."""

    @abstractmethod
    def hopping_y(self, spec: ModelSpec) -> float | np.ndarray:
        """The hopping ``H[(x, y+1), (x, y)]`` of a clean bond (no Peierls factor)."""

    @abstractmethod
    def draw(self, spec: ModelSpec, rng: np.random.Generator, L: int, M: int, W: float) -> Disorder:
        """The random terms of one ``L x M`` sample at strength ``W``, drawn from ``rng``.

        The draw must be vectorized and in a fixed order: the sample is a pure function
        of the generator, which is seeded by the study seed and the sample's key.
        """

    def clean(self, spec: ModelSpec, L: int, M: int) -> Disorder:
        """A disorder-free sample: zero on-site energies and, with random bonds, R = 1."""
        onsite = np.zeros((L, M))
        if not self.random_bonds:
            return Disorder(onsite)
        n = self.norbs
        eye = np.eye(n, dtype=complex)
        bx = np.broadcast_to(eye, (L - 1, M, n, n)).copy()
        by = np.broadcast_to(eye, (L, num_bonds_y(spec.bc, M), n, n)).copy()
        return Disorder(onsite, bx, by)

    def symmetry_class(self, breaks_time_reversal: bool) -> str:
        """The class of the family: :attr:`symmetry_with_flux` if the flux breaks time
        reversal, else :attr:`symmetry`."""
        return self.symmetry_with_flux if breaks_time_reversal else self.symmetry

    def describe(self, spec: ModelSpec) -> str:
        """The label with the family's parameters, e.g. ``Ando model S=0.5``."""
        values = "".join(f" {key}={getattr(spec, key):g}" for key in self.parameters)
        return f"{self.label}{values}"

    def closed_form_lead(self, spec: ModelSpec) -> bool:
        """Whether the lead's self-energy and thresholds are known in closed form
        (a separable lead without flux)."""
        return self.separable_lead and spec.flux == 0

    def lead_probe(self, spec: ModelSpec) -> tuple[ModelSpec, int]:
        """The model whose lead the channel counts may solve instead, and the multiplier.

        A separable lead of ``norbs > 1`` orbitals is ``norbs`` copies of the spinless
        lead (:data:`SPINLESS_FAMILY` at the same E, bc and flux), whose mode solve is
        ``8 norbs^3`` times cheaper; any other lead is solved as it is.
        """
        if self.separable_lead and self.norbs > 1:
            return spec.with_hamiltonian(SPINLESS_FAMILY), self.norbs
        return spec, 1

    def mean_free_path(self, W: float, E: float) -> float | None:
        """The elastic mean free path at disorder ``W`` and energy ``E``, None if unknown."""
        return None

    # Hooks of families that are not on the square lattice (the generic Kwant family,
    # :class:`betascale.models.kwant_family.KwantFamily`); the defaults are the square
    # lattice's.
    def check_spec(self, spec: ModelSpec) -> None:
        """Refuse parameters of ``spec`` that the family cannot take (InputError)."""
        return None

    def make_system(self, spec: ModelSpec, L: int, M: int) -> object | None:
        """The geometry of an ``L x M`` sample, or None for the square lattice's
        (:class:`betascale.models.system.DisorderedSystem`)."""
        return None

    def on_square_lattice(self) -> bool:
        """Whether the samples are betascale's square lattice (``make_system`` is not
        overridden): then L and M are lengths and the flux is per unit area."""
        return type(self).make_system is Family.make_system

    def lead(self, spec: ModelSpec, M: int) -> object | None:
        """The left lead of width M (a ``kwant.Builder``), or None for the square lattice's
        (:func:`betascale.leads.lead_builder`)."""
        return None

    def physics(self, spec: ModelSpec) -> dict:
        """What else defines the physics of the family (added to ``ModelSpec.physics``)."""
        return {}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} family {getattr(self, 'name', '?')!r}>"


_REGISTRY: dict[str, Family] = {}
#: Whether the entry points have been read (they are read once, on the first miss).
_entry_points_read = False


def check_family(family: object) -> Family:
    """``family`` (an instance, or a subclass to instantiate) if its declarations are valid.

    Raises
    ------
    InputError
        For an object that is not a :class:`Family`, or a bad declaration.
    """
    if isinstance(family, type) and issubclass(family, Family):
        family = family()
    if not isinstance(family, Family):
        raise InputError(f"a family must be a betascale Family, got {type(family).__name__}")
    name = getattr(family, "name", None)
    if not isinstance(name, str) or not name.strip() or name != name.strip():
        raise InputError(f"a family needs a name (a non-empty string), got {name!r}")
    if not isinstance(family.norbs, int) or isinstance(family.norbs, bool) or family.norbs < 1:
        raise InputError(f"family {name!r}: norbs must be a positive integer, got {family.norbs!r}")
    for key in ("symmetry", "symmetry_with_flux"):
        if getattr(family, key) not in SYMMETRY_CLASSES:
            raise InputError(
                f"family {name!r}: {key} must be one of {', '.join(SYMMETRY_CLASSES)}, "
                f"got {getattr(family, key)!r}"
            )
    if family.real and family.symmetry != "orthogonal":
        raise InputError(f"family {name!r}: a real H is orthogonal, not {family.symmetry!r}")
    if not (isinstance(family.max_energy, (int, float)) and 0 < family.max_energy < math.inf):
        raise InputError(f"family {name!r}: max_energy must be positive, got {family.max_energy!r}")
    if not hasattr(family, "label"):
        family.label = name
    return family


def register_family(family: object, *, replace: bool = False) -> Family:
    """Register a family under its :attr:`~Family.name`; return it.

    Registering the same family twice does nothing; another family of a registered
    name is refused unless ``replace``.

    Raises
    ------
    InputError
        As :func:`check_family`, or for a name already taken.
    """
    family = check_family(family)
    known = _REGISTRY.get(family.name)
    if known is not None and not replace and type(known) is not type(family):
        raise InputError(f"a family named {family.name!r} is already registered ({known!r})")
    _REGISTRY[family.name] = family
    return family


def _read_entry_points() -> None:
    """Register the families of the entry-point group :data:`ENTRY_POINT_GROUP` (once)."""
    global _entry_points_read
    if _entry_points_read:
        return
    _entry_points_read = True
    for point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if point.name in _REGISTRY:
            continue
        try:
            family = check_family(point.load())
        except InputError as err:
            raise InputError(f"entry point {point.name!r} ({point.value}): {err}") from None
        except Exception as err:  # a third-party import can raise anything
            raise InputError(
                f"entry point {point.name!r} ({point.value}) failed to load: "
                f"{type(err).__name__}: {err}"
            ) from None
        if family.name != point.name:
            raise InputError(
                f"entry point {point.name!r} ({point.value}) names a family called {family.name!r}"
            )
        _REGISTRY[family.name] = family


def import_family(path: str) -> Family:
    """The family object named by the import path ``"package.module:object"``.

    This imports (runs) the module's code. The family is registered under its name;
    :func:`get_family` also knows it by the path.

    Raises
    ------
    InputError
        For a malformed path, an import that fails, or an object that is not a family.
    """
    module_name, _, attribute = path.partition(":")
    if not module_name or not attribute or ":" in attribute:
        raise InputError(f"an import path must read 'package.module:object', got {path!r}")
    try:
        target = importlib.import_module(module_name)
        for part in attribute.split("."):
            target = getattr(target, part)
    except Exception as err:  # importing runs the module's code, which can raise anything
        raise InputError(f"cannot import {path!r}: {type(err).__name__}: {err}") from None
    try:
        family = check_family(target)
    except InputError as err:
        raise InputError(f"{path!r}: {err}") from None
    return register_family(family, replace=True)


def family_names() -> tuple[str, ...]:
    """The names of every known family: registered ones, then those of entry points."""
    _read_entry_points()
    return tuple(_REGISTRY)


def get_family(name: str) -> Family:
    """The family registered as ``name`` (entry points are read on the first miss).

    Raises
    ------
    InputError
        For an unknown name, with the known names.
    """
    family = _REGISTRY.get(name)
    if family is None and not _entry_points_read:
        _read_entry_points()
        family = _REGISTRY.get(name)
    if family is None and isinstance(name, str) and ":" in name:
        family = _REGISTRY[name] = import_family(name)
    if family is None:
        raise InputError(f"hamiltonian must be one of {', '.join(_REGISTRY)}, got {name!r}")
    return family


__all__ = [
    "ENTRY_POINT_GROUP",
    "SPINLESS_FAMILY",
    "Family",
    "check_family",
    "family_names",
    "get_family",
    "import_family",
    "register_family",
]

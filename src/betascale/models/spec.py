"""The model specification: a Hamiltonian family and its physical parameters.

The conventions follow ``PHYSICS.md`` of the project:

* square lattice, lattice constant 1, hopping ``-1``; the clean band is ``[-4, 4]``;
* a sample is ``L`` sites along x (transport) by ``M`` sites along y, attached to two
  clean semi-infinite leads of width ``M`` along x with the same transverse boundary
  condition (``hardwall`` or ``periodic``);
* the families and their disorder are declared in :mod:`betascale.models.families`
  (one file each) and found by name (:func:`betascale.models.family.get_family`).

Flux
----
Any family may carry a uniform flux ``phi`` (flux quanta h/e per plaquette) through
Peierls phases in the Landau gauge A = (-B y, 0): the x-bond from (x, y) to (x+1, y)
is multiplied by ``exp(-2 pi i phi y)`` and y-bonds are not, so the leads (along x)
stay translation invariant and carry the same flux. The phase around a plaquette,
walked counter-clockwise, is ``2 pi phi``.

With ``field_in_leads = False`` the field exists only inside the sample and the leads
are the family's clean, field-free leads: the sample then takes the Landau gauge
A = (0, B x), in which the y-bond from (x, y) to (x, y+1) (and the periodic one from
(x, M-1) to (x, 0)) is multiplied by ``exp(+2 pi i phi x)`` and x-bonds are not
(the same ``2 pi phi`` per plaquette). The left lead (x < 0) is field-free; the right
lead (x >= L) carries the constant vector potential of the last column, a pure gauge
(:func:`betascale.leads.right_lead_phases`), so both leads have the zero-field
channels and closed-form self-energies. Periodic boundaries need ``phi M`` to be an
integer in both routes (:func:`betascale.thresholds.check_lead`).

Symmetry class
--------------
The Wigner–Dyson class follows from the family and the Hamiltonian
(:attr:`ModelSpec.symmetry_class`): time reversal is broken exactly when the phase
``2 pi phi`` around a plaquette is not a multiple of pi
(:func:`betascale.validation.breaks_time_reversal`); then the family's class with flux
applies (unitary for every built-in family), else its class without flux
(``anderson``: orthogonal; ``su2`` and ``ando``: symplectic). The flux is periodic with
period 1 and ``-phi`` is the conjugate of ``phi``, so a flux is accepted in the open
interval (-1/2, 1/2) only (:func:`betascale.validation.flux`): ``phi = 1/2``, whose
Hamiltonian is real, is refused, and within the range the class is unitary exactly
when ``phi != 0``. The older names (``model = "orthogonal" | "unitary" |
"symplectic"`` with ``soc = "su2" | "ando"``) are still accepted and mapped onto the
families.

A hopping "from site a to site b" is the matrix element ``H[b, a]``; its reverse is
the Hermitian conjugate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from betascale import validation
from betascale.errors import InputError
from betascale.models.families import BUILTIN_FAMILIES
from betascale.models.family import Family, get_family, register_family
from betascale.theory import SYMMETRY_CLASSES
from betascale.validation import finite

#: The built-in Hamiltonian families (:func:`betascale.models.family.family_names` lists
#: every registered one).
HAMILTONIANS = tuple(family.name for family in BUILTIN_FAMILIES)
BOUNDARY_CONDITIONS = ("hardwall", "periodic")
#: Spin–orbit models of the older naming (``model = "symplectic", soc = ...``).
SOC_MODELS = ("su2", "ando")
#: The family of a spec that names none.
DEFAULT_HAMILTONIAN = "anderson"
#: The Ando model's spin-orbit strength when none is given.
DEFAULT_S = 0.5
#: Human-readable names of the built-in families.
HAMILTONIAN_NAMES = {family.name: family.label for family in BUILTIN_FAMILIES}


def _family_from_legacy(model: str, soc: str | None, flux: float) -> str:
    """The family named by the older ``model``/``soc`` pair (see the module docstring)."""
    if model not in SYMMETRY_CLASSES:
        raise InputError(
            f"model must be one of {', '.join(SYMMETRY_CLASSES)} (or give hamiltonian = one "
            f"of {', '.join(HAMILTONIANS)}), got {model!r}"
        )
    if model == "symplectic":
        soc = "su2" if soc is None else soc
        if soc not in SOC_MODELS:
            raise InputError(f"soc must be one of {', '.join(SOC_MODELS)}, got {soc!r}")
        return soc
    if soc not in (None, "su2"):
        raise InputError(f"soc = {soc!r} is only used by the symplectic model, not {model!r}")
    if model == "orthogonal" and flux != 0:
        raise InputError(
            f"the orthogonal model has no flux (got flux = {flux}); a flux breaks time "
            "reversal: use model = 'unitary', or hamiltonian = 'anderson' with the flux"
        )
    return "anderson"


def unused_S(S: float) -> InputError:
    """The error for an Ando strength ``S`` given to a family that has none."""
    return InputError(
        f"S = {S:g} is only used by the Ando spin-orbit model (hamiltonian = 'ando'); remove it"
    )


@dataclass(frozen=True, init=False)
class ModelSpec:
    """The physics of a model, independent of sample size and disorder strength.

    Parameters
    ----------
    hamiltonian
        The name of a registered family: ``"anderson"``, ``"su2"`` or ``"ando"``
        (:data:`HAMILTONIANS`), or one registered with
        :func:`~betascale.models.family.register_family`; a family object (registered
        here, e.g. a :class:`~betascale.models.kwant_family.KwantFamily`); or the import
        path ``"package.module:object"`` of one (this imports the module:
        :func:`~betascale.models.family.import_family`). For
        compatibility a symmetry-class name (``"orthogonal"``, ``"unitary"``,
        ``"symplectic"``) is accepted here too, as the older ``model`` argument.
    E
        Fermi energy in units of the hopping.
    bc
        Transverse boundary condition, ``"hardwall"`` or ``"periodic"``.
    flux
        Flux quanta per plaquette, in (-1/2, 1/2) (any family; a non-zero flux makes
        the class unitary). The flux is periodic with period 1, and ``-phi`` is the
        conjugate of ``phi`` (see :func:`betascale.validation.flux`).
    S
        Ando spin–orbit strength ``V2`` in ``[0, 1]`` (Ando model only).
    field_in_leads
        Whether the leads carry the flux (the default, the Landau gauge A = (-B y, 0)
        everywhere) or are the clean, field-free leads of the family with the field
        only in the sample (gauge A = (0, B x); see "Flux" in the module docstring).
        Without flux the two are the same model.
    model, soc
        The older naming: a symmetry class and, for ``"symplectic"``, the spin–orbit
        model ``"su2"`` or ``"ando"``.

    Examples
    --------
    >>> ModelSpec("su2", E=1.0, bc="periodic").symmetry_class
    'symplectic'
    >>> ModelSpec("su2", flux=0.01).symmetry_class
    'unitary'
    >>> ModelSpec(model="symplectic", soc="ando").hamiltonian
    'ando'
    """

    hamiltonian: str
    E: float
    bc: str
    flux: float
    S: float
    field_in_leads: bool

    def __init__(
        self,
        hamiltonian: str | Family | type[Family] | None = None,
        E: float = 1.0,
        bc: str = "hardwall",
        flux: float = 0.0,
        S: float = DEFAULT_S,
        *,
        model: str | None = None,
        soc: str | None = None,
        field_in_leads: bool = True,
    ) -> None:
        flux = validation.flux(flux)  # -0.0 becomes 0.0: they name the same samples
        if isinstance(hamiltonian, Family) or (
            isinstance(hamiltonian, type) and issubclass(hamiltonian, Family)
        ):
            hamiltonian = register_family(hamiltonian).name
        for key, text in (("hamiltonian", hamiltonian), ("model", model), ("soc", soc)):
            if text is not None and not isinstance(text, str):
                raise validation.wrong_type(key, "a string", text)
        if hamiltonian in SYMMETRY_CLASSES and model is None:
            hamiltonian, model = None, hamiltonian
        if model is not None:
            legacy = _family_from_legacy(model, soc, flux)
            if hamiltonian is not None and hamiltonian != legacy:
                raise InputError(
                    f"hamiltonian = {hamiltonian!r} contradicts model = {model!r}; give one"
                )
            hamiltonian = legacy
        elif soc is not None and soc != hamiltonian and hamiltonian is not None:
            raise InputError(f"soc = {soc!r} contradicts hamiltonian = {hamiltonian!r}")
        hamiltonian = DEFAULT_HAMILTONIAN if hamiltonian is None else hamiltonian
        family = get_family(hamiltonian)
        validation.choice("bc", bc, BOUNDARY_CONDITIONS)
        object.__setattr__(self, "hamiltonian", hamiltonian)
        object.__setattr__(self, "E", finite("E", E))
        object.__setattr__(self, "bc", bc)
        object.__setattr__(self, "flux", flux)
        object.__setattr__(self, "S", finite("S", S))
        object.__setattr__(
            self, "field_in_leads", validation.flag("field_in_leads", field_in_leads)
        )
        if not 0.0 <= self.S <= 1.0:
            raise InputError(f"Ando spin-orbit strength S must be in [0, 1], got {self.S}")
        if "S" not in family.parameters and self.S != DEFAULT_S:
            raise unused_S(self.S)
        if abs(self.E) >= family.max_energy:
            raise InputError(f"E = {self.E} lies outside the band: no lead channel is open")
        family.check_spec(self)

    @property
    def family(self) -> Family:
        """The Hamiltonian family (:class:`~betascale.models.family.Family`) of this model."""
        return get_family(self.hamiltonian)

    @property
    def symmetry_class(self) -> str:
        """``"orthogonal"``, ``"unitary"`` or ``"symplectic"``, from the Hamiltonian: the
        family's class with flux where the flux breaks time reversal
        (:func:`~betascale.validation.breaks_time_reversal`), else without."""
        return self.family.symmetry_class(validation.breaks_time_reversal(self.flux))

    @property
    def model(self) -> str:
        """The symmetry class (the older name of :attr:`symmetry_class`)."""
        return self.symmetry_class

    @property
    def soc(self) -> str | None:
        """The family if it is symplectic without flux (``"su2"`` or ``"ando"``), else None."""
        return self.hamiltonian if self.family.symmetry == "symplectic" else None

    @property
    def spinful(self) -> bool:
        """Whether the model has spin 1/2 (two orbitals per site)."""
        return self.family.norbs == 2

    @property
    def norbs(self) -> int:
        """Orbitals per site (the family's)."""
        return self.family.norbs

    @property
    def is_real(self) -> bool:
        """Whether H is real symmetric (orthogonal class), allowing real arithmetic."""
        return self.family.real and not validation.breaks_time_reversal(self.flux)

    @property
    def random_bonds(self) -> bool:
        """Whether the hoppings of the sample are random (the SU(2) model)."""
        return self.family.random_bonds

    def with_flux(self, flux: float) -> ModelSpec:
        """The same model with another flux."""
        return self._replace(flux=flux)

    def with_hamiltonian(self, hamiltonian: str) -> ModelSpec:
        """The same parameters with another family."""
        return self._replace(hamiltonian=hamiltonian)

    def with_field_in_leads(self, field_in_leads: bool) -> ModelSpec:
        """The same model with the field in the leads or not (see ``field_in_leads``)."""
        return self._replace(field_in_leads=field_in_leads)

    def _replace(self, **changes) -> ModelSpec:
        return ModelSpec(**{**self.to_dict(), "field_in_leads": self.field_in_leads, **changes})

    def physics(self) -> dict:
        """The parameters that define the physics, for labels and compatibility checks.

        ``field_in_leads`` enters only where it is not the default, so that the
        physics (and the hash) of every earlier study stays the same.
        """
        out = {"hamiltonian": self.hamiltonian, "E": self.E, "bc": self.bc, "flux": self.flux}
        out.update({key: getattr(self, key) for key in self.family.parameters})
        out.update(self.family.physics(self))
        if not self.field_in_leads:
            out["field_in_leads"] = False
        return out

    def describe(self) -> str:
        """A short label, e.g. ``SU(2) model (symplectic), E=1, periodic``."""
        name = self.family.describe(self)
        flux = f", flux {self.flux:g}" if self.flux else ""
        leads = "" if self.field_in_leads else ", field-free leads"
        return f"{name}{flux} ({self.symmetry_class}), E={self.E:g}, {self.bc}{leads}"

    def to_dict(self) -> dict:
        """All fields as a plain dict (``ModelSpec(**d)`` rebuilds it); ``field_in_leads``
        only where it is not the default (so earlier dicts and keys are unchanged)."""
        out = {
            "hamiltonian": self.hamiltonian,
            "E": self.E,
            "bc": self.bc,
            "flux": self.flux,
            "S": self.S,
        }
        if not self.field_in_leads:
            out["field_in_leads"] = False
        return out


def require_spec(spec: object, name: str = "model") -> ModelSpec:
    """``spec`` if it is a :class:`ModelSpec`, else an InputError (a family name or None
    is not a model: make one with ``ModelSpec("su2", E=1.0)``)."""
    if not isinstance(spec, ModelSpec):
        raise validation.wrong_type(name, "a ModelSpec (e.g. ModelSpec('su2', E=1.0))", spec)
    return spec


def clean_hopping_x(spec: ModelSpec) -> float | np.ndarray:
    """The x-hopping H[(x+1, y), (x, y)] of a clean bond, before the Peierls factor
    (the family's :meth:`~betascale.models.family.Family.hopping_x`)."""
    return spec.family.hopping_x(spec)


def clean_hopping_y(spec: ModelSpec) -> float | np.ndarray:
    """The y-hopping H[(x, y+1), (x, y)] of a clean bond (no Peierls factor in this gauge)."""
    return spec.family.hopping_y(spec)


__all__ = [
    "BOUNDARY_CONDITIONS",
    "DEFAULT_HAMILTONIAN",
    "HAMILTONIANS",
    "HAMILTONIAN_NAMES",
    "SOC_MODELS",
    "SYMMETRY_CLASSES",
    "ModelSpec",
    "clean_hopping_x",
    "clean_hopping_y",
    "require_spec",
]

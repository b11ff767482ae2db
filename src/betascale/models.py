"""Disordered 2D tight-binding models: three Hamiltonian families, with or without flux.

The conventions follow ``PHYSICS.md`` of the project:

* square lattice, lattice constant 1, hopping ``-1``; the clean band is ``[-4, 4]``;
* a sample is ``L`` sites along x (transport) by ``M`` sites along y, attached to two
  clean semi-infinite leads of width ``M`` along x with the same transverse boundary
  condition (``hardwall`` or ``periodic``);
* on-site disorder is uniform in ``[-W/2, W/2]``.

Hamiltonian families (:data:`HAMILTONIANS`)
-------------------------------------------
``anderson``
    The spinless Anderson model, hopping ``-1``.
``su2``
    Spin 1/2, the SU(2) model of Asada, Slevin & Ohtsuki, Phys. Rev. Lett. 89,
    256601 (2002) and Phys. Rev. B 70, 035115 (2004): the hopping across each bond is
    ``-R`` with R Haar-random in SU(2), drawn per sample. The leads are clean and
    spin-degenerate (hopping ``-1``).
``ando``
    Spin 1/2, the model of Ando, Phys. Rev. B 40, 5325 (1989): x-bonds carry
    ``-(V1 + i V2 sigma_y)`` and y-bonds ``-(V1 - i V2 sigma_x)``, with ``V2 = S`` and
    ``V1 = sqrt(1 - S^2)``. The leads are clean and carry the same spin–orbit
    hopping, so a clean sample (W = 0) transmits perfectly.

Flux
----
Any family may carry a uniform flux ``phi`` (flux quanta h/e per plaquette) through
Peierls phases in the Landau gauge A = (-B y, 0): the x-bond from (x, y) to (x+1, y)
is multiplied by ``exp(-2 pi i phi y)`` and y-bonds are not, so the leads (along x)
stay translation invariant and carry the same flux. The phase around a plaquette,
walked counter-clockwise, is ``2 pi phi``.

Symmetry class
--------------
The Wigner–Dyson class follows from the family and the Hamiltonian
(:attr:`ModelSpec.symmetry_class`): time reversal is broken exactly when the phase
``2 pi phi`` around a plaquette is not a multiple of pi
(:func:`betascale.validation.breaks_time_reversal`); then any family is *unitary*.
Otherwise ``anderson`` is *orthogonal* and ``su2`` and ``ando`` are *symplectic*. The
flux is periodic with period 1 and ``-phi`` is the conjugate of ``phi``, so a flux is
accepted in the open interval (-1/2, 1/2) only (:func:`betascale.validation.flux`):
``phi = 1/2``, whose Hamiltonian is real, is refused, and within the range the class is
unitary exactly when ``phi != 0``. The older names (``model = "orthogonal" |
"unitary" | "symplectic"`` with ``soc = "su2" | "ando"``) are still accepted and
mapped onto the families.

A hopping "from site a to site b" is the matrix element ``H[b, a]``; its reverse is
the Hermitian conjugate.

Reproducible randomness
-----------------------
The disorder of a sample is a pure function of the study seed and the sample key
(:func:`sample_key`: W, L, M and the index, never the flux): it is drawn from
``numpy.random.default_rng(SeedSequence([seed, *key]))`` in a fixed order, never from
global state, so any process draws the same sample bit for bit, and the samples of
one key at different fluxes share their disorder (a paired design).
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from betascale import validation
from betascale.errors import InputError, require_finite

#: The Hamiltonian families.
HAMILTONIANS = ("anderson", "su2", "ando")
#: The Wigner–Dyson symmetry classes, the single source of their names.
SYMMETRY_CLASSES = ("orthogonal", "unitary", "symplectic")
BOUNDARY_CONDITIONS = ("hardwall", "periodic")
#: Spin–orbit models of the older naming (``model = "symplectic", soc = ...``).
SOC_MODELS = ("su2", "ando")
#: Human-readable names of the families.
HAMILTONIAN_NAMES = {"anderson": "Anderson model", "su2": "SU(2) model", "ando": "Ando model"}

_SIGMA_X = np.array([[0, 1], [1, 0]], dtype=complex)
_SIGMA_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
_IDENTITY2 = np.eye(2, dtype=complex)


# --------------------------------------------------------------------------- spec
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


@dataclass(frozen=True, init=False)
class ModelSpec:
    """The physics of a model, independent of sample size and disorder strength.

    Parameters
    ----------
    hamiltonian
        ``"anderson"``, ``"su2"`` or ``"ando"`` (:data:`HAMILTONIANS`). For
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

    def __init__(
        self,
        hamiltonian: str | None = None,
        E: float = 1.0,
        bc: str = "hardwall",
        flux: float = 0.0,
        S: float = 0.5,
        *,
        model: str | None = None,
        soc: str | None = None,
    ) -> None:
        flux = validation.flux(flux)  # -0.0 becomes 0.0: they name the same samples
        for key, text in (("hamiltonian", hamiltonian), ("model", model), ("soc", soc)):
            if text is not None and not isinstance(text, str):
                raise validation.wrong_type(key, "a string", text)
        if hamiltonian in SYMMETRY_CLASSES and model is None:
            hamiltonian, model = None, hamiltonian
        if model is not None:
            family = _family_from_legacy(model, soc, flux)
            if hamiltonian is not None and hamiltonian != family:
                raise InputError(
                    f"hamiltonian = {hamiltonian!r} contradicts model = {model!r}; give one"
                )
            hamiltonian = family
        elif soc is not None and soc != hamiltonian and hamiltonian is not None:
            raise InputError(f"soc = {soc!r} contradicts hamiltonian = {hamiltonian!r}")
        hamiltonian = "anderson" if hamiltonian is None else hamiltonian
        if hamiltonian not in HAMILTONIANS:
            raise InputError(
                f"hamiltonian must be one of {', '.join(HAMILTONIANS)}, got {hamiltonian!r}"
            )
        validation.choice("bc", bc, BOUNDARY_CONDITIONS)
        object.__setattr__(self, "hamiltonian", hamiltonian)
        object.__setattr__(self, "E", require_finite("E", E))
        object.__setattr__(self, "bc", bc)
        object.__setattr__(self, "flux", flux)
        object.__setattr__(self, "S", require_finite("S", S))
        if not 0.0 <= self.S <= 1.0:
            raise InputError(f"Ando spin-orbit strength S must be in [0, 1], got {self.S}")
        if abs(self.E) >= 4.0 + (0.5 if self.spinful else 0.0):
            raise InputError(f"E = {self.E} lies outside the band: no lead channel is open")

    @property
    def symmetry_class(self) -> str:
        """``"orthogonal"``, ``"unitary"`` or ``"symplectic"``, from the Hamiltonian: unitary
        where the flux breaks time reversal (:func:`~betascale.validation.
        breaks_time_reversal`), else by the family (spin 1/2: symplectic)."""
        if validation.breaks_time_reversal(self.flux):
            return "unitary"
        return "symplectic" if self.spinful else "orthogonal"

    @property
    def model(self) -> str:
        """The symmetry class (the older name of :attr:`symmetry_class`)."""
        return self.symmetry_class

    @property
    def soc(self) -> str | None:
        """The spin–orbit model (``"su2"`` or ``"ando"``), None for the Anderson model."""
        return self.hamiltonian if self.spinful else None

    @property
    def spinful(self) -> bool:
        """Whether the model has spin 1/2 (two orbitals per site)."""
        return self.hamiltonian != "anderson"

    @property
    def norbs(self) -> int:
        """Orbitals per site: 2 with spin, 1 otherwise."""
        return 2 if self.spinful else 1

    @property
    def is_real(self) -> bool:
        """Whether H is real symmetric (orthogonal class), allowing real arithmetic."""
        return self.symmetry_class == "orthogonal"

    @property
    def random_bonds(self) -> bool:
        """Whether the hoppings of the sample are random (the SU(2) model)."""
        return self.hamiltonian == "su2"

    def with_flux(self, flux: float) -> ModelSpec:
        """The same model with another flux."""
        return ModelSpec(self.hamiltonian, self.E, self.bc, flux, self.S)

    def physics(self) -> dict:
        """The parameters that define the physics, for labels and compatibility checks."""
        out = {"hamiltonian": self.hamiltonian, "E": self.E, "bc": self.bc, "flux": self.flux}
        if self.hamiltonian == "ando":
            out["S"] = self.S
        return out

    def describe(self) -> str:
        """A short label, e.g. ``SU(2) model (symplectic), E=1, periodic``."""
        name = HAMILTONIAN_NAMES[self.hamiltonian]
        if self.hamiltonian == "ando":
            name += f" S={self.S:g}"
        flux = f", flux {self.flux:g}" if self.flux else ""
        return f"{name}{flux} ({self.symmetry_class}), E={self.E:g}, {self.bc}"

    def to_dict(self) -> dict:
        """All fields as a plain dict (``ModelSpec(**d)`` rebuilds it)."""
        return {
            "hamiltonian": self.hamiltonian,
            "E": self.E,
            "bc": self.bc,
            "flux": self.flux,
            "S": self.S,
        }


# --------------------------------------------------------------------- disorder
def _float_key(value: float) -> int:
    """The IEEE-754 bit pattern of a float as a non-negative int (exact, order-free)."""
    return struct.unpack("<Q", struct.pack("<d", float(value)))[0]


def sample_key(W: float, L: int, M: int, index: int) -> tuple[int, int, int, int]:
    """The key that names one disorder sample: (bits of W, L, M, sample index).

    Together with the study seed it determines the sample completely. The flux is
    not part of it: samples at different fluxes share their disorder.
    """
    if index < 0:
        raise InputError(f"sample index must be >= 0, got {index}")
    return (_float_key(W), int(L), int(M), int(index))


def sample_rng(seed: int, key: tuple[int, ...]) -> np.random.Generator:
    """A fresh generator for one sample, seeded by ``SeedSequence([seed, *key])``."""
    if seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed}")
    return np.random.default_rng(np.random.SeedSequence([int(seed), *map(int, key)]))


@dataclass(frozen=True)
class Disorder:
    """The random parts of one sample, indexed by lattice coordinates.

    Attributes
    ----------
    onsite
        On-site energies, shape ``(L, M)``, index ``[x, y]``.
    bonds_x, bonds_y
        SU(2) model only: the bond matrices R, shape ``(L-1, M, 2, 2)`` for the
        bond from (x, y) to (x+1, y) and ``(L, My, 2, 2)`` for the bond from (x, y)
        to (x, (y+1) mod M), with ``My = M-1`` (hardwall) or ``M`` (periodic).
        The hopping is ``H[to, from] = -R`` (times the Peierls phase on x-bonds).
    """

    onsite: np.ndarray
    bonds_x: np.ndarray | None = None
    bonds_y: np.ndarray | None = None


def haar_su2(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Haar-random SU(2) matrices of the given shape (Asada, Slevin & Ohtsuki 2002).

    ``R = [[e^{i a} cos b, e^{i g} sin b], [-e^{-i g} sin b, e^{-i a} cos b]]`` with
    a, g uniform on [0, 2 pi) and b = arcsin(sqrt(u)), u uniform (density sin 2b).
    """
    u = rng.random((3, *shape))
    alpha = 2 * np.pi * u[0]
    beta = np.arcsin(np.sqrt(u[1]))
    gamma = 2 * np.pi * u[2]
    out = np.empty((*shape, 2, 2), dtype=complex)
    cb, sb = np.cos(beta), np.sin(beta)
    out[..., 0, 0] = np.exp(1j * alpha) * cb
    out[..., 0, 1] = np.exp(1j * gamma) * sb
    out[..., 1, 0] = -np.exp(-1j * gamma) * sb
    out[..., 1, 1] = np.exp(-1j * alpha) * cb
    return out


def num_bonds_y(bc: str, M: int) -> int:
    """y-bonds per column: M-1 (hardwall) or M (periodic)."""
    return M if bc == "periodic" else M - 1


def draw_disorder(spec: ModelSpec, L: int, M: int, W: float, seed: int, index: int) -> Disorder:
    """Draw sample ``index`` at disorder strength ``W`` for the study ``seed``.

    The draw is a pure function of ``(seed, W, L, M, index)`` (and of the family:
    the SU(2) model also draws its bonds): first the on-site energies in x-major
    order, then (SU(2) model) the x-bonds and the y-bonds.
    """
    W = require_finite("W", W)
    if W < 0:
        raise InputError(f"disorder strength W must be >= 0, got {W}")
    rng = sample_rng(seed, sample_key(W, L, M, index))
    onsite = W * (rng.random((L, M)) - 0.5)
    if not spec.random_bonds:
        return Disorder(onsite)
    bonds_x = haar_su2(rng, (L - 1, M))
    bonds_y = haar_su2(rng, (L, num_bonds_y(spec.bc, M)))
    return Disorder(onsite, bonds_x, bonds_y)


def clean_disorder(spec: ModelSpec, L: int, M: int) -> Disorder:
    """A disorder-free sample (W = 0; for the SU(2) model, identity bonds)."""
    onsite = np.zeros((L, M))
    if not spec.random_bonds:
        return Disorder(onsite)
    bx = np.broadcast_to(_IDENTITY2, (L - 1, M, 2, 2)).copy()
    by = np.broadcast_to(_IDENTITY2, (L, num_bonds_y(spec.bc, M), 2, 2)).copy()
    return Disorder(onsite, bx, by)


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


# ----------------------------------------------------------------- the system
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
        """A disorder-free sample (W = 0; for the SU(2) model, identity bonds)."""
        return clean_disorder(self.spec, self.L, self.M)

    @staticmethod
    def params(disorder: Disorder) -> dict:
        """The ``params`` dict that Kwant's value functions of this system read."""
        params = {"onsite_energy": disorder.onsite}
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
        from betascale.thresholds import analytic_thresholds, open_channels

        if analytic_thresholds(self.spec, self.M) is not None:
            return open_channels(self.spec, self.M)
        return self.leads.N

    @property
    def site_index(self) -> np.ndarray:
        """``site_index[x, y]``: the index of site (x, y), ``x M + y`` (also in ``fsyst``)."""
        return np.arange(self.L * self.M, dtype=np.int64).reshape(self.L, self.M)

    def orbital_index(self) -> np.ndarray:
        """Orbital indices ``[x, y, orbital]`` in the Hamiltonian (of ``fsyst`` too)."""
        from betascale.lattice import orbital_index

        return orbital_index(self.L, self.M, self.norbs)

    @cached_property
    def clean_matrix(self):
        """The clean A₀ = E − H₀ (a :class:`betascale.lattice.CleanMatrix`; upper if real)."""
        from betascale.lattice import assemble

        return assemble(self.spec, self.L, self.M, upper=self.spec.is_real)

    @cached_property
    def leads(self):
        """Self-energies, Γ factors and channels of the leads (:mod:`betascale.leads`)."""
        from betascale.leads import lead_self_energies

        return lead_self_energies(self.spec, self.M)

    @cached_property
    def fsyst(self):
        """The finalized Kwant system with its leads (left = 0, right = 1), built on first use."""
        return _kwant_system(self.spec, self.L, self.M)

    @property
    def has_fsyst(self) -> bool:
        """Whether the Kwant system has been built."""
        return "fsyst" in self.__dict__


def lead_channels(lead, energy: float) -> int:
    """Number of propagating channels of a finalized lead at ``energy``."""
    propagating, _ = lead.modes(energy=energy)
    return int(propagating.velocities.size // 2)


def _peierls(spec: ModelSpec, y: int) -> complex:
    """The Peierls factor ``exp(-2 pi i phi y)`` of the x-bond at height y."""
    return np.exp(-2j * np.pi * spec.flux * y)


def clean_hopping_x(spec: ModelSpec) -> float | np.ndarray:
    """The x-hopping H[(x+1, y), (x, y)] of a clean bond, before the Peierls factor."""
    if spec.hamiltonian == "anderson":
        return -1.0
    if spec.hamiltonian == "ando":
        v2 = spec.S
        v1 = math.sqrt(1.0 - v2 * v2)
        return -(v1 * _IDENTITY2 + 1j * v2 * _SIGMA_Y)
    return -_IDENTITY2


def clean_hopping_y(spec: ModelSpec) -> float | np.ndarray:
    """The y-hopping H[(x, y+1), (x, y)] of a clean bond (no Peierls factor in this gauge)."""
    if spec.hamiltonian == "anderson":
        return -1.0
    if spec.hamiltonian == "ando":
        v2 = spec.S
        v1 = math.sqrt(1.0 - v2 * v2)
        return -(v1 * _IDENTITY2 - 1j * v2 * _SIGMA_X)
    return -_IDENTITY2


def _hopping_x(spec: ModelSpec):
    """The x-hopping of the leads and of the clean sample, as a Kwant value."""
    hop = clean_hopping_x(spec)
    if spec.flux == 0:
        return hop

    def peierls_x(to_site, from_site):
        return hop * _peierls(spec, from_site.tag[1])

    return peierls_x


def _sample_hoppings(spec: ModelSpec):
    """Kwant values of the sample's x- and y-hoppings (random bonds for SU(2))."""
    if not spec.random_bonds:
        return _hopping_x(spec), clean_hopping_y(spec)

    def sample_hop_x(to_site, from_site, bonds_x):
        x, y = from_site.tag
        return -bonds_x[x, y] * _peierls(spec, y)

    def sample_hop_y(to_site, from_site, bonds_y):
        return -bonds_y[from_site.tag[0], from_site.tag[1]]

    return sample_hop_x, sample_hop_y


def _onsite_value(spec: ModelSpec):
    if spec.norbs == 1:

        def onsite(site, onsite_energy):
            return onsite_energy[site.tag[0], site.tag[1]]

    else:

        def onsite(site, onsite_energy):
            return onsite_energy[site.tag[0], site.tag[1]] * _IDENTITY2

    return onsite


def require_spec(spec: object, name: str = "model") -> ModelSpec:
    """``spec`` if it is a :class:`ModelSpec`, else an InputError (a family name or None
    is not a model: make one with ``ModelSpec("su2", E=1.0)``)."""
    if not isinstance(spec, ModelSpec):
        raise validation.wrong_type(name, "a ModelSpec (e.g. ModelSpec('su2', E=1.0))", spec)
    return spec


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
    from betascale.resources import check_geometry_memory
    from betascale.thresholds import check_lead

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
    return DisorderedSystem(spec, L, M)


def _kwant_system(spec: ModelSpec, L: int, M: int):
    """Build and finalize the Kwant system of an ``L x M`` sample with its two leads.

    Its sites are in the order of :meth:`DisorderedSystem.site_index` (x-major),
    which the vectorized assembly (:mod:`betascale.lattice`) relies on; this is
    checked here.
    """
    import kwant

    lat = kwant.lattice.square(a=1, norbs=spec.norbs)
    sample_hop_x, sample_hop_y = _sample_hoppings(spec)
    syst = kwant.Builder()
    syst[(lat(x, y) for x in range(L) for y in range(M))] = _onsite_value(spec)
    syst[((lat(x + 1, y), lat(x, y)) for x in range(L - 1) for y in range(M))] = sample_hop_x
    ny = num_bonds_y(spec.bc, M)
    syst[((lat(x, (y + 1) % M), lat(x, y)) for x in range(L) for y in range(ny))] = sample_hop_y
    lead = lead_builder(spec, M)
    syst.attach_lead(lead)
    syst.attach_lead(lead.reversed())
    fsyst = syst.finalized()
    tags = np.array([site.tag for site in fsyst.sites])
    if not np.array_equal(tags[:, 0] * M + tags[:, 1], np.arange(L * M)):
        raise AssertionError("Kwant ordered the sites differently from betascale.lattice")
    return fsyst


def lead_builder(spec: ModelSpec, M: int):
    """The clean left lead of width M (symmetry -x), on the lattice of ``spec``."""
    import kwant

    norbs = spec.norbs
    lat = kwant.lattice.square(a=1, norbs=norbs)
    lead = kwant.Builder(kwant.TranslationalSymmetry((-1, 0)))
    lead[(lat(0, y) for y in range(M))] = 0.0 * _IDENTITY2 if norbs == 2 else 0.0
    lead[((lat(1, y), lat(0, y)) for y in range(M))] = _hopping_x(spec)
    ny = num_bonds_y(spec.bc, M)
    lead[((lat(0, (y + 1) % M), lat(0, y)) for y in range(ny))] = clean_hopping_y(spec)
    return lead


def finalized_lead(spec: ModelSpec, M: int):
    """A finalized clean lead of width M (for channel counts and thresholds)."""
    return lead_builder(spec, M).finalized()

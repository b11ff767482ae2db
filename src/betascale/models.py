"""Disordered 2D tight-binding models of the three Wigner–Dyson classes.

The conventions follow ``PHYSICS.md`` of the project:

* square lattice, lattice constant 1, hopping ``-1``; the clean band is ``[-4, 4]``;
* a sample is ``L`` sites along x (transport) by ``M`` sites along y, attached to two
  clean semi-infinite leads of width ``M`` along x with the same transverse boundary
  condition (``hardwall`` or ``periodic``);
* on-site disorder is uniform in ``[-W/2, W/2]``.

Classes
-------
``orthogonal``
    The spinless Anderson model. H is real symmetric.
``unitary``
    The same model with a uniform flux ``phi`` (flux quanta h/e per plaquette) through
    Peierls phases in the Landau gauge A = (-B y, 0): the x-bond from (x, y) to
    (x+1, y) carries ``exp(-2 pi i phi y)`` and y-bonds carry none, so the leads
    (along x) stay translation invariant and carry the same flux. The phase around a
    plaquette, walked counter-clockwise, is ``2 pi phi``.
``symplectic``
    Spin 1/2 with two orbitals per site and one of two spin–orbit models:

    * ``su2`` — the SU(2) model of Asada, Slevin & Ohtsuki, Phys. Rev. Lett. 89,
      256601 (2002) and Phys. Rev. B 70, 035115 (2004): the hopping across each bond
      is ``-R`` with R Haar-random in SU(2), drawn per sample. The leads are clean
      and spin-degenerate (hopping ``-1``).
    * ``ando`` — Ando, Phys. Rev. B 40, 5325 (1989): x-bonds carry
      ``-(V1 + i V2 sigma_y)`` and y-bonds ``-(V1 - i V2 sigma_x)``, with
      ``V2 = S`` and ``V1 = sqrt(1 - S^2)``. The leads are clean and carry the same
      spin–orbit hopping, so a clean sample (W = 0) transmits perfectly.

A hopping "from site a to site b" is the matrix element ``H[b, a]``; its reverse is
the Hermitian conjugate.

Reproducible randomness
-----------------------
The disorder of a sample is a pure function of the study seed and the sample key
(:func:`sample_key`): it is drawn from ``numpy.random.default_rng(SeedSequence([seed,
*key]))`` in a fixed order, never from global state, so any process draws the same
sample bit for bit.
"""

from __future__ import annotations

import math
import struct
from dataclasses import asdict, dataclass, field
from functools import cached_property

import numpy as np

from betascale.errors import InputError, require_finite

MODEL_CLASSES = ("orthogonal", "unitary", "symplectic")
BOUNDARY_CONDITIONS = ("hardwall", "periodic")
SOC_MODELS = ("su2", "ando")

#: Energies closer than this to a lead subband threshold are refused.
THRESHOLD_TOLERANCE = 1e-6
#: A suggested energy keeps at least this distance from every subband threshold.
SAFE_MARGIN = 0.05

_SIGMA_X = np.array([[0, 1], [1, 0]], dtype=complex)
_SIGMA_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
_IDENTITY2 = np.eye(2, dtype=complex)


# --------------------------------------------------------------------------- spec
@dataclass(frozen=True)
class ModelSpec:
    """The physics of a model, independent of sample size and disorder strength.

    Parameters
    ----------
    model
        ``"orthogonal"``, ``"unitary"`` or ``"symplectic"``.
    E
        Fermi energy in units of the hopping.
    bc
        Transverse boundary condition, ``"hardwall"`` or ``"periodic"``.
    flux
        Flux quanta per plaquette (unitary class only; 0 elsewhere).
    soc
        Spin–orbit model of the symplectic class, ``"su2"`` or ``"ando"``.
    S
        Ando spin–orbit strength ``V2`` in ``[0, 1]`` (Ando model only).
    """

    model: str = "orthogonal"
    E: float = 1.0
    bc: str = "hardwall"
    flux: float = 0.0
    soc: str = "su2"
    S: float = 0.5

    def __post_init__(self) -> None:
        if self.model not in MODEL_CLASSES:
            raise InputError(f"model must be one of {', '.join(MODEL_CLASSES)}, got {self.model!r}")
        if self.bc not in BOUNDARY_CONDITIONS:
            raise InputError(f"bc must be one of {', '.join(BOUNDARY_CONDITIONS)}, got {self.bc!r}")
        if self.soc not in SOC_MODELS:
            raise InputError(f"soc must be one of {', '.join(SOC_MODELS)}, got {self.soc!r}")
        object.__setattr__(self, "E", require_finite("E", self.E))
        object.__setattr__(self, "flux", require_finite("flux", self.flux))
        object.__setattr__(self, "S", require_finite("S", self.S))
        if self.flux != 0 and self.model != "unitary":
            raise InputError(
                f"flux is only used by the unitary model (got flux={self.flux} with "
                f"model={self.model}); use --model unitary"
            )
        if not 0.0 <= self.S <= 1.0:
            raise InputError(f"Ando spin-orbit strength S must be in [0, 1], got {self.S}")
        if abs(self.E) >= 4.0 + (0.0 if self.model != "symplectic" else 0.5):
            raise InputError(f"E = {self.E} lies outside the band: no lead channel is open")

    @property
    def norbs(self) -> int:
        """Orbitals per site: 2 in the symplectic class, 1 otherwise."""
        return 2 if self.model == "symplectic" else 1

    @property
    def is_real(self) -> bool:
        """Whether H is real symmetric (orthogonal class), allowing real arithmetic."""
        return self.model == "orthogonal"

    @property
    def random_bonds(self) -> bool:
        """Whether the hoppings of the sample are random (the SU(2) model)."""
        return self.model == "symplectic" and self.soc == "su2"

    def physics(self) -> dict:
        """The parameters that define the physics, for labels and compatibility checks."""
        out = {"model": self.model, "E": self.E, "bc": self.bc}
        if self.model == "unitary":
            out["flux"] = self.flux
        if self.model == "symplectic":
            out["soc"] = self.soc
            if self.soc == "ando":
                out["S"] = self.S
        return out

    def describe(self) -> str:
        """A short human-readable label, e.g. ``symplectic (su2), E=1, hardwall``."""
        extra = ""
        if self.model == "unitary":
            extra = f" (flux {self.flux:g})"
        elif self.model == "symplectic":
            extra = f" ({self.soc}{f', S={self.S:g}' if self.soc == 'ando' else ''})"
        return f"{self.model}{extra}, E={self.E:g}, {self.bc}"

    def to_dict(self) -> dict:
        """All fields as a plain dict."""
        return asdict(self)


# --------------------------------------------------------------------- disorder
def _float_key(value: float) -> int:
    """The IEEE-754 bit pattern of a float as a non-negative int (exact, order-free)."""
    return struct.unpack("<Q", struct.pack("<d", float(value)))[0]


def sample_key(W: float, L: int, M: int, index: int) -> tuple[int, int, int, int]:
    """The key that names one disorder sample: (bits of W, L, M, sample index).

    Together with the study seed it determines the sample completely.
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
        The hopping is ``H[to, from] = -R``.
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


# ---------------------------------------------------------------------- leads
def _transverse_energies(bc: str, M: int) -> np.ndarray:
    """Subband energies of a clean spinless strip of width M (hopping -1)."""
    if bc == "hardwall":
        m = np.arange(1, M + 1)
        return -2 * np.cos(np.pi * m / (M + 1))
    m = np.arange(M)
    return -2 * np.cos(2 * np.pi * m / M)


def _analytic_thresholds(spec: ModelSpec, M: int) -> np.ndarray | None:
    """Subband thresholds of the lead where they are known in closed form, else None."""
    if (
        spec.model == "orthogonal"
        or spec.random_bonds
        or (spec.model == "unitary" and spec.flux == 0)
    ):
        eps = _transverse_energies(spec.bc, M)
        return np.sort(np.concatenate([eps - 2, eps + 2]))
    return None


@dataclass(frozen=True)
class Geometry:
    """The size and boundary condition of one sample."""

    L: int
    M: int

    def __post_init__(self) -> None:
        for name in ("L", "M"):
            value = getattr(self, name)
            if isinstance(value, float) and not math.isfinite(value):
                raise InputError(f"{name} must be a finite integer, got {value}")
            if int(value) != value:
                raise InputError(f"{name} must be an integer, got {value}")
            object.__setattr__(self, name, int(value))
        if self.L < 2:
            raise InputError(f"L must be at least 2 (one column per lead interface), got {self.L}")
        if self.M < 1:
            raise InputError(f"M must be at least 1, got {self.M}")


# ----------------------------------------------------------------- the system
@dataclass
class DisorderedSystem:
    """A finalized Kwant system of one geometry, reused for every disorder sample.

    Build it with :func:`build_system`. The Kwant value functions read the sample's
    disorder from ``params`` (see :meth:`params`), so the same finalized system
    serves every sample.

    Attributes
    ----------
    spec, L, M
        The model and the size.
    fsyst
        The finalized ``kwant`` system with its two leads (left = 0, right = 1).
    site_index
        ``site_index[x, y]`` is the index of site (x, y) in ``fsyst.sites``.
    """

    spec: ModelSpec
    L: int
    M: int
    fsyst: object = field(repr=False)
    site_index: np.ndarray = field(repr=False)

    @property
    def norbs(self) -> int:
        """Orbitals per site."""
        return self.spec.norbs

    @property
    def num_bonds_y(self) -> int:
        """y-bonds per column: M-1 (hardwall) or M (periodic)."""
        return self.M if self.spec.bc == "periodic" else self.M - 1

    def draw_disorder(self, W: float, seed: int, index: int) -> Disorder:
        """Draw sample ``index`` at disorder strength ``W`` for the study ``seed``.

        The draw is a pure function of ``(seed, W, L, M, index)``: first the on-site
        energies in x-major order, then (SU(2) model) the x-bonds and the y-bonds.
        """
        W = require_finite("W", W)
        if W < 0:
            raise InputError(f"disorder strength W must be >= 0, got {W}")
        rng = sample_rng(seed, sample_key(W, self.L, self.M, index))
        onsite = W * (rng.random((self.L, self.M)) - 0.5)
        if not self.spec.random_bonds:
            return Disorder(onsite)
        bonds_x = haar_su2(rng, (self.L - 1, self.M))
        bonds_y = haar_su2(rng, (self.L, self.num_bonds_y))
        return Disorder(onsite, bonds_x, bonds_y)

    def clean_disorder(self) -> Disorder:
        """A disorder-free sample (W = 0; for the SU(2) model, identity bonds)."""
        onsite = np.zeros((self.L, self.M))
        if not self.spec.random_bonds:
            return Disorder(onsite)
        bx = np.broadcast_to(_IDENTITY2, (self.L - 1, self.M, 2, 2)).copy()
        by = np.broadcast_to(_IDENTITY2, (self.L, self.num_bonds_y, 2, 2)).copy()
        return Disorder(onsite, bx, by)

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
        """N, the number of open channels of a lead at the energy E (both spins)."""
        return lead_channels(self.fsyst.leads[0], self.spec.E)

    def orbital_index(self) -> np.ndarray:
        """Orbital indices ``[x, y, orbital]`` in the Hamiltonian of ``fsyst``."""
        n = self.norbs
        return self.site_index[..., None] * n + np.arange(n)


def lead_channels(lead, energy: float) -> int:
    """Number of propagating channels of a finalized lead at ``energy``."""
    propagating, _ = lead.modes(energy=energy)
    return int(propagating.velocities.size // 2)


def _hopping_x(spec: ModelSpec):
    """The x-hopping H[(x+1, y), (x, y)] of the leads and of the clean sample."""
    if spec.model == "orthogonal":
        return -1.0
    if spec.model == "unitary":
        phi = spec.flux

        def peierls_x(to_site, from_site):
            return -np.exp(-2j * np.pi * phi * from_site.tag[1])

        return peierls_x
    if spec.soc == "ando":
        v2 = spec.S
        v1 = math.sqrt(1.0 - v2 * v2)
        return -(v1 * _IDENTITY2 + 1j * v2 * _SIGMA_Y)
    return -_IDENTITY2


def _hopping_y(spec: ModelSpec):
    """The y-hopping H[(x, y+1), (x, y)] of the leads and of the clean sample."""
    if spec.model != "symplectic":
        return -1.0
    if spec.soc == "ando":
        v2 = spec.S
        v1 = math.sqrt(1.0 - v2 * v2)
        return -(v1 * _IDENTITY2 - 1j * v2 * _SIGMA_X)
    return -_IDENTITY2


def validate_geometry(spec: ModelSpec, L: int, M: int | None = None) -> tuple[int, int]:
    """Check that an ``L x M`` sample of ``spec`` can be built; return ``(L, M)``.

    This is cheap (no Kwant system is built), so a study checks every size up front.

    Raises
    ------
    InputError
        For a bad size, a flux that periodic boundaries cannot carry, or an energy
        on (or within :data:`THRESHOLD_TOLERANCE` of) a lead subband threshold; the
        message suggests a safe energy nearby.
    """
    geometry = Geometry(L, L if M is None else M)
    L, M = geometry.L, geometry.M
    if spec.bc == "periodic" and M < 3:
        raise InputError(f"periodic boundaries need M >= 3, got M = {M}")
    if spec.model == "unitary" and spec.bc == "periodic":
        phase_sum = spec.flux * M
        if abs(phase_sum - round(phase_sum)) > 1e-9:
            raise InputError(
                f"flux {spec.flux} per plaquette is incompatible with periodic boundaries of "
                f"width M = {M}: flux*M must be an integer (e.g. flux = {1 / M:.6g})"
            )
    check_energy(spec, M)
    return L, M


def build_system(spec: ModelSpec, L: int, M: int | None = None) -> DisorderedSystem:
    """Build and finalize the Kwant system of ``spec`` for an ``L x M`` sample.

    Parameters
    ----------
    spec
        The model.
    L, M
        Sample length (along the leads) and width; ``M`` defaults to ``L``.

    Raises
    ------
    InputError
        As :func:`validate_geometry`, or if no lead channel is open at E.
    """
    import kwant

    L, M = validate_geometry(spec, L, M)
    norbs = spec.norbs
    lat = kwant.lattice.square(a=1, norbs=norbs)
    periodic = spec.bc == "periodic"
    hop_x = _hopping_x(spec)
    hop_y = _hopping_y(spec)

    if norbs == 1:

        def onsite(site, onsite_energy):
            return onsite_energy[site.tag[0], site.tag[1]]

    else:

        def onsite(site, onsite_energy):
            return onsite_energy[site.tag[0], site.tag[1]] * _IDENTITY2

    if spec.random_bonds:

        def sample_hop_x(to_site, from_site, bonds_x):
            return -bonds_x[from_site.tag[0], from_site.tag[1]]

        def sample_hop_y(to_site, from_site, bonds_y):
            return -bonds_y[from_site.tag[0], from_site.tag[1]]

    else:
        sample_hop_x, sample_hop_y = hop_x, hop_y

    syst = kwant.Builder()
    syst[(lat(x, y) for x in range(L) for y in range(M))] = onsite
    syst[((lat(x + 1, y), lat(x, y)) for x in range(L - 1) for y in range(M))] = sample_hop_x
    ny = M if periodic else M - 1
    syst[((lat(x, (y + 1) % M), lat(x, y)) for x in range(L) for y in range(ny))] = sample_hop_y

    lead = _lead_builder(spec, M)
    syst.attach_lead(lead)
    syst.attach_lead(lead.reversed())
    fsyst = syst.finalized()

    site_index = np.empty((L, M), dtype=np.int64)
    for i, site in enumerate(fsyst.sites):
        site_index[site.tag[0], site.tag[1]] = i
    system = DisorderedSystem(spec, L, M, fsyst, site_index)
    if system.num_channels == 0:
        raise InputError(f"no lead channel is open at E = {spec.E} for M = {M}")
    return system


# ------------------------------------------------------------ energy checks
def _lead_builder(spec: ModelSpec, M: int):
    """The clean left lead of width M (symmetry -x), on the lattice of ``spec``."""
    import kwant

    norbs = spec.norbs
    lat = kwant.lattice.square(a=1, norbs=norbs)
    ny = M if spec.bc == "periodic" else M - 1
    lead = kwant.Builder(kwant.TranslationalSymmetry((-1, 0)))
    lead[(lat(0, y) for y in range(M))] = 0.0 * _IDENTITY2 if norbs == 2 else 0.0
    lead[((lat(1, y), lat(0, y)) for y in range(M))] = _hopping_x(spec)
    lead[((lat(0, (y + 1) % M), lat(0, y)) for y in range(ny))] = _hopping_y(spec)
    return lead


def _lead_only(spec: ModelSpec, M: int):
    """A finalized clean lead of width M (used to probe thresholds)."""
    return _lead_builder(spec, M).finalized()


def _numeric_channels(lead, energy: float) -> int | None:
    """Open channels at ``energy``, or None where Kwant fails (a threshold)."""
    try:
        return lead_channels(lead, energy)
    except RuntimeError:
        return None


def _near_threshold_numeric(lead, energy: float, delta: float) -> bool:
    counts = {_numeric_channels(lead, energy + s * delta) for s in (-1, 0, 1)}
    return None in counts or len(counts) > 1


def suggest_energy(spec: ModelSpec, M: int, margin: float = SAFE_MARGIN) -> float:
    """The energy nearest to ``spec.E`` that keeps ``margin`` from every lead threshold."""
    thresholds = _analytic_thresholds(spec, M)
    steps = 0.005 * np.arange(1, 200)
    candidates = np.ravel(np.column_stack([spec.E + steps, spec.E - steps]))
    if thresholds is not None:
        for e in candidates:
            if abs(e) < 4 and np.min(np.abs(thresholds - e)) >= margin:
                return float(round(e, 6))
        return float(spec.E)
    lead = _lead_only(spec, M)
    for e in candidates[:40]:
        if not _near_threshold_numeric(lead, e, margin):
            return float(round(e, 6))
    return float(spec.E)


def check_energy(spec: ModelSpec, M: int) -> None:
    """Refuse an energy on a lead subband threshold, with a safe energy nearby.

    At a threshold a lead mode has zero velocity and the scattering problem is
    singular (Kwant raises ``RuntimeError``). Thresholds are known in closed form
    for spinless leads without flux; elsewhere they are located by counting the
    open channels at ``E`` and ``E +- THRESHOLD_TOLERANCE``.
    """
    thresholds = _analytic_thresholds(spec, M)
    if thresholds is not None:
        near = np.min(np.abs(thresholds - spec.E)) < THRESHOLD_TOLERANCE
    else:
        near = _near_threshold_numeric(_lead_only(spec, M), spec.E, THRESHOLD_TOLERANCE)
    if near:
        safe = suggest_energy(spec, M)
        raise InputError(
            f"E = {spec.E} is on a subband threshold of the {spec.bc} lead of width M = {M} "
            f"(a lead mode has zero velocity there); use a nearby energy such as E = {safe:g}"
        )

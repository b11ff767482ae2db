"""Any two-terminal Kwant system as a Hamiltonian family: :class:`KwantFamily`.

A user brings a function ``build(L, M)`` that returns a :class:`kwant.Builder` of the
clean scattering region of length L and width M with exactly two leads attached
(lead 0 on the left, lead 1 on the right), whose values need no parameters (bind
them with a closure or :func:`functools.partial`), and every site family has its
``norbs`` set. betascale then

* builds and finalizes it once per geometry (:class:`KwantSystem`), takes the clean
  Hamiltonian from ``hamiltonian_submatrix(sparse=True)`` into the fast solver's
  matrix (:mod:`betascale.models.kwant_matrix`) and the lead self-energies from
  Kwant's ``modes`` (``StabilizedModes.selfenergy``), once per geometry;
* adds to each sample only its on-site disorder, drawn vectorized from the sample's
  generator (:mod:`betascale.models.kwant_disorder`): a pure function of the study
  seed and the sample key;
* checks the declared symmetry class where it can: a real H for ``"orthogonal"``
  (every geometry), a complex one for ``"unitary"``, and for ``"symplectic"`` the
  Kramers degeneracy of the transmission eigenvalues of the first sample (seed 0,
  W = 1) of the check geometry :attr:`KwantFamily.check_size`;
* records in the physics of a study (:meth:`KwantFamily.physics`) the disorder and a
  fingerprint of the system: the SHA-256 of its clean Hamiltonian at the check
  geometry (canonical numbering, E = 0), its interface orbitals, its disordered
  orbitals and its lead Hamiltonians, rounded to 1e-12, so a store refuses a changed
  system on resume.

The flux and the transverse boundary condition of the built-in families do not apply:
they are the builder's own.
"""

from __future__ import annotations

import hashlib
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from betascale import validation
from betascale.errors import InputError
from betascale.kwant_import import import_kwant
from betascale.leads import LeadSelfEnergies, gamma_factor
from betascale.models.disorder import Disorder, sample_key, sample_rng, strength
from betascale.models.family import Family
from betascale.models.kwant_disorder import DisorderSites, OnsiteDisorder, check_disorder
from betascale.models.kwant_matrix import KwantMatrix, assemble_kwant, site_orbitals

if TYPE_CHECKING:  # spec imports the built-in families, one of which (honeycomb) is a KwantFamily
    import kwant

    from betascale.models.spec import ModelSpec

#: The Kwant parameter through which the reference system reads a sample's disorder.
ONSITE_PARAMETER = "betascale_onsite"
#: Transmission eigenvalues of a symplectic sample come in pairs equal to this.
KRAMERS_TOLERANCE = 1e-8
#: Imaginary parts of H below this (relative to its largest entry) count as zero.
REAL_TOLERANCE = 1e-13
#: Values are rounded to this many decimals in the fingerprint.
FINGERPRINT_DECIMALS = 12


class KwantFamily(Family):
    """A family made of any two-terminal Kwant builder (see the module docstring).

    Parameters
    ----------
    build
        ``build(L, M)``: a :class:`kwant.Builder` of the clean scattering region with
        exactly two leads of the same width attached.
    disorder
        An :class:`~betascale.models.kwant_disorder.OnsiteDisorder` (default: box, on
        every orbital of every site of the scattering region) or a
        :class:`~betascale.models.kwant_disorder.FunctionDisorder`.
    symmetry
        The declared class without flux: ``"orthogonal"`` (checked: H real),
        ``"unitary"`` (checked: H not real) or ``"symplectic"`` (checked: Kramers pairs).
    name
        The registry name (as in ``ModelSpec(name)``); the label too unless ``label``.
    check_size
        The geometry ``(L, M)`` of the fingerprint and of the symplectic check.

    Examples
    --------
    >>> import kwant
    >>> def build(L, M):
    ...     lat = kwant.lattice.square(norbs=1)
    ...     syst = kwant.Builder()
    ...     syst[(lat(x, y) for x in range(L) for y in range(M))] = 0
    ...     syst[lat.neighbors()] = -1
    ...     lead = kwant.Builder(kwant.TranslationalSymmetry((-1, 0)))
    ...     lead[(lat(0, y) for y in range(M))] = 0
    ...     lead[lat.neighbors()] = -1
    ...     syst.attach_lead(lead)
    ...     syst.attach_lead(lead.reversed())
    ...     return syst
    >>> family = KwantFamily(build, name="doc-square")
    >>> ModelSpec(family, E=0.3).describe()
    'doc-square (orthogonal), E=0.3, hardwall'
    """

    random_bonds = False
    separable_lead = False
    symmetry_with_flux = "unitary"
    max_energy = sys.float_info.max

    def __init__(
        self,
        build: Callable,
        disorder: object | None = None,
        symmetry: str = "orthogonal",
        name: str = "kwant",
        label: str | None = None,
        check_size: tuple[int, int] = (6, 6),
    ) -> None:
        if not callable(build):
            raise validation.wrong_type("build", "a function build(L, M)", build)
        self.build = build
        self.disorder = check_disorder(OnsiteDisorder() if disorder is None else disorder)
        self.symmetry = validation.choice(
            "symmetry", symmetry, ("orthogonal", "unitary", "symplectic")
        )
        self.real = symmetry == "orthogonal"
        self.name = name
        self.label = name if label is None else label
        self.check_size = _check_size(check_size)
        self._checked: dict[str, str] = {}

    # ------------------------------------------------------------ Family API
    def hopping_x(self, spec: ModelSpec) -> np.ndarray:
        """No square-lattice hopping: zero (the lead is the builder's, :meth:`lead`)."""
        return np.zeros((self.norbs, self.norbs))

    hopping_y = hopping_x

    def draw(self, spec: ModelSpec, rng: np.random.Generator, L: int, M: int, W: float) -> Disorder:
        """The disorder of one sample of an ``L x M`` geometry, drawn from ``rng``."""
        return self.make_system(spec, L, M).draw(rng, W)

    def clean(self, spec: ModelSpec, L: int, M: int) -> Disorder:
        """No disorder: zero on every disordered orbital."""
        return self.make_system(spec, L, M).clean_disorder()

    def check_spec(self, spec: ModelSpec) -> None:
        """Refuse a flux or periodic boundaries (the builder's own)."""
        if spec.flux != 0:
            raise InputError(
                f"family {self.name!r} takes no flux: its Hamiltonian is its Kwant builder's "
                "(Peierls phases belong in the builder)"
            )
        if spec.bc != "hardwall":
            raise InputError(
                f"family {self.name!r} takes no bc: its boundaries are its Kwant builder's"
            )

    def make_system(self, spec: ModelSpec, L: int, M: int) -> KwantSystem:
        """The :class:`KwantSystem` of an ``L x M`` geometry (the builder is built now)."""
        self.verify(spec)
        return KwantSystem(spec, L, M, self.builder(L, M))

    def lead(self, spec: ModelSpec, M: int):
        """The left lead of width M (a Builder with a translational symmetry)."""
        return self.builder(self.check_size[0], M).leads[0].builder

    def physics(self, spec: ModelSpec) -> dict:
        """The disorder and the :meth:`fingerprint` of the system."""
        return {"disorder": self.disorder.describe(), "fingerprint": self.verify(spec)}

    def describe(self, spec: ModelSpec) -> str:
        """The label."""
        return self.label

    # -------------------------------------------------------------- checks
    def builder(self, L: int, M: int):
        """``build(L, M)``, checked: a Builder with two leads of the same width."""
        kwant = import_kwant()

        try:
            syst = self.build(L, M)
        except Exception as err:  # the user's code can raise anything
            raise InputError(
                f"family {self.name!r}: build({L}, {M}) failed: {type(err).__name__}: {err}"
            ) from None
        if not isinstance(syst, kwant.Builder):
            raise InputError(
                f"family {self.name!r}: build({L}, {M}) must return a kwant.Builder, "
                f"got {type(syst).__name__}"
            )
        if len(syst.leads) != 2:
            raise InputError(
                f"family {self.name!r}: build({L}, {M}) must attach exactly two leads, "
                f"got {len(syst.leads)}"
            )
        return syst

    def verify(self, spec: ModelSpec) -> str:
        """Check the declared class at the check geometry (once); return the fingerprint."""
        key = repr(spec.to_dict())
        if key not in self._checked:
            system = KwantSystem(spec, *self.check_size, self.builder(*self.check_size))
            system.sites  # noqa: B018 -- a disorder that names no site of the sample is refused
            if self.symmetry == "symplectic":
                check_kramers(system)
            self._checked[key] = system.fingerprint()
        return self._checked[key]


def _check_size(value: object) -> tuple[int, int]:
    """The check geometry ``(L, M)``: two integers of at least 2."""
    size = validation.sequence("check_size", value)
    if len(size) != 2:
        raise InputError(f"check_size must be two integers (L, M), got {validation.show(value)}")
    L, M = (validation.integer("check_size", n, low=2) for n in size)
    return L, M


def check_kramers(system: KwantSystem) -> None:
    """Refuse a symplectic family whose first sample (seed 0, W = 1) has no Kramers pairs."""
    kwant = import_kwant()

    disorder = system.draw_disorder(1.0, 0, 0)
    smatrix = kwant.smatrix(system.fsyst, system.spec.E, params=system.params(disorder))
    t = smatrix.submatrix(1, 0)
    eig = np.sort(np.linalg.svd(t, compute_uv=False) ** 2)
    if eig.size == 0:
        raise InputError(
            f"family {system.family.name!r} is declared symplectic, but its check geometry "
            f"{system.L}x{system.M} has no open channel at E = {system.spec.E:g}, so the "
            "Kramers pairs cannot be checked: give a wider check_size"
        )
    paired = eig.size % 2 == 0 and np.allclose(eig[0::2], eig[1::2], rtol=0, atol=KRAMERS_TOLERANCE)
    if not paired:
        raise InputError(
            f"family {system.family.name!r} is declared symplectic, but the transmission "
            f"eigenvalues of its first sample are not Kramers pairs: {np.round(eig, 6).tolist()}"
        )


@dataclass(eq=False)
class KwantSystem:
    """One geometry of a :class:`KwantFamily`, reused for every disorder sample.

    It offers what the solvers read of a
    :class:`~betascale.models.system.DisorderedSystem`: :attr:`clean_matrix`,
    :attr:`leads`, :attr:`num_channels`, :meth:`draw_disorder`, and for the ``kwant``
    solver :attr:`fsyst` (the builder again, its disordered on-site values reading
    the sample's energies from ``params``, :meth:`params`).
    """

    spec: ModelSpec
    L: int
    M: int
    syst: kwant.Builder

    @property
    def family(self) -> KwantFamily:
        """The family."""
        family = self.spec.family
        if not isinstance(family, KwantFamily):
            raise TypeError(f"a KwantSystem needs a KwantFamily, got {type(family).__name__}")
        return family

    @cached_property
    def finalized(self):
        """The finalized clean system (the user's builder)."""
        return self.syst.finalized()

    @cached_property
    def hamiltonian(self):
        """The clean H of the scattering region (sparse, Kwant's numbering), checked."""
        h = self.finalized.hamiltonian_submatrix(sparse=True).tocoo()
        leads = [lead.cell_hamiltonian() for lead in self.finalized.leads]
        leads += [lead.inter_cell_hopping() for lead in self.finalized.leads]
        scale = max(_largest(x) for x in [h.data, *leads])
        imag = max(_largest(np.imag(x)) for x in [h.data, *leads])
        real = imag <= REAL_TOLERANCE * max(scale, 1.0)
        symmetry, name = self.family.symmetry, self.family.name
        if symmetry == "orthogonal" and not real:
            raise InputError(f"family {name!r} is declared orthogonal, but its H is not real")
        if symmetry == "unitary" and real:
            raise InputError(f"family {name!r} is declared unitary, but its H is real (orthogonal)")
        return h

    @cached_property
    def sites(self) -> tuple[DisorderSites, np.ndarray]:
        """The disordered sites, and their orbitals (Kwant's numbering) in the order of the draw."""
        fsyst = self.finalized
        offsets, norbs = site_orbitals(fsyst)
        padding = np.zeros(norbs.size, dtype=bool)
        for pad in fsyst.lead_paddings:
            padding[np.asarray(pad, dtype=np.int64)] = True
        names = np.array([str(site.family.name) for site in fsyst.sites], dtype=object)
        positions = np.array([site.pos for site in fsyst.sites], dtype=float).reshape(
            norbs.size, -1
        )
        inside = np.flatnonzero(~padding)
        self.family.disorder.check_selection(names[inside].tolist(), norbs[inside].tolist())
        chosen = [
            self.family.disorder.selects(names[s], int(norbs[s])) if not padding[s] else ()
            for s in range(norbs.size)
        ]
        counts = np.array([len(c) for c in chosen], dtype=np.int64)
        keep = np.flatnonzero(counts)
        keep = keep[np.lexsort(positions[keep].T[::-1])]
        orbitals = np.concatenate([offsets[s] + np.asarray(chosen[s]) for s in keep] or [[]])
        site_of = np.repeat(np.arange(keep.size), counts[keep])
        table = DisorderSites(positions[keep], names[keep], site_of)
        return table, orbitals.astype(np.int64)

    @cached_property
    def _prepared(self) -> object:
        return self.family.disorder.prepare(self.sites[0])

    @cached_property
    def clean_matrix(self) -> KwantMatrix:
        """The clean A₀ = E − H₀ (:mod:`betascale.models.kwant_matrix`)."""
        h = self.hamiltonian
        return assemble_kwant(self.finalized, self.spec, self.L, h, self.sites[1], self.family.real)

    @cached_property
    def leads(self) -> LeadSelfEnergies:
        """The retarded self-energies of the two leads from Kwant's modes, and their Γ factors."""
        sigmas, channels = [], []
        for lead in self.finalized.leads:
            propagating, stabilized = lead.modes(energy=self.spec.E)
            sigmas.append(np.asarray(stabilized.selfenergy()))
            channels.append(int(propagating.velocities.size // 2))
        if sigmas[0].shape != sigmas[1].shape or channels[0] != channels[1]:
            raise InputError(
                f"family {self.family.name!r}: the two leads differ in width "
                f"({sigmas[0].shape[0]} and {sigmas[1].shape[0]} orbitals, "
                f"{channels[0]} and {channels[1]} open channels at E = {self.spec.E})"
            )
        u_left, u_right = gamma_factor(sigmas[0]), gamma_factor(sigmas[1])
        return LeadSelfEnergies(sigmas[0], sigmas[1], u_left, u_right, channels[0], "kwant")

    @property
    def num_channels(self) -> int:
        """N, the open channels of one lead at E (from Kwant's modes)."""
        return self.leads.N

    @property
    def norbs(self) -> int:
        """Orbitals per site as the family declares it (sites may differ)."""
        return self.spec.norbs

    def draw(self, rng: np.random.Generator, W: float) -> Disorder:
        """The disorder drawn from ``rng`` at strength W: one energy per disordered orbital."""
        table = self.sites[0]
        return Disorder(self.family.disorder.draw(rng, W, table, self._prepared))

    def draw_disorder(self, W: float, seed: int, index: int) -> Disorder:
        """Sample ``index`` at strength W of the study ``seed`` (a pure function of them)."""
        W = strength(W)
        return self.draw(sample_rng(seed, sample_key(W, self.L, self.M, index)), W)

    def clean_disorder(self) -> Disorder:
        """A disorder-free sample."""
        return Disorder(np.zeros(self.sites[0].num_orbitals))

    @staticmethod
    def params(disorder: Disorder) -> dict:
        """The ``params`` of :attr:`fsyst` for one sample."""
        return {ONSITE_PARAMETER: disorder.onsite}

    @cached_property
    def fsyst(self):
        """The reference Kwant system: the builder again, the disorder read from ``params``."""
        syst = self.family.builder(self.L, self.M)
        fsyst, (_, orbitals) = self.finalized, self.sites
        offsets, norbs = site_orbitals(fsyst)
        site_of = np.repeat(np.arange(norbs.size), norbs)
        first = offsets[site_of[orbitals]]
        for k in np.unique(site_of[orbitals]):
            picks = np.flatnonzero(site_of[orbitals] == k)
            within = (orbitals[picks] - first[picks]).astype(np.int64)
            site = fsyst.sites[k]
            syst[site] = _with_onsite(syst[site], within, picks, int(norbs[k]))
        return syst.finalized()

    @property
    def has_fsyst(self) -> bool:
        """Whether the reference Kwant system has been built."""
        return "fsyst" in self.__dict__

    def fingerprint(self) -> str:
        """The first 16 hex digits of the SHA-256 of the system (see the module docstring)."""
        digest = hashlib.sha256()
        at_zero = assemble_kwant(
            self.finalized, type(self.spec)(self.family, E=0.0), self.L, self.hamiltonian,
            self.sites[1], real=False,
        )  # fmt: skip
        arrays = [at_zero.indptr, at_zero.cols, at_zero.values, at_zero.onsite_positions]
        arrays += list(at_zero.interfaces)
        for lead in self.finalized.leads:
            arrays += [lead.cell_hamiltonian(), lead.inter_cell_hopping()]
        for array in arrays:
            array = np.asarray(array)
            if array.dtype.kind in "fc":
                array = np.round(array.astype(complex), FINGERPRINT_DECIMALS) + 0.0
            digest.update(str(array.shape).encode())
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()[:16]


def _largest(values) -> float:
    """The largest modulus in ``values`` (0 if empty)."""
    return float(np.max(np.abs(values), initial=0.0))


def _with_onsite(base, within: np.ndarray, picks: np.ndarray, norbs: int):
    """The on-site value ``base`` plus the sample's energies ``onsite[picks]`` on the orbitals
    ``within`` of the site, read from the parameter :data:`ONSITE_PARAMETER`."""

    def add(value, onsite):
        if norbs == 1:
            return value + onsite[picks[0]]
        out = np.array(value, dtype=complex).reshape(norbs, norbs)
        out[within, within] += onsite[picks]
        return out

    if not callable(base):

        def constant(site, betascale_onsite):
            return add(base, betascale_onsite)

        return constant
    signature = inspect.signature(base)
    extra = inspect.Parameter(ONSITE_PARAMETER, inspect.Parameter.POSITIONAL_OR_KEYWORD)

    def function(site, *args):
        *rest, onsite = args
        return add(base(site, *rest), onsite)

    parameters = [*signature.parameters.values(), extra]
    # typeshed's function type lacks __signature__, which inspect.signature reads
    function.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return function


__all__ = [
    "FINGERPRINT_DECIMALS",
    "ONSITE_PARAMETER",
    "KwantFamily",
    "KwantSystem",
    "check_kramers",
]

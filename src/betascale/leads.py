"""Self-energies of the two clean leads of a geometry, and the factors of their Γ.

The leads are defined here (:func:`lead_builder`: M sites wide, the sample's
transverse boundary condition, the family's clean hoppings and the flux). With the
field only in the sample (``ModelSpec.field_in_leads`` false) the leads are the
field-free leads of the family (:func:`lead_model`), and the right one carries the
constant vector potential of the sample's last column, a pure gauge
(:func:`right_lead_phases`). This module computes, once per geometry, what the fast
solver needs of them: the retarded self-energies Σ_L and Σ_R on the interface
columns (orbitals in ``(y, orbital)`` order), factors U with ``Γ = i(Σ − Σ†) = U U†``
and the number N of open channels.

Two routes give the same Σ:

``kwant``
    Kwant's mode solver on the finalized lead (``lead.modes``, whose stabilized
    modes give Σ), for the left lead and for its reversed copy. This is what the
    solver always used, so results computed before reproduce bit for bit. It
    solves a dense eigenproblem of size 2 M norbs, which costs ~25 s at M = 1024
    (spinless) on one core, and 8 times more with spin.
``closed``
    The closed form for leads that separate into transverse modes, without flux: the
    leads of families declared separable
    (:attr:`~betascale.models.family.Family.separable_lead`: ``norbs`` copies of the
    spinless square-lattice lead, as the Anderson and SU(2) models have). With
    transverse eigenvectors φ_m and energies ε_m of the clean strip, each mode is
    a semi-infinite chain with on-site ε_m and hopping −1, whose surface Green's
    function is ``g(z) = (z − i sqrt(4 − z²))/2`` for ``|z| < 2`` and
    ``(z − sign(z) sqrt(z² − 4))/2`` otherwise, ``z = E − ε_m`` (Economou, *Green's
    Functions in Quantum Physics*, 3rd ed., 2006, ch. 5; Datta, *Electronic
    Transport in Mesoscopic Systems*, 1995, ch. 3). Then
    ``Σ = Σ_m φ_m g(z_m) φ_mᵀ`` (Toeplitz-plus-Hankel or circulant, built in
    O(M²): :func:`closed_form_sigma`) and ``U = φ_open sqrt(sqrt(4 − z²))``; the
    right lead is the mirror image of the left one, so Σ_R = Σ_L. Agrees with
    Kwant's Σ to ~1e-14.

:func:`lead_self_energies` takes Kwant's route for leads of at most
:data:`KWANT_LEAD_MAX_ORBITALS` orbitals (cheap there, and bit-compatible with
earlier results) and for leads without a closed form (flux, or a family whose lead
is not separable, as the Ando model's), and the closed form for wider separable
leads. Wider separable leads with flux are solved once, spinless
(:meth:`~betascale.models.family.Family.lead_probe`): such a lead is the spinless
lead times the identity on its orbitals, and the right lead of a spinless model is
the transpose of the left one; that spinless lead is solved in real arithmetic (Kwant's
``physics.modes`` on real matrices, half the CPU time at M = 1024), in the basis
where its antiunitary mirror symmetry makes it real (:func:`real_mirror_lead`), which
changes Σ by about 1e-13 from the complex solve. Field-free leads of a model with
flux take the route of their zero-field model (closed form where separable), and the
right lead's Σ and U are then gauge transformed: ``Σ_R → D Σ_R D†``, ``U_R → D U_R`` with
``D = diag(exp(2 pi i phi (L-1) y))`` on the interface (:func:`right_lead_phases`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.linalg as sla

from betascale.kwant_import import import_kwant
from betascale.lattice import kwant_hopping_x, num_bonds_y, peierls_bonds, peierls_factor_y
from betascale.resources import KWANT_LEAD_MAX_ORBITALS

if TYPE_CHECKING:
    from betascale.models import ModelSpec

#: A transfer eigenvalue with ``abs(ln|lambda|)`` below this is a propagating mode.
UNIMODULAR_TOLERANCE = 1e-8
#: ... and one between the two tolerances cannot be classified (a threshold is near).
EVANESCENT_TOLERANCE = 1e-5


@dataclass(frozen=True, eq=False)
class LeadSelfEnergies:
    """What the solvers need of the two leads of a geometry.

    Attributes
    ----------
    sigma_left, sigma_right
        Retarded self-energies on the interface columns x = 0 and x = L − 1,
        shape ``(M norbs, M norbs)``, orbitals in ``(y, orbital)`` order.
    u_left, u_right
        Factors with ``Γ = i(Σ − Σ†) = U U†``, shape ``(M norbs, N)``.
    N
        Open channels of one lead (both spins).
    route
        ``"kwant"`` or ``"closed"`` (see the module docstring).
    """

    sigma_left: np.ndarray
    sigma_right: np.ndarray
    u_left: np.ndarray
    u_right: np.ndarray
    N: int
    route: str


def gamma_factor(sigma: np.ndarray, real: bool = False) -> np.ndarray:
    """U with Γ = i(Σ − Σ†) = U U†, keeping the non-zero (open-channel) part.

    With ``real`` only the real part of Γ is kept (a Γ real up to rounding, as a real
    Hamiltonian's lead has: a real symmetric eigenproblem, and a real U).
    """
    gamma = 1j * (sigma - sigma.conj().T)
    gamma = 0.5 * (gamma + gamma.conj().T)
    if real:
        gamma = gamma.real
    values, vectors = np.linalg.eigh(gamma)
    keep = values > 1e-12 * max(1.0, float(np.max(np.abs(values))))
    return vectors[:, keep] * np.sqrt(values[keep])


def lead_model(spec: ModelSpec) -> ModelSpec:
    """The model of the (left) lead: ``spec`` itself with the field in the leads, else
    ``spec`` at zero flux (the family's field-free lead; see ``field_in_leads``)."""
    return spec if peierls_bonds(spec) != "y" else spec.with_flux(0.0)


def right_lead_phases(spec: ModelSpec, L: int, M: int) -> np.ndarray | None:
    """The gauge factors ``exp(2 pi i phi (L-1) y)``, y = 0..M-1, of the right lead; None if
    it is the mirror image of the left one (no flux, or the field in the leads).

    With the field only in the sample (gauge A = (0, B x),
    :func:`betascale.lattice.peierls_factor_y`) the right lead keeps the vector potential
    ``A_y`` of the last column x = L-1: its y-bonds carry ``exp(i theta)``,
    ``theta = 2 pi phi (L-1)``. That is the field-free lead in the gauge
    ``psi(y) -> exp(i theta y) psi(y)``, so ``Σ_R = D Σ D†`` with D the diagonal of
    these factors (on each orbital). With periodic boundaries this holds if
    ``exp(i theta M) = 1``, which ``phi M`` integer (required by
    :func:`betascale.thresholds.check_lead`) guarantees.
    """
    if peierls_bonds(spec) != "y":
        return None
    return np.array([peierls_factor_y(spec.flux, (L - 1) * y) for y in range(M)])


def lead_builder(spec: ModelSpec, M: int, column: int | None = None):
    """The clean left lead of width M (symmetry -x), on the lattice of ``spec``.

    On-site zero; the family's clean hoppings, the x-hopping with the Peierls factor
    (:func:`betascale.lattice.kwant_hopping_x`); or the family's own lead
    (:meth:`~betascale.models.family.Family.lead`). With the field only in the sample
    the lead is field-free (:func:`lead_model`), and ``column`` gives its y-bonds the
    sample's Peierls factor of that column (``column = L - 1``, reversed: the right
    lead, as :func:`right_lead_phases` describes it).
    """
    kwant = import_kwant()  # a heavy import, kept off ``import betascale``

    custom = spec.family.lead(spec, M)  # a family off the square lattice brings its own
    if custom is not None:
        return custom
    model, norbs = lead_model(spec), spec.norbs
    hop_y: complex | np.ndarray = spec.family.hopping_y(model)
    if column is not None and peierls_bonds(spec) == "y":
        hop_y = hop_y * peierls_factor_y(spec.flux, column)
    lat = kwant.lattice.square(a=1, norbs=norbs)
    lead = kwant.Builder(kwant.TranslationalSymmetry((-1, 0)))
    lead[(lat(0, y) for y in range(M))] = 0.0 * np.eye(norbs, dtype=complex) if norbs > 1 else 0.0
    lead[((lat(1, y), lat(0, y)) for y in range(M))] = kwant_hopping_x(model)
    ny = num_bonds_y(spec.bc, M)
    lead[((lat(0, (y + 1) % M), lat(0, y)) for y in range(ny))] = hop_y
    return lead


def finalized_lead(spec: ModelSpec, M: int):
    """A finalized clean lead of width M (for channel counts and thresholds)."""
    return lead_builder(spec, M).finalized()


def lead_channels(lead, energy: float) -> int:
    """Number of propagating channels of a finalized lead at ``energy``."""
    propagating, _ = lead.modes(energy=energy)
    return int(propagating.velocities.size // 2)


def has_closed_form(spec: ModelSpec) -> bool:
    """Whether the leads of ``spec`` separate into transverse modes (a separable lead
    without flux in it: :meth:`~betascale.models.family.Family.closed_form_lead` of the
    :func:`lead_model`)."""
    model = lead_model(spec)
    return model.family.closed_form_lead(model)


def lead_self_energies(
    spec: ModelSpec, M: int, route: str = "auto", L: int | None = None
) -> LeadSelfEnergies:
    """Self-energies, Γ factors and open channels of the leads of width ``M``.

    Parameters
    ----------
    spec
        The model.
    M
        Lead width in sites.
    route
        ``"auto"`` (see the module docstring), ``"kwant"`` or ``"closed"``.
    L
        Sample length: needed with the field only in the sample, whose right lead
        depends on it (:func:`right_lead_phases`).
    """
    if L is None and peierls_bonds(spec) == "y":
        raise ValueError("field-free leads with flux: give the sample length L")
    column = right_lead_phases(spec, L, M) if L is not None else None
    phases = None if column is None else np.repeat(column, spec.norbs)
    if phases is not None:
        spec = lead_model(spec)
    leads = _lead_self_energies(spec, M, route)
    if phases is None:
        return leads
    sigma_right = phases[:, None] * leads.sigma_right * phases.conj()[None, :]
    u_right = phases[:, None] * leads.u_right
    return LeadSelfEnergies(
        leads.sigma_left, sigma_right, leads.u_left, u_right, leads.N, leads.route
    )


def _lead_self_energies(spec: ModelSpec, M: int, route: str) -> LeadSelfEnergies:
    """:func:`lead_self_energies` of leads that are mirror images of each other."""
    if route == "auto":
        small = M * spec.norbs <= KWANT_LEAD_MAX_ORBITALS
        route = "closed" if has_closed_form(spec) and not small else "kwant"
    if route == "closed":
        if not has_closed_form(spec):
            raise ValueError(f"no closed-form lead self-energy for {spec.describe()}")
        return _closed_form(spec, M)
    if route != "kwant":
        raise ValueError(f"route must be 'auto', 'kwant' or 'closed', got {route!r}")
    if M * spec.norbs <= KWANT_LEAD_MAX_ORBITALS or not spec.family.separable_lead:
        return _kwant(spec, M)
    spinless, copies = spec.family.lead_probe(spec)
    return _copies(_kwant(spinless, M, mirror=True), copies)


def _kwant(spec: ModelSpec, M: int, mirror: bool = False) -> LeadSelfEnergies:
    """Kwant's mode solver on the left lead and on its reversed copy.

    With ``mirror`` (spinless leads only) the right lead is not solved but taken as
    ``Σ_R = Σ_Lᵀ``: the mirror x → −x maps the right lead onto the left one with
    flux −φ, and complex conjugation (time reversal of a spinless model) maps
    that back to φ while turning the retarded Σ into the transposed one.
    """
    if mirror and spec.norbs == 1 and spec.family.lead(spec, M) is None:
        real = _kwant_real(spec, M)
        if real is not None:
            return real
    builders = [lead_builder(spec, M)]
    if not mirror:
        builders.append(builders[0].reversed())
    sigmas, channels = [], []
    for builder in builders:
        propagating, stabilized = builder.finalized().modes(energy=spec.E)
        sigmas.append(np.asarray(stabilized.selfenergy()))
        channels.append(int(propagating.velocities.size // 2))
    if len(set(channels)) != 1:
        raise AssertionError(f"the two leads have {channels} open channels")
    u_left = gamma_factor(sigmas[0])
    if mirror:
        sigma_right, u_right = sigmas[0].T.copy(), u_left.conj()
    else:
        sigma_right, u_right = sigmas[1], gamma_factor(sigmas[1])
    return LeadSelfEnergies(sigmas[0], sigma_right, u_left, u_right, channels[0], "kwant")


def _kwant_real(spec: ModelSpec, M: int) -> LeadSelfEnergies | None:
    """:func:`_kwant` with mirror, in the real basis of :func:`real_mirror_lead`; None
    if the lead has no such basis.

    Kwant's ``physics.modes`` solves the real cell and hopping in real arithmetic
    (the lead of ``builder.finalized()`` has the cell ``H0`` of :func:`lead_cell` and
    the hopping ``V†``). Σ is invariant under the gauge phase, so ``Σ = P Σ' P†``;
    Γ' = i(Σ' − Σ'†) is real up to rounding (Σ' is the self-energy of a real
    Hamiltonian, complex symmetric), so its factor comes from a real symmetric
    eigenproblem and ``U = P U'``. Agrees with :func:`_kwant` to about 1e-13.
    """
    h0, v = lead_cell(spec, M)
    real = real_mirror_lead(h0, v.conj().T)
    if real is None:
        return None
    cell, hopping, _ = real
    kwant = import_kwant()
    propagating, stabilized = kwant.physics.modes(cell - spec.E * np.eye(M), hopping)
    sigma_m = np.asarray(stabilized.selfenergy())
    u_left = _mirror_rows(gamma_factor(sigma_m, real=True), adjoint=False)
    sigma = _mirror_basis(sigma_m, inverse=True)
    N = int(propagating.velocities.size // 2)
    return LeadSelfEnergies(sigma, sigma.T.copy(), u_left, u_left.conj(), N, "kwant")


def transverse_modes(bc: str, M: int) -> tuple[np.ndarray, np.ndarray]:
    """Real orthonormal eigenvectors (columns) and energies of a clean strip (hopping −1).

    Hardwall: ``sqrt(2/(M+1)) sin(pi m (y+1)/(M+1))``, ``ε = −2 cos(pi m/(M+1))``,
    m = 1..M. Periodic: the real Fourier basis (1, cos and sin of ``2 pi m y/M``,
    and ``(−1)^y`` for even M), ``ε = −2 cos(2 pi m/M)``.
    """
    y = np.arange(M)
    if bc == "hardwall":
        m = np.arange(1, M + 1)
        phi = np.sqrt(2.0 / (M + 1)) * np.sin(np.pi * np.outer(y + 1, m) / (M + 1))
        return phi, -2 * np.cos(np.pi * m / (M + 1))
    m = np.arange(1, (M - 1) // 2 + 1)
    angle = 2 * np.pi * np.outer(y, m) / M
    columns = [np.full((M, 1), 1 / np.sqrt(M))]
    columns += [np.sqrt(2.0 / M) * np.cos(angle), np.sqrt(2.0 / M) * np.sin(angle)]
    ks = [np.zeros(1), m, m]
    if M % 2 == 0:
        columns.append(((-1.0) ** y / np.sqrt(M))[:, None])
        ks.append(np.array([M // 2]))
    return np.hstack(columns), -2 * np.cos(2 * np.pi * np.concatenate(ks) / M)


def surface_green(z: np.ndarray) -> np.ndarray:
    """Retarded surface Green's function of a semi-infinite chain (hopping −1) at ``z = E − ε``."""
    z = np.asarray(z, dtype=float)
    inside = np.abs(z) < 2
    out = np.empty(z.shape, dtype=complex)
    zi = z[inside]
    out[inside] = zi / 2 - 1j * np.sqrt(1 - (zi / 2) ** 2)
    zo = z[~inside]
    out[~inside] = zo / 2 - np.copysign(np.sqrt((zo / 2) ** 2 - 1), zo)
    return out


def closed_form_sigma(bc: str, M: int, energy: float) -> np.ndarray:
    """``Σ = Σ_m φ_m g(E − ε_m) φ_mᵀ`` over the transverse modes of a spinless strip.

    Built in O(M²) from one cosine transform of g rather than by matrix products.
    With hardwall walls the product of two sines makes Σ Toeplitz minus Hankel,
    ``Σ[y, y'] = h(|y − y'|) − h(y + y' + 2)`` with
    ``h(d) = Σ_m g_m cos(pi m d/(M+1)) / (M+1)``, m = 1..M; with periodic
    boundaries Σ is circulant, ``Σ[y, y'] = c(|y − y'|)`` with
    ``c(d) = Σ_q g_q cos(2 pi q d/M) / M``, q = 0..M−1.
    """
    if bc == "hardwall":
        d, m, period = np.arange(2 * M + 1), np.arange(1, M + 1), M + 1.0
        angle = np.pi / period
    else:
        d, m, period = np.arange(M), np.arange(M), float(M)
        angle = 2 * np.pi / period
    g = surface_green(energy + 2 * np.cos(angle * m))
    h = np.empty(d.size, dtype=complex)
    step = max(1, 2**22 // m.size)
    for start in range(0, d.size, step):
        h[start : start + step] = np.cos(angle * np.outer(d[start : start + step], m)) @ g
    h /= period
    toeplitz = sla.toeplitz(h[:M], h[:M])  # symmetric (scipy's default r is conj(c))
    if bc == "periodic":
        return toeplitz
    return toeplitz - sla.hankel(h[2 : M + 2], h[M + 1 : 2 * M + 1])


def _closed_form(spec: ModelSpec, M: int) -> LeadSelfEnergies:
    """The transverse-mode closed form (see the module docstring)."""
    phi, eps = transverse_modes(spec.bc, M)
    z = spec.E - eps
    sigma = closed_form_sigma(spec.bc, M, spec.E)
    open_ = np.abs(z) < 2
    u = phi[:, open_] * np.sqrt(np.sqrt(4 - z[open_] ** 2))
    spinless = LeadSelfEnergies(sigma, sigma, u, u, int(open_.sum()), "closed")
    return _copies(spinless, spec.norbs)


def _copies(spinless: LeadSelfEnergies, copies: int) -> LeadSelfEnergies:
    """The leads of a separable model: the spinless ones times the identity on ``copies``
    orbitals (the spinless leads themselves for one)."""
    if copies == 1:
        return spinless
    eye = np.eye(copies)
    left, right = np.kron(spinless.sigma_left, eye), np.kron(spinless.sigma_right, eye)
    u_left, u_right = np.kron(spinless.u_left, eye), np.kron(spinless.u_right, eye)
    return LeadSelfEnergies(left, right, u_left, u_right, copies * spinless.N, spinless.route)


def lead_cell(spec: ModelSpec, M: int) -> tuple[np.ndarray, np.ndarray]:
    """The unit cell ``H0`` and hopping ``V = H[x+1, x]`` of the lead, orbitals ``(y, orbital)``.

    The same lead as :func:`lead_builder`: the family's y-hoppings (around the strip if
    periodic) and x-hoppings times the Peierls factor ``exp(-2 pi i phi y)`` (none in the
    field-free lead of :func:`lead_model`). ``V`` is
    block diagonal, and unitary up to its sign for every built-in family (the companion
    form of :func:`transfer_eigenvalues` assumes it).
    """
    spec, norbs = lead_model(spec), spec.norbs
    hop_y = np.asarray(spec.family.hopping_y(spec), dtype=complex).reshape(norbs, norbs)
    hop_x = np.asarray(spec.family.hopping_x(spec), dtype=complex).reshape(norbs, norbs)
    h0 = np.zeros((M * norbs, M * norbs), dtype=complex)
    for y in range(num_bonds_y(spec.bc, M)):
        a, b = y * norbs, ((y + 1) % M) * norbs
        h0[b : b + norbs, a : a + norbs] += hop_y
        h0[a : a + norbs, b : b + norbs] += hop_y.conj().T
    phases = np.exp(-2j * np.pi * spec.flux * np.arange(M))
    return h0, np.kron(np.diag(phases), hop_x)


def _mirror_rows(a: np.ndarray, adjoint: bool) -> np.ndarray:
    """``P a`` (or ``P† a`` if ``adjoint``) for the mirror basis P of a spinless strip.

    P's columns are ``(e_y + e_y')/√2`` (column y) and ``i (e_y − e_y')/√2`` (column y')
    for ``y < y' = M − 1 − y``, and ``e_y`` for the middle site of an odd strip; P is
    unitary and sparse, so this costs O(M) per column of ``a``.
    """
    M = a.shape[0]
    low = np.arange(M // 2)
    high = M - 1 - low
    out = a.astype(complex, copy=True)
    first, second = a[low], a[high]
    if adjoint:
        out[low] = (first + second) / np.sqrt(2)
        out[high] = -1j * (first - second) / np.sqrt(2)
    else:
        out[low] = (first + 1j * second) / np.sqrt(2)
        out[high] = (first - 1j * second) / np.sqrt(2)
    return out


def _mirror_basis(a: np.ndarray, inverse: bool = False) -> np.ndarray:
    """``P† a P`` (or ``P a P†`` if ``inverse``) with P of :func:`_mirror_rows`."""
    half = _mirror_rows(a.conj().T, adjoint=not inverse).conj().T
    return _mirror_rows(half, adjoint=not inverse)


def real_mirror_lead(
    h0: np.ndarray, hop: np.ndarray
) -> tuple[np.ndarray, np.ndarray, complex] | None:
    """A spinless lead in a basis where it is real: ``(P† h0 P, P† (c hop) P, c)``, or None.

    A lead whose cell is real and symmetric under the mirror ``y → M − 1 − y`` and
    whose hopping is mirrored into its complex conjugate up to a constant phase (the
    Peierls phases ``exp(−2 pi i phi y)`` of a uniform field, hardwall or periodic,
    measured from the middle of the strip) has the antiunitary symmetry "mirror times
    complex conjugation". In the basis P of :func:`_mirror_rows` its cell and its
    hopping times the constant phase c (a gauge transformation along the lead, which
    leaves Σ unchanged and multiplies the transfer eigenvalues by c) are real
    matrices (Haake, *Quantum Signatures of Chaos*, 3rd ed., 2010, ch. 2: an
    antiunitary symmetry squaring to one admits a real basis), so the mode problem can
    be solved in real arithmetic, several times faster than in complex.
    """
    if h0.shape[0] < 2:
        return None
    mirror = np.arange(h0.shape[0])[::-1]
    i, j = np.unravel_index(int(np.argmax(np.abs(hop))), hop.shape)
    partner = hop[mirror[i], mirror[j]]
    if hop[i, j] == 0 or partner == 0:
        return None
    phase = np.sqrt(np.conj(partner) / hop[i, j])
    phase /= abs(phase)
    cell, hopping = _mirror_basis(h0), _mirror_basis(phase * hop)
    scale = max(1.0, float(np.abs(h0).max()), float(np.abs(hop).max()))
    if max(np.abs(cell.imag).max(), np.abs(hopping.imag).max()) > 1e-13 * scale:
        return None
    return cell.real.copy(), hopping.real.copy(), complex(phase)


def transfer_eigenvalues(spec: ModelSpec, M: int, energy: float) -> np.ndarray:
    """The 2 M norbs eigenvalues λ of the lead's unit-cell transfer matrix at ``energy``.

    A lead mode ``psi_x = lambda^x phi`` solves ``(E - H0) phi = lambda^-1 V phi +
    lambda V† phi`` (Wimmer, PhD thesis, Regensburg 2009, ch. 2; the problem Kwant's
    ``modes`` solves). ``V`` is unitary (:func:`lead_cell`), so this is the standard
    eigenproblem of the companion matrix ``[[V (E - H0), -V V], [1, 0]]`` (V† ⁻¹ = V):
    no generalized (QZ) solve and no eigenvectors. ``|lambda| = 1`` are the
    propagating modes, two per open channel. A spinless lead with the mirror symmetry
    of :func:`real_mirror_lead` (the Anderson lead with flux) is solved in real
    arithmetic (half the CPU time at M = 1024), its eigenvalues rotated back by the
    gauge phase.
    """
    h0, v = lead_cell(spec, M)
    phase = 1.0 + 0j
    real = real_mirror_lead(h0, v) if spec.norbs == 1 else None
    if real is not None:
        h0, v, phase = real
    n = h0.shape[0]
    companion = np.zeros((2 * n, 2 * n), dtype=h0.dtype)
    companion[:n, :n] = v @ (energy * np.eye(n) - h0)
    companion[:n, n:] = -(v @ v)
    companion[n:, :n] = np.eye(n)
    eigenvalues = sla.eigvals(companion, overwrite_a=True, check_finite=False)
    return eigenvalues if real is None else eigenvalues * np.conj(phase)


def _unitary_hopping(spec: ModelSpec) -> bool:
    """Whether the family's x-hopping is unitary up to its sign (:func:`transfer_eigenvalues`
    needs it)."""
    norbs = spec.norbs
    hop = np.asarray(spec.family.hopping_x(spec), dtype=complex).reshape(norbs, norbs)
    return bool(np.allclose(hop @ hop.conj().T, np.eye(norbs), rtol=0, atol=1e-12))


def lead_channel_count(spec: ModelSpec, M: int, energy: float) -> int | None:
    """Open channels of one lead of width M at ``energy``; None on (or too near) a threshold.

    The single place that counts lead channels numerically (thresholds with flux or
    spin–orbit leads, :mod:`betascale.thresholds`). Leads of at most
    :data:`KWANT_LEAD_MAX_ORBITALS` orbitals take Kwant's ``modes`` (None where it
    raises); wider ones count the unimodular eigenvalues of
    :func:`transfer_eigenvalues` (about 1.5x cheaper than Kwant's modes, which also
    computes the eigenvectors), None if one cannot be classified
    (:data:`UNIMODULAR_TOLERANCE` <= ``|ln|lambda||`` < :data:`EVANESCENT_TOLERANCE`).
    """
    if M * spec.norbs <= KWANT_LEAD_MAX_ORBITALS or not _unitary_hopping(spec):
        try:
            return lead_channels(finalized_lead(spec, M), energy)
        except RuntimeError:
            return None
    decay = np.abs(np.log(np.abs(transfer_eigenvalues(spec, M, energy))))
    if np.any((decay >= UNIMODULAR_TOLERANCE) & (decay < EVANESCENT_TOLERANCE)):
        return None
    propagating = int(np.count_nonzero(decay < UNIMODULAR_TOLERANCE))
    if propagating % 2:
        return None
    return propagating // 2


__all__ = [
    "KWANT_LEAD_MAX_ORBITALS",
    "LeadSelfEnergies",
    "finalized_lead",
    "gamma_factor",
    "has_closed_form",
    "lead_builder",
    "lead_cell",
    "lead_channel_count",
    "lead_channels",
    "lead_model",
    "lead_self_energies",
    "real_mirror_lead",
    "right_lead_phases",
    "surface_green",
    "transfer_eigenvalues",
    "transverse_modes",
]

"""The honeycomb-lattice (graphene) Anderson model, built through the generic Kwant path.

The lattice
-----------
Graphene's tight-binding model (Castro Neto, Guinea, Peres, Novoselov & Geim, Rev.
Mod. Phys. 81, 109 (2009), Sec. II.A): one orbital per carbon site, nearest-neighbour
hopping t = 1 (H has ``-1`` on each bond), on-site energy 0. The clean band is
``[-3, 3]`` (:attr:`Honeycomb.max_energy`), with the Dirac points at ``E = 0`` and
the van Hove singularities at ``|E| = 1``. Lengths are in units of the carbon–carbon
distance ``a_cc = 1`` (the bond length, as on the square lattice); the lattice
constant of graphene is ``a = sqrt(3) a_cc``.

Geometry: what L and M mean
---------------------------
Transport is along x, the **armchair** direction. The lattice is drawn as a brick
wall: zigzag chains run along y (consecutive sites ``sqrt(3)/2`` apart in y,
alternately shifted by 1/2 in x), stacked along x every ``3/2``, and neighbouring
chains are linked by every other horizontal bond. An ``L x M`` sample is

* ``L`` zigzag chains along x: length ``3 L / 2`` in ``a_cc`` (``sqrt(3) L / 2`` in
  ``a``); chain k holds the sites at ``x = 3k/2`` and ``3k/2 + 1/2``;
* ``M`` sites per chain across (rows ``y = j sqrt(3)/2``, j = 0 .. M-1): width
  ``sqrt(3) M / 2`` in ``a_cc`` (``M/2`` in ``a``), i.e. an armchair ribbon of M dimer
  lines;

so it has exactly ``L M`` sites, as the square lattice's ``L x M``. An "L x L" sample
is ``sqrt(3)`` times longer than wide; a square sample takes ``M = sqrt(3) L``, that is
``aspect = 1.7320508075688772`` in a study (:data:`SQUARE_ASPECT`).

The two leads are clean semi-infinite armchair ribbons of the same M rows, along x,
with a unit cell of two chains (period ``3 a_cc``). For even L the leads attach to
chains -1 and L exactly; for odd L the right lead's cells start one chain later and
Kwant fills the gap with one clean chain of the lead (a lead padding, never
disordered), so the disordered region is always the ``L x M`` sites.

Why armchair edges, why E = 0.5
-------------------------------
* Armchair edges carry no edge states and themselves couple the two valleys (Nakada,
  Fujita, Dresselhaus & Dresselhaus, Phys. Rev. B 54, 17954 (1996); Brey & Fertig,
  Phys. Rev. B 73, 235411 (2006)). Zigzag edges carry a flat band of edge states near
  E = 0 and a valley-polarized lead mode that gives a perfectly conducting channel
  under smooth disorder (Wakabayashi, Takane & Sigrist, Phys. Rev. Lett. 99, 036601
  (2007)): physics of the edges, not of the bulk class that a scaling study measures.
* The armchair lead's subbands are known in closed form (Brey & Fertig 2006; Zheng,
  Wang, Tang & Sheng, Phys. Rev. B 75, 165414 (2007)): with ``c_p = 2 cos(p pi/(M+1))``,
  p = 1 .. M, the pair ``p, M + 1 - p`` makes one channel for
  ``|1 - |c_p|| < |E| < 1 + |c_p|`` (:func:`subband_edges`, :func:`open_channels`;
  checked against Kwant's modes in the tests).
* The working energy is ``E = 0.5`` (:data:`DEFAULT_ENERGY`), half-way between the
  Dirac point E = 0 (vanishing density of states, chiral and valley physics; most
  widths have no open channel) and the van Hove energy ``|E| = 1`` (where the two
  valley pockets of the Fermi line merge). There the Fermi line is two nearly circular
  valley pockets (trigonal warping is weak), ``k_F ≈ E / (3/2)`` from each Dirac point,
  a Fermi wavelength of about 19 ``a_cc``, and about ``0.19 M`` open channels.
* At E = 0.5 no width is exactly on a threshold: that needs ``cos(p pi/(M+1))`` equal
  to 1/4 or 3/4, which no rational multiple of pi has (Niven's theorem). Some widths
  come close (M = 30, 61, 73, 80, 86, 92, 99, 111, 112, 123, 125, ... within 1.5e-3:
  :func:`threshold_distance`); the study files list the widths they use and their
  distance to the nearest threshold. The study check
  (:func:`betascale.thresholds.check_lead`) finds thresholds numerically from Kwant's
  modes and refuses an energy within 1e-6 of one.

Disorder and symmetry class
---------------------------
On-site box disorder, uniform in ``[-W/2, W/2]`` on every site of the sample
(Anderson, Phys. Rev. 109, 1492 (1958)): short-range, it scatters between the valleys,
so the class is orthogonal (H is real; weak localization, ``-1/pi`` per spinless
channel). Smooth disorder, correlated over many ``a_cc``, would not mix the valleys and
would give antilocalization per valley instead (Suzuura & Ando, Phys. Rev. Lett. 89,
266603 (2002); McCann, Kechedzhi, Fal'ko, Suzuura, Ando & Altshuler, Phys. Rev. Lett.
97, 146805 (2006)); a user gets that with
``KwantFamily(honeycomb_builder, OnsiteDisorder("gaussian", correlation_length=...))``.
The Born elastic mean free path (:func:`born_mean_free_path`, from the exact density
of states and Fermi-line velocity of :func:`fermi_line`) is ``27.2 / W^2`` ``a_cc`` at
E = 0.5; :meth:`Honeycomb.mean_free_path` gives it in units of L (chains).

Boundary condition and flux
---------------------------
A Kwant family's boundaries are its builder's: here the armchair edges are hard walls,
so ``bc`` is ``"hardwall"`` (the default: a study file may omit it) and ``"periodic"``
is refused; a flux is refused too (:meth:`Honeycomb.check_spec`).
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING

import numpy as np

from betascale import validation
from betascale.errors import InputError
from betascale.kwant_import import import_kwant
from betascale.models.kwant_disorder import OnsiteDisorder
from betascale.models.kwant_family import KwantFamily

if TYPE_CHECKING:
    import kwant

    from betascale.models.spec import ModelSpec

#: The working energy of the reference studies (see the module docstring).
DEFAULT_ENERGY = 0.5
#: The clean band is ``[-BAND_EDGE, BAND_EDGE]`` (3 t).
BAND_EDGE = 3.0
#: Distance between neighbouring zigzag chains along x, in ``a_cc`` (the unit of L).
CHAIN_SPACING = 1.5
#: Distance between neighbouring rows along y, in ``a_cc`` (the unit of M).
ROW_SPACING = math.sqrt(3.0) / 2.0
#: The study ``aspect`` (M/L) of a square sample: ``CHAIN_SPACING / ROW_SPACING``.
SQUARE_ASPECT = CHAIN_SPACING / ROW_SPACING


@functools.cache
def honeycomb_lattice() -> kwant.lattice.Polyatomic:
    """The honeycomb lattice with the armchair direction along x (``a_cc = 1``).

    Primitive vectors ``(0, sqrt 3)`` (the zigzag direction, y) and
    ``(3/2, sqrt(3)/2)``; sublattices ``a`` at ``(-1, -sqrt(3)/2)`` and ``b`` at
    ``(-3/2, 0)``, so that a tag's two sites lie in the same zigzag chain and Kwant's
    lead cells are the chain pairs ``(2j, 2j + 1)`` (no lead padding for even L).
    """
    kwant = import_kwant()  # a heavy import, kept off ``import betascale``

    s = math.sqrt(3.0)
    return kwant.lattice.general(
        [(0.0, s), (1.5, s / 2)], [(-1.0, -s / 2), (-1.5, 0.0)], norbs=1, name=["a", "b"]
    )


def honeycomb_builder(L: int, M: int) -> kwant.Builder:
    """The clean ``L x M`` honeycomb sample (module docstring) with its two armchair leads.

    Parameters
    ----------
    L
        Zigzag chains along x (length ``3L/2`` in ``a_cc``), ``L >= 1``.
    M
        Sites per chain across, the dimer lines of the armchair ribbon (width
        ``sqrt(3) M / 2`` in ``a_cc``), ``M >= 1``.

    Returns
    -------
    kwant.Builder
        The scattering region (hopping -1, on-site 0) with lead 0 on the left and
        lead 1 on the right.
    """
    kwant = import_kwant()

    L = validation.integer("L", L, low=1)
    M = validation.integer("M", M, low=1)
    lat = honeycomb_lattice()
    top = (M - 0.5) * ROW_SPACING  # rows 0 .. M-1

    def strip(pos) -> bool:
        return -0.25 < pos[1] < top

    def region(pos) -> bool:  # chain k has x = 3k/2 and 3k/2 + 1/2
        return -0.25 < pos[0] < CHAIN_SPACING * L - 0.75 and strip(pos)

    syst = kwant.Builder()
    syst[lat.shape(region, (0.0, 0.0))] = 0.0
    syst[lat.neighbors()] = -1.0
    lead = kwant.Builder(kwant.TranslationalSymmetry((-2 * CHAIN_SPACING, 0.0)))
    lead[lat.shape(strip, (0.0, 0.0))] = 0.0
    lead[lat.neighbors()] = -1.0
    syst.attach_lead(lead)
    syst.attach_lead(lead.reversed())
    return syst


def subband_edges(M: int) -> np.ndarray:
    """The subband thresholds ``|E| > 0`` of the armchair lead of M rows, sorted.

    ``|1 - |c_p||`` and ``1 + |c_p|`` with ``c_p = 2 cos(p pi/(M+1))``, p = 1 .. M/2
    (Brey & Fertig, Phys. Rev. B 73, 235411 (2006); the module docstring); zeros
    (a channel at the Dirac point, M + 1 divisible by 3) are left out.
    """
    c = 2.0 * np.cos(np.arange(1, M // 2 + 1) * np.pi / (M + 1))
    edges = np.concatenate([np.abs(1.0 - c), 1.0 + c])
    return np.sort(edges[edges > 1e-12])


def open_channels(M: int, E: float) -> int:
    """Open channels of one armchair lead of M rows at energy E (closed form, module docstring)."""
    c = 2.0 * np.cos(np.arange(1, M // 2 + 1) * np.pi / (M + 1))
    return int(np.count_nonzero((np.abs(1.0 - c) < abs(E)) & (abs(E) < 1.0 + c)))


def threshold_distance(M: int, E: float) -> float:
    """The distance from ``|E|`` to the nearest subband threshold of the lead of M rows."""
    return float(np.min(np.abs(subband_edges(M) - abs(E))))


def fermi_line(E: float) -> tuple[float, float]:
    """The density of states per site ``nu(E)`` and ``<v^2>`` on the Fermi line at E.

    The band is ``eps = |f|`` with ``|f|^2 = 3 + 2 cos t1 + 2 cos t2 + 2 cos(t1 - t2)``,
    ``t_i = k . a_i`` over the lattice vectors ``a_1, a_2`` (length ``sqrt 3``, 60 degrees
    apart; Castro Neto et al., Rev. Mod. Phys. 81, 109 (2009), Eq. (6)). At fixed t1,
    ``|f|^2 = A + R cos(t2 - phi)`` with ``A = 3 + 2 cos t1``, ``R = 4 |cos(t1/2)|``, so the
    delta function of the Fermi line has two roots in t2 of weight ``2E / (R sin alpha)``,
    ``cos alpha = (E^2 - A)/R``. The remaining integral over t1 runs between the roots
    ``cos t1 = ((E -+ 1)^2 - 2)/2`` (one valley; the other is its mirror t1 -> -t1) with
    ``t1 = mid + half sin u``, which removes the inverse square roots at the ends.
    ``v = sum_i a_i d eps/d t_i``, so ``v^2 = 3 (e1^2 + e2^2) + 3 e1 e2`` (``a_cc = 1``,
    hbar = 1). Averages are weighted by the density of states, as in
    :func:`betascale.theory.fermi_surface`; ``nu`` is checked against a histogram of the
    band in the tests. Near the Dirac point ``nu -> |E| / (sqrt(3) pi)`` per site and
    ``<v^2> -> (3/2)^2``.

    Raises
    ------
    InputError
        Unless ``0 < |E| < 3`` and ``|E| != 1`` (the van Hove energy).
    """
    from scipy.integrate import quad

    E = abs(validation.number("E", E))
    if not 0 < E < BAND_EDGE or E == 1:
        raise InputError(f"the honeycomb Fermi line needs 0 < |E| < 3 and |E| != 1, got E = {E}")
    c_high = min(1.0, ((E + 1) ** 2 - 2) / 2)
    c_low = max(-1.0, ((E - 1) ** 2 - 2) / 2)
    start, stop = math.acos(c_high), math.acos(c_low)
    mid, half = (start + stop) / 2, (stop - start) / 2

    def integrand(u: float, moment: int) -> float:
        t1 = mid + half * math.sin(u)
        r = 4 * abs(math.cos(t1 / 2))
        x = min(1.0, max(-1.0, (E * E - 3 - 2 * math.cos(t1)) / r))
        rs = r * math.sqrt(1 - x * x)
        if rs == 0:
            return 0.0
        phi, alpha = math.atan2(math.sin(t1), 1 + math.cos(t1)), math.acos(x)
        total = 0.0
        for t2 in (phi + alpha, phi - alpha):
            e1 = -(math.sin(t1) + math.sin(t1 - t2)) / E
            e2 = (math.sin(t1 - t2) - math.sin(t2)) / E
            total += 1.0 if moment == 0 else 3 * (e1 * e1 + e2 * e2) + 3 * e1 * e2
        return half * math.cos(u) * 2 * E / rs * total

    weight = quad(integrand, -math.pi / 2, math.pi / 2, args=(0,), limit=200)[0]
    velocity = quad(integrand, -math.pi / 2, math.pi / 2, args=(1,), limit=200)[0]
    # two valleys (the mirror interval), per site = per cell / 2, d^2k = dt1 dt2 / (2 pi)^2
    return weight / (4 * math.pi**2), velocity / weight


def born_mean_free_path(W: float, E: float) -> float:
    """The Born elastic mean free path ``v_rms tau`` of box disorder, in ``a_cc``.

    ``1/tau = 2 pi nu(E) W^2/12`` (hbar = 1; Fermi's golden rule for white on-site
    disorder, Akkermans & Montambaux, *Mesoscopic Physics of Electrons and Photons*,
    Cambridge 2007, Ch. 3), with ``nu`` and ``v_rms = sqrt(<v^2>)`` from
    :func:`fermi_line`, as :func:`betascale.theory.mean_free_path` on the square
    lattice. The disorder of the two sublattices is independent, so the scattering is
    isotropic (no angular factor of the sublattice spinor) and the transport time is
    tau. At E = 0.5: ``ell = 27.2 / W^2``. Valid for ``k_F ell >> 1``.
    """
    W = validation.number("W", W, low=0.0, open_low=True)
    nu, v2 = fermi_line(E)
    return math.sqrt(v2) / (2 * math.pi * nu * W * W / 12)


class Honeycomb(KwantFamily):
    """The honeycomb-lattice Anderson model (see the module docstring).

    A :class:`~betascale.models.kwant_family.KwantFamily` of :func:`honeycomb_builder`
    with box disorder on every site, declared orthogonal (checked: H is real), whose
    band ends at ``|E| = 3``.

    Examples
    --------
    >>> from betascale.models import ModelSpec
    >>> ModelSpec("honeycomb", E=0.5).describe()
    'honeycomb lattice (orthogonal), E=0.5, hardwall'
    """

    max_energy = BAND_EDGE

    def __init__(self) -> None:
        super().__init__(
            honeycomb_builder,
            OnsiteDisorder("box"),
            symmetry="orthogonal",
            name="honeycomb",
            label="honeycomb lattice",
        )

    def check_spec(self, spec: ModelSpec) -> None:
        """Refuse a flux or periodic boundaries: the armchair edges are hard walls."""
        if spec.bc != "hardwall":
            raise InputError(
                f"family {self.name!r} has armchair edges (hard walls): bc must be "
                f"'hardwall' (the default), got {spec.bc!r}"
            )
        super().check_spec(spec)

    def mean_free_path(self, W: float, E: float) -> float:
        """The Born elastic mean free path in units of L, the chain spacing ``3 a_cc/2``
        (:func:`born_mean_free_path`)."""
        return born_mean_free_path(W, E) / CHAIN_SPACING


#: The honeycomb family, registered as ``"honeycomb"``.
HONEYCOMB = Honeycomb()

__all__ = [
    "BAND_EDGE",
    "CHAIN_SPACING",
    "DEFAULT_ENERGY",
    "HONEYCOMB",
    "ROW_SPACING",
    "SQUARE_ASPECT",
    "Honeycomb",
    "born_mean_free_path",
    "fermi_line",
    "honeycomb_builder",
    "honeycomb_lattice",
    "open_channels",
    "subband_edges",
    "threshold_distance",
]

"""Disorder of a generic Kwant system: which orbitals, which distribution, which correlation.

The disorder of a sample of a :class:`~betascale.models.kwant_family.KwantFamily` is a
random on-site energy added to the diagonal of the clean Hamiltonian, on a chosen set
of orbitals (default: every orbital of every site of the scattering region). It is
drawn vectorized from the sample's generator (:func:`~betascale.models.disorder.sample_rng`),
in a fixed order of the disordered orbitals (sites sorted by position, then by
orbital: :class:`DisorderSites`), so that a sample is a pure function of the study
seed and the sample key, bit for bit.

* :class:`OnsiteDisorder`: box (uniform in ``[-W/2, W/2]``, Anderson, Phys. Rev. 109,
  1492 (1958)) or Gaussian of the same variance ``W²/12``; white, or Gaussian-correlated
  with a correlation length ξ;
* :class:`FunctionDisorder`: a user function of the site positions, the generator and W.

Correlated disorder
-------------------
White noise ``w_j`` (of the chosen distribution, unit variance) on the disordered
sites is convolved with the Gaussian kernel ``K(r) = exp(-r²/(2ξ²))`` over the
neighbours within ``CUTOFF ξ`` (a sparse kernel, built once per geometry), and each
site is normalized to the variance ``W²/12``: ``V_i = (W/√12) Σ_j K_ij w_j /
sqrt(Σ_j K_ij²)``. For white ``w`` on a lattice far from the edges this gives the
correlation ``<V(r) V(r')> = (W²/12) exp(-|r - r'|²/(4ξ²))`` (the convolution of two
Gaussians), the long-range disorder that does not mix the valleys of graphene when
ξ is several lattice constants (Rycerz, Tworzydło & Beenakker, EPL 79, 57003 (2007)).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from betascale import validation
from betascale.errors import InputError

#: The distributions of :class:`OnsiteDisorder`.
DISTRIBUTIONS = ("box", "gaussian")
#: The Gaussian kernel of correlated disorder is cut at this many correlation lengths.
CUTOFF = 3.0


@dataclass(frozen=True, eq=False)
class DisorderSites:
    """The disordered orbitals of one geometry, in the order of the draw.

    Attributes
    ----------
    positions
        Positions of the disordered sites, shape ``(sites, dim)``, sorted
        lexicographically (first coordinate first; ties in Kwant's site order).
    families
        The name of each site's Kwant site family (lattice), shape ``(sites,)``.
    site_of_orbital
        For each disordered orbital, the index of its site in :attr:`positions`.
    """

    positions: np.ndarray
    families: np.ndarray
    site_of_orbital: np.ndarray

    @property
    def num_orbitals(self) -> int:
        """Number of disordered orbitals (the length of a sample's draw)."""
        return int(self.site_of_orbital.size)


def _family_name(family: object) -> str:
    """The name of a Kwant site family (a lattice), or the string given."""
    return family if isinstance(family, str) else str(getattr(family, "name", family))


def _select(values: Sequence | None, name: str) -> tuple | None:
    """``values`` as a non-empty tuple (a single value becomes one), or None."""
    if values is None:
        return None
    if isinstance(values, (str, int)) or not isinstance(values, Sequence):
        values = (values,)
    if not values:
        raise InputError(f"{name} must not be empty (None means every one)")
    return tuple(values)


@dataclass(frozen=True, eq=False)
class SiteDisorder:
    """What every disorder specification of a Kwant family shares: where it acts.

    Parameters
    ----------
    families
        Kwant site families (lattices or sublattices, or their names) whose sites are
        disordered; None: every site of the scattering region.
    orbitals
        Orbital indices within a site that are disordered; None: every orbital.
    """

    families: Sequence | None = None
    orbitals: Sequence[int] | None = None

    def __post_init__(self) -> None:
        families = _select(self.families, "families")
        if families is not None:
            families = tuple(_family_name(f) for f in families)
        orbitals = _select(self.orbitals, "orbitals")
        if orbitals is not None:
            orbitals = tuple(validation.integer("orbital", o, low=0) for o in orbitals)
        object.__setattr__(self, "families", families)
        object.__setattr__(self, "orbitals", orbitals)

    def selects(self, family: str, norbs: int) -> np.ndarray:
        """The disordered orbitals of a site of ``family`` with ``norbs`` orbitals."""
        if self.families is not None and family not in self.families:
            return np.empty(0, dtype=np.int64)
        if self.orbitals is None:
            return np.arange(norbs, dtype=np.int64)
        return np.array([o for o in self.orbitals if o < norbs], dtype=np.int64)

    def check_selection(self, families: Sequence[str], norbs: Sequence[int]) -> None:
        """Refuse a selection that names a site family or an orbital the sample lacks.

        ``families`` and ``norbs`` are the family name and orbital count of each site of
        the scattering region; a name or index that matches none would leave that part
        of the sample clean without a word.

        Raises
        ------
        InputError
            If a selected family has no site, or a selected orbital index is no site's.
        """
        present = sorted(set(families))
        for name in self.families or ():
            if name not in present:
                raise InputError(
                    f"disorder: no site of family {name!r} in the scattering region "
                    f"(its families: {', '.join(map(repr, present))})"
                )
        chosen = [n for f, n in zip(families, norbs) if self.families is None or f in self.families]
        most = max(chosen, default=0)
        for orbital in self.orbitals or ():
            if orbital >= most:
                raise InputError(
                    f"disorder: orbital {orbital} does not exist (the disordered sites have "
                    f"{most} orbital{'s' if most != 1 else ''}, numbered from 0)"
                )

    def where(self) -> str:
        """Where the disorder acts, for :meth:`describe`."""
        fams = "" if self.families is None else f" on {'/'.join(self.families)}"
        orbs = "" if self.orbitals is None else f" orbitals {list(self.orbitals)}"
        return fams + orbs

    def prepare(self, sites: DisorderSites) -> object:
        """Per-geometry data of the draw (computed once per geometry)."""
        return None

    def draw(self, rng: np.random.Generator, W: float, sites: DisorderSites, prepared: object):
        """The on-site energies of the disordered orbitals, shape ``(sites.num_orbitals,)``."""
        raise NotImplementedError

    def describe(self) -> str:
        """A short text that names the disorder (enters the physics of a study)."""
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class OnsiteDisorder(SiteDisorder):
    """On-site disorder of strength W: box or Gaussian, white or Gaussian-correlated.

    Parameters
    ----------
    distribution
        ``"box"``: uniform in ``[-W/2, W/2]``; ``"gaussian"``: normal with the same
        variance ``W²/12``.
    families, orbitals
        Where it acts (:class:`SiteDisorder`).
    correlation_length
        None (white: independent on every site), or ξ > 0 in the units of the site
        positions: Gaussian-correlated over sites (see the module docstring). In both
        cases a site's energy is the same on each of its disordered orbitals.

    Examples
    --------
    >>> OnsiteDisorder("gaussian", correlation_length=2.0).describe()
    'gaussian, correlation length 2'
    """

    distribution: str = "box"
    correlation_length: float | None = None

    def __init__(
        self,
        distribution: str = "box",
        families: Sequence | None = None,
        orbitals: Sequence[int] | None = None,
        correlation_length: float | None = None,
    ) -> None:
        validation.choice("distribution", distribution, DISTRIBUTIONS)
        if correlation_length is not None:
            correlation_length = validation.number(
                "correlation_length", correlation_length, low=0.0, open_low=True
            )
        object.__setattr__(self, "distribution", distribution)
        object.__setattr__(self, "correlation_length", correlation_length)
        object.__setattr__(self, "families", families)
        object.__setattr__(self, "orbitals", orbitals)
        self.__post_init__()

    def _noise(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` values of unit variance of the distribution."""
        if self.distribution == "box":
            return math.sqrt(12.0) * (rng.random(n) - 0.5)
        return rng.standard_normal(n)

    def prepare(self, sites: DisorderSites) -> sp.csr_array | None:
        """The normalized sparse Gaussian kernel of correlated disorder (None if white)."""
        if self.correlation_length is None:
            return None
        return gaussian_kernel(sites.positions, self.correlation_length)

    def draw(self, rng, W, sites, prepared):
        """One energy per site, the same on each of its disordered orbitals (a spin-independent
        potential keeps the spin degeneracy of a symplectic model): white, ``W (u - 1/2)``
        with u uniform in [0, 1) (box) or ``(W/√12) g`` with g standard normal; or
        correlated (the module docstring)."""
        n = sites.positions.shape[0]
        if prepared is None:
            if self.distribution == "box":  # exactly the draw of the built-in families
                values = W * (rng.random(n) - 0.5)
            else:
                values = (W / math.sqrt(12.0)) * rng.standard_normal(n)
        else:
            values = (W / math.sqrt(12.0)) * (prepared @ self._noise(rng, n))
        return values[sites.site_of_orbital]

    def describe(self) -> str:
        """E.g. ``box`` or ``gaussian, correlation length 2 on a``."""
        corr = self.correlation_length
        text = self.distribution + ("" if corr is None else f", correlation length {corr:g}")
        return text + self.where()


@dataclass(frozen=True, eq=False)
class FunctionDisorder(SiteDisorder):
    """On-site energies from a user function ``function(positions, rng, W)``.

    The function receives the positions of the disordered sites (``(sites, dim)``,
    in the order of :class:`DisorderSites`), the sample's generator and W, and
    returns one energy per site (the same on each of its disordered orbitals) or one
    per disordered orbital. It must draw from ``rng`` only, in a fixed order.

    Parameters
    ----------
    function
        The function.
    name
        A name for it (enters the physics of a study; default the function's name).
    families, orbitals
        Where it acts (:class:`SiteDisorder`).
    """

    function: Callable | None = None
    name: str = ""

    def __init__(
        self,
        function: Callable,
        name: str | None = None,
        families: Sequence | None = None,
        orbitals: Sequence[int] | None = None,
    ) -> None:
        if not callable(function):
            raise validation.wrong_type("function", "a function", function)
        name = getattr(function, "__qualname__", "function") if name is None else name
        object.__setattr__(self, "function", function)
        object.__setattr__(self, "name", str(name))
        object.__setattr__(self, "families", families)
        object.__setattr__(self, "orbitals", orbitals)
        self.__post_init__()

    def draw(self, rng, W, sites, prepared):
        """The function's values, checked (finite; one per site or per orbital)."""
        function = self.function
        if function is None:  # only a hand-made instance (__init__ requires one)
            raise InputError(f"disorder {self.name!r} has no function")
        try:
            values = np.asarray(function(sites.positions.copy(), rng, W), dtype=float)
        except Exception as err:  # the user's code can raise anything
            raise InputError(
                f"disorder function {self.name!r} failed: {type(err).__name__}: {err}"
            ) from None
        n_sites = sites.positions.shape[0]
        if values.shape == (n_sites,):
            values = values[sites.site_of_orbital]
        if values.shape != (sites.num_orbitals,):
            raise InputError(
                f"disorder function {self.name!r} must return {n_sites} values (one per "
                f"site) or {sites.num_orbitals} (one per orbital), got shape {values.shape}"
            )
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise InputError(
                f"disorder function {self.name!r} returned {bad.size} value(s) that are not "
                f"finite (the first: {values[bad[0]]} at orbital {bad[0]})"
            )
        return values

    def describe(self) -> str:
        """``function <name>``."""
        return f"function {self.name}" + self.where()


def gaussian_kernel(positions: np.ndarray, xi: float) -> sp.csr_array:
    """The sparse kernel ``K_ij / sqrt(Σ_j K_ij²)`` with ``K = exp(-r²/(2ξ²))``, ``r < CUTOFF ξ``.

    Each row has unit norm, so white noise of unit variance becomes a field of unit
    variance at every site (module docstring).
    """
    from scipy.spatial import cKDTree

    tree = cKDTree(positions)
    dist = tree.sparse_distance_matrix(tree, CUTOFF * xi, output_type="coo_matrix")
    off = dist.row != dist.col  # the self pairs, if listed, are added once below
    rows, cols, r = dist.row[off], dist.col[off], dist.data[off]
    diag = np.arange(positions.shape[0])
    rows, cols = np.concatenate([rows, diag]), np.concatenate([cols, diag])
    k = np.exp(-(np.concatenate([r, np.zeros(diag.size)]) ** 2) / (2 * xi * xi))
    kernel = sp.csr_array((k, (rows, cols)), shape=(diag.size, diag.size))
    kernel.sum_duplicates()
    kernel.sort_indices()
    norms = np.sqrt(np.asarray(kernel.multiply(kernel).sum(axis=1)).ravel())
    return sp.csr_array(sp.diags(1.0 / norms) @ kernel)


def check_disorder(disorder: object) -> SiteDisorder:
    """``disorder`` if it is a disorder specification of a Kwant family, else an InputError."""
    if not isinstance(disorder, SiteDisorder) or type(disorder) is SiteDisorder:
        raise validation.wrong_type("disorder", "an OnsiteDisorder or FunctionDisorder", disorder)
    return disorder


__all__ = [
    "CUTOFF",
    "DISTRIBUTIONS",
    "DisorderSites",
    "FunctionDisorder",
    "OnsiteDisorder",
    "SiteDisorder",
    "check_disorder",
    "gaussian_kernel",
]

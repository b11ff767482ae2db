"""The clean matrix A₀ = E − H₀ of a finalized two-terminal Kwant system, for the fast solver.

:func:`assemble_kwant` takes the clean Hamiltonian of the scattering region from
``fsyst.hamiltonian_submatrix(sparse=True)``, the orbitals of each site from
``fsyst.site_ranges`` and the interface orbitals of the two leads from
``fsyst.lead_interfaces``, once per geometry. It renumbers the orbitals into a
nested-dissection order of the sites (:func:`nested_dissection_sites`), so the
fast solver (:class:`betascale.solvers.fast.FastSolver`) can use it unchanged: it
presents itself to the solver's geometric ordering as a single column of
``size`` orbitals (``L = 1``, ``M = size``, ``norbs = 1``), whose geometric order is
the natural one, i.e. this nested dissection with the lead interfaces moved last.

Each sample adds only its disorder: the on-site energies are subtracted at the
diagonal positions of the disordered orbitals (:meth:`KwantMatrix.sample_values`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from betascale.lattice import CsrStorage

if TYPE_CHECKING:
    from betascale.models.disorder import Disorder
    from betascale.models.spec import ModelSpec

#: Boxes of at most this many sites are not dissected further (sorted by position).
LEAF_SITES = 16


def site_orbitals(fsyst) -> tuple[np.ndarray, np.ndarray]:
    """The first orbital and the number of orbitals of every site of ``fsyst``.

    From ``fsyst.site_ranges``: runs ``(first site, norbs, first orbital)`` of sites
    with the same number of orbitals, ended by a sentinel (Kwant's documentation of
    ``FiniteSystem.site_ranges``).
    """
    ranges = np.asarray(fsyst.site_ranges, dtype=np.int64)
    n_sites = int(ranges[-1, 0])
    first = np.repeat(ranges[:-1, 0], np.diff(ranges[:, 0]))
    norbs = np.repeat(ranges[:-1, 1], np.diff(ranges[:, 0]))
    start = np.repeat(ranges[:-1, 2], np.diff(ranges[:, 0]))
    offsets = start + (np.arange(n_sites) - first) * norbs
    return offsets, norbs


def _orbitals_of(sites: np.ndarray, offsets: np.ndarray, norbs: np.ndarray) -> np.ndarray:
    """The orbitals of ``sites``, site by site, each site's in order."""
    counts = norbs[sites]
    starts = np.repeat(offsets[sites], counts)
    ranks = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return starts + ranks


def nested_dissection_sites(positions: np.ndarray, adjacency: sp.csr_array) -> np.ndarray:
    """A nested-dissection order of the sites of a graph embedded in space.

    A box of sites is cut at the middle distinct coordinate of its longest extent; the
    sites of the lower half that have a neighbour in the upper half form the
    separator, ordered after both halves, which are ordered the same way (George,
    SIAM J. Numer. Anal. 10, 345 (1973); the geometric version of George & Liu,
    *Computer Solution of Large Sparse Positive Definite Systems*, 1981, ch. 8). On
    the square lattice this is a column or a row, as in
    :mod:`betascale.solvers.ordering`. Deterministic: a function of the positions and
    the graph only.
    """
    n = positions.shape[0]
    in_upper = np.zeros(n, dtype=float)

    def order(idx: np.ndarray) -> list[np.ndarray]:
        p = positions[idx]
        extent = np.ptp(p, axis=0) if idx.size else np.zeros(1)
        if idx.size <= LEAF_SITES or not np.any(extent > 0):
            return [idx[np.lexsort(p.T[::-1])]]
        axis = int(np.argmax(extent))
        values = np.unique(p[:, axis])
        upper_mask = p[:, axis] >= values[values.size // 2]
        lower, upper = idx[~upper_mask], idx[upper_mask]
        in_upper[upper] = 1.0
        touches = (adjacency[lower] @ in_upper) > 0
        in_upper[upper] = 0.0
        return [*order(lower[~touches]), *order(upper), lower[touches]]

    return np.concatenate(order(np.arange(n, dtype=np.int64)))


@dataclass(frozen=True, eq=False)
class KwantMatrix(CsrStorage):
    """A₀ = E − H₀ of a Kwant system, renumbered, in canonical CSR order.

    The interface the fast solver reads, as :class:`betascale.lattice.CleanMatrix`
    offers it (see the module docstring for ``L``, ``M`` and ``norbs``).

    Attributes
    ----------
    spec
        The model.
    upper
        Only the upper triangle is stored (a real H: MUMPS' symmetric mode).
    indptr, cols, values
        The CSR arrays.
    onsite_positions
        Position of the diagonal entry of each disordered orbital, in the order of
        the draw.
    interfaces
        The orbitals of the two lead interfaces (new numbering), in the order of the
        leads' self-energies.
    slabs
        The orbitals of L slabs of the sample across the transport direction (the
        middle one is the solver's extra separator).
    """

    spec: ModelSpec
    upper: bool
    indptr: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    onsite_positions: np.ndarray
    interfaces: tuple[np.ndarray, np.ndarray]
    slabs: tuple[np.ndarray, ...]

    L = 1  # the solver's geometric ordering sees one column in the natural order
    norbs = 1

    @property
    def M(self) -> int:
        """The length of the one column of the solver's geometric ordering: :attr:`size`."""
        return self.size

    def orbital_index(self) -> tuple[np.ndarray, ...]:
        """The orbitals of each slab (:attr:`slabs`), indexed like the columns of a grid."""
        return self.slabs

    def interface_orbitals(self, lead: int) -> np.ndarray:
        """The orbitals lead 0 or lead 1 attaches to, in the order of its self-energy."""
        return self.interfaces[lead]

    def sample_values(self, disorder: Disorder) -> np.ndarray:
        """The values of A = E − H of one sample: A₀'s minus the on-site energies."""
        data = self.values.copy()
        data[self.onsite_positions] -= disorder.onsite
        return data


def _slabs(positions: np.ndarray, direction: np.ndarray, L: int) -> np.ndarray:
    """The slab (0 .. L-1) of each site along the transport ``direction``."""
    t = positions @ (direction / np.linalg.norm(direction))
    span = float(np.ptp(t)) or 1.0
    return np.clip(((t - t.min()) / span * L).astype(np.int64), 0, L - 1)


def assemble_kwant(
    fsyst, spec: ModelSpec, L: int, hamiltonian, disordered: np.ndarray, real: bool
) -> KwantMatrix:
    """The :class:`KwantMatrix` of a finalized system (see the module docstring).

    Parameters
    ----------
    fsyst
        The finalized Kwant system with its two leads.
    spec
        The model (its energy E).
    L
        The sample length (the number of slabs).
    hamiltonian
        ``fsyst.hamiltonian_submatrix(sparse=True, ...)``.
    disordered
        The disordered orbitals (Kwant's numbering), in the order of the draw.
    real
        Store the real upper triangle (H is real).
    """
    offsets, norbs = site_orbitals(fsyst)
    positions = np.array([site.pos for site in fsyst.sites], dtype=float).reshape(len(norbs), -1)
    site_of = np.repeat(np.arange(norbs.size), norbs)
    h = hamiltonian.tocoo()
    links = h.row != h.col
    graph = sp.csr_array(
        (np.ones(int(links.sum())), (site_of[h.row[links]], site_of[h.col[links]])),
        shape=(norbs.size, norbs.size),
    )
    sites = nested_dissection_sites(positions, graph)
    new = np.empty(site_of.size, dtype=np.int64)
    new[_orbitals_of(sites, offsets, norbs)] = np.arange(site_of.size)
    size = site_of.size
    rows = np.concatenate([new[h.row], np.arange(size)])
    cols = np.concatenate([new[h.col], np.arange(size)])
    values = np.concatenate([-h.data, np.full(size, complex(spec.E))])
    if real:
        values, keep = values.real, rows <= cols
        rows, cols, values = rows[keep], cols[keep], values[keep]
    a = sp.csr_array((values, (rows, cols)), shape=(size, size))
    a.sum_duplicates()
    a.sort_indices()
    a_rows = np.repeat(np.arange(size), np.diff(a.indptr))
    diagonal = np.flatnonzero(a_rows == a.indices)
    if diagonal.size != size:
        raise AssertionError("the diagonal of A is not stored")
    interfaces = tuple(
        new[_orbitals_of(np.asarray(fsyst.lead_interfaces[i]), offsets, norbs)] for i in (0, 1)
    )
    slab = _slabs(positions, np.asarray(fsyst.leads[0].symmetry.periods, dtype=float)[0], L)
    slab_of_orbital = slab[site_of]
    by_slab = np.argsort(slab_of_orbital, kind="stable")
    bounds = np.searchsorted(slab_of_orbital[by_slab], np.arange(L + 1))
    slabs = tuple(np.sort(new[by_slab[bounds[k] : bounds[k + 1]]]) for k in range(L))
    cols_dtype = np.int32 if size < 2**31 else np.int64
    return KwantMatrix(
        spec, real, a.indptr.astype(np.int64), a.indices.astype(cols_dtype), a.data,
        diagonal[new[disordered]], interfaces, slabs,
    )  # fmt: skip


__all__ = [
    "LEAF_SITES",
    "KwantMatrix",
    "assemble_kwant",
    "nested_dissection_sites",
    "site_orbitals",
]

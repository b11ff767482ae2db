"""The square lattice of every family, and the clean sparse matrix A₀ = E − H₀ of a geometry.

The lattice conventions shared by every family live here: the gauge of a flux
(:func:`peierls_bonds`) and its Peierls factors (:func:`peierls_factor` on the x-bonds,
:func:`peierls_factor_y` on the y-bonds), the number of y-bonds of a column
(:func:`num_bonds_y`) and the Kwant values of the hoppings (:func:`kwant_hopping_x`,
:func:`kwant_hopping_y`).

:mod:`betascale.models` defines the models through Kwant (value functions on a
``kwant.Builder``); Kwant stays the definition and the reference. Building and
finalizing a Kwant system of a million sites takes a minute in Python, so the fast
solver assembles the same matrix here, vectorized with NumPy, from the same
ingredients: the family's clean hoppings
(:meth:`~betascale.models.family.Family.hopping_x`,
:meth:`~betascale.models.family.Family.hopping_y`) and the Peierls factor
``exp(-2 pi i phi y)`` of the x-bonds (Landau gauge A = (-B y, 0)), or, with the field
only in the sample (``field_in_leads = False``), the factor ``exp(+2 pi i phi x)`` of
the y-bonds (gauge A = (0, B x)). The tests compare the result entry by entry, bit for
bit, with Kwant's ``hamiltonian_submatrix``.

Conventions
-----------
* Orbital ``((x M + y) norbs + o)`` belongs to site (x, y), orbital o: x-major, the
  order of the sites in the finalized Kwant system of
  :func:`~betascale.models.build_system` (checked when that system is built).
* The pattern is canonical (CSR order: rows ascending, columns ascending within a
  row, no duplicates) and holds exactly Kwant's non-zero entries of ``H₀`` (Kwant
  drops entries that are exactly zero), the whole diagonal (the on-site disorder)
  and, for families with random bonds (the SU(2) model), every entry of the bond
  blocks (zero in A₀).
* ``H[b, a]`` is the hopping from site a to site b and ``H[a, b]`` its Hermitian
  conjugate, as in :mod:`betascale.models`.

A sample's values (:meth:`CleanMatrix.sample_values`) are A₀'s values with the
on-site energies subtracted on the diagonal and, with random bonds, the bond
matrices R added (``A[to, from] = R``, times the Peierls factor of its bond, and
``A[from, to] = R†``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:
    from betascale.models import Disorder, ModelSpec


def peierls_factor(flux: float, y: int) -> complex:
    """The Peierls factor ``exp(-2 pi i phi y)`` of the x-bond at height y.

    The Landau gauge A = (-B y, 0) with ``phi`` flux quanta h/e per plaquette
    (R. Peierls, Z. Phys. 80, 763 (1933)): the x-bond from (x, y) to (x+1, y) carries
    the factor, y-bonds carry none, so leads along x stay translation invariant.
    """
    return np.exp(-2j * np.pi * flux * y)


def peierls_factor_y(flux: float, x: int) -> complex:
    """The Peierls factor ``exp(+2 pi i phi x)`` of the y-bonds of column x (field-free leads).

    The Landau gauge A = (0, B x) of a field that exists only in the sample
    (``ModelSpec.field_in_leads = False``; Peierls 1933): the y-bond from (x, y) to
    (x, y+1), and the periodic one from (x, M-1) to (x, 0), carries the factor and
    x-bonds carry none. Walked counter-clockwise, a plaquette's phase is
    ``2 pi phi (x+1) - 2 pi phi x = 2 pi phi``, as in :func:`peierls_factor`'s gauge.
    """
    return np.exp(2j * np.pi * flux * x)


def peierls_bonds(spec: ModelSpec) -> str | None:
    """Which bonds carry the Peierls factor of ``spec``: ``"x"``, ``"y"`` or None (no flux).

    ``"x"``: the gauge A = (-B y, 0) of sample and leads (:func:`peierls_factor`);
    ``"y"``: the gauge A = (0, B x) of a field in the sample only
    (:func:`peierls_factor_y`, ``spec.field_in_leads`` false).
    """
    if spec.flux == 0:
        return None
    return "x" if spec.field_in_leads else "y"


def num_bonds_y(bc: str, M: int) -> int:
    """y-bonds per column: M-1 (hardwall) or M (periodic)."""
    return M if bc == "periodic" else M - 1


def kwant_hopping_x(spec: ModelSpec):
    """The clean x-hopping of the leads and of a clean sample, as a Kwant value.

    The family's :meth:`~betascale.models.family.Family.hopping_x`, times
    :func:`peierls_factor` of the bond's height in the gauge A = (-B y, 0) (a value
    function then).
    """
    hop = spec.family.hopping_x(spec)
    if peierls_bonds(spec) != "x":
        return hop
    flux = spec.flux

    def peierls_x(to_site, from_site):
        return hop * peierls_factor(flux, from_site.tag[1])

    return peierls_x


def kwant_hopping_y(spec: ModelSpec):
    """The clean y-hopping of a clean sample, as a Kwant value.

    The family's :meth:`~betascale.models.family.Family.hopping_y`, times
    :func:`peierls_factor_y` of the bond's column in the gauge A = (0, B x) (a value
    function then).
    """
    hop = spec.family.hopping_y(spec)
    if peierls_bonds(spec) != "y":
        return hop
    flux = spec.flux

    def peierls_y(to_site, from_site):
        return hop * peierls_factor_y(flux, from_site.tag[0])

    return peierls_y


@dataclass(frozen=True)
class _Slot:
    """One neighbour of a row's site: a rectangle of row sites and their 2x2 (or 1x1) blocks.

    ``blocks[y or 0]`` holds the values of A in the block (row orbital, column
    orbital); ``template`` marks its stored entries; ``shift`` is the column site
    minus the row site.
    """

    name: str
    xs: slice
    ys: slice
    shift: int
    blocks: np.ndarray  # (number of x or 1, number of y or 1, norbs, norbs), values of A
    template: np.ndarray  # (norbs, norbs) bool


def _phased(hop, factors: list[complex], n: int) -> np.ndarray:
    """``hop * factor`` for each factor, shape (len(factors), n, n), computed as Kwant's
    value functions compute it (so that the entries agree bit for bit)."""
    return np.array([np.asarray(hop * f, dtype=complex) for f in factors]).reshape(-1, n, n)


def _hopping_blocks(spec: ModelSpec, L: int, M: int) -> tuple[np.ndarray, np.ndarray]:
    """H-values of the x-bonds and of the y-bonds, shapes (L or 1, M or 1, n, n).

    The Peierls factor (:func:`peierls_bonds`) makes the x-bonds depend on y
    (``hop * exp(-2 pi i phi y)``) or the y-bonds on x (``hop * exp(2 pi i phi x)``).
    """
    n = spec.norbs
    hop_x, hop_y = spec.family.hopping_x(spec), spec.family.hopping_y(spec)
    hx = np.asarray(hop_x, dtype=complex).reshape(1, 1, n, n)
    hy = np.asarray(hop_y, dtype=complex).reshape(1, 1, n, n)
    gauge = peierls_bonds(spec)
    if gauge == "x":
        hx = _phased(hop_x, [peierls_factor(spec.flux, y) for y in range(M)], n)[None]
    elif gauge == "y":
        hy = _phased(hop_y, [peierls_factor_y(spec.flux, x) for x in range(L)], n)[:, None]
    return hx, hy


def _slots(spec: ModelSpec, L: int, M: int, upper: bool) -> list[_Slot]:
    """The neighbour slots of a row, in ascending column order (see :func:`assemble`)."""
    n = spec.norbs
    hx, hy = _hopping_blocks(spec, L, M)
    if spec.random_bonds:  # whole blocks stored, values added per sample
        tx = ty = np.ones((n, n), dtype=bool)
        hx, hy = np.zeros_like(hx[:1, :1]), np.zeros_like(hy[:1, :1])
    else:
        tx, ty = hx[0, 0] != 0, hy[0, 0] != 0

    def fwd(h):  # A[to, from] = -H[to, from]
        return -h

    def bwd(h):  # A[from, to] = -conj(H[to, from]).T
        return -np.conj(h).transpose(0, 1, 3, 2)

    every, periodic = slice(0, None), spec.bc == "periodic"
    diag = np.full((1, 1, n, n), 0.0, dtype=complex)
    diag[0, 0][np.diag_indices(n)] = spec.E
    candidates: list[_Slot | None] = [
        _Slot("x-", slice(1, L), every, -M, fwd(hx), tx),
        _Slot("y+wrap", every, slice(M - 1, M), -(M - 1), bwd(hy), ty.T) if periodic else None,
        _Slot("y-", every, slice(1, M), -1, fwd(hy), ty),
        _Slot("self", every, every, 0, diag, np.eye(n, dtype=bool)),
        _Slot("y+", every, slice(0, M - 1), 1, bwd(hy), ty.T),
        _Slot("y-wrap", every, slice(0, 1), M - 1, fwd(hy), ty) if periodic else None,
        _Slot("x+", slice(0, L - 1), every, M, bwd(hx), tx.T),
    ]
    slots = [slot for slot in candidates if slot is not None]
    if upper:  # the columns of these slots are >= the row (the self block is diagonal)
        slots = [slot for slot in slots if slot.shift >= 0]
    return slots


class CsrStorage:
    """The views shared by the clean matrices of every geometry (:class:`CleanMatrix`,
    and :class:`betascale.models.kwant_matrix.KwantMatrix` of a Kwant family): CSR
    arrays ``indptr``, ``cols``, ``values`` of a ``size x size`` matrix, only the upper
    triangle stored if ``upper``."""

    indptr: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    upper: bool

    @property
    def size(self) -> int:
        """Number of orbitals (rows of A): one fewer than the entries of ``indptr``."""
        return int(self.indptr.size - 1)

    @property
    def nnz(self) -> int:
        """Number of stored entries."""
        return int(self.indptr[-1])

    @property
    def rows(self) -> np.ndarray:
        """Row index of every stored entry (int32), in the canonical order."""
        return np.repeat(np.arange(self.size, dtype=np.int32), np.diff(self.indptr))

    def to_sparse(self, values: np.ndarray | None = None) -> sp.csr_array:
        """The stored entries (these values, or A₀'s) as a SciPy CSR array."""
        data = self.values if values is None else values
        return sp.csr_array((data, self.cols, self.indptr), shape=(self.size, self.size))

    def full(self, values: np.ndarray | None = None) -> sp.csr_array:
        """The whole matrix (mirrored from the upper triangle if only that is stored)."""
        a = self.to_sparse(values)
        if not self.upper:
            return a
        return (a + sp.triu(a, k=1).T).tocsr()


@dataclass(frozen=True, eq=False)
class CleanMatrix(CsrStorage):
    """The clean A₀ = E − H₀ of one geometry in canonical CSR order (see the module docstring).

    Build it with :func:`assemble`.

    Attributes
    ----------
    spec, L, M
        The model and the size.
    upper
        Whether only the upper triangle (column >= row) is stored, as MUMPS reads a
        symmetric matrix.
    indptr, cols, values
        The CSR arrays: row r holds the entries ``indptr[r]:indptr[r+1]``.
    onsite_positions
        Position of each diagonal entry, in orbital order (``[x, y, o]`` raveled).
    bond_positions
        Random bonds only (the SU(2) model): positions of ``A[to, from]`` and
        ``A[from, to]`` for every entry (i, j) of every bond, ordered as
        ``concatenate([bonds_x.reshape(-1, n, n), bonds_y.reshape(-1, n, n)]).ravel()``.
    x_phases
        Random bonds with flux in the gauge A = (-B y, 0): the Peierls factor of the
        x-bonds at each height y.
    y_phases
        Random bonds with flux in the gauge A = (0, B x) (field-free leads): the Peierls
        factor of the y-bonds of each column x.
    """

    spec: ModelSpec
    L: int
    M: int
    upper: bool
    indptr: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    onsite_positions: np.ndarray
    bond_positions: tuple[np.ndarray, np.ndarray] | None = None
    x_phases: np.ndarray | None = None
    y_phases: np.ndarray | None = None

    @property
    def norbs(self) -> int:
        """Orbitals per site."""
        return self.spec.norbs

    def orbital_index(self) -> np.ndarray:
        """Orbital indices ``[x, y, orbital]`` of this matrix."""
        return orbital_index(self.L, self.M, self.norbs)

    def interface_orbitals(self, lead: int) -> np.ndarray:
        """Orbitals of the column that lead 0 (x = 0) or lead 1 (x = L − 1) attaches to.

        In the order ``(y, orbital)``, the order of the self-energy of
        :func:`betascale.leads.finalized_lead` (and of its reversed copy).
        """
        width = self.M * self.norbs
        start = 0 if lead == 0 else (self.L - 1) * width
        return np.arange(start, start + width, dtype=np.int64)

    def sample_values(self, disorder: Disorder) -> np.ndarray:
        """The values of A = E − H of one sample, in the canonical pattern (a new array)."""
        data = self.values.copy()
        data[self.onsite_positions] -= np.repeat(disorder.onsite.ravel(), self.norbs)
        if self.bond_positions is not None:
            bonds_x, bonds_y = disorder.bonds_x, disorder.bonds_y
            if bonds_x is None or bonds_y is None:
                raise ValueError(f"the {self.spec.hamiltonian} model has random bonds: none drawn")
            if self.x_phases is not None:
                bonds_x = bonds_x * self.x_phases[None, :, None, None]
            if self.y_phases is not None:
                bonds_y = bonds_y * self.y_phases[:, None, None, None]
            n = self.norbs
            r = np.concatenate([bonds_x.reshape(-1, n, n), bonds_y.reshape(-1, n, n)])
            fwd, bwd = self.bond_positions
            data[fwd] += r.ravel()  # A[to, from] = -H[to, from] = R
            data[bwd] += np.conj(r).ravel()  # A[from, to] = R^dagger
        return data


def orbital_index(L: int, M: int, norbs: int) -> np.ndarray:
    """Orbital indices ``[x, y, orbital]``: ``(x M + y) norbs + orbital``."""
    return np.arange(L * M * norbs, dtype=np.int64).reshape(L, M, norbs)


def assemble(spec: ModelSpec, L: int, M: int, upper: bool = False) -> CleanMatrix:
    """Assemble the clean A₀ = E − H₀ of an ``L x M`` sample of ``spec``.

    Parameters
    ----------
    spec
        The model.
    L, M
        Sample length and width (not checked here; see
        :func:`betascale.models.validate_geometry`).
    upper
        Store only the upper triangle (for MUMPS' symmetric mode); not for
        families with random bonds.

    Notes
    -----
    Each row's entries come from up to seven neighbour slots taken in ascending
    column order: x−1, the periodic y-bond across the seam (row y = M−1), y−1, the
    site itself, y+1, the seam again (row y = 0) and x+1. Two passes over the slots
    (count, then fill) give the CSR arrays without sorting.
    """
    if upper and spec.random_bonds:
        raise ValueError(f"the {spec.hamiltonian} model has random bonds: assemble the full matrix")
    n = spec.norbs
    slots = _slots(spec, L, M, upper)
    counts = np.zeros((L, M, n), dtype=np.int64)
    for slot in slots:
        counts[slot.xs, slot.ys] += slot.template.sum(axis=1)
    indptr = np.zeros(L * M * n + 1, dtype=np.int64)
    np.cumsum(counts.ravel(), out=indptr[1:])
    del counts
    nnz = int(indptr[-1])
    cols = np.empty(nnz, dtype=np.int32 if L * M * n < 2**31 else np.int64)
    values = np.empty(nnz, dtype=float if spec.is_real else complex)
    fill = indptr[:-1].reshape(L, M, n).copy()
    positions: dict[str, np.ndarray] = {}
    for slot in slots:
        positions[slot.name] = _fill_slot(slot, M, n, fill, cols, values)
    del fill
    bonds = _bond_positions(positions, spec.bc, n) if spec.random_bonds else None
    x_phases = y_phases = None
    gauge = peierls_bonds(spec) if spec.random_bonds else None
    if gauge == "x":
        x_phases = np.array([peierls_factor(spec.flux, y) for y in range(M)])
    elif gauge == "y":
        y_phases = np.array([peierls_factor_y(spec.flux, x) for x in range(L)])
    onsite = positions["self"].ravel()  # one entry per row orbital: (x, y, o) order
    return CleanMatrix(spec, L, M, upper, indptr, cols, values, onsite, bonds, x_phases, y_phases)


def _fill_slot(
    slot: _Slot, M: int, n: int, fill: np.ndarray, cols: np.ndarray, values: np.ndarray
) -> np.ndarray:
    """Write one slot's entries at the next free positions of their rows.

    Returns the positions, shape ``(rows x, rows y, stored entries of a block)``, the
    block's entries in C order (row orbital, then column orbital).
    """
    t_row, t_col = np.nonzero(slot.template)  # ordered by (row orbital, column orbital)
    per_row = slot.template.sum(axis=1)
    rank = np.arange(t_row.size) - np.concatenate([[0], np.cumsum(per_row)[:-1]])[t_row]
    base = fill[slot.xs, slot.ys]  # (Lk, Mk, n), a view
    pos = base[..., t_row] + rank  # (Lk, Mk, entries)
    x = np.arange(fill.shape[0])[slot.xs]
    y = np.arange(M)[slot.ys]
    col_site = (x[:, None] * M + y[None, :]) + slot.shift
    cols[pos] = (col_site[..., None] * n + t_col).astype(cols.dtype, copy=False)
    blocks = slot.blocks[..., t_row, t_col]  # (Lx or 1, My or 1, entries)
    if values.dtype.kind == "f":  # the orthogonal class: the blocks are real
        blocks = blocks.real
    if blocks.shape[0] > 1:
        blocks = blocks[slot.xs]
    if blocks.shape[1] > 1:
        blocks = blocks[:, slot.ys]
    values[pos] = blocks
    base += per_row  # advances `fill` in place
    return pos


def _bond_positions(positions: dict, bc: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the random-bond entries, forward and backward, in the Disorder order.

    A forward entry (i, j) of a bond is ``A[to_i, from_j]`` (in the row of the bond's
    ``to`` site); the backward one is ``A[from_j, to_i]`` (row of ``from``, column
    orbital i), hence the transposes.
    """
    positions = {k: p.reshape(*p.shape[:2], n, n) for k, p in positions.items() if k != "self"}
    x_fwd = positions["x-"]  # rows x+1: bond (x, y)
    x_bwd = positions["x+"].transpose(0, 1, 3, 2)  # rows x: bond (x, y)
    y_fwd_parts = [positions["y-"]]  # rows y+1: bond (x, y)
    y_bwd_parts = [positions["y+"]]  # rows y: bond (x, y)
    if bc == "periodic":  # the bond (x, M-1) -> (x, 0) across the seam
        y_fwd_parts.append(positions["y-wrap"])
        y_bwd_parts.append(positions["y+wrap"])
    y_fwd = np.concatenate(y_fwd_parts, axis=1)
    y_bwd = np.concatenate(y_bwd_parts, axis=1).transpose(0, 1, 3, 2)
    fwd = np.concatenate([x_fwd.ravel(), y_fwd.ravel()])
    bwd = np.concatenate([x_bwd.ravel(), y_bwd.ravel()])
    return fwd, bwd


__all__ = [
    "CleanMatrix",
    "assemble",
    "kwant_hopping_x",
    "kwant_hopping_y",
    "num_bonds_y",
    "orbital_index",
    "peierls_bonds",
    "peierls_factor",
    "peierls_factor_y",
]

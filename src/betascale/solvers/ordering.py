"""A geometric nested-dissection ordering of the L x M grid, the lead interfaces last.

For a sample of the square lattice the graph of A = E − H is the L x M grid
(nearest neighbours; a cylinder for periodic transverse boundary conditions), and
nested dissection needs no graph partitioner: a column or a row of sites splits a
box into two halves that do not touch, recursively (George, SIAM J. Numer. Anal.
10, 345 (1973); George & Liu, *Computer Solution of Large Sparse Positive
Definite Systems*, 1981, ch. 8). The elimination order is that of the recursion:
the two halves first, each ordered the same way, then their separator. For a
k x k grid this costs O(k³) operations and O(k² log k) fill, the optimum for 2D
grids (Hoffman, Martin & Rose, SIAM J. Numer. Anal. 10, 364 (1973)).

The two lead interfaces (columns x = 0 and x = L − 1) are ordered last, after the
interior's top separator: they are the Schur variables of
:class:`~betascale.solvers.mumps_adapter.SchurFactorizer`, which MUMPS keeps
uneliminated, so the interface block is the root front of the factorization.

The order depends on (L, M, bc, orbitals per site) only: it is deterministic and
computed once per geometry.
"""

from __future__ import annotations

import numpy as np

#: Boxes with at most this many sites are not dissected further (natural order).
LEAF_SITES = 16


def _box_order(lx: int, ly: int, ring: bool, M: int, memo: dict) -> tuple[np.ndarray, np.ndarray]:
    """Nested-dissection order of an ``lx x ly`` box: relative coordinates (x, y) of its sites.

    The box is cut, recursively, by the column in its middle if it is at least as
    long as it is wide, otherwise by the row in its middle; the two halves come
    first, then the separator. ``ring`` marks the whole periodic circumference
    (``ly = M``, rows M − 1 and 0 adjacent): it is cut by a column, or by the two
    rows 0 and M // 2 once it is at least twice as wide as it is long. Boxes of at
    most :data:`LEAF_SITES` sites are ordered column by column. The order of a
    box depends on its shape only, so each shape is computed once (``memo``).
    """
    key = (lx, ly, ring)
    if key in memo:
        return memo[key]
    if lx <= 0 or ly <= 0:
        xs = ys = np.empty(0, dtype=np.int64)
    elif lx * ly <= LEAF_SITES:
        xs, ys = np.divmod(np.arange(lx * ly, dtype=np.int64), ly)
    elif ring and 2 * lx <= ly:  # rows 0 and M // 2 cut the cylinder into two boxes
        half = M // 2
        ax, ay = _box_order(lx, half - 1, False, M, memo)
        bx, by = _box_order(lx, M - half - 1, False, M, memo)
        xs = np.concatenate([ax, bx, np.repeat(np.arange(lx), 2)])
        ys = np.concatenate([ay + 1, by + half + 1, np.tile([0, half], lx)])
    elif lx >= ly or ring:  # the column in the middle
        mid = lx // 2
        ax, ay = _box_order(mid, ly, ring, M, memo)
        bx, by = _box_order(lx - mid - 1, ly, ring, M, memo)
        xs = np.concatenate([ax, bx + mid + 1, np.full(ly, mid)])
        ys = np.concatenate([ay, by, np.arange(ly)])
    else:  # the row in the middle
        mid = ly // 2
        ax, ay = _box_order(lx, mid, False, M, memo)
        bx, by = _box_order(lx, ly - mid - 1, False, M, memo)
        xs = np.concatenate([ax, bx, np.arange(lx)])
        ys = np.concatenate([ay, by + mid + 1, np.full(lx, mid)])
    memo[key] = (xs, ys)
    return xs, ys


def nested_dissection(L: int, M: int, periodic: bool, norbs: int) -> np.ndarray:
    """Elimination order of the orbitals of an L x M sample, the lead interfaces last.

    Parameters
    ----------
    L, M
        Sample length (x, the transport direction) and width (y).
    periodic
        Periodic transverse boundary conditions (rows M − 1 and 0 coupled).
    norbs
        Orbitals per site; a site's orbitals stay together.

    Returns
    -------
    numpy.ndarray
        The orbital indices ``(x M + y) norbs + o`` (the order of
        :func:`betascale.lattice.orbital_index`) in elimination order (int64): the
        interior by nested dissection, then column 0, then column L − 1 (each in
        the order of :meth:`betascale.lattice.CleanMatrix.interface_orbitals`).
    """
    xs, ys = _box_order(max(L - 2, 0), M, periodic and M > 2, M, {})
    interior = (xs + 1) * M + ys
    columns = [np.arange(M)] + ([np.arange((L - 1) * M, L * M)] if L > 1 else [])
    sites = np.concatenate([interior, *columns])
    return (sites[:, None] * norbs + np.arange(norbs)[None, :]).ravel()


def with_last(order: np.ndarray, last: np.ndarray) -> np.ndarray:
    """``order`` with the variables ``last`` moved to its end, in the order given.

    The relative order of the other variables is kept (a nested-dissection
    order stays one: the moved variables join the root separator).
    """
    moved = np.zeros(order.size, dtype=bool)
    moved[last] = True
    return np.concatenate([order[~moved[order]], last])


def pivot_positions(order: np.ndarray) -> np.ndarray:
    """MUMPS' PERM_IN from an elimination order: the 1-based position of each variable.

    ``PERM_IN(i) = k`` means variable i is the k-th pivot (MUMPS 5.5 users'
    guide, sec. 5.4, ICNTL(7) = 1).
    """
    positions = np.empty(order.size, dtype=np.int32)
    positions[order] = np.arange(1, order.size + 1, dtype=np.int32)
    return positions


__all__ = ["LEAF_SITES", "nested_dissection", "pivot_positions", "with_last"]

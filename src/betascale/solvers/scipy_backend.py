"""The SciPy back end of the fast solver: the Schur complement by SuperLU solves.

With the Schur orbitals I (the lead interfaces) and the interior B,

    S = A_II − A_IB A_BB⁻¹ A_BI

(the Schur complement; Golub & Van Loan, *Matrix Computations*, 4th ed., sec.
3.2.10), computed with SuperLU (``scipy.sparse.linalg.splu``; Li, ACM Trans.
Math. Softw. 31, 302 (2005)) by one of two routes:

``"trailing"`` (the geometric nested dissection)
    The whole matrix, the interface orbitals ordered last (:mod:`.ordering`, handed
    to SuperLU as its natural column order), is factorized ``P_r A P_c = L U`` with
    threshold partial pivoting (:data:`PIVOT_THRESHOLD`; SuperLU's symmetric mode
    prefers the diagonal). If no pivoting crossed between interior and interface,
    the trailing blocks give ``S = L_II U_II`` (block LU, Golub & Van Loan sec.
    3.2.10), one small dense product. The interface rows are scaled by
    :data:`INTERFACE_SCALE` (a power of two, so exactly) so that they are never
    chosen as pivots of interior columns; S is scaled back exactly.
``"solves"`` (a named SuperLU ordering, or when the trailing route does not apply)
    The interior block A_BB alone is factorized and ``X = A_BB⁻¹ A_BI`` is found by
    solves for the interface columns (2M orbitals), a block of columns at a time
    so that the dense temporaries stay bounded; then ``S −= A_IB X``.

The dense interface step of the fast solver is unchanged. SuperLU is sequential
and the route is a deterministic function of the values, so a result is
bit-identical run to run on one platform.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from betascale.errors import InputError
from betascale.solvers.backends import SchurBackend

#: A pivot below this fraction of the largest marks a numerically singular block.
SINGULAR_PIVOT = 1e-12
#: SuperLU's column orderings (``permc_spec`` of ``scipy.sparse.linalg.splu``).
SUPERLU_ORDERINGS = ("COLAMD", "MMD_AT_PLUS_A", "MMD_ATA", "NATURAL")

#: Threshold of the partial pivoting with the nested dissection: a diagonal pivot is
#: kept if it is at least this fraction of its column's largest entry (SuperLU's
#: ``diag_pivot_thresh``; MUMPS's default relative threshold is 0.01).
PIVOT_THRESHOLD = 1e-3

#: Interface columns solved for at a time (bounds the dense temporaries).
COLUMN_BLOCK = 64

#: Scale of the interface rows in the trailing route (2⁻⁶⁴: exact, far from underflow).
INTERFACE_SCALE = 2.0**-64


def _positions(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int], csc: bool):
    """Compressed arrays of the pattern (rows, cols) and where each entry comes from.

    Returns ``(indices, indptr, source)``: the compressed (CSC if ``csc``, else CSR)
    structure with sorted indices, and for each of its entries the position in
    (rows, cols). The entries must be distinct.
    """
    tag = np.arange(1, rows.size + 1, dtype=np.float64)  # exact up to 2**53 entries
    kind = sp.csc_array if csc else sp.csr_array
    m = kind((tag, (rows, cols)), shape=shape)
    m.sum_duplicates()
    if m.nnz != rows.size:
        raise ValueError("the pattern has repeated entries")
    return m.indices.copy(), m.indptr.copy(), m.data.astype(np.int64) - 1


class SuperLUSchurFactorizer(SchurBackend):
    """SuperLU (SciPy) factorizer of the interior, forming the Schur complement onto ``indices``.

    Build it with :meth:`create` (see :class:`~betascale.solvers.backends.SchurBackend`).
    """

    name: ClassVar[str] = "scipy"
    default_ordering: ClassVar[str] = "COLAMD"
    errors: ClassVar[tuple[type[BaseException], ...]] = (RuntimeError,)

    @classmethod
    def create(
        cls,
        size: int,
        rows: np.ndarray,
        cols: np.ndarray,
        values0: np.ndarray,
        indices: np.ndarray,
        *,
        symmetric: bool,
        ordering: str,
        order: np.ndarray | None = None,
        options: object = None,
    ) -> SuperLUSchurFactorizer:
        """See :meth:`SchurBackend.create`; ``options`` must be None."""
        if options is not None:
            raise InputError("the scipy backend takes no solver options (they are MUMPS controls)")
        return cls(size, rows, cols, values0, indices, symmetric, ordering, order)

    def __init__(
        self,
        size: int,
        rows: np.ndarray,
        cols: np.ndarray,
        values0: np.ndarray,
        indices: np.ndarray,
        symmetric: bool,
        ordering: str,
        order: np.ndarray | None = None,
    ) -> None:
        indices = np.asarray(indices, dtype=np.int64)
        self.dtype = values0.dtype
        self.ordering = "nd" if order is not None else self.available_ordering(ordering)
        if order is None:
            keep = np.zeros(size, dtype=bool)
            keep[indices] = True
            order = np.concatenate([np.flatnonzero(~keep), indices])
        elif not np.array_equal(order[order.size - indices.size :], indices):
            raise ValueError("the elimination order must end with the Schur orbitals")
        new = np.empty(size, dtype=np.int64)
        new[order] = np.arange(size)
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        source = np.arange(rows.size)
        if symmetric:  # mirror the strict upper triangle
            off = rows != cols
            rows, cols = np.concatenate([rows, cols[off]]), np.concatenate([cols, rows[off]])
            source = np.concatenate([source, source[off]])
        r, c = new[rows], new[cols]
        self.nb = nb = size - indices.size
        k = indices.size
        blocks = {
            "bb": (r < nb) & (c < nb),
            "bi": (r < nb) & (c >= nb),
            "ib": (r >= nb) & (c < nb),
            "ii": (r >= nb) & (c >= nb),
        }
        full = _positions(r, c, (size, size), csc=True)
        scale = np.where(r >= nb, INTERFACE_SCALE, 1.0)[full[2]]
        self._full = (*full[:2], source[full[2]], scale)
        bb, ib = blocks["bb"], blocks["ib"]
        self._bb = _positions(r[bb], c[bb], (nb, nb), csc=True)
        self._bb = (*self._bb[:2], source[bb][self._bb[2]])
        self._ib = _positions(r[ib] - nb, c[ib], (k, nb), csc=False)
        self._ib = (*self._ib[:2], source[ib][self._ib[2]])
        bi, ii = blocks["bi"], blocks["ii"]
        self._bi = (r[bi], c[bi] - nb, source[bi])
        self._ii = (r[ii] - nb, c[ii] - nb, source[ii])
        self.k = k
        self.route = ""
        self._stats: dict = {}

    @classmethod
    def available_ordering(cls, name: str) -> str:
        """SuperLU's ordering called ``name`` (case-insensitive; ``"auto"``: COLAMD).

        Raises
        ------
        InputError
            For a name SuperLU does not know.
        """
        upper = name.upper()
        if upper == "AUTO":
            return cls.default_ordering
        if upper not in SUPERLU_ORDERINGS:
            raise InputError(
                f"the scipy backend's ordering must be nd or one of "
                f"{', '.join(SUPERLU_ORDERINGS)}, got {name!r}"
            )
        return upper

    def _splu(self, a: sp.csc_array, interior: int | None = None):
        """SuperLU's factors of ``a``; RuntimeError if its first ``interior`` pivots
        (all by default) are numerically singular (:func:`check_pivots`)."""
        lu = self._splu_raw(a)
        check_pivots(lu, a.shape[0] if interior is None else interior)
        return lu

    def _splu_raw(self, a: sp.csc_array):
        if self.ordering == "nd":
            return spla.splu(
                a,
                permc_spec="NATURAL",
                diag_pivot_thresh=PIVOT_THRESHOLD,
                options={"SymmetricMode": True},
            )
        return spla.splu(a, permc_spec=self.ordering)

    def factor(self, values: np.ndarray) -> np.ndarray:
        """Factorize with ``values`` and return S (a new full array); see the module docstring.

        Raises ``RuntimeError`` if the interior block is singular, exactly (SuperLU's
        error) or numerically (:func:`check_pivots`); the fast solver then retries.
        """
        if values.dtype != self.dtype or not values.flags.c_contiguous or values.ndim != 1:
            raise ValueError("values must be a contiguous 1-d array of the analysed dtype")
        if self.nb > 0 and self.ordering == "nd":
            s = self._trailing(values)
            if s is not None:
                self.route = "trailing"
                return s
        self.route = "solves"
        return self._by_solves(values)

    def _record(self, lu) -> None:
        nnz = lu.L.nnz + lu.U.nnz
        itemsize = np.dtype(self.dtype).itemsize
        self._stats = {"factor_nnz": nnz, "factor_mb": nnz * (itemsize + 4) / 1e6}

    def _trailing(self, values: np.ndarray) -> np.ndarray | None:
        """S from the trailing blocks of the LU factors of the whole matrix, or None.

        None when SuperLU fails or its pivoting mixed interior and interface.
        """
        nb = self.nb
        indices, indptr, src, scale = self._full
        a = sp.csc_array((values[src] * scale, indices, indptr), shape=(nb + self.k,) * 2)
        try:
            lu = self._splu(a, interior=nb)
        except RuntimeError:
            return None
        rows, cols = lu.perm_r[nb:] - nb, lu.perm_c[nb:] - nb
        if rows.min() < 0 or cols.min() < 0:
            return None
        l_ii = sp.csc_array(lu.L[:, nb:])[nb:].toarray()
        u_ii = sp.csc_array(lu.U[:, nb:])[nb:].toarray()
        self._record(lu)
        # P_r A P_c = L U puts A[i, j] at (perm_r[i], perm_c[j]) (SciPy's SuperLU docs)
        return (l_ii @ u_ii)[np.ix_(rows, cols)] / INTERFACE_SCALE

    def _by_solves(self, values: np.ndarray) -> np.ndarray:
        """S = A_II − A_IB (A_BB⁻¹ A_BI), the interior factorized alone."""
        nb, k = self.nb, self.k
        s = np.zeros((k, k), dtype=values.dtype)
        r, c, src = self._ii
        s[r, c] = values[src]
        if nb == 0:
            return s
        indices, indptr, src = self._bb
        lu = self._splu(sp.csc_array((values[src], indices, indptr), shape=(nb, nb)))
        indices, indptr, src = self._ib
        a_ib = sp.csr_array((values[src], indices, indptr), shape=(k, nb))
        r, c, src = self._bi
        for start in range(0, k, COLUMN_BLOCK):
            stop = min(k, start + COLUMN_BLOCK)
            chosen = (c >= start) & (c < stop)
            rhs = np.zeros((nb, stop - start), dtype=values.dtype)
            rhs[r[chosen], c[chosen] - start] = values[src[chosen]]
            s[:, start:stop] -= a_ib @ lu.solve(rhs)
        self._record(lu)
        return s

    @property
    def statistics(self) -> dict:
        """The ordering, the last route taken, its factors' nonzeros and their megabytes."""
        return {"ordering": self.ordering, "route": self.route, **self._stats}

    @classmethod
    def solve_regular(cls, matrix: sp.sparray, rhs: np.ndarray, ordering: str) -> np.ndarray:
        """Solve ``matrix @ x = rhs`` by SuperLU with the named ordering (COLAMD for ``"nd"``)."""
        name = cls.default_ordering if ordering == "nd" else cls.available_ordering(ordering)
        return spla.splu(sp.csc_array(matrix), permc_spec=name).solve(rhs)


def check_pivots(lu, count: int) -> None:
    """Raise ``RuntimeError`` if the first ``count`` pivots of ``lu`` are numerically singular.

    SuperLU raises only for an exactly zero pivot; an interior block that is singular
    to rounding (E at an eigenvalue of the clean sample, say) gives a smallest pivot of
    order 1e-16 of the largest and garbage factors, which would pass as a valid T.
    Below :data:`SINGULAR_PIVOT` times the largest pivot the block counts as singular,
    as MUMPS's null-pivot detection does, and the fast solver retries by another route.
    """
    if count <= 0:
        return
    pivots = np.abs(lu.U.diagonal()[:count])
    largest = float(pivots.max())
    if not largest > 0 or float(pivots.min()) <= SINGULAR_PIVOT * largest:
        raise RuntimeError(
            f"SuperLU: the interior block is numerically singular (smallest pivot "
            f"{float(pivots.min()):.1e} of the largest {largest:.1e})"
        )


__all__ = [
    "COLUMN_BLOCK",
    "INTERFACE_SCALE",
    "PIVOT_THRESHOLD",
    "SINGULAR_PIVOT",
    "SUPERLU_ORDERINGS",
    "SuperLUSchurFactorizer",
    "check_pivots",
]

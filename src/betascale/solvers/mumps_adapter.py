"""The one module that touches MUMPS: python-mumps, and Kwant's MUMPS wrapper.

This is the ``"mumps"`` back end of :mod:`betascale.solvers.backends`
(:class:`SchurFactorizer`); it is imported only when that back end is used, so
betascale works without python-mumps (the ``mumps`` extra).

python-mumps (https://gitlab.kwant-project.org/kwant/python-mumps) exposes a
``Context`` with an ``analyze``/``factor`` cycle and, through its MUMPS instance,
the control arrays ICNTL/CNTL of the MUMPS users' guide (MUMPS 5.5, sec. 6). The
fast solver needs more than its public methods give, all of it here:

* the Schur complement onto given indices (ICNTL(19) = 1, a centralized dense
  block in a buffer of ours), with the factors discarded (ICNTL(31) = 1): only
  the Schur complement is wanted;
* the analysis done once per geometry and reused, and each sample's values handed
  to the instance without re-converting the pattern (python-mumps' ``set_matrix``
  copies and re-indexes the whole pattern on every call);
* optional MUMPS controls (:class:`MumpsOptions`) for the measurements of
  ``betascale bench``;
* a fill-reducing ordering of our own (ICNTL(7) = 1, the PERM_IN array of the
  MUMPS instance). python-mumps 0.0.4 has no setter for PERM_IN, so it is written
  into the instance's ``DMUMPS_STRUC_C``/``ZMUMPS_STRUC_C`` through ctypes
  (:func:`_set_perm_in`), after checking that the layout is the one of
  ``dmumps_c.h`` of MUMPS 5.5 (the matrix pointers python-mumps set are found
  where the header puts them); otherwise the named ordering is used. This matters
  because with a Schur complement requested, MUMPS 5.5 built without METIS
  ignores the named ordering and uses its constrained AMD (``dana_aux.F``),
  whereas a user ordering is honoured.

:func:`solve_regular` uses Kwant's own MUMPS wrapper (``kwant.linalg.mumps``), the
route Kwant itself solves with.
"""

from __future__ import annotations

import ctypes
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from mumps import MUMPSError  # raised when MUMPS fails (python-mumps' error type)

from betascale.solvers.backends import MUMPS_DEFAULT_ORDERING, SchurBackend
from betascale.solvers.ordering import pivot_positions


@dataclass(frozen=True)
class MumpsOptions:
    """Extra MUMPS controls, by their number in the MUMPS users' guide.

    ``icntl`` entries are set before the analysis (e.g. 14: memory relaxation in
    percent; 35: block low-rank factorization; 37: compressed contribution
    blocks; 22: out-of-core), ``cntl`` entries before each factorization (e.g. 7:
    the block low-rank tolerance). The default is MUMPS' defaults.
    """

    icntl: Mapping[int, int] = field(default_factory=dict)
    cntl: Mapping[int, float] = field(default_factory=dict)

    def describe(self) -> str:
        """A short label such as ``ICNTL(35)=2 CNTL(7)=1e-12`` (``defaults`` if empty)."""
        parts = [f"ICNTL({k})={v}" for k, v in sorted(self.icntl.items())]
        parts += [f"CNTL({k})={v:g}" for k, v in sorted(self.cntl.items())]
        return " ".join(parts) or "defaults"


def available_ordering(name: str) -> str:
    """``name`` if this MUMPS build has that ordering, else ``"auto"``."""
    import mumps

    return name if name in mumps.possible_orderings() else "auto"


#: python-mumps' letter of each value type it has a MUMPS instance for (``dmumps``, ...).
_LETTERS = {np.dtype(np.float64): "d", np.dtype(np.complex128): "z"}


def _python_mumps_internals() -> Any | None:
    """python-mumps' extension module (``mumps.mumps._mumps``), if it has what
    :func:`_context` uses; None otherwise (another version)."""
    import mumps

    backend = getattr(getattr(mumps, "mumps", None), "_mumps", None)
    return backend if hasattr(backend, "int_dtype") else None


def _context(size: int, rows, cols, values: np.ndarray, symmetric: bool):
    """A python-mumps context holding the pattern (rows, cols) with ``values``.

    What ``Context.set_matrix`` does with the COO matrix of these arrays (its upper
    triangle if ``symmetric``): the same 1-based int32 indices, in the same order, handed
    to a new instance; but without its copies (of the COO matrix, of its upper
    triangle, of the values: MUMPS reads A and never writes it, and :meth:`factor`
    hands it each sample's values the same way), which cost a tenth of the set-up at
    L = 1024. Other value types, and a python-mumps without the internals relied on
    (``mumps.mumps._mumps``), take python-mumps' own ``set_matrix``.
    """
    import mumps

    ctx = mumps.Context()
    backend = _python_mumps_internals()
    letter = _LETTERS.get(np.asarray(values).dtype)
    if letter is None or backend is None:  # another value type, or python-mumps version
        matrix = sp.coo_array((values, (rows, cols)), shape=(size, size))
        ctx.set_matrix(matrix, symmetric=symmetric)
        return ctx
    rows, cols = np.asarray(rows), np.asarray(cols)
    if symmetric and np.any(rows > cols):  # the upper triangle, as set_matrix keeps it
        keep = rows <= cols
        rows, cols, values = rows[keep], cols[keep], values[keep]
    row, col = np.add(rows, 1, dtype=backend.int_dtype), np.add(cols, 1, dtype=backend.int_dtype)
    data = np.ascontiguousarray(values)
    ctx.mumps_instance = getattr(backend, letter + "mumps")(ctx.verbose, 2 * symmetric)
    ctx.dtype = letter
    ctx.n, ctx.row, ctx.col, ctx.data = size, row, col, data  # kept alive by ctx
    ctx.mumps_instance.set_assembled_matrix(size, row, col, data)
    ctx.factored = False
    return ctx


_INT, _INT8, _PTR = ctypes.c_int32, ctypes.c_int64, ctypes.c_void_p


class _StrucHead(ctypes.Structure):
    """The leading members of ``[DZ]MUMPS_STRUC_C`` (``dmumps_c.h``, MUMPS 5.5), to PERM_IN.

    The layout is the same for the real and the complex double precision structs
    (``DMUMPS_REAL`` and ``ZMUMPS_REAL`` are both double; the rest are pointers).
    """

    _fields_ = [
        ("sym", _INT),
        ("par", _INT),
        ("job", _INT),
        ("comm_fortran", _INT),
        ("icntl", _INT * 60),
        ("keep", _INT * 500),
        ("cntl", ctypes.c_double * 15),
        ("dkeep", ctypes.c_double * 230),
        ("keep8", _INT8 * 150),
        ("n", _INT),
        ("nblk", _INT),
        ("nz_alloc", _INT),
        ("nz", _INT),
        ("nnz", _INT8),
        ("irn", _PTR),
        ("jcn", _PTR),
        ("a", _PTR),
        ("nz_loc", _INT),
        ("nnz_loc", _INT8),
        ("irn_loc", _PTR),
        ("jcn_loc", _PTR),
        ("a_loc", _PTR),
        ("nelt", _INT),
        ("eltptr", _PTR),
        ("eltvar", _PTR),
        ("a_elt", _PTR),
        ("blkptr", _PTR),
        ("blkvar", _PTR),
        ("perm_in", _PTR),
    ]


def _set_perm_in(ctx, positions: np.ndarray) -> bool:
    """Point the instance's PERM_IN at ``positions``; False if the layout is not recognized.

    The struct is the first member of python-mumps' instance object, right after
    the Python object header; it is recognized by the order, the pattern and the
    values python-mumps handed to it (``set_assembled_matrix``) and by ICNTL.
    ``positions`` must stay alive as long as ``ctx`` (it is attached to it).
    """
    inst = ctx.mumps_instance
    head = _StrucHead.from_address(id(inst) + object.__basicsize__)
    recognized = (
        head.n == ctx.n
        and head.irn == ctx.row.ctypes.data
        and head.jcn == ctx.col.ctypes.data
        and head.a == ctx.data.ctypes.data
        and all(head.icntl[k - 1] == inst.icntl[k] for k in range(1, 61))
    )
    if not recognized or head.perm_in:  # NULL reads as None: nothing set it yet
        return False
    if positions.dtype != np.int32 or positions.size != ctx.n:
        return False
    ctx.perm_in = positions
    head.perm_in = positions.ctypes.data
    return True


def _clear_perm_in(ctx) -> None:
    """Undo :func:`_set_perm_in` (the pointer written, and ICNTL(7) back to automatic)."""
    head = _StrucHead.from_address(id(ctx.mumps_instance) + object.__basicsize__)
    mine = getattr(ctx, "perm_in", None)
    if mine is not None and head.perm_in == mine.ctypes.data:
        head.perm_in = 0
    ctx.mumps_instance.icntl[7] = 7
    ctx.perm_in = None


def _analyze(ctx, ordering: str, positions: np.ndarray | None) -> None:
    """MUMPS' analysis with the user ordering ``positions`` if possible, else ``ordering``.

    The user ordering counts as taken only if MUMPS reports it used one (INFOG(7) = 1)
    after a successful analysis; otherwise (a MUMPS whose struct layout passed the
    recognition of :func:`_set_perm_in` but differs further on) the pointer is
    cleared and the named ordering analyses afresh.
    """
    import mumps

    if positions is None or not _set_perm_in(ctx, positions):
        ctx.analyze(ordering=ordering)
        return
    inst = ctx.mumps_instance
    inst.icntl[7] = 1  # the ordering is given in PERM_IN
    inst.job = 1
    try:
        seconds = ctx.call()
    except MUMPSError:
        seconds = None
    if seconds is None or inst.infog[7] != 1:  # MUMPS did not take it: a layout we misread
        _clear_perm_in(ctx)
        ctx.analyze(ordering=ordering)
        return
    ctx.analyzed, ctx.factored = True, False
    ctx.analysis_stats = mumps.mumps.AnalysisStatistics(inst, seconds)


def _apply(ctx, options: MumpsOptions, cntl: bool) -> None:
    inst = ctx.mumps_instance
    for key, value in (options.cntl if cntl else options.icntl).items():
        (inst.cntl if cntl else inst.icntl)[key] = value


class SchurFactorizer(SchurBackend):
    """A MUMPS instance for one pattern, factorizing to the Schur complement onto ``indices``.

    The ``"mumps"`` back end of :mod:`betascale.solvers.backends`.

    The analysis (ordering) is done once, here, on ``values0``; :meth:`factor`
    reuses it for every new set of values in the same pattern. The result of
    :meth:`factor` is therefore a function of the values alone, whatever was
    factorized before.

    Parameters
    ----------
    size
        Order of the matrix.
    rows, cols
        The pattern (0-based), in a fixed order; for ``symmetric`` the upper
        triangle only.
    values0
        Values for the analysis (float64: real arithmetic; complex128: complex).
    indices
        The Schur orbitals (0-based), in the order of the result's rows and columns.
    symmetric
        Use MUMPS' symmetric (LDLᵀ) mode.
    ordering
        The fill-reducing ordering (see :func:`available_ordering`), used if
        ``positions`` is None or cannot be handed to MUMPS.
    options
        Extra MUMPS controls.
    positions
        A user ordering: MUMPS' PERM_IN (int32, 1-based pivot position of each
        variable; :func:`betascale.solvers.ordering.pivot_positions`), with the
        Schur variables last.
    """

    name = "mumps"
    default_ordering = MUMPS_DEFAULT_ORDERING
    errors = (MUMPSError,)

    def __init__(
        self,
        size: int,
        rows: np.ndarray,
        cols: np.ndarray,
        values0: np.ndarray,
        indices: np.ndarray,
        symmetric: bool,
        ordering: str,
        options: MumpsOptions | None = None,
        positions: np.ndarray | None = None,
    ) -> None:
        import mumps

        self.options = MumpsOptions() if options is None else options
        self.dtype = values0.dtype
        ctx = _context(size, rows, cols, values0, symmetric)
        inst = ctx.mumps_instance
        index = mumps.mumps._makemumps_index_array(np.asarray(indices))
        self.schur = np.empty((index.size, index.size), dtype=values0.dtype)
        ctx.schur_indices, ctx.schur_complement = index, self.schur  # kept alive by ctx
        inst.icntl[19] = 1  # centralized Schur complement, in our buffer
        inst.set_schur(self.schur, index)
        inst.icntl[31] = 1  # discard the factors: only the Schur complement is needed
        _apply(ctx, self.options, cntl=False)
        self._ooc = self.options.icntl.get(22, 0) == 1
        start = time.perf_counter()
        _analyze(ctx, ordering, positions)
        self.analysis_seconds = time.perf_counter() - start
        self._ctx = ctx

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
    ) -> SchurFactorizer:
        """See :meth:`SchurBackend.create`; ``order`` becomes MUMPS' PERM_IN."""
        if options is not None and not isinstance(options, MumpsOptions):
            raise TypeError("options of the mumps backend must be MumpsOptions")
        positions = None if order is None else pivot_positions(order)
        return cls(size, rows, cols, values0, indices, symmetric, ordering, options, positions)

    @classmethod
    def available_ordering(cls, name: str) -> str:
        """``name`` if this MUMPS build has that ordering, else ``"auto"``."""
        return available_ordering(name)

    @classmethod
    def solve_regular(cls, matrix: sp.sparray, rhs: np.ndarray, ordering: str) -> np.ndarray:
        """Solve ``matrix @ x = rhs`` (complex) with Kwant's MUMPS wrapper."""
        return solve_regular(matrix, rhs, ordering)

    def factor(self, values: np.ndarray) -> np.ndarray:
        """Factorize with ``values`` (in the pattern's order); return the Schur buffer.

        The buffer is overwritten by the next call. For ``symmetric`` only its
        lower triangle (in C order) is set.
        """
        ctx = self._ctx
        if values.dtype != self.dtype or not values.flags.c_contiguous or values.ndim != 1:
            raise ValueError("values must be a contiguous 1-d array of the analysed dtype")
        ctx.data = values  # python-mumps keeps the arrays MUMPS points to alive
        ctx.mumps_instance.set_assembled_matrix(ctx.n, ctx.row, ctx.col, values)
        _apply(ctx, self.options, cntl=True)
        ctx.factor(reuse_analysis=True, ooc=self._ooc)
        return self.schur

    @property
    def statistics(self) -> dict:
        """MUMPS' analysis estimates and the last factorization's figures (MB, flops)."""
        ctx = self._ctx
        out = {
            "ordering": ctx.analysis_stats.ordering,
            "estimated_mb_incore": ctx.analysis_stats.est_mem_incore,
            "estimated_flops": ctx.analysis_stats.est_flops,
        }
        if hasattr(ctx, "factor_stats"):
            out["factor_mb"] = ctx.factor_stats.memory
            out["factor_flops"] = ctx.factor_stats.flops
        return out


@dataclass(frozen=True)
class PlainFactorization:
    """What one MUMPS factorization without a Schur complement cost (:func:`factor_only`).

    Attributes
    ----------
    ordering
        The ordering MUMPS reports having used.
    analysis, factor
        Wall seconds of the analysis and of the factorization.
    factor_cpu
        CPU seconds of the factorization.
    flops
        Floating-point operations of the factorization, as MUMPS reports them
        (RINFOG(3) of the users' guide).
    """

    ordering: str
    analysis: float
    factor: float
    factor_cpu: float
    flops: float


def factor_only(
    size: int,
    rows: np.ndarray,
    cols: np.ndarray,
    values: np.ndarray,
    symmetric: bool,
    ordering: str,
) -> PlainFactorization:
    """Analyse and factorize once, without a Schur complement, factors discarded.

    The floor of the fast solver: the factorization alone, with the ordering asked
    for (which MUMPS honours when no Schur complement is requested).
    """
    ctx = _context(size, rows, cols, values, symmetric)
    with ctx:
        ctx.mumps_instance.icntl[31] = 1
        start = time.perf_counter()
        ctx.analyze(ordering=ordering)
        middle, middle_cpu = time.perf_counter(), time.process_time()
        ctx.factor(reuse_analysis=True)
        end, end_cpu = time.perf_counter(), time.process_time()
        return PlainFactorization(
            str(ctx.analysis_stats.ordering),
            middle - start,
            end - middle,
            end_cpu - middle_cpu,
            float(ctx.factor_stats.flops),
        )


def solve_regular(matrix: sp.sparray, rhs: np.ndarray, ordering: str) -> np.ndarray:
    """Solve ``matrix @ x = rhs`` (complex) with Kwant's MUMPS wrapper."""
    from betascale.kwant_import import quiet_mumps_warning

    with quiet_mumps_warning():
        import kwant.linalg.mumps as kwant_mumps

    context = kwant_mumps.MUMPSContext()
    context.factor(sp.coo_matrix(matrix), ordering=ordering)
    return context.solve(rhs)


__all__ = [
    "MUMPSError",
    "MumpsOptions",
    "PlainFactorization",
    "SchurFactorizer",
    "available_ordering",
    "factor_only",
    "solve_regular",
]

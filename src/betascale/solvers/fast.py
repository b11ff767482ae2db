"""The fast solver: Schur complement onto the lead interfaces, by MUMPS or SciPy.

With A = E − H the sample's matrix and I the orbitals of the two lead interfaces
(left column, right column), the retarded Green's function on the interface is
``G_II = (S − Σ)⁻¹`` with ``S = A_II − A_IB A_BB⁻¹ A_BI`` the Schur complement of A
onto I and Σ = Σ_L ⊕ Σ_R the lead self-energies. The transmission is the
Fisher–Lee/Caroli formula ``T = Tr[Γ_R G_RL Γ_L G_RL†]`` with ``Γ = i(Σ − Σ†)``
(Datta, *Electronic Transport in Mesoscopic Systems*, 1995, ch. 3; Fisher & Lee,
Phys. Rev. B 23, 6851 (1981)). Writing Γ = U U† with rank N,
``T = ||U_R† G_RL U_L||²_F`` and the singular values of ``t = U_R† G_RL U_L``
squared are the transmission eigenvalues.

What makes it fast:

* the geometry is assembled once, vectorized (:mod:`betascale.lattice`), and a
  sample only writes its disorder into a copy of A₀'s values; no Kwant system is
  built;
* the lead self-energies and their factors U are computed once per geometry
  (:mod:`betascale.leads`);
* MUMPS computes S by a sparse factorization with a nested-dissection ordering
  of the grid with the Schur orbitals last (:mod:`.ordering`, handed to MUMPS as
  a user ordering), the symbolic analysis done once per geometry
  (:mod:`.mumps_adapter`), and the factors are discarded as they go (only S is
  kept); without python-mumps, SciPy's SuperLU factorizes the interior in the
  same ordering and S is formed by solves (:mod:`.scipy_backend`); the back end
  is chosen in one place (:mod:`.backends`);
* the orthogonal class uses real symmetric (LDLᵀ) arithmetic;
* the dense interface system is solved in place (one complex copy of S).

Near an eigenvalue of the closed interior A_BB the Schur complement has a pole (G
has none) and loses accuracy; this is detected by the condition number of S − Σ
(:data:`MIN_RCOND`; about one sample in 10⁴ with disorder, and special clean
geometries). Such a sample is solved again keeping the middle column among the
Schur orbitals ("split" route: the two halves of the interior have other
eigenvalues), which is as deterministic as the first route. Only if that fails too
is it solved with the lead self-energies inside the sparse matrix
(:meth:`FastSolver.solve_regular`, Kwant's MUMPS wrapper), which is regular for an
open system but reproducible only to ~1e-13, not bit for bit.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from betascale.models import Disorder, DisorderedSystem
from betascale.solvers import ordering
from betascale.solvers.backends import MUMPS_DEFAULT_ORDERING, SchurBackend, resolve_backend
from betascale.solvers.base import ConductanceSolver, Transmission

if TYPE_CHECKING:
    from betascale.solvers.mumps_adapter import MumpsOptions

#: The Schur route is trusted only if 1/cond₁(S − Σ) is at least this. Near an
#: eigenvalue of the closed interior the Schur complement S has a pole and loses
#: accuracy (relative error of T about 1e-18 / rcond); such samples, rare with
#: disorder but common in special clean geometries, are solved by the regular route.
MIN_RCOND = 1e-8

#: MUMPS fill-reducing ordering. Debian's sequential MUMPS has SCOTCH (nested
#: dissection), the best of what it offers for 2D grids. With a Schur complement
#: MUMPS 5.5 built without METIS ignores the choice and uses its constrained
#: (halo) AMD (``dana_aux.F``), so the Schur routes use the geometric nested
#: dissection of :mod:`betascale.solvers.ordering` instead (``ordering="nd"``, the
#: default); this named ordering applies to :meth:`FastSolver.solve_regular`, and
#: to the Schur routes if the user ordering cannot be handed to MUMPS. (The SciPy
#: back end's named ordering is SuperLU's COLAMD.)
DEFAULT_ORDERING = MUMPS_DEFAULT_ORDERING

#: The name of the geometric nested dissection (:mod:`betascale.solvers.ordering`).
NESTED_DISSECTION = "nd"

#: Rows per block when the dense interface matrix is filled (bounds temporaries).
_BLOCK = 512

_getrf, _gecon = sla.get_lapack_funcs(("getrf", "gecon"), dtype=complex)
(_trsm,) = sla.get_blas_funcs(("trsm",), dtype=complex)


def __getattr__(name: str):
    """The MUMPS names this module used to import (kept importable, loaded on use)."""
    if name in ("MUMPSError", "MumpsOptions", "SchurFactorizer"):
        from betascale.solvers import mumps_adapter

        return getattr(mumps_adapter, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class FastSolver(ConductanceSolver):
    """Schur complement onto the lead interfaces with MUMPS or SciPy; see the module docstring.

    Parameters
    ----------
    system
        The geometry (assembled once, reused for every sample).
    ordering
        :data:`NESTED_DISSECTION` (the default: the geometric nested dissection
        with the Schur orbitals last, the back end's default named ordering where
        one is needed) or the name of an ordering of the back end (MUMPS: e.g.
        ``"amd"``; SciPy: one of SuperLU's, e.g. ``"COLAMD"``).
    check
        Check each result (finite, ``-1e-10 <= T <= N + 1e-8 N``) and solve the
        sample again by another route if it fails.
    options
        Extra MUMPS controls (for measurements; the default is MUMPS' defaults).
    backend
        ``"mumps"``, ``"scipy"`` or None (the default: MUMPS when python-mumps
        imports, SciPy otherwise; :func:`betascale.solvers.backends.default_backend`).

    Attributes
    ----------
    fallbacks, regular_solves
        Samples the interface (or split) route did not trust, and samples solved by
        :meth:`solve_regular` in the end.
    timings
        Seconds of the stages of the last :meth:`solve`: ``assemble`` (the sample's
        values), ``factor`` (MUMPS, with the Schur complement), ``interface`` (the
        dense solve), ``total``.
    """

    name = "fast"

    def __init__(
        self,
        system: DisorderedSystem,
        ordering: str = NESTED_DISSECTION,
        check: bool = True,
        options: MumpsOptions | None = None,
        backend: str | None = None,
    ) -> None:
        super().__init__(system)
        self.backend: type[SchurBackend] = resolve_backend(backend)
        self.geometric = ordering == NESTED_DISSECTION
        named = self.backend.default_ordering if self.geometric else ordering
        self.ordering = self.backend.available_ordering(named)
        self.check = check
        self.options = options
        self.fallbacks = 0
        self.regular_solves = 0
        self.timings: dict[str, float] = {}
        self.real = system.spec.is_real
        self.clean = system.clean_matrix
        leads = system.leads
        self.N = leads.N
        self._sigma_left, self._sigma_right = leads.sigma_left, leads.sigma_right
        self._u_left, self._u_right = leads.u_left, leads.u_right
        self._iface_left = self.clean.interface_orbitals(0)
        self._iface_right = self.clean.interface_orbitals(1)
        self._iface = np.concatenate([self._iface_left, self._iface_right])
        self._n_left = self._iface_left.size
        self._factorizers: dict[str, SchurBackend] = {}

    @property
    def size(self) -> int:
        """Number of orbitals of the sample."""
        return self.clean.size

    def prepare(self) -> FastSolver:
        """Set up the interface route now (MUMPS: its symbolic analysis), not in the first solve."""
        self._factorizer("interface")
        return self

    @property
    def statistics(self) -> dict:
        """The back end's figures for the interface route (ordering used, last factorization)."""
        return self._factorizer("interface").statistics

    # ----------------------------------------------------------------- values
    def matrix_values(self, disorder: Disorder) -> np.ndarray:
        """The values of A = E − H of one sample, in the canonical pattern.

        For the orthogonal class only the upper triangle is stored (MUMPS'
        symmetric mode).
        """
        return self.clean.sample_values(disorder)

    def matrix(self, disorder: Disorder) -> sp.coo_array:
        """A = E − H of one sample as a sparse matrix (the full matrix, for checks)."""
        return sp.coo_array(self.clean.full(self.matrix_values(disorder)))

    # ------------------------------------------------------------------ solve
    def _factorizer(self, route: str) -> SchurBackend:
        """The back end's factorizer of ``route``, set up on the clean A₀ on first use.

        ``route`` is ``"interface"`` (the two lead columns) or ``"split"`` (those
        and the middle column). The analysis is done on A₀, never on a sample, so a
        sample's result does not depend on which samples the process solved
        before: it is bit-identical whatever the schedule.
        """
        if route not in self._factorizers:
            indices = self._iface
            if route == "split":
                middle = self.clean.orbital_index()[self.system.L // 2].ravel()
                indices = np.concatenate([self._iface, middle])
            clean = self.clean
            order = None
            if self.geometric:
                order = ordering.nested_dissection(
                    clean.L, clean.M, clean.spec.bc == "periodic", clean.norbs
                )
                order = ordering.with_last(order, indices)
            self._factorizers[route] = self.backend.create(
                clean.size,
                clean.rows,
                clean.cols,
                clean.values,
                indices,
                symmetric=self.real,
                ordering=self.ordering,
                order=order,
                options=self.options,
            )
        return self._factorizers[route]

    def _kernel(self, s: np.ndarray) -> np.ndarray:
        """K = S − Σ (complex, Fortran order, one new array) from the back end's Schur buffer.

        For the real symmetric mode only the lower triangle of the buffer is read
        (all MUMPS sets); it is mirrored block by block. Σ acts on the interface
        block (the first orbitals).
        """
        n = s.shape[0]
        k = np.empty((n, n), dtype=complex, order="F")
        if self.real:
            k.imag = 0.0
            for a in range(0, n, _BLOCK):
                b = min(n, a + _BLOCK)
                k.real[a:b] = np.tril(s[a:b], a) + np.triu(s[:, a:b].T, a + 1)
        else:
            k[...] = s
        nl, ni = self._n_left, self._iface.size
        k[:nl, :nl] -= self._sigma_left
        k[nl:ni, nl:ni] -= self._sigma_right
        return k

    def _transmission_from_kernel(self, k: np.ndarray, eigenvalues: bool) -> Transmission | None:
        """T from K = S − Σ, the inverse Green's function on the Schur orbitals.

        K is overwritten by its LU factors. Returns None when K is too
        ill-conditioned to trust (reciprocal condition number below
        :data:`MIN_RCOND`): this happens when E is (nearly) an eigenvalue of the
        eliminated part, where S has a pole although G does not.
        """
        norm = max(
            float(np.abs(np.ascontiguousarray(k[:, a : a + _BLOCK])).sum(axis=0).max())
            for a in range(0, k.shape[1], _BLOCK)
        )
        lu, piv, info = _getrf(k, overwrite_a=True)
        if info != 0:
            return None
        rcond, info = _gecon(lu, norm)
        if info != 0 or not rcond >= MIN_RCOND:
            return None
        t = self._u_right.conj().T @ self._right_solution(lu, piv)
        return self._result(t, eigenvalues)

    def _right_solution(self, lu: np.ndarray, piv: np.ndarray) -> np.ndarray:
        """X_R, the right-interface rows of K⁻¹ [U_L; 0], from the LU factors of K.

        Only the rows from the right interface on are back-substituted: with K = P L U,
        ``U x = L⁻¹ Pᵀ b`` determines its trailing rows from the trailing block of U
        alone (Golub & Van Loan, *Matrix Computations*, 4th ed., sec. 3.1). This
        saves a third of the work of a full ``getrs`` with the N right-hand sides.
        """
        n_left, n_iface = self._n_left, self._iface.size
        rows = np.arange(lu.shape[0])
        for i, j in enumerate(piv.tolist()):  # LAPACK's row interchanges, in turn
            rows[i], rows[j] = rows[j], rows[i]
        rhs = np.zeros((lu.shape[0], self._u_left.shape[1]), dtype=complex, order="F")
        top = rows < n_left
        rhs[top] = self._u_left[rows[top]]
        y = _trsm(1.0, lu, rhs, lower=1, diag=1, overwrite_b=True)
        x = _trsm(1.0, lu[n_left:, n_left:], y[n_left:], lower=0, overwrite_b=True)
        return x[: n_iface - n_left]

    def _result(self, t: np.ndarray, eigenvalues: bool) -> Transmission:
        T = float(np.sum(t.real**2 + t.imag**2))
        eig = None
        if eigenvalues:
            eig = np.sort(np.linalg.svd(t, compute_uv=False) ** 2)[::-1]
        return Transmission(T, self.N, eig)

    def _plausible(self, result: Transmission) -> bool:
        T = result.T
        return bool(np.isfinite(T) and -1e-10 <= T <= self.N * (1 + 1e-8) + 1e-10)

    def _solve_route(self, values: np.ndarray, route: str, eigenvalues: bool):
        """One attempt by the Schur route ``route``; None if it is not trusted."""
        start = time.perf_counter()
        failures: tuple[type[BaseException], ...] = (
            *self.backend.errors,
            np.linalg.LinAlgError,
            ValueError,
        )
        try:
            s = self._factorizer(route).factor(values)
            middle = time.perf_counter()
            result = self._transmission_from_kernel(self._kernel(s), eigenvalues)
        except failures:
            return None
        self.timings["factor"] = middle - start
        self.timings["interface"] = time.perf_counter() - middle
        if result is not None and self.check and not self._plausible(result):
            return None
        return result

    def solve(self, disorder: Disorder, eigenvalues: bool = False) -> Transmission:
        """Transmission of one sample by the Schur-complement route.

        If the interface route is ill-conditioned (E nearly an eigenvalue of the
        closed interior), the middle column is kept as well (``"split"``): the two
        halves of the interior have other eigenvalues, and the result stays a
        deterministic function of the sample. Only if that fails too does the
        sample go to :meth:`solve_regular`.
        """
        start = time.perf_counter()
        values = self.matrix_values(disorder)
        self.timings = {"assemble": time.perf_counter() - start}
        routes = ("interface", "split") if self.system.L >= 3 else ("interface",)
        for route in routes:
            result = self._solve_route(values, route, eigenvalues)
            if result is not None:
                break
            self.fallbacks += 1
        else:
            self.regular_solves += 1
            result = self.solve_regular(disorder, eigenvalues)
        self.timings["total"] = time.perf_counter() - start
        return result

    def solve_regular(self, disorder: Disorder, eigenvalues: bool = False) -> Transmission:
        """Transmission with the self-energies inside the sparse matrix (no Schur step).

        Solves ``(A − Σ) X = [U_L; 0]`` for the left interface columns; slower than
        :meth:`solve` but regular whenever the open system has no bound state at E.
        """
        a = self.matrix(disorder).astype(complex)
        blocks = []
        pairs = ((self._iface_left, self._sigma_left), (self._iface_right, self._sigma_right))
        for iface, sigma in pairs:
            ii, jj = np.meshgrid(iface, iface, indexing="ij")
            blocks.append(sp.coo_array((-sigma.ravel(), (ii.ravel(), jj.ravel())), shape=a.shape))
        full = (a + blocks[0] + blocks[1]).tocoo()
        rhs = np.zeros((self.size, self._u_left.shape[1]), dtype=complex)
        rhs[self._iface_left] = self._u_left
        x = self.backend.solve_regular(full, rhs, self.ordering)
        t = self._u_right.conj().T @ x[self._iface_right]
        return self._result(t, eigenvalues)

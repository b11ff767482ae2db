"""Landauer conductance of one disorder sample: a fast solver and Kwant's reference.

Both solvers return the total transmission T (in e²/h, both spins in the
symplectic class) and the number N of open lead channels.

``kwant`` (:class:`KwantSolver`)
    The reference: ``kwant.smatrix`` on the finalized system, disorder through
    ``params`` (Kwant's own best practice: build once, vary by parameters).

``fast`` (:class:`FastSolver`, the default)
    With A = E − H the sample's matrix and I the orbitals of the two lead
    interfaces (left column, right column), the retarded Green's function on the
    interface is ``G_II = (S − Σ)⁻¹`` with ``S = A_II − A_IB A_BB⁻¹ A_BI`` the Schur
    complement of A onto I and Σ = Σ_L ⊕ Σ_R the lead self-energies. The transmission
    is the Fisher–Lee/Caroli formula ``T = Tr[Γ_R G_RL Γ_L G_RL†]`` with
    ``Γ = i(Σ − Σ†)`` (Datta, *Electronic Transport in Mesoscopic Systems*, 1995,
    ch. 3; Fisher & Lee, Phys. Rev. B 23, 6851 (1981)). Writing Γ = U U† with
    rank N, ``T = ||U_R† G_RL U_L||²_F`` and the singular values of
    ``t = U_R† G_RL U_L`` squared are the transmission eigenvalues.

    What makes it fast:

    * the geometry, the clean matrix A₀ in coordinate format, the positions of the
      disorder entries, the self-energies and their factors U are built once per
      geometry; a sample only writes its disorder into a copy of A₀'s values;
    * MUMPS (``python-mumps``) computes S by a sparse factorization with nested
      dissection, and the symbolic analysis (the ordering) is done once per
      geometry and reused;
    * the orthogonal class uses real symmetric (LDLᵀ) arithmetic;
    * the leads are never touched again (Kwant recomputes the lead modes of every
      sample).

    Near an eigenvalue of the closed interior A_BB the Schur complement has a pole
    (G has none) and loses accuracy; this is detected by the condition number of
    S − Σ (:data:`MIN_RCOND`; about one sample in 10⁴ with disorder, and special
    clean geometries). Such a sample is solved again keeping the middle column
    among the Schur orbitals ("split" route: the two halves of the interior have
    other eigenvalues), which is as deterministic as the first route. Only if that
    fails too is it solved with the lead self-energies inside the sparse matrix
    (:meth:`FastSolver.solve_regular`, Kwant's MUMPS wrapper), which is regular for
    an open system but reproducible only to ~1e-13, not bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from betascale.errors import InputError
from betascale.models import Disorder, DisorderedSystem

SOLVERS = ("fast", "kwant")

#: The Schur route is trusted only if 1/cond₁(S − Σ) is at least this. Near an
#: eigenvalue of the closed interior the Schur complement S has a pole and loses
#: accuracy (relative error of T about 1e-18 / rcond); such samples, rare with
#: disorder but common in special clean geometries, are solved by the regular route.
MIN_RCOND = 1e-8

_getrf, _gecon, _getrs = sla.get_lapack_funcs(("getrf", "gecon", "getrs"), dtype=complex)

#: MUMPS fill-reducing ordering. Debian's sequential MUMPS has SCOTCH (nested
#: dissection), which is the best of what it offers for 2D grids.
DEFAULT_ORDERING = "scotch"


@dataclass(frozen=True)
class Transmission:
    """The Landauer result of one sample.

    Attributes
    ----------
    T
        Total transmission ``Tr t†t`` in units of e²/h.
    N
        Number of open channels of each lead.
    eigenvalues
        The transmission eigenvalues (sorted, descending), when asked for.
    """

    T: float
    N: int
    eigenvalues: np.ndarray | None = field(default=None, repr=False)


class ConductanceSolver:
    """Interface of a solver bound to one geometry."""

    name = "base"

    def __init__(self, system: DisorderedSystem) -> None:
        self.system = system

    def solve(self, disorder: Disorder, eigenvalues: bool = False) -> Transmission:
        """Transmission of one sample with the given disorder."""
        raise NotImplementedError

    def sample(self, W: float, seed: int, index: int, eigenvalues: bool = False) -> Transmission:
        """Draw sample ``index`` of the study ``seed`` at strength ``W`` and solve it."""
        return self.solve(self.system.draw_disorder(W, seed, index), eigenvalues=eigenvalues)


class KwantSolver(ConductanceSolver):
    """The reference: ``kwant.smatrix`` with the disorder passed through ``params``."""

    name = "kwant"

    def solve(self, disorder: Disorder, eigenvalues: bool = False) -> Transmission:
        """Transmission of one sample from Kwant's scattering matrix."""
        import kwant

        system = self.system
        smatrix = kwant.smatrix(system.fsyst, system.spec.E, params=system.params(disorder))
        T = float(smatrix.transmission(1, 0))
        N = int(smatrix.num_propagating(0))
        eig = None
        if eigenvalues:
            t = smatrix.submatrix(1, 0)
            eig = np.sort(np.linalg.svd(t, compute_uv=False) ** 2)[::-1]
        return Transmission(T, N, eig)


def _gamma_factor(sigma: np.ndarray) -> np.ndarray:
    """U with Γ = i(Σ − Σ†) = U U†, keeping the non-zero (open-channel) part."""
    gamma = 1j * (sigma - sigma.conj().T)
    gamma = 0.5 * (gamma + gamma.conj().T)
    values, vectors = np.linalg.eigh(gamma)
    keep = values > 1e-12 * max(1.0, float(np.max(np.abs(values))))
    return vectors[:, keep] * np.sqrt(values[keep])


def _positions(rows: np.ndarray, cols: np.ndarray, n: int, want_r, want_c) -> np.ndarray:
    """Positions of the entries (want_r, want_c) in a canonical (sorted) COO pattern."""
    keys = rows.astype(np.int64) * n + cols
    want = np.asarray(want_r, dtype=np.int64) * n + np.asarray(want_c, dtype=np.int64)
    pos = np.searchsorted(keys, want)
    if np.any(pos >= keys.size) or np.any(keys[np.minimum(pos, keys.size - 1)] != want):
        raise AssertionError("sparsity pattern misses a disorder entry")
    return pos


class FastSolver(ConductanceSolver):
    """Schur complement onto the lead interfaces with MUMPS; see the module docstring.

    Parameters
    ----------
    system
        The geometry (built once, reused for every sample).
    ordering
        MUMPS ordering; :data:`DEFAULT_ORDERING` by default.
    check
        Check each result (finite, ``-1e-10 <= T <= N + 1e-8 N``) and solve the
        sample again by the regular route if it fails.
    """

    name = "fast"

    def __init__(
        self, system: DisorderedSystem, ordering: str = DEFAULT_ORDERING, check: bool = True
    ) -> None:
        super().__init__(system)
        import mumps

        self.ordering = ordering if ordering in mumps.possible_orderings() else "auto"
        self.check = check
        self.fallbacks = 0  # samples the interface (or split) route did not trust
        self.regular_solves = 0  # samples solved by solve_regular in the end
        spec = system.spec
        fsyst = system.fsyst
        n_orb = system.norbs
        self.real = spec.is_real
        dtype = float if self.real else complex

        # Clean Hamiltonian from Kwant (disorder zero; SU(2) bonds zero, added per sample).
        zero = system.clean_disorder()
        if spec.random_bonds:
            zero = Disorder(zero.onsite, 0 * zero.bonds_x, 0 * zero.bonds_y)
        h0 = fsyst.hamiltonian_submatrix(params=system.params(zero), sparse=True).tocoo()
        size = h0.shape[0]
        self.size = size
        orb = system.orbital_index()  # [x, y, o]
        self._onsite_orbitals = orb.reshape(system.L * system.M, n_orb)

        # Pattern: -H0, the diagonal (disorder), and for SU(2) the 2x2 bond blocks.
        rows = [h0.row, np.arange(size)]
        cols = [h0.col, np.arange(size)]
        data = [-h0.data, np.full(size, spec.E)]
        if spec.random_bonds:
            bond_r, bond_c = self._bond_pattern()
            rows += [bond_r, bond_c]
            cols += [bond_c, bond_r]
            data += [np.zeros(bond_r.size), np.zeros(bond_r.size)]
        values = np.concatenate(data)
        if self.real:
            if np.iscomplexobj(values) and np.abs(values.imag).max(initial=0.0) > 0:
                raise AssertionError("the orthogonal Hamiltonian is not real")
            values = values.real
        a0 = sp.coo_array(
            (values.astype(dtype), (np.concatenate(rows), np.concatenate(cols))),
            shape=(size, size),
        )
        a0.sum_duplicates()  # canonical: sorted by (row, col), no duplicates
        self._rows, self._cols = a0.row.astype(np.int64), a0.col.astype(np.int64)
        self._data0 = np.array(a0.data)
        diag_orbs = self._onsite_orbitals.ravel()
        self._diag_pos = _positions(self._rows, self._cols, size, diag_orbs, diag_orbs)
        if spec.random_bonds:
            self._bond_pos_fwd = _positions(self._rows, self._cols, size, bond_r, bond_c)
            self._bond_pos_bwd = _positions(self._rows, self._cols, size, bond_c, bond_r)
        if self.real:  # MUMPS symmetric mode reads the upper triangle only
            upper = self._rows <= self._cols
            self._upper = upper
            self._diag_pos = np.searchsorted(np.flatnonzero(upper), self._diag_pos)

        # Lead interfaces and self-energies (once per geometry).
        def interface_orbitals(lead: int) -> np.ndarray:
            sites = np.asarray(fsyst.lead_interfaces[lead])
            return (sites[:, None] * n_orb + np.arange(n_orb)).ravel()

        self._iface_left = interface_orbitals(0)
        self._iface_right = interface_orbitals(1)
        self._iface = np.concatenate([self._iface_left, self._iface_right])
        self._n_left = self._iface_left.size
        self._sigma_left = np.asarray(fsyst.leads[0].selfenergy(spec.E))
        self._sigma_right = np.asarray(fsyst.leads[1].selfenergy(spec.E))
        self._u_left = _gamma_factor(self._sigma_left)
        self._u_right = _gamma_factor(self._sigma_right)
        self.N = system.num_channels
        self._sigma = sla.block_diag(self._sigma_left, self._sigma_right)
        self._contexts: dict[str, object] = {}

    # ---------------------------------------------------------------- pattern
    def _bond_pattern(self) -> tuple[np.ndarray, np.ndarray]:
        """Row (to) and column (from) orbital indices of every 2x2 SU(2) bond entry.

        Ordered bond by bond as ``Disorder.bonds_x`` then ``bonds_y`` (C order), and
        within a bond as the 2x2 block in C order, matching ``R.ravel()``.
        """
        system = self.system
        orb = system.orbital_index()
        L, M = system.L, system.M
        ny = system.num_bonds_y
        x, y = np.meshgrid(np.arange(L - 1), np.arange(M), indexing="ij")
        from_x, to_x = orb[x, y], orb[x + 1, y]  # (L-1, M, 2)
        x, y = np.meshgrid(np.arange(L), np.arange(ny), indexing="ij")
        from_y, to_y = orb[x, y], orb[x, (y + 1) % M]
        to = np.concatenate([to_x.reshape(-1, 2), to_y.reshape(-1, 2)])
        frm = np.concatenate([from_x.reshape(-1, 2), from_y.reshape(-1, 2)])
        rows = np.repeat(to, 2, axis=1).ravel()  # (b, i, j) -> to[b, i]
        cols = np.tile(frm, (1, 2)).ravel()  # (b, i, j) -> from[b, j]
        return rows, cols

    # ----------------------------------------------------------------- values
    def matrix_values(self, disorder: Disorder) -> np.ndarray:
        """The values of A = E − H of one sample, in the canonical pattern."""
        data = self._data0.copy()
        if self.real:
            data = data[self._upper]
        onsite = disorder.onsite.ravel()
        data[self._diag_pos] -= np.repeat(onsite, self.system.norbs)
        if self.system.spec.random_bonds:
            r = np.concatenate(
                [disorder.bonds_x.reshape(-1, 2, 2), disorder.bonds_y.reshape(-1, 2, 2)]
            )
            data[self._bond_pos_fwd] += r.ravel()  # A[to, from] = -H[to, from] = R
            data[self._bond_pos_bwd] += np.conj(r).ravel()  # A[from, to] = R^dagger
        return data

    def matrix(self, disorder: Disorder) -> sp.coo_array:
        """A = E − H of one sample as a sparse matrix (the full matrix, for checks)."""
        if self.real:
            upper = sp.coo_array(
                (self.matrix_values(disorder), (self._rows[self._upper], self._cols[self._upper])),
                shape=(self.size, self.size),
            )
            return (upper + sp.triu(upper, k=1).T).tocoo()
        return sp.coo_array(
            (self.matrix_values(disorder), (self._rows, self._cols)), shape=(self.size, self.size)
        )

    # ------------------------------------------------------------------ solve
    def _schur(self, values: np.ndarray, route: str = "interface") -> np.ndarray:
        """Schur complement of A onto the orbitals of ``route``, reusing its analysis.

        ``route`` is ``"interface"`` (the two lead columns) or ``"split"`` (those
        and the middle column). The analysis (ordering, and any value-based
        preprocessing MUMPS chooses) is done once per geometry and route on the
        *clean* matrix A₀, never on a sample, so the result of a sample does not
        depend on which samples the process solved before: it is bit-identical
        whatever the schedule.
        """
        ctx = self._contexts.get(route) or self._analyzed_context(route)
        ctx.set_matrix(self._sparse(values), symmetric=self.real)
        ctx.factor(reuse_analysis=True)
        s = np.array(ctx.schur_complement)
        if self.real:  # MUMPS returns one triangle of the symmetric Schur complement
            lower = np.tril(s)
            s = lower + np.tril(s, -1).T
        return s

    def _sparse(self, values: np.ndarray) -> sp.coo_array:
        if self.real:
            rows, cols = self._rows[self._upper], self._cols[self._upper]
        else:
            rows, cols = self._rows, self._cols
        return sp.coo_array((values, (rows, cols)), shape=(self.size, self.size))

    def _route_orbitals(self, route: str) -> np.ndarray:
        if route == "interface":
            return self._iface
        middle = self.system.orbital_index()[self.system.L // 2].ravel()
        return np.concatenate([self._iface, middle])

    def _analyzed_context(self, route: str):
        """A MUMPS context with the Schur indices of ``route`` and A₀ analysed."""
        import mumps

        values0 = self._data0[self._upper] if self.real else self._data0
        ctx = mumps.Context()
        ctx.set_matrix(self._sparse(values0), symmetric=self.real)
        indices = mumps.mumps._makemumps_index_array(self._route_orbitals(route))
        ctx.schur_indices = indices
        ctx.schur_complement = np.empty((indices.size, indices.size), dtype=values0.dtype)
        ctx.mumps_instance.icntl[19] = 1  # centralized Schur complement
        ctx.mumps_instance.set_schur(ctx.schur_complement, indices)
        ctx.mumps_instance.icntl[31] = 1  # discard the factors: only S is needed
        ctx.analyze(ordering=self.ordering)
        self._contexts[route] = ctx
        return ctx

    def _transmission_from_schur(self, s: np.ndarray, eigenvalues: bool) -> Transmission | None:
        """T from the Schur complement S (interface first, then any extra orbitals).

        K = S − Σ (Σ on the interface block) is the inverse Green's function on the
        Schur orbitals. Returns None when K is too ill-conditioned to trust
        (reciprocal condition number below :data:`MIN_RCOND`): this happens when E
        is (nearly) an eigenvalue of the eliminated part, where S has a pole
        although G does not.
        """
        n_left, n_iface = self._n_left, self._iface.size
        k = s.astype(complex, copy=True)
        k[:n_iface, :n_iface] -= self._sigma
        rhs = np.zeros((k.shape[0], self._u_left.shape[1]), dtype=complex)
        rhs[:n_left] = self._u_left
        norm = np.linalg.norm(k, 1)
        lu, piv, info = _getrf(k)
        if info != 0:
            return None
        rcond, info = _gecon(lu, norm)
        if info != 0 or not rcond >= MIN_RCOND:
            return None
        x, info = _getrs(lu, piv, rhs)
        t = self._u_right.conj().T @ x[n_left:n_iface]
        return self._result(t, eigenvalues)

    def _result(self, t: np.ndarray, eigenvalues: bool) -> Transmission:
        T = float(np.sum(t.real**2 + t.imag**2))
        eig = None
        if eigenvalues:
            eig = np.sort(np.linalg.svd(t, compute_uv=False) ** 2)[::-1]
        return Transmission(T, self.N, eig)

    def _plausible(self, result: Transmission) -> bool:
        T = result.T
        return bool(np.isfinite(T) and -1e-10 <= T <= self.N * (1 + 1e-8) + 1e-10)

    def solve(self, disorder: Disorder, eigenvalues: bool = False) -> Transmission:
        """Transmission of one sample by the Schur-complement route.

        If the interface route is ill-conditioned (E nearly an eigenvalue of the
        closed interior), the middle column is kept as well (``"split"``): the two
        halves of the interior have other eigenvalues, and the result stays a
        deterministic function of the sample. Only if that fails too does the
        sample go to :meth:`solve_regular`.
        """
        import mumps

        values = self.matrix_values(disorder)
        routes = ("interface", "split") if self.system.L >= 3 else ("interface",)
        for route in routes:
            try:
                result = self._transmission_from_schur(self._schur(values, route), eigenvalues)
            except (mumps.MUMPSError, np.linalg.LinAlgError, ValueError):
                result = None
            if result is not None and (not self.check or self._plausible(result)):
                return result
            self.fallbacks += 1
        self.regular_solves += 1
        return self.solve_regular(disorder, eigenvalues)

    def solve_regular(self, disorder: Disorder, eigenvalues: bool = False) -> Transmission:
        """Transmission with the self-energies inside the sparse matrix (no Schur step).

        Solves ``(A − Σ) X = [U_L; 0]`` for the left interface columns; slower than
        :meth:`solve` but regular whenever the open system has no bound state at E.
        """
        import kwant.linalg.mumps as kwant_mumps

        a = self.matrix(disorder).astype(complex)
        iface = self._iface
        ii, jj = np.meshgrid(iface, iface, indexing="ij")
        sigma = sp.coo_array((-self._sigma.ravel(), (ii.ravel(), jj.ravel())), shape=a.shape)
        full = (a + sigma).tocoo()
        rhs = np.zeros((self.size, self._u_left.shape[1]), dtype=complex)
        rhs[self._iface_left] = self._u_left
        # Kwant's own MUMPS wrapper: the mature route Kwant itself solves with.
        context = kwant_mumps.MUMPSContext()
        context.factor(full, ordering=self.ordering)
        x = context.solve(rhs)
        t = self._u_right.conj().T @ x[self._iface_right]
        return self._result(t, eigenvalues)


def make_solver(name: str, system: DisorderedSystem) -> ConductanceSolver:
    """The solver called ``name`` ("fast" or "kwant") bound to ``system``."""
    if name == "fast":
        return FastSolver(system)
    if name == "kwant":
        return KwantSolver(system)
    raise InputError(f"solver must be one of {', '.join(SOLVERS)}, got {name!r}")

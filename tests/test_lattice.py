"""Tests of betascale.lattice: the vectorized A₀ equals Kwant's matrix entry by entry."""

import numpy as np
import pytest
import scipy.sparse as sp

from betascale.lattice import CsrStorage, assemble, orbital_index
from betascale.models import Disorder, ModelSpec, build_system

# Every family, both boundary conditions, with and without flux; small and medium.
CASES = [
    (ModelSpec(), 7, 6),
    (ModelSpec(bc="periodic"), 6, 7),
    (ModelSpec(flux=0.13, E=0.7), 6, 5),
    (ModelSpec(flux=2 / 7, bc="periodic", E=0.7), 5, 7),
    (ModelSpec("su2"), 5, 6),
    (ModelSpec("su2", bc="periodic", E=0.4), 5, 7),
    (ModelSpec("su2", flux=0.07, E=0.4), 5, 6),
    (ModelSpec("su2", flux=1 / 7, bc="periodic", E=0.6), 4, 7),
    (ModelSpec("ando", E=0.5), 6, 6),
    (ModelSpec("ando", S=0.8, bc="periodic", E=0.5), 6, 5),
    (ModelSpec("ando", flux=0.1, E=0.5), 5, 6),
    (ModelSpec("ando", flux=0.2, bc="periodic", E=0.3), 4, 5),
    (ModelSpec("ando", S=1.0, E=0.5), 4, 6),  # no spin-conserving hopping: zeros dropped
    (ModelSpec(), 40, 37),
    (ModelSpec(flux=0.03, E=0.7), 33, 31),
    (ModelSpec("su2", bc="periodic"), 24, 23),
    (ModelSpec("ando", E=0.5), 21, 22),
    # The field only in the sample (gauge A = (0, Bx), field-free leads).
    (ModelSpec(flux=0.13, E=0.7, field_in_leads=False), 6, 5),
    (ModelSpec(flux=2 / 7, bc="periodic", E=0.7, field_in_leads=False), 5, 7),
    (ModelSpec("su2", flux=0.07, E=0.4, field_in_leads=False), 5, 6),
    (ModelSpec("su2", flux=1 / 7, bc="periodic", E=0.6, field_in_leads=False), 4, 7),
    (ModelSpec("ando", flux=0.2, bc="periodic", E=0.3, field_in_leads=False), 4, 5),
]
IDS = [f"{spec.describe()} {L}x{M}" for spec, L, M in CASES]


def kwant_e_minus_h(system, disorder: Disorder) -> sp.csr_array:
    """E − H of a sample from Kwant's hamiltonian_submatrix (zero entries dropped), sorted."""
    h = system.fsyst.hamiltonian_submatrix(params=system.params(disorder), sparse=True)
    a = (system.spec.E * sp.eye_array(h.shape[0]) - sp.csr_array(h)).tocsr()
    a.sort_indices()
    return a


@pytest.fixture(scope="module", params=CASES, ids=IDS)
def case(request):
    spec, L, M = request.param
    system = build_system(spec, L, M)
    return system, assemble(spec, L, M, upper=spec.is_real)


def test_sample_matrix_equals_kwant_entry_by_entry(case):
    # With random on-site energies and bonds no entry vanishes by accident, so the
    # patterns must be identical too (Kwant drops exact zeros, as does the template).
    system, clean = case
    disorder = system.draw_disorder(3.0, seed=5, index=1)
    ours = clean.full(clean.sample_values(disorder))
    ours.sort_indices()
    ref = kwant_e_minus_h(system, disorder)
    assert np.array_equal(ours.indptr, ref.indptr)
    assert np.array_equal(ours.indices, ref.indices)
    assert np.array_equal(ours.data, ref.data)  # exact (== also equates signed zeros)


def test_clean_matrix_equals_kwant(case):
    system, clean = case
    zero = system.clean_disorder()
    if system.spec.random_bonds:  # A₀ holds no bonds: they come with each sample
        zero = Disorder(zero.onsite, 0 * zero.bonds_x, 0 * zero.bonds_y)
    ref = kwant_e_minus_h(system, zero).toarray()
    assert np.array_equal(clean.full().toarray(), ref)


def test_pattern_is_canonical_with_the_whole_diagonal(case):
    _, clean = case
    a = clean.to_sparse()
    assert a.has_canonical_format
    rows = clean.rows
    assert np.array_equal(clean.cols[clean.onsite_positions], np.arange(clean.size))
    assert np.array_equal(rows[clean.onsite_positions], np.arange(clean.size))
    if clean.upper:
        assert np.all(clean.cols >= rows)


def test_orbitals_and_interfaces_follow_kwant(case):
    system, clean = case
    fsyst = system.fsyst
    tags = np.array([site.tag for site in fsyst.sites])
    orb = clean.orbital_index()
    assert np.array_equal(orb[tags[:, 0], tags[:, 1], 0], np.arange(len(tags)) * clean.norbs)
    n = clean.norbs
    for lead in (0, 1):
        sites = np.asarray(fsyst.lead_interfaces[lead])
        kwant_orbs = (sites[:, None] * n + np.arange(n)).ravel()
        assert np.array_equal(clean.interface_orbitals(lead), kwant_orbs)


def test_su2_bond_positions_follow_the_disorder_order():
    spec = ModelSpec("su2", bc="periodic")
    clean = assemble(spec, 3, 4)
    orb = orbital_index(3, 4, 2)
    fwd, bwd = clean.bond_positions
    rows, cols = clean.rows, clean.cols
    # the first x-bond entry (0, 0), (i, j) = (0, 1): A[to_0, from_1]
    assert (rows[fwd[1]], cols[fwd[1]]) == (orb[1, 0, 0], orb[0, 0, 1])
    assert (rows[bwd[1]], cols[bwd[1]]) == (orb[0, 0, 1], orb[1, 0, 0])
    # the y-bond across the seam of column 2, (x, y) = (2, 3) -> (2, 0)
    k = 4 * (2 * 4 + (2 * 4 + 3))  # after the 2 x 4 x-bonds: y-bond (2, 3), entry (0, 0)
    assert (rows[fwd[k]], cols[fwd[k]]) == (orb[2, 0, 0], orb[2, 3, 0])


def test_upper_triangle_is_refused_for_random_bonds():
    with pytest.raises(ValueError, match="random bonds"):
        assemble(ModelSpec("su2"), 3, 3, upper=True)


def test_assembly_is_deterministic_and_independent_of_kwant():
    spec = ModelSpec(bc="periodic", flux=0.25, E=0.7)
    first, again = assemble(spec, 9, 8), assemble(spec, 9, 8)
    for name in ("indptr", "cols", "values", "onsite_positions"):
        assert np.array_equal(getattr(first, name), getattr(again, name))
    system = build_system(spec, 9, 8)
    system.clean_matrix  # noqa: B018 (built on demand)
    assert not system.has_fsyst


def test_field_free_leads_put_the_peierls_factor_on_the_y_bonds():
    # Gauge A = (0, Bx): H[(x, y+1), (x, y)] = -exp(2 pi i phi x), the periodic bond
    # (x, M-1) -> (x, 0) too, and x-bonds carry no phase; 2 pi phi per plaquette.
    phi, L, M = 0.1, 4, 5
    spec = ModelSpec(flux=phi, bc="periodic", E=0.5, field_in_leads=False)
    h = spec.E * np.eye(L * M) - assemble(spec, L, M).full().toarray()
    orb = orbital_index(L, M, 1)[..., 0]
    for x in range(L):
        for y in range(M):
            up = -np.exp(2j * np.pi * phi * x)
            assert h[orb[x, (y + 1) % M], orb[x, y]] == pytest.approx(up, abs=1e-15)
            if x + 1 < L:
                assert h[orb[x + 1, y], orb[x, y]] == -1
    loop = (orb[0, 0], orb[1, 0], orb[1, 1], orb[0, 1])  # counter-clockwise
    phase = np.prod([h[loop[(k + 1) % 4], loop[k]] for k in range(4)])
    assert np.angle(phase) == pytest.approx(2 * np.pi * phi)


class _Csr(CsrStorage):
    """A CsrStorage with only its CSR arrays (no geometry of its own)."""

    def __init__(self, dense: np.ndarray, upper: bool):
        a = sp.csr_array(np.triu(dense) if upper else dense)
        self.indptr, self.cols, self.values, self.upper = a.indptr, a.indices, a.data, upper


def test_csr_storage_views_need_only_the_csr_arrays():
    dense = np.array([[2.0, -1.0, 0.0], [-1.0, 2.0, -1.0], [0.0, -1.0, 2.0]])
    for upper in (False, True):
        csr = _Csr(dense, upper)
        assert csr.size == 3
        assert csr.nnz == (5 if upper else 7)
        assert np.array_equal(csr.full().toarray(), dense)
        assert np.array_equal(csr.rows, np.repeat(np.arange(3), np.diff(csr.indptr)))


def test_sample_values_refuse_a_disorder_without_the_random_bonds():
    clean = assemble(ModelSpec("su2"), 3, 3)
    with pytest.raises(ValueError, match="random bonds"):
        clean.sample_values(Disorder(onsite=np.zeros((3, 3))))

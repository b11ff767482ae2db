"""Tests of betascale.lattice: the vectorized A₀ equals Kwant's matrix entry by entry."""

import numpy as np
import pytest
import scipy.sparse as sp

from betascale.lattice import assemble, orbital_index
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
    (ModelSpec("ando", S=0.0, E=0.5), 4, 6),  # no spin-orbit: zero entries are dropped
    (ModelSpec("ando", S=1.0, E=0.5), 4, 6),  # no spin-conserving hopping
    (ModelSpec(), 40, 37),
    (ModelSpec(flux=0.03, E=0.7), 33, 31),
    (ModelSpec("su2", bc="periodic"), 24, 23),
    (ModelSpec("ando", E=0.5), 21, 22),
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

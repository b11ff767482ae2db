"""Tests of betascale.solvers.scipy_backend: the Schur complement by SuperLU solves."""

import numpy as np
import pytest
import scipy.sparse as sp

from betascale.errors import InputError
from betascale.models import ModelSpec, build_system
from betascale.solvers import FastSolver
from betascale.solvers.scipy_backend import COLUMN_BLOCK, SuperLUSchurFactorizer
from tests.solvers.helpers import dense_schur, random_sparse


def make(a: np.ndarray, keep: np.ndarray, symmetric: bool, **kwargs):
    stored = sp.triu(sp.coo_array(a)).tocoo() if symmetric else sp.coo_array(a)
    factorizer = SuperLUSchurFactorizer.create(
        a.shape[0], stored.row, stored.col, stored.data, keep, symmetric=symmetric, **kwargs
    )
    return factorizer, np.ascontiguousarray(stored.data)


@pytest.mark.parametrize("ordering", ["COLAMD", "mmd_at_plus_a", "auto"])
@pytest.mark.parametrize("symmetric", [True, False])
def test_schur_complement_matches_dense_algebra(symmetric, ordering):
    a = random_sparse(30, complex_=not symmetric)
    if symmetric:
        a = a + a.T
    keep = np.array([0, 3, 29, 7])
    factorizer, values = make(a, keep, symmetric, ordering=ordering)
    s = factorizer.factor(values).copy()
    assert np.allclose(s, dense_schur(a, keep), atol=1e-12)
    assert np.array_equal(factorizer.factor(values), s)  # bit for bit
    assert factorizer.statistics["ordering"] == ordering.upper().replace("AUTO", "COLAMD")
    assert factorizer.statistics["factor_nnz"] > 0


def test_a_given_elimination_order_is_used_and_must_end_with_the_schur_orbitals():
    a = random_sparse(30, complex_=True, seed=4)
    keep = np.array([5, 2, 17])
    rest = np.setdiff1d(np.arange(30), keep)[::-1]
    factorizer, values = make(a, keep, False, ordering="auto", order=np.r_[rest, keep])
    assert factorizer.statistics["ordering"] == "nd"
    assert np.allclose(factorizer.factor(values), dense_schur(a, keep), atol=1e-12)
    assert factorizer.statistics["route"] == "trailing"
    with pytest.raises(ValueError, match="end with"):
        make(a, keep, False, ordering="auto", order=np.r_[keep, rest])


def test_many_schur_columns_are_solved_block_by_block():
    n = 2 * COLUMN_BLOCK + 40
    a = random_sparse(n, complex_=True, seed=5)
    keep = np.arange(n - COLUMN_BLOCK - 10, n)[::-1].copy()
    factorizer, values = make(a, keep, False, ordering="COLAMD")
    assert np.allclose(factorizer.factor(values), dense_schur(a, keep), atol=1e-10)


def test_no_interior_leaves_the_matrix_itself():
    a = random_sparse(6, complex_=True)
    factorizer, values = make(a, np.arange(6), False, ordering="auto")
    assert np.array_equal(factorizer.factor(values), a)


def test_bad_input_is_refused():
    a = random_sparse(10, complex_=True)
    with pytest.raises(InputError, match="ordering must be nd or one of COLAMD"):
        make(a, np.array([0, 1]), False, ordering="scotch")
    with pytest.raises(InputError, match="no solver options"):
        make(a, np.array([0, 1]), False, ordering="auto", options={14: 50})
    factorizer, values = make(a, np.array([0, 1]), False, ordering="auto")
    with pytest.raises(ValueError, match="dtype"):
        factorizer.factor(values.real.copy())


def test_an_exactly_singular_interior_raises_the_backend_error():
    a = np.eye(5, dtype=complex)
    a[2, 2] = 0.0
    a[0, 2] = a[2, 0] = 1.0  # stays in the pattern
    factorizer, values = make(a, np.array([0]), False, ordering="auto")
    with pytest.raises(SuperLUSchurFactorizer.errors):
        factorizer.factor(values)


def test_solve_regular():
    a = sp.coo_array(random_sparse(20, complex_=True, seed=2))
    b = np.arange(20.0) + 0j
    for ordering in ("nd", "COLAMD"):
        x = SuperLUSchurFactorizer.solve_regular(a, b, ordering)
        assert np.allclose(a.toarray() @ x, b)


@pytest.mark.parametrize("symmetric", [True, False])
def test_the_trailing_route_pivots_where_the_diagonal_vanishes(symmetric):
    # zero diagonals force row interchanges inside the interior and the interface
    rng = np.random.default_rng(7)
    a = random_sparse(40, complex_=not symmetric, seed=7)
    a[np.diag_indices(40)] = 0.0
    a += np.where(a != 0, 0, 0.05 * (rng.random((40, 40)) < 0.1))
    if symmetric:
        a = a + a.T
    keep = np.array([38, 1, 20, 39, 5])
    rest = np.setdiff1d(np.arange(40), keep)
    factorizer, values = make(a, keep, symmetric, ordering="auto", order=np.r_[rest, keep])
    s = factorizer.factor(values)
    assert factorizer.statistics["route"] == "trailing"
    assert np.allclose(s, dense_schur(a, keep), atol=1e-10)


def test_a_singular_interior_falls_back_to_the_solves_and_raises():
    a = np.eye(5, dtype=complex)
    a[2, 2] = 0.0
    a[0, 2] = a[2, 0] = 1.0
    order = np.array([1, 2, 3, 4, 0])
    factorizer, values = make(a, np.array([0]), False, ordering="auto", order=order)
    with pytest.raises(SuperLUSchurFactorizer.errors):
        factorizer.factor(values)
    assert factorizer.statistics["route"] == "solves"


@pytest.mark.parametrize("M", [8, 16])
def test_a_numerically_singular_interior_is_retried_not_returned(M):
    # the clean periodic 10 x M sample at E = 1 has a numerically singular interior
    # (smallest pivot ~1e-17 of the largest); SuperLU returned T ~ 1e-23 without error
    # (a clean sample between its own leads transmits every channel)
    system = build_system(ModelSpec(bc="periodic"), 10, M)
    T = FastSolver(system, backend="scipy").solve(system.clean_disorder()).T
    assert T == pytest.approx(system.num_channels, rel=1e-9)

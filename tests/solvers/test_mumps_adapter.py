"""Tests of betascale.solvers.mumps_adapter: the Schur complement MUMPS returns."""

import numpy as np
import pytest
import scipy.sparse as sp

from betascale.solvers.mumps_adapter import (
    MumpsOptions,
    SchurFactorizer,
    available_ordering,
    factor_only,
    solve_regular,
)
from betascale.solvers.ordering import pivot_positions
from tests.solvers.helpers import dense_schur, random_sparse


@pytest.mark.parametrize("symmetric", [True, False])
def test_schur_complement_matches_dense_algebra(symmetric):
    a = random_sparse(30, complex_=not symmetric)
    if symmetric:
        a = a + a.T
    keep = np.array([0, 3, 29, 7])
    stored = sp.triu(sp.coo_array(a)) if symmetric else sp.coo_array(a)
    schur = SchurFactorizer(
        30, stored.row, stored.col, stored.data, keep, symmetric, available_ordering("scotch")
    )
    s = schur.factor(np.ascontiguousarray(stored.data)).copy()
    if symmetric:  # only the lower triangle is set
        s = np.tril(s) + np.tril(s, -1).T
    assert np.allclose(s, dense_schur(a, keep), atol=1e-12)
    again = schur.factor(np.ascontiguousarray(stored.data))
    assert np.array_equal(np.tril(again) if symmetric else again, np.tril(s) if symmetric else s)
    assert schur.statistics["estimated_flops"] > 0


def test_factor_refuses_values_of_another_dtype():
    a = sp.coo_array(random_sparse(10, complex_=True))
    schur = SchurFactorizer(10, a.row, a.col, a.data, np.array([0, 1]), False, "auto")
    with pytest.raises(ValueError, match="dtype"):
        schur.factor(a.data.real.copy())


def test_factor_only_and_solve_regular():
    a = sp.coo_array(random_sparse(20, complex_=True, seed=2))
    plain = factor_only(20, a.row, a.col, a.data, False, "auto")
    assert min(plain.analysis, plain.factor, plain.factor_cpu) >= 0
    assert 0 < plain.flops < 20**3  # an LU of a 20 x 20 matrix, sparse or not
    assert plain.ordering
    b = np.arange(20.0) + 0j
    assert np.allclose(a.toarray() @ solve_regular(a, b, "auto"), b)


def test_options_describe_themselves():
    assert MumpsOptions().describe() == "defaults"
    label = MumpsOptions({35: 2}, {7: 1e-12}).describe()
    assert label == "ICNTL(35)=2 CNTL(7)=1e-12"
    assert available_ordering("no-such-ordering") == "auto"


@pytest.mark.parametrize("symmetric", [True, False])
def test_user_ordering_is_honoured_with_a_schur_complement(symmetric):
    a = random_sparse(30, complex_=not symmetric, seed=4)
    if symmetric:
        a = a + a.T
    keep = np.array([5, 2, 17])
    stored = sp.triu(sp.coo_array(a)) if symmetric else sp.coo_array(a)
    rest = np.setdiff1d(np.arange(30), keep)[::-1]
    positions = pivot_positions(np.concatenate([rest, keep]))
    schur = SchurFactorizer(
        30, stored.row, stored.col, stored.data, keep, symmetric, "amd", positions=positions
    )
    assert schur.statistics["ordering"] == "user-defined"
    s = schur.factor(np.ascontiguousarray(stored.data)).copy()
    if symmetric:
        s = np.tril(s) + np.tril(s, -1).T
    assert np.allclose(s, dense_schur(a, keep), atol=1e-12)


def test_unusable_user_ordering_falls_back_to_the_named_one():
    a = sp.coo_array(random_sparse(10, complex_=True))
    positions = np.arange(1, 11, dtype=np.int64)  # MUMPS wants 32-bit integers
    schur = SchurFactorizer(
        10, a.row, a.col, a.data, np.array([0, 1]), False, "amd", positions=positions
    )
    assert schur.statistics["ordering"] == "amd"


def test_a_user_ordering_mumps_did_not_take_falls_back_to_the_named_one(monkeypatch):
    """A struct layout misread (PERM_IN not where it was written): MUMPS refuses the
    analysis (no ordering in PERM_IN) and the named ordering analyses afresh."""
    from betascale.solvers import mumps_adapter

    monkeypatch.setattr(mumps_adapter, "_set_perm_in", lambda ctx, positions: True)
    a = random_sparse(30, complex_=True, seed=4)
    stored, keep = sp.coo_array(a), np.array([5, 2, 17])
    positions = pivot_positions(np.concatenate([np.setdiff1d(np.arange(30), keep), keep]))
    schur = SchurFactorizer(
        30, stored.row, stored.col, stored.data, keep, False, "amd", positions=positions
    )
    assert schur.statistics["ordering"] == "amd"
    s = schur.factor(np.ascontiguousarray(stored.data)).copy()
    assert np.allclose(s, dense_schur(a, keep), atol=1e-12)


@pytest.mark.parametrize("symmetric", [True, False])
def test_context_hands_mumps_what_set_matrix_would_without_copying_the_values(symmetric):
    # The pattern and values MUMPS reads are python-mumps' own conversion (1-based int32,
    # same order, upper triangle if symmetric), but the values are not copied.
    import mumps

    from betascale.solvers.mumps_adapter import _context

    a = sp.coo_array(random_sparse(25, complex_=not symmetric, seed=3))
    values = np.ascontiguousarray(a.data)
    ctx = _context(25, a.row, a.col, values, symmetric)
    reference = mumps.Context()
    matrix = sp.coo_array((values, (a.row, a.col)), shape=(25, 25))
    reference.set_matrix(matrix, symmetric=symmetric)
    assert ctx.n == reference.n and ctx.dtype == reference.dtype
    assert ctx.row.dtype == reference.row.dtype
    for mine, theirs in ((ctx.row, reference.row), (ctx.col, reference.col)):
        assert np.array_equal(mine, theirs)
    assert np.array_equal(ctx.data, reference.data)
    assert np.shares_memory(ctx.data, values) == (not symmetric)
    assert ctx.mumps_instance.sym == reference.mumps_instance.sym


def test_context_without_python_mumps_internals_takes_set_matrix(monkeypatch):
    # A python-mumps whose private module differs: the pattern goes through set_matrix.
    from betascale.solvers import mumps_adapter
    from betascale.solvers.mumps_adapter import _context

    a = sp.coo_array(random_sparse(25, complex_=True, seed=4))
    values = np.ascontiguousarray(a.data)
    monkeypatch.setattr(mumps_adapter, "_python_mumps_internals", lambda: None)
    ctx = _context(25, a.row, a.col, values, symmetric=False)
    assert not np.shares_memory(ctx.data, values)  # set_matrix's own copy
    assert np.array_equal(ctx.data, values) and ctx.n == 25

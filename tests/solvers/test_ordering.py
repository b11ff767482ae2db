"""Tests of betascale.solvers.ordering: the geometric nested dissection, interface last."""

import numpy as np
import pytest
import scipy.sparse as sp

from betascale.solvers.ordering import nested_dissection, pivot_positions, with_last


def grid_graph(L: int, M: int, periodic: bool) -> sp.csr_array:
    """Adjacency of the L x M grid, sites numbered x M + y."""
    site = np.arange(L * M).reshape(L, M)
    pairs = [(site[:-1].ravel(), site[1:].ravel()), (site[:, :-1].ravel(), site[:, 1:].ravel())]
    if periodic:
        pairs.append((site[:, -1], site[:, 0]))
    i = np.concatenate([p[0] for p in pairs])
    j = np.concatenate([p[1] for p in pairs])
    a = sp.coo_array((np.ones(i.size), (i, j)), shape=(L * M, L * M))
    return (a + a.T).tocsr()


def cholesky_fill(graph: sp.csr_array, order: np.ndarray) -> int:
    """Nonzeros of the Cholesky factor of the graph's matrix eliminated in ``order``."""
    n = graph.shape[0]
    position = pivot_positions(order) - 1
    adjacency = [set(position[graph.indices[graph.indptr[v] : graph.indptr[v + 1]]]) for v in order]
    fill = 0
    for k in range(n):
        later = {w for w in adjacency[k] if w > k}
        fill += len(later)
        if later:
            parent = min(later)
            adjacency[parent] |= later - {parent}
    return fill


@pytest.mark.parametrize(
    ("L", "M", "periodic", "norbs"), [(9, 7, False, 1), (8, 9, True, 2), (2, 5, True, 1)]
)
def test_order_is_a_permutation_with_the_interfaces_last(L, M, periodic, norbs):
    order = nested_dissection(L, M, periodic, norbs)
    width = M * norbs
    assert np.array_equal(np.sort(order), np.arange(L * M * norbs))
    assert np.array_equal(order[-2 * width : -width], np.arange(width))
    assert np.array_equal(order[-width:], np.arange((L - 1) * width, L * width))
    assert np.array_equal(order, nested_dissection(L, M, periodic, norbs))  # deterministic


@pytest.mark.parametrize("periodic", [False, True])
def test_nested_dissection_fills_less_than_the_natural_order(periodic):
    L = M = 40
    graph = grid_graph(L, M, periodic)
    nd = nested_dissection(L, M, periodic, 1)
    natural = with_last(np.arange(L * M), nd[-2 * M :])  # column by column, interfaces last
    assert cholesky_fill(graph, nd) < 0.6 * cholesky_fill(graph, natural)


def test_with_last_and_pivot_positions():
    order = np.array([3, 0, 4, 1, 2])
    assert list(with_last(order, np.array([4, 3]))) == [0, 1, 2, 4, 3]
    positions = pivot_positions(order)
    assert positions.dtype == np.int32
    assert list(positions) == [2, 4, 5, 1, 3]  # variable 3 is the first pivot

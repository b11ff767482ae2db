"""Helpers shared by the solver tests: random sparse matrices and their dense Schur complement."""

import numpy as np
import scipy.sparse as sp


def random_sparse(n: int, complex_: bool, seed: int = 0) -> np.ndarray:
    """A dense copy of a random sparse, diagonally dominant ``n x n`` matrix."""
    rng = np.random.default_rng(seed)
    a = sp.random_array((n, n), density=0.2, rng=rng).toarray() + n * np.eye(n)
    if complex_:
        a = a + 1j * sp.random_array((n, n), density=0.2, rng=rng).toarray()
    return a


def dense_schur(a: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """The Schur complement of ``a`` onto the indices ``keep``, by dense algebra."""
    rest = np.setdiff1d(np.arange(a.shape[0]), keep)
    return a[np.ix_(keep, keep)] - a[np.ix_(keep, rest)] @ np.linalg.solve(
        a[np.ix_(rest, rest)], a[np.ix_(rest, keep)]
    )

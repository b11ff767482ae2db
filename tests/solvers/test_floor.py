"""Tests of betascale.solvers.floor: the plain-factorization floor and the dense rate."""

import numpy as np
import scipy.sparse as sp

from betascale.solvers.floor import dense_gemm_rate, plain_factorization_floor


def _grid_laplacian(n: int) -> sp.coo_array:
    one = sp.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(n, n))
    return sp.coo_array(sp.kron(one, sp.eye(n)) + sp.kron(sp.eye(n), one) + 0.1 * sp.eye(n * n))


def test_the_floor_is_the_fastest_ordering_and_counts_its_operations():
    a = _grid_laplacian(12)
    floor = plain_factorization_floor(a.shape[0], a.row, a.col, a.data, False, ("amd", "pord"))
    assert floor.factor >= 0 and floor.flops > 0
    # a dense LU of the same size would cost about 2/3 n³ operations: the sparse one far less
    assert floor.flops < 2 / 3 * a.shape[0] ** 3 / 10


def test_the_dense_rate_is_positive_and_complex_counts_four_times_the_operations():
    real, complex_ = (
        dense_gemm_rate(True, n=128, repeats=2),
        dense_gemm_rate(False, n=128, repeats=2),
    )
    assert np.isfinite(real) and real > 1e6
    assert np.isfinite(complex_) and complex_ > 1e6

"""The floor of the fast solver: what the algorithm cannot go below on this machine.

The fast solver's work is dominated by one sparse factorization of the sample's
matrix (with a Schur complement onto the lead interface) and a dense interface step.
Its floor is MUMPS's plain factorization of the same matrix with MUMPS's best
ordering, factors discarded (:func:`plain_factorization_floor`): for a 2D grid a
nested-dissection factorization, O(L³) operations (George, SIAM J. Numer. Anal. 10,
345 (1973)). The achieved floating-point rate of a factorization is set against the
rate of this machine's dense matrix product (:func:`dense_gemm_rate`, one thread),
the fastest kernel the multifrontal method runs on.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from betascale.solvers.mumps_adapter import PlainFactorization

#: Orderings tried for the floor (MUMPS's best ones for 2D grids without METIS).
FLOOR_ORDERINGS = ("scotch", "pord")


def plain_factorization_floor(
    size: int,
    rows: np.ndarray,
    cols: np.ndarray,
    values: np.ndarray,
    symmetric: bool,
    orderings: tuple[str, ...] = FLOOR_ORDERINGS,
) -> PlainFactorization:
    """The fastest plain factorization of a matrix among ``orderings`` (by wall time).

    Parameters
    ----------
    size, rows, cols, values
        The matrix in coordinate form (as the fast solver assembles it).
    symmetric
        Factorize as symmetric (LDLᵀ; the real orthogonal class) or unsymmetric (LU).
    orderings
        MUMPS orderings to try.
    """
    from betascale.solvers.mumps_adapter import factor_only  # MUMPS only when measured

    runs = [factor_only(size, rows, cols, values, symmetric, name) for name in orderings]
    return min(runs, key=lambda run: run.factor)


def dense_gemm_rate(real: bool, n: int = 1024, repeats: int = 3) -> float:
    """Floating-point operations per second of an ``n x n`` matrix product, best of ``repeats``.

    ``dgemm`` (real) counts 2n³ operations, ``zgemm`` (complex) 8n³. Measured in the
    calling process, under its BLAS-thread policy (one thread in the benchmarks).
    """
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n))
    if not real:
        a = a + 1j * rng.standard_normal((n, n))
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        a @ a
        best = min(best, time.perf_counter() - start)
    return (2.0 if real else 8.0) * n**3 / best


__all__ = ["FLOOR_ORDERINGS", "dense_gemm_rate", "plain_factorization_floor"]

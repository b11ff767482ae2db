"""Generalised least squares with a covariance estimated from bootstrap replicates.

Shared by the beta fit (:mod:`betascale.analysis.fit`) and the one-parameter-scaling
test (:mod:`betascale.analysis.scaling_test`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from betascale.errors import InputError

#: Iterations of the generalised least squares with the residual covariance.
_GLS_ITERATIONS = 4


# ----------------------------------------------------------- least squares
def _block_mask(groups: np.ndarray) -> np.ndarray:
    return groups[:, None] == groups[None, :]


def whitener(C: np.ndarray) -> np.ndarray:
    """Inverse Cholesky factor of C (falls back to the diagonal if C is singular)."""
    d = np.diag(C)
    if np.any(~(d > 0)):
        raise InputError(
            "a beta point has zero bootstrap spread (identical samples?); cannot weight the fit"
        )
    try:
        chol = np.linalg.cholesky(C)
    except np.linalg.LinAlgError:
        chol = np.diag(np.sqrt(d))
    return np.linalg.inv(chol)


@dataclass(frozen=True)
class GLSResult:
    coef: np.ndarray
    cov: np.ndarray
    chi2: float
    C: np.ndarray
    whitener: np.ndarray


def gls(
    design: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    boot_x: np.ndarray,
    boot_y: np.ndarray,
    groups: np.ndarray,
    C: np.ndarray | None = None,
) -> GLSResult:
    """Generalised least squares ``y ≈ design(x) @ coef`` with a bootstrap covariance.

    Without ``C``, the covariance of the residuals ``y - design(x) @ coef`` is
    estimated from the bootstrap replicates at the current coefficients (so it
    holds the errors of both y and x, and their correlations), restricted to
    blocks of equal ``groups`` (independent ensembles), and the fit is iterated.
    With ``C`` given, that covariance is used as is.
    """
    mask = _block_mask(groups)
    X = design(x)

    def solve(Cm):
        Wh = whitener(Cm)
        coef, *_ = np.linalg.lstsq(Wh @ X, Wh @ y, rcond=None)
        return coef, Wh

    if C is None:
        Cm = np.cov(boot_y, rowvar=False).reshape(y.size, y.size) * mask
        coef, Wh = solve(Cm)
        for _ in range(_GLS_ITERATIONS):
            res_b = boot_y - np.einsum("bpk,k->bp", design(boot_x), coef)
            Cm = np.cov(res_b, rowvar=False).reshape(y.size, y.size) * mask
            coef, Wh = solve(Cm)
    else:
        Cm = C
        coef, Wh = solve(Cm)
    A = Wh @ X
    cov = np.linalg.pinv(A.T @ A)
    r = Wh @ (y - X @ coef)
    return GLSResult(coef, cov, float(r @ r), Cm, Wh)


def chi2_sf(chi2: float, dof: int) -> float:
    if dof <= 0:
        return math.nan
    from scipy.stats import chi2 as chi2_dist

    return float(chi2_dist.sf(chi2, dof))

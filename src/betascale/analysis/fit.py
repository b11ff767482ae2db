"""Fits of the large-g beta points to the analytic forms of the sigma model.

:func:`fit_beta` fits ``beta = a/g^p + b/g^q`` by generalised least squares
(:mod:`betascale.analysis.gls`) with the bootstrap covariance of the points, and
compares the free leading coefficient ``a`` with the analytic one
(:mod:`betascale.theory`).

Fit forms
---------
The default powers are ``(1, 2)`` for the orthogonal and symplectic classes and
``(2, 3)`` for the unitary class: in every class the form is
``a g^-p (1 + c/g)``, the leading term with a relative correction of order
``1/g``. The next sigma-model term is ``g^-4`` in all three classes, but its
coefficient is tiny (``3 zeta(3)/(4 pi^4) ≈ 0.009`` for O and S, ``3/(8 pi^4) ≈
0.004`` for U) and at the accessible g the free ``b`` absorbs rather the
non-universal corrections (residual contact and finite-size effects, corrections
to one-parameter scaling), which come generically at the next power of ``1/g``.
Pass ``powers=(2, 4)`` for the strict sigma-model series of the unitary class.

Errors
------
Generalised least squares with the covariance of the residuals
``beta_i - f(G_i)`` estimated from the bootstrap replicates of (G, beta),
iterated to convergence of the coefficients. This propagates the error of G
(linearised through the fit curve), the correlation of beta and G of one point,
and the anticorrelation of neighbouring points at one W that share an ensemble;
points at different W are independent. ``sigma_a`` comes from the GLS
covariance, ``a_interval`` from refitting every bootstrap replicate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from betascale import theory
from betascale.analysis.beta import BetaSet
from betascale.analysis.ensembles import DEFAULT_STAT, check_stat
from betascale.analysis.gls import chi2_sf, gls
from betascale.analysis.results import format_pm, interval_text, quantiles
from betascale.errors import InputError
from betascale.serialization import json_float
from betascale.validation import finite

#: Points with G below this (in e²/h) are left out of the fit by default.
DEFAULT_GMIN = 2.0


# ----------------------------------------------------------------------- fit
#: Default powers (p, q) of the fit form ``beta = a/g^p + b/g^q``.
FIT_POWERS = {"orthogonal": (1, 2), "unitary": (2, 3), "symplectic": (1, 2)}


@dataclass(frozen=True)
class FitResult:
    """Fit of the large-g beta points to ``beta = a/g^p + b/g^q``.

    Attributes
    ----------
    model, stat
        Symmetry class and the statistic G of the points.
    powers
        ``(p, q)``.
    a, sigma_a, b, sigma_b, cov
        Coefficients, their standard errors and 2x2 covariance (GLS).
    a_theory
        The analytic leading coefficient of the class (:func:`theory.leading_coefficient`).
    a_interval
        Bootstrap percentile interval of ``a`` (refit of every replicate).
    chi2, dof, p_value
        Goodness of fit; ``p_value`` is ``P(chi2_dof > chi2)``.
    gmin, g_range
        The threshold and the range of G of the points used.
    points
        ``(W, L1, L2)`` of the points used.
    """

    model: str
    stat: str
    powers: tuple[int, int]
    a: float
    sigma_a: float
    b: float
    sigma_b: float
    cov: tuple[tuple[float, float], tuple[float, float]]
    a_theory: float
    a_interval: tuple[float, float]
    chi2: float
    dof: int
    p_value: float
    gmin: float
    g_range: tuple[float, float]
    points: tuple[tuple[float, int, int], ...]

    @property
    def n_points(self) -> int:
        return len(self.points)

    @property
    def chi2_dof(self) -> float:
        """chi²/dof (NaN for zero degrees of freedom)."""
        return self.chi2 / self.dof if self.dof > 0 else math.nan

    @property
    def pull(self) -> float:
        """``(a - a_theory) / sigma_a``."""
        return (self.a - self.a_theory) / self.sigma_a if self.sigma_a > 0 else math.nan

    @property
    def correlation(self) -> float:
        """The correlation of ``a`` and ``b`` from the fit's covariance (NaN if undefined)."""
        var_a, var_b = self.cov[0][0], self.cov[1][1]
        return self.cov[0][1] / math.sqrt(var_a * var_b) if var_a > 0 and var_b > 0 else math.nan

    @property
    def caveat(self) -> str:
        """Why ``a`` is not a test of the theory (an exact fit: no degree of freedom), or "".

        With degrees of freedom the errors carry the rest: over a narrow range of G the
        powers ``1/g^p`` and ``1/g^q`` are nearly proportional, ``|corr(a, b)|`` is close
        to 1 (:attr:`correlation`, printed with the fit) and ``sigma_a`` is large.
        """
        if self.dof > 0:
            return ""
        return f"an exact fit ({self.n_points} points for 2 parameters, no degree of freedom)"

    @property
    def form(self) -> str:
        """The fit form, e.g. ``beta = a/g + b/g^2``."""
        return f"beta = {_power_text('a', self.powers[0])} + {_power_text('b', self.powers[1])}"

    def __call__(self, g):
        """The fitted beta at ``g``."""
        g = np.asarray(g, dtype=float)
        return self.a / g ** self.powers[0] + self.b / g ** self.powers[1]

    def __str__(self) -> str:
        return format_fit(self)

    def to_dict(self) -> dict:
        """A JSON-safe dict."""
        return {
            "model": self.model,
            "stat": self.stat,
            "form": self.form,
            "powers": list(self.powers),
            "a": json_float(self.a),
            "sigma_a": json_float(self.sigma_a),
            "a_interval": [json_float(v) for v in self.a_interval],
            "b": json_float(self.b),
            "sigma_b": json_float(self.sigma_b),
            "cov": [[json_float(v) for v in row] for row in self.cov],
            "a_theory": self.a_theory,
            "a_theory_name": theory.LEADING_NAME[self.model],
            "pull": json_float(self.pull),
            "chi2": json_float(self.chi2),
            "dof": self.dof,
            "chi2_dof": json_float(self.chi2_dof),
            "p_value": json_float(self.p_value),
            "gmin": self.gmin,
            "g_range": list(self.g_range),
            "n_points": self.n_points,
            "points": [list(p) for p in self.points],
            "correlation": json_float(self.correlation),
            "caveat": self.caveat,
        }


def _power_text(coef: str, p: int) -> str:
    return f"{coef}/g" if p == 1 else f"{coef}/g^{p}"


def fit_beta(
    betas: BetaSet,
    model: str,
    stat: str = DEFAULT_STAT,
    gmin: float = DEFAULT_GMIN,
    powers: tuple[int, int] | None = None,
) -> FitResult:
    """Fit ``beta = a/g^p + b/g^q`` to the points with ``G >= gmin``.

    The leading coefficient ``a`` is free and is compared with the analytic one
    (``-1/pi`` orthogonal, ``-1/(2 pi^2)`` unitary, ``+1/pi`` symplectic;
    :mod:`betascale.theory`). The module docstring explains the fit forms and the
    errors (generalised least squares with the bootstrap covariance).

    Parameters
    ----------
    betas
        The beta points with their bootstrap replicates.
    model
        Symmetry class: the default powers and the analytic ``a``.
    stat
        The statistic G of the points.
    gmin
        Points with ``G < gmin`` are left out.
    powers
        ``(p, q)``; default :data:`FIT_POWERS` of the class.

    Raises
    ------
    InputError
        If fewer than two points have ``G >= gmin`` (the message gives the G range).
    """
    theory.check_class(model)
    check_stat(stat)
    gmin = finite("gmin", gmin)
    p, q = _fit_powers(model, powers)
    use = _points_above(betas.G, gmin)
    pts = [betas.points[i] for i in use]
    x, y = betas.G[use], betas.beta[use]
    bx, by = betas.boot_G[:, use], betas.boot_beta[:, use]

    def design(g):
        return np.stack([g**-p, g**-q], axis=-1)

    res = gls(design, x, y, bx, by, np.array([pt.W for pt in pts]))
    a, b = (float(v) for v in res.coef)
    dof = use.size - 2
    c = res.cov
    return FitResult(
        model=model,
        stat=stat,
        powers=(p, q),
        a=a,
        sigma_a=float(math.sqrt(res.cov[0, 0])),
        b=b,
        sigma_b=float(math.sqrt(res.cov[1, 1])),
        cov=((float(c[0, 0]), float(c[0, 1])), (float(c[1, 0]), float(c[1, 1]))),
        a_theory=theory.leading_coefficient(model)[0],
        a_interval=quantiles(_refit_leading(res, design, bx, by), betas.ci),
        chi2=res.chi2,
        dof=dof,
        p_value=chi2_sf(res.chi2, dof),
        gmin=gmin,
        g_range=(float(x.min()), float(x.max())),
        points=tuple((pt.W, pt.L1, pt.L2) for pt in pts),
    )


def _fit_powers(model: str, powers: tuple[int, int] | None) -> tuple[int, int]:
    """``(p, q)``: the class's default (:data:`FIT_POWERS`) or ``powers``, which must differ."""
    p, q = FIT_POWERS[model] if powers is None else tuple(int(v) for v in powers)
    if p == q:
        raise InputError(f"the two fit powers must differ, got {p} and {q}")
    return p, q


def _points_above(G: np.ndarray, gmin: float) -> np.ndarray:
    """Indices of the points with ``G >= gmin``; at least two, or InputError."""
    use = np.flatnonzero(G >= gmin)
    if use.size < 2:
        rng = f"{G.min():.3g} to {G.max():.3g}" if G.size else "empty"
        raise InputError(
            f"gmin = {gmin:g} leaves {use.size} beta point(s) for the fit, which needs at "
            f"least 2; the points have G from {rng} e^2/h (lower gmin)"
        )
    return use


def _refit_leading(res, design, bx: np.ndarray, by: np.ndarray) -> np.ndarray:
    """Bootstrap of ``a``: refit each replicate ``(bx[k], by[k])`` with the final covariance."""
    a_boot = np.empty(by.shape[0])
    for k in range(by.shape[0]):
        coef, *_ = np.linalg.lstsq(res.whitener @ design(bx[k]), res.whitener @ by[k], rcond=None)
        a_boot[k] = coef[0]
    return a_boot


def format_fit(f: FitResult) -> str:
    """A :class:`FitResult` as a few lines of text."""
    chi = f"{f.chi2_dof:.2f}" if f.dof > 0 else "undefined (0 dof)"
    return "\n".join([
        f"fit {f.form} to {f.n_points} points with G >= {f.gmin:g} "
        f"(G = {f.g_range[0]:.3g} to {f.g_range[1]:.3g})",
        f"  a = {format_pm(f.a, f.sigma_a)}   analytic {theory.LEADING_NAME[f.model]} = "
        f"{f.a_theory:.4f}   ({f.pull:+.1f} sigma); bootstrap interval "
        f"{interval_text(f.a_interval, f.sigma_a)}",
        f"  b = {format_pm(f.b, f.sigma_b)}   corr(a, b) = {f.correlation:+.3f}",
        f"  chi2/dof = {f.chi2:.2f}/{f.dof} = {chi}, p = {f.p_value:.3g}",
        *([f"  not a test of a: {f.caveat}"] if f.caveat else []),
    ])  # fmt: skip

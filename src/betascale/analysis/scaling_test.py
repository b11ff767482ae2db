"""A test of one-parameter scaling: do the (G, beta) points of all W fall on one curve?

The machinery compares one smooth curve through all points with separate curves per
group. :func:`scaling_test` groups the points by W; :func:`curve_test` takes any
grouping (e.g. the lattices of :mod:`~betascale.analysis.universality`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from betascale.analysis.beta import BetaSet
from betascale.analysis.gls import chi2_sf, gls
from betascale.errors import InputError
from betascale.serialization import json_float

#: Most knots of the spline in ln G that the one-parameter-scaling test tries.
SCALING_MAX_KNOTS = 7


# ------------------------------------------------------ one-parameter scaling
@dataclass(frozen=True)
class ScalingTest:
    """How well the (G, beta) points of all W fall on one curve.

    The smooth curve is a natural cubic regression spline in ``ln G`` with
    :attr:`n_knots` knots (Hastie, Tibshirani & Friedman, *The Elements of
    Statistical Learning*, Sec. 5.2.1), placed halfway between the quantiles of the
    points' ``ln G`` and an even spacing over their range, so that they are dense
    where the points are without leaving wide gaps where they are few. It is cubic
    between the knots and linear beyond the outer ones (as beta ~ ln g deep in the
    insulator), with ``n_knots`` parameters; two knots give a straight line. It is
    fitted once through
    the points of all W ("single") and once separately per W in the same basis
    ("separate"; a W with no more points than parameters is fitted exactly). The
    number of knots of the single curve is chosen by the Bayesian information
    criterion ``chi2 + n_knots ln n`` among 2 to :data:`SCALING_MAX_KNOTS` (unless
    given), so that a smooth curve over a wide range of G is not mistaken for a
    violation of scaling.

    Both fits use one covariance, the bootstrap covariance of the residuals about
    the single curve, which carries the errors of G and beta and the correlations of
    the points that share an ensemble. The models are nested, so if one-parameter
    scaling holds, ``delta_chi2 = chi2_single - chi2_separate`` is chi²-distributed
    with ``delta_dof`` degrees of freedom; :attr:`p_value` is its tail probability.
    A small value (say < 0.01) rejects one-parameter scaling at the precision of the
    data; ``chi2_single/dof_single`` alone measures the scatter about one curve.

    The test has power only where the G ranges of different W overlap: points of
    different W in disjoint G ranges can always be joined by one curve.

    The groups need not be the W: :func:`curve_test` compares separate curves per
    any grouping (:attr:`grouped_by` names it; e.g. the lattices of one symmetry
    class in :func:`betascale.analysis.universality.universality`).

    Attributes
    ----------
    defined
        False when the test has no meaning (one W, or too few points); see
        :attr:`reason`.
    n_knots, n_points, n_W
        Knots (= parameters) of the single curve, numbers of points and of groups
        (the W, or what :attr:`grouped_by` names).
    chi2_single, dof_single, chi2_separate, dof_separate
        The two fits.
    delta_chi2, delta_dof, p_value
        The comparison.
    knots, coef
        Knots (in ``ln G``) and coefficients of the single curve.
    pulls
        ``(beta_i - curve(G_i)) / sigma_i`` of every point (σ from the covariance).
    grouped_by
        What the separate curves are per: ``"W"``, or e.g. ``"lattice"``.
    coef_cov
        GLS covariance of :attr:`coef` (for the band of :meth:`curve_error`).
    """

    defined: bool
    reason: str | None
    n_knots: int
    n_points: int
    n_W: int
    chi2_single: float = math.nan
    dof_single: int = 0
    chi2_separate: float = math.nan
    dof_separate: int = 0
    delta_chi2: float = math.nan
    delta_dof: int = 0
    p_value: float = math.nan
    knots: tuple[float, ...] = ()
    coef: tuple[float, ...] = ()
    pulls: tuple[float, ...] = ()
    grouped_by: str = "W"
    coef_cov: tuple[tuple[float, ...], ...] = ()

    @property
    def chi2_dof_single(self) -> float:
        return self.chi2_single / self.dof_single if self.dof_single > 0 else math.nan

    @property
    def chi2_dof_separate(self) -> float:
        return self.chi2_separate / self.dof_separate if self.dof_separate > 0 else math.nan

    def curve(self, G):
        """The single curve beta(G)."""
        if not self.defined:
            raise InputError(f"no scaling curve: {self.reason}")
        x = np.log(np.asarray(G, dtype=float))
        return _spline_design(np.asarray(self.knots))(x) @ np.asarray(self.coef)

    def curve_error(self, G):
        """Standard error of :meth:`curve` at ``G`` (from :attr:`coef_cov`)."""
        if not self.defined:
            raise InputError(f"no scaling curve: {self.reason}")
        X = _spline_design(np.asarray(self.knots))(np.log(np.asarray(G, dtype=float)))
        cov = np.asarray(self.coef_cov, dtype=float)
        return np.sqrt(np.clip(np.einsum("...i,ij,...j->...", X, cov, X), 0.0, None))

    def __str__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        """One line for tables."""
        if not self.defined:
            return f"one-parameter scaling: not tested ({self.reason})"
        return (
            f"one-parameter scaling (natural cubic spline in ln G, {self.n_knots} knots): "
            f"one curve chi2/dof = {self.chi2_single:.1f}/{self.dof_single}, separate curves "
            f"per {self.grouped_by} chi2/dof = {self.chi2_separate:.1f}/{self.dof_separate}; "
            f"delta chi2 = {self.delta_chi2:.1f} for {self.delta_dof} dof, p = {self.p_value:.3g}"
        )

    def to_dict(self) -> dict:
        """A JSON-safe dict."""
        return {
            "defined": self.defined,
            "reason": self.reason,
            "curve": "natural cubic spline in ln G",
            "n_knots": self.n_knots,
            "n_points": self.n_points,
            "n_W": self.n_W,
            "grouped_by": self.grouped_by,
            "chi2_single": json_float(self.chi2_single),
            "dof_single": self.dof_single,
            "chi2_dof_single": json_float(self.chi2_dof_single),
            "chi2_separate": json_float(self.chi2_separate),
            "dof_separate": self.dof_separate,
            "chi2_dof_separate": json_float(self.chi2_dof_separate),
            "delta_chi2": json_float(self.delta_chi2),
            "delta_dof": self.delta_dof,
            "p_value": json_float(self.p_value),
        }


def _spline_design(knots: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """Natural cubic spline basis with the given sorted knots (ESL eqs. 5.4–5.5)."""
    K = knots.size
    last = knots[-1]

    def d(x, k):
        return (np.clip(x - knots[k], 0, None) ** 3 - np.clip(x - last, 0, None) ** 3) / (
            last - knots[k]
        )

    def design(x):
        cols = [np.ones_like(x), x]
        cols += [d(x, k) - d(x, K - 2) for k in range(K - 2)]
        return np.stack(cols, axis=-1)

    return design


def _knots(x: np.ndarray, K: int) -> np.ndarray:
    """K knots halfway between the quantiles of x and an even spacing over its range."""
    t = np.linspace(0.0, 1.0, K)
    return 0.5 * np.quantile(x, t) + 0.5 * (x.min() + t * np.ptp(x))


def _rank(Wh: np.ndarray, X: np.ndarray) -> int:
    return int(np.linalg.matrix_rank(Wh @ X)) if X.size else 0


def _select_single_curve(x, y, bx, by, blocks, n_knots: int | None, max_knots: int):
    """The single curve through all points: ``(K, knots, design, fit)``.

    ``blocks`` labels the independent ensembles: the covariance is block diagonal in it.

    With ``n_knots`` None, ``K`` minimizes the Bayesian information criterion
    ``chi2 + K ln n`` among 2 to ``max_knots`` (at most ``n - 2`` and the
    number of distinct ``x``); the first minimum wins.
    """

    def fit_single(K):
        knots = _knots(x, K)
        design = _spline_design(knots)
        return knots, design, gls(design, x, y, bx, by, blocks)

    if n_knots is not None:
        return (n_knots, *fit_single(n_knots))
    n = x.size
    fits = [
        (K, *fit_single(K)) for K in range(2, max(2, min(max_knots, n - 2, np.unique(x).size)) + 1)
    ]
    return min(fits, key=lambda f: f[3].chi2 + f[0] * math.log(n))  # the first of least BIC


def _fit_separate(design, x, y, bx, by, groups, C) -> tuple[float, int]:
    """chi² and degrees of freedom of separate curves per group, with the covariance ``C``."""
    chi2_sep, dof_sep = 0.0, 0
    for w in sorted(set(groups.tolist())):
        sel = np.flatnonzero(groups == w)
        res = gls(
            design,
            x[sel],
            y[sel],
            bx[:, sel],
            by[:, sel],
            groups[sel],
            C=C[np.ix_(sel, sel)],
        )
        chi2_sep += res.chi2
        dof_sep += sel.size - _rank(res.whitener, design(x[sel]))
    return chi2_sep, dof_sep


def _not_testable(
    n: int, n_groups: int, n_knots: int | None, grouped_by: str
) -> ScalingTest | None:
    """The undefined test when there is one group or too few points, else None."""
    need = 4 if n_knots is None else n_knots + 2
    if n_groups < 2:
        reason = (
            "one disorder strength W only; one-parameter scaling compares several W"
            if grouped_by == "W"
            else f"one {grouped_by} only; the test compares several"
        )
    elif n < need:
        reason = f"needs at least {need} beta points, has {n}"
    else:
        return None
    return ScalingTest(
        False, reason, n_knots=n_knots or 0, n_points=n, n_W=n_groups, grouped_by=grouped_by
    )


def _check_knots(n_knots: int | None) -> None:
    if n_knots is not None and n_knots < 2:
        raise InputError(f"the scaling curve needs at least 2 knots, got {n_knots}")


def scaling_test(betas: BetaSet, n_knots: int | None = None) -> ScalingTest:
    """Test one-parameter scaling of the beta points (see :class:`ScalingTest`).

    Parameters
    ----------
    betas
        All beta points (every G, not only those above gmin).
    n_knots
        Knots of the spline in ``ln G`` (>= 2); default: chosen by BIC among 2 to
        :data:`SCALING_MAX_KNOTS`.

    Returns
    -------
    ScalingTest
        The comparison of one curve with separate curves per W, or an undefined test
        with its reason.
    """
    return curve_test(betas.G, betas.beta, betas.boot_G, betas.boot_beta, betas.W, n_knots=n_knots)


def curve_test(
    G: np.ndarray,
    beta: np.ndarray,
    boot_G: np.ndarray,
    boot_beta: np.ndarray,
    groups: np.ndarray,
    blocks: np.ndarray | None = None,
    n_knots: int | None = None,
    grouped_by: str = "W",
    max_knots: int = SCALING_MAX_KNOTS,
) -> ScalingTest:
    """One curve through the points (G, beta) of all groups against one curve per group.

    The machinery of :class:`ScalingTest` with the grouping as a parameter.

    Parameters
    ----------
    G, beta
        The points, shape ``(n,)``.
    boot_G, boot_beta
        Their bootstrap replicates, shape ``(n_boot, n)``.
    groups
        Label of each point's group: one separate curve per distinct label.
    blocks
        Label of each point's independent ensemble set: the covariance is block
        diagonal in it (default ``groups``; :func:`scaling_test` uses W for both).
    n_knots
        Knots of the spline in ``ln G`` (>= 2); default: chosen by BIC.
    grouped_by
        What the groups are, for the text (``"W"``, ``"lattice"``).
    max_knots
        The most knots the BIC choice tries (default :data:`SCALING_MAX_KNOTS`).

    Returns
    -------
    ScalingTest
        The comparison, or an undefined test with its reason.
    """
    _check_knots(n_knots)
    groups = np.asarray(groups)
    blocks = groups if blocks is None else np.asarray(blocks)
    n_groups = len(set(groups.tolist()))
    undefined = _not_testable(len(groups), n_groups, n_knots, grouped_by)
    if undefined is not None:
        return undefined
    x, y = np.log(np.asarray(G, dtype=float)), np.asarray(beta, dtype=float)
    bx, by = np.log(boot_G), boot_beta
    K, knots, design, single = _select_single_curve(x, y, bx, by, blocks, n_knots, max_knots)
    base = {"n_knots": K, "n_points": x.size, "n_W": n_groups, "grouped_by": grouped_by}
    chi2_sep, dof_sep = _fit_separate(design, x, y, bx, by, groups, single.C)
    dof_single = x.size - _rank(single.whitener, design(x))
    ddof = dof_single - dof_sep
    if ddof <= 0:
        return ScalingTest(
            False,
            f"separate curves per {grouped_by} have no fewer degrees of freedom than one curve",
            **base,
        )
    delta = max(single.chi2 - chi2_sep, 0.0)
    pulls = (y - design(x) @ single.coef) / np.sqrt(np.diag(single.C))
    return ScalingTest(
        True,
        None,
        chi2_single=single.chi2,
        dof_single=dof_single,
        chi2_separate=chi2_sep,
        dof_separate=dof_sep,
        delta_chi2=delta,
        delta_dof=ddof,
        p_value=chi2_sf(delta, ddof),
        knots=tuple(float(v) for v in knots),
        coef=tuple(float(c) for c in single.coef),
        pulls=tuple(float(v) for v in pulls),
        coef_cov=tuple(tuple(float(v) for v in row) for row in single.cov),
        **base,
    )

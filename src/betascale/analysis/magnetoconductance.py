"""Magnetoconductance from paired samples: the weak-localization correction measured directly.

A sample's disorder depends on (seed, W, L, M, index) only, never on the flux, so the
samples of one key at flux ``phi`` and at ``phi = 0`` share their disorder
realization. The difference ``Delta g = g(phi) - g(0)`` of a pair removes the
sample-to-sample fluctuations that the two share (the conductance fluctuations at
``phi`` stay correlated with those at 0 until the flux through the sample decorrelates
the magnetofingerprint, ``phi L^2`` of order one flux quantum). For a table with
``phi = 0`` and non-zero fluxes this module gives

1. per (W, L, phi) the paired mean of ``Delta g`` with its paired standard error,
   the error that unpaired (independent) ensembles of the same size would give, and
   their ratio (:class:`PairedDelta`);
2. per (W, phi) the slopes ``d<Delta g>/d ln L`` between successive sizes and a fit
   ``<Delta g>(L) = d0 + b ln L (+ c/L)`` (:func:`~betascale.analysis.weak_localization.
   fit_log_size`), bootstrap over pairs; for ``ell << l_B << L`` the field removes the
   one-loop correction beyond ``l_B``, so ``b -> +1/pi`` (orthogonal) or ``-1/pi``
   (symplectic, both spins) (:func:`betascale.theory.magnetoconductance_slope`), and
   ``<g(phi)>`` keeps the unitary two-loop slope ``-1/(2 pi^2 <g(phi)>)`` (g counting
   every spin component; Hikami, Phys. Rev. B 24, 2671 (1981); Evers & Mirlin, Rev.
   Mod. Phys. 80, 1355 (2008), with ``t = 1/(2 pi g)``), so the expected
   slope is ``±1/pi - 1/(2 pi^2 <g(phi)>)``; each successive slope is split into the
   slopes of ``<g(phi)>`` and ``<g(0)>`` (:class:`DeltaSlope`) to show which side misses,
   and compared also with the expectation at those finite ``L/l_B``: on hard walls on
   the square lattice the finite-size Cooperon of the sample
   (:func:`betascale.cooperon.finite_size_crossover`, no fitted length), whose approach
   to ``±1/pi`` has a boundary-layer term in ``l_B/L`` besides the film's
   ``(l_B/L)^2``; elsewhere the HLN crossover with the ``phi_*`` of the fits of item 3;
3. per (W, L) the Hikami–Larkin–Nagaoka fit of ``<Delta g>(phi)``
   (:func:`betascale.theory.hln`) for ``alpha`` and ``phi_*`` (:func:`fit_hln`), with
   errors from the paired bootstrap; expected ``alpha = +1/2`` (spinless orthogonal) and
   ``-1/2`` (symplectic, both spins counted) at one loop, and with the same unitary
   two-loop term as the slopes ``(pi/2)`` times the expected slope
   (:func:`expected_alpha`), at the mean ``<g(phi)>`` of the fitted fluxes; the
   finite-size Cooperon fit (:func:`fit_cooperon`) likewise.

Conductances are in e²/h; ``g`` is the contact-corrected ``1/(1/T - 1/N)`` per sample
(default) or the two-terminal ``T``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from betascale import theory, validation
from betascale.analysis.beta import DEFAULT_BOOT, DEFAULT_CI
from betascale.analysis.ensembles import (
    DEFAULT_STAT,
    STATS,
    Estimate,
    format_pm,
    mean_estimate,
    per_sample_values,
)
from betascale.analysis.gls import chi2_sf
from betascale.analysis.results import Result, quantiles
from betascale.analysis.weak_localization import (
    LogFit,
    SizeSeries,
    check_options,
    fit_log_size,
    series_of_values,
    split_by_flux,
)
from betascale.errors import InputError
from betascale.store import SampleTable

#: Points of the log grid of phi_* on which the HLN profile is minimised.
_HLN_GRID = 600


# ------------------------------------------------------------------- pairing
def paired_values(
    table: SampleTable, flux: float, W: float, L: int, stat: str = DEFAULT_STAT
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The per-sample statistic at ``flux`` and at 0 for the pairs of one (W, L).

    A pair is the same (W, L, M, sample index) at both fluxes. Returns the sample
    indices and the two value arrays, ordered by the index; empty where either flux
    has no sample yet (a store still being computed).
    """
    out = []
    for f in (flux, 0.0):
        sel = (table.flux == f) & (table.W == W) & (table.L == L)
        idx = np.flatnonzero(sel)
        if idx.size == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
        Ns, Ms = np.unique(table.N[idx]), np.unique(table.M[idx])
        where = f"flux={f:g}, W={W:g}, L={L}"
        if Ns.size != 1 or Ms.size != 1:
            raise InputError(f"{where}: N or M differs between samples")
        v = per_sample_values(np.asarray(table.T[idx], dtype=float), int(Ns[0]), stat, where)
        out.append((np.asarray(table.sample[idx]), v, int(Ms[0])))
    (s1, v1, m1), (s0, v0, m0) = out
    if m1 != m0:
        raise InputError(f"W={W:g}, L={L}: widths differ between fluxes ({m1}, {m0}); no pairs")
    common, i1, i0 = np.intersect1d(s1, s0, assume_unique=True, return_indices=True)
    return common, v1[i1], v0[i0]


@dataclass(frozen=True)
class PairedDelta(Result):
    """``Delta g = g(phi) - g(0)`` over the pairs of one (W, L, phi).

    Attributes
    ----------
    W, L, flux
        Labels; ``l_B = 1/sqrt(2 pi phi)`` the magnetic length.
    n_pairs
        Number of pairs.
    g_flux, g_zero
        ⟨g⟩ at phi and at 0 over the pairs, with standard errors.
    delta
        ⟨Delta g⟩ with its paired standard error ``std(Delta g)/sqrt(n)``.
    unpaired_error
        ``sqrt(var g(phi)/n + var g(0)/n)``: the error of the difference of two
        independent ensembles of n samples.
    correlation
        Pearson correlation of g(phi) and g(0) over the pairs.
    """

    W: float
    L: int
    flux: float
    n_pairs: int
    l_B: float
    g_flux: Estimate
    g_zero: Estimate
    delta: Estimate
    unpaired_error: float
    correlation: float

    _derived = ("gain",)

    @property
    def gain(self) -> float:
        """``unpaired_error / paired error``: how much pairing shrinks the error bar."""
        e = self.delta.error
        return self.unpaired_error / e if e > 0 else math.inf


def paired_delta(
    g_flux: np.ndarray, g_zero: np.ndarray, W: float = math.nan, L: int = 0, flux: float = 0.0
) -> PairedDelta:
    """:class:`PairedDelta` of matched per-sample values (same order, same samples)."""
    g1, g0 = np.asarray(g_flux, dtype=float), np.asarray(g_zero, dtype=float)
    if g1.shape != g0.shape or g1.size < 2:
        raise InputError(f"need at least 2 matched pairs, got {g1.size} and {g0.size} values")
    n = g1.size
    unpaired = math.sqrt((np.var(g1, ddof=1) + np.var(g0, ddof=1)) / n)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = float(np.corrcoef(g1, g0)[0, 1]) if np.std(g1) > 0 and np.std(g0) > 0 else 1.0
    return PairedDelta(
        W=float(W),
        L=int(L),
        flux=float(flux),
        n_pairs=n,
        l_B=theory.magnetic_length(flux) if flux != 0 else math.inf,
        g_flux=mean_estimate(g1),
        g_zero=mean_estimate(g0),
        delta=mean_estimate(g1 - g0),
        unpaired_error=unpaired,
        correlation=rho,
    )


# ---------------------------------------------------------------- HLN fit
@dataclass(frozen=True)
class PrefactorFit(Result):
    """The fitted prefactor alpha of ``<Delta g>(phi)`` at one (W, L): what the HLN and
    the finite-size Cooperon fits share.

    Attributes
    ----------
    W, L, fluxes, n_pairs
        Labels, the non-zero fluxes fitted and the number of samples paired at all.
    alpha, alpha_error, alpha_interval
        The prefactor, its paired-bootstrap error and interval.
    alpha_theory
        The expected value with the unitary two-loop term at ``g_flux``
        (:func:`expected_alpha`); the one-loop value if ``g_flux`` is not finite.
    alpha_one_loop
        The one-loop value ``±1/2`` (:data:`theory.HLN_ALPHA`).
    g_flux
        The mean ``<g(phi)>`` over the fitted fluxes (NaN if not given).
    """

    W: float
    L: int
    fluxes: tuple[float, ...]
    n_pairs: int
    alpha: float
    alpha_error: float
    alpha_interval: tuple[float, float]
    alpha_theory: float
    alpha_one_loop: float
    g_flux: float
    _derived = ("relative_deviation", "relative_deviation_one_loop")

    @property
    def relative_deviation(self) -> float:
        """``alpha/alpha_theory - 1`` (NaN if the expected alpha is 0)."""
        return self.alpha / self.alpha_theory - 1 if self.alpha_theory else math.nan

    @property
    def relative_deviation_one_loop(self) -> float:
        """``alpha/alpha_one_loop - 1`` (NaN if the one-loop alpha is 0)."""
        return self.alpha / self.alpha_one_loop - 1 if self.alpha_one_loop else math.nan


def _expectations(model: str, g_flux: float) -> dict[str, float]:
    """The ``alpha_theory``, ``alpha_one_loop`` and ``g_flux`` fields of a
    :class:`PrefactorFit` of ``model`` at ``g_flux``."""
    one_loop = theory.HLN_ALPHA[theory.check_class(model)]
    g = float(g_flux)
    expected = expected_alpha(model, g) if math.isfinite(g) and g > 0 else one_loop
    return {"alpha_theory": expected, "alpha_one_loop": one_loop, "g_flux": g}


@dataclass(frozen=True)
class HLNFit(PrefactorFit):
    """The HLN fit of ``<Delta g>(phi)`` at one (W, L) (:func:`theory.hln`); the
    fields of :class:`PrefactorFit`, and:

    Attributes
    ----------
    flux_star, flux_star_interval
        ``phi_*`` and its bootstrap interval.
    L_phi, L_phi_interval
        The length ``1/sqrt(8 pi phi_*)`` that plays the dephasing length: of order L
        (about ``L/pi`` for the slowest Cooperon mode between absorbing leads).
    chi2, dof, p_value
        Goodness of fit with the paired standard errors (fluxes taken as independent).
    determined
        False if ``phi_*`` ran to the edge of its search range (all fluxes in the
        quadratic regime, where only ``alpha/phi_*^2`` is fixed).
    """

    flux_star: float
    flux_star_interval: tuple[float, float]
    L_phi: float
    L_phi_interval: tuple[float, float]
    chi2: float
    dof: int
    p_value: float
    determined: bool

    def __call__(self, flux) -> np.ndarray:
        """The fitted curve."""
        return theory.hln(flux, self.alpha, self.flux_star)


def _paired_means(
    fluxes: Sequence[float], deltas: np.ndarray, what: str, least: int, n_boot: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``|phi|``, the per-pair deltas and their column means: the sample's, then one row
    per paired-bootstrap replicate (rows resampled jointly). Checks the input."""
    phi = np.abs(np.asarray(fluxes, dtype=float))
    D = np.asarray(deltas, dtype=float)
    if phi.size < least or np.any(phi == 0) or D.ndim != 2 or D.shape[1] != phi.size:
        raise InputError(
            f"the {what} fit needs >= {least} non-zero fluxes and deltas of shape (n, fluxes)"
        )
    if D.shape[0] < 3:
        raise InputError(f"the {what} fit needs at least 3 pairs, got {D.shape[0]}")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, D.shape[0], size=(int(n_boot), D.shape[0]))
    return phi, D, np.vstack([D.mean(axis=0), D[idx].mean(axis=1)])


def _whitener(D: np.ndarray) -> np.ndarray:
    """``diag(1/se)`` with the paired standard errors of the column means of D."""
    se = np.std(D, axis=0, ddof=1) / math.sqrt(D.shape[0])
    if np.any(~(se > 0)):
        raise InputError("a flux has zero spread of Delta g over the pairs; cannot weight")
    return np.diag(1 / se)


def _profile(
    means: np.ndarray, F: np.ndarray, Wh: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Best alpha and chi2 on the phi_* grid for each row of ``means`` (B x K)."""
    A = F @ Wh.T  # J x K, whitened unit-alpha curves
    Y = means @ Wh.T  # B x K
    num = Y @ A.T  # B x J
    den = np.einsum("jk,jk->j", A, A)
    chi2 = np.einsum("bk,bk->b", Y, Y)[:, None] - num**2 / den
    return num / den, chi2, np.argmin(chi2, axis=1)


def _refine(chi2: np.ndarray, j: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Parabolic interpolation of the minimum of chi2 around the grid index j."""
    jj = np.clip(j, 1, grid.size - 2)
    rows = np.arange(chi2.shape[0])
    c0, c1, c2 = chi2[rows, jj - 1], chi2[rows, jj], chi2[rows, jj + 1]
    curv = c0 - 2 * c1 + c2
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curv > 0, 0.5 * (c0 - c2) / curv, 0.0)
    step = grid[1] - grid[0]
    return grid[jj] + np.clip(shift, -1, 1) * step


def fit_hln(
    fluxes: Sequence[float],
    deltas: np.ndarray,
    model: str = "orthogonal",
    n_boot: int = DEFAULT_BOOT,
    seed: int = 0,
    ci: float = DEFAULT_CI,
    W: float = math.nan,
    L: int = 0,
    g_flux: float = math.nan,
) -> HLNFit:
    """Fit ``<Delta g>(phi) = alpha (1/pi) [psi(1/2 + phi_*/phi) - ln(phi_*/phi)]``.

    Parameters
    ----------
    fluxes
        The non-zero fluxes (at least 2; 3 or more leave degrees of freedom).
    deltas
        Per-pair ``Delta g``, shape ``(n_pairs, len(fluxes))``: row i is one disorder
        realization at every flux.
    model
        Class at zero flux, for the expected alpha.
    n_boot, seed, ci
        Paired bootstrap: the rows are resampled jointly, so the correlations between
        fluxes are kept.
    W, L
        Labels of the result.
    g_flux
        The mean ``<g(phi)>`` of the fluxes, for the two-loop expected alpha
        (:func:`expected_alpha`); without it the one-loop ``±1/2``.

    Notes
    -----
    The model is linear in alpha, so alpha is profiled out exactly and ``ln phi_*`` is
    minimised on a grid with parabolic refinement (no starting values needed). The
    weights are the paired standard errors; the means at different fluxes share their
    samples and are correlated, which the bootstrap errors include but chi² (and its
    p-value, approximate) does not: a full-covariance fit was found to follow the
    precise weak-field points at the expense of the rest with ~100 pairs. Hikami,
    Larkin & Nagaoka, Prog. Theor. Phys. 63, 707 (1980).
    """
    phi, D, means = _paired_means(fluxes, deltas, "HLN", 2, n_boot, seed)
    Wh = _whitener(D)
    grid = np.linspace(math.log(phi.min()) - 12, math.log(phi.max()) + 6, _HLN_GRID)
    F = np.stack([theory.hln(phi, 1.0, math.exp(x)) for x in grid])
    alpha, chi2, j = _profile(means, F, Wh)
    ln_star = _refine(chi2, j, grid)
    F_best = np.stack([theory.hln(phi, 1.0, math.exp(x)) for x in ln_star[:1]])
    a_best, chi_best, _ = _profile(means[:1], F_best, Wh)
    a_boot = alpha[np.arange(1, means.shape[0]), j[1:]]
    star_lo, star_hi = (math.exp(v) for v in quantiles(ln_star[1:], ci))
    star = math.exp(ln_star[0])
    L_phi_lo, L_phi_hi = (theory.hln_dephasing_length(v) for v in (star_hi, star_lo))
    dof = phi.size - 2
    return HLNFit(
        W=float(W),
        L=int(L),
        fluxes=tuple(float(v) for v in phi),
        n_pairs=int(D.shape[0]),
        alpha=float(a_best[0, 0]),
        alpha_error=float(np.std(a_boot, ddof=1)),
        alpha_interval=quantiles(a_boot, ci),
        **_expectations(model, g_flux),
        flux_star=star,
        flux_star_interval=(star_lo, star_hi),
        L_phi=theory.hln_dephasing_length(star),
        L_phi_interval=(L_phi_lo, L_phi_hi),
        chi2=float(chi_best[0, 0]),
        dof=dof,
        p_value=chi2_sf(float(chi_best[0, 0]), dof),
        determined=bool(0 < j[0] < grid.size - 1),
    )


# ------------------------------------------------- finite-size Cooperon fit
@dataclass(frozen=True)
class CooperonFit(PrefactorFit):
    """The finite-size Cooperon fit of ``<Delta g>(phi)`` at one (W, L).

    ``<Delta g>(phi) = 2 alpha F(L/l_B)`` with F the one-loop magnetoconductance of the
    hard-wall sample between absorbing contacts
    (:func:`betascale.cooperon.finite_size_crossover`): the shape has no free
    parameter, only alpha is fitted. The HLN fit (:class:`HLNFit`) describes the same
    data with an infinite film and a fitted dephasing field instead. The fields of
    :class:`PrefactorFit`, and:

    Attributes
    ----------
    aspect
        The sample's M/L.
    chi2, dof, p_value
        Goodness of fit with the paired standard errors (fluxes taken as independent,
        as in :func:`fit_hln`).
    """

    aspect: float
    chi2: float
    dof: int
    p_value: float

    def __call__(self, flux) -> float | np.ndarray:
        """The fitted curve."""
        from betascale.cooperon import finite_size_magnetoconductance

        return finite_size_magnetoconductance(flux, self.L, self.alpha, self.aspect)


def fit_cooperon(
    fluxes: Sequence[float],
    deltas: np.ndarray,
    L: int,
    model: str = "orthogonal",
    n_boot: int = DEFAULT_BOOT,
    seed: int = 0,
    ci: float = DEFAULT_CI,
    W: float = math.nan,
    aspect: float = 1.0,
    g_flux: float = math.nan,
) -> CooperonFit:
    """Fit ``<Delta g>(phi) = 2 alpha F(L/l_B)``, the finite-size Cooperon form.

    Parameters
    ----------
    fluxes
        The non-zero fluxes (at least 1).
    deltas
        Per-pair ``Delta g``, shape ``(n_pairs, len(fluxes))`` (as :func:`fit_hln`).
    L
        The sample length; ``aspect`` its width over length.
    model
        Class at zero flux, for the expected alpha.
    n_boot, seed, ci
        Paired bootstrap over the rows.
    W, g_flux
        The label W, and the mean ``<g(phi)>`` for the expected alpha (as
        :func:`fit_hln`).

    Notes
    -----
    Linear in alpha, so the fit is exact: ``alpha = (y.a)/(a.a)`` with the whitened
    means y and curve a. The theory (Texier & Montambaux, Phys. Rev. Lett. 92, 186801
    (2004); Hikami, Larkin & Nagaoka, Prog. Theor. Phys. 63, 707 (1980)) is in
    :mod:`betascale.cooperon`; it holds for ``ell << l_B`` and ``ell << L``.
    """
    from betascale.cooperon import finite_size_crossover

    size = validation.number("L", L, low=0.0, open_low=True)
    phi, D, means = _paired_means(fluxes, deltas, "Cooperon", 1, n_boot, seed)
    curve = 2.0 * np.asarray(finite_size_crossover(size * np.sqrt(2 * math.pi * phi), aspect))
    alpha, chi2, _ = _profile(means, curve[None, :], _whitener(D))
    a_boot = alpha[1:, 0]
    dof = phi.size - 1
    return CooperonFit(
        W=float(W),
        L=int(L),
        aspect=float(aspect),
        fluxes=tuple(float(v) for v in phi),
        n_pairs=int(D.shape[0]),
        alpha=float(alpha[0, 0]),
        alpha_error=float(np.std(a_boot, ddof=1)),
        alpha_interval=quantiles(a_boot, ci),
        **_expectations(model, g_flux),
        chi2=float(chi2[0, 0]),
        dof=dof,
        p_value=chi2_sf(float(chi2[0, 0]), dof),
    )


# ------------------------------------------------------------- Delta g(L)
def expected_slope(model: str, g_flux: float) -> float:
    """Expected ``d<Delta g>/d ln L`` for ``ell << l_B << L`` at the conductance g(phi).

    The field removes the one-loop term (:func:`theory.magnetoconductance_slope`,
    ``±1/pi``); the unitary two-loop slope ``-1/(2 pi^2 g)`` of g(phi) remains
    (:func:`theory.weak_localization_slope`), about -2 % of ``1/pi`` at g = 7.
    """
    two_loop = theory.weak_localization_slope("unitary", g_flux)
    return theory.magnetoconductance_slope(model) + two_loop


def expected_alpha(model: str, g_flux: float) -> float:
    """Expected prefactor alpha of ``<Delta g>(phi)`` at the conductance g(phi), with the
    unitary two-loop term: ``(pi/2)`` times :func:`expected_slope` (0 for the unitary
    class, which has no Cooperon for the field to remove).

    Derived here from the two flows, not taken from a paper: for ``ell << l_B << L`` the
    flow is that of the class up to l_B and the unitary one beyond, so at fixed L
    ``d<Delta g>/d ln l_B`` is the slope of the class less the unitary slope,
    ``-expected_slope``; with ``l_B^2 = 1/(2 pi phi)`` the log slope in the field is
    ``expected_slope/2``, which HLN's form writes ``alpha/pi`` (Hikami, Larkin & Nagaoka,
    Prog. Theor. Phys. 63, 707 (1980); the unitary two-loop slope: Hikami, Phys. Rev. B
    24, 2671 (1981)). So ``alpha = ±1/2 - 1/(4 pi g)``: -0.52 for the symplectic class at
    g = 4, the correction the slopes carry too.

    Leading order in ``1/g``, at one g (use g(phi) at the sample's size). At the next
    order the one-loop term carries ``g(l_B)/g(L) = 1 + ln(L/l_B)/(2 pi^2 g^2) + ...``:
    about +1 % of alpha for the symplectic reference series (g = 3.5, L/l_B = 5 ... 50),
    0.3 % for the orthogonal one.
    """
    if theory.check_class(model) == "unitary":
        return 0.0
    return 0.5 * math.pi * expected_slope(model, g_flux)


@dataclass(frozen=True)
class DeltaSlope(Result):
    """``[<Delta g>(L2) - <Delta g>(L1)] / ln(L2/L1)`` at one (W, phi), paired bootstrap.

    ``L_over_lB`` is ``sqrt(L1 L2)/l_B``; ``predicted`` is :func:`expected_slope`.

    The slope is split exactly into ``flux_slope - zero_slope``: the size slopes of
    ``<g(phi)>`` and of ``<g(0)>`` over the same pairs, each with the standard error of
    two independent ensembles. They show which side misses: ``zero_slope`` tends to the
    class's one-loop slope (``-1/pi`` orthogonal, ``+1/pi`` symplectic) and
    ``flux_slope`` to the unitary ``-1/(2 pi^2 <g(phi)>)`` (``flux_slope_predicted``).

    ``predicted_tail`` is the expectation at these finite ``L/l_B``, plus the two-loop
    term: the change of the one-loop crossover between L1 and L2 over ``ln(L2/L1)``.
    On hard walls on the square lattice it is the finite-size Cooperon
    ``2 alpha [F(L2/l_B) - F(L1/l_B)]`` (:func:`betascale.cooperon.finite_size_crossover`
    at the samples' aspect ratio), a prediction with no fitted length. Elsewhere it is
    the HLN difference ``hln(phi, alpha, phi_*(L2)) - hln(phi, alpha, phi_*(L1))`` with
    the ``phi_*`` of the HLN fits at L1 and L2 (NaN where either is missing or
    undetermined); that is a consistency check, not an independent prediction: at
    ``phi >> phi_*`` the HLN fits fix ``ln phi_*(L)`` from the same ``<Delta g>(L)``, so
    a slope that departs from ``±1/pi`` there shows up as an ``L_phi/L`` that drifts
    with L. :attr:`Magnetoconductance.tail_source` says which.
    """

    flux: float
    W: float
    L1: int
    L2: int
    L_over_lB: float
    slope: float
    error: float
    interval: tuple[float, float]
    predicted: float
    flux_slope: float = math.nan
    flux_slope_error: float = math.nan
    zero_slope: float = math.nan
    zero_slope_error: float = math.nan
    flux_slope_predicted: float = math.nan
    predicted_tail: float = math.nan


#: The asymptotic slope of ``<Delta g>(L)`` uses the sizes ``L >= 13 l_B`` only, with no
#: correction term. Fixed on 2026-12-05 (issue 19) before the independent series
#: ``mc-symplectic-ffl`` was computed, and used for both classes. The reason then given,
#: that the HLN tail shifts the slope there by less than 4 % of ``1/pi``, holds only for
#: ``L_phi >~ 0.45 L`` (the fits give ``L_phi/L`` about 0.3, hence 7 %). The finite-size
#: Cooperon of a square hard-wall sample, the theory of these samples, bounds the shift
#: instead: its slope is ``1.005/pi`` over ``L/l_B`` = 13 ... 16 (``1.008/pi`` over 13
#: ... 26, ``0.996/pi`` over 8 ... 16; ``tests/analysis/test_magnetoconductance.py``).
ASYMPTOTIC_L_OVER_LB = 13.0


@dataclass(frozen=True)
class DeltaFit(Result):
    """The fit ``<Delta g>(L) = d0 + b ln L (+ c/L)`` at one (W, phi).

    ``fit.a`` is the slope ``b``; ``b_theory`` its expected value for ``l_B << L``
    (:func:`expected_slope` at the mean g(phi)); ``lmin`` the smallest size admitted
    (0: every size; the asymptotic fits use ``L >= ASYMPTOTIC_L_OVER_LB l_B``).
    """

    flux: float
    W: float
    fit: LogFit
    b_theory: float
    lmin: int = 0
    _derived = ("b", "sigma_b", "relative_deviation")

    @property
    def b(self) -> float:
        return self.fit.a

    @property
    def sigma_b(self) -> float:
        return self.fit.sigma_a

    @property
    def relative_deviation(self) -> float:
        return self.b / self.b_theory - 1 if self.b_theory else math.nan


def _size_slope(a: np.ndarray, b: np.ndarray, dln: float) -> tuple[float, float]:
    """``(<b> - <a>)/dln`` of two independent ensembles, with its standard error."""
    ea, eb = mean_estimate(a), mean_estimate(b)
    return (eb.mean - ea.mean) / dln, math.hypot(ea.error, eb.error) / dln


#: ``tail(flux, W, L1, L2)``: the change of the one-loop crossover from L1 to L2.
Tail = Callable[[float, float, int, int], float]


def _tail_model(study: Any, model: str, stars: dict, aspects: dict[int, float]) -> tuple[str, Tail]:
    """``(source, tail)``: ``tail(flux, W, L1, L2)`` is the change of the class's one-loop
    crossover ``<Delta g>`` from L1 to L2 (NaN where unknown), from the finite-size
    Cooperon where it applies (:func:`_cooperon_geometry`), else from HLN with the
    ``phi_*`` of the determined HLN fits (``stars[(W, L)]``)."""
    alpha = theory.HLN_ALPHA[model]
    if not _cooperon_geometry(study):
        from betascale.cooperon import finite_size_magnetoconductance as cooperon

        def finite_box(flux: float, W: float, L1: int, L2: int) -> float:
            one, two = (cooperon(flux, L, alpha, aspects[L]) for L in (L1, L2))
            return float(two - one)

        return "Cooperon", finite_box

    def film(flux: float, W: float, L1: int, L2: int) -> float:
        one, two = stars.get((W, L1)), stars.get((W, L2))
        if one is None or two is None:
            return math.nan
        return float(theory.hln(flux, alpha, two) - theory.hln(flux, alpha, one))

    return "HLN", film


def _delta_slopes(
    s: SizeSeries, values: dict, model: str, ci: float, tail: Tail
) -> list[DeltaSlope]:
    """Successive slopes of ``<Delta g>``; ``values[L] = (g(phi), g(0))`` over the pairs,
    ``tail`` the crossover's change between two sizes (:func:`_tail_model`)."""
    out, l_B = [], theory.magnetic_length(s.flux)
    for i in range(s.L.size - 1):
        L1, L2 = int(s.L[i]), int(s.L[i + 1])
        (g1a, g0a), (g1b, g0b) = values[L1], values[L2]
        dln, g = math.log(L2 / L1), 0.5 * (float(np.mean(g1a)) + float(np.mean(g1b)))
        boot = (s.boot[:, i + 1] - s.boot[:, i]) / dln
        slope, err = (s.mean[i + 1] - s.mean[i]) / dln, np.std(boot, ddof=1)
        lb, iv = math.sqrt(L1 * L2) / l_B, quantiles(boot, ci)
        parts = (*_size_slope(g1a, g1b, dln), *_size_slope(g0a, g0b, dln))
        unitary = theory.weak_localization_slope("unitary", g)
        crossover = tail(s.flux, s.W, L1, L2) / dln + unitary
        expected = expected_slope(model, g)
        row = (s.flux, s.W, L1, L2, lb, slope, err, iv, expected, *parts, unitary, crossover)
        out.append(DeltaSlope(*row))
    return out


# ------------------------------------------------------------- whole table
@dataclass(frozen=True)
class Magnetoconductance(Result):
    """Paired magnetoconductance of a flux scan (see the module docstring).

    ``defined`` is False, with a one-line ``reason``, when the table has no flux scan to
    pair. ``model`` is the class at zero flux, ``stat`` the statistic; ``deltas``
    (:class:`PairedDelta` per W, L, phi), ``slopes`` and ``fits`` (of ``<Delta g>(L)``
    per W, phi) and ``hln`` (:class:`HLNFit` per W, L); ``skipped`` gives one-line
    reasons for the fits not made; ``asymptotic`` the fits ``d0 + b ln L`` over
    ``L >= ASYMPTOTIC_L_OVER_LB l_B`` (per W, phi with two such sizes); ``cooperon``
    the finite-size Cooperon fits (:class:`CooperonFit` per W, L; hard walls only);
    ``tail_source`` the theory of the slopes' ``predicted_tail`` (``"Cooperon"`` or
    ``"HLN"``); then the settings.
    """

    defined: bool
    reason: str
    model: str
    stat: str
    deltas: tuple[PairedDelta, ...] = ()
    slopes: tuple[DeltaSlope, ...] = ()
    fits: tuple[DeltaFit, ...] = ()
    hln: tuple[HLNFit, ...] = ()
    skipped: tuple[str, ...] = ()
    asymptotic: tuple[DeltaFit, ...] = ()
    cooperon: tuple[CooperonFit, ...] = ()
    tail_source: str = "HLN"
    corrections: int = 1
    n_boot: int = DEFAULT_BOOT
    seed: int = 0
    ci: float = DEFAULT_CI
    _derived = ("stat_label", "slope_one_loop", "alpha_one_loop")

    @property
    def stat_label(self) -> str:
        return STATS[self.stat]

    @property
    def slope_one_loop(self) -> float:
        """``±1/pi``, the slope of ``<Delta g>`` without the unitary two-loop term."""
        return theory.magnetoconductance_slope(self.model)

    @property
    def alpha_one_loop(self) -> float:
        """``±1/2``, the HLN prefactor without the unitary two-loop term."""
        return theory.HLN_ALPHA[self.model]

    def __str__(self) -> str:
        return format_magnetoconductance(self)


def _pairs(table: SampleTable, stat: str, fluxes: list[float]):
    """Per (W, L, phi): the sample indices and g(phi), g(0) of the pairs."""
    out = {}
    zero = table.at_flux(0.0)
    for W, L in sorted(set(zip(zero.W.tolist(), zero.L.tolist(), strict=True))):
        for f in fluxes:
            ids, g1, g0 = paired_values(table, f, W, L, stat)
            if ids.size >= 2:
                out[(W, L, f)] = (ids, g1, g0)
    return out


def _delta_fits(
    pairs: dict, model: str, corrections: int, n_boot: int, seed: int, ci: float, tail: Tail
):
    """Slopes and fits of ``<Delta g>(L)`` per (W, phi); ``tail`` as :func:`_delta_slopes`."""
    rng = np.random.default_rng(seed)
    by: dict[tuple[float, float], dict[int, tuple[np.ndarray, np.ndarray]]] = {}
    for (W, L, f), (_, g1, g0) in sorted(pairs.items()):
        by.setdefault((f, W), {})[L] = (g1, g0)
    slopes, fits, asymptotic, skipped = [], [], [], []
    for (f, W), rows in sorted(by.items()):
        s = series_of_values(f, W, {L: g1 - g0 for L, (g1, g0) in rows.items()}, n_boot, rng)
        slopes += _delta_slopes(s, rows, model, ci, tail)
        g_flux = float(np.mean([np.mean(g1) for g1, _ in rows.values()]))
        try:
            fit = fit_log_size(s.L, s.mean, s.se, s.boot, corrections, ci)
            fits.append(DeltaFit(f, W, fit, expected_slope(model, g_flux)))
        except InputError as err:
            skipped.append(f"Delta g(L) fit at W={W:g}, flux={f:g} skipped: {err}")
        far = _asymptotic_fit(s, {L: g1 for L, (g1, _) in rows.items()}, model, ci)
        asymptotic += [far] if far is not None else []
    return slopes, fits, asymptotic, skipped


def _asymptotic_fit(s: SizeSeries, g_flux: dict, model: str, ci: float) -> DeltaFit | None:
    """``d0 + b ln L`` over the sizes ``L >= ASYMPTOTIC_L_OVER_LB l_B`` (None if < 2)."""
    lmin = ASYMPTOTIC_L_OVER_LB * theory.magnetic_length(s.flux)
    keep = np.flatnonzero(s.L >= lmin)
    if keep.size < 2:
        return None
    fit = fit_log_size(s.L[keep], s.mean[keep], s.se[keep], s.boot[:, keep], 0, ci)
    g = float(np.mean([np.mean(g_flux[int(L)]) for L in s.L[keep]]))
    return DeltaFit(s.flux, s.W, fit, expected_slope(model, g), int(s.L[keep[0]]))


def _paired_columns(pairs: dict, W: float, L: int, fluxes: list[float]) -> np.ndarray:
    """``Delta g`` of the samples paired at every one of ``fluxes``: (pairs, fluxes)."""
    common = pairs[(W, L, fluxes[0])][0]
    for f in fluxes[1:]:
        common = np.intersect1d(common, pairs[(W, L, f)][0])
    cols = []
    for f in fluxes:
        ids, g1, g0 = pairs[(W, L, f)]
        keep = np.isin(ids, common)
        cols.append(g1[keep] - g0[keep])
    return np.column_stack(cols)


def _mean_g_flux(pairs: dict, W: float, L: int, fluxes: list[float]) -> float:
    """The mean over ``fluxes`` of ``<g(phi)>`` at (W, L), for the expected alpha."""
    return float(np.mean([np.mean(pairs[(W, L, f)][1]) for f in fluxes]))


def _fluxes_of(pairs: dict, W: float, L: int, max_flux: float | None) -> list[float]:
    """The non-zero fluxes paired at (W, L), up to ``max_flux``."""
    fl = [f for w, x, f in sorted(pairs) if (w, x) == (W, L)]
    return [f for f in fl if max_flux is None or abs(f) <= max_flux]


def _too_few_fluxes(pairs: dict, W: float, L: int, max_flux: float | None, need: int) -> str:
    """Why (W, L) has fewer than ``need`` usable fluxes, naming the diffusive limit if it
    is what removed them."""
    kept = len(_fluxes_of(pairs, W, L, max_flux))
    every = len(_fluxes_of(pairs, W, L, None))
    text = f"{kept} flux value(s), need {need}"
    if every > kept:
        text += (
            f" ({every - kept} of {every} lie above the diffusive limit |flux| <= "
            f"{max_flux:.3g}, hln_max_flux)"
        )
    return text


def _hln_fits(pairs: dict, model: str, max_flux: float | None, n_boot: int, seed: int, ci: float):
    """HLN fits per (W, L) over the samples paired at every flux."""
    fits, skipped = [], []
    for W, L in sorted({(w, x) for w, x, _ in pairs}):
        fl = _fluxes_of(pairs, W, L, max_flux)
        if len(fl) < 2:
            why = _too_few_fluxes(pairs, W, L, max_flux, 2)
            skipped.append(f"HLN fit at W={W:g}, L={L} skipped: {why}")
            continue
        try:
            D = _paired_columns(pairs, W, L, fl)
            g_flux = _mean_g_flux(pairs, W, L, fl)
            fits.append(fit_hln(fl, D, model, n_boot, seed, ci, W, L, g_flux))
        except InputError as err:
            skipped.append(f"HLN fit at W={W:g}, L={L} skipped: {err}")
    return fits, skipped


def _cooperon_geometry(study: Any) -> str:
    """Why the finite-size Cooperon theory does not apply to ``study``'s samples ("" if
    it does: hard walls on the square lattice)."""
    if study is None:
        return "implemented for hard walls (boundary condition unknown)"
    if study.model.bc != "hardwall":
        return f"implemented for hard walls (bc = {study.model.bc!r})"
    if not study.model.family.on_square_lattice():
        return f"implemented for the square lattice (not {study.model.family.name})"
    return ""


def _cooperon_fits(
    pairs: dict, model: str, max_flux: float | None, n_boot: int, seed: int, ci: float,
    aspects: dict[int, float], study: Any,
):  # fmt: skip
    """Finite-size Cooperon fits per (W, L) over the samples paired at every flux."""
    why = _cooperon_geometry(study)
    if why:
        return [], [f"finite-size Cooperon fits skipped: {why}"]
    fits, skipped = [], []
    for W, L in sorted({(w, x) for w, x, _ in pairs}):
        fl = _fluxes_of(pairs, W, L, max_flux)
        if not fl:
            why = _too_few_fluxes(pairs, W, L, max_flux, 1)
            skipped.append(f"finite-size Cooperon fit at W={W:g}, L={L} skipped: {why}")
            continue
        try:
            D = _paired_columns(pairs, W, L, fl)
            g_flux = _mean_g_flux(pairs, W, L, fl)
            fits.append(fit_cooperon(fl, D, L, model, n_boot, seed, ci, W, aspects[L], g_flux))
        except InputError as err:
            skipped.append(f"finite-size Cooperon fit at W={W:g}, L={L} skipped: {err}")
    return fits, skipped


def magnetoconductance(
    table: SampleTable,
    model_class: str,
    stat: str = DEFAULT_STAT,
    corrections: int = 1,
    hln_max_flux: float | None = None,
    n_boot: int = DEFAULT_BOOT,
    seed: int = 0,
    ci: float = DEFAULT_CI,
) -> Magnetoconductance:
    """Paired ``Delta g = g(phi) - g(0)``, its size dependence and the HLN fits.

    Parameters
    ----------
    table
        Samples at ``phi = 0`` and at one or more non-zero fluxes, with the same
        (W, L, M, sample index) keys (a paired design).
    model_class
        Class of the zero-flux samples (``"orthogonal"`` or ``"symplectic"``; for
        ``"unitary"`` nothing is expected).
    stat
        ``"mean_g"`` (contact-corrected g per sample, default) or ``"mean_T"``.
    corrections
        Correction terms of the ``<Delta g>(L)`` fit (0: ``d0 + b ln L``; 1: ``+ c/L``).
    hln_max_flux
        Only fluxes ``|phi| <= hln_max_flux`` enter the HLN fits (the diffusive regime
        is ``l_B >> ell``, i.e. ``phi << 1/(2 pi ell^2)``; HLN's own bound is
        ``B << B_tr``, ``phi << 1/(4 pi ell^2)``); default all.
    n_boot, seed, ci
        Paired bootstrap (pairs resampled jointly) and interval level.

    Returns
    -------
    Magnetoconductance
        ``defined=False`` with a reason if there is no zero-flux reference, no non-zero
        flux, or no pair.
    """
    check_options(model_class, stat, corrections, n_boot)
    settings: dict[str, Any] = dict(
        corrections=corrections, n_boot=int(n_boot), seed=int(seed), ci=float(ci)
    )

    def undefined(reason: str) -> Magnetoconductance:
        return Magnetoconductance(False, reason, model_class, stat, **settings)

    fluxes = sorted(split_by_flux(table)) if len(table) else []
    if 0.0 not in fluxes or len(fluxes) < 2:
        have = ", ".join(f"{f:g}" for f in fluxes) or "none"
        return undefined(f"no flux scan: needs flux 0 and a non-zero flux (fluxes: {have})")
    try:
        pairs = _pairs(table, stat, [f for f in fluxes if f != 0])
    except InputError as err:
        return undefined(str(err))
    if not pairs:
        return undefined("no (W, L, sample) is present both at flux 0 and at a non-zero flux")
    deltas = [paired_delta(g1, g0, W, L, f) for (W, L, f), (_, g1, g0) in sorted(pairs.items())]
    hln, why_hln = _hln_fits(pairs, model_class, hln_max_flux, int(n_boot), seed, ci)
    stars = {(h.W, h.L): h.flux_star for h in hln if h.determined}
    aspects = {int(L): float(M) / float(L) for L, M in zip(table.L, table.M, strict=True)}
    source, tail = _tail_model(table.study, model_class, stars, aspects)
    slopes, fits, far, why = _delta_fits(
        pairs, model_class, corrections, int(n_boot), seed, ci, tail
    )
    coop, why_coop = _cooperon_fits(
        pairs, model_class, hln_max_flux, int(n_boot), seed, ci, aspects, table.study
    )
    parts = (tuple(deltas), tuple(slopes), tuple(fits), tuple(hln))
    return Magnetoconductance(
        True, "", model_class, stat, *parts, tuple(why + why_hln + why_coop),
        asymptotic=tuple(far), cooperon=tuple(coop), tail_source=source, **settings,
    )  # fmt: skip


# ------------------------------------------------------------------ report
_TAIL_WORDS = {
    "Cooperon": "from the finite-size Cooperon of the sample (no fitted length)",
    "HLN": "from HLN with the HLN fits' phi_*",
}


def _g(x: float, fmt: str = ".3g") -> str:
    return format(x, fmt) if math.isfinite(x) else "-"


def _fit_line(label: str, f: DeltaFit) -> str:
    return (
        f"  {label} W={f.W:g}, phi={f.flux:.4g}, L={f.fit.L[0]}-{f.fit.L[-1]} ({f.fit.form}): "
        f"b = {format_pm(f.b, f.sigma_b)}, expected {f.b_theory:+.4f} "
        f"({_g(100 * f.relative_deviation, '+.0f')} %), "
        f"chi2/dof = {f.fit.chi2:.1f}/{f.fit.dof}"
    )


def format_magnetoconductance(mc: Magnetoconductance) -> str:
    """Plain-text tables of a :class:`Magnetoconductance`."""
    from betascale.text import table as _table

    head = f"magnetoconductance Delta g = g(phi) - g(0), paired, {STATS[mc.stat]}"
    if not mc.defined:
        return f"{head}: not applicable ({mc.reason})"
    lines = [f"{head}; {mc.model} class at phi = 0", ""]
    cols: tuple[str, ...]
    cols = ("W", "L", "phi", "L/l_B", "pairs", "<Delta g>", "unpaired err", "gain", "corr")
    rows: list[tuple[str, ...]] = [
        (
            *(f"{d.W:g}", str(d.L), f"{d.flux:.4g}", f"{d.L / d.l_B:.3g}", str(d.n_pairs)),
            *(str(d.delta), f"{d.unpaired_error:.2g}", f"{d.gain:.2g}", f"{d.correlation:.2f}"),
        )
        for d in mc.deltas
    ]
    lines += _table(cols, rows)
    b = mc.slope_one_loop
    lines += [
        "",
        f"slope d<Delta g>/d ln L (l_B << L: {b:+.4f} - 1/(2 pi^2 <g(phi)>))"
        f" = slope of <g(phi)> (-> -1/(2 pi^2 <g(phi)>)) - slope of <g(0)> (-> {-b:+.4f});"
        f" {mc.tail_source} tail: expected at these L/l_B {_TAIL_WORDS[mc.tail_source]}",
    ]
    cols = ("W", "phi", "L1", "L2", "L/l_B", "slope", "expected", f"{mc.tail_source} tail")
    cols += ("g(phi)", "2-loop", "g(0)")
    rows = [
        (
            *(f"{s.W:g}", f"{s.flux:.4g}", str(s.L1), str(s.L2), f"{s.L_over_lB:.3g}"),
            format_pm(s.slope, s.error),
            f"{s.predicted:+.4f}",
            _g(s.predicted_tail, "+.4f"),
            format_pm(s.flux_slope, s.flux_slope_error),
            f"{s.flux_slope_predicted:+.4f}",
            format_pm(s.zero_slope, s.zero_slope_error),
        )
        for s in mc.slopes
    ]
    lines += _table(cols, rows)
    lines += [_fit_line("fit", f) for f in mc.fits]
    far = f"asymptotic (L >= {ASYMPTOTIC_L_OVER_LB:g} l_B)"
    lines += [_fit_line(far, f) for f in mc.asymptotic]
    lines += ["", f"HLN fit of <Delta g>(phi) ({_expected_alpha_words(mc)})"]
    cols = ("W", "L", "fluxes", "alpha", *_ALPHA_COLUMNS, "phi_*", "L_phi/L", "chi2/dof", "p")
    rows = [
        (
            *(f"{h.W:g}", str(h.L), str(len(h.fluxes)), format_pm(h.alpha, h.alpha_error)),
            *_alpha_cells(h),
            f"{h.flux_star:.3g}",
            f"{h.L_phi / h.L:.2f}" + ("" if h.determined else " (edge)"),
            *(f"{h.chi2:.1f}/{h.dof}", _g(h.p_value, ".2g")),
        )
        for h in mc.hln
    ]
    lines += _table(cols, rows) if rows else ["  (none)"]
    lines += _cooperon_lines(mc)
    return "\n".join(lines + [f"  {s}" for s in mc.skipped])


_ALPHA_COLUMNS = ("<g(phi)>", "expected", "dev", "1-loop dev")


def _expected_alpha_words(mc: Magnetoconductance) -> str:
    a = mc.alpha_one_loop
    if a == 0:
        return "no alpha expected: no Cooperon for the field to remove"
    return f"expected alpha = {a:+.2f} - 1/(4 pi <g(phi)>); one loop {a:+.2f}"


def _alpha_cells(fit: PrefactorFit) -> tuple[str, ...]:
    """The columns :data:`_ALPHA_COLUMNS` of one prefactor fit."""
    return (
        _g(fit.g_flux, ".3g"),
        f"{fit.alpha_theory:+.3f}",
        f"{_g(100 * fit.relative_deviation, '+.0f')}%",
        f"{_g(100 * fit.relative_deviation_one_loop, '+.0f')}%",
    )


def _cooperon_lines(mc: Magnetoconductance) -> list[str]:
    """The table of the finite-size Cooperon fits (none: no lines)."""
    from betascale.text import table as _table

    if not mc.cooperon:
        return []
    lines = [
        "",
        "finite-size Cooperon fit of <Delta g>(phi) = 2 alpha F(L/l_B), no fitted length "
        f"({_expected_alpha_words(mc)})",
    ]
    cols = ("W", "L", "fluxes", "L/l_B", "alpha", *_ALPHA_COLUMNS, "chi2/dof", "p")
    rows = [
        (
            *(f"{c.W:g}", str(c.L), str(len(c.fluxes))),
            f"{c.L * math.sqrt(2 * math.pi * min(c.fluxes)):.3g}-"
            f"{c.L * math.sqrt(2 * math.pi * max(c.fluxes)):.3g}",
            format_pm(c.alpha, c.alpha_error),
            *_alpha_cells(c),
            *(f"{c.chi2:.1f}/{c.dof}", _g(c.p_value, ".2g")),
        )
        for c in mc.cooperon
    ]
    return lines + _table(cols, rows)

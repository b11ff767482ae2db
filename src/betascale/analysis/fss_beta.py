"""β(g) across a transition: from the fitted scaling function and from the data.

From a fit Γ = F(u1(w) L^{1/ν}, ...) (:func:`betascale.analysis.fss.fss_fit`), the
relevant part ``Γ = F0(φ1) = F(φ1, 0)`` with ``φ1 = u1(w) L^{1/ν}`` gives, at fixed w,
``dΓ/d ln L = φ1 F0'(φ1)/ν``, so that parametrically in φ1

.. math:: \\Gamma = F_0(\\phi_1), \\qquad
          \\beta = \\frac{d\\ln\\Gamma}{d\\ln L} = \\frac{\\phi_1 F_0'(\\phi_1)}{\\nu F_0(\\phi_1)}

(Slevin & Ohtsuki, Phys. Rev. Lett. 82, 382 (1999); the β function of the SU(2)
model from the scaling function: Asada, Slevin & Ohtsuki, Phys. Rev. B 70, 035115
(2004)). For ``mean_lng`` (Γ = ⟨ln g⟩, and any statistic declared the logarithm of
another, :attr:`~betascale.analysis.statistics.Statistic.log_of`) the curve is
``β = dΓ/d ln L`` against ``g = exp Γ``, the β of the typical conductance. β vanishes
at Γ_c = F0(0) with slope ``dβ/d ln g = 1/ν`` there, is positive on the metallic side
and negative in the insulator. The curve is drawn over the φ1 range of the fitted points, with a
bootstrap band from the refits.

From the data, β comes from finite differences between successive sizes
(:func:`betascale.analysis.beta_points`) on the W and L of the fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from betascale.analysis import statistics
from betascale.analysis.beta import DEFAULT_CI, BetaSet, beta_points
from betascale.analysis.fss import FSSFit
from betascale.analysis.fss_crossings import DEFAULT_FSS_BOOT
from betascale.analysis.fss_data import FSS_STATS, select_samples, subset_table
from betascale.errors import InputError
from betascale.serialization import json_float, jsonable
from betascale.store import SampleTable


@dataclass(frozen=True)
class FSSBeta:
    """β(g) near a transition, from a scaling fit and (optionally) from the data.

    Attributes
    ----------
    stat
        The statistic Γ of the fit.
    g, beta
        The curve from the fit: conductance (Γ, or ``exp Γ`` for ``mean_lng``) and β.
    band
        ``(lo, hi)`` bootstrap percentile band of β at :attr:`g` (None without
        bootstrap); NaN where too few refits reach that g.
    g_c, nu
        The fixed point (Γ_c, or ``exp Γ_c``) and the exponent of the fit.
    points
        The finite-difference β points of the data (:class:`BetaSet`), or None.
    points_stat
        Their statistic (the declared ``log_of``, ``typical`` for ``mean_lng``: same β,
        same g).
    """

    stat: str
    g: np.ndarray = field(repr=False, compare=False)
    beta: np.ndarray = field(repr=False, compare=False)
    band: tuple[np.ndarray, np.ndarray] | None = field(repr=False, compare=False)
    g_c: float = math.nan
    nu: float = math.nan
    points: BetaSet | None = field(default=None, repr=False, compare=False)
    points_stat: str = ""

    @property
    def slope(self) -> float:
        """``dβ/d ln g`` of the curve at g_c (1/ν for the relevant part)."""
        return 1.0 / self.nu

    def to_dict(self) -> dict:
        """A JSON-safe dict."""
        return jsonable(
            {
                "stat": self.stat,
                "g_c": json_float(self.g_c),
                "nu": json_float(self.nu),
                "curve": {"g": self.g.tolist(), "beta": self.beta.tolist()},
                "band": None if self.band is None else {"lo": self.band[0], "hi": self.band[1]},
                "points_stat": self.points_stat,
                "points": None if self.points is None else list(self.points.points),
            }
        )

    def __str__(self) -> str:
        sign = np.sign(self.beta)
        lines = [
            f"beta(g) of {FSS_STATS[self.stat]} from the scaling fit: "
            f"g = {self.g.min():.3g}..{self.g.max():.3g}, zero at g_c = {self.g_c:.4g}, "
            f"slope d beta/d ln g = 1/nu = {self.slope:.3f} there",
            f"  beta > 0 for g > g_c: {bool(np.all(sign[self.g > self.g_c] >= 0))}; "
            f"beta < 0 for g < g_c: {bool(np.all(sign[self.g < self.g_c] <= 0))}",
        ]
        if self.points is not None:
            lines.append(
                f"  {len(self.points.points)} finite-difference points of "
                f"{FSS_STATS[self.points_stat]}"
            )
        return "\n".join(lines)


def _curve(fit: FSSFit, params: np.ndarray, phi1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(g, beta)`` of the relevant part of the fit with ``params`` at φ1."""
    model = fit.model
    F0 = model.F(params, phi1)
    dF0 = model.dF(params, phi1)[0]
    nu = model.split(params)[1]
    dGamma = phi1 * dF0 / nu
    if statistics.get(fit.stat).log_of is not None:
        return np.exp(F0), dGamma
    with np.errstate(divide="ignore", invalid="ignore"):
        return F0, dGamma / F0


def _phi_range(fit: FSSFit, params: np.ndarray) -> tuple[float, float]:
    phi = fit.model.arguments(params, fit.data.W, fit.data.L).phi1
    return float(phi.min()), float(phi.max())


def _band(fit: FSSFit, g: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Percentile band of β at ``g`` over the bootstrap refits (monotone curves only)."""
    boot = fit.boot[np.all(np.isfinite(fit.boot), axis=1)] if fit.boot is not None else None
    if boot is None or boot.shape[0] < 10:
        return None
    rows: list[np.ndarray] = []
    for p in boot:
        gb, bb = _curve(fit, p, np.linspace(*_phi_range(fit, p), n))
        order = np.argsort(gb)
        if not np.all(np.diff(gb[order]) > 0):
            continue
        rows.append(np.interp(g, gb[order], bb[order], left=np.nan, right=np.nan))
    if len(rows) < 10:
        return None
    curves = np.array(rows)
    q = [(1 - fit.ci) / 2, (1 + fit.ci) / 2]
    enough = np.sum(np.isfinite(curves), axis=0) >= max(10, curves.shape[0] // 2)
    lo, hi = np.nanquantile(np.where(enough, curves, 0.0), q, axis=0)
    return np.where(enough, lo, np.nan), np.where(enough, hi, np.nan)


def fss_beta(
    fit: FSSFit,
    table: SampleTable | None = None,
    n: int = 200,
    n_boot: int = DEFAULT_FSS_BOOT,
    seed: int = 0,
    ci: float = DEFAULT_CI,
) -> FSSBeta:
    """β(g) from the fitted scaling function, and from the data's finite differences.

    Parameters
    ----------
    fit
        A finite-size-scaling fit.
    table
        The samples the fit was made from; if given, the finite-difference β points
        (:func:`~betascale.analysis.beta_points`) of the W in the fit's range that have
        every size of the fit are added.
    n
        Points of the curve.
    n_boot, seed, ci
        Bootstrap of the finite-difference points.

    Returns
    -------
    FSSBeta
        The curve (module docstring), its bootstrap band and the points.
    """
    if int(n) != n or n < 10:
        raise InputError(f"n must be an integer >= 10, got {n}")
    phi = np.linspace(*_phi_range(fit, fit.params), int(n))
    g, beta = _curve(fit, fit.params, phi)
    order = np.argsort(g)
    g, beta = g[order], beta[order]
    gc = fit.gamma_c.value
    log_of = statistics.get(fit.stat).log_of
    points, pstat = None, ""
    if table is not None:
        pstat = log_of or fit.stat
        points = _points(fit, table, pstat, n_boot, seed, ci)
    return FSSBeta(
        stat=fit.stat,
        g=g,
        beta=beta,
        band=_band(fit, g, int(n)),
        g_c=math.exp(gc) if log_of is not None else gc,
        nu=fit.nu.value,
        points=points,
        points_stat=pstat,
    )


def _points(fit: FSSFit, table: SampleTable, stat: str, n_boot: int, seed: int, ci: float):
    """Finite-difference β points on the complete W rows of the fit's grid."""
    table = select_samples(table, fit.W_range, fit.lmin)
    table = subset_table(table, np.isin(np.asarray(table.L), fit.sizes))
    W, L = np.asarray(table.W, dtype=float), np.asarray(table.L)
    Ws = [w for w in np.unique(W) if set(np.unique(L[W == w])) >= set(fit.sizes)]
    if not Ws:
        return None
    table = subset_table(table, np.isin(W, Ws))
    return beta_points(table, stat=stat, n_boot=n_boot, seed=seed, ci=ci, W=Ws, L=fit.sizes)

"""Finite-size-scaling fit of an ensemble statistic Γ(W, L): W_c, ν, y and Γ_c.

The method of Slevin & Ohtsuki (Phys. Rev. Lett. 82, 382 (1999); New J. Phys. 16,
015012 (2014)): Γ = F(u1(w) L^{1/ν}, u0(w) L^{-y}) with polynomial expansions
(:mod:`~betascale.analysis.fss_model`), fitted by weighted nonlinear least squares
(``scipy.optimize.least_squares``; weights the standard errors of Γ,
:mod:`~betascale.analysis.fss_data`). χ² and its p-value judge the fit. Errors come
from a bootstrap over disorder samples: every (W, L) ensemble is resampled with
replacement, Γ recomputed and the model refitted from the best fit; the errors from
the fit's covariance ``(Jᵀ J)⁻¹`` are reported beside them. A table of fits over
several expansion orders (:func:`fss_order_table`) shows their stability.

Starting values: W_c from the crossing of the curves of the two largest sizes
(:mod:`~betascale.analysis.fss_crossings`), then a scan over W_c, ν (and y), each
point with F's coefficients from linear least squares (F is linear in them).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from betascale.analysis.beta import DEFAULT_CI
from betascale.analysis.ensembles import format_pm
from betascale.analysis.fss_crossings import (
    DEFAULT_FSS_BOOT,
    curves_cross,
    find_crossing,
    pair_curves,
)
from betascale.analysis.fss_data import DEFAULT_FSS_STAT, FSS_STATS, FSSData, fss_data
from betascale.analysis.fss_model import ScalingModel, check_orders
from betascale.analysis.gls import chi2_sf
from betascale.analysis.results import quantiles
from betascale.errors import InputError
from betascale.serialization import json_float
from betascale.store import SampleTable

#: Default orders (nr, mr, ni, mi): cubic F, linear u1, no irrelevant term.
DEFAULT_ORDERS = (3, 1, 0, 0)
#: Orders of the default stability table (:func:`fss_order_table`).
ORDER_TABLE = (
    (2, 1, 0, 0),
    (3, 1, 0, 0),
    (3, 2, 0, 0),
    (4, 1, 0, 0),
    (4, 2, 0, 0),
    (2, 1, 1, 0),
    (3, 1, 1, 0),
    (3, 2, 1, 0),
)
#: Bounds of ν: the Harris–CCFS inequality ν >= 2/d = 1 in 2D (Chayes, Chayes, Fisher &
#: Spencer, Phys. Rev. Lett. 57, 2999 (1986)); below it the relevant and the mixed
#: term ``φ1 φ0 ∝ w L^{1/ν - y}`` of F can swap roles, a spurious minimum.
_NU_BOUNDS = (1.0, 10.0)
_Y_BOUNDS = (0.05, 10.0)


# ------------------------------------------------------------------ results
@dataclass(frozen=True)
class FSSParameter:
    """One fitted parameter with its errors.

    Attributes
    ----------
    name, value
        Name and best-fit value.
    error, interval
        Bootstrap standard deviation and percentile interval (NaN without bootstrap).
    error_cov
        Standard error from the covariance ``(Jᵀ J)⁻¹`` of the weighted fit.
    """

    name: str
    value: float
    error: float = math.nan
    error_cov: float = math.nan
    interval: tuple[float, float] = (math.nan, math.nan)

    @property
    def best_error(self) -> float:
        """The bootstrap error, or the covariance error without bootstrap."""
        return self.error if math.isfinite(self.error) else self.error_cov

    def __str__(self) -> str:
        if not math.isfinite(self.value):
            return "-"
        return format_pm(self.value, self.best_error)

    def to_dict(self) -> dict:
        """A JSON-safe dict."""
        return {
            "name": self.name,
            "value": json_float(self.value),
            "error": json_float(self.error),
            "error_cov": json_float(self.error_cov),
            "interval": [json_float(v) for v in self.interval],
        }


@dataclass(frozen=True)
class FSSFit:
    """A Slevin–Ohtsuki fit of Γ(W, L).

    Attributes
    ----------
    stat, orders
        The statistic Γ and the orders ``(nr, mr, ni, mi)``.
    W_c, nu, y, gamma_c
        The critical disorder, the exponent, the irrelevant exponent (NaN without an
        irrelevant term) and ``Γ_c = F(0, 0)``, each an :class:`FSSParameter`.
    names, params, cov
        All parameter names, best-fit values and their covariance ``(Jᵀ J)⁻¹``.
    chi2, dof, p_value
        Goodness of fit (``p = P(χ²_dof > χ²)``).
    n_points, sizes, W_range, lmin
        The points fitted, their sizes, their W range and the size cut.
    n_boot, n_boot_failed, seed, ci
        Bootstrap replicates, refits that failed (left out), seed and interval level.
    notes
        Warnings, e.g. a parameter at its bound.
    boot
        Bootstrap parameter vectors, shape ``(n_boot, n_params)`` (NaN rows failed).
    data
        The points (:class:`~betascale.analysis.fss_data.FSSData`).
    """

    stat: str
    orders: tuple[int, int, int, int]
    W_c: FSSParameter
    nu: FSSParameter
    y: FSSParameter
    gamma_c: FSSParameter
    names: tuple[str, ...]
    params: np.ndarray = field(repr=False, compare=False)
    cov: np.ndarray = field(repr=False, compare=False)
    chi2: float = math.nan
    dof: int = 0
    p_value: float = math.nan
    n_points: int = 0
    sizes: tuple[int, ...] = ()
    W_range: tuple[float, float] = (math.nan, math.nan)
    lmin: int = 0
    n_boot: int = 0
    n_boot_failed: int = 0
    seed: int = 0
    ci: float = DEFAULT_CI
    notes: tuple[str, ...] = ()
    boot: np.ndarray = field(kw_only=True, repr=False, compare=False)
    data: FSSData = field(kw_only=True, repr=False, compare=False)

    @property
    def model(self) -> ScalingModel:
        """The scaling form at these orders."""
        return ScalingModel(self.orders)

    @property
    def chi2_dof(self) -> float:
        """χ²/dof (NaN for dof = 0)."""
        return self.chi2 / self.dof if self.dof > 0 else math.nan

    def __call__(self, W, L) -> np.ndarray:
        """The fitted Γ at (W, L), irrelevant corrections included."""
        return self.model(self.params, W, L)

    def scaling_variable(self, W, L) -> np.ndarray:
        """``x = W_c u1(w) L^{1/ν}``, which is ``(W - W_c) L^{1/ν}`` for ``mr = 1``."""
        return self.W_c.value * self.model.arguments(self.params, W, L).phi1

    def scaling_function(self, x) -> np.ndarray:
        """The relevant part ``F(x/W_c, 0)`` of the fit, Γ of infinite L at given x."""
        return self.model.F(self.params, np.asarray(x, dtype=float) / self.W_c.value)

    def corrected(self, W, L, gamma) -> np.ndarray:
        """``gamma`` minus the fitted irrelevant correction ``F(φ1, φ0) - F(φ1, 0)``."""
        s = self.model.arguments(self.params, W, L)
        irr = self.model.F(self.params, s.phi1, s.phi0) - self.model.F(self.params, s.phi1)
        return np.asarray(gamma, dtype=float) - irr

    def param(self, name: str) -> float:
        """The best-fit value of the parameter ``name`` (see :attr:`names`)."""
        if name not in self.names:
            raise InputError(f"no parameter {name!r}; the fit has {', '.join(self.names)}")
        return float(self.params[self.names.index(name)])

    def to_dict(self) -> dict:
        """A JSON-safe dict (without the bootstrap replicates and the data)."""
        return {
            "stat": self.stat,
            "stat_label": FSS_STATS[self.stat],
            "orders": list(self.orders),
            **{k: getattr(self, k).to_dict() for k in ("W_c", "nu", "y", "gamma_c")},
            "params": {n: json_float(v) for n, v in zip(self.names, self.params, strict=True)},
            "errors_cov": {
                n: json_float(math.sqrt(max(self.cov[i, i], 0.0))) for i, n in enumerate(self.names)
            },
            "chi2": json_float(self.chi2),
            "dof": self.dof,
            "p_value": json_float(self.p_value),
            "n_points": self.n_points,
            "sizes": list(self.sizes),
            "W_range": [json_float(v) for v in self.W_range],
            "lmin": self.lmin,
            "n_boot": self.n_boot,
            "n_boot_failed": self.n_boot_failed,
            "seed": self.seed,
            "ci": self.ci,
            "notes": list(self.notes),
        }

    def __str__(self) -> str:
        nr, mr, ni, mi = self.orders
        lo, hi = (round(100 * (1 - self.ci) / 2), round(100 * (1 + self.ci) / 2))
        lines = [
            f"finite-size-scaling fit of {FSS_STATS[self.stat]} (Slevin & Ohtsuki)",
            f"orders nr={nr}, mr={mr}, ni={ni}, mi={mi}: {len(self.names)} parameters, "
            f"{self.n_points} points (W = {self.W_range[0]:g}..{self.W_range[1]:g}, "
            f"L = {', '.join(map(str, self.sizes))})",
        ]
        for label, par in (("W_c", self.W_c), ("nu", self.nu), ("y", self.y)):
            lines.append(_param_line(label, par, lo, hi))
        lines.append(_param_line("Gamma_c", self.gamma_c, lo, hi))
        chi = f"{self.chi2_dof:.3f}" if self.dof > 0 else "undefined"
        lines.append(f"chi2/dof = {self.chi2:.2f}/{self.dof} = {chi}, p = {self.p_value:.3g}")
        if self.n_boot:
            lines.append(
                f"errors: bootstrap over disorder samples, B = {self.n_boot} "
                f"({self.n_boot_failed} refits failed), seed {self.seed}; "
                "(cov) from the fit's covariance"
            )
        else:
            lines.append("errors: from the fit's covariance (no bootstrap)")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def _param_line(label: str, par: FSSParameter, lo: int, hi: int) -> str:
    if not math.isfinite(par.value):
        return f"  {label:<8} -  (no irrelevant term)"
    cov = format_pm(par.value, par.error_cov)
    if not math.isfinite(par.error):
        return f"  {label:<8} {cov}"
    a, b = par.interval
    return f"  {label:<8} {par}   (cov: {cov}; {lo}-{hi} %: [{a:.4g}, {b:.4g}])"


# --------------------------------------------------------------- fitting
def _bounds(model: ScalingModel, data: FSSData) -> tuple[np.ndarray, np.ndarray]:
    lo = np.full(model.n_params, -np.inf)
    hi = np.full(model.n_params, np.inf)
    Wmin, Wmax = float(data.W.min()), float(data.W.max())
    span = Wmax - Wmin
    lo[0], hi[0] = max(Wmin - span / 4, 1e-9), Wmax + span / 4
    lo[1], hi[1] = _NU_BOUNDS
    if model.orders[2]:
        k = 1 + model.orders[1]
        lo[k], hi[k] = _Y_BOUNDS
    return lo, hi


def _solve(model: ScalingModel, data: FSSData, gamma: np.ndarray, p0: np.ndarray, bounds, nfev=200):
    """One weighted least-squares fit of ``gamma`` (at most ``nfev`` evaluations per parameter)."""
    from scipy.optimize import least_squares

    W, L, s = data.W, data.L, data.sigma
    p0 = np.clip(p0, bounds[0], bounds[1])
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return least_squares(
            lambda p: (model(p, W, L) - gamma) / s,
            p0,
            jac=lambda p: model.jacobian(p, W, L) / s[:, None],
            bounds=bounds,
            method="trf",
            x_scale="jac",
            max_nfev=nfev * model.n_params,
        )


def _linear_start(model: ScalingModel, data: FSSData, nonlinear: np.ndarray):
    """F's coefficients by linear least squares at fixed nonlinear parameters; (p, χ²)."""
    p = np.concatenate([nonlinear, np.zeros(model.n_params - nonlinear.size)])
    s = model.arguments(p, data.W, data.L)
    X = model.monomials(s.phi1, s.phi0) / data.sigma[:, None]
    f, *_ = np.linalg.lstsq(X, data.gamma / data.sigma, rcond=None)
    r = X @ f - data.gamma / data.sigma
    return np.concatenate([nonlinear, f]), float(r @ r)


def _starts(model: ScalingModel, data: FSSData, n_best: int = 3) -> list[np.ndarray]:
    """Starting vectors: a scan over W_c, ν (and y) with linear F coefficients."""
    Wc0 = start_W_c(data)
    span = float(data.W.max() - data.W.min())
    _, mr, ni, mi = model.orders
    found = []
    for Wc in Wc0 + span * np.array([-0.1, -0.05, 0.0, 0.05, 0.1]):
        for nu in np.geomspace(_NU_BOUNDS[0], 8.0, 24):
            for y in (0.5, 1.0, 2.0, 3.0) if ni else (None,):
                nl = [Wc, nu, *np.zeros(mr - 1)]
                if ni:
                    nl += [y, *np.zeros(mi)]
                found.append(_linear_start(model, data, np.array(nl)))
    found.sort(key=lambda t: t[1])
    return [p for p, _ in found[:n_best]]


def start_W_c(data: FSSData) -> float:
    """The crossing of the two largest sizes (else of the smallest and largest)."""
    sizes = data.sizes
    for a, b in ((sizes[-2], sizes[-1]), (sizes[0], sizes[-1])):
        W, g1, g2, s1, s2 = pair_curves(data, a, b)
        if W.size >= 2:
            Wx = find_crossing(W, g2 - g1, np.hypot(s1, s2))
            if math.isfinite(Wx):
                return Wx
    return float(np.mean(data.W))


def _check_fittable(model: ScalingModel, data: FSSData) -> None:
    sizes = data.sizes
    if len(sizes) < 2:
        raise InputError(f"finite-size scaling needs at least two sizes L, got only L = {sizes}")
    if len(data) < model.n_params:
        raise InputError(
            f"{len(data)} points for {model.n_params} parameters at orders {model.orders}; "
            "lower the orders or add data"
        )
    a, b = sizes[0], sizes[-1]
    if not curves_cross(data, a, b):
        W, g1, g2, _, _ = pair_curves(data, a, b)
        if W.size < 2:
            raise InputError(
                f"the sizes L = {a} and L = {b} share fewer than two W: cannot tell whether "
                "their curves cross (no transition to fit)"
            )
        side = "above" if np.all(g2 > g1) else "below"
        raise InputError(
            f"the {data.stat} curves of L = {a} and L = {b} do not cross in "
            f"W = {W.min():g}..{W.max():g} (L = {b} stays {side}): no transition in the "
            "data to fit (widen W_range)"
        )


def _notes(model: ScalingModel, best, bounds, n_failed: int, n_boot: int) -> tuple:
    p = best.x
    notes = [] if best.status > 0 else [f"the fit did not converge ({best.message})"]
    for k, name in enumerate(model.names[: model.n_nonlinear]):
        if np.isfinite(bounds[0][k]) and (
            np.isclose(p[k], bounds[0][k], rtol=1e-6) or np.isclose(p[k], bounds[1][k], rtol=1e-6)
        ):
            notes.append(f"{name} = {p[k]:.4g} is at its bound: the fit is not reliable")
    if model.orders[2]:
        y = p[1 + model.orders[1]]
        if 5 < y < _Y_BOUNDS[1] * (1 - 1e-6):
            notes.append(
                f"y = {y:.3g} is large: the irrelevant term acts on the smallest size only "
                "and is not resolved (try ni = 0 or a larger lmin)"
            )
    if n_boot and n_failed > 0.1 * n_boot:
        notes.append(f"{n_failed} of {n_boot} bootstrap refits failed")
    return tuple(notes)


def _bootstrap(model, data, p_hat, bounds, n_boot: int, seed: int) -> np.ndarray:
    """Refits of bootstrap replicates from the best fit; failed refits are NaN rows."""
    out = np.full((n_boot, model.n_params), np.nan)
    if n_boot == 0:
        return out
    for b, gamma in enumerate(data.bootstrap(n_boot, seed)):
        res = _solve(model, data, gamma, p_hat, bounds, nfev=50)
        if res.status > 0 and np.all(np.isfinite(res.x)):
            out[b] = res.x
    return out


def fss_fit_data(
    data: FSSData,
    orders: Sequence[int] = DEFAULT_ORDERS,
    n_boot: int = DEFAULT_FSS_BOOT,
    seed: int = 0,
    ci: float = DEFAULT_CI,
    lmin: int = 0,
) -> FSSFit:
    """:func:`fss_fit` of prepared points (:func:`~betascale.analysis.fss_data.fss_data`)."""
    model = ScalingModel(check_orders(orders))
    n_boot = _check_boot(n_boot, ci)
    _check_fittable(model, data)
    bounds = _bounds(model, data)
    fits = [_solve(model, data, data.gamma, p0, bounds) for p0 in _starts(model, data)]
    best = min(fits, key=lambda r: r.cost)
    p = best.x
    J = best.jac
    cov = np.linalg.pinv(J.T @ J)
    chi2 = float(2 * best.cost)
    dof = len(data) - model.n_params
    boot = _bootstrap(model, data, p, bounds, n_boot, seed)
    ok = np.all(np.isfinite(boot), axis=1)
    pars = _parameters(model, p, cov, boot[ok], ci)
    return FSSFit(
        stat=data.stat,
        orders=model.orders,
        **pars,
        names=model.names,
        params=p,
        cov=cov,
        chi2=chi2,
        dof=dof,
        p_value=chi2_sf(chi2, dof),
        n_points=len(data),
        sizes=tuple(data.sizes),
        W_range=(float(data.W.min()), float(data.W.max())),
        lmin=int(lmin),
        n_boot=n_boot,
        n_boot_failed=int((~ok).sum()),
        seed=int(seed),
        ci=ci,
        notes=_notes(model, best, bounds, int((~ok).sum()), n_boot),
        boot=boot,
        data=data,
    )


def _check_boot(n_boot: int, ci: float) -> int:
    if int(n_boot) != n_boot or not (n_boot == 0 or n_boot >= 10):
        raise InputError(f"n_boot must be 0 (no bootstrap) or at least 10, got {n_boot}")
    if not 0 < ci < 1:
        raise InputError(f"the confidence level must lie in (0, 1), got {ci}")
    return int(n_boot)


def _parameters(model: ScalingModel, p, cov, boot: np.ndarray, ci: float) -> dict:
    """The :class:`FSSParameter` s W_c, nu, y and gamma_c."""
    names = model.names
    out = {}
    for key, name in (("W_c", "W_c"), ("nu", "nu"), ("y", "y"), ("gamma_c", "f_00")):
        if name not in names:
            out[key] = FSSParameter(name, math.nan)
            continue
        k = names.index(name)
        err_cov = math.sqrt(cov[k, k]) if cov[k, k] >= 0 else math.nan
        if boot.shape[0] >= 2:
            err = float(np.std(boot[:, k], ddof=1))
            interval = quantiles(boot[:, k], ci)
        else:
            err, interval = math.nan, (math.nan, math.nan)
        out[key] = FSSParameter(name, float(p[k]), err, err_cov, interval)
    return out


def fss_fit(
    table: SampleTable,
    stat: str = DEFAULT_FSS_STAT,
    W_range: Sequence[float] | None = None,
    lmin: int = 0,
    orders: Sequence[int] = DEFAULT_ORDERS,
    n_boot: int = DEFAULT_FSS_BOOT,
    seed: int = 0,
    ci: float = DEFAULT_CI,
) -> FSSFit:
    """Fit Γ(W, L) = F(u1(w) L^{1/ν}, u0(w) L^{-y}) by weighted least squares.

    The Slevin–Ohtsuki method (Phys. Rev. Lett. 82, 382 (1999); New J. Phys. 16,
    015012 (2014)); the model is that of :mod:`~betascale.analysis.fss_model`.

    Parameters
    ----------
    table
        The samples (:class:`betascale.store.SampleTable`).
    stat
        Γ: ``"mean_T"`` (⟨T⟩, two-terminal), ``"mean_g"`` (⟨g⟩, contact-corrected),
        ``"mean_lng"`` (⟨ln g⟩) or ``"typical"`` (``exp⟨ln g⟩``).
    W_range, lmin
        Fit only ``W_range[0] <= W <= W_range[1]`` and ``L >= lmin``.
    orders
        ``(nr, mr, ni, mi)``: orders of F in φ1, of u1 in w, of F in φ0 and of u0 in w
        (``ni = 0``: no irrelevant term).
    n_boot
        Bootstrap replicates over disorder samples, each refitted (0: covariance
        errors only).
    seed
        Seed of the bootstrap's ``numpy.random.default_rng``.
    ci
        Level of the bootstrap percentile intervals.

    Returns
    -------
    FSSFit
        W_c, ν, y and Γ_c with bootstrap and covariance errors, χ², dof, p.

    Raises
    ------
    InputError
        Bad statistic, orders, W range (no data) or ``lmin``; a single size; fewer
        points than parameters; or no crossing in the data (the Γ(W) curves of the
        smallest and largest L do not cross inside the W range).

    Examples
    --------
    >>> fit = fss_fit(table, stat="mean_T", orders=(3, 1, 0, 0))  # doctest: +SKIP
    >>> fit.W_c.value, fit.nu.error, fit.p_value  # doctest: +SKIP
    """
    data = fss_data(table, stat, W_range, lmin)
    return fss_fit_data(data, orders, n_boot, seed, ci, lmin)


# ------------------------------------------------------------- order table
@dataclass(frozen=True)
class FSSOrderTable:
    """Fits of the same data at several orders, to judge their stability.

    Attributes
    ----------
    stat
        The statistic Γ.
    rows
        ``(orders, fit or None, reason)``: the fit, or why it was refused or failed.
    """

    stat: str
    rows: tuple[tuple[tuple[int, int, int, int], FSSFit | None, str], ...]

    @property
    def fits(self) -> tuple[FSSFit, ...]:
        """The fits that succeeded."""
        return tuple(f for _, f, _ in self.rows if f is not None)

    def to_dict(self) -> dict:
        """A JSON-safe dict."""
        return {
            "stat": self.stat,
            "rows": [
                {"orders": list(o), "fit": None if f is None else f.to_dict(), "reason": r}
                for o, f, r in self.rows
            ],
        }

    def __str__(self) -> str:
        head = ("orders", "npar", "W_c", "nu", "y", "Gamma_c", "chi2/dof", "p")
        rows: list[tuple[str, ...]] = []
        notes: list[str] = []
        for o, f, reason in self.rows:
            name = ",".join(map(str, o))
            if f is None:
                rows.append((name, reason))
                continue
            if f.notes:
                name = f"{name}*"
                notes += [f"  * {name[:-1]}: {n}" for n in f.notes]
            chi = f"{f.chi2:.1f}/{f.dof}"
            vals = (str(f.W_c), str(f.nu), str(f.y), str(f.gamma_c), chi, f"{f.p_value:.3g}")
            rows.append((name, str(len(f.names)), *vals))
        fitted = [r for r in rows if len(r) == len(head)]
        widths = [max(len(h), *(len(r[i]) for r in fitted)) for i, h in enumerate(head)]
        lines = [f"stability of the fit of {FSS_STATS[self.stat]} over expansion orders"]
        lines.append("  ".join(h.rjust(w) for h, w in zip(head, widths, strict=True)))
        for r in rows:
            if len(r) == 2:
                lines.append(f"{r[0].rjust(widths[0])}  refused: {r[1]}")
            else:
                lines.append("  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)))
        lines += notes
        return "\n".join(lines)


def fss_order_table(
    table: SampleTable | FSSData,
    orders_list: Sequence[Sequence[int]] = ORDER_TABLE,
    stat: str = DEFAULT_FSS_STAT,
    W_range: Sequence[float] | None = None,
    lmin: int = 0,
    n_boot: int = 0,
    seed: int = 0,
    ci: float = DEFAULT_CI,
) -> FSSOrderTable:
    """:func:`fss_fit` at each of ``orders_list``, on the same points.

    An order that the data cannot support (e.g. more parameters than points) gives a
    row with the reason instead of an error. ``n_boot`` defaults to 0 (covariance
    errors) to keep the table cheap. A prepared :class:`FSSData` may be passed
    instead of a table (``stat``, ``W_range`` and ``lmin`` are then ignored).
    Comparing fits of several orders is the stability check of Slevin & Ohtsuki,
    New J. Phys. 16, 015012 (2014), Sec. 5.
    """
    if not isinstance(table, FSSData):
        table = fss_data(table, stat, W_range, lmin)
    rows: list[tuple[tuple[int, int, int, int], FSSFit | None, str]] = []
    for orders in orders_list:
        o = check_orders(orders)
        try:
            rows.append((o, fss_fit_data(table, o, n_boot, seed, ci, lmin), ""))
        except InputError as exc:
            rows.append((o, None, str(exc)))
    return FSSOrderTable(table.stat, tuple(rows))

"""Ensemble statistics, numerical beta functions and fits against the sigma model.

The analysis of a store runs in four steps (see ``PHYSICS.md``):

1. **Ensemble statistics** per (W, L) (:func:`ensemble_stats`): n, ⟨T⟩, var T,
   ⟨ln T⟩, the contact-corrected conductance ``g = 1/(1/T - 1/N)`` both from ⟨T⟩
   and per sample, ⟨g⟩, ⟨ln g⟩ and the typical ``exp⟨ln g⟩``. Each is an
   :class:`Estimate` that carries its standard error of the mean.
2. **Numerical beta** (:func:`beta_points`): for each W and successive sizes
   ``L1 < L2``, ``beta = [ln G(L2) - ln G(L1)] / [ln L2 - ln L1]``, placed at the
   geometric mean size ``sqrt(L1 L2)`` and at the geometric mean conductance
   ``sqrt(G(L1) G(L2))`` (to first order in the difference this is the G at the
   geometric mean size). G is one ensemble statistic, chosen by name (:data:`STATS`).
   Error bars come from a bootstrap over disorder samples: each replicate resamples
   the samples of every (W, L) ensemble independently, with replacement (the
   ensembles are independent), and recomputes every G and beta. Intervals are
   percentile intervals, 68 % by default.
3. **Fit** (:func:`fit_beta`) of the points with ``G >= gmin`` to the class's
   analytic form with a free leading coefficient, by generalised least squares with
   the bootstrap covariance (see :func:`fit_beta` for how the error of G enters).
4. **One-parameter scaling** (:func:`scaling_test`): one smooth curve through the
   (G, beta) points of all W against separate curves per W.

:func:`analyze_table` runs all four on a :class:`betascale.store.SampleTable`;
:func:`analyze_store` opens a store first.

The contact correction is Büttiker's four-terminal formula, ``1/g = 1/T - 1/N``
(Beenakker, Rev. Mod. Phys. 69, 731 (1997); ``T`` and ``N`` are totals in e²/h, both
spins counted in the symplectic class).

Edge cases: N must be the same for all samples of one (W, L) (one lead width), or
the analysis refuses. A ballistic sample, ``T = N``, has an infinite contact-corrected
g: its ensemble's g statistics are reported as inf, and beta of ``mean_g`` or
``typical`` is refused with a message that suggests ``mean_T``. ``T = 0`` makes the
typical statistic undefined and is refused likewise.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from betascale import theory
from betascale.errors import InputError, require_finite
from betascale.store import SampleTable

#: The ensemble statistics that beta can be computed from, with their table labels.
STATS = {
    "mean_T": "<T> (two-terminal, no contact correction)",
    "mean_g": "<g>, contact-corrected",
    "typical": "exp<ln g>, contact-corrected",
}
#: Mathtext labels of the statistics, for figure legends and axes.
STAT_LABELS = {
    "mean_T": r"$\langle T\rangle$ (two-terminal)",
    "mean_g": r"$\langle g\rangle$, contact-corrected",
    "typical": r"$\exp\langle\ln g\rangle$, contact-corrected",
}
#: Short mathtext symbol of each statistic, for axis labels.
STAT_SYMBOLS = {
    "mean_T": r"\langle T\rangle",
    "mean_g": r"\langle g\rangle",
    "typical": r"\exp\langle\ln g\rangle",
}
DEFAULT_STAT = "mean_g"
#: Points with G below this (in e²/h) are left out of the fit by default.
DEFAULT_GMIN = 2.0
DEFAULT_BOOT = 1000
#: Confidence level of the bootstrap percentile intervals (one-sigma-like).
DEFAULT_CI = 0.68
#: Most knots of the spline in ln G that the one-parameter-scaling test tries.
SCALING_MAX_KNOTS = 7

#: Relative tolerance above N within which T is taken as T = N (ballistic).
_BALLISTIC_RTOL = 1e-9
#: Iterations of the generalised least squares with the residual covariance.
_GLS_ITERATIONS = 4


# ------------------------------------------------------------------ estimates
@dataclass(frozen=True)
class Estimate:
    """A value with its standard error (of the mean, for an ensemble average).

    Attributes
    ----------
    mean
        The estimate.
    error
        Its one-standard-deviation error.
    """

    mean: float
    error: float

    def __str__(self) -> str:
        return format_pm(self.mean, self.error)

    def to_dict(self) -> dict:
        """``{"mean": ..., "error": ...}`` with NaN and inf as None (JSON-safe)."""
        return {"mean": _json_float(self.mean), "error": _json_float(self.error)}


def format_pm(value: float, error: float, digits: int = 2) -> str:
    """Format ``value ± error`` with the error to ``digits`` significant digits.

    Very small or large values use a common power of ten, e.g. ``(6.52 ± 0.45)e-11``.
    """
    if not math.isfinite(value):
        return f"{value}"
    if not math.isfinite(error) or error <= 0:
        return f"{value:.4g}"
    exponent = 0
    if value != 0 and not 1e-3 <= abs(value) < 1e5:
        exponent = math.floor(math.log10(abs(value)))
        value, error = value / 10**exponent, error / 10**exponent
    decimals = max(0, digits - 1 - math.floor(math.log10(error)))
    decimals = min(decimals, 12)
    text = f"{value:.{decimals}f} ± {error:.{decimals}f}"
    return f"({text})e{exponent:+03d}" if exponent else text


def _json_float(x: float) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _mean_estimate(x: np.ndarray) -> Estimate:
    n = x.size
    mean = float(np.mean(x))
    if not math.isfinite(mean):
        return Estimate(mean, math.nan)
    return Estimate(mean, float(np.std(x, ddof=1) / math.sqrt(n)))


def _variance_estimate(x: np.ndarray) -> Estimate:
    """Sample variance (ddof=1) with its standard error from the fourth moment."""
    n = x.size
    s2 = float(np.var(x, ddof=1))
    m4 = float(np.mean((x - x.mean()) ** 4))
    se2 = (m4 - s2 * s2 * (n - 3) / (n - 1)) / n
    return Estimate(s2, math.sqrt(max(se2, 0.0)))


# ------------------------------------------------------------ contact correction
def contact_corrected(T, N) -> np.ndarray:
    """The contact-corrected conductance ``g = 1/(1/T - 1/N) = T N / (N - T)``.

    Büttiker's four-terminal formula removes the contact (Sharvin) resistance
    ``1/N`` of the leads from the two-terminal resistance ``1/T`` (Beenakker,
    Rev. Mod. Phys. 69, 731 (1997)).

    Parameters
    ----------
    T
        Total transmission(s) in e²/h, ``0 <= T <= N``.
    N
        Number(s) of open lead channels (both spins counted where there are two).

    Returns
    -------
    numpy.ndarray
        g in e²/h. A ballistic sample, ``T = N`` (to a relative ``1e-9``), has
        ``g = inf``; ``T = 0`` gives ``g = 0``.

    Raises
    ------
    InputError
        If ``T < 0``, ``N <= 0`` or ``T > N`` beyond rounding.
    """
    T = np.asarray(T, dtype=float)
    N = np.asarray(N, dtype=float)
    if np.any(~np.isfinite(T)):
        raise InputError("T must be finite (failed samples cannot be analysed)")
    if np.any(N <= 0):
        raise InputError("N must be positive (the leads have no open channel)")
    if np.any(T < 0):
        raise InputError(f"T must be >= 0, got {T.min()}")
    if np.any(T > N * (1 + _BALLISTIC_RTOL)):
        raise InputError(f"T exceeds the number of open channels N (T = {T.max()}), impossible")
    ballistic = T >= N * (1 - _BALLISTIC_RTOL)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(ballistic, np.inf, T * N / np.where(ballistic, 1.0, N - T))
    return g


# --------------------------------------------------------------- ensembles
@dataclass(frozen=True)
class EnsembleStats:
    """Statistics of one (W, L) disorder ensemble, each with its standard error.

    Attributes
    ----------
    W, L, M
        Disorder strength, length and width of the samples.
    N
        Open lead channels (the same for every sample of the ensemble).
    n
        Number of samples.
    mean_T
        ⟨T⟩, the two-terminal conductance in e²/h.
    var_T
        var T (ddof = 1), error from the fourth central moment.
    mean_lnT
        ⟨ln T⟩.
    g_of_means
        ``1/(1/⟨T⟩ - 1/N)``, error by linear propagation from ⟨T⟩.
    mean_g
        ⟨g⟩ of the per-sample contact-corrected ``g = 1/(1/T - 1/N)``.
    mean_ln_g
        ⟨ln g⟩ of the per-sample g.
    typical_g
        ``exp⟨ln g⟩``, error ``exp⟨ln g⟩ · err⟨ln g⟩``.
    n_ballistic
        Samples with ``T = N`` (``g = inf``); the g statistics are infinite then.
    """

    W: float
    L: int
    M: int
    N: int
    n: int
    mean_T: Estimate
    var_T: Estimate
    mean_lnT: Estimate
    g_of_means: Estimate
    mean_g: Estimate
    mean_ln_g: Estimate
    typical_g: Estimate
    n_ballistic: int = 0

    def G(self, stat: str) -> Estimate:
        """The statistic named ``stat`` (one of :data:`STATS`)."""
        check_stat(stat)
        return {"mean_T": self.mean_T, "mean_g": self.mean_g, "typical": self.typical_g}[stat]

    def to_dict(self) -> dict:
        """A JSON-safe dict."""
        out = {"W": self.W, "L": self.L, "M": self.M, "N": self.N, "n": self.n}
        for name in (
            "mean_T",
            "var_T",
            "mean_lnT",
            "g_of_means",
            "mean_g",
            "mean_ln_g",
            "typical_g",
        ):
            out[name] = getattr(self, name).to_dict()
        out["n_ballistic"] = self.n_ballistic
        return out


def check_stat(stat: str) -> str:
    """Return ``stat`` if it names a statistic of :data:`STATS`, else raise InputError."""
    if stat not in STATS:
        raise InputError(f"stat must be one of {', '.join(STATS)}, got {stat!r}")
    return stat


def ensemble_stats(T, N: int, W: float = math.nan, L: int = 0, M: int = 0) -> EnsembleStats:
    """Statistics of one ensemble of transmissions ``T`` with ``N`` open channels.

    Parameters
    ----------
    T
        Per-sample total transmissions in e²/h (at least two).
    N
        Open lead channels.
    W, L, M
        The ensemble's labels, carried into the result.
    """
    T = np.asarray(T, dtype=float)
    where = f"W={W:g}, L={L}"
    if T.size < 2:
        raise InputError(f"{where} has {T.size} sample(s); error bars need at least 2")
    g = contact_corrected(T, N)
    with np.errstate(divide="ignore"):
        lnT = np.log(T)
        ln_g = np.log(g)
    mean_T = _mean_estimate(T)
    if mean_T.mean >= N * (1 - _BALLISTIC_RTOL):
        g_of_means = Estimate(math.inf, math.nan)
    else:
        gm = mean_T.mean * N / (N - mean_T.mean)
        g_of_means = Estimate(gm, (N / (N - mean_T.mean)) ** 2 * mean_T.error)
    mean_ln_g = _mean_estimate(ln_g)
    with np.errstate(over="ignore"):
        typ = math.exp(mean_ln_g.mean) if mean_ln_g.mean < 700 else math.inf
    return EnsembleStats(
        W=float(W),
        L=int(L),
        M=int(M),
        N=int(N),
        n=int(T.size),
        mean_T=mean_T,
        var_T=_variance_estimate(T),
        mean_lnT=_mean_estimate(lnT),
        g_of_means=g_of_means,
        mean_g=_mean_estimate(g),
        mean_ln_g=mean_ln_g,
        typical_g=Estimate(typ, typ * mean_ln_g.error),
        n_ballistic=int(np.count_nonzero(np.isinf(g))),
    )


def _group(table: SampleTable) -> dict[tuple[float, int], np.ndarray]:
    """Indices of the samples of each (W, L), keyed and ordered by (W, L)."""
    W = np.asarray(table.W, dtype=float)
    L = np.asarray(table.L, dtype=int)
    order = np.lexsort((L, W))
    groups: dict[tuple[float, int], list[int]] = {}
    for i in order:
        groups.setdefault((float(W[i]), int(L[i])), []).append(int(i))
    return {k: np.asarray(v) for k, v in groups.items()}


def table_stats(table: SampleTable) -> list[EnsembleStats]:
    """:func:`ensemble_stats` of every (W, L) of ``table``, ordered by W then L.

    Raises
    ------
    InputError
        If the table is empty, or N or M differs within one (W, L).
    """
    if len(table) == 0:
        raise InputError("no successful samples to analyse (the store is empty)")
    out = []
    for (W, L), idx in _group(table).items():
        Ns = np.unique(np.asarray(table.N)[idx])
        if Ns.size != 1:
            raise InputError(
                f"W={W:g}, L={L}: the number of open channels N differs between samples "
                f"({', '.join(str(int(n)) for n in Ns)}); the contact correction needs one N"
            )
        Ms = np.unique(np.asarray(table.M)[idx])
        if Ms.size != 1:
            raise InputError(
                f"W={W:g}, L={L}: samples of different widths M "
                f"({', '.join(str(int(m)) for m in Ms)}) cannot form one ensemble"
            )
        out.append(ensemble_stats(np.asarray(table.T)[idx], int(Ns[0]), W, L, int(Ms[0])))
    return out


# ---------------------------------------------------------------- beta points
@dataclass(frozen=True)
class BetaPoint:
    """One numerical beta between successive sizes at one W.

    Attributes
    ----------
    W
        Disorder strength.
    L1, L2
        The two sizes, ``L1 < L2``.
    L
        Geometric mean size ``sqrt(L1 L2)``.
    G, G_error, G_interval
        Geometric mean ``sqrt(G(L1) G(L2))`` of the statistic, its bootstrap
        standard deviation and percentile interval.
    beta, beta_error, beta_interval
        ``[ln G(L2) - ln G(L1)] / ln(L2/L1)``, its bootstrap standard deviation and
        percentile interval.
    """

    W: float
    L1: int
    L2: int
    L: float
    G: float
    G_error: float
    G_interval: tuple[float, float]
    beta: float
    beta_error: float
    beta_interval: tuple[float, float]

    def to_dict(self) -> dict:
        """A JSON-safe dict."""
        return {
            "W": self.W,
            "L1": self.L1,
            "L2": self.L2,
            "L": self.L,
            "G": _json_float(self.G),
            "G_error": _json_float(self.G_error),
            "G_interval": [_json_float(x) for x in self.G_interval],
            "beta": _json_float(self.beta),
            "beta_error": _json_float(self.beta_error),
            "beta_interval": [_json_float(x) for x in self.beta_interval],
        }


@dataclass(frozen=True)
class BetaSet:
    """The beta points of a table with their bootstrap replicates.

    Attributes
    ----------
    points
        The :class:`BetaPoint` s, ordered by W then L.
    boot_G, boot_beta
        Bootstrap replicates, shape ``(n_boot, len(points))``: replicate ``b`` of
        every point comes from the same resampling of the ensembles, so the
        covariances between points (shared ensembles) are kept.
    ci
        Confidence level of the intervals.
    """

    points: tuple[BetaPoint, ...]
    boot_G: np.ndarray = field(repr=False, compare=False)
    boot_beta: np.ndarray = field(repr=False, compare=False)
    ci: float = DEFAULT_CI

    @property
    def W(self) -> np.ndarray:
        return np.array([p.W for p in self.points])

    @property
    def G(self) -> np.ndarray:
        return np.array([p.G for p in self.points])

    @property
    def beta(self) -> np.ndarray:
        return np.array([p.beta for p in self.points])


def _per_sample_values(T: np.ndarray, N: int, stat: str, where: str) -> np.ndarray:
    """Per-sample quantity whose mean gives the statistic (T, g or ln g)."""
    if stat == "mean_T":
        return T
    g = contact_corrected(T, N)
    if np.any(np.isinf(g)):
        raise InputError(
            f"{where}: {np.count_nonzero(np.isinf(g))} sample(s) have T = N (ballistic), where "
            f"the contact-corrected g is infinite; use --stat mean_T"
        )
    if stat == "mean_g":
        return g
    if np.any(g <= 0):
        raise InputError(
            f"{where}: {np.count_nonzero(g <= 0)} sample(s) have T = 0, where ln g is -inf; "
            "the typical statistic is undefined, use --stat mean_g"
        )
    return np.log(g)


def _bootstrap_means(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Means of ``n_boot`` resamples (with replacement) of ``values``."""
    n = values.size
    out = np.empty(n_boot)
    chunk = max(1, min(n_boot, 2_000_000 // max(n, 1)))
    for start in range(0, n_boot, chunk):
        stop = min(n_boot, start + chunk)
        idx = rng.integers(0, n, size=(stop - start, n))
        out[start:stop] = values[idx].mean(axis=1)
    return out


def check_grid(
    table: SampleTable,
    W: Sequence[float] | None = None,
    L: Sequence[int] | None = None,
) -> tuple[list[float], list[int]]:
    """Check that every (W, L) of the grid has samples; return the sorted W and L.

    The grid is ``W x L``; by default the union of the W and of the L in the table.

    Raises
    ------
    InputError
        For an empty table, fewer than two sizes, or a (W, L) without samples
        (the message names them).
    """
    if len(table) == 0:
        raise InputError("no successful samples to analyse (the store is empty)")
    have = set(_group(table))
    Ws = sorted({float(w) for w in (np.asarray(table.W) if W is None else W)})
    Ls = sorted({int(x) for x in (np.asarray(table.L) if L is None else L)})
    if len(Ls) < 2:
        raise InputError(
            f"beta needs at least two sizes L, but there is only L = {Ls[0]}"
            if Ls
            else "no sizes L"
        )
    missing = [(w, x) for w in Ws for x in Ls if (w, x) not in have]
    if missing:
        w, x = missing[0]
        more = f" (and {len(missing) - 1} more (W, L))" if len(missing) > 1 else ""
        raise InputError(
            f"W={w:g} has no samples at L={x}{more}; every W needs samples at every "
            f"L = {', '.join(map(str, Ls))} (complete the run first)"
        )
    return Ws, Ls


def beta_points(
    table: SampleTable,
    stat: str = DEFAULT_STAT,
    n_boot: int = DEFAULT_BOOT,
    seed: int = 0,
    ci: float = DEFAULT_CI,
    W: Sequence[float] | None = None,
    L: Sequence[int] | None = None,
) -> BetaSet:
    """Numerical beta of the statistic ``stat`` for each W between successive L.

    Parameters
    ----------
    table
        The samples.
    stat
        ``"mean_T"`` (⟨T⟩), ``"mean_g"`` (⟨g⟩ contact-corrected) or ``"typical"``
        (``exp⟨ln g⟩``).
    n_boot
        Bootstrap replicates.
    seed
        Seed of the ``numpy.random.default_rng`` of the bootstrap (no global state).
    ci
        Confidence level of the percentile intervals.
    W, L
        The expected grid (default: what the table holds); see :func:`check_grid`.

    Returns
    -------
    BetaSet
        Points ordered by W, then L; ``beta`` at ``sqrt(L1 L2)`` and
        ``G = sqrt(G(L1) G(L2))``.
    """
    check_stat(stat)
    if int(n_boot) != n_boot or n_boot < 20:
        raise InputError(f"the bootstrap needs at least 20 replicates, got {n_boot}")
    n_boot = int(n_boot)
    if not 0 < ci < 1:
        raise InputError(f"the confidence level must lie in (0, 1), got {ci}")
    Ws, Ls = check_grid(table, W, L)
    groups = _group(table)
    stats = {(s.W, s.L): s for s in table_stats(table)}
    rng = np.random.default_rng(seed)
    T_all = np.asarray(table.T, dtype=float)
    q = [(1 - ci) / 2, (1 + ci) / 2]
    points, bG, bB = [], [], []
    for w in Ws:
        G_hat, G_boot = [], []
        for x in Ls:
            s = stats[(w, x)]
            where = f"W={w:g}, L={x}"
            v = _per_sample_values(T_all[groups[(w, x)]], s.N, stat, where)
            boot = _bootstrap_means(v, n_boot, rng)
            G = s.G(stat).mean
            if stat == "typical":
                boot = np.exp(boot)
            if not (G > 0 and np.all(boot > 0)):
                raise InputError(f"{where}: {STATS[stat]} is not positive; ln G is undefined")
            G_hat.append(G)
            G_boot.append(boot)
        for i in range(len(Ls) - 1):
            L1, L2 = Ls[i], Ls[i + 1]
            dlnL = math.log(L2 / L1)
            beta = math.log(G_hat[i + 1] / G_hat[i]) / dlnL
            beta_b = np.log(G_boot[i + 1] / G_boot[i]) / dlnL
            Gm = math.sqrt(G_hat[i] * G_hat[i + 1])
            Gm_b = np.sqrt(G_boot[i] * G_boot[i + 1])
            points.append(
                BetaPoint(
                    W=w,
                    L1=L1,
                    L2=L2,
                    L=math.sqrt(L1 * L2),
                    G=Gm,
                    G_error=float(np.std(Gm_b, ddof=1)),
                    G_interval=tuple(float(v) for v in np.quantile(Gm_b, q)),
                    beta=beta,
                    beta_error=float(np.std(beta_b, ddof=1)),
                    beta_interval=tuple(float(v) for v in np.quantile(beta_b, q)),
                )
            )
            bG.append(Gm_b)
            bB.append(beta_b)
    return BetaSet(tuple(points), np.column_stack(bG), np.column_stack(bB), ci)


# ----------------------------------------------------------- least squares
def _block_mask(groups: np.ndarray) -> np.ndarray:
    return groups[:, None] == groups[None, :]


def _whitener(C: np.ndarray) -> np.ndarray:
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
class _GLS:
    coef: np.ndarray
    cov: np.ndarray
    chi2: float
    C: np.ndarray
    whitener: np.ndarray


def _gls(
    design: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    boot_x: np.ndarray,
    boot_y: np.ndarray,
    groups: np.ndarray,
    C: np.ndarray | None = None,
) -> _GLS:
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
        Wh = _whitener(Cm)
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
    return _GLS(coef, cov, float(r @ r), Cm, Wh)


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
    def form(self) -> str:
        """The fit form, e.g. ``beta = a/g + b/g^2``."""
        return f"beta = {_power_text('a', self.powers[0])} + {_power_text('b', self.powers[1])}"

    def __call__(self, g):
        """The fitted beta at ``g``."""
        g = np.asarray(g, dtype=float)
        return self.a / g ** self.powers[0] + self.b / g ** self.powers[1]

    def to_dict(self) -> dict:
        """A JSON-safe dict."""
        return {
            "model": self.model,
            "stat": self.stat,
            "form": self.form,
            "powers": list(self.powers),
            "a": _json_float(self.a),
            "sigma_a": _json_float(self.sigma_a),
            "a_interval": [_json_float(v) for v in self.a_interval],
            "b": _json_float(self.b),
            "sigma_b": _json_float(self.sigma_b),
            "cov": [[_json_float(v) for v in row] for row in self.cov],
            "a_theory": self.a_theory,
            "a_theory_name": theory.LEADING_NAME[self.model],
            "pull": _json_float(self.pull),
            "chi2": _json_float(self.chi2),
            "dof": self.dof,
            "chi2_dof": _json_float(self.chi2_dof),
            "p_value": _json_float(self.p_value),
            "gmin": self.gmin,
            "g_range": list(self.g_range),
            "n_points": self.n_points,
            "points": [list(p) for p in self.points],
        }


def _power_text(coef: str, p: int) -> str:
    return f"{coef}/g" if p == 1 else f"{coef}/g^{p}"


def _chi2_sf(chi2: float, dof: int) -> float:
    if dof <= 0:
        return math.nan
    from scipy.stats import chi2 as chi2_dist

    return float(chi2_dist.sf(chi2, dof))


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
    :mod:`betascale.theory`).

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

    Raises
    ------
    InputError
        If fewer than two points have ``G >= gmin`` (the message gives the G range).
    """
    theory.check_class(model)
    check_stat(stat)
    gmin = require_finite("gmin", gmin)
    p, q = FIT_POWERS[model] if powers is None else tuple(int(v) for v in powers)
    if p == q:
        raise InputError(f"the two fit powers must differ, got {p} and {q}")
    G = betas.G
    use = np.flatnonzero(G >= gmin)
    if use.size < 2:
        rng = f"{G.min():.3g} to {G.max():.3g}" if G.size else "empty"
        raise InputError(
            f"gmin = {gmin:g} leaves {use.size} beta point(s) for the fit, which needs at "
            f"least 2; the points have G from {rng} e^2/h (lower --gmin)"
        )
    pts = [betas.points[i] for i in use]
    x, y = G[use], betas.beta[use]
    bx, by = betas.boot_G[:, use], betas.boot_beta[:, use]
    groups = np.array([pt.W for pt in pts])

    def design(g):
        return np.stack([g**-p, g**-q], axis=-1)

    res = _gls(design, x, y, bx, by, groups)
    a, b = (float(v) for v in res.coef)
    dof = use.size - 2
    # bootstrap of the fit: refit each replicate with the final covariance
    a_boot = np.empty(by.shape[0])
    for k in range(by.shape[0]):
        coef, *_ = np.linalg.lstsq(res.whitener @ design(bx[k]), res.whitener @ by[k], rcond=None)
        a_boot[k] = coef[0]
    qs = [(1 - betas.ci) / 2, (1 + betas.ci) / 2]
    return FitResult(
        model=model,
        stat=stat,
        powers=(p, q),
        a=a,
        sigma_a=float(math.sqrt(res.cov[0, 0])),
        b=b,
        sigma_b=float(math.sqrt(res.cov[1, 1])),
        cov=tuple(tuple(float(v) for v in row) for row in res.cov),
        a_theory=theory.leading_coefficient(model)[0],
        a_interval=tuple(float(v) for v in np.quantile(a_boot, qs)),
        chi2=res.chi2,
        dof=dof,
        p_value=_chi2_sf(res.chi2, dof),
        gmin=gmin,
        g_range=(float(x.min()), float(x.max())),
        points=tuple((pt.W, pt.L1, pt.L2) for pt in pts),
    )


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

    Attributes
    ----------
    defined
        False when the test has no meaning (one W, or too few points); see
        :attr:`reason`.
    n_knots, n_points, n_W
        Knots (= parameters) of the single curve, numbers of points and of W.
    chi2_single, dof_single, chi2_separate, dof_separate
        The two fits.
    delta_chi2, delta_dof, p_value
        The comparison.
    knots, coef
        Knots (in ``ln G``) and coefficients of the single curve.
    pulls
        ``(beta_i - curve(G_i)) / sigma_i`` of every point (σ from the covariance).
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

    def summary(self) -> str:
        """One line for tables."""
        if not self.defined:
            return f"one-parameter scaling: not tested ({self.reason})"
        return (
            f"one-parameter scaling (natural cubic spline in ln G, {self.n_knots} knots): "
            f"one curve chi2/dof = {self.chi2_single:.1f}/{self.dof_single}, separate curves "
            f"per W chi2/dof = {self.chi2_separate:.1f}/{self.dof_separate}; "
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
            "chi2_single": _json_float(self.chi2_single),
            "dof_single": self.dof_single,
            "chi2_dof_single": _json_float(self.chi2_dof_single),
            "chi2_separate": _json_float(self.chi2_separate),
            "dof_separate": self.dof_separate,
            "chi2_dof_separate": _json_float(self.chi2_dof_separate),
            "delta_chi2": _json_float(self.delta_chi2),
            "delta_dof": self.delta_dof,
            "p_value": _json_float(self.p_value),
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


def scaling_test(betas: BetaSet, n_knots: int | None = None) -> ScalingTest:
    """Test one-parameter scaling of the beta points (see :class:`ScalingTest`).

    Parameters
    ----------
    betas
        All beta points (every G, not only those above gmin).
    n_knots
        Knots of the spline in ``ln G`` (>= 2); default: chosen by BIC among 2 to
        :data:`SCALING_MAX_KNOTS`.
    """
    pts = betas.points
    Ws = sorted({p.W for p in pts})
    n = len(pts)
    base = {"n_points": n, "n_W": len(Ws)}
    if n_knots is not None and n_knots < 2:
        raise InputError(f"the scaling curve needs at least 2 knots, got {n_knots}")
    if len(Ws) < 2:
        return ScalingTest(
            False,
            "one disorder strength W only; one-parameter scaling compares several W",
            n_knots=n_knots or 0,
            **base,
        )
    need = 4 if n_knots is None else n_knots + 2
    if n < need:
        return ScalingTest(
            False, f"needs at least {need} beta points, has {n}", n_knots=n_knots or 0, **base
        )
    groups = betas.W
    x = np.log(betas.G)
    bx = np.log(betas.boot_G)
    y, by = betas.beta, betas.boot_beta
    distinct = np.unique(x).size

    def fit_single(K):
        knots = _knots(x, K)
        design = _spline_design(knots)
        return knots, design, _gls(design, x, y, bx, by, groups)

    if n_knots is None:
        best = None
        for K in range(2, min(SCALING_MAX_KNOTS, n - 2, distinct) + 1):
            knots, design, fit = fit_single(K)
            bic = fit.chi2 + K * math.log(n)
            if best is None or bic < best[0]:
                best = (bic, K, knots, design, fit)
        _, K, knots, design, single = best
    else:
        K = n_knots
        knots, design, single = fit_single(K)
    base["n_knots"] = K
    rank_single = _rank(single.whitener, design(x))
    chi2_sep, dof_sep = 0.0, 0
    for w in Ws:
        sel = np.flatnonzero(groups == w)
        res = _gls(
            design,
            x[sel],
            y[sel],
            bx[:, sel],
            by[:, sel],
            groups[sel],
            C=single.C[np.ix_(sel, sel)],
        )
        chi2_sep += res.chi2
        dof_sep += sel.size - _rank(res.whitener, design(x[sel]))
    dof_single = n - rank_single
    ddof = dof_single - dof_sep
    if ddof <= 0:
        return ScalingTest(
            False,
            "separate curves per W have no fewer degrees of freedom than one curve",
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
        p_value=_chi2_sf(delta, ddof),
        knots=tuple(float(v) for v in knots),
        coef=tuple(float(c) for c in single.coef),
        pulls=tuple(float(v) for v in pulls),
        **base,
    )


# --------------------------------------------------------------- whole store
@dataclass(frozen=True)
class StoreAnalysis:
    """Everything the analysis of one store (or sample table) produces.

    Attributes
    ----------
    name, title
        Store (study) name and a description of the model for titles.
    model
        Symmetry class.
    stat
        The statistic G of :attr:`betas` and :attr:`fit`.
    ensembles
        :class:`EnsembleStats` per (W, L), ordered by W then L.
    betas
        The :class:`BetaSet`.
    fit
        The :class:`FitResult` (its ``a`` is the fitted leading coefficient), or
        None if the analysis was asked not to fit.
    scaling
        The :class:`ScalingTest`.
    n_boot, seed, gmin
        Bootstrap replicates and seed, fit threshold.
    table
        The samples analysed (for distributions).
    """

    name: str
    title: str
    model: str
    stat: str
    ensembles: tuple[EnsembleStats, ...]
    betas: BetaSet
    fit: FitResult | None
    scaling: ScalingTest
    n_boot: int
    seed: int
    gmin: float
    table: SampleTable = field(repr=False, compare=False)

    @property
    def W(self) -> list[float]:
        """The disorder strengths, sorted."""
        return sorted({e.W for e in self.ensembles})

    @property
    def L(self) -> list[int]:
        """The sizes, sorted."""
        return sorted({e.L for e in self.ensembles})

    def ensemble(self, W: float, L: int) -> EnsembleStats:
        """The statistics at (W, L)."""
        for e in self.ensembles:
            if e.W == W and e.L == L:
                return e
        raise InputError(f"no ensemble at W={W:g}, L={L} (W: {self.W}, L: {self.L})")

    def samples(self, W: float, L: int) -> np.ndarray:
        """Per-sample T at (W, L)."""
        self.ensemble(W, L)
        sel = (np.asarray(self.table.W) == W) & (np.asarray(self.table.L) == L)
        return np.asarray(self.table.T, dtype=float)[sel]

    def to_dict(self) -> dict:
        """A JSON-safe dict of the whole analysis."""
        return {
            "name": self.name,
            "title": self.title,
            "model": self.model,
            "stat": self.stat,
            "stat_label": STATS[self.stat],
            "n_boot": self.n_boot,
            "ci": self.betas.ci,
            "seed": self.seed,
            "ensembles": [e.to_dict() for e in self.ensembles],
            "beta": [p.to_dict() for p in self.betas.points],
            "gmin": self.gmin,
            "fit": None if self.fit is None else self.fit.to_dict(),
            "scaling": self.scaling.to_dict(),
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def report(self) -> str:
        """The analysis as plain-text tables."""
        return format_report(self)


def analyze_table(
    table: SampleTable,
    model_class: str,
    stat: str = DEFAULT_STAT,
    gmin: float = DEFAULT_GMIN,
    n_boot: int = DEFAULT_BOOT,
    seed: int = 0,
    ci: float = DEFAULT_CI,
    powers: tuple[int, int] | None = None,
    W: Sequence[float] | None = None,
    L: Sequence[int] | None = None,
    name: str = "",
    title: str | None = None,
    fit: bool = True,
) -> StoreAnalysis:
    """Analyse a sample table: ensemble statistics, beta points, fit and scaling test.

    Parameters
    ----------
    table
        The samples (a :class:`betascale.store.SampleTable`).
    model_class
        ``"orthogonal"``, ``"unitary"`` or ``"symplectic"``.
    stat
        Statistic G for beta (see :data:`STATS`); default ⟨g⟩, contact-corrected.
    gmin
        Only beta points with ``G >= gmin`` (e²/h) enter the fit.
    n_boot, seed, ci
        Bootstrap replicates, seed and interval confidence level.
    powers
        Fit powers ``(p, q)`` (default :data:`FIT_POWERS` of the class).
    W, L
        The expected grid, by default what the table holds.
    name, title
        Labels for reports and figures.
    fit
        Whether to fit the large-g points (False: :attr:`StoreAnalysis.fit` is None,
        and gmin is not checked).

    Raises
    ------
    InputError
        Empty table, a single L, a (W, L) without samples, fewer than 2 samples in
        an ensemble, inconsistent N, a statistic that is undefined for the data
        (ballistic or zero T), or gmin leaving fewer than 2 points for the fit.
    """
    theory.check_class(model_class)
    check_stat(stat)
    gmin = require_finite("gmin", gmin)
    betas = beta_points(table, stat=stat, n_boot=n_boot, seed=seed, ci=ci, W=W, L=L)
    result = fit_beta(betas, model_class, stat=stat, gmin=gmin, powers=powers) if fit else None
    return StoreAnalysis(
        name=name,
        title=title if title is not None else model_class,
        model=model_class,
        stat=stat,
        ensembles=tuple(table_stats(table)),
        betas=betas,
        fit=result,
        scaling=scaling_test(betas),
        n_boot=int(n_boot),
        seed=int(seed),
        gmin=gmin,
        table=table,
    )


def analyze_store(
    path: str | Path,
    stat: str = DEFAULT_STAT,
    gmin: float = DEFAULT_GMIN,
    n_boot: int = DEFAULT_BOOT,
    seed: int = 0,
    ci: float = DEFAULT_CI,
    powers: tuple[int, int] | None = None,
    fit: bool = True,
    lmin: int = 0,
) -> StoreAnalysis:
    """Open the store at ``path`` and analyse it with :func:`analyze_table`.

    The symmetry class and the title come from the store's study; every (W, L) of
    the study's grid with ``L >= lmin`` must have samples. ``lmin`` leaves out the
    smallest sizes, which are not yet diffusive (L not much larger than the mean
    free path) and carry finite-size corrections to one-parameter scaling. The
    other parameters are those of :func:`analyze_table`.

    Examples
    --------
    >>> an = analyze_store("data/runs/orthogonal.sqlite", stat="mean_g", gmin=2)  # doctest: +SKIP
    >>> an.fit.a, an.fit.sigma_a, an.fit.a_theory  # doctest: +SKIP
    """
    from betascale.store import Store

    path = Path(path)
    with Store.open(path) as store:
        study = store.study
        table = store.samples()
    if len(table) == 0:
        raise InputError(f"the store {path} has no successful samples; run the study first")
    sizes = [size for size in study.L if size >= lmin]
    if len(sizes) < 2 <= len(study.L):
        raise InputError(
            f"--lmin {lmin} leaves {len(sizes)} size(s) of {list(study.L)}; beta needs two"
        )
    if len(sizes) < len(study.L):
        keep = table.L >= lmin
        table = type(table)(*(getattr(table, f.name)[keep] for f in fields(table)))
    return analyze_table(
        table,
        study.model.model,
        stat=stat,
        gmin=gmin,
        n_boot=n_boot,
        seed=seed,
        ci=ci,
        powers=powers,
        W=study.W,
        L=tuple(sizes),
        name=study.name or path.stem,
        title=study.model.describe(),
        fit=fit,
    )


# --------------------------------------------------------------- synthetic data
def synthetic_table(
    model: str = "orthogonal",
    W: Sequence[float] = (1.0, 2.0, 3.0),
    g0: Sequence[float] = (8.0, 5.0, 3.0),
    L: Sequence[int] = (8, 16, 32, 64, 128),
    n: int = 200,
    sigma: float = 0.2,
    N: int = 1000,
    seed: int = 0,
    flow: Callable[[float, np.ndarray], np.ndarray] | None = None,
) -> SampleTable:
    """Samples drawn from a known flow g(L), for tests and demonstrations.

    At disorder ``W[i]`` the mean conductance is ``g_true(L) = flow(g0[i], L)``,
    by default the integrated weak-localization form of ``model`` with ``g(L[0]) =
    g0[i]`` (:func:`betascale.theory.g_weak_localization` with ``ell = L[0]``).
    Each sample has ``g = g_true · exp(sigma z - sigma²/2)`` with z standard normal,
    so that ⟨g⟩ = g_true exactly, and ``T = 1/(1/g + 1/N)``, so that the contact
    correction recovers g. The width is M = L.

    Parameters
    ----------
    model
        Symmetry class of the default flow.
    W, g0
        Disorder labels and the conductance of each at the smallest L.
    L
        Sizes.
    n
        Samples per (W, L).
    sigma
        Log-normal spread of g.
    N
        Open channels.
    seed
        Seed of ``numpy.random.default_rng``.
    flow
        ``flow(g0, L) -> g_true`` for another flow.
    """
    if len(W) != len(g0):
        raise InputError(f"W and g0 need the same length, got {len(W)} and {len(g0)}")
    rng = np.random.default_rng(seed)
    Ls = np.asarray(L, dtype=int)
    cols: dict[str, list] = {"W": [], "L": [], "T": []}
    for w, g_start in zip(W, g0, strict=True):
        if flow is None:
            g_true = theory.g_weak_localization(Ls, g_start, model, ell=float(Ls[0]))
        else:
            g_true = np.asarray(flow(g_start, Ls), dtype=float)
        if not np.all(np.isfinite(g_true) & (g_true > 0)):
            raise InputError(f"the flow from g0 = {g_start} leaves g > 0 within L = {list(L)}")
        for size, gt in zip(Ls, g_true, strict=True):
            g = gt * np.exp(sigma * rng.standard_normal(n) - sigma**2 / 2)
            cols["W"].append(np.full(n, float(w)))
            cols["L"].append(np.full(n, int(size)))
            cols["T"].append(g * N / (N + g))
    Wa = np.concatenate(cols["W"])
    La = np.concatenate(cols["L"])
    T = np.concatenate(cols["T"])
    return SampleTable(
        W=Wa,
        L=La,
        M=La.copy(),
        sample=np.tile(np.arange(n), Wa.size // n),
        T=T,
        N=np.full(T.size, N, dtype=np.int64),
        seconds=np.zeros(T.size),
        rank=np.zeros(T.size, dtype=np.int64),
    )


# ------------------------------------------------------------------ report
def format_report(an: StoreAnalysis) -> str:
    """Plain-text tables of an analysis: ensembles, beta points, fit and scaling."""
    lines = []
    head = f"{an.name}: {an.title}" if an.name else an.title
    lines.append(head)
    lines.append(
        f"G = {STATS[an.stat]}; errors: standard error of the mean (ensembles), "
        f"bootstrap over samples, B = {an.n_boot}, {round(100 * an.betas.ci)} % intervals (beta)"
    )
    lines.append("")
    lines.append("ensembles (conductances in e^2/h; g = 1/(1/T - 1/N) per sample)")
    cols = ("W", "L", "n", "N", "<T>", "<g>", "exp<ln g>")
    rows = [
        (
            f"{e.W:g}",
            str(e.L),
            str(e.n),
            str(e.N),
            str(e.mean_T),
            str(e.mean_g),
            str(e.typical_g),
        )
        for e in an.ensembles
    ]
    lines += _table(cols, rows)
    lines.append("")
    lo, hi = (round(100 * (1 - an.betas.ci) / 2), round(100 * (1 + an.betas.ci) / 2))
    lines.append(f"beta = d ln G / d ln L between successive L (interval: {lo}-{hi} percentile)")
    cols = ("W", "L1", "L2", "G", "beta", "interval")
    rows = [
        (
            f"{p.W:g}",
            str(p.L1),
            str(p.L2),
            format_pm(p.G, p.G_error),
            format_pm(p.beta, p.beta_error),
            _interval_text(p.beta_interval, p.beta_error),
        )
        for p in an.betas.points
    ]
    lines += _table(cols, rows)
    lines.append("")
    f = an.fit
    if f is None:
        lines.append("fit: not done")
        lines.append("")
        lines.append(an.scaling.summary())
        return "\n".join(lines)
    lines.append(
        f"fit {f.form} to {f.n_points} points with G >= {f.gmin:g} "
        f"(G = {f.g_range[0]:.3g} to {f.g_range[1]:.3g})"
    )
    lines.append(
        f"  a = {format_pm(f.a, f.sigma_a)}   analytic {theory.LEADING_NAME[f.model]} = "
        f"{f.a_theory:.4f}   ({f.pull:+.1f} sigma); bootstrap interval "
        f"{_interval_text(f.a_interval, f.sigma_a)}"
    )
    lines.append(f"  b = {format_pm(f.b, f.sigma_b)}")
    chi = f"{f.chi2_dof:.2f}" if f.dof > 0 else "undefined (0 dof)"
    lines.append(f"  chi2/dof = {f.chi2:.2f}/{f.dof} = {chi}, p = {f.p_value:.3g}")
    lines.append("")
    lines.append(an.scaling.summary())
    return "\n".join(lines)


def _interval_text(interval: tuple[float, float], error: float) -> str:
    """``[lo, hi]`` with as many decimals as :func:`format_pm` gives ``error``."""
    if not (math.isfinite(error) and error > 0) or not 1e-3 <= abs(interval[1]) < 1e5:
        return f"[{interval[0]:.4g}, {interval[1]:.4g}]"
    d = min(12, max(0, 1 - math.floor(math.log10(error))))
    return f"[{interval[0]:.{d}f}, {interval[1]:.{d}f}]"


def _table(cols: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
    out = ["  ".join(c.rjust(w) for c, w in zip(cols, widths, strict=True))]
    out += ["  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in rows]
    return out

"""Model-free crossings of the Γ(W) curves of successive sizes, with bootstrap errors.

At a continuous transition the curves Γ(W) of different sizes L cross at the critical
point, where Γ is scale invariant; with corrections to scaling (irrelevant
variables) the crossing of ``L1 < L2`` drifts towards W_c as L grows (Slevin &
Ohtsuki, Phys. Rev. Lett. 82, 382 (1999); New J. Phys. 16, 015012 (2014), Sec. 4).
For each pair of successive sizes, the difference ``D(W) = Γ(W, L2) - Γ(W, L1)`` on
the W the two sizes share is fitted by a weighted polynomial of low degree on the
``window`` points nearest its sign change, and the crossing is the root of that
polynomial. Γ at the crossing comes from the same local fit of
``(Γ(W, L1) + Γ(W, L2))/2``. Errors come from the bootstrap over disorder samples
of :meth:`FSSData.bootstrap` (the same replicates as the fit's for the same seed),
repeating the whole estimate (sign change, window, local fit) on every replicate.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.polynomial import polynomial as P
from numpy.typing import ArrayLike

from betascale.analysis.beta import DEFAULT_CI
from betascale.analysis.ensembles import format_pm
from betascale.analysis.fss_data import DEFAULT_FSS_STAT, FSS_STATS, FSSData, fss_data
from betascale.analysis.results import quantiles
from betascale.errors import InputError
from betascale.serialization import json_float
from betascale.store import SampleTable

#: Default bootstrap replicates of the crossings (and of the fit).
DEFAULT_FSS_BOOT = 200
#: Default degree of the local polynomial and number of W points it is fitted to.
DEFAULT_DEGREE = 1
DEFAULT_WINDOW = 4


# --------------------------------------------------------------- one root
def _sign_change(W: np.ndarray, d: np.ndarray) -> int | None:
    """Index k of the bracket ``[W[k], W[k+1]]`` where d changes sign (None if none).

    Several brackets (noise near the crossing) resolve to the one nearest the
    median of their midpoints.
    """
    brackets = np.flatnonzero(np.sign(d[:-1]) * np.sign(d[1:]) <= 0)
    if brackets.size == 0:
        return None
    mids = (W[brackets] + W[brackets + 1]) / 2
    return int(brackets[np.argmin(np.abs(mids - np.median(mids)))])


def _window(W: np.ndarray, k: int, window: int) -> np.ndarray:
    """Indices of the ``window`` points of W nearest the bracket ``[W[k], W[k+1]]``."""
    mid = (W[k] + W[k + 1]) / 2
    order = np.argsort(np.abs(W - mid), kind="stable")
    return np.sort(order[: max(2, min(window, W.size))])


def _local_root(W: np.ndarray, d: np.ndarray, w: np.ndarray | None, degree: int, near: float):
    """The real root nearest ``near`` of the weighted polynomial fit of d(W) (NaN if none)."""
    coef = P.polyfit(W - near, d, degree, w=w)
    roots = P.polyroots(coef) if np.any(coef[1:] != 0) else np.array([])
    real = roots[np.abs(roots.imag) <= 1e-9 * (1 + np.abs(roots.real))].real
    if real.size == 0:
        return math.nan
    return float(near + real[np.argmin(np.abs(real))])


def find_crossing(
    W: ArrayLike,
    d: ArrayLike,
    sigma: ArrayLike | None = None,
    degree: int = DEFAULT_DEGREE,
    window: int = DEFAULT_WINDOW,
) -> float:
    """The W where the difference ``d(W)`` of two curves changes sign.

    The ``window`` points nearest the sign change are fitted by a polynomial of
    degree ``degree`` (weights ``1/sigma``), and its real root nearest the sign
    change is returned (``degree=1, window=2`` is linear interpolation). A root outside
    the window falls back to linear interpolation across the sign change.

    Parameters
    ----------
    W, d
        Abscissae and the difference of the two curves there.
    sigma
        Standard errors of ``d`` (default: equal weights).
    degree, window
        Degree of the local polynomial and the number of points it is fitted to.

    Returns
    -------
    float
        The crossing, or NaN if d does not change sign.
    """
    W, d, w = _check_curves(W, d, sigma, degree, window)
    k = _sign_change(W, d)
    if k is None:
        return math.nan
    fit = _LocalFit.build(W, w, k, degree, window)
    return fit.root(d[fit.idx])


def _check_curves(
    W: ArrayLike, d: ArrayLike, sigma: ArrayLike | None, degree: int, window: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    W, d = np.asarray(W, dtype=float), np.asarray(d, dtype=float)
    if W.shape != d.shape or W.ndim != 1:
        raise InputError(f"W and d must be 1-d of the same length, got {W.shape} and {d.shape}")
    if int(degree) != degree or degree < 1:
        raise InputError(f"degree must be a positive integer, got {degree}")
    if int(window) != window or window < degree + 1:
        raise InputError(f"window must be an integer >= degree + 1 = {degree + 1}, got {window}")
    order = np.argsort(W)
    w = None
    if sigma is not None:
        s = np.asarray(sigma, dtype=float)[order]
        if s.shape != W.shape or np.any(~(s > 0)):
            raise InputError("sigma must be positive, one per point")
        w = 1.0 / s
    return W[order], d[order], w


# ------------------------------------------------------------------ results
@dataclass(frozen=True)
class Crossing:
    """The crossing of the Γ(W) curves of two successive sizes.

    Attributes
    ----------
    L1, L2, L
        The sizes and their geometric mean ``sqrt(L1 L2)``.
    found
        Whether the curves cross inside the W they share; if not, the values are NaN.
    W, W_error, W_interval
        The crossing, its bootstrap standard deviation and percentile interval.
    gamma, gamma_error
        Γ at the crossing and its bootstrap standard deviation.
    n_failed
        Bootstrap replicates whose curves do not cross (left out of the errors).
    """

    L1: int
    L2: int
    L: float
    found: bool
    W: float = math.nan
    W_error: float = math.nan
    W_interval: tuple[float, float] = (math.nan, math.nan)
    gamma: float = math.nan
    gamma_error: float = math.nan
    n_failed: int = 0

    def to_dict(self) -> dict:
        """A JSON-safe dict."""
        out: dict[str, Any] = {"L1": self.L1, "L2": self.L2, "L": self.L, "found": self.found}
        for name in ("W", "W_error", "gamma", "gamma_error"):
            out[name] = json_float(getattr(self, name))
        out["W_interval"] = [json_float(v) for v in self.W_interval]
        out["n_failed"] = self.n_failed
        return out

    def __str__(self) -> str:
        if not self.found:
            return f"L = {self.L1} x {self.L2}: no crossing inside the W range"
        return (
            f"L = {self.L1} x {self.L2}: W = {format_pm(self.W, self.W_error)}, "
            f"Γ = {format_pm(self.gamma, self.gamma_error)}"
        )


@dataclass(frozen=True)
class CrossingSet:
    """The crossings of all pairs of successive sizes.

    Attributes
    ----------
    stat
        The statistic Γ.
    crossings
        One :class:`Crossing` per pair ``(L[i], L[i+1])``, by increasing L.
    degree, window
        The local polynomial (see :func:`find_crossing`).
    n_boot, seed, ci
        Bootstrap replicates, seed and the level of the intervals.
    boot_W
        Replicates of the crossing W, shape ``(n_boot, len(crossings))`` (NaN: no root).
    """

    stat: str
    crossings: tuple[Crossing, ...]
    degree: int
    window: int
    n_boot: int
    seed: int
    ci: float
    boot_W: np.ndarray = field(repr=False, compare=False)

    @property
    def found(self) -> tuple[Crossing, ...]:
        """The crossings that exist."""
        return tuple(c for c in self.crossings if c.found)

    def to_dict(self) -> dict:
        """A JSON-safe dict."""
        return {
            "stat": self.stat,
            "degree": self.degree,
            "window": self.window,
            "n_boot": self.n_boot,
            "seed": self.seed,
            "ci": self.ci,
            "crossings": [c.to_dict() for c in self.crossings],
        }

    def __str__(self) -> str:
        lines = [
            f"crossings of {FSS_STATS[self.stat]} between successive L "
            f"(degree-{self.degree} fit to {self.window} W; bootstrap B = {self.n_boot})",
            f"{'L1':>5} {'L2':>5} {'sqrt(L1 L2)':>11}  {'W_cross':>16}  {'Γ_cross':>16}",
        ]
        for c in self.crossings:
            if not c.found:
                lines.append(f"{c.L1:>5} {c.L2:>5} {c.L:>11.1f}  no crossing in the W range")
                continue
            w, g = format_pm(c.W, c.W_error), format_pm(c.gamma, c.gamma_error)
            fail = f"  ({c.n_failed} replicates do not cross)" if c.n_failed else ""
            lines.append(f"{c.L1:>5} {c.L2:>5} {c.L:>11.1f}  {w:>16}  {g:>16}{fail}")
        return "\n".join(lines)


# ------------------------------------------------------------------- pairs
def pair_curves(data: FSSData, L1: int, L2: int, gamma: np.ndarray | None = None):
    """``(W, Γ1, Γ2, σ1, σ2)`` on the W where both sizes have a point, sorted by W.

    ``gamma`` replaces ``data.gamma`` (a bootstrap replicate, or several as rows).
    """
    g = data.gamma if gamma is None else gamma
    i1 = {float(w): i for i, (w, x) in enumerate(zip(data.W, data.L, strict=True)) if x == L1}
    i2 = {float(w): i for i, (w, x) in enumerate(zip(data.W, data.L, strict=True)) if x == L2}
    Ws = sorted(set(i1) & set(i2))
    a = np.array([i1[w] for w in Ws], dtype=int)
    b = np.array([i2[w] for w in Ws], dtype=int)
    return np.array(Ws), g[..., a], g[..., b], data.sigma[a], data.sigma[b]


def curves_cross(data: FSSData, L1: int, L2: int) -> bool:
    """Whether Γ(W, L2) - Γ(W, L1) changes sign on the W both sizes share."""
    W, g1, g2, _, _ = pair_curves(data, L1, L2)
    return W.size >= 2 and _sign_change(W, g2 - g1) is not None


def _estimate(W, g1, g2, weights, degree: int, window: int) -> tuple[float, float]:
    """The crossing W of two curves and Γ there (NaN, NaN if they do not cross)."""
    k = _sign_change(W, g2 - g1)
    if k is None:
        return math.nan, math.nan
    fit = _LocalFit.build(W, weights, k, degree, window)
    return fit.crossing(g1[fit.idx], g2[fit.idx])


def _crossing(data, L1, L2, boot, degree, window, ci) -> tuple[Crossing, np.ndarray]:
    """The crossing of one pair, with the same estimate repeated on every replicate."""
    W, g1, g2, s1, s2 = pair_curves(data, L1, L2)
    L = math.sqrt(L1 * L2)
    if W.size < 2 or _sign_change(W, g2 - g1) is None:
        return Crossing(L1, L2, L, False), np.full(boot.shape[0], math.nan)
    wts = 1 / np.hypot(s1, s2)
    Wx, Gx = _estimate(W, g1, g2, wts, degree, window)
    _, b1, b2, _, _ = pair_curves(data, L1, L2, boot)
    reps = np.array(
        [_estimate(W, r1, r2, wts, degree, window) for r1, r2 in zip(b1, b2, strict=True)]
    )
    bW, bG = reps[:, 0], reps[:, 1]
    ok = np.isfinite(bW)
    if ok.sum() < 2:
        return Crossing(L1, L2, L, True, Wx, gamma=Gx, n_failed=int((~ok).sum())), bW
    crossing = Crossing(
        L1,
        L2,
        L,
        True,
        Wx,
        W_error=float(np.std(bW[ok], ddof=1)),
        W_interval=quantiles(bW[ok], ci),
        gamma=Gx,
        gamma_error=float(np.std(bG[ok], ddof=1)),
        n_failed=int((~ok).sum()),
    )
    return crossing, bW


@dataclass(frozen=True)
class _LocalFit:
    """The local polynomial of one pair: fixed window, weights, degree and bracket."""

    idx: np.ndarray  # indices of the window in the full (sorted) W
    W: np.ndarray  # the window's W
    weights: np.ndarray | None
    degree: int
    k: int  # the bracket is [W[k], W[k + 1]] within the window

    @classmethod
    def build(cls, W: np.ndarray, weights, k: int, degree: int, window: int) -> _LocalFit:
        idx = _window(W, k, window)
        kk = int(np.flatnonzero(idx == k)[0])
        w = None if weights is None else weights[idx]
        return cls(idx, W[idx], w, min(degree, idx.size - 1), kk)

    def root(self, d: np.ndarray) -> float:
        """The root of the local fit of d; linear interpolation if it leaves the window."""
        lo, hi = self.W[self.k], self.W[self.k + 1]
        x = _local_root(self.W, d, self.weights, self.degree, (lo + hi) / 2)
        if self.W[0] <= x <= self.W[-1]:
            return x
        d0, d1 = d[self.k], d[self.k + 1]
        if d0 * d1 <= 0 and d0 != d1:
            return float(lo + (hi - lo) * d0 / (d0 - d1))
        return math.nan

    def crossing(self, g1: np.ndarray, g2: np.ndarray) -> tuple[float, float]:
        """The root of Γ2 - Γ1, and the local fit of (Γ1 + Γ2)/2 there."""
        Wx = self.root(g2 - g1)
        if not math.isfinite(Wx):
            return math.nan, math.nan
        near = (self.W[self.k] + self.W[self.k + 1]) / 2
        mean = P.polyfit(self.W - near, (g1 + g2) / 2, self.degree, w=self.weights)
        return Wx, float(P.polyval(Wx - near, mean))


def crossings_of_data(
    data: FSSData,
    degree: int = DEFAULT_DEGREE,
    window: int = DEFAULT_WINDOW,
    n_boot: int = DEFAULT_FSS_BOOT,
    seed: int = 0,
    ci: float = DEFAULT_CI,
) -> CrossingSet:
    """:func:`fss_crossings` of prepared points (:func:`~betascale.analysis.fss_data.fss_data`)."""
    _check_curves([0.0, 1.0], [0.0, 1.0], None, degree, window)
    if int(n_boot) != n_boot or n_boot < 10:
        raise InputError(f"the bootstrap needs at least 10 replicates, got {n_boot}")
    if not 0 < ci < 1:
        raise InputError(f"the confidence level must lie in (0, 1), got {ci}")
    boot = data.bootstrap(int(n_boot), seed)
    sizes = data.sizes
    out = [
        _crossing(data, a, b, boot, int(degree), int(window), ci)
        for a, b in itertools.pairwise(sizes)
    ]
    bW = np.column_stack([b for _, b in out])
    return CrossingSet(
        data.stat, tuple(c for c, _ in out), int(degree), int(window), int(n_boot), seed, ci, bW
    )


def fss_crossings(
    table: SampleTable,
    stat: str = DEFAULT_FSS_STAT,
    W_range: Sequence[float] | None = None,
    lmin: int = 0,
    degree: int = DEFAULT_DEGREE,
    window: int = DEFAULT_WINDOW,
    n_boot: int = DEFAULT_FSS_BOOT,
    seed: int = 0,
    ci: float = DEFAULT_CI,
) -> CrossingSet:
    """The crossings of the Γ(W) curves of successive sizes, with bootstrap errors.

    Parameters
    ----------
    table
        The samples.
    stat
        The statistic Γ (:data:`~betascale.analysis.fss_data.FSS_STATS`).
    W_range, lmin
        Restrict to ``W_range[0] <= W <= W_range[1]`` and ``L >= lmin``.
    degree, window
        Local polynomial of the difference of the curves (see :func:`find_crossing`).
    n_boot, seed, ci
        Bootstrap replicates (at least 10), seed of ``numpy.random.default_rng`` and
        the level of the percentile intervals.

    Returns
    -------
    CrossingSet
        One crossing per pair of successive sizes; a pair whose curves do not cross
        inside the W range is reported as not found (no error).

    Notes
    -----
    The drift of the crossings with L towards W_c comes from the irrelevant
    scaling variable (Slevin & Ohtsuki, New J. Phys. 16, 015012 (2014)).
    """
    data = fss_data(table, stat, W_range, lmin)
    return crossings_of_data(data, degree, window, n_boot, seed, ci)

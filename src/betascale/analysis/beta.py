"""Numerical beta functions between successive sizes, with bootstrap errors.

For each disorder strength W and successive sizes ``L1 < L2``,
``beta = [ln G(L2) - ln G(L1)] / [ln L2 - ln L1]``, placed at the geometric mean
size ``sqrt(L1 L2)`` and at the geometric mean conductance ``sqrt(G(L1) G(L2))``
(to first order in the difference this is the G at the geometric mean size). G is
one ensemble statistic, chosen by name (:data:`~betascale.analysis.ensembles.STATS`).
Error bars come from a bootstrap over disorder samples: each replicate resamples
the samples of every (W, L) ensemble independently, with replacement (the ensembles
are independent), and recomputes every G and beta. Intervals are percentile
intervals, 68 % by default (see ``PHYSICS.md``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from betascale.analysis import statistics
from betascale.analysis.ensembles import (
    DEFAULT_STAT,
    STATS,
    check_stat,
    group_indices,
    per_sample_values,
    require_samples,
    table_stats,
)
from betascale.analysis.results import quantiles
from betascale.analysis.statistics import bootstrap_replicates, mean_rows
from betascale.errors import InputError
from betascale.serialization import json_float
from betascale.store import SampleTable

DEFAULT_BOOT = 1000
#: Most bootstrap replicates (each keeps a row of every beta point in memory).
MAX_BOOT = 100_000
#: Confidence level of the bootstrap percentile intervals (one-sigma-like).
DEFAULT_CI = 0.68


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
            "G": json_float(self.G),
            "G_error": json_float(self.G_error),
            "G_interval": [json_float(x) for x in self.G_interval],
            "beta": json_float(self.beta),
            "beta_error": json_float(self.beta_error),
            "beta_interval": [json_float(x) for x in self.beta_interval],
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


def bootstrap_means(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Means of ``n_boot`` resamples (with replacement) of ``values``."""
    return bootstrap_replicates(values, n_boot, rng, mean_rows)


def check_n_boot(n_boot: int) -> int:
    """Return ``n_boot`` if it is an integer in [20, :data:`MAX_BOOT`], else raise InputError."""
    if isinstance(n_boot, bool) or int(n_boot) != n_boot or n_boot < 20:
        raise InputError(
            f"n_boot must be >= 20 (the bootstrap needs at least 20 replicates), got {n_boot}"
        )
    if n_boot > MAX_BOOT:
        raise InputError(f"n_boot must be <= {MAX_BOOT} replicates, got {n_boot}")
    return int(n_boot)


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
    require_samples(table)
    have = set(group_indices(table))
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
            f"L = {', '.join(map(str, Ls))} (complete the run first; lmin, "
            "--lmin, leaves out the smaller sizes)"
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
        A statistic of :data:`~betascale.analysis.ensembles.STATS`: ``"mean_T"`` (⟨T⟩),
        ``"mean_g"`` (⟨g⟩ contact-corrected), ``"typical"`` (``exp⟨ln g⟩``) or one
        registered in :mod:`~betascale.analysis.statistics`.
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
    n_boot = check_n_boot(n_boot)
    if not 0 < ci < 1:
        raise InputError(f"ci must lie in (0, 1) (a confidence level), got {ci}")
    Ws, Ls = check_grid(table, W, L)
    groups = group_indices(table)
    stats = {(s.W, s.L): s for s in table_stats(table)}
    rng = np.random.default_rng(seed)
    T_all = np.asarray(table.T, dtype=float)
    points, bG, bB = [], [], []
    for w in Ws:  # the replicates are drawn W by W, then L by L
        G_hat, G_boot = [], []
        for x in Ls:
            T, s = T_all[groups[(w, x)]], stats[(w, x)]
            G, boot = _G_with_replicates(T, s, stat, n_boot, rng, f"W={w:g}, L={x}")
            G_hat.append(G)
            G_boot.append(boot)
        for i in range(len(Ls) - 1):
            point, Gm_b, beta_b = _beta_point(
                w, Ls[i : i + 2], G_hat[i : i + 2], G_boot[i : i + 2], ci
            )
            points.append(point)
            bG.append(Gm_b)
            bB.append(beta_b)
    return BetaSet(tuple(points), np.column_stack(bG), np.column_stack(bB), ci)


def _G_with_replicates(T: np.ndarray, s, stat: str, n_boot: int, rng, where: str):
    """The statistic G of one ensemble (samples ``T``, statistics ``s``) and its replicates.

    Both must be > 0 (``ln G`` enters beta); the replicates resample ``T`` with ``rng``.
    """
    v = per_sample_values(T, s.N, stat, where)
    boot = bootstrap_replicates(v, n_boot, rng, statistics.get(stat).replicate)
    G = s.G(stat).mean
    if not (G > 0 and np.all(boot > 0)):
        raise InputError(f"{where}: {STATS[stat]} is not positive; ln G is undefined")
    return G, boot


def _beta_point(w: float, Ls, G_hat, G_boot, ci) -> tuple[BetaPoint, np.ndarray, np.ndarray]:
    """The beta point between the sizes ``Ls = (L1, L2)``, with its replicates of G and beta."""
    (L1, L2), (G1, G2), (b1, b2) = Ls, G_hat, G_boot
    dlnL = math.log(L2 / L1)
    beta_b = np.log(b2 / b1) / dlnL
    Gm_b = np.sqrt(b1 * b2)
    point = BetaPoint(
        W=w,
        L1=L1,
        L2=L2,
        L=math.sqrt(L1 * L2),
        G=math.sqrt(G1 * G2),
        G_error=float(np.std(Gm_b, ddof=1)),
        G_interval=quantiles(Gm_b, ci),
        beta=math.log(G2 / G1) / dlnL,
        beta_error=float(np.std(beta_b, ddof=1)),
        beta_interval=quantiles(beta_b, ci),
    )
    return point, Gm_b, beta_b

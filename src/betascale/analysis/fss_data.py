"""The data of a finite-size-scaling analysis: one ensemble statistic Γ(W, L) per point.

Every (W, L) ensemble of a sample table becomes one point with the statistic Γ, its
standard error σ and the per-sample values behind it, so that every part of the
analysis (the fit of :mod:`~betascale.analysis.fss`, the crossings of
:mod:`~betascale.analysis.fss_crossings`) can bootstrap over disorder samples in the
same way as :func:`betascale.analysis.beta_points`: resample each ensemble
independently, with replacement, and recompute Γ.

The statistics Γ are those declared in :mod:`~betascale.analysis.statistics`
(⟨T⟩, ⟨g⟩, ⟨ln g⟩, ``exp⟨ln g⟩`` and any registered one), each computed per sample by
its declared function and estimated by its declared estimator.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields

import numpy as np

from betascale.analysis import statistics
from betascale.analysis.ensembles import group_indices, require_samples
from betascale.analysis.statistics import (
    StatisticView,
    bootstrap_replicates,
    per_sample_values,
)
from betascale.errors import InputError
from betascale.store import SampleTable

#: The statistics Γ a finite-size-scaling fit can use (every registered one).
FSS_STATS = StatisticView("text", "fss")
#: Mathtext labels of :data:`FSS_STATS`, for legends.
FSS_STAT_LABELS = StatisticView("label", "fss")
#: Short mathtext symbols of :data:`FSS_STATS`, for axes.
FSS_STAT_SYMBOLS = StatisticView("symbol", "fss")
#: Default statistic: the contact-corrected ⟨g⟩.
DEFAULT_FSS_STAT = statistics.DEFAULT_STAT


def check_fss_stat(stat: str) -> str:
    """Return ``stat`` if it names a statistic of :data:`FSS_STATS`, else raise InputError."""
    return statistics.check(stat, "fss")


def subset_table(table: SampleTable, keep: np.ndarray) -> SampleTable:
    """The rows of ``table`` where the boolean mask ``keep`` is true."""
    if hasattr(table, "select"):
        return table.select(keep)
    return type(table)(*(getattr(table, f.name)[keep] for f in fields(table)))


def select_samples(
    table: SampleTable,
    W_range: Sequence[float] | None = None,
    lmin: int = 0,
) -> SampleTable:
    """The samples with ``W_range[0] <= W <= W_range[1]`` and ``L >= lmin``.

    Raises
    ------
    InputError
        For an empty table, several fluxes, a malformed ``W_range`` or one without data, or an
        ``lmin`` that leaves fewer than two sizes.
    """
    require_samples(table)
    flux = np.unique(np.asarray(table.flux, dtype=float))
    if flux.size > 1:
        raise InputError(
            f"the table holds {flux.size} fluxes; finite-size scaling needs one "
            "(select it with table.at_flux(phi))"
        )
    W = np.asarray(table.W, dtype=float)
    keep = np.ones(W.size, dtype=bool)
    if W_range is not None:
        lo, hi = _check_range(W_range)
        keep &= (W >= lo - 1e-12) & (W <= hi + 1e-12)
        if not keep.any():
            have = ", ".join(f"{w:g}" for w in np.unique(W))
            raise InputError(f"W_range [{lo:g}, {hi:g}] holds no data (W = {have})")
    sizes = np.unique(np.asarray(table.L)[keep])
    kept = sizes[sizes >= lmin]
    if len(kept) < 2 <= len(sizes):
        raise InputError(
            f"lmin = {lmin} leaves {len(kept)} size(s) of {sizes.tolist()}; "
            "finite-size scaling needs at least two"
        )
    keep &= np.asarray(table.L) >= lmin
    return subset_table(table, keep)


def _check_range(W_range: Sequence[float]) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in W_range)
    except (TypeError, ValueError):
        raise InputError(f"W_range must be two numbers (lo, hi), got {W_range!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise InputError(f"W_range must be finite with lo < hi, got ({lo:g}, {hi:g})")
    return lo, hi


# ------------------------------------------------------------------ the points
@dataclass(frozen=True)
class FSSData:
    """One statistic Γ(W, L) per (W, L) ensemble, ordered by W then L.

    Attributes
    ----------
    stat
        The statistic (a key of :data:`FSS_STATS`).
    W, L
        Disorder strength and size of each point.
    gamma, sigma
        Γ and its standard error, by the statistic's declared estimator (of the mean;
        ``Γ · err⟨ln g⟩`` for ``typical``).
    n, N
        Samples and open lead channels of each point.
    values
        The per-sample values (T, g or ln g) of each point, whose estimator gives Γ.
    """

    stat: str
    W: np.ndarray
    L: np.ndarray
    gamma: np.ndarray
    sigma: np.ndarray
    n: np.ndarray
    N: np.ndarray
    values: tuple[np.ndarray, ...] = field(repr=False, compare=False)

    def __len__(self) -> int:
        return int(self.W.size)

    @property
    def sizes(self) -> list[int]:
        """The sizes L, sorted."""
        return sorted({int(x) for x in self.L})

    @property
    def disorders(self) -> list[float]:
        """The disorder strengths W, sorted."""
        return sorted({float(w) for w in self.W})

    def bootstrap(self, n_boot: int, seed: int | np.random.Generator = 0) -> np.ndarray:
        """Γ of ``n_boot`` bootstrap replicates, shape ``(n_boot, len(self))``.

        Each replicate resamples every (W, L) ensemble independently, with
        replacement, from ``numpy.random.default_rng(seed)`` (no global state); the
        same seed gives the same replicates, so fits and crossings share them.
        """
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        reduce = statistics.get(self.stat).replicate
        boot = [bootstrap_replicates(v, int(n_boot), rng, reduce) for v in self.values]
        return np.column_stack(boot)

    def subset(self, keep: np.ndarray) -> FSSData:
        """The points where the boolean mask ``keep`` is true."""
        keep = np.asarray(keep, dtype=bool)
        vals = tuple(v for v, k in zip(self.values, keep, strict=True) if k)
        arrays = (self.W, self.L, self.gamma, self.sigma, self.n, self.N)
        W, L, gamma, sigma, n, N = (a[keep] for a in arrays)
        return FSSData(self.stat, W, L, gamma, sigma, n, N, vals)


def fss_data(
    table: SampleTable,
    stat: str = DEFAULT_FSS_STAT,
    W_range: Sequence[float] | None = None,
    lmin: int = 0,
) -> FSSData:
    """The points Γ(W, L) ± σ of ``table`` for a finite-size-scaling analysis.

    Parameters
    ----------
    table
        The samples (:class:`betascale.store.SampleTable`).
    stat
        ``"mean_T"``, ``"mean_g"``, ``"mean_lng"``, ``"typical"`` or a registered
        statistic (:data:`FSS_STATS`).
    W_range
        ``(lo, hi)``: keep only ``lo <= W <= hi`` (default: every W).
    lmin
        Leave out sizes ``L < lmin``.

    Raises
    ------
    InputError
        Unknown statistic, empty table, a W range without data, fewer than two sizes,
        an ensemble with fewer than 2 samples or several N, or a statistic undefined
        for the data (ballistic or zero T, see :func:`per_sample_values`).
    """
    check_fss_stat(stat)
    table = select_samples(table, W_range, lmin)
    points = [_point(table, w, x, idx, stat) for (w, x), idx in group_indices(table).items()]
    if len({p[1] for p in points}) < 2:
        raise InputError(
            f"finite-size scaling needs at least two sizes L, got only L = {points[0][1]}"
        )
    kinds = (float, int, float, float, int, int)
    cols: list[np.ndarray] = [
        np.array([p[k] for p in points], dtype=t) for k, t in enumerate(kinds)
    ]
    W, L, gamma, sigma, n, N = cols
    return FSSData(stat, W, L, gamma, sigma, n, N, tuple(p[6] for p in points))


def _point(table: SampleTable, w: float, x: int, idx: np.ndarray, stat: str) -> tuple:
    """``(W, L, Γ, σ, n, N, values)`` of the ensemble at (w, x)."""
    where = f"W={w:g}, L={x}"
    Ns = np.unique(np.asarray(table.N)[idx])
    if Ns.size != 1:
        raise InputError(f"{where}: the number of open channels N differs between samples")
    if idx.size < 2:
        raise InputError(f"{where} has {idx.size} sample(s); error bars need at least 2")
    v = per_sample_values(np.asarray(table.T, dtype=float)[idx], int(Ns[0]), stat, where)
    est = statistics.get(stat).estimate(v)
    if not est.error > 0:
        raise InputError(f"{where}: all samples are identical; Γ has no error to weight the fit")
    return w, x, est.mean, est.error, idx.size, int(Ns[0]), v

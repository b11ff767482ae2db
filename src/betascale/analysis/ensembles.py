"""Ensemble statistics of one (W, L) disorder ensemble, each with its standard error.

Per (W, L): n, ⟨T⟩, var T, ⟨ln T⟩, the contact-corrected conductance
``g = 1/(1/T - 1/N)`` both from ⟨T⟩ and per sample, ⟨g⟩, ⟨ln g⟩ and the typical
``exp⟨ln g⟩``, and every statistic registered in :mod:`~betascale.analysis.statistics`
(where each statistic, built-in or not, is declared once: its per-sample function and
its estimator). Each is an :class:`Estimate` that carries its standard error (as
NetKet's ``Stats`` does).

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

import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from betascale.analysis import statistics
from betascale.analysis.results import Estimate, format_pm
from betascale.analysis.statistics import (
    BALLISTIC_RTOL,
    DEFAULT_STAT,
    StatisticView,
    contact_corrected,
    mean_estimate,
    per_sample_values,
    variance_estimate,
)
from betascale.errors import InputError
from betascale.store import SampleTable

__all__ = [
    "DEFAULT_STAT",
    "STATS",
    "STAT_LABELS",
    "STAT_SYMBOLS",
    "EnsembleStats",
    "Estimate",
    "check_stat",
    "contact_corrected",
    "ensemble_stats",
    "format_pm",
    "group_indices",
    "mean_estimate",
    "per_sample_values",
    "require_samples",
    "table_stats",
    "variance_estimate",
]

#: The ensemble statistics that beta can be computed from, with their table labels
#: (a live view of :mod:`~betascale.analysis.statistics`).
STATS = StatisticView("text", "beta")
#: Mathtext labels of the statistics, for figure legends and axes.
STAT_LABELS = StatisticView("label", "beta")
#: Short mathtext symbol of each statistic, for axis labels.
STAT_SYMBOLS = StatisticView("symbol", "beta")

#: Relative tolerance above N within which T is taken as T = N (ballistic).
_BALLISTIC_RTOL = BALLISTIC_RTOL


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
    statistics
        Every registered statistic by name (:mod:`~betascale.analysis.statistics`),
        the built-ins being the fields above.
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
    statistics: Mapping[str, Estimate] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Every statistic by name: the built-ins are the fields above, the others
        # (registered in :mod:`~betascale.analysis.statistics`) come in ``statistics``.
        builtin = {"mean_T": self.mean_T, "mean_g": self.mean_g, "mean_lng": self.mean_ln_g,
                   "typical": self.typical_g}  # fmt: skip
        object.__setattr__(self, "statistics", {**builtin, **self.statistics})

    def G(self, stat: str) -> Estimate:
        """The statistic named ``stat`` (one of :data:`STATS`)."""
        return self.statistics[check_stat(stat)]

    @property
    def extra(self) -> dict[str, Estimate]:
        """The registered statistics beyond the built-in fields."""
        return {k: v for k, v in self.statistics.items() if k not in statistics.BUILTIN}

    def __str__(self) -> str:
        head = f"ensemble W={self.W:g}, L={self.L} (M={self.M}, N={self.N}): {self.n} samples" + (
            f", {self.n_ballistic} ballistic" if self.n_ballistic else ""
        )
        rows = [(label, str(getattr(self, name))) for name, label in _LABELS.items()]
        rows += [(statistics.get(k).short, str(v)) for k, v in self.extra.items()]
        width = max(len(label) for label, _ in rows)
        return "\n".join([head] + [f"  {label:<{width}} = {value}" for label, value in rows])

    def to_dict(self) -> dict:
        """A JSON-safe dict (registered statistics beyond the built-ins under ``statistics``)."""
        out: dict[str, Any] = {"W": self.W, "L": self.L, "M": self.M, "N": self.N, "n": self.n}
        for name in _LABELS:
            out[name] = getattr(self, name).to_dict()
        out["n_ballistic"] = self.n_ballistic
        if self.extra:
            out["statistics"] = {k: v.to_dict() for k, v in self.extra.items()}
        return out


_LABELS = {
    "mean_T": "<T>",
    "var_T": "var T",
    "mean_lnT": "<ln T>",
    "g_of_means": "1/(1/<T> - 1/N)",
    "mean_g": "<g>",
    "mean_ln_g": "<ln g>",
    "typical_g": "exp<ln g>",
}


def check_stat(stat: str) -> str:
    """Return ``stat`` if it names a statistic of :data:`STATS`, else raise InputError."""
    return statistics.check(stat, "beta")


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
    est = _estimates(T, N)
    mean_T = est["mean_T"]
    if mean_T.mean >= N * (1 - _BALLISTIC_RTOL):
        g_of_means = Estimate(math.inf, math.nan)
    else:
        gm = mean_T.mean * N / (N - mean_T.mean)
        g_of_means = Estimate(gm, (N / (N - mean_T.mean)) ** 2 * mean_T.error)
    with np.errstate(divide="ignore"):
        lnT = np.log(T)
    return EnsembleStats(
        W=float(W),
        L=int(L),
        M=int(M),
        N=int(N),
        n=int(T.size),
        mean_T=mean_T,
        var_T=variance_estimate(T),
        mean_lnT=mean_estimate(lnT),
        g_of_means=g_of_means,
        mean_g=est["mean_g"],
        mean_ln_g=est["mean_lng"],
        typical_g=est["typical"],
        n_ballistic=int(np.count_nonzero(np.isinf(contact_corrected(T, N)))),
        statistics=est,
    )


def _estimates(T: np.ndarray, N: int) -> dict[str, Estimate]:
    """Every registered statistic of one ensemble, by its declared estimator.

    Undefined values are kept (inf for ballistic samples, ``exp⟨ln g⟩ = 0`` for
    ``T = 0``); the analyses that need a defined statistic refuse it through
    :func:`per_sample_values`. A registered statistic whose own per-sample function
    refuses the data is NaN here.
    """
    out = {}
    for name in statistics.names("fss"):
        s = statistics.get(name)
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                out[name] = s.estimate(np.asarray(s.per_sample(T, int(N)), dtype=float))
        except InputError:
            if name in statistics.BUILTIN:
                raise
            out[name] = Estimate(math.nan, math.nan)
    return out


def require_samples(table: SampleTable) -> None:
    """Refuse an empty table with one line; under MPI on a rank other than 0 (where
    :func:`betascale.run` returns an empty table) the line says so.

    Raises
    ------
    InputError
        If ``table`` has no sample.
    """
    if len(table):
        return
    text = "no successful samples to analyse (the store is empty)"
    mpi = sys.modules.get("mpi4py.MPI")  # imported by a run under MPI; never imported here
    rank = mpi.COMM_WORLD.Get_rank() if mpi is not None else 0
    if rank:
        text = (
            f"no samples to analyse on MPI rank {rank}: betascale.run returns the samples "
            "on rank 0 only (analyse them there, or open the run's store on every rank)"
        )
    raise InputError(text)


def group_indices(table: SampleTable) -> dict[tuple[float, int], np.ndarray]:
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
    require_samples(table)
    out = []
    for (W, L), idx in group_indices(table).items():
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

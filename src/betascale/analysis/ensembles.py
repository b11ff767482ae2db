"""Ensemble statistics of one (W, L) disorder ensemble, each with its standard error.

Per (W, L): n, ⟨T⟩, var T, ⟨ln T⟩, the contact-corrected conductance
``g = 1/(1/T - 1/N)`` both from ⟨T⟩ and per sample, ⟨g⟩, ⟨ln g⟩ and the typical
``exp⟨ln g⟩``. Each is an :class:`Estimate` that carries its standard error of the
mean (as NetKet's ``Stats`` does).

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
from dataclasses import dataclass

import numpy as np

from betascale.errors import InputError
from betascale.serialization import json_float
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

#: Relative tolerance above N within which T is taken as T = N (ballistic).
_BALLISTIC_RTOL = 1e-9


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
        return {"mean": json_float(self.mean), "error": json_float(self.error)}


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


def mean_estimate(x: np.ndarray) -> Estimate:
    n = x.size
    mean = float(np.mean(x))
    if not math.isfinite(mean):
        return Estimate(mean, math.nan)
    return Estimate(mean, float(np.std(x, ddof=1) / math.sqrt(n)))


def variance_estimate(x: np.ndarray) -> Estimate:
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

    def __str__(self) -> str:
        head = f"ensemble W={self.W:g}, L={self.L} (M={self.M}, N={self.N}): {self.n} samples" + (
            f", {self.n_ballistic} ballistic" if self.n_ballistic else ""
        )
        rows = [(label, str(getattr(self, name))) for name, label in _LABELS.items()]
        width = max(len(label) for label, _ in rows)
        return "\n".join([head] + [f"  {label:<{width}} = {value}" for label, value in rows])

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
    mean_T = mean_estimate(T)
    if mean_T.mean >= N * (1 - _BALLISTIC_RTOL):
        g_of_means = Estimate(math.inf, math.nan)
    else:
        gm = mean_T.mean * N / (N - mean_T.mean)
        g_of_means = Estimate(gm, (N / (N - mean_T.mean)) ** 2 * mean_T.error)
    mean_ln_g = mean_estimate(ln_g)
    with np.errstate(over="ignore"):
        typ = math.exp(mean_ln_g.mean) if mean_ln_g.mean < 700 else math.inf
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
        mean_g=mean_estimate(g),
        mean_ln_g=mean_ln_g,
        typical_g=Estimate(typ, typ * mean_ln_g.error),
        n_ballistic=int(np.count_nonzero(np.isinf(g))),
    )


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
    if len(table) == 0:
        raise InputError("no successful samples to analyse (the store is empty)")
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


def per_sample_values(T: np.ndarray, N: int, stat: str, where: str) -> np.ndarray:
    """Per-sample quantity whose mean gives the statistic (T, g or ln g)."""
    if stat == "mean_T":
        return T
    g = contact_corrected(T, N)
    if np.any(np.isinf(g)):
        raise InputError(
            f"{where}: {np.count_nonzero(np.isinf(g))} sample(s) have T = N (ballistic), where "
            f"the contact-corrected g is infinite; use the statistic mean_T"
        )
    if stat == "mean_g":
        return g
    if np.any(g <= 0):
        raise InputError(
            f"{where}: {np.count_nonzero(g <= 0)} sample(s) have T = 0, where ln g is -inf; "
            "the typical statistic is undefined, use the statistic mean_g"
        )
    return np.log(g)

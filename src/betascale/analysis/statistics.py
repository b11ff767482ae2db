"""The ensemble statistics, each declared once, in one registry.

A statistic Γ of a (W, L) disorder ensemble is a :class:`Statistic`: its name, its
texts (a plain-text description for reports and command-line help, a short table
header, a mathtext label and symbol for figures), its per-sample function of the
transmissions T and the open channels N, its estimator (the value and standard error
of one ensemble) and its bootstrap replicate (Γ of resampled ensembles), and what it
can be used for. Every table, fit, report, finite-size-scaling data reader, plot and
command-line help reads these declarations: adding a statistic is one call to
:func:`register`, e.g. from a user's module::

    register(Statistic("median_g", "median g, contact-corrected", "med g",
                       r"median $g$", r"\\mathrm{med}\\,g", conductance,
                       estimate=median_estimate, replicate=median_rows))

The built-in statistics (Slevin & Ohtsuki, Phys. Rev. Lett. 82, 382 (1999), fit the
conductance; Asada, Slevin & Ohtsuki, Phys. Rev. B 70, 035115 (2004), also ⟨ln g⟩):

* ``mean_T``: ⟨T⟩, the two-terminal conductance;
* ``mean_g``: ⟨g⟩ of the contact-corrected ``g = 1/(1/T - 1/N)`` per sample
  (Büttiker's four-terminal formula, Beenakker, Rev. Mod. Phys. 69, 731 (1997));
* ``mean_lng``: ⟨ln g⟩ (may be negative: finite-size scaling only, where its beta is
  ``d⟨ln g⟩/d ln L``, that of the typical conductance);
* ``typical``: ``exp⟨ln g⟩``, error ``exp⟨ln g⟩ · err⟨ln g⟩`` (first-order error
  propagation).

Uses: every statistic can be the Γ of finite-size scaling (kind ``"fss"``); a
``positive`` one (Γ > 0, so ``ln Γ`` exists) can be the G of ``beta = d ln G / d ln L``
(kind ``"beta"``); a ``linear`` one (a mean of a quantity linear in g) can be the
statistic of weak localization and magnetoconductance (kind ``"linear"``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from betascale import validation
from betascale.analysis.results import Estimate
from betascale.errors import InputError

__all__ = [
    "BUILTIN",
    "DEFAULT_STAT",
    "KINDS",
    "Statistic",
    "StatisticView",
    "bootstrap_replicates",
    "check",
    "conductance",
    "contact_corrected",
    "exp_mean_estimate",
    "exp_mean_rows",
    "get",
    "help_text",
    "log_conductance",
    "mean_estimate",
    "mean_rows",
    "median_estimate",
    "median_rows",
    "names",
    "per_sample_values",
    "register",
    "transmission",
    "unregister",
    "variance_estimate",
]

#: Relative tolerance above N within which T is taken as T = N (ballistic).
BALLISTIC_RTOL = 1e-9
#: The uses of a statistic (see the module docstring).
KINDS = ("fss", "beta", "linear")
#: The default statistic of beta, weak localization and finite-size scaling.
DEFAULT_STAT = "mean_g"


# ------------------------------------------------------------ per-sample functions
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
    if np.any(T > N * (1 + BALLISTIC_RTOL)):
        raise InputError(f"T exceeds the number of open channels N (T = {T.max()}), impossible")
    ballistic = T >= N * (1 - BALLISTIC_RTOL)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(ballistic, np.inf, T * N / np.where(ballistic, 1.0, N - T))
    return g


def transmission(T: np.ndarray, N: int) -> np.ndarray:
    """The per-sample two-terminal conductance T itself (in e²/h)."""
    return np.asarray(T, dtype=float)


def conductance(T: np.ndarray, N: int) -> np.ndarray:
    """The per-sample contact-corrected g (:func:`contact_corrected`); inf if ballistic."""
    return contact_corrected(T, N)


def log_conductance(T: np.ndarray, N: int) -> np.ndarray:
    """The per-sample ``ln g``; ``+inf`` for a ballistic sample, ``-inf`` for ``T = 0``."""
    with np.errstate(divide="ignore"):
        return np.log(contact_corrected(T, N))


# ------------------------------------------------------------------ estimators
def mean_estimate(x: np.ndarray) -> Estimate:
    """The mean of ``x`` with its standard error ``std(x, ddof=1)/sqrt(n)``."""
    n = x.size
    mean = float(np.mean(x))
    if not math.isfinite(mean):
        return Estimate(mean, math.nan)
    return Estimate(mean, float(np.std(x, ddof=1) / math.sqrt(n)))


def exp_mean_estimate(x: np.ndarray) -> Estimate:
    """``exp⟨x⟩`` with the propagated error ``exp⟨x⟩ · err⟨x⟩`` (inf above ⟨x⟩ = 700)."""
    m = mean_estimate(x)
    value = math.exp(m.mean) if m.mean < 700 else math.inf
    return Estimate(value, value * m.error)


def median_estimate(x: np.ndarray) -> Estimate:
    """The median of ``x`` with its large-sample standard error ``1/(2 f(m) sqrt n)``.

    The density at the median, ``f(m)``, is estimated by the Maritz–Jarrett-like
    difference quotient of the order statistics ``n/2 ± sqrt(n)/2`` (Hall & Sheather,
    J. R. Stat. Soc. B 50, 381 (1988), with the simple bandwidth ``sqrt(n)``).
    """
    n = x.size
    s = np.sort(x)
    h = max(1, int(math.sqrt(n) / 2))
    lo, hi = max(0, n // 2 - h), min(n - 1, n // 2 + h)
    spread = float(s[hi] - s[lo])
    error = spread * math.sqrt(n) / (2 * (hi - lo)) if hi > lo else math.nan
    return Estimate(float(np.median(x)), error)


def variance_estimate(x: np.ndarray) -> Estimate:
    """Sample variance (ddof=1) with its standard error from the fourth moment."""
    n = x.size
    s2 = float(np.var(x, ddof=1))
    m4 = float(np.mean((x - x.mean()) ** 4))
    se2 = (m4 - s2 * s2 * (n - 3) / (n - 1)) / n
    return Estimate(s2, math.sqrt(max(se2, 0.0)))


def mean_rows(x: np.ndarray) -> np.ndarray:
    """The mean of each row of resampled values: the replicates of a mean."""
    return x.mean(axis=1)


def exp_mean_rows(x: np.ndarray) -> np.ndarray:
    """``exp`` of the mean of each row: the replicates of ``exp⟨x⟩``."""
    return np.exp(x.mean(axis=1))


def median_rows(x: np.ndarray) -> np.ndarray:
    """The median of each row: the replicates of a median."""
    return np.median(x, axis=1)


def bootstrap_replicates(
    values: np.ndarray,
    n_boot: int,
    rng: np.random.Generator,
    reduce: Callable[[np.ndarray], np.ndarray] = mean_rows,
) -> np.ndarray:
    """``reduce`` of ``n_boot`` resamples (with replacement) of ``values``.

    The resamples are drawn from ``rng`` in chunks of at most about 2e6 values;
    ``reduce`` maps each row of a chunk (one resample) to its statistic.
    """
    n = values.size
    out = np.empty(n_boot)
    chunk = max(1, min(n_boot, 2_000_000 // max(n, 1)))
    for start in range(0, n_boot, chunk):
        stop = min(n_boot, start + chunk)
        idx = rng.integers(0, n, size=(stop - start, n))
        out[start:stop] = reduce(values[idx])
    return out


# ------------------------------------------------------------------ declaration
@dataclass(frozen=True)
class Statistic:
    """One ensemble statistic Γ, declared once.

    Attributes
    ----------
    name
        Its key (``--stat`` on the command line), a Python identifier.
    text
        Plain-text description, for reports, tables and help, e.g. ``<g>, contact-corrected``.
    short
        Short plain-text table header, e.g. ``<g>``.
    label, symbol
        Mathtext legend label and symbol (for axes), e.g. ``\\langle g\\rangle``.
    per_sample
        ``(T, N) -> values``: the per-sample quantity of an ensemble (may hold ``±inf``
        where it is undefined: ballistic or zero-transmission samples).
    estimate
        ``values -> Estimate``: Γ of one ensemble and its standard error.
    replicate
        ``(n_boot, n) resampled values -> (n_boot,) Γ``: the bootstrap replicates.
    contact_corrected
        Whether it is built on the contact-corrected g (refusal messages name it).
    positive
        Γ > 0 always, so ``beta = d ln Γ / d ln L`` exists (kind ``"beta"``).
    linear
        A mean of a quantity linear in g (kind ``"linear"``: weak localization).
    log_of
        For a Γ that is the logarithm of another statistic, that statistic's name:
        its finite-size-scaling beta is ``dΓ/d ln L`` against ``exp Γ`` (and Γ has no
        unit).
    log_symbol
        Mathtext of ``ln Γ`` where it is simpler than ``ln`` + symbol (``⟨ln g⟩`` for
        ``typical``), for the axis of beta.
    """

    name: str
    text: str
    short: str
    label: str
    symbol: str
    per_sample: Callable[[np.ndarray, int], np.ndarray]
    estimate: Callable[[np.ndarray], Estimate] = mean_estimate
    replicate: Callable[[np.ndarray], np.ndarray] = mean_rows
    contact_corrected: bool = True
    positive: bool = True
    linear: bool = False
    log_of: str | None = None
    log_symbol: str = ""

    def uses(self) -> tuple[str, ...]:
        """The kinds (:data:`KINDS`) of analysis this statistic can be used in."""
        flags = {"fss": True, "beta": self.positive, "linear": self.linear}
        return tuple(k for k in KINDS if flags[k])


_REGISTRY: dict[str, Statistic] = {}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def register(stat: Statistic, replace: bool = False) -> Statistic:
    """Add ``stat`` to the registry (refused for a taken name unless ``replace``).

    Raises
    ------
    InputError
        For a name that is not an identifier, is taken, or is a built-in, or for a
        ``log_of`` that names no registered statistic.
    """
    if not isinstance(stat, Statistic):
        raise InputError(f"register takes a Statistic, got {type(stat).__name__}")
    if not _NAME.match(stat.name):
        raise InputError(f"a statistic's name must be an identifier, got {stat.name!r}")
    if stat.name in BUILTIN and _REGISTRY.get(stat.name) is not stat:
        raise InputError(f"{stat.name!r} is a built-in statistic and cannot be replaced")
    if stat.name in _REGISTRY and not replace:
        raise InputError(f"a statistic named {stat.name!r} is already registered")
    if stat.log_of is not None and stat.log_of not in _REGISTRY:
        raise InputError(f"{stat.name}: log_of names no statistic ({stat.log_of!r})")
    _REGISTRY[stat.name] = stat
    return stat


def unregister(name: str) -> None:
    """Remove the statistic ``name`` (refused for the built-ins)."""
    if name in BUILTIN:
        raise InputError(f"{name!r} is a built-in statistic and cannot be removed")
    _REGISTRY.pop(name, None)


def names(kind: str = "fss") -> tuple[str, ...]:
    """The names of the statistics usable as ``kind`` (:data:`KINDS`), in registry order."""
    validation.choice("kind", kind, KINDS)
    return tuple(n for n, s in _REGISTRY.items() if kind in s.uses())


def check(stat: str, kind: str = "fss") -> str:
    """Return ``stat`` if it names a statistic usable as ``kind``, else raise InputError."""
    options = names(kind)
    if kind == "linear":  # the default first: it is the one to suggest
        options = tuple(sorted(options, key=lambda n: n != DEFAULT_STAT))
    return validation.choice("stat", stat, options)


def get(stat: str, kind: str = "fss") -> Statistic:
    """The declaration of ``stat``, checked to be usable as ``kind``."""
    return _REGISTRY[check(stat, kind)]


def help_text(kind: str = "fss") -> str:
    """``name = text`` of every statistic usable as ``kind``, for command-line help."""
    return "; ".join(f"{n} = {_REGISTRY[n].text}" for n in names(kind))


def per_sample_values(T: np.ndarray, N: int, stat: str, where: str) -> np.ndarray:
    """Per-sample values of ``stat`` whose estimator gives Γ (e.g. T, g or ln g).

    Raises
    ------
    InputError
        Naming ``where``, if a sample is ballistic (``T = N``, infinite g) or has
        ``T = 0`` (``ln g = -inf``) where the statistic needs g or ln g.
    """
    s = get(stat)
    v = np.asarray(s.per_sample(np.asarray(T, dtype=float), int(N)), dtype=float)
    if np.all(np.isfinite(v)):
        return v
    n_inf, n_neg = np.count_nonzero(v == np.inf), np.count_nonzero(v == -np.inf)
    if n_inf and s.contact_corrected:
        raise InputError(
            f"{where}: {n_inf} sample(s) have T = N (ballistic), where "
            f"the contact-corrected g is infinite; use the statistic mean_T"
        )
    if n_neg and s.contact_corrected:
        raise InputError(
            f"{where}: {n_neg} sample(s) have T = 0, where ln g is -inf; "
            f"the {stat} statistic is undefined, use the statistic mean_g"
        )
    bad = np.count_nonzero(~np.isfinite(v))
    raise InputError(f"{where}: {bad} sample(s) give a non-finite {s.text}")


class StatisticView(Mapping):
    """A live read-only mapping ``name -> attribute`` over the statistics of one kind.

    ``STATS``, ``STAT_LABELS`` and the like are views, so that a statistic registered
    later appears in them (and in every table, plot and help that reads them).
    """

    def __init__(self, attribute: str, kind: str) -> None:
        self._attribute, self._kind = attribute, kind

    def __getitem__(self, name: str) -> str:
        if name not in names(self._kind):
            raise KeyError(name)
        return getattr(_REGISTRY[name], self._attribute)

    def __iter__(self) -> Iterator[str]:
        return iter(names(self._kind))

    def __len__(self) -> int:
        return len(names(self._kind))

    def __repr__(self) -> str:
        return repr(dict(self))


# ------------------------------------------------------------------ built-ins
_CC = "contact-corrected"
BUILTIN = ("mean_T", "mean_g", "mean_lng", "typical")
for _stat in (
    Statistic("mean_T", "<T> (two-terminal, no contact correction)", "<T>",
              r"$\langle T\rangle$ (two-terminal)", r"\langle T\rangle", transmission,
              contact_corrected=False, linear=True),
    Statistic("mean_g", f"<g>, {_CC}", "<g>", rf"$\langle g\rangle$, {_CC}",
              r"\langle g\rangle", conductance, linear=True),
    Statistic("mean_lng", f"<ln g>, {_CC}", "<ln g>", rf"$\langle\ln g\rangle$, {_CC}",
              r"\langle\ln g\rangle", log_conductance, positive=False, log_of="typical"),
    Statistic("typical", f"exp<ln g>, {_CC}", "exp<ln g>",
              rf"$\exp\langle\ln g\rangle$, {_CC}", r"\exp\langle\ln g\rangle",
              log_conductance, estimate=exp_mean_estimate, replicate=exp_mean_rows,
              log_symbol=r"\langle\ln g\rangle"),
):  # fmt: skip
    _REGISTRY[_stat.name] = _stat  # declared here, in this order (that of tables and help)

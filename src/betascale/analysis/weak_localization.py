"""The weak-localization coefficient d<g>/d ln L, with its finite-size correction.

For each flux value and disorder strength W: the slopes ``[<g>(L2) - <g>(L1)] /
ln(L2/L1)`` between successive sizes at ``L/ell`` (ell the Born mean free path,
:func:`betascale.theory.mean_free_path`); a weighted least-squares fit ``<g>(L) = g0 +
a ln L + c/L`` (:func:`fit_log_size`); a joint fit over several W sharing ``a``, with
the chi² test of sharing (:func:`joint_fit`). Errors: bootstrap over samples. ``a`` is
shown next to ``-1/pi`` (orthogonal), ``+1/pi`` (symplectic, both spins) or
``-1/(2 pi^2 <g>)`` (unitary, at the data's ``<g>``).

The unitary class has no one-loop term: its joint fit (one W or more) is the two-loop
flow ``d<g>/d ln L = -c2/<g> - c4/<g>^3`` integrated from a reference size, plus the
same ``c/L`` remainder, with ``c2`` shared and compared with ``1/(2 pi^2)``
(:mod:`~betascale.analysis.two_loop`, which also holds the least squares of every law).

The finite-size term
--------------------
The one-loop form ``g0 ∓ (1/pi) ln(L/ell)`` holds for ``L >> ell`` (Hikami, Larkin &
Nagaoka, Prog. Theor. Phys. 63, 707 (1980)). For the contact-corrected ``g`` of a
square between ideal leads the Drude part is L-independent; the interference
correction is a Cooperon mode sum cut off at ``1/L`` and ``1/ell``, and the region
within about ``ell`` of the leads, where the diffusion approximation fails (there the
correction is reduced: Dmitriev, Gornyi & Kachorovskii, arXiv:cond-mat/9703239), adds
a remainder of relative order ``ell/L``. For the two-terminal ``<T>`` the Drude form
``T = g_D L/(L + ell_D)`` gives ``c = -g_D ell_D`` at order ``1/L`` (Beenakker, Rev.
Mod. Phys. 69, 731 (1997), Sec. II). So ``c/L`` is the leading (phenomenological: no
closed form is known here) correction in both cases; ``corrections=2`` adds ``d/L^2``,
``corrections=0`` fits the pure logarithm (with ``lmin >> ell``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from betascale import theory
from betascale.analysis import statistics
from betascale.analysis.beta import DEFAULT_BOOT, DEFAULT_CI, bootstrap_means
from betascale.analysis.ensembles import (
    DEFAULT_STAT,
    STATS,
    Estimate,
    format_pm,
    group_indices,
    per_sample_values,
)
from betascale.analysis.fit import DEFAULT_GMIN
from betascale.analysis.gls import chi2_sf
from betascale.analysis.results import Result, fields_dict, quantiles
from betascale.analysis.two_loop import (
    ONE_LOOP,
    TWO_LOOP,
    Law,
    law_of,
    least_squares,
    resolution_note,
    sigmas_from_zero,
)
from betascale.errors import InputError
from betascale.models import DEFAULT_HAMILTONIAN, get_family
from betascale.store import SampleTable

#: The statistics whose size dependence weak localization predicts (linear in g): the
#: ones declared ``linear`` in :mod:`~betascale.analysis.statistics` (a live view).
WL_STATS = statistics.StatisticView("text", "linear")
_COEF_NAMES = ("y0", "a", "c", "d")
_TERMS = ("y0", "a ln L", "c/L", "d/L^2")
_form = {k: " + ".join(["g0", *_TERMS[1 : 2 + k]]) for k in (0, 1, 2)}
#: The ⟨g⟩ floor of the unitary two-loop joint fit when ``gmin`` is higher
#: (:func:`joint_gmin`): the default ``gmin`` = 2 of the β fit would leave out the
#: unitary series of ⟨g⟩ ≈ 1.5, where the two-loop law holds to a few per cent.
TWO_LOOP_GMIN = 1.0


# ------------------------------------------------------------------ helpers
def split_by_flux(table: SampleTable) -> dict[float, SampleTable]:
    """The samples of each flux value, keyed and ordered by the flux."""
    return {float(f): table.at_flux(f) for f in np.unique(np.asarray(table.flux, dtype=float))}


def check_options(model_class: str, stat: str, corrections: int, n_boot: int) -> None:
    """Raise InputError for a bad class, statistic, number of corrections or bootstrap."""
    theory.check_class(model_class)
    statistics.check(stat, "linear")
    if corrections not in (0, 1, 2):
        raise InputError(f"corrections must be 0, 1 or 2, got {corrections}")
    if int(n_boot) != n_boot or n_boot < 20:
        raise InputError(f"the bootstrap needs at least 20 replicates, got {n_boot}")


# ------------------------------------------------------------- linear fit in ln L
@dataclass(frozen=True)
class LogFit:
    """Weighted least-squares fit ``y(L) = y0 + a ln L + c/L (+ d/L^2)``.

    ``coef``, ``error`` and ``intervals`` are ``(y0, a, c, ...)``, their bootstrap
    standard deviations and percentile intervals; ``chi2``, ``dof`` and ``p_value``
    judge the fit with the standard errors of the means as weights.
    """

    L: tuple[int, ...]
    coef: tuple[float, ...]
    error: tuple[float, ...]
    intervals: tuple[tuple[float, float], ...]
    chi2: float
    dof: int
    p_value: float

    @property
    def a(self) -> float:
        """The coefficient of ``ln L``."""
        return self.coef[1]

    @property
    def sigma_a(self) -> float:
        return self.error[1]

    @property
    def form(self) -> str:
        return " + ".join(_TERMS[: len(self.coef)])

    def __call__(self, L) -> np.ndarray:
        """The fitted curve at ``L``."""
        return _design(np.asarray(L, dtype=float), len(self.coef) - 2) @ np.asarray(self.coef)

    def to_dict(self) -> dict:
        """A JSON-safe dict; ``names`` labels the entries of ``coef``, ``error``, ``intervals``."""
        return fields_dict(self, form=self.form, names=_COEF_NAMES[: len(self.coef)])


def _design(L: np.ndarray, corrections: int) -> np.ndarray:
    cols = [np.ones_like(L), np.log(L)] + [L ** -(k + 1) for k in range(corrections)]
    return np.stack(cols, axis=-1)


def _wls(X: np.ndarray, y: np.ndarray, se: np.ndarray, boot: np.ndarray, ci: float):
    """Weighted linear least squares (:func:`two_loop.least_squares` of ``X @ coef``)."""

    def model(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return theta @ X.T, X

    return least_squares(model, np.zeros(X.shape[1]), y, se, boot, ci, linear=True)


def fit_log_size(
    L: ArrayLike,
    y: ArrayLike,
    se: ArrayLike,
    boot: np.ndarray,
    corrections: int = 1,
    ci: float = DEFAULT_CI,
) -> LogFit:
    """Fit ``y = y0 + a ln L + sum_k c_k / L^k`` (k = 1..corrections), weights ``1/se^2``.

    ``L``, ``y``, ``se``: sizes, ensemble means and their standard errors (independent
    ensembles); ``boot``: bootstrap replicates of the means, shape ``(n_boot, len(L))``,
    each refitted with the same weights for the errors and ``ci`` intervals. Raises
    InputError with fewer sizes than coefficients or a zero standard error.
    """
    if corrections not in (0, 1, 2):
        raise InputError(f"corrections must be 0, 1 or 2, got {corrections}")
    L = np.asarray(L, dtype=float)
    if L.size < 2 + corrections:
        raise InputError(
            f"the fit with {corrections} correction term(s) needs at least {2 + corrections} "
            f"sizes, got {L.size} (L = {', '.join(f'{v:g}' for v in L)})"
        )
    y, se = np.asarray(y, dtype=float), np.asarray(se, dtype=float)
    coef, err, iv, chi2, dof = _wls(_design(L, corrections), y, se, boot, ci)
    return LogFit(tuple(int(v) for v in L), coef, err, iv, chi2, dof, chi2_sf(chi2, dof))


# ------------------------------------------------------------ size series
@dataclass(frozen=True)
class SizeSeries:
    """Means of a per-sample quantity at one (flux, W) against L, with bootstrap.

    ``L``, ``n``, ``mean`` and ``se`` per size; ``boot`` holds bootstrap replicates of
    the means, shape ``(n_boot, len(L))`` (the sizes are independent ensembles and are
    resampled independently).
    """

    flux: float
    W: float
    L: np.ndarray
    n: np.ndarray
    mean: np.ndarray
    se: np.ndarray
    boot: np.ndarray


def series_of_values(
    flux: float, W: float, values: dict[int, np.ndarray], n_boot: int, rng: np.random.Generator
) -> SizeSeries:
    """:class:`SizeSeries` of per-sample values keyed by L (at least 2 per size)."""
    sizes = sorted(values)
    v = [np.asarray(values[x], dtype=float) for x in sizes]
    se = [float(np.std(x, ddof=1) / math.sqrt(x.size)) for x in v]
    boot = np.column_stack([bootstrap_means(x, n_boot, rng) for x in v])
    mean = np.array([x.mean() for x in v])
    return SizeSeries(
        flux, W, np.array(sizes), np.array([x.size for x in v]), mean, np.array(se), boot
    )


def size_series(
    table: SampleTable, stat: str, n_boot: int, rng: np.random.Generator, lmin: int = 0
) -> list[SizeSeries]:
    """:class:`SizeSeries` of every W of a single-flux ``table`` (sizes ``L >= lmin``)."""
    flux = float(np.asarray(table.flux)[0]) if len(table) else 0.0
    T_all, N_all = np.asarray(table.T, dtype=float), np.asarray(table.N)
    by_w: dict[float, dict[int, np.ndarray]] = {}
    for (w, size), idx in group_indices(table).items():
        if size < lmin:
            continue
        where = f"flux={flux:g}, W={w:g}, L={size}"
        Ns = np.unique(N_all[idx])
        if Ns.size != 1:
            raise InputError(f"{where}: the number of open channels N differs between samples")
        if idx.size < 2:
            raise InputError(f"{where} has {idx.size} sample; error bars need at least 2")
        by_w.setdefault(w, {})[size] = per_sample_values(T_all[idx], int(Ns[0]), stat, where)
    return [series_of_values(flux, w, vals, n_boot, rng) for w, vals in by_w.items()]


# ------------------------------------------------------------------ results
class _VersusTheory(Result):
    """``pull`` and ``relative_deviation`` of a coefficient ``a`` against ``a_theory``."""

    _derived: tuple[str, ...] = ("pull", "relative_deviation")

    if TYPE_CHECKING:  # fields or properties of every subclass

        @property
        def a(self) -> float: ...

        @property
        def sigma_a(self) -> float: ...

        @property
        def a_theory(self) -> float: ...

    @property
    def pull(self) -> float:
        """``(a - a_theory)/sigma_a``."""
        return (self.a - self.a_theory) / self.sigma_a if self.sigma_a > 0 else math.nan

    @property
    def relative_deviation(self) -> float:
        """``a/a_theory - 1``."""
        return self.a / self.a_theory - 1 if self.a_theory else math.nan


@dataclass(frozen=True)
class WLSlope(Result):
    """``[<g>(L2) - <g>(L1)] / ln(L2/L1)`` at one (flux, W), with bootstrap error.

    ``L = sqrt(L1 L2)``; ``L_over_ell`` uses the Born mean free path (NaN if unknown);
    ``G`` is the mean of the two ``<g>``; ``predicted`` the one-loop slope of the class at
    G (:func:`theory.weak_localization_slope`).
    """

    flux: float
    W: float
    L1: int
    L2: int
    L: float
    L_over_ell: float
    G: float
    slope: float
    error: float
    interval: tuple[float, float]
    predicted: float


@dataclass(frozen=True)
class WLFit(_VersusTheory):
    """The fit ``<g>(L) = g0 + a ln L + c/L`` at one (flux, W), next to theory.

    ``model`` is the class at this flux; ``fit`` the :class:`LogFit`; ``ell`` the Born
    mean free path (NaN if unknown) and ``L_over_ell`` the range of ``L/ell``; ``G``
    the mean ``<g>`` over the fitted sizes; ``a_theory`` is ``-1/pi``, ``+1/pi`` or
    ``-1/(2 pi^2 G)`` (unitary).
    """

    flux: float
    W: float
    model: str
    fit: LogFit
    ell: float
    L_over_ell: tuple[float, float]
    G: float
    a_theory: float

    @property
    def a(self) -> float:
        return self.fit.a

    @property
    def sigma_a(self) -> float:
        return self.fit.sigma_a

    @property
    def c(self) -> Estimate:
        """The coefficient of ``1/L`` with its error (NaN without correction term)."""
        has = len(self.fit.coef) > 2
        return Estimate(*((self.fit.coef[2], self.fit.error[2]) if has else (math.nan,) * 2))

    _derived = ("a", "sigma_a", "pull", "relative_deviation")


@dataclass(frozen=True)
class WLJointFit(_VersusTheory):
    """A joint fit over the W at one flux, sharing the coefficient ``a`` of the class's law.

    The law (:mod:`~betascale.analysis.two_loop`) is ``law``: ``"one-loop"`` (orthogonal,
    symplectic: ``<g> = g0 + a ln L + c/L``, two W or more) or ``"two-loop"`` (unitary:
    ``<g> = G(L) + c/L`` with ``dG/d ln L = -c2/G - c4/G^3``, ``G(L_ref) = g0``, ``c4``
    fixed; one W or more), and ``coefficient`` names ``a`` (``"a"`` or ``"c2"``). ``a``,
    ``sigma_a``, ``a_interval`` and ``a_theory``: the shared coefficient, its bootstrap
    error and interval, the analytic value (``-1/pi``, ``+1/pi``, ``1/(2 pi^2)``); ``g0``
    and ``c`` per W (order of ``W``; ``c_error`` the errors of ``c``); ``chi2``,
    ``dof``, ``p_value`` of the joint fit.
    ``delta_chi2`` is ``chi2(joint) - sum chi2(separate)`` with ``delta_dof = len(W) -
    1``; a small ``p_shared`` (< 0.05) says that a common ``a`` is not supported (NaN
    with one W). ``form`` is the fitted form, ``L_ref`` the reference size of ``g0``;
    :attr:`significance` is ``|a|/sigma_a``.
    """

    flux: float
    model: str
    W: tuple[float, ...]
    a: float
    sigma_a: float
    a_interval: tuple[float, float]
    a_theory: float
    g0: tuple[float, ...]
    c: tuple[float, ...]
    chi2: float
    dof: int
    p_value: float
    delta_chi2: float
    delta_dof: int
    p_shared: float
    law: str = ONE_LOOP.name
    coefficient: str = ONE_LOOP.coefficient
    form: str = ""
    L_ref: float = 1.0
    c4: float = math.nan
    c_error: tuple[float, ...] = ()

    _derived = ("pull", "relative_deviation", "significance")

    @property
    def significance(self) -> float:
        """``|a|/sigma_a``, the distance of the coefficient from zero in standard errors."""
        return sigmas_from_zero(self.a, self.sigma_a)


def _joint_model(series: Sequence[SizeSeries], law: Law, corrections: int, L_ref: float):
    """``model(theta)`` of the joint fit (``theta = a, g0_1, c_1, ..., g0_2, ...``)."""
    k = 1 + corrections
    L = np.concatenate([s.L for s in series]).astype(float)
    col_g0 = 1 + k * np.concatenate([np.full(s.L.size, j) for j, s in enumerate(series)])
    rows, lnL, p = np.arange(L.size), np.log(L / L_ref), 1 + k * len(series)
    powers = [L ** -(m + 1) for m in range(corrections)]

    def model(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        f, d_g0, d_a = law.curve(lnL, theta[..., col_g0], theta[..., :1])
        J = np.zeros((*theta.shape[:-1], L.size, p))
        J[..., 0], J[..., rows, col_g0] = d_a, d_g0
        for m, Lm in enumerate(powers):
            f = f + theta[..., col_g0 + 1 + m] * Lm
            J[..., rows, col_g0 + 1 + m] = Lm
        return f, J

    return model, p


def _law_fit(series: Sequence[SizeSeries], law: Law, corrections: int, boot, ci: float):
    """:func:`two_loop.least_squares` of ``series`` by ``law`` (+ corrections), and L_ref."""
    L_ref = law.reference(np.concatenate([s.L for s in series]).astype(float))
    model, p = _joint_model(series, law, corrections, L_ref)
    y = np.concatenate([s.mean for s in series])
    if y.size < p:
        raise InputError(f"the joint fit has {y.size} points for {p} coefficients")
    start = np.zeros(p)
    start[1 :: 1 + corrections] = [float(np.mean(s.mean)) for s in series]
    se = np.concatenate([s.se for s in series])
    return least_squares(model, start, y, se, boot, ci, linear=law.linear), L_ref


def joint_fit(
    series: Sequence[SizeSeries],
    model: str,
    corrections: int = 1,
    ci: float = DEFAULT_CI,
    law: Law | None = None,
) -> WLJointFit:
    """Fit all ``series`` (one flux, several W) with one shared coefficient.

    ``<g>_W(L) = G(L; g0_W, a) + c_W/L (+ d_W/L^2)`` with the law of the class
    (:func:`two_loop.law_of`: ``g0 + a ln L`` for O/S, the unitary two-loop flow with
    ``a = c2``; or ``law``) by weighted least squares (weights ``1/se^2``), errors from
    refitting the bootstrap replicates. The sharing is tested against separate fits by
    ``delta_chi2`` with ``len(W) - 1`` degrees of freedom. Separate ``c_W`` are kept: the
    finite-size term depends on ell(W) (``c = -g_D ell_D ∝ ell^2`` for ⟨T⟩ at the Drude
    level; no closed form for ⟨g⟩). The one-loop law needs two W, the two-loop one one.
    """
    law = law_of(model) if law is None else law
    k, nW = 1 + corrections, len(series)
    if nW < (2 if law.linear else 1):
        raise InputError(f"a joint fit needs at least {2 if law.linear else 1} W, got {nW}")
    boot = np.hstack([s.boot for s in series])
    (coef, err, iv, chi2, dof), L_ref = _law_fit(series, law, corrections, boot, ci)
    separate = chi2
    if nW > 1:
        separate = sum(_law_fit([s], law, corrections, s.boot[:2], ci)[0][3] for s in series)
    delta = chi2 - separate
    p_shared = chi2_sf(max(delta, 0.0), nW - 1) if nW > 1 else math.nan
    G = float(np.mean(np.concatenate([s.mean for s in series])))
    form = " + ".join([law.form, *_TERMS[2 : 1 + k]])
    return WLJointFit(
        *(series[0].flux, model, tuple(s.W for s in series), coef[0], err[0], iv[0]),
        law.theory(model, G),
        tuple(coef[1 + k * j] for j in range(nW)),
        tuple(coef[2 + k * j] if corrections else math.nan for j in range(nW)),
        *(chi2, dof, chi2_sf(chi2, dof), delta, nW - 1, p_shared),
        *(law.name, law.coefficient, form, L_ref, math.nan if law.linear else law.c4),
        tuple(err[2 + k * j] if corrections else math.nan for j in range(nW)),
    )


# ---------------------------------------------------------- mean free path
EllSpec = Mapping[float, float] | Callable[[float], float] | float | None


def mean_free_paths(
    Ws: Sequence[float],
    model_class: str,
    E: float | None = None,
    hamiltonian: str | None = None,
    ell: EllSpec = None,
) -> tuple[dict[float, float], str]:
    """The mean free path of each W and a one-line note on where it comes from.

    ``ell`` (a mapping W -> ell, a function of W, or one number) overrides the Born
    :func:`theory.mean_free_path` (elastic), which needs ``E`` and the Anderson hopping
    (``hamiltonian=None``: Anderson unless symplectic). Otherwise NaN, and the note says why.
    """
    if ell is not None:
        get = ell.get if isinstance(ell, Mapping) else ell if callable(ell) else lambda _w: ell
        return {w: float(get(w) or math.nan) for w in Ws}, "ell given by the caller"
    nan = {w: math.nan for w in Ws}
    if E is None:
        return nan, "L/ell not computed: the Fermi energy E was not given"
    if hamiltonian is None and model_class == "symplectic":
        why = "for the Anderson hopping only (hamiltonian=su2/ando); pass ell"
        return nan, f"L/ell not computed: the Born mean free path is {why}"
    family = get_family(hamiltonian or DEFAULT_HAMILTONIAN)
    try:
        paths = {w: family.mean_free_path(w, E) if w > 0 else math.inf for w in Ws}
    except InputError as err:
        return nan, f"L/ell not computed: {err}"
    if None in paths.values():
        why = f"not known for the {family.label} (hamiltonian={family.name}); pass ell"
        return nan, f"L/ell not computed: the mean free path is {why}"
    note = f"ell = Born elastic mean free path v_rms tau at E = {E:g}"
    return {w: float(p) for w, p in paths.items() if p is not None}, note


# ------------------------------------------------------------- whole table
@dataclass(frozen=True)
class WeakLocalization:
    """Weak-localization slopes and fits of a sample table (see the module docstring).

    ``defined`` is False, with a one-line ``reason``, when the analysis does not apply.
    ``model`` is the class at zero flux, ``stat`` ``"mean_g"`` or ``"mean_T"``;
    ``slopes``, ``fits`` (per flux and W) and ``joint`` (per flux) are ordered by flux,
    W and L; ``skipped`` holds ``(flux, W or None, reason)`` for fits not made; ``ell``
    the ``(W, ell)`` pairs and ``ell_note`` their source; then the settings.
    """

    defined: bool
    reason: str
    model: str
    stat: str
    slopes: tuple[WLSlope, ...] = ()
    fits: tuple[WLFit, ...] = ()
    joint: tuple[WLJointFit, ...] = ()
    skipped: tuple[tuple[float, float | None, str], ...] = ()
    ell: tuple[tuple[float, float], ...] = ()
    ell_note: str = ""
    corrections: int = 1
    lmin: int = 0
    gmin: float = DEFAULT_GMIN
    n_boot: int = DEFAULT_BOOT
    seed: int = 0
    ci: float = DEFAULT_CI

    def to_dict(self) -> dict:
        """A JSON-safe dict."""
        return fields_dict(self, stat_label=STATS[self.stat], form=_form[self.corrections])

    def __str__(self) -> str:
        return format_weak_localization(self)


def _slopes(s: SizeSeries, model: str, ell: float, ci: float) -> list[WLSlope]:
    out = []
    for i in range(s.L.size - 1):
        L1, L2 = int(s.L[i]), int(s.L[i + 1])
        dln, L, G = math.log(L2 / L1), math.sqrt(L1 * L2), float(s.mean[i : i + 2].mean())
        boot = (s.boot[:, i + 1] - s.boot[:, i]) / dln
        slope = float((s.mean[i + 1] - s.mean[i]) / dln)
        err, pred = float(np.std(boot, ddof=1)), float(theory.weak_localization_slope(model, G))
        out.append(
            WLSlope(s.flux, s.W, L1, L2, L, L / ell, G, slope, err, quantiles(boot, ci), pred)
        )
    return out


def weak_localization(
    table: SampleTable,
    model_class: str,
    stat: str = DEFAULT_STAT,
    E: float | None = None,
    hamiltonian: str | None = None,
    ell: EllSpec = None,
    corrections: int = 1,
    lmin: int = 0,
    gmin: float = DEFAULT_GMIN,
    n_boot: int = DEFAULT_BOOT,
    seed: int = 0,
    ci: float = DEFAULT_CI,
) -> WeakLocalization:
    """Weak-localization slopes, finite-size fits and the shared coefficient of a table.

    Parameters
    ----------
    table
        The samples; each flux value is analysed separately (unitary at non-zero flux).
    model_class
        Class of the zero-flux samples: ``"orthogonal"``, ``"unitary"`` or ``"symplectic"``.
    stat
        ``"mean_g"`` (⟨g⟩ contact-corrected, default) or ``"mean_T"`` (⟨T⟩).
    E, hamiltonian, ell
        For ``L/ell``: see :func:`mean_free_paths`.
    corrections
        Correction terms of the fit: 0 (``g0 + a ln L``), 1 (``+ c/L``) or 2 (``+ d/L^2``).
    lmin, gmin
        Only sizes ``L >= lmin`` enter; only W with ⟨g⟩ >= gmin at every size enter the
        joint fit (pass a sub-table to choose the W).
    n_boot, seed, ci
        Bootstrap replicates, seed of ``numpy.random.default_rng`` and interval level.

    Returns
    -------
    WeakLocalization
        ``defined=False`` with a reason if no (flux, W) has two sizes or the statistic
        is undefined for the data (ballistic samples for ⟨g⟩).
    """
    check_options(model_class, stat, corrections, n_boot)
    settings: dict[str, Any] = dict(corrections=corrections, lmin=int(lmin), gmin=float(gmin))
    settings.update(n_boot=int(n_boot), seed=int(seed), ci=float(ci))

    def undefined(reason: str) -> WeakLocalization:
        return WeakLocalization(False, reason, model_class, stat, **settings)

    if len(table) == 0:
        return undefined("no samples")
    rng = np.random.default_rng(seed)
    tables = split_by_flux(table)
    try:
        per_flux = {f: size_series(t, stat, int(n_boot), rng, lmin) for f, t in tables.items()}
    except InputError as err:
        return undefined(str(err))
    Ws = sorted({s.W for ss in per_flux.values() for s in ss})
    ells, note = mean_free_paths(Ws, model_class, E, hamiltonian, ell)
    parts = _analyse(per_flux, model_class, ells, corrections, gmin, ci)
    if not parts[0]:
        return undefined(f"no (flux, W) has two sizes L >= {lmin}; d<g>/d ln L needs two")
    out = (*parts, tuple(ells.items()), note)
    return WeakLocalization(True, "", model_class, stat, *out, **settings)


def class_at_flux(model_class: str, flux: float) -> str:
    """The class of samples at ``flux``: ``model_class`` at zero flux, else unitary."""
    return model_class if flux == 0 else "unitary"


def joint_gmin(model: str, gmin: float) -> float:
    """The ⟨g⟩ floor of the W in a joint fit: ``gmin``, at most :data:`TWO_LOOP_GMIN`
    for the unitary class (its two-loop law keeps the next term, 7.6 % of the fitted
    one at g = 1: :mod:`~betascale.analysis.two_loop`)."""
    return min(gmin, TWO_LOOP_GMIN) if model == "unitary" else gmin


def _analyse(per_flux, model_class, ells, corrections, gmin, ci):
    slopes, fits, joints, skipped = [], [], [], []
    for flux, series in per_flux.items():
        model = class_at_flux(model_class, flux)
        flux_fits = []
        for s in series:
            slopes += _slopes(s, model, ells[s.W], ci)
            try:
                fit = fit_log_size(s.L, s.mean, s.se, s.boot, corrections, ci)
                G, ell = float(np.mean(s.mean)), ells[s.W]
                a = float(theory.weak_localization_slope(model, G))
                L_ell = (s.L.min() / ell, s.L.max() / ell)
                flux_fits.append(WLFit(flux, s.W, model, fit, ell, L_ell, G, a))
            except InputError as err:
                skipped.append((flux, s.W, f"fit skipped: {err}"))
        fits += flux_fits
        by_w, floor, law = {s.W: s for s in series}, joint_gmin(model, gmin), law_of(model)
        use = [by_w[f.W] for f in flux_fits if float(np.min(by_w[f.W].mean)) >= floor]
        try:
            if len(use) >= (2 if law.linear else 1):
                joints.append(joint_fit(use, model, corrections, ci, law))
            elif flux_fits:
                few = "fewer than two W" if law.linear else "no W"
                raise InputError(f"{few} with <g> >= gmin = {floor:g} at all L")
        except InputError as err:
            skipped.append((flux, None, f"{law.name} joint fit skipped: {err}"))
    return tuple(slopes), tuple(fits), tuple(joints), tuple(skipped)


# ------------------------------------------------------------------ report
def _f(x: float, fmt: str = ".3g") -> str:
    return "-" if not math.isfinite(x) else format(x, fmt)


def format_weak_localization(wl: WeakLocalization) -> str:
    """Plain-text tables of a :class:`WeakLocalization` (slopes, fits, joint fits).

    The heading names the class of each flux; ``leading`` is the leading-order slope of
    that class (one loop for O/S, ``-1/(2 pi^2 <g>)`` at two loops for U).
    """
    from betascale.text import table as _table

    fluxes = sorted({s.flux for s in wl.slopes})
    classes = ", ".join(f"{class_at_flux(wl.model, f)} class at flux {f:g}" for f in fluxes)
    head = f"weak localization of {STATS[wl.stat]}, {classes or f'{wl.model} class'}"
    if not wl.defined:
        return f"{head}: not applicable ({wl.reason})"
    lines = [head, f"  {wl.ell_note}", "", "slope d<g>/d ln L between successive sizes"]
    cols: tuple[str, ...] = ("flux", "W", "L1", "L2", "L/ell", "<g>", "slope", "leading")
    rows: list[tuple[str, ...]] = [
        (
            *(f"{s.flux:g}", f"{s.W:g}", str(s.L1), str(s.L2), _f(s.L_over_ell)),
            f"{s.G:.3f}",
            format_pm(s.slope, s.error),
            f"{s.predicted:+.4f}",
        )
        for s in wl.slopes
    ]
    lines += _table(cols, rows)
    sizes = f" (L >= {wl.lmin})" if wl.lmin > 0 else " (every L)"
    lines += ["", f"fit <g>(L) = {_form[wl.corrections]}{sizes}"]
    cols = ("flux", "W", "L", "L/ell", "a", "leading", "dev", "pull", "c", "chi2/dof", "p")
    rows = [
        (
            *(f"{f.flux:g}", f"{f.W:g}", f"{f.fit.L[0]}-{f.fit.L[-1]}"),
            f"{_f(f.L_over_ell[0], '.2g')}-{_f(f.L_over_ell[1], '.3g')}",
            *(format_pm(f.a, f.sigma_a), f"{f.a_theory:+.4f}"),
            *(f"{_f(100 * f.relative_deviation, '+.0f')}%", _f(f.pull, "+.1f")),
            str(f.c) if math.isfinite(f.c.mean) else "-",
            *(f"{f.fit.chi2:.1f}/{f.fit.dof}", _f(f.fit.p_value, ".2g")),
        )
        for f in wl.fits
    ]
    lines += _table(cols, rows) if rows else ["  (none)"]
    for j in wl.joint:
        lines += ["", *_joint_lines(j)]
    skipped = [f"  flux {f:g}{'' if w is None else f', W {w:g}'}: {r}" for f, w, r in wl.skipped]
    return "\n".join(lines + skipped)


def _joint_lines(j: WLJointFit) -> list[str]:
    """The lines of one joint fit: its law, the coefficient against theory, chi2."""
    Ws, dev = ", ".join(f"{w:g}" for w in j.W), f"{100 * j.relative_deviation:+.1f} %"
    name, sig = j.coefficient, f"{_f(j.significance, '.1f')} sigma from zero"
    head = f"{j.law} joint fit at flux {j.flux:g} ({j.model} class), W = {Ws} (shared {name}):"
    if j.law == TWO_LOOP.name:
        theory_text = "theory 1/(2 pi^2) ="
        form = [f"  <g>(L) = {j.form}; {TWO_LOOP.flow}; L_ref = {j.L_ref:.3g}"]
    else:
        theory_text, form = "one-loop", []
    out = [head, *form]
    out.append(
        f"  {name} = {format_pm(j.a, j.sigma_a)}   {theory_text} {j.a_theory:+.4f}   "
        f"({dev}, pull {_f(j.pull, '+.1f')} sigma); {sig}"
    )
    chi2 = f"  chi2/dof = {j.chi2:.1f}/{j.dof}, p = {_f(j.p_value, '.2g')}"
    if j.delta_dof:
        chi2 += (
            f"; sharing {name}: delta chi2 = {j.delta_chi2:.1f}/{j.delta_dof}, "
            f"p = {_f(j.p_shared, '.2g')}"
        )
    note = resolution_note(name, j.a, j.sigma_a)
    return [*out, chi2, *([f"  {note}"] if note else [])]

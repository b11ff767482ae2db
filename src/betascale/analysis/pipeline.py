"""From a store (or a sample table) to a complete analysis: the pipeline.

:func:`analyze_table` runs the steps on a :class:`betascale.store.SampleTable`:
ensemble statistics (:mod:`~betascale.analysis.ensembles`), beta points with
bootstrap errors (:mod:`~betascale.analysis.beta`), the fit against the sigma model
(:mod:`~betascale.analysis.fit`) and the one-parameter-scaling test
(:mod:`~betascale.analysis.scaling_test`). :func:`analyze_samples` adds the
weak-localization slopes (:mod:`~betascale.analysis.weak_localization`) and, for a
flux scan, the magnetoconductance (:mod:`~betascale.analysis.magnetoconductance`);
:func:`analyze_store` opens a store first.

Every part that does not apply to the data is skipped with a one-line reason, never
an error: a fit with no point above ``gmin``, a weak-localization section of a store
with one size, a magnetoconductance section without a flux scan.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from betascale import theory, validation
from betascale.analysis import statistics
from betascale.analysis.beta import DEFAULT_BOOT, DEFAULT_CI, BetaSet, beta_points, check_n_boot
from betascale.analysis.ensembles import (
    DEFAULT_STAT,
    STATS,
    EnsembleStats,
    table_stats,
)
from betascale.analysis.fit import DEFAULT_GMIN, FitResult, fit_beta
from betascale.analysis.magnetoconductance import Magnetoconductance, magnetoconductance
from betascale.analysis.report import format_report
from betascale.analysis.scaling_test import ScalingTest, scaling_test
from betascale.analysis.weak_localization import WeakLocalization, weak_localization
from betascale.errors import InputError
from betascale.store import SampleTable, open_store


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
        None if the analysis was asked not to fit or the fit does not apply (then
        :attr:`fit_note` says why).
    scaling
        The :class:`ScalingTest`.
    n_boot, seed, gmin
        Bootstrap replicates and seed, fit threshold.
    table
        The samples analysed (for distributions).
    fit_note
        Why there is no fit, if there is none.
    flux
        The flux of the samples analysed (a study that scans the flux is analysed at one).
    weak_localization, magnetoconductance
        The weak-localization slopes and fits of the whole table (every flux) and the
        magnetoconductance of a flux scan (:func:`analyze_samples`; None from
        :func:`analyze_table`).
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
    fit_note: str | None = None
    flux: float = 0.0
    weak_localization: WeakLocalization | None = field(default=None, repr=False)
    magnetoconductance: Magnetoconductance | None = field(default=None, repr=False)

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
            "fit_note": self.fit_note,
            "scaling": self.scaling.to_dict(),
            "flux": self.flux,
            "weak_localization": _section(self.weak_localization),
            "magnetoconductance": _section(self.magnetoconductance),
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def __str__(self) -> str:
        return self.report()

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
        and gmin is not checked). A fit that does not apply (gmin leaves fewer than two
        points) is skipped, and :attr:`StoreAnalysis.fit_note` says why.

    Raises
    ------
    InputError
        Empty table, a single L, a (W, L) without samples, fewer than 2 samples in
        an ensemble, inconsistent N, or a statistic that is undefined for the data
        (ballistic or zero T).
    """
    theory.check_class(model_class)
    o = check_options(stat=stat, gmin=gmin, n_boot=n_boot, seed=seed, ci=ci, powers=powers, fit=fit)
    stat, gmin, n_boot, seed, ci, powers, fit = (
        o[k] for k in ("stat", "gmin", "n_boot", "seed", "ci", "powers", "fit")
    )
    betas = beta_points(table, stat=stat, n_boot=n_boot, seed=seed, ci=ci, W=W, L=L)
    result, note = None, None if fit else "not asked for"
    if fit:
        try:
            result = fit_beta(betas, model_class, stat=stat, gmin=gmin, powers=powers)
        except InputError as exc:
            note = f"skipped: {exc}"
    return StoreAnalysis(
        name=name,
        title=title if title is not None else model_class,
        model=model_class,
        stat=stat,
        ensembles=tuple(table_stats(table)),
        betas=betas,
        fit=result,
        scaling=scaling_test(betas),
        n_boot=n_boot,
        seed=seed,
        gmin=gmin,
        table=table,
        fit_note=note,
    )


#: The options of :func:`analyze_samples`, in the order of its signature.
OPTIONS = ("stat", "gmin", "n_boot", "seed", "ci", "powers", "fit", "lmin", "flux",
           "corrections", "hln_max_flux")  # fmt: skip


def check_options(
    stat: str = DEFAULT_STAT,
    gmin: float = DEFAULT_GMIN,
    n_boot: int = DEFAULT_BOOT,
    seed: int = 0,
    ci: float = DEFAULT_CI,
    powers: Sequence[int] | None = None,
    fit: bool = True,
    lmin: int = 0,
    flux: float | None = None,
    corrections: int = 1,
    hln_max_flux: float | None = None,
) -> dict:
    """The options of :func:`analyze_samples`, checked and in canonical form.

    Every value goes through :mod:`betascale.validation` (numbers are numbers, finite
    and in range; integers are integers; no bool for a number), so a bad option is an
    :class:`InputError` naming it before any data is touched. The command line calls
    this first, with its flag names, and the pipeline calls it again on its own.
    """
    out = {
        "stat": validation.choice("stat", stat, tuple(STATS)),
        "gmin": validation.finite("gmin", gmin),
        "n_boot": check_n_boot(validation.integer("n_boot", n_boot)),
        "seed": validation.seed("seed", seed),
        "ci": validation.confidence("ci", ci),
        "powers": None,
        "fit": validation.flag("fit", fit),
        "lmin": validation.integer("lmin", lmin, low=0),
        "flux": None if flux is None else validation.flux(flux),
        "corrections": validation.integer("corrections", corrections, low=0, high=2),
        "hln_max_flux": None,
    }
    if powers is not None:
        pair = validation.sequence("powers", powers, max_len=2)
        if len(pair) != 2:
            raise InputError(f"powers must be two integers (p, q), got {len(pair)}")
        out["powers"] = tuple(validation.integer("powers", v, low=1, high=16) for v in pair)
    if hln_max_flux is not None:
        out["hln_max_flux"] = validation.number("hln_max_flux", hln_max_flux, low=0.0)
    return out


def _section(part) -> dict | None:
    return None if part is None else part.to_dict()


def analyze_store(path: str | Path, **options) -> StoreAnalysis:
    """Open the store at ``path`` and analyse its samples (:func:`analyze_samples`).

    Examples
    --------
    >>> an = analyze_store("data/runs/orthogonal.sqlite", stat="mean_g", gmin=2)  # doctest: +SKIP
    >>> an.fit.a, an.fit.sigma_a, an.fit.a_theory  # doctest: +SKIP
    """
    path = Path(path)
    with open_store(path) as store:
        table = store.samples()
    if len(table) == 0:
        raise InputError(f"the store {path} has no successful samples; run the study first")
    return analyze_samples(table, **options)


def choose_flux(study, flux: float | None) -> float:
    """The flux to analyse: ``flux`` if the study has it; by default its only flux, or
    0 when it scans several (the class without a field)."""
    if flux is None:
        return 0.0 if 0.0 in study.flux else study.flux[0]
    if float(flux) not in study.flux:
        raise InputError(
            f"flux = {flux} is not among the study's fluxes {', '.join(map(str, study.flux))}"
        )
    return float(flux)


def analyze_samples(
    table: SampleTable,
    stat: str = DEFAULT_STAT,
    gmin: float = DEFAULT_GMIN,
    n_boot: int = DEFAULT_BOOT,
    seed: int = 0,
    ci: float = DEFAULT_CI,
    powers: tuple[int, int] | None = None,
    fit: bool = True,
    lmin: int = 0,
    flux: float | None = None,
    corrections: int = 1,
    hln_max_flux: float | None = None,
) -> StoreAnalysis:
    """Analyse the samples of a study (a table from a store or from :func:`betascale.run`).

    The symmetry class and the title come from the table's study; every (W, L) of the
    study's grid with ``L >= lmin`` must have samples. ``lmin`` leaves out the
    smallest sizes, which are not yet diffusive (L not much larger than the mean
    free path) and carry finite-size corrections to one-parameter scaling. A study
    that scans the flux has its beta analysed at one flux (``flux``; default 0 if
    scanned, else the study's flux); the weak-localization section covers every flux
    and the magnetoconductance section compares them; its HLN fits use the fluxes up to
    :func:`diffusive_flux_limit` unless ``hln_max_flux`` is given. ``corrections`` (the ``c/L``
    terms of their fits; lowered so that a fit keeps at least one degree of freedom
    per series: none with three sizes) and
    ``hln_max_flux`` are those of :func:`~betascale.analysis.weak_localization.
    weak_localization` and :func:`~betascale.analysis.magnetoconductance.
    magnetoconductance`; the other parameters are those of :func:`analyze_table`.
    """
    o = check_options(stat, gmin, n_boot, seed, ci, powers, fit, lmin, flux, corrections,
                      hln_max_flux)  # fmt: skip
    stat, gmin, n_boot, seed, ci, powers, fit, lmin, flux, corrections, hln_max_flux = (
        o[k] for k in OPTIONS
    )
    study = table.study
    if study is None:
        raise InputError("the samples carry no study; use analyze_table with the class")
    flux = choose_flux(study, flux)
    sizes = [size for size in study.L if size >= lmin]
    if len(sizes) < 2 <= len(study.L):
        raise InputError(
            f"lmin = {lmin} leaves {len(sizes)} size(s) of {list(study.L)}; beta needs two"
        )
    full = table.select(table.L >= lmin) if len(sizes) < len(study.L) else table
    spec = study.spec(flux)
    base = analyze_table(
        full.at_flux(flux), spec.symmetry_class, stat=stat, gmin=gmin, n_boot=n_boot,
        seed=seed, ci=ci, powers=powers, W=study.W, L=tuple(sizes), name=study.name,
        title=spec.describe(), fit=fit,
    )  # fmt: skip
    # A correction term needs a size to spare: with three sizes the fit of
    # g0 + a ln L + c/L would have no degree of freedom left and a meaningless error.
    corrections = max(0, min(corrections, len(sizes) - 3))
    options: dict[str, Any] = dict(n_boot=n_boot, seed=seed, ci=ci, corrections=corrections)
    wl_stat = stat if statistics.get(stat).linear else DEFAULT_STAT
    zero_class = study.spec(0.0).symmetry_class
    wl = weak_localization(
        full, zero_class, stat=wl_stat, E=study.model.E, hamiltonian=study.model.hamiltonian,
        gmin=gmin, **options,
    )  # fmt: skip
    if hln_max_flux is None:
        hln_max_flux = diffusive_flux_limit(study)
    mc = magnetoconductance(full, zero_class, stat=wl_stat, hln_max_flux=hln_max_flux, **options)
    return replace(base, flux=flux, weak_localization=wl, magnetoconductance=mc)


def diffusive_flux_limit(study) -> float | None:
    """The largest flux of the HLN fits by default: a quarter of ``1/(4 pi ell^2)``.

    The Hikami–Larkin–Nagaoka form holds for magnetic lengths well above the mean free
    path, below their transport field ``B_tr = hbar/(2 e ell^2)``, i.e.
    ``phi << 1/(4 pi ell^2)`` or ``l_B >> sqrt(2) ell`` (Hikami, Larkin & Nagaoka,
    Prog. Theor. Phys. 63, 707 (1980)); ``ell`` is the mean free path at the weakest
    disorder of the study, as its family declares it (``Family.mean_free_path``: the
    Born one for the Anderson model). None (every flux) where it is not known (SU(2)
    and Ando models, W = 0).
    """
    weakest = min(study.W)
    ell = study.model.family.mean_free_path(weakest, study.model.E) if weakest > 0 else None
    if ell is None:
        return None
    return 1.0 / (16.0 * math.pi * ell * ell)

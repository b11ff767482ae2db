"""Ensemble statistics, numerical beta functions and fits against the sigma model.

The analysis of a store runs in four steps (see ``PHYSICS.md``), one module each:

1. :mod:`~betascale.analysis.ensembles` — statistics per (W, L) with standard
   errors (:func:`ensemble_stats`, :func:`table_stats`), each statistic declared once
   in :mod:`~betascale.analysis.statistics` (:class:`Statistic`, :func:`register`);
2. :mod:`~betascale.analysis.beta` — the numerical beta between successive sizes
   with bootstrap errors (:func:`beta_points`);
3. :mod:`~betascale.analysis.fit` — the fit of the large-g points against the
   sigma model by generalised least squares (:func:`fit_beta`, built on
   :mod:`~betascale.analysis.gls`);
4. :mod:`~betascale.analysis.scaling_test` — the one-parameter-scaling test
   (:func:`scaling_test`).

Beside them: :mod:`~betascale.analysis.universality` (one β(g) per class across
lattices, :func:`universality`; critical conductances, :func:`critical_conductances`),
:mod:`~betascale.analysis.weak_localization` (the slope of ⟨g⟩ in ln L
with its finite-size correction, against ∓1/π), :mod:`~betascale.analysis.
magnetoconductance` (paired Δg of a flux scan, its slope, the HLN fit) and the
finite-size scaling of the symplectic transition (:mod:`~betascale.analysis.fss` and
its siblings).

:mod:`~betascale.analysis.pipeline` runs them on a sample table or a store
(:func:`analyze_table`, :func:`analyze_samples`, :func:`analyze_store`) and
:mod:`~betascale.analysis.report` formats the result as text. The result types share
:mod:`~betascale.analysis.results` (:class:`Estimate`, the :class:`Result` base).
"""

from betascale.analysis.beta import (
    DEFAULT_BOOT,
    DEFAULT_CI,
    BetaPoint,
    BetaSet,
    beta_points,
    bootstrap_means,
    check_grid,
)
from betascale.analysis.ensembles import (
    DEFAULT_STAT,
    STAT_LABELS,
    STAT_SYMBOLS,
    STATS,
    EnsembleStats,
    Estimate,
    check_stat,
    contact_corrected,
    ensemble_stats,
    format_pm,
    per_sample_values,
    table_stats,
)
from betascale.analysis.fit import DEFAULT_GMIN, FIT_POWERS, FitResult, fit_beta
from betascale.analysis.fss import (
    DEFAULT_ORDERS,
    ORDER_TABLE,
    FSSFit,
    FSSOrderTable,
    FSSParameter,
    fss_fit,
    fss_fit_data,
    fss_order_table,
)
from betascale.analysis.fss_beta import FSSBeta, fss_beta
from betascale.analysis.fss_crossings import (
    DEFAULT_FSS_BOOT,
    Crossing,
    CrossingSet,
    find_crossing,
    fss_crossings,
)
from betascale.analysis.fss_data import (
    DEFAULT_FSS_STAT,
    FSS_STAT_LABELS,
    FSS_STAT_SYMBOLS,
    FSS_STATS,
    FSSData,
    fss_data,
)
from betascale.analysis.fss_distribution import CriticalDistribution, critical_distribution
from betascale.analysis.fss_pipeline import FSSAnalysis, fss_analyze_store, fss_analyze_table
from betascale.analysis.magnetoconductance import (
    CooperonFit,
    DeltaFit,
    DeltaSlope,
    HLNFit,
    Magnetoconductance,
    PairedDelta,
    PrefactorFit,
    expected_alpha,
    expected_slope,
    fit_cooperon,
    fit_hln,
    magnetoconductance,
)
from betascale.analysis.pipeline import (
    StoreAnalysis,
    analyze_samples,
    analyze_store,
    analyze_table,
)
from betascale.analysis.report import format_report
from betascale.analysis.results import Result
from betascale.analysis.scaling_test import SCALING_MAX_KNOTS, ScalingTest, curve_test, scaling_test
from betascale.analysis.statistics import Statistic, register, unregister
from betascale.analysis.universality import (
    ClassCollapse,
    CriticalConductance,
    CriticalTable,
    LatticeCoefficient,
    UniversalityTest,
    critical_conductances,
    universality,
)
from betascale.analysis.weak_localization import (
    LogFit,
    WeakLocalization,
    WLFit,
    WLJointFit,
    WLSlope,
    fit_log_size,
    joint_fit,
    weak_localization,
)

__all__ = [
    "DEFAULT_BOOT",
    "DEFAULT_CI",
    "DEFAULT_FSS_BOOT",
    "DEFAULT_FSS_STAT",
    "DEFAULT_GMIN",
    "DEFAULT_ORDERS",
    "DEFAULT_STAT",
    "FIT_POWERS",
    "FSS_STATS",
    "FSS_STAT_LABELS",
    "FSS_STAT_SYMBOLS",
    "ORDER_TABLE",
    "SCALING_MAX_KNOTS",
    "STATS",
    "STAT_LABELS",
    "STAT_SYMBOLS",
    "BetaPoint",
    "BetaSet",
    "ClassCollapse",
    "CooperonFit",
    "CriticalConductance",
    "CriticalDistribution",
    "CriticalTable",
    "Crossing",
    "CrossingSet",
    "DeltaFit",
    "DeltaSlope",
    "EnsembleStats",
    "Estimate",
    "FSSAnalysis",
    "FSSBeta",
    "FSSData",
    "FSSFit",
    "FSSOrderTable",
    "FSSParameter",
    "FitResult",
    "HLNFit",
    "LatticeCoefficient",
    "LogFit",
    "Magnetoconductance",
    "PairedDelta",
    "PrefactorFit",
    "Result",
    "ScalingTest",
    "Statistic",
    "StoreAnalysis",
    "UniversalityTest",
    "WLFit",
    "WLJointFit",
    "WLSlope",
    "WeakLocalization",
    "analyze_samples",
    "analyze_store",
    "analyze_table",
    "beta_points",
    "bootstrap_means",
    "check_grid",
    "check_stat",
    "contact_corrected",
    "critical_conductances",
    "critical_distribution",
    "curve_test",
    "ensemble_stats",
    "expected_alpha",
    "expected_slope",
    "find_crossing",
    "fit_beta",
    "fit_cooperon",
    "fit_hln",
    "fit_log_size",
    "format_pm",
    "format_report",
    "fss_analyze_store",
    "fss_analyze_table",
    "fss_beta",
    "fss_crossings",
    "fss_data",
    "fss_fit",
    "fss_fit_data",
    "fss_order_table",
    "joint_fit",
    "magnetoconductance",
    "per_sample_values",
    "register",
    "scaling_test",
    "table_stats",
    "universality",
    "unregister",
    "weak_localization",
]

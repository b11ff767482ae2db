"""betascale: numerical checks of the scaling theory of localization in 2D.

Each step of the data flow has a top-level name (``import betascale as bs``)::

    spec = bs.ModelSpec("su2", E=1.0, bc="periodic")          # a Hamiltonian family
    bs.conductance(spec, L=32, W=5.9, samples=4)               # samples, one by one
    study = bs.Study("mine", spec, W=[5.8, 6.0], L=[16, 32], samples=200, seed=1)
    samples = bs.run(study)                                    # in memory (or a store path)
    analysis = bs.analyze(samples)                             # beta(g), fits, scaling test
    print(analysis.report())
    fss = bs.fss_analyze(samples)                              # the symplectic transition
    fig = bs.plots.plot_beta(analysis)                         # figures return Figures
    flow = bs.integrate_pf(rho0=0.2, gamma0=0.3, nv=2)         # Finkel'stein RG

Models and solvers: :class:`ModelSpec`, its :class:`Family` plug-ins
(:func:`register_family`, :func:`get_family`), :func:`build_system`, :func:`make_solver`,
:class:`FastSolver`, :class:`KwantSolver`, :func:`conductance`. Studies and runs:
:class:`Study`, :func:`load_study`, :func:`run`, :class:`Runner`. Stores:
:func:`open_store`, :class:`SampleStore`, :class:`SampleTable`, :func:`export_store`. Analysis:
:func:`analyze`, :func:`weak_localization`, :func:`magnetoconductance`,
:func:`fss_analyze`, :func:`fss_fit`, the statistics (:class:`Statistic`,
:func:`register_statistic`) and the building blocks in
:mod:`betascale.analysis`. Theory: :mod:`betascale.theory`; RG: :mod:`betascale.rg`;
figures: :mod:`betascale.plots`.

Names are imported on first use, so ``import betascale`` stays cheap.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

__version__ = "0.3.0"

#: Top-level name -> module that defines it (``module:attribute`` where the name differs).
_NAMES = {
    # models and solvers
    "ModelSpec": "betascale.models",
    "HAMILTONIANS": "betascale.models",
    "SYMMETRY_CLASSES": "betascale.models",
    "build_system": "betascale.models",
    "draw_disorder": "betascale.models",
    "Family": "betascale.models",
    "register_family": "betascale.models",
    "get_family": "betascale.models",
    "family_names": "betascale.models",
    "KwantFamily": "betascale.models",
    "OnsiteDisorder": "betascale.models",
    "FunctionDisorder": "betascale.models",
    "make_solver": "betascale.solvers",
    "FastSolver": "betascale.solvers",
    "KwantSolver": "betascale.solvers",
    "Transmission": "betascale.solvers",
    "SOLVERS": "betascale.solvers",
    "conductance": "betascale.landauer",
    "Conductances": "betascale.landauer",
    # studies, runs, stores
    "Study": "betascale.study",
    "load_study": "betascale.study",
    "study_from_dict": "betascale.study",
    "run": "betascale.ensemble",
    "run_study": "betascale.ensemble",
    "Runner": "betascale.ensemble",
    "RunSummary": "betascale.ensemble",
    "Store": "betascale.store",
    "open_store": "betascale.store",
    "SampleStore": "betascale.store",
    "SampleTable": "betascale.store",
    "export_store": "betascale.store",
    # analysis
    "analyze_store": "betascale.analysis",
    "analyze_table": "betascale.analysis",
    "StoreAnalysis": "betascale.analysis",
    "ensemble_stats": "betascale.analysis",
    "beta_points": "betascale.analysis",
    "fit_beta": "betascale.analysis",
    "scaling_test": "betascale.analysis",
    "universality": "betascale.analysis",
    "critical_conductances": "betascale.analysis",
    "weak_localization": "betascale.analysis",
    "magnetoconductance": "betascale.analysis",
    "fss_fit": "betascale.analysis",
    "fss_crossings": "betascale.analysis",
    "critical_distribution": "betascale.analysis",
    "fss_beta": "betascale.analysis",
    "Statistic": "betascale.analysis",
    "register_statistic": "betascale.analysis.statistics:register",
    # RG
    "integrate_pf": "betascale.rg",
    "integrate_schematic": "betascale.rg",
    # errors
    "InputError": "betascale.errors",
}
_MODULES = ("analysis", "models", "plots", "rg", "solvers", "store", "study", "theory")


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        module, _, attribute = _NAMES[name].partition(":")
        value = getattr(importlib.import_module(module), attribute or name)
        globals()[name] = value
        return value
    if name in _MODULES:
        return importlib.import_module(f"betascale.{name}")
    raise AttributeError(f"module 'betascale' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_NAMES, *_MODULES, "analyze", "fss_analyze"])


def analyze(source, **options):
    """The scaling analysis of samples, a store or a store's path.

    Parameters
    ----------
    source
        A :class:`SampleTable` (from :func:`run` or :meth:`Store.samples`), an open
        store (any :class:`~betascale.store.SampleStore`), or the path of a store.
    **options
        Options of :func:`betascale.analysis.analyze_samples` (``stat``, ``gmin``,
        ``lmin``, ``n_boot``, ``seed``, ``ci``, ``flux``, ...).

    Returns
    -------
    StoreAnalysis
        Ensemble statistics, beta points, the fit, the one-parameter-scaling test, the
        weak-localization slopes and the magnetoconductance; ``.report()`` prints them.
    """
    from betascale.analysis import analyze_samples

    return analyze_samples(_samples(source), **options)


def fss_analyze(source, **options):
    """Finite-size scaling of the symplectic transition of samples, a store or a path.

    The options are those of :func:`betascale.analysis.fss_analyze_table` (``stat``,
    ``W_range``, ``lmin``, ``orders``, ``n_boot``, ...).
    """
    from betascale.analysis import fss_analyze_table

    table = _samples(source)
    if table.study is not None:
        spec = table.study.spec(table.study.flux[0])
        options.setdefault("name", table.study.name)
        options.setdefault("title", spec.describe())
        options.setdefault("model", spec.symmetry_class)
    return fss_analyze_table(table, **options)


def _samples(source):
    from betascale.store import SampleTable, open_store
    from betascale.store.base import is_store

    if isinstance(source, SampleTable):
        return source
    if is_store(source):
        return source.samples()
    if isinstance(source, (str, Path)):
        with open_store(source) as store:
            return store.samples()
    from betascale.errors import InputError

    raise InputError(
        f"expected a SampleTable, a Store or a path, got {type(source).__name__} "
        "(run a study with bs.run(study), or open a store)"
    )

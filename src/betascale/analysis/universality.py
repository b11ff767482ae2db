"""Universality across lattices: do two lattices of one symmetry class share one β(g)?

One-parameter scaling makes β(g) a function of the symmetry class alone (Abrahams,
Anderson, Licciardello & Ramakrishnan, Phys. Rev. Lett. 42, 673 (1979); the classes:
Evers & Mirlin, Rev. Mod. Phys. 80, 1355 (2008), Sec. II): two lattices of one class,
with g contact-corrected, must give the same β(g) within errors (``PHYSICS.md``,
"Universality across lattices").

:func:`universality` tests this per class. The (G, β) points of every lattice with
``G >= gmin`` are fitted by one smooth curve and by one curve per lattice in the same
basis, with the machinery of the one-parameter-scaling test
(:func:`betascale.analysis.scaling_test.curve_test`: a natural cubic regression
spline in ln G, knots by BIC, the bootstrap covariance of the points). The stores of
different lattices are independent, so the covariance is block diagonal across
lattices (and, within one lattice, across W). The models are nested: ``delta chi2``
with ``delta dof`` degrees of freedom gives the p-value of the collapse. Beside it,
the leading weak-localization coefficient ``a`` of each lattice (the fit
:func:`betascale.analysis.fit.fit_beta` of ``beta = a/g^p + b/g^q``) is set against
the class's analytic value (:func:`betascale.theory.leading_coefficient`: ``-1/pi``
orthogonal, ``+1/pi`` symplectic with both spins counted in g, ``-1/(2 pi^2)``
unitary at ``g^-2``).

:func:`critical_conductances` tabulates the critical conductance ``Γ_c`` (``⟨g_c⟩``
for the default statistic) of transition stores by finite-size scaling
(:func:`betascale.analysis.fss_pipeline.fss_analyze_store`, Slevin & Ohtsuki, Phys.
Rev. Lett. 82, 382 (1999)) against reference values passed in, with the differences
in units of their combined error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from betascale import theory, validation
from betascale.analysis.ensembles import STATS
from betascale.analysis.fit import fit_beta
from betascale.analysis.fss_data import FSS_STATS
from betascale.analysis.fss_pipeline import FSSAnalysis, fss_analyze_store
from betascale.analysis.gls import chi2_sf
from betascale.analysis.pipeline import StoreAnalysis, analyze_store
from betascale.analysis.results import format_pm
from betascale.analysis.scaling_test import SCALING_MAX_KNOTS, ScalingTest, curve_test
from betascale.analysis.weak_localization import WLFit, WLJointFit
from betascale.errors import InputError
from betascale.serialization import dumps, json_float
from betascale.text import printable, table

__all__ = [
    "ClassCollapse",
    "CriticalConductance",
    "CriticalTable",
    "LatticeCoefficient",
    "UniversalityTest",
    "critical_conductances",
    "universality",
]

#: Most lattices (stores) per class, and transition stores, that one call compares.
MAX_LATTICES = 16


# ------------------------------------------------------------------- results
@dataclass(frozen=True)
class LatticeCoefficient:
    """The leading coefficient ``a`` of one lattice's β(g), against the analytic one.

    Attributes
    ----------
    label
        The lattice's label (e.g. ``"square"``).
    name, title
        Store (study) name and model description.
    n_points, g_range
        Points of the lattice in the collapse test (``G >= gmin``) and their G range
        (NaN without points).
    a, sigma_a
        Fitted leading coefficient and its GLS error (NaN without a fit).
    a_theory
        The analytic value of the class.
    fit_gmin
        The threshold of the fit (the analysis's gmin).
    fit_note
        Why there is no fit, if there is none.
    wl_slope, wl_sigma, wl_theory, wl_form
        The weak-localization slope ``d<g>/d ln L`` of the analysis's own section
        (:mod:`~betascale.analysis.weak_localization`: the fit ``<g> = g0 + a ln L +
        c/L`` with its finite-size term, joint over W where there are several), its
        error, the analytic slope and the form (NaN and the reason when there is none,
        e.g. for an analysis of a bare sample table).
    """

    label: str
    name: str
    title: str
    n_points: int
    g_range: tuple[float, float]
    a: float
    sigma_a: float
    a_theory: float
    fit_gmin: float
    fit_note: str | None = None
    wl_slope: float = math.nan
    wl_sigma: float = math.nan
    wl_theory: float = math.nan
    wl_form: str = ""

    @property
    def pull(self) -> float:
        """``(a - a_theory) / sigma_a``."""
        return (self.a - self.a_theory) / self.sigma_a if self.sigma_a > 0 else math.nan

    @property
    def wl_pull(self) -> float:
        """``(wl_slope - wl_theory) / wl_sigma``."""
        ok = self.wl_sigma > 0 and math.isfinite(self.wl_theory)
        return (self.wl_slope - self.wl_theory) / self.wl_sigma if ok else math.nan

    def to_dict(self) -> dict:
        """A JSON-safe dict."""
        return {
            "label": self.label,
            "name": self.name,
            "title": self.title,
            "n_points": self.n_points,
            "g_range": [json_float(v) for v in self.g_range],
            "a": json_float(self.a),
            "sigma_a": json_float(self.sigma_a),
            "a_theory": self.a_theory,
            "pull": json_float(self.pull),
            "fit_gmin": self.fit_gmin,
            "fit_note": self.fit_note,
            "wl_slope": json_float(self.wl_slope),
            "wl_sigma": json_float(self.wl_sigma),
            "wl_theory": json_float(self.wl_theory),
            "wl_form": self.wl_form,
        }


@dataclass(frozen=True)
class ClassCollapse:
    """The collapse test of the lattices of one symmetry class.

    Attributes
    ----------
    model, stat
        Symmetry class and the statistic G of the points.
    gmin
        Only points with ``G >= gmin`` enter the test.
    test
        The :class:`~betascale.analysis.scaling_test.ScalingTest` grouped by lattice:
        one curve through all lattices against one per lattice.
    lattices
        One :class:`LatticeCoefficient` per lattice, in the order given.
    analyses
        The analyses of the lattices (their points, for figures).
    """

    model: str
    stat: str
    gmin: float
    test: ScalingTest
    lattices: tuple[LatticeCoefficient, ...]
    analyses: tuple[StoreAnalysis, ...] = field(default=(), repr=False, compare=False)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(lat.label for lat in self.lattices)

    @property
    def overlap(self) -> tuple[float, float] | None:
        """The G range shared by every lattice's points, or None (the test has no power)."""
        lo = max(lat.g_range[0] for lat in self.lattices)
        hi = min(lat.g_range[1] for lat in self.lattices)
        return (lo, hi) if lo < hi else None

    @property
    def a_consistency(self) -> tuple[float, int, float]:
        """``(chi2, dof, p)`` of the lattices' ``a`` about their weighted mean."""
        a = np.array([lat.a for lat in self.lattices])
        s = np.array([lat.sigma_a for lat in self.lattices])
        ok = np.isfinite(a) & (s > 0)
        if ok.sum() < 2:
            return math.nan, 0, math.nan
        w = 1.0 / s[ok] ** 2
        mean = float(np.sum(w * a[ok]) / np.sum(w))
        chi2 = float(np.sum(w * (a[ok] - mean) ** 2))
        dof = int(ok.sum()) - 1
        return chi2, dof, chi2_sf(chi2, dof)

    def summary(self) -> str:
        """One line: the collapse's chi²/dof, delta chi² and p, or why it is not tested."""
        t = self.test
        if not t.defined:
            return f"{self.model}: not tested ({t.reason})"
        return (
            f"{self.model}: one curve chi2/dof = {t.chi2_single:.1f}/{t.dof_single} = "
            f"{t.chi2_dof_single:.2f}; per lattice {t.chi2_separate:.1f}/{t.dof_separate}; "
            f"delta chi2 = {t.delta_chi2:.1f} for {t.delta_dof} dof, p = {t.p_value:.3g}"
        )

    def to_dict(self) -> dict:
        """A JSON-safe dict."""
        chi2, dof, p = self.a_consistency
        return {
            "model": self.model,
            "stat": self.stat,
            "stat_label": STATS[self.stat],
            "gmin": self.gmin,
            "labels": list(self.labels),
            "collapse": self.test.to_dict(),
            "overlap": None if self.overlap is None else list(self.overlap),
            "lattices": [lat.to_dict() for lat in self.lattices],
            "a_consistency": {"chi2": json_float(chi2), "dof": dof, "p_value": json_float(p)},
        }


@dataclass(frozen=True)
class UniversalityTest:
    """The universality of β(g) across lattices, one :class:`ClassCollapse` per class.

    Print it (or :meth:`table`) for the tables; :meth:`to_dict` is JSON-safe.
    """

    classes: tuple[ClassCollapse, ...]

    def get(self, model: str) -> ClassCollapse:
        """The collapse of the class ``model``."""
        for c in self.classes:
            if c.model == model:
                return c
        raise InputError(f"no {model} class in the test; it has {', '.join(self.models)}")

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(c.model for c in self.classes)

    def __str__(self) -> str:
        return self.table()

    def table(self) -> str:
        """The collapse table and the table of leading coefficients, as text."""
        return "\n".join([
            *_collapse_lines(self.classes), "", *_coefficient_lines(self.classes), "",
            *_wl_lines(self.classes),
        ])  # fmt: skip

    def to_dict(self) -> dict:
        """A JSON-safe dict."""
        return {"classes": [c.to_dict() for c in self.classes]}

    def to_json(self) -> str:
        """:meth:`to_dict` as strict JSON."""
        return dumps(self.to_dict(), indent=2)


# ---------------------------------------------------------------- the test
def universality(
    classes: Mapping[str, Mapping[str, str | Path | StoreAnalysis]],
    collapse_gmin: float | None = None,
    n_knots: int | None = None,
    **analysis_kwargs,
) -> UniversalityTest:
    """Test whether the lattices of each symmetry class fall on one β(g) curve.

    Parameters
    ----------
    classes
        ``{class: {label: store}}``, e.g. ``{"orthogonal": {"square": "a.sqlite",
        "honeycomb": "b.sqlite"}, "symplectic": {"SU(2)": ..., "Ando": ...}}``: two
        or more lattices per class, each a store path or a
        :class:`~betascale.analysis.pipeline.StoreAnalysis`.
    collapse_gmin
        Only points with ``G >= collapse_gmin`` (e²/h) enter the collapse test;
        default: the analyses' own gmin (the ``gmin`` of ``analysis_kwargs`` for stores
        given by path; the largest, if they differ). The fits of ``a`` always use each
        analysis's gmin.
    n_knots
        Knots of the spline in ln G; default chosen by BIC among 2 to
        :data:`~betascale.analysis.scaling_test.SCALING_MAX_KNOTS`, and at most one fewer
        than the points of the lattice with the fewest, so that every lattice's own curve
        keeps a degree of freedom.
    **analysis_kwargs
        Options of :func:`~betascale.analysis.pipeline.analyze_store` (``stat``,
        ``gmin``, ``n_boot``, ``seed``, ``ci``, ``lmin``, ...) for the stores given
        by path.

    Returns
    -------
    UniversalityTest
        One :class:`ClassCollapse` per class, in the order given.

    Raises
    ------
    InputError
        For a class name that is not a Wigner–Dyson class, fewer than two lattices in a
        class, a store of another class, analyses of different statistics in one class,
        or a store that cannot be analysed.
    """
    if not isinstance(classes, Mapping) or not classes:
        raise InputError("universality needs {class: {lattice: store}} with at least one class")
    if collapse_gmin is not None:
        collapse_gmin = validation.finite("collapse_gmin", collapse_gmin)
    out = []
    for model, lattices in classes.items():
        analyses = _class_analyses(model, lattices, analysis_kwargs)
        out.append(_collapse(model, analyses, collapse_gmin, n_knots))
    return UniversalityTest(tuple(out))


def _class_analyses(model, lattices, analysis_kwargs: dict) -> dict[str, StoreAnalysis]:
    """The analyses of one class's lattices, checked: ``{label: analysis}``."""
    theory.check_class(model)
    if not isinstance(lattices, Mapping) or len(lattices) < 2:
        n = len(lattices) if isinstance(lattices, Mapping) else 0
        raise InputError(
            f"{model}: universality compares at least two lattices, got {n}; "
            "give two or more LABEL=STORE"
        )
    if len(lattices) > MAX_LATTICES:
        raise InputError(f"{model}: at most {MAX_LATTICES} lattices, got {len(lattices)}")
    out = {}
    for label, source in lattices.items():
        if not isinstance(label, str) or not label.strip():
            raise InputError(f"{model}: a lattice label must be a non-empty string, got {label!r}")
        an = _analysis(source, analysis_kwargs, f"{model} {label}")
        if an.model != model:
            raise InputError(
                f"{model} {printable(label)}: the store {printable(an.name)} is of the "
                f"{an.model} class"
            )
        out[label] = an
    stats = {an.stat for an in out.values()}
    if len(stats) > 1:
        raise InputError(f"{model}: the lattices use different statistics {sorted(stats)}")
    return out


def _analysis(source, analysis_kwargs: dict, where: str) -> StoreAnalysis:
    if isinstance(source, StoreAnalysis):
        return source
    if not isinstance(source, (str, Path)):
        raise InputError(f"{where}: expected a store path or an analysis, got {source!r}")
    path = Path(source)
    if not path.is_file():
        raise InputError(f"{where}: no store at {printable(path)}")
    return analyze_store(path, **analysis_kwargs)


def _collapse(
    model: str, analyses: dict[str, StoreAnalysis], gmin: float | None, n_knots: int | None
) -> ClassCollapse:
    """The collapse test and the coefficients of one class."""
    ans = list(analyses.values())
    if gmin is None:
        gmin = max(an.gmin for an in ans)
    n_boot = min(an.betas.boot_G.shape[0] for an in ans)
    parts, lattices = [], []
    for i, (label, an) in enumerate(analyses.items()):
        use = np.flatnonzero(an.betas.G >= gmin)
        parts.append((i, an, use))
        lattices.append(_coefficient(label, an, use))
    G = np.concatenate([an.betas.G[u] for _, an, u in parts])
    beta = np.concatenate([an.betas.beta[u] for _, an, u in parts])
    # replicates of different stores are independent: the covariance across lattices
    # is masked to zero (blocks), so pairing the first n_boot of each is harmless
    boot_G = np.hstack([an.betas.boot_G[:n_boot, u] for _, an, u in parts])
    boot_beta = np.hstack([an.betas.boot_beta[:n_boot, u] for _, an, u in parts])
    lattice = np.concatenate([np.full(u.size, i) for i, _, u in parts])
    W = np.concatenate([an.betas.W[u] for _, an, u in parts])
    blocks = np.unique(np.column_stack([lattice, W]), axis=0, return_inverse=True)[1].ravel()
    # with few points per lattice BIC could pick a curve that fits every lattice exactly
    # (no degree of freedom left in the separate fits): at most min(points) - 1 knots
    sizes = [u.size for _, _, u in parts if u.size]
    max_knots = min(SCALING_MAX_KNOTS, max(2, min(sizes, default=0) - 1))
    test = curve_test(G, beta, boot_G, boot_beta, lattice, blocks, n_knots=n_knots,
                      grouped_by="lattice", max_knots=max_knots)  # fmt: skip
    return ClassCollapse(model, ans[0].stat, gmin, test, tuple(lattices), tuple(ans))


def _coefficient(label: str, an: StoreAnalysis, use: np.ndarray) -> LatticeCoefficient:
    """The leading coefficient of one lattice (the fit at the analysis's gmin)."""
    G = an.betas.G[use]
    g_range = (float(G.min()), float(G.max())) if G.size else (math.nan, math.nan)
    a, sigma, note = math.nan, math.nan, None
    try:
        f = fit_beta(an.betas, an.model, stat=an.stat, gmin=an.gmin)
        a, sigma = f.a, f.sigma_a
    except InputError as exc:
        note = f"no fit: {exc}"
    return LatticeCoefficient(
        label=label,
        name=an.name,
        title=an.title,
        n_points=int(use.size),
        g_range=g_range,
        a=a,
        sigma_a=sigma,
        a_theory=theory.leading_coefficient(an.model)[0],
        fit_gmin=an.gmin,
        fit_note=note,
        **_wl_slope(an),
    )


def _wl_slope(an: StoreAnalysis) -> dict:
    """The weak-localization slope of the analysis at its flux (joint over W if possible)."""
    wl = an.weak_localization
    if wl is None or not wl.defined:
        return {"wl_form": "none: " + ("no weak-localization section" if wl is None else wl.reason)}
    form = "<g> = " + wl.to_dict()["form"]
    fits: Sequence[WLFit | WLJointFit] = [j for j in wl.joint if j.flux == an.flux]
    if fits:
        form += ", joint over W"
    else:
        fits = [f for f in wl.fits if f.flux == an.flux][:1]
        if fits:
            form += f" at W = {fits[0].W:g}"
    if not fits:
        return {"wl_form": f"none at flux {an.flux:g}"}
    f = fits[0]
    return {"wl_slope": f.a, "wl_sigma": f.sigma_a, "wl_theory": f.a_theory, "wl_form": form}


# ------------------------------------------------------------------- tables
def _collapse_lines(classes) -> list[str]:
    stats = sorted({c.stat for c in classes})
    head = [
        "Universality of beta(g) across lattices: one natural cubic spline in ln G through "
        "the points of every lattice against one per lattice",
        f"G = {'; '.join(STATS[s] for s in stats)}; only points with G >= gmin enter",
    ]
    cols = ["class", "lattices", "gmin", "points", "knots", "one curve chi2/dof",
            "per lattice", "delta chi2/dof", "p"]  # fmt: skip
    rows = []
    for c in classes:
        t = c.test
        row = [c.model, ", ".join(map(printable, c.labels)), f"{c.gmin:g}", str(t.n_points)]
        if t.defined:
            row += [
                str(t.n_knots),
                f"{t.chi2_single:.1f}/{t.dof_single} = {t.chi2_dof_single:.2f}",
                f"{t.chi2_separate:.1f}/{t.dof_separate}",
                f"{t.delta_chi2:.1f}/{t.delta_dof}",
                f"{t.p_value:.3g}",
            ]
        else:
            row += ["-", "-", "-", "-", "-"]
        rows.append(row)
    notes = [f"  {c.model}: not tested ({c.test.reason})" for c in classes if not c.test.defined]
    notes += [
        f"  {c.model}: the G ranges of the lattices do not overlap; the test has no power"
        for c in classes
        if c.test.defined and c.overlap is None
    ]
    return head + table(cols, rows) + notes


def _coefficient_lines(classes) -> list[str]:
    head = [
        "Leading coefficient a of beta = a/g^p + b/g^q per lattice (fit of the points with "
        "G >= the analysis's gmin) against the analytic value of the class"
    ]
    cols = ["class", "lattice", "store", "fit gmin", "a", "analytic", "pull"]
    rows, notes = [], []
    for c in classes:
        for lat in c.lattices:
            a = format_pm(lat.a, lat.sigma_a) if math.isfinite(lat.a) else "-"
            pull = f"{lat.pull:+.1f} sigma" if math.isfinite(lat.pull) else "-"
            analytic = f"{theory.LEADING_NAME[c.model]} = {lat.a_theory:+.4f}"
            rows.append([c.model, printable(lat.label), printable(lat.name), f"{lat.fit_gmin:g}",
                         a, analytic, pull])  # fmt: skip
            if lat.fit_note:
                notes.append(f"  {c.model} {printable(lat.label)}: {lat.fit_note}")
        chi2, dof, p = c.a_consistency
        if dof > 0:
            notes.append(
                f"  {c.model}: a of the lattices about their weighted mean: "
                f"chi2/dof = {chi2:.2f}/{dof}, p = {p:.3g}"
            )
    return head + table(cols, rows) + notes


def _wl_lines(classes) -> list[str]:
    head = [
        "Weak-localization slope d<g>/d ln L per lattice (the analysis's fit with its "
        "finite-size term) against the analytic slope"
    ]
    cols = ["class", "lattice", "slope", "analytic", "pull", "fit"]
    rows = []
    for c in classes:
        for lat in c.lattices:
            if not math.isfinite(lat.wl_slope):
                rows.append([c.model, printable(lat.label), "-", "-", "-", lat.wl_form])
                continue
            pull = f"{lat.wl_pull:+.1f} sigma" if math.isfinite(lat.wl_pull) else "-"
            rows.append([c.model, printable(lat.label), format_pm(lat.wl_slope, lat.wl_sigma),
                         f"{lat.wl_theory:+.4f}", pull, lat.wl_form])  # fmt: skip
    return head + table(cols, rows)


# ------------------------------------------------------ critical conductance
@dataclass(frozen=True)
class CriticalConductance:
    """The critical value ``Γ_c`` of one transition store (finite-size scaling).

    Attributes
    ----------
    label, name, title
        The label given, the store (study) name and the model description.
    stat
        The statistic Γ (``mean_g``: ``Γ_c = ⟨g_c⟩``).
    value, error
        ``Γ_c = F(0, 0)`` of the Slevin–Ohtsuki fit and its error (bootstrap over the
        disorder samples, or the fit's covariance without bootstrap).
    W_c, W_c_error, nu, nu_error
        The critical disorder and the exponent of the same fit.
    chi2, dof, p_value
        Goodness of the fit.
    """

    label: str
    name: str
    title: str
    stat: str
    value: float
    error: float
    W_c: float
    W_c_error: float
    nu: float
    nu_error: float
    chi2: float
    dof: int
    p_value: float

    def to_dict(self) -> dict:
        """A JSON-safe dict."""
        out = {k: getattr(self, k) for k in ("label", "name", "title", "stat", "dof")}
        for k in ("value", "error", "W_c", "W_c_error", "nu", "nu_error", "chi2", "p_value"):
            out[k] = json_float(getattr(self, k))
        out["stat_label"] = FSS_STATS[self.stat]
        return out


@dataclass(frozen=True)
class CriticalTable:
    """Critical conductances of transition stores against reference values.

    Attributes
    ----------
    rows
        One :class:`CriticalConductance` per store.
    references
        ``(label, value, error)`` of each reference value.
    """

    rows: tuple[CriticalConductance, ...]
    references: tuple[tuple[str, float, float], ...] = ()

    def comparisons(self) -> list[tuple[str, str, float, float]]:
        """``(store, against, difference, n_sigma)`` of every store against every reference
        and every other store; ``n_sigma = difference / sqrt(error² + error_ref²)``."""
        others = [(r.label, r.value, r.error) for r in self.rows]
        out = []
        for i, r in enumerate(self.rows):
            against = list(self.references) + [o for j, o in enumerate(others) if j > i]
            for label, value, error in against:
                d = r.value - value
                s = math.hypot(r.error, error)
                out.append((r.label, label, d, d / s if s > 0 else math.nan))
        return out

    def __str__(self) -> str:
        return self.table()

    def table(self) -> str:
        """The values and the comparisons, as text."""
        stats = sorted({r.stat for r in self.rows})
        lines = [
            "Critical conductance by finite-size scaling (Slevin & Ohtsuki): Gamma_c of "
            + "; ".join(FSS_STATS[s] for s in stats)
        ]
        cols = ["store", "model", "Gamma_c", "W_c", "nu", "chi2/dof", "p"]
        rows = [[printable(r.label), printable(r.title), format_pm(r.value, r.error),
                 format_pm(r.W_c, r.W_c_error), format_pm(r.nu, r.nu_error),
                 f"{r.chi2:.1f}/{r.dof}", f"{r.p_value:.3g}"] for r in self.rows]  # fmt: skip
        lines += table(cols, rows)
        for label, value, error in self.references:
            lines.append(f"reference {printable(label)}: {format_pm(value, error)}")
        for store, against, d, n in self.comparisons():
            lines.append(f"  {printable(store)} - {printable(against)} = {d:+.3f} ({n:+.1f} sigma)")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """A JSON-safe dict."""
        return {
            "rows": [r.to_dict() for r in self.rows],
            "references": [{"label": lab, "value": v, "error": e} for lab, v, e in self.references],
            "comparisons": [
                {"store": s, "against": a, "difference": json_float(d), "n_sigma": json_float(n)}
                for s, a, d, n in self.comparisons()
            ],
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as strict JSON."""
        return dumps(self.to_dict(), indent=2)


def critical_conductances(
    stores: Mapping[str, str | Path | FSSAnalysis],
    references: Mapping[str, tuple[float, float]] | None = None,
    **fss_kwargs,
) -> CriticalTable:
    """Tabulate the critical ``Γ_c`` of transition stores against reference values.

    Parameters
    ----------
    stores
        ``{label: store}``: a store path (analysed by
        :func:`~betascale.analysis.fss_pipeline.fss_analyze_store` with ``fss_kwargs``)
        or an :class:`~betascale.analysis.fss_pipeline.FSSAnalysis`.
    references
        ``{label: (value, error)}``, e.g. ``{"Markos & Schweitzer 2006": (1.42,
        0.005)}`` (J. Phys. A 39, 3221 (2006), square Ando samples). The caller
        passes them; none are built in.
    **fss_kwargs
        Options of :func:`~betascale.analysis.fss_pipeline.fss_analyze_table`
        (``stat``, ``W_range``, ``lmin``, ``orders``, ``n_boot``, ``seed``, ``ci``).

    Returns
    -------
    CriticalTable
        The values and their differences (in combined standard errors) from the
        references and from each other.
    """
    if not isinstance(stores, Mapping) or not stores:
        raise InputError("critical_conductances needs {label: store} with at least one store")
    if len(stores) > MAX_LATTICES:
        raise InputError(f"at most {MAX_LATTICES} transition stores, got {len(stores)}")
    refs = _references(references or {})
    rows = []
    for label, source in stores.items():
        if isinstance(source, FSSAnalysis):
            an = source
        elif isinstance(source, (str, Path)) and Path(source).is_file():
            an = fss_analyze_store(source, **fss_kwargs)
        else:
            raise InputError(f"transition {printable(label)}: no store at {printable(source)}")
        rows.append(_critical_row(str(label), an))
    return CriticalTable(tuple(rows), refs)


def _references(references: Mapping) -> tuple[tuple[str, float, float], ...]:
    if not isinstance(references, Mapping):
        raise InputError("references must be {label: (value, error)}")
    out = []
    for label, pair in references.items():
        pair = validation.sequence(f"reference {label}", pair, max_len=2)
        if len(pair) != 2:
            raise InputError(f"reference {label} must be (value, error), got {len(pair)} numbers")
        value = validation.finite(f"reference {label}", pair[0])
        error = validation.number(f"reference {label} error", pair[1], low=0.0)
        out.append((str(label), value, error))
    return tuple(out)


def _critical_row(label: str, an: FSSAnalysis) -> CriticalConductance:
    f = an.fit
    return CriticalConductance(
        label=label,
        name=an.name,
        title=an.title,
        stat=f.stat,
        value=f.gamma_c.value,
        error=f.gamma_c.best_error,
        W_c=f.W_c.value,
        W_c_error=f.W_c.best_error,
        nu=f.nu.value,
        nu_error=f.nu.best_error,
        chi2=f.chi2,
        dof=f.dof,
        p_value=f.p_value,
    )

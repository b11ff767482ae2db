"""The demo of the scaling theory: β(g) of the three classes and weak localization, converged.

The demo has two parts (study files in ``betascale/studies``):

* the **panorama** — ``demo-orthogonal``, ``demo-unitary``, ``demo-symplectic``: β(g)
  of the three Wigner–Dyson classes from the weak-localization regime into the
  insulator, with the fit of the large-g points against the sigma model;
* the **convergence** — per class with interference corrections (orthogonal and
  symplectic), a weak-disorder series (``demo-wl-*``: ⟨g⟩(L) up to L/ℓ of 70 or more,
  fitted with ``g0 + a ln L + c/L``) and a magnetoconductance series (``demo-mc-*``: the
  same disorder at several fluxes, Δg(L) and the Hikami–Larkin–Nagaoka fit).

:func:`analyze_demo` analyses a set of stores (a run of the demo, or the larger
reference stores shipped in ``data/``) and returns a :class:`DemoAnalysis` whose
tables compare each coefficient with the analytic one. With the shipped data it also
draws β(g) of the three classes with the symplectic one across its metal–insulator
transition (the finite-size scaling of ``su2-transition`` and the insulating side
``su2-insulator``): the complete picture of the scaling theory in 2D.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from betascale.analysis import FSSAnalysis, StoreAnalysis, analyze_store
from betascale.analysis.two_loop import resolution_note
from betascale.analysis.weak_localization import WLJointFit
from betascale.errors import InputError
from betascale.models import SYMMETRY_CLASSES
from betascale.text import table

#: The classes with interference corrections (weak (anti)localization).
SERIES_CLASSES = ("orthogonal", "symplectic")
#: Analysis settings of the panorama: sizes below 24 are not yet diffusive at W = 3
#: (mean free path 2-3 sites); the fit uses the points with <g> >= 1.4.
PANORAMA_GMIN = 1.4
PANORAMA_LMIN = 24


def panorama_study(model: str) -> str:
    """The built-in study of the panorama of one class."""
    return f"demo-{model}"


def series_studies(model: str) -> tuple[str, str]:
    """The built-in weak-localization and magnetoconductance studies of one class."""
    return f"demo-wl-{model}", f"demo-mc-{model}"


def demo_study_names() -> list[str]:
    """Every built-in study of the demo, in the order the demo runs them."""
    names = [panorama_study(m) for m in SYMMETRY_CLASSES]
    for model in SERIES_CLASSES:
        names += series_studies(model)
    return names


@dataclass(frozen=True)
class DemoStores:
    """The stores one demo analysis reads: per class, panorama and series.

    ``mc_clean`` are independent magnetoconductance series with field-free leads (the
    shipped ``mc-*-ffl``), whose asymptotic slope is combined with that of ``mc``;
    ``unitary_other`` is an independent unitary series at another field (the shipped
    ``wl-unitary-weak``), whose c2 is combined with that of ``wl["unitary"]``.
    """

    panorama: dict[str, Path]
    wl: dict[str, Path]
    mc: dict[str, Path]
    transition: tuple[Path, ...] = ()
    mc_clean: dict[str, Path] = field(default_factory=dict)
    unitary_other: Path | None = None

    @classmethod
    def of_run(cls, runs: str | Path) -> DemoStores:
        """The stores a demo run writes into ``runs`` (``<study>.sqlite`` each)."""
        root = Path(runs)
        return cls(
            {m: root / f"{panorama_study(m)}.sqlite" for m in SYMMETRY_CLASSES},
            {m: root / f"{series_studies(m)[0]}.sqlite" for m in SERIES_CLASSES},
            {m: root / f"{series_studies(m)[1]}.sqlite" for m in SERIES_CLASSES},
        )

    @classmethod
    def shipped(cls, data: str | Path) -> DemoStores:
        """The stores shipped in ``data``: ``demo/`` for the panorama, ``reference/`` for
        the series (larger than the demo's own)."""
        root = Path(data)
        return cls(
            {m: root / "demo" / f"demo-{m}.sqlite" for m in SYMMETRY_CLASSES},
            {m: root / "reference" / f"wl-{m}.sqlite" for m in (*SERIES_CLASSES, "unitary")},
            {m: root / "reference" / f"mc-{m}.sqlite" for m in SERIES_CLASSES},
            (
                root / "reference" / "su2-transition.sqlite",
                root / "reference" / "su2-insulator.sqlite",
            ),
            {m: root / "reference" / f"mc-{m}-ffl.sqlite" for m in SERIES_CLASSES},
            root / "reference" / "wl-unitary-weak.sqlite",
        )

    def missing(self) -> list[Path]:
        """The stores that do not exist."""
        every = [*self.panorama.values(), *self.wl.values(), *self.mc.values(), *self.transition]
        every += [*self.mc_clean.values(), *filter(None, [self.unitary_other])]
        return [p for p in every if not p.is_file()]


@dataclass(frozen=True)
class DemoAnalysis:
    """The analyses of the demo's stores, with the tables that sum them up."""

    panorama: dict[str, StoreAnalysis]
    wl: dict[str, StoreAnalysis] = field(default_factory=dict)
    mc: dict[str, StoreAnalysis] = field(default_factory=dict)
    transition: FSSAnalysis | None = None  # the symplectic transition, when shipped
    insulator: StoreAnalysis | None = None
    mc_clean: dict[str, StoreAnalysis] = field(default_factory=dict)
    unitary_other: StoreAnalysis | None = None

    def beta_table(self) -> str:
        """The fitted leading coefficient of β(g) per class, against the analytic one.

        The unitary row is the two-loop fit of ⟨g⟩(L) (:func:`unitary_row`), not the β(g)
        fit: at the demo's precision that one is dominated by the width systematics of
        the hardwall samples (issue 19: a wrong-sign ``a``).
        """
        cols = ("class", "form", "fitted", "analytic", "dev.", "points", "chi2/dof")
        rows = []
        for model, an in self.panorama.items():
            f = an.fit
            if model == "unitary":
                rows.append(unitary_row(an)[0])
                continue
            if f is None:
                rows.append((model, "-", an.fit_note or "no fit", "", "", "", ""))
                continue
            p, q = f.powers
            rows.append((
                model, f"a/g^{p} + b/g^{q}".replace("^1 ", " "), f"{f.a:+.3f} ± {f.sigma_a:.3f}",
                f"{f.a_theory:+.4f}", f"{f.pull:+.1f}σ", str(f.n_points), f"{f.chi2_dof:.2f}",
            ))  # fmt: skip
        return "\n".join(table(cols, rows))

    def beta_notes(self) -> list[str]:
        """What the unitary row of :meth:`beta_table` is, and whether it is resolved."""
        an = self.panorama.get("unitary")
        return [] if an is None else [f"unitary: {unitary_row(an)[1]}"]

    def convergence_rows(self) -> list[dict]:
        """Per class: the WL coefficient, the magnetoconductance slope and the HLN alpha;
        and the unitary two-loop coefficient c2 where a unitary series was analysed (the
        shipped ``wl-unitary``)."""
        rows = [
            {"class": m, **_wl_row(self.wl.get(m)), **_mc_row(self.mc.get(m))}
            for m in SERIES_CLASSES
        ]
        for row in rows:
            if row["class"] in self.mc_clean:
                row.update(_clean_rows(row, self.mc_clean[row["class"]]))
        if "unitary" in self.wl:
            row = {"class": "unitary", **_c2_row(self.wl["unitary"])}
            if self.unitary_other is not None:
                other = _c2_row(self.unitary_other)
                row.update(c2_more=other["c2"], c2_more_why=other.get("c2_why", ""))
                row.update(_combined("c2_both", [row["c2"], other["c2"]]))
            rows.append(row)
        return rows

    def convergence_table(self) -> str:
        """:meth:`convergence_rows` as text: value ± error, analytic value, deviation."""
        cols = ("class", "quantity", "measured", "analytic", "deviation", "pull", "where")
        labels = {
            "wl": "WL coefficient a",
            "mc": "d<Dg>/d ln L",
            "mc_far": "d<Dg>/d ln L, L>=13 l_B",
            "mc_clean": "d<Dg>/d ln L, L>=13 l_B, ffl",
            "mc_both": "d<Dg>/d ln L, L>=13 l_B, both",
            "hln": "HLN alpha",
            "hln_clean": "HLN alpha, ffl",
            "hln_both": "HLN alpha, both",
            "coop": "finite-size Cooperon alpha",
            "c2": "two-loop c2",
            "c2_more": "two-loop c2, other field",
            "c2_both": "two-loop c2, both",
        }
        rows = [
            _convergence_cells(row["class"], label, row.get(key), row.get(f"{key}_why", ""))
            for row in self.convergence_rows()
            for key, label in labels.items()
            if key in row or f"{key}_why" in row
        ]
        return "\n".join(table(cols, rows))

    def write_figures(self, out_dir: str | Path) -> list[Path]:
        """Write every figure of the demo under ``out_dir``; return the paths.

        The figures are rendered first and written as one set
        (:func:`betascale.plots.figure_set`): all of them, or none.
        """
        from betascale.plots import figure_set

        with figure_set():
            return self._save_figures(Path(out_dir))

    def _save_figures(self, out: Path) -> list[Path]:
        from betascale.plots import save_figure
        from betascale.plots.scaling import write_compare, write_figures
        from betascale.plots.weak_localization import plot_delta_g_of_L, plot_hln, plot_wl_slope

        paths: list[Path] = []
        for model, an in self.panorama.items():
            paths += write_figures(an, out / model)
        paths += write_compare(list(self.panorama.values()), out, name="compare_beta")
        for model, an in self.wl.items():
            wl = an.weak_localization
            if wl is not None and wl.defined and wl.slopes:
                flux = min(s.flux for s in wl.slopes)  # zero, or the unitary series' field
                paths += save_figure(plot_wl_slope(wl, flux), out, f"wl_slope_{model}")
        if self.transition is not None:
            paths += save_figure(self._panorama_figure(self.transition), out, "beta_panorama")
        for model, an in self.mc.items():
            mc = an.magnetoconductance
            if mc is not None and mc.defined and mc.fits:
                paths += save_figure(plot_delta_g_of_L(mc), out, f"delta_g_of_L_{model}")
            if mc is not None and mc.defined and mc.hln:
                paths += save_figure(plot_hln(mc), out, f"delta_g_of_flux_{model}")
        return paths

    def _panorama_figure(self, transition: FSSAnalysis):
        """β(g) of the three classes, the symplectic one across ``transition``."""
        from betascale.plots.fss import plot_beta_panorama

        others = [*self.panorama.values(), self.wl.get("symplectic"), self.insulator]
        return plot_beta_panorama(transition.beta, [an for an in others if an is not None])

    def to_dict(self) -> dict:
        """The analyses and the two tables as JSON-safe data."""
        from betascale.serialization import jsonable

        return jsonable({
            "panorama": {m: an.to_dict() for m, an in self.panorama.items()},
            "convergence": self.convergence_rows(),
        })  # fmt: skip


def unitary_row(an: StoreAnalysis) -> tuple[tuple[str, ...], str]:
    """The unitary row of the β table, the two-loop c2 of ⟨g⟩(L), and a note on it.

    The two-loop joint fit of :func:`~betascale.analysis.weak_localization.
    weak_localization` (``<g>(L) = G(L) + c/L``, ``dG/d ln L = -c2/G - c4/G^3``) at the
    field of the panorama; the note says which W and L it used and, when ``|c2|`` is
    below three errors, that c2 is not resolved.
    """
    j, sizes, points, why = _two_loop_fit(an)
    if j is None:
        return ("unitary", "two-loop <g>(L)", "skipped", "", "", "", ""), why
    row = (
        "unitary", f"two-loop <g>(L) = {j.form}", f"c2 = {j.a:+.3f} ± {j.sigma_a:.3f}",
        f"{j.a_theory:+.4f}", f"{j.pull:+.1f}σ", str(points), f"{j.chi2 / max(j.dof, 1):.2f}",
    )  # fmt: skip
    Ws = ", ".join(f"{w:g}" for w in j.W)
    where = f"c2 shared by W = {Ws}, L = {sizes[0]}-{sizes[-1]}, flux {j.flux:g}"
    verdict = resolution_note("c2", j.a, j.sigma_a) or f"{j.significance:.1f} sigma from zero"
    return row, f"{where}; {verdict}"


def _two_loop_fit(an: StoreAnalysis) -> tuple[WLJointFit | None, list[int], int, str]:
    """The two-loop joint fit of ``an`` over the most disorder strengths, the sizes and
    the number of points it used; or None and the reason there is none."""
    wl = an.weak_localization
    if wl is None or not wl.defined:
        return None, [], 0, (wl.reason if wl is not None and wl.reason else "no size series")
    fits = [j for j in wl.joint if j.law == "two-loop"]
    if not fits:
        why = ([r for _, w, r in wl.skipped if w is None] or ["no two-loop fit"])[0]
        return None, [], 0, why
    j = max(fits, key=lambda j: len(j.W))
    used = [f for f in wl.fits if f.flux == j.flux and f.W in j.W]
    sizes = sorted({L for f in used for L in f.fit.L})
    return j, sizes, sum(len(f.fit.L) for f in used), ""


def _c2_row(an: StoreAnalysis) -> dict:
    """The unitary two-loop coefficient c2 of a series (:func:`unitary_row`'s fit)."""
    j, sizes, _, why = _two_loop_fit(an)
    if j is None:
        return {"c2": None, "c2_why": why}
    Ws = ",".join(f"{w:g}" for w in j.W)
    where = f"W={Ws}, flux={j.flux:g}, L={sizes[0]}-{sizes[-1]}, two-loop + c/L"
    return {"c2": (j.a, j.sigma_a, j.a_theory, where)}


def _convergence_cells(model: str, label: str, item, why: str) -> tuple[str, ...]:
    if item is None:
        return (model, label, "skipped", "", "", "", why)
    value, error, expected, where = item
    pull = f"{(value - expected) / error:+.1f}σ" if error > 0 else "-"
    deviation = f"{100 * (value / expected - 1):+.1f} %"
    return (model, label, f"{value:+.3f} ± {error:.3f}", f"{expected:+.4f}", deviation, pull, where)


def _wl_row(an: StoreAnalysis | None) -> dict:
    wl = None if an is None else an.weak_localization
    if wl is None or not wl.defined or not wl.fits:
        return {"wl": None, "wl_why": "no series" if wl is None else (wl.reason or "no fit")}
    fits = [f for f in wl.fits if f.flux == 0.0]
    if not fits:
        return {"wl": None, "wl_why": "no zero-flux fit"}
    fit = max(fits, key=lambda f: (max(f.fit.L), -f.W))  # the longest series
    where = f"W={fit.W:g}, L={min(fit.fit.L)}-{max(fit.fit.L)}, {fit.fit.form}"
    return {"wl": (fit.a, fit.sigma_a, fit.a_theory, where)}


def _mc_row(an: StoreAnalysis | None) -> dict:
    mc = None if an is None else an.magnetoconductance
    if mc is None or not mc.defined:
        why = "no flux scan" if mc is None else mc.reason
        return {"mc": None, "mc_why": why, "mc_far": None, "mc_far_why": why, "hln": None,
                "hln_why": why, "coop": None, "coop_why": why}  # fmt: skip
    out: dict = {}
    if mc.fits:
        f = max(mc.fits, key=lambda f: f.flux)  # the strongest field: l_B << L
        out["mc"] = (f.b, f.sigma_b, f.b_theory, f"W={f.W:g}, flux={f.flux:g}")
    else:
        out.update(mc=None, mc_why="no Delta g(L) fit")
    if mc.asymptotic:
        f = max(mc.asymptotic, key=lambda f: f.flux)
        where = f"W={f.W:g}, flux={f.flux:g}, L={f.fit.L[0]}-{f.fit.L[-1]}"
        out["mc_far"] = (f.b, f.sigma_b, f.b_theory, where)
    else:
        out.update(mc_far=None, mc_far_why="fewer than two sizes L >= 13 l_B")
    if mc.hln:
        h = max(mc.hln, key=lambda h: h.L)  # the largest sample: L_phi largest
        out["hln"] = (h.alpha, h.alpha_error, h.alpha_theory, f"W={h.W:g}, L={h.L}")
    else:
        out.update(hln=None, hln_why="no HLN fit")
    if mc.cooperon:
        c = max(mc.cooperon, key=lambda c: c.L)  # the largest sample: most diffusive
        out["coop"] = (c.alpha, c.alpha_error, c.alpha_theory, f"W={c.W:g}, L={c.L}")
    else:
        out.update(coop=None, coop_why="no finite-size Cooperon fit (hard walls only)")
    return out


def _clean_rows(row: dict, clean: StoreAnalysis) -> dict:
    """The asymptotic slope and the HLN prefactor of the field-free-lead series ``clean``,
    and their combinations with the row's own (``mc_far``, ``hln``) by inverse variance
    (independent seeds).

    The combinations are the headlines fixed before ``mc-symplectic-ffl`` was computed
    and before its fluxes for the HLN fit were (its study file), applied to both classes.
    """
    far = _mc_row(clean)
    out = {"mc_clean": far["mc_far"], "mc_clean_why": far.get("mc_far_why", "")}
    out.update(hln_clean=far["hln"], hln_clean_why=far.get("hln_why", ""))
    out.update(_combined("hln_both", [row.get("hln"), far["hln"]]))
    return {**out, **_combined("mc_both", [row.get("mc_far"), far["mc_far"]])}


def _combined(key: str, items: list) -> dict:
    """``{key: (value, error, expected, where)}``: the inverse-variance mean of two
    independent ``(value, error, expected, where)`` (None, with a reason, if one is
    missing)."""
    pair = [x for x in items if x is not None]
    if len(pair) < 2:
        return {key: None, f"{key}_why": "needs both series"}
    weights = [1.0 / x[1] ** 2 for x in pair]
    total = sum(weights)
    value = sum(w * x[0] for w, x in zip(weights, pair, strict=True)) / total
    expected = sum(w * x[2] for w, x in zip(weights, pair, strict=True)) / total
    return {key: (value, total**-0.5, expected, "inverse-variance mean of the two rows above")}


def analyze_demo(
    stores: DemoStores, n_boot: int = 1000, gmin: float = PANORAMA_GMIN, lmin: int = PANORAMA_LMIN
) -> DemoAnalysis:
    """Analyse the stores of a demo (see :class:`DemoStores`).

    The panorama is analysed with ``gmin`` and ``lmin``; the series with every size.

    Raises
    ------
    InputError
        If a store is missing.
    """
    missing = stores.missing()
    if missing:
        raise InputError(f"demo store {missing[0]} not found (run the demo first)")
    settings = {"n_boot": n_boot}
    panorama = {
        m: analyze_store(p, gmin=gmin, lmin=lmin, **settings) for m, p in stores.panorama.items()
    }
    wl = {m: analyze_store(p, **settings) for m, p in stores.wl.items()}
    mc = {m: analyze_store(p, **settings) for m, p in stores.mc.items()}
    mc_clean = {m: analyze_store(p, **settings) for m, p in stores.mc_clean.items()}
    other = stores.unitary_other
    other_analysis = None if other is None else analyze_store(other, **settings)
    transition = insulator = None
    if stores.transition:
        from betascale.analysis import fss_analyze_store

        transition = fss_analyze_store(stores.transition[0], n_boot=min(n_boot, 200))
        insulator = analyze_store(stores.transition[1], fit=False, **settings)
    return DemoAnalysis(panorama, wl, mc, transition, insulator, mc_clean, other_analysis)

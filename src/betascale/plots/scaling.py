"""Figures of the scaling analysis: g(L), beta(g), the scaling collapse, distributions.

Every function takes a :class:`betascale.analysis.StoreAnalysis` (or several, for
:func:`plot_compare`), draws on a new figure in the shipped style
(:func:`betascale.plots.figure_style`) and returns it; :func:`write_figures` and
:func:`write_compare` save them as PNG and PDF. Conductances are in e²/h, lengths in
lattice constants; error bars of beta and G are the bootstrap percentile intervals
(68 % by default), those of the ensemble averages one standard error.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from betascale import theory
from betascale.analysis import STAT_LABELS, StoreAnalysis
from betascale.analysis.fit import FitResult
from betascale.errors import InputError
from betascale.plots import CLASS_COLORS, PALETTE, figure_style, save_figure
from betascale.plots.common import (
    MARKERS,
    THEORY_COLOR,
    beta_axis_label,
    ci_text,
    error_bars,
    g_axis_label,
    log_if_wide,
    span,
    w_styles,
)


def _wl_label(model: str) -> str:
    if model == "unitary":
        return r"weak localization: $d\,g^2/d\ln L = -1/\pi^2$"
    sign = "-" if model == "orthogonal" else "+"
    return rf"weak {'anti' if model == 'symplectic' else ''}localization: slope ${sign}1/\pi$"


# ---------------------------------------------------------------- 1. g(L)
def plot_g_of_L(an: StoreAnalysis):
    """Figure 1: G against ln L per W, with the integrated weak-localization form.

    The weak-localization line of each W (:func:`theory.g_weak_localization`,
    dashed, same colour) starts at the data point of the smallest L; it is drawn for
    the W whose G there is at least the fit threshold gmin (weak localization is a
    large-g result).
    """
    with figure_style():
        import matplotlib.pyplot as plt
        from matplotlib.lines import Line2D

        fig, ax = plt.subplots()
        styles = w_styles(an.W)
        allG = []
        for w in an.W:
            ens = [e for e in an.ensembles if e.W == w]
            L = np.array([e.L for e in ens], dtype=float)
            G = np.array([e.G(an.stat).mean for e in ens])
            dG = np.array([e.G(an.stat).error for e in ens])
            allG.append(G)
            st = styles[w]
            ax.errorbar(np.log(L), G, yerr=dG, ls="none", label=f"W = {w:g}", zorder=3, **st)
            if G[0] >= an.gmin:  # weak localization describes only large g
                Lf = np.geomspace(L.min(), L.max(), 100)
                gwl = theory.g_weak_localization(Lf, G[0], an.model, ell=L.min())
                ax.plot(np.log(Lf), gwl, ls="--", lw=1.0, color=st["color"], zorder=2)
        G_all = np.concatenate(allG)
        log = log_if_wide(ax, G_all.min(), G_all.max(), axis="y", ratio=20)
        ax.set_xlabel(r"$\ln L$  ($L$ in lattice constants)")
        ax.set_ylabel(g_axis_label(an.stat))
        ax.set_title(an.title)
        handles, labels = ax.get_legend_handles_labels()
        handles.append(Line2D([], [], color="0.3", ls="--", lw=1.0))
        labels.append(
            _wl_label(an.model) + f"\n(from the smallest $L$; $W$ with $G \\geq {an.gmin:g}$)"
        )
        ax.legend(
            handles,
            labels,
            title=STAT_LABELS[an.stat] + "; ±1 s.e.",
            loc="center left",
            bbox_to_anchor=(1.02, 0.5),
            title_fontsize=8.5,
        )
        if not log:
            ax.margins(y=0.1)
    return fig


# --------------------------------------------------------------- 2. beta(g)
def _beta_errorbars(ax, an: StoreAnalysis, styles: dict, gmin: float = 0.0) -> None:
    pts = [p for p in an.betas.points if p.G >= gmin]
    for w in an.W:
        sel = [p for p in pts if p.W == w]
        if not sel:
            continue
        G = np.array([p.G for p in sel])
        b = np.array([p.beta for p in sel])
        xerr, yerr = error_bars(sel)
        ax.errorbar(
            G,
            b,
            xerr=xerr,
            yerr=yerr,
            ls="none",
            label=f"W = {w:g}",
            zorder=3,
            **styles[w],
        )


def _beta_limits(
    an: StoreAnalysis, log: bool, gmin: float = 0.0
) -> tuple[tuple[float, float], tuple[float, float]]:
    pts = [p for p in an.betas.points if p.G >= gmin]
    gx = np.array([v for p in pts for v in p.G_interval])
    by = np.array([v for p in pts for v in (*p.beta_interval, 0.0)])
    return span(gx, log), span(by, False, pad=0.12)


def _draw_beta_panel(ax, an: StoreAnalysis, styles: dict, gmin: float = 0.0) -> bool:
    """Points (with G >= gmin), analytic curves and fit; return whether it shaded."""
    G = np.array([p.G for p in an.betas.points if p.G >= gmin])
    log = log_if_wide(ax, G.min(), G.max())
    (x0, x1), (y0, y1) = _beta_limits(an, log, gmin)
    fit = an.fit
    gg = np.geomspace(x0, x1, 300)
    ax.axhline(0.0, color="0.6", lw=0.7, zorder=1)
    shaded = fit is not None and fit.gmin > x0
    if fit is not None and shaded:
        ax.axvspan(x0, min(fit.gmin, x1), color="0.92", lw=0, zorder=0)
    for terms, ls in ((1, "--"), (2, ":")):
        ax.plot(
            gg,
            theory.beta(gg, an.model, terms),
            ls=ls,
            color=THEORY_COLOR,
            lw=1.1,
            label=("theory " if terms == 1 else "+ next term ") + theory.formula(an.model, terms),
            zorder=2,
        )
    if fit is not None:
        gf = np.geomspace(fit.g_range[0], fit.g_range[1], 200)
        ax.plot(gf, fit(gf), color="0.35", lw=2.0, alpha=0.8, label=_fit_label(fit), zorder=2)
    _beta_errorbars(ax, an, styles, gmin=gmin)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel(g_axis_label(an.stat))
    return shaded


def _needs_zoom(an: StoreAnalysis) -> bool:
    """Whether the points of the fit are squashed by points far below gmin."""
    if an.fit is None:
        return False
    gmin = an.fit.gmin
    low = [p for p in an.betas.points if p.G < gmin]
    if not low:
        return False
    _, (y0, y1) = _beta_limits(an, False)
    _, (z0, z1) = _beta_limits(an, False, gmin)
    return (y1 - y0) > 4 * (z1 - z0)


def plot_beta(an: StoreAnalysis):
    """Figure 2: beta against G with error bars, the analytic curves and the fit.

    The analytic beta of the class is drawn to leading order (dashed) and with the
    next term (dotted); the fit (solid grey) over the fitted range of G; the region
    ``G < gmin`` left out of the fit is shaded. When points far below gmin (deep in
    the insulator) would squash the fitted ones, a second panel zooms on
    ``G >= gmin``.
    """
    zoom = _needs_zoom(an)
    gmin = an.fit.gmin if an.fit is not None else math.nan  # a zoom needs a fit
    with figure_style():
        import matplotlib.pyplot as plt

        if zoom:
            fig, (ax, axz) = plt.subplots(1, 2, figsize=(8.8, 3.7), gridspec_kw={"wspace": 0.28})
        else:
            fig, ax = plt.subplots(figsize=(5.6, 3.9))
            axz = None
        styles = w_styles(an.W)
        shaded = _draw_beta_panel(ax, an, styles)
        ax.set_ylabel(beta_axis_label(an.stat))
        if axz is None:
            ax.set_title(an.title)
            legend_ax = ax
        else:
            _draw_beta_panel(axz, an, styles, gmin=gmin)
            ax.set_title("all points")
            axz.set_title(f"zoom: $G \\geq g_{{\\min}} = {gmin:g}$")
            fig.suptitle(an.title, y=1.0)
            legend_ax = axz
        handles, labels = ax.get_legend_handles_labels()
        # data first, then the curves
        order = sorted(range(len(labels)), key=lambda i: not labels[i].startswith("W = "))
        shade = f"; shaded: $G < g_{{\\min}} = {gmin:g}$" if shaded else ""
        legend_ax.legend(
            [handles[i] for i in order],
            [labels[i] for i in order],
            title=f"{STAT_LABELS[an.stat]}\n{ci_text(an)}{shade}",
            loc="center left",
            bbox_to_anchor=(1.02, 0.5),
            title_fontsize=8.5,
        )
    return fig


def _fit_label(f: FitResult) -> str:
    p, q = f.powers
    form = rf"$a/g{'' if p == 1 else f'^{p}'} + b/g^{q}$"
    chi = f"{f.chi2_dof:.2f}" if f.dof > 0 else "n/a"
    return (
        f"fit {form}:\n$a = {_pm_tex(f.a, f.sigma_a)}$ "
        f"(theory ${f.a_theory:+.3f}$)\n$\\chi^2/\\mathrm{{dof}} = {chi}$, {f.n_points} points"
    )


def _pm_tex(v: float, e: float) -> str:
    if not (math.isfinite(e) and e > 0):
        return f"{v:.3g}"
    d = max(0, 1 - math.floor(math.log10(e)))
    return f"{v:.{d}f} \\pm {e:.{d}f}"


# ------------------------------------------------------- 3. scaling collapse
def plot_collapse(an: StoreAnalysis):
    """Figure 3: the (G, beta) points of all W against one smooth curve.

    Top: the points with the single smooth curve of the one-parameter-scaling
    test (:func:`betascale.analysis.scaling_test`). Bottom: the pulls
    ``(beta - curve)/sigma`` per W. The legend quotes chi²/dof of one curve and of
    separate curves per W, and the p-value of their difference.
    """
    sc = an.scaling
    with figure_style():
        import matplotlib.pyplot as plt

        fig, (ax, axr) = plt.subplots(
            2,
            1,
            sharex=True,
            figsize=(5.6, 4.6),
            gridspec_kw={"height_ratios": [3, 1.3], "hspace": 0.06},
        )
        styles = w_styles(an.W)
        G = an.betas.G
        log = log_if_wide(ax, G.min(), G.max())
        (x0, x1), (y0, y1) = _beta_limits(an, log)
        ax.axhline(0.0, color="0.6", lw=0.7, zorder=1)
        if sc.defined:
            gg = np.geomspace(x0, x1, 300)
            ax.plot(gg, sc.curve(gg), color=THEORY_COLOR, lw=1.2, label=_curve_label(sc), zorder=2)
        _beta_errorbars(ax, an, styles)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_ylabel(beta_axis_label(an.stat))
        ax.set_title(f"{an.title}: one-parameter scaling")
        ax.legend(
            title=f"{STAT_LABELS[an.stat]}\n{ci_text(an)}",
            loc="center left",
            bbox_to_anchor=(1.02, 0.5),
            title_fontsize=8.5,
        )
        _draw_pulls(axr, an, styles)
        axr.set_ylabel(r"pull ($\sigma$)")
        axr.set_xlabel(g_axis_label(an.stat))
    return fig


def _curve_label(sc) -> str:
    """Legend of the single curve: its form, both chi² and the p-value of the test."""
    return (
        f"one curve: {_curve_name(sc.n_knots)}\n"
        f"$\\chi^2/\\mathrm{{dof}}$: one curve {sc.chi2_single:.1f}/{sc.dof_single},"
        f"\nper-$W$ curves {sc.chi2_separate:.1f}/{sc.dof_separate}; "
        f"$\\Delta\\chi^2$ test $p = {sc.p_value:.2g}$"
    )


def _draw_pulls(axr, an: StoreAnalysis, styles: dict) -> None:
    """The pulls ``(beta - curve)/sigma`` per W, or why the test is not defined."""
    sc = an.scaling
    axr.axhline(0.0, color="0.6", lw=0.7)
    if sc.defined:
        G, W, pulls = an.betas.G, an.betas.W, np.asarray(sc.pulls)
        for w in an.W:
            sel = W == w
            axr.plot(G[sel], pulls[sel], ls="none", **styles[w])
        lim = max(3.0, 1.15 * float(np.max(np.abs(pulls))))
        axr.set_ylim(-lim, lim)
        axr.axhspan(-1, 1, color="0.92", lw=0, zorder=0)
    else:
        axr.text(
            0.5,
            0.5,
            f"scaling test not defined: {sc.reason}",
            transform=axr.transAxes,
            ha="center",
            va="center",
            fontsize=8.5,
        )
        axr.set_yticks([])


def _curve_name(n_knots: int) -> str:
    if n_knots == 2:
        return r"straight line in $\ln G$"
    return rf"cubic spline in $\ln G$, {n_knots} knots"


# ------------------------------------------------------------ 4. distribution
def _default_at(an: StoreAnalysis) -> list[tuple[float, int]]:
    Ws = an.W
    if len(Ws) > 4:
        Ws = [Ws[i] for i in np.round(np.linspace(0, len(Ws) - 1, 4)).astype(int)]
    return [(w, an.L[-1]) for w in Ws]


def plot_distribution(
    an: StoreAnalysis,
    at: Sequence[tuple[float, int]] | None = None,
    quantity: str = "lnT",
):
    """Figure 4: histogram of ln T (or T) at chosen (W, L).

    Parameters
    ----------
    an
        The analysis.
    at
        The (W, L) to show; default: the largest L at up to four W.
    quantity
        ``"lnT"`` or ``"T"``.
    """
    if quantity not in ("lnT", "T"):
        raise InputError(f"quantity must be 'lnT' or 'T', got {quantity!r}")
    at = _default_at(an) if at is None else [(float(w), int(x)) for w, x in at]
    if not at:
        raise InputError("no (W, L) chosen for the distribution")
    with figure_style():
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5.6, 3.6))
        styles = w_styles(sorted({w for w, _ in at}))
        single_W = len({w for w, _ in at}) == 1
        if single_W:
            lstyles = w_styles([x for _, x in at])
        for w, x in at:
            T = an.samples(w, x)
            v = np.log(T[T > 0]) if quantity == "lnT" else T
            st = lstyles[x] if single_W else styles[w]
            bins = max(10, min(60, round(2 * v.size ** (1 / 3))))
            ax.hist(
                v,
                bins=bins,
                density=True,
                histtype="step",
                lw=1.4,
                color=st["color"],
                label=f"W = {w:g}, L = {x} (n = {v.size})",
            )
            ax.axvline(np.mean(v), color=st["color"], ls=":", lw=1.0)
        if quantity == "lnT":
            ax.set_xlabel(r"$\ln T$  ($T$ in $e^2/h$, two-terminal)")
            ax.set_ylabel(r"probability density of $\ln T$")
            mean_txt = r"dotted: $\langle\ln T\rangle$"
        else:
            ax.set_xlabel(r"$T$ ($e^2/h$, two-terminal)")
            ax.set_ylabel(r"probability density of $T$ ($h/e^2$)")
            mean_txt = r"dotted: $\langle T\rangle$"
        ax.set_title(an.title)
        ax.set_ylim(0, ax.get_ylim()[1] * 1.08)
        ax.legend(title=mean_txt, loc="center left", bbox_to_anchor=(1.02, 0.5), title_fontsize=8.5)
    return fig


# ---------------------------------------------------------------- compare
def _compare_limits(ax, analyses: Sequence[StoreAnalysis]) -> tuple[float, float, float, float]:
    """``(x0, x1, y0, y1)`` holding every store's points (a log G axis if they span decades)."""
    allG = np.concatenate([a.betas.G for a in analyses])
    log = log_if_wide(ax, allG.min(), allG.max())
    lims = [_beta_limits(a, log) for a in analyses]
    x0 = min(lim[0][0] for lim in lims)
    x1 = max(lim[0][1] for lim in lims)
    y0 = min(lim[1][0] for lim in lims)
    y1 = max(lim[1][1] for lim in lims)
    return x0, x1, y0, y1


def _draw_compare_points(ax, an: StoreAnalysis, k: int, color) -> None:
    """The beta points of store ``k``: its class's colour, its own marker."""
    pts = an.betas.points
    xerr, yerr = error_bars(pts)
    name = f"{an.name}: " if an.name else ""
    ax.errorbar(
        np.array([p.G for p in pts]),
        np.array([p.beta for p in pts]),
        xerr=xerr,
        yerr=yerr,
        ls="none",
        color=color,
        marker=MARKERS[k % len(MARKERS)],
        mfc="white" if k >= len(CLASS_COLORS) else color,
        label=f"{name}{an.title}",
        zorder=3,
    )


def plot_compare(analyses: Sequence[StoreAnalysis]):
    """The headline figure: beta(G) of several stores with their analytic curves.

    One colour per symmetry class (:data:`betascale.plots.CLASS_COLORS`), one
    marker per store; each class's leading-order analytic beta in its colour,
    dashed; the line beta = 0.
    """
    if not analyses:
        raise InputError("compare needs at least one store")
    stats = {a.stat for a in analyses}
    with figure_style():
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5.8, 4.0))
        x0, x1, y0, y1 = _compare_limits(ax, analyses)
        ax.axhline(0.0, color="0.5", lw=0.8, zorder=1)
        gg = np.geomspace(x0, x1, 300)
        for k, an in enumerate(analyses):
            color = CLASS_COLORS.get(an.model, PALETTE[k % len(PALETTE)])
            if an.model not in {a.model for a in analyses[:k]}:  # each class's curve once
                ax.plot(
                    gg,
                    theory.beta(gg, an.model, 1),
                    ls="--",
                    lw=1.2,
                    color=color,
                    label=f"{an.model}: {theory.formula(an.model, 1)}",
                    zorder=2,
                )
            _draw_compare_points(ax, an, k, color)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        stat = analyses[0].stat
        ax.set_xlabel(
            g_axis_label(stat) if len(stats) == 1 else r"$G$ ($e^2/h$; statistic per store)"
        )
        ax.set_ylabel(beta_axis_label(stat) if len(stats) == 1 else r"$\beta = d\ln G/d\ln L$")
        ax.set_title("2D Wigner–Dyson classes: numerical and analytic $\\beta(g)$")
        title = STAT_LABELS[stat] if len(stats) == 1 else "; ".join(STAT_LABELS[s] for s in stats)
        ax.legend(
            title=f"{title}\n{ci_text(analyses[0])}; dashed: leading order",
            loc="center left",
            bbox_to_anchor=(1.02, 0.5),
            title_fontsize=8.5,
        )
    return fig


# ------------------------------------------------------------------ writers
#: File names (without extension) of the figures :func:`write_figures` writes.
FIGURE_NAMES = ("g_of_L", "beta", "scaling_collapse", "distribution")


def write_figures(
    an: StoreAnalysis,
    out_dir: str | Path,
    at: Sequence[tuple[float, int]] | None = None,
    quantity: str = "lnT",
) -> list[Path]:
    """Write the four figures of one analysis as PNG and PDF; return the paths."""
    figures = (
        plot_g_of_L(an),
        plot_beta(an),
        plot_collapse(an),
        plot_distribution(an, at, quantity),
    )
    paths: list[Path] = []
    for fig, name in zip(figures, FIGURE_NAMES, strict=True):
        paths += save_figure(fig, out_dir, name)
    return paths


def write_compare(
    analyses: Sequence[StoreAnalysis], out_dir: str | Path, name: str = "compare_beta"
) -> list[Path]:
    """Write :func:`plot_compare` as ``name.png`` and ``name.pdf``; return the paths."""
    return save_figure(plot_compare(analyses), out_dir, name)

"""Figures of the finite-size-scaling analysis of a transition.

* :func:`plot_fss_data` — Γ(W) per L with the fitted curves;
* :func:`plot_fss_collapse` — the data against the scaling variable
  ``(W - W_c) L^{1/ν}`` with irrelevant corrections removed, and the pulls;
* :func:`plot_critical_distribution` — P(g) (or P(T)) at the W nearest W_c for each
  L, with the mean and variance against L;
* :func:`plot_beta_panorama` — β(g) across the symplectic transition with the
  orthogonal and unitary β(g) and the analytic curves of the three classes.

Every function draws on a new figure in the shipped style
(:func:`betascale.plots.figure_style`) and returns it, never saving;
:func:`write_fss_figures` saves them. The fit is that of Slevin & Ohtsuki, Phys.
Rev. Lett. 82, 382 (1999); New J. Phys. 16, 015012 (2014). Error bars of Γ are one
standard error; those of β and of the crossings bootstrap intervals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from betascale import theory
from betascale.analysis import statistics
from betascale.analysis.fss import FSSFit
from betascale.analysis.fss_beta import FSSBeta
from betascale.analysis.fss_data import FSS_STAT_LABELS, FSS_STAT_SYMBOLS
from betascale.analysis.fss_distribution import CriticalDistribution
from betascale.analysis.fss_pipeline import FSSAnalysis
from betascale.errors import InputError
from betascale.plots import CLASS_COLORS, figure_style, save_figure
from betascale.plots.common import MARKERS, THEORY_COLOR
from betascale.plots.common import error_bars as _error_bars
from betascale.plots.common import log_if_wide as _log_if_wide
from betascale.plots.common import w_styles as _w_styles

#: File names (without extension) of the figures of :func:`write_fss_figures`.
FSS_FIGURE_NAMES = ("fss_data", "fss_collapse", "fss_distribution", "fss_beta_panorama")


def _pm(v: float, e: float) -> str:
    """``v \\pm e`` in mathtext with two significant digits of the error."""
    if not (math.isfinite(e) and e > 0):
        return f"{v:.4g}"
    d = max(0, 1 - math.floor(math.log10(e)))
    return f"{v:.{d}f} \\pm {e:.{d}f}"


def _fit_text(fit: FSSFit) -> str:
    nr, mr, ni, mi = fit.orders
    lines = [
        f"$W_c = {_pm(fit.W_c.value, fit.W_c.best_error)}$",
        f"$\\nu = {_pm(fit.nu.value, fit.nu.best_error)}$",
    ]
    if math.isfinite(fit.y.value):
        lines.append(f"$y = {_pm(fit.y.value, fit.y.best_error)}$")
    lines.append(f"$\\Gamma_c = {_pm(fit.gamma_c.value, fit.gamma_c.best_error)}$")
    chi = f"{fit.chi2:.1f}/{fit.dof}"
    lines.append(f"$\\chi^2/\\mathrm{{dof}} = {chi}$, $p = {fit.p_value:.2g}$")
    lines.append(f"orders $(n_r, m_r, n_i, m_i) = ({nr}, {mr}, {ni}, {mi})$")
    return "\n".join(lines)


def _gamma_label(stat: str) -> str:
    unit = "" if statistics.get(stat).log_of else " ($e^2/h$)"
    return f"$\\Gamma = {FSS_STAT_SYMBOLS[stat]}${unit}"


# ---------------------------------------------------------------- (a) data
def plot_fss_data(fit: FSSFit, title: str = ""):
    """Γ(W) per size with the fitted curves, W_c (band: ±1 error) and Γ_c.

    Parameters
    ----------
    fit
        A finite-size-scaling fit (:func:`betascale.analysis.fss.fss_fit`).
    title
        Figure title (e.g. the model).
    """
    d = fit.data
    with figure_style():
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5.8, 3.9))
        styles = _w_styles(d.sizes)
        Wc, dWc = fit.W_c.value, fit.W_c.best_error
        if math.isfinite(dWc):
            ax.axvspan(Wc - dWc, Wc + dWc, color="0.88", lw=0, zorder=0)
        ax.axvline(Wc, color="0.45", lw=0.8, ls="--", zorder=1)
        ax.axhline(fit.gamma_c.value, color="0.45", lw=0.8, ls=":", zorder=1)
        Wf = np.linspace(d.W.min(), d.W.max(), 200)
        for x in d.sizes:
            sel = d.L == x
            st = styles[x]
            ax.errorbar(
                d.W[sel],
                d.gamma[sel],
                yerr=d.sigma[sel],
                ls="none",
                label=f"L = {x}",
                zorder=3,
                **st,
            )
            ax.plot(Wf, fit(Wf, np.full(Wf.size, x)), color=st["color"], lw=1.1, zorder=2)
        ax.set_xlabel("disorder $W$")
        ax.set_ylabel(_gamma_label(fit.stat))
        ax.set_title(title or "finite-size scaling: data and fit")
        ax.legend(
            title=f"{FSS_STAT_LABELS[fit.stat]}; ±1 s.e.\nlines: fit\n{_fit_text(fit)}",
            loc="center left",
            bbox_to_anchor=(1.02, 0.5),
            title_fontsize=8,
            fontsize=8,
        )
    return fig


# ------------------------------------------------------------- (b) collapse
def plot_fss_collapse(fit: FSSFit, title: str = ""):
    """The data against ``x = (W - W_c) L^{1/ν}`` with the scaling function, and pulls.

    With ``mr > 1`` the abscissa is ``W_c u1(w) L^{1/ν}`` (equal to ``(W - W_c) L^{1/ν}``
    to first order in w); with an irrelevant term the fitted correction
    ``F(φ1, φ0) - F(φ1, 0)`` is subtracted from the data, so that the points fall on
    the relevant part ``F(x/W_c, 0)`` (solid line). Bottom: ``(Γ - fit)/σ``.
    """
    d = fit.data
    x = fit.scaling_variable(d.W, d.L)
    y = fit.corrected(d.W, d.L, d.gamma)
    pulls = (d.gamma - fit(d.W, d.L)) / d.sigma
    with figure_style():
        import matplotlib.pyplot as plt

        fig, (ax, axr) = plt.subplots(
            2,
            1,
            sharex=True,
            figsize=(5.8, 4.6),
            gridspec_kw={"height_ratios": [3, 1.2], "hspace": 0.06},
        )
        styles = _w_styles(d.sizes)
        xf = np.linspace(x.min(), x.max(), 300)
        ax.plot(
            xf,
            fit.scaling_function(xf),
            color=THEORY_COLOR,
            lw=1.2,
            zorder=2,
            label="scaling function $F(x/W_c, 0)$",
        )
        for size in d.sizes:
            sel = d.L == size
            st = styles[size]
            ax.errorbar(
                x[sel], y[sel], yerr=d.sigma[sel], ls="none", label=f"L = {size}", zorder=3, **st
            )
            axr.plot(x[sel], pulls[sel], ls="none", **st)
        ax.axvline(0.0, color="0.6", lw=0.7, zorder=1)
        corrected = " $-$ irrelevant correction" if fit.orders[2] else ""
        ax.set_ylabel(_gamma_label(fit.stat) + corrected)
        ax.set_title(title or "finite-size scaling: collapse")
        ax.legend(
            title=f"{FSS_STAT_LABELS[fit.stat]}\n{_fit_text(fit)}",
            loc="center left",
            bbox_to_anchor=(1.02, 0.5),
            title_fontsize=8,
            fontsize=8,
        )
        axr.axhline(0.0, color="0.6", lw=0.7)
        axr.axhspan(-1, 1, color="0.92", lw=0, zorder=0)
        lim = max(3.0, 1.15 * float(np.max(np.abs(pulls))))
        axr.set_ylim(-lim, lim)
        axr.set_ylabel(r"pull ($\sigma$)")
        xl = r"$(W - W_c)\,L^{1/\nu}$" if fit.orders[1] == 1 else r"$W_c\,u_1(w)\,L^{1/\nu}$"
        axr.set_xlabel(xl)
    return fig


# --------------------------------------------------------- (c) distribution
def plot_critical_distribution(dist: CriticalDistribution, bins: int = 40, title: str = ""):
    """P(g) (or P(T)) at the W nearest W_c for each L, and its mean and variance against L.

    Left: densities on common bins (step histograms). Right: the mean (circles) and
    variance (squares) with standard errors against L; the legend quotes the
    Anderson–Darling test of all sizes and the χ² of an L-independent mean and variance.
    """
    q = dist.quantity
    edges, dens = dist.histogram(bins)
    with figure_style():
        import matplotlib.pyplot as plt

        fig, (ax, axm) = plt.subplots(
            1, 2, figsize=(8.6, 3.6), gridspec_kw={"width_ratios": [1.7, 1], "wspace": 0.3}
        )
        styles = _w_styles(sorted(dens))
        for size, p in dens.items():
            st = styles[size]
            ax.stairs(
                p,
                edges,
                color=st["color"],
                lw=1.3,
                label=f"L = {size} (n = {dist.samples[size].size})",
            )
        ax.set_xlabel(
            f"${q}$ ($e^2/h$)" + (", two-terminal" if q == "T" else ", contact-corrected")
        )
        ax.set_ylabel(f"$P({q})$ ($h/e^2$)")
        ax.set_ylim(0, None)
        ax.set_title(title or f"critical distribution at $W = {dist.W:g}$ ($W_c = {dist.W_c:.3f}$)")
        ax.legend(
            title=f"AD test, all $L$: $p = {dist.ad_p_value:.2g}$",
            title_fontsize=8,
            fontsize=8,
        )
        L = np.array([s.L for s in dist.sizes], dtype=float)
        key = "g" if q == "g" else "T"
        for name, marker, lab in (
            (f"mean_{key}", "o", f"$\\langle {q}\\rangle$"),
            (f"var_{key}", "s", f"var ${q}$"),
        ):
            m = np.array([getattr(s, name).mean for s in dist.sizes])
            e = np.array([getattr(s, name).error for s in dist.sizes])
            axm.errorbar(L, m, yerr=e, marker=marker, ls="-", lw=0.8, label=lab)
        _log_if_wide(axm, L.min(), L.max(), ratio=2.0)
        axm.set_xlabel("$L$")
        axm.set_ylabel(f"moments of ${q}$ ($e^2/h$, $(e^2/h)^2$)")
        axm.legend(
            title=f"$\\chi^2$ const.: mean $p = {dist.p_mean:.2g}$\nvar $p = {dist.p_var:.2g}$",
            title_fontsize=8,
            fontsize=8,
        )
    return fig


# ------------------------------------------------------------ (d) panorama
def _draw_theory(ax, g: np.ndarray) -> None:
    for model in theory.CLASSES:
        ax.plot(
            g,
            theory.beta(g, model, 1),
            ls="--",
            lw=1.1,
            color=CLASS_COLORS[model],
            label=f"{model}: {theory.formula(model, 1)}",
            zorder=2,
        )


def _draw_points(ax, pts, color: str, marker: str, label: str, filled: bool = True) -> None:
    G = np.array([p.G for p in pts])
    b = np.array([p.beta for p in pts])
    xerr, yerr = _error_bars(pts)
    ax.errorbar(
        G,
        b,
        xerr=xerr,
        yerr=yerr,
        ls="none",
        color=color,
        marker=marker,
        ms=4,
        mfc=color if filled else "white",
        label=label,
        zorder=3,
    )


def plot_beta_panorama(beta: FSSBeta, others: Sequence = (), title: str = ""):
    """β(g) of the symplectic transition beside the orthogonal and unitary β(g).

    Parameters
    ----------
    beta
        β(g) across the transition (:func:`betascale.analysis.fss_beta.fss_beta`): the
        curve from the fitted scaling function (with its bootstrap band), the
        finite-difference points and the fixed point g_c (star).
    others
        :class:`betascale.analysis.StoreAnalysis` objects of other stores (e.g. the
        orthogonal, unitary and weakly disordered symplectic demos), drawn as points
        in the colour of their class.
    title
        Figure title.

    Notes
    -----
    The dashed curves are the leading analytic β of each class (:func:`theory.beta`):
    ``-1/(π g)``, ``-1/(2π² g²)`` and ``+1/(π g)`` (Hikami, Phys. Rev. B 24, 2671
    (1981); Evers & Mirlin, Rev. Mod. Phys. 80, 1355 (2008)). In the insulator β
    tends to ``ln(g/g_0)`` (exponential localization).
    """
    lo, hi = _panorama_range(beta, others)
    with figure_style():
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6.2, 4.2))
        ax.axhline(0.0, color="0.5", lw=0.8, zorder=1)
        _draw_theory(ax, np.geomspace(max(lo, 0.3), hi, 300))
        for k, an in enumerate(others):
            c = CLASS_COLORS.get(an.model, "0.3")
            label = f"{an.name or an.model}: {an.title}"
            _draw_points(ax, an.betas.points, c, MARKERS[(k + 1) % len(MARKERS)], label, False)
        _draw_transition(ax, beta)
        _log_if_wide(ax, lo, hi, ratio=3.0)
        ax.set_xlim(lo, hi)
        ax.set_xlabel(r"$g$ ($e^2/h$; statistic per curve)")
        ax.set_ylabel(r"$\beta = d\ln g/d\ln L$")
        ax.set_title(title or "2D scaling: $\\beta(g)$ of the three Wigner–Dyson classes")
        ax.legend(
            title="dashed: leading analytic order",
            loc="center left",
            bbox_to_anchor=(1.02, 0.5),
            title_fontsize=8,
            fontsize=7.5,
        )
    return fig


def _panorama_range(beta: FSSBeta, others: Sequence) -> tuple[float, float]:
    """The g range of every curve and point set, padded by a factor 1.3."""
    gs = [beta.g]
    if beta.points is not None:
        gs.append(beta.points.G)
    gs += [a.betas.G for a in others]
    allg = np.concatenate(gs)
    allg = allg[np.isfinite(allg) & (allg > 0)]
    if allg.size == 0:
        raise InputError("no positive conductance to draw")
    return allg.min() / 1.3, allg.max() * 1.3


def _draw_transition(ax, beta: FSSBeta) -> None:
    """The scaling-fit curve with its band, the finite-difference points and g_c."""
    color = CLASS_COLORS["symplectic"]
    if beta.band is not None:
        ok = np.isfinite(beta.band[0]) & np.isfinite(beta.band[1])
        ax.fill_between(
            beta.g[ok], beta.band[0][ok], beta.band[1][ok], color=color, alpha=0.25, lw=0, zorder=2
        )
    label = f"symplectic, scaling fit ({FSS_STAT_LABELS[beta.stat]})"
    ax.plot(beta.g, beta.beta, color=color, lw=2.0, zorder=4, label=label)
    if beta.points is not None:
        _draw_points(ax, beta.points.points, color, "o", "symplectic, finite differences")
    ax.plot(
        [beta.g_c],
        [0.0],
        marker="*",
        ms=12,
        color=color,
        mec="black",
        ls="none",
        zorder=5,
        label=f"$g_c = {beta.g_c:.3f}$, slope $1/\\nu = {beta.slope:.2f}$",
    )


# ------------------------------------------------------------------ writer
def write_fss_figures(an: FSSAnalysis, out_dir: str | Path, others: Sequence = ()) -> list[Path]:
    """Write the four figures of a :class:`~betascale.analysis.fss_pipeline.FSSAnalysis`.

    Saved as PNG and PDF under :data:`FSS_FIGURE_NAMES` in ``out_dir``; ``others`` are
    passed to :func:`plot_beta_panorama`. Returns the paths.
    """
    title = f"{an.name}: {an.title}" if an.name else an.title
    figures = (
        plot_fss_data(an.fit, title),
        plot_fss_collapse(an.fit, title),
        plot_critical_distribution(an.distribution),
        plot_beta_panorama(an.beta, others),
    )
    paths: list[Path] = []
    for fig, name in zip(figures, FSS_FIGURE_NAMES, strict=True):
        paths += save_figure(fig, out_dir, name)
    return paths

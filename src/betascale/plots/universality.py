"""The figure of universality across lattices: β(g) of several lattices per class.

:func:`plot_universality` draws one panel per symmetry class of a
:class:`~betascale.analysis.universality.UniversalityTest`: the β(G) points of each
lattice with their bootstrap error bars (one colour and marker per lattice; points
below the test's gmin open and faded), the single fitted curve of the collapse test
with its one-sigma band over the G range it was fitted on, the class's leading-order
analytic β dashed, and the line β = 0; χ²/dof and p of the collapse in the panel's
title. :func:`write_universality` saves it as PNG and PDF (through
:func:`betascale.plots.save_figure`, atomic).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from betascale import theory
from betascale.analysis.universality import ClassCollapse, UniversalityTest
from betascale.errors import InputError
from betascale.plots import PALETTE, figure_style, save_figure
from betascale.plots.common import (
    MARKERS,
    THEORY_COLOR,
    beta_axis_label,
    ci_text,
    error_bars,
    g_axis_label,
    log_if_wide,
    span,
)

#: Default file name (without suffix) of :func:`write_universality`.
FIGURE_NAME = "universality"
#: Colours of the lattices of one panel (the palette without yellow and black).
LATTICE_COLORS = PALETTE[:6]


def _panel_title(c: ClassCollapse) -> str:
    t = c.test
    if not t.defined:
        return f"{c.model}: not tested"
    return (
        f"{c.model}\none curve $\\chi^2/\\mathrm{{dof}}$ = "
        f"{t.chi2_single:.1f}/{t.dof_single}, collapse $p$ = {t.p_value:.2g}"
    )


def _draw_lattices(ax, c: ClassCollapse) -> None:
    """The points of every lattice: filled if they enter the test, open below gmin."""
    for i, (lat, an) in enumerate(zip(c.lattices, c.analyses, strict=True)):
        color, marker = LATTICE_COLORS[i % len(LATTICE_COLORS)], MARKERS[i % len(MARKERS)]
        pts = an.betas.points
        used = np.array([p.G >= c.gmin for p in pts])
        for sel, filled in ((used, True), (~used, False)):
            if not sel.any():
                continue
            chosen = [p for p, s in zip(pts, sel, strict=True) if s]
            xerr, yerr = error_bars(chosen)
            ax.errorbar(
                [p.G for p in chosen],
                [p.beta for p in chosen],
                xerr=xerr,
                yerr=yerr,
                ls="none",
                color=color,
                marker=marker,
                mfc=color if filled else "white",
                alpha=1.0 if filled else 0.45,
                label=f"{lat.label} ({c.model})" if filled or not used.any() else None,
                zorder=3,
            )


def _draw_curve(ax, c: ClassCollapse, log: bool) -> None:
    """The single curve with its one-sigma band, over the G range of the points fitted."""
    if not c.test.defined:
        return
    G_used = np.concatenate([an.betas.G[an.betas.G >= c.gmin] for an in c.analyses])
    lo, hi = float(G_used.min()), float(G_used.max())
    gg = np.geomspace(lo, hi, 200) if log else np.linspace(lo, hi, 200)
    y, dy = c.test.curve(gg), c.test.curve_error(gg)
    ax.fill_between(gg, y - dy, y + dy, color="0.6", alpha=0.35, lw=0, zorder=1)
    ax.plot(gg, y, color="0.25", lw=1.2, zorder=2, label=f"one curve ({c.test.n_knots} knots)")


def _beta_range(c: ClassCollapse) -> np.ndarray:
    """The ends of the β error bars, each at most half the spread of the values outside
    them (a few huge error bars deep in the insulator would squash the rest)."""
    values = np.concatenate([an.betas.beta for an in c.analyses])
    ends = np.array([v for an in c.analyses for p in an.betas.points for v in p.beta_interval])
    reach = 0.5 * max(float(np.ptp(values)), 0.1)
    return np.clip(ends, values.min() - reach, values.max() + reach)


def _draw_panel(ax, c: ClassCollapse) -> None:
    allG = np.concatenate([an.betas.G for an in c.analyses])
    ends = _beta_range(c)
    log = log_if_wide(ax, allG.min(), allG.max())
    x0, x1 = span(allG, log)
    ax.axhline(0.0, color="0.5", lw=0.8, zorder=1)
    gg = np.geomspace(x0, x1, 300)
    _draw_curve(ax, c, log)
    analytic = theory.beta(gg, c.model, 1)
    ax.plot(gg, analytic, ls="--", lw=1.2, color=THEORY_COLOR, zorder=2,
            label=f"leading order: {theory.formula(c.model, 1)}")  # fmt: skip
    _draw_lattices(ax, c)
    y0, y1 = span(np.array([*ends, 0.0]), False, pad=0.06)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel(g_axis_label(c.stat))
    ax.set_ylabel(beta_axis_label(c.stat))
    ax.set_title(_panel_title(c), fontsize=9.5)
    ax.legend(
        title=f"$G \\geq {c.gmin:g}$ fitted; {ci_text(c.analyses[0])}",
        title_fontsize=8,
        fontsize=7.5,
        loc="best",
    )


def plot_universality(result: UniversalityTest):
    """β(G) of the lattices of each class, one panel per class, with the collapse curve.

    Parameters
    ----------
    result
        The :class:`~betascale.analysis.universality.UniversalityTest`.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per class (in the order of the test), side by side.
    """
    if not isinstance(result, UniversalityTest) or not result.classes:
        raise InputError("the universality figure needs a UniversalityTest with a class")
    n = len(result.classes)
    with figure_style():
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, n, figsize=(4.6 * n, 3.9), squeeze=False)
        for ax, c in zip(axes[0], result.classes, strict=True):
            _draw_panel(ax, c)
        fig.subplots_adjust(wspace=0.3)
    return fig


def write_universality(
    result: UniversalityTest, out_dir: str | Path, name: str = FIGURE_NAME
) -> list[Path]:
    """Write :func:`plot_universality` as ``name.png`` and ``name.pdf``; return the paths."""
    return save_figure(plot_universality(result), out_dir, name)

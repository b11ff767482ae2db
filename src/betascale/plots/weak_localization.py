"""Figures of weak localization: the slope against L/ell, Delta g(L) and Delta g(phi).

Every function draws on a new figure in the shipped style
(:func:`betascale.plots.figure_style`) and returns it; nothing is saved (use
:func:`betascale.plots.save_figure`). Conductances are in e²/h, lengths in lattice
constants; the statistic (⟨g⟩ contact-corrected or ⟨T⟩) is named in every legend.
Error bars of slopes are bootstrap percentile intervals, those of means one standard
error.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from betascale import theory
from betascale.analysis.ensembles import STAT_LABELS
from betascale.analysis.magnetoconductance import Magnetoconductance
from betascale.analysis.weak_localization import WeakLocalization, class_at_flux
from betascale.errors import InputError
from betascale.plots import figure_style
from betascale.plots.common import THEORY_COLOR, log_axis
from betascale.plots.common import log_if_wide as _log_if_wide
from betascale.plots.common import w_styles as _w_styles

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _interval_err(values, intervals) -> np.ndarray:
    lo = np.array([v - i[0] for v, i in zip(values, intervals, strict=True)])
    hi = np.array([i[1] - v for v, i in zip(values, intervals, strict=True)])
    return np.clip(np.vstack([lo, hi]), 0, None)


def _check(result, kind: str) -> None:
    if not result.defined:
        raise InputError(f"no {kind} to plot: {result.reason}")


def _slope_of_fit(fit, L: np.ndarray) -> np.ndarray:
    """``d/d ln L`` of ``y0 + a ln L + c/L + d/L^2``: ``a - c/L - 2 d/L^2``."""
    coef = fit.coef
    out = np.full_like(L, coef[1], dtype=float)
    for k, c in enumerate(coef[2:], start=1):
        out -= k * c / L**k
    return out


def plot_wl_slope(wl: WeakLocalization, flux: float = 0.0, title: str | None = None) -> Figure:
    """The slope ``d<g>/d ln L`` between successive sizes against ``L/ell``, per W.

    The one-loop value of the class is the black line (``-1/pi`` orthogonal, ``+1/pi``
    symplectic; for the unitary class ``-1/(2 pi^2 <g>)`` at each point, open
    markers). The dashed curve of each W is the derivative ``a - c/L`` of its
    finite-size fit. Without a mean free path the axis is L.
    """
    _check(wl, "weak-localization slope")
    pts = [s for s in wl.slopes if s.flux == flux]
    if not pts:
        raise InputError(f"no slopes at flux {flux:g}")
    with figure_style():
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots()
        use_ell = all(math.isfinite(s.L_over_ell) for s in pts)
        Ws = sorted({s.W for s in pts})
        styles = _w_styles(Ws)
        fit_label: str | None = f"slope of the fit of {_form_text(wl)}"  # once, all W
        for w in Ws:
            sel = [s for s in pts if s.W == w]
            x = np.array([s.L_over_ell if use_ell else s.L for s in sel])
            y = np.array([s.slope for s in sel])
            err = _interval_err(y, [s.interval for s in sel])
            ax.errorbar(x, y, yerr=err, ls="none", label=f"W = {w:g}", zorder=3, **styles[w])
            fits = [f for f in wl.fits if f.W == w and f.flux == flux]
            if fits:
                L = np.geomspace(min(s.L for s in sel), max(s.L for s in sel), 100)
                scale = L / sel[0].L * sel[0].L_over_ell if use_ell else L
                ax.plot(
                    scale, _slope_of_fit(fits[0].fit, L), ls="--", lw=1,
                    color=styles[w]["color"], label=fit_label,
                )  # fmt: skip
                fit_label = None
        _draw_one_loop(ax, wl, pts, use_ell, flux)
        xs = np.array([s.L_over_ell if use_ell else s.L for s in pts])
        _log_if_wide(ax, xs.min(), xs.max())
        ax.axhline(0.0, color="0.6", lw=0.7, zorder=1)
        ax.set_xlabel(r"$L/\ell$ (Born mean free path)" if use_ell else r"$L$ (lattice constants)")
        ax.set_ylabel(r"$\Delta\langle g\rangle / \Delta\ln L$  ($e^2/h$)")
        default = f"{class_at_flux(wl.model, flux)}, flux {flux:g}"
        ax.set_title(title if title is not None else default)
        ax.legend(title=STAT_LABELS[wl.stat], loc="center left", bbox_to_anchor=(1.02, 0.5))
    return fig


def _form_text(wl: WeakLocalization) -> str:
    """``<g>(L)`` for a legend, "with c/L" when the fit has correction terms."""
    return r"$\langle g\rangle(L)$" + (" with $c/L$" if wl.corrections else "")


def _draw_one_loop(ax, wl: WeakLocalization, pts, use_ell: bool, flux: float) -> None:
    model = class_at_flux(wl.model, flux)
    if model == "unitary":
        x = [s.L_over_ell if use_ell else s.L for s in pts]
        ax.plot(
            x,
            [s.predicted for s in pts],
            ls="none",
            marker="o",
            mfc="none",
            color=THEORY_COLOR,
            label=r"$-1/(2\pi^2\langle g\rangle)$",
        )
        return
    a = theory.weak_localization_slope(model)
    ax.axhline(a, color=THEORY_COLOR, lw=1.1, label=f"one loop: ${'-' if a < 0 else '+'}1/\\pi$")


def _pick_W(result, W: float | None) -> float:
    Ws = sorted({d.W for d in result.deltas})
    if W is None:
        return Ws[0]
    if W not in Ws:
        raise InputError(f"no data at W={W:g} (W: {', '.join(f'{w:g}' for w in Ws)})")
    return W


def plot_delta_g_of_L(
    mc: Magnetoconductance, W: float | None = None, title: str | None = None
) -> Figure:
    """``<Delta g>(L) = <g(phi) - g(0)>`` against ln L at each flux, paired errors.

    The black line has the expected slope ``+1/pi`` (orthogonal) or ``-1/pi``
    (symplectic) for ``l_B << L``, through the last point of the largest flux; the
    fitted ``d0 + b ln L (+ c/L)`` of each flux is dashed.
    """
    _check(mc, "magnetoconductance")
    W = _pick_W(mc, W)
    with figure_style():
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots()
        fluxes = sorted({d.flux for d in mc.deltas if d.W == W})
        styles = _w_styles(fluxes)
        for f in fluxes:
            sel = sorted((d for d in mc.deltas if d.W == W and d.flux == f), key=lambda d: d.L)
            lnL = np.log([d.L for d in sel])
            y = [d.delta.mean for d in sel]
            lab = rf"$\phi$ = {f:.3g} ($l_B$ = {theory.magnetic_length(f):.3g})"
            ax.errorbar(
                lnL, y, yerr=[d.delta.error for d in sel], ls="none", label=lab, **styles[f]
            )
            for fit in (x for x in mc.fits if x.W == W and x.flux == f):
                Lf = np.geomspace(sel[0].L, sel[-1].L, 100)
                ax.plot(np.log(Lf), fit.fit(Lf), ls="--", lw=1, color=styles[f]["color"])
        b = theory.magnetoconductance_slope(mc.model)
        last = max((d for d in mc.deltas if d.W == W and d.flux == fluxes[-1]), key=lambda d: d.L)
        x = np.log([min(d.L for d in mc.deltas), last.L])
        ax.plot(
            x,
            last.delta.mean + b * (x - x[-1]),
            color=THEORY_COLOR,
            lw=1.1,
            label=f"slope ${'+' if b > 0 else '-'}1/\\pi$ ($l_B \\ll L$)",
        )
        ax.axhline(0.0, color="0.6", lw=0.7, zorder=1)
        ax.set_xlabel(r"$\ln L$  ($L$ in lattice constants)")
        ax.set_ylabel(r"$\langle g(\phi) - g(0)\rangle$  ($e^2/h$)")
        ax.set_title(title if title is not None else f"{mc.model} at zero flux, W = {W:g}")
        ax.legend(
            title=STAT_LABELS[mc.stat] + "; paired", loc="center left", bbox_to_anchor=(1.02, 0.5)
        )
    return fig


def _cooperon_curve(ax, mc: Magnetoconductance, W: float, L: int, color, first: bool) -> None:
    """The fitted finite-size Cooperon curve at (W, L), dashed through the fitted fluxes
    (where F is already computed), if there is one."""
    for c in (x for x in mc.cooperon if x.W == W and x.L == L):
        phi = np.array(sorted(c.fluxes))
        ax.plot(phi, c(phi), color=color, lw=1, ls="--")
        if first:  # one neutral legend entry for the dashed curves
            label = r"dashed: finite-size Cooperon, $\alpha$ fitted"
            ax.plot([], [], color="0.4", lw=1, ls="--", label=label)


def plot_hln(mc: Magnetoconductance, W: float | None = None, title: str | None = None) -> Figure:
    """``<Delta g>(phi)`` at each L with the fitted Hikami–Larkin–Nagaoka curve.

    The flux axis is logarithmic; each curve is ``alpha (1/pi) [psi(1/2 + phi_*/phi) -
    ln(phi_*/phi)]`` with the fitted alpha and phi_* (:func:`theory.hln`). Where the
    analysis has finite-size Cooperon fits (hard walls), their curves ``2 alpha
    F(L/l_B)`` (:mod:`betascale.cooperon`) are dashed through the fitted fluxes.
    """
    _check(mc, "magnetoconductance")
    W = _pick_W(mc, W)
    with figure_style():
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots()
        sizes = sorted({d.L for d in mc.deltas if d.W == W})
        styles = _w_styles(sizes)
        for L in sizes:
            sel = sorted((d for d in mc.deltas if d.W == W and d.L == L), key=lambda d: d.flux)
            phi = np.array([d.flux for d in sel])
            ax.errorbar(
                phi,
                [d.delta.mean for d in sel],
                yerr=[d.delta.error for d in sel],
                ls="none",
                label=f"L = {L}" if not any(h.W == W and h.L == L for h in mc.hln) else None,
                **styles[L],
            )
            for h in (x for x in mc.hln if x.W == W and x.L == L):
                ff = np.geomspace(phi.min() / 2, phi.max() * 2, 200)
                ax.plot(
                    ff,
                    h(ff),
                    color=styles[L]["color"],
                    lw=1,
                    marker=styles[L]["marker"],
                    markevery=[],
                    label=rf"L = {L}: HLN $\alpha$ = {h.alpha:.3f} ± {h.alpha_error:.3f}",
                )
            _cooperon_curve(ax, mc, W, L, styles[L]["color"], first=L == sizes[0])
        log_axis(ax, "x")
        ax.axhline(0.0, color="0.6", lw=0.7, zorder=1)
        a = mc.alpha_one_loop
        ax.set_xlabel(r"flux per plaquette $\phi$ ($h/e$)")
        ax.set_ylabel(r"$\langle g(\phi) - g(0)\rangle$  ($e^2/h$)")
        expected = rf"expected $\alpha = {a:+.1f} - 1/(4\pi\langle g(\phi)\rangle)$"
        expected = expected if a else r"no $\alpha$ expected"
        ax.set_title(title if title is not None else f"{mc.model}, W = {W:g} ({expected})")
        ax.legend(
            title=STAT_LABELS[mc.stat] + "; paired", loc="center left", bbox_to_anchor=(1.02, 0.5)
        )
    return fig


def write_weak_localization_figures(an, out_dir: str | Path) -> list[Path]:
    """Write the weak-localization figures a store's analysis ``an`` has; return the paths.

    ``wl_slope`` (the slope fit of ``<g>(L)``) where the weak-localization analysis is
    defined; ``delta_g_of_L`` and ``delta_g_of_flux`` where the store is a flux scan
    with slope fits and HLN fits. PNG and PDF each (:func:`betascale.plots.save_figure`).
    """
    from betascale.plots import save_figure

    paths: list[Path] = []
    wl, mc = an.weak_localization, an.magnetoconductance
    if wl is not None and wl.defined:
        paths += save_figure(plot_wl_slope(wl), out_dir, "wl_slope")
    if mc is not None and mc.defined:
        if mc.fits:
            paths += save_figure(plot_delta_g_of_L(mc), out_dir, "delta_g_of_L")
        if mc.hln:
            paths += save_figure(plot_hln(mc), out_dir, "delta_g_of_flux")
    return paths

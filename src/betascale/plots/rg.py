"""Figures of the interacting RG flow (:mod:`betascale.rg`).

* :func:`plot_flow_diagram`: the one-loop flow of Punnoose & Finkel'stein, PRL 88,
  016802 (2002), in the ``(γ₂, ρ)`` plane: streamlines, highlighted trajectories, the
  line ``dρ/dξ = 0`` and the maxima of ``ρ``.
* :func:`plot_rho_vs_temperature`: ``ρ`` against ``Tτ/ħ = e^{−ξ}`` for several ``ρ₀``,
  the way experiments plot ``R(T)`` (compare Punnoose & Finkel'stein, Science 310, 289
  (2005), and Anissimova et al., Nature Phys. 3, 707 (2007)): the resistance first
  rises as ``T`` is lowered, then turns over and drops (the metallic flow of the
  project's seed article).

Both draw on a new figure in the shipped style (:func:`betascale.plots.figure_style`)
and return it, never saving; :func:`write_rg_figures` saves them as PNG and PDF with
:func:`betascale.plots.save_figure`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from betascale import rg
from betascale.errors import InputError
from betascale.plots import PALETTE, figure_style, save_figure
from betascale.plots.common import log_axis
from betascale.validation import finite

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "DEFAULT_DIAGRAM_STARTS",
    "DEFAULT_TEMPERATURE_RHO0S",
    "plot_flow_diagram",
    "plot_rho_vs_temperature",
    "write_rg_figures",
]

RHO_LABEL = r"resistance $\rho = (e^2/\pi h)\,R_{□}$"
GAMMA_LABEL = r"triplet amplitude $\gamma_2$"

#: Initial points ``(γ₂, ρ)`` of the highlighted trajectories of the flow diagram.
DEFAULT_DIAGRAM_STARTS: tuple[tuple[float, float], ...] = (
    (-0.2, 0.025),
    (0.0, 0.10),
    (0.0, 0.22),
    (0.3, 0.30),
    (1.5, 0.20),
)

#: Initial resistances of the ``ρ(T)`` figure.
DEFAULT_TEMPERATURE_RHO0S: tuple[float, ...] = (0.05, 0.10, 0.15, 0.20, 0.25)

#: Colour of the streamlines of the flow diagram.
_STREAM_GREY = "0.72"
#: Marker style of the maxima of ρ in the flow diagram.
_STAR = {"mec": "k", "mew": 0.5, "ms": 9}
#: Marker style of the maxima of ρ in the ρ(T) figure.
_RING = {"mfc": "white", "mew": 1.2}


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def _start_label(gamma0: float, rho0: float) -> str:
    return rf"$\gamma_2^0 = {_fmt(gamma0)},\ \rho_0 = {_fmt(rho0)}$"


# ------------------------------------------------------------------ the flow diagram


def _diagram_starts(
    starts: Sequence[tuple[float, float]], highlight: tuple[float, float] | None
) -> tuple[list[tuple[float, float]], list, list[str]]:
    """The initial points with their colours and legend labels (``highlight`` in black)."""
    starts = [(float(g0), float(r0)) for g0, r0 in starts]
    colors = [PALETTE[i % (len(PALETTE) - 1)] for i in range(len(starts))]
    labels = [_start_label(g0, r0) for g0, r0 in starts]
    if highlight is not None:
        starts.append(highlight)
        colors.append("k")
        labels.append(_start_label(*highlight) + " (this run)")
    if not starts:
        raise InputError("starts must hold at least one initial point (or give highlight)")
    return starts, colors, labels


def _diagram_limits(starts, trajectories, gstar: float) -> tuple[float, float, float]:
    """``(x_lo, x_hi, y_hi)``: every start, every maximum and room beyond ``γ₂*``."""
    x_lo = min(-0.5, min(g0 for g0, _ in starts) - 0.1)
    x_hi = max(2.5, 2.2 * gstar, 1.25 * max(g0 for g0, _ in starts))
    peak_rhos = [tr.peak.rho for tr in trajectories if tr.peak is not None]
    y_hi = 1.15 * max([r0 for _, r0 in starts] + peak_rhos)
    return x_lo, x_hi, y_hi


def _draw_streamlines(ax, nv: int, x_lo: float, x_hi: float, y_hi: float) -> None:
    """The direction of the flow towards low temperature, on a unit-speed field."""
    gx = np.linspace(x_lo, x_hi, 80)
    ry = np.linspace(0.0, y_hi, 80)
    gg, rr = np.meshgrid(gx, ry)
    drho, dgam = rg.pf_flow_field(rr, gg, nv)
    # Unit direction field: the speed varies over decades and would hide the flow.
    u, v = dgam / (x_hi - x_lo), drho / y_hi
    norm = np.hypot(u, v)
    norm[norm == 0] = 1.0
    ax.streamplot(
        gx,
        ry,
        u / norm,
        v / norm,
        color=_STREAM_GREY,
        linewidth=0.6,
        density=1.0,
        arrowsize=0.7,
        zorder=1,
    )


def _draw_bracket_zero(ax, gstar: float, x_span: float, y_hi: float) -> None:
    """The vertical line ``γ₂ = γ₂*`` where ``dρ/dξ = 0``, with its label."""
    ax.axvline(gstar, color="k", ls="--", lw=1.0, zorder=2)
    ax.text(
        gstar + 0.02 * x_span,
        0.03 * y_hi,
        rf"$d\rho/d\xi = 0$ at $\gamma_2^* = {gstar:.3f}$",
        va="bottom",
        ha="left",
        fontsize=9,
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5},
        zorder=4,
    )


def _draw_diagram_trajectories(ax, trajectories, starts, colors, labels) -> None:
    """Each trajectory with its start (dot) and its maximum of ``ρ`` (star)."""
    for tr, (g0, r0), color, label in zip(trajectories, starts, colors, labels, strict=True):
        ax.plot(tr.gamma2, tr.rho, color=color, lw=1.8, zorder=3, label=label)
        ax.plot([g0], [r0], "o", color=color, ms=4.5, zorder=5)
        if tr.peak is not None:
            ax.plot([tr.peak.gamma2], [tr.peak.rho], "*", color=color, zorder=5, **_STAR)
    ax.plot([], [], "o", color="0.3", ms=4.5, label=r"start ($T\tau = 1$)")
    ax.plot([], [], "*", color="0.3", label=r"maximum of $\rho$", **_STAR)


def plot_flow_diagram(
    nv: int,
    *,
    starts: Sequence[tuple[float, float]] = DEFAULT_DIAGRAM_STARTS,
    highlight: tuple[float, float] | None = None,
) -> Figure:
    """Draw the one-loop flow diagram in the ``(γ₂, ρ)`` plane.

    Parameters
    ----------
    nv
        Number of valleys.
    starts
        Initial points ``(γ₂₀, ρ₀)`` of the highlighted trajectories, integrated with
        :func:`betascale.rg.integrate_pf`.
    highlight
        One more initial point ``(γ₂₀, ρ₀)``, drawn in black and labelled "this run".

    Returns
    -------
    matplotlib.figure.Figure
        The figure (save it with :func:`betascale.plots.save_figure`).

    Notes
    -----
    The streamlines show the direction of the flow towards low temperature (growing
    ``ξ``). The vertical line is ``γ₂ = γ₂*`` (:func:`betascale.rg.bracket_zero`),
    where ``dρ/dξ = 0`` for every ``ρ``; ``ρ = 0`` is a line of fixed points.
    """
    nv = rg.check_nv(nv)
    gstar = rg.bracket_zero(nv)
    starts, colors, labels = _diagram_starts(starts, highlight)
    trajectories = [rg.integrate_pf(r0, g0, nv, n_points=2000) for g0, r0 in starts]
    x_lo, x_hi, y_hi = _diagram_limits(starts, trajectories, gstar)
    with figure_style():
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(7.0, 4.2))
        _draw_streamlines(ax, nv, x_lo, x_hi, y_hi)
        _draw_bracket_zero(ax, gstar, x_hi - x_lo, y_hi)
        _draw_diagram_trajectories(ax, trajectories, starts, colors, labels)
        ax.set_xlim(x_lo, x_hi)
        ax.set_ylim(0.0, y_hi)
        ax.set_xlabel(GAMMA_LABEL)
        ax.set_ylabel(RHO_LABEL)
        ax.plot([], [], color=_STREAM_GREY, lw=0.8, label=r"flow towards $T \to 0$")
        ax.set_title(rf"One-loop RG flow (Punnoose & Finkel'stein), $n_v = {nv}$")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    return fig


# ---------------------------------------------------------------------- rho against T


def _draw_rho_curves(ax, trajectories, rho0s: Sequence[float]) -> None:
    """``ρ(T)`` per ``ρ₀`` with its maximum (ring) and the runaway of ``γ₂`` (cross)."""
    for i, (tr, r0) in enumerate(zip(trajectories, rho0s, strict=True)):
        color = PALETTE[i % len(PALETTE)]
        ax.plot(tr.temperature, tr.rho, color=color, label=rf"$\rho_0 = {_fmt(r0)}$")
        if tr.peak is not None:
            ax.plot([tr.peak.temperature], [tr.peak.rho], "o", color=color, zorder=4, **_RING)
        if tr.runaway is not None and tr.runaway.reason == "gamma2":
            ax.plot([tr.runaway.temperature], [tr.runaway.rho], "x", color=color, ms=6)
    ax.plot([], [], "o", color="0.3", label=r"maximum ($\gamma_2 = \gamma_2^*$)", **_RING)
    if any(tr.runaway is not None and tr.runaway.reason == "gamma2" for tr in trajectories):
        ax.plot([], [], "x", color="0.3", ms=6, label=r"$\gamma_2$ runs away")


def _draw_weak_localization(ax, wl: rg.PFTrajectory, y_hi: float) -> None:
    """The non-interacting curve ``dρ/dξ = n_v ρ²``, dotted, cut at ``y_hi``."""
    keep = wl.rho <= y_hi
    ax.plot(
        wl.temperature[keep],
        wl.rho[keep],
        ":",
        color="0.35",
        lw=1.3,
        label=rf"no interactions, $\rho_0 = {_fmt(wl.rho0)}$",
    )


def plot_rho_vs_temperature(
    nv: int,
    *,
    rho0s: Sequence[float] = DEFAULT_TEMPERATURE_RHO0S,
    gamma0: float = 0.1,
    t_min: float = 1e-4,
) -> Figure:
    """Draw ``ρ`` against ``Tτ/ħ = e^{−ξ}`` for several ``ρ₀``.

    Parameters
    ----------
    nv
        Number of valleys.
    rho0s
        Initial resistances ``ρ₀`` at ``Tτ/ħ = 1`` (``ξ = 0``), at least one.
    gamma0
        Common initial triplet amplitude ``γ₂₀``.
    t_min
        Lowest ``Tτ/ħ`` shown, in ``(0, 1)`` (``ξ_max = −ln t_min``).

    Returns
    -------
    matplotlib.figure.Figure
        The figure (save it with :func:`betascale.plots.save_figure`).

    Notes
    -----
    ``T`` increases to the right on a log axis, like experimental ``R(T)`` plots. Each
    curve's maximum (``γ₂ = γ₂*``) is marked; a dotted curve shows weak localization
    alone (``dρ/dξ = n_v ρ²``) from the largest ``ρ₀``, for contrast. A curve that
    ends before ``t_min`` marks the one-loop runaway of ``γ₂``.
    """
    nv = rg.check_nv(nv)
    if not rho0s:
        raise InputError("rho0s must hold at least one initial resistance")
    t_min = finite("t_min", t_min)
    if not 0 < t_min < 1:
        raise InputError(f"t_min must lie in (0, 1) (a temperature T tau), got {t_min}")
    xi_max = -float(np.log(t_min))
    trajectories = [rg.integrate_pf(r0, gamma0, nv, xi_max) for r0 in rho0s]
    wl = rg.integrate_pf(max(rho0s), gamma0, nv, xi_max, interactions=False)
    with figure_style():
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6.6, 3.9))
        _draw_rho_curves(ax, trajectories, rho0s)
        y_hi = 1.12 * max(float(tr.rho.max()) for tr in trajectories)
        _draw_weak_localization(ax, wl, y_hi)
        log_axis(ax, "x")
        ax.set_xlim(t_min, 1.0)
        ax.set_ylim(0.0, y_hi)
        ax.set_xlabel(r"temperature $T\tau/\hbar = e^{-\xi}$")
        ax.set_ylabel(RHO_LABEL)
        ax.set_title(rf"$\rho(T)$ at one loop, $n_v = {nv}$, $\gamma_2^0 = {_fmt(gamma0)}$")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    return fig


# ---------------------------------------------------------------------------- writer


def write_rg_figures(
    nv: int,
    out_dir: str | Path,
    *,
    start: tuple[float, float] | None = None,
    gamma0: float | None = None,
) -> list[Path]:
    """Write the flow diagram and the ``ρ(T)`` figure for ``nv`` as PNG and PDF.

    Parameters
    ----------
    nv
        Number of valleys.
    out_dir
        Output directory (created if needed).
    start
        ``(γ₂₀, ρ₀)`` of one more trajectory, drawn in black on the diagram.
    gamma0
        Initial ``γ₂`` of the ``ρ(T)`` curves (default 0.1).

    Returns
    -------
    list of Path
        ``rg_flow_nv{nv}.png/.pdf`` and ``rg_rho_vs_T_nv{nv}.png/.pdf``.
    """
    nv = rg.check_nv(nv)
    kwargs: dict[str, Any] = {} if gamma0 is None else {"gamma0": gamma0}
    paths = save_figure(plot_flow_diagram(nv, highlight=start), out_dir, f"rg_flow_nv{nv}")
    paths += save_figure(plot_rho_vs_temperature(nv, **kwargs), out_dir, f"rg_rho_vs_T_nv{nv}")
    return paths

"""Figures of the interacting RG flow (:mod:`betascale.rg`).

* :func:`plot_flow_diagram`: the one-loop flow of Punnoose & Finkel'stein, PRL 88,
  016802 (2002), in the ``(γ₂, ρ)`` plane: streamlines, highlighted trajectories, the
  line ``dρ/dξ = 0`` and the maxima of ``ρ``.
* :func:`plot_rho_vs_temperature`: ``ρ`` against ``Tτ/ħ = e^{−ξ}`` for several ``ρ₀``,
  the way experiments plot ``R(T)`` (compare Punnoose & Finkel'stein, Science 310, 289
  (2005), and Anissimova et al., Nature Phys. 3, 707 (2007)): the resistance first
  rises as ``T`` is lowered, then turns over and drops (the metallic flow of the
  project's seed article).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from betascale import rg
from betascale.plots import PALETTE, figure_style, save_figure

__all__ = [
    "DEFAULT_DIAGRAM_STARTS",
    "DEFAULT_TEMPERATURE_RHO0S",
    "plot_all",
    "plot_flow_diagram",
    "plot_rho_vs_temperature",
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


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def plot_flow_diagram(
    nv: int,
    out_dir: str | Path,
    *,
    starts: Sequence[tuple[float, float]] = DEFAULT_DIAGRAM_STARTS,
    highlight: tuple[float, float] | None = None,
    name: str | None = None,
) -> list[Path]:
    """Draw the one-loop flow diagram in the ``(γ₂, ρ)`` plane; return the PNG and PDF.

    Parameters
    ----------
    nv
        Number of valleys.
    out_dir
        Output directory (created if needed).
    starts
        Initial points ``(γ₂₀, ρ₀)`` of the highlighted trajectories, integrated with
        :func:`betascale.rg.integrate_pf`.
    highlight
        One more initial point ``(γ₂₀, ρ₀)``, drawn in black and labelled "this run".
    name
        File stem; default ``rg_flow_nv{nv}``.

    Notes
    -----
    The streamlines show the direction of the flow towards low temperature (growing
    ``ξ``). The vertical line is ``γ₂ = γ₂*`` (:func:`betascale.rg.bracket_zero`),
    where ``dρ/dξ = 0`` for every ``ρ``; ``ρ = 0`` is a line of fixed points.
    """
    import matplotlib.pyplot as plt

    nv = rg._check_nv(nv)
    gstar = rg.bracket_zero(nv)
    starts = list(starts)
    colors = [PALETTE[i % (len(PALETTE) - 1)] for i in range(len(starts))]
    labels = [rf"$\gamma_2^0 = {_fmt(g0)},\ \rho_0 = {_fmt(r0)}$" for g0, r0 in starts]
    if highlight is not None:
        starts.append(highlight)
        colors.append("k")
        labels.append(
            rf"$\gamma_2^0 = {_fmt(highlight[0])},\ \rho_0 = {_fmt(highlight[1])}$ (this run)"
        )
    trajectories = [rg.integrate_pf(r0, g0, nv, n_points=2000) for g0, r0 in starts]

    x_lo = min(-0.5, min(g0 for g0, _ in starts) - 0.1)
    x_hi = max(2.5, 2.2 * gstar, 1.25 * max(g0 for g0, _ in starts))
    peak_rhos = [tr.peak.rho for tr in trajectories if tr.peak is not None]
    y_hi = 1.15 * max([r0 for _, r0 in starts] + peak_rhos)

    with figure_style():
        fig, ax = plt.subplots(figsize=(7.0, 4.2))
        gx = np.linspace(x_lo, x_hi, 80)
        ry = np.linspace(0.0, y_hi, 80)
        gg, rr = np.meshgrid(gx, ry)
        drho = rr**2 * rg.pf_bracket(gg, nv)
        dgam = 0.5 * rr * (1.0 + gg) ** 2
        # Unit direction field: the speed varies over decades and would hide the flow.
        norm = np.hypot(dgam / (x_hi - x_lo), drho / y_hi)
        norm[norm == 0] = 1.0
        ax.streamplot(
            gx,
            ry,
            dgam / (x_hi - x_lo) / norm,
            drho / y_hi / norm,
            color="0.72",
            linewidth=0.6,
            density=1.0,
            arrowsize=0.7,
            zorder=1,
        )
        ax.axvline(gstar, color="k", ls="--", lw=1.0, zorder=2)
        ax.text(
            gstar + 0.02 * (x_hi - x_lo),
            0.03 * y_hi,
            rf"$d\rho/d\xi = 0$ at $\gamma_2^* = {gstar:.3f}$",
            va="bottom",
            ha="left",
            fontsize=9,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5},
            zorder=4,
        )
        for tr, (g0, r0), color, label in zip(trajectories, starts, colors, labels, strict=True):
            ax.plot(tr.gamma2, tr.rho, color=color, lw=1.8, zorder=3, label=label)
            ax.plot([g0], [r0], "o", color=color, ms=4.5, zorder=5)
            if tr.peak is not None:
                ax.plot(
                    [tr.peak.gamma2],
                    [tr.peak.rho],
                    "*",
                    color=color,
                    mec="k",
                    mew=0.5,
                    ms=9,
                    zorder=5,
                )
        ax.plot([], [], "o", color="0.3", ms=4.5, label=r"start ($T\tau = 1$)")
        ax.plot([], [], "*", color="0.3", mec="k", mew=0.5, ms=9, label=r"maximum of $\rho$")
        ax.set_xlim(x_lo, x_hi)
        ax.set_ylim(0.0, y_hi)
        ax.set_xlabel(GAMMA_LABEL)
        ax.set_ylabel(RHO_LABEL)
        ax.plot([], [], color="0.72", lw=0.8, label=r"flow towards $T \to 0$")
        ax.set_title(rf"One-loop RG flow (Punnoose & Finkel'stein), $n_v = {nv}$")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
        return save_figure(fig, out_dir, name or f"rg_flow_nv{nv}")


def plot_rho_vs_temperature(
    nv: int,
    out_dir: str | Path,
    *,
    rho0s: Sequence[float] = DEFAULT_TEMPERATURE_RHO0S,
    gamma0: float = 0.1,
    t_min: float = 1e-4,
    name: str | None = None,
) -> list[Path]:
    """Draw ``ρ`` against ``Tτ/ħ = e^{−ξ}`` for several ``ρ₀``; return the PNG and PDF.

    Parameters
    ----------
    nv
        Number of valleys.
    out_dir
        Output directory.
    rho0s
        Initial resistances ``ρ₀`` at ``Tτ/ħ = 1`` (``ξ = 0``).
    gamma0
        Common initial triplet amplitude ``γ₂₀``.
    t_min
        Lowest ``Tτ/ħ`` shown (``ξ_max = −ln t_min``).
    name
        File stem; default ``rg_rho_vs_T_nv{nv}``.

    Notes
    -----
    ``T`` increases to the right on a log axis, like experimental ``R(T)`` plots. Each
    curve's maximum (``γ₂ = γ₂*``) is marked; a dotted curve shows weak localization
    alone (``dρ/dξ = n_v ρ²``) from the largest ``ρ₀``, for contrast. A curve that
    ends before ``t_min`` marks the one-loop runaway of ``γ₂``.
    """
    import matplotlib.pyplot as plt

    nv = rg._check_nv(nv)
    xi_max = -float(np.log(t_min))
    trajectories = [rg.integrate_pf(r0, gamma0, nv, xi_max) for r0 in rho0s]
    wl = rg.integrate_pf(max(rho0s), gamma0, nv, xi_max, interactions=False)

    with figure_style():
        fig, ax = plt.subplots(figsize=(6.6, 3.9))
        for i, (tr, r0) in enumerate(zip(trajectories, rho0s, strict=True)):
            color = PALETTE[i % len(PALETTE)]
            ax.plot(tr.temperature, tr.rho, color=color, label=rf"$\rho_0 = {_fmt(r0)}$")
            if tr.peak is not None:
                ax.plot(
                    [tr.peak.temperature],
                    [tr.peak.rho],
                    "o",
                    color=color,
                    mfc="white",
                    mew=1.2,
                    zorder=4,
                )
            if tr.runaway is not None and tr.runaway.reason == "gamma2":
                ax.plot([np.exp(-tr.runaway.xi)], [tr.runaway.rho], "x", color=color, ms=6)
        ax.plot(
            [],
            [],
            "o",
            color="0.3",
            mfc="white",
            mew=1.2,
            label=r"maximum ($\gamma_2 = \gamma_2^*$)",
        )
        if any(tr.runaway is not None and tr.runaway.reason == "gamma2" for tr in trajectories):
            ax.plot([], [], "x", color="0.3", ms=6, label=r"$\gamma_2$ runs away")
        y_hi = 1.12 * max(float(tr.rho.max()) for tr in trajectories)
        keep = wl.rho <= y_hi
        ax.plot(
            wl.temperature[keep],
            wl.rho[keep],
            ":",
            color="0.35",
            lw=1.3,
            label=rf"no interactions, $\rho_0 = {_fmt(max(rho0s))}$",
        )
        ax.set_xscale("log")
        ax.set_xlim(t_min, 1.0)
        ax.set_ylim(0.0, y_hi)
        ax.set_xlabel(r"temperature $T\tau/\hbar = e^{-\xi}$")
        ax.set_ylabel(RHO_LABEL)
        ax.set_title(rf"$\rho(T)$ at one loop, $n_v = {nv}$, $\gamma_2^0 = {_fmt(gamma0)}$")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
        return save_figure(fig, out_dir, name or f"rg_rho_vs_T_nv{nv}")


def plot_all(
    nv: int,
    out_dir: str | Path,
    *,
    start: tuple[float, float] | None = None,
    gamma0: float | None = None,
) -> list[Path]:
    """Write the flow diagram and the ``ρ(T)`` figure for ``nv``; return all paths.

    ``start = (γ₂₀, ρ₀)`` adds one trajectory, drawn in black, to the diagram;
    ``gamma0`` sets the initial ``γ₂`` of the ``ρ(T)`` curves (default 0.1).
    """
    paths = plot_flow_diagram(nv, out_dir, highlight=start)
    kwargs = {} if gamma0 is None else {"gamma0": gamma0}
    paths += plot_rho_vs_temperature(nv, out_dir, **kwargs)
    return paths

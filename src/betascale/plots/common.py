"""Drawing helpers shared by the figure modules (styles per W, log axes, error bars).

:mod:`betascale.plots.scaling`, :mod:`betascale.plots.fss` and
:mod:`betascale.plots.weak_localization` draw with these, so that a disorder strength
has the same colour and marker, and a wide axis the same ticks, in every figure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from betascale.plots import PALETTE

__all__ = [
    "MARKERS",
    "THEORY_COLOR",
    "W_COLORS",
    "error_bars",
    "log_if_wide",
    "span",
    "tick_math",
    "tick_text",
    "w_styles",
]

#: Colours for the disorder strengths (the palette without yellow and black).
W_COLORS = PALETTE[:6]
#: Markers cycled with the colours, so that W stay distinguishable in grey print.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")
#: Colour of the analytic curves in single-class figures.
THEORY_COLOR = "#000000"


def w_styles(Ws: Sequence[float]) -> dict[float, dict]:
    """Colour and marker per W: the palette for up to six W, else viridis.

    Parameters
    ----------
    Ws
        The disorder strengths (any order).

    Returns
    -------
    dict
        ``{W: {"color": ..., "marker": ...}}``, keyword arguments for matplotlib.
    """
    Ws = sorted(Ws)
    if len(Ws) <= len(W_COLORS):
        colors = list(W_COLORS[: len(Ws)])
    else:
        import matplotlib

        cmap = matplotlib.colormaps["viridis"]
        colors = [cmap(v) for v in np.linspace(0.0, 0.8, len(Ws))]
    return {
        w: {"color": c, "marker": MARKERS[i % len(MARKERS)]}
        for i, (w, c) in enumerate(zip(Ws, colors, strict=True))
    }


def tick_text(v: float, _pos=None) -> str:
    """Plain numbers (for axes spanning less than three decades)."""
    return f"{v:g}" if v > 0 else ""


def tick_math(v: float, _pos=None) -> str:
    """Mathtext: plain numbers from 0.01 to 1000, powers of ten beyond."""
    if v <= 0:
        return ""
    if 1e-2 <= v < 1e3:
        return f"${v:g}$"
    k = math.floor(math.log10(v) + 1e-9)
    m = v / 10**k
    return f"$10^{{{k}}}$" if abs(m - 1) < 1e-6 else f"${m:g}\\times10^{{{k}}}$"


def log_if_wide(ax, lo: float, hi: float, axis: str = "x", ratio: float = 8.0) -> bool:
    """Use a log scale when the data span more than ``ratio``; return whether it did.

    Over less than three decades the axis is labelled at 1, 2, 5 x 10^k with plain
    numbers; minor ticks stay unlabelled.

    Parameters
    ----------
    ax
        The matplotlib axes.
    lo, hi
        The range of the data on that axis.
    axis
        ``"x"`` or ``"y"``.
    ratio
        The smallest ``hi/lo`` that gets a log scale.
    """
    if not (lo > 0 and hi / lo > ratio):
        return False
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    target = ax.xaxis if axis == "x" else ax.yaxis
    decades = math.log10(hi / lo)
    if decades < 3:
        target.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    elif decades > 8:
        target.set_major_locator(LogLocator(base=10, numticks=6))
    target.set_major_formatter(FuncFormatter(tick_text if decades < 3 else tick_math))
    target.set_minor_formatter(NullFormatter())
    return True


def span(values: np.ndarray, log: bool, pad: float = 0.08) -> tuple[float, float]:
    """Axis limits around ``values`` with a margin of ``pad`` (a factor on a log axis)."""
    lo, hi = float(np.min(values)), float(np.max(values))
    if log:
        f = (hi / lo) ** pad if hi > lo else 1.3
        return lo / f, hi * f
    d = (hi - lo) * pad if hi > lo else max(abs(hi), 1.0) * 0.1
    return lo - d, hi + d


def error_bars(pts) -> tuple[np.ndarray, np.ndarray]:
    """Asymmetric error bars (2, n) of G and beta from the bootstrap intervals.

    Parameters
    ----------
    pts
        Points with ``G``, ``G_interval``, ``beta`` and ``beta_interval``
        (:class:`betascale.analysis.BetaPoint` or alike).

    Returns
    -------
    tuple of ndarray
        ``(xerr, yerr)``, each of shape ``(2, n)`` and clipped at 0: a percentile
        interval can miss the point estimate in a skewed bootstrap.
    """
    xerr = np.array([[p.G - p.G_interval[0], p.G_interval[1] - p.G] for p in pts]).T
    yerr = np.array([[p.beta - p.beta_interval[0], p.beta_interval[1] - p.beta] for p in pts]).T
    return np.clip(xerr, 0, None), np.clip(yerr, 0, None)

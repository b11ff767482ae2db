"""Drawing helpers shared by the figure modules (styles per W, log axes, error bars).

:mod:`betascale.plots.scaling`, :mod:`betascale.plots.fss`,
:mod:`betascale.plots.weak_localization` and :mod:`betascale.plots.rg` draw with these,
so that a disorder strength has the same colour and marker in every figure, and every
logarithmic axis goes through :func:`log_axis` (tick labels that fit, never overlap).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axis import Axis, XAxis
from matplotlib.ticker import Formatter, FuncFormatter, Locator

from betascale.analysis import STAT_SYMBOLS, statistics
from betascale.errors import InputError
from betascale.plots import PALETTE

if TYPE_CHECKING:
    from betascale.analysis import StoreAnalysis

__all__ = [
    "MARKERS",
    "THEORY_COLOR",
    "W_COLORS",
    "FittingLogLocator",
    "beta_axis_label",
    "ci_text",
    "error_bars",
    "g_axis_label",
    "log_axis",
    "log_if_wide",
    "span",
    "tick_math",
    "w_styles",
]

#: Colours for the disorder strengths (the palette without yellow and black).
W_COLORS = PALETTE[:6]
#: Markers cycled with the colours, so that W stay distinguishable in grey print.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")
#: Colour of the analytic curves in single-class figures.
THEORY_COLOR = "#000000"


def ci_text(an: StoreAnalysis) -> str:
    """The confidence level of an analysis's bootstrap intervals, e.g. ``"68 % bootstrap CI"``."""
    return f"{round(100 * an.betas.ci)} % bootstrap CI"


def g_axis_label(stat: str) -> str:
    """The axis label of the statistic ``stat`` in e²/h, e.g. ``$\\langle g\\rangle$ ($e^2/h$)``."""
    return rf"${STAT_SYMBOLS[stat]}$ ($e^2/h$)"


def beta_axis_label(stat: str) -> str:
    """The axis label of beta for the statistic ``stat`` (``d ln G / d ln L``)."""
    declared = statistics.get(stat)  # ln exp<ln g> = <ln g> for typical
    ln_G = declared.log_symbol or rf"\ln {declared.symbol}"
    return rf"$\beta = d{ln_G}\,/\,d\ln L$"


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


def tick_math(v: float, _pos=None) -> str:
    """Label of a log-axis tick: plain numbers from 0.01 to 1000, powers of ten beyond.

    Wrapped in ``\\mathdefault`` so that the digits are in the font of the other
    labels, as matplotlib's own log labels.
    """
    if v <= 0:
        return ""
    if 1e-2 <= v < 1e3:
        return f"$\\mathdefault{{{v:g}}}$"
    k = math.floor(math.log10(v) + 1e-9)
    m = round(v / 10**k, 6)
    body = f"10^{{{k}}}" if m == 1 else f"{m:g}\\times10^{{{k}}}"
    return f"$\\mathdefault{{{body}}}$"


#: Mantissas of the labelled ticks of a log axis, densest first; the first whose
#: labels fit wins (:class:`FittingLogLocator`), then every n-th decade.
LOG_SUBS = ((1.0, 2.0, 5.0), (1.0, 3.0), (1.0,))
#: Denser mantissas, for axes on which the choice above leaves fewer than three labels.
LOG_SUBS_DENSE = ((1.0, 2.0, 3.0, 5.0), tuple(float(k) for k in range(1, 10)))
#: Smallest gap between neighbouring log-axis labels, in em, along x and along y.
LOG_LABEL_GAP = {"x": 0.5, "y": 1.0}


class FittingLogLocator(Locator):
    """Major ticks of a log axis whose labels do not overlap.

    The densest of 1-2-5, 1-3 and 1 per decade (:data:`LOG_SUBS`), then every 2nd,
    3rd, ... decade, whose labels, measured in the axis's font and laid out along the
    drawn axis, keep a gap of ``gap`` em; on an axis with fewer than three such labels,
    the densest of :data:`LOG_SUBS_DENSE` that fits. The decision is taken at each
    draw, so it follows the size of the axes and of the fonts.

    Parameters
    ----------
    formatter
        The formatter of the labels (to measure them).
    gap
        The smallest gap between neighbouring labels, in em of the tick labels;
        default :data:`LOG_LABEL_GAP` of the axis.
    """

    def __init__(self, formatter: Formatter, gap: float | None = None):
        self._formatter = formatter
        self._gap = gap

    # matplotlib's stubs declare Sequence[float]; its own locators return arrays too.
    def __call__(self) -> np.ndarray:  # type: ignore[override]
        if self.axis is None:
            raise RuntimeError("FittingLogLocator is not attached to an axis")
        vmin, vmax = self.axis.get_view_interval()
        return self.tick_values(vmin, vmax)

    def tick_values(self, vmin: float, vmax: float) -> np.ndarray:  # type: ignore[override]
        lo, hi = sorted((float(vmin), float(vmax)))
        if lo <= 0:
            lo = self.axis.get_minpos() if self.axis is not None else hi * 1e-3
        if not (0 < lo < hi and math.isfinite(hi)):
            return np.array([lo])
        sparse = [_log_ticks(lo, hi, subs) for subs in LOG_SUBS]
        sparse += [_decade_ticks(lo, hi, n) for n in range(2, 1 + math.ceil(math.log10(hi / lo)))]
        best = next((t for t in sparse if self._fits(t, hi / lo)), sparse[-1])
        if best.size < 3:
            dense = [t for t in (_log_ticks(lo, hi, s) for s in LOG_SUBS_DENSE) if t.size > 2]
            best = next((t for t in dense if self._fits(t, hi / lo)), best)
        return best

    def _fits(self, ticks: np.ndarray, hi_over_lo: float) -> bool:
        """Whether the labels of ``ticks`` keep their gap on the drawn axis.

        The gaps are checked from the narrowest up, measuring labels only as needed:
        a choice that does not fit costs two measurements.
        """
        axis = self.axis
        if not isinstance(axis, Axis) or ticks.size < 2:
            return True
        prop = axis.get_major_ticks(1)[0].label1.get_fontproperties()
        horizontal = isinstance(axis, XAxis)
        box = axis.axes.bbox
        length = (box.width if horizontal else box.height) * 72.0 / axis.axes.figure.dpi
        gaps = np.diff(length * np.log(ticks) / math.log(hi_over_lo))
        em = self._gap if self._gap is not None else LOG_LABEL_GAP["x" if horizontal else "y"]
        pad = em * prop.get_size_in_points()
        texts = self._formatter.format_ticks(ticks.tolist())

        def size(i: int) -> float:
            w, h = _text_size(texts[i], prop.copy())
            return w if horizontal else h

        return all(gaps[i] >= (size(i) + size(i + 1)) / 2 + pad for i in np.argsort(gaps))


@functools.lru_cache(maxsize=1024)
def _text_size(text: str, prop) -> tuple[float, float]:
    """Width and height (points) of a label in the font ``prop`` (mathtext if ``$``)."""
    from matplotlib.textpath import text_to_path

    w, h, _ = text_to_path.get_text_width_height_descent(text, prop, "$" in text)
    return w, h


def _log_ticks(
    lo: float, hi: float, subs: Sequence[float], every: int = 1, offset: int = 0
) -> np.ndarray:
    """``m 10^k`` in ``[lo, hi]`` for the mantissas ``subs``, at ``k = offset (mod every)``."""
    k0, k1 = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    ks = [k for k in range(k0, k1 + 1) if (k - offset) % every == 0]
    ticks = np.array([m * 10.0**k for k in ks for m in subs])
    return ticks[(ticks >= lo * (1 - 1e-9)) & (ticks <= hi * (1 + 1e-9))]


def _decade_ticks(lo: float, hi: float, every: int) -> np.ndarray:
    """Every ``every``-th power of ten in ``[lo, hi]``: the most, multiples of ``every`` on ties."""
    options = [_log_ticks(lo, hi, (1.0,), every, offset) for offset in range(every)]
    return max(options, key=lambda t: t.size)


def log_if_wide(ax, lo: float, hi: float, axis: str = "x", ratio: float = 8.0) -> bool:
    """Use a log scale when the data span more than ``ratio``; return whether it did.

    The log axis is set up by :func:`log_axis` (labels that fit).

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
    log_axis(ax, axis)
    return True


def log_axis(ax, axis: str = "x") -> None:
    """Put one axis of ``ax`` on a log scale whose tick labels never overlap.

    Every logarithmic axis of betascale's figures goes through here. The major ticks
    come from :class:`FittingLogLocator` (1, 2, 5 x 10^k, or fewer, as many as fit)
    and are labelled by :func:`tick_math`; minor ticks are unlabelled.

    Parameters
    ----------
    ax
        The matplotlib axes.
    axis
        ``"x"`` or ``"y"``.
    """
    from matplotlib.ticker import NullFormatter

    if axis not in ("x", "y"):
        raise InputError(f"axis must be 'x' or 'y', got {axis!r}")
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    target = ax.xaxis if axis == "x" else ax.yaxis
    formatter = FuncFormatter(tick_math)
    target.set_major_locator(FittingLogLocator(formatter))
    target.set_major_formatter(formatter)
    target.set_minor_formatter(NullFormatter())


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

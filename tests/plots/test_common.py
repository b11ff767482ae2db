"""Tests of the drawing helpers shared by the figure modules (betascale.plots.common)."""

from __future__ import annotations

import matplotlib.colors as mcolors
import numpy as np
import pytest

from betascale.errors import InputError
from betascale.plots import common
from betascale.plots.common import error_bars, span


def test_many_W_get_distinct_colours_and_markers():
    styles = common.w_styles([0.5 * k for k in range(9)])
    colors = {mcolors.to_hex(s["color"]) for s in styles.values()}
    assert len(colors) == 9
    assert len({s["marker"] for s in styles.values()}) == 9
    few = common.w_styles([1.0, 2.0])
    assert [s["color"] for s in few.values()] == list(common.W_COLORS[:2])


def test_log_if_wide_only_for_wide_data():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert not common.log_if_wide(ax, 2.0, 8.0) and ax.get_xscale() == "linear"
    assert common.log_if_wide(ax, 2.0, 40.0) and ax.get_xscale() == "log"
    assert common.log_if_wide(ax, 1e-3, 1.0, axis="y", ratio=20) and ax.get_yscale() == "log"
    assert isinstance(ax.xaxis.get_major_locator(), common.FittingLogLocator)
    plt.close(fig)


def test_tick_math_labels():
    assert common.tick_math(1e-6) == r"$\mathdefault{10^{-6}}$"
    assert common.tick_math(2e-4) == r"$\mathdefault{2\times10^{-4}}$"
    assert common.tick_math(0.5) == r"$\mathdefault{0.5}$"
    assert common.tick_math(0.0) == ""


def _major_ticks(width: float, lo: float, hi: float) -> np.ndarray:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, 2.0))
    ax.set_xlim(lo, hi)
    common.log_axis(ax, "x")
    fig.canvas.draw()
    ticks = ax.xaxis.get_majorticklocs()
    plt.close(fig)
    return ticks


def test_log_axis_labels_as_many_ticks_as_fit():
    wide = _major_ticks(6.0, 1.5e-4, 6e-3)
    assert wide.tolist() == pytest.approx([2e-4, 5e-4, 1e-3, 2e-3, 5e-3])
    narrow = _major_ticks(1.5, 1.5e-4, 6e-3)  # a small axes: decades only
    assert narrow.tolist() == pytest.approx([1e-3])
    many = _major_ticks(1.5, 1e-12, 1e3)  # every n-th decade
    assert 2 <= many.size < 8 and np.all(np.diff(np.log10(many)) >= 2)
    short = _major_ticks(4.0, 16.0, 64.0)  # under a decade: denser mantissas
    assert short.size >= 3
    with pytest.raises(InputError, match="axis must be"):
        common.log_axis(None, "z")


def test_error_bars_are_clipped_at_zero():
    class P:
        G, G_interval, beta, beta_interval = 2.0, (1.5, 2.5), -0.1, (-0.05, 0.1)

    xerr, yerr = error_bars([P()])
    np.testing.assert_allclose(xerr[:, 0], [0.5, 0.5])
    np.testing.assert_allclose(yerr[:, 0], [0.0, 0.2])  # the interval misses the point


def test_span_pads_linear_and_log_axes():
    assert span(np.array([1.0, 3.0]), log=False) == (1.0 - 0.16, 3.0 + 0.16)
    lo, hi = span(np.array([1.0, 100.0]), log=True)
    assert lo < 1.0 and hi > 100.0 and lo * hi == pytest.approx(100.0)

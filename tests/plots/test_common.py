"""Tests of the drawing helpers shared by the figure modules (betascale.plots.common)."""

from __future__ import annotations

import matplotlib.colors as mcolors
import numpy as np
import pytest

from betascale.plots import common
from betascale.plots.common import error_bars, span


def test_many_W_get_distinct_colours_and_markers():
    styles = common.w_styles([0.5 * k for k in range(9)])
    colors = {mcolors.to_hex(s["color"]) for s in styles.values()}
    assert len(colors) == 9
    assert len({s["marker"] for s in styles.values()}) == 9
    few = common.w_styles([1.0, 2.0])
    assert [s["color"] for s in few.values()] == list(common.W_COLORS[:2])


def test_log_axis_labels_plain_numbers_over_few_decades():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert common.log_if_wide(ax, 2.0, 40.0)
    assert not common.log_if_wide(ax, 2.0, 8.0)
    assert common.tick_text(20.0) == "20"
    assert common.tick_math(1e-6) == "$10^{-6}$" and common.tick_math(0.5) == "$0.5$"
    plt.close(fig)


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

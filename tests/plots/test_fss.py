"""Tests of the finite-size-scaling figures (betascale.plots.fss) on synthetic data."""

from __future__ import annotations

import matplotlib.colors as mcolors
import pytest

from betascale.analysis import analyze_table
from betascale.analysis.fss_pipeline import fss_analyze_table
from betascale.plots import CLASS_COLORS
from betascale.plots import fss as fp
from betascale.testing import synthetic_fss_table, synthetic_table

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def an():
    table = synthetic_fss_table(F=(1.4, -2.0, 0.5), n=120, sigma=0.4, seed=3)
    return fss_analyze_table(table, stat="mean_g", orders=(2, 1, 0, 0), n_boot=20, name="su2")


@pytest.fixture(scope="module")
def others():
    out = []
    for model, g0 in (("orthogonal", (8.0, 5.0)), ("unitary", (6.0, 3.0))):
        t = synthetic_table(model, W=(1.0, 2.0), g0=g0, L=(8, 16, 32), n=40, seed=1)
        out.append(analyze_table(t, model, gmin=1.0, n_boot=20, name=model, fit=False))
    return out


def legend_texts(ax) -> list[str]:
    legend = ax.get_legend()
    return [legend.get_title().get_text()] + [t.get_text() for t in legend.get_texts()]


def test_data_figure(an):
    fig = fp.plot_fss_data(an.fit, "SU(2)")
    ax = fig.axes[0]
    assert ax.get_title() == "SU(2)"
    texts = legend_texts(ax)
    assert "L = 16" in texts and "W_c" in texts[0] and r"\nu" in texts[0]
    assert len(ax.lines) >= 5 + 2  # a fitted curve per L, W_c and Gamma_c lines


def test_collapse_figure(an):
    fig = fp.plot_fss_collapse(an.fit)
    ax, axr = fig.axes
    assert "(W - W_c)" in axr.get_xlabel() and "pull" in axr.get_ylabel()
    assert any("scaling function" in t for t in legend_texts(ax))


def test_distribution_figure(an):
    fig = fp.plot_critical_distribution(an.distribution, bins=15)
    ax, axm = fig.axes
    assert "P(g)" in ax.get_ylabel()
    assert any("L = 64" in t for t in legend_texts(ax))
    assert axm.get_xlabel() == "$L$"


def test_panorama_figure(an, others):
    fig = fp.plot_beta_panorama(an.beta, others)
    ax = fig.axes[0]
    texts = legend_texts(ax)
    assert any("symplectic, scaling fit" in t for t in texts)
    assert any(t.startswith("orthogonal:") for t in texts)  # analytic and data
    colors = {mcolors.to_hex(line.get_color()) for line in ax.lines}
    assert {c.lower() for c in CLASS_COLORS.values()} <= colors
    assert fp.plot_beta_panorama(an.beta).axes[0].get_xscale() in ("log", "linear")


def test_write_fss_figures(an, others, tmp_path):
    paths = fp.write_fss_figures(an, tmp_path / "figs", others)
    assert [p.name for p in paths] == [
        f"{n}.{e}" for n in fp.FSS_FIGURE_NAMES for e in ("png", "pdf")
    ]
    for p in paths:
        head = p.read_bytes()[:8]
        assert head == PNG_MAGIC if p.suffix == ".png" else head.startswith(b"%PDF")

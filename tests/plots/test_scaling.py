"""Tests of the scaling-analysis figures (betascale.plots.scaling) on synthetic data."""

from __future__ import annotations

import math

import matplotlib.colors as mcolors
import numpy as np
import pytest

from betascale.analysis import analyze_table
from betascale.errors import InputError
from betascale.plots import CLASS_COLORS
from betascale.plots import scaling as sp
from betascale.testing import synthetic_table

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def analysis(model="orthogonal", g0=(8.0, 5.0, 3.0), **kw):
    fit = kw.pop("fit", True)
    table = synthetic_table(model, g0=g0, n=kw.pop("n", 60), seed=kw.pop("seed", 1), **kw)
    return analyze_table(
        table, model, gmin=1.0, n_boot=100, title=f"{model}, E=1, hardwall", name=model, fit=fit
    )


@pytest.fixture(scope="module")
def ortho():
    return analysis()


def legend_texts(ax) -> list[str]:
    legend = ax.get_legend()
    return [legend.get_title().get_text()] + [t.get_text() for t in legend.get_texts()]


def test_write_figures_writes_nonempty_png_and_pdf(ortho, tmp_path):
    paths = sp.write_figures(ortho, tmp_path / "figs")
    assert [p.name for p in paths] == [
        f"{name}.{ext}" for name in sp.FIGURE_NAMES for ext in ("png", "pdf")
    ]
    for path in paths:
        data = path.read_bytes()
        assert len(data) > 5000, path
        assert data.startswith(PNG_MAGIC if path.suffix == ".png" else b"%PDF")


def test_beta_figure_labels_axes_statistic_and_theory(ortho):
    fig = sp.plot_beta(ortho)
    (ax,) = fig.axes
    assert "e^2/h" in ax.get_xlabel() and r"\langle g\rangle" in ax.get_xlabel()
    assert ax.get_ylabel().startswith(r"$\beta = d\ln")
    assert ax.get_title() == "orthogonal, E=1, hardwall"
    texts = legend_texts(ax)
    assert "contact-corrected" in texts[0] and "68 % bootstrap CI" in texts[0]
    assert texts[1:4] == ["W = 1", "W = 2", "W = 3"]  # data first
    assert any(r"-1/(\pi g)" in t for t in texts)
    fit_label = next(t for t in texts if t.startswith("fit"))
    assert f"{ortho.fit.a:.3f}"[:5] in fit_label and "(theory $-0.318$)" in fit_label
    # every point with its error bar lies inside the axes
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    for p in ortho.betas.points:
        assert x0 < p.G_interval[0] and p.G_interval[1] < x1
        assert y0 < p.beta_interval[0] and p.beta_interval[1] < y1
    assert y0 < 0 < y1  # the beta = 0 line is shown


def test_beta_figure_zooms_when_insulating_points_squash_the_fit():
    def flow(g0, L):
        from scipy.integrate import solve_ivp

        sol = solve_ivp(
            lambda x, y: [-math.log1p(1 / (math.pi * math.exp(y[0])))],
            (math.log(L[0]), math.log(L[-1])),
            [math.log(g0)],
            t_eval=np.log(L),
        )
        return np.exp(sol.y[0])

    an = analysis(W=(1, 2, 3, 4), g0=(8.0, 3.0, 0.5, 0.1), flow=flow, L=(8, 16, 32, 64, 128))
    fig = sp.plot_beta(an)
    ax, axz = fig.axes
    assert ax.get_xscale() == "log"  # G spans decades
    assert "zoom" in axz.get_title()
    z0, z1 = axz.get_xlim()
    assert all(z0 < p.G < z1 for p in an.betas.points if p.G >= an.gmin)
    assert z0 > an.betas.G.min() * 10  # the insulating points are left out
    assert axz.get_ylim()[0] > -1  # the zoom shows the small large-g beta
    # without insulating points a single panel
    assert len(sp.plot_beta(analysis()).axes) == 1


def test_g_of_L_figure(ortho):
    fig = sp.plot_g_of_L(ortho)
    (ax,) = fig.axes
    assert "ln L" in ax.get_xlabel().replace(r"\ln ", "ln ")
    texts = legend_texts(ax)
    assert any("weak localization" in t and r"-1/\pi" in t for t in texts)
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(dashed) == 3  # one weak-localization line per W
    # the weak-localization line has slope -1/pi in ln L
    x, y = dashed[0].get_data()
    assert np.polyfit(x, y, 1)[0] == pytest.approx(-1 / math.pi, rel=1e-6)


def test_collapse_figure(ortho):
    fig = sp.plot_collapse(ortho)
    ax, axr = fig.axes
    assert axr.get_ylabel().startswith("pull")
    label = legend_texts(ax)[1]
    assert "one curve" in label and f"{ortho.scaling.chi2_single:.1f}" in label
    one = analysis(W=(1.0,), g0=(6.0,))
    fig = sp.plot_collapse(one)
    assert "not defined" in fig.axes[1].texts[0].get_text()


def test_distribution_figure(ortho):
    fig = sp.plot_distribution(ortho)
    (ax,) = fig.axes
    assert "ln T" in ax.get_xlabel().replace(r"\ln ", "ln ")
    texts = legend_texts(ax)
    assert "W = 1, L = 128 (n = 60)" in texts
    fig = sp.plot_distribution(ortho, at=[(2.0, 8), (2.0, 64)], quantity="T")
    texts = legend_texts(fig.axes[0])
    assert "W = 2, L = 8 (n = 60)" in texts and "W = 2, L = 64 (n = 60)" in texts
    with pytest.raises(InputError, match="no ensemble at W=9"):
        sp.plot_distribution(ortho, at=[(9.0, 8)])
    with pytest.raises(InputError, match="quantity must be"):
        sp.plot_distribution(ortho, quantity="g")


def test_compare_figure_colours_classes(tmp_path):
    analyses = [
        analysis("orthogonal"),
        analysis("unitary", g0=(3.0, 2.0, 1.2), fit=False),
        analysis("symplectic", g0=(6.0, 3.5, 2.0)),
    ]
    fig = sp.plot_compare(analyses)
    (ax,) = fig.axes
    dashed = {line.get_label(): line for line in ax.lines if line.get_linestyle() == "--"}
    assert len(dashed) == 3
    for model, color in CLASS_COLORS.items():
        (line,) = [v for k, v in dashed.items() if k.startswith(model)]
        assert mcolors.same_color(line.get_color(), color)
    texts = legend_texts(ax)
    assert "contact-corrected" in texts[0] and "leading order" in texts[0]
    assert any(r"+1/(\pi g)" in t for t in texts)
    assert any(t.startswith("unitary: unitary, E=1") for t in texts)
    assert any(line.get_ydata()[0] == 0 for line in ax.lines)  # beta = 0
    paths = sp.write_compare(analyses, tmp_path, name="headline")
    assert [p.name for p in paths] == ["headline.png", "headline.pdf"]
    assert all(p.stat().st_size > 5000 for p in paths)
    with pytest.raises(InputError, match="at least one store"):
        sp.plot_compare([])

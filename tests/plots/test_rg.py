"""Tests of the RG figures (betascale.plots.rg): Figures returned, files written by one writer."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from betascale import rg
from betascale.errors import InputError
from betascale.plots import rg as rg_plots
from betascale.plots import save_figure


def _check_files(paths):
    for path in paths:
        assert path.is_file() and path.stat().st_size > 1000
        magic = path.read_bytes()[:4]
        assert magic == (b"\x89PNG" if path.suffix == ".png" else b"%PDF")


def test_rho_vs_temperature_with_runaway(tmp_path):
    # n_v = 1 runs away inside the window: exercises the runaway markers.
    fig = rg_plots.plot_rho_vs_temperature(1, rho0s=(0.1, 0.2))
    paths = save_figure(fig, tmp_path, "rt")
    assert [p.name for p in paths] == ["rt.png", "rt.pdf"]
    _check_files(paths)


def test_plot_functions_return_figures_without_writing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fig = rg_plots.plot_flow_diagram(2, starts=[(0.0, 0.1)], highlight=(0.3, 0.2))
    assert isinstance(fig, Figure)
    (ax,) = [a for a in fig.axes if a.get_legend() is not None]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[1].endswith("(this run)") and len(labels) == 5
    # the dashed line is the bracket zero
    (dashed,) = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert dashed.get_xdata()[0] == pytest.approx(rg.bracket_zero(2))
    fig2 = rg_plots.plot_rho_vs_temperature(2, rho0s=(0.1,), gamma0=0.2, t_min=1e-3)
    assert isinstance(fig2, Figure) and fig2.axes[0].get_xlim()[0] == pytest.approx(1e-3)
    assert list(tmp_path.iterdir()) == []
    plt.close(fig)
    plt.close(fig2)


def test_write_rg_figures_writes_both_as_png_and_pdf(tmp_path):
    paths = rg_plots.write_rg_figures(1, tmp_path / "out", start=(0.2, 0.1), gamma0=0.2)
    names = ["rg_flow_nv1.png", "rg_flow_nv1.pdf", "rg_rho_vs_T_nv1.png", "rg_rho_vs_T_nv1.pdf"]
    assert [p.name for p in paths] == names
    _check_files(paths)


@pytest.mark.parametrize(
    ("call", "word"),
    [
        (lambda: rg_plots.plot_flow_diagram(0), "nv"),
        (lambda: rg_plots.plot_flow_diagram(2, starts=[]), "starts"),
        (lambda: rg_plots.plot_rho_vs_temperature(2, rho0s=()), "rho0s"),
        (lambda: rg_plots.plot_rho_vs_temperature(2, t_min=2.0), "t_min"),
        (lambda: rg_plots.plot_rho_vs_temperature(2, rho0s=(-0.1,)), "rho0"),
    ],
)
def test_bad_input_names_the_parameter(call, word):
    with pytest.raises(InputError) as info:
        call()
    assert str(info.value).startswith(word)

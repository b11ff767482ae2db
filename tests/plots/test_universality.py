"""Tests of betascale.plots.universality: the figure of beta(g) across lattices."""

from __future__ import annotations

import pytest

from betascale.analysis import analyze_table, universality
from betascale.errors import InputError
from betascale.plots.universality import plot_universality, write_universality
from betascale.testing import synthetic_table
from tests.plots.test_overlap import _insulating_flow, text_overlaps


def _lattice(model: str, g0, seed: int, **kw):
    W = kw.pop("W", (1.0, 2.0, 3.0))
    table = synthetic_table(model, W=W, g0=g0, n=40, seed=seed, **kw)
    return analyze_table(table, model, gmin=1.0, n_boot=40, name=f"s{seed}")


@pytest.fixture(scope="module")
def result():
    return universality(
        {
            "orthogonal": {
                "square": _lattice("orthogonal", (8.0, 5.0, 3.0), 1),
                "honeycomb": _lattice("orthogonal", (7.0, 4.0, 2.5), 2),
            },
            "symplectic": {
                "SU(2)": _lattice("symplectic", (3.0, 5.0, 8.0), 3),
                "Ando": _lattice("symplectic", (2.5, 4.0, 7.0), 4),
            },
        }
    )


def test_one_panel_per_class_with_legend_and_title(result):
    fig = plot_universality(result)
    axes = fig.axes
    assert len(axes) == 2
    for ax, model in zip(axes, ("orthogonal", "symplectic"), strict=True):
        title = ax.get_title()
        assert title.startswith(model) and "collapse $p$" in title and "chi^2" in title
        texts = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any("one curve" in t for t in texts)
        assert any("leading order" in t for t in texts)
    labels = [t.get_text() for t in axes[0].get_legend().get_texts()]
    assert "square (orthogonal)" in labels and "honeycomb (orthogonal)" in labels
    assert text_overlaps(fig) == []


def test_points_below_gmin_and_a_log_axis_do_not_overlap():
    insulating = {
        "a": _lattice("orthogonal", (8.0, 3.0, 0.5, 0.1), 5, W=(1.0, 2.0, 3.0, 4.0),
                      flow=_insulating_flow),
        "b": _lattice("orthogonal", (6.0, 2.0, 0.3), 6, flow=_insulating_flow),
    }  # fmt: skip
    u = universality({"orthogonal": insulating}, collapse_gmin=0.05)
    fig = plot_universality(u)
    assert fig.axes[0].get_xscale() == "log"
    assert text_overlaps(fig) == []


def test_write_universality_writes_png_and_pdf(result, tmp_path):
    paths = write_universality(result, tmp_path / "figs", name="u")
    assert sorted(p.name for p in paths) == ["u.pdf", "u.png"]
    assert all(p.stat().st_size > 1000 for p in paths)


def test_bad_input():
    with pytest.raises(InputError, match="needs a UniversalityTest"):
        plot_universality(None)

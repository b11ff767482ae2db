"""Tests of betascale.demo: the demo's figures are written as one set."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

import betascale.plots.scaling
from betascale.demo import DemoAnalysis
from betascale.plots import save_figure


def test_demo_figures_are_all_written_or_none(tmp_path, monkeypatch):
    def write_figures(an, out):
        return save_figure(plt.subplots(figsize=(0.5, 0.5))[0], out, "beta")

    def write_compare(analyses, out, name):
        raise RuntimeError("the comparison failed")

    monkeypatch.setattr(betascale.plots.scaling, "write_figures", write_figures)
    monkeypatch.setattr(betascale.plots.scaling, "write_compare", write_compare)
    demo = DemoAnalysis(panorama={"orthogonal": None, "unitary": None})
    with pytest.raises(RuntimeError, match="comparison failed"):
        demo.write_figures(tmp_path / "figs")
    assert not (tmp_path / "figs").exists()  # the panorama figures were not left behind
    monkeypatch.setattr(betascale.plots.scaling, "write_compare", lambda *a, **k: [])
    paths = demo.write_figures(tmp_path / "figs")
    assert sorted(p.relative_to(tmp_path / "figs").as_posix() for p in paths) == [
        "orthogonal/beta.pdf", "orthogonal/beta.png", "unitary/beta.pdf", "unitary/beta.png",
    ]  # fmt: skip
    assert all(p.is_file() for p in paths)

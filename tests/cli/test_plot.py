"""Tests of ``betascale plot``: its figures are written as one atomic set.

The analysis and the figures are replaced by small stand-ins (the real ones take
seconds each; tests/cli/test_analyze.py runs them): what is tested is how the
command writes the set.
"""

from __future__ import annotations

import errno
import os
from types import SimpleNamespace

import matplotlib.pyplot as plt
import pytest

import betascale.cli.plot
import betascale.plots.scaling
from betascale.cli import main
from betascale.plots import save_figure

NAMES = ("g_of_L", "beta", "scaling_collapse", "distribution")


def _write_figures(an, out, at=None, quantity="lnT"):
    paths = []
    for name in NAMES:
        fig, ax = plt.subplots(figsize=(0.5, 0.5))
        ax.plot([0, 1], [0, 1])
        paths += save_figure(fig, out, name)
    return paths


@pytest.fixture(autouse=True)
def fast_figures(monkeypatch):
    an = SimpleNamespace(W=[1.0], L=[8], weak_localization=None, magnetoconductance=None)
    monkeypatch.setattr(betascale.cli.plot, "analyze_store", lambda *args, **kwargs: an)
    monkeypatch.setattr(betascale.plots.scaling, "write_figures", _write_figures)


def test_plot_replaces_links_planted_at_its_figure_names(tmp_path, capsys):
    victim = tmp_path / "victim2"
    victim.write_text("IMPORTANT")
    figs = tmp_path / "figs"
    figs.mkdir()
    (figs / "g_of_L.png").symlink_to("../victim2")
    assert main(["plot", str(tmp_path / "s.sqlite"), "--out", str(figs)]) == 0
    assert victim.read_text() == "IMPORTANT"
    assert not (figs / "g_of_L.png").is_symlink()
    assert (figs / "g_of_L.png").read_bytes().startswith(b"\x89PNG")
    assert sorted(capsys.readouterr().out.split()) == sorted(map(str, figs.iterdir()))


def test_plot_on_a_full_disk_leaves_no_figure_and_names_the_file(tmp_path, capsys, monkeypatch):
    real, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 5:
            raise OSError(errno.EFBIG, os.strerror(errno.EFBIG))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    figs = tmp_path / "figs"
    assert main(["plot", str(tmp_path / "s.sqlite"), "--out", str(figs)]) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        f"betascale plot: error: cannot write {figs / 'scaling_collapse.png'}: File too large\n"
    )
    assert captured.out == "" and list(figs.iterdir()) == []

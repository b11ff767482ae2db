"""Tests of betascale.plots.save_figure and figure_set: atomic figures, whole sets."""

from __future__ import annotations

import errno
import os

import matplotlib.pyplot as plt
import pytest

from betascale.errors import InputError
from betascale.plots import figure_set, save_figure


def _figure():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    return fig


def test_save_figure_replaces_a_planted_link_and_never_follows_it(tmp_path):
    victim = tmp_path / "victim2"
    victim.write_text("IMPORTANT")
    figs = tmp_path / "figs"
    figs.mkdir()
    (figs / "g.png").symlink_to("../victim2")
    (figs / "g.pdf").symlink_to("../victim2")
    paths = save_figure(_figure(), figs, "g")
    assert paths == [figs / "g.png", figs / "g.pdf"]
    assert victim.read_text() == "IMPORTANT"
    assert paths[0].read_bytes().startswith(b"\x89PNG") and not paths[0].is_symlink()
    assert paths[1].read_bytes().startswith(b"%PDF")


def test_a_figure_set_is_written_at_its_end_or_not_at_all(tmp_path):
    with figure_set():
        paths = save_figure(_figure(), tmp_path / "new", "a")
        paths += save_figure(_figure(), tmp_path / "new", "b")
        assert not (tmp_path / "new").exists()  # rendered, not written yet
    assert all(p.stat().st_size > 1000 for p in paths) and len(paths) == 4
    with pytest.raises(RuntimeError, match="late failure"):
        with figure_set():
            save_figure(_figure(), tmp_path / "other", "a")
            raise RuntimeError("late failure")
    assert not (tmp_path / "other").exists()


def test_a_full_disk_leaves_no_partial_set_and_names_the_file(tmp_path, monkeypatch):
    real, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 3:  # the third of four files
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(InputError) as info:
        with figure_set():
            save_figure(_figure(), tmp_path, "a")
            save_figure(_figure(), tmp_path, "b")
    assert str(info.value) == f"cannot write {tmp_path / 'b.png'}: No space left on device"
    assert list(tmp_path.iterdir()) == []

"""The top-level API: every step of the data flow through ``import betascale as bs``."""

import runpy
from pathlib import Path

import numpy as np
import pytest

import betascale as bs

ROOT = Path(__file__).resolve().parents[1]


def test_every_advertised_name_resolves():
    for name in bs.__dir__():
        if not name.startswith("_"):
            assert getattr(bs, name) is not None, name
    with pytest.raises(AttributeError):
        bs.no_such_name  # noqa: B018


def test_the_notebook_tour_runs_on_top_level_names_only(tmp_path, capsys):
    source = (ROOT / "scripts" / "notebook_tour.py").read_text()
    assert "betascale.cli" not in source and "from betascale" not in source
    runpy.run_path(str(ROOT / "scripts" / "notebook_tour.py"))["main"](tmp_path)
    out = capsys.readouterr().out
    assert "Kramers pairs" in out and "weak localization of <g>" in out
    assert (tmp_path / "tour_beta.png").stat().st_size > 5000
    assert (tmp_path / "tour.sqlite").is_file()


def test_in_memory_run_equals_a_stored_run(tmp_path):
    study = bs.Study("same", bs.ModelSpec(E=1.0), W=[2.0], L=[6, 10], samples=5, seed=3)
    memory = bs.run(study, quiet=True)
    stored = bs.run(study, tmp_path / "s.sqlite", quiet=True)
    assert np.array_equal(memory.T, stored.T) and np.array_equal(memory.L, stored.L)
    ds = memory.to_dataset()
    assert dict(ds.sizes) == {"W": 1, "flux": 1, "L": 2, "sample": 5}
    assert (
        bs.analyze(memory, n_boot=50).ensembles
        == bs.analyze(tmp_path / "s.sqlite", n_boot=50).ensembles
    )


def test_a_study_is_checked_completely_when_made():
    with pytest.raises(bs.InputError, match=r"subband threshold .* M = 8"):
        bs.Study("x", bs.ModelSpec(E=1.0), W=[1.0], L=[8], samples=1, seed=1)

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


# ------------------------------------------------ issue 16: InputError, never obscure
@pytest.fixture(scope="module")
def samples():
    study = bs.Study("opts", bs.ModelSpec(E=1.1), W=[2.0], L=[6, 10], samples=3, seed=3)
    return bs.run(study, quiet=True)


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"n_boot": float("nan")}, "n_boot must be an integer"),
        ({"n_boot": True}, "n_boot must be an integer"),
        ({"gmin": "1"}, "gmin must be a number"),
        ({"seed": -1}, "seed must be >= 0"),
        ({"ci": 2}, r"ci must lie in \(0, 1\)"),
        ({"lmin": "6"}, "lmin must be an integer"),
        ({"stat": ["mean_g"]}, "stat must be one of"),
        ({"flux": 0.5}, "periodic with period 1"),
        ({"fit": "no"}, "fit must be true or false"),
    ],
)
def test_analyze_refuses_bad_options_in_one_line(samples, options, fragment):
    with pytest.raises(bs.InputError, match=fragment):
        bs.analyze(samples, **options)


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"n_boot": float("nan")}, "n_boot must be an integer"),
        ({"W_range": "12"}, "W_range must be a list"),
        ({"orders": (3, 1, 0, "0")}, "orders must be an integer"),
        ({"seed": None}, "seed must be an integer"),
        ({"quantity": "G"}, "quantity must be one of"),
    ],
)
def test_fss_analyze_refuses_bad_options_in_one_line(samples, options, fragment):
    with pytest.raises(bs.InputError, match=fragment):
        bs.fss_analyze(samples, **options)


@pytest.mark.parametrize("source", [None, 42, ["x.sqlite"]])
def test_a_source_that_is_not_samples_is_an_input_error(source):
    with pytest.raises(bs.InputError, match="expected a SampleTable, a Store or a path"):
        bs.analyze(source)

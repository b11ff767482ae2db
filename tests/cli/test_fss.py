"""Tests of ``betascale fss`` on a small store of synthetic critical samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from betascale.analysis.fss_pipeline import fss_analyze_store
from betascale.cli import main
from betascale.study import study_from_dict
from betascale.testing import synthetic_fss_table
from tests.cli.helpers import run_cli, write_table

W = (5.7, 5.8, 5.9, 6.0, 6.1, 6.2, 6.3)
L = (16, 20, 28, 40)
N_SAMPLES = 80


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("stores") / "su2.sqlite"
    table = synthetic_fss_table(W=W, L=L, n=N_SAMPLES, sigma=0.4, seed=9)
    study = study_from_dict(
        {
            "name": "su2",
            "model": "symplectic",
            "soc": "su2",
            "E": 1.0,
            "bc": "periodic",
            "W": list(W),
            "L": list(L),
            "samples": N_SAMPLES,
            "seed": 1,
        }
    )
    return write_table(path, table, study)


def test_fss_prints_the_tables(store, capsys):
    status, out, err = run_cli(capsys, "fss", store, "--boot", 20, "--orders", "1,1,0,0", "--table")
    assert status == 0, err
    assert out.startswith("su2: SU(2) model (symplectic), E=1, periodic")
    for part in (
        "finite-size-scaling fit of <g>, contact-corrected",
        "W_c",
        "nu",
        "Gamma_c",
        "chi2/dof",
        "28 points",
        "stability of the fit",
        "crossings of <g>, contact-corrected",
        "critical distribution at W = 6",
        "beta(g)",
    ):
        assert part in out, part


def test_fss_json_matches_the_api(store, capsys):
    args = ("--stat", "mean_g", "--W-range", 5.8, 6.2, "--lmin", 20, "--boot", 20, "--seed", 2)
    status, out, err = run_cli(capsys, "fss", store, *args, "--json")
    assert status == 0, err
    d = json.loads(out)
    an = fss_analyze_store(store, stat="mean_g", W_range=(5.8, 6.2), lmin=20, n_boot=20, seed=2)
    assert d["fit"]["W_c"]["value"] == pytest.approx(an.fit.W_c.value)
    assert d["fit"]["sizes"] == [20, 28, 40] and d["fit"]["W_range"] == [5.8, 6.2]
    assert d["fit"]["n_boot"] == 20 and d["order_table"] is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--W-range", 7, 8), "W_range [7, 8] holds no data"),
        (("--W-range", 5.7, 5.9), "do not cross"),
        (("--lmin", 40), "lmin = 40 leaves 1 size"),
        (("--orders", "8,8,2,2"), "points for 39 parameters"),
        (("--boot", 3), "--boot must be 0"),
    ],
)
def test_fss_bad_input_is_one_line(store, capsys, argv, message):
    status, out, err = run_cli(capsys, "fss", store, *argv)
    assert status == 2 and out == ""
    assert err.startswith("betascale fss: error: ") and message in err
    assert err.count("\n") == 1


def test_fss_bad_orders_and_missing_store(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["fss", str(tmp_path / "x.sqlite"), "--orders", "3,1"])
    assert exc.value.code == 2
    assert "expected nr,mr,ni,mi" in capsys.readouterr().err
    status, _, err = run_cli(capsys, "fss", tmp_path / "missing.sqlite")
    assert status == 2 and "not found" in err

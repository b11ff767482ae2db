"""Tests of ``betascale universality`` on small stores of synthetic samples."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from betascale.cli import main
from betascale.study import study_from_dict
from betascale.testing import synthetic_fss_table
from tests.cli.helpers import run_cli, write_table
from tests.cli.test_analyze import make_store


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("stores")
    return {
        "square": make_store(d / "square.sqlite"),
        "honeycomb": make_store(d / "honeycomb.sqlite", g0=(7.0, 4.5, 2.6)),
        "transition": _transition_store(d / "su2.sqlite"),
    }


def _transition_store(path: Path) -> Path:
    W, L, n = (5.8, 5.9, 6.0, 6.1, 6.2), (16, 20, 28), 40
    table = synthetic_fss_table(W=W, L=L, n=n, seed=9)
    study = study_from_dict(
        {"name": "su2", "model": "symplectic", "soc": "su2", "E": 1.0, "bc": "periodic",
         "W": list(W), "L": list(L), "samples": n, "seed": 1}
    )  # fmt: skip
    return write_table(path, table, study)


def test_universality_prints_tables_and_writes_the_figure(stores, tmp_path, capsys):
    status, out, err = run_cli(
        capsys, "universality", "--orthogonal", f"square={stores['square']}",
        f"honeycomb={stores['honeycomb']}", "--boot", 50, "--gmin", 1,
        "--transition", f"SU2={stores['transition']}", "--orders", "1,1,0,0",
        "--fss-boot", 0, "--out", tmp_path,
    )  # fmt: skip
    assert status == 0, err
    assert "Universality of beta(g) across lattices" in out
    assert "square, honeycomb" in out and "-1/pi = -0.3183" in out
    assert "reference Markos & Schweitzer 2006: 1.4200 ± 0.0050" in out
    assert "SU2 - Markos & Schweitzer 2006" in out
    assert (tmp_path / "universality.png").is_file() and (tmp_path / "universality.pdf").is_file()
    assert out.rstrip().endswith("universality.pdf")


def test_universality_json(stores, tmp_path, capsys):
    status, out, err = run_cli(
        capsys, "universality", "--orthogonal", f"square={stores['square']}",
        f"honeycomb={stores['honeycomb']}", "--boot", 50, "--gmin", 1, "--collapse-gmin", 3,
        "--json", "--no-figure", "--out", tmp_path / "none",
    )  # fmt: skip
    assert status == 0, err
    d = json.loads(out)
    (c,) = d["universality"]["classes"]
    assert c["model"] == "orthogonal" and c["gmin"] == 3 and c["labels"] == ["square", "honeycomb"]
    assert d["critical"] is None and d["figures"] == []
    for lat in c["lattices"]:  # the stores' own weak-localization fits, with c/L
        assert lat["wl_theory"] == pytest.approx(-1 / math.pi)
        assert abs(lat["wl_slope"] - lat["wl_theory"]) < 4 * lat["wl_sigma"]
        assert lat["wl_form"].startswith("<g> = g0 + a ln L + c/L")
    assert not (tmp_path / "none").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "give the stores of a class"),
        (["--orthogonal", "a={square}"], "orthogonal: universality compares at least two lattices"),
        (["--orthogonal", "a={square}", "a={honeycomb}"], "the label 'a' is given twice"),
        (["--symplectic", "a={square}", "b={honeycomb}"], "is of the orthogonal class"),
        (["--orthogonal", "a={square}", "b=/nonexistent.sqlite"], "no store at /nonexistent"),
        (["--orthogonal", "a={square}", "b={honeycomb}", "--collapse-gmin", "nan"],
         "--collapse-gmin must be finite"),
        (["--transition", "x=/nonexistent.sqlite"], "no store at"),
        (["--orthogonal", "a={square}", "b={honeycomb}", "--boot", "3"], "--boot must be >= 20"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line(stores, tmp_path, capsys, argv, message):
    argv = [a.format(**stores) for a in argv]
    status, _, err = run_cli(capsys, "universality", "--out", tmp_path, "--boot", 20, *argv)
    assert status == 2
    assert err.startswith("betascale universality: error: ") and err.count("\n") == 1
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--orthogonal", "square"], "expected LABEL=STORE"),
        (["--transition", "a=b", "--reference", "x=1.4"], "expected NAME=VALUE,ERROR"),
    ],
)
def test_malformed_arguments_are_one_line(capsys, argv, message):
    with pytest.raises(SystemExit) as exc:
        main(["universality", *argv])
    _, err = capsys.readouterr()
    assert exc.value.code == 2
    assert err.startswith("betascale universality: error: ") and err.count("\n") == 1
    assert message in err

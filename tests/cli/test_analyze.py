"""Tests of ``betascale analyze``, ``plot`` and ``compare`` and of the wrapper scripts.

The stores are made through the :class:`betascale.store.Store` API from synthetic
samples of a known flow (:func:`betascale.analysis.synthetic_table`).
"""

from __future__ import annotations

import json
import math
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from betascale.analysis import analyze_store
from betascale.cli import main
from betascale.study import study_from_dict
from betascale.testing import synthetic_table
from tests.cli.helpers import run_cli, write_table

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
N_SAMPLES = 60


def make_store(
    path: Path,
    model="orthogonal",
    g0=(8.0, 5.0, 3.0),
    W=(1.0, 2.0, 3.0),
    L=(8, 16, 32, 64),
    study_W=None,
    study_L=None,
    keep=None,
    **extra,
) -> Path:
    """A store of ``model`` with synthetic samples (``keep(W, L)`` filters them)."""
    table = synthetic_table(model, W=W, g0=g0, L=L, n=N_SAMPLES, seed=3)
    study = study_from_dict(
        {
            "name": path.stem,
            "model": model,
            "E": 1.1,  # no lead threshold at any width of the tests (E = 1 has some)
            "W": list(study_W or W),
            "L": list(study_L or L),
            "samples": N_SAMPLES,
            "seed": 1,
            **extra,
        }
    )
    return write_table(path, table, study, keep)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return make_store(tmp_path_factory.mktemp("stores") / "ortho.sqlite")


def test_analyze_store_api(store):
    an = analyze_store(store, n_boot=100)
    assert an.model == "orthogonal" and an.name == "ortho"
    assert an.title == "Anderson model (orthogonal), E=1.1, hardwall"
    assert len(an.ensembles) == 12 and all(e.n == N_SAMPLES for e in an.ensembles)
    assert an.fit.a == pytest.approx(-1 / math.pi, abs=4 * an.fit.sigma_a)


def test_analyze_prints_tables_fit_and_scaling(store, capsys):
    status, out, err = run_cli(capsys, "analyze", store, "--boot", 100)
    assert status == 0 and err == ""
    header = next(line for line in out.splitlines() if line.strip().startswith("W"))
    for col in ("n", "N", "<T>", "<g>"):
        assert col in header.split()
    assert header.endswith("exp<ln g>")
    assert "G = <g>, contact-corrected" in out
    assert "fit beta = a/g + b/g^2" in out and "analytic -1/pi = -0.3183" in out
    assert "chi2/dof" in out and "one-parameter scaling" in out


def test_analyze_json_and_options(store, capsys):
    status, out, _ = run_cli(
        capsys, "analyze", store, "--json", "--stat", "typical", "--gmin", "3", "--boot", 50
    )
    assert status == 0
    data = json.loads(out)
    assert data["stat"] == "typical" and data["n_boot"] == 50
    assert data["fit"]["gmin"] == 3.0 and data["fit"]["g_range"][0] >= 3.0
    assert data["fit"]["a_theory"] == pytest.approx(-1 / math.pi)
    assert len(data["beta"]) == 9 and len(data["ensembles"]) == 12


def test_plot_writes_figures_and_prints_paths(store, tmp_path, capsys):
    out_dir = tmp_path / "figs"
    status, out, _ = run_cli(capsys, "plot", store, "--out", out_dir, "--boot", 50, "--at", "2:64")
    assert status == 0
    paths = [Path(line) for line in out.split()]
    # four beta figures, and the weak-localization slope (the store has several sizes)
    assert len(paths) == 8 + 2 and paths[-1].name == "wl_slope.pdf"
    for path in paths:
        assert path.parent == out_dir and path.stat().st_size > 5000


def test_plot_default_directory(store, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, out, _ = run_cli(capsys, "plot", store, "--boot", 50)
    assert status == 0
    assert (tmp_path / "figures" / "ortho" / "beta.png").stat().st_size > 5000
    assert Path(out.split()[0]).parent == Path("figures/ortho")


def test_compare_three_classes(tmp_path, capsys):
    stores = [
        make_store(tmp_path / "o.sqlite"),
        make_store(tmp_path / "u.sqlite", "unitary", g0=(3.0, 2.0, 1.2), flux=0.05),
        make_store(tmp_path / "s.sqlite", "symplectic", g0=(6.0, 3.5, 2.0)),
    ]
    status, out, _ = run_cli(capsys, "compare", *stores, "--out", tmp_path / "cmp", "--boot", 50)
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("o: Anderson model (orthogonal)") and "a = " in lines[0]
    assert lines[1].startswith("u: Anderson model, flux 0.05 (unitary)")
    assert [Path(p).name for p in lines[-2:]] == ["compare_beta.png", "compare_beta.pdf"]
    assert all(Path(p).stat().st_size > 5000 for p in lines[-2:])
    # a store with no point above gmin is still drawn, with a note
    status, out, _ = run_cli(
        capsys, "compare", *stores, "--out", tmp_path, "--gmin", "50", "--boot", 50
    )
    assert status == 0 and "no fit: gmin = 50 leaves 0" in out


# ------------------------------------------------------------------ bad input
def test_empty_store(tmp_path, capsys):
    path = make_store(tmp_path / "empty.sqlite", keep=lambda w, x: False)
    status, out, err = run_cli(capsys, "analyze", path)
    assert status == 2 and out == ""
    assert err.strip() == (
        f"betascale analyze: error: the store {path} has no successful samples; run the study first"
    )


def test_single_L_store(tmp_path, capsys):
    path = make_store(tmp_path / "one.sqlite", L=(16,))
    status, _, err = run_cli(capsys, "analyze", path)
    assert status == 2 and len(err.strip().splitlines()) == 1
    assert "beta needs at least two sizes L, but there is only L = 16" in err


def test_store_missing_a_W(tmp_path, capsys):
    path = make_store(tmp_path / "partial.sqlite", keep=lambda w, x: not (w == 3.0 and x >= 32))
    status, _, err = run_cli(capsys, "plot", path, "--out", tmp_path)
    assert status == 2 and "W=3 has no samples at L=32 (and 1 more (W, L))" in err
    # a W of the study grid that has no samples at all
    path = make_store(tmp_path / "noW.sqlite", study_W=(1.0, 2.0, 3.0, 5.0))
    status, _, err = run_cli(capsys, "analyze", path)
    assert status == 2 and "W=5 has no samples at L=8" in err


def test_other_errors(store, tmp_path, capsys):
    # a fit that does not apply is skipped in one line, the rest is printed (issue 11)
    status, out, _ = run_cli(capsys, "analyze", store, "--gmin", "40")
    assert status == 0 and "fit of beta: skipped: gmin = 40 leaves 0 beta point(s)" in out
    assert "lower gmin" in out and "ensembles" in out and "beta = d ln G" in out
    status, _, err = run_cli(capsys, "analyze", tmp_path / "nope.sqlite")
    assert status == 2 and "not found" in err
    status, _, err = run_cli(capsys, "plot", store, "--at", "9:64", "--out", tmp_path)
    assert status == 2 and "--at 9:64: no such (W, L)" in err
    with pytest.raises(SystemExit) as exc:
        main(["plot", str(store), "--at", "nonsense"])
    assert exc.value.code == 2
    status, _, err = run_cli(capsys, "analyze", store, "--boot", "3")
    assert status == 2 and "at least 20 replicates" in err


# --------------------------------------------------------------------- scripts
def test_scaling_fit_script(store, capsys):
    script = runpy.run_path(str(SCRIPTS / "scaling_fit.py"))
    assert script["main"]([str(store), "--boot", "50", "--json"]) == 0
    (data,) = json.loads(capsys.readouterr().out)
    assert data["fit"]["a"] == pytest.approx(-1 / math.pi, abs=4 * data["fit"]["sigma_a"])
    assert script["main"]([str(store), "--gmin", "99"]) == 0
    assert "skipped: gmin = 99 leaves 0" in capsys.readouterr().out


def test_compare_plots_script(store, tmp_path, capsys):
    script = runpy.run_path(str(SCRIPTS / "compare_plots.py"))
    assert script["main"]([str(store), "--out", str(tmp_path), "--boot", "50", "--each"]) == 0
    paths = [Path(p) for p in capsys.readouterr().out.split()]
    assert paths[0] == tmp_path / "compare_beta.png"
    assert all(p.stat().st_size > 5000 for p in paths)
    # the figures of `betascale plot` for the same store, under DIR/<store file name>
    from betascale.cli import main as cli

    assert cli(["plot", str(store), "--out", str(tmp_path / "cli"), "--boot", "50"]) == 0
    names = sorted(p.name for p in (tmp_path / "cli").iterdir())
    assert sorted(p.name for p in paths[2:]) == names and len(names) >= 8
    assert all(p.parent == tmp_path / store.stem for p in paths[2:])


def test_compare_plots_script_refuses_clashing_stores_and_unsafe_names(store, tmp_path, capsys):
    main = runpy.run_path(str(SCRIPTS / "compare_plots.py"))["main"]
    twin = tmp_path / "other" / store.name
    twin.parent.mkdir()
    twin.write_bytes(store.read_bytes())
    out = tmp_path / "figs"
    assert main([str(store), str(twin), "--out", str(out), "--each"]) == 2
    assert "names more than one store" in capsys.readouterr().err
    for name in ("../escape", "", ".hidden"):
        assert main([str(store), "--out", str(out), "--name", name]) == 2
        err = capsys.readouterr().err
        assert "is not a plain file name" in err and err.count("\n") == 1
    assert not out.exists() and not (tmp_path / "escape.png").exists()


# ------------------------------------------------ issue 16: terminals without Unicode
@pytest.mark.parametrize(
    "env",
    [{"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "POSIX", "PYTHONUTF8": "0"}],
    ids=["ascii", "posix"],
)
def test_status_and_analyze_fall_back_to_ascii(tmp_path, env):
    """``±`` in analyze and ``é`` in a study name ended in UnicodeEncodeError."""
    path = make_store(tmp_path / "cafe.sqlite", name="café σ")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONIO"))}
    script = (
        "import sys; from betascale.cli import main; "
        "sys.exit(main(['status', sys.argv[1]]) or main(['analyze', sys.argv[1], '--boot', '20']))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True, env={**clean, "LANG": "C", **env}, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    out = proc.stdout.decode("ascii")  # pure ASCII
    assert "cafe sigma" in out and "+-" in out

"""``betascale demo``: the shipped-data path end to end, the MPI run path, input checks."""

import shutil
import subprocess
import sys
from pathlib import Path

from betascale.cli import main
from betascale.demo import demo_study_names
from betascale.store import Store

DATA = Path(__file__).parents[2] / "data"
FIGURES = ("g_of_L", "beta", "scaling_collapse", "distribution")
SERIES = ("wl_slope", "delta_g_of_L", "delta_g_of_flux")


def test_demo_on_shipped_data_writes_figures_and_the_tables(tmp_path, capsys):
    status = main(["demo", "--shipped", "--out", str(tmp_path), "--boot", "100"])
    out = capsys.readouterr().out
    assert status == 0
    for model in ("orthogonal", "unitary", "symplectic"):
        for name in FIGURES:
            for ext in ("png", "pdf"):
                assert (tmp_path / model / f"{name}.{ext}").stat().st_size > 1000
    for model in ("orthogonal", "symplectic"):
        for name in SERIES:
            assert (tmp_path / f"{name}_{model}.png").stat().st_size > 1000
    assert (tmp_path / "compare_beta.png").stat().st_size > 1000
    assert "-0.3183" in out and "+0.3183" in out
    # the unitary row: the two-loop c2 of <g>(L), and whether it is resolved
    (row,) = [line for line in out.splitlines() if line.strip().startswith("unitary  two-loop")]
    assert "c2 = " in row and "+0.0507" in row
    assert "unitary: c2 shared by W = " in out
    assert "not resolved: |c2|/sigma" in out or "sigma from zero" in out
    table = out.split("weak localization, converged")[1]
    for quantity in (
        "WL coefficient a", "d<Dg>/d ln L ", "L>=13 l_B ", "L>=13 l_B, ffl", "L>=13 l_B, both",
        "HLN alpha ",
    ):  # fmt: skip
        rows = [line for line in table.splitlines() if quantity in line]
        assert len(rows) == 2 and all("±" in row for row in rows), rows
    # the field-free-lead HLN prefactor: symplectic only (the orthogonal field-free
    # series has no flux inside the diffusive limit), so its combination too
    for quantity in ("HLN alpha, ffl", "HLN alpha, both"):
        rows = {line.split()[0]: line for line in table.splitlines() if quantity in line}
        assert "±" in rows["symplectic"] and "±" not in rows["orthogonal"], rows
    # the shipped unitary series (wl-unitary): c2 with its deviation, pull and figure
    c2s = [line for line in table.splitlines() if "two-loop c2" in line]
    assert len(c2s) == 3 and all(line.split()[0] == "unitary" for line in c2s)
    assert all("±" in line and "+0.0507" in line and "σ" in line for line in c2s)
    assert "flux=0.03125" in c2s[0] and "flux=0.015625" in c2s[1] and "inverse-variance" in c2s[2]
    assert (tmp_path / "wl_slope_unitary.png").stat().st_size > 1000


def test_demo_rejects_bad_ranks():
    proc = subprocess.run(
        [sys.executable, "-m", "betascale", "demo", "--ranks", "0"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "--ranks must be >= 1" in proc.stderr


def test_demo_runs_the_studies_with_mpi_and_resumes(tmp_path, capsys):
    # Copies of the stores of a demo run (data/demo): the MPI run resumes them, finds
    # nothing missing, and the demo goes on to the analysis (a full run takes minutes).
    runs = tmp_path / "runs"
    runs.mkdir()
    for name in demo_study_names():
        shutil.copy(DATA / "demo" / f"{name}.sqlite", runs)
    argv = ["demo", "--runs", str(runs), "--out", str(tmp_path / "fig"), "--boot", "50"]
    status = main([*argv, "--ranks", "2"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert f"mpiexec -n 2 betascale run {' '.join(demo_study_names())}" in captured.out
    assert (tmp_path / "fig" / "compare_beta.pdf").stat().st_size > 1000
    for name in demo_study_names():
        with Store.open(runs / f"{name}.sqlite") as store:
            last = store.metadata["runs"][-1]
        assert last["status"] == "complete" and last["mpi_ranks"] == 2

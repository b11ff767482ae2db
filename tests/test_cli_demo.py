"""``betascale demo``: the shipped-data path end to end, and its input checks."""

import shutil
import subprocess
import sys
from pathlib import Path

from betascale.cli import main
from betascale.store import Store

DEMO = Path(__file__).parents[1] / "data" / "demo"


def test_demo_on_shipped_data_writes_figures_and_the_fit_table(tmp_path, capsys):
    status = main(["demo", "--shipped", "--out", str(tmp_path), "--boot", "100"])
    out = capsys.readouterr().out
    assert status == 0
    for model in ("orthogonal", "unitary", "symplectic"):
        for name in ("g_of_L", "beta", "scaling_collapse", "distribution"):
            for ext in ("png", "pdf"):
                assert (tmp_path / model / f"{name}.{ext}").stat().st_size > 1000
        row = next(line for line in out.splitlines() if line.startswith(model))
        assert "±" in row
    assert (tmp_path / "compare_beta.png").stat().st_size > 1000
    assert "-0.3183" in out and "+0.3183" in out and "-0.0507" in out


def test_demo_rejects_bad_ranks():
    proc = subprocess.run(
        [sys.executable, "-m", "betascale", "demo", "--ranks", "0"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "--ranks must be >= 1" in proc.stderr


def test_demo_runs_the_studies_with_mpi_and_resumes(tmp_path, capsys):
    # Copies of the shipped stores: the MPI runs resume them, find nothing missing,
    # and the demo goes on to the analysis (a full run takes about 10 minutes).
    runs = tmp_path / "runs"
    runs.mkdir()
    for model in ("orthogonal", "unitary", "symplectic"):
        shutil.copy(DEMO / f"demo-{model}.sqlite", runs)
    argv = ["demo", "--runs", str(runs), "--out", str(tmp_path / "fig"), "--boot", "50"]
    status = main([*argv, "--ranks", "2"])
    captured = capsys.readouterr()
    assert status == 0
    assert "mpiexec -n 2 betascale run demo-orthogonal demo-unitary demo-symplectic" in (
        captured.out
    )
    assert (tmp_path / "fig" / "compare_beta.pdf").stat().st_size > 1000
    for model in ("orthogonal", "unitary", "symplectic"):
        with Store.open(runs / f"demo-{model}.sqlite") as store:
            runs_meta = store.metadata["runs"]
        assert runs_meta[-1]["status"] == "complete"
        assert runs_meta[-1]["mpi_ranks"] == 2

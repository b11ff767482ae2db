"""``betascale demo``: the shipped-data path end to end, and its input checks."""

import subprocess
import sys

from betascale.cli import main


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

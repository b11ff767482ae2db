"""Tests of ``betascale rg`` (betascale.cli.rg)."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys

import pytest

from betascale import rg
from betascale.cli import main


def test_summary_text_reports_the_peak(capsys):
    assert main(["rg", "--nv", "2", "--rho0", "0.2", "--gamma0", "0.3"]) == 0
    out = capsys.readouterr().out
    tr = rg.integrate_pf(0.2, 0.3, 2)
    assert f"xi = {tr.peak.xi:.6g}" in out
    assert f"rho = {tr.peak.rho:.6g}" in out
    assert f"gamma2* = {rg.bracket_zero(2):.10g}" in out
    assert "rho peaks" in out and "no runaway" in out


def test_summary_json(capsys):
    assert main(["rg", "--nv", "2", "--rho0", "0.2", "--gamma0", "0.3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["nv"], data["rho0"], data["gamma0"]) == (2, 0.2, 0.3)
    assert data["xi_max"] == rg.DEFAULT_XI_MAX
    assert data["bracket_zero_gamma2"] == pytest.approx(rg.bracket_zero(2), rel=1e-14)
    peak = data["peak"]
    assert peak["gamma2"] == pytest.approx(data["bracket_zero_gamma2"], rel=1e-9)
    assert peak["rho"] == pytest.approx(rg.pf_rho_on_flow_line(peak["gamma2"], 0.2, 0.3, 2))
    assert 0 < peak["xi"] < 2 and peak["rho"] > 0.2
    assert data["runaway"] is None
    assert data["rho_decreasing_from_start"] is False


def test_summary_json_runaway_and_no_peak(capsys):
    assert main(["rg", "--nv", "1", "--rho0", "0.2", "--gamma0", "0.3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["runaway"]["reason"] == "gamma2"
    assert data["runaway"]["xi"] > data["peak"]["xi"]
    assert data["end"]["xi"] == pytest.approx(data["runaway"]["xi"])

    argv = ["rg", "--nv", "2", "--rho0", "0.2", "--gamma0", "1.3", "--json", "--xi-max", "5"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["peak"] is None and data["rho_decreasing_from_start"] is True
    assert data["xi_max"] == 5.0 and data["end"]["xi"] == 5.0


@pytest.mark.parametrize(
    ("argv", "word"),
    [
        (["--rho0", "-0.1", "--gamma0", "0.3"], "rho0"),
        (["--rho0", "nan", "--gamma0", "0.3"], "rho0"),
        (["--rho0", "0.2", "--gamma0", "-1"], "gamma0"),
        (["--rho0", "0.2", "--gamma0", "-2.5"], "gamma0"),
        (["--nv", "0", "--rho0", "0.2", "--gamma0", "0.3"], "nv"),
        (["--nv", "1.5", "--rho0", "0.2", "--gamma0", "0.3"], "nv"),
        (["--rho0", "0.2", "--gamma0", "0.3", "--xi-max", "0"], "xi-max"),
        (["--rho0", "0.2"], "--gamma0"),
        (["--diagram", "--rho0", "0.2"], "--gamma0"),
        (["--diagram", "--rho0", "-1", "--gamma0", "0"], "rho0"),
    ],
)
def test_bad_input_gives_one_line_error_and_status_2(capsys, argv, word):
    assert main(["rg", *argv]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.startswith("betascale rg: error:") and word in err
    assert "\n" not in err and captured.out == ""


def test_bad_input_exit_status_in_a_subprocess():
    proc = subprocess.run(
        [sys.executable, "-m", "betascale", "rg", "--rho0", "-1", "--gamma0", "0.3"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("betascale rg: error: rho0")
    assert "Traceback" not in proc.stderr


def _check_files(paths):
    for path in paths:
        assert path.is_file() and path.stat().st_size > 1000
        magic = path.read_bytes()[:4]
        assert magic == (b"\x89PNG" if path.suffix == ".png" else b"%PDF")


def test_diagram_writes_figures(capsys, tmp_path):
    out = tmp_path / "figs"
    out.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("IMPORTANT")
    (out / "rg_flow_nv2.png").symlink_to("../victim")  # replaced, never followed
    argv = ["rg", "--diagram", "--nv", "2", "--out", str(out), "--rho0", "0.2", "--gamma0", "0.3"]
    assert main(argv) == 0
    assert victim.read_text() == "IMPORTANT" and not (out / "rg_flow_nv2.png").is_symlink()
    printed = capsys.readouterr().out.split()
    names = {"rg_flow_nv2.png", "rg_flow_nv2.pdf", "rg_rho_vs_T_nv2.png", "rg_rho_vs_T_nv2.pdf"}
    assert {p.rsplit("/", 1)[-1] for p in printed} == names
    _check_files(sorted(out.iterdir()))
    assert len(list(out.iterdir())) == 4


def test_text_is_the_trajectory_printed_and_json_its_to_dict(capsys):
    assert main(["rg", "--nv", "1", "--rho0", "0.2", "--gamma0", "0.3", "--xi-max", "100"]) == 0
    tr = rg.integrate_pf(0.2, 0.3, 1, 100.0)
    assert capsys.readouterr().out == str(tr) + "\n"
    assert (
        main(["rg", "--nv", "1", "--rho0", "0.2", "--gamma0", "0.3", "--xi-max", "100", "--json"])
        == 0
    )
    assert json.loads(capsys.readouterr().out) == tr.to_dict()


def test_diagram_on_a_full_disk_leaves_no_figure_and_names_the_file(capsys, tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    import betascale.plots.rg

    def tiny(*args, **kwargs):
        return plt.subplots(figsize=(0.5, 0.5))[0]

    real, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 4:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(betascale.plots.rg, "plot_flow_diagram", tiny)
    monkeypatch.setattr(betascale.plots.rg, "plot_rho_vs_temperature", tiny)
    monkeypatch.setattr(os, "fsync", fsync)
    out = tmp_path / "figs"
    assert main(["rg", "--diagram", "--nv", "2", "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and list(out.iterdir()) == []
    assert captured.err == (
        f"betascale rg: error: cannot write {out / 'rg_rho_vs_T_nv2.pdf'}: "
        "No space left on device\n"
    )

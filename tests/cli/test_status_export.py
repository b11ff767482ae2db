"""Tests of ``betascale status`` and ``betascale export``."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from betascale.cli import main
from betascale.cli.status import resume_command
from betascale.store import SampleRecord, Store, load_export
from betascale.study import parse_study_text, study_from_dict

BASE = {"model": "orthogonal", "E": 1.0, "W": [1.0, 2.0], "L": [4, 6], "samples": 3, "seed": 7}


@pytest.fixture
def store_path(tmp_path):
    """A store with 5 of 12 samples done and one failure."""
    study = study_from_dict({**BASE, "name": "cli"})
    path = tmp_path / "cli.sqlite"
    with Store.open_for_run(path, study, {"versions": {}}) as store:
        keys = list(study.keys())
        store.add([SampleRecord(W, L, L, i, 0.1 + i, L, 2.0, 0) for W, _, L, i in keys[:5]])
        W, _, L, i = keys[5]
        store.add([SampleRecord(W, L, L, i, math.nan, 0, 1.5, 3, "RuntimeError: threshold")])
        store.finish_run("interrupted")
    return path


def test_status_table(store_path, capsys):
    assert main(["status", str(store_path)]) == 0
    out = capsys.readouterr().out
    assert "completed 5 of 12 samples; missing 7; failed 1" in out
    assert "CPU time 11.5 s" in out
    assert "W=1 L=6 sample=2 rank=3: RuntimeError: threshold" in out
    assert "interrupted" in out
    assert f"betascale run STUDY.toml --out {store_path}" in out
    rows = [line.split() for line in out.splitlines() if line.split()[:2] == ["1", "6"]]
    assert rows == [["1", "6", "6", "2", "1", "1", "5.5"]]


def test_status_json(store_path, capsys):
    assert main(["status", str(store_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["completed"], data["missing"], data["failed"]) == (5, 7, 1)
    assert data["cpu_seconds"] == pytest.approx(11.5)
    assert data["runs"][0]["status"] == "interrupted"
    assert data["failures"][0]["T"] is None


def test_status_print_study_round_trips(store_path, capsys):
    assert main(["status", str(store_path), "--print-study"]) == 0
    study = parse_study_text(capsys.readouterr().out)
    with Store.open(store_path) as store:
        assert study == store.study


def test_status_of_complete_store_has_no_resume_hint(tmp_path, capsys):
    study = study_from_dict({**BASE, "W": [1.0], "L": [4], "samples": 2})
    path = tmp_path / "done.sqlite"
    with Store.open_for_run(path, study, {}) as store:
        store.add([SampleRecord(1.0, 4, 4, i, 1.0, 4, 0.5, 0) for i in range(2)])
        store.finish_run("complete")
    assert main(["status", str(path)]) == 0
    out = capsys.readouterr().out
    assert "completed 2 of 2 samples; missing 0; failed 0" in out
    assert "resume" not in out and "complete" in out


def test_status_missing_store(tmp_path, capsys):
    assert main(["status", str(tmp_path / "nope.sqlite")]) == 2
    err = capsys.readouterr().err
    assert err == f"betascale status: error: store {tmp_path / 'nope.sqlite'} not found\n"


def test_status_missing_store_subprocess(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "betascale", "status", str(tmp_path / "nope.sqlite")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("betascale status: error: store ")
    assert "not found" in lines[0] and "Traceback" not in result.stderr


def test_export_netcdf_default_path(store_path, capsys):
    assert main(["export", str(store_path), "--format", "netcdf"]) == 0
    out = store_path.with_suffix(".nc")
    assert capsys.readouterr().out.strip() == str(out)
    ds = load_export(out)
    assert dict(ds.sizes) == {"W": 2, "flux": 1, "L": 2, "sample": 3}
    assert ds["T"].values[0, 0, 0].tolist() == [0.1, 1.1, 2.1]
    assert int(ds["failed"].sum()) == 1


def test_export_csv_with_out(store_path, tmp_path, capsys):
    target = tmp_path / "exports" / "table.csv"
    assert main(["export", str(store_path), "--out", str(target)]) == 0  # format from suffix
    assert capsys.readouterr().out.strip() == str(target)
    records = load_export(target)
    with Store.open(store_path) as store:
        expected = store.records()
    assert [(r.W, r.L, r.sample, r.T, r.error) for r in records[:5]] == [
        (r.W, r.L, r.sample, r.T, r.error) for r in expected[:5]
    ]
    assert len(records) == 6 and records[5].error == "RuntimeError: threshold"


def test_export_bad_requests(store_path, tmp_path, capsys):
    assert (
        main(["export", str(store_path), "--format", "csv", "--out", str(tmp_path / "x.nc")]) == 2
    )
    assert "does not match the suffix" in capsys.readouterr().err
    assert main(["export", str(store_path), "--out", str(store_path)]) == 2
    assert "refusing to overwrite the store" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["export", str(store_path), "--format", "hdf5"])
    assert info.value.code == 2


def test_status_resume_hint_is_shell_quoted(tmp_path, capsys):
    study = study_from_dict({**BASE, "name": "q"})
    path = tmp_path / "a b;$(touch PWNED)" / "s.sqlite"
    path.parent.mkdir()
    with Store.open_for_run(path, study, {}) as store:
        store.add([SampleRecord(1.0, 4, 4, 0, 1.0, 4, 0.5, 0)])
        store.finish_run("interrupted")
    assert main(["status", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    hint = next(line for line in lines if "resume with: " in line).split("resume with: ")[1]
    assert hint == resume_command("STUDY.toml", path)
    shown = next(line for line in lines if "--print-study" in line).split("`")[1]
    shown = shown.removesuffix(" > STUDY.toml")
    for command in (hint, shown):
        echoed = subprocess.run(
            ["sh", "-c", "printf '%s\\n' " + command], cwd=tmp_path, capture_output=True,
            text=True, check=True, timeout=10,
        ).stdout.splitlines()  # fmt: skip
        assert str(path) in echoed
    assert echoed == ["betascale", "status", str(path), "--print-study"]
    assert not (tmp_path / "PWNED").exists()
    assert resume_command("s.toml", "x y", samples=5, ranks=4) == (
        "mpiexec -n 4 betascale run s.toml --out 'x y' --samples 5"
    )


def test_a_resume_hint_for_a_path_starting_with_a_dash_still_parses():
    """``-x/s.sqlite`` would read as an option: the hints write it ``./-x/s.sqlite``."""
    hint = resume_command("-study.toml", "-x/s.sqlite")
    assert hint == "betascale run ./-study.toml --out ./-x/s.sqlite"
    from betascale.cli import build_parser

    args = build_parser().parse_args(hint.split()[1:])
    assert Path(args.out) == Path("-x/s.sqlite")  # the same file


def test_status_of_a_store_being_run_names_the_run_not_a_resume(tmp_path, capsys):
    import os
    import socket

    from betascale.store import collect_run_info

    study = study_from_dict({**BASE, "name": "live"})
    path = tmp_path / "live.sqlite"
    info = {**collect_run_info(), "host": socket.gethostname(), "pid": os.getpid()}
    with Store.open_for_run(path, study, info) as store:
        store.add([SampleRecord(1.0, 4, 4, 0, 1.0, 4, 0.5, 0)])
        assert main(["status", str(path)]) == 0
        out = capsys.readouterr().out
        assert f"a run is computing them ({socket.gethostname()} pid {os.getpid()})" in out
        assert "resume with" not in out
        store.finish_run("interrupted")
    assert main(["status", str(path)]) == 0
    assert "resume with" in capsys.readouterr().out

"""Serial runs and the analysis never import mpi4py; an MPI launch without it is one line."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from betascale.cli import main
from betascale.ensemble.comm import (
    _LAUNCHER_VARIABLES,
    _RANK_VARIABLES,
    MPIUnavailable,
    SerialComm,
    launcher_rank,
    world,
)
from betascale.errors import InputError

#: A serial ``betascale run``, ``status`` and ``export``, then ``bs.run`` and
#: ``bs.analyze``, all in one process; prints the mpi4py modules loaded after each.
SERIAL_SESSION = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import betascale as bs
    from betascale.cli import main

    tmp = Path(sys.argv[1])
    def mpi():
        return sorted(m for m in sys.modules if m.split(".")[0] == "mpi4py")
    store = str(tmp / "s.sqlite")
    for argv in (["run", "tiny", "--samples", "2", "--out", store, "--quiet"],
                 ["status", store], ["export", store, "--out", str(tmp / "s.csv")]):
        assert main(argv) == 0, argv
        print("loaded after", argv[0], mpi())
    study = bs.load_study(bs.study.resolve_study_path("tiny")).with_samples(2)
    samples = bs.run(study, quiet=True)
    print("loaded after", "bs.run", mpi())
    bs.analyze(store, n_boot=20)
    print("loaded after", "bs.analyze", mpi())
    """
)


def _serial_env() -> dict[str, str]:
    drop = {*_LAUNCHER_VARIABLES, *_RANK_VARIABLES}
    return {k: v for k, v in os.environ.items() if k not in drop}


def test_serial_commands_and_the_analysis_never_import_mpi4py(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", SERIAL_SESSION, str(tmp_path)],
        capture_output=True, text=True, timeout=120, env=_serial_env(), check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.startswith("loaded after ")]
    assert lines == [
        f"loaded after {step} []" for step in ("run", "status", "export", "bs.run", "bs.analyze")
    ]


@pytest.fixture
def launched(monkeypatch):
    """This process looks like rank 0 of two under mpiexec, and mpi4py is missing."""
    for name in (*_LAUNCHER_VARIABLES, *_RANK_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PMI_SIZE", "2")
    monkeypatch.setenv("PMI_RANK", "0")
    monkeypatch.delitem(sys.modules, "mpi4py.MPI", raising=False)
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # import mpi4py raises ImportError
    return monkeypatch


def test_an_mpi_launch_without_mpi4py_names_the_extra(launched):
    with pytest.raises(MPIUnavailable, match=r"mpi4py is not installed; .*betascale\[mpi\]"):
        world()
    assert isinstance(MPIUnavailable("x", 0), InputError)


def test_the_cli_says_it_once_on_rank_0(launched, capsys):
    assert main(["run", "tiny", "--samples", "1", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("betascale run: error: this process was")
    assert "pip install 'betascale[mpi]'" in err[0]
    launched.setenv("PMI_RANK", "1")
    assert main(["run", "tiny", "--samples", "1", "--quiet"]) == 2
    assert capsys.readouterr().err == ""  # the other ranks stay silent


def test_one_process_needs_no_mpi(monkeypatch):
    for name in (*_LAUNCHER_VARIABLES, *_RANK_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PMI_SIZE", "1")  # mpiexec -n 1
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    monkeypatch.delitem(sys.modules, "mpi4py.MPI", raising=False)
    assert isinstance(world(), SerialComm)
    assert launcher_rank() is None
    monkeypatch.setenv("OMPI_COMM_WORLD_RANK", "3")
    assert launcher_rank() == 3

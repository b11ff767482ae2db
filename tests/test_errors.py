"""betascale.errors: one-line messages, and the scripts' exit status for bad input."""

import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from betascale.errors import InputError, one_line, run_script

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def test_one_line_keeps_the_first_line_and_names_other_types():
    assert one_line(InputError("W must be >= 0\nmore")) == "W must be >= 0"
    assert one_line(KeyError("x")) == "KeyError: 'x'"


def test_run_script_turns_bad_input_into_one_line_and_status_2(capsys):
    def bad() -> None:
        raise InputError("L must be >= 4, got 2")

    assert run_script("demo_script", bad) == 2
    assert capsys.readouterr().err == "demo_script: error: L must be >= 4, got 2\n"


def test_run_script_passes_the_status_and_other_errors():
    assert run_script("s", lambda: None) == 0
    assert run_script("s", lambda: {"a": 1}) == 0  # a result, not a status
    assert run_script("s", lambda: 3) == 3
    with pytest.raises(ZeroDivisionError):  # a bug is not bad input: its traceback stays
        run_script("s", lambda: 1 / 0)


@pytest.mark.parametrize("name", ["scaling_fit", "compare_plots"])
def test_analysis_scripts_refuse_a_missing_store_in_one_line(name, tmp_path, capsys):
    main = runpy.run_path(str(SCRIPTS / f"{name}.py"))["main"]
    assert main([str(tmp_path / "missing.sqlite")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{name}: error: ") and err.count("\n") == 1 and "missing" in err


def test_script_entry_point_exits_2_without_traceback():
    proc = subprocess.run(
        [sys.executable, str(SCRIPTS / "scaling_fit.py"), "/nonexistent/x.sqlite"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("scaling_fit: error: ")


def test_guarded_gives_one_line_for_the_systems_refusals_and_quiet_ends(capsys, monkeypatch):
    from betascale.errors import guarded

    def full_disk() -> None:
        raise OSError(28, "No space left on device", "/tmp/x.sqlite")

    assert guarded("s", full_disk) == 2
    assert capsys.readouterr().err == "s: error: No space left on device: /tmp/x.sqlite\n"

    def interrupted() -> None:
        raise KeyboardInterrupt

    assert guarded("s", interrupted) == 130
    assert capsys.readouterr().err == "s: interrupted\n"
    dups = []  # stdout goes to /dev/null; recorded here, to keep pytest's own stdout
    monkeypatch.setattr("os.dup2", lambda *args: dups.append(args))
    monkeypatch.setattr("sys.stdout", SimpleNamespace(fileno=lambda: 1))

    def reader_gone() -> None:
        raise BrokenPipeError

    assert guarded("s", reader_gone) == 0 and dups[0][1] == 1


@pytest.mark.parametrize("args", [["--stat", "foo"], ["--bogus"], []])
def test_script_options_are_refused_in_one_line(args, tmp_path, capsys):
    main = runpy.run_path(str(SCRIPTS / "scaling_fit.py"))["main"]
    with pytest.raises(SystemExit) as exit_:
        main([str(tmp_path / "s.sqlite"), *args] if args else [])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1
    assert err.startswith("scaling_fit: error: ") and "usage" not in err


def test_notebook_tour_refuses_bad_arguments_in_one_line(tmp_path):
    a_file = tmp_path / "f"
    a_file.write_text("")
    for args in (["--bogus"], [str(a_file)], ["a", "b"]):
        proc = subprocess.run(
            [sys.executable, str(SCRIPTS / "notebook_tour.py"), *args],
            capture_output=True, text=True, timeout=120, cwd=tmp_path,
        )  # fmt: skip
        assert proc.returncode == 2 and proc.stdout == "", args
        assert proc.stderr.startswith("notebook_tour: error: ") and proc.stderr.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]  # nothing made


def test_slurm_job_reports_the_status_of_the_store_it_wrote(tmp_path):
    """A study whose name differs from its file name: the job passes --out, so the
    status at the end is that of the store just written (srun faked by running the
    command as one process)."""
    bin_dir = Path(sys.executable).parent
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "srun").write_text('#!/bin/sh\nshift\nexec "$@"\n')
    (fake / "srun").chmod(0o755)
    activate = f'export PATH="{fake}:{bin_dir}:$PATH"\n'
    (tmp_path / ".venv" / "bin" / "activate").write_text(activate)
    (tmp_path / "study.toml").write_text(
        'name = "renamed"\nhamiltonian = "anderson"\nE = 1.0\n'
        "W = [3.0]\nL = [6]\nsamples = 3\nseed = 1\n"
    )
    proc = subprocess.run(
        ["bash", str(SCRIPTS / "slurm_job.sh"), "study.toml"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "SLURM_SUBMIT_DIR": str(tmp_path)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "data" / "runs" / "study.sqlite").is_file()
    assert "renamed" in proc.stdout and "complete" in proc.stdout
    assert "not found" not in proc.stderr

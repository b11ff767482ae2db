"""betascale.errors: one-line messages, and the scripts' exit status for bad input."""

import runpy
import subprocess
import sys
from pathlib import Path

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

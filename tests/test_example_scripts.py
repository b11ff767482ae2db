"""The example scripts under ``scripts/``: their models agree with Kwant and their physics holds."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from betascale.models import ModelSpec, build_system
from betascale.solvers import FastSolver, KwantSolver

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def load_script(name: str):
    """Import ``scripts/<name>.py`` as a module (the scripts are not a package)."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tai():
    return load_script("bhz_anderson_insulator")


def test_bhz_agrees_with_kwant_smatrix_and_has_kramers_pairs(tai):
    system = build_system(ModelSpec(tai.TAI, E=10.0), 6, 20)
    fast, ref = FastSolver(system), KwantSolver(system)
    for index in range(2):
        disorder = system.draw_disorder(200.0, 3, index)
        a, b = fast.solve(disorder, eigenvalues=True), ref.solve(disorder, eigenvalues=True)
        assert a.N == b.N == 2
        assert abs(a.T - b.T) < 1e-10
        np.testing.assert_allclose(a.eigenvalues, b.eigenvalues, atol=1e-10)
        pairs = np.sort(a.eigenvalues)
        np.testing.assert_allclose(pairs[0::2], pairs[1::2], atol=1e-8)  # Kramers degeneracy


def test_bhz_is_symplectic_and_its_spin_blocks_are_time_reverses(tai):
    assert ModelSpec(tai.TAI, E=10.0).symmetry_class == "symplectic"
    check = build_system(ModelSpec(tai.TAI, E=10.0), *tai.TAI.check_size)
    assert check.num_channels >= 2  # the Kramers check of the family is not vacuous
    h = tai.build(2, 2).finalized().hamiltonian_submatrix()
    up = h.reshape(4, 4, 4, 4)[:, :2, :, :2]  # sites x orbitals: the upper block
    down = h.reshape(4, 4, 4, 4)[:, 2:, :, 2:]
    np.testing.assert_array_equal(down, up.conj())
    assert not np.allclose(up.imag, 0)  # complex: not the orthogonal class


def test_tai_plateau_appears_at_intermediate_disorder(tai, capsys):
    out = tai.main(["--L", "30", "--M", "60", "--W", "200", "500", "--samples", "4"])
    assert out[0.0][0] == pytest.approx(4.0, abs=1e-8)  # clean: ballistic, N = 4 channels
    assert out[200.0][0] == pytest.approx(2.0, abs=0.1)  # the TAI plateau, 2 e^2/h
    assert out[500.0][0] < 1.0  # Anderson localized
    assert "W=200 meV" in capsys.readouterr().out


def test_bad_input_is_one_line_with_status_2():
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / "bhz_anderson_insulator.py"), "--L", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("bhz_anderson_insulator: error: L must be")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_setup_cost_times_every_flux_route(capsys):
    costs = load_script("setup_cost").main(["--L", "64"])
    assert len(costs) == 4 and all(cpu > 0 and wall > 0 for cpu, wall in costs.values())
    assert "field in leads" in capsys.readouterr().out
    assert "periodic 1/32" not in str(load_script("setup_cost").geometries(48))


def test_setup_cost_bad_size_is_one_line_with_status_2():
    proc = subprocess.run(
        [sys.executable, str(SCRIPTS / "setup_cost.py"), "--L", "2"], capture_output=True, text=True
    )
    assert proc.returncode == 2 and proc.stderr == "setup_cost: error: L must be >= 4, got 2\n"

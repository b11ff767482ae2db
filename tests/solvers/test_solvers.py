"""Tests of the betascale.solvers package: its names, make_solver and both solvers' physics."""

import numpy as np
import pytest

import betascale.solvers as solvers
from betascale.errors import InputError
from betascale.models import ModelSpec, build_system
from betascale.solvers import (
    MIN_RCOND,
    SOLVERS,
    ConductanceSolver,
    FastSolver,
    KwantSolver,
    Transmission,
    make_solver,
)


def test_public_names():
    assert SOLVERS == ("fast", "kwant")
    assert 0 < MIN_RCOND < 1e-4
    assert Transmission(1.0, 2).eigenvalues is None
    assert {"FastSolver", "KwantSolver", "make_solver", "SOLVERS"} <= set(solvers.__all__)


def test_conductance_solver_is_abstract():
    system = build_system(ModelSpec(), 3, 4)
    with pytest.raises(TypeError):
        ConductanceSolver(system)


def test_make_solver_builds_each_named_solver():
    system = build_system(ModelSpec(), 3, 4)
    for name, cls in zip(SOLVERS, (FastSolver, KwantSolver)):
        solver = make_solver(name, system)
        assert isinstance(solver, cls) and solver.name == name
    assert make_solver("fast", system, ordering="amd").ordering == "amd"


def test_unknown_solver_is_refused():
    system = build_system(ModelSpec(), 3, 4)
    with pytest.raises(InputError, match="solver must be one of"):
        make_solver("slow", system)


@pytest.mark.parametrize(
    ("spec", "L", "M"),
    [
        (ModelSpec(), 9, 6),
        (ModelSpec(bc="periodic"), 9, 7),
        (ModelSpec("unitary", flux=0.15), 7, 6),
        (ModelSpec("unitary", flux=0.25, bc="periodic", E=-0.6), 7, 8),
        (ModelSpec("symplectic", soc="ando"), 7, 6),
        (ModelSpec("symplectic", soc="ando", bc="periodic", E=0.5), 6, 5),
        # E = 1 is an eigenvalue of the closed 2-column interior here: the Schur
        # complement is singular and the fast solver must take the regular route.
        (ModelSpec(), 4, 3),
        (ModelSpec(), 7, 3),
    ],
)
@pytest.mark.parametrize("solver", ["fast", "kwant"])
def test_clean_limit_transmits_every_channel(spec, L, M, solver):
    system = build_system(spec, L, M)
    result = make_solver(solver, system).solve(system.clean_disorder())
    assert result.N == system.num_channels > 0
    assert result.T == pytest.approx(result.N, rel=1e-10)


@pytest.mark.parametrize("soc", ["su2", "ando"])
@pytest.mark.parametrize("solver", ["fast", "kwant"])
def test_symplectic_transmission_eigenvalues_are_kramers_pairs(soc, solver):
    system = build_system(ModelSpec("symplectic", soc=soc), 8, 6)
    result = make_solver(solver, system).solve(system.draw_disorder(2.5, 4, 0), eigenvalues=True)
    tau = result.eigenvalues
    assert tau.size == result.N and result.N % 2 == 0
    assert np.allclose(tau[0::2], tau[1::2], atol=1e-9)
    assert not np.allclose(tau[0::2][:-1], tau[0::2][1:], atol=1e-6)  # pairs, not all equal
    assert tau.sum() == pytest.approx(result.T, rel=1e-10)

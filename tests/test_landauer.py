"""Tests of betascale.landauer: the conductance of individual samples from the API."""

import numpy as np
import pytest

import betascale as bs
import betascale.landauer as landauer
from betascale.solvers.base import Transmission


def test_conductance_equals_the_solvers_and_kwant():
    spec = bs.ModelSpec("ando", E=0.9, bc="periodic", S=0.5)
    fast = bs.conductance(spec, L=8, W=2.5, M=7, seed=4, samples=2, start=3)
    ref = bs.conductance(spec, L=8, W=2.5, M=7, seed=4, samples=2, start=3, solver="kwant")
    assert fast.indices.tolist() == [3, 4] and (fast.L, fast.M) == (8, 7)
    assert np.allclose(fast.T, ref.T, rtol=1e-8) and fast.N == ref.N
    system = bs.build_system(spec, 8, 7)
    direct = bs.make_solver("fast", system).sample(2.5, 4, 4).T
    assert fast.T[1] == direct  # the same sample as the solver's, bit for bit
    assert fast.to_dict()["T"] == fast.T.tolist() and "set-up" in str(fast)


def test_eigenvalues_come_in_kramers_pairs_for_the_symplectic_class():
    result = bs.conductance(bs.ModelSpec("su2"), L=10, W=2.0, samples=1, eigenvalues=True)
    eig = result.eigenvalues[0]
    assert np.allclose(eig[0::2], eig[1::2], atol=1e-10)
    assert eig.sum() == pytest.approx(result.T[0])


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"W": -1.0}, "W must be >= 0"),
        ({"W": float("nan")}, "W must be finite"),
        ({"samples": 0}, "samples must be >= 1"),
        ({"start": -2}, "start must be >= 0"),
        ({"seed": 1.5}, "seed must be an integer"),
        ({"solver": "slow"}, "solver must be one of"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, fragment):
    arguments = {"W": 1.0, **kwargs}
    with pytest.raises(bs.InputError, match=fragment):
        bs.conductance(bs.ModelSpec(), L=4, **arguments)


# ------------------------------------------------ issue 16: one input policy
@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"seed": None}, "seed must be an integer"),
        ({"seed": -1}, "seed must be >= 0"),
        ({"samples": np.array([2, 3])}, "samples must be an integer"),
        ({"samples": 10**9}, "samples must be <= 1000000"),
        ({"samples": True}, "samples must be an integer"),
        ({"W": "2"}, "W must be a number"),
        ({"W": True}, "W must be a number"),
        ({"W": -1.0}, "W must be >= 0"),
        ({"start": 2.0}, "start must be an integer"),
        ({"eigenvalues": "yes"}, "eigenvalues must be true or false"),
        ({"solver": ["fast"]}, "solver must be one of"),
    ],
)
def test_bad_arguments_are_input_errors(kwargs, fragment):
    args = {"L": 6, "W": 1.0, **kwargs}
    with pytest.raises(bs.InputError, match=fragment):
        bs.conductance(bs.ModelSpec("anderson"), **args)


@pytest.mark.parametrize("model", ["su2", None])
def test_a_model_that_is_not_a_model_spec_is_an_input_error(model):
    with pytest.raises(bs.InputError, match="model must be a ModelSpec"):
        bs.conductance(model, L=6, W=1.0)


def test_numpy_integers_and_floats_are_accepted():
    result = bs.conductance(
        bs.ModelSpec("anderson"), np.int64(6), np.float64(1.0), seed=np.int64(3),
        samples=np.int32(2), start=np.int64(1),
    )  # fmt: skip
    assert list(result.indices) == [1, 2] and type(result.seed) is int


class _NoEigenvalues:
    """A solver that ignores ``eigenvalues=True``: T only."""

    def __init__(self, system):
        self.system = system

    def solve(self, disorder, eigenvalues=False):
        return Transmission(T=0.5, N=self.system.num_channels)


def test_a_solver_that_returns_no_eigenvalues_is_an_error(monkeypatch):
    monkeypatch.setattr(landauer, "make_solver", lambda name, system: _NoEigenvalues(system))
    model = bs.ModelSpec("anderson", E=1.0)
    assert landauer.conductance(model, L=4, W=1.0).T.tolist() == [0.5]  # not asked: fine
    with pytest.raises(RuntimeError, match="solver 'fast' returned no transmission eigenvalues"):
        landauer.conductance(model, L=4, W=1.0, eigenvalues=True)

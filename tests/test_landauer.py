"""Tests of betascale.landauer: the conductance of individual samples from the API."""

import numpy as np
import pytest

import betascale as bs


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

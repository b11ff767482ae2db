"""Tests of betascale.solvers.backends: the back-end registry and the optional MUMPS."""

import subprocess
import sys

import pytest

from betascale.errors import InputError
from betascale.models import ModelSpec, build_system
from betascale.solvers import FastSolver, KwantSolver
from betascale.solvers.backends import (
    BACKENDS,
    SchurBackend,
    backend_class,
    default_backend,
    mumps_available,
)


def test_registry_names_the_two_backends_and_their_classes():
    assert BACKENDS == ("mumps", "scipy")
    for name in BACKENDS:
        cls = backend_class(name)
        assert issubclass(cls, SchurBackend) and cls.name == name


def test_default_is_mumps_when_it_imports():
    assert mumps_available()
    assert default_backend() == "mumps"
    assert FastSolver(build_system(ModelSpec(), 4, 4)).backend.name == "mumps"


def test_unknown_backend_is_one_line():
    with pytest.raises(InputError, match="backend must be one of mumps, scipy, got 'umfpack'"):
        FastSolver(build_system(ModelSpec(), 4, 4), backend="umfpack")


def test_mumps_orderings_are_refused_by_the_scipy_backend():
    with pytest.raises(InputError, match="scipy backend's ordering"):
        FastSolver(build_system(ModelSpec(), 4, 4), ordering="amd", backend="scipy")


# A python-mumps that cannot be imported (None in sys.modules: "import mumps" raises
# ImportError, as when it is not installed).
_NO_MUMPS = """
import sys
sys.modules["mumps"] = None
import betascale.solvers
from betascale.errors import InputError, one_line
from betascale.models import ModelSpec, build_system
from betascale.solvers import FastSolver
from betascale.solvers.backends import default_backend
system = build_system(ModelSpec(), 5, 4)
solver = FastSolver(system)
print(default_backend(), solver.backend.name, solver.sample(2.0, 1, 0).T.hex())
try:
    FastSolver(system, backend="mumps")
except InputError as exc:
    print(one_line(exc))
print(sorted(m for m in sys.modules if m.startswith(("mumps.", "betascale.solvers.mumps"))))
"""


def test_without_python_mumps_the_scipy_backend_is_chosen_and_mumps_names_its_extra():
    proc = subprocess.run(
        [sys.executable, "-c", _NO_MUMPS], capture_output=True, text=True, check=True
    )
    first, error, modules = proc.stdout.strip().splitlines()
    default, chosen, T = first.split()
    assert (default, chosen) == ("scipy", "scipy")
    system = build_system(ModelSpec(), 5, 4)
    scipy_T = FastSolver(system, backend="scipy").sample(2.0, 1, 0).T
    assert float.fromhex(T) == scipy_T  # the same bits as in this process
    assert abs(scipy_T - KwantSolver(system).sample(2.0, 1, 0).T) < 1e-10
    assert "pip install 'betascale[mumps]'" in error and "mumps" in error
    assert modules == "[]"

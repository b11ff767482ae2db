"""CPU and wall seconds of the fast solver's set-up of one geometry, per flux route.

The set-up of a geometry (matrix pattern, ordering, MUMPS analysis, the leads'
self-energies and their threshold check) is paid once per (W-independent) geometry,
before its samples. This script times ``FastSolver(build_system(spec, L, L)).prepare()``
for the Anderson model at E = 1 in four geometries, with one BLAS thread:

* orthogonal, periodic;
* unitary with field-free leads (``field_in_leads=False``), periodic at flux 1/32
  (L must then be a multiple of 32) and hardwall at flux 0.01;
* unitary with the field in the leads, hardwall at flux 0.01 (the lead modes and its
  threshold check from dense 2L-sized eigenproblems: tens of CPU seconds at L = 1024).

Usage: ``python scripts/setup_cost.py --L 1024`` (docs/guide/solvers.md quotes its output).
E = 1 is a subband threshold of a hardwall lead of width M when 3 divides M + 1, so L
must not be such a width (1024 and 256 are fine; 32, 128 and 512 are refused before
anything is timed).
"""

import sys
import time

from betascale import validation
from betascale.errors import OneLineParser, run_script
from betascale.models import ModelSpec, build_system
from betascale.solvers import FastSolver
from betascale.threads import one_blas_thread
from betascale.thresholds import check_energy


def geometries(L: int) -> dict[str, ModelSpec]:
    """The four geometries timed at size L (the periodic flux one needs 32 | L)."""
    out = {"orthogonal, periodic": ModelSpec(hamiltonian="anderson", E=1.0, bc="periodic")}
    if L % 32 == 0:
        out["unitary, field-free leads, periodic 1/32"] = ModelSpec(
            hamiltonian="anderson", E=1.0, bc="periodic", flux=1 / 32, field_in_leads=False
        )
    out["unitary, field-free leads, hardwall 0.01"] = ModelSpec(
        hamiltonian="anderson", E=1.0, bc="hardwall", flux=0.01, field_in_leads=False
    )
    out["unitary, field in leads, hardwall 0.01"] = ModelSpec(
        hamiltonian="anderson", E=1.0, bc="hardwall", flux=0.01
    )
    return out


def main(argv: list[str] | None = None) -> dict[str, tuple[float, float]]:
    """Print and return ``{geometry: (CPU s, wall s)}`` of the set-up at ``--L``."""
    p = OneLineParser(prog="setup_cost", description=__doc__.splitlines()[0])
    p.add_argument(
        "--L", type=int, default=1024, help="size (L x L samples, 3 not dividing L + 1; 1024)"
    )
    args = p.parse_args(argv)
    L = validation.integer("L", args.L, low=4)
    check_energy(ModelSpec(hamiltonian="anderson", E=1.0, bc="hardwall"), L)  # before timing
    out = {}
    with one_blas_thread():
        for name, spec in geometries(L).items():
            cpu, wall = time.process_time(), time.perf_counter()
            FastSolver(build_system(spec, L, L)).prepare()
            out[name] = (time.process_time() - cpu, time.perf_counter() - wall)
            print(f"{name:42s} L={L}: set-up {out[name][0]:7.2f} CPU s {out[name][1]:7.2f} wall s")
    return out


if __name__ == "__main__":
    sys.exit(run_script("setup_cost", main))

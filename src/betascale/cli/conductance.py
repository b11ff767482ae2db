"""``betascale conductance``: the Landauer conductance of individual samples."""

from __future__ import annotations

import argparse
import json
import math
import time

from betascale.errors import InputError


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the model options (--model, --E, --bc, --flux, --soc, --S)."""
    group = parser.add_argument_group("model")
    group.add_argument(
        "--model", choices=("orthogonal", "unitary", "symplectic"), default="orthogonal"
    )
    group.add_argument("--E", type=float, default=1.0, help="Fermi energy (default 1)")
    group.add_argument("--bc", choices=("hardwall", "periodic"), default="hardwall")
    group.add_argument("--flux", type=float, default=0.0, help="flux quanta per plaquette")
    group.add_argument("--soc", choices=("su2", "ando"), default="su2")
    group.add_argument("--S", type=float, default=0.5, help="Ando spin-orbit strength")


def model_spec_from_args(args: argparse.Namespace):
    """The :class:`~betascale.models.ModelSpec` described by parsed model options."""
    from betascale.models import ModelSpec

    return ModelSpec(model=args.model, E=args.E, bc=args.bc, flux=args.flux, soc=args.soc, S=args.S)


def register(subparsers) -> None:
    """Add the ``conductance`` sub-command."""
    parser = subparsers.add_parser(
        "conductance",
        help="Landauer conductance T of disorder samples",
        description=(
            "Compute the total transmission T (e^2/h, both spins) and the number N of open "
            "channels of samples sample .. sample+K-1. A sample is a pure function of "
            "(seed, W, L, M, sample index), the same as in `betascale run`."
        ),
    )
    parser.add_argument("--L", type=int, required=True, help="sample length (sites along x)")
    parser.add_argument("--M", type=int, default=None, help="sample width (default: L)")
    parser.add_argument("--W", type=float, required=True, help="disorder strength")
    add_model_arguments(parser)
    parser.add_argument("--seed", type=int, default=7, help="study seed (default 7)")
    parser.add_argument("--sample", type=int, default=0, help="first sample index")
    parser.add_argument("--samples", type=int, default=1, help="number of samples K")
    parser.add_argument("--solver", choices=("fast", "kwant"), default="fast")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compute and print the requested samples."""
    from betascale.models import build_system
    from betascale.solvers import make_solver

    for name in ("W", "E", "flux", "S"):
        if not math.isfinite(getattr(args, name)):
            raise InputError(f"--{name} must be finite, got {getattr(args, name)}")
    if args.W < 0:
        raise InputError(f"--W must be >= 0, got {args.W}")
    if args.samples < 1:
        raise InputError(f"--samples must be >= 1, got {args.samples}")
    if args.sample < 0:
        raise InputError(f"--sample must be >= 0, got {args.sample}")
    if args.seed < 0:
        raise InputError(f"--seed must be >= 0, got {args.seed}")
    spec = model_spec_from_args(args)
    start = time.perf_counter()
    system = build_system(spec, args.L, args.M)
    solver = make_solver(args.solver, system)
    setup = time.perf_counter() - start

    transmissions, seconds = [], []
    for index in range(args.sample, args.sample + args.samples):
        disorder = system.draw_disorder(args.W, args.seed, index)
        t0 = time.perf_counter()
        result = solver.solve(disorder)
        seconds.append(time.perf_counter() - t0)
        transmissions.append(result.T)
    N = system.num_channels

    if args.json:
        print(json.dumps({"T": transmissions, "N": N, "seconds": seconds, "setup_seconds": setup}))
        return 0
    print(
        f"# {spec.describe()}, L={system.L}, M={system.M}, W={args.W:g}, seed={args.seed}, "
        f"solver={args.solver}; N={N}; set-up {setup:.3f} s"
    )
    print(f"{'sample':>8} {'T (e^2/h)':>22} {'seconds':>10}")
    for index, T, sec in zip(
        range(args.sample, args.sample + args.samples), transmissions, seconds
    ):
        print(f"{index:>8d} {T:>22.15g} {sec:>10.4f}")
    return 0

"""``betascale conductance``: the Landauer conductance of individual samples."""

from __future__ import annotations

import argparse
import json

from betascale.cli.options import add_model_arguments, flag_errors, model_spec_from_args
from betascale.solvers import SOLVERS


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
    parser.add_argument(
        "--field-free-leads",
        action="store_true",
        help=(
            "with --flux: the field only in the sample (gauge A = (0, Bx)), clean "
            "field-free leads; periodic boundaries need flux*M to be an integer"
        ),
    )
    parser.add_argument("--seed", type=int, default=7, help="study seed (default 7)")
    parser.add_argument("--sample", type=int, default=0, help="first sample index")
    parser.add_argument("--samples", type=int, default=1, help="number of samples K")
    parser.add_argument("--solver", choices=SOLVERS, default="fast")
    parser.add_argument(
        "--eigenvalues", action="store_true", help="also print the transmission eigenvalues"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compute and print the requested samples."""
    from betascale.landauer import conductance

    spec = model_spec_from_args(args)
    if args.field_free_leads:
        spec = spec.with_field_in_leads(False)
    with flag_errors():
        result = conductance(
            spec, args.L, args.W, M=args.M, seed=args.seed, samples=args.samples,
            start=args.sample, solver=args.solver, eigenvalues=args.eigenvalues,
        )  # fmt: skip
    if args.json:
        print(json.dumps(result.to_dict()))
        return 0
    print(result)
    if result.eigenvalues is not None:
        for index, eig in zip(result.indices, result.eigenvalues, strict=True):
            print(
                f"# sample {index} transmission eigenvalues: " + " ".join(f"{e:.6g}" for e in eig)
            )
    return 0

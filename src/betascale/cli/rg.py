"""``betascale rg``: integrate the one-loop Finkel'stein RG flow, or draw its figures.

Examples
--------
``betascale rg --nv 2 --rho0 0.2 --gamma0 0.3`` prints where ρ peaks;
``betascale rg --nv 2 --rho0 0.2 --gamma0 0.3 --json`` prints one JSON object;
``betascale rg --diagram --nv 2 --out figures/rg`` writes the flow diagram and ρ(T).

The command only parses, calls :mod:`betascale.rg` (its checks, :func:`integrate_pf`,
the trajectory's summary) or :func:`betascale.plots.rg.write_rg_figures`, and formats.
"""

from __future__ import annotations

import argparse

from betascale import rg
from betascale.cli.options import flag_errors, output_directory
from betascale.errors import InputError
from betascale.serialization import dumps

DESCRIPTION = """\
Integrate the one-loop renormalization-group equations of Punnoose & Finkel'stein
(PRL 88, 016802 (2002)) for rho = (e^2/pi h) R_sq and the triplet amplitude gamma2,
over xi = -ln(T tau/hbar), with n_v valleys. Prints where rho turns over (the
maximum of R(T)), the runaway of gamma2 if it happens before --xi-max, and the
gamma2 at which d rho/d xi = 0. With --diagram, draws the flow diagram in the
(gamma2, rho) plane and rho against temperature instead."""

#: The Python parameters whose errors name a flag (rho0, gamma0 and nv keep their names).
FLAGS = {"xi_max": "--xi-max"}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``rg`` sub-command to ``subparsers``."""
    p = subparsers.add_parser(
        "rg",
        help="integrate the interacting (Finkel'stein) RG flow, or draw its figures",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--nv", type=float, default=2, help="number of valleys n_v (default 2)")
    p.add_argument("--rho0", type=float, default=None, help="initial rho at T tau = 1")
    p.add_argument("--gamma0", type=float, default=None, help="initial triplet amplitude gamma2")
    p.add_argument(
        "--xi-max",
        type=float,
        default=rg.DEFAULT_XI_MAX,
        help=f"end of the xi = -ln(T tau) range (default {rg.DEFAULT_XI_MAX:g})",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--diagram",
        action="store_true",
        help="draw the flow diagram and rho(T) instead of printing a trajectory",
    )
    p.add_argument(
        "--out", default="figures/rg", help="output directory of --diagram (default figures/rg)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``betascale rg``; return the exit status."""
    nv = rg.check_nv(args.nv)
    with flag_errors(FLAGS):
        xi_max = rg.check_positive("xi_max", args.xi_max)
    if args.diagram:
        return _diagram(args, nv)
    if args.rho0 is None or args.gamma0 is None:
        raise InputError("--rho0 and --gamma0 are required (or use --diagram)")
    traj = rg.integrate_pf(args.rho0, args.gamma0, nv, xi_max)
    print(dumps(traj.to_dict(), indent=2) if args.json else str(traj))
    return 0


def _diagram(args: argparse.Namespace, nv: int) -> int:
    from betascale.plots import figure_set
    from betascale.plots.rg import write_rg_figures

    output_directory(args.out)
    start = None
    if args.rho0 is not None or args.gamma0 is not None:
        if args.rho0 is None or args.gamma0 is None:
            raise InputError("give both --rho0 and --gamma0 to add a trajectory")
        start = (rg.check_gamma0(args.gamma0), rg.check_rho0(args.rho0))
    with figure_set():  # rendered first, written as one set (none on a failure)
        paths = write_rg_figures(nv, args.out, start=start)
    for path in paths:
        print(path)
    return 0

"""``betascale rg``: integrate the one-loop Finkel'stein RG flow, or draw its figures.

Examples
--------
``betascale rg --nv 2 --rho0 0.2 --gamma0 0.3`` prints where ρ peaks;
``betascale rg --nv 2 --rho0 0.2 --gamma0 0.3 --json`` prints one JSON object;
``betascale rg --diagram --nv 2 --out figures/rg`` writes the flow diagram and ρ(T).
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from betascale import rg
from betascale.errors import InputError

DESCRIPTION = """\
Integrate the one-loop renormalization-group equations of Punnoose & Finkel'stein
(PRL 88, 016802 (2002)) for rho = (e^2/pi h) R_sq and the triplet amplitude gamma2,
over xi = -ln(T tau/hbar), with n_v valleys. Prints where rho turns over (the
maximum of R(T)), the runaway of gamma2 if it happens before --xi-max, and the
gamma2 at which d rho/d xi = 0. With --diagram, draws the flow diagram in the
(gamma2, rho) plane and rho against temperature instead."""


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


def summary(traj: rg.PFTrajectory) -> dict[str, Any]:
    """Return the JSON-ready summary of a trajectory."""
    return {
        "nv": traj.nv,
        "rho0": traj.rho0,
        "gamma0": traj.gamma0,
        "xi_max": traj.xi_max,
        "peak": traj.peak.as_dict() if traj.peak is not None else None,
        "rho_decreasing_from_start": traj.rho_decreasing_from_start,
        "runaway": traj.runaway.as_dict() if traj.runaway is not None else None,
        "end": {"xi": traj.xi_end, "rho": float(traj.rho[-1]), "gamma2": float(traj.gamma2[-1])},
        "bracket_zero_gamma2": traj.bracket_zero,
        "rho_at_gamma2_runaway": rg.pf_rho_at_runaway(traj.rho0, traj.gamma0, traj.nv),
    }


def _format_text(s: dict[str, Any]) -> str:
    lines = [
        f"one-loop RG flow (Punnoose & Finkel'stein), n_v = {s['nv']}: "
        f"rho0 = {s['rho0']:g}, gamma2_0 = {s['gamma0']:g}, xi in [0, {s['xi_max']:g}]",
        f"  d rho/d xi = 0 at gamma2* = {s['bracket_zero_gamma2']:.10g}",
    ]
    peak = s["peak"]
    if peak is not None:
        lines.append(
            f"  rho peaks at xi = {peak['xi']:.6g} (T tau = {peak['T_tau']:.4g}): "
            f"rho = {peak['rho']:.6g}, gamma2 = {peak['gamma2']:.6g}"
        )
    elif s["rho_decreasing_from_start"]:
        lines.append("  rho decreases from the start (gamma2_0 > gamma2*): no maximum")
    elif s["rho0"] == 0:
        lines.append("  rho0 = 0 is a fixed point: nothing flows")
    else:
        lines.append("  rho does not reach its maximum before xi_max")
    run = s["runaway"]
    if run is not None:
        what = "gamma2" if run["reason"] == "gamma2" else "rho"
        lines.append(
            f"  {what} runs away (> {run['cap']:g}) at xi = {run['xi']:.6g} "
            f"(T tau = {run['T_tau']:.4g}): rho = {run['rho']:.6g}, gamma2 = {run['gamma2']:.6g}"
        )
    else:
        end = s["end"]
        lines.append(
            f"  no runaway up to xi = {end['xi']:g}: rho = {end['rho']:.6g}, "
            f"gamma2 = {end['gamma2']:.6g}"
        )
    lines.append(f"  rho -> {s['rho_at_gamma2_runaway']:.6g} as gamma2 -> infinity (flow line)")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run ``betascale rg``; return the exit status."""
    nv = rg._check_nv(args.nv)
    xi_max = float(args.xi_max)
    if not math.isfinite(xi_max) or xi_max <= 0:
        raise InputError(f"--xi-max must be a finite number > 0, got {args.xi_max}")

    if args.diagram:
        from betascale.plots.rg import plot_all

        start = None
        if args.rho0 is not None or args.gamma0 is not None:
            if args.rho0 is None or args.gamma0 is None:
                raise InputError("give both --rho0 and --gamma0 to add a trajectory")
            rg._check_rho0(args.rho0)
            rg._check_gamma0(args.gamma0)
            start = (float(args.gamma0), float(args.rho0))
        for path in plot_all(nv, args.out, start=start):
            print(path)
        return 0

    if args.rho0 is None or args.gamma0 is None:
        raise InputError("--rho0 and --gamma0 are required (or use --diagram)")
    traj = rg.integrate_pf(args.rho0, args.gamma0, nv, xi_max)
    s = summary(traj)
    if args.json:
        print(json.dumps(s, indent=2))
    else:
        print(_format_text(s))
    return 0

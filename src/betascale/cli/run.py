"""``betascale run``: compute a study's disorder ensemble, on one or many MPI ranks."""

from __future__ import annotations

import argparse
import json
import shlex
from pathlib import Path

from betascale.errors import InputError


def register(subparsers) -> None:
    """Add the ``run`` sub-command."""
    parser = subparsers.add_parser(
        "run",
        help="compute a study's samples into its store (mpiexec -n N for N ranks)",
        description=(
            "Compute every missing sample of a study into its results store. Run it "
            "again to resume; raise --samples to extend. Under `mpiexec -n N` the samples "
            "are scheduled dynamically over N ranks (every rank computes, rank 0 also "
            "writes). Ctrl-C or SIGTERM finish the samples in progress and leave a "
            "resumable store."
        ),
    )
    parser.add_argument(
        "study", help="study TOML file, or the name of a built-in study (e.g. 'tiny')"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="store file (default data/runs/<name>.sqlite)"
    )
    parser.add_argument(
        "--samples", type=int, default=None, help="samples per (W, L), overriding the study"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    parser.add_argument(
        "--json", action="store_true", help="print a JSON summary of the run on stdout (rank 0)"
    )
    parser.add_argument(
        "--log-interval",
        type=float,
        default=30.0,
        help="seconds between progress lines when not on a terminal (default 30)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run (or resume) the study on every rank of MPI.COMM_WORLD."""
    from mpi4py import MPI

    from betascale.ensemble import run_study, with_samples
    from betascale.study import load_study, resolve_study_path

    comm = MPI.COMM_WORLD
    rank, size = comm.Get_rank(), comm.Get_size()
    study = error = None
    if rank == 0:
        try:
            study = with_samples(load_study(resolve_study_path(args.study)), args.samples)
        except InputError as exc:
            error = str(exc)
    study, error = comm.bcast((study, error), root=0)
    if error is not None:
        if rank == 0:
            raise InputError(error)
        return 2
    out = args.out if args.out is not None else study.default_store_path()
    command = ["betascale", "run", args.study, "--out", str(out)]
    if args.samples is not None:
        command += ["--samples", str(args.samples)]
    hint = shlex.join((["mpiexec", "-n", str(size)] if size > 1 else []) + command)
    try:
        summary = run_study(
            study,
            out,
            quiet=args.quiet,
            comm=comm,
            log_interval=args.log_interval,
            resume_hint=hint,
        )
    except InputError:
        if rank == 0:
            raise
        return 2
    if args.json and rank == 0:
        print(json.dumps(summary.to_dict()))
    if summary.status == "interrupted":
        return 130
    return 0

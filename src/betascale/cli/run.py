"""``betascale run``: compute studies' disorder ensembles, on one or many MPI ranks."""

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
            "Compute every missing sample of one or more studies into their results "
            "stores, one study after the other in the same job. Run it again to resume; "
            "raise --samples to extend. Under `mpiexec -n N` the samples are scheduled "
            "dynamically over N ranks (every rank computes, rank 0 also writes). Ctrl-C "
            "or SIGTERM finish the samples in progress and leave a resumable store."
        ),
    )
    parser.add_argument(
        "studies",
        nargs="+",
        metavar="STUDY",
        help="study TOML file, or the name of a built-in study (e.g. 'tiny')",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--out",
        type=Path,
        default=None,
        help="store file, for a single study (default data/runs/<name>.sqlite)",
    )
    where.add_argument(
        "--out-dir",
        type=Path,
        default=None,
        help="directory of the stores (<name>.sqlite each; default data/runs)",
    )
    parser.add_argument(
        "--samples", type=int, default=None, help="samples per (W, L), overriding the study"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    parser.add_argument(
        "--json",
        action="store_true",
        help="print a JSON summary of each study's run on stdout (rank 0)",
    )
    parser.add_argument(
        "--log-interval",
        type=float,
        default=30.0,
        help="seconds between progress lines when not on a terminal (default 30)",
    )
    parser.set_defaults(func=run)


def _load(args: argparse.Namespace) -> list:
    from betascale.ensemble import with_samples
    from betascale.study import load_study, resolve_study_path

    if args.out is not None and len(args.studies) > 1:
        raise InputError("--out names one store; with several studies use --out-dir")
    studies = [with_samples(load_study(resolve_study_path(s)), args.samples) for s in args.studies]
    names = [study.name for study in studies]
    if len(set(names)) < len(names):
        raise InputError(f"two studies share a name (and so a store): {', '.join(names)}")
    return studies


def run(args: argparse.Namespace) -> int:
    """Run (or resume) the studies on every rank of MPI.COMM_WORLD."""
    from mpi4py import MPI

    from betascale.ensemble import run_study

    comm = MPI.COMM_WORLD
    rank, size = comm.Get_rank(), comm.Get_size()
    studies = error = None
    if rank == 0:
        try:
            studies = _load(args)
        except InputError as exc:
            error = str(exc)
    studies, error = comm.bcast((studies, error), root=0)
    if error is not None:
        if rank == 0:
            raise InputError(error)
        return 2
    for argument, study in zip(args.studies, studies, strict=True):
        if args.out is not None:
            out = args.out
        elif args.out_dir is not None:
            out = study.default_store_path(args.out_dir)
        else:
            out = study.default_store_path()
        command = ["betascale", "run", argument, "--out", str(out)]
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
            print(json.dumps(summary.to_dict()), flush=True)
        if summary.status == "interrupted":
            return 130
    return 0

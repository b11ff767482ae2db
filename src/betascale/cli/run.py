"""``betascale run``: compute studies' disorder ensembles, on one or many MPI ranks."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from betascale.errors import InputError

#: Exit status of a run that ended with samples missing or failed.
EXIT_INCOMPLETE = 1


def register(subparsers) -> None:
    """Add the ``run`` sub-command."""
    parser = subparsers.add_parser(
        "run",
        help="compute a study's samples into its store (mpiexec -n N for N ranks)",
        description=(
            "Compute every missing sample of one or more studies into their results "
            "stores, one study after the other in the same job. Run it again to resume; "
            "raise --samples to extend. Under `mpiexec -n N` the samples are scheduled "
            "dynamically over N ranks (every rank computes, rank 0 also writes). Ctrl-C, "
            "SIGTERM or SIGHUP finish the samples in progress and leave a resumable store; "
            "the chunk of a rank that stops answering (SIGSTOP) goes to another rank. "
            "Exit status: 0 complete, 1 samples failed or missing (run again), "
            "2 bad input, 130 interrupted."
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
        "--samples", type=int, default=None, help="samples per (W, flux, L), overriding the study"
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
    from betascale.study import load_study, resolve_study_path

    if args.out is not None and len(args.studies) > 1:
        raise InputError("--out names one store; with several studies use --out-dir")
    if not args.log_interval > 0:
        raise InputError(f"--log-interval must be > 0, got {args.log_interval}")
    studies = []
    for name in args.studies:
        study = load_study(resolve_study_path(name))
        try:
            studies.append(study.with_samples(args.samples))
        except InputError as exc:
            raise InputError(f"--samples: {exc}") from None
    names = [study.name for study in studies]
    if len(set(names)) < len(names):
        raise InputError(f"two studies share a name (and so a store): {', '.join(names)}")
    return studies


def _store_path(args: argparse.Namespace, study) -> Path:
    if args.out is not None:
        return args.out
    return study.default_store_path(args.out_dir if args.out_dir is not None else "data/runs")


def _resume_hint(args: argparse.Namespace, argument: str, out: Path, size: int) -> str:
    from betascale.cli.status import resume_command

    return resume_command(argument, out, args.samples, size)


def run(args: argparse.Namespace) -> int:
    """Run (or resume) the studies on every rank of the job."""
    from betascale.ensemble import Runner, world
    from betascale.ensemble.comm import MPIUnavailable

    try:
        comm = world()
    except MPIUnavailable as exc:
        if exc.rank:  # only rank 0 says it (every rank of the job would)
            return 2
        raise
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
    status, stopped = 0, False
    for argument, study in zip(args.studies, studies, strict=True):
        out = _store_path(args, study)
        runner = Runner(
            study,
            out,
            quiet=args.quiet,
            comm=comm,
            log_interval=args.log_interval,
            resume_hint=_resume_hint(args, argument, out, size),
            idle=stopped,
        )
        try:
            summary = runner.run()
        except InputError:
            if rank == 0:
                raise
            return 2
        except BaseException:
            if size > 1:  # never leave the other ranks waiting in a collective call
                from betascale.ensemble.mpi import abort_job

                abort_job(comm, f"rank {rank} failed before or after serving", 1)
            raise
        # Every rank follows rank 0's verdict, so that no rank starts the next study
        # (and its collective calls) alone. A worker that was stopped on its own stays
        # idle in the studies that follow.
        stopped = stopped or (rank != 0 and summary.status == "interrupted")
        verdict = comm.bcast(summary.status if rank == 0 else None, root=0)
        if args.json and rank == 0:
            print(json.dumps(summary.to_dict()), flush=True)
        if verdict == "interrupted":
            return 130 if rank == 0 else 0
        if verdict != "complete" and rank == 0:
            status = EXIT_INCOMPLETE
    return status

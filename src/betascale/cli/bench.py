"""``betascale bench``: measure the solvers (and the MPI throughput) in one run."""

from __future__ import annotations

import argparse
import json
import os


def register(subparsers) -> None:
    """Add the ``bench`` sub-command."""
    parser = subparsers.add_parser(
        "bench",
        help="time the fast solver against Kwant (one process, one BLAS thread)",
        description=(
            "Time the per-sample transmission of the fast solver and of the Kwant reference "
            "(built once, disorder through params) on the same samples of the orthogonal "
            "class (E=1, W=2, periodic), in one process with one BLAS thread, and print the "
            "seconds, the kwant/fast ratio and the peak memory."
        ),
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[64, 128, 256], help="sizes L (L x L samples)"
    )
    parser.add_argument(
        "--large", action="store_true", help="add L = 512 and 1024 (fast solver only)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="fast samples per size")
    parser.add_argument("--kwant-repeats", type=int, default=1, help="Kwant samples per size")
    parser.add_argument(
        "--kwant-max", type=int, default=256, help="largest L also run with Kwant (default 256)"
    )
    parser.add_argument(
        "--mpi",
        action="store_true",
        help="instead: measure samples/s of one study with 1 and 2 MPI ranks (efficiency)",
    )
    parser.add_argument(
        "--ranks", type=int, nargs="+", default=[1, 2], help="rank counts for --mpi"
    )
    parser.add_argument(
        "--study", default="bench-mpi", help="study for --mpi (file or built-in name)"
    )
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the solver benchmark (or the MPI one) and print its table."""
    if args.mpi:
        return run_mpi(args)
    from betascale.benchmark import BENCH_SPEC, BENCH_W, bench_solvers
    from betascale.errors import InputError

    sizes = sorted(set(args.sizes) | ({512, 1024} if args.large else set()))
    if min(sizes) < 2 or args.repeats < 1 or args.kwant_repeats < 1:
        raise InputError("sizes must be >= 2 and repeats >= 1")
    kwant_sizes = [L for L in args.sizes if L <= args.kwant_max]
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "?")
    if not args.json:
        print(
            f"# {BENCH_SPEC.describe()}, W={BENCH_W:g}; one process, BLAS threads={threads}; "
            "median seconds per sample (set-up excluded)"
        )
        print(
            f"{'L':>6} {'setup s':>9} {'fast s':>9} {'kwant s':>9} {'kwant/fast':>11} "
            f"{'max |dT|/T':>11} {'peak RSS MB':>12}"
        )

    def show(row) -> None:
        if args.json:
            return
        kw = f"{row.kwant:9.3f}" if row.kwant is not None else f"{'-':>9}"
        ratio = f"{row.ratio:11.1f}" if row.ratio is not None else f"{'-':>11}"
        diff = f"{row.max_rel_diff:11.1e}" if row.max_rel_diff is not None else f"{'-':>11}"
        print(
            f"{row.L:>6d} {row.setup_fast:9.3f} {row.fast:9.3f} {kw} {ratio} {diff} "
            f"{row.peak_rss_mb:12.0f}",
            flush=True,
        )

    rows = bench_solvers(
        sizes, kwant_sizes, repeats=args.repeats, kwant_repeats=args.kwant_repeats, report=show
    )
    if args.json:
        print(json.dumps([row.to_dict() for row in rows]))
    return 0


def run_mpi(args: argparse.Namespace) -> int:
    """Measure the throughput of a study with several rank counts in one run."""
    from betascale.benchmark import bench_mpi
    from betascale.errors import InputError
    from betascale.study import load_study, resolve_study_path

    if min(args.ranks) < 1:
        raise InputError("--ranks must be >= 1")
    study_path = resolve_study_path(args.study)
    study = load_study(study_path)
    if not args.json:
        print(f"# {study.describe()}")
        print(f"# {os.cpu_count()} cores; one BLAS thread per rank; fresh store per run")
        print(f"{'ranks':>6} {'samples':>8} {'seconds':>9} {'samples/s':>10} {'efficiency':>11}")

    def show(row) -> None:
        if not args.json:
            print(
                f"{row.ranks:>6d} {row.samples:>8d} {row.seconds:9.2f} "
                f"{row.samples_per_second:10.1f} {row.efficiency:11.1%}",
                flush=True,
            )

    rows = bench_mpi(str(study_path), ranks=args.ranks, report=show)
    if args.json:
        print(json.dumps([row.to_dict() for row in rows]))
    return 0

"""``betascale bench``: measure the solvers (and the MPI throughput) in one run."""

from __future__ import annotations

import argparse
import json
import math
import os


def register(subparsers) -> None:
    """Add the ``bench`` sub-command."""
    parser = subparsers.add_parser(
        "bench",
        help="time the fast solver against Kwant (one process, one BLAS thread)",
        description=(
            "Time, for each symmetry class (orthogonal, unitary, symplectic SU(2); E=1, W=2), "
            "the set-up and the per-sample transmission of the fast solver and of the Kwant "
            "reference (built once, disorder through params) on the same samples, in one "
            "process with one BLAS thread, and print the seconds, the kwant/fast ratio, the "
            "agreement and the peak memory. --large adds the fast solver alone at large L "
            "(orthogonal), each size in a fresh process, with fitted exponents and a breakdown."
        ),
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[64, 128, 256], help="sizes L (L x L samples)"
    )
    parser.add_argument(
        "--classes",
        nargs="+",
        choices=("orthogonal", "unitary", "symplectic", "kwant-square"),
        default=["orthogonal", "unitary", "symplectic"],
        help="symmetry classes to time (default: all three); kwant-square is the square "
        "lattice as a user's Kwant builder (the generic path of bs.KwantFamily)",
    )
    parser.add_argument(
        "--large",
        action="store_true",
        help="add L = 512, 1024, 2048, 4096 (fast solver, orthogonal, a fresh process each)",
    )
    parser.add_argument(
        "--large-max", type=int, default=4096, help="largest L of --large (default 4096)"
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
    parser.add_argument(
        "--serve",
        action="store_true",
        help="instead: measure rank 0's serving capacity (samples and chunks per CPU second) "
        "with --server-ranks ranks on tiny samples, and the ranks it can serve",
    )
    parser.add_argument(
        "--server-ranks", type=int, default=17, help="MPI ranks of --serve (default 17)"
    )
    parser.add_argument(
        "--replay",
        action="store_true",
        help="with --serve: replay rank 0's serving in this process, at saturation and on a "
        "core of its own (no MPI transfer, no other process on the core)",
    )
    parser.add_argument(
        "--api",
        action="store_true",
        help="instead: time bs.conductance, bs.run and `betascale run` on the same samples "
        "(per-sample seconds and their ratio to the command line's)",
    )
    parser.add_argument(
        "--api-L", type=int, default=66, help="size L (L x L, hardwall, W=4) of --api (default 66)"
    )
    parser.add_argument("--api-samples", type=int, default=20, help="samples of --api (default 20)")
    parser.add_argument(
        "--backends",
        action="store_true",
        help="instead: time the fast solver's back ends (MUMPS, SciPy's SuperLU) on the same "
        "samples at --sizes (orthogonal) and give their largest relative difference in T",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the rows as JSON (a list; with --large an object of the three tables)",
    )
    parser.set_defaults(func=run)


def _cell(value, fmt: str, width: int) -> str:
    return f"{value:{width}{fmt}}" if value is not None else f"{'-':>{width}}"


def _show_class_row(row) -> None:
    print(
        f"{row.model:>11} {row.L:>6d} {row.setup_fast:9.3f} {row.fast:9.3f} {row.fast_cpu:9.3f} "
        f"{_cell(row.kwant, '.3f', 9)} {_cell(row.ratio, '.1f', 11)} "
        f"{_cell(row.max_rel_diff, '.1e', 11)} {row.peak_rss_mb:12.0f}",
        flush=True,
    )


def _show_large_row(row) -> None:
    print(
        f"{row.L:>6d} {row.setup:9.2f} {row.setup_cpu:9.2f} {row.fast:9.2f} {row.fast_cpu:9.2f} "
        f"{row.peak_rss_mb:12.0f} {row.estimated_mb:10.0f} {row.mumps_estimated_mb:10.0f}",
        flush=True,
    )


def _show_breakdown(rows) -> None:
    rows = [row for row in rows if row.breakdown]
    if not rows:
        return
    print(
        "\n# breakdown of one sample (wall s); floor: MUMPS's plain factorization of the same "
        "matrix, its best ordering, factors discarded"
    )
    print(
        f"{'L':>6} {'assemble':>9} {'factor+S':>9} {'interface':>10} {'rest':>7} {'total':>8} "
        f"{'floor':>8} {'order':>7} {'total/floor':>12}"
    )
    for row in rows:
        b = row.breakdown
        rest = b["total"] - b["assemble"] - b.get("factor", 0.0) - b.get("interface", 0.0)
        ratio = b["total"] / row.floor if row.floor else float("nan")
        print(
            f"{row.L:>6d} {b['assemble']:9.2f} {b.get('factor', 0.0):9.2f} "
            f"{b.get('interface', 0.0):10.2f} {rest:7.2f} {b['total']:8.2f} "
            f"{row.floor or float('nan'):8.2f} {row.floor_ordering:>7} {ratio:12.2f}"
        )
    _show_rates(rows)


def _show_rates(rows) -> None:
    print(
        "\n# operations MUMPS reports (RINFOG(3)) and the achieved rate, against this "
        "machine's dense matrix product (one thread, same run)"
    )
    print(
        f"{'L':>6} {'floor ops':>10} {'sample ops':>11} {'floor GF/s':>11} "
        f"{'sample GF/s':>12} {'gemm GF/s':>10}"
    )
    for row in rows:
        factor = row.breakdown.get("factor", 0.0)
        floor_rate = row.floor_flops / row.floor if row.floor and row.floor_flops else math.nan
        sample_rate = row.sample_flops / factor if factor and row.sample_flops else math.nan
        print(
            f"{row.L:>6d} {row.floor_flops or math.nan:10.3g} {row.sample_flops or math.nan:11.3g} "
            f"{floor_rate / 1e9:11.2f} {sample_rate / 1e9:12.2f} "
            f"{(row.gemm_rate or math.nan) / 1e9:10.2f}"
        )


def run(args: argparse.Namespace) -> int:
    """Run the solver benchmark (or the MPI one) and print its tables."""
    if args.mpi:
        return run_mpi(args)
    from betascale.errors import InputError

    if args.api:
        if args.api_L < 2 or args.api_samples < 1:
            raise InputError("--api-L must be >= 2 and --api-samples >= 1")
        return run_api(args)
    if args.backends:
        return run_backends(args)
    if args.serve:
        if args.server_ranks < 2:
            raise InputError(f"--server-ranks must be >= 2, got {args.server_ranks}")
        return run_server(args)
    if min(args.sizes) < 2 or args.repeats < 1 or args.kwant_repeats < 1:
        raise InputError("sizes must be >= 2 and repeats >= 1")
    class_rows = _run_classes(args)
    large_rows, exponents = _run_large(args) if args.large else ([], None)
    if args.json:
        rows = [row.to_dict() for row in class_rows]
        out: list[dict] | dict[str, object] = rows
        if args.large:  # a new shape only with the new option
            large = [row.to_dict() for row in large_rows]
            out = {"classes": rows, "large": large, "exponents": exponents}
        print(json.dumps(out))
    return 0


def run_backends(args: argparse.Namespace) -> int:
    """``bench --backends``: each back end's seconds per sample and their agreement."""
    from dataclasses import asdict

    from betascale.benchmark import BENCH_SPEC, BENCH_W
    from betascale.errors import InputError
    from betascale.solvers.compare import available_backends, compare_backends
    from betascale.threads import one_blas_thread

    if min(args.sizes) < 2 or args.repeats < 1:
        raise InputError("sizes must be >= 2 and repeats >= 1")
    names = available_backends()
    if not args.json:
        print(f"# {BENCH_SPEC.describe()}, W={BENCH_W:g}; one thread; median s per sample")
        print(
            f"{'L':>6} " + " ".join(f"{n:>9}" for n in names) + f" {'ratio':>7} {'max|dT|/T':>10}"
        )

    def show(row) -> None:
        if args.json:
            return
        times = [row.seconds[n] for n in names]
        ratio = times[-1] / times[0] if len(times) > 1 else math.nan
        diff = math.nan if row.max_rel_diff is None else row.max_rel_diff
        cells = " ".join(f"{t:9.4f}" for t in times)
        print(f"{row.L:>6d} {cells} {ratio:7.2f} {diff:10.1e}", flush=True)

    with one_blas_thread():
        rows = compare_backends(
            BENCH_SPEC, args.sizes, samples=args.repeats, W=BENCH_W, backends=names, report=show
        )
    if args.json:
        print(json.dumps([asdict(row) for row in rows]))
    return 0


def _run_classes(args: argparse.Namespace) -> list:
    from betascale.benchmark import BENCH_CLASSES, BENCH_W, bench_classes

    if not args.json:
        threads = os.environ.get("OPENBLAS_NUM_THREADS", "?")
        print(f"# W={BENCH_W:g}; one process, BLAS threads={threads}; median s per sample")
        for name in args.classes:
            print(f"#   {name}: {BENCH_CLASSES[name].describe()}")
        print(
            f"{'class':>11} {'L':>6} {'setup s':>9} {'fast s':>9} {'fast cpu':>9} "
            f"{'kwant s':>9} {'kwant/fast':>11} {'max|dT|/T':>11} {'peak RSS MB':>12}"
        )
    return bench_classes(
        sorted(set(args.sizes)),
        kwant_max=args.kwant_max,
        repeats=args.repeats,
        kwant_repeats=args.kwant_repeats,
        classes=args.classes,
        report=None if args.json else _show_class_row,
    )


def _run_large(args: argparse.Namespace) -> tuple[list, dict | None]:
    from betascale.benchmark import BENCH_SPEC, LARGE_SIZES, bench_large, large_exponents

    sizes = [L for L in LARGE_SIZES if L <= args.large_max]
    if not args.json:
        print(f"\n# large samples: {BENCH_SPEC.describe()}, fast solver, a fresh process each")
        print(
            f"{'L':>6} {'setup s':>9} {'setup cpu':>9} {'sample s':>9} {'cpu s':>9} "
            f"{'peak RSS MB':>12} {'est. MB':>10} {'MUMPS MB':>10}"
        )

    def skip(L: int, reason: str) -> None:
        if not args.json:
            print(f"{L:>6d}  skipped: {reason}", flush=True)

    rows = bench_large(sizes, report=None if args.json else _show_large_row, skip=skip)
    exponents = large_exponents(rows) if len(rows) >= 2 else None
    if not args.json:
        if exponents:
            print(
                f"# fitted over L = {', '.join(str(r.L) for r in rows)}: time ~ "
                f"L^{exponents['time']:.2f} (cpu L^{exponents['cpu']:.2f}), peak memory above "
                f"the imports ~ L^{exponents['memory']:.2f}; floor: L^3 (nested dissection)"
            )
        _show_breakdown(rows)
    return rows, exponents


def run_server(args: argparse.Namespace) -> int:
    """Measure rank 0's serving capacity and the ranks it can serve."""
    from betascale.benchmark import bench_server, bench_server_replay

    measure = bench_server_replay if args.replay else bench_server
    row = measure(ranks=args.server_ranks)
    if args.json:
        print(json.dumps({**row.to_dict(), "replay": args.replay}))
        return 0
    how = "replayed in one process, " if args.replay else ""
    print(
        f"# rank 0 serving {row.ranks - 1} worker ranks on {row.samples} orthogonal samples of "
        f"L = {row.L} ({how}{row.samples / row.chunks:.0f} samples per chunk): "
        f"{row.server_cpu_seconds:.3f} s of server CPU for {row.chunks} chunks, "
        f"{row.work_seconds:.3f} s of it working ({row.idle_seconds:.3f} s waking up idle)"
    )
    print(f"capacity: {row.capacity:.0f} samples per second of rank 0's work")
    print(f"per chunk: {1e3 * row.chunk_cpu_seconds:.2f} ms of rank 0's work, whatever its length")
    print(f"{'chunk of':>10} {'ranks that keep rank 0 fully busy':>34}")
    for seconds, served in row.ranks_served.items():
        print(f"{seconds:9.2f}s {served:34.0f}")
    floors = ", ".join(f"{n} ranks: {s:.2f} s" for n, s in row.chunk_floor.items())
    print(f"chunks are made long enough to keep rank 0 at most half busy ({floors})")
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


def run_api(args: argparse.Namespace) -> int:
    """Time the Python API against the command line on the same samples."""
    from betascale.benchmark import API_SPEC, API_W, bench_api

    def show(row) -> None:
        if row.path == "bs.conductance":  # the first row: the input was accepted
            print(
                f"# {API_SPEC.describe()}, W={API_W:g}, L={args.api_L}, {args.api_samples} "
                "samples (the same ones on every path); median s per sample; ratio to "
                "`betascale run`"
            )
            header = f"{'s/sample':>10} {'wall s/sample':>14} {'ratio':>7}"
            print(f"{'path':>15} {'samples':>8} {header}")
        same = "" if row.identical else "  (T differs from the command line's!)"
        print(
            f"{row.path:>15} {row.samples:>8d} {row.per_sample:10.4f} "
            f"{row.wall_per_sample:14.4f} {row.ratio:7.2f}{same}",
            flush=True,
        )

    rows = bench_api(L=args.api_L, samples=args.api_samples, report=None if args.json else show)
    if args.json:
        print(json.dumps([row.to_dict() for row in rows]))
    return 0

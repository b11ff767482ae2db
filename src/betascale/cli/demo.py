"""``betascale demo``: the built-in demo of the scaling theory, end to end.

1. run the demo's studies (``studies/demo-*.toml``) in one MPI job over all cores
   (resumable: an interrupted demo continues where it stopped);
2. analyse each store;
3. write the figures: per class beta(g) and friends, the three beta(g) on one
   comparison figure, the weak-localization slope against L/l, Delta g(L) and
   Delta g(phi) with the Hikami-Larkin-Nagaoka curve;
4. print where the figures are, the fit of beta(g) per class (for the unitary class
   the two-loop coefficient c2 of <g>(L) instead, and whether it is resolved), and per
   class with interference corrections the weak-localization coefficient, the
   magnetoconductance slope and the HLN prefactor against their analytic values.

``--shipped`` skips step 1 and analyses the stores shipped in ``data/``: the panorama
in ``data/demo`` and the larger reference series in ``data/reference``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from betascale.errors import InputError


def register(subparsers) -> None:
    """Add the ``demo`` sub-command."""
    from betascale.demo import PANORAMA_GMIN, PANORAMA_LMIN

    parser = subparsers.add_parser(
        "demo",
        help="run the demo (three classes, weak localization converged), analyse and plot it",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--ranks", type=int, default=os.cpu_count() or 1, help="MPI ranks (default: all cores)"
    )
    parser.add_argument(
        "--shipped", action="store_true", help="analyse the stores shipped in data/, run nothing"
    )
    parser.add_argument(
        "--runs", type=Path, default=Path("data/runs"), help="where the demo stores go"
    )
    parser.add_argument("--out", type=Path, default=Path("figures/demo"), help="figure directory")
    parser.add_argument(
        "--gmin", type=float, default=PANORAMA_GMIN, help="fit beta only at G >= gmin"
    )
    parser.add_argument(
        "--lmin", type=int, default=PANORAMA_LMIN, help="beta fit: leave out L < lmin"
    )
    parser.add_argument("--boot", type=int, default=1000, help="bootstrap replicates")
    parser.set_defaults(func=run)


def _source_root() -> Path:
    """The checkout betascale runs from (it holds data/), else the working directory."""
    root = Path(__file__).resolve().parents[3]
    return root if (root / "pyproject.toml").is_file() else Path.cwd()


def run_studies_with_mpi(names: list[str], out_dir: Path, ranks: int) -> None:
    """One ``mpiexec -n ranks betascale run NAME… --out-dir out_dir`` (progress on stderr)."""
    from betascale.benchmark import mpiexec_path

    cmd = [sys.executable, "-m", "betascale", "run", *names, "--out-dir", str(out_dir)]
    cmd += ["--log-interval", "20"]
    if ranks > 1:
        cmd = [mpiexec_path(), "-n", str(ranks), *cmd]
    status = subprocess.run(cmd, check=False).returncode
    if status != 0:
        raise InputError(f"`{' '.join(cmd)}` stopped with status {status}; run the demo again")


def run(args: argparse.Namespace) -> int:
    """Run, analyse and plot the demo; print the figures and the tables."""
    from betascale.analysis.pipeline import check_options
    from betascale.cli.options import flag_errors, output_directory
    from betascale.demo import DemoStores, analyze_demo, demo_study_names

    if args.ranks < 1:
        raise InputError(f"--ranks must be >= 1, got {args.ranks}")
    with flag_errors():  # before any store is looked for or any sample computed
        check_options(n_boot=args.boot, gmin=args.gmin, lmin=args.lmin)
    start = time.monotonic()
    output_directory(args.out)
    if args.shipped:
        stores = DemoStores.shipped(_source_root() / "data")
    else:
        names = demo_study_names()
        print(f"== mpiexec -n {args.ranks} betascale run {' '.join(names)}", flush=True)
        run_studies_with_mpi(names, args.runs, args.ranks)
        stores = DemoStores.of_run(args.runs)
    with flag_errors():
        demo = analyze_demo(stores, n_boot=args.boot, gmin=args.gmin, lmin=args.lmin)
    figures = demo.write_figures(args.out)
    print(f"\nfigures ({len(figures)} files) in {args.out}/:")
    for path in figures:
        if path.suffix == ".png":
            print(f"  {path}")
    print(f"\nbeta(g): fit of <g> (contact-corrected) at <g> >= {args.gmin:g}, L >= {args.lmin}")
    print(demo.beta_table())
    for note in demo.beta_notes():
        print(f"  {note}")
    print(
        "\nweak localization, converged (68 % bootstrap errors; analytic: one loop, with the"
        " unitary two-loop term where the field breaks time reversal)"
    )
    print(demo.convergence_table())
    print(f"\ndemo finished in {time.monotonic() - start:.0f} s")
    return 0

"""``betascale demo``: the built-in demo study of the three classes, end to end.

1. run the three demo studies (``studies/demo-*.toml``) in one MPI job over all
   cores (resumable: an interrupted demo continues where it stopped);
2. analyse each store;
3. plot each store, and the three β(g) on one comparison figure;
4. print where the figures are and a table of the fitted leading coefficient
   against the analytic value per class.

``--shipped`` skips step 1 and analyses the stores shipped in ``data/demo``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from betascale.errors import InputError

CLASSES = ("orthogonal", "unitary", "symplectic")

#: Analysis settings of the demo. Sizes below L = 24 are left out: at W = 3 the
#: mean free path is about 2-3 sites, so L = 16 is not yet deep in the diffusive
#: regime. The fit uses the beta points with <g> >= 1.4 e^2/h, where the one-loop
#: form plus one correction is expected to hold; it keeps at least two disorder
#: strengths per class in the fit.
DEMO_GMIN = 1.4
DEMO_LMIN = 24


def _source_root() -> Path | None:
    """The checkout betascale runs from (it holds data/demo), if any."""
    root = Path(__file__).resolve().parents[3]
    return root if (root / "pyproject.toml").is_file() else None


def shipped_store(model: str) -> Path:
    """The store of the demo study of ``model`` shipped in ``data/demo``."""
    candidates = [Path("data/demo")]
    root = _source_root()
    if root is not None:
        candidates.append(root / "data" / "demo")
    for folder in candidates:
        path = folder / f"demo-{model}.sqlite"
        if path.is_file():
            return path
    raise InputError(f"shipped store demo-{model}.sqlite not found in data/demo")


def register(subparsers) -> None:
    """Add the ``demo`` sub-command."""
    parser = subparsers.add_parser(
        "demo",
        help="run the demo study of the three classes, analyse and plot it",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--ranks", type=int, default=os.cpu_count() or 1, help="MPI ranks (default: all cores)"
    )
    parser.add_argument(
        "--shipped", action="store_true", help="analyse the stores in data/demo, run nothing"
    )
    parser.add_argument(
        "--runs", type=Path, default=Path("data/runs"), help="where the demo stores go"
    )
    parser.add_argument("--out", type=Path, default=Path("figures/demo"), help="figure directory")
    parser.add_argument("--gmin", type=float, default=DEMO_GMIN, help="fit only G >= gmin")
    parser.add_argument("--lmin", type=int, default=DEMO_LMIN, help="leave out L < lmin")
    parser.add_argument("--boot", type=int, default=1000, help="bootstrap replicates")
    parser.set_defaults(func=run)


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
    """Run, analyse and plot the demo; print the figures and the fit table."""
    from betascale.analysis import analyze_store
    from betascale.plots.scaling import write_compare, write_figures

    if args.ranks < 1:
        raise InputError(f"--ranks must be >= 1, got {args.ranks}")
    start = time.monotonic()
    if args.shipped:
        stores = {model: shipped_store(model) for model in CLASSES}
    else:
        names = [f"demo-{model}" for model in CLASSES]
        stores = {model: args.runs / f"demo-{model}.sqlite" for model in CLASSES}
        print(f"== mpiexec -n {args.ranks} betascale run {' '.join(names)}", flush=True)
        run_studies_with_mpi(names, args.runs, args.ranks)

    settings = {"gmin": args.gmin, "lmin": args.lmin, "n_boot": args.boot}
    analyses = {model: analyze_store(stores[model], **settings) for model in CLASSES}
    figures = []
    for model, an in analyses.items():
        figures += write_figures(an, args.out / model)
    figures += write_compare(list(analyses.values()), args.out, name="compare_beta")

    print()
    print(f"figures ({len(figures)} files) in {args.out}/:")
    for path in figures:
        if path.suffix == ".png":
            print(f"  {path}")
    print()
    print(
        f"fit of beta(<g>) (contact-corrected) at <g> >= {args.gmin:g}, L >= {args.lmin}; "
        "68 % bootstrap errors"
    )
    print(format_fit_table(analyses))
    print(f"\ndemo finished in {time.monotonic() - start:.0f} s; stores: "
          + ", ".join(str(p) for p in stores.values()))  # fmt: skip
    return 0


def format_fit_table(analyses: dict) -> str:
    """The table of fitted leading coefficients against the analytic values."""
    rows = [
        f"{'class':<11} {'form':<16} {'fitted a':>16} {'analytic':>9} {'dev.':>7} "
        f"{'points':>6} {'chi2/dof':>9} {'<beta> (fitted)':>16}"
    ]
    for model, an in analyses.items():
        fit = an.fit
        p, q = fit.powers
        form = f"a/g^{p} + b/g^{q}".replace("^1 ", " ")
        dev = (fit.a - fit.a_theory) / fit.sigma_a if fit.sigma_a > 0 else float("nan")
        betas = [pt.beta for pt in an.betas.points if pt.G >= fit.gmin]
        mean_beta = sum(betas) / len(betas)
        rows.append(
            f"{model:<11} {form:<16} {fit.a:>+9.3f} ± {fit.sigma_a:<5.3f} {fit.a_theory:>+9.4f} "
            f"{dev:>+6.1f}σ {fit.n_points:>6d} {fit.chi2 / max(fit.dof, 1):>9.2f} "
            f"{mean_beta:>+16.3f}"
        )
    return "\n".join(rows)

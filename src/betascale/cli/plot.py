"""``betascale plot STORE``: the figures of the analysis of one store."""

from __future__ import annotations

import argparse
from pathlib import Path

from betascale.analysis import FSS_STATS, analyze_store, fss_analyze_store
from betascale.analysis.fss import DEFAULT_ORDERS
from betascale.cli.analyze import add_analysis_options, analysis_kwargs
from betascale.cli.options import flag_errors, output_directory
from betascale.errors import InputError

DESCRIPTION = """\
Write the figures of a results store as PNG and PDF: g_of_L (G against ln L per W,
with the weak-localization slope), beta (beta against G with bootstrap error bars,
the analytic curves of the class and the fit), scaling_collapse (the points of all
W about one smooth curve, with the pulls), distribution (the distribution of ln T or
T at chosen (W, L)); for a study with several sizes also the weak-localization slope
against L/l, and for a flux scan the magnetoconductance Delta g(L) and Delta g(phi)
with the Hikami-Larkin-Nagaoka curve. With --fss, the figures of the finite-size
scaling of a transition instead: the data with the fitted curves, the collapse, the
critical distribution P(g) and beta(g) across the transition (beside the beta(g) of
--others stores). Prints the paths written.
"""


def parse_at(text: str) -> tuple[float, int]:
    """Parse ``W:L`` (e.g. ``2:64``) into ``(W, L)``."""
    try:
        w, x = text.replace(",", ":").split(":")
        return float(w), int(x)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected W:L, e.g. 2:64, got {text!r}") from None


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``plot`` sub-command."""
    from betascale.cli.fss import parse_orders

    parser = subparsers.add_parser(
        "plot", help="write the figures of the analysis of a store", description=DESCRIPTION
    )
    parser.add_argument("store", type=Path, metavar="STORE", help="the results store (.sqlite)")
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="output directory (default: figures/<store name without suffix>)",
    )
    add_analysis_options(parser)
    parser.add_argument(
        "--at",
        type=parse_at,
        action="append",
        metavar="W:L",
        help="(W, L) of the distribution figure; repeat for several "
        "(default: the largest L at up to four W)",
    )
    parser.add_argument(
        "--quantity",
        choices=("lnT", "T"),
        default="lnT",
        help="variable of the distribution figure (default lnT)",
    )
    fss = parser.add_argument_group("finite-size scaling")
    fss.add_argument("--fss", action="store_true", help="the figures of the FSS analysis")
    fss.add_argument(
        "--orders",
        type=parse_orders,
        default=DEFAULT_ORDERS,
        metavar="NR,MR,NI,MI",
        help=f"expansion orders of the FSS fit (default {','.join(map(str, DEFAULT_ORDERS))})",
    )
    fss.add_argument(
        "--others",
        type=Path,
        nargs="*",
        default=[],
        metavar="STORE",
        help="stores whose beta(g) is drawn beside the transition's (e.g. the other classes)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Analyse ``args.store``, write the figures and print their paths; return 0.

    The figures are rendered first and written as one set (:func:`figure_set`): a
    failure leaves none of them behind, and a write error names the file.
    """
    from betascale.plots import figure_set

    out = args.out if args.out is not None else Path("figures") / args.store.stem
    output_directory(out)
    with figure_set():
        paths = _fss_figures(args, out) if args.fss else _scaling_figures(args, out)
    for path in paths:
        print(path)
    return 0


def _scaling_figures(args: argparse.Namespace, out: Path) -> list[Path]:
    from betascale.plots.scaling import write_figures
    from betascale.plots.weak_localization import write_weak_localization_figures

    with flag_errors():
        an = analyze_store(args.store, **analysis_kwargs(args))
    for w, x in args.at or ():
        if w not in an.W or x not in an.L:
            raise InputError(
                f"--at {w:g}:{x}: no such (W, L) in the store "
                f"(W: {', '.join(f'{v:g}' for v in an.W)}; L: {', '.join(map(str, an.L))})"
            )
    paths = write_figures(an, out, at=args.at, quantity=args.quantity)
    return paths + write_weak_localization_figures(an, out)


def _fss_figures(args: argparse.Namespace, out: Path) -> list[Path]:
    from betascale.plots.fss import write_fss_figures

    stat = args.stat if args.stat in FSS_STATS else "mean_g"
    with flag_errors():
        an = fss_analyze_store(
            args.store, stat=stat, lmin=args.lmin, orders=args.orders, n_boot=args.boot,
            seed=args.seed, ci=args.ci,
        )  # fmt: skip
        others = [
            analyze_store(p, stat=args.stat, n_boot=args.boot, fit=False) for p in args.others
        ]
    return write_fss_figures(an, out, others)

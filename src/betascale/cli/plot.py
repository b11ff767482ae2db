"""``betascale plot STORE``: the figures of the scaling analysis of one store."""

from __future__ import annotations

import argparse
from pathlib import Path

from betascale.analysis import analyze_store
from betascale.cli.analyze import add_analysis_options, analysis_kwargs
from betascale.errors import InputError

DESCRIPTION = """\
Write the figures of a results store as PNG and PDF: g_of_L (G against ln L per W,
with the weak-localization slope), beta (beta against G with bootstrap error bars,
the analytic curves of the class and the fit), scaling_collapse (the points of all
W about one smooth curve, with the pulls) and distribution (the distribution of
ln T or T at chosen (W, L)). Prints the paths written.
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
    parser = subparsers.add_parser(
        "plot", help="write the figures of the scaling analysis", description=DESCRIPTION
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
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Analyse ``args.store``, write the figures and print their paths; return 0."""
    from betascale.plots.scaling import write_figures

    an = analyze_store(args.store, **analysis_kwargs(args))
    if args.at:
        for w, x in args.at:
            if w not in an.W or x not in an.L:
                raise InputError(
                    f"--at {w:g}:{x}: no such (W, L) in the store "
                    f"(W: {', '.join(f'{v:g}' for v in an.W)}; L: {', '.join(map(str, an.L))})"
                )
    out = args.out if args.out is not None else Path("figures") / args.store.stem
    for path in write_figures(an, out, at=args.at, quantity=args.quantity):
        print(path)
    return 0

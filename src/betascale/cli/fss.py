"""``betascale fss STORE``: finite-size scaling of a transition (Slevin–Ohtsuki fit)."""

from __future__ import annotations

import argparse
from pathlib import Path

from betascale.analysis import statistics
from betascale.analysis.fss import DEFAULT_ORDERS
from betascale.analysis.fss_crossings import DEFAULT_FSS_BOOT
from betascale.analysis.fss_data import DEFAULT_FSS_STAT, FSS_STATS
from betascale.analysis.fss_pipeline import fss_analyze_store
from betascale.cli.options import add_bootstrap_options, flag_errors

DESCRIPTION = """\
Finite-size scaling of a metal-insulator transition (Slevin & Ohtsuki, PRL 82, 382
(1999); New J. Phys. 16, 015012 (2014)): fit the ensemble statistic G(W, L) to
F(u1(w) L^(1/nu), u0(w) L^(-y)), w = (W - W_c)/W_c, with polynomial expansions of
orders nr, mr (relevant) and ni, mi (irrelevant; ni = 0: none), by weighted least
squares. Prints W_c, nu, y and G_c = F(0, 0) with bootstrap errors over the disorder
samples (and the fit's covariance errors), chi2/dof and its p-value; the crossings of
the G(W) curves of successive sizes; the conductance distribution at the W nearest
W_c for each L (moments, Kolmogorov-Smirnov and Anderson-Darling tests across L);
and beta(g) from the fitted scaling function. Conductances are in e^2/h.
"""


def parse_orders(text: str) -> tuple[int, int, int, int]:
    """Parse ``nr,mr,ni,mi`` (e.g. ``3,1,0,0``) into four integers."""
    try:
        orders = tuple(int(v) for v in text.split(","))
    except ValueError:
        orders = ()
    if len(orders) != 4:
        raise argparse.ArgumentTypeError(f"expected nr,mr,ni,mi, e.g. 3,1,0,0, got {text!r}")
    return orders


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``fss`` sub-command."""
    parser = subparsers.add_parser(
        "fss",
        help="finite-size scaling: W_c, nu, critical conductance, crossings",
        description=DESCRIPTION,
    )
    parser.add_argument("store", type=Path, metavar="STORE", help="the results store (.sqlite)")
    parser.add_argument(
        "--stat",
        choices=tuple(FSS_STATS),
        default=DEFAULT_FSS_STAT,
        help=f"the statistic G: {statistics.help_text('fss')} (default {DEFAULT_FSS_STAT})",
    )
    parser.add_argument(
        "--W-range",
        dest="W_range",
        type=float,
        nargs=2,
        metavar=("A", "B"),
        help="fit only A <= W <= B (default: every W)",
    )
    parser.add_argument(
        "--lmin", type=int, default=0, metavar="L", help="leave out sizes below L (default: none)"
    )
    parser.add_argument(
        "--orders",
        type=parse_orders,
        default=DEFAULT_ORDERS,
        metavar="nr,mr,ni,mi",
        help="expansion orders of F in the relevant variable, of u1, of F in the irrelevant "
        f"variable and of u0 (default {','.join(map(str, DEFAULT_ORDERS))})",
    )
    add_bootstrap_options(
        parser, DEFAULT_FSS_BOOT, note=", each refitted; 0: covariance errors only"
    )
    parser.add_argument(
        "--table", action="store_true", help="add the fits over several orders (stability)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Analyse ``args.store`` and print the tables (or JSON); return 0."""
    with flag_errors():
        an = fss_analyze_store(
            args.store,
            stat=args.stat,
            W_range=args.W_range,
            lmin=args.lmin,
            orders=args.orders,
            n_boot=args.boot,
            seed=args.seed,
            ci=args.ci,
            order_table=args.table,
        )
    print(an.to_json() if args.json else an)
    return 0

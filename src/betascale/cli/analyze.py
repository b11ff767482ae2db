"""``betascale analyze STORE``: ensemble statistics, beta(g), the fit and the scaling test."""

from __future__ import annotations

import argparse
from pathlib import Path

from betascale.analysis import (
    DEFAULT_BOOT,
    DEFAULT_GMIN,
    DEFAULT_STAT,
    STATS,
    analyze_store,
    statistics,
)
from betascale.analysis.pipeline import check_options
from betascale.cli.options import add_bootstrap_options, flag_errors

DESCRIPTION = """\
Analyse a results store: per (W, L) the number of samples n, the open channels N,
<T>, the contact-corrected <g> (g = 1/(1/T - 1/N) per sample) and exp<ln g>, each
with its standard error; the numerical beta = d ln G / d ln L of the chosen
statistic G between successive L, with bootstrap intervals over the disorder
samples; the fit of the points with G >= gmin to the analytic form of the class
(e.g. beta = a/g + b/g^2 for the orthogonal class, with a against -1/pi); and a
one-parameter-scaling test (one smooth curve through the points of all W against
separate curves per W). Conductances are in e^2/h.
"""


def add_analysis_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by analyze, plot and compare: --stat, --gmin, --boot, --seed, --ci."""
    parser.add_argument(
        "--stat",
        choices=tuple(STATS),
        default=DEFAULT_STAT,
        help=f"the statistic G of beta: {statistics.help_text('beta')} (default {DEFAULT_STAT})",
    )
    parser.add_argument(
        "--gmin",
        type=float,
        default=DEFAULT_GMIN,
        metavar="X",
        help=f"fit only the beta points with G >= X e^2/h (default {DEFAULT_GMIN:g})",
    )
    parser.add_argument(
        "--lmin",
        type=int,
        default=0,
        metavar="L",
        help="leave out sizes below L (not yet diffusive); default: use every size",
    )
    add_bootstrap_options(parser, DEFAULT_BOOT)


def analysis_kwargs(args: argparse.Namespace) -> dict:
    """Keyword arguments of :func:`betascale.analysis.analyze_store` from the options,
    checked (:func:`betascale.analysis.pipeline.check_options`); a bad one is an
    :class:`~betascale.errors.InputError` that names its flag."""
    kwargs = {
        "stat": args.stat,
        "gmin": args.gmin,
        "n_boot": args.boot,
        "seed": args.seed,
        "ci": args.ci,
        "lmin": args.lmin,
    }
    with flag_errors():
        check_options(**kwargs)
    return kwargs


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``analyze`` sub-command."""
    parser = subparsers.add_parser(
        "analyze",
        help="ensemble statistics, beta(g), fit against theory, scaling test",
        description=DESCRIPTION,
    )
    parser.add_argument("store", type=Path, metavar="STORE", help="the results store (.sqlite)")
    add_analysis_options(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Analyse ``args.store`` and print the tables (or JSON); return 0."""
    an = analyze_store(args.store, **analysis_kwargs(args))
    print(an.to_json() if args.json else an.report())
    return 0

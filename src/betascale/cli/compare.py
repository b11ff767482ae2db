"""``betascale compare STORE...``: the beta(g) of several stores on one figure."""

from __future__ import annotations

import argparse
from pathlib import Path

from betascale.analysis import analyze_store, fit_beta, format_pm
from betascale.cli.analyze import add_analysis_options, analysis_kwargs
from betascale.cli.options import output_directory
from betascale.errors import InputError

DESCRIPTION = """\
Overlay the numerical beta(g) of several results stores (e.g. the three symmetry
classes) on one figure, one colour per class, with each class's leading-order
analytic beta dashed in its colour and the line beta = 0. Writes NAME.png and
NAME.pdf and prints their paths, after one line per store with the fitted leading
coefficient (points with G >= gmin; a store with too few such points is still
drawn).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``compare`` sub-command."""
    parser = subparsers.add_parser(
        "compare",
        help="overlay beta(g) of several stores (e.g. the three classes)",
        description=DESCRIPTION,
    )
    parser.add_argument(
        "stores", type=Path, nargs="+", metavar="STORE", help="results stores (.sqlite)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("figures"),
        metavar="DIR",
        help="output directory (default: figures)",
    )
    parser.add_argument(
        "--name", default="compare_beta", help="file name without suffix (default compare_beta)"
    )
    add_analysis_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Analyse every store, write the comparison figure and print its paths; return 0."""
    from betascale.plots import figure_name
    from betascale.plots.scaling import write_compare

    output_directory(args.out)
    figure_name(args.name)
    kwargs = analysis_kwargs(args)  # checked, with flag names
    analyses = [analyze_store(p, fit=False, **kwargs) for p in args.stores]
    for an in analyses:
        try:
            f = fit_beta(an.betas, an.model, stat=an.stat, gmin=an.gmin)
            fit = (
                f"a = {format_pm(f.a, f.sigma_a)} (analytic {f.a_theory:+.4f}), "
                f"chi2/dof = {f.chi2:.1f}/{f.dof}, {f.n_points} points"
            )
        except InputError as exc:
            fit = f"no fit: {exc}"
        print(f"{an.name}: {an.title}: {fit}")
    for path in write_compare(analyses, args.out, name=args.name):
        print(path)
    return 0

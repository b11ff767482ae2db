#!/usr/bin/env python
"""Overlay the numerical beta(g) of several results stores on one figure.

A thin wrapper over :mod:`betascale.plots.scaling` for scripted workflows;
``betascale compare`` draws the same figure. One colour per symmetry class, each
class's leading-order analytic beta dashed in its colour. With --each, also write
the figures of every store (those of ``betascale plot``: beta(g) and its fits, and the
weak-localization figures the store has) under DIR/<store file name>.

Examples
--------
    python scripts/compare_plots.py data/runs/{orthogonal,unitary,symplectic}.sqlite
    python scripts/compare_plots.py a.sqlite b.sqlite --stat typical --out figures --each

In Python::

    from betascale.analysis import analyze_store
    from betascale.plots.scaling import plot_compare, write_compare
    analyses = [analyze_store(p, fit=False) for p in paths]
    fig = plot_compare(analyses)            # a matplotlib Figure to edit further
    write_compare(analyses, "figures")      # or write PNG and PDF directly
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from betascale.analysis import analyze_store
from betascale.cli.analyze import add_analysis_options, analysis_kwargs
from betascale.errors import InputError, OneLineParser, run_script


def main(argv: list[str] | None = None) -> int:
    """Run the script; return the exit status (2 for bad input)."""
    parser = OneLineParser(prog="compare_plots", description=__doc__.split("\n\n")[0])
    parser.add_argument("stores", nargs="+", type=Path, metavar="STORE", help="results stores")
    parser.add_argument(
        "--out", type=Path, default=Path("figures"), metavar="DIR", help="(default figures)"
    )
    parser.add_argument("--name", default="compare_beta", help="file name without suffix")
    parser.add_argument("--each", action="store_true", help="also write each store's figures")
    add_analysis_options(parser)
    args = parser.parse_args(argv)
    return run_script("compare_plots", lambda: draw(args))


def draw(args: argparse.Namespace) -> None:
    """Write the comparison figure of ``args.stores`` (and each store's with --each);
    print the paths."""
    from betascale.cli.options import output_directory
    from betascale.plots import figure_name, figure_set
    from betascale.plots.scaling import write_compare, write_figures
    from betascale.plots.weak_localization import write_weak_localization_figures

    output_directory(args.out)
    figure_name(args.name)
    stems = [path.stem for path in args.stores]
    twice = sorted({stem for stem in stems if stems.count(stem) > 1})
    if args.each and twice:
        raise InputError(
            f"--each writes every store's figures under DIR/<file name>, and {', '.join(twice)}"
            " names more than one store: rename one, or run without --each"
        )
    analyses = [analyze_store(path, fit=args.each, **analysis_kwargs(args)) for path in args.stores]
    with figure_set():  # all the figures, or none
        paths = write_compare(analyses, args.out, name=args.name)
        if args.each:
            for path, an in zip(args.stores, analyses, strict=True):
                paths += write_figures(an, args.out / path.stem)
                paths += write_weak_localization_figures(an, args.out / path.stem)
    for path in paths:
        print(path)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Overlay the numerical beta(g) of several results stores on one figure.

A thin wrapper over :mod:`betascale.plots.scaling` for scripted workflows;
``betascale compare`` draws the same figure. One colour per symmetry class, each
class's leading-order analytic beta dashed in its colour. With --each, also write
the four figures of every store (as ``betascale plot`` does) under DIR/<store>.

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
from betascale.errors import run_script


def main(argv: list[str] | None = None) -> int:
    """Run the script; return the exit status (2 for bad input)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stores", nargs="+", type=Path, metavar="STORE")
    parser.add_argument("--out", type=Path, default=Path("figures"), metavar="DIR")
    parser.add_argument("--name", default="compare_beta", help="file name without suffix")
    parser.add_argument("--each", action="store_true", help="also write each store's figures")
    add_analysis_options(parser)
    args = parser.parse_args(argv)
    return run_script("compare_plots", lambda: draw(args))


def draw(args: argparse.Namespace) -> None:
    """Write the comparison figure of ``args.stores`` (and each store's with --each);
    print the paths."""
    from betascale.plots import figure_set
    from betascale.plots.scaling import write_compare, write_figures

    analyses = [analyze_store(path, fit=args.each, **analysis_kwargs(args)) for path in args.stores]
    with figure_set():  # all the figures, or none
        paths = write_compare(analyses, args.out, name=args.name)
        if args.each:
            for path, an in zip(args.stores, analyses, strict=True):
                paths += write_figures(an, args.out / path.stem)
    for path in paths:
        print(path)


if __name__ == "__main__":
    sys.exit(main())

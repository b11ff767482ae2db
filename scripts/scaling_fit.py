#!/usr/bin/env python
"""Fit the numerical beta(g) of results stores against the sigma-model forms.

A thin wrapper over :func:`betascale.analysis.analyze_store` for scripted
workflows; ``betascale analyze`` is the same for one store. For each store it prints
the tables of the analysis (ensemble statistics, beta points, the fit of the points
with G >= gmin and the one-parameter-scaling test), or with --json one JSON list.

Examples
--------
    python scripts/scaling_fit.py data/runs/orthogonal.sqlite --gmin 3
    python scripts/scaling_fit.py data/runs/*.sqlite --stat typical --json > fits.json

In Python::

    from betascale.analysis import analyze_store
    an = analyze_store("data/runs/orthogonal.sqlite", stat="mean_g", gmin=2.0)
    print(an.fit.a, an.fit.sigma_a, an.fit.a_theory, an.fit.chi2_dof)
"""

from __future__ import annotations

import argparse
import json
import sys

from betascale.analysis import analyze_store
from betascale.cli.analyze import add_analysis_options, analysis_kwargs
from betascale.errors import OneLineParser, run_script


def main(argv: list[str] | None = None) -> int:
    """Run the script; return the exit status (2 for bad input)."""
    parser = OneLineParser(prog="scaling_fit", description=__doc__.split("\n\n")[0])
    parser.add_argument("stores", nargs="+", metavar="STORE", help="results stores (.sqlite)")
    parser.add_argument("--json", action="store_true", help="print one JSON list")
    add_analysis_options(parser)
    args = parser.parse_args(argv)
    return run_script("scaling_fit", lambda: report(args))


def report(args: argparse.Namespace) -> None:
    """Analyse every store of ``args`` and print the tables (or one JSON list)."""
    analyses = [analyze_store(path, **analysis_kwargs(args)) for path in args.stores]
    if args.json:
        print(json.dumps([an.to_dict() for an in analyses], indent=2, ensure_ascii=False))
    else:
        print("\n\n".join(an.report() for an in analyses))


if __name__ == "__main__":
    sys.exit(main())

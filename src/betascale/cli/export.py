"""``betascale export STORE``: write the samples of a store as NetCDF or CSV."""

from __future__ import annotations

import argparse
from pathlib import Path

from betascale.errors import InputError
from betascale.store import EXPORT_FORMATS, export_store
from betascale.store.export import GRID_MAX_CELLS

DESCRIPTION = f"""\
Write the samples of a results store as a labelled table. NetCDF: an xarray
Dataset with dims (W, flux, L, sample), variables T, N, seconds, rank and failed
(NaN or -1 where a sample is missing) and the study and run metadata as JSON
attributes; a study whose grid would exceed {GRID_MAX_CELLS:,} cells (samples = 10^9) is
written as one entry per stored sample instead (dim record, attribute layout =
"records"). CSV: one row per sample (W, flux, L, M, sample, T, N, seconds, rank,
error), floats written exactly. The format defaults to the suffix of --out, else
netcdf. The file is written atomically (a temporary file renamed onto the name).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``export`` sub-command."""
    parser = subparsers.add_parser(
        "export", help="export the samples of a store to NetCDF or CSV", description=DESCRIPTION
    )
    parser.add_argument("store", type=Path, metavar="STORE", help="the results store (.sqlite)")
    parser.add_argument(
        "--format",
        dest="fmt",
        choices=sorted(EXPORT_FORMATS),
        help="output format (default: from the suffix of --out, else netcdf)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        help="output file (default: the store's path with suffix .nc or .csv)",
    )
    parser.set_defaults(func=run)


def output_format(fmt: str | None, out: Path | None) -> str:
    """The export format: ``fmt`` if given, else from the suffix of ``out``, else netcdf."""
    by_suffix = {suffix: name for name, suffix in EXPORT_FORMATS.items()}
    if fmt is not None:
        if out is not None and out.suffix in by_suffix and by_suffix[out.suffix] != fmt:
            raise InputError(f"--format {fmt} does not match the suffix of --out {out}")
        return fmt
    if out is not None:
        return by_suffix.get(out.suffix, "netcdf")
    return "netcdf"


def run(args: argparse.Namespace) -> int:
    """Export ``args.store`` and print the path written; return 0."""
    fmt = output_format(args.fmt, args.out)
    out = args.out if args.out is not None else args.store.with_suffix(EXPORT_FORMATS[fmt])
    if out.resolve() == args.store.resolve():
        raise InputError(f"refusing to overwrite the store {args.store} with its export")
    print(export_store(args.store, out, fmt))
    return 0

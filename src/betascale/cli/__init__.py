"""The ``betascale`` console script.

Each sub-command lives in its own module of this package and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to the function
that runs it. :func:`main` dispatches and turns :class:`betascale.errors.InputError`
into a one-line message with exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from betascale import __version__
from betascale.errors import InputError

#: One BLAS/OpenMP thread per process (and so per MPI rank), unless the user set
#: otherwise. This must happen before NumPy is imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

#: Sub-command modules, in the order ``betascale --help`` lists them.
COMMAND_MODULES = (
    "conductance",
    "bench",
    "run",
    "status",
    "export",
    "analyze",
    "plot",
    "compare",
    "demo",
    "rg",
)


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line: ``betascale CMD: error: ...``."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every available sub-command."""
    parser = _Parser(
        prog="betascale",
        description="Numerical checks of the scaling theory of localization in 2D.",
    )
    parser.add_argument("--version", action="version", version=f"betascale {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"betascale.cli.{name}")
        except ModuleNotFoundError as exc:  # a command not built yet
            if exc.name != f"betascale.cli.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the console script; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = args.func(args)
    except InputError as exc:
        print(f"betascale {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"betascale {args.command}: interrupted", file=sys.stderr)
        return 130
    return int(status or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

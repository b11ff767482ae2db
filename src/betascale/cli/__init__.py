"""The ``betascale`` console script.

Each sub-command lives in its own module of this package and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to the function
that runs it. :func:`main` dispatches and turns :class:`betascale.errors.InputError`
into a one-line message with exit status 2.
"""

from __future__ import annotations

import argparse
import codecs
import importlib
import os
import sys
from collections.abc import Sequence

from betascale import __version__
from betascale.errors import OneLineParser, guarded
from betascale.resources import check_startup_memory
from betascale.text import ASCII_FALLBACK
from betascale.threads import ONE_THREAD_ENV

#: One BLAS/OpenMP thread per process (and so per MPI rank), unless the user set
#: otherwise (the policy of :mod:`betascale.threads`). This must happen before NumPy
#: is imported.
for _var, _value in ONE_THREAD_ENV.items():
    os.environ.setdefault(_var, _value)

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
    "fss",
    "universality",
    "rg",
)


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every available sub-command."""
    parser = OneLineParser(
        prog="betascale",
        description="Numerical checks of the scaling theory of localization in 2D.",
    )
    parser.add_argument("--version", action="version", version=f"betascale {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
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
    """Run the console script; return the exit status.

    Bad input of any kind (:class:`InputError`, and the operating system's refusals:
    an unwritable path, a full disk, a damaged database) ends in one line naming the
    problem and exit status 2, never a traceback.
    """
    ascii_fallback()
    # before the sub-commands import NumPy (OpenBLAS spins)
    status = guarded("betascale", check_startup_memory)
    if status:
        return status
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(guarded(f"betascale {args.command}", lambda: args.func(args)) or 0)


def ascii_fallback(streams: Sequence = ()) -> None:
    """Let standard output and error write every report, whatever their encoding.

    A stream that cannot encode Unicode (``PYTHONIOENCODING=ascii``, or ``LC_ALL=POSIX``
    without UTF-8 mode) writes the reports' symbols in ASCII (``±`` as ``+-``, ``é``
    as ``e``: :func:`betascale.text.to_ascii`) instead of failing with
    UnicodeEncodeError. UTF-8 streams are left as they are.
    """
    for stream in streams or (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            utf = codecs.lookup(encoding).name.startswith("utf")
        except LookupError:
            utf = False
        if not utf and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors=ASCII_FALLBACK)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""Exceptions that betascale raises for bad input.

Every user-facing check raises :class:`InputError` with a one-line message that
says what is wrong. The command-line interface turns it into ``betascale: error:
<message>`` and exit status 2, never a traceback; the example scripts do the same
through :func:`run_script`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable


class InputError(ValueError):
    """A request that betascale refuses, with a one-line explanation."""


def one_line(exc: BaseException) -> str:
    """The first line of an exception's message; prefixed by its type unless it is an
    :class:`InputError` (whose message is written for the user)."""
    text = str(exc).strip().splitlines()
    if isinstance(exc, InputError):
        return text[0] if text else type(exc).__name__
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def run_script(prog: str, main: Callable[[], object]) -> int:
    """Run a script's ``main()``; return its exit status, 2 (one line, no traceback) on bad input.

    The scripts' counterpart of :func:`betascale.cli.main`: an :class:`InputError` is
    printed as ``<prog>: error: <message>`` on standard error. ``main`` may return its
    own status (an int); anything else counts as success (0).
    """
    try:
        status = main()
    except InputError as exc:
        print(f"{prog}: error: {one_line(exc)}", file=sys.stderr)
        return 2
    return status if isinstance(status, int) else 0

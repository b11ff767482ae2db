"""Exceptions that betascale raises for bad input.

Every user-facing check raises :class:`InputError` with a one-line message that
says what is wrong. The command-line interface turns it into ``betascale: error:
<message>`` and exit status 2, never a traceback; the example scripts do the same
through :func:`run_script`.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Callable
from typing import NoReturn

from betascale.text import printable


class InputError(ValueError):
    """A request that betascale refuses, with a one-line explanation."""


def one_line(exc: BaseException) -> str:
    """The first line of an exception's message; prefixed by its type unless it is an
    :class:`InputError` (whose message is written for the user)."""
    text = str(exc).strip().splitlines()
    if isinstance(exc, InputError):
        return text[0] if text else type(exc).__name__
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


class OneLineParser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line, ``<prog>: error: <message>``, exit 2.

    The parser of the ``betascale`` command and of the example scripts: a bad option
    gets the same one line as any other bad input (argparse's own prints the usage
    block first).
    """

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def guarded(label: str, call: Callable[[], object]) -> int:
    """Run ``call()`` and return its exit status; bad input never ends in a traceback.

    The one policy of the ``betascale`` command (:func:`betascale.cli.main`) and the
    scripts (:func:`run_script`): an :class:`InputError`, the operating system's
    refusals (an unwritable path, a full disk) and a damaged database print
    ``<label>: error: <message>`` on one line and give 2; a reader that went away
    (``| head``) ends quietly with 0; Ctrl-C gives 130. ``call`` may return its own
    status (an int); anything else counts as success (0).
    """
    try:
        status = call()
    except InputError as exc:
        message = str(exc) or type(exc).__name__
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        where = f": {exc.filename}" if getattr(exc, "filename", None) else ""
        message = f"{exc.strerror or exc}{where}"
    except sqlite3.Error as exc:
        message = f"database error: {exc}"
    except KeyboardInterrupt:
        print(f"{label}: interrupted", file=sys.stderr)
        return 130
    else:
        return status if isinstance(status, int) else 0
    print(f"{label}: error: {' '.join(printable(message).split())}", file=sys.stderr)
    return 2


def run_script(prog: str, main: Callable[[], object]) -> int:
    """Run a script's ``main()`` under :func:`guarded`; return its exit status."""
    return guarded(prog, main)

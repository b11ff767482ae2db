"""Exceptions that betascale raises for bad input.

Every user-facing check raises :class:`InputError` with a one-line message that
says what is wrong. The command-line interface turns it into ``betascale: error:
<message>`` and exit status 2, never a traceback.
"""

from __future__ import annotations


class InputError(ValueError):
    """A request that betascale refuses, with a one-line explanation."""


def one_line(exc: BaseException) -> str:
    """The first line of an exception's message; prefixed by its type unless it is an
    :class:`InputError` (whose message is written for the user)."""
    text = str(exc).strip().splitlines()
    if isinstance(exc, InputError):
        return text[0] if text else type(exc).__name__
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")

"""Exceptions that betascale raises for bad input.

Every user-facing check raises :class:`InputError` with a one-line message that
says what is wrong. The command-line interface turns it into ``betascale: error:
<message>`` and exit status 2, never a traceback.
"""

from __future__ import annotations


class InputError(ValueError):
    """A request that betascale refuses, with a one-line explanation."""


def require_finite(name: str, value: float) -> float:
    """Return ``value`` as a float, or raise :class:`InputError` if it is not a finite number.

    The policy of :func:`betascale.validation.finite`: Python and NumPy integers and
    floats pass; strings, bools and None do not (a string is not a number).
    """
    from betascale.validation import finite

    return finite(name, value)


def one_line(exc: BaseException) -> str:
    """The first line of an exception's message; prefixed by its type unless it is an
    :class:`InputError` (whose message is written for the user)."""
    text = str(exc).strip().splitlines()
    if isinstance(exc, InputError):
        return text[0] if text else type(exc).__name__
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")

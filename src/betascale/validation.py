"""The input policy: one set of validators for every number, list and name betascale takes.

The Python API, the TOML reader and the command line all route their arguments
through these functions, so a value is accepted or refused the same way everywhere:

* a **number** is a Python or NumPy integer or float (``np.int64``, ``np.float64``),
  finite; a string is not a number (``"1"``), and a bool is not a number (``True``);
* an **integer** is a Python or NumPy integer, never a bool and (unless a function
  documents otherwise) never a float;
* a **list** is a list, a tuple, a range or a one-dimensional NumPy array; a string,
  a mapping or a set is not;
* a **flux** lies in (-1/2, 1/2): see :func:`flux`;
* sizes are bounded (:data:`MAX_SIZE`, :data:`MAX_SAMPLES`, :data:`MAX_POINTS`), so
  no request allocates without limit, and nested values are bounded in depth
  (:data:`MAX_DEPTH`), so none recurses without limit.

Every refusal is an :class:`~betascale.errors.InputError` with a one-line message
that names the parameter.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from betascale.errors import InputError

#: Largest sample length or width (the memory check at run time is stricter; this
#: bound keeps every size a plain machine integer).
MAX_SIZE = 10**6
#: Most samples per (W, flux, L) a study or a call may ask for.
MAX_SAMPLES = 10**9
#: Largest integer a seed or an index may be (they are stored as SQLite integers).
MAX_INT = 2**63 - 1
#: Smallest nonzero flux per plaquette: its phase per plaquette, 2 pi MIN_FLUX ~ 6e-12,
#: is still far above rounding (1e-16); below it a flux is a real H in all but name.
MIN_FLUX = 1e-12
#: Most points of an output grid (an RG trajectory): 10⁶ floats are 8 MB.
MAX_POINTS = 10**6
#: Deepest nesting of a value read from a file (a study's values are numbers or flat
#: lists: depth 1 or 2).
MAX_DEPTH = 8
#: Longest text shown of a refused value.
_SHOW = 40


# ------------------------------------------------------------------ display
def show(value: Any) -> str:
    """A short ``repr`` of a refused value (bounded length, never recursing deeply)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, dict)) and depth(value, _SHOW) >= _SHOW:
        return f"<{type(value).__name__} nested {_SHOW}+ levels deep>"
    if isinstance(value, np.ndarray) and value.size > 8:
        return f"<array of shape {value.shape}>"
    text = repr(value)
    return text if len(text) <= _SHOW else text[: _SHOW - 3] + "..."


def type_name(value: Any) -> str:
    """The TOML name of a value's type (``boolean``, ``string``, ``array``, ...)."""
    for kind, name in _TYPE_NAMES.items():
        if isinstance(value, kind):
            return name
    return type(value).__name__


_TYPE_NAMES = {
    bool: "boolean",
    np.bool_: "boolean",
    int: "integer",
    float: "float",
    str: "string",
    list: "array",
    dict: "table",
}


def wrong_type(name: str, expected: str, value: Any) -> InputError:
    """The error for ``name`` of the wrong type, e.g. ``W must be a number, got string '2'``."""
    return InputError(f"{name} must be {expected}, got {type_name(value)} {show(value)}")


# ------------------------------------------------------------------ numbers
def is_number(value: Any) -> bool:
    """Whether ``value`` is a real number: an int or float (NumPy's too), not a bool."""
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, numbers.Real):
        return True
    return isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf"


def is_integer(value: Any) -> bool:
    """Whether ``value`` is an integer: an int or a NumPy integer, not a bool."""
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(
        value, (bool, np.bool_)
    )


def finite(name: str, value: Any) -> float:
    """``value`` as a finite float.

    Raises
    ------
    InputError
        If ``value`` is not a number (a string, a bool, None, a list ...) or is NaN or
        infinite.
    """
    if not is_number(value):
        raise wrong_type(name, "a number", value)
    try:
        out = float(value)
    except (OverflowError, ValueError):  # an int too large for a float
        raise InputError(f"{name} must be a finite number, got {show(value)}") from None
    if not math.isfinite(out):
        raise InputError(f"{name} must be finite, got {out}")
    return out


def number(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    open_low: bool = False,
    open_high: bool = False,
    why: str = "",
) -> float:
    """``value`` as a finite float in ``[low, high]`` (an end is excluded if ``open_*``).

    ``why`` (e.g. ``"a confidence level"``) is added to the message of a value out of
    range.
    """
    out = finite(name, value)
    below = low is not None and (out <= low if open_low else out < low)
    above = high is not None and (out >= high if open_high else out > high)
    if below or above:
        reason = f" ({why})" if why else ""
        raise InputError(
            f"{name} must be {_range_text(low, high, open_low, open_high)}{reason}, got {out:g}"
        )
    return out


def _range_text(low, high, open_low: bool, open_high: bool) -> str:
    if low is not None and high is not None:
        return f"in {'(' if open_low else '['}{low:g}, {high:g}{')' if open_high else ']'}"
    if low is not None:
        return f"{'>' if open_low else '>='} {low:g}"
    return f"{'<' if open_high else '<='} {high:g}"


def integer(
    name: str,
    value: Any,
    *,
    low: int | None = None,
    high: int | None = MAX_INT,
    allow_float: bool = False,
) -> int:
    """``value`` as an int in ``[low, high]``.

    Python and NumPy integers pass; a bool never does, and a float only with
    ``allow_float`` and an integer value (``2.0``).
    """
    if allow_float and is_number(value) and not is_integer(value):
        as_float = finite(name, value)
        if as_float != math.floor(as_float):
            raise InputError(f"{name} must be an integer, got {as_float:g}")
        value = int(as_float)
    if not is_integer(value):
        raise wrong_type(name, "an integer", value)
    out = operator.index(value)
    if low is not None and out < low:
        raise InputError(f"{name} must be >= {low}, got {out}")
    if high is not None and out > high:
        raise InputError(f"{name} must be <= {high}, got {out}")
    return out


def seed(name: str, value: Any) -> int:
    """A seed: an integer in ``[0, 2**63)``."""
    return integer(name, value, low=0, high=MAX_INT)


def confidence(name: str, value: Any) -> float:
    """A confidence level, a number in the open interval (0, 1)."""
    out = finite(name, value)
    if not 0.0 < out < 1.0:
        raise InputError(f"{name} must lie in (0, 1) (a confidence level), got {out:g}")
    return out


def flag(name: str, value: Any) -> bool:
    """``value`` as a bool; only ``True`` and ``False`` (NumPy's too) pass."""
    if not isinstance(value, (bool, np.bool_)):
        raise wrong_type(name, "true or false", value)
    return bool(value)


def choice(name: str, value: Any, options: Sequence[str]) -> str:
    """``value`` if it is one of the strings ``options``."""
    if not isinstance(value, str) or value not in options:
        raise InputError(f"{name} must be one of {', '.join(options)}, got {show(value)}")
    return value


def flux(value: Any, name: str = "flux") -> float:
    """A flux per plaquette (in flux quanta h/e) in the open interval (-1/2, 1/2).

    The Peierls phases ``exp(-2 pi i phi y)`` are periodic in ``phi`` with period 1,
    so ``phi`` and ``phi + 1`` are the same Hamiltonian, and ``-phi`` is its complex
    conjugate; ``phi = 1/2`` (a phase -1 per plaquette) is real. Every distinct
    Hamiltonian with broken time reversal has one flux with ``0 < |phi| < 1/2``
    (Hofstadter, Phys. Rev. B 14, 2239 (1976), for the periodicity), and the range
    refuses the values that would silently mean another one. ``-0.0`` becomes ``0.0``
    (the two name the same samples). A nonzero flux below :data:`MIN_FLUX` in
    magnitude is refused: its phases approach rounding (at 1e-300 they are exactly 1),
    so it would be a real Hamiltonian labelled unitary.
    """
    out = finite(name, value) + 0.0
    if not abs(out) < 0.5:
        raise InputError(
            f"{name} must lie in (-1/2, 1/2), got {out:g} (flux is periodic with period 1, "
            "and -phi is the conjugate of phi)"
        )
    if 0.0 < abs(out) < MIN_FLUX:
        raise InputError(
            f"{name} must be 0 or at least {MIN_FLUX:g} in magnitude, got {out:g} (its "
            "Peierls phases differ from 1 by no more than rounding: the Hamiltonian is real)"
        )
    return out


def breaks_time_reversal(phi: float) -> bool:
    """Whether the Peierls phases of flux ``phi`` make H complex in every gauge.

    The phase around a plaquette is ``exp(2 pi i phi)``; it is real (and H is real in
    a suitable gauge, so time reversal holds) exactly when ``2 phi`` is an integer.
    """
    return (2.0 * float(phi)) % 1.0 != 0.0


# -------------------------------------------------------------------- lists
def sequence(name: str, values: Any, *, max_len: int | None = None) -> tuple:
    """``values`` as a non-empty tuple; a list, tuple, range or 1-D array passes.

    Raises
    ------
    InputError
        For a string, a mapping, a set, a scalar, a multi-dimensional array, an empty
        list, or one longer than ``max_len``.
    """
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise InputError(f"{name} must be a list, got an array of shape {values.shape}")
        values = values.tolist()
    elif not isinstance(values, (list, tuple, range)):
        raise wrong_type(name, "a list", values)
    out = tuple(values)
    if not out:
        raise InputError(f"{name} must not be empty")
    if max_len is not None and len(out) > max_len:
        raise InputError(f"{name} must have at most {max_len} entries, got {len(out)}")
    return out


def is_sequence(values: Any) -> bool:
    """Whether :func:`sequence` takes ``values`` as a list (rather than one value)."""
    return isinstance(values, (list, tuple, range, np.ndarray))


def depth(value: Any, limit: int = MAX_DEPTH + 1) -> int:
    """The nesting depth of lists, tuples and dicts in ``value`` (0 for a scalar), counted
    without recursion and up to ``limit`` (a deeper value returns ``limit``)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if not isinstance(item, (list, tuple)):
            continue
        deepest = max(deepest, level + 1)
        if deepest >= limit:
            return limit
        stack.extend((child, level + 1) for child in item)
    return deepest


def shallow(name: str, value: Any, max_depth: int = MAX_DEPTH) -> Any:
    """``value`` if it is nested at most ``max_depth`` levels deep, else an InputError."""
    if depth(value, max_depth + 1) > max_depth:
        raise InputError(f"{name} is nested more than {max_depth} levels deep")
    return value

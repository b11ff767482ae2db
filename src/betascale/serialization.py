"""One convention for turning results into JSON.

Every result type of betascale has a ``to_dict()`` method that returns plain
Python data. :func:`jsonable` makes such data strictly JSON-safe (NaN and
infinities become ``None``, NumPy scalars and arrays become Python numbers and
lists, tuples become lists), and :func:`dumps` writes it, so that no output of
betascale contains the non-standard ``NaN`` or ``Infinity`` tokens.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any, SupportsFloat

import numpy as np


def json_float(x: SupportsFloat) -> float | None:
    """``float(x)``, or None if it is NaN or infinite."""
    x = float(x)
    return x if math.isfinite(x) else None


def jsonable(value: Any) -> Any:
    """``value`` as strictly JSON-safe data (NaN/inf -> None, NumPy -> Python).

    Objects with a ``to_dict()`` method are converted through it; dataclasses
    without one through :func:`dataclasses.asdict`.
    """
    if hasattr(value, "to_dict") and not isinstance(value, type):
        return jsonable(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return json_float(value)
    return value


def dumps(value: Any, **kwargs: Any) -> str:
    """:func:`json.dumps` of :func:`jsonable` ``(value)``, refusing NaN (``allow_nan=False``)."""
    kwargs.setdefault("ensure_ascii", False)
    return json.dumps(jsonable(value), allow_nan=False, **kwargs)

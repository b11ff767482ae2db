"""The shared result machinery of the analysis: one value-with-error type, one result base.

Every analysis result is a frozen dataclass. This module holds what they share, as
NetKet's ``Stats`` does for Monte Carlo averages (``netket/stats/mc_stats.py``: one
typed result with its mean and error, a ``±`` repr and ``to_dict``):

* :class:`Estimate`, a value with its standard error, printed as ``value ± error``;
* :func:`format_pm` and :func:`interval_text`, the one way to print a value with its
  error and a percentile interval;
* :class:`Result`, the base whose ``to_dict()`` is the JSON-safe dict of the fields
  plus the derived values named in ``_derived`` (:func:`fields_dict`);
* :func:`quantiles`, the central percentile interval of bootstrap replicates.

It is a leaf of the analysis package: it imports nothing from it, so every analysis
module (and the report) can import it without a cycle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

from betascale.serialization import json_float, jsonable

__all__ = [
    "Estimate",
    "Result",
    "fields_dict",
    "format_pm",
    "interval_text",
    "quantiles",
]


def format_pm(value: float, error: float, digits: int = 2) -> str:
    """Format ``value ± error`` with the error to ``digits`` significant digits.

    Very small or large values use a common power of ten, e.g. ``(6.52 ± 0.45)e-11``.
    """
    if not math.isfinite(value):
        return f"{value}"
    if not math.isfinite(error) or error <= 0:
        return f"{value:.4g}"
    exponent = 0
    if value != 0 and not 1e-3 <= abs(value) < 1e5:
        exponent = math.floor(math.log10(abs(value)))
        value, error = value / 10**exponent, error / 10**exponent
    decimals = max(0, digits - 1 - math.floor(math.log10(error)))
    decimals = min(decimals, 12)
    text = f"{value:.{decimals}f} ± {error:.{decimals}f}"
    return f"({text})e{exponent:+03d}" if exponent else text


def interval_text(interval: tuple[float, float], error: float) -> str:
    """``[lo, hi]`` with as many decimals as :func:`format_pm` gives ``error``."""
    if not (math.isfinite(error) and error > 0) or not 1e-3 <= abs(interval[1]) < 1e5:
        return f"[{interval[0]:.4g}, {interval[1]:.4g}]"
    d = min(12, max(0, 1 - math.floor(math.log10(error))))
    return f"[{interval[0]:.{d}f}, {interval[1]:.{d}f}]"


def quantiles(x: np.ndarray, ci: float) -> tuple[float, float]:
    """The central ``ci`` percentile interval of ``x``."""
    lo, hi = np.quantile(x, [(1 - ci) / 2, (1 + ci) / 2])
    return float(lo), float(hi)


def fields_dict(obj, **extra) -> dict:
    """A JSON-safe dict of the fields of a dataclass, plus ``extra`` entries."""
    return jsonable({**{f.name: getattr(obj, f.name) for f in fields(obj)}, **extra})


class Result:
    """Base of the result dataclasses: ``to_dict()`` of the fields and of ``_derived``."""

    _derived: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """A JSON-safe dict of the fields and the derived values."""
        return fields_dict(self, **{k: getattr(self, k) for k in self._derived})


@dataclass(frozen=True)
class Estimate:
    """A value with its standard error (of the mean, for an ensemble average).

    Attributes
    ----------
    mean
        The estimate.
    error
        Its one-standard-deviation error.
    """

    mean: float
    error: float

    def __str__(self) -> str:
        return format_pm(self.mean, self.error)

    def to_dict(self) -> dict:
        """``{"mean": ..., "error": ...}`` with NaN and inf as None (JSON-safe)."""
        return {"mean": json_float(self.mean), "error": json_float(self.error)}

"""Tests of betascale.analysis.results: the one Estimate and Result base, re-exported."""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass

import numpy as np

from betascale.analysis import ensembles, fit, report
from betascale.analysis.results import (
    Estimate,
    Result,
    fields_dict,
    format_pm,
    interval_text,
    quantiles,
)


@dataclass(frozen=True)
class _Point(Result):
    _derived = ("twice",)

    x: float
    interval: tuple[float, float]

    @property
    def twice(self) -> float:
        return 2 * self.x


def test_result_to_dict_has_fields_and_derived_values_json_safe():
    p = _Point(math.nan, (1.0, np.float64(2.0)))
    assert p.to_dict() == {"x": None, "interval": [1.0, 2.0], "twice": None}
    assert fields_dict(_Point(1.5, (0, 1)), extra="e") == {
        "x": 1.5, "interval": [0, 1], "extra": "e"
    }  # fmt: skip


def test_estimate_prints_value_with_error():
    assert str(Estimate(1.23456, 0.0123)) == "1.235 ± 0.012"
    assert format_pm(6.52e-11, 4.5e-12) == "(6.52 ± 0.45)e-11"
    assert Estimate(math.inf, math.nan).to_dict() == {"mean": None, "error": None}
    assert interval_text((0.1234, 0.5678), 0.01) == "[0.123, 0.568]"
    assert quantiles(np.arange(101.0), 0.5) == (25.0, 75.0)


def test_the_machinery_has_one_home_and_old_names_still_import():
    # (the package re-exports functions of these names, so import the modules by path)
    weak_localization = importlib.import_module("betascale.analysis.weak_localization")
    magnetoconductance = importlib.import_module("betascale.analysis.magnetoconductance")
    assert ensembles.Estimate is Estimate and ensembles.format_pm is format_pm
    assert weak_localization.Result is Result and magnetoconductance.Result is Result
    assert weak_localization.fields_dict is fields_dict
    assert weak_localization.quantiles is quantiles
    assert report.format_fit is fit.format_fit
    assert issubclass(weak_localization.WLSlope, Result)

"""No figure of betascale.plots has overlapping text (issue 20, part 3).

Every public plot function is drawn on synthetic data (Agg); then no two visible tick
labels of one axis may overlap, and no tick label may overlap an axis label of the
figure (their window extents). A new plot function without a case here fails
:func:`test_every_plot_function_is_covered`.
"""

from __future__ import annotations

import importlib
import inspect
import itertools
import math
import pkgutil

import numpy as np
import pytest

import betascale.plots
from betascale.analysis import analyze_table, universality
from betascale.analysis.fss_pipeline import fss_analyze_table
from betascale.analysis.magnetoconductance import magnetoconductance
from betascale.analysis.weak_localization import weak_localization
from betascale.plots import common
from betascale.testing import (
    synthetic_flux_table,
    synthetic_fss_table,
    synthetic_table,
)


# --------------------------------------------------------------- synthetic data
def _insulating_flow(g0: float, L: np.ndarray) -> np.ndarray:
    """A flow from the metal deep into the insulator, so that G spans decades."""
    from scipy.integrate import solve_ivp

    sol = solve_ivp(
        lambda x, y: [-math.log1p(1 / (math.pi * math.exp(y[0])))],
        (math.log(L[0]), math.log(L[-1])),
        [math.log(g0)],
        t_eval=np.log(L),
    )
    return np.exp(sol.y[0])


def _store(model: str, g0, seed: int = 1, **kw):
    table = synthetic_table(model, W=kw.pop("W", (1.0, 2.0, 3.0)), g0=g0, n=30, seed=seed, **kw)
    return analyze_table(table, model, gmin=1.0, n_boot=30, title=f"{model}, E=1", name=model)


@pytest.fixture(scope="module")
def data() -> dict:
    """The analyses every case draws from, built once."""
    fss_table = synthetic_fss_table(F=(1.4, -2.0, 0.5), n=60, sigma=0.4, seed=3)
    fss = fss_analyze_table(fss_table, stat="mean_g", orders=(2, 1, 0, 0), n_boot=10, name="su2")
    flux = synthetic_flux_table(
        "symplectic", L=(24, 48, 96), fluxes=(0.0, 3e-4, 1e-3, 3e-3), n=60, seed=2
    )
    wl_table = synthetic_table(W=(1.0, 2.0), g0=(9.0, 5.0), L=(8, 16, 32, 64, 128, 256), n=40)
    return {
        "ortho": _store("orthogonal", (8.0, 5.0, 3.0)),
        "unitary": _store("unitary", (3.0, 2.0, 1.2)),
        "symplectic": _store("symplectic", (6.0, 3.5, 2.0)),
        "insulating": _store(
            "orthogonal",
            (8.0, 3.0, 0.5, 0.1),
            W=(1.0, 2.0, 3.0, 4.0),
            L=(8, 16, 32, 64, 128),
            flow=_insulating_flow,
        ),
        "fss": fss,
        "mc": magnetoconductance(flux, "symplectic", n_boot=30),
        "wl": weak_localization(wl_table, "orthogonal", n_boot=30),
        "universality": universality(
            {
                "orthogonal": {
                    "square": _store("orthogonal", (8.0, 5.0, 3.0)),
                    "honeycomb": _store("orthogonal", (7.0, 4.0, 2.5), seed=2),
                },
                "symplectic": {
                    "SU(2)": _store("symplectic", (6.0, 3.5, 2.0)),
                    "Ando": _store("symplectic", (5.0, 3.0, 1.5), seed=2),
                },
            }
        ),
    }


#: (plot function, case name, call) for every public plot function; the wide cases
#: put G, L or the flux on logarithmic axes.
CASES = [
    ("plot_g_of_L", "narrow", lambda m, d: m.plot_g_of_L(d["ortho"])),
    ("plot_g_of_L", "log G", lambda m, d: m.plot_g_of_L(d["insulating"])),
    ("plot_beta", "narrow", lambda m, d: m.plot_beta(d["ortho"])),
    ("plot_beta", "log G, zoom", lambda m, d: m.plot_beta(d["insulating"])),
    ("plot_collapse", "narrow", lambda m, d: m.plot_collapse(d["ortho"])),
    ("plot_collapse", "log G", lambda m, d: m.plot_collapse(d["insulating"])),
    ("plot_distribution", "lnT", lambda m, d: m.plot_distribution(d["ortho"])),
    ("plot_distribution", "T", lambda m, d: m.plot_distribution(d["ortho"], quantity="T")),
    (
        "plot_compare",
        "classes",
        lambda m, d: m.plot_compare([d["ortho"], d["unitary"], d["symplectic"]]),
    ),
    ("plot_compare", "log G", lambda m, d: m.plot_compare([d["ortho"], d["insulating"]])),
    ("plot_wl_slope", "log L", lambda m, d: m.plot_wl_slope(d["wl"])),
    ("plot_delta_g_of_L", "flux scan", lambda m, d: m.plot_delta_g_of_L(d["mc"])),
    ("plot_hln", "flux scan", lambda m, d: m.plot_hln(d["mc"])),
    ("plot_fss_data", "fit", lambda m, d: m.plot_fss_data(d["fss"].fit, "SU(2)")),
    ("plot_fss_collapse", "fit", lambda m, d: m.plot_fss_collapse(d["fss"].fit)),
    (
        "plot_critical_distribution",
        "L axis",
        lambda m, d: m.plot_critical_distribution(d["fss"].distribution, bins=15),
    ),
    (
        "plot_beta_panorama",
        "with others",
        lambda m, d: m.plot_beta_panorama(d["fss"].beta, [d["ortho"], d["unitary"]]),
    ),
    ("plot_flow_diagram", "nv=2", lambda m, d: m.plot_flow_diagram(2)),
    ("plot_rho_vs_temperature", "nv=2", lambda m, d: m.plot_rho_vs_temperature(2)),
    (
        "plot_rho_vs_temperature",
        "narrow T",
        lambda m, d: m.plot_rho_vs_temperature(1, rho0s=(0.1,), t_min=0.05),
    ),
    ("plot_universality", "two classes", lambda m, d: m.plot_universality(d["universality"])),
]


def public_plot_functions() -> dict[str, object]:
    """Every public ``plot_*`` function defined in a sub-module of betascale.plots."""
    found = {}
    for info in pkgutil.iter_modules(betascale.plots.__path__):
        module = importlib.import_module(f"betascale.plots.{info.name}")
        for name, obj in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("plot_") and obj.__module__ == module.__name__:
                found[name] = obj
    return found


# ------------------------------------------------------------------ the checks
def _drawn_tick_labels(axis) -> list:
    """The visible, non-empty tick labels that ``axis`` draws (ticks inside the view)."""
    scale = axis.get_transform()
    lo, hi = sorted(scale.transform(np.asarray(axis.get_view_interval(), dtype=float)))
    tol = 1e-9 * max(hi - lo, 1e-300)
    labels = []
    for locs, ticks in (
        (axis.get_majorticklocs(), axis.get_major_ticks),
        (axis.get_minorticklocs(), axis.get_minor_ticks),
    ):
        locs = np.asarray(locs, dtype=float)
        for loc, tick in zip(locs, ticks(len(locs)), strict=True):
            if not lo - tol <= scale.transform(np.array([loc]))[0] <= hi + tol:
                continue
            labels += [t for t in (tick.label1, tick.label2) if t.get_visible() and t.get_text()]
    return labels


def _overlap(a, b) -> bool:
    """Whether two display-space bounding boxes share an area (touching is allowed)."""
    return a.x0 < b.x1 - 0.5 and b.x0 < a.x1 - 0.5 and a.y0 < b.y1 - 0.5 and b.y0 < a.y1 - 0.5


def text_overlaps(fig) -> list[str]:
    """Descriptions of overlapping tick labels and axis labels in ``fig`` (drawn first)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    axis_labels = [
        label
        for ax in fig.axes
        for label in (ax.xaxis.label, ax.yaxis.label)
        if label.get_visible() and label.get_text()
    ]
    label_boxes = [(label.get_text(), label.get_window_extent(renderer)) for label in axis_labels]
    problems = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            boxes = [
                (t.get_text(), t.get_window_extent(renderer)) for t in _drawn_tick_labels(axis)
            ]
            for (s, a), (t, b) in itertools.combinations(boxes, 2):
                if _overlap(a, b):
                    problems.append(f"{axis.axis_name} tick labels {s!r} and {t!r}")
            for (s, a), (t, b) in itertools.product(boxes, label_boxes):
                if _overlap(a, b):
                    problems.append(f"{axis.axis_name} tick label {s!r} and axis label {t!r}")
    return problems


# ------------------------------------------------------------------- the tests
def test_every_plot_function_is_covered():
    functions = public_plot_functions()
    assert {name for name, _, _ in CASES} == set(functions)
    for name, func in functions.items():  # and each is importable from betascale.plots
        assert getattr(betascale.plots, name) is func


@pytest.mark.parametrize(
    ("name", "call"),
    [pytest.param(name, call, id=f"{name}[{case}]") for name, case, call in CASES],
)
def test_no_text_overlaps(name, call, data):
    module = importlib.import_module(public_plot_functions()[name].__module__)
    fig = call(module, data)
    assert text_overlaps(fig) == []


def test_the_check_finds_overlapping_log_labels():
    """Matplotlib's own labels of a narrow log axis overlap; the shared policy fixes them."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import LogFormatterSciNotation

    with betascale.plots.figure_style():
        fig, ax = plt.subplots(figsize=(3.0, 2.0))
        ax.plot([1.5e-4, 6e-3], [0.0, 1.0])
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(LogFormatterSciNotation(labelOnlyBase=False))
    assert any("tick labels" in p for p in text_overlaps(fig))
    common.log_axis(ax, "x")
    assert text_overlaps(fig) == []
    plt.close(fig)

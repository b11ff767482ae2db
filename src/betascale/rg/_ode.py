"""The ODE machinery shared by the RG integrators: solver, events and output grid."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, cast

import numpy as np
from scipy.integrate import solve_ivp

#: Default relative and absolute tolerances of ``solve_ivp`` (DOP853).
RTOL = 1e-10
ATOL = 1e-13


class Event(Protocol):
    """A ``solve_ivp`` event: ``fun(x, y)`` with its ``terminal`` and ``direction``."""

    terminal: bool
    direction: int

    def __call__(self, x: float, y: np.ndarray, /) -> float: ...


def event(fun: Callable, *, terminal: bool, direction: int) -> Event:
    """Mark ``fun(x, y)`` as a ``solve_ivp`` event; return it."""
    marked = cast(Event, fun)
    marked.terminal = terminal
    marked.direction = direction
    return marked


def solve_flow(
    rhs: Callable,
    x_max: float,
    y0: Sequence[float],
    events: Sequence[Callable],
    rtol: float = RTOL,
    atol: float = ATOL,
):
    """Integrate ``rhs`` from 0 to ``x_max`` with DOP853 and dense output; return the solution."""
    sol = solve_ivp(
        rhs,
        (0.0, x_max),
        list(y0),
        method="DOP853",
        events=list(events),
        dense_output=True,
        rtol=rtol,
        atol=atol,
    )
    if sol.status == -1:  # pragma: no cover - the flows are smooth for valid input
        raise RuntimeError(f"RG integration failed: {sol.message}")
    return sol


def first_event(sol, index: int) -> tuple[float, float, float] | None:
    """``(x, y₀, y₁)`` of the first occurrence of event ``index``, or None."""
    if not sol.t_events[index].size:
        return None
    ye = sol.y_events[index][0]
    return float(sol.t_events[index][0]), float(ye[0]), float(ye[1])


def grid_union(sol, n_points: int) -> np.ndarray:
    """Solver steps, a uniform grid and the event locations, sorted and unique."""
    end = float(sol.t[-1])
    grid = np.linspace(0.0, end, n_points) if end > 0 else np.array([0.0])
    events = [te[te <= end] for te in sol.t_events]
    return np.unique(np.concatenate([sol.t, grid, *events]))

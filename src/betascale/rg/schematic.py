"""The schematic two-parameter flow of the project's seed article.

The seed article (``shared/seed``, "The Crowd Roars" and "Finkel'stein's Lens") writes
Finkel'stein's picture as a flow in ``ℓ = ln L`` of the dimensionless resistance ``t``
and the interaction amplitude ``γ``::

    dt/dℓ = t² − γ t,        dγ/dℓ = γ² t

Structure (exact): ``dt/dℓ = t(t − γ)`` vanishes on ``t = 0`` and on ``γ = t``;
``dγ/dℓ = γ² t`` vanishes on ``t = 0`` and ``γ = 0``. So ``t = 0`` is a line of fixed
points (attractive for ``γ > 0``), there is no fixed point at ``t > 0``, and ``γ = t``
is where the resistance stops growing and turns over, crossed by every trajectory
because ``γ`` keeps growing there (:func:`classify_schematic_point`). Flow lines with
``γ > 0`` are level sets of :func:`schematic_invariant`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expi

from betascale.errors import InputError
from betascale.rg._ode import ATOL, RTOL, event, first_event, grid_union, solve_flow
from betascale.rg.checks import check_log_scale, check_solver_options
from betascale.validation import finite

__all__ = [
    "DEFAULT_ELL_MAX",
    "T_CAP",
    "SchematicEvent",
    "SchematicPoint",
    "SchematicTrajectory",
    "classify_schematic_point",
    "integrate_schematic",
    "schematic_invariant",
    "schematic_jacobian",
    "schematic_rhs",
]

#: Default end of the ℓ = ln L range for :func:`integrate_schematic`.
DEFAULT_ELL_MAX = 60.0
#: t above which the schematic flow counts as run away to the insulator.
T_CAP = 1.0e3


def schematic_rhs(
    t: float | np.ndarray, gamma: float | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(dt/dℓ, dγ/dℓ) = (t² − γ t, γ² t)``, the seed's schematic flow.

    Parameters
    ----------
    t
        Dimensionless resistance (scalar or array).
    gamma
        Interaction amplitude (broadcast with ``t``).

    Returns
    -------
    tuple of ndarray
        The two derivatives with respect to ``ℓ = ln L`` (project seed article,
        ``shared/seed/000_9209c3505f69668c.txt``, "Finkel'stein's Lens").
    """
    t = np.asarray(t, dtype=float)
    gamma = np.asarray(gamma, dtype=float)
    return t * t - gamma * t, gamma * gamma * t


def schematic_jacobian(t: float, gamma: float) -> np.ndarray:
    """Return the Jacobian ``∂(dt/dℓ, dγ/dℓ)/∂(t, γ)`` of the schematic flow at a point."""
    return np.array([[2.0 * t - gamma, -t], [gamma * gamma, 2.0 * gamma * t]])


@dataclass(frozen=True)
class SchematicPoint:
    """Local analysis of the schematic flow at ``(t, γ)``.

    Attributes
    ----------
    t, gamma
        The point.
    dt_dl, dgamma_dl
        The flow there.
    is_fixed_point
        Both derivatives vanish (only on the line ``t = 0``).
    resistance_stationary
        ``dt/dℓ = 0`` (on ``t = 0`` or ``γ = t``).
    eigenvalues
        Eigenvalues of the Jacobian, sorted by real part.
    kind
        One of ``"fixed line, attractive"`` (``t = 0, γ > 0``: eigenvalues ``−γ`` and 0),
        ``"fixed line, repulsive"`` (``t = 0, γ < 0``), ``"fixed line, marginal"``
        (``t = γ = 0``), ``"resistance maximum"`` (``γ = t > 0``: ``dt/dℓ = 0`` but
        ``γ`` grows), ``"metallic"`` (``γ > t > 0``: ``t`` decreases) or
        ``"insulating"`` (``γ < t``, ``t > 0``: ``t`` grows).
    """

    t: float
    gamma: float
    dt_dl: float
    dgamma_dl: float
    is_fixed_point: bool
    resistance_stationary: bool
    eigenvalues: np.ndarray
    kind: str

    def __str__(self) -> str:
        eig = ", ".join(f"{v:.4g}" for v in self.eigenvalues)
        return (
            f"(t, gamma) = ({self.t:g}, {self.gamma:g}): {self.kind}\n"
            f"  dt/dl = {self.dt_dl:.6g}, dgamma/dl = {self.dgamma_dl:.6g}\n"
            f"  Jacobian eigenvalues: {eig}"
        )


def _kind(t: float, gamma: float) -> str:
    if t == 0:
        sign = "attractive" if gamma > 0 else "repulsive" if gamma < 0 else "marginal"
        return f"fixed line, {sign}"
    if gamma == t:
        return "resistance maximum"
    return "metallic" if gamma > t else "insulating"


def classify_schematic_point(t: float, gamma: float) -> SchematicPoint:
    """Classify a point of the seed's schematic flow ``dt/dℓ = t² − γt, dγ/dℓ = γ² t``.

    Structure (exact, for ``t ≥ 0``):

    * ``t = 0`` is a line of fixed points. The Jacobian there has eigenvalues ``−γ``
      (across the line) and ``0`` (along it): attractive for ``γ > 0`` (a perfect
      metal, ``t → 0``), repulsive for ``γ < 0``.
    * There is no fixed point with ``t > 0``: ``dγ/dℓ = 0`` needs ``γ = 0``, and then
      ``dt/dℓ = t² > 0``.
    * On ``γ = t > 0``, ``dt/dℓ = 0`` but ``dγ/dℓ = t³ > 0``: trajectories cross the
      line, and ``t`` has its maximum there.
    * ``γ > t > 0``: the resistance decreases; ``γ < t``: it increases.

    Parameters
    ----------
    t
        Dimensionless resistance, ``t ≥ 0``.
    gamma
        Interaction amplitude.

    Returns
    -------
    SchematicPoint
        The flow, its Jacobian's eigenvalues and the kind of point.
    """
    t = finite("t", t)
    gamma = finite("gamma", gamma)
    if t < 0:
        raise InputError(f"t must be >= 0, got {t}")
    dt, dg = (float(v) for v in schematic_rhs(t, gamma))
    eig = np.linalg.eigvals(schematic_jacobian(t, gamma))
    eig = eig[np.argsort(eig.real)]
    return SchematicPoint(t, gamma, dt, dg, dt == 0 and dg == 0, dt == 0, eig, _kind(t, gamma))


def schematic_invariant(t: float | np.ndarray, gamma: float | np.ndarray) -> float | np.ndarray:
    """Return ``I = t e^{1/γ} − Ei(1/γ)``, constant along schematic flow lines with ``γ > 0``.

    From ``dt/dγ = (t − γ)/γ²``, a linear equation with integrating factor ``e^{1/γ}``
    (derived here). Since ``Ei(1/γ) → −∞`` only logarithmically as ``γ → ∞``, every
    flow line with ``γ₀ > 0`` reaches ``t = 0`` at a finite ``γ``: it ends on the
    attractive fixed line. Overflows for ``γ ≲ 1/700``.

    Parameters
    ----------
    t, gamma
        Points of the plane (scalars or arrays), ``γ > 0``.

    Returns
    -------
    float or ndarray
        ``I(t, γ)``.
    """
    t = np.asarray(t, dtype=float)
    gamma = np.asarray(gamma, dtype=float)
    return t * np.exp(1.0 / gamma) - expi(1.0 / gamma)


@dataclass(frozen=True)
class SchematicEvent:
    """A point on a schematic trajectory: ``ℓ``, ``t``, ``γ``."""

    ell: float
    t: float
    gamma: float

    def to_dict(self) -> dict[str, float]:
        """JSON-ready dictionary."""
        return {"ell": self.ell, "t": self.t, "gamma": self.gamma}

    def __str__(self) -> str:
        return f"ell = {self.ell:.6g}: t = {self.t:.6g}, gamma = {self.gamma:.6g}"


@dataclass(frozen=True)
class SchematicTrajectory:
    """A trajectory of the schematic flow.

    ``print(trajectory)`` shows the start, the maximum of ``t``, the runaway and the end.

    Attributes
    ----------
    ell, t, gamma
        Samples from ``ℓ = 0`` to the end.
    t0, gamma0, ell_max
        The request.
    t_max
        Where ``dt/dℓ`` changes sign from + to − (the crossing of ``γ = t``), or None.
    runaway
        Where ``t`` reached ``T_CAP`` = 10³, or None. For ``γ₀ = 0`` this is the true
        divergence ``t = t₀/(1 − t₀ℓ)`` at ``ℓ = 1/t₀``. For small ``γ₀ > 0``, ``t``
        stays finite but grows far beyond any perturbative value before ``γ`` catches
        up (see :func:`schematic_invariant`); reaching the cap then means "flows to
        strong coupling" (insulating in practice).
    """

    ell: np.ndarray
    t: np.ndarray
    gamma: np.ndarray
    t0: float
    gamma0: float
    ell_max: float
    t_max: SchematicEvent | None
    runaway: SchematicEvent | None

    def to_dict(self, samples: bool = False) -> dict[str, Any]:
        """JSON-ready summary (with the sampled ``ell``, ``t``, ``gamma`` if ``samples``)."""
        out: dict[str, Any] = {
            "t0": self.t0,
            "gamma0": self.gamma0,
            "ell_max": self.ell_max,
            "t_max": self.t_max.to_dict() if self.t_max is not None else None,
            "runaway": self.runaway.to_dict() if self.runaway is not None else None,
            "end": {
                "ell": float(self.ell[-1]),
                "t": float(self.t[-1]),
                "gamma": float(self.gamma[-1]),
            },
        }
        if samples:
            out.update(ell=self.ell.tolist(), t=self.t.tolist(), gamma=self.gamma.tolist())
        return out

    def __str__(self) -> str:
        end = SchematicEvent(float(self.ell[-1]), float(self.t[-1]), float(self.gamma[-1]))
        lines = [
            f"schematic flow (seed article): t0 = {self.t0:g}, gamma0 = {self.gamma0:g}, "
            f"ell in [0, {self.ell_max:g}]",
            f"  maximum of t at {self.t_max}" if self.t_max is not None else "  t has no maximum",
        ]
        if self.runaway is not None:
            lines.append(f"  t runs away (> {T_CAP:g}) at {self.runaway}")
        lines.append(f"  end at {end}")
        return "\n".join(lines)


def integrate_schematic(
    t0: float, gamma0: float, ell_max: float = DEFAULT_ELL_MAX, *, n_points: int = 400
) -> SchematicTrajectory:
    """Integrate the seed's schematic flow ``dt/dℓ = t² − γ t, dγ/dℓ = γ² t``.

    Parameters
    ----------
    t0
        Initial resistance, ``t ≥ 0``.
    gamma0
        Initial interaction amplitude (finite).
    ell_max
        End of the ``ℓ = ln L`` range, > 0.
    n_points
        Size of the uniform grid merged with the solver's steps.

    Returns
    -------
    SchematicTrajectory
        With the maximum of ``t`` (event ``t − γ = 0`` crossed downwards) and the
        runaway ``t = T_CAP`` = 10³ (terminal).

    Raises
    ------
    InputError
        For a value that is not a number, ``t0 < 0``, ``t0`` at or above the cap, a
        non-finite value, ``ell_max`` outside (0, 1000], or ``n_points`` not an integer in
        ``[2, MAX_POINTS]`` (:func:`~betascale.rg.checks.check_solver_options`).
    """
    t0 = finite("t0", t0)
    gamma0 = finite("gamma0", gamma0)
    if t0 < 0:
        raise InputError(f"t0 must be >= 0, got {t0}")
    if t0 >= T_CAP:
        raise InputError(f"t0 must be below the runaway cap {T_CAP:g}, got {t0}")
    ell_max = check_log_scale("ell_max", ell_max)
    n_points = check_solver_options(n_points, RTOL, ATOL)[0]

    def rhs(ell: float, y: np.ndarray) -> np.ndarray:
        return np.array([float(v) for v in schematic_rhs(y[0], y[1])])

    events = [
        event(lambda ell, y: float(y[0] - y[1]), terminal=False, direction=-1),
        event(lambda ell, y: float(y[0]) - T_CAP, terminal=True, direction=1),
    ]
    sol = solve_flow(rhs, ell_max, [t0, gamma0], events)

    def found(index: int) -> SchematicEvent | None:
        hit = first_event(sol, index) if t0 > 0 else None
        return None if hit is None else SchematicEvent(*hit)

    ell = grid_union(sol, n_points)
    y = sol.sol(ell)
    return SchematicTrajectory(
        ell=ell,
        t=y[0],
        gamma=y[1],
        t0=t0,
        gamma0=gamma0,
        ell_max=ell_max,
        t_max=found(0),
        runaway=found(1),
    )

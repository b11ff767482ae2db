"""The one-loop RG flow of Punnoose & Finkel'stein: equations, integration, results.

Punnoose & Finkel'stein, Phys. Rev. Lett. 88, 016802 (2002), for ``n_v`` degenerate
valleys, with ``ξ = −ln(T τ/ħ)``, ``ρ = (e²/πh) R_□`` and ``γ₂`` the triplet
scattering amplitude::

    dρ/dξ  = ρ² [ n_v + 1 − (4 n_v² − 1) ( (1+γ₂)/γ₂ · ln(1+γ₂) − 1 ) ]
    dγ₂/dξ = ρ (1+γ₂)² / 2

In the bracket (:func:`pf_bracket`, the one place it is written) ``n_v`` is weak
localization, ``1`` the singlet (Coulomb) channel and ``4 n_v² − 1`` the
triplet/multiplet channels. Along a flow ``γ₂`` grows; ``ρ`` has its maximum where
the bracket vanishes (:func:`bracket_zero`), and ``γ₂`` runs away at finite ``ξ``.
The two-loop, large-``n_v`` theory with a metal–insulator fixed point is Punnoose &
Finkel'stein, Science 310, 289 (2005); the review is Finkel'stein & Schwiete,
arXiv:2303.00655.

Mapping to the lattice analysis
-------------------------------
``ρ = (e²/πh) R_□ = 1/(π g)`` with ``g = G/(e²/h)`` the sheet conductance summed over
the two spin directions and the ``n_v`` valleys, i.e. ``g = 2 n_v g₁`` with ``g₁`` the
conductance of one spin-valley copy, the ``g`` of the spinless orthogonal lattice
model (contact-corrected, in e²/h); see :func:`rho_from_g`. The temperature plays the
role of the system size through the thermal length ``L_T² = D/T``, so
``ξ = 2 ln L + const``. Without interactions (``interactions=False``)
``dρ/dξ = n_v ρ²``, so ``β(g) = d ln g/d ln L = −1/(π g₁)``: the orthogonal
weak-localization slope per spin-valley copy (Hikami, Phys. Rev. B 24, 2671 (1981)).
``γ₂ → 0`` is *not* the non-interacting limit: the singlet ``1`` in the bracket is
the long-range Coulomb (Altshuler–Aronov) term and remains.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy.optimize import brentq

from betascale import validation
from betascale.errors import InputError
from betascale.rg._ode import ATOL, RTOL, event, first_event, grid_union, solve_flow
from betascale.rg.checks import (
    GAMMA2_CAP,
    RHO_CAP,
    check_cap,
    check_gamma0,
    check_log_scale,
    check_nv,
    check_rho0,
    check_solver_options,
)
from betascale.rg.flow_lines import pf_rho_at_runaway

__all__ = [
    "DEFAULT_XI_MAX",
    "PFTrajectory",
    "PeakEvent",
    "RunawayEvent",
    "bracket_zero",
    "g_from_rho",
    "integrate_pf",
    "pf_bracket",
    "pf_flow_field",
    "pf_rhs",
    "rho_from_g",
    "triplet_function",
]

#: Default end of the ξ = −ln(Tτ/ħ) range for :func:`integrate_pf`.
DEFAULT_XI_MAX = 60.0

#: Below this |γ₂| the triplet function is summed as a power series.
_SERIES_CUTOFF = 1e-2
_SERIES_TERMS = 12


# ------------------------------------------------------------------ conductance mapping


def rho_from_g(g1: float | np.ndarray, nv: int = 1) -> float | np.ndarray:
    """Return ``ρ = (e²/πh) R_□`` for a conductance ``g₁`` per spin-valley copy.

    Parameters
    ----------
    g1
        Dimensionless conductance of one spin-valley copy, in units of e²/h (the ``g``
        of the spinless orthogonal lattice model).
    nv
        Number of valleys. The total conductance is ``g = 2 n_v g₁`` (two spins).

    Returns
    -------
    float or ndarray
        ``ρ = 1/(π g) = 1/(2π n_v g₁)``.

    Notes
    -----
    Punnoose & Finkel'stein, PRL 88, 016802 (2002) define ``ρ = (e²/πh) R_□`` with
    ``R_□`` the total sheet resistance.
    """
    nv = check_nv(nv)
    return 1.0 / (2.0 * math.pi * nv * np.asarray(g1, dtype=float))


def g_from_rho(rho: float | np.ndarray, nv: int = 1) -> float | np.ndarray:
    """Inverse of :func:`rho_from_g`: the conductance per spin-valley copy, ``1/(2π n_v ρ)``."""
    nv = check_nv(nv)
    return 1.0 / (2.0 * math.pi * nv * np.asarray(rho, dtype=float))


# ------------------------------------------------------------------------ the equations


def triplet_function(gamma2: float | np.ndarray) -> float | np.ndarray:
    """Return ``f(γ₂) = (1+γ₂)/γ₂ · ln(1+γ₂) − 1``, evaluated stably.

    Parameters
    ----------
    gamma2
        Triplet amplitude, ``γ₂ > −1`` (scalar or array).

    Returns
    -------
    float or ndarray
        ``f(γ₂)``. It is increasing, ``f(0) = 0``, ``f ≈ γ₂/2`` near 0, ``f → −1`` as
        ``γ₂ → −1`` and ``f ~ ln γ₂`` for large ``γ₂``.

    Notes
    -----
    For ``|γ₂| < 10⁻²`` the series ``f = Σ_{k≥1} (−1)^{k+1} γ₂^k / (k(k+1))`` is used
    (twelve terms, error below 10⁻²⁴); elsewhere ``log1p``. The function is the triplet
    term of Punnoose & Finkel'stein, PRL 88, 016802 (2002).
    """
    g = np.asarray(gamma2, dtype=float)
    if np.any(g <= -1):
        raise InputError("gamma2 must be > -1")
    out = np.empty_like(g)
    small = np.abs(g) < _SERIES_CUTOFF
    gs = g[small]
    acc = np.zeros_like(gs)
    for k in range(_SERIES_TERMS, 0, -1):  # Horner from the highest power
        acc = gs * (acc + (-1) ** (k + 1) / (k * (k + 1)))
    out[small] = acc
    gl = g[~small]
    out[~small] = (1.0 + gl) * np.log1p(gl) / gl - 1.0
    return out.item() if out.ndim == 0 else out


def _bracket(gamma2: float | np.ndarray, nv: int) -> float | np.ndarray:
    """The bracket for a checked ``nv`` (the one place the formula is written)."""
    return (nv + 1) - (4 * nv * nv - 1) * triplet_function(gamma2)


def _field(rho, gamma2, nv: int, interactions: bool) -> tuple:
    """``(dρ/dξ, dγ₂/dξ)`` for a checked ``nv``; scalars stay Python floats."""
    if not interactions:
        zero = 0.0 if np.ndim(gamma2) == 0 else np.zeros(np.shape(gamma2))
        return nv * rho * rho, zero
    return rho * rho * _bracket(gamma2, nv), 0.5 * rho * (1.0 + gamma2) ** 2


def pf_bracket(gamma2: float | np.ndarray, nv: int = 2) -> float | np.ndarray:
    """Return the bracket ``B = n_v + 1 − (4 n_v² − 1) f(γ₂)`` of ``dρ/dξ = ρ² B``.

    Parameters
    ----------
    gamma2
        Triplet amplitude, ``γ₂ > −1``.
    nv
        Number of valleys (integer ≥ 1).

    Returns
    -------
    float or ndarray
        ``B(γ₂)``: ``n_v + 1`` at ``γ₂ = 0``, decreasing in ``γ₂``, with one zero at
        :func:`bracket_zero`; ``f`` is :func:`triplet_function`. Punnoose &
        Finkel'stein, PRL 88, 016802 (2002).
    """
    return _bracket(gamma2, check_nv(nv))


def pf_flow_field(
    rho: float | np.ndarray,
    gamma2: float | np.ndarray,
    nv: int = 2,
    interactions: bool = True,
) -> tuple[float | np.ndarray, float | np.ndarray]:
    """Return ``(dρ/dξ, dγ₂/dξ)`` of the one-loop flow at ``(ρ, γ₂)`` (scalars or arrays).

    Parameters
    ----------
    rho, gamma2
        The couplings; arrays broadcast (e.g. a grid for a streamline plot).
    nv
        Number of valleys (integer ≥ 1).
    interactions
        If False, keep only weak localization: ``dρ/dξ = n_v ρ²`` and ``γ₂`` frozen.

    Returns
    -------
    tuple
        ``(ρ² B(γ₂), ρ (1+γ₂)²/2)`` with ``B`` from :func:`pf_bracket` (Punnoose &
        Finkel'stein, PRL 88, 016802 (2002)).
    """
    return _field(rho, gamma2, check_nv(nv), interactions)


def pf_rhs(xi: float, y: np.ndarray, nv: int = 2, interactions: bool = True) -> np.ndarray:
    """Right-hand side ``(dρ/dξ, dγ₂/dξ)`` of the one-loop flow at ``y = (ρ, γ₂)``.

    Parameters
    ----------
    xi
        ``ξ = −ln(Tτ/ħ)`` (unused: the flow is autonomous).
    y
        ``(ρ, γ₂)``.
    nv
        Number of valleys.
    interactions
        If False, keep only weak localization: ``dρ/dξ = n_v ρ²`` and ``γ₂`` frozen.

    Returns
    -------
    ndarray
        ``[dρ/dξ, dγ₂/dξ]`` from :func:`pf_flow_field`, in the form ``solve_ivp`` takes.
    """
    return np.array(_field(float(y[0]), float(y[1]), check_nv(nv), interactions))


def bracket_zero(nv: int = 2) -> float:
    """Return ``γ₂*``, where the bracket vanishes and ``ρ`` is at its maximum.

    Solves ``f(γ₂*) = (n_v + 1)/(4 n_v² − 1)`` with Brent's method. The bracket is
    positive for ``γ₂ < γ₂*`` (``ρ`` grows, insulating-like) and negative beyond
    (``ρ`` decreases, metallic-like); it has no zero in ``(−1, 0]``.

    Parameters
    ----------
    nv
        Number of valleys (integer ≥ 1).

    Returns
    -------
    float
        ``γ₂*``, e.g. ≈ 2.084 for ``n_v = 1`` and ≈ 0.457 for ``n_v = 2``.

    Notes
    -----
    Punnoose & Finkel'stein, PRL 88, 016802 (2002); Finkel'stein & Schwiete,
    arXiv:2303.00655.
    """
    nv = check_nv(nv)
    target = (nv + 1) / (4 * nv * nv - 1)
    hi = 1.0
    while triplet_function(hi) < target:
        hi *= 2.0
    return float(brentq(lambda g: triplet_function(g) - target, 0.0, hi, xtol=1e-15, rtol=1e-15))


# -------------------------------------------------------------------------- the results


@dataclass(frozen=True)
class _FlowPoint:
    """A point ``(ξ, ρ, γ₂)`` of a one-loop trajectory."""

    xi: float
    rho: float
    gamma2: float

    @property
    def temperature(self) -> float:
        """``T τ/ħ = exp(−ξ)`` of the point."""
        return math.exp(-self.xi)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary, with ``T_tau = exp(−ξ)``."""
        return {"xi": self.xi, "rho": self.rho, "gamma2": self.gamma2, "T_tau": self.temperature}

    def _where(self) -> str:
        return (
            f"at xi = {self.xi:.6g} (T tau = {self.temperature:.4g}): "
            f"rho = {self.rho:.6g}, gamma2 = {self.gamma2:.6g}"
        )


@dataclass(frozen=True)
class PeakEvent(_FlowPoint):
    """Where ``ρ`` turns over (``dρ/dξ = 0``) on a one-loop trajectory.

    Attributes
    ----------
    xi
        ``ξ = −ln(Tτ/ħ)`` of the maximum (``temperature`` is ``exp(−ξ)``).
    rho
        ``ρ`` at the maximum.
    gamma2
        ``γ₂`` at the maximum (equals :func:`bracket_zero` up to the solver tolerance).
    """

    def __str__(self) -> str:
        return f"rho peaks {self._where()}"


@dataclass(frozen=True)
class RunawayEvent(_FlowPoint):
    """Where integration stopped because a coupling ran away.

    Attributes
    ----------
    xi, rho, gamma2
        The point where the cap was reached (``temperature`` is ``exp(−ξ)``).
    reason
        ``"gamma2"`` if ``γ₂`` reached its cap (default ``GAMMA2_CAP``: the one-loop
        divergence at finite ``ξ``), ``"rho"`` if ``ρ`` reached its cap (default
        ``RHO_CAP``: localization without interactions, or strongly negative ``γ₀``).
    cap
        The cap that was reached.
    """

    reason: Literal["gamma2", "rho"]
    cap: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary, with ``T_tau = exp(−ξ)``, the reason and the cap."""
        return {**super().to_dict(), "reason": self.reason, "cap": self.cap}

    def __str__(self) -> str:
        return f"{self.reason} runs away (> {self.cap:g}) {self._where()}"


@dataclass(frozen=True)
class PFTrajectory:
    """A one-loop trajectory ``ρ(ξ), γ₂(ξ)`` with its events.

    ``print(trajectory)`` shows the start, the maximum of ``ρ``, the runaway or the
    end, and the limit of ``ρ`` on the flow line; :meth:`to_dict` gives the same
    summary as data.

    Attributes
    ----------
    xi, rho, gamma2
        Samples of the trajectory (solver steps merged with a uniform grid), from
        ``ξ = 0`` to ``xi_end``.
    nv, rho0, gamma0, xi_max
        The request.
    interactions
        False for the weak-localization-only flow ``dρ/dξ = n_v ρ²``.
    peak
        The maximum of ``ρ`` (``dρ/dξ`` changes sign from + to −), or None if ``ρ`` has
        no interior maximum in the range (see ``rho_decreasing_from_start``).
    runaway
        The runaway of ``γ₂`` (or of ``ρ``), or None if ``xi_max`` came first. At one
        loop ``γ₂`` diverges at finite ``ξ`` while ``ρ`` stays finite
        (:func:`~betascale.rg.pf_rho_on_flow_line`); beyond it the two-loop theory is
        needed (Science 310, 289 (2005)). ``ρ`` reaches its cap only without
        interactions or from strongly negative ``γ₀``.
    bracket_zero
        ``γ₂*`` from :func:`bracket_zero` (root finder), None without interactions.
    """

    xi: np.ndarray
    rho: np.ndarray
    gamma2: np.ndarray
    nv: int
    rho0: float
    gamma0: float
    xi_max: float
    interactions: bool
    peak: PeakEvent | None
    runaway: RunawayEvent | None
    bracket_zero: float | None = None

    @property
    def temperature(self) -> np.ndarray:
        """``T τ/ħ = exp(−ξ)`` at the samples."""
        return np.exp(-self.xi)

    @property
    def xi_end(self) -> float:
        """The last ``ξ`` reached (``xi_max`` unless a runaway stopped the flow)."""
        return float(self.xi[-1])

    @property
    def rho_decreasing_from_start(self) -> bool:
        """True if ``dρ/dξ < 0`` at ``ξ = 0`` (``γ₀`` beyond the bracket zero)."""
        return bool(self.interactions and self.rho0 > 0 and pf_bracket(self.gamma0, self.nv) < 0)

    @property
    def rho_at_runaway(self) -> float | None:
        """The limit of ``ρ`` as ``γ₂ → ∞`` on this flow line (None without interactions)."""
        if not self.interactions:
            return None
        return pf_rho_at_runaway(self.rho0, self.gamma0, self.nv)

    def to_dict(self, samples: bool = False) -> dict[str, Any]:
        """JSON-ready summary: request, events, end point, ``γ₂*`` and ``ρ(γ₂ → ∞)``.

        Parameters
        ----------
        samples
            Also include the sampled ``xi``, ``rho`` and ``gamma2`` as lists.

        Notes
        -----
        This is what ``betascale rg --json`` prints. Without interactions
        ``bracket_zero_gamma2`` and ``rho_at_gamma2_runaway`` are None.
        """
        out: dict[str, Any] = {
            "nv": self.nv,
            "rho0": self.rho0,
            "gamma0": self.gamma0,
            "xi_max": self.xi_max,
            "peak": self.peak.to_dict() if self.peak is not None else None,
            "rho_decreasing_from_start": self.rho_decreasing_from_start,
            "runaway": self.runaway.to_dict() if self.runaway is not None else None,
            "end": {
                "xi": self.xi_end,
                "rho": float(self.rho[-1]),
                "gamma2": float(self.gamma2[-1]),
            },
            "bracket_zero_gamma2": self.bracket_zero,
            "rho_at_gamma2_runaway": self.rho_at_runaway,
        }
        if samples:
            out.update(xi=self.xi.tolist(), rho=self.rho.tolist(), gamma2=self.gamma2.tolist())
        return out

    def __str__(self) -> str:
        flow = (
            "one-loop RG flow (Punnoose & Finkel'stein)"
            if self.interactions
            else "weak-localization flow (no interactions)"
        )
        lines = [
            f"{flow}, n_v = {self.nv}: rho0 = {self.rho0:g}, gamma2_0 = {self.gamma0:g}, "
            f"xi in [0, {self.xi_max:g}]"
        ]
        if self.bracket_zero is not None:
            lines.append(f"  d rho/d xi = 0 at gamma2* = {self.bracket_zero:.10g}")
        lines.append(f"  {self._peak_text()}")
        lines.append(f"  {self._end_text()}")
        if self.interactions:
            lines.append(f"  rho -> {self.rho_at_runaway:.6g} as gamma2 -> infinity (flow line)")
        return "\n".join(lines)

    def _peak_text(self) -> str:
        if self.peak is not None:
            return str(self.peak)
        if self.rho_decreasing_from_start:
            return "rho decreases from the start (gamma2_0 > gamma2*): no maximum"
        if self.rho0 == 0:
            return "rho0 = 0 is a fixed point: nothing flows"
        if not self.interactions:
            return "rho grows without maximum (weak localization alone)"
        return "rho does not reach its maximum before xi_max"

    def _end_text(self) -> str:
        if self.runaway is not None:
            return str(self.runaway)
        return (
            f"no runaway up to xi = {self.xi_end:g}: rho = {self.rho[-1]:.6g}, "
            f"gamma2 = {self.gamma2[-1]:.6g}"
        )


# ------------------------------------------------------------------------ integration


def _pf_rhs(nv: int, interactions: bool):
    """``solve_ivp``'s right-hand side for a checked ``nv`` (:func:`pf_rhs` without checks)."""

    def rhs(xi: float, y: np.ndarray) -> np.ndarray:
        return np.array(_field(float(y[0]), float(y[1]), nv, interactions))

    return rhs


def _pf_events(nv: int, interactions: bool, gamma2_cap: float, rho_cap: float) -> list:
    """Events of :func:`integrate_pf`: the maximum of ρ, and the runaways (terminal)."""

    def peak(xi: float, y: np.ndarray) -> float:
        if not interactions:
            return float(nv)
        # B(γ₂): zero exactly where dρ/dξ = ρ² B vanishes with ρ > 0.
        return float(_bracket(max(float(y[1]), -1 + 1e-15), nv))

    return [
        event(peak, terminal=False, direction=-1),
        event(lambda xi, y: float(y[1]) - gamma2_cap, terminal=True, direction=1),
        event(lambda xi, y: float(y[0]) - rho_cap, terminal=True, direction=1),
    ]


def _peak(sol, rho0: float, gamma0: float, nv: int, interactions: bool) -> PeakEvent | None:
    if not interactions or rho0 <= 0:
        return None
    if _bracket(gamma0, nv) == 0.0:
        return PeakEvent(0.0, rho0, gamma0)
    hit = first_event(sol, 0)
    return None if hit is None else PeakEvent(*hit)


def _runaway(sol, gamma2_cap: float, rho_cap: float) -> RunawayEvent | None:
    runaway = None
    caps: tuple[tuple[int, Literal["gamma2", "rho"], float], ...]
    caps = ((1, "gamma2", gamma2_cap), (2, "rho", rho_cap))
    for index, reason, cap in caps:
        hit = first_event(sol, index)
        if hit is not None:
            runaway = RunawayEvent(*hit, reason, cap)
    return runaway


def integrate_pf(
    rho0: float,
    gamma0: float,
    nv: int = 2,
    xi_max: float = DEFAULT_XI_MAX,
    *,
    interactions: bool = True,
    gamma2_cap: float = GAMMA2_CAP,
    rho_cap: float = RHO_CAP,
    n_points: int = 400,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> PFTrajectory:
    """Integrate the one-loop Punnoose–Finkel'stein flow from ``ξ = 0`` to ``xi_max``.

    Parameters
    ----------
    rho0, gamma0
        Initial ``ρ = (e²/πh) R_□ ≥ 0`` and triplet amplitude ``γ₂ > −1`` at ``ξ = 0``.
    nv
        Number of valleys (integer ≥ 1).
    xi_max
        End of the range of ``ξ = −ln(Tτ/ħ)``, > 0.
    interactions
        If False, integrate weak localization alone, ``dρ/dξ = n_v ρ²``, ``γ₂`` frozen.
    gamma2_cap, rho_cap
        Runaway thresholds (default 10³ each); integration stops when one is reached.
    n_points, rtol, atol
        Size of the uniform ξ grid merged with the solver's steps in the result, and
        the tolerances of ``solve_ivp`` (DOP853).

    Returns
    -------
    PFTrajectory
        Samples, the maximum of ``ρ`` (event ``dρ/dξ = 0`` on the dense output) and the
        runaway (terminal events ``γ₂ = gamma2_cap`` or ``ρ = rho_cap``).

    Raises
    ------
    InputError
        For a value that is not a number (a string, a bool), ``rho0 < 0`` or
        non-finite, ``gamma0 ≤ −1``, ``nv`` not an integer ≥ 1, ``xi_max`` outside (0, 1000], an
        initial value at or beyond its cap, a cap above :data:`~betascale.rg.checks.
        MAX_CAP`, or a grid size or tolerance out of range
        (:func:`~betascale.rg.checks.check_solver_options`).
    """
    gamma2_cap = check_cap("gamma2_cap", gamma2_cap)
    rho_cap = check_cap("rho_cap", rho_cap)
    rho0 = check_rho0(rho0, rho_cap)
    gamma0 = check_gamma0(gamma0, gamma2_cap)
    nv = check_nv(nv)
    xi_max = check_log_scale("xi_max", xi_max)
    interactions = validation.flag("interactions", interactions)
    n_points, rtol, atol = check_solver_options(n_points, rtol, atol)

    events = _pf_events(nv, interactions, gamma2_cap, rho_cap)
    sol = solve_flow(_pf_rhs(nv, interactions), xi_max, [rho0, gamma0], events, rtol, atol)
    xi = grid_union(sol, n_points)
    rho, gamma2 = sol.sol(xi)
    return PFTrajectory(
        xi=xi,
        rho=rho,
        gamma2=gamma2,
        nv=nv,
        rho0=rho0,
        gamma0=gamma0,
        xi_max=xi_max,
        interactions=interactions,
        peak=_peak(sol, rho0, gamma0, nv, interactions),
        runaway=_runaway(sol, gamma2_cap, rho_cap),
        bracket_zero=bracket_zero(nv) if interactions else None,
    )

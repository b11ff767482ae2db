"""Renormalization-group flows of interacting disordered electrons in 2D (Finkel'stein).

The lattice simulations of betascale are non-interacting. Electron–electron
interactions enter the package only through the integrators in this module:

* the **schematic flow** of the project's seed article (``shared/seed``, "The Crowd
  Roars" and "Finkel'stein's Lens"), with ``ℓ = ln L``, ``t`` the dimensionless
  resistance and ``γ`` the interaction amplitude::

      dt/dℓ = t² − γ t,        dγ/dℓ = γ² t

* the **one-loop equations of Punnoose & Finkel'stein**, Phys. Rev. Lett. 88, 016802
  (2002), for ``n_v`` degenerate valleys, with ``ξ = −ln(T τ/ħ)``,
  ``ρ = (e²/πh) R_□`` and ``γ₂`` the triplet scattering amplitude::

      dρ/dξ  = ρ² [ n_v + 1 − (4 n_v² − 1) ( (1+γ₂)/γ₂ · ln(1+γ₂) − 1 ) ]
      dγ₂/dξ = ρ (1+γ₂)² / 2

  In the bracket ``n_v`` is weak localization, ``1`` the singlet (Coulomb) channel and
  ``4 n_v² − 1`` the triplet/multiplet channels. The two-loop, large-``n_v`` theory with
  a metal–insulator fixed point is Punnoose & Finkel'stein, Science 310, 289 (2005);
  the review is Finkel'stein & Schwiete, arXiv:2303.00655.

Mapping to the lattice analysis
-------------------------------
``ρ = (e²/πh) R_□ = 1/(π g)`` with ``g = G/(e²/h)`` the sheet conductance summed over
the two spin directions and the ``n_v`` valleys, i.e. ``g = 2 n_v g₁`` with ``g₁`` the
conductance of one spin-valley copy. ``g₁`` is the ``g`` of the spinless orthogonal
lattice model (contact-corrected, in e²/h), so ``ρ = 1/(2π n_v g₁)``; see
:func:`rho_from_g`. The temperature plays the role of the system size through the
thermal length ``L_T² = D/T``, so ``ξ = 2 ln L + const``. Without interactions
(``interactions=False``) ``dρ/dξ = n_v ρ²``, so ``dg/d ln L = −2 n_v/π`` and
``β(g) = d ln g/d ln L = −2 n_v/(π g) = −1/(π g₁)``: the orthogonal
weak-localization slope per spin-valley copy (Hikami, Phys. Rev. B 24, 2671 (1981);
PHYSICS.md). Note that ``γ₂ → 0`` is *not* the non-interacting limit: the singlet
``1`` in the bracket is the long-range Coulomb (Altshuler–Aronov) term and remains.

Schematic flow structure
------------------------
``dt/dℓ = t(t − γ)`` vanishes on ``t = 0`` and on ``γ = t``; ``dγ/dℓ = γ² t``
vanishes on ``t = 0`` and ``γ = 0``. So ``t = 0`` is a line of fixed points
(attractive for ``γ > 0``), there is no fixed point at ``t > 0``, and ``γ = t`` is
where the resistance stops growing and turns over, crossed by every trajectory
because ``γ`` keeps growing there (:func:`classify_schematic_point`).

Exact flow lines
----------------
Dividing the two one-loop equations removes ``ξ``:
``d ln ρ/dγ₂ = 2 B(γ₂)/(1+γ₂)²`` with ``B`` the bracket. It integrates in closed form
(derived here; :func:`pf_flow_invariant`) with the dilogarithm, so ``ρ`` is a function
of ``γ₂`` along a flow line, stays finite, and tends to a finite value when ``γ₂``
runs away. The tests use this as an independent check of the integrator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq
from scipy.special import expi, spence

from betascale.errors import InputError, require_finite

__all__ = [
    "DEFAULT_ELL_MAX",
    "DEFAULT_XI_MAX",
    "GAMMA2_CAP",
    "RHO_CAP",
    "T_CAP",
    "PFTrajectory",
    "PeakEvent",
    "RunawayEvent",
    "SchematicEvent",
    "SchematicPoint",
    "SchematicTrajectory",
    "bracket_zero",
    "classify_schematic_point",
    "g_from_rho",
    "integrate_pf",
    "integrate_schematic",
    "pf_bracket",
    "pf_flow_invariant",
    "pf_rho_at_runaway",
    "pf_rho_on_flow_line",
    "pf_rhs",
    "rho_from_g",
    "schematic_invariant",
    "schematic_jacobian",
    "schematic_resistance_stationary_gamma",
    "schematic_rhs",
    "triplet_function",
]

#: Default end of the ξ = −ln(Tτ/ħ) range for :func:`integrate_pf`.
DEFAULT_XI_MAX = 60.0
#: Default end of the ℓ = ln L range for :func:`integrate_schematic`.
DEFAULT_ELL_MAX = 60.0
#: γ₂ above which the one-loop flow counts as run away (it diverges at finite ξ).
GAMMA2_CAP = 1.0e3
#: ρ above which the one-loop flow counts as run away (only without interactions).
RHO_CAP = 1.0e3
#: t above which the schematic flow counts as run away to the insulator.
T_CAP = 1.0e3

_RTOL = 1e-10
_ATOL = 1e-13
#: Below this |γ₂| the triplet function is summed as a power series.
_SERIES_CUTOFF = 1e-2
_SERIES_TERMS = 12


# --------------------------------------------------------------------------- validation


def _check_nv(nv: int | float) -> int:
    """Return ``nv`` as an int ≥ 1, or raise :class:`InputError`."""
    if isinstance(nv, bool):
        raise InputError(f"nv must be an integer >= 1, got {nv!r}")
    value = require_finite("nv", nv)
    if value != math.floor(value) or value < 1:
        raise InputError(f"nv must be an integer >= 1, got {nv!r}")
    return int(value)


def _check_rho0(rho0: float, cap: float = RHO_CAP) -> float:
    value = require_finite("rho0", rho0)
    if value < 0:
        raise InputError(f"rho0 must be >= 0 (ρ is a resistance), got {value}")
    if value >= cap:
        raise InputError(f"rho0 must be below the runaway cap {cap:g}, got {value}")
    return value


def _check_gamma0(gamma0: float, cap: float = GAMMA2_CAP) -> float:
    value = require_finite("gamma0", gamma0)
    if value <= -1:
        raise InputError(f"gamma0 must be > -1 (ln(1 + γ₂) needs γ₂ > -1), got {value}")
    if value >= cap:
        raise InputError(f"gamma0 must be below the runaway cap {cap:g}, got {value}")
    return value


def _check_positive(name: str, value: float) -> float:
    value = require_finite(name, value)
    if value <= 0:
        raise InputError(f"{name} must be > 0, got {value}")
    return value


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
    nv = _check_nv(nv)
    return 1.0 / (2.0 * math.pi * nv * np.asarray(g1, dtype=float))


def g_from_rho(rho: float | np.ndarray, nv: int = 1) -> float | np.ndarray:
    """Inverse of :func:`rho_from_g`: the conductance per spin-valley copy, ``1/(2π n_v ρ)``."""
    nv = _check_nv(nv)
    return 1.0 / (2.0 * math.pi * nv * np.asarray(rho, dtype=float))


# ------------------------------------------------------------ Punnoose–Finkel'stein flow


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
        :func:`bracket_zero`. Punnoose & Finkel'stein, PRL 88, 016802 (2002).
    """
    nv = _check_nv(nv)
    return (nv + 1) - (4 * nv * nv - 1) * triplet_function(gamma2)


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
        ``[dρ/dξ, dγ₂/dξ]`` (Punnoose & Finkel'stein, PRL 88, 016802 (2002)).
    """
    rho, g2 = float(y[0]), float(y[1])
    if not interactions:
        return np.array([nv * rho * rho, 0.0])
    bracket = (nv + 1) - (4 * nv * nv - 1) * triplet_function(g2)
    return np.array([rho * rho * bracket, 0.5 * rho * (1.0 + g2) ** 2])


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
    nv = _check_nv(nv)
    target = (nv + 1) / (4 * nv * nv - 1)
    hi = 1.0
    while triplet_function(hi) < target:
        hi *= 2.0
    return float(brentq(lambda g: triplet_function(g) - target, 0.0, hi, xtol=1e-15, rtol=1e-15))


def pf_flow_invariant(gamma2: float | np.ndarray, nv: int = 2) -> float | np.ndarray:
    """Return ``F(γ₂)`` with ``ln ρ − F(γ₂)`` constant along every one-loop flow line.

    ``dF/dγ₂ = 2 B(γ₂)/(1+γ₂)²`` with ``B`` the bracket of :func:`pf_bracket`, so that
    ``d ln ρ/dγ₂ = (dρ/dξ)/(ρ dγ₂/dξ) = dF/dγ₂``. In closed form

    ``F(γ₂) = −2(n_v+1)/(1+γ₂) − (4n_v²−1) [2/(1+γ₂) − 2 Li₂(−γ₂) − ln²(1+γ₂)]``,

    with ``F(∞) = −(4 n_v² − 1) π²/3``. Derived here from the equations of Punnoose &
    Finkel'stein, PRL 88, 016802 (2002).

    Parameters
    ----------
    gamma2
        ``γ₂ > −1``, or ``inf``.
    nv
        Number of valleys.
    """
    nv = _check_nv(nv)
    g = np.asarray(gamma2, dtype=float)
    if np.any(g <= -1):
        raise InputError("gamma2 must be > -1")
    m = 4 * nv * nv - 1
    finite = np.isfinite(g)
    gf = np.where(finite, g, 0.0)
    li2 = spence(1.0 + gf)  # Li₂(−γ) = spence(1 + γ) in scipy's convention
    val = -2.0 * (nv + 1) / (1.0 + gf) - m * (2.0 / (1.0 + gf) - 2.0 * li2 - np.log1p(gf) ** 2)
    out = np.where(finite, val, -m * math.pi**2 / 3.0)
    return out.item() if out.ndim == 0 else out


def pf_rho_on_flow_line(
    gamma2: float | np.ndarray, rho0: float, gamma0: float, nv: int = 2
) -> float | np.ndarray:
    """Return ``ρ(γ₂)`` on the one-loop flow line through ``(γ₂, ρ) = (gamma0, rho0)``.

    ``ρ(γ₂) = ρ₀ exp[F(γ₂) − F(γ₀)]`` with ``F`` from :func:`pf_flow_invariant`. It is
    finite for every finite ``γ₂``: at one loop ``ρ`` cannot blow up while interactions
    are on.
    """
    rho0 = _check_rho0(rho0, math.inf)
    gamma0 = _check_gamma0(gamma0, math.inf)
    return rho0 * np.exp(pf_flow_invariant(gamma2, nv) - pf_flow_invariant(gamma0, nv))


def pf_rho_at_runaway(rho0: float, gamma0: float, nv: int = 2) -> float:
    """Return the limit of ``ρ`` when ``γ₂ → ∞`` on the flow line through ``(gamma0, rho0)``."""
    return float(pf_rho_on_flow_line(math.inf, rho0, gamma0, nv))


@dataclass(frozen=True)
class PeakEvent:
    """Where ``ρ`` turns over (``dρ/dξ = 0``) on a one-loop trajectory.

    Attributes
    ----------
    xi
        ``ξ = −ln(Tτ/ħ)`` of the maximum.
    rho
        ``ρ`` at the maximum.
    gamma2
        ``γ₂`` at the maximum (equals :func:`bracket_zero` up to the solver tolerance).
    """

    xi: float
    rho: float
    gamma2: float

    @property
    def temperature(self) -> float:
        """``T τ/ħ = exp(−ξ)`` of the maximum."""
        return math.exp(-self.xi)

    def as_dict(self) -> dict[str, float]:
        """JSON-ready dictionary, with ``T_tau = exp(−ξ)``."""
        return {"xi": self.xi, "rho": self.rho, "gamma2": self.gamma2, "T_tau": self.temperature}


@dataclass(frozen=True)
class RunawayEvent:
    """Where integration stopped because a coupling ran away.

    Attributes
    ----------
    xi, rho, gamma2
        The point where the cap was reached.
    reason
        ``"gamma2"`` if ``γ₂`` reached its cap (default ``GAMMA2_CAP``: the one-loop
        divergence at finite ``ξ``), ``"rho"`` if ``ρ`` reached its cap (default
        ``RHO_CAP``: localization without interactions, or strongly negative ``γ₀``).
    cap
        The cap that was reached.
    """

    xi: float
    rho: float
    gamma2: float
    reason: Literal["gamma2", "rho"]
    cap: float

    def as_dict(self) -> dict[str, float | str]:
        """JSON-ready dictionary."""
        return {
            "xi": self.xi,
            "rho": self.rho,
            "gamma2": self.gamma2,
            "T_tau": math.exp(-self.xi),
            "reason": self.reason,
            "cap": self.cap,
        }


@dataclass(frozen=True)
class PFTrajectory:
    """A one-loop trajectory ``ρ(ξ), γ₂(ξ)`` with its events.

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
        The runaway of ``γ₂`` (or of ``ρ``), or None if ``xi_max`` came first.
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


def _grid_union(sol, n_points: int) -> np.ndarray:
    """Solver steps, a uniform grid and the event locations, sorted and unique."""
    end = float(sol.t[-1])
    grid = np.linspace(0.0, end, n_points) if end > 0 else np.array([0.0])
    events = [te[te <= end] for te in sol.t_events]
    return np.unique(np.concatenate([sol.t, grid, *events]))


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
    rtol: float = _RTOL,
    atol: float = _ATOL,
) -> PFTrajectory:
    """Integrate the one-loop Punnoose–Finkel'stein flow from ``ξ = 0`` to ``xi_max``.

    Parameters
    ----------
    rho0
        Initial ``ρ = (e²/πh) R_□ ≥ 0`` (see the module docstring for ``ρ`` and ``g``).
    gamma0
        Initial triplet amplitude, ``γ₂ > −1``.
    nv
        Number of valleys (integer ≥ 1).
    xi_max
        End of the range of ``ξ = −ln(Tτ/ħ)``, > 0.
    interactions
        If False, integrate weak localization alone, ``dρ/dξ = n_v ρ²``, ``γ₂`` frozen.
    gamma2_cap, rho_cap
        Runaway thresholds (default 10³ each); integration stops when one is reached.
    n_points
        Size of the uniform ξ grid merged with the solver's steps in the result.
    rtol, atol
        Tolerances of ``solve_ivp`` (DOP853).

    Returns
    -------
    PFTrajectory
        Samples, the maximum of ``ρ`` (event ``dρ/dξ = 0``, located by ``solve_ivp`` on
        the dense output) and the runaway (terminal events ``γ₂ = gamma2_cap`` or
        ``ρ = rho_cap``). With interactions, ``ρ`` is finite for every finite ``γ₂``
        (:func:`pf_rho_on_flow_line`); it reaches ``rho_cap`` only from strongly
        negative ``γ₀``, where it grows enormously before ``γ₂`` reaches ``γ₂*``.

    Raises
    ------
    InputError
        For ``rho0 < 0`` or non-finite, ``gamma0 ≤ −1``, ``nv`` not an integer ≥ 1,
        ``xi_max ≤ 0``, or an initial value at or beyond its cap.

    Notes
    -----
    Equations of Punnoose & Finkel'stein, Phys. Rev. Lett. 88, 016802 (2002). At one
    loop ``γ₂`` diverges at a finite ``ξ`` while ``ρ`` stays finite; the two-loop
    theory (Science 310, 289 (2005)) is needed beyond that point.
    """
    gamma2_cap = _check_positive("gamma2_cap", gamma2_cap)
    rho_cap = _check_positive("rho_cap", rho_cap)
    rho0 = _check_rho0(rho0, rho_cap)
    gamma0 = _check_gamma0(gamma0, gamma2_cap)
    nv = _check_nv(nv)
    xi_max = _check_positive("xi_max", xi_max)
    m = 4 * nv * nv - 1

    def rhs(xi: float, y: np.ndarray) -> np.ndarray:
        return pf_rhs(xi, y, nv, interactions)

    def peak_event(xi: float, y: np.ndarray) -> float:
        if not interactions:
            return float(nv)
        # B(γ₂): zero exactly where dρ/dξ = ρ² B vanishes with ρ > 0.
        return (nv + 1) - m * triplet_function(max(float(y[1]), -1 + 1e-15))

    peak_event.terminal = False
    peak_event.direction = -1

    def gamma_cap_event(xi: float, y: np.ndarray) -> float:
        return float(y[1]) - gamma2_cap

    gamma_cap_event.terminal = True
    gamma_cap_event.direction = 1

    def rho_cap_event(xi: float, y: np.ndarray) -> float:
        return float(y[0]) - rho_cap

    rho_cap_event.terminal = True
    rho_cap_event.direction = 1

    sol = solve_ivp(
        rhs,
        (0.0, xi_max),
        [rho0, gamma0],
        method="DOP853",
        events=[peak_event, gamma_cap_event, rho_cap_event],
        dense_output=True,
        rtol=rtol,
        atol=atol,
    )
    if sol.status == -1:  # pragma: no cover - the flow is smooth for valid input
        raise RuntimeError(f"RG integration failed: {sol.message}")

    peak = None
    if interactions and rho0 > 0:
        if pf_bracket(gamma0, nv) == 0.0:
            peak = PeakEvent(0.0, rho0, gamma0)
        elif sol.t_events[0].size:
            xe, ye = float(sol.t_events[0][0]), sol.y_events[0][0]
            peak = PeakEvent(xe, float(ye[0]), float(ye[1]))

    runaway = None
    for idx, reason, cap in ((1, "gamma2", gamma2_cap), (2, "rho", rho_cap)):
        if sol.t_events[idx].size:
            ye = sol.y_events[idx][0]
            runaway = RunawayEvent(
                float(sol.t_events[idx][0]), float(ye[0]), float(ye[1]), reason, cap
            )

    xi = _grid_union(sol, n_points)
    y = sol.sol(xi)
    return PFTrajectory(
        xi=xi,
        rho=y[0],
        gamma2=y[1],
        nv=nv,
        rho0=rho0,
        gamma0=gamma0,
        xi_max=xi_max,
        interactions=interactions,
        peak=peak,
        runaway=runaway,
        bracket_zero=bracket_zero(nv) if interactions else None,
    )


# ------------------------------------------------------------------ schematic seed flow


def schematic_rhs(
    t: float | np.ndarray, gamma: float | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(dt/dℓ, dγ/dℓ) = (t² − γ t, γ² t)``, the seed's schematic flow.

    ``ℓ = ln L``, ``t`` the dimensionless resistance, ``γ`` the interaction (project
    seed article, ``shared/seed/000_9209c3505f69668c.txt``, "Finkel'stein's Lens").
    """
    t = np.asarray(t, dtype=float)
    gamma = np.asarray(gamma, dtype=float)
    return t * t - gamma * t, gamma * gamma * t


def schematic_jacobian(t: float, gamma: float) -> np.ndarray:
    """Return the Jacobian ``∂(dt/dℓ, dγ/dℓ)/∂(t, γ)`` of the schematic flow at a point."""
    return np.array([[2.0 * t - gamma, -t], [gamma * gamma, 2.0 * gamma * t]])


def schematic_resistance_stationary_gamma(t: float | np.ndarray) -> float | np.ndarray:
    """Return the ``γ`` at which ``dt/dℓ = 0`` for a resistance ``t > 0``: the line ``γ = t``.

    ``dt/dℓ = t (t − γ)`` vanishes on ``t = 0`` and on ``γ = t``. The seed article asks
    for ``dt/dℓ = 0`` for a metal; in the schematic flow this happens on ``γ = t``,
    but there ``dγ/dℓ = t³ > 0``, so the line is crossed: it is where ``t`` has its
    maximum on a trajectory, not a fixed point (see :func:`classify_schematic_point`).
    """
    t = np.asarray(t, dtype=float)
    if np.any(t <= 0):
        raise InputError("t must be > 0 (at t = 0 dt/dℓ vanishes for every γ)")
    return t.item() if t.ndim == 0 else t.copy()


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
    """
    t = require_finite("t", t)
    gamma = require_finite("gamma", gamma)
    if t < 0:
        raise InputError(f"t must be >= 0, got {t}")
    dt, dg = (float(v) for v in schematic_rhs(t, gamma))
    eig = np.linalg.eigvals(schematic_jacobian(t, gamma))
    eig = eig[np.argsort(eig.real)]
    if t == 0:
        kind = "fixed line, " + (
            "attractive" if gamma > 0 else "repulsive" if gamma < 0 else "marginal"
        )
    elif gamma == t:
        kind = "resistance maximum"
    elif gamma > t:
        kind = "metallic"
    else:
        kind = "insulating"
    return SchematicPoint(t, gamma, dt, dg, dt == 0 and dg == 0, dt == 0, eig, kind)


def schematic_invariant(t: float | np.ndarray, gamma: float | np.ndarray) -> float | np.ndarray:
    """Return ``I = t e^{1/γ} − Ei(1/γ)``, constant along schematic flow lines with ``γ > 0``.

    From ``dt/dγ = (t − γ)/γ²``, a linear equation with integrating factor ``e^{1/γ}``
    (derived here). Since ``Ei(1/γ) → −∞`` only logarithmically as ``γ → ∞``, every
    flow line with ``γ₀ > 0`` reaches ``t = 0`` at a finite ``γ``: it ends on the
    attractive fixed line. Overflows for ``γ ≲ 1/700``.
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


@dataclass(frozen=True)
class SchematicTrajectory:
    """A trajectory of the schematic flow.

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
    """
    t0 = require_finite("t0", t0)
    gamma0 = require_finite("gamma0", gamma0)
    if t0 < 0:
        raise InputError(f"t0 must be >= 0, got {t0}")
    if t0 >= T_CAP:
        raise InputError(f"t0 must be below the runaway cap {T_CAP:g}, got {t0}")
    ell_max = _check_positive("ell_max", ell_max)

    def rhs(ell: float, y: np.ndarray) -> np.ndarray:
        return np.array([float(v) for v in schematic_rhs(y[0], y[1])])

    def t_max_event(ell: float, y: np.ndarray) -> float:
        return float(y[0] - y[1])

    t_max_event.terminal = False
    t_max_event.direction = -1

    def cap_event(ell: float, y: np.ndarray) -> float:
        return float(y[0]) - T_CAP

    cap_event.terminal = True
    cap_event.direction = 1

    sol = solve_ivp(
        rhs,
        (0.0, ell_max),
        [t0, gamma0],
        method="DOP853",
        events=[t_max_event, cap_event],
        dense_output=True,
        rtol=_RTOL,
        atol=_ATOL,
    )
    if sol.status == -1:  # pragma: no cover
        raise RuntimeError(f"RG integration failed: {sol.message}")

    def event(i: int) -> SchematicEvent | None:
        if t0 > 0 and sol.t_events[i].size:
            ye = sol.y_events[i][0]
            return SchematicEvent(float(sol.t_events[i][0]), float(ye[0]), float(ye[1]))
        return None

    ell = _grid_union(sol, n_points)
    y = sol.sol(ell)
    return SchematicTrajectory(
        ell=ell,
        t=y[0],
        gamma=y[1],
        t0=t0,
        gamma0=gamma0,
        ell_max=ell_max,
        t_max=event(0),
        runaway=event(1),
    )

"""Input checks of the RG integrators, and the runaway caps they enforce.

Every check returns the value in canonical form (a float, or an int for ``nv``) or
raises :class:`~betascale.errors.InputError` with a one-line message that names the
Python parameter; the type checks are those of :mod:`betascale.validation`, the input
policy of the whole package. The command line calls the same checks
(:mod:`betascale.cli.rg`).
"""

from __future__ import annotations

from betascale import validation
from betascale.errors import InputError
from betascale.validation import finite

__all__ = [
    "GAMMA2_CAP",
    "MAX_CAP",
    "RHO_CAP",
    "check_cap",
    "check_gamma0",
    "check_log_scale",
    "check_nv",
    "check_positive",
    "check_rho0",
    "check_solver_options",
]

#: γ₂ above which the one-loop flow counts as run away (it diverges at finite ξ).
GAMMA2_CAP = 1.0e3
#: ρ above which the one-loop flow counts as run away (only without interactions).
RHO_CAP = 1.0e3
#: Largest runaway cap: the flows diverge at finite ξ, and a solver chasing a larger
#: cap only resolves the divergence further.
MAX_CAP = 1.0e12
#: Largest end of an RG integration, in ``ξ = −ln(Tτ/ħ)`` or ``ℓ = ln L``: e^1000 is
#: far beyond any temperature or size, and near a slow fixed point the solver's cost
#: grows with the range (seconds at 10⁴).
MAX_LOG_SCALE = 1.0e3
#: Smallest relative tolerance: ``solve_ivp`` raises anything below ``100 eps`` to it.
MIN_RTOL = 100 * 2.220446049250313e-16


def check_nv(nv: int | float) -> int:
    """Return the number of valleys ``nv`` as an int.

    Parameters
    ----------
    nv
        An integer ≥ 1, or a float with an integer value (``2.0``).

    Raises
    ------
    InputError
        If ``nv`` is a bool, not a finite number, not integer-valued, or below 1.
    """
    return validation.integer("nv", nv, low=1, high=10**6, allow_float=True)


def check_rho0(rho0: float, cap: float = RHO_CAP) -> float:
    """Return the initial resistance ``rho0`` as a float.

    Parameters
    ----------
    rho0
        ``ρ₀ = (e²/πh) R_□ ≥ 0`` (a resistance).
    cap
        The runaway cap of ``ρ``; ``rho0`` must lie below it.

    Raises
    ------
    InputError
        If ``rho0`` is not finite, negative, or at or above ``cap``.
    """
    value = finite("rho0", rho0)
    if value < 0:
        raise InputError(f"rho0 must be >= 0 (ρ is a resistance), got {value}")
    if value >= cap:
        raise InputError(f"rho0 must be below the runaway cap {cap:g}, got {value}")
    return value


def check_gamma0(gamma0: float, cap: float = GAMMA2_CAP) -> float:
    """Return the initial triplet amplitude ``gamma0`` as a float.

    Parameters
    ----------
    gamma0
        ``γ₂ > −1`` (``ln(1 + γ₂)`` enters the flow).
    cap
        The runaway cap of ``γ₂``; ``gamma0`` must lie below it.

    Raises
    ------
    InputError
        If ``gamma0`` is not finite, ``≤ −1``, or at or above ``cap``.
    """
    value = finite("gamma0", gamma0)
    if value <= -1:
        raise InputError(f"gamma0 must be > -1 (ln(1 + γ₂) needs γ₂ > -1), got {value}")
    if value >= cap:
        raise InputError(f"gamma0 must be below the runaway cap {cap:g}, got {value}")
    return value


def check_positive(name: str, value: float) -> float:
    """Return ``value`` as a float if it is finite and > 0.

    Parameters
    ----------
    name
        The parameter's name, for the message (e.g. ``"xi_max"``).
    value
        The value to check.

    Raises
    ------
    InputError
        If ``value`` is not a finite number > 0.
    """
    return validation.number(name, value, low=0.0, open_low=True)


def check_log_scale(name: str, value: float) -> float:
    """Return the end ``xi_max`` or ``ell_max`` of an RG integration, in (0, MAX_LOG_SCALE]."""
    return validation.number(name, value, low=0.0, high=MAX_LOG_SCALE, open_low=True,
                             why="a logarithmic scale")  # fmt: skip


def check_cap(name: str, value: float) -> float:
    """Return a runaway cap as a float in (0, :data:`MAX_CAP`]."""
    return validation.number(name, value, low=0.0, high=MAX_CAP, open_low=True)


def check_solver_options(n_points: int, rtol: float, atol: float) -> tuple[int, float, float]:
    """Return the output grid size and the tolerances of an RG integration, checked.

    ``2 <= n_points <=`` :data:`~betascale.validation.MAX_POINTS` (the grid is kept in
    memory), ``MIN_RTOL <= rtol < 1`` and ``0 < atol < 1``: a NaN or zero tolerance
    would never be met (``solve_ivp`` of SciPy would step forever).
    """
    n_points = validation.integer("n_points", n_points, low=2, high=validation.MAX_POINTS)
    rtol = validation.number("rtol", rtol, low=MIN_RTOL, high=1.0, open_high=True)
    atol = validation.number("atol", atol, low=0.0, high=1.0, open_low=True, open_high=True)
    return n_points, rtol, atol

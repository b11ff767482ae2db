"""Input checks of the RG integrators, and the runaway caps they enforce.

Every check returns the value in canonical form (a float, or an int for ``nv``) or
raises :class:`~betascale.errors.InputError` with a one-line message that names the
Python parameter. The command line calls the same checks
(:mod:`betascale.cli.rg`).
"""

from __future__ import annotations

import math

from betascale.errors import InputError, require_finite

__all__ = [
    "GAMMA2_CAP",
    "RHO_CAP",
    "check_gamma0",
    "check_nv",
    "check_positive",
    "check_rho0",
]

#: γ₂ above which the one-loop flow counts as run away (it diverges at finite ξ).
GAMMA2_CAP = 1.0e3
#: ρ above which the one-loop flow counts as run away (only without interactions).
RHO_CAP = 1.0e3


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
    if isinstance(nv, bool):
        raise InputError(f"nv must be an integer >= 1, got {nv!r}")
    value = require_finite("nv", nv)
    if value != math.floor(value) or value < 1:
        raise InputError(f"nv must be an integer >= 1, got {nv!r}")
    return int(value)


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
    value = require_finite("rho0", rho0)
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
    value = require_finite("gamma0", gamma0)
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
    value = require_finite(name, value)
    if value <= 0:
        raise InputError(f"{name} must be > 0, got {value}")
    return value

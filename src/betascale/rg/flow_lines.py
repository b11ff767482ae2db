"""Exact flow lines of the one-loop Punnoose–Finkel'stein flow.

Dividing the two one-loop equations of Punnoose & Finkel'stein, PRL 88, 016802
(2002), removes ``ξ``: ``d ln ρ/dγ₂ = 2 B(γ₂)/(1+γ₂)²`` with ``B`` the bracket
(:func:`betascale.rg.pf_bracket`). It integrates in closed form with the dilogarithm
(derived here; :func:`pf_flow_invariant`), so ``ρ`` is a function of ``γ₂`` along a
flow line, stays finite, and tends to a finite value when ``γ₂`` runs away. The tests
use this as a check of the integrator that is independent of it.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import spence

from betascale.errors import InputError
from betascale.rg.checks import check_gamma0, check_nv, check_rho0

__all__ = ["pf_flow_invariant", "pf_rho_at_runaway", "pf_rho_on_flow_line"]


def pf_flow_invariant(gamma2: float | np.ndarray, nv: int = 2) -> float | np.ndarray:
    """Return ``F(γ₂)`` with ``ln ρ − F(γ₂)`` constant along every one-loop flow line.

    ``dF/dγ₂ = 2 B(γ₂)/(1+γ₂)²`` with ``B`` the bracket of
    :func:`~betascale.rg.pf_bracket`, so that
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

    Returns
    -------
    float or ndarray
        ``F(γ₂)``.
    """
    nv = check_nv(nv)
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

    Parameters
    ----------
    gamma2
        Where to evaluate, ``γ₂ > −1`` or ``inf``.
    rho0, gamma0
        A point of the flow line.
    nv
        Number of valleys.

    Returns
    -------
    float or ndarray
        ``ρ(γ₂) = ρ₀ exp[F(γ₂) − F(γ₀)]`` with ``F`` from :func:`pf_flow_invariant`. It
        is finite for every finite ``γ₂``: at one loop ``ρ`` cannot blow up while
        interactions are on.
    """
    rho0 = check_rho0(rho0, math.inf)
    gamma0 = check_gamma0(gamma0, math.inf)
    return rho0 * np.exp(pf_flow_invariant(gamma2, nv) - pf_flow_invariant(gamma0, nv))


def pf_rho_at_runaway(rho0: float, gamma0: float, nv: int = 2) -> float:
    """Return the limit of ``ρ`` when ``γ₂ → ∞`` on the flow line through ``(gamma0, rho0)``.

    Parameters
    ----------
    rho0, gamma0
        A point of the flow line.
    nv
        Number of valleys.

    Returns
    -------
    float
        ``ρ₀ exp[F(∞) − F(γ₀)]`` (:func:`pf_rho_on_flow_line` at ``γ₂ = ∞``).
    """
    return float(pf_rho_on_flow_line(math.inf, rho0, gamma0, nv))

"""Renormalization-group flows of interacting disordered electrons in 2D (Finkel'stein).

The lattice simulations of betascale are non-interacting. Electron–electron
interactions enter the package only through the integrators of this package:

* :mod:`betascale.rg.pf` — the **one-loop equations of Punnoose & Finkel'stein**,
  Phys. Rev. Lett. 88, 016802 (2002), for ``n_v`` degenerate valleys, with
  ``ξ = −ln(T τ/ħ)``, ``ρ = (e²/πh) R_□`` and ``γ₂`` the triplet amplitude::

      dρ/dξ  = ρ² [ n_v + 1 − (4 n_v² − 1) ( (1+γ₂)/γ₂ · ln(1+γ₂) − 1 ) ]
      dγ₂/dξ = ρ (1+γ₂)² / 2

  with :func:`integrate_pf`, which returns a :class:`PFTrajectory` (``print`` it for
  a summary), and the conductance mapping :func:`rho_from_g`;
* :mod:`betascale.rg.flow_lines` — the exact flow lines ``ρ(γ₂)`` of that flow
  (closed form, derived here), an independent check of the integrator;
* :mod:`betascale.rg.schematic` — the **schematic flow** of the project's seed article
  (``shared/seed``), ``dt/dℓ = t² − γ t``, ``dγ/dℓ = γ² t`` with ``ℓ = ln L``, its
  fixed points and :func:`integrate_schematic`;
* :mod:`betascale.rg.checks` — the input checks (shared with the command line) and
  the runaway caps.

Example
-------
>>> from betascale import rg
>>> traj = rg.integrate_pf(rho0=0.2, gamma0=0.3, nv=2)
>>> round(traj.peak.gamma2, 4) == round(rg.bracket_zero(2), 4)
True
"""

from __future__ import annotations

from betascale.rg.checks import (
    GAMMA2_CAP,
    RHO_CAP,
    check_gamma0,
    check_nv,
    check_positive,
    check_rho0,
)
from betascale.rg.flow_lines import pf_flow_invariant, pf_rho_at_runaway, pf_rho_on_flow_line
from betascale.rg.pf import (
    DEFAULT_XI_MAX,
    PeakEvent,
    PFTrajectory,
    RunawayEvent,
    bracket_zero,
    g_from_rho,
    integrate_pf,
    pf_bracket,
    pf_flow_field,
    pf_rhs,
    rho_from_g,
    triplet_function,
)
from betascale.rg.schematic import (
    DEFAULT_ELL_MAX,
    T_CAP,
    SchematicEvent,
    SchematicPoint,
    SchematicTrajectory,
    classify_schematic_point,
    integrate_schematic,
    schematic_invariant,
    schematic_jacobian,
    schematic_rhs,
)

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
    "check_gamma0",
    "check_nv",
    "check_positive",
    "check_rho0",
    "classify_schematic_point",
    "g_from_rho",
    "integrate_pf",
    "integrate_schematic",
    "pf_bracket",
    "pf_flow_field",
    "pf_flow_invariant",
    "pf_rho_at_runaway",
    "pf_rho_on_flow_line",
    "pf_rhs",
    "rho_from_g",
    "schematic_invariant",
    "schematic_jacobian",
    "schematic_rhs",
    "triplet_function",
]

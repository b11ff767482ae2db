"""The size laws of the weak-localization fits, and their weighted least squares.

A *law* is the size dependence ``G(l; g0, A)`` of ``<g>`` that a class predicts, with
``l = ln(L/L_ref)``, one amplitude ``g0`` per disorder strength and one coefficient
``A`` shared by all of them; the fits of :mod:`~betascale.analysis.weak_localization`
add the finite-size remainder ``c/L (+ d/L^2)`` per W and solve every law with the same
weighted least squares (:func:`least_squares`).

* :data:`ONE_LOOP` (orthogonal, symplectic): ``G = g0 + a l`` with ``L_ref = 1``; the
  slope ``a`` is ``-1/pi`` (O) or ``+1/pi`` (S, both spins) at one loop (Hikami,
  Larkin & Nagaoka, Prog. Theor. Phys. 63, 707 (1980)); the next term of ``d<g>/d ln L``
  is ``3 zeta(3)/(4 pi^4 g^3)``, below 1 % of ``1/pi`` for ``g >= 1.5`` (Wegner, Nucl.
  Phys. B 316, 663 (1989)). The law is linear and solved in one step.
* :data:`TWO_LOOP` (unitary): the flow ``dg/d ln L = g beta_U(g) = -c2/g - c4/g^3`` with
  ``c2 = 1/(2 pi^2)`` (two loops; the one-loop term vanishes) and ``c4 = 3/(8 pi^4)``
  (four loops; the three-loop term vanishes), spinless ``g`` in e²/h (Hikami, Phys.
  Rev. B 24, 2671 (1981); Wegner 1989; Evers & Mirlin, Rev. Mod. Phys. 80, 1355 (2008),
  Sec. II.A; :data:`betascale.theory.LEADING` and :data:`~betascale.theory.NEXT`),
  integrated from ``G(0) = g0`` at the geometric mean ``L_ref`` of the fitted sizes.
  ``c2`` is fitted; ``c4`` is held at its theory value (3/(4 pi^2) = 7.6 % of the c2
  term at g = 1, 3.4 % at g = 1.5; ``c4 = 0`` is allowed). In ``u = g^2`` the flow is
  ``du/dl = -2 c2 - 2 c4/u``: at ``c4 = 0`` it is the closed form ``g^2 = g0^2 - 2 c2
  l``; with ``c4`` the implicit solution ``u - (c4/c2) ln(c2 u + c4) = u0 - (c4/c2)
  ln(c2 u0 + c4) - 2 c2 l`` has no closed form in ``u`` (and none at ``c2 <= 0``, which a
  fit of noisy data must be able to visit), so :func:`two_loop_g` integrates it (with
  the derivatives in ``g0`` and ``c2``) by fourth-order Runge–Kutta, to 1e-10 over the
  ranges of ``l`` met here.

:func:`least_squares` is Gauss–Newton with weights ``1/se^2``: each step is the
weighted linear least squares of the linearised law (one step for a linear law),
halved until chi² does not grow (Nocedal & Wright, Numerical Optimization, Sec. 10.3);
every bootstrap replicate of the data is refitted in the linearisation at the
solution, for the errors and the percentile intervals.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from betascale import theory
from betascale.analysis.results import quantiles
from betascale.errors import InputError

#: The two-loop coefficient of the unitary class, ``1/(2 pi^2)`` (theory.LEADING).
C2_THEORY = -theory.LEADING["unitary"][0]
#: The four-loop coefficient of the unitary class, ``3/(8 pi^4)`` (theory.NEXT).
C4_THEORY = -theory.NEXT["unitary"][0]
#: Runge–Kutta steps of the two-loop flow over one size range.
FLOW_STEPS = 16
#: Gauss–Newton: at most this many (damped) steps, stopping when a step moves the fitted
#: curve by less than ``_TOL`` standard errors (chi2 by less than ``_TOL^2``).
MAX_STEPS = 100
_TOL = 1e-6
#: A coefficient is *resolved* when it lies at least this many standard errors from 0.
RESOLVED_SIGMAS = 3.0

#: ``model(theta) -> (f, J)``: the law at parameters ``theta`` (shape ``(..., p)``) on
#: the ``n`` data points, ``f`` of shape ``(..., n)`` and its Jacobian ``(..., n, p)``.
Model = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def two_loop_g(
    lnL: np.ndarray, g0: np.ndarray, c2: np.ndarray, c4: float = C4_THEORY
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``g(l)`` from ``dg/dl = -c2/g - c4/g^3``, ``g(0) = g0``, with ``dg/dg0`` and ``dg/dc2``.

    ``lnL = l = ln(L/L_ref)``; the arguments broadcast against each other. RK4 in ``u = g^2``
    (``du/dl = -2 c2 - 2 c4/u``) with :data:`FLOW_STEPS` steps from 0 to ``l``, the
    sensitivities ``s = du/dg0^2`` and ``t = du/dc2`` integrated alongside
    (``ds/dl = 2 c4 s/u^2``, ``dt/dl = -2 + 2 c4 t/u^2``). NaN where the flow reaches
    ``g = 0`` (out of the metallic regime). Source of the flow: see the module docstring.
    """
    lnL, g0, c2 = (np.asarray(x, dtype=float) for x in (lnL, g0, c2))
    u, s, t = np.broadcast_arrays(g0 * g0, np.ones_like(g0), np.zeros_like(c2 + lnL))
    u, s, t = u.astype(float), s.astype(float), t.astype(float)
    h = lnL / FLOW_STEPS

    def rhs(u, s, t):
        k = 2.0 * c4 / (u * u)
        return -2.0 * c2 - 2.0 * c4 / u, k * s, -2.0 + k * t

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(FLOW_STEPS):
            k1 = rhs(u, s, t)
            k2 = rhs(*(x + 0.5 * h * k for x, k in zip((u, s, t), k1, strict=True)))
            k3 = rhs(*(x + 0.5 * h * k for x, k in zip((u, s, t), k2, strict=True)))
            k4 = rhs(*(x + h * k for x, k in zip((u, s, t), k3, strict=True)))
            u, s, t = (
                x + h / 6.0 * (a + 2.0 * b + 2.0 * c + d)
                for x, a, b, c, d in zip((u, s, t), k1, k2, k3, k4, strict=True)
            )
        g = np.where(u > 0, np.sqrt(np.where(u > 0, u, 1.0)), np.nan)
        return g, s * g0 / g, 0.5 * t / g


@dataclass(frozen=True)
class Law:
    """A size law ``G(l; g0, A)`` of ``<g>`` (see the module docstring).

    ``name`` (``"one-loop"``, ``"two-loop"``), ``coefficient`` (the name of ``A``),
    ``form`` (plain text), ``linear`` (solved in one step), ``centred`` (``L_ref`` the
    geometric mean of the sizes; else 1), ``c4`` and ``flow`` (the flow that defines
    ``G``; two-loop only).
    """

    name: str
    coefficient: str
    form: str
    linear: bool
    centred: bool
    c4: float = 0.0
    flow: str = ""

    def curve(
        self, lnL: np.ndarray, g0: np.ndarray, A: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``G``, ``dG/dg0`` and ``dG/dA`` at ``lnL = ln(L/L_ref)`` (broadcast)."""
        if self.linear:
            G = g0 + A * lnL
            return G, np.ones_like(G), np.broadcast_to(lnL, G.shape)
        return two_loop_g(lnL, g0, A, self.c4)

    def reference(self, L: np.ndarray) -> float:
        """``L_ref`` for the sizes ``L``: their geometric mean if centred, else 1."""
        return float(np.exp(np.mean(np.log(L)))) if self.centred else 1.0

    def theory(self, model: str, g: float) -> float:
        """The analytic value of the coefficient for ``model`` at the data's ``<g>``."""
        if self.name == "two-loop":
            return C2_THEORY
        return float(theory.weak_localization_slope(model, g))


ONE_LOOP = Law("one-loop", "a", "g0 + a ln L", linear=True, centred=False)
TWO_LOOP = Law(
    "two-loop",
    "c2",
    "G(L)",
    linear=False,
    centred=True,
    c4=C4_THEORY,
    flow="dG/d ln L = -c2/G - c4/G^3, G(L_ref) = g0, c4 = 3/(8 pi^4) fixed",
)


def law_of(model: str) -> Law:
    """The law a class is fitted with: two-loop for the unitary class, else one-loop."""
    return TWO_LOOP if theory.check_class(model) == "unitary" else ONE_LOOP


def _step(J: np.ndarray, r: np.ndarray, se: np.ndarray) -> np.ndarray:
    """The weighted least-squares step ``argmin |(J d - r)/se|`` (batched over J's lead axes)."""
    A, b = np.nan_to_num(J / se[:, None]), np.nan_to_num(r / se)  # a NaN row stays NaN
    return (np.linalg.pinv(A) @ b[..., None])[..., 0]


def _chi2(model: Model, theta: np.ndarray, y: np.ndarray, se: np.ndarray) -> np.ndarray:
    """``chi2`` of ``theta`` (batched); ``inf`` where the law leaves its domain."""
    r = (y - model(theta)[0]) / se
    return np.nan_to_num(np.sum(r * r, axis=-1), nan=np.inf)


def _iterate(model: Model, theta: np.ndarray, y: np.ndarray, se: np.ndarray) -> np.ndarray:
    """Gauss–Newton steps, each halved (up to 30 times) until ``chi2`` does not grow."""
    for _ in range(MAX_STEPS):
        f, J = model(theta)
        d, chi2 = _step(J, y - f, se), _chi2(model, theta, y, se)
        lam = np.ones(theta.shape[:-1])
        for _ in range(30):
            new = theta + lam[..., None] * d
            worse = ~(_chi2(model, new, y, se) <= chi2 * (1 + 1e-12) + 1e-300)
            if not np.any(worse):
                break
            lam = np.where(worse, 0.5 * lam, lam)
        theta = new  # the step's length in standard errors, |J step/se|, below _TOL:
        moved = np.einsum("...np,...p->...n", J, lam[..., None] * d) / se
        if np.all(np.nan_to_num(np.sum(moved * moved, axis=-1)) <= _TOL**2):
            return theta
    raise InputError(f"the least-squares fit did not converge in {MAX_STEPS} steps")


def least_squares(
    model: Model,
    start: np.ndarray,
    y: np.ndarray,
    se: np.ndarray,
    boot: np.ndarray,
    ci: float,
    linear: bool = False,
) -> tuple[tuple[float, ...], tuple[float, ...], tuple[tuple[float, float], ...], float, int]:
    """Weighted (``1/se^2``) least squares of ``y`` by ``model``, with bootstrap errors.

    Gauss–Newton from ``start`` (one step if ``linear``: then the solution is exactly
    the linear one, ``coef = P y``); each row of ``boot`` (replicates of ``y``, shape
    ``(n_boot, n)``) is refitted with the same weights, in the linearisation of the law
    at the solution (exact for a linear law; for the two-loop law the delta method with
    the bootstrap distribution of the means: a full refit of each replicate can wander
    along the flat c2-c valley of a short, noisy series). Returns the
    coefficients, their bootstrap standard deviations and ``ci`` percentile intervals,
    ``chi2`` and ``dof = n - p``. Raises InputError for a zero ``se``, a fit that leaves
    the law's domain or does not converge.
    """
    y, se = np.asarray(y, dtype=float), np.asarray(se, dtype=float)
    if np.any(~(se > 0)):
        raise InputError("a mean has zero standard error (identical samples?); cannot weight")
    boot = np.asarray(boot, dtype=float)
    start = np.asarray(start, dtype=float)
    coef = start if linear else _iterate(model, start, y, se)
    if not np.all(np.isfinite(coef)):
        raise InputError("the fit leaves the domain of its law (g reaches 0 within the sizes)")
    f, X = model(coef)
    P = np.linalg.pinv(X / se[:, None]) / se[None, :]  # the step: P @ (y - f)
    if linear:  # coef = P @ y exactly
        coef, coef_b = P @ y, boot @ P.T
    else:  # the replicates refitted in the linearisation at the solution
        coef_b = coef + (boot - f) @ P.T
    r = (y - model(coef)[0]) / se
    dof = int(y.size - coef.size)
    intervals = tuple(quantiles(coef_b[:, k], ci) for k in range(coef.size))
    err = tuple(float(v) for v in np.std(coef_b, axis=0, ddof=1))
    return tuple(float(v) for v in coef), err, intervals, float(r @ r), dof


def sigmas_from_zero(value: float, error: float) -> float:
    """``|value|/error``: how many standard errors a coefficient lies from zero."""
    return abs(value) / error if error > 0 else math.nan


def resolution_note(name: str, value: float, error: float) -> str:
    """``""`` if ``value`` is :data:`RESOLVED_SIGMAS` errors from zero, else why not."""
    z = sigmas_from_zero(value, error)
    if z >= RESOLVED_SIGMAS:
        return ""
    return f"not resolved: |{name}|/sigma = {z:.1f} < {RESOLVED_SIGMAS:g}"

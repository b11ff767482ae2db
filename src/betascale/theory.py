"""Analytic scaling functions of the 2D Wigner–Dyson classes (non-interacting).

Conventions
-----------
``g`` is the dimensionless conductance in units of e²/h, counted as in the project's
``PHYSICS.md``: the *total* conductance, summed over both spin directions in the
symplectic class (where the spin is part of the model) and spinless in the orthogonal
and unitary classes. The scaling function is

.. math:: \\beta(g) = \\frac{d \\ln g}{d \\ln L}.

The sigma-model results are usually written for the resistance-like coupling
``t = 1/(2 pi g)`` as ``beta(t) = -dt/d ln L`` (Hikami, Phys. Rev. B 24, 2671 (1981);
Wegner, Nucl. Phys. B 316, 663 (1989); review: Evers & Mirlin, Rev. Mod. Phys. 80, 1355
(2008), Sec. II.A). In two dimensions (epsilon = 0)

* orthogonal:  ``beta(t) = -2 t^2 - 12 zeta(3) t^5 + O(t^6)``,
* unitary:     ``beta(t) = -2 t^3 - 6 t^5 + O(t^7)``,
* symplectic:  ``beta(t) = +2 t^2 - 12 zeta(3) t^5 + O(t^6)``.

(the symplectic line is written for ``t = 1/(2 pi g)`` with ``g`` summed over both
spins; papers that count ``g`` per Kramers copy normalise ``t`` differently). Since
``d ln g / d ln L = beta(t)/t`` this gives, for ``g`` as above,

* ``beta_O(g) = -1/(pi g) - 3 zeta(3)/(4 pi^4 g^4) + ...``
* ``beta_U(g) = -1/(2 pi^2 g^2) - 3/(8 pi^4 g^4) + ...``
* ``beta_S(g) = +1/(pi g) - 3 zeta(3)/(4 pi^4 g^4) + ...``

The orthogonal and symplectic series are related by ``beta_S(g) = beta_O(-g)`` term by
term (Wegner 1989; Evers & Mirlin 2008, Sec. II.A). The sign of the one-loop
symplectic term is weak antilocalization, −½ of the spin-degenerate orthogonal
correction (Hikami, Larkin & Nagaoka, Prog. Theor. Phys. 63, 707 (1980)).

Every function here accepts scalars or arrays and returns the same shape (a Python
float for scalar input). ``g`` is not restricted to positive values, so that the
duality ``beta_S(g) = beta_O(-g)`` can be evaluated.
"""

from __future__ import annotations

import math

import numpy as np

from betascale.errors import InputError

#: The three Wigner–Dyson classes, in the order used throughout betascale.
CLASSES = ("orthogonal", "unitary", "symplectic")

#: Apéry's constant zeta(3).
ZETA3 = 1.2020569031595942

#: Leading (one-loop for O/S, two-loop for U) term of beta(g): (coefficient, power of 1/g).
LEADING = {
    "orthogonal": (-1.0 / math.pi, 1),
    "unitary": (-1.0 / (2.0 * math.pi**2), 2),
    "symplectic": (1.0 / math.pi, 1),
}

#: Next non-vanishing term of beta(g): (coefficient, power of 1/g). For O and S the
#: two- and three-loop terms vanish in 2D (Hikami 1981); the four-loop term is
#: Wegner's (1989). For U the three-loop term vanishes and this is the four-loop term.
NEXT = {
    "orthogonal": (-3.0 * ZETA3 / (4.0 * math.pi**4), 4),
    "unitary": (-3.0 / (8.0 * math.pi**4), 4),
    "symplectic": (-3.0 * ZETA3 / (4.0 * math.pi**4), 4),
}

#: Mathtext labels of the analytic forms, for legends.
FORMULA = {
    ("orthogonal", 1): r"$-1/(\pi g)$",
    ("orthogonal", 2): r"$-1/(\pi g) - 3\zeta(3)/(4\pi^4 g^4)$",
    ("unitary", 1): r"$-1/(2\pi^2 g^2)$",
    ("unitary", 2): r"$-1/(2\pi^2 g^2) - 3/(8\pi^4 g^4)$",
    ("symplectic", 1): r"$+1/(\pi g)$",
    ("symplectic", 2): r"$+1/(\pi g) - 3\zeta(3)/(4\pi^4 g^4)$",
}

#: Plain-text names of the leading coefficients, for tables.
LEADING_NAME = {"orthogonal": "-1/pi", "unitary": "-1/(2 pi^2)", "symplectic": "+1/pi"}


def check_class(model: str) -> str:
    """Return ``model`` if it is a Wigner–Dyson class name, else raise :class:`InputError`."""
    if model not in CLASSES:
        raise InputError(f"symmetry class must be one of {', '.join(CLASSES)}, got {model!r}")
    return model


def _check_terms(terms: int) -> int:
    if terms not in (1, 2):
        raise InputError(f"terms must be 1 (leading order) or 2 (with the next term), got {terms}")
    return terms


def _out(x: np.ndarray, scalar: bool):
    return float(x) if scalar else x


def _series(g, model: str, terms: int):
    check_class(model)
    _check_terms(terms)
    scalar = np.ndim(g) == 0
    g = np.asarray(g, dtype=float)
    a, p = LEADING[model]
    with np.errstate(divide="ignore", invalid="ignore"):
        out = a / g**p
        if terms == 2:
            c, q = NEXT[model]
            out = out + c / g**q
    return _out(out, scalar)


def beta_orthogonal(g, terms: int = 2):
    """beta(g) of the orthogonal class (spinless, time-reversal symmetric).

    ``beta_O(g) = -1/(pi g) - 3 zeta(3)/(4 pi^4 g^4) + O(g^-5)``.

    Parameters
    ----------
    g
        Conductance in e²/h (scalar or array).
    terms
        1 for the one-loop (leading) term, 2 to add the next non-vanishing
        (four-loop) term.

    Notes
    -----
    One loop: Gor'kov, Larkin & Khmel'nitskii, JETP Lett. 30, 228 (1979); the
    vanishing of the two- and three-loop terms in 2D: Hikami, Phys. Rev. B 24, 2671
    (1981); four loops:
    Wegner, Nucl. Phys. B 316, 663 (1989). As collected in Evers & Mirlin,
    Rev. Mod. Phys. 80, 1355 (2008), Sec. II.A, with ``t = 1/(2 pi g)``.
    """
    return _series(g, "orthogonal", terms)


def beta_unitary(g, terms: int = 2):
    """beta(g) of the unitary class (spinless, broken time-reversal symmetry).

    ``beta_U(g) = -1/(2 pi^2 g^2) - 3/(8 pi^4 g^4) + O(g^-6)``.

    The one-loop term vanishes (no weak localization), so the leading term is the
    two-loop one and decays as ``1/g^2``.

    Parameters
    ----------
    g
        Conductance in e²/h (scalar or array).
    terms
        1 for the leading (two-loop) term, 2 to add the four-loop term.

    Notes
    -----
    Hikami, Phys. Rev. B 24, 2671 (1981); Wegner, Nucl. Phys. B 316, 663 (1989);
    Evers & Mirlin, Rev. Mod. Phys. 80, 1355 (2008), Sec. II.A.
    """
    return _series(g, "unitary", terms)


def beta_symplectic(g, terms: int = 2):
    """beta(g) of the symplectic class (spin–orbit scattering), both spins in g.

    ``beta_S(g) = +1/(pi g) - 3 zeta(3)/(4 pi^4 g^4) + O(g^-5) = beta_O(-g)``.

    With ``g' = g/2`` counted per Kramers copy the leading term reads
    ``+1/(2 pi g')``.

    Parameters
    ----------
    g
        Total conductance in e²/h, summed over both spin directions.
    terms
        1 for the one-loop term, 2 to add the next non-vanishing term.

    Notes
    -----
    Weak antilocalization: Hikami, Larkin & Nagaoka, Prog. Theor. Phys. 63, 707
    (1980); higher orders and the duality to the orthogonal class: Hikami, Phys. Rev.
    B 24, 2671 (1981); Wegner, Nucl. Phys. B 316, 663 (1989); Evers & Mirlin,
    Rev. Mod. Phys. 80, 1355 (2008), Sec. II.A.
    """
    return _series(g, "symplectic", terms)


def beta(g, model: str, terms: int = 2):
    """The analytic beta(g) of the class ``model`` (see the module docstring).

    Parameters
    ----------
    g
        Conductance in e²/h, counted as in ``PHYSICS.md``.
    model
        ``"orthogonal"``, ``"unitary"`` or ``"symplectic"``.
    terms
        1 for the leading term, 2 to add the next non-vanishing term.
    """
    return _series(g, model, terms)


def leading_coefficient(model: str) -> tuple[float, int]:
    """The leading term of beta(g) as ``(coefficient, power)``: ``beta ~ a / g**power``.

    ``(-1/pi, 1)`` orthogonal, ``(-1/(2 pi^2), 2)`` unitary, ``(+1/pi, 1)`` symplectic.
    """
    return LEADING[check_class(model)]


def formula(model: str, terms: int = 1) -> str:
    """A mathtext label of the analytic beta(g), e.g. ``$-1/(\\pi g)$``."""
    return FORMULA[(check_class(model), _check_terms(terms))]


def g_weak_localization(L, g0: float, model: str, ell: float = 1.0):
    """The integrated weak-localization form g(L) of the mean conductance.

    * orthogonal: ``g(L) = g0 - (1/pi) ln(L/ell)``
    * symplectic: ``g(L) = g0 + (1/pi) ln(L/ell)``
    * unitary:    ``g(L)^2 = g0^2 - (1/pi^2) ln(L/ell)``

    These integrate the leading term of :func:`beta` (``dg/d ln L = g beta(g)``) from
    ``g(ell) = g0``.

    Parameters
    ----------
    L
        System size(s), in the same length unit as ``ell`` (lattice constants).
    g0
        Conductance in e²/h at ``L = ell``.
    model
        The symmetry class.
    ell
        Reference length, physically the mean free path.

    Returns
    -------
    float or numpy.ndarray
        g(L). Where the form leaves its domain (``g <= 0`` for O, ``g^2 < 0`` for U)
        weak localization no longer applies and NaN is returned.

    Notes
    -----
    Hikami, Larkin & Nagaoka, Prog. Theor. Phys. 63, 707 (1980); the unitary form
    integrates the two-loop term of Hikami, Phys. Rev. B 24, 2671 (1981). See also
    Evers & Mirlin, Rev. Mod. Phys. 80, 1355 (2008), Sec. II.A.
    """
    check_class(model)
    if not ell > 0:
        raise InputError(f"ell must be positive, got {ell}")
    scalar = np.ndim(L) == 0
    L = np.asarray(L, dtype=float)
    if np.any(L <= 0):
        raise InputError("L must be positive")
    x = np.log(L / ell)
    if model == "unitary":
        g2 = g0 * g0 - x / math.pi**2
        with np.errstate(invalid="ignore"):
            out = np.where(g2 > 0, np.sqrt(np.where(g2 > 0, g2, 1.0)), np.nan)
    else:
        a = LEADING[model][0]
        out = g0 + a * x
        out = np.where(out > 0, out, np.nan)
    return _out(out, scalar)

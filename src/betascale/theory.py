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
from dataclasses import asdict, dataclass
from typing import overload

import numpy as np
from numpy.typing import ArrayLike

from betascale.errors import InputError

#: The Wigner–Dyson symmetry classes, the single source of their names (re-exported by
#: :mod:`betascale.models`), in the order used throughout betascale.
SYMMETRY_CLASSES = ("orthogonal", "unitary", "symplectic")
#: The three Wigner–Dyson classes (another name of :data:`SYMMETRY_CLASSES`).
CLASSES = SYMMETRY_CLASSES

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


# ------------------- mean free path of the square-lattice Anderson model (Born)
#: The clean band of the square lattice with hopping 1 is [-BAND_EDGE, BAND_EDGE].
BAND_EDGE = 4.0


def _check_energy(E) -> np.ndarray:
    E = np.asarray(E, dtype=float)
    if np.any(~np.isfinite(E)) or np.any(np.abs(E) >= BAND_EDGE):
        raise InputError(f"E must lie inside the band (-4, 4), got {E}")
    if np.any(E == 0):
        raise InputError("E = 0 is the van Hove singularity (nu diverges, ell -> 0); use E != 0")
    return E


@overload
def density_of_states(E: float) -> float: ...


@overload
def density_of_states(E: ArrayLike) -> float | np.ndarray: ...


def density_of_states(E: ArrayLike) -> float | np.ndarray:
    """Clean density of states per site of the square lattice, hopping 1 (spinless).

    ``nu(E) = K(m = 1 - E^2/16) / (2 pi^2)`` for ``|E| < 4`` (0 outside), with K the
    complete elliptic integral of the first kind (parameter ``m = k^2``, as
    :func:`scipy.special.ellipk`). ``nu`` integrates to 1 over the band, diverges
    logarithmically at the van Hove point E = 0 (``nu ~ ln(16/|E|)/(2 pi^2)``) and
    tends to ``1/(4 pi)`` at the band edges (the 2D continuum with mass ``1/2``).
    ``E`` (scalar or array) is in units of the hopping.

    Notes
    -----
    E. N. Economou, *Green's Functions in Quantum Physics*, 3rd ed. (Springer, 2006),
    Ch. 5 (square-lattice Green's function); the normalisation, the histogram of the
    dispersion and both limits are checked in ``tests/test_theory.py``.
    """
    from scipy.special import ellipkm1

    scalar = np.ndim(E) == 0
    E = np.asarray(E, dtype=float)
    inside = np.abs(E) < BAND_EDGE
    p = np.where(inside, E**2 / 16.0, 1.0)  # K(m) = ellipkm1(1 - m), exact near E = 0
    with np.errstate(divide="ignore"):
        out = np.where(inside, ellipkm1(p) / (2.0 * math.pi**2), 0.0)
    return _out(out, scalar)


@dataclass(frozen=True)
class FermiSurface:
    """Averages over the Fermi line of the clean square lattice at energy E.

    Averages ``<f>`` are weighted by the density of states,
    ``<f> = (1/nu) ∫ d²k/(2 pi)² delta(E - eps_k) f(k)`` with
    ``eps_k = -2 (cos kx + cos ky)`` and ``v = grad eps`` (hbar = 1, lattice constant 1).

    Attributes
    ----------
    E, dos
        Energy and ``nu(E)``, states per site and unit energy (:func:`density_of_states`).
    vx2, vx_abs
        ``<v_x^2>`` (= ``<v^2>/2`` by the lattice symmetry) and ``<|v_x|>``.
    channels_per_width
        Open channels per unit width of a wide lead, ``N/M = pi nu <|v_x|>``.
    """

    E: float
    dos: float
    vx2: float
    vx_abs: float
    channels_per_width: float

    @property
    def v_rms(self) -> float:
        """The root-mean-square Fermi velocity ``sqrt(<v^2>) = sqrt(2 <v_x^2>)``."""
        return math.sqrt(2.0 * self.vx2)

    def to_dict(self) -> dict:
        """A JSON-safe dict (with ``v_rms``)."""
        return {**asdict(self), "v_rms": self.v_rms}


def fermi_surface(E: float) -> FermiSurface:
    """Density of states and Fermi-line velocity averages of the square lattice at E.

    ``nu <v_x^2>`` is computed without the singular delta function, from the identity
    ``∫ d²k delta(E - eps) (d eps/d kx)^2 = ∫ d²k theta(E - eps) d²eps/d kx²``
    (integration by parts in kx), a smooth one-dimensional integral over kx of
    ``2 cos kx`` times the occupied length in ky. ``<|v_x|>`` follows from the
    channel count: at each transverse momentum ky with a propagating mode there is
    one right mover, so ``pi nu <|v_x|> = N/M = 1 - arccos(1 - |E|/2)/pi``.

    ``E`` must lie inside the band, ``0 < |E| < 4``. The channel count and the
    velocity averages are those of the Landauer–Drude correspondence (Beenakker,
    Rev. Mod. Phys. 69, 731 (1997), Sec. II).
    """
    from scipy.integrate import quad

    E = float(_check_energy(E))
    nu = float(density_of_states(E))

    def occupied_ky(kx: float) -> float:  # length of {ky : eps(kx, ky) <= E}
        c = -(E + 2.0 * math.cos(kx)) / 2.0
        return 2.0 * math.acos(min(1.0, max(-1.0, c)))

    kinks = [math.acos(v) for v in (-1.0 - E / 2.0, 1.0 - E / 2.0) if -1.0 < v < 1.0]
    integral, _ = quad(
        lambda kx: 2.0 * math.cos(kx) * occupied_ky(kx), 0.0, math.pi, points=kinks or None
    )
    nu_vx2 = 2.0 * integral / (4.0 * math.pi**2)  # kx in [-pi, pi] by symmetry
    per_width = 1.0 - math.acos(1.0 - abs(E) / 2.0) / math.pi
    return FermiSurface(
        E=E,
        dos=nu,
        vx2=nu_vx2 / nu,
        vx_abs=per_width / (math.pi * nu),
        channels_per_width=per_width,
    )


@overload
def elastic_scattering_time(W: float, E: float) -> float: ...


@overload
def elastic_scattering_time(W: ArrayLike, E: float) -> float | np.ndarray: ...


def elastic_scattering_time(W: ArrayLike, E: float) -> float | np.ndarray:
    """Born elastic scattering time of box disorder ``[-W/2, W/2]`` (hbar = 1).

    ``1/tau = 2 pi nu(E) <eps^2>`` with ``<eps^2> = W^2/12`` (Fermi's golden rule for
    uncorrelated on-site disorder; the rate is the same on the whole Fermi line), for
    disorder strength(s) ``W > 0`` and energy ``0 < |E| < 4``.

    Notes
    -----
    Golden rule for the white-noise (Edwards) model, e.g. Akkermans & Montambaux,
    *Mesoscopic Physics of Electrons and Photons* (Cambridge, 2007), Ch. 3, evaluated
    with the density of states of the square-lattice band.
    """
    W, scalar = _positive("W", W)
    nu = fermi_surface(E).dos
    return _out(1.0 / (2.0 * math.pi * nu * W**2 / 12.0), scalar)


#: The kinds of mean free path that :func:`mean_free_path` returns.
MEAN_FREE_PATHS = ("elastic", "drude", "ballistic")


@overload
def mean_free_path(W: float, E: float, kind: str = "elastic") -> float: ...


@overload
def mean_free_path(W: ArrayLike, E: float, kind: str = "elastic") -> float | np.ndarray: ...


def mean_free_path(W: ArrayLike, E: float, kind: str = "elastic") -> float | np.ndarray:
    """Mean free path of the square-lattice Anderson model, Born approximation.

    With ``tau`` from :func:`elastic_scattering_time` and the Fermi-line averages
    of :func:`fermi_surface`:

    * ``"elastic"``: ``ell = v_F tau`` with ``v_F = sqrt(<v^2>)`` the rms Fermi
      velocity, so that the diffusion constant is ``D = <v_x^2> tau = v_F ell / 2``
      exactly, as in the 2D continuum.
    * ``"drude"``: ``ell_D = 2 tau <v_x^2> / <|v_x|>``, the length in the Drude
      conductance of a wide sample, ``1/T - 1/N = L / (N ell_D)`` (``L >> ell``).
      It follows from ``sigma_D = 2 pi nu <v_x^2> tau`` (:func:`drude_conductivity`)
      and ``N = M pi nu <|v_x|>``. On a circular Fermi line ``<v_x^2> = v^2/2`` and
      ``<|v_x|> = 2v/pi`` give ``ell_D = (pi/2) v tau``: Beenakker's
      ``T = N l/(L + l)`` with ``l = (pi/2) l_tr`` in 2D (Rev. Mod. Phys. 69, 731
      (1997), Sec. II). White-noise disorder scatters isotropically (no vertex
      correction), so the transport mean free path ``l_tr`` is the elastic one; on
      the lattice at E = 1, ``ell_D = 1.514 ell``.
    * ``"ballistic"``: ``ell_b = 2 tau <|v_x|>``, the slope of the same relation for
      short samples, ``L << ell``, where each channel reflects with probability
      ``L / (2 tau v_x)`` (half of the isotropic scattering goes backwards). On a
      circle ``ell_b = (4/pi) ell``; ``ell_D/ell_b = <v_x^2>/<|v_x|>^2``.

    Parameters
    ----------
    W
        Disorder strength(s) of the box distribution, ``W > 0``.
    E
        Fermi energy, ``0 < |E| < 4``.
    kind
        One of :data:`MEAN_FREE_PATHS`.

    Notes
    -----
    In lattice constants, ``∝ 1/W^2``. Valid for weak disorder, ``ell >> 1`` (the real
    part of the self-energy is neglected), for the spinless Anderson hopping with or
    without a weak flux; the SU(2) model's random hoppings scatter strongly at any W.
    Checked against the fast solver in ``tests/test_theory.py`` (Drude regime).
    """
    if kind not in MEAN_FREE_PATHS:
        raise InputError(f"kind must be one of {', '.join(MEAN_FREE_PATHS)}, got {kind!r}")
    tau = elastic_scattering_time(W, E)
    fs = fermi_surface(E)
    factor = {
        "elastic": fs.v_rms,
        "drude": 2.0 * fs.vx2 / fs.vx_abs,
        "ballistic": 2.0 * fs.vx_abs,
    }[kind]
    return tau * factor


@overload
def drude_conductivity(W: float, E: float) -> float: ...


@overload
def drude_conductivity(W: ArrayLike, E: float) -> float | np.ndarray: ...


def drude_conductivity(W: ArrayLike, E: float) -> float | np.ndarray:
    """Drude conductivity of the spinless square-lattice Anderson model, in e²/h.

    ``sigma_D = 2 pi nu(E) D`` with ``D = <v_x^2> tau`` (Einstein relation, hbar = 1,
    spinless), i.e. ``12 <v_x^2> / W^2`` for disorder strength(s) W at energy E. A wide
    sample of width M and length L has ``1/T - 1/N = L / (sigma_D M)`` (the relation of
    :func:`mean_free_path` ``(kind="drude")`` with ``N = M pi nu <|v_x|>``).

    Notes
    -----
    Drude–Einstein relation for white-noise disorder (no vertex correction), e.g.
    Akkermans & Montambaux, *Mesoscopic Physics of Electrons and Photons* (2007),
    Ch. 7; the Landauer form: Beenakker, Rev. Mod. Phys. 69, 731 (1997), Sec. II.
    """
    tau = elastic_scattering_time(W, E)
    fs = fermi_surface(E)
    return 2.0 * math.pi * fs.dos * fs.vx2 * tau


# ------------------ magnetoconductance: Hikami, Larkin & Nagaoka (1980)
#: HLN prefactor alpha expected for each class, in the experimental convention
#: (alpha = 1 is spin-degenerate weak localization), g counted as in PHYSICS.md.
HLN_ALPHA = {"orthogonal": 0.5, "unitary": 0.0, "symplectic": -0.5}


def _positive(name: str, x) -> tuple[np.ndarray, bool]:
    scalar = np.ndim(x) == 0
    arr = np.abs(np.asarray(x, dtype=float)) if name == "flux" else np.asarray(x, dtype=float)
    if np.any(~(arr > 0)) or np.any(~np.isfinite(arr)):
        what = "non-zero" if name == "flux" else "positive"
        raise InputError(f"{name} must be {what} and finite, got {x}")
    return arr, scalar


@overload
def magnetic_length(flux: float) -> float: ...


@overload
def magnetic_length(flux: ArrayLike) -> float | np.ndarray: ...


def magnetic_length(flux: ArrayLike) -> float | np.ndarray:
    """Magnetic length ``l_B = sqrt(hbar/(e B)) = 1/sqrt(2 pi phi)`` in lattice constants.

    ``phi`` is the flux per plaquette in flux quanta h/e, so ``B = phi h/e`` (lattice
    constant 1) and ``l_B^2 = hbar/(phi h) = 1/(2 pi phi)``.

    Only ``|phi|`` matters (scalar or array, non-zero).
    """
    phi, scalar = _positive("flux", flux)
    return _out(1.0 / np.sqrt(2.0 * math.pi * phi), scalar)


@overload
def hln_flux_star(L_phi: float) -> float: ...


@overload
def hln_flux_star(L_phi: ArrayLike) -> float | np.ndarray: ...


def hln_flux_star(L_phi: ArrayLike) -> float | np.ndarray:
    """The HLN dephasing field in flux quanta per plaquette: ``phi_* = 1/(8 pi L_phi^2)``.

    From ``B_phi = hbar/(4 e L_phi^2)`` (Hikami, Larkin & Nagaoka, Prog. Theor. Phys.
    63, 707 (1980)) and ``phi = B / (h/e)`` for lattice constant 1; equivalently
    ``phi_*/phi = l_B^2 / (4 L_phi^2)``.
    """
    L_phi, scalar = _positive("L_phi", L_phi)
    return _out(1.0 / (8.0 * math.pi * L_phi**2), scalar)


@overload
def hln_dephasing_length(flux_star: float) -> float: ...


@overload
def hln_dephasing_length(flux_star: ArrayLike) -> float | np.ndarray: ...


def hln_dephasing_length(flux_star: ArrayLike) -> float | np.ndarray:
    """The length ``L_phi = 1/sqrt(8 pi phi_*)`` of a fitted HLN ``phi_*`` (inverse of
    :func:`hln_flux_star`)."""
    star, scalar = _positive("flux_star", flux_star)
    return _out(1.0 / np.sqrt(8.0 * math.pi * star), scalar)


def _hln_bracket(y: np.ndarray) -> np.ndarray:
    """``psi(1/2 + y) - ln y`` for ``y > 0``, with its asymptotic series at large y."""
    from scipy.special import digamma

    out = np.empty_like(y)
    big = y > 1e3
    yb = y[big]
    out[big] = 1.0 / (24 * yb**2) - 7.0 / (960 * yb**4) + 31.0 / (8064 * yb**6)
    ys = y[~big]
    out[~big] = digamma(0.5 + ys) - np.log(ys)
    return out


@overload
def hln(flux: float, alpha: float, flux_star: float) -> float: ...


@overload
def hln(flux: ArrayLike, alpha: float, flux_star: float) -> float | np.ndarray: ...


def hln(flux: ArrayLike, alpha: float, flux_star: float) -> float | np.ndarray:
    """Hikami–Larkin–Nagaoka magnetoconductance ``Delta g(phi) = g(phi) - g(0)`` in e²/h.

    ``Delta g = alpha (1/pi) [psi(1/2 + phi_*/phi) - ln(phi_*/phi)]``

    with psi the digamma function, ``phi`` the flux per plaquette (flux quanta h/e)
    and ``phi_*`` the dephasing field (:func:`hln_flux_star`); ``Delta g(0) = 0``.

    Normalisation: HLN's film result, in the form used in experiments, is
    ``Delta sigma = alpha (e^2/(pi h)) [psi(1/2 + B_phi/B) - ln(B_phi/B)]`` with
    ``e^2/(pi h) = e^2/(2 pi^2 hbar)``; in units of e²/h this is ``alpha/pi`` times
    the bracket, and for a square sample ``g = sigma``. At ``B >> B_phi`` the bracket
    is ``ln(B/B_phi) + psi(1/2) = 2 ln(L_phi/l_B) + ln 4 + psi(1/2)``: the field
    removes the interference correction between l_B and L_phi, so ``Delta g =
    (2 alpha/pi) ln(L_phi/l_B) + const``. The spin-degenerate orthogonal correction
    ``-(2/pi) ln(L/ell)`` gives ``alpha = 1``, betascale's spinless orthogonal model
    (``-(1/pi) ln``) ``alpha = 1/2``, and the symplectic models with both spins counted
    (``+(1/pi) ln``, antilocalization) ``alpha = -1/2`` (:data:`HLN_ALPHA`).
    Limits: ``(alpha/pi) x^2/24`` for ``x = phi/phi_* << 1`` (quadratic), and
    ``(alpha/pi) [ln x + psi(1/2)]`` for ``x >> 1``.

    ``flux`` is a scalar or an array (only ``|phi|`` matters); ``flux_star > 0``.

    Notes
    -----
    S. Hikami, A. I. Larkin & Y. Nagaoka, Prog. Theor. Phys. 63, 707 (1980). Valid in
    the diffusive regime ``l_B >> ell`` (``phi << 1/(2 pi ell^2)``), below HLN's
    transport field ``B_tr = hbar/(2 e ell^2)`` (``phi << 1/(4 pi ell^2)``); beyond it the
    correction is smaller and fitted alpha and phi_* are effective values (Dmitriev,
    Gornyi & Kachorovskii, arXiv:cond-mat/9703239).
    """
    _positive("flux_star", flux_star)
    scalar = np.ndim(flux) == 0
    phi = np.abs(np.atleast_1d(np.asarray(flux, dtype=float)))
    if np.any(~np.isfinite(phi)):
        raise InputError("flux must be finite")
    out = np.zeros_like(phi)
    nz = phi > 0
    out[nz] = alpha / math.pi * _hln_bracket(flux_star / phi[nz])
    return _out(out[0] if scalar else out, scalar)


@overload
def weak_localization_slope(model: str, g: float | None = None) -> float: ...


@overload
def weak_localization_slope(model: str, g: ArrayLike | None = None) -> float | np.ndarray: ...


def weak_localization_slope(model: str, g: ArrayLike | None = None) -> float | np.ndarray:
    """The one-loop slope ``d<g>/d ln L`` of the class, in e²/h.

    ``-1/pi`` (orthogonal), ``+1/pi`` (symplectic, both spins) and, for the unitary
    class, ``g beta_U(g) = -1/(2 pi^2 g)`` at the conductance ``g`` (required).
    These follow from the leading terms of :func:`beta`.
    """
    check_class(model)
    if model != "unitary":
        return LEADING[model][0]
    if g is None:
        raise InputError("the unitary slope -1/(2 pi^2 g) needs the conductance g")
    scalar = np.ndim(g) == 0
    g = np.asarray(g, dtype=float)
    with np.errstate(divide="ignore"):
        return _out(LEADING["unitary"][0] / g, scalar)


def magnetoconductance_slope(model: str) -> float:
    """The expected ``d<g(phi) - g(0)>/d ln L`` for ``l_B << L``, in e²/h.

    A field with ``ell << l_B << L`` removes the one-loop interference correction on
    scales beyond l_B, so ``g(phi) - g(0) = (2 alpha/pi) ln(L/l_B) + const``
    (:func:`hln`): ``+1/pi`` for the orthogonal class, ``-1/pi`` for the symplectic class
    with both spins counted, 0 for the unitary class (no Cooperon to suppress).
    """
    return 2.0 * HLN_ALPHA[check_class(model)] / math.pi

"""The Slevin–Ohtsuki scaling form of Γ(W, L) with its analytic Jacobian.

The statistic obeys (Slevin & Ohtsuki, Phys. Rev. Lett. 82, 382 (1999); New J. Phys.
16, 015012 (2014), Eqs. (3)–(6))

.. math::

    \\Gamma = F(\\phi_1, \\phi_0), \\quad \\phi_1 = u_1(w) L^{1/\\nu}, \\quad
    \\phi_0 = u_0(w) L^{-y}, \\quad w = (W - W_c)/W_c,

with the double polynomial ``F = Σ_{j<=nr} Σ_{i<=ni} f_ji φ1^j φ0^i`` and the
expansions ``u1(w) = w + Σ_{k=2}^{mr} b_k w^k`` and ``u0(w) = 1 + Σ_{k=1}^{mi} c_k w^k``.
The scales of φ1 and φ0 are free in the form as written (``φ → λφ`` is absorbed by
the f_ji); fixing the linear coefficient of u1 and the constant of u0 to 1 removes
that degeneracy. (Slevin & Ohtsuki fix ``f_10 = f_01 = 1`` instead; the two choices
are equivalent where those coefficients do not vanish.) Without an irrelevant term
(``ni = 0``) the model is ``Γ = F(u1(w) L^{1/ν})`` and y, c_k do not appear.

The parameter vector is ``[W_c, nu, b_2..b_mr, (y, c_1..c_mi,) f_00, f_01, .., f_nr,ni]``:
the nonlinear parameters first, then F's coefficients (linear in Γ) with the
irrelevant power running fastest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from betascale.errors import InputError

#: Largest order accepted for each of (nr, mr, ni, mi).
MAX_ORDER = 8


def check_orders(orders) -> tuple[int, int, int, int]:
    """Return ``orders = (nr, mr, ni, mi)`` as ints, or raise :class:`InputError`.

    ``nr >= 1`` and ``mr >= 1`` are the orders of F in φ1 and of u1 in w; ``ni >= 0``
    and ``mi >= 0`` those of F in φ0 and of u0 in w (``mi`` needs ``ni >= 1``).
    """
    try:
        nr, mr, ni, mi = (int(v) for v in orders)
        exact = all(int(v) == v for v in orders)
    except (TypeError, ValueError):
        raise InputError(f"orders must be four integers (nr, mr, ni, mi), got {orders!r}") from None
    if not exact or not (1 <= nr <= MAX_ORDER and 1 <= mr <= MAX_ORDER):
        raise InputError(f"orders nr and mr must be integers in 1..{MAX_ORDER}, got {orders!r}")
    if not (0 <= ni <= MAX_ORDER and 0 <= mi <= MAX_ORDER):
        raise InputError(f"orders ni and mi must be integers in 0..{MAX_ORDER}, got {orders!r}")
    if ni == 0 and mi > 0:
        raise InputError(f"mi = {mi} needs an irrelevant term (ni >= 1), got orders {orders!r}")
    return nr, mr, ni, mi


@dataclass(frozen=True)
class ScalingArguments:
    """The scaling variables of a set of points at one parameter vector."""

    w: np.ndarray
    dw: np.ndarray  # dw/dW_c
    V: np.ndarray  # L^{1/nu}
    u1: np.ndarray
    du1: np.ndarray  # du1/dw
    phi1: np.ndarray
    Y: np.ndarray  # L^{-y} (zeros without an irrelevant term)
    u0: np.ndarray
    du0: np.ndarray
    phi0: np.ndarray
    lnL: np.ndarray


@dataclass(frozen=True)
class ScalingModel:
    """The scaling form of the module docstring at orders ``(nr, mr, ni, mi)``."""

    orders: tuple[int, int, int, int]

    def __post_init__(self) -> None:
        object.__setattr__(self, "orders", check_orders(self.orders))

    @property
    def names(self) -> tuple[str, ...]:
        """Parameter names, in the order of the parameter vector."""
        nr, mr, ni, mi = self.orders
        names = ["W_c", "nu"] + [f"b_{k}" for k in range(2, mr + 1)]
        if ni:
            names += ["y"] + [f"c_{k}" for k in range(1, mi + 1)]
        return (*names, *(f"f_{j}{i}" for j in range(nr + 1) for i in range(ni + 1)))

    @property
    def n_params(self) -> int:
        """Number of free parameters."""
        return len(self.names)

    @property
    def n_nonlinear(self) -> int:
        """Number of parameters before F's coefficients."""
        _, mr, ni, mi = self.orders
        return 1 + mr + (1 + mi if ni else 0)

    def split(self, p: np.ndarray) -> tuple:
        """``(W_c, nu, b, y, c, f)``: b = [b_2..], c = [c_1..], f of shape (nr+1, ni+1)."""
        nr, mr, ni, mi = self.orders
        p = np.asarray(p, dtype=float)
        b = p[2 : 1 + mr]
        y = p[1 + mr] if ni else np.nan
        c = p[2 + mr : 2 + mr + mi] if ni else p[:0]
        return p[0], p[1], b, y, c, p[self.n_nonlinear :].reshape(nr + 1, ni + 1)

    def arguments(self, p: np.ndarray, W, L) -> ScalingArguments:
        """The scaling variables φ1, φ0 (and what the Jacobian needs) at W, L."""
        Wc, nu, b, y, c, _ = self.split(p)
        W = np.asarray(W, dtype=float)
        lnL = np.log(np.asarray(L, dtype=float))
        w = (W - Wc) / Wc
        k1 = np.arange(2, b.size + 2)
        u1 = w + (w[..., None] ** k1) @ b
        du1 = 1 + (w[..., None] ** (k1 - 1)) @ (k1 * b)
        V = np.exp(lnL / nu)
        if self.orders[2]:
            k0 = np.arange(1, c.size + 1)
            u0 = 1 + (w[..., None] ** k0) @ c
            du0 = (w[..., None] ** (k0 - 1)) @ (k0 * c)
            Y = np.exp(-y * lnL)
        else:
            u0, du0, Y = np.ones_like(w), np.zeros_like(w), np.zeros_like(w)
        return ScalingArguments(w, -W / Wc**2, V, u1, du1, u1 * V, Y, u0, du0, u0 * Y, lnL)

    def monomials(self, phi1: np.ndarray, phi0: np.ndarray) -> np.ndarray:
        """The columns ``φ1^j φ0^i`` of F's coefficients, shape ``(n, (nr+1)(ni+1))``."""
        nr, _, ni, _ = self.orders
        a = np.asarray(phi1, dtype=float)[..., None] ** np.arange(nr + 1)
        z = np.asarray(phi0, dtype=float)[..., None] ** np.arange(ni + 1)
        return (a[..., :, None] * z[..., None, :]).reshape(*a.shape[:-1], -1)

    def F(self, p: np.ndarray, phi1, phi0=0.0) -> np.ndarray:
        """The scaling function ``F(φ1, φ0)``."""
        phi1 = np.asarray(phi1, dtype=float)
        phi0 = np.broadcast_to(np.asarray(phi0, dtype=float), phi1.shape)
        return self.monomials(phi1, phi0) @ self.split(p)[5].ravel()

    def dF(self, p: np.ndarray, phi1, phi0=0.0) -> tuple[np.ndarray, np.ndarray]:
        """``(∂F/∂φ1, ∂F/∂φ0)`` at ``(φ1, φ0)``."""
        f = self.split(p)[5]
        phi1 = np.asarray(phi1, dtype=float)
        phi0 = np.broadcast_to(np.asarray(phi0, dtype=float), phi1.shape)
        d1 = np.polynomial.polynomial.polyval2d(
            phi1, phi0, np.polynomial.polynomial.polyder(f, axis=0)
        )
        if f.shape[1] == 1:
            return d1, np.zeros_like(phi1)
        d0 = np.polynomial.polynomial.polyval2d(
            phi1, phi0, np.polynomial.polynomial.polyder(f, axis=1)
        )
        return d1, d0

    def __call__(self, p: np.ndarray, W, L) -> np.ndarray:
        """Γ at the points (W, L)."""
        s = self.arguments(p, W, L)
        return self.F(p, s.phi1, s.phi0)

    def jacobian(self, p: np.ndarray, W, L) -> np.ndarray:
        """``∂Γ/∂p`` at the points (W, L), shape ``(n, n_params)`` (analytic)."""
        _, mr, ni, mi = self.orders
        nu = self.split(p)[1]
        s = self.arguments(p, W, L)
        d1, d0 = self.dF(p, s.phi1, s.phi0)
        cols = [
            d1 * s.du1 * s.dw * s.V + d0 * s.du0 * s.dw * s.Y,
            -d1 * s.phi1 * s.lnL / nu**2,
        ]
        cols += [d1 * s.w**k * s.V for k in range(2, mr + 1)]
        if ni:
            cols.append(-d0 * s.phi0 * s.lnL)
            cols += [d0 * s.w**k * s.Y for k in range(1, mi + 1)]
        return np.column_stack([*cols, self.monomials(s.phi1, s.phi0)])

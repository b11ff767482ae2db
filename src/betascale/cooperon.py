"""The one-loop magnetoconductance of a finite sample, from the Cooperon of its box.

The HLN formula (:func:`betascale.theory.hln`) is the magnetoconductance of an
infinite film whose interference is cut off by a dephasing length. A betascale sample
has no dephasing: interference is cut off by the sample itself, whose contacts absorb
the Cooperon. This module computes that cut-off exactly at one loop, with no fitted
length.

Theory
------
For a sample of length L (between ideal contacts) and width M, to first order in the
local correction to the conductivity and with a uniform current, the weak-localization
correction of the spinless orthogonal conductance (in e²/h) is

    δg(B) = −(2/L²) ∫ C_B(r, r) d²r,

where C_B is the Green function of −(∇ − 2ieA/ħ)² (the Cooperon, charge 2e; Hikami,
Larkin & Nagaoka, Prog. Theor. Phys. 63, 707 (1980)), vanishing at the contacts
x = 0, L (they absorb) and with zero normal derivative at hard walls (Texier &
Montambaux, Phys. Rev. Lett. 92, 186801 (2004); Akkermans & Montambaux, *Mesoscopic
Physics of Electrons and Photons*, Cambridge (2007), ch. 7). The diffusion constant
cancels. The difference

    F(L/l_B) = δg(B) − δg(0) = (2/L²) [Tr C_0 − Tr C_B]

converges at short distances (the field does not act below l_B), so F depends only on
x = L/l_B and the aspect ratio M/L: it is universal. A class with HLN prefactor α
(:data:`betascale.theory.HLN_ALPHA`) has Δg = g(φ) − g(0) = 2α F(L/l_B). For l_B ≪ L,
F = (1/π) ln(L/l_B) + const (the slope of the infinite film, checked in the tests);
for l_B ≫ L, F ∝ (L/l_B)⁴.

Numerics
--------
The trace is taken on a cell-centred grid of n × round(n M/L) cells (the contacts are
absorbing ghost cells, the walls reflecting), with the field as Peierls phases in the
Landau gauge: the covariant Laplacian is block tridiagonal, and the diagonal blocks of
its inverse come from one forward and one backward sweep (recursive Green functions,
O(n⁴)). The grid error, first and second order in the cell size, is removed by
Richardson extrapolation over n/4, n/2 and n (n = 64 up to x = 6, else 128). Beyond
x = 16 the asymptote ``(1/π) ln x + c + e/x + d/x²`` through x = 8, 12 and 16 is used
(the e/x term is the boundary layer of width l_B along the walls and contacts). Against
the extrapolation from grids of up to 256 cells the result is within 1.5e-4 for
x ≤ 40 (measured once; ``tests/test_cooperon.py`` checks the grids against each other
where that is cheap). F costs up to 0.5 s per new value (values are cached).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike

from betascale import validation
from betascale.errors import InputError
from betascale.threads import one_blas_thread

#: Largest L/l_B computed on the grid; above it the asymptote is used.
DIRECT_MAX_X = 16.0
#: The finest grid (cells along the sample) and the one used at small L/l_B.
FINE_CELLS, COARSE_CELLS = 128, 64
#: Up to this L/l_B the coarse grid is enough (at least 10 cells per l_B).
COARSE_MAX_X = 6.0


def cooperon_trace(nx: int, ny: int, flux: float) -> float:
    """``Tr Λ⁻¹`` of the covariant lattice Laplacian of an ``nx × ny`` grid of cells.

    ``Λ = −(∇ − iA)²`` discretised with unit cells: absorbing (Dirichlet) contacts
    beyond the first and last of the ``nx`` columns, reflecting (Neumann) walls at the
    first and last of the ``ny`` rows, and ``flux`` flux quanta per cell (Peierls phases
    ``exp(-2 pi i flux y)`` on the bonds along x). Λ is Hermitian positive definite.

    Parameters
    ----------
    nx, ny
        Cells along the sample (between the contacts) and across it (>= 1 each).
    flux
        Flux per cell in units of the Cooperon's flux quantum (h/2e): twice the
        electron flux ``phi h²`` for cells of side ``h``.
    """
    nx, ny = validation.integer("nx", nx, low=1), validation.integer("ny", ny, low=1)
    flux = validation.finite("flux", flux)
    transverse = _transverse_laplacian(ny)
    hop = np.exp(-2j * math.pi * flux * np.arange(ny))  # column j -> j+1, per row
    left: list[np.ndarray] = []  # Green functions of columns 0..j, at column j
    g = None
    for j in range(nx):
        along = 2.0 + (j == 0) + (j == nx - 1)  # an absorbing ghost cell beyond each end
        block = transverse + along * np.eye(ny)
        if g is not None:
            block = block - (hop.conj()[:, None] * g) * hop[None, :]
        g = np.linalg.inv(block)
        left.append(g)
    G = left[-1]
    trace = float(np.trace(G).real)
    for g in reversed(left[:-1]):
        X = g * hop[None, :]
        G = g + X @ G @ X.conj().T
        trace += float(np.trace(G).real)
    return trace


def _transverse_laplacian(ny: int) -> np.ndarray:
    """The free (Neumann) path-graph Laplacian of ``ny`` cells, as a complex matrix."""
    lap = np.zeros((ny, ny), dtype=complex)
    i = np.arange(ny - 1)
    lap[i, i + 1] = lap[i + 1, i] = -1.0
    lap[np.arange(ny), np.arange(ny)] = -lap.sum(axis=1).real
    return lap


@lru_cache(maxsize=64)
def _trace(nx: int, ny: int, flux: float) -> float:
    return cooperon_trace(nx, ny, flux)


def _on_grid(x: float, aspect: float, n: int) -> float:
    """F(x) on a grid of n cells along the sample."""
    ny = max(1, round(aspect * n))
    flux = x * x / (math.pi * n * n)  # 2 phi h^2 with phi = 1/(2 pi l_B^2), h = L/n
    return 2.0 / n**2 * (_trace(n, ny, 0.0) - _trace(n, ny, flux))


def _richardson(x: float, aspect: float, n: int) -> float:
    """F(x) extrapolated from the grids n/4, n/2 and n (errors O(h) and O(h²))."""
    f4, f2, f1 = (_on_grid(x, aspect, n // k) for k in (4, 2, 1))
    r2, r1 = 2 * f2 - f4, 2 * f1 - f2
    return (4 * r1 - r2) / 3


@lru_cache(maxsize=16)
def _asymptote(aspect: float) -> np.ndarray:
    """``(c, e, d)`` of ``F = (1/pi) ln x + c + e/x + d/x^2``, through x = 8, 12, 16.

    The 1/x term is the boundary layer: within l_B of the walls and contacts the field
    acts differently, a share ``l_B/L`` of the sample."""
    xs = np.array([8.0, 12.0, DIRECT_MAX_X])
    rest = [_richardson(x, aspect, FINE_CELLS) - math.log(x) / math.pi for x in xs]
    return np.linalg.solve(np.column_stack([np.ones(3), 1 / xs, 1 / xs**2]), rest)


@lru_cache(maxsize=4096)
def _crossover(x: float, aspect: float) -> float:
    if x == 0.0:
        return 0.0
    if x > DIRECT_MAX_X:
        c, e, d = _asymptote(aspect)
        return math.log(x) / math.pi + c + e / x + d / x**2
    return _richardson(x, aspect, COARSE_CELLS if x <= COARSE_MAX_X else FINE_CELLS)


def finite_size_crossover(x: ArrayLike, aspect: float = 1.0) -> float | np.ndarray:
    """``F(L/l_B) = δg(B) − δg(0)`` of a hard-wall sample between absorbing contacts.

    The one-loop magnetoconductance, in e²/h, of the spinless orthogonal class
    (HLN ``alpha = 1/2``): a class with prefactor alpha has ``Delta g = 2 alpha F``
    (:func:`finite_size_magnetoconductance`). See the module docstring for the theory.

    Parameters
    ----------
    x
        ``L/l_B`` (scalar or array, >= 0), with ``l_B = 1/sqrt(2 pi phi)``
        (:func:`betascale.theory.magnetic_length`).
    aspect
        Width over length, M/L (> 0).

    Returns
    -------
    float or ndarray
        F, the shape of ``x``: 0 at ``x = 0``, increasing, ``(1/pi) ln x + const`` at
        large x. Each new value costs up to 0.5 s (values are cached).
    """
    aspect = validation.number("aspect", aspect, low=0.0, open_low=True)
    arr = np.asarray(x, dtype=float)
    if np.any(~np.isfinite(arr)) or np.any(arr < 0):
        raise InputError("L/l_B must be finite and >= 0")
    with one_blas_thread():  # small dense matrices: one thread is fastest (threads.py)
        out = np.array([_crossover(float(v), float(aspect)) for v in arr.ravel()])
    return float(out[0]) if arr.ndim == 0 else out.reshape(arr.shape)


def finite_size_magnetoconductance(
    flux: ArrayLike, L: float, alpha: float, aspect: float = 1.0
) -> float | np.ndarray:
    """``Delta g(phi) = 2 alpha F(L/l_B)`` of an L × aspect·L hard-wall sample (e²/h).

    The finite-sample counterpart of :func:`betascale.theory.hln`, with the sample size
    in place of a fitted dephasing field; alpha as in
    :data:`betascale.theory.HLN_ALPHA` (+1/2 spinless orthogonal, −1/2 symplectic).
    """
    L = validation.number("L", L, low=0.0, open_low=True)
    phi = np.abs(np.asarray(flux, dtype=float))
    x = L * np.sqrt(2 * math.pi * phi)
    return 2.0 * alpha * finite_size_crossover(x, aspect)

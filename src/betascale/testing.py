"""Synthetic data with known answers, for tests, examples and demonstrations."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from betascale import theory
from betascale.errors import InputError
from betascale.store import SampleTable


def synthetic_table(
    model: str = "orthogonal",
    W: Sequence[float] = (1.0, 2.0, 3.0),
    g0: Sequence[float] = (8.0, 5.0, 3.0),
    L: Sequence[int] = (8, 16, 32, 64, 128),
    n: int = 200,
    sigma: float = 0.2,
    N: int = 1000,
    seed: int = 0,
    flow: Callable[[float, np.ndarray], np.ndarray] | None = None,
) -> SampleTable:
    """Samples drawn from a known flow g(L), for tests and demonstrations.

    At disorder ``W[i]`` the mean conductance is ``g_true(L) = flow(g0[i], L)``,
    by default the integrated weak-localization form of ``model`` with ``g(L[0]) =
    g0[i]`` (:func:`betascale.theory.g_weak_localization` with ``ell = L[0]``).
    Each sample has ``g = g_true · exp(sigma z - sigma²/2)`` with z standard normal,
    so that ⟨g⟩ = g_true exactly, and ``T = 1/(1/g + 1/N)``, so that the contact
    correction recovers g. The width is M = L.

    Parameters
    ----------
    model
        Symmetry class of the default flow.
    W, g0
        Disorder labels and the conductance of each at the smallest L.
    L
        Sizes.
    n
        Samples per (W, L).
    sigma
        Log-normal spread of g.
    N
        Open channels.
    seed
        Seed of ``numpy.random.default_rng``.
    flow
        ``flow(g0, L) -> g_true`` for another flow.
    """
    if len(W) != len(g0):
        raise InputError(f"W and g0 need the same length, got {len(W)} and {len(g0)}")
    rng = np.random.default_rng(seed)
    Ls = np.asarray(L, dtype=int)
    cols: dict[str, list] = {"W": [], "L": [], "T": []}
    for w, g_start in zip(W, g0, strict=True):
        if flow is None:
            g_true = theory.g_weak_localization(Ls, g_start, model, ell=float(Ls[0]))
        else:
            g_true = np.asarray(flow(g_start, Ls), dtype=float)
        if not np.all(np.isfinite(g_true) & (g_true > 0)):
            raise InputError(f"the flow from g0 = {g_start} leaves g > 0 within L = {list(L)}")
        for size, gt in zip(Ls, g_true, strict=True):
            g = gt * np.exp(sigma * rng.standard_normal(n) - sigma**2 / 2)
            cols["W"].append(np.full(n, float(w)))
            cols["L"].append(np.full(n, int(size)))
            cols["T"].append(g * N / (N + g))
    Wa = np.concatenate(cols["W"])
    La = np.concatenate(cols["L"])
    T = np.concatenate(cols["T"])
    return SampleTable(
        W=Wa,
        L=La,
        M=La.copy(),
        sample=np.tile(np.arange(n), Wa.size // n),
        T=T,
        N=np.full(T.size, N, dtype=np.int64),
        seconds=np.zeros(T.size),
        rank=np.zeros(T.size, dtype=np.int64),
    )


def synthetic_fss_table(
    W: Sequence[float] = (5.6, 5.7, 5.8, 5.9, 6.0, 6.1, 6.2, 6.3, 6.4),
    L: Sequence[int] = (16, 24, 32, 48, 64),
    W_c: float = 6.0,
    nu: float = 2.7,
    F: Sequence[float] = (1.4, -2.0),
    y: float = 2.0,
    F_irrelevant: Sequence[float] = (),
    n: int = 200,
    sigma: float = 0.3,
    N: int = 1000,
    seed: int = 0,
) -> SampleTable:
    """Samples near a critical point, from a known finite-size-scaling form.

    The mean conductance is the Slevin–Ohtsuki form (Phys. Rev. Lett. 82, 382 (1999))
    with ``u1(w) = w`` and ``u0 = 1``::

        g_true(W, L) = Σ_j F[j] x^j + L^(-y) Σ_j F_irrelevant[j] x^j,
        x = (W - W_c)/W_c · L^(1/nu),

    so ``Γ_c = F[0]`` (at infinite L), and the fit of
    :func:`betascale.analysis.fss.fss_fit` at orders ``(len(F) - 1, 1, ni, 0)``
    (``ni = 1`` with ``F_irrelevant``, else 0) contains the truth. Each sample has
    ``g = g_true · exp(sigma z - sigma²/2)`` with z standard normal (⟨g⟩ = g_true
    exactly) and ``T = 1/(1/g + 1/N)``, so that the contact correction recovers g
    and ⟨T⟩ differs from g_true by ``O(g²/N)``. The width is M = L.

    Parameters
    ----------
    W, L
        The grid.
    W_c, nu, F, y, F_irrelevant
        The critical point, the exponents and the polynomial coefficients of the
        relevant and irrelevant parts of the scaling function.
    n, sigma, N, seed
        Samples per (W, L), their log-normal spread, the open channels and the seed of
        ``numpy.random.default_rng``.
    """
    rng = np.random.default_rng(seed)
    Ws = np.repeat(np.asarray(W, dtype=float), len(L))
    Ls = np.tile(np.asarray(L, dtype=int), len(W))
    x = (Ws - W_c) / W_c * Ls ** (1.0 / nu)
    g_true = np.polynomial.polynomial.polyval(x, np.asarray(F, dtype=float))
    if len(F_irrelevant):
        irr = np.polynomial.polynomial.polyval(x, np.asarray(F_irrelevant, dtype=float))
        g_true = g_true + Ls ** (-float(y)) * irr
    if not np.all(g_true > 0):
        raise InputError("the scaling form gives g <= 0 inside the grid; change F or the grid")
    g = g_true[:, None] * np.exp(sigma * rng.standard_normal((Ws.size, n)) - sigma**2 / 2)
    T = (g * N / (N + g)).ravel()
    La = np.repeat(Ls, n)
    return SampleTable(
        W=np.repeat(Ws, n),
        L=La,
        M=La.copy(),
        sample=np.tile(np.arange(n), Ws.size),
        T=T,
        N=np.full(T.size, N, dtype=np.int64),
        seconds=np.zeros(T.size),
        rank=np.zeros(T.size, dtype=np.int64),
    )


def synthetic_flux_table(
    model: str = "orthogonal",
    W: Sequence[float] = (2.0,),
    g0: Sequence[float] = (6.0,),
    L: Sequence[int] = (32, 64, 128, 256),
    fluxes: Sequence[float] = (0.0, 1e-4, 3e-4, 1e-3, 3e-3),
    L_phi_ratio: float = 1.0,
    n: int = 200,
    sigma: float = 0.3,
    decorrelation: float = 2.0,
    N: int = 1000,
    seed: int = 0,
) -> SampleTable:
    """A paired flux scan with a known weak-localization and HLN answer.

    At disorder ``W[i]``, size L and flux phi the mean conductance is
    ``g0[i] + a ln(L/L[0]) + hln(phi, alpha, phi_*(L))`` with the class's HLN alpha
    (:data:`betascale.theory.HLN_ALPHA`), ``a = -2 alpha/pi`` (so ``-1/pi`` orthogonal,
    ``+1/pi`` symplectic) and ``phi_*(L) = hln_flux_star(L_phi_ratio * L)``. At
    ``phi >> phi_*`` the ln L dependence cancels, as in the unitary class.

    Sample j of (W, L) is the same "realization" at every flux: its deviation is
    ``sigma (rho z_j + sqrt(1 - rho^2) z_j(phi))`` with ``z`` standard normal and the
    correlation with zero flux ``rho = 1/(1 + (phi L^2/decorrelation)^2)`` (the
    magnetofingerprint decorrelates once about ``decorrelation`` flux quanta thread
    the sample). ``T = 1/(1/g + 1/N)``, so the contact correction recovers g; M = L.

    Parameters
    ----------
    model
        ``"orthogonal"`` or ``"symplectic"`` (``"unitary"`` gives no flux dependence).
    W, g0
        Disorder labels and the zero-flux conductance of each at ``L[0]``.
    L, fluxes
        Sizes and flux values (include 0 for pairs).
    L_phi_ratio
        ``L_phi / L`` of the HLN dephasing field.
    n, sigma, decorrelation, N, seed
        Samples per (W, L, phi), spread of g, decorrelation flux, channels, seed.
    """
    alpha = theory.HLN_ALPHA[theory.check_class(model)]
    if len(W) != len(g0):
        raise InputError(f"W and g0 need the same length, got {len(W)} and {len(g0)}")
    rng = np.random.default_rng(seed)
    cols: dict[str, list] = {k: [] for k in ("W", "L", "flux", "sample", "T")}
    for w, g_start in zip(W, g0, strict=True):
        for size in L:
            z = rng.standard_normal(n)
            g_zero = g_start - 2 * alpha / np.pi * np.log(size / L[0])
            star = theory.hln_flux_star(L_phi_ratio * size)
            for phi in fluxes:
                rho = 1.0 / (1.0 + (phi * size**2 / decorrelation) ** 2)
                noise = rho * z + np.sqrt(1 - rho**2) * rng.standard_normal(n)
                g = g_zero + theory.hln(phi, alpha, star) + sigma * noise
                if np.any(g <= 0):
                    raise InputError(f"g <= 0 at W={w}, L={size}: raise g0 or lower sigma")
                for key, v in (("W", w), ("L", size), ("flux", phi)):
                    cols[key].append(np.full(n, v))
                cols["sample"].append(np.arange(n))
                cols["T"].append(g * N / (N + g))
    arr = {k: np.concatenate(v) for k, v in cols.items()}
    size = arr["T"].size
    return SampleTable(
        W=arr["W"].astype(float),
        L=arr["L"].astype(np.int64),
        M=arr["L"].astype(np.int64),
        sample=arr["sample"].astype(np.int64),
        T=arr["T"],
        N=np.full(size, N, dtype=np.int64),
        seconds=np.zeros(size),
        rank=np.zeros(size, dtype=np.int64),
        flux=arr["flux"].astype(float),
    )

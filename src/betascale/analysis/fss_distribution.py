"""The conductance distribution at the critical point, and how well it collapses across L.

At the critical point the whole distribution P(g) of the conductance is scale
invariant: for a given geometry and boundary condition it tends to one
L-independent curve (Shapiro, Phys. Rev. Lett. 65, 1510 (1990); for the 2D
symplectic class Markoš & Schweitzer, J. Phys. A 39, 3221 (2006), who stress its
dependence on the boundary conditions and the aspect ratio). Here the samples at
the disorder W nearest a given W_c (from :func:`betascale.analysis.fss.fss_fit`) are
compared across L:

* per L, ⟨T⟩, ⟨g⟩, var g and ⟨ln g⟩ with standard errors (var from the fourth
  moment, :func:`~betascale.analysis.ensembles.variance_estimate`);
* the two-sample Kolmogorov–Smirnov statistic and p-value between successive sizes
  and between each size and the largest (``scipy.stats.ks_2samp``);
* the k-sample Anderson–Darling test of all sizes together (Scholz & Stephens,
  J. Am. Stat. Assoc. 82, 918 (1987); ``scipy.stats.anderson_ksamp``);
* χ² of ⟨g⟩ and of var g against an L-independent constant.

At ``W != W_c`` the distribution still drifts with L through ``(W - W_c) L^{1/ν}``;
the offset is reported.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from betascale.analysis.ensembles import (
    Estimate,
    contact_corrected,
    mean_estimate,
    variance_estimate,
)
from betascale.analysis.fss_data import select_samples
from betascale.analysis.gls import chi2_sf
from betascale.errors import InputError
from betascale.serialization import json_float
from betascale.store import SampleTable
from betascale.validation import finite

#: The variables whose distribution can be compared: T (two-terminal) or g (corrected).
QUANTITIES = {"T": "T (two-terminal)", "g": "g = 1/(1/T - 1/N), contact-corrected"}


@dataclass(frozen=True)
class CriticalSize:
    """Moments of the critical ensemble of one size (conductances in e²/h)."""

    L: int
    n: int
    N: int
    mean_T: Estimate
    mean_g: Estimate
    var_g: Estimate
    mean_lng: Estimate
    var_T: Estimate

    def to_dict(self) -> dict:
        """A JSON-safe dict."""
        out: dict = {"L": self.L, "n": self.n, "N": self.N}
        for name in ("mean_T", "mean_g", "var_g", "mean_lng", "var_T"):
            out[name] = getattr(self, name).to_dict()
        return out


@dataclass(frozen=True)
class KSTest:
    """A two-sample Kolmogorov–Smirnov comparison of the sizes L1 and L2."""

    L1: int
    L2: int
    statistic: float
    p_value: float

    def to_dict(self) -> dict:
        """A JSON-safe dict."""
        return {
            "L1": self.L1,
            "L2": self.L2,
            "statistic": json_float(self.statistic),
            "p_value": json_float(self.p_value),
        }


@dataclass(frozen=True)
class CriticalDistribution:
    """The distribution of T or g at the W nearest W_c, for each size.

    Attributes
    ----------
    W, W_c
        The disorder of the samples and the critical disorder it approximates.
    quantity
        ``"T"`` or ``"g"`` (:data:`QUANTITIES`): the variable of the tests.
    sizes
        :class:`CriticalSize` per L, increasing.
    ks_successive, ks_largest
        KS tests between successive sizes and between each size and the largest.
    ad_statistic, ad_p_value
        k-sample Anderson–Darling test of all sizes (scipy caps p to [0.001, 0.25]).
    chi2_mean, chi2_var, dof
        χ² of ⟨quantity⟩ and of its variance against one constant over L, with
        ``dof = len(sizes) - 1``; p-values :attr:`p_mean`, :attr:`p_var`.
    samples
        The per-sample values of ``quantity`` per L.
    """

    W: float
    W_c: float
    quantity: str
    sizes: tuple[CriticalSize, ...]
    ks_successive: tuple[KSTest, ...]
    ks_largest: tuple[KSTest, ...]
    ad_statistic: float
    ad_p_value: float
    chi2_mean: float
    chi2_var: float
    dof: int
    samples: dict[int, np.ndarray] = field(repr=False, compare=False)

    @property
    def p_mean(self) -> float:
        """p-value of an L-independent mean."""
        return chi2_sf(self.chi2_mean, self.dof)

    @property
    def p_var(self) -> float:
        """p-value of an L-independent variance."""
        return chi2_sf(self.chi2_var, self.dof)

    def histogram(self, bins: int | Sequence[float] = 30) -> tuple[np.ndarray, dict]:
        """Common bin edges and the density of every L: ``(edges, {L: density})``."""
        allv = np.concatenate(list(self.samples.values()))
        edges = np.histogram_bin_edges(allv, bins=bins)
        return edges, {x: np.histogram(v, edges, density=True)[0] for x, v in self.samples.items()}

    def to_dict(self) -> dict:
        """A JSON-safe dict (without the samples)."""
        return {
            "W": self.W,
            "W_c": json_float(self.W_c),
            "quantity": self.quantity,
            "sizes": [s.to_dict() for s in self.sizes],
            "ks_successive": [k.to_dict() for k in self.ks_successive],
            "ks_largest": [k.to_dict() for k in self.ks_largest],
            "ad_statistic": json_float(self.ad_statistic),
            "ad_p_value": json_float(self.ad_p_value),
            "chi2_mean": json_float(self.chi2_mean),
            "chi2_var": json_float(self.chi2_var),
            "dof": self.dof,
            "p_mean": json_float(self.p_mean),
            "p_var": json_float(self.p_var),
        }

    def __str__(self) -> str:
        q = self.quantity
        lines = [
            f"critical distribution at W = {self.W:g}, the W nearest W_c = {self.W_c:.4g}; "
            f"tests on {QUANTITIES[q]}",
            f"{'L':>5} {'n':>6} {'N':>5}  {'<T>':>15}  {'<g>':>15}  {'var g':>15}  {'<ln g>':>15}",
        ]
        for s in self.sizes:
            lines.append(
                f"{s.L:>5} {s.n:>6} {s.N:>5}  {s.mean_T!s:>15}  {s.mean_g!s:>15}  "
                f"{s.var_g!s:>15}  {s.mean_lng!s:>15}"
            )
        ks = ", ".join(
            f"{k.L1}-{k.L2}: D={k.statistic:.3f} (p={k.p_value:.2g})" for k in self.ks_successive
        )
        lines.append(f"KS between successive L: {ks}")
        lines.append(
            f"Anderson-Darling, all L: A = {self.ad_statistic:.2f}, p = {self.ad_p_value:.3g}; "
            f"L-independent <{q}>: chi2 = {self.chi2_mean:.1f}/{self.dof} "
            f"(p = {self.p_mean:.3g}), var {q}: chi2 = {self.chi2_var:.1f}/{self.dof} "
            f"(p = {self.p_var:.3g})"
        )
        return "\n".join(lines)


def _chi2_constant(est: Sequence[Estimate]) -> float:
    """χ² of estimates against their weighted mean."""
    m = np.array([e.mean for e in est])
    s = np.array([e.error for e in est])
    if np.any(~(s > 0)):
        return math.nan
    w = 1 / s**2
    mu = np.sum(w * m) / np.sum(w)
    return float(np.sum(w * (m - mu) ** 2))


def _size(L: int, T: np.ndarray, N: int) -> CriticalSize:
    g = contact_corrected(T, N)
    usable = np.isfinite(g) & (g > 0)
    lng = np.log(g[usable]) if usable.sum() >= 2 else np.array([math.nan, math.nan])
    return CriticalSize(
        L=int(L),
        n=int(T.size),
        N=int(N),
        mean_T=mean_estimate(T),
        mean_g=mean_estimate(g),
        var_g=variance_estimate(g) if np.all(np.isfinite(g)) else Estimate(math.inf, math.nan),
        mean_lng=mean_estimate(lng),
        var_T=variance_estimate(T),
    )


def nearest_W(table: SampleTable, W_c: float, min_sizes: int = 2) -> float:
    """The W of the table nearest ``W_c`` that has samples at ``min_sizes`` sizes or more."""
    W = np.asarray(table.W, dtype=float)
    L = np.asarray(table.L)
    cands = [w for w in np.unique(W) if np.unique(L[W == w]).size >= min_sizes]
    if not cands:
        raise InputError(f"no W has samples at {min_sizes} or more sizes L")
    return float(min(cands, key=lambda w: (abs(w - W_c), w)))


def critical_distribution(
    table: SampleTable,
    W_c: float,
    quantity: str = "g",
    lmin: int = 0,
    W: float | None = None,
) -> CriticalDistribution:
    """The distribution of T or g at the W nearest ``W_c``, compared across sizes.

    Parameters
    ----------
    table
        The samples.
    W_c
        The critical disorder (e.g. ``fss_fit(...).W_c.value``).
    quantity
        ``"g"`` (contact-corrected, the default) or ``"T"`` (two-terminal): the
        variable of the KS and Anderson–Darling tests and of the χ² of mean and variance.
    lmin
        Leave out sizes below ``lmin``.
    W
        Use exactly this W instead of the one nearest ``W_c``.

    Raises
    ------
    InputError
        Bad quantity, no W with at least two sizes, or fewer than 2 samples at a size.
    """
    if quantity not in QUANTITIES:
        raise InputError(f"quantity must be one of {', '.join(QUANTITIES)}, got {quantity!r}")
    W_c = finite("W_c", W_c)
    table = select_samples(table, None, lmin)
    W0 = nearest_W(table, W_c) if W is None else finite("W", W)
    sel = np.asarray(table.W, dtype=float) == W0
    if not sel.any():
        raise InputError(f"no samples at W = {W0:g}")
    sizes, samples = _per_size(table, sel, quantity)
    Ls = sorted(samples)
    ks_s = tuple(_ks(a, b, samples) for a, b in itertools.pairwise(Ls))
    ks_l = tuple(_ks(a, Ls[-1], samples) for a in Ls[:-1])
    ad, ad_p = _anderson([samples[x] for x in Ls])
    key_m, key_v = ("mean_g", "var_g") if quantity == "g" else ("mean_T", "var_T")
    return CriticalDistribution(
        W=W0,
        W_c=W_c,
        quantity=quantity,
        sizes=sizes,
        ks_successive=ks_s,
        ks_largest=ks_l,
        ad_statistic=ad,
        ad_p_value=ad_p,
        chi2_mean=_chi2_constant([getattr(s, key_m) for s in sizes]),
        chi2_var=_chi2_constant([getattr(s, key_v) for s in sizes]),
        dof=len(sizes) - 1,
        samples=samples,
    )


def _per_size(table: SampleTable, sel: np.ndarray, quantity: str):
    T_all = np.asarray(table.T, dtype=float)[sel]
    L_all = np.asarray(table.L)[sel]
    N_all = np.asarray(table.N)[sel]
    sizes, samples = [], {}
    for x in np.unique(L_all):
        m = L_all == x
        if m.sum() < 2:
            raise InputError(f"L = {x} has {m.sum()} sample(s) at this W; need at least 2")
        Ns = np.unique(N_all[m])
        if Ns.size != 1:
            raise InputError(f"L = {x}: the number of open channels N differs between samples")
        sizes.append(_size(int(x), T_all[m], int(Ns[0])))
        v = T_all[m] if quantity == "T" else contact_corrected(T_all[m], int(Ns[0]))
        samples[int(x)] = v[np.isfinite(v)]
    return tuple(sizes), samples


def _ks(a: int, b: int, samples: dict) -> KSTest:
    from scipy.stats import ks_2samp

    r = ks_2samp(samples[a], samples[b])
    return KSTest(a, b, float(r.statistic), float(r.pvalue))


def _anderson(groups: list[np.ndarray]) -> tuple[float, float]:
    from scipy.stats import anderson_ksamp

    if len(groups) < 2:
        return math.nan, math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "p-value capped/floored" is noted in the docs
        r = anderson_ksamp(groups)
    return float(r.statistic), float(r.pvalue)

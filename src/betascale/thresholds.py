"""Lead subband thresholds and open channels: which energies and widths can work.

At a subband threshold of the leads a lead mode has zero velocity and the
scattering problem is singular (Kwant raises ``RuntimeError``), and below the
lowest threshold no channel is open at all. Both are refused when a study is made,
with a suggestion that passes the same test.

For separable leads without flux (:meth:`~betascale.models.family.Family.closed_form_lead`:
the Anderson model, and the spin-degenerate leads of the SU(2) model) the thresholds
are known in closed form: the transverse
energies ``eps_m`` of a clean strip (``-2 cos(pi m/(M+1))``, m = 1..M, hardwall;
``-2 cos(2 pi m/M)``, m = 0..M-1, periodic) shifted by the band edges ``+-2`` of the
longitudinal motion; channel m is open where ``|E - eps_m| < 2``. With flux or
other leads (the Ando model's spin–orbit leads) they are found numerically, by
counting the open channels of the lead at ``E`` and ``E +- delta``
(:func:`betascale.leads.lead_channel_count`).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from betascale.errors import InputError
from betascale.leads import has_closed_form, lead_channel_count
from betascale.resources import check_memory, geometry_bytes, kwant_lead_orbitals

if TYPE_CHECKING:
    from betascale.models import ModelSpec

#: Energies closer than this to a lead subband threshold are refused.
THRESHOLD_TOLERANCE = 1e-6
#: A suggested energy keeps this distance from every threshold where the
#: thresholds are sparse enough; otherwise a quarter of their local spacing.
SAFE_MARGIN = 0.05
#: How far from the requested energy a suggestion may lie.
SEARCH_RANGE = 0.5


def transverse_energies(bc: str, M: int) -> np.ndarray:
    """Subband energies of a clean spinless strip of width M (hopping -1)."""
    if bc == "hardwall":
        m = np.arange(1, M + 1)
        return -2 * np.cos(np.pi * m / (M + 1))
    m = np.arange(M)
    return -2 * np.cos(2 * np.pi * m / M)


def analytic_thresholds(spec: ModelSpec, M: int) -> np.ndarray | None:
    """Sorted subband thresholds of the lead where known in closed form, else None."""
    if not has_closed_form(spec):
        return None
    eps = transverse_energies(spec.bc, M)
    return np.sort(np.concatenate([eps - 2, eps + 2]))


def open_channels(spec: ModelSpec, M: int, energy: float | None = None) -> int:
    """Open channels N of one lead of width M at ``energy`` (default ``spec.E``; both spins).

    Raises
    ------
    InputError
        If ``energy`` is on a threshold of a lead whose thresholds are found numerically.
    """
    energy = spec.E if energy is None else energy
    if analytic_thresholds(spec, M) is not None:
        eps = transverse_energies(spec.bc, M)
        return spec.norbs * int(np.count_nonzero(np.abs(energy - eps) < 2))
    below, above = _counts_around(spec, M, energy, THRESHOLD_TOLERANCE)
    if below is None or below != above:
        raise InputError(f"E = {energy} is on a subband threshold of the lead")
    return below


@functools.lru_cache(maxsize=64)
def _counts_around(
    spec: ModelSpec, M: int, energy: float, delta: float
) -> tuple[int | None, int | None]:
    """Open channels at ``energy - delta`` and ``energy + delta`` (None where they fail).

    Two channel counts of the lead (:func:`betascale.leads.lead_channel_count`, the
    cost of a numeric check at large M): if the counts agree, no threshold lies
    within ``delta`` of ``energy`` (short of an opening and a closing threshold within
    ``2 delta`` of each other) and the count at ``energy`` is the same.
    """
    probe, factor = spec.family.lead_probe(spec)
    below, above = (lead_channel_count(probe, M, e) for e in (energy - delta, energy + delta))
    return (
        None if below is None else factor * below,
        None if above is None else factor * above,
    )


def is_near_threshold(spec: ModelSpec, M: int, energy: float, delta: float) -> bool:
    """Whether a lead threshold of width M lies within ``delta`` of ``energy``."""
    thresholds = analytic_thresholds(spec, M)
    if thresholds is not None:
        return bool(np.min(np.abs(thresholds - energy)) < delta)
    below, above = _counts_around(spec, M, energy, delta)
    return below is None or below != above


def required_margin(spec: ModelSpec, M: int) -> float:
    """The distance a suggested energy keeps from thresholds: SAFE_MARGIN, or less if dense.

    There are about ``2 norbs M`` thresholds over the band width 8, so their mean
    spacing is ``4/(norbs M)``; a suggestion keeps a quarter of that if it is
    below :data:`SAFE_MARGIN`.
    """
    return min(SAFE_MARGIN, 1.0 / (spec.norbs * M))


def _short_decimal(value: float, low: float, high: float, avoid: float) -> float:
    """The number with fewest decimals in ``[low, high]`` (closest to ``value``), not ``avoid``."""
    for digits in range(1, 16):
        candidate = round(value, digits)
        if low <= candidate <= high and candidate != avoid:
            return float(candidate)
    return float(value)


def _suggest_analytic(spec: ModelSpec, thresholds: np.ndarray, margin: float) -> float | None:
    edges = np.concatenate([[-np.inf], thresholds, [np.inf]])
    lo, hi = edges[:-1] + margin, edges[1:] - margin
    lo, hi = np.maximum(lo, -4 + margin), np.minimum(hi, 4 - margin)
    ok = lo <= hi
    if not np.any(ok):
        return None
    nearest = np.clip(spec.E, lo[ok], hi[ok])
    k = int(np.argmin(np.abs(nearest - spec.E)))
    if abs(nearest[k] - spec.E) > SEARCH_RANGE:
        return None
    return _short_decimal(nearest[k], lo[ok][k], hi[ok][k], spec.E)


def _suggest_numeric(spec: ModelSpec, M: int, margin: float) -> float | None:
    steps = margin * np.arange(1, int(SEARCH_RANGE / margin) + 1)
    for e in np.ravel(np.column_stack([spec.E + steps, spec.E - steps]))[:40]:
        if abs(e) < spec.family.max_energy and not is_near_threshold(spec, M, float(e), margin):
            return _short_decimal(e, e - margin / 4, e + margin / 4, spec.E)
    return None


def suggest_energy(spec: ModelSpec, M: int) -> float | None:
    """An energy near ``spec.E`` that keeps :func:`required_margin` from every threshold.

    It is written with as few decimals as keep it that far from the thresholds, and
    it differs from ``spec.E``; None if there is none within :data:`SEARCH_RANGE`.
    """
    margin = required_margin(spec, M)
    thresholds = analytic_thresholds(spec, M)
    if thresholds is not None:
        return _suggest_analytic(spec, thresholds, margin)
    return _suggest_numeric(spec, M, margin)


def suggest_width(spec: ModelSpec, M: int, tries: int = 8) -> int | None:
    """The width nearest to M (trying M+-1, M+-2, ...) at which ``spec.E`` is safe."""
    for k in range(1, tries + 1):
        for width in (M + k, M - k):
            if width < (3 if spec.bc == "periodic" else 1):
                continue
            if spec.bc == "periodic" and not _commensurate(spec.flux, width):
                continue
            margin = required_margin(spec, width)
            if not is_near_threshold(spec, width, spec.E, margin) and open_channels(spec, width):
                return width
    return None


def check_energy(spec: ModelSpec, M: int) -> None:
    """Refuse an energy on a lead subband threshold, with a safe energy and width nearby.

    The threshold test is :func:`is_near_threshold` with :data:`THRESHOLD_TOLERANCE`;
    every suggestion passes it (and keeps a wider margin).
    """
    if not is_near_threshold(spec, M, spec.E, THRESHOLD_TOLERANCE):
        return
    options = []
    energy = suggest_energy(spec, M)
    if energy is not None:
        options.append(f"a nearby energy such as E = {energy!r}")
    width = suggest_width(spec, M)
    if width is not None:
        options.append(f"a width such as M = {width}")
    advice = "; use " + " or ".join(options) if options else ""
    raise InputError(
        f"E = {spec.E} is on a subband threshold of the {spec.bc} lead of width M = {M} "
        f"(a lead mode has zero velocity there){advice}"
    )


def check_open_channels(spec: ModelSpec, M: int) -> int:
    """Return the number of open channels at ``spec.E``; refuse if there is none."""
    n = open_channels(spec, M)
    if n == 0:
        lowest = _lowest_open_energy(spec, M)
        hint = f" (the band of this lead starts at |E| ~ {lowest:.4g})" if lowest else ""
        raise InputError(
            f"no lead channel is open at E = {spec.E} for width M = {M}{hint}; "
            "every sample would fail: choose E closer to the band centre or a wider sample"
        )
    return n


def _lowest_open_energy(spec: ModelSpec, M: int) -> float | None:
    """|E| of the outermost threshold of the spinless lead (None if not analytic)."""
    thresholds = analytic_thresholds(spec, M)
    if thresholds is None:
        return None
    return float(min(abs(thresholds[0]), abs(thresholds[-1])))


def _commensurate(flux: float, M: int) -> bool:
    """Whether ``flux * M`` is an integer (to 1e-9): a periodic strip of width M can carry it."""
    phase_sum = flux * M
    return abs(phase_sum - round(phase_sum)) <= 1e-9


def commensurate_widths(flux: float, M: int, count: int = 2, limit: int = 4096) -> list[int]:
    """The ``count`` widths (at least 3) nearest to M with ``flux * width`` an integer,
    ascending; searched within ``limit`` of M (fewer, or none, if there are fewer)."""
    found: list[int] = []
    for k in range(1, limit + 1):
        for width in (M - k, M + k):
            if width >= 3 and _commensurate(flux, width):
                found.append(width)
                if len(found) == count:
                    return sorted(found)
    return sorted(found)


@functools.lru_cache(maxsize=256)
def check_lead(spec: ModelSpec, M: int) -> int:
    """Check that the leads of width M work at ``spec.E``; return the open channels.

    Refuses periodic strips narrower than 3, a flux that periodic boundaries cannot
    carry (``flux * M`` must be an integer, with the field in the leads or not: for
    field-free leads the message names the nearest :func:`commensurate_widths`), an
    energy on a subband threshold
    (:func:`check_energy`), an energy without open channels
    (:func:`check_open_channels`), and a lead whose dense mode solve cannot fit in
    memory (:func:`betascale.resources.check_memory`). Cached: a study checks every width up front.
    """
    if spec.bc == "periodic" and M < 3:
        raise InputError(f"periodic boundaries need M >= 3, got M = {M}")
    if spec.flux != 0 and spec.bc == "periodic" and not _commensurate(spec.flux, M):
        if not spec.field_in_leads:
            widths = ", ".join(map(str, commensurate_widths(spec.flux, M))) or "none near M"
            raise InputError(
                f"field-free leads with periodic boundaries need flux*M to be an integer (the "
                f"right lead's vector potential is then a pure gauge), got flux = {spec.flux:g}"
                f" and M = {M}; commensurate widths nearby: {widths}"
            )
        raise InputError(
            f"flux {spec.flux} per plaquette is incompatible with periodic boundaries of "
            f"width M = {M}: flux*M must be an integer (e.g. flux = {1 / M:.6g})"
        )
    if kwant_lead_orbitals(spec, M):  # a dense mode solve of size 2M: fit it first
        check_memory(geometry_bytes(spec, 2, M), f"the lead check of width M = {M}")
    check_energy(spec, M)
    return check_open_channels(spec, M)


__all__ = [
    "SAFE_MARGIN",
    "THRESHOLD_TOLERANCE",
    "analytic_thresholds",
    "check_energy",
    "check_lead",
    "check_open_channels",
    "commensurate_widths",
    "is_near_threshold",
    "open_channels",
    "required_margin",
    "suggest_energy",
    "suggest_width",
    "transverse_energies",
]

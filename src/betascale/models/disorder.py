"""The random numbers of one sample, drawn vectorized from the sample's own generator.

The disorder of a sample is a pure function of the study seed and the sample key
(:func:`sample_key`: W, L, M and the index, never the flux): it is drawn from
``numpy.random.default_rng(SeedSequence([seed, *key]))`` (:func:`sample_rng`) by the
family's :meth:`~betascale.models.family.Family.draw`, in a fixed order, never from
global state, so any process draws the same sample bit for bit, and the samples of
one key at different fluxes share their disorder (a paired design).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from betascale.errors import InputError
from betascale.validation import finite

if TYPE_CHECKING:
    from betascale.models.spec import ModelSpec


@dataclass(frozen=True)
class Disorder:
    """The random parts of one sample, indexed by lattice coordinates.

    Attributes
    ----------
    onsite
        On-site energies, shape ``(L, M)``, index ``[x, y]`` (the same on every orbital).
    bonds_x, bonds_y
        Families with random bonds only (the SU(2) model): the bond matrices R, shape
        ``(L-1, M, n, n)`` for the bond from (x, y) to (x+1, y) and ``(L, My, n, n)``
        for the bond from (x, y) to (x, (y+1) mod M), with ``My = M-1`` (hardwall) or
        ``M`` (periodic) and n orbitals per site. The hopping is ``H[to, from] = -R``
        (times the Peierls factor on x-bonds).
    """

    onsite: np.ndarray
    bonds_x: np.ndarray | None = None
    bonds_y: np.ndarray | None = None


def _float_key(value: float) -> int:
    """The IEEE-754 bit pattern of a float as a non-negative int (exact, order-free)."""
    return struct.unpack("<Q", struct.pack("<d", float(value)))[0]


def sample_key(W: float, L: int, M: int, index: int) -> tuple[int, int, int, int]:
    """The key that names one disorder sample: (bits of W, L, M, sample index).

    Together with the study seed it determines the sample completely. The flux is
    not part of it: samples at different fluxes share their disorder.
    """
    if index < 0:
        raise InputError(f"sample index must be >= 0, got {index}")
    return (_float_key(W), int(L), int(M), int(index))


def sample_rng(seed: int, key: tuple[int, ...]) -> np.random.Generator:
    """A fresh generator for one sample, seeded by ``SeedSequence([seed, *key])``."""
    if seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed}")
    return np.random.default_rng(np.random.SeedSequence([int(seed), *map(int, key)]))


def box_onsite(rng: np.random.Generator, L: int, M: int, W: float) -> np.ndarray:
    """On-site energies uniform in ``[-W/2, W/2]``, shape ``(L, M)``, x-major order.

    The Anderson distribution (P. W. Anderson, Phys. Rev. 109, 1492 (1958)), the first
    draw of every built-in family.
    """
    return W * (rng.random((L, M)) - 0.5)


def strength(W: float) -> float:
    """The disorder strength ``W`` as a float, checked: finite and ``>= 0``."""
    W = finite("W", W)
    if W < 0:
        raise InputError(f"disorder strength W must be >= 0, got {W}")
    return W


def draw_disorder(spec: ModelSpec, L: int, M: int, W: float, seed: int, index: int) -> Disorder:
    """Draw sample ``index`` at disorder strength ``W`` for the study ``seed``.

    The draw is a pure function of ``(seed, W, L, M, index)`` and of the family, whose
    :meth:`~betascale.models.family.Family.draw` takes the sample's generator.
    """
    W = strength(W)
    rng = sample_rng(seed, sample_key(W, L, M, index))
    return spec.family.draw(spec, rng, L, M, W)


def clean_disorder(spec: ModelSpec, L: int, M: int) -> Disorder:
    """A disorder-free sample (W = 0; with random bonds, R = 1)."""
    return spec.family.clean(spec, L, M)


__all__ = [
    "Disorder",
    "box_onsite",
    "clean_disorder",
    "draw_disorder",
    "sample_key",
    "sample_rng",
    "strength",
]

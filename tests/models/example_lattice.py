"""Example Kwant builders for the tests of the generic Kwant family (importable by path).

* :func:`square`: the square lattice of ``PHYSICS.md`` (hopping -1, L x M, leads along x);
* :func:`honeycomb`: a zigzag ribbon of the honeycomb lattice (two sublattices a/b,
  hopping -1), ``L`` unit cells along the ribbon, ``M`` across;
* :func:`spinful`: the square lattice with two orbitals per site and the Ando
  spin–orbit hopping ``-(V1 + i V2 σ_y)`` along x, ``-(V1 - i V2 σ_x)`` along y (T. Ando,
  Phys. Rev. B 40, 5325 (1989)), a symplectic model.
"""

from __future__ import annotations

import math

import kwant
import numpy as np

from betascale.models import KwantFamily, OnsiteDisorder


def _two_leads(syst, lead):
    syst.attach_lead(lead)
    syst.attach_lead(lead.reversed())
    return syst


def square(L: int, M: int):
    """The clean L x M square-lattice sample with two leads of width M."""
    lat = kwant.lattice.square(a=1, norbs=1)
    syst = kwant.Builder()
    syst[(lat(x, y) for x in range(L) for y in range(M))] = 0.0
    syst[lat.neighbors()] = -1.0
    lead = kwant.Builder(kwant.TranslationalSymmetry((-1, 0)))
    lead[(lat(0, y) for y in range(M))] = 0.0
    lead[lat.neighbors()] = -1.0
    return _two_leads(syst, lead)


HONEYCOMB = kwant.lattice.honeycomb(a=1, norbs=1, name=["a", "b"])


def honeycomb(L: int, M: int):
    """A zigzag ribbon: ``L`` cells along x (period 1), ``M`` cells across (width ~ M √3)."""
    lat = HONEYCOMB
    width = M * math.sqrt(3) - 0.1

    def ribbon(pos):
        return 0 <= pos[1] < width

    def region(pos):
        return 0 <= pos[0] < L and ribbon(pos)

    syst = kwant.Builder()
    syst[lat.shape(region, (0, 0))] = 0.0
    syst[lat.neighbors()] = -1.0
    lead = kwant.Builder(kwant.TranslationalSymmetry(lat.vec((-1, 0))))
    lead[lat.shape(ribbon, (0, 0))] = 0.0
    lead[lat.neighbors()] = -1.0
    return _two_leads(syst, lead)


SIGMA_X = np.array([[0, 1], [1, 0]], dtype=complex)
SIGMA_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
ANDO_S = 0.5


def spinful(L: int, M: int):
    """The Ando model (S = 0.5) as a Kwant builder, two orbitals per site."""
    lat = kwant.lattice.square(a=1, norbs=2)
    v1, v2 = math.sqrt(1 - ANDO_S**2), ANDO_S
    hop_x = -(v1 * np.eye(2) + 1j * v2 * SIGMA_Y)
    hop_y = -(v1 * np.eye(2) - 1j * v2 * SIGMA_X)

    def fill(builder, xs):
        builder[(lat(x, y) for x in xs for y in range(M))] = np.zeros((2, 2))
        builder[kwant.builder.HoppingKind((1, 0), lat, lat)] = hop_x
        builder[kwant.builder.HoppingKind((0, 1), lat, lat)] = hop_y
        return builder

    syst = fill(kwant.Builder(), range(L))
    lead = fill(kwant.Builder(kwant.TranslationalSymmetry((-1, 0))), range(1))
    return _two_leads(syst, lead)


SQUARE = KwantFamily(square, name="example-square")
HONEYCOMB_FAMILY = KwantFamily(honeycomb, name="example-honeycomb")
SPINFUL = KwantFamily(spinful, OnsiteDisorder("box"), symmetry="symplectic", name="example-ando")

"""Tests of the finite-size Cooperon magnetoconductance (betascale.cooperon)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from betascale import theory
from betascale.cooperon import (
    COARSE_CELLS,
    FINE_CELLS,
    _richardson,
    cooperon_trace,
    finite_size_crossover,
    finite_size_magnetoconductance,
)
from betascale.errors import InputError


def dense_laplacian(nx: int, ny: int, flux: float) -> np.ndarray:
    """The covariant Laplacian built site by site: absorbing ghost cells beyond the
    first and last columns, reflecting walls, phase exp(-2 pi i flux y) on x-bonds."""
    n = nx * ny
    lap = np.zeros((n, n), dtype=complex)

    def site(x, y):
        return x * ny + y

    for x in range(nx):
        for y in range(ny):
            i = site(x, y)
            lap[i, i] += 2.0  # the x-direction: two neighbours or ghosts
            lap[i, i] += (x == 0) + (x == nx - 1)  # a ghost holds -u: one more
            for dy in (-1, 1):
                if 0 <= y + dy < ny:
                    lap[i, i] += 1.0
                    lap[i, site(x, y + dy)] -= 1.0
            if x + 1 < nx:
                hop = np.exp(-2j * math.pi * flux * y)
                lap[site(x + 1, y), i] -= hop
                lap[i, site(x + 1, y)] -= np.conj(hop)
    return lap


@pytest.mark.parametrize(
    ("nx", "ny", "flux"), [(6, 5, 0.07), (1, 4, 0.2), (5, 1, 0.3), (7, 7, 0.0)]
)
def test_trace_equals_the_dense_inverse(nx, ny, flux):
    lap = dense_laplacian(nx, ny, flux)
    assert np.allclose(lap, lap.conj().T)
    expected = np.trace(np.linalg.inv(lap)).real
    assert cooperon_trace(nx, ny, flux) == pytest.approx(expected, rel=1e-12)


def test_zero_field_trace_is_the_sum_over_the_separable_spectrum():
    """At B = 0 the box separates: Dirichlet (ghost) modes along x, Neumann across."""
    nx, ny = 9, 6
    lam = 4 * np.sin(np.arange(1, nx + 1) * math.pi / (2 * nx)) ** 2
    mu = 4 * np.sin(np.arange(ny) * math.pi / (2 * ny)) ** 2
    expected = np.sum(1 / (lam[:, None] + mu[None, :]))
    assert cooperon_trace(nx, ny, 0.0) == pytest.approx(expected, rel=1e-12)


def test_trace_is_even_and_periodic_in_the_flux_and_falls_with_it():
    t0, t1 = cooperon_trace(8, 8, 0.0), cooperon_trace(8, 8, 0.05)
    assert cooperon_trace(8, 8, -0.05) == pytest.approx(t1, rel=1e-12)
    assert cooperon_trace(8, 8, 1.05) == pytest.approx(t1, rel=1e-10)
    assert t1 < t0  # the field suppresses the Cooperon (diamagnetic inequality)


def test_crossover_vanishes_at_zero_field_and_grows_as_x_to_the_fourth():
    assert finite_size_crossover(0.0) == 0.0
    small = finite_size_crossover(np.array([0.2, 0.4]))
    assert small[1] / small[0] == pytest.approx(16.0, rel=0.01)
    xs = np.array([0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0])
    assert np.all(np.diff(finite_size_crossover(xs)) > 0)


def test_crossover_approaches_the_infinite_film_slope():
    """For l_B << L the field removes the correction between l_B and L: slope 1/pi
    in ln(L/l_B), the infinite film's (theory.hln at B >> B_phi), up to the boundary
    layer of relative size l_B/L."""
    lo, hi = 8.0, 16.0  # both on the grid (no asymptote involved)
    slope = (finite_size_crossover(hi) - finite_size_crossover(lo)) / math.log(hi / lo)
    assert slope == pytest.approx(1 / math.pi, rel=0.03)
    # a consistency check only: above DIRECT_MAX_X the asymptote, whose ln x/pi is
    # built in, is used; the grid values above are the test of the normalisation
    far = (finite_size_crossover(400.0) - finite_size_crossover(200.0)) / math.log(2)
    assert far == pytest.approx(1 / math.pi, rel=0.002)


def test_grids_agree_and_the_asymptote_matches_the_grid():
    assert _richardson(3.0, 1.0, COARSE_CELLS) == pytest.approx(
        _richardson(3.0, 1.0, FINE_CELLS), abs=1e-4
    )
    grid = _richardson(20.0, 1.0, FINE_CELLS)
    assert finite_size_crossover(20.0) == pytest.approx(grid, abs=1e-3)


def test_per_unit_width_a_wide_sample_converges_as_the_walls_share_falls():
    """F/aspect = f_wide + w/aspect: the walls' boundary layer is a share 1/aspect of a
    wide sample, so the steps of F/aspect halve with each doubling of the width."""
    per_width = [finite_size_crossover(4.0, aspect=a) / a for a in (1.0, 2.0, 4.0)]
    steps = np.diff(per_width)
    assert np.all(steps < 0)
    assert steps[1] / steps[0] == pytest.approx(0.5, abs=0.1)


def test_magnetoconductance_is_two_alpha_f():
    L, phi = 96, 3e-3
    x = L * math.sqrt(2 * math.pi * phi)
    assert x == pytest.approx(L / theory.magnetic_length(phi))
    for model, alpha in theory.HLN_ALPHA.items():
        dg = finite_size_magnetoconductance(phi, L, alpha)
        assert dg == pytest.approx(2 * alpha * finite_size_crossover(x), abs=1e-15), model


@pytest.mark.parametrize(
    "call",
    [
        lambda: finite_size_crossover(-1.0),
        lambda: finite_size_crossover(math.nan),
        lambda: finite_size_crossover(1.0, aspect=0.0),
        lambda: finite_size_crossover(1.0, aspect=True),
        lambda: cooperon_trace(2.5, 3, 0.1),
        lambda: finite_size_magnetoconductance(1e-3, 0, 0.5),
        lambda: cooperon_trace(0, 3, 0.1),
        lambda: cooperon_trace(3, 3, math.inf),
    ],
)
def test_bad_input_is_refused(call):
    with pytest.raises(InputError):
        call()


def test_new_values_are_computed_with_one_blas_thread(monkeypatch):
    """The sweep inverts small dense matrices: the project's BLAS-thread policy applies."""
    import contextlib

    import betascale.cooperon as cooperon

    entered = []

    @contextlib.contextmanager
    def recording():
        entered.append(True)
        yield

    monkeypatch.setattr(cooperon, "one_blas_thread", recording)
    finite_size_crossover(0.123)
    assert entered == [True]

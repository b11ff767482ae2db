"""The honeycomb-lattice Anderson model (models/families/honeycomb.py): geometry, leads,
agreement with kwant.smatrix, class, registry, studies and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

import betascale as bs
from betascale.errors import InputError
from betascale.leads import lead_channels
from betascale.models import HAMILTONIANS, ModelSpec, build_system, family_names, get_family
from betascale.models.families.honeycomb import (
    HONEYCOMB,
    SQUARE_ASPECT,
    born_mean_free_path,
    fermi_line,
    honeycomb_builder,
    open_channels,
    subband_edges,
    threshold_distance,
)
from betascale.solvers import FastSolver, KwantSolver
from betascale.study import parse_study_text

E = 0.5


def spec(energy: float = E) -> ModelSpec:
    return ModelSpec("honeycomb", E=energy)


@pytest.mark.parametrize(("L", "M"), [(8, 7), (7, 6)])  # odd L: one chain of lead padding
def test_agrees_with_kwant_smatrix_on_the_same_disorder(L, M):
    system = build_system(spec(), L, M)
    fast, ref = FastSolver(system), KwantSolver(system)
    for index in range(3):
        disorder = system.draw_disorder(1.5, 1, index)
        a, b = fast.solve(disorder, eigenvalues=True), ref.solve(disorder, eigenvalues=True)
        assert a.N == b.N == open_channels(M, E)
        assert abs(a.T - b.T) < 1e-10
        np.testing.assert_allclose(a.eigenvalues, b.eigenvalues, atol=1e-10)


def test_the_sample_is_l_chains_by_m_rows_of_the_armchair_ribbon():
    fsyst = honeycomb_builder(6, 5).finalized()
    positions = np.array([site.pos for site in fsyst.sites])
    assert len(fsyst.sites) == 6 * 5 and all(len(p) == 0 for p in fsyst.lead_paddings)
    xs = np.unique(np.round(positions[:, 0], 9))
    np.testing.assert_allclose(xs, np.sort(np.r_[1.5 * np.arange(6), 1.5 * np.arange(6) + 0.5]))
    np.testing.assert_allclose(np.unique(np.round(positions[:, 1], 9)), np.arange(5) * 3**0.5 / 2)
    bonds = [
        np.linalg.norm(np.subtract(fsyst.sites[i].pos, fsyst.sites[j].pos)) for i, j in fsyst.graph
    ]
    np.testing.assert_allclose(bonds, 1.0)  # nearest neighbours only, a_cc = 1
    odd = build_system(spec(), 7, 5)  # the right lead's padding: one clean chain
    assert [len(p) for p in odd.finalized.lead_paddings] == [0, 5]
    assert odd.sites[0].num_orbitals == 7 * 5
    assert SQUARE_ASPECT == pytest.approx(math.sqrt(3))


def test_h_is_real_and_the_class_orthogonal():
    system = build_system(spec(), 6, 6)
    h = system.hamiltonian
    assert np.all(np.imag(h.data) == 0) and np.all(np.real(h.data) == -1.0)
    assert system.clean_matrix.upper  # the real symmetric (MUMPS symmetric) route
    assert spec().symmetry_class == "orthogonal" and spec().is_real
    assert HONEYCOMB.max_energy == 3.0


@pytest.mark.parametrize("M", [4, 5, 9, 12, 28])
def test_subband_edges_and_channels_match_kwant_modes(M):
    lead = honeycomb_builder(2, M).finalized().leads[0]
    energies = [0.2, 0.5, 0.7, 1.3, 2.1, 2.9]
    assert [lead_channels(lead, e) for e in energies] == [open_channels(M, e) for e in energies]
    edges = subband_edges(M)
    for edge in edges[(edges > 0.05) & (edges < 2.95)][:3]:  # counts change at each edge
        assert lead_channels(lead, edge - 1e-4) != lead_channels(lead, edge + 1e-4)


@pytest.mark.parametrize(("L", "M"), [(6, 10), (5, 28)])
def test_a_clean_sample_transmits_every_open_channel(L, M):
    system = build_system(spec(), L, M)
    result = FastSolver(system).solve(system.clean_disorder())
    assert result.N == system.num_channels == open_channels(M, E) > 0
    assert result.T == pytest.approx(result.N, abs=1e-9)


def test_the_registry_finds_honeycomb():
    assert get_family("honeycomb") is HONEYCOMB
    assert "honeycomb" in HAMILTONIANS and "honeycomb" in family_names()
    assert spec().describe() == "honeycomb lattice (orthogonal), E=0.5, hardwall"
    assert spec().physics()["disorder"] == "box"


def test_a_study_file_runs_and_is_bit_reproducible():
    study = parse_study_text(
        'name = "hc"\nhamiltonian = "honeycomb"\nE = 0.5\naspect = 1.7320508075688772\n'
        "W = [1.0]\nL = [4, 6]\nsamples = 3\nseed = 2\n"
    )
    assert study.model.family is HONEYCOMB and study.width(6) == 10
    first, second = bs.run(study, quiet=True), bs.run(study, quiet=True)
    assert len(first) == 6 and np.all((first.T > 0) & (first.T <= first.N))
    assert np.array_equal(first.T, second.T)  # bit for bit
    again = bs.conductance(study.model, L=6, M=10, W=1.0, seed=2, samples=3)
    mine = first.L == 6
    assert np.array_equal(first.T[mine][np.argsort(first.sample[mine])], again.T)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ModelSpec("honeycomb", E=3.2), "outside the band"),
        (lambda: ModelSpec("honeycomb", E=0.5, bc="periodic"), "armchair edges"),
        (lambda: ModelSpec("honeycomb", E=0.5, flux=0.01), "takes no flux"),
        # M = 5: c_2 = 2 cos(pi/3) = 1, a threshold at |E| = 1 + 1 = 2
        (lambda: bs.Study("t", spec(2.0), W=[1.0], L=[5], samples=1, seed=0), "threshold"),
        # M = 4: the lowest subband opens at |1 - 2 cos(2 pi/5)| = 0.38
        (lambda: bs.Study("t", spec(0.1), W=[1.0], L=[4], samples=1, seed=0), "no lead channel"),
    ],
)
def test_bad_input_is_one_line(make, message):
    with pytest.raises(InputError) as info:
        make()
    assert message in str(info.value) and "\n" not in str(info.value)


def test_threshold_distance_of_the_study_widths():
    assert threshold_distance(5, 2.0) < 1e-12
    assert threshold_distance(28, E) > 0.03  # L = 16 of the universality study
    assert min(open_channels(M, E) for M in (28, 42, 55)) > 0


def test_fermi_line_density_of_states_matches_a_histogram_of_the_band():
    n = 1200
    t = 2 * np.pi * (np.arange(n) + 0.5) / n
    t1, t2 = np.meshgrid(t, t)
    band = np.sqrt(np.abs(3 + 2 * np.cos(t1) + 2 * np.cos(t2) + 2 * np.cos(t1 - t2)))
    for energy in (0.5, 1.5, 2.5):
        histogram = np.mean(np.abs(band - energy) < 0.005) / 0.01 / 2  # per site
        assert fermi_line(energy)[0] == pytest.approx(histogram, rel=0.02)
    nu, v2 = fermi_line(1e-3)  # the Dirac cone: nu = |E| / (sqrt(3) pi), v = 3/2
    assert nu == pytest.approx(1e-3 / (math.sqrt(3) * math.pi), rel=1e-4)
    assert v2 == pytest.approx(2.25, rel=1e-4)


def test_born_mean_free_path():
    assert born_mean_free_path(1.0, E) == pytest.approx(27.15, abs=0.01)
    assert born_mean_free_path(2.0, E) == pytest.approx(born_mean_free_path(1.0, E) / 4)
    assert HONEYCOMB.mean_free_path(1.0, E) == pytest.approx(27.15 / 1.5, abs=0.01)
    for energy in (0.0, 1.0, 3.0):
        with pytest.raises(InputError, match=r"needs 0 < \|E\| < 3"):
            fermi_line(energy)

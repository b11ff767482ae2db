"""Tests of betascale.models: geometry, Peierls phases, disorder draws, input checks."""

import itertools

import numpy as np
import pytest

from betascale.errors import InputError
from betascale.models import (
    ModelSpec,
    build_system,
    haar_su2,
    sample_key,
    sample_rng,
)


def build_any_energy(spec, L, M):
    """Build at the first energy near spec.E where the lead has open channels."""
    for energy in (spec.E, 0.3, 1.1, 1.5, 2.1, 2.7):
        try:
            return build_system(ModelSpec(**{**spec.to_dict(), "E": energy}), L, M)
        except InputError:
            continue
    raise AssertionError("no energy with open channels")


def hamiltonian(system, disorder):
    return system.fsyst.hamiltonian_submatrix(params=system.params(disorder))


@pytest.mark.parametrize(
    ("spec", "L", "M"),
    [
        (ModelSpec(), 5, 4),
        (ModelSpec("unitary", flux=0.13), 5, 4),
        (ModelSpec("symplectic"), 4, 4),
        (ModelSpec("symplectic", soc="ando", bc="periodic"), 4, 5),
    ],
)
def test_hamiltonian_is_hermitian_with_the_drawn_onsite_energies(spec, L, M):
    system = build_system(spec, L, M)
    disorder = system.draw_disorder(3.0, seed=11, index=2)
    h = hamiltonian(system, disorder)
    assert np.allclose(h, h.conj().T, atol=1e-14)
    orb = system.orbital_index()
    for x, y in [(0, 0), (L - 1, M - 1), (2, 1)]:
        for o in range(system.norbs):
            assert h[orb[x, y, o], orb[x, y, o]] == pytest.approx(disorder.onsite[x, y])
    assert np.all(np.abs(disorder.onsite) <= 1.5)


def test_orthogonal_hamiltonian_is_real():
    system = build_system(ModelSpec(bc="periodic"), 4, 5)
    h = hamiltonian(system, system.draw_disorder(2.0, 1, 0))
    assert np.abs(h.imag).max() == 0.0


@pytest.mark.parametrize("bc", ["hardwall", "periodic"])
@pytest.mark.parametrize("flux", [0.1, 0.25, -0.3])
def test_peierls_phase_per_plaquette_is_2pi_flux(bc, flux):
    M = 4 if bc == "hardwall" else 10
    if bc == "periodic":
        flux = round(flux * M) / M  # periodic boundaries need flux * M integer
    system = build_any_energy(ModelSpec("unitary", flux=flux, bc=bc, E=0.7), 4, M)
    h = hamiltonian(system, system.clean_disorder())
    idx = system.site_index
    rows = M if bc == "periodic" else M - 1  # plaquettes across the seam too
    for x in range(3):
        for y in range(rows):
            y1 = (y + 1) % M
            loop = [(x, y), (x + 1, y), (x + 1, y1), (x, y1), (x, y)]
            product = 1.0 + 0j
            for (xa, ya), (xb, yb) in itertools.pairwise(loop):
                product *= -h[idx[xb, yb], idx[xa, ya]]  # hopping from a to b is H[b, a]
            assert abs(product) == pytest.approx(1.0)
            assert np.angle(product) == pytest.approx(
                np.angle(np.exp(2j * np.pi * flux)), abs=1e-12
            )


def test_leads_carry_the_same_flux():
    flux = 0.2
    system = build_system(ModelSpec("unitary", flux=flux, E=0.7), 3, 4)
    lead = system.fsyst.leads[0]
    hop = lead.inter_cell_hopping()
    phases = np.angle(-np.diag(hop)) if np.ndim(hop) == 2 else None
    # The lead's x-bond at height y carries exp(-2 pi i flux y) (up to the direction
    # of the lead's unit cell, i.e. possibly conjugated).
    expected = np.angle(np.exp(-2j * np.pi * flux * np.arange(4)))
    positions = np.array([s.pos[1] for s in lead.sites[: lead.cell_size]]).astype(int)
    got = phases[np.argsort(positions)]
    assert np.allclose(np.exp(1j * got), np.exp(1j * expected)) or np.allclose(
        np.exp(1j * got), np.exp(-1j * expected)
    )


def test_su2_bonds_are_haar_special_unitary():
    rng = np.random.default_rng(0)
    r = haar_su2(rng, (20000,))
    eye = np.einsum("nij,nkj->nik", r, r.conj())
    assert np.allclose(eye, np.eye(2), atol=1e-12)
    assert np.allclose(np.linalg.det(r), 1.0)
    # Haar measure: cos^2(beta) = |R00|^2 is uniform on [0, 1] (mean 1/2, variance 1/12).
    c2 = np.abs(r[:, 0, 0]) ** 2
    assert c2.mean() == pytest.approx(0.5, abs=0.01)
    assert c2.var() == pytest.approx(1 / 12, abs=0.005)


def test_su2_hoppings_match_the_drawn_bonds_in_both_directions():
    system = build_system(ModelSpec("symplectic", bc="periodic"), 3, 4)
    disorder = system.draw_disorder(1.0, 5, 0)
    h = hamiltonian(system, disorder)
    orb = system.orbital_index()
    a, b = orb[1, 2], orb[2, 2]  # x-bond from (1, 2) to (2, 2)
    assert np.allclose(h[np.ix_(b, a)], -disorder.bonds_x[1, 2])
    assert np.allclose(h[np.ix_(a, b)], -disorder.bonds_x[1, 2].conj().T)
    a, b = orb[0, 3], orb[0, 0]  # periodic y-bond from (0, 3) to (0, 0)
    assert np.allclose(h[np.ix_(b, a)], -disorder.bonds_y[0, 3])


def test_disorder_is_a_pure_function_of_seed_and_key():
    system = build_system(ModelSpec("symplectic"), 4, 4)
    first = system.draw_disorder(2.0, 3, 7)
    again = system.draw_disorder(2.0, 3, 7)
    other = system.draw_disorder(2.0, 3, 8)
    assert np.array_equal(first.onsite, again.onsite)
    assert np.array_equal(first.bonds_x, again.bonds_x)
    assert not np.array_equal(first.onsite, other.onsite)
    assert not np.array_equal(first.onsite, system.draw_disorder(2.0, 4, 7).onsite)
    # The draw does not depend on global state.
    np.random.seed(0)  # noqa: NPY002 (global state must not matter)
    assert np.array_equal(system.draw_disorder(2.0, 3, 7).onsite, first.onsite)


def test_sample_key_is_exact_in_w():
    assert sample_key(2.0, 8, 8, 0) != sample_key(np.nextafter(2.0, 3.0), 8, 8, 0)
    u = sample_rng(1, sample_key(2.0, 8, 8, 0)).random()
    assert u == sample_rng(1, sample_key(2.0, 8, 8, 0)).random()


@pytest.mark.parametrize(
    ("kwargs", "size", "fragment"),
    [
        ({}, (1, 4), "L must be at least 2"),
        ({}, (4, 0), "M must be at least 1"),
        ({"bc": "periodic"}, (4, 2), "periodic boundaries need M >= 3"),
        ({"model": "unitary", "flux": 0.1, "bc": "periodic"}, (4, 8), "flux*M must be an integer"),
        ({}, (4, 5), "subband threshold"),
        ({"bc": "periodic"}, (4, 6), "subband threshold"),
    ],
)
def test_bad_geometry_is_refused_with_one_line(kwargs, size, fragment):
    with pytest.raises(InputError, match=fragment.replace("*", r"\*")) as info:
        build_system(ModelSpec(**kwargs), *size)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"model": "bogus"}, "model must be one of"),
        ({"E": float("nan")}, "E must be finite"),
        ({"E": float("inf")}, "E must be finite"),
        ({"E": 5.0}, "outside the band"),
        ({"model": "orthogonal", "flux": 0.1}, "orthogonal model has no flux"),
        ({"hamiltonian": "su3"}, "hamiltonian must be one of"),
        ({"hamiltonian": "su2", "model": "orthogonal"}, "contradicts"),
        ({"model": "symplectic", "soc": "ando", "S": 1.5}, "S must be in"),
        ({"hamiltonian": "ando", "S": 0.0}, "S = 0 switches off the Ando model's spin-orbit"),
        ({"hamiltonian": "anderson", "S": 0.7}, "S = 0.7 is only used by the Ando"),
        ({"hamiltonian": "su2", "S": 0.9}, "S = 0.9 is only used by the Ando"),
        ({"bc": "open"}, "bc must be one of"),
    ],
)
def test_bad_model_spec_is_refused(kwargs, fragment):
    with pytest.raises(InputError, match=fragment):
        ModelSpec(**kwargs)


@pytest.mark.parametrize("W", [-1.0, float("nan"), float("inf")])
def test_bad_disorder_strength_is_refused(W):
    system = build_system(ModelSpec(), 3, 4)
    with pytest.raises(InputError, match="W"):
        system.draw_disorder(W, 1, 0)


def test_build_system_builds_nothing_heavy_until_asked():
    system = build_system(ModelSpec("ando", E=0.5), 5, 6)
    assert not system.has_fsyst
    assert system.num_channels == 10  # from the leads, without the Kwant system
    system.clean_matrix  # noqa: B018 (assembled on demand)
    assert not system.has_fsyst
    fsyst = system.fsyst  # built now, once
    assert system.has_fsyst and system.fsyst is fsyst
    assert len(fsyst.sites) == 30 and len(fsyst.leads) == 2


@pytest.mark.parametrize("spec", [ModelSpec(bc="periodic"), ModelSpec("su2")])
def test_site_and_orbital_order_is_kwant_order(spec):
    system = build_system(spec, 4, 7)
    tags = np.array([site.tag for site in system.fsyst.sites])
    assert np.array_equal(system.site_index[tags[:, 0], tags[:, 1]], np.arange(len(tags)))
    orb = system.orbital_index()
    assert orb.shape == (4, 7, spec.norbs)
    assert np.array_equal(orb.ravel(), np.arange(4 * 7 * spec.norbs))


def test_num_channels_agrees_with_the_lead_modes():
    for spec, M in [(ModelSpec(), 7), (ModelSpec(flux=0.1, E=0.7), 6), (ModelSpec("su2"), 7)]:
        system = build_system(spec, 3, M)
        assert system.num_channels == system.leads.N
        assert system.num_channels == system.fsyst.leads[0].modes(spec.E)[0].velocities.size // 2


# ------------------------------------------------ issue 16: flux range, strict numbers
@pytest.mark.parametrize("phi", [0.5, 1.0, -0.5, 1e300])
def test_a_flux_equivalent_to_another_is_refused(phi):
    """phi = 1 is phi = 0 (to 1e-15), phi = 0.5 is real, 1e300 is noise: one period only."""
    with pytest.raises(InputError, match=r"periodic with period 1"):
        ModelSpec("anderson", E=1.0, flux=phi)


def test_the_class_is_unitary_only_for_a_complex_hamiltonian():
    assert ModelSpec("anderson", E=1.0, flux=0.49).symmetry_class == "unitary"
    assert ModelSpec("anderson", E=1.0, flux=-0.01).symmetry_class == "unitary"
    assert ModelSpec("su2", E=1.0, flux=0.0).symmetry_class == "symplectic"


@pytest.mark.parametrize(
    "kwargs", [{"E": "1"}, {"E": True}, {"S": "0.5"}, {"flux": "0.1"}, {"hamiltonian": 3}]
)
def test_model_numbers_are_numbers(kwargs):
    with pytest.raises(InputError, match="must be a"):
        ModelSpec(**{"hamiltonian": "ando", **kwargs})


def test_numpy_scalars_stay_accepted():
    spec = ModelSpec("anderson", E=np.float64(1.0), flux=np.float64(0.01))
    assert spec.E == 1.0 and type(spec.E) is float
    assert build_system(spec, np.int64(6), np.int32(4)).M == 4


@pytest.mark.parametrize("model", ["su2", None])
def test_a_model_must_be_a_model_spec(model):
    with pytest.raises(InputError, match="model must be a ModelSpec"):
        build_system(model, 6)


@pytest.mark.parametrize("size", [6.0, "6", True])
def test_sizes_are_integers(size):
    with pytest.raises(InputError, match="L must be an integer"):
        build_system(ModelSpec("anderson"), size)

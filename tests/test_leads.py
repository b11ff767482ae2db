"""Tests of betascale.leads: every route gives Kwant's self-energies of the attached leads."""

import numpy as np
import pytest

import betascale.leads as leads_module
from betascale.leads import KWANT_LEAD_MAX_ORBITALS, lead_self_energies, transverse_modes
from betascale.models import ModelSpec, build_system
from betascale.thresholds import open_channels


def kwant_sigmas(spec, L, M):
    """Self-energies of the leads attached to Kwant's system, and its channel count."""
    fsyst = build_system(spec, L, M).fsyst
    sigmas = [np.asarray(lead.selfenergy(spec.E)) for lead in fsyst.leads]
    return sigmas, fsyst.leads[0].modes(spec.E)[0].velocities.size // 2


def check_against_kwant(leads, spec, M):
    (ref_left, ref_right), n = kwant_sigmas(spec, 3, M)
    assert leads.N == n == open_channels(spec, M)
    assert np.allclose(leads.sigma_left, ref_left, atol=1e-12, rtol=0)
    assert np.allclose(leads.sigma_right, ref_right, atol=1e-12, rtol=0)
    for u, sigma in ((leads.u_left, ref_left), (leads.u_right, ref_right)):
        gamma = 1j * (sigma - sigma.conj().T)
        assert u.shape[1] == n
        assert np.allclose(u @ u.conj().T, gamma, atol=1e-12)


@pytest.mark.parametrize(
    ("spec", "M"),
    [
        (ModelSpec(), 7),
        (ModelSpec(bc="periodic"), 7),
        (ModelSpec(bc="periodic", E=0.3), 8),
        (ModelSpec(E=-2.7), 20),
        (ModelSpec("su2", E=0.4), 9),
        (ModelSpec("su2", bc="periodic"), 10),
    ],
)
def test_closed_form_equals_kwant(spec, M):
    leads = lead_self_energies(spec, M, route="closed")
    assert leads.route == "closed"
    check_against_kwant(leads, spec, M)


@pytest.mark.parametrize(
    ("spec", "M"),
    [
        (ModelSpec(flux=0.05), 10),
        (ModelSpec(flux=2 / 7, bc="periodic", E=0.7), 7),
        (ModelSpec("su2", flux=0.05), 8),
        (ModelSpec("ando", E=0.5), 6),
        (ModelSpec("ando", flux=0.1, E=0.5), 6),
    ],
)
def test_wide_lead_routes_equal_kwant(spec, M, monkeypatch):
    # Wide leads with flux are solved once and spinless (the right lead is the
    # transpose of the left one; SU(2) leads are spinless leads times 1).
    monkeypatch.setattr(leads_module, "KWANT_LEAD_MAX_ORBITALS", 0)
    check_against_kwant(lead_self_energies(spec, M), spec, M)


def test_small_leads_take_kwant_bit_for_bit():
    spec = ModelSpec("su2", bc="periodic")
    M = KWANT_LEAD_MAX_ORBITALS // 2
    leads = lead_self_energies(spec, M)
    assert leads.route == "kwant"
    (ref_left, ref_right), _ = kwant_sigmas(spec, 2, M)
    assert np.array_equal(leads.sigma_left, ref_left)
    assert np.array_equal(leads.sigma_right, ref_right)
    assert lead_self_energies(ModelSpec(), KWANT_LEAD_MAX_ORBITALS + 1).route == "closed"


@pytest.mark.parametrize("bc", ["hardwall", "periodic"])
@pytest.mark.parametrize("M", [3, 8, 9])
def test_transverse_modes_are_orthonormal_eigenvectors(bc, M):
    phi, eps = transverse_modes(bc, M)
    h = -(np.eye(M, k=1) + np.eye(M, k=-1))
    if bc == "periodic":
        h[0, -1] = h[-1, 0] = -1
    assert np.allclose(phi.T @ phi, np.eye(M), atol=1e-13)
    assert np.allclose(h @ phi, phi * eps, atol=1e-13)


def test_bad_route_is_refused():
    with pytest.raises(ValueError, match="no closed-form"):
        lead_self_energies(ModelSpec(flux=0.1), 5, route="closed")
    with pytest.raises(ValueError, match="route must be"):
        lead_self_energies(ModelSpec(), 5, route="fast")


@pytest.mark.parametrize(
    ("spec", "M"),
    [
        (ModelSpec(flux=0.05), 9),
        (ModelSpec(flux=2 / 7, bc="periodic"), 7),
        (ModelSpec("su2", flux=0.1), 5),
        (ModelSpec("ando"), 5),
        (ModelSpec("ando", flux=0.1, bc="periodic"), 10),
    ],
)
def test_transfer_channel_count_equals_kwant(spec, M, monkeypatch):
    from betascale.leads import lead_channel_count
    from betascale.models import finalized_lead, lead_channels

    lead = finalized_lead(spec, M)
    monkeypatch.setattr(leads_module, "KWANT_LEAD_MAX_ORBITALS", 0)
    # Offset from symmetric energies such as E = 0, a threshold of the periodic
    # flux-2/7 lead (all its transfer eigenvalues meet on the unit circle there).
    for energy in np.linspace(-4.3, 4.3, 37) + 0.0123:
        try:
            expected = lead_channels(lead, energy)
        except RuntimeError:
            continue
        assert lead_channel_count(spec, M, float(energy)) == expected, energy


def test_transfer_eigenvalues_of_a_clean_strip_are_closed_form():
    # Without flux (V = -1), lambda + 1/lambda = eps_m - E for each transverse mode.
    from betascale.leads import transfer_eigenvalues

    _, eps = transverse_modes("hardwall", 6)
    lam = transfer_eigenvalues(ModelSpec(E=0.3), 6, 0.3)
    assert np.allclose(np.sort((lam + 1 / lam).real), np.sort(np.repeat(eps - 0.3, 2)))


def test_transfer_channel_count_refuses_a_threshold(monkeypatch):
    from betascale.leads import lead_channel_count

    monkeypatch.setattr(leads_module, "KWANT_LEAD_MAX_ORBITALS", 0)
    spec = ModelSpec(flux=0.05)
    # Bisect an opening threshold of the flux lead between two counts.
    lo, hi = 0.0, 4.0
    n_lo, n_hi = lead_channel_count(spec, 6, lo), lead_channel_count(spec, 6, hi)
    assert n_lo != n_hi
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        n_mid = lead_channel_count(spec, 6, mid)
        if n_mid is None:
            break
        lo, hi = (mid, hi) if n_mid == n_lo else (lo, mid)
    assert lead_channel_count(spec, 6, 0.5 * (lo + hi)) is None


@pytest.mark.parametrize(
    ("spec", "L", "M"),
    [
        (ModelSpec(flux=0.05, field_in_leads=False), 5, 7),
        (ModelSpec(flux=1 / 8, bc="periodic", field_in_leads=False), 6, 8),
        (ModelSpec(flux=1 / 4, bc="periodic", E=0.3, field_in_leads=False), 3, 8),
        (ModelSpec("su2", flux=1 / 6, bc="periodic", E=0.7, field_in_leads=False), 4, 6),
        (ModelSpec("ando", flux=0.1, E=0.5, field_in_leads=False), 4, 5),
    ],
)
@pytest.mark.parametrize("route", ["auto", "closed"])
def test_field_free_leads_equal_kwant_modes_of_the_gauged_right_lead(spec, L, M, route):
    # The right lead keeps A_y of the last column: Kwant solves that lead's modes, the
    # closed form gauge transforms the field-free Σ (Σ_R -> D Σ D†).
    if route == "closed" and not spec.family.separable_lead:
        pytest.skip("no closed form for the Ando lead")
    leads = lead_self_energies(spec, M, route=route, L=L)
    (ref_left, ref_right), n = kwant_sigmas(spec, L, M)
    assert leads.N == n == open_channels(spec.with_flux(0.0), M) == open_channels(spec, M)
    assert np.allclose(leads.sigma_left, ref_left, atol=1e-12, rtol=0)
    assert np.allclose(leads.sigma_right, ref_right, atol=1e-12, rtol=0)
    assert not np.allclose(leads.sigma_right, leads.sigma_left, atol=1e-6)  # not a mirror
    gamma = 1j * (ref_right - ref_right.conj().T)
    assert np.allclose(leads.u_right @ leads.u_right.conj().T, gamma, atol=1e-12)


def test_field_free_lead_model_and_gauge():
    spec = ModelSpec(flux=0.1, field_in_leads=False)
    assert leads_module.lead_model(spec) == spec.with_flux(0.0)
    assert leads_module.has_closed_form(spec)
    phases = leads_module.right_lead_phases(spec, 6, 4)
    assert np.allclose(phases, np.exp(2j * np.pi * 0.1 * 5 * np.arange(4)), rtol=0, atol=1e-15)
    for same in (ModelSpec(flux=0.1), ModelSpec(field_in_leads=False)):
        assert leads_module.lead_model(same) is same
        assert leads_module.right_lead_phases(same, 6, 4) is None
    with pytest.raises(ValueError, match="sample length"):
        lead_self_energies(spec, 4)


@pytest.mark.parametrize(
    ("spec", "M"),
    [
        (ModelSpec(flux=0.05), 10),
        (ModelSpec(flux=0.13, E=0.3), 9),
        (ModelSpec(flux=2 / 7, bc="periodic", E=0.7), 7),
        (ModelSpec(flux=0.25, bc="periodic", E=0.3), 8),
    ],
)
def test_flux_lead_is_real_in_the_mirror_basis(spec, M):
    # Mirror y -> M-1-y times complex conjugation is a symmetry of the flux lead: in the
    # basis P its cell and (gauge-rotated) hopping are real, and P is unitary.
    from betascale.leads import _mirror_basis, lead_cell, real_mirror_lead, transfer_eigenvalues

    h0, v = lead_cell(spec, M)
    cell, hop, phase = real_mirror_lead(h0, v)
    assert cell.dtype == hop.dtype == np.float64 and abs(abs(phase) - 1) < 1e-15
    assert np.allclose(_mirror_basis(cell.astype(complex), inverse=True), h0, atol=1e-14)
    assert np.allclose(_mirror_basis(hop.astype(complex), inverse=True), phase * v, atol=1e-14)
    # the real transfer eigenvalues, rotated back, are the complex companion's
    n = M
    companion = np.zeros((2 * n, 2 * n), dtype=complex)
    companion[:n, :n] = v @ (spec.E * np.eye(n) - h0)
    companion[:n, n:] = -(v @ v)
    companion[n:, :n] = np.eye(n)
    expected = np.linalg.eigvals(companion)
    got = transfer_eigenvalues(spec, M, spec.E)
    distance = np.abs(expected[:, None] - got[None, :]).min(axis=1)
    assert np.all(distance <= 1e-10 * np.maximum(1.0, np.abs(expected)))


def test_real_mirror_lead_refuses_a_lead_without_the_symmetry():
    from betascale.leads import real_mirror_lead

    h0 = -(np.eye(4, k=1) + np.eye(4, k=-1)).astype(complex)
    v = -np.diag(np.exp(-2j * np.pi * 0.1 * np.arange(4) ** 2))  # not a uniform field
    assert real_mirror_lead(h0, v) is None
    assert real_mirror_lead(h0, np.zeros((4, 4))) is None
    assert real_mirror_lead(h0, np.eye(4, k=1)) is None  # its mirror image is zero


@pytest.mark.parametrize(
    ("spec", "M"),
    [
        (ModelSpec(flux=0.05), 10),
        (ModelSpec(flux=2 / 7, bc="periodic", E=0.7), 7),
        (ModelSpec("su2", flux=0.05), 8),
    ],
)
def test_wide_flux_leads_solve_real_modes(spec, M, monkeypatch):
    # Wide flux leads hand Kwant's mode solver real matrices (the mirror basis) and
    # still give Kwant's self-energies of the attached leads.
    from betascale.kwant_import import import_kwant

    physics = import_kwant().physics
    dtypes = []
    original = physics.modes

    def spy(h_cell, h_hop, *args, **kwargs):
        dtypes.append((np.asarray(h_cell).dtype, np.asarray(h_hop).dtype))
        return original(h_cell, h_hop, *args, **kwargs)

    monkeypatch.setattr(leads_module, "KWANT_LEAD_MAX_ORBITALS", 0)
    monkeypatch.setattr(physics, "modes", spy)
    leads = lead_self_energies(spec, M)
    assert dtypes == [(np.float64, np.float64)]
    monkeypatch.undo()
    check_against_kwant(leads, spec, M)

"""Tests of betascale.thresholds: lead subband thresholds, open channels, suggestions."""

import numpy as np
import pytest

from betascale.errors import InputError
from betascale.models import ModelSpec, build_system, finalized_lead, lead_channels
from betascale.thresholds import check_energy, suggest_energy


def test_threshold_suggestion_is_safe():
    spec = ModelSpec(E=1.0)  # hardwall M = 5: (M + 1) divisible by 3, E = 1 is a threshold
    safe = suggest_energy(spec, 5)
    assert safe != 1.0 and abs(safe - 1.0) < 0.2
    check_energy(ModelSpec(E=safe), 5)  # does not raise
    build_system(ModelSpec(E=safe), 4, 5)


def test_threshold_found_numerically_for_flux_leads():
    # With flux the thresholds have no closed form here; they are found by counting
    # channels. Find one by scanning, then ask for exactly that energy.

    spec = ModelSpec("unitary", flux=0.1, E=0.5)
    lead = finalized_lead(spec, 6)
    energies = np.linspace(0.3, 1.3, 201)
    counts = [lead_channels(lead, e) for e in energies]
    jump = next(i for i in range(200) if counts[i] != counts[i + 1])
    lo, hi = energies[jump], energies[jump + 1]
    for _ in range(60):  # bisect the threshold to machine precision
        mid = 0.5 * (lo + hi)
        try:
            n_mid = lead_channels(lead, mid)
        except RuntimeError:
            break
        lo, hi = (mid, hi) if n_mid == counts[jump] else (lo, mid)
    with pytest.raises(InputError, match="subband threshold"):
        check_energy(ModelSpec("unitary", flux=0.1, E=0.5 * (lo + hi)), 6)


@pytest.mark.parametrize(
    ("spec", "M"),
    [
        (ModelSpec(E=1.0), 128),  # hardwall, M + 1 divisible by 3: dense thresholds
        (ModelSpec(E=1.0), 5),
        (ModelSpec(E=1.0, bc="periodic"), 96),  # periodic, 6 divides M
        (ModelSpec("su2", E=1.0, bc="periodic"), 18),
        (ModelSpec(E=1.0), 99_998),  # thresholds far denser than SAFE_MARGIN
    ],
)
def test_suggested_energy_and_width_pass_the_same_test(spec, M):
    from betascale.thresholds import check_lead, suggest_width

    with pytest.raises(InputError, match="subband threshold") as info:
        check_lead(spec, M)
    energy = suggest_energy(spec, M)
    assert energy is not None and energy != spec.E
    assert f"E = {energy!r}" in str(info.value)  # printed with every digit it has
    check_lead(ModelSpec(**{**spec.to_dict(), "E": energy}), M)  # accepted
    width = suggest_width(spec, M)
    assert width is not None and f"M = {width}" in str(info.value)
    check_lead(spec, width)


def test_suggestion_for_flux_leads_is_accepted():
    from betascale.thresholds import check_lead, is_near_threshold, required_margin

    spec = ModelSpec("anderson", E=0.5, flux=0.1)
    lead = finalized_lead(spec, 6)
    energies = np.linspace(0.3, 1.3, 201)
    counts = [lead_channels(lead, e) for e in energies]
    jump = next(i for i in range(200) if counts[i] != counts[i + 1])
    on = ModelSpec("anderson", E=float(energies[jump]), flux=0.1)
    if not is_near_threshold(on, 6, on.E, required_margin(on, 6)):
        pytest.skip("the scan did not land near a threshold")
    energy = suggest_energy(on, 6)
    assert energy is not None
    check_lead(ModelSpec("anderson", E=energy, flux=0.1), 6)


def test_wide_flux_leads_are_checked_by_transfer_eigenvalues(monkeypatch):
    # Above KWANT_LEAD_MAX_ORBITALS the numeric check counts the unimodular transfer
    # eigenvalues; it must refuse the same threshold Kwant's counts find.
    import betascale.leads as leads_module
    from betascale.thresholds import _counts_around, is_near_threshold

    spec = ModelSpec("unitary", flux=0.1, E=0.5)
    lead = finalized_lead(spec, 6)
    energies = np.linspace(0.3, 1.3, 201)
    counts = [lead_channels(lead, e) for e in energies]
    jump = next(i for i in range(200) if counts[i] != counts[i + 1])
    lo, hi = energies[jump], energies[jump + 1]
    monkeypatch.setattr(leads_module, "KWANT_LEAD_MAX_ORBITALS", 0)
    _counts_around.cache_clear()
    try:
        assert is_near_threshold(spec, 6, 0.5 * (lo + hi), hi - lo)
        assert not is_near_threshold(spec, 6, float(energies[0]), 1e-6)
    finally:
        _counts_around.cache_clear()

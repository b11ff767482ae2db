"""A flux only in the sample, with clean field-free leads (``field_in_leads = False``).

The reference is a plain Kwant system built here, independently of betascale's
builders: Landau gauge A = (0, Bx) in the sample (y-bonds of column x times
``exp(2 pi i phi x)``), a field-free left lead, and a right lead whose y-bonds carry
the constant factor of the last column; Kwant solves both leads' modes itself.
"""

import json

import kwant
import numpy as np
import pytest

import betascale.leads as leads_module
from betascale.cli import main
from betascale.errors import InputError
from betascale.models import ModelSpec, build_system
from betascale.solvers import FastSolver


def plain_kwant_t(spec, L, M, disorder):
    """T of the sample from ``kwant.smatrix`` on a system built from scratch."""
    n, phi = spec.norbs, spec.flux
    one = np.eye(n, dtype=complex) if n > 1 else 1.0
    lat = kwant.lattice.square(a=1, norbs=n)
    ny = M if spec.bc == "periodic" else M - 1
    syst = kwant.Builder()
    for x in range(L):
        for y in range(M):
            syst[lat(x, y)] = disorder.onsite[x, y] * one
    bonds = disorder.bonds_x is not None
    for x in range(L):
        phase = np.exp(2j * np.pi * phi * x)
        for y in range(ny):
            hop = -disorder.bonds_y[x, y] if bonds else -one
            syst[lat(x, (y + 1) % M), lat(x, y)] = hop * phase
        if x + 1 < L:
            for y in range(M):
                syst[lat(x + 1, y), lat(x, y)] = -disorder.bonds_x[x, y] if bonds else -one
    for sign, column in ((-1, 0), (+1, L - 1)):
        lead = kwant.Builder(kwant.TranslationalSymmetry((sign, 0)))
        phase = np.exp(2j * np.pi * phi * column) if sign > 0 else 1.0
        for y in range(M):
            lead[lat(0, y)] = 0 * one
            lead[lat(1, y), lat(0, y)] = -one
        for y in range(ny):
            lead[lat(0, (y + 1) % M), lat(0, y)] = -one * phase
        syst.attach_lead(lead)
    smatrix = kwant.smatrix(syst.finalized(), spec.E)
    return smatrix.transmission(1, 0), smatrix.num_propagating(0)


CASES = [
    (ModelSpec(flux=0.07, E=0.9, field_in_leads=False), 9, 7),
    (ModelSpec(flux=1 / 8, bc="periodic", field_in_leads=False), 10, 8),
    (ModelSpec("su2", flux=1 / 6, bc="periodic", E=0.7, field_in_leads=False), 7, 6),
]
IDS = [f"{spec.hamiltonian}-{spec.bc}" for spec, _, _ in CASES]


@pytest.mark.parametrize(("spec", "L", "M"), CASES, ids=IDS)
@pytest.mark.parametrize("route", ["kwant", "closed"])
@pytest.mark.parametrize("W", [0.0, 2.5])
def test_fast_solver_equals_plain_kwant(spec, L, M, route, W, monkeypatch):
    # route "closed": the leads take the closed form, as wide leads do.
    if route == "closed":
        monkeypatch.setattr(leads_module, "KWANT_LEAD_MAX_ORBITALS", 0)
    system = build_system(spec, L, M)
    assert system.leads.route == route
    disorder = system.clean_disorder() if W == 0 else system.draw_disorder(W, 3, 1)
    result = FastSolver(system).solve(disorder)
    T, N = plain_kwant_t(spec, L, M, disorder)
    assert result.N == N == system.num_channels
    assert result.T == pytest.approx(T, abs=1e-10, rel=0)


@pytest.mark.parametrize(("spec", "L", "M"), CASES, ids=IDS)
def test_a_clean_sample_scatters_in_the_field(spec, L, M):
    # W = 0: the field between clean leads scatters, so T < N (and never above N).
    system = build_system(spec, L, M)
    result = FastSolver(system).solve(system.clean_disorder())
    assert 0 < result.T < result.N - 0.01
    zero = build_system(spec.with_flux(0.0), L, M)
    assert FastSolver(zero).solve(zero.clean_disorder()).T == pytest.approx(zero.num_channels)


def test_field_free_leads_have_the_zero_field_channels():
    # Periodic, phi = 1/32, M = 32: the Landau-quantized leads have no open channel.
    spec = ModelSpec(flux=1 / 32, bc="periodic", field_in_leads=False)
    assert build_system(spec, 4, 32).num_channels == 21
    with pytest.raises(InputError, match="no lead channel is open"):
        build_system(spec.with_field_in_leads(True), 4, 32)


@pytest.mark.parametrize("hamiltonian", ["anderson", "su2"])
def test_periodic_flux_must_be_commensurate(hamiltonian):
    spec = ModelSpec(hamiltonian, flux=1 / 32, bc="periodic", field_in_leads=False)
    with pytest.raises(InputError) as err:
        build_system(spec, 8, 40)
    message = str(err.value)
    assert "\n" not in message
    assert "flux = 0.03125 and M = 40" in message and "widths nearby: 32, 64" in message


def test_the_draw_does_not_depend_on_the_gauge():
    # The same disorder with the field in the leads or not; T reproducible bit for bit.
    spec = ModelSpec("su2", flux=0.05, E=0.7)
    a = build_system(spec, 6, 5).draw_disorder(2.0, 11, 4)
    system = build_system(spec.with_field_in_leads(False), 6, 5)
    b = system.draw_disorder(2.0, 11, 4)
    for name in ("onsite", "bonds_x", "bonds_y"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    first = FastSolver(system).sample(2.0, 11, 4).T
    assert FastSolver(build_system(system.spec, 6, 5)).sample(2.0, 11, 4).T == first


@pytest.mark.parametrize("hamiltonian", ["anderson", "su2"])
def test_without_flux_the_option_changes_nothing(hamiltonian):
    spec = ModelSpec(hamiltonian, E=0.7, bc="periodic")
    free = spec.with_field_in_leads(False)
    a, b = build_system(spec, 6, 7), build_system(free, 6, 7)
    assert np.array_equal(a.clean_matrix.values, b.clean_matrix.values)
    assert np.array_equal(a.leads.sigma_right, b.leads.sigma_right)
    assert FastSolver(a).sample(3.0, 2, 0).T == FastSolver(b).sample(3.0, 2, 0).T


def test_spec_records_the_option_only_where_it_is_not_the_default():
    spec = ModelSpec(flux=0.1)
    assert "field_in_leads" not in spec.physics() and "field_in_leads" not in spec.to_dict()
    free = spec.with_field_in_leads(False)
    assert free.physics()["field_in_leads"] is False
    assert ModelSpec(**free.to_dict()) == free != spec
    assert free.with_flux(0.2).field_in_leads is False
    assert "field-free leads" in free.describe()
    with pytest.raises(InputError, match="field_in_leads must be true or false"):
        ModelSpec(field_in_leads="no")


def test_conductance_cli_takes_the_option(capsys):
    argv = ["conductance", "--L", "8", "--W", "2", "--bc", "periodic", "--flux", "0.125"]
    assert main([*argv, "--M", "8", "--field-free-leads", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    spec = ModelSpec(flux=0.125, bc="periodic", field_in_leads=False)
    assert data["T"] == [FastSolver(build_system(spec, 8, 8)).sample(2.0, 7, 0).T]
    assert main([*argv, "--M", "9", "--field-free-leads"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("betascale conductance: error: field-free leads") and err.count("\n") == 1

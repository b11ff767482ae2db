"""The generic Kwant family: agreement with kwant.smatrix, disorder, checks, studies."""

from __future__ import annotations

import kwant
import numpy as np
import pytest

import betascale as bs
from betascale.errors import InputError
from betascale.models import (
    FunctionDisorder,
    KwantFamily,
    ModelSpec,
    OnsiteDisorder,
    build_system,
)
from betascale.solvers import FastSolver, KwantSolver
from betascale.study import compare_physics, parse_study_text
from tests.models import example_lattice as ex


@pytest.mark.parametrize(
    ("family", "E"), [(ex.SQUARE, 0.3), (ex.HONEYCOMB_FAMILY, 0.4), (ex.SPINFUL, 0.3)]
)
def test_agrees_with_kwant_smatrix(family, E):
    system = build_system(ModelSpec(family, E=E), 8, 5)
    fast, ref = FastSolver(system), KwantSolver(system)
    for index in range(3):
        disorder = system.draw_disorder(2.0, 1, index)
        a, b = fast.solve(disorder, eigenvalues=True), ref.solve(disorder, eigenvalues=True)
        assert a.N == b.N
        assert abs(a.T - b.T) < 1e-10
        np.testing.assert_allclose(a.eigenvalues, b.eigenvalues, atol=1e-10)


def test_square_builder_reproduces_the_anderson_family():
    mine = build_system(ModelSpec(ex.SQUARE, E=0.3), 9, 6)
    builtin = build_system(ModelSpec("anderson", E=0.3), 9, 6)
    for index in range(3):
        ours, theirs = mine.draw_disorder(1.5, 4, index), builtin.draw_disorder(1.5, 4, index)
        np.testing.assert_array_equal(ours.onsite, theirs.onsite.ravel())
        t_ours = FastSolver(mine).solve(ours).T
        assert abs(t_ours - FastSolver(builtin).solve(theirs).T) < 1e-12


def test_disordered_kwant_builder_by_hand():
    """The reference with the disorder written into a Kwant builder, not through params."""
    system = build_system(ModelSpec(ex.HONEYCOMB_FAMILY, E=0.4), 6, 4)
    disorder = system.draw_disorder(1.0, 7, 0)
    table, _ = system.sites
    syst = ex.honeycomb(6, 4)
    fsyst = system.finalized
    by_position = {tuple(p): v for p, v in zip(table.positions, disorder.onsite, strict=True)}
    for site in fsyst.sites:  # the lead paddings are not disordered
        key = tuple(np.asarray(site.pos, dtype=float))
        if key in by_position:
            syst[site] = by_position[key]
    T = kwant.smatrix(syst.finalized(), 0.4).transmission(1, 0)
    assert abs(FastSolver(system).solve(disorder).T - T) < 1e-10


def test_draw_is_a_pure_function_of_seed_and_key():
    system = build_system(ModelSpec(ex.HONEYCOMB_FAMILY, E=0.4), 6, 4)
    again = build_system(ModelSpec(ex.HONEYCOMB_FAMILY, E=0.4), 6, 4)
    a, b = system.draw_disorder(2.0, 3, 5), again.draw_disorder(2.0, 3, 5)
    np.testing.assert_array_equal(a.onsite, b.onsite)
    assert not np.array_equal(a.onsite, system.draw_disorder(2.0, 3, 6).onsite)


def test_disorder_on_one_sublattice_and_gaussian_correlated():
    only_a = KwantFamily(ex.honeycomb, OnsiteDisorder("box", families=["a"]), name="t-hc-a")
    system = build_system(ModelSpec(only_a, E=0.4), 6, 4)
    assert set(system.sites[0].families) == {"a"}
    corr = OnsiteDisorder("gaussian", correlation_length=1.5)
    family = KwantFamily(ex.square, corr, name="t-sq-corr")
    system = build_system(ModelSpec(family, E=0.3), 20, 20)
    values = np.array([system.draw_disorder(2.0, 0, i).onsite for i in range(300)])
    assert np.std(values) == pytest.approx(2.0 / np.sqrt(12), rel=0.05)
    grid = values.reshape(300, 20, 20)  # sites sorted by (x, y)
    inner = grid[:, 5:15, 5:15]
    near = np.mean(inner * grid[:, 6:16, 5:15]) / np.mean(inner**2)
    assert near == pytest.approx(np.exp(-1 / (4 * 1.5**2)), abs=0.05)  # Gaussian correlation
    reference = KwantSolver(system).solve(system.draw_disorder(2.0, 0, 0)).T
    assert abs(FastSolver(system).sample(2.0, 0, 0).T - reference) < 1e-10


@pytest.mark.parametrize(
    ("disorder", "message"),
    [
        (OnsiteDisorder("box", families=["zz"]), "no site of family 'zz'"),
        (OnsiteDisorder("box", orbitals=[1]), "orbital 1 does not exist"),
        (OnsiteDisorder("box", families=["a"], orbitals=[0, 2]), "orbital 2 does not exist"),
    ],
    ids=["family", "orbital", "family-and-orbital"],
)
def test_disorder_that_selects_nothing_of_the_sample_is_refused(request, disorder, message):
    # else that part of the sample would stay clean without a word (T = N exactly)
    family = KwantFamily(ex.honeycomb, disorder, name=f"t-hc-select-{request.node.callspec.id}")
    with pytest.raises(InputError) as info:
        build_system(ModelSpec(family, E=0.4), 6, 4).draw_disorder(2.0, 0, 0)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_function_disorder():
    def ramp(positions, rng, W):
        return W * positions[:, 0] + rng.random(positions.shape[0])

    family = KwantFamily(ex.square, FunctionDisorder(ramp), name="t-sq-ramp")
    system = build_system(ModelSpec(family, E=0.3), 5, 3)
    onsite = system.draw_disorder(0.1, 0, 0).onsite
    assert onsite.shape == (15,)
    assert (
        ModelSpec(family, E=0.3).physics()["disorder"]
        == "function test_function_disorder.<locals>.ramp"
    )


@pytest.mark.parametrize(
    ("function", "message"),
    [
        (lambda pos, rng, W: np.full(len(pos), np.nan), "returned 15 value(s) that are not finite"),
        (lambda pos, rng, W: np.zeros(4), "must return 15 values (one per site)"),
        (lambda pos, rng, W: 1 / 0, "failed: ZeroDivisionError"),
    ],
    ids=["nan", "shape", "raises"],
)
def test_bad_disorder_function_is_one_line_naming_the_problem(request, function, message):
    name = f"t-fn-{request.node.callspec.id}"
    family = KwantFamily(ex.square, FunctionDisorder(function), name=name)
    with pytest.raises(InputError) as info:
        build_system(ModelSpec(family, E=0.3), 5, 3).draw_disorder(1.0, 0, 0)
    assert message in str(info.value) and "\n" not in str(info.value)


def _no_leads(L, M):
    syst = ex.square(L, M)
    del syst.leads[:]
    return syst


def _narrow_right(L, M):
    syst = ex.square(L, M)
    lat = kwant.lattice.square(norbs=1)
    lead = kwant.Builder(kwant.TranslationalSymmetry((1, 0)))
    lead[(lat(0, y) for y in range(M - 1))] = 0.0
    lead[lat.neighbors()] = -1.0
    syst.leads[1:] = []
    syst.attach_lead(lead)
    return syst


def _raises(L, M):
    raise ValueError("no such lattice")


@pytest.mark.parametrize(
    ("build", "symmetry", "message"),
    [
        (_no_leads, "orthogonal", "exactly two leads, got 0"),
        (_narrow_right, "orthogonal", "leads differ in width"),
        (_raises, "orthogonal", "build(6, 6) failed: ValueError: no such lattice"),
        (ex.square, "symplectic", "not Kramers pairs"),
        (ex.square, "unitary", "declared unitary, but its H is real"),
        (ex.spinful, "orthogonal", "declared orthogonal, but its H is not real"),
    ],
)
def test_bad_input_is_one_line(build, symmetry, message):
    family = KwantFamily(build, symmetry=symmetry, name=f"t-bad-{build.__name__}-{symmetry}")
    with pytest.raises(InputError, match=None) as info:
        build_system(ModelSpec(family, E=0.3), 6, 6).leads  # noqa: B018
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_symplectic_check_needs_an_open_channel():
    # at E = 3.5 a lead of width 2 (top subband 3) is closed, one of width 6 (3.8) is not
    family = KwantFamily(
        ex.spinful, symmetry="symplectic", name="t-closed-symplectic", check_size=(6, 2)
    )
    with pytest.raises(InputError, match=r"6x2 has no open channel at E = 3\.5") as info:
        build_system(ModelSpec(family, E=3.5), 6, 6).leads  # noqa: B018
    assert "\n" not in str(info.value)


def test_flux_and_bc_are_refused():
    with pytest.raises(InputError, match="takes no flux"):
        ModelSpec(ex.SQUARE, E=0.3, flux=0.1)
    with pytest.raises(InputError, match="takes no bc"):
        ModelSpec(ex.SQUARE, E=0.3, bc="periodic")


def test_study_runs_in_memory_and_reproduces(tmp_path):
    spec = ModelSpec(ex.HONEYCOMB_FAMILY, E=0.4)
    study = bs.Study("hc", spec, W=[1.0], L=[4, 6], samples=3, seed=2)
    first, second = bs.run(study, quiet=True), bs.run(study, quiet=True)
    assert len(first) == 6 and np.all(np.isfinite(first.T))
    assert np.array_equal(first.T, second.T)  # bit for bit
    again = bs.conductance(spec, L=6, W=1.0, seed=2, samples=3)
    mine = first.L == 6
    assert np.array_equal(first.T[mine][np.argsort(first.sample[mine])], again.T)


def test_import_path_and_fingerprint():
    path = "tests.models.example_lattice:SQUARE"
    spec = ModelSpec(path, E=0.3)
    assert spec.family is ex.SQUARE
    assert spec.physics()["hamiltonian"] == path
    assert spec.physics()["fingerprint"] == ModelSpec(ex.SQUARE, E=0.3).physics()["fingerprint"]
    other = KwantFamily(ex.honeycomb, name="t-fp-other")
    assert ModelSpec(other, E=0.3).physics()["fingerprint"] != spec.physics()["fingerprint"]
    with pytest.raises(InputError, match="cannot import 'no_such_module:X'"):
        ModelSpec("no_such_module:X", E=0.3)


def test_study_file_names_a_family_by_import_path():
    text = (
        'hamiltonian = "tests.models.example_lattice:SQUARE"\n'
        "E = 0.3\nW = [1.0]\nL = [4]\nsamples = 2\nseed = 1\n"
    )
    study = parse_study_text(text)
    assert study.model.family is ex.SQUARE
    assert study.to_dict()["hamiltonian"] == "tests.models.example_lattice:SQUARE"
    changed = KwantFamily(ex.honeycomb, name="t-changed")
    other = bs.Study("s", ModelSpec(changed, E=0.3), W=[1.0], L=[4], samples=2, seed=1)
    differences = compare_physics(study, other)
    assert any(line.startswith("fingerprint:") for line in differences)


def test_a_kwant_family_by_import_path_runs_under_mpi_bit_for_bit(tmp_path):
    """A study file naming a family by import path: 2 MPI ranks give 1 rank's samples."""
    from tests.ensemble.helpers import betascale, table, write

    study = write(
        tmp_path,
        'name = "kf"\nhamiltonian = "betascale.models.examples:KWANT_SQUARE"\nE = 0.3\n'
        "W = [2.0]\nL = [8, 12]\nsamples = 12\nseed = 3\n",
    )
    stores = {}
    for ranks in (1, 2):
        stores[ranks] = tmp_path / f"kf{ranks}.sqlite"
        proc = betascale("run", str(study), "--out", str(stores[ranks]), "--quiet", ranks=ranks)
        assert proc.returncode == 0, proc.stderr
    assert table(stores[1]) == table(stores[2]) and len(table(stores[1])) == 24


def _build(L, M):  # never called: check_size is checked at construction
    raise AssertionError("not built")


@pytest.mark.parametrize(
    ("check_size", "expected"),
    [
        ((3, 4, 5), "check_size must be two integers (L, M)"),
        ((6,), "check_size must be two integers (L, M)"),
        (5, "check_size must be a list"),
        ((6, 1), "check_size must be >= 2"),
    ],
)
def test_bad_check_size_is_refused(check_size, expected):
    with pytest.raises(InputError) as info:
        KwantFamily(_build, name="t-check-size", check_size=check_size)
    assert expected in str(info.value)
    assert "\n" not in str(info.value)


def test_check_size_is_a_pair_of_ints():
    assert KwantFamily(_build, name="t-check-size", check_size=[7, 3]).check_size == (7, 3)

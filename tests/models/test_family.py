"""Tests of betascale.models.family: what each built-in family declares, and checks."""

import math

import numpy as np
import pytest

from betascale import theory
from betascale.errors import InputError
from betascale.models import ModelSpec, get_family
from betascale.models.families import Anderson
from betascale.models.family import Family, check_family


@pytest.mark.parametrize(
    ("name", "norbs", "real", "symmetry", "bonds", "separable"),
    [
        ("anderson", 1, True, "orthogonal", False, True),
        ("su2", 2, False, "symplectic", True, True),
        ("ando", 2, False, "symplectic", False, False),
    ],
)
def test_builtin_declarations(name, norbs, real, symmetry, bonds, separable):
    family = get_family(name)
    assert (family.norbs, family.real, family.symmetry) == (norbs, real, symmetry)
    assert (family.random_bonds, family.separable_lead) == (bonds, separable)
    assert family.symmetry_with_flux == "unitary"
    spec = ModelSpec(name)
    assert spec.family is family and spec.norbs == norbs and spec.symmetry_class == symmetry
    assert spec.with_flux(0.1).symmetry_class == "unitary" and not spec.with_flux(0.1).is_real


def test_hoppings_are_hermitian_partners_of_a_unitary_times_minus_one():
    for name in ("anderson", "su2", "ando"):
        spec = ModelSpec(name, S=0.4) if name == "ando" else ModelSpec(name)
        for hop in (spec.family.hopping_x(spec), spec.family.hopping_y(spec)):
            h = np.atleast_2d(hop)
            assert np.allclose(h @ h.conj().T, np.eye(spec.norbs))


def test_mean_free_path_is_born_for_anderson_and_unknown_otherwise():
    assert get_family("anderson").mean_free_path(2.0, 1.0) == float(theory.mean_free_path(2.0, 1.0))
    assert get_family("su2").mean_free_path(2.0, 1.0) is None
    assert get_family("ando").mean_free_path(2.0, 1.0) is None


def test_lead_probe_of_a_spin_degenerate_lead_is_the_spinless_lead():
    probe, copies = get_family("su2").lead_probe(ModelSpec("su2", flux=0.02))
    assert (probe.hamiltonian, probe.flux, copies) == ("anderson", 0.02, 2)
    spec = ModelSpec("ando")
    assert get_family("ando").lead_probe(spec) == (spec, 1)
    assert not get_family("ando").closed_form_lead(spec)


def test_clean_sample_of_random_bonds_is_the_identity():
    spec = ModelSpec("su2", bc="periodic")
    clean = spec.family.clean(spec, 3, 4)
    assert clean.bonds_x.shape == (2, 4, 2, 2) and clean.bonds_y.shape == (3, 4, 2, 2)
    assert np.array_equal(clean.bonds_y[1, 2], np.eye(2)) and not clean.onsite.any()


class _Bad(Anderson):
    name = "bad"


@pytest.mark.parametrize(
    ("attribute", "value", "message"),
    [
        ("norbs", 0, "norbs must be a positive integer"),
        ("symmetry", "chiral", "symmetry must be one of"),
        ("real", True, "a real H is orthogonal"),
        ("max_energy", math.inf, "max_energy must be positive"),
        ("name", "", "a family needs a name"),
    ],
)
def test_bad_declarations_are_refused_in_one_line(attribute, value, message):
    family = _Bad()
    if attribute == "real":
        family.symmetry = "symplectic"
    setattr(family, attribute, value)
    with pytest.raises(InputError, match=message) as err:
        check_family(family)
    assert "\n" not in str(err.value)


def test_a_non_family_is_refused():
    with pytest.raises(InputError, match="must be a betascale Family"):
        check_family(object())
    assert isinstance(check_family(_Bad), Family)  # a subclass is instantiated

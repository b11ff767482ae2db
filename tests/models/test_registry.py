"""Tests of the one family registry: look-up by name, registration, entry points."""

import importlib.metadata

import pytest

from betascale.errors import InputError
from betascale.models import HAMILTONIANS, ModelSpec, family_names, get_family, register_family
from betascale.models import family as family_module
from betascale.models.families import Anderson


class EntryPointFamily(Anderson):
    """A family that a package would declare through the entry-point group."""

    name = "from-entry-point"
    label = "Entry-point model"


EP_FAMILY = EntryPointFamily()


@pytest.fixture
def fresh_registry(monkeypatch):
    """A copy of the registry whose entry points are read again, restored afterwards."""
    monkeypatch.setattr(family_module, "_REGISTRY", dict(family_module._REGISTRY))
    monkeypatch.setattr(family_module, "_entry_points_read", False)
    return monkeypatch


def _entry_points(*points):
    def entry_points(group):
        assert group == "betascale.families"
        return [importlib.metadata.EntryPoint(n, v, group) for n, v in points]

    return entry_points


def test_builtin_families_are_registered_by_name():
    assert set(HAMILTONIANS) <= set(family_names())
    assert [get_family(name).name for name in HAMILTONIANS] == list(HAMILTONIANS)


def test_unknown_family_is_one_line_with_the_known_names():
    with pytest.raises(InputError, match="hamiltonian must be one of anderson, su2, ando") as err:
        ModelSpec("graphene")
    assert "\n" not in str(err.value)


def test_register_is_idempotent_and_refuses_another_family_of_a_taken_name(fresh_registry):
    assert register_family(EP_FAMILY) is EP_FAMILY
    assert register_family(EntryPointFamily()).name == "from-entry-point"  # same class: fine
    with pytest.raises(InputError, match="already registered"):
        register_family(type("Other", (Anderson,), {"name": "from-entry-point"})())
    with pytest.raises(InputError, match="already registered"):
        register_family(type("Mine", (Anderson,), {"name": "anderson"})())


def test_entry_point_families_are_found_on_the_first_miss(fresh_registry):
    value = f"{__name__}:EP_FAMILY"
    fresh_registry.setattr(
        importlib.metadata, "entry_points", _entry_points(("from-entry-point", value))
    )
    spec = ModelSpec("from-entry-point", E=1.0)
    assert spec.family is EP_FAMILY and spec.describe().startswith("Entry-point model")
    assert "from-entry-point" in family_names()


@pytest.mark.parametrize(
    ("point", "message"),
    [
        (("broken", "no_such_module_xyz:FAMILY"), "failed to load: ModuleNotFoundError"),
        (("wrong-name", f"{__name__}:EP_FAMILY"), "names a family called 'from-entry-point'"),
        (("not-a-family", f"{__name__}:pytest"), "must be a betascale Family"),
    ],
)
def test_a_bad_entry_point_is_one_line(fresh_registry, point, message):
    fresh_registry.setattr(importlib.metadata, "entry_points", _entry_points(point))
    with pytest.raises(InputError, match=message) as err:
        get_family("missing")
    assert "\n" not in str(err.value) and point[0] in str(err.value)

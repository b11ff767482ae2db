"""Tests of study files: parsing, validation, physics identity and built-in studies."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest

from betascale.errors import InputError
from betascale.models import ModelSpec
from betascale.study import (
    Study,
    builtin_studies,
    builtin_study_path,
    compare_physics,
    load_study,
    parse_study_text,
    resolve_study_path,
    study_from_dict,
)

VALID = """
name = "orthogonal-demo"
model = "orthogonal"
E = 1.0
bc = "hardwall"
W = [2.0, 1]
L = [40, 16, 64]
aspect = 1.0
samples = 100
seed = 7
solver = "fast"
"""

BASE = {"model": "orthogonal", "E": 1.0, "W": [1.0], "L": [16], "samples": 10, "seed": 7}


def study(**changes) -> Study:
    """A valid study dict with ``changes`` applied (None deletes a key), validated."""
    d = dict(BASE)
    for key, value in changes.items():
        if value is None:
            d.pop(key, None)
        else:
            d[key] = value
    return study_from_dict(d, source="test.toml")


def bad(**changes) -> str:
    """The message of the InputError that ``study(**changes)`` raises."""
    with pytest.raises(InputError) as info:
        study(**changes)
    message = str(info.value)
    assert message.startswith("test.toml: ")
    assert "\n" not in message
    return message


# ------------------------------------------------------------------ parsing
def test_parse_valid_study():
    s = parse_study_text(VALID, source="demo.toml")
    assert s.name == "orthogonal-demo"
    assert s.model == ModelSpec(model="orthogonal", E=1.0, bc="hardwall")
    assert s.W == (1.0, 2.0)  # sorted, ints accepted for floats
    assert all(type(w) is float for w in s.W)
    assert s.L == (16, 40, 64)
    assert (s.samples, s.seed, s.aspect, s.solver) == (100, 7, 1.0, "fast")


def test_defaults_and_name_from_file_stem(tmp_path):
    path = tmp_path / "my-study.toml"
    path.write_text(
        'model = "unitary"\nE = 1\nflux = 0.125\nW = [3]\nL = [8]\nsamples = 2\nseed = 0\n'
    )
    s = load_study(path)
    assert s.name == "my-study"
    assert s.model.bc == "hardwall" and s.flux == (0.125,)
    assert s.symmetry_classes() == {0.125: "unitary"}
    assert type(s.model.E) is float and s.model.E == 1.0
    assert s.aspect == 1.0 and s.solver == "fast"


def test_symplectic_ando_study():
    s = study(model="symplectic", soc="ando", S=0.25, bc="periodic")
    assert s.model.soc == "ando" and s.model.S == 0.25 and s.model.bc == "periodic"
    assert s.to_dict()["S"] == 0.25


def test_template_with_default_unused_parameters_is_accepted():
    s = study(flux=0.0, soc="su2", S=0.5)
    assert s.model.model == "orthogonal"
    assert "soc" not in s.to_dict() and "S" not in s.to_dict() and s.to_dict()["flux"] == 0.0


def test_dict_and_toml_round_trip():
    s = study(model="unitary", flux=0.25, W=[4.0, 0.5], L=[12, 8], aspect=0.5, solver="kwant")
    d = s.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert study_from_dict(d) == s
    assert parse_study_text(s.to_toml()) == s


def test_keys_and_width():
    s = study(W=[2.0, 1.0], L=[8, 6], samples=3, aspect=0.5)
    keys = list(s.keys())
    assert len(keys) == 2 * 2 * 3 == s.num_samples() and len(set(keys)) == len(keys)
    assert keys[0] == (1.0, 0.0, 6, 0) and keys[-1] == (2.0, 0.0, 8, 2)
    assert keys == sorted(keys)
    assert s.width(6) == 3 and s.width(8) == 4
    assert study(aspect=0.01).width(16) == 1


def test_negative_zero_disorder_is_zero():
    s = study(W=[-0.0])
    assert s.W == (0.0,)
    assert str(s.W[0]) == "0.0"


def test_default_store_path_is_filename_safe():
    assert str(study(name="tiny").default_store_path()) == "data/runs/tiny.sqlite"
    path = study(name="a b/c").default_store_path(root="out")
    assert path.parent.name == "out" and "/" not in path.name and " " not in path.name


# ------------------------------------------------------------- bad studies
def test_unknown_key_is_named_with_suggestion():
    message = bad(sampels=10)
    assert "unknown key 'sampels'" in message
    assert "did you mean 'samples'?" in message


def test_unknown_key_is_case_insensitive_suggestion():
    assert "did you mean 'E'?" in bad(e=1.0)


def test_unknown_key_without_close_match_lists_valid_keys():
    message = bad(colour="red")
    assert "'colour'" in message and "did you mean" not in message
    assert "valid keys:" in message and "samples" in message


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"E": "1.0"}, "E must be a number, got string '1.0'"),
        ({"samples": True}, "samples must be an integer, got boolean true"),
        ({"seed": 1.0}, "seed must be an integer, got float 1.0"),
        ({"samples": 10.5}, "samples must be an integer"),
        ({"W": [1.0, True]}, "W must be a list of numbers, but it holds boolean true"),
        ({"L": [16.0]}, "L must be a list of integers, but it holds float 16.0"),
        ({"W": 2.0}, "W must be a list of numbers, got float 2.0 (write W = [2.0])"),
        ({"model": {"name": "x"}}, "model must be a string, got table"),
        ({"solver": 1}, "solver must be a string, got integer 1"),
        ({"aspect": False}, "aspect must be a number, got boolean false"),
    ],
)
def test_wrong_type_names_key_and_type(changes, expected):
    assert expected in bad(**changes)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"W": []}, "W must not be empty"),
        ({"L": []}, "L must not be empty"),
        ({"samples": -5}, "samples must be >= 1, got -5"),
        ({"samples": 0}, "samples must be >= 1, got 0"),
        ({"seed": -1}, "seed must be >= 0, got -1"),
        ({"W": [1.0, -0.5]}, "W must be >= 0, got -0.5"),
        ({"L": [16, 1]}, "L must be >= 2, got 1"),
        ({"L": [16, 8, 16]}, "L lists 16 more than once"),
        ({"W": [1.0, 1]}, "W lists 1 more than once"),
        ({"W": [float("inf")]}, "W must be finite"),
        ({"E": float("nan")}, "E must be finite"),
        ({"aspect": 0}, "aspect must be > 0"),
        ({"model": "orthogonl"}, "model must be one of orthogonal, unitary, symplectic"),
        ({"bc": "open"}, "bc must be one of hardwall, periodic"),
        ({"solver": "slow"}, "solver must be one of fast, kwant"),
        ({"flux": 0.1}, "the orthogonal model has no flux"),
        ({"model": "symplectic", "hamiltonian": "anderson"}, "contradicts"),
        ({"flux": [0.0, 0.0]}, "flux lists 0 more than once"),
        ({"samples": 10**12}, "samples must be <= 1000000000"),
        ({"L": [9223372036854775807]}, "L must be <= 1000000"),
        ({"name": "x" * 300}, "name must be at most 100 characters"),
        ({"name": "evil\x1b[31m"}, "name must be printable"),
        ({"L": [128]}, "use a nearby energy such as E = "),
        ({"E": 3.99, "L": [24]}, "no lead channel is open at E = 3.99"),
        ({"soc": "ando"}, "soc = 'ando' is only used by the symplectic model"),
        ({"S": 0.3}, "S = 0.3 is only used by the Ando spin-orbit model"),
        ({"E": 5.0}, "outside the band"),
        ({"seed": None}, "missing required key 'seed'"),
        ({"name": ""}, "name must be a non-empty string"),
    ],
)
def test_bad_value_is_refused(changes, expected):
    assert expected in bad(**changes)


def test_toml_syntax_error_gives_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('model = "orthogonal"\nE = 1.0\nW = [1.0,\nL = 3 3\n')
    with pytest.raises(InputError, match=r"broken\.toml: invalid TOML: .*line \d+"):
        load_study(path)


def test_missing_study_file(tmp_path):
    with pytest.raises(InputError, match=r"study file .*nope\.toml not found"):
        load_study(tmp_path / "nope.toml")


def test_a_store_given_as_study_file_says_how_to_resume(tmp_path):
    import sqlite3

    store = tmp_path / "r.sqlite"
    with sqlite3.connect(store) as db:
        db.execute("create table t (x)")
    db.close()
    with pytest.raises(InputError, match=r"r\.sqlite is a results store.*--print-study"):
        load_study(store)
    binary = tmp_path / "b.toml"
    binary.write_bytes(b"\xff\xfe")
    with pytest.raises(InputError, match=r"cannot read study file .*utf-8"):
        load_study(binary)


def test_direct_construction_validates():
    with pytest.raises(InputError, match="samples must be an integer"):
        Study("x", ModelSpec(), W=(1.0,), L=(8,), samples=True, seed=1)
    with pytest.raises(InputError, match="L must be an integer"):
        Study("x", ModelSpec(), W=(1.0,), L=(8.5,), samples=1, seed=1)


# --------------------------------------------------------------- physics
def test_physics_contains_everything_that_changes_a_sample():
    physics = study(model="symplectic", soc="ando", S=0.3, aspect=2.0, solver="kwant").physics()
    assert physics == {
        "hamiltonian": "ando",
        "E": 1.0,
        "bc": "hardwall",
        "S": 0.3,
        "aspect": 2.0,
        "seed": 7,
        "solver": "kwant",
    }  # the flux is a grid axis, like W and L


def test_physics_hash_ignores_grid_but_not_physics():
    s = study()
    h = s.physics_hash()
    assert len(h) == 16 and int(h, 16) >= 0
    assert study(W=[1.0, 5.0], L=[10, 16], samples=99, name="other").physics_hash() == h
    assert study(model="unitary", flux=[0.0, 0.125]).physics_hash() == h
    assert study(E=1.5).physics_hash() != h
    assert study(seed=8).physics_hash() != h


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"E": 1.5}, "E: 1.0 (store) != 1.5 (study)"),
        ({"bc": "periodic"}, "bc: hardwall (store) != periodic (study)"),
        ({"solver": "kwant"}, "solver: fast (store) != kwant (study)"),
        ({"seed": 8}, "seed: 7 (store) != 8 (study)"),
        ({"aspect": 2.0, "L": [12]}, "aspect: 1.0 (store) != 2.0 (study)"),
    ],
)
def test_compare_physics_names_the_difference(changes, expected):
    assert compare_physics(study(), study(**changes)) == [expected]


def test_compare_physics_hamiltonian_and_flux():
    diffs = compare_physics(study(), study(model="symplectic"))
    assert diffs == ["hamiltonian: anderson (store) != su2 (study)"]
    # orthogonal and unitary are the Anderson model without and with flux: one store
    assert compare_physics(study(), study(model="unitary", flux=0.1)) == []
    unitary = study(model="unitary", flux=0.1)
    assert compare_physics(unitary, study(hamiltonian="anderson", flux=[0.2, 0.3])) == []


def test_compare_physics_allows_grid_changes():
    assert compare_physics(study(), study(W=[1.0, 3.0], L=[16, 40], samples=500)) == []


def test_extended_is_union_of_grids():
    merged = study(W=[1.0, 2.0], L=[16]).extended(study(W=[3.0], L=[10], samples=50))
    assert merged.W == (1.0, 2.0, 3.0) and merged.L == (10, 16) and merged.samples == (50, 10)
    assert study(samples=10).extended(study(samples=50)).samples == 50  # the larger, per size
    assert dataclasses.replace(merged, W=(1.0,), L=(16,), samples=10) == study()
    scan = study(model="unitary", flux=0.1).extended(study(hamiltonian="anderson", flux=[0.0]))
    assert scan.flux == (0.0, 0.1)
    assert scan.symmetry_classes() == {0.0: "orthogonal", 0.1: "unitary"}


# ---------------------------------------------------------- built-in studies
def test_builtin_tiny_study():
    s = load_study(builtin_study_path("tiny"))
    assert s.name == "tiny" and s.model.model == "orthogonal"
    assert s.W == (2.0,) and s.samples == 4 and s.seed == 1
    assert "tiny" in builtin_studies()
    assert builtin_study_path("tiny.toml") == builtin_study_path("tiny")


def test_builtin_tiny_study_avoids_subband_thresholds():
    from betascale.thresholds import check_energy

    s = load_study(builtin_study_path("tiny"))
    for L in s.L:
        check_energy(s.model, s.width(L))  # raises InputError on a threshold


def test_unknown_builtin_lists_available():
    with pytest.raises(InputError, match=r"no built-in study 'nope'; available: .*tiny"):
        builtin_study_path("nope")


def test_resolve_study_path(tmp_path):
    assert resolve_study_path("tiny") == builtin_study_path("tiny")
    path = tmp_path / "x.toml"
    path.write_text(VALID)
    assert resolve_study_path(path) == path
    with pytest.raises(InputError, match="not found"):
        resolve_study_path(tmp_path / "missing.toml")


# ------------------------------------------------ issue 16: no silent coercion
@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"W": ["2"]}, "W must be a number, got string '2'"),
        ({"W": {2.0: 1}}, "W must be a list, got table"),
        ({"aspect": "1"}, "aspect must be a number, got string '1'"),
        ({"aspect": True}, "aspect must be a number, got boolean"),
        ({"seed": 1.0}, "seed must be an integer"),
        ({"samples": np.array([[2]])}, "samples must be a list"),
        ({"flux": [0.0, 0.5, 1.0]}, "periodic with period 1"),
        ({"flux": 1e300}, "periodic with period 1"),
        ({"solver": np.array(["fast"])}, "solver must be one of"),
    ],
)
def test_the_python_api_is_as_strict_as_the_toml_reader(changes, fragment):
    args = {"name": "s", "model": ModelSpec("anderson", E=1.0), "W": [2.0], "L": [6, 8]}
    args = {**args, "samples": 2, "seed": 1, **changes}
    with pytest.raises(InputError, match=fragment):
        Study(**args)


def test_numpy_values_stay_accepted():
    s = Study(
        "s", ModelSpec("anderson", E=np.float64(1.0)), W=np.array([1.0, 2.0]),
        L=np.array([6, 8]), samples=np.array([3, 2]), seed=np.int64(1),
        aspect=np.float64(1.0), flux=np.float64(0.01),
    )  # fmt: skip
    assert s.W == (1.0, 2.0) and s.L == (6, 8) and s.samples == (3, 2) and s.flux == (0.01,)
    assert all(type(x) is int for x in (*s.L, *s.samples, s.seed))


@pytest.mark.parametrize("depth", [100, 1000, 100_000])
def test_a_deeply_nested_toml_value_is_one_line(depth):
    text = VALID.replace("aspect = 1.0", "aspect = " + "[" * depth + "]" * depth)
    with pytest.raises(InputError, match="nested"):
        parse_study_text(text)


def test_a_toml_flux_scan_beyond_the_period_is_refused():
    text = VALID.replace('model = "orthogonal"', 'hamiltonian = "anderson"')
    text += "flux = [0.0, 0.5, 1.0]\n"
    with pytest.raises(InputError, match="periodic with period 1"):
        parse_study_text(text)


def test_describe_summarizes_a_long_axis():
    """A study scanning many disorder strengths is described on one short line."""
    from betascale.models import ModelSpec
    from betascale.study import Study

    W = [round(0.01 * k, 2) for k in range(1001)]
    study = Study("scan", ModelSpec("anderson", E=1.0), W=W, L=[9], samples=1, seed=1)
    line = study.describe()
    assert "0, 0.01, 0.02, ..., 9.98, 9.99, 10 (1001 values)" in line
    assert len(line) < 300


UNITARY_FIELD_FREE = {
    "hamiltonian": "anderson",
    "E": 0.9,
    "bc": "periodic",
    "flux": 1 / 32,
    "W": [4.0],
    "L": [32, 64],
    "samples": 5,
    "seed": 3,
}


def test_field_in_leads_round_trips_and_enters_the_physics_only_when_false():
    default = study_from_dict({**UNITARY_FIELD_FREE, "bc": "hardwall"})
    assert default.model.field_in_leads
    assert "field_in_leads" not in default.to_dict()
    assert "field_in_leads" not in default.physics()
    assert default.physics_hash() == "bfdb891bd9928b66"  # as before the option existed
    free = study_from_dict({**UNITARY_FIELD_FREE, "field_in_leads": False})
    assert not free.spec(free.flux[0]).field_in_leads
    assert "field_in_leads = false\n" in free.to_toml()
    assert parse_study_text(free.to_toml()) == free
    assert free.physics()["field_in_leads"] is False
    assert compare_physics(free, replace_bc(free, "hardwall")) == [
        "bc: periodic (store) != hardwall (study)"
    ]
    assert compare_physics(
        study_from_dict({**UNITARY_FIELD_FREE, "bc": "hardwall"}), replace_bc(free, "hardwall")
    ) == ["field_in_leads: (unset) (store) != False (study)"]


def replace_bc(s: Study, bc: str) -> Study:
    model = ModelSpec(s.model.hamiltonian, E=s.model.E, bc=bc, field_in_leads=False)
    return dataclasses.replace(s, model=model)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"field_in_leads": "no"}, "field_in_leads must be true or false"),
        ({"field_in_leads": 0}, "field_in_leads must be true or false"),
        ({"L": [40]}, "commensurate widths nearby: 32, 64"),
    ],
)
def test_field_in_leads_is_validated(changes, message):
    with pytest.raises(InputError, match=message):
        study_from_dict({**UNITARY_FIELD_FREE, "field_in_leads": False, **changes})


def test_optional_string_keys_take_null_and_refuse_other_types():
    # JSON null is "not given" for hamiltonian, model and soc; a number is refused
    plain = study_from_dict(dict(BASE), source="test.toml")
    assert study_from_dict({**BASE, "hamiltonian": None, "soc": None}) == plain
    for key in ("hamiltonian", "model", "soc"):
        with pytest.raises(InputError, match=f"{key} must be a string"):
            study_from_dict({**BASE, key: 3}, source="test.toml")


DOCS = Path(__file__).resolve().parents[1] / "docs"


def _documented_studies() -> list[tuple[str, str]]:
    """The ```toml blocks of the docs' pages (not the built site), with their page."""
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        if "_build" in page.parts:
            continue
        for block in re.findall(r"```toml\n(.*?)```", page.read_text(), flags=re.S):
            found.append((str(page.relative_to(DOCS)), block))
    return found


DOCUMENTED = _documented_studies()


@pytest.mark.parametrize(("page", "text"), DOCUMENTED, ids=[page for page, _ in DOCUMENTED])
def test_every_study_file_of_the_docs_loads(page, text):
    """A study file shown in the docs is one a user can run as it is written."""
    study = parse_study_text(text, source=page, name="documented")
    assert study.num_samples() > 0

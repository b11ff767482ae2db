"""Tests of betascale.analysis.universality: one beta(g) per class across lattices."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from betascale.analysis import (
    analyze_table,
    beta_points,
    critical_conductances,
    curve_test,
    scaling_test,
    universality,
)
from betascale.analysis.fss_pipeline import fss_analyze_table
from betascale.errors import InputError
from betascale.testing import synthetic_fss_table, synthetic_table

L = (8, 16, 32, 64, 128)


def steep(g0: float, Ls: np.ndarray) -> np.ndarray:
    """A flow with twice the weak-localization slope: beta = -2/(pi g), not -1/(pi g)."""
    return g0 - (2.0 / math.pi) * np.log(Ls / Ls[0])


def lattice(model: str, g0, seed: int, flow=None, n: int = 300, sigma: float = 0.1):
    table = synthetic_table(model, W=(1.0, 2.0, 3.0), g0=g0, L=L, n=n, sigma=sigma, seed=seed,
                            flow=flow)  # fmt: skip
    return analyze_table(table, model, n_boot=200, gmin=1.0, name=f"lattice{seed}")


@pytest.fixture(scope="module")
def lattices() -> dict:
    return {
        "square": lattice("orthogonal", (8.0, 5.0, 3.0), 1),
        "honeycomb": lattice("orthogonal", (7.0, 4.2, 2.5), 2),
        "steep": lattice("orthogonal", (7.0, 4.2, 2.5), 3, flow=steep),
        "SU(2)": lattice("symplectic", (3.0, 5.0, 8.0), 4),
        "Ando": lattice("symplectic", (2.5, 4.2, 7.0), 5),
    }


@pytest.fixture(scope="module")
def shared(lattices):
    pick = {k: lattices[k] for k in ("square", "honeycomb")}
    return universality(
        {"orthogonal": pick, "symplectic": {k: lattices[k] for k in ("SU(2)", "Ando")}}
    )


# ------------------------------------------------------------------ the collapse
def test_lattices_sharing_one_beta_fall_on_one_curve(shared):
    for model in ("orthogonal", "symplectic"):
        c = shared.get(model)
        t = c.test
        assert t.defined and t.grouped_by == "lattice" and t.n_W == 2
        assert t.n_points == 24  # 2 lattices x 3 W x 4 size pairs, all with G >= 1
        assert t.p_value > 0.01
        assert t.chi2_dof_single < 2.0
        assert c.overlap is not None
        # the curve is beta = +-1/(pi g)
        G = np.geomspace(*c.overlap, 5)
        np.testing.assert_allclose(
            t.curve(G), (1 if model == "symplectic" else -1) / (math.pi * G), atol=0.03
        )
        assert np.all(t.curve_error(G) > 0)


def test_a_lattice_with_another_beta_is_rejected(lattices):
    u = universality({"orthogonal": {"square": lattices["square"], "steep": lattices["steep"]}})
    t = u.get("orthogonal").test
    assert t.defined and t.p_value < 1e-3
    assert t.chi2_dof_single > 2.0


def test_few_points_per_lattice_keep_the_test_its_power():
    # four points per lattice: unbounded, BIC picks 6 knots, both separate curves fit
    # exactly (no dof left) and p ~ 0.02; capped at 4 - 1 knots the steeper beta is plain
    def one(g0, seed, flow=None):
        table = synthetic_table(W=(1.0,), g0=(g0,), L=L, n=300, sigma=0.1, seed=seed, flow=flow)
        return analyze_table(table, "orthogonal", n_boot=100, gmin=1.0)

    u = universality({"orthogonal": {"a": one(6.0, 1), "b": one(6.2, 2, flow=steep)}})
    t = u.get("orthogonal").test
    assert t.n_knots <= 3 and t.dof_separate > 0
    assert t.p_value < 1e-6


def test_leading_coefficients_against_the_analytic_value(shared):
    rows = {lat.label: lat for c in shared.classes for lat in c.lattices}
    assert rows["square"].a_theory == pytest.approx(-1 / math.pi)
    assert rows["Ando"].a_theory == pytest.approx(1 / math.pi)
    for lat in rows.values():
        assert abs(lat.pull) < 3
        assert lat.fit_gmin == 1.0 and lat.fit_note is None
    _, dof, p = shared.get("orthogonal").a_consistency
    assert dof == 1 and p > 0.01


def test_collapse_gmin_keeps_only_the_points_above_it(lattices):
    pick = {k: lattices[k] for k in ("square", "honeycomb")}
    u = universality({"orthogonal": pick}, collapse_gmin=4.0)
    c = u.get("orthogonal")
    expected = sum(int(np.sum(an.betas.G >= 4.0)) for an in pick.values())
    assert c.gmin == 4.0 and c.test.n_points == expected
    assert sum(lat.n_points for lat in c.lattices) == expected
    assert all(lat.g_range[0] >= 4.0 for lat in c.lattices)
    assert c.lattices[0].fit_gmin == 1.0  # the fit of a keeps the analysis's gmin


def test_table_and_json(shared):
    text = shared.table()
    assert "Universality of beta(g) across lattices" in text
    assert "square, honeycomb" in text and "SU(2), Ando" in text
    assert "only points with G >= gmin enter" in text
    assert "-1/pi = -0.3183" in text and "+1/pi = +0.3183" in text
    assert "Weak-localization slope" in text and "none: no weak-localization section" in text
    d = json.loads(shared.to_json())
    assert [c["model"] for c in d["classes"]] == ["orthogonal", "symplectic"]
    assert d["classes"][0]["collapse"]["grouped_by"] == "lattice"
    assert d["classes"][0]["lattices"][0]["label"] == "square"
    json.dumps(shared.to_dict(), allow_nan=False)


def test_lattices_with_disjoint_G_ranges_are_flagged(lattices):
    high = lattice("orthogonal", (30.0, 20.0, 15.0), 6, n=100)
    u = universality({"orthogonal": {"square": lattices["square"], "high": high}})
    assert u.get("orthogonal").overlap is None
    assert "do not overlap" in u.table()


# -------------------------------------------------------------- the machinery
def test_curve_test_grouped_by_W_is_scaling_test(lattices):
    b = lattices["square"].betas
    a = scaling_test(b)
    c = curve_test(b.G, b.beta, b.boot_G, b.boot_beta, b.W)
    assert (a.chi2_single, a.delta_dof, a.p_value, a.knots) == (
        c.chi2_single, c.delta_dof, c.p_value, c.knots,
    )  # fmt: skip


def test_blocks_keep_lattices_independent():
    # the same W label in two lattices must not correlate their points: the result with
    # per-lattice blocks equals the one with the blocks (lattice, W) spelled out
    t1 = synthetic_table(W=(1.0, 2.0), g0=(8.0, 4.0), L=(8, 16, 32), n=100, seed=1)
    t2 = synthetic_table(W=(1.0, 2.0), g0=(7.0, 3.5), L=(8, 16, 32), n=100, seed=2)
    b1, b2 = beta_points(t1, n_boot=100, seed=1), beta_points(t2, n_boot=100, seed=2)
    G, beta = np.r_[b1.G, b2.G], np.r_[b1.beta, b2.beta]
    bG, bB = np.hstack([b1.boot_G, b2.boot_G]), np.hstack([b1.boot_beta, b2.boot_beta])
    lat = np.repeat([0, 1], b1.G.size)
    blocks = lat * 10 + np.r_[b1.W, b2.W].astype(int)
    t = curve_test(G, beta, bG, bB, lat, blocks, grouped_by="lattice")
    assert t.defined and np.all(np.isfinite(t.pulls))
    one = curve_test(G[:4], beta[:4], bG[:, :4], bB[:, :4], lat[:4], grouped_by="lattice")
    assert not one.defined and one.reason == "one lattice only; the test compares several"


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("classes", "message"),
    [
        ({}, "at least one class"),
        ({"orthogonal": {"square": "x"}}, "at least two lattices"),
        ({"cubic": {"a": "x", "b": "y"}}, "symmetry class must be one of"),
        (
            {"orthogonal": {"a": "/nonexistent/a.sqlite", "b": "/nonexistent/b.sqlite"}},
            "no store at",
        ),
        ({"orthogonal": {"a": 3, "b": 4}}, "expected a store path or an analysis"),
    ],
)
def test_bad_input(classes, message):
    with pytest.raises(InputError, match=message):
        universality(classes)


def test_a_store_of_another_class_is_refused(lattices):
    with pytest.raises(InputError, match="is of the orthogonal class"):
        universality({"symplectic": {"a": lattices["square"], "b": lattices["Ando"]}})


def test_collapse_gmin_must_be_finite(lattices):
    pick = {k: lattices[k] for k in ("square", "honeycomb")}
    with pytest.raises(InputError, match="collapse_gmin must be finite"):
        universality({"orthogonal": pick}, collapse_gmin=math.nan)


def test_lattices_of_different_statistics_are_refused(lattices):
    table = synthetic_table(L=L, n=50, seed=7)
    typical = analyze_table(table, "orthogonal", stat="typical", n_boot=50)
    with pytest.raises(InputError, match="different statistics"):
        universality({"orthogonal": {"a": lattices["square"], "b": typical}})


# ------------------------------------------------------- critical conductance
@pytest.fixture(scope="module")
def transitions() -> dict:
    out = {}
    for label, seed in (("A", 1), ("B", 2)):
        table = synthetic_fss_table(n=80, sigma=0.3, seed=seed)
        out[label] = fss_analyze_table(table, orders=(1, 1, 0, 0), n_boot=0, name=label)
    return out


def test_critical_conductances_against_references(transitions):
    ct = critical_conductances(transitions, {"paper": (1.42, 0.005)})
    assert [r.label for r in ct.rows] == ["A", "B"]
    for r in ct.rows:
        assert r.stat == "mean_g"
        assert r.value == pytest.approx(1.4, abs=0.05)  # F[0] of the synthetic form
        assert r.error > 0 and r.W_c == pytest.approx(6.0, abs=0.05)
    comps = ct.comparisons()
    assert [(s, a) for s, a, _, _ in comps] == [("A", "paper"), ("A", "B"), ("B", "paper")]
    _, _, d, n = comps[0]
    r = ct.rows[0]
    assert d == pytest.approx(r.value - 1.42)
    assert n == pytest.approx(d / math.hypot(r.error, 0.005))
    text = ct.table()
    assert "reference paper: 1.4200 ± 0.0050" in text and "A - paper" in text
    json.dumps(ct.to_dict(), allow_nan=False)


@pytest.mark.parametrize(
    ("references", "message"),
    [
        ({"x": (1.4,)}, "must be \\(value, error\\)"),
        ({"x": (1.4, -0.1)}, "error must be >= 0"),
        ({"x": (math.inf, 0.1)}, "must be finite"),
        ([1.42], "references must be"),
    ],
)
def test_critical_bad_references(transitions, references, message):
    with pytest.raises(InputError, match=message):
        critical_conductances(transitions, references)


def test_critical_bad_stores():
    with pytest.raises(InputError, match="at least one store"):
        critical_conductances({})
    with pytest.raises(InputError, match="no store at"):
        critical_conductances({"x": "/nonexistent.sqlite"})

"""Tests of betascale.demo: the demo's figures are written as one set."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib.pyplot as plt
import pytest

import betascale.plots.scaling
from betascale.analysis import weak_localization
from betascale.demo import DemoAnalysis, _clean_rows, _mc_row, unitary_row
from betascale.plots import save_figure
from betascale.testing import synthetic_table


def test_demo_figures_are_all_written_or_none(tmp_path, monkeypatch):
    def write_figures(an, out):
        return save_figure(plt.subplots(figsize=(0.5, 0.5))[0], out, "beta")

    def write_compare(analyses, out, name):
        raise RuntimeError("the comparison failed")

    monkeypatch.setattr(betascale.plots.scaling, "write_figures", write_figures)
    monkeypatch.setattr(betascale.plots.scaling, "write_compare", write_compare)
    demo = DemoAnalysis(panorama={"orthogonal": None, "unitary": None})
    with pytest.raises(RuntimeError, match="comparison failed"):
        demo.write_figures(tmp_path / "figs")
    assert not (tmp_path / "figs").exists()  # the panorama figures were not left behind
    monkeypatch.setattr(betascale.plots.scaling, "write_compare", lambda *a, **k: [])
    paths = demo.write_figures(tmp_path / "figs")
    assert sorted(p.relative_to(tmp_path / "figs").as_posix() for p in paths) == [
        "orthogonal/beta.pdf", "orthogonal/beta.png", "unitary/beta.pdf", "unitary/beta.png",
    ]  # fmt: skip
    assert all(p.is_file() for p in paths)


def test_the_unitary_row_is_the_two_loop_c2_with_its_resolution():
    sizes = (24, 32, 48, 64, 96, 128)
    precise = synthetic_table("unitary", W=(3.0, 4.0), g0=(2.5, 1.6), L=sizes, n=400, sigma=0.01)
    noisy = synthetic_table("unitary", W=(4.0,), g0=(1.6,), L=sizes, n=50, sigma=0.3)
    rows = {}
    for name, tab in (("precise", precise), ("noisy", noisy)):
        an = SimpleNamespace(weak_localization=weak_localization(tab, "unitary", n_boot=100))
        rows[name] = unitary_row(an)
    (row, note) = rows["precise"]
    assert row[0] == "unitary" and row[2].startswith("c2 = +0.05") and row[3] == "+0.0507"
    assert row[5] == str(2 * len(sizes)) and "sigma from zero" in note and "W = 3, 4" in note
    assert "not resolved: |c2|/sigma" in rows["noisy"][1]
    tab = synthetic_table("unitary", W=(9.0,), g0=(0.9,), L=sizes, n=50)
    row, note = unitary_row(SimpleNamespace(weak_localization=weak_localization(tab, "unitary")))
    assert row[2] == "skipped" and "no W with <g> >= gmin" in note
    demo = DemoAnalysis(panorama={"unitary": SimpleNamespace(weak_localization=None)})
    assert demo.beta_notes() == ["unitary: no size series"]


def test_the_convergence_table_has_the_unitary_c2_row_of_a_unitary_series():
    sizes = (24, 32, 48, 64, 96, 128)
    tab = synthetic_table("unitary", W=(4.0,), g0=(1.6,), L=sizes, n=400, sigma=0.01)
    series = SimpleNamespace(weak_localization=weak_localization(tab, "unitary", n_boot=100))
    demo = DemoAnalysis(panorama={}, wl={"unitary": series})
    rows = {row["class"]: row for row in demo.convergence_rows()}
    c2, error, expected, where = rows["unitary"]["c2"]
    assert expected == pytest.approx(0.0507, abs=1e-4) and abs(c2 - expected) < 4 * error
    assert where.startswith("W=4, flux=") and "L=24-128" in where
    lines = [line for line in demo.convergence_table().splitlines() if "two-loop c2" in line]
    assert len(lines) == 1 and lines[0].split()[0] == "unitary"
    assert sum("unitary" in line for line in demo.convergence_table().splitlines()) == 1
    other = synthetic_table("unitary", W=(4.0,), g0=(1.5,), L=sizes, n=400, sigma=0.01, seed=7)
    more = SimpleNamespace(weak_localization=weak_localization(other, "unitary", n_boot=100))
    row = DemoAnalysis(panorama={}, wl={"unitary": series}, unitary_other=more)
    row = row.convergence_rows()[-1]
    (a, sa, _, _), (b, sb, _, _) = row["c2"], row["c2_more"]
    value, error, _, _ = row["c2_both"]
    assert value == pytest.approx((a / sa**2 + b / sb**2) / (1 / sa**2 + 1 / sb**2))
    assert error == pytest.approx((1 / sa**2 + 1 / sb**2) ** -0.5)
    bad = SimpleNamespace(weak_localization=None)
    assert DemoAnalysis(panorama={}, wl={"unitary": bad}).convergence_rows()[-1] == {
        "class": "unitary", "c2": None, "c2_why": "no size series",
    }  # fmt: skip


def test_the_two_asymptotic_slopes_combine_by_inverse_variance():
    row = {"mc_far": (-0.40, 0.03, -0.334, "a")}
    clean = SimpleNamespace(magnetoconductance=None)  # no flux scan: no slope of its own
    out = _clean_rows(row, clean)
    assert out["mc_clean"] is None and out["mc_both"] is None and out["mc_both_why"]
    mc = SimpleNamespace(
        defined=True, fits=[], hln=[], cooperon=[],
        asymptotic=[SimpleNamespace(b=-0.30, sigma_b=0.04, b_theory=-0.336, flux=0.003, W=2.0,
                                    fit=SimpleNamespace(L=[96, 384]))],
    )  # fmt: skip
    out = _clean_rows(row, SimpleNamespace(magnetoconductance=mc))
    value, error, expected, _ = out["mc_both"]
    w1, w2 = 1 / 0.03**2, 1 / 0.04**2  # weights 1111 and 625
    assert value == pytest.approx((-0.40 * w1 - 0.30 * w2) / (w1 + w2))
    assert error == pytest.approx((w1 + w2) ** -0.5) and error < 0.03
    assert expected == pytest.approx((-0.334 * w1 - 0.336 * w2) / (w1 + w2))


def test_the_two_hln_prefactors_at_the_largest_l_combine_by_inverse_variance():
    row = {"hln": (-0.572, 0.035, -0.523, "W=2, L=384")}
    fits = [
        SimpleNamespace(alpha=a, alpha_error=e, alpha_theory=-0.525, W=2.0, L=L)
        for a, e, L in ((-0.60, 0.05, 96), (-0.54, 0.025, 384), (-0.58, 0.03, 192))
    ]
    mc = SimpleNamespace(defined=True, fits=[], asymptotic=[], cooperon=[], hln=fits)
    out = _clean_rows(row, SimpleNamespace(magnetoconductance=mc))
    assert out["hln_clean"] == (-0.54, 0.025, -0.525, "W=2, L=384")  # the largest L
    value, error, expected, where = out["hln_both"]
    assert where == "inverse-variance mean of the two rows above"
    w1, w2 = 1 / 0.035**2, 1 / 0.025**2
    assert value == pytest.approx((-0.572 * w1 - 0.54 * w2) / (w1 + w2))
    assert error == pytest.approx((w1 + w2) ** -0.5)
    assert expected == pytest.approx((-0.523 * w1 - 0.525 * w2) / (w1 + w2))
    none = _clean_rows(row, SimpleNamespace(magnetoconductance=None))
    assert none["hln_both"] is None and none["hln_clean_why"]


def test_the_cooperon_row_is_the_largest_sample_or_says_why():
    fit = SimpleNamespace(alpha=-0.57, alpha_error=0.03, alpha_theory=-0.5, W=2.0)
    mc = SimpleNamespace(
        defined=True, fits=[], hln=[], asymptotic=[],
        cooperon=[SimpleNamespace(**vars(fit), L=L) for L in (96, 384, 192)],
    )  # fmt: skip
    out = _mc_row(SimpleNamespace(magnetoconductance=mc))
    assert out["coop"] == (-0.57, 0.03, -0.5, "W=2, L=384")
    out = _mc_row(
        SimpleNamespace(magnetoconductance=SimpleNamespace(**{**vars(mc), "cooperon": []}))
    )
    assert out["coop"] is None and "hard walls" in out["coop_why"]

"""Plain-text reports of an analysis."""

from __future__ import annotations

import math

from betascale import theory
from betascale.analysis.ensembles import STATS, format_pm
from betascale.analysis.pipeline import StoreAnalysis
from betascale.text import printable, table


# ------------------------------------------------------------------ report
def format_report(an: StoreAnalysis) -> str:
    """Plain-text tables of an analysis: ensembles, beta points, fit and scaling."""
    lines = []
    head = printable(f"{an.name}: {an.title}" if an.name else an.title)
    lines.append(head)
    lines.append(
        f"G = {STATS[an.stat]}; errors: standard error of the mean (ensembles), "
        f"bootstrap over samples, B = {an.n_boot}, {round(100 * an.betas.ci)} % intervals (beta)"
    )
    lines.append("")
    lines.append("ensembles (conductances in e^2/h; g = 1/(1/T - 1/N) per sample)")
    cols = ("W", "L", "n", "N", "<T>", "<g>", "exp<ln g>")
    rows = [
        (
            f"{e.W:g}",
            str(e.L),
            str(e.n),
            str(e.N),
            str(e.mean_T),
            str(e.mean_g),
            str(e.typical_g),
        )
        for e in an.ensembles
    ]
    lines += table(cols, rows)
    lines.append("")
    lo, hi = (round(100 * (1 - an.betas.ci) / 2), round(100 * (1 + an.betas.ci) / 2))
    lines.append(f"beta = d ln G / d ln L between successive L (interval: {lo}-{hi} percentile)")
    cols = ("W", "L1", "L2", "G", "beta", "interval")
    rows = [
        (
            f"{p.W:g}",
            str(p.L1),
            str(p.L2),
            format_pm(p.G, p.G_error),
            format_pm(p.beta, p.beta_error),
            _interval_text(p.beta_interval, p.beta_error),
        )
        for p in an.betas.points
    ]
    lines += table(cols, rows)
    lines.append("")
    lines += _fit_lines(an)
    lines.append("")
    lines.append(an.scaling.summary())
    for part in (an.weak_localization, an.magnetoconductance):
        if part is not None:
            lines += ["", str(part)]
    return "\n".join(lines)


def _fit_lines(an: StoreAnalysis) -> list[str]:
    if an.fit is None:
        return [f"fit of beta: {an.fit_note or 'not done'}"]
    return format_fit(an.fit).splitlines()


def format_fit(f) -> str:
    """A :class:`~betascale.analysis.fit.FitResult` as a few lines of text."""
    chi = f"{f.chi2_dof:.2f}" if f.dof > 0 else "undefined (0 dof)"
    return "\n".join([
        f"fit {f.form} to {f.n_points} points with G >= {f.gmin:g} "
        f"(G = {f.g_range[0]:.3g} to {f.g_range[1]:.3g})",
        f"  a = {format_pm(f.a, f.sigma_a)}   analytic {theory.LEADING_NAME[f.model]} = "
        f"{f.a_theory:.4f}   ({f.pull:+.1f} sigma); bootstrap interval "
        f"{_interval_text(f.a_interval, f.sigma_a)}",
        f"  b = {format_pm(f.b, f.sigma_b)}",
        f"  chi2/dof = {f.chi2:.2f}/{f.dof} = {chi}, p = {f.p_value:.3g}",
    ])  # fmt: skip


def _interval_text(interval: tuple[float, float], error: float) -> str:
    """``[lo, hi]`` with as many decimals as :func:`format_pm` gives ``error``."""
    if not (math.isfinite(error) and error > 0) or not 1e-3 <= abs(interval[1]) < 1e5:
        return f"[{interval[0]:.4g}, {interval[1]:.4g}]"
    d = min(12, max(0, 1 - math.floor(math.log10(error))))
    return f"[{interval[0]:.{d}f}, {interval[1]:.{d}f}]"

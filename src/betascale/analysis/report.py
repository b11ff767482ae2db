"""Plain-text reports of an analysis.

This module imports no pipeline: :mod:`~betascale.analysis.pipeline` imports it (for
``StoreAnalysis.report``), and the report reads the analysis by its attributes.
"""

from __future__ import annotations

from typing import Any

from betascale.analysis import statistics
from betascale.analysis.fit import format_fit
from betascale.analysis.results import format_pm, interval_text
from betascale.text import printable, table

__all__ = ["ENSEMBLE_COLUMNS", "format_fit", "format_report"]

#: The statistics shown in the ensemble table (the analysed one is added if not among them).
ENSEMBLE_COLUMNS = ("mean_T", "mean_g", "typical")


# ------------------------------------------------------------------ report
def format_report(an: Any) -> str:
    """Plain-text tables of an analysis: ensembles, beta points, fit and scaling.

    ``an`` is a :class:`~betascale.analysis.pipeline.StoreAnalysis` (not imported here:
    the pipeline imports this module).
    """
    lines = []
    head = printable(f"{an.name}: {an.title}" if an.name else an.title)
    lines.append(head)
    lines.append(
        f"G = {statistics.get(an.stat).text}; errors: standard error of the mean (ensembles), "
        f"bootstrap over samples, B = {an.n_boot}, {round(100 * an.betas.ci)} % intervals (beta)"
    )
    lines.append("")
    lines.append("ensembles (conductances in e^2/h; g = 1/(1/T - 1/N) per sample)")
    shown = ENSEMBLE_COLUMNS + (() if an.stat in ENSEMBLE_COLUMNS else (an.stat,))
    cols = ("W", "L", "n", "N", *(statistics.get(k).short for k in shown))
    rows = [
        (f"{e.W:g}", str(e.L), str(e.n), str(e.N), *(str(e.G(k)) for k in shown))
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
            interval_text(p.beta_interval, p.beta_error),
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


def _fit_lines(an: Any) -> list[str]:
    if an.fit is None:
        return [f"fit of beta: {an.fit_note or 'not done'}"]
    return format_fit(an.fit).splitlines()

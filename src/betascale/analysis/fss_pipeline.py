"""The finite-size-scaling analysis of a store (or sample table) in one call.

:func:`fss_analyze_table` runs the parts on one set of points: the Slevin–Ohtsuki fit
(:mod:`~betascale.analysis.fss`, optionally its table over expansion orders), the
model-free crossings (:mod:`~betascale.analysis.fss_crossings`), the critical
distribution at the fitted W_c (:mod:`~betascale.analysis.fss_distribution`) and β(g)
across the transition (:mod:`~betascale.analysis.fss_beta`); :func:`fss_analyze_store`
opens a store first. Method: Slevin & Ohtsuki, Phys. Rev. Lett. 82, 382 (1999); New J.
Phys. 16, 015012 (2014).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from betascale import validation
from betascale.analysis import statistics
from betascale.analysis.beta import DEFAULT_CI, MAX_BOOT
from betascale.analysis.fss import (
    DEFAULT_ORDERS,
    ORDER_TABLE,
    FSSFit,
    FSSOrderTable,
    fss_fit_data,
    fss_order_table,
)
from betascale.analysis.fss_beta import FSSBeta, fss_beta
from betascale.analysis.fss_crossings import DEFAULT_FSS_BOOT, CrossingSet, crossings_of_data
from betascale.analysis.fss_data import DEFAULT_FSS_STAT, FSS_STATS, fss_data
from betascale.analysis.fss_distribution import CriticalDistribution, critical_distribution
from betascale.errors import InputError
from betascale.serialization import dumps
from betascale.store import SampleTable, open_store


@dataclass(frozen=True)
class FSSAnalysis:
    """Everything the finite-size-scaling analysis of one store produces.

    Attributes
    ----------
    name, title, model
        Store (study) name, a description of the model, and its symmetry class.
    fit
        The :class:`~betascale.analysis.fss.FSSFit`.
    crossings
        The :class:`~betascale.analysis.fss_crossings.CrossingSet`.
    distribution
        The :class:`~betascale.analysis.fss_distribution.CriticalDistribution` at the
        W nearest the fitted W_c.
    beta
        The :class:`~betascale.analysis.fss_beta.FSSBeta` (curve and data points).
    order_table
        The :class:`~betascale.analysis.fss.FSSOrderTable`, or None if not asked for.
    table
        The samples analysed.
    """

    name: str
    title: str
    model: str
    fit: FSSFit
    crossings: CrossingSet
    distribution: CriticalDistribution
    beta: FSSBeta
    order_table: FSSOrderTable | None = None
    table: SampleTable | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        """A JSON-safe dict of the whole analysis."""
        return {
            "name": self.name,
            "title": self.title,
            "model": self.model,
            "fit": self.fit.to_dict(),
            "crossings": self.crossings.to_dict(),
            "distribution": self.distribution.to_dict(),
            "beta": self.beta.to_dict(),
            "order_table": None if self.order_table is None else self.order_table.to_dict(),
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as strict JSON (NaN and inf as null)."""
        return dumps(self.to_dict(), indent=2)

    def __str__(self) -> str:
        head = f"{self.name}: {self.title}" if self.name else self.title
        parts = [head, "", str(self.fit)]
        if self.order_table is not None:
            parts += ["", str(self.order_table)]
        parts += ["", str(self.crossings), "", str(self.distribution), "", str(self.beta)]
        return "\n".join(parts)


def fss_analyze_table(
    table: SampleTable,
    stat: str = DEFAULT_FSS_STAT,
    W_range: Sequence[float] | None = None,
    lmin: int = 0,
    orders: Sequence[int] = DEFAULT_ORDERS,
    n_boot: int = DEFAULT_FSS_BOOT,
    seed: int = 0,
    ci: float = DEFAULT_CI,
    order_table: bool | Sequence[Sequence[int]] = False,
    quantity: str | None = None,
    name: str = "",
    title: str = "",
    model: str = "",
) -> FSSAnalysis:
    """Fit, crossings, critical distribution and β(g) of one sample table.

    Parameters
    ----------
    table, stat, W_range, lmin, orders, n_boot, seed, ci
        As for :func:`~betascale.analysis.fss.fss_fit`; the crossings and the β points
        use the same bootstrap size and seed (``n_boot = 0`` leaves the crossings
        and points with the minimal 20 replicates).
    order_table
        True for the fits over :data:`~betascale.analysis.fss.ORDER_TABLE`, or a list of
        orders; False for none.
    quantity
        Variable of the tests of the critical distribution: ``"T"`` or ``"g"``
        (default ``"g"`` for a contact-corrected statistic, ``"T"`` for ``mean_T``).
    name, title, model
        Labels (store name, model description, symmetry class).

    Raises
    ------
    InputError
        As :func:`~betascale.analysis.fss.fss_fit` (the fit is the core: without it
        there is no W_c for the distribution).
    """
    o = check_fss_options(stat, W_range, lmin, orders, n_boot, seed, ci, order_table, quantity)
    stat, W_range, lmin, orders, n_boot, seed, ci, order_table, quantity = o
    data = fss_data(table, stat, W_range, lmin)
    fit = fss_fit_data(data, orders, n_boot, seed, ci, lmin)
    boot = max(n_boot, 20)
    rows = None
    if order_table is not False:
        orders_list = ORDER_TABLE if order_table is True else order_table
        rows = fss_order_table(data, orders_list, n_boot=0, ci=ci, lmin=lmin)
    if quantity is None:
        quantity = "g" if statistics.get(stat).contact_corrected else "T"
    return FSSAnalysis(
        name=name,
        title=title or "finite-size scaling",
        model=model,
        fit=fit,
        crossings=crossings_of_data(data, n_boot=boot, seed=seed, ci=ci),
        distribution=critical_distribution(table, fit.W_c.value, quantity, lmin),
        beta=fss_beta(fit, table, n_boot=boot, seed=seed, ci=ci),
        order_table=rows,
        table=table,
    )


def check_fss_options(
    stat: str = DEFAULT_FSS_STAT,
    W_range: Sequence[float] | None = None,
    lmin: int = 0,
    orders: Sequence[int] = DEFAULT_ORDERS,
    n_boot: int = DEFAULT_FSS_BOOT,
    seed: int = 0,
    ci: float = DEFAULT_CI,
    order_table: bool | Sequence[Sequence[int]] = False,
    quantity: str | None = None,
) -> tuple:
    """The options of :func:`fss_analyze_table` (in its order), checked by the input
    policy of :mod:`betascale.validation`: numbers are finite numbers, integers are
    integers (no bool, no string), sizes are bounded. The ranges particular to the fit
    (``n_boot`` 0 or >= 10, the orders) are checked again where they are used.
    """
    if W_range is not None:
        W_range = tuple(
            validation.finite("W_range", v)
            for v in validation.sequence("W_range", W_range, max_len=2)
        )
    orders = _integers("orders", orders)
    if not isinstance(order_table, bool):
        rows = validation.sequence("order_table", order_table, max_len=100)
        order_table = [_integers("order_table", row) for row in rows]
    return (
        validation.choice("stat", stat, tuple(FSS_STATS)),
        W_range,
        validation.integer("lmin", lmin, low=0),
        orders,
        validation.integer("n_boot", n_boot, low=0, high=MAX_BOOT),
        validation.seed("seed", seed),
        validation.confidence("ci", ci),
        order_table,
        None if quantity is None else validation.choice("quantity", quantity, ("T", "g")),
    )


def _integers(name: str, values, max_len: int = 4) -> tuple[int, ...]:
    return tuple(
        validation.integer(name, v) for v in validation.sequence(name, values, max_len=max_len)
    )


def fss_analyze_store(path: str | Path, **kwargs) -> FSSAnalysis:
    """Open the store at ``path`` and run :func:`fss_analyze_table` on its samples.

    The name, title and symmetry class come from the store's study; the keyword
    arguments are those of :func:`fss_analyze_table`. The store is only read.

    Examples
    --------
    >>> an = fss_analyze_store("data/reference/su2-transition.sqlite", lmin=20)  # doctest: +SKIP
    >>> print(an.fit)  # doctest: +SKIP
    """
    path = Path(path)
    with open_store(path) as store:
        study = store.study
        table = store.samples()
    if len(table) == 0:
        raise InputError(f"the store {path} has no successful samples; run the study first")
    return fss_analyze_table(
        table,
        name=study.name or path.stem,
        title=study.model.describe(),
        model=study.model.model,
        **kwargs,
    )

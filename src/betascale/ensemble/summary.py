"""What a run did: its :class:`RunSummary`, shared by the runner and the MPI server.

Kept apart from :mod:`~betascale.ensemble.runner` so that
:mod:`~betascale.ensemble.mpi` (which the runner imports for an MPI launch) needs
nothing from the runner: the two would otherwise import each other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from betascale.ensemble.tasks import duration

#: With more ranks than this, rank 0 only serves and writes (it does not compute).
SERVE_ONLY_ABOVE = 16


def late_note(ranks: tuple[int, ...]) -> str:
    """``"; late: rank 1 (its chunks were computed by other ranks)"``, or nothing."""
    if not ranks:
        return ""
    many = len(ranks) > 1
    names = f"rank{'s' if many else ''} {', '.join(map(str, ranks))}"
    return f"; late: {names} ({'their' if many else 'its'} chunks were computed by other ranks)"


@dataclass(frozen=True)
class RunSummary:
    """What a run did (rank 0's view; other ranks get a summary with ``rank`` only).

    ``status`` is ``complete`` (nothing missing), ``incomplete`` (the run ended but
    samples failed or are missing), ``interrupted`` (a signal) or ``failed``.
    ``server_cpu_seconds`` is the CPU time rank 0's server spent (MPI runs only), and
    ``server_work_seconds`` the part of it spent handling messages and committing
    results: the rest is the cost of waking up to find nothing to do, which a
    saturated rank 0 does not pay. So the run's samples divided by
    ``server_work_seconds`` is rank 0's capacity in samples per second, and
    ``server_work_seconds`` divided by ``server_chunks`` (the chunks it served) its
    cost per chunk.
    ``late_ranks`` are the ranks that did not return a chunk in time (its samples were
    computed by other ranks; see :mod:`~betascale.ensemble.leases`).
    """

    store: Path | None
    computed: int
    failed: int
    missing_before: int
    missing_after: int
    seconds: float
    status: str
    rank: int = 0
    ranks: int = 1
    server_cpu_seconds: float | None = None
    late_ranks: tuple[int, ...] = ()
    server_chunks: int | None = None
    server_work_seconds: float | None = None

    @property
    def samples_per_second(self) -> float:
        """Throughput of the run (samples computed per second of wall time)."""
        return self.computed / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict:
        """The summary as a JSON-able dict."""
        out = asdict(self)
        out["store"] = None if self.store is None else str(self.store)
        out["samples_per_second"] = self.samples_per_second
        return out

    def __str__(self) -> str:
        where = f" into {self.store}" if self.store else ""
        return (
            f"run {self.status}: {self.computed} samples computed{where} "
            f"({self.failed} failed) in {duration(self.seconds)} on {self.ranks} rank(s); "
            f"{self.missing_after} missing{late_note(self.late_ranks)}"
        )

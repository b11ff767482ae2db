"""Hands out chunks of missing samples to ranks: dynamic, large L first, within memory."""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from betascale.ensemble.tasks import (
    Chunk,
    check_geometry_fits,
    geometry_bytes,
    geometry_seconds,
)
from betascale.store import SampleRecord
from betascale.study import Study

#: Aim for chunks of about this many seconds of estimated work.
TARGET_CHUNK_SECONDS = 2.0
#: ... and, towards the end of a run, never fewer than this many (see :func:`chunk_size`).
MIN_CHUNK_SECONDS = 0.25
#: Never put more samples than this into one chunk (unless rank 0's load needs more;
#: see :func:`chunk_size`).
MAX_CHUNK = 4096
#: Rank 0's CPU seconds per chunk it serves (messages, lease, scheduling, storing),
#: until the run has measured its own (:meth:`Scheduler.observe_server`): 0.5-0.8 ms
#: measured with ``betascale bench --serve`` on a 2-core machine.
SERVER_SECONDS_PER_CHUNK = 1e-3
#: Chunks are made long enough that serving them keeps rank 0 at most this busy.
MAX_SERVER_LOAD = 0.5
#: Geometries a rank keeps built (a build costs as much as many samples).
KEEP_GEOMETRIES = 2

Geometry = tuple[float, int]  # (flux, L)
Cell = tuple[int, float, float]  # (L, W, flux), in scheduling order


@dataclass(frozen=True)
class Wait:
    """No chunk for now: ask again after ``seconds``.

    With ``drop`` (no chunk fits in memory now) the rank first drops its geometries;
    without it (every sample is handed out, but a chunk may come back from a late rank)
    it keeps them.
    """

    seconds: float = 1.0
    drop: bool = True


class Scheduler:
    """Hands out chunks of missing samples to ranks: dynamic, large L first.

    The policy (thread-safe; rank 0's server and compute threads share it):

    1. A rank keeps to a geometry it has built (the last :data:`KEEP_GEOMETRIES`),
       because a build costs as much as many samples;
    2. otherwise it takes the largest L that no other rank is working on, so
       that ranks spread over geometries instead of all building every one;
    3. otherwise the largest L left;

    and in every case only a geometry that fits in the memory of the rank's host
    (the geometries its ranks hold, estimated by :func:`~betascale.ensemble.tasks.
    geometry_bytes`, must stay within the host's budget). If nothing fits the rank
    gets :class:`Wait`; if a geometry cannot fit even on an empty host, the run is
    refused.

    A chunk holds samples of one (W, flux, L). Its size is guided self-scheduling
    with a floor (:func:`chunk_size`): chunks shrink towards the end so that the ranks
    finish together, but never below :data:`MIN_CHUNK_SECONDS` of work, so that tiny
    samples come in large chunks, nor below what keeps rank 0 at most
    :data:`MAX_SERVER_LOAD` busy with this many ranks. Costs per sample start from an
    estimate and follow the measured solve times; rank 0's cost per chunk starts from
    :data:`SERVER_SECONDS_PER_CHUNK` and follows its measured CPU time
    (:meth:`observe_server`).

    Parameters
    ----------
    study
        The study.
    missing
        Per cell ``(W, flux, L, ranges)``, the missing sample indices as ``[start, stop)``
        ranges (:meth:`betascale.store.Store.missing_ranges`).
    ranks
        Number of ranks that compute.
    hosts
        The host of each rank (default: all on one host).
    budgets
        Memory in bytes per host (default: no limit).
    """

    def __init__(
        self,
        study: Study,
        missing: Iterable[tuple[float, float, int, Sequence[tuple[int, int]]]],
        ranks: int,
        hosts: Sequence[str] | None = None,
        budgets: dict[str, float] | None = None,
    ) -> None:
        self.study = study
        self.ranks = max(1, ranks)
        groups: dict[Cell, deque] = {}
        for W, flux, L, ranges in missing:
            groups[(int(L), float(W), float(flux))] = deque(list(r) for r in ranges if r[1] > r[0])
        order = sorted((k for k, q in groups.items() if q), key=lambda k: (-k[0], k[1], k[2]))
        self._groups = OrderedDict((key, groups[key]) for key in order)
        self._cost = {key: geometry_seconds(study, key[2], key[0]) for key in self._groups}
        self.total = sum(self._count(q) for q in self._groups.values())
        self.total_work = sum(self._count(q) * self._cost[k] for k, q in self._groups.items())
        self._measured: dict[int, tuple[int, float]] = {}
        self.server_seconds = SERVER_SECONDS_PER_CHUNK
        self._hosts = list(hosts) if hosts is not None else ["local"] * self.ranks
        self._budgets = budgets or {}
        self._holding: dict[int, deque] = {}
        self._bytes: dict[Geometry, float] = {}  # geometry_bytes, computed once each
        self._held_bytes: dict[str, float] = {}  # per host: the sum over its ranks' holdings
        self._working: dict[int, int | None] = {}  # the L each rank works on ...
        self._workers: dict[int, int] = {}  # ... and how many ranks work on each L
        self._lock = threading.Lock()
        self._check_fits()

    @classmethod
    def from_keys(cls, study: Study, keys: Iterable[tuple], ranks: int, **kwargs) -> Scheduler:
        """A scheduler of explicit keys ``(W, flux, L, sample)``."""
        cells: dict[tuple, list[int]] = {}
        for W, flux, L, sample in keys:
            cells.setdefault((float(W), float(flux), int(L)), []).append(int(sample))
        missing = [(*cell, _ranges(sorted(s))) for cell, s in cells.items()]
        return cls(study, missing, ranks, **kwargs)

    @staticmethod
    def _count(q: deque) -> int:
        return sum(stop - start for start, stop in q)

    def remaining(self) -> int:
        """Samples not yet handed out."""
        with self._lock:
            return sum(self._count(q) for q in self._groups.values())

    def observe(self, records: Sequence[SampleRecord]) -> None:
        """Learn the cost per sample of each L from finished records."""
        for r in records:
            if r.error is None:
                self._learn(r.L, 1, r.seconds)

    def observe_chunk(self, result) -> None:
        """Learn the cost per sample of a chunk's L from its results (a ChunkResult)."""
        ok = np.isfinite(result.T)
        count = int(np.count_nonzero(ok))
        if count:
            self._learn(result.chunk.L, count, float(np.sum(result.seconds[ok])))

    def observe_server(self, cpu_seconds: float, chunks: int) -> None:
        """Learn rank 0's CPU seconds per chunk served (``cpu_seconds`` over ``chunks``;
        kept at the default until 16 chunks were served)."""
        if chunks >= 16 and cpu_seconds > 0:
            with self._lock:
                self.server_seconds = cpu_seconds / chunks

    def expected_seconds(self, chunk: Chunk) -> float:
        """Expected seconds of ``chunk``'s samples: the measured (else estimated) seconds
        per sample of its geometry times its length."""
        key = (chunk.L, chunk.W, chunk.flux)
        with self._lock:
            cost = self._cost.get(key)
        if cost is None:
            cost = geometry_seconds(self.study, chunk.flux, chunk.L)
        return len(chunk) * cost

    def _learn(self, L: int, count: int, seconds: float) -> None:
        with self._lock:
            n, total = self._measured.get(L, (0, 0.0))
            n, total = n + count, total + seconds
            self._measured[L] = (n, total)
            for key in self._cost:
                if key[0] == L:
                    self._cost[key] = total / n

    def requeue(self, chunk: Chunk) -> None:
        """Give the samples of a chunk that was not (fully) computed back to the queue."""
        if chunk is None or len(chunk) == 0:
            return
        key = (chunk.L, chunk.W, chunk.flux)
        with self._lock:
            if key not in self._groups:
                self._groups[key] = deque()
                self._groups = OrderedDict(
                    sorted(self._groups.items(), key=lambda kv: (-kv[0][0], kv[0][1], kv[0][2]))
                )
            self._groups[key].appendleft([chunk.start, chunk.stop])

    def next_chunk(self, rank: int) -> Chunk | Wait | None:
        """The next chunk for ``rank``; :class:`Wait` if none fits in memory now (the
        rank then drops its geometries); None when everything is handed out."""
        with self._lock:
            live = [key for key, q in self._groups.items() if q]
            if not live:
                self._work_on(rank, None)
                self._hold(rank, deque(maxlen=KEEP_GEOMETRIES))
                return None
            choice = self._choose(rank, live)
            if choice is None:
                self._work_on(rank, None)
                self._hold(rank, deque(maxlen=KEEP_GEOMETRIES))
                return Wait()
            key, hold = choice
            self._hold(rank, hold)
            return self._cut(rank, key, live, tuple(hold))

    def _choose(self, rank: int, live: list[Cell]) -> tuple[Cell, deque] | None:
        holding = self._holding.setdefault(rank, deque(maxlen=KEEP_GEOMETRIES))
        mine = self._working.get(rank)
        busy = {L for L, n in self._workers.items() if n > (L == mine)}  # by other ranks
        preferences = (
            [k for k in live if (k[2], k[0]) in holding]
            + [k for k in live if k[0] not in busy]
            + live
        )
        for key in preferences:
            hold = self._plan(rank, (key[2], key[0]))
            if hold is not None:
                return key, hold
        return None

    def _cut(self, rank: int, key: Cell, live: list[Cell], hold: tuple) -> Chunk:
        L, W, flux = key
        remaining_work = sum(self._count(self._groups[k]) * self._cost[k] for k in live)
        size = chunk_size(self._cost[key], remaining_work, self.ranks, self.server_seconds)
        q = self._groups[key]
        start, stop = q[0]
        take = min(size, stop - start)
        if start + take == stop:
            q.popleft()
        else:
            q[0][0] = start + take
        self._work_on(rank, L)
        return Chunk(W, flux, L, self.study.width(L), start, start + take, hold=hold)

    def _work_on(self, rank: int, L: int | None) -> None:
        """Record that ``rank`` works on size L (None: on nothing), keeping the count of
        ranks per size current (so that a request costs O(1) in the number of ranks)."""
        before = self._working.get(rank)
        if before is not None:
            self._workers[before] -= 1
            if not self._workers[before]:
                del self._workers[before]
        self._working[rank] = L
        if L is not None:
            self._workers[L] = self._workers.get(L, 0) + 1

    # ---------------------------------------------------------------- memory
    def _geometry_bytes(self, geometry: Geometry) -> float:
        """The estimated memory of a geometry ``(flux, L)`` (memoized: the server asks
        at every request)."""
        size = self._bytes.get(geometry)
        if size is None:
            size = self._bytes[geometry] = geometry_bytes(self.study, *geometry)
        return size

    def _plan_bytes(self, plan: Iterable[Geometry]) -> float:
        return sum(self._geometry_bytes(g) for g in plan)

    def _hold(self, rank: int, held: deque) -> None:
        """Record what ``rank`` holds, and keep its host's total current (so that a
        request costs O(1) in the number of ranks)."""
        host = self._hosts[rank % len(self._hosts)]
        before = self._plan_bytes(self._holding.get(rank, ()))
        self._holding[rank] = held
        self._held_bytes[host] = self._held_bytes.get(host, 0.0) - before + self._plan_bytes(held)

    def _host_bytes(self, host: str, skip_rank: int | None = None) -> float:
        total = self._held_bytes.get(host, 0.0)
        if skip_rank is not None and self._hosts[skip_rank % len(self._hosts)] == host:
            total -= self._plan_bytes(self._holding.get(skip_rank, ()))
        return total

    def _plan(self, rank: int, geometry: Geometry) -> deque | None:
        """What ``rank`` would hold to compute ``geometry``: it and its recent ones if they
        fit in its host's budget, else it alone if that fits, else None."""
        held = deque(self._holding.get(rank, ()), maxlen=KEEP_GEOMETRIES)
        if geometry in held:
            held.remove(geometry)
        held.append(geometry)
        host = self._hosts[rank % len(self._hosts)]
        budget = self._budgets.get(host)
        if budget is None:
            return held
        room = budget - self._host_bytes(host, skip_rank=rank)
        for plan in (held, deque([geometry], maxlen=KEEP_GEOMETRIES)):
            if self._plan_bytes(plan) <= room:
                return plan
        return None

    def _check_fits(self) -> None:
        """Refuse a geometry that cannot fit even alone on any host."""
        if not self._budgets:
            return
        largest = max(self._budgets.values())
        for L, _, flux in self._groups:
            check_geometry_fits(self.study, flux, L, largest)


def chunk_size(
    cost: float,
    remaining_work: float,
    ranks: int,
    server_seconds: float = SERVER_SECONDS_PER_CHUNK,
) -> int:
    """Samples in the next chunk: guided self-scheduling with a floor in seconds.

    The chunk holds ``budget / cost`` samples (between 1 and :data:`MAX_CHUNK`), where

        budget = max(floor, min(TARGET_CHUNK_SECONDS, remaining_work / (2 ranks)))
        floor = max(MIN_CHUNK_SECONDS, ranks server_seconds / MAX_SERVER_LOAD)

    Guided self-scheduling (Polychronopoulos & Kuck, IEEE Trans. Comput. C-36, 1425
    (1987)) gives each rank a share of the remaining work, here half of it, so
    that chunks shrink towards the end and the ranks finish together; a run
    starts with about two chunks per rank, enough for the balance and for handing a
    late rank's chunk to another one (:mod:`~betascale.ensemble.leases`). The floor
    (the "minimal chunk" of Tzen & Ni, IEEE Trans. Parallel Distrib. Syst. 4, 87
    (1993)) stops the tail of chunks of one sample each: rank 0 pays for every chunk
    (messages, a lease, a store row) whatever its length, so a chunk of tiny samples
    must hold many of them. With ``ranks`` ranks each handing in a chunk every
    ``budget`` seconds, rank 0 spends ``ranks server_seconds / budget`` of its time
    serving them; the second term of the floor keeps that at most
    :data:`MAX_SERVER_LOAD`, whatever the number of ranks (it exceeds
    :data:`MIN_CHUNK_SECONDS` above about 125 ranks at 1 ms per chunk, and
    :data:`MAX_CHUNK` gives way to it). The ranks then finish within about one
    floor of each other.

    Parameters
    ----------
    cost
        Seconds per sample of the chunk's geometry (measured, else estimated); > 0.
    remaining_work
        Seconds of all the samples not handed out yet.
    ranks
        Ranks that compute.
    server_seconds
        Rank 0's CPU seconds per chunk served.

    Returns
    -------
    int
        The number of samples (the caller takes at most what is left of the cell).
    """
    load_floor = ranks * server_seconds / MAX_SERVER_LOAD
    floor = max(MIN_CHUNK_SECONDS, load_floor)
    budget = max(floor, min(TARGET_CHUNK_SECONDS, remaining_work / (2 * ranks)))
    if cost <= 0:
        return MAX_CHUNK
    cap = max(MAX_CHUNK, int(load_floor / cost))
    return max(1, min(cap, int(budget / cost)))


def _ranges(indices: list[int]) -> list[tuple[int, int]]:
    """Sorted distinct indices as ranges ``[start, stop)`` of consecutive ones."""
    out: list[list[int]] = []
    for i in indices:
        if out and out[-1][1] == i:
            out[-1][1] = i + 1
        elif not out or out[-1][1] < i:
            out.append([i, i + 1])
    return [(a, b) for a, b in out]

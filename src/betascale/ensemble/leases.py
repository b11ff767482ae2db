"""Leases on the chunks worker ranks hold: a chunk not returned in time goes to another rank.

A rank that is stopped (SIGSTOP, a suspended job step, a node that swaps) holds its
chunk forever; without a deadline the run would wait for it with no end. Rank 0 gives
each chunk it hands to a worker rank a lease: the chunk is expected back within

    max(LEASE_FACTOR * (n + 1) * t, LEASE_FLOOR_SECONDS)

seconds of the moment the rank began it, where ``n`` is the chunk's number of samples
and ``t`` the measured seconds per sample of its geometry (the scheduler's estimate
until a sample was measured; the ``+ 1`` leaves room for building the geometry). A
rank begins a chunk when it has returned the one before (it asks for the next chunk
before computing the current one). A chunk whose lease runs out is handed to another
rank, and the late rank is named in the progress output and the run's summary.

A late answer is discarded: a sample is a pure function of (seed, key), so the other
rank's result is bit-identical, and no key is ever written twice. Each lease has its
own number (:attr:`~betascale.ensemble.tasks.Chunk.lease`), so that an answer to an
expired lease is told apart from an answer to a new lease on the same samples.
"""

from __future__ import annotations

import dataclasses
import heapq
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from betascale.ensemble.tasks import Chunk

#: A chunk is late after this many times its expected seconds (plus one sample's) ...
LEASE_FACTOR = 10.0
#: ... and never before this many seconds.
LEASE_FLOOR_SECONDS = 120.0


@dataclass
class _Lease:
    rank: int
    chunk: Chunk
    started: float | None  # None: queued behind another chunk of the rank


class Leases:
    """The chunks each worker rank holds, each with a deadline (thread-safe).

    Parameters
    ----------
    expected
        Expected seconds of a chunk's samples (the measured per-sample time of its
        geometry times its length).
    clock
        Monotonic seconds (a parameter for tests).
    """

    def __init__(
        self, expected: Callable[[Chunk], float], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._expected = expected
        self._clock = clock
        self._live: dict[int, _Lease] = {}
        self._held: dict[int, list[int]] = {}  # rank -> its live lease numbers, in order
        self._late: dict[int, float] = {}  # rank -> when it began the chunk it did not return
        self._ever_late: set[int] = set()
        self._next_id = 1
        self._short: list[tuple[float, int]] = []  # (expected seconds, lease), see shortest
        self._lock = threading.Lock()

    def allowance(self, chunk: Chunk) -> float:
        """Seconds ``chunk`` may take before it is late (see the module docstring)."""
        per_sample = self._expected(chunk) / max(1, len(chunk))
        return max(LEASE_FACTOR * (len(chunk) + 1) * per_sample, LEASE_FLOOR_SECONDS)

    def grant(self, rank: int, chunk: Chunk) -> Chunk:
        """Lease ``chunk`` to ``rank``; the chunk to send (it carries the lease number)."""
        expected = self._expected(chunk)
        with self._lock:
            leased = dataclasses.replace(chunk, lease=self._next_id)
            self._next_id += 1
            held = self._held.setdefault(rank, [])
            self._live[leased.lease] = _Lease(rank, leased, None if held else self._clock())
            held.append(leased.lease)
            heapq.heappush(self._short, (expected, leased.lease))
            if len(self._short) > 4 * len(self._live) + 64:  # drop the ended leases
                self._short = [entry for entry in self._short if entry[1] in self._live]
                heapq.heapify(self._short)
            return leased

    def shortest(self) -> float | None:
        """Expected seconds of the shortest chunk on a live lease (None if there is none).

        Every rank that holds a chunk asks for its next one as it begins the chunk, so
        rank 0 may take this long to answer without keeping anyone waiting (ended leases
        leave the heap lazily: O(log n) per lease).
        """
        with self._lock:
            while self._short and self._short[0][1] not in self._live:
                heapq.heappop(self._short)
            return self._short[0][0] if self._short else None

    def release(self, rank: int, chunk: Chunk) -> bool:
        """``rank`` answered for ``chunk``: True if its lease was live (take the answer),
        False if it had expired (discard it: the samples went to another rank)."""
        with self._lock:
            lease = self._live.get(chunk.lease)
            if lease is None or lease.rank != rank:
                return False
            self._end(chunk.lease)
            following = [self._live[k] for k in self._held.get(rank, ())]
            if following and following[0].started is None:
                following[0].started = self._clock()
            return True

    def _end(self, key: int) -> _Lease:
        """Remove the live lease ``key`` (and its entry among its rank's); call locked."""
        lease = self._live.pop(key)
        held = self._held[lease.rank]
        held.remove(key)  # a rank holds one or two chunks: O(1)
        if not held:
            del self._held[lease.rank]
        return lease

    def heard_from(self, rank: int) -> float | None:
        """``rank`` sent a message: it is no longer late. How long it was late (or None)."""
        with self._lock:
            since = self._late.pop(rank, None)
        return None if since is None else self._clock() - since

    def drop(self, rank: int) -> list[Chunk]:
        """``rank`` left: the chunks it still held (to be scheduled again)."""
        with self._lock:
            self._late.pop(rank, None)
            return [self._end(k).chunk for k in list(self._held.get(rank, ()))]

    def expire(self) -> list[tuple[int, Chunk, float]]:
        """End the leases that ran out: ``(rank, chunk, seconds overdue)`` of each chunk of
        a late rank (all the chunks it holds, the prefetched ones too); the rank is late."""
        now = self._clock()
        with self._lock:
            late = {
                lease.rank: now - lease.started
                for lease in self._live.values()
                if lease.started is not None and now - lease.started > self.allowance(lease.chunk)
            }
            expired = []
            for key in [k for k, lease in self._live.items() if lease.rank in late]:
                lease = self._end(key)
                expired.append((lease.rank, lease.chunk, late[lease.rank]))
            for rank, seconds in late.items():
                self._late.setdefault(rank, now - seconds)
                self._ever_late.add(rank)
            return expired

    def outstanding(self, other_than: int | None = None) -> bool:
        """Whether a rank (other than ``other_than``) holds a chunk on a live lease."""
        with self._lock:
            return len(self._held) > (other_than in self._held)

    def any_late(self) -> bool:
        """Whether a rank is late now (cheaper than :meth:`late`, for every turn)."""
        return bool(self._late)

    def late(self) -> dict[int, float]:
        """The ranks late now, with the seconds since they began the chunk they did not return."""
        now = self._clock()
        with self._lock:
            return {rank: now - since for rank, since in sorted(self._late.items())}

    def ever_late(self) -> tuple[int, ...]:
        """Every rank that was late at some point of the run."""
        with self._lock:
            return tuple(sorted(self._ever_late))

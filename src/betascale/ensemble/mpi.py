"""Serving a run over MPI ranks: rank 0 serves and writes, every rank computes.

Rank 0's main thread answers work requests, collects results and writes them to the
store, while a compute thread of rank 0 works through chunks like any other rank
(with more than :data:`~betascale.ensemble.summary.SERVE_ONLY_ABOVE` ranks, rank 0 only
serves). MUMPS and LAPACK release the GIL, so the server answers even during a
factorization. A worker asks for its next chunk before computing the current one
(prefetch) and sends its results without waiting for rank 0 to receive them, so rank 0
may take a fraction of a chunk's time to answer: it wakes up a few times per chunk
instead of polling (``_Root._idle_wait``; every wake-up costs it CPU time, and MPI's
blocking calls spin).

Nothing lost, nothing hangs:

* rank 0 remembers the chunks each rank holds; samples a rank hands back unfinished
  (it was signalled, or it stops) are scheduled again, so a run is never recorded as
  complete with samples missing;
* each chunk a worker rank holds is on a lease (:mod:`~betascale.ensemble.leases`): a
  rank that does not return it in time (stopped with SIGSTOP, say) is named late, its
  chunks go to other ranks (rank 0's compute thread included) and its late answer is
  discarded. Ranks with nothing left to compute wait while a lease is live, so that
  someone is there to take a chunk that comes back. If at the end only late ranks are
  left, rank 0 waits :data:`LATE_GRACE_SECONDS` for them, then records the run and
  aborts the job (a stopped rank cannot take part in the collective calls that end it);
* results are committed in batches, at most :data:`FLUSH_SECONDS` after the last commit
  (plus one turn of the server): a result that finds the store idle for longer is
  committed at once;
* if rank 0's compute thread dies, or rank 0 fails in any way (a full disk, say), the
  run is recorded as failed as far as that still works, the reason is printed in one
  line, and the MPI job is aborted — cleanup never stands between a failure and
  ``MPI_Abort``;
* a rank that dies makes the MPI launcher abort the job; every committed sample stays.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
import traceback

from betascale.ensemble.leases import Leases
from betascale.ensemble.scheduler import Wait
from betascale.ensemble.serial import signal_note
from betascale.ensemble.signals import StopSignal
from betascale.ensemble.summary import SERVE_ONLY_ABOVE, RunSummary
from betascale.ensemble.tasks import Chunk, ChunkResult, duration
from betascale.ensemble.worker import Worker
from betascale.errors import InputError, one_line

_TAG_WORK = 11  # rank 0 -> worker: a Chunk, a Wait, or None (no more work)
_TAG_RESULT = 12  # worker -> rank 0: (kind, payload); a request carries the last results
_REQUEST, _RESULTS, _RETURN, _BYE = "request", "results", "return", "bye"
#: Commit buffered results this often (seconds); each commit costs rank 0 ~0.1 ms.
FLUSH_SECONDS = 0.5
#: Rank 0's first wait on an idle turn, and its longest while no chunk is leased out
#: (see ``_Root._idle_wait``) ...
IDLE_SECONDS = 0.005
MAX_IDLE_SECONDS = 0.04
#: ... and while chunks are leased out: this fraction of the shortest one's expected
#: seconds, within IDLE_SECONDS and LEASED_IDLE_SECONDS.
LATENCY_FRACTION = 0.25
LEASED_IDLE_SECONDS = 0.5
#: Seconds between two checks of the leases.
LEASE_CHECK_SECONDS = 1.0
#: A rank with nothing to compute while other ranks hold chunks asks again this often.
POLL_SECONDS = 0.2
#: When only late ranks are left, wait this long for them before ending the run ...
LATE_GRACE_SECONDS = 300.0
#: ... or this long once the run was asked to stop (SIGINT, SIGTERM, SIGHUP).
STOPPING_GRACE_SECONDS = 10.0


# -------------------------------------------------------------------- rank 0
class _Root:
    """Rank 0's serving loop; see the module docstring."""

    def __init__(self, runner) -> None:
        self.runner = runner
        self.comm = runner.comm
        self.scheduler = runner.scheduler
        self.active = set(range(1, runner.size))
        self.leases = Leases(self.scheduler.expected_seconds)
        self.buffer: list = []
        self.last_flush = self.last_lease_check = time.monotonic()
        self.only_late_since: float | None = None
        self.results: queue.Queue = queue.Queue()
        self.local_done = runner.size > SERVE_ONLY_ABOVE
        self.idle_turns = 0
        self.handed_out = False  # the last request found every sample handed out
        self.inbox: list = []  # (source, request) of the messages being received, in order
        self.busy_cpu = 0.0  # CPU seconds of the turns that handled something, and commits ...
        self.served = 0  # ... and the chunks served (results taken) so far
        self.thread: threading.Thread | None = None

    def serve(self, stop: StopSignal) -> None:
        from mpi4py import MPI

        self.stop = stop
        self.any_source = MPI.ANY_SOURCE
        status = MPI.Status()
        if not self.local_done:
            self.thread = threading.Thread(target=self._compute, name="rank0-compute", daemon=True)
            self.thread.start()
        cpu = time.thread_time()
        while not self._finished():
            turn = time.thread_time()
            busy = self._drain_messages(status)
            busy |= self._drain_local(timeout=self._idle_wait(busy))
            self.idle_turns = 0 if busy else self.idle_turns + 1
            if busy:
                self.busy_cpu += time.thread_time() - turn
            if time.monotonic() - self.last_flush >= FLUSH_SECONDS:
                self._commit()
                self.scheduler.observe_server(self.busy_cpu, self.served)
            self._check_thread()
            self._check_leases()
        self._commit()
        self.runner.server_cpu_seconds = time.thread_time() - cpu
        self.runner.server_work_seconds = self.busy_cpu
        self.runner.server_chunks = self.served
        self.runner.late_ranks = self.leases.ever_late()
        self.runner.unresponsive = tuple(sorted(self.active))

    def _idle_wait(self, busy: bool = False) -> float:
        """How long a turn waits for messages (every wake-up costs rank 0 40-90 µs of
        CPU time, and MPI has no wait that does not spin: see ``docs/guide/mpi.md``).

        A busy turn is followed at once by the next (a worker's request follows its
        results; a turn on warm caches costs a fraction of one after a sleep). While
        chunks are leased out and samples remain to hand out, an idle turn waits a
        :data:`LATENCY_FRACTION` of the shortest leased chunk's expected seconds (within
        :data:`IDLE_SECONDS` and :data:`LEASED_IDLE_SECONDS`): a worker asks for its
        next chunk as it begins one and sends its results without waiting for them to
        be received, so an answer within that time keeps nobody waiting. Otherwise (the
        start, the end) it waits :data:`IDLE_SECONDS`, doubled with every idle turn in a
        row up to :data:`MAX_IDLE_SECONDS`.
        """
        if busy:
            return 0.0
        shortest = None if self.handed_out else self.leases.shortest()
        if shortest is not None:
            return min(LEASED_IDLE_SECONDS, max(IDLE_SECONDS, LATENCY_FRACTION * shortest))
        return min(MAX_IDLE_SECONDS, IDLE_SECONDS * 2 ** min(self.idle_turns, 16))

    def next_chunk(self, rank: int):
        """The next chunk for ``rank``; while a chunk held by another rank may still come
        back, a :class:`Wait` that keeps the geometries instead of None."""
        if self.stop.is_set():
            return None
        chunk = self.scheduler.next_chunk(rank)
        self.handed_out = chunk is None
        if chunk is None and self.leases.outstanding(other_than=rank):
            return Wait(POLL_SECONDS, drop=False)
        return chunk

    def _finished(self) -> bool:
        """Every rank said goodbye, or only late ranks are left and the grace ran out."""
        if not self.local_done:
            return False
        if not self.active:
            return True
        if not self.leases.any_late():
            self.only_late_since = None
            return False
        late = self.leases.late()
        if not self.active <= late.keys():
            self.only_late_since = None
            return False
        now = time.monotonic()
        grace = LATE_GRACE_SECONDS
        if self.stop.is_set():
            grace = min(grace, STOPPING_GRACE_SECONDS)
        if self.only_late_since is None:
            self.only_late_since = now
            self.runner.progress.log(
                f"only late {_ranks(self.active)} left; waiting up to {duration(grace)} "
                "for an answer"
            )
        return now - self.only_late_since > grace

    def _drain_messages(self, status) -> bool:
        """Receive what the workers sent and handle it; whether anything was handled.

        A message is received without blocking (a matched probe, then a nonblocking
        receive), so that rank 0 never waits for a large message whose sender must
        take part in the transfer; each source's messages are handled in order.
        """
        while self.active:
            message = self.comm.improbe(source=self.any_source, tag=_TAG_RESULT, status=status)
            if message is None:
                break
            self.inbox.append((status.Get_source(), message.irecv()))
        if not self.inbox:
            return False
        waiting, blocked = [], set()
        for source, request in self.inbox:
            if source not in blocked:
                done, received = request.test()
                if done:
                    self._handle(source, *received)
                    continue
                blocked.add(source)
            waiting.append((source, request))
        handled = len(waiting) < len(self.inbox)
        self.inbox = waiting
        return handled

    def _handle(self, source: int, kind: str, payload) -> None:
        silent = self.leases.heard_from(source)
        if silent is not None:
            self.runner.progress.log(
                f"rank {source} answers again after {duration(silent)}; its late chunks "
                "were given to other ranks, and its answers for them are discarded"
            )
            self.runner.progress.set_late(self.leases.late())
        if kind == _REQUEST:
            if payload is not None:  # the results of the chunk before (one message less)
                self._results(source, payload)
            reply = self.next_chunk(source)
            if isinstance(reply, Chunk):
                reply = self.leases.grant(source, reply)
            self.comm.send(reply, dest=source, tag=_TAG_WORK)
        elif kind == _RESULTS:
            self._results(source, payload)
        elif kind == _RETURN:
            if self.leases.release(source, payload):
                self._release(payload, done=0)
        else:  # _BYE
            for chunk in self.leases.drop(source):
                self.scheduler.requeue(chunk)
            self.active.discard(source)

    def _results(self, source: int, result: ChunkResult) -> None:
        if self.leases.release(source, result.chunk):
            self._release(result.chunk, done=len(result))
            self._take(result)
        else:  # a late answer: recomputed elsewhere; only learn its timing
            self.scheduler.observe_chunk(result)

    def _check_leases(self) -> None:
        """Hand the chunks of ranks whose lease ran out to other ranks (every second)."""
        now = time.monotonic()
        if now - self.last_lease_check < LEASE_CHECK_SECONDS:
            return
        self.last_lease_check = now
        expired = self.leases.expire()
        for rank in sorted({rank for rank, _, _ in expired}):
            chunks = [(c, t) for r, c, t in expired if r == rank]
            for chunk, _ in chunks:
                self.scheduler.requeue(chunk)
            samples = sum(len(c) for c, _ in chunks)
            self.runner.progress.log(
                f"rank {rank} is late: no answer for {duration(chunks[0][1])} on a chunk "
                f"expected within {duration(self.leases.allowance(chunks[0][0]))}; its "
                f"{samples} samples go to other ranks"
            )
        if expired:
            self.runner.progress.set_late(self.leases.late())

    def _release(self, chunk: Chunk, done: int) -> None:
        rest = chunk.rest(done)
        if rest is not None:
            self.scheduler.requeue(rest)

    def _take(self, result: ChunkResult) -> None:
        self.served += 1
        self.buffer.append(result)
        self.runner.take(result)

    def _commit(self) -> None:
        """Write the buffered results to the store, counting its CPU time as work."""
        if self.buffer:
            start = time.thread_time()
            results, self.buffer = self.buffer, []
            self.runner.store.add_chunks(results)
            self.last_flush = time.monotonic()
            self.busy_cpu += time.thread_time() - start

    def _drain_local(self, timeout: float) -> bool:
        """Take the results of rank 0's compute thread, waiting up to ``timeout`` for
        the first; without a compute thread, only sleep (on this 2-core machine a timed
        wait on an empty queue cost rank 0 73 µs of CPU per idle turn, a sleep 44 µs)."""
        if self.local_done and self.results.empty():
            if timeout:
                time.sleep(timeout)
            return False
        busy = False
        while True:
            try:
                kind, payload = self.results.get(timeout=timeout)
            except queue.Empty:
                return busy
            busy, timeout = True, 0.0
            if kind == "results":
                self._take(payload)
            elif kind == "done":
                self.local_done = True
            else:
                raise payload

    def _check_thread(self) -> None:
        if not self.local_done and self.thread is not None and not self.thread.is_alive():
            if self.results.empty():
                raise RuntimeError("rank 0's compute thread died without a word")

    def _compute(self) -> None:
        """Rank 0's compute thread: chunks until none is left (or a stop)."""
        try:
            worker = Worker(self.runner.study, 0)
            while (chunk := self.next_chunk(0)) is not None:
                if isinstance(chunk, Wait):
                    if chunk.drop:
                        worker.keep_only(())
                    time.sleep(chunk.seconds)
                    continue
                records = worker.compute_chunk(chunk, self.stop.event)
                rest = chunk.rest(len(records))
                if rest is not None:
                    self.scheduler.requeue(rest)
                self.results.put(("results", ChunkResult.from_records(chunk, records)))
            self.results.put(("done", None))
        except BaseException as exc:  # reported to the main thread, which aborts
            self.results.put(("error", exc))


def serve_as_root(runner) -> None:
    """Serve the run on rank 0 until every rank said goodbye; abort the job on failure."""
    root = _Root(runner)

    def on_signal(signum: int) -> None:
        runner.progress.log(signal_note(signum))

    with StopSignal(on_signal) as stop:
        try:
            root.serve(stop)
        except KeyboardInterrupt:
            runner.abandon("interrupted")
            abort_job(runner.comm, "interrupted", 130)
        except BaseException as exc:
            runner.abandon("failed")
            code = 2 if isinstance(exc, InputError) else 1
            if code == 1:
                traceback.print_exc()
            abort_job(runner.comm, f"rank 0 failed: {one_line(exc)}", code)
    if stop.is_set():
        runner.status = "interrupted"


def replay_server(runner, result_of) -> tuple[float, int, int]:
    """Rank 0's serving at saturation, in one process, for the benchmark.

    ``runner`` is an opened :class:`~betascale.ensemble.runner.Runner` on a
    :class:`~betascale.ensemble.comm.ReplayComm`; ``result_of(chunk, rank)`` makes a
    chunk's :class:`ChunkResult`. Every worker rank hands in its results with its next
    request as soon as rank 0 has answered it, so rank 0 is never idle; each message is
    pickled and unpickled as MPI would, and the results are committed every
    :data:`FLUSH_SECONDS`, as in :meth:`_Root.serve`. What is left out is MPI's own
    transfer (a few tens of µs per message) and the workers' CPU time.

    Returns
    -------
    tuple
        Rank 0's CPU seconds (thread time: unpickling, handling, committing), the
        chunks served and the samples stored.
    """
    import pickle
    from collections import deque

    root = _Root(runner)
    root.stop, root.local_done = StopSignal(), True  # not entered: never set
    sent, work, samples = runner.comm.sent, 0.0, 0
    for rank in range(1, runner.size):
        root._handle(rank, _REQUEST, None)
    ready = deque(range(1, runner.size))
    while ready:
        rank = ready.popleft()
        chunk = pickle.loads(sent[rank].pop())
        if not isinstance(chunk, Chunk):
            continue  # nothing left for this rank
        message = pickle.dumps((_REQUEST, result_of(chunk, rank)), pickle.HIGHEST_PROTOCOL)
        start = time.thread_time()
        kind, payload = pickle.loads(message)
        root._handle(rank, kind, payload)
        if time.monotonic() - root.last_flush >= FLUSH_SECONDS:
            root._commit()  # rank 0's cost per chunk so far, as serve() tells the scheduler:
            runner.scheduler.observe_server(work + time.thread_time() - start, root.served)
        root._check_leases()
        work += time.thread_time() - start
        samples += len(payload)
        ready.append(rank)
    start = time.thread_time()
    root._commit()
    return work + time.thread_time() - start, root.served, samples


# ------------------------------------------------------------------- workers
class _WorkerLoop:
    """A worker rank: asks for chunks (one ahead), computes them, sends the results."""

    def __init__(self, runner, stop: StopSignal) -> None:
        self.comm, self.rank = runner.comm, runner.rank
        self.worker = Worker(runner.study, self.rank)
        self.stop = stop
        self.computed = self.failed = 0
        self.sending: list = []  # the requests of the messages to rank 0 still in flight
        self.results: ChunkResult | None = None  # of the last chunk, not sent yet

    def send(self, kind: str, payload) -> None:
        """Send a message to rank 0 without waiting for rank 0 to take it.

        A large message (a chunk's results) is only delivered when rank 0 receives it,
        and rank 0 waits between its turns (``_Root._idle_wait``): a blocking send, or
        waiting for the message before, would keep this rank from computing (or spin
        in MPI) until then. MPI delivers the messages in the order they were sent.
        """
        self.sending = [request for request in self.sending if not request.Test()]
        self.sending.append(self.comm.isend((kind, payload), dest=0, tag=_TAG_RESULT))

    def request(self):
        """Ask for a chunk, handing in the results of the last one with the request."""
        results, self.results = self.results, None
        self.send(_REQUEST, results)
        return self.comm.irecv(source=0, tag=_TAG_WORK)

    def hand_in(self) -> None:
        """Send the results of the last chunk now (no request follows at once)."""
        if self.results is not None:
            results, self.results = self.results, None
            self.send(_RESULTS, results)

    def run(self, idle: bool) -> None:
        upcoming = None if idle else self.request().wait()
        while upcoming is not None and not self.stop.is_set():
            if isinstance(upcoming, Wait):
                self.hand_in()
                if upcoming.drop:
                    self.worker.keep_only(())
                time.sleep(upcoming.seconds)
                upcoming = self.request().wait()
                continue
            reply = self.request()  # prefetch: hide the reply behind the computation
            self.compute(upcoming)
            upcoming = reply.wait()
        self.hand_in()
        if isinstance(upcoming, Chunk):  # stopped with a prefetched chunk: hand it back
            self.send(_RETURN, upcoming)
        self.send(_BYE, None)
        for request in self.sending:  # rank 0 takes every message before it ends
            request.wait()

    def compute(self, chunk: Chunk) -> None:
        records = self.worker.compute_chunk(chunk, self.stop.event)
        result = ChunkResult.from_records(chunk, records, self.rank)
        self.computed += len(result)
        self.failed += result.failed
        self.results = result  # sent with the next request (or by hand_in)


def serve_as_worker(runner) -> RunSummary:
    """Compute chunks from rank 0 until there are none (or a stop); abort on failure."""
    start = time.monotonic()
    with StopSignal() as stop:
        loop = _WorkerLoop(runner, stop)
        try:
            loop.run(runner.idle)
        except KeyboardInterrupt:
            abort_job(runner.comm, f"rank {runner.rank} interrupted", 130)
        except BaseException as exc:
            traceback.print_exc()
            abort_job(runner.comm, f"rank {runner.rank} failed: {one_line(exc)}", 1)
    status = "interrupted" if stop.is_set() or runner.idle else "complete"
    seconds = time.monotonic() - start
    return RunSummary(
        None, loop.computed, loop.failed, 0, 0, seconds, status, runner.rank, runner.size
    )


def _ranks(ranks) -> str:
    """``rank 1`` or ``ranks 1, 3``."""
    ranks = sorted(ranks)
    return f"rank{'s' if len(ranks) > 1 else ''} {', '.join(map(str, ranks))}"


#: Pause between printing the abort message and aborting: mpiexec forwards a rank's
#: output through a pipe, and a job torn down at once can drop its last line.
ABORT_GRACE_SECONDS = 0.5


def abort_job(comm, message: str, code: int) -> None:
    """Print one line and abort the whole MPI job (never returns).

    MPICH's ``MPI_Abort`` can return to the caller while the launcher tears the job
    down, so the process then ends itself at once, before it can print or wait for
    anything more.
    """
    try:
        print(f"betascale run: error: {message}; aborting the MPI job", file=sys.stderr)
        sys.stderr.flush()
        time.sleep(ABORT_GRACE_SECONDS)  # the launcher forwards the line before it kills
    finally:
        try:
            comm.Abort(code)
        finally:
            os._exit(code)

"""Serving a run over MPI ranks: rank 0 serves and writes, every rank computes.

Rank 0's main thread answers work requests, collects results and writes them to the
store, while a compute thread of rank 0 works through chunks like any other rank
(with more than :data:`~betascale.ensemble.runner.SERVE_ONLY_ABOVE` ranks, rank 0 only
serves). MUMPS and LAPACK release the GIL, so the server answers within milliseconds
even during a factorization. A worker asks for its next chunk before computing the
current one (prefetch), so the reply's latency hides behind the computation.

Nothing lost, nothing hangs:

* rank 0 remembers the chunks each rank holds; samples a rank hands back unfinished
  (it was signalled, or it stops) are scheduled again, so a run is never recorded as
  complete with samples missing;
* results are committed in batches at least every :data:`FLUSH_SECONDS`;
* if rank 0's compute thread dies, or rank 0 fails in any way (a full disk, say), the
  run is recorded as failed as far as that still works, the reason is printed in one
  line, and the MPI job is aborted — cleanup never stands between a failure and
  ``MPI_Abort``;
* a rank that dies makes the MPI launcher abort the job; every committed sample stays.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
import traceback

from betascale.ensemble.runner import SERVE_ONLY_ABOVE, RunSummary
from betascale.ensemble.scheduler import Wait
from betascale.ensemble.serial import signal_note
from betascale.ensemble.signals import StopSignal
from betascale.ensemble.tasks import Chunk, ChunkResult
from betascale.ensemble.worker import Worker
from betascale.errors import InputError, one_line

_TAG_WORK = 11  # rank 0 -> worker: a Chunk, a Wait, or None (no more work)
_TAG_RESULT = 12  # worker -> rank 0: (kind, payload)
_REQUEST, _RESULTS, _RETURN, _BYE = "request", "results", "return", "bye"
#: Commit buffered results at least this often (seconds), and whenever idle.
FLUSH_SECONDS = 0.5


# -------------------------------------------------------------------- rank 0
class _Root:
    """Rank 0's serving loop; see the module docstring."""

    def __init__(self, runner) -> None:
        self.runner = runner
        self.comm = runner.comm
        self.scheduler = runner.scheduler
        self.active = set(range(1, runner.size))
        self.held: dict[int, list[Chunk]] = {r: [] for r in self.active}
        self.buffer: list = []
        self.last_flush = time.monotonic()
        self.results: queue.Queue = queue.Queue()
        self.local_done = runner.size > SERVE_ONLY_ABOVE
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
        while self.active or not self.local_done:
            busy = self._drain_messages(status)
            busy |= self._drain_local(timeout=0.0 if busy else 0.005)
            if not busy or time.monotonic() - self.last_flush >= FLUSH_SECONDS:
                self._flush()
            self._check_thread()
        self._flush()
        self.runner.server_cpu_seconds = time.thread_time() - cpu

    def next_chunk(self, rank: int):
        return None if self.stop.is_set() else self.scheduler.next_chunk(rank)

    def _drain_messages(self, status) -> bool:
        busy = False
        while self.active and self.comm.Iprobe(
            source=self.any_source, tag=_TAG_RESULT, status=status
        ):
            source = status.Get_source()
            kind, payload = self.comm.recv(source=source, tag=_TAG_RESULT)
            self._handle(source, kind, payload)
            busy = True
        return busy

    def _handle(self, source: int, kind: str, payload) -> None:
        if kind == _REQUEST:
            reply = self.next_chunk(source)
            if isinstance(reply, Chunk):
                self.held[source].append(reply)
            self.comm.send(reply, dest=source, tag=_TAG_WORK)
        elif kind == _RESULTS:
            self._release(source, payload.chunk, done=len(payload))
            self._take(payload)
        elif kind == _RETURN:
            self._release(source, payload, done=0)
        else:  # _BYE
            for chunk in self.held.pop(source, []):
                self.scheduler.requeue(chunk)
            self.active.discard(source)

    def _release(self, source: int, chunk: Chunk, done: int) -> None:
        held = self.held.get(source, [])
        if chunk in held:
            held.remove(chunk)
        rest = chunk.rest(done)
        if rest is not None:
            self.scheduler.requeue(rest)

    def _take(self, result: ChunkResult) -> None:
        self.buffer.append(result)
        self.runner.take(result)

    def _flush(self) -> None:
        if self.buffer:
            results, self.buffer = self.buffer, []
            self.runner.store.add_chunks(results)
        self.last_flush = time.monotonic()

    def _drain_local(self, timeout: float) -> bool:
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


# ------------------------------------------------------------------- workers
class _WorkerLoop:
    """A worker rank: asks for chunks (one ahead), computes them, sends the results."""

    def __init__(self, runner, stop: StopSignal) -> None:
        self.comm, self.rank = runner.comm, runner.rank
        self.worker = Worker(runner.study, self.rank)
        self.stop = stop
        self.computed = self.failed = 0

    def request(self):
        self.comm.send((_REQUEST, None), dest=0, tag=_TAG_RESULT)
        return self.comm.irecv(source=0, tag=_TAG_WORK)

    def run(self, idle: bool) -> None:
        upcoming = None if idle else self.request().wait()
        while upcoming is not None and not self.stop.is_set():
            if isinstance(upcoming, Wait):
                self.worker.keep_only(())
                time.sleep(upcoming.seconds)
                upcoming = self.request().wait()
                continue
            reply = self.request()  # prefetch: hide the reply behind the computation
            self.compute(upcoming)
            upcoming = reply.wait()
        if isinstance(upcoming, Chunk):  # stopped with a prefetched chunk: hand it back
            self.comm.send((_RETURN, upcoming), dest=0, tag=_TAG_RESULT)
        self.comm.send((_BYE, None), dest=0, tag=_TAG_RESULT)

    def compute(self, chunk: Chunk) -> None:
        records = self.worker.compute_chunk(chunk, self.stop.event)
        result = ChunkResult.from_records(chunk, records, self.rank)
        self.computed += len(result)
        self.failed += result.failed
        self.comm.send((_RESULTS, result), dest=0, tag=_TAG_RESULT)


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


def abort_job(comm, message: str, code: int) -> None:
    """Print one line and abort the whole MPI job (never returns)."""
    try:
        print(f"betascale run: error: {message}; aborting the MPI job", file=sys.stderr)
        sys.stderr.flush()
    finally:
        comm.Abort(code)

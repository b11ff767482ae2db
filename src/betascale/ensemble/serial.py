"""Serving a run in one process: chunk after chunk in the main thread."""

from __future__ import annotations

from betascale.ensemble.scheduler import Wait
from betascale.ensemble.signals import StopSignal
from betascale.ensemble.tasks import ChunkResult
from betascale.ensemble.worker import Worker


def serve_serially(runner) -> None:
    """Compute the chunks of ``runner``'s scheduler one by one, storing each.

    The first SIGINT/SIGTERM/SIGHUP finishes the sample in progress and stops (status
    ``interrupted``); a second raises :class:`KeyboardInterrupt`. Any error records
    the run as ``failed`` (best effort) and propagates.
    """
    worker = Worker(runner.study, 0)

    def on_signal(signum: int) -> None:
        runner.progress.log(signal_note(signum))

    with StopSignal(on_signal) as stop:
        try:
            while not stop.is_set():
                chunk = runner.scheduler.next_chunk(0)
                if chunk is None:
                    break
                if isinstance(chunk, Wait):  # one rank: dropping its geometries makes room
                    worker.keep_only(())
                    continue
                result = ChunkResult.from_records(chunk, worker.compute_chunk(chunk, stop.event))
                runner.store.add_chunks([result])
                runner.take(result)
        except KeyboardInterrupt:
            runner.abandon("interrupted")
            raise
        except BaseException:
            runner.abandon("failed")
            raise
    if stop.is_set():
        runner.status = "interrupted"


def signal_note(signum: int) -> str:
    """The line printed on the first stop signal (SIGINT, SIGTERM or SIGHUP)."""
    import signal

    name = signal.Signals(signum).name
    return f"{name} received: finishing the samples in progress (again to stop now)"

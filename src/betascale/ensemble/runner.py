"""A run of one study, in named steps: open, schedule, serve, finish.

:class:`Runner` is the model of TeNPy's ``Simulation.run``: each step is a method
that can be read (and overridden) on its own.

* **open** — every rank reports its host and free memory; rank 0 checks that every
  geometry fits in memory and opens the store through
  :func:`~betascale.store.open_store` (a file, locked against a second run, memory,
  or a plug-in's store). Any error there reaches every rank, which raise it.
* **schedule** — rank 0 builds the :class:`~betascale.ensemble.scheduler.Scheduler`
  of the missing samples (counted cell by cell, never materialized).
* **serve** — one process computes chunk after chunk in its main thread; under MPI
  rank 0 serves and writes while the other ranks (and a compute thread of rank 0)
  compute (:mod:`~betascale.ensemble.mpi`).
* **finish** — the run's status is decided from the store, never assumed:
  ``complete`` only if no sample of the study is missing or failed.

The process computes with one BLAS thread (threadpoolctl), so that MPI ranks on one
node do not oversubscribe it.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import socket
import time
from pathlib import Path
from typing import TextIO

from betascale import validation
from betascale.ensemble.comm import SerialComm, world
from betascale.ensemble.progress import LOG_INTERVAL, Progress
from betascale.ensemble.scheduler import Scheduler
from betascale.ensemble.summary import SERVE_ONLY_ABOVE, RunSummary, late_note
from betascale.ensemble.tasks import check_geometry_fits, duration, geometry_seconds
from betascale.errors import InputError, one_line
from betascale.resources import available_memory_bytes, check_geometry_memory
from betascale.store import SampleStore, SampleTable, open_store, records_table
from betascale.store.backends import MEMORY
from betascale.study import Study
from betascale.threads import one_blas_thread


class Runner:
    """One run of a study: :meth:`run` calls :meth:`open`, :meth:`schedule`,
    :meth:`serve` and :meth:`finish` (see the module docstring).

    Parameters
    ----------
    study
        The study.
    store
        A store file (created, or resumed), or None (or ``":memory:"``) to keep the
        samples in memory; whatever :func:`~betascale.store.open_store` opens.
    quiet
        No progress output.
    stream
        Where progress goes (default stderr).
    log_interval
        Seconds between plain progress lines (when ``stream`` is not a terminal).
    resume_hint
        The command that resumes this run, printed if it is interrupted.
    comm
        An mpi4py communicator; default: ``MPI.COMM_WORLD`` under an MPI launcher
        with several ranks, else one process.
    memory_budget
        Bytes a host's ranks may use for geometries (default: the memory available
        when the run starts, per host).
    collect
        Keep the study's samples in :attr:`samples` after the run (rank 0).
    idle
        A worker rank that takes part in the run's collective steps but computes
        nothing (it was stopped in an earlier study of the same job).
    store_backend
        The kind of store (``"sqlite"``, ``"memory"`` or a plug-in's name); default:
        chosen from ``store`` (:func:`~betascale.store.get_backend`).
    """

    def __init__(
        self,
        study: Study,
        store: str | Path | None = None,
        *,
        quiet: bool = False,
        stream: TextIO | None = None,
        log_interval: float = LOG_INTERVAL,
        resume_hint: str | None = None,
        comm=None,
        memory_budget: float | None = None,
        collect: bool = False,
        idle: bool = False,
        store_backend: str | None = None,
    ) -> None:
        _check_arguments(study, store, quiet, log_interval, memory_budget)
        self.study = study
        self.store_target = store
        self.store_backend = store_backend
        self.store_path = None if store is None or store == MEMORY else Path(store)
        self.quiet = quiet
        self.stream = stream
        self.log_interval = log_interval
        self.resume_hint = resume_hint
        self.comm = world() if comm is None else comm
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()
        self.memory_budget = memory_budget
        self.collect = collect
        self.idle = idle
        self.store: SampleStore | None = None
        self.scheduler: Scheduler | None = None
        self.progress: Progress | None = None
        self.computed = self.failed = 0
        self.status = "complete"
        self.start = time.monotonic()
        self.samples: SampleTable | None = None
        self.server_cpu_seconds: float | None = None
        self.server_chunks: int | None = None
        self.server_work_seconds: float | None = None
        self.late_ranks: tuple[int, ...] = ()
        self.unresponsive: tuple[int, ...] = ()
        self._estimates: dict[tuple[float, int], float] = {}

    # ------------------------------------------------------------------ steps
    def run(self) -> RunSummary:
        """Open (and schedule), serve and finish; every rank calls it.

        With ``collect``, :attr:`samples` holds the study's samples afterwards on rank 0
        (an empty table on the other ranks).
        """
        with one_blas_thread():
            self.open()
            if self.rank != 0:
                from betascale.ensemble.mpi import serve_as_worker

                self.samples = records_table([], study=self.study)
                return serve_as_worker(self)
            store = self._open_store_of_run()
            try:
                self.serve()
                summary = self.finish()
                if self.collect:
                    self.samples = store.samples()
            finally:
                store.close()
            if self.unresponsive:  # they cannot take part in the calls that end the job
                from betascale.ensemble.mpi import abort_job

                ranks = ", ".join(map(str, self.unresponsive))
                code = 130 if self.status == "interrupted" else 1
                message = f"rank(s) {ranks} stopped answering (run {self.status})"
                abort_job(self.comm, message, code)
            return summary

    def open(self) -> None:
        """Every rank reports its host and memory; rank 0 checks memory, opens the store
        and builds the schedule. Any error there is raised on every rank (as InputError
        on the others), so that no rank waits for a run that will not start."""
        hosts = self.comm.gather((socket.gethostname(), available_memory_bytes()), root=0)
        error, failure = None, None
        if self.rank == 0:
            try:
                self._budgets = self._host_budgets(hosts)
                self._hosts = [h for h, _ in hosts]
                self._check_memory()
                self.store = self._open_store()
                self.schedule()
            except BaseException as exc:  # every rank must hear of it
                error, failure = one_line(exc), exc
                if self.store is not None:
                    self.store.close()
        error = self.comm.bcast(error, root=0)
        if failure is not None:
            raise failure
        if error is not None:
            raise InputError(error)

    def schedule(self) -> None:
        """Build the scheduler of the missing samples (rank 0)."""
        missing = self._open_store_of_run().missing_ranges(self.study)
        ranks = self.size if self.size <= SERVE_ONLY_ABOVE else self.size - 1
        self.scheduler = Scheduler(self.study, missing, ranks, self._hosts, self._budgets)
        self.progress = Progress(
            self.scheduler.total,
            quiet=self.quiet,
            stream=self.stream,
            interval=self.log_interval,
            weight=lambda r: self._estimate(r.flux, r.L),
            total_weight=self.scheduler.total_work,
        )
        where = self.store_path if self.store_path is not None else "memory"
        ranks = f"{self.size} rank{'s' if self.size > 1 else ''}"
        self.progress.log(
            f"{self.study.name}: {self.scheduler.total} samples to compute on {ranks} -> {where}"
        )
        self.start = time.monotonic()

    def serve(self) -> None:
        """Compute every scheduled chunk (in this process, or over MPI)."""
        if isinstance(self.comm, SerialComm) or self.size == 1:
            from betascale.ensemble.serial import serve_serially

            serve_serially(self)
        else:
            from betascale.ensemble.mpi import serve_as_root

            serve_as_root(self)

    def finish(self) -> RunSummary:
        """Decide the status from the store, record it, report, and summarize."""
        store, scheduler, progress = self._scheduled()
        missing = store.count_missing(self.study)
        if self.status == "complete" and (missing or store.failures()):
            self.status = "incomplete"
        store.finish_run(self.status)
        progress.close()
        summary = RunSummary(
            self.store_path, self.computed, self.failed, scheduler.total, missing,
            time.monotonic() - self.start, self.status, 0, self.size, self.server_cpu_seconds,
            self.late_ranks, self.server_chunks, self.server_work_seconds,
        )  # fmt: skip
        progress.log(self._final_line(summary))
        return summary

    # ---------------------------------------------------------------- helpers
    def take(self, result) -> None:
        """Count, learn from and report a chunk's results (stored by the caller)."""
        count = len(result)
        if count:
            _, scheduler, progress = self._scheduled()
            scheduler.observe_chunk(result)
            self.computed += count
            self.failed += result.failed
            c = result.chunk
            progress.advance(count, result.failed, count * self._estimate(c.flux, c.L))

    def _estimate(self, flux: float, L: int) -> float:
        """The estimated seconds of a sample of geometry ``(flux, L)`` that weigh the
        progress, computed once per geometry (rank 0 counts every chunk of the run)."""
        key = (flux, L)
        seconds = self._estimates.get(key)
        if seconds is None:
            seconds = self._estimates[key] = geometry_seconds(self.study, flux, L)
        return seconds

    def abandon(self, status: str) -> None:
        """Best-effort end of a run that is failing: record ``status``, never raise."""
        self.status = status
        with contextlib.suppress(Exception):
            self._open_store_of_run().finish_run(status)
        with contextlib.suppress(Exception):
            self._scheduled()[2].close()

    def _open_store_of_run(self) -> SampleStore:
        """The store opened by :meth:`open` (rank 0)."""
        if self.store is None:
            raise RuntimeError("the run's store is not open (Runner.open)")
        return self.store

    def _scheduled(self) -> tuple[SampleStore, Scheduler, Progress]:
        """The store, scheduler and progress of a scheduled run (:meth:`schedule`, rank 0)."""
        if self.scheduler is None or self.progress is None:
            raise RuntimeError("the run is not scheduled (Runner.schedule)")
        return self._open_store_of_run(), self.scheduler, self.progress

    def _open_store(self) -> SampleStore:
        """Open the store for this run (:func:`~betascale.store.open_store`, mode "a")."""
        info = None
        if self.store_path is not None:
            from betascale.store import collect_run_info

            info = collect_run_info()
            info["mpi_ranks"] = self.size
        return open_store(
            self.store_target, self.study, "a", backend=self.store_backend, run_info=info
        )

    def _check_memory(self) -> None:
        """Refuse, before the store is touched, a geometry larger than the machine or
        than the memory any host has for it."""
        largest = max(self._budgets.values())
        for flux in self.study.flux:
            for L in self.study.L:
                check_geometry_memory(self.study.spec(flux), L, self.study.width(L))
                check_geometry_fits(self.study, flux, L, largest)

    def _host_budgets(self, hosts: list[tuple[str, int]]) -> dict[str, float]:
        budgets: dict[str, float] = {}
        for host, available in hosts:
            value = self.memory_budget if self.memory_budget is not None else available
            budgets[host] = min(budgets.get(host, value), value)
        return budgets

    def _final_line(self, summary: RunSummary) -> str:
        return self._final_words(summary) + late_note(summary.late_ranks)

    def _final_words(self, summary: RunSummary) -> str:
        where = f"store {self.store_path}" if self.store_path else "kept in memory"
        elapsed = duration(summary.seconds)
        if summary.status == "interrupted":
            hint = self.resume_hint or "run the same command again"
            return (
                f"interrupted: {self.computed} samples stored, {summary.missing_after} missing; "
                f"the {where} is consistent. To resume: {hint}"
            )
        if summary.status == "incomplete":
            return (
                f"incomplete: {self.computed} samples in {elapsed}, {self.failed} failed, "
                f"{summary.missing_after} missing; run again to retry them ({where})"
            )
        return f"done: {self.computed} samples in {elapsed}; nothing missing; {where}"


def run_study(study: Study, store_path: str | Path | None = None, **kwargs) -> RunSummary:
    """Compute every missing sample of ``study`` into its store; return the summary.

    Call it on every rank of an MPI job (or in one process). ``store_path`` defaults
    to :meth:`Study.default_store_path`; the keyword arguments are those of
    :class:`Runner`.
    """
    path = study.default_store_path() if store_path is None else store_path
    return Runner(study, path, **kwargs).run()


def _check_arguments(study, store, quiet, log_interval, memory_budget) -> None:
    """The input policy for a run's arguments: one-line InputErrors, as the CLI gives."""
    if not isinstance(study, Study):
        raise validation.wrong_type("study", "a Study (bs.Study or bs.load_study)", study)
    if store is not None and not isinstance(store, (str, os.PathLike)):
        raise validation.wrong_type("store", "a path, None (in memory) or ':memory:'", store)
    validation.flag("quiet", quiet)
    validation.number("log_interval", log_interval, low=0.0, open_low=True)
    if memory_budget is not None:
        validation.number("memory_budget", memory_budget, low=0.0, open_low=True)


def run(study: Study, store: str | Path | None = None, **kwargs) -> SampleTable:
    """Run a study and return its samples, ready for :func:`betascale.analyze`.

    Parameters
    ----------
    study
        The study (:class:`~betascale.Study` or :func:`~betascale.load_study`).
    store
        A store file to make the run persistent and resumable (as ``betascale run``
        is); None keeps the samples in memory. Any target of
        :func:`~betascale.store.open_store` (a plug-in's store, say).
    **kwargs
        Options of :class:`Runner` (``quiet``, ``stream``, ``log_interval``,
        ``store_backend``, ...).

    Returns
    -------
    SampleTable
        Every successful sample of the study (with ``.study``); ``.to_dataset()``
        gives an xarray Dataset. Under MPI, rank 0 gets the samples and the other
        ranks an empty table.

    Examples
    --------
    >>> import betascale as bs                                   # doctest: +SKIP
    >>> samples = bs.run(bs.load_study("tiny"), quiet=True)      # doctest: +SKIP
    >>> bs.analyze(samples).report()                             # doctest: +SKIP
    """
    _check_options(kwargs)
    runner = Runner(study, store, collect=True, **kwargs)
    runner.run()
    if runner.samples is None:  # run() sets them on every rank with collect=True
        raise RuntimeError("the run collected no samples")
    return runner.samples


#: Keywords of :class:`Runner` that :func:`run` sets itself or keeps internal.
_NOT_RUN_OPTIONS = ("collect", "idle")


def _check_options(kwargs: dict) -> None:
    """Refuse an unknown keyword of :func:`run` with a TypeError naming run's options
    (the keyword-only parameters of :class:`Runner`, less the internal ones)."""
    params = inspect.signature(Runner.__init__).parameters.values()
    options = [p.name for p in params if p.kind is p.KEYWORD_ONLY]
    options = [name for name in options if name not in _NOT_RUN_OPTIONS]
    for key in kwargs:
        if key not in options:
            hint = " (the samples per size are the study's: study.with_samples(n))"
            raise TypeError(
                f"run() got an unexpected keyword argument {key!r}; its options are "
                f"{', '.join(options)}" + (hint if key == "samples" else "")
            )

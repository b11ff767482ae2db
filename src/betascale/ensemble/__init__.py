"""Disorder ensembles: run a study's samples in one process or over MPI ranks.

:func:`run` (``betascale.run``) runs a study and returns its samples; with a store
path the run is persistent and resumable, exactly as ``betascale run`` is.
:class:`Runner` is the run itself, in named steps (open, schedule, serve, finish);
:mod:`~betascale.ensemble.scheduler` decides who computes what,
:mod:`~betascale.ensemble.worker` computes, :mod:`~betascale.ensemble.serial` and
:mod:`~betascale.ensemble.mpi` serve the work in one process or over MPI (a chunk a
rank does not return in time goes to another rank: :mod:`~betascale.ensemble.leases`),
and :mod:`~betascale.ensemble.progress` reports.

Reproducible: a sample is a pure function of (seed, W, L, M, index) (and of the
flux, which acts on the same disorder), and the solver's result does not depend on
what the process solved before, so T is bit-identical with any number of ranks, any
schedule and after a resume, on one platform.
"""

from betascale.ensemble.comm import MPIUnavailable, SerialComm, launched_with_mpi, world
from betascale.ensemble.leases import LEASE_FACTOR, LEASE_FLOOR_SECONDS, Leases
from betascale.ensemble.progress import LOG_INTERVAL, Progress
from betascale.ensemble.runner import Runner, run, run_study
from betascale.ensemble.scheduler import (
    MAX_CHUNK,
    MAX_SERVER_LOAD,
    MIN_CHUNK_SECONDS,
    SERVER_SECONDS_PER_CHUNK,
    TARGET_CHUNK_SECONDS,
    Scheduler,
    Wait,
)
from betascale.ensemble.signals import STOP_SIGNALS, StopSignal
from betascale.ensemble.summary import SERVE_ONLY_ABOVE, RunSummary
from betascale.ensemble.tasks import Chunk, Task, estimated_seconds
from betascale.ensemble.worker import Worker

__all__ = [
    "LEASE_FACTOR",
    "LEASE_FLOOR_SECONDS",
    "LOG_INTERVAL",
    "MAX_CHUNK",
    "MAX_SERVER_LOAD",
    "MIN_CHUNK_SECONDS",
    "SERVER_SECONDS_PER_CHUNK",
    "SERVE_ONLY_ABOVE",
    "STOP_SIGNALS",
    "TARGET_CHUNK_SECONDS",
    "Chunk",
    "Leases",
    "MPIUnavailable",
    "Progress",
    "RunSummary",
    "Runner",
    "Scheduler",
    "SerialComm",
    "StopSignal",
    "Task",
    "Wait",
    "Worker",
    "estimated_seconds",
    "launched_with_mpi",
    "run",
    "run_study",
    "world",
]

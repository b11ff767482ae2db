"""Crash-safe, resumable results stores of studies (SQLite, WAL), and their records.

A store is one SQLite file with two tables:

``meta(key TEXT PRIMARY KEY, value TEXT)``
    JSON values: ``format_version``, ``study`` (the validated study, grown to the
    union of every study run against the store), ``physics`` and ``physics_hash``,
    ``created`` and ``runs`` (one entry per run: versions, the BLAS platform, git
    commit, host, pid, the study as submitted, start and end times and a status).
``chunks(W, flux, L, M, start, count, T, N, seconds, rank, failed, errors)``
    One row per run of consecutive samples ``start .. start + count - 1`` of a cell
    ``(W, flux, L)`` computed by one rank, keyed by ``(W, flux, L, start)``: T, N and
    the solve times as little-endian blobs of ``8 count`` bytes (float64, int64,
    float64; T bit for bit), and the failed samples' messages as JSON ``{offset:
    message}`` (T is NaN there). The ranges of a cell never overlap: a new chunk
    replaces the samples it covers, so the retry of a failed sample (on resume)
    replaces its failure (:mod:`~betascale.store.chunks`). Rank 0 commits a chunk's
    results as one row, not one row per sample.

Stores of formats 1 and 2 (a ``samples`` row per sample, keyed by (W, L, sample) in
format 1 and by (W, flux, L, sample) in format 2) are read as they are, never
rewritten by a reader, and migrated to format 3 when a run opens them.

Crash safety
------------
Each :meth:`Store.add` (and :meth:`Store.add_chunks`) is one transaction, so a
``kill -9`` at any instant loses at most the records not yet committed (the samples
in flight), and SQLite's atomic
commit means the file is never left corrupt. The journal is a write-ahead log (WAL):
readers (``betascale status``) do not block the writer. We use
``synchronous=NORMAL``: in WAL mode a committed transaction has been written to the
WAL file (the OS page cache) before ``COMMIT`` returns, so it survives the death of
the process; only the fsync is deferred to checkpoints. What NORMAL gives up is
durability of the last few commits on a *power loss or OS crash*, which rolls the
database back to an earlier consistent state but still never corrupts it. WAL needs
shared memory between the processes using the file, so keep stores on a filesystem
that supports it (not on a network filesystem shared between hosts).

Safety
------
A run takes an advisory lock (:mod:`~betascale.store.lock`) on the store file itself,
so whatever name it is reached by (a symbolic or hard link) a second run on it is
refused at once, naming the first; a store with several hard links is not written at
all (SQLite names its write-ahead log after the path), and the lock never writes
through a link. An existing file is checked before anything in it changes, and on
every open (:mod:`~betascale.store.integrity`): files that are not betascale stores,
stores holding schema objects betascale did not create (a trigger, say), stores with
damaged, oversized or too deeply nested metadata, malformed sample rows or rows outside
their study, and (to write) stores whose study was changed after they were made
(``physics_hash``) are refused with one line; so is a store whose write-ahead log was
lost while it held the whole store. Readers only ever see the rows of their study.
"""

from betascale.store.backends import (
    ENTRY_POINT_GROUP,
    StoreBackend,
    get_backend,
    open_store,
    register_store_backend,
    store_backends,
    unregister_store_backend,
)
from betascale.store.base import RUN_STATUSES, SampleStore, StoreBase
from betascale.store.core import Store
from betascale.store.export import EXPORT_FORMATS, export_store, load_export, to_dataset
from betascale.store.memory import MemoryStore
from betascale.store.provenance import blas_info, collect_run_info
from betascale.store.records import SampleRecord, SampleTable, records_table
from betascale.store.sqlite import FORMAT_VERSION, StoreWriteError
from betascale.store.status import CellStatus, StoreStatus

__all__ = [
    "ENTRY_POINT_GROUP",
    "EXPORT_FORMATS",
    "FORMAT_VERSION",
    "RUN_STATUSES",
    "CellStatus",
    "MemoryStore",
    "SampleRecord",
    "SampleStore",
    "SampleTable",
    "Store",
    "StoreBackend",
    "StoreBase",
    "StoreStatus",
    "StoreWriteError",
    "blas_info",
    "collect_run_info",
    "export_store",
    "get_backend",
    "load_export",
    "open_store",
    "records_table",
    "register_store_backend",
    "store_backends",
    "to_dataset",
    "unregister_store_backend",
]

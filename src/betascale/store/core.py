"""The results store of one study: a crash-safe, resumable SQLite file."""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from betascale.errors import InputError
from betascale.store.base import RUN_STATUSES, StoreBase, record_from_row, refusal
from betascale.store.chunks import (
    Columns,
    chunk_row,
    columns_of_rows,
    insert_chunk,
    read_chunks,
    rows_to_chunks,
)
from betascale.store.integrity import read_checked, stored_study, verify_physics
from betascale.store.lock import StoreLock
from betascale.store.records import SampleRecord, SampleTable
from betascale.store.sqlite import (
    FORMAT_VERSION,
    check_sqlite_file,
    connect,
    connect_for_reading,
    create_schema,
    enable_wal,
    migrate,
    read_meta,
    sample_columns,
    transaction,
)
from betascale.store.status import mark_killed_runs
from betascale.study import Study, compare_physics

__all__ = ["RUN_STATUSES", "Store"]
_ORDER = " ORDER BY W, flux, L, sample"


class Store(StoreBase):
    """The results store of one study: a crash-safe SQLite file.

    Open it with :meth:`open_for_run` (to compute samples) or :meth:`open` (to read),
    or through :func:`betascale.store.open_store` (``mode="a"`` or ``"r"``), which picks
    this class for a path. It implements :class:`~betascale.store.SampleStore` on
    :class:`~betascale.store.StoreBase`, with SQL for the readers. Use it as a context
    manager, or call :meth:`close`.

    Attributes
    ----------
    path
        The file.
    study
        The stored study: the union of the grids of every study run against it.
    """

    path: Path  # always a file (None only for the in-memory store)

    def __init__(self, path: Path, conn: sqlite3.Connection, study: Study, version: int) -> None:
        super().__init__(study, path)
        self._conn: sqlite3.Connection | None = conn
        self._version = version
        self._run_index: int | None = None
        self._lock: StoreLock | None = None

    # ------------------------------------------------------------- opening
    @classmethod
    def open_for_run(cls, path: str | Path, study: Study, run_info: dict | None = None) -> Store:
        """Open (or create) the store of ``study`` for computing samples.

        Takes the store's run lock (another run on it is refused at once, naming
        it), checks an existing file before changing anything in it, and migrates
        a store of an older layout.

        Parameters
        ----------
        path
            The store file; its parent directories are created.
        study
            The study to run. If the store exists, its physics must agree with the
            stored study's (:func:`~betascale.study.compare_physics`); its grid is
            merged into the stored one (W, flux and L union, largest ``samples``).
        run_info
            Provenance of this run (default :func:`~betascale.store.collect_run_info`),
            stored with the start time as a new entry of ``metadata["runs"]``.

        Raises
        ------
        InputError
            If the path cannot hold a store, the file is not a betascale store, another
            run holds it, or it was made with a different study (the message lists
            what differs).
        """
        from betascale.store.provenance import collect_run_info

        path = Path(path)
        _check_store_path(path)
        info = collect_run_info() if run_info is None else dict(run_info)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create the directory of store {path}: {exc}") from None
        lock = StoreLock(path).acquire()
        try:
            store = cls._prepare(path, study, info)
        except BaseException:
            lock.abandon()  # a refused run leaves no lock file (nor an empty store) behind
            raise
        store._lock = lock
        return store

    @classmethod
    def _prepare(cls, path: Path, study: Study, info: dict) -> Store:
        existed = path.exists() and path.stat().st_size > 0
        if existed:
            check_sqlite_file(path, own=True)
        try:
            conn = connect(path, "rwc")
        except sqlite3.Error as exc:
            raise InputError(f"cannot open store {path}: {exc}") from None
        try:
            checked = read_checked(conn, path) if existed else None
            meta = None if checked is None else checked[0]
            stored = study if checked is None else _compatible_study(*checked, study, path)
            with transaction(conn, path):  # a new store's schema commits before WAL mode
                run_index = _start_run(conn, path, meta, stored, study, info)
            enable_wal(conn, path)
        except BaseException:
            conn.close()
            raise
        store = cls(path, conn, stored, FORMAT_VERSION)
        store._run_index = run_index
        return store

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open an existing store for reading (also on read-only media).

        Raises
        ------
        InputError
            If the file is missing, is not a betascale store, or is damaged.
        """
        path = Path(path)
        if not path.exists():
            raise InputError(f"store {path} not found")
        if not path.is_file():
            raise InputError(f"store {path} is not a file")
        conn = connect_for_reading(path)
        try:
            checked = read_checked(conn, path)
            if checked is None:
                raise InputError(f"{path} is not a betascale store (it holds no study)")
            meta, study = checked
        except BaseException:
            conn.close()
            raise
        return cls(path, conn, study, int(meta["format_version"]))

    def close(self) -> None:
        """Close the database connection and release the run lock (idempotent)."""
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    @property
    def conn(self) -> sqlite3.Connection:
        """The open SQLite connection."""
        if self._conn is None:
            raise ValueError(f"store {self.path} is closed")
        return self._conn

    @property
    def metadata(self) -> dict[str, Any]:
        """Everything in the ``meta`` table, decoded from JSON."""
        return read_meta(self.conn, self.path) or {}

    def _select(self, where: str = "") -> str:
        """The per-sample rows of a store of format 1 or 2 (read as they are)."""
        flux = self.study.flux[0]
        return f"SELECT {sample_columns(self._version, flux)} FROM samples {where}"

    def _columns(self, cell: tuple[float, float, int] | None = None) -> Columns:
        """Every stored sample (of one ``cell``), failures included, sorted by key and
        restricted to the study's grid: decoded from the chunk rows (format 3) or read
        from the sample rows of an older store opened for reading."""
        where, params = ("", ()) if cell is None else ("WHERE W = ? AND flux = ? AND L = ?", cell)
        if self._version >= 3:
            cols = read_chunks(self.conn, where, params)
        else:
            sql = f"SELECT * FROM ({self._select()}) {where}{_ORDER}"
            cols = columns_of_rows(self.conn.execute(sql, params).fetchall())
        mask = self._grid.mask(cols.W, cols.flux, cols.L, cols.sample)
        return cols if mask.all() else cols.select(mask)

    # ---------------------------------------------------------------- keys
    def completed_keys(self) -> set[tuple[float, float, int, int]]:
        """Keys ``(W, flux, L, sample)`` of the successful samples (failures are not done)."""
        cols = self._columns()
        cols = cols.select(cols.ok)
        names = ("W", "flux", "L", "sample")
        return set(zip(*(getattr(cols, name).tolist() for name in names), strict=True))

    def count_missing(self, study: Study | None = None) -> int:
        """How many samples of ``study`` are still to compute."""
        study = self._checked(study)
        total = 0
        for W, flux, L in study.cells():
            n = study.samples_at(L)
            total += n - len(self._done_indices(W, flux, L, n))
        return total

    def _done_indices(self, W: float, flux: float, L: int, samples: int) -> np.ndarray:
        cols = self._columns((float(W), float(flux), int(L)))
        done = cols.sample[cols.ok]
        return done[(done >= 0) & (done < samples)]

    # ------------------------------------------------------------- writing
    def add(self, records: Iterable[SampleRecord]) -> None:
        """Store ``records`` in one transaction (a record replaces one of the same key).

        Consecutive samples of a cell computed by one rank become one chunk row.

        Raises
        ------
        ValueError
            If a record does not belong to the stored study's grid, or its width M
            does not match the study's aspect ratio.
        StoreWriteError
            If the file cannot be written (for example a full disk); nothing of this
            call is stored then.

        Notes
        -----
        A record without an error but with a non-finite ``T`` is stored as a failure.
        """
        rows = rows_to_chunks([self.checked_row(r) for r in records])
        self._insert(rows)

    def add_chunks(self, results: Iterable) -> None:
        """Store the results of chunks (:class:`~betascale.ensemble.tasks.ChunkResult`)
        in one transaction: the fast path of a run's server, one check and one row
        per chunk (:mod:`betascale.store.chunks`)."""
        self._insert([self._chunk_row(res) for res in results if len(res)])

    def _insert(self, rows: list[tuple]) -> None:
        if rows:
            with transaction(self.conn, self.path):
                for row in rows:
                    insert_chunk(self.conn, row)

    def _chunk_row(self, res) -> tuple:
        """The chunk row of a chunk's results (its first and last keys checked)."""
        c = res.chunk
        W, flux, L, M, start = float(c.W), float(c.flux), int(c.L), int(c.M), int(c.start)
        self.check_key(W, flux, L, M, start)
        self.check_key(W, flux, L, M, start + len(res) - 1)
        errors = {int(k): str(e) or "unknown error" for k, e in res.errors}
        return chunk_row((W, flux, L, M, start), res.T, res.N, res.seconds, res.rank, errors)

    def _record_run_status(self, status: str) -> None:
        """Record the end time and ``status`` of this run (:meth:`finish_run`)."""
        if self._run_index is None:
            raise ValueError("this store was not opened for a run")
        with transaction(self.conn, self.path):
            runs = self.metadata["runs"]
            runs[self._run_index].update(end=_now(), status=status)
            _write_meta(self.conn, runs=runs)

    # ------------------------------------------------------------- reading
    # Every reader keeps only the rows of the study's grid (see betascale.store.integrity).
    def records(self) -> list[SampleRecord]:
        """Every stored record, failures included, sorted by (W, flux, L, sample)."""
        return [record_from_row(row) for row in self._columns().rows()]

    def failures(self) -> list[SampleRecord]:
        """The records of failed samples, sorted by (W, flux, L, sample)."""
        cols = self._columns()
        return [record_from_row(row) for row in cols.select(~cols.ok).rows()]

    def samples(self) -> SampleTable:
        """The successful samples as arrays, sorted by (W, flux, L, sample), with the study."""
        cols = self._columns()
        cols = cols.select(cols.ok)
        names = ("W", "flux", "L", "M", "sample", "T", "N", "seconds", "rank")
        return SampleTable(**{name: getattr(cols, name) for name in names}, study=self.study)

    def status(self):
        """Completed, missing and failed samples per (W, flux, L) of the stored study."""
        from betascale.store.status import store_status

        return store_status(self)


# ------------------------------------------------------------------ helpers
def _check_store_path(path: Path) -> None:
    if path.exists() and not path.is_file():
        kind = "a directory" if path.is_dir() else "not a regular file"
        raise InputError(f"cannot use {path} as a store: it is {kind}")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(f"cannot use {path} as a store: {parent} is not a directory")
            break


def _write_meta(conn: sqlite3.Connection, **items: Any) -> None:
    from betascale.serialization import dumps

    conn.executemany(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
        [(key, dumps(value)) for key, value in items.items()],
    )


def _compatible_study(meta: dict[str, Any], old: Study, study: Study, path: Path) -> Study:
    """The stored study ``old`` grown by ``study``; refuses a store whose study was
    changed after it was made, and different physics, before any write."""
    verify_physics(meta, old, path)
    diffs = compare_physics(old, study)
    if diffs:
        raise InputError(refusal(path, diffs))
    return old.extended(study)


def _start_run(
    conn: sqlite3.Connection, path: Path, meta: dict | None, stored: Study, study: Study, info: dict
) -> int:
    """Create or migrate the schema and record a new run (inside a transaction)."""
    if meta is None:
        create_schema(conn)
        runs: list[dict] = []
        _write_meta(conn, format_version=FORMAT_VERSION, created=_now())
    else:
        migrate(conn, int(meta["format_version"]), stored_study(meta, path).flux[0])
        runs = mark_killed_runs(meta.get("runs", []))
    run = {"start": _now(), **info, "end": None, "status": "running", "study": study.to_dict()}
    run.setdefault("pid", os.getpid())
    run.setdefault("host", socket.gethostname())
    runs.append(run)
    _write_meta(
        conn,
        study=stored.to_dict(),
        physics=stored.physics(),
        physics_hash=stored.physics_hash(),
        runs=runs,
    )
    return len(runs) - 1


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")

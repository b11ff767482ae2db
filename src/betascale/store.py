"""Crash-safe, resumable results store of one study (SQLite, WAL).

A store is one SQLite file with two tables:

``meta(key TEXT PRIMARY KEY, value TEXT)``
    JSON values: ``format_version``, ``study`` (the validated study, grown to the
    union of every study run against the store), ``physics`` and ``physics_hash``,
    ``created`` and ``runs`` (one entry per ``betascale run``: versions, git commit,
    host, pid, the study as submitted, start and end times and a status).
``samples(W, L, M, sample, T, N, seconds, rank, error)``
    One row per sample key ``(W, L, sample)``. A failed sample has ``error`` set and
    ``T`` NULL; it is retried on resume and the retry replaces the row.

Crash safety
------------
Each :meth:`Store.add` is one transaction, so a ``kill -9`` at any instant loses at
most the records not yet committed (the samples in flight), and SQLite's atomic
commit means the file is never left corrupt. The journal is a write-ahead log (WAL):
readers (``betascale status``) do not block the writer. We use
``synchronous=NORMAL``: in WAL mode a committed transaction has been written to the
WAL file (the OS page cache) before ``COMMIT`` returns, so it survives the death of
the process; only the fsync is deferred to checkpoints. What NORMAL gives up is
durability of the last few commits on a *power loss or OS crash*, which rolls the
database back to an earlier consistent state but still never corrupts it. That is
not the failure we guard against (a cluster job being killed is), and ``FULL`` would
add one fsync per chunk of samples. WAL needs shared memory between the processes
using the file, so keep stores on a filesystem that supports it (not on a network
filesystem shared between hosts); if WAL cannot be enabled the store falls back to
SQLite's rollback journal, which is equally crash-safe.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import platform
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from betascale.errors import InputError
from betascale.study import Study, compare_physics, study_from_dict

#: Version of the on-disk layout; a store written by a newer layout is refused.
FORMAT_VERSION = 1
#: Statuses of a finished run; a run that is still going (or was killed) is "running".
RUN_STATUSES = ("complete", "interrupted", "failed")
#: Milliseconds a connection waits for a lock held by another process.
BUSY_TIMEOUT_MS = 60_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS samples (
    W REAL NOT NULL,
    L INTEGER NOT NULL,
    M INTEGER NOT NULL,
    sample INTEGER NOT NULL,
    T REAL,
    N INTEGER NOT NULL,
    seconds REAL,
    rank INTEGER NOT NULL,
    error TEXT,
    PRIMARY KEY (W, L, sample)
) WITHOUT ROWID;
"""
_COLUMNS = ("W", "L", "M", "sample", "T", "N", "seconds", "rank", "error")
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM samples"
_ORDER = " ORDER BY W, L, sample"


@dataclass(frozen=True)
class SampleRecord:
    """One computed (or failed) disorder sample.

    Attributes
    ----------
    W, L, M, sample
        Disorder strength, size and sample index: the key is (W, L, sample).
    T
        Total transmission in e^2/h (NaN if the sample failed).
    N
        Open lead channels (0 if unknown because the sample failed).
    seconds
        Solve time of this sample alone (geometry set-up excluded).
    rank
        MPI rank that computed it.
    error
        None, or the one-line error of a sample whose computation raised.
    """

    W: float
    L: int
    M: int
    sample: int
    T: float
    N: int
    seconds: float
    rank: int = 0
    error: str | None = None


@dataclass(frozen=True)
class SampleTable:
    """Samples of a store as parallel arrays (one entry per successful sample)."""

    W: np.ndarray
    L: np.ndarray
    M: np.ndarray
    sample: np.ndarray
    T: np.ndarray
    N: np.ndarray
    seconds: np.ndarray
    rank: np.ndarray

    def __len__(self) -> int:
        return int(self.T.size)


# --------------------------------------------------------------------- status
@dataclass(frozen=True)
class CellStatus:
    """Progress of one (W, L) cell of the study grid."""

    W: float
    L: int
    M: int
    completed: int
    missing: int
    failed: int
    cpu_seconds: float


@dataclass(frozen=True)
class StoreStatus:
    """Completed, missing and failed samples of a store, per (W, L) and in total.

    ``cpu_seconds`` sums the solve time of every stored sample, failed ones included.
    """

    path: str
    study: Study
    cells: tuple[CellStatus, ...]
    failures: tuple[SampleRecord, ...]
    runs: tuple[dict, ...]

    @property
    def completed(self) -> int:
        """Successful samples of the study grid."""
        return sum(c.completed for c in self.cells)

    @property
    def missing(self) -> int:
        """Samples of the study grid not (successfully) computed yet."""
        return sum(c.missing for c in self.cells)

    @property
    def failed(self) -> int:
        """Samples whose last attempt raised."""
        return sum(c.failed for c in self.cells)

    @property
    def cpu_seconds(self) -> float:
        """Total solve time spent on the stored samples, in seconds."""
        return float(sum(c.cpu_seconds for c in self.cells))

    def to_dict(self) -> dict[str, Any]:
        """The status as JSON-able data."""
        return {
            "path": self.path,
            "study": self.study.to_dict(),
            "physics_hash": self.study.physics_hash(),
            "completed": self.completed,
            "missing": self.missing,
            "failed": self.failed,
            "cpu_seconds": self.cpu_seconds,
            "cells": [asdict(c) for c in self.cells],
            "failures": [_record_dict(r) for r in self.failures],
            "runs": [_run_summary(r) for r in self.runs],
        }

    def format(self, max_failures: int = 10) -> str:
        """A plain-text report: the grid table, totals, failures and runs."""
        lines = [
            f"store   {self.path}",
            f"study   {self.study.describe()}",
            f"physics hash {self.study.physics_hash()}",
            "",
            f"{'W':>10} {'L':>6} {'M':>6} {'done':>8} {'missing':>8} {'failed':>7} {'cpu s':>10}",
        ]
        for c in self.cells:
            lines.append(
                f"{c.W:>10g} {c.L:>6d} {c.M:>6d} {c.completed:>8d} {c.missing:>8d} "
                f"{c.failed:>7d} {c.cpu_seconds:>10.1f}"
            )
        total = len(self.cells) * self.study.samples
        lines += [
            f"{'total':>24} {self.completed:>8d} {self.missing:>8d} {self.failed:>7d} "
            f"{self.cpu_seconds:>10.1f}",
            "",
            f"completed {self.completed} of {total} samples; missing {self.missing}; "
            f"failed {self.failed}",
            f"CPU time {self.cpu_seconds:.1f} s ({self.cpu_seconds / 3600:.3g} h)",
        ]
        lines += _format_failures(self.failures, max_failures)
        lines += _format_runs(self.runs)
        return "\n".join(lines)


def _format_failures(failures: Sequence[SampleRecord], limit: int) -> list[str]:
    if not failures:
        return []
    lines = ["", f"failures ({len(failures)}; retried on resume):"]
    for r in failures[:limit]:
        lines.append(f"  W={r.W:g} L={r.L} sample={r.sample} rank={r.rank}: {r.error}")
    if len(failures) > limit:
        lines.append(f"  ... and {len(failures) - limit} more")
    return lines


def _format_runs(runs: Sequence[dict]) -> list[str]:
    if not runs:
        return []
    lines = ["", "runs:"]
    for i, run in enumerate(runs, 1):
        s = _run_summary(run)
        end = s["end"] or "-"
        lines.append(f"  {i}. {s['start']} -> {end}  {s['status']}  on {s['host']}")
    return lines


def _run_summary(run: dict) -> dict[str, Any]:
    return {key: run.get(key) for key in ("start", "end", "status", "host", "git_commit")}


def _record_dict(r: SampleRecord) -> dict[str, Any]:
    out = asdict(r)
    out["T"] = None if math.isnan(r.T) else r.T
    return out


# ---------------------------------------------------------------- the store
class Store:
    """The results store of one study: a crash-safe SQLite file.

    Open it with :meth:`open_for_run` (to compute samples) or :meth:`open` (to read).
    Use it as a context manager, or call :meth:`close`.

    Attributes
    ----------
    path
        The file.
    study
        The stored study: the union of the grids of every study run against it.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, study: Study) -> None:
        self.path = path
        self.study = study
        self._conn = conn
        self._run_index: int | None = None

    # ------------------------------------------------------------- opening
    @classmethod
    def open_for_run(cls, path: str | Path, study: Study, run_info: dict | None = None) -> Store:
        """Open (or create) the store of ``study`` for computing samples.

        Parameters
        ----------
        path
            The store file; its parent directories are created.
        study
            The study to run. If the store exists, its physics must agree with the
            stored study's (:func:`~betascale.study.compare_physics`); its grid is
            merged into the stored one (W and L union, largest ``samples``).
        run_info
            Provenance of this run (default :func:`collect_run_info`), stored with
            the start time as a new entry of ``metadata["runs"]``.

        Raises
        ------
        InputError
            If the file is not a betascale store, or was made with a different study
            (the message lists what differs).
        """
        path = Path(path)
        info = collect_run_info() if run_info is None else dict(run_info)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = _connect(path, "rwc")
        try:
            _enable_wal(conn, path)
            with _transaction(conn):
                stored, run_index = _prepare_for_run(conn, path, study, info)
        except BaseException:
            conn.close()
            raise
        store = cls(path, conn, stored)
        store._run_index = run_index
        return store

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open an existing store for reading.

        Raises
        ------
        InputError
            If the file is missing or is not a betascale store.
        """
        path = Path(path)
        if not path.exists():
            raise InputError(f"store {path} not found")
        if not path.is_file():
            raise InputError(f"store {path} is not a file")
        try:
            conn = _connect(path, "rw")
        except sqlite3.OperationalError:
            conn = _connect(path, "ro")
        try:
            meta = _read_meta(conn, path)
            if meta is None:
                raise InputError(f"{path} is not a betascale store (it holds no study)")
            study = _stored_study(meta, path)
        except BaseException:
            conn.close()
            raise
        return cls(path, conn, study)

    def close(self) -> None:
        """Close the database connection (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r}, study={self.study.name!r})"

    @property
    def conn(self) -> sqlite3.Connection:
        """The open SQLite connection."""
        if self._conn is None:
            raise ValueError(f"store {self.path} is closed")
        return self._conn

    @property
    def metadata(self) -> dict[str, Any]:
        """Everything in the ``meta`` table, decoded from JSON."""
        return _read_meta(self.conn, self.path) or {}

    # ---------------------------------------------------------------- keys
    def completed_keys(self) -> set[tuple[float, int, int]]:
        """Keys ``(W, L, sample)`` of the successful samples (failures are not done)."""
        rows = self.conn.execute("SELECT W, L, sample FROM samples WHERE error IS NULL")
        return set(rows)

    def missing_keys(self, study: Study | None = None) -> list[tuple[float, int, int]]:
        """Keys of ``study`` (default: the stored study) still to compute, in key order.

        Raises
        ------
        InputError
            If ``study`` has different physics from the stored one.
        """
        if study is None:
            study = self.study
        else:
            self._require_compatible(study)
        done = self.completed_keys()
        return [key for key in study.keys() if key not in done]

    def _require_compatible(self, study: Study) -> None:
        diffs = compare_physics(self.study, study)
        if diffs:
            raise InputError(_refusal(self.path, diffs))

    # ------------------------------------------------------------- writing
    def add(self, records: Sequence[SampleRecord]) -> None:
        """Store ``records`` in one transaction (a record replaces one of the same key).

        Raises
        ------
        ValueError
            If a record does not belong to the stored study's grid, or its width M
            does not match the study's aspect ratio.

        Notes
        -----
        A record without an error but with a non-finite ``T`` is stored as a failure.
        """
        rows = [self._row(r) for r in records]
        if not rows:
            return
        placeholders = ", ".join("?" * len(_COLUMNS))
        sql = f"INSERT OR REPLACE INTO samples ({', '.join(_COLUMNS)}) VALUES ({placeholders})"
        with _transaction(self.conn):
            self.conn.executemany(sql, rows)

    def _row(self, r: SampleRecord) -> tuple:
        W, L, M, sample = float(r.W), int(r.L), int(r.M), int(r.sample)
        study = self.study
        if W not in study.W or L not in study.L or sample < 0:
            raise ValueError(f"sample (W={W}, L={L}, sample={sample}) is not in the study grid")
        if M != study.width(L):
            width = study.width(L)
            raise ValueError(f"sample at L={L} has M={M}, but the study's width is M={width}")
        error = None if r.error is None else (str(r.error) or "unknown error")
        T = float(r.T)
        if error is None and not math.isfinite(T):
            error = f"non-finite transmission T = {T}"  # never counted as a result
        return (W, L, M, sample, None if math.isnan(T) else T, int(r.N), float(r.seconds),
                int(r.rank), error)  # fmt: skip

    def finish_run(self, status: str) -> None:
        """Record the end time and ``status`` ('complete', 'interrupted', 'failed') of this run."""
        if status not in RUN_STATUSES:
            raise ValueError(f"run status must be one of {', '.join(RUN_STATUSES)}, got {status!r}")
        if self._run_index is None:
            raise ValueError("this store was not opened for a run")
        with _transaction(self.conn):
            runs = _read_meta(self.conn, self.path)["runs"]
            runs[self._run_index].update(end=_now(), status=status)
            _write_meta(self.conn, runs=runs)

    # ------------------------------------------------------------- reading
    def records(self) -> list[SampleRecord]:
        """Every stored record, failures included, sorted by (W, L, sample)."""
        return [_record(row) for row in self.conn.execute(_SELECT + _ORDER)]

    def failures(self) -> list[SampleRecord]:
        """The records of failed samples, sorted by (W, L, sample)."""
        rows = self.conn.execute(_SELECT + " WHERE error IS NOT NULL" + _ORDER)
        return [_record(row) for row in rows]

    def samples(self) -> SampleTable:
        """The successful samples as arrays, sorted by (W, L, sample)."""
        names = _COLUMNS[:-1]
        sql = f"SELECT {', '.join(names)} FROM samples WHERE error IS NULL" + _ORDER
        rows = self.conn.execute(sql).fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
        kinds = (float, np.int64, np.int64, np.int64, float, np.int64, float, np.int64)
        return SampleTable(
            *(np.array(col, dtype=kind) for col, kind in zip(columns, kinds, strict=True))
        )

    def status(self) -> StoreStatus:
        """Completed, missing and failed samples per (W, L) of the stored study."""
        study = self.study
        sql = (
            "SELECT W, L, SUM(error IS NULL AND sample < ?), SUM(error IS NOT NULL), "
            "TOTAL(seconds) FROM samples GROUP BY W, L"
        )
        counts = {(w, n): rest for w, n, *rest in self.conn.execute(sql, (study.samples,))}
        cells = []
        for W in study.W:
            for L in study.L:
                done, failed, cpu = counts.get((W, L), (0, 0, 0.0))
                cells.append(
                    CellStatus(W, L, study.width(L), done, study.samples - done, failed, cpu)
                )
        runs = tuple(self.metadata.get("runs", []))
        return StoreStatus(str(self.path), study, tuple(cells), tuple(self.failures()), runs)


# ------------------------------------------------------------ sqlite helpers
def _connect(path: Path, mode: str) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit)."""
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.OperationalError as exc:
        if mode == "ro":
            raise InputError(f"cannot open store {path}: {exc}") from None
        raise
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _enable_wal(conn: sqlite3.Connection, path: Path) -> None:
    try:
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path} is not a betascale store ({exc})") from None


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back if the body raises."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _read_meta(conn: sqlite3.Connection, path: Path) -> dict[str, Any] | None:
    """The decoded ``meta`` table; None for an empty database; InputError for a foreign one."""
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if not tables:
            return None
        if not {"meta", "samples"} <= tables:
            raise InputError(f"{path} is not a betascale store (no meta/samples tables)")
        meta = {key: json.loads(value) for key, value in conn.execute("SELECT * FROM meta")}
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path} is not a betascale store ({exc})") from None
    if "format_version" not in meta or "study" not in meta:
        raise InputError(f"{path} is not a betascale store (no study recorded)")
    if meta["format_version"] > FORMAT_VERSION:
        raise InputError(
            f"store {path} has format version {meta['format_version']}, newer than this "
            f"betascale understands ({FORMAT_VERSION}); upgrade betascale"
        )
    return meta


def _write_meta(conn: sqlite3.Connection, **items: Any) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
        [(key, json.dumps(value)) for key, value in items.items()],
    )


def _stored_study(meta: dict[str, Any], path: Path) -> Study:
    return study_from_dict(meta["study"], source=f"study stored in {path}")


def _refusal(path: Path, diffs: list[str]) -> str:
    return (
        f"store {path} was made with a different study: {'; '.join(diffs)}; "
        "use --out for a new store"
    )


def _prepare_for_run(
    conn: sqlite3.Connection, path: Path, study: Study, info: dict
) -> tuple[Study, int]:
    """Create or check the store inside a transaction; return the stored study and run index."""
    meta = _read_meta(conn, path)
    if meta is None:
        _create_schema(conn)
        stored = study
        runs: list[dict] = []
        _write_meta(conn, format_version=FORMAT_VERSION, created=_now())
    else:
        old = _stored_study(meta, path)
        diffs = compare_physics(old, study)
        if diffs:
            raise InputError(_refusal(path, diffs))
        stored = old.extended(study)
        runs = _mark_killed_runs(meta.get("runs", []))
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
    return stored, len(runs) - 1


def _create_schema(conn: sqlite3.Connection) -> None:
    # executescript() would COMMIT the open transaction, so run the statements one by one.
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


def _mark_killed_runs(runs: list[dict]) -> list[dict]:
    """Mark runs still 'running' whose process on this host is gone as 'killed'."""
    host = socket.gethostname()
    for run in runs:
        pid = run.get("pid")
        if run.get("status") == "running" and run.get("host") == host and isinstance(pid, int):
            if not _pid_alive(pid):
                run["status"] = "killed"
    return runs


def _pid_alive(pid: int) -> bool:
    if os.name != "posix":  # os.kill(pid, 0) would terminate the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _record(row: tuple) -> SampleRecord:
    W, L, M, sample, T, N, seconds, rank, error = row
    return SampleRecord(
        W=W,
        L=L,
        M=M,
        sample=sample,
        T=math.nan if T is None else T,
        N=N,
        seconds=math.nan if seconds is None else seconds,
        rank=rank,
        error=error,
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# ------------------------------------------------------------------ provenance
def collect_run_info() -> dict[str, Any]:
    """Provenance of a run: versions, git commit, host and start time.

    Returns
    -------
    dict
        ``versions`` (betascale, kwant, numpy, scipy, mpi4py, the MPI library and
        Python; None for what is not installed), ``git_commit`` of the betascale
        source tree (``-dirty`` appended if it has uncommitted changes; None outside
        a git checkout), ``host``, ``pid``, ``argv`` and ``start`` (ISO-8601 UTC).
    """
    return {
        "start": _now(),
        "versions": _versions(),
        "git_commit": _git_commit(Path(__file__).resolve().parent),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "argv": list(sys.argv),
    }


def _versions() -> dict[str, str | None]:
    from importlib import metadata

    out: dict[str, str | None] = {}
    for dist in ("betascale", "kwant", "numpy", "scipy", "mpi4py"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    out["mpi"] = _mpi_library_version()
    out["python"] = platform.python_version()
    out["sqlite"] = sqlite3.sqlite_version
    return out


def _mpi_library_version() -> str | None:
    try:
        from mpi4py import MPI

        return MPI.Get_library_version().strip().splitlines()[0].strip()
    except Exception:  # no MPI (or a broken one) is not an error here
        return None


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def _git_commit(package_dir: Path) -> str | None:
    """HEAD of the git checkout holding ``package_dir``, if it tracks the package."""
    if _git(["ls-files", "--error-unmatch", "__init__.py"], package_dir) is None:
        return None
    commit = _git(["rev-parse", "HEAD"], package_dir)
    if not commit:
        return None
    dirty = _git(["status", "--porcelain", "--", "."], package_dir)
    return f"{commit}-dirty" if dirty else commit


# -------------------------------------------------------------------- export
EXPORT_FORMATS = {"netcdf": ".nc", "csv": ".csv"}


def export_store(store_or_path: Store | str | Path, out_path: str | Path, fmt: str) -> Path:
    """Write the samples of a store as a labelled table.

    Parameters
    ----------
    store_or_path
        An open :class:`Store`, or the path of one.
    out_path
        The file to write (replaced atomically).
    fmt
        ``"netcdf"``: an ``xarray.Dataset`` with dims (W, L, sample), variables T,
        N, seconds, rank and failed (NaN or -1 where missing), M as a coordinate
        over L, and attributes holding the study, physics hash, metadata and
        failures as JSON (NetCDF3 via scipy, no extra dependency).
        ``"csv"``: a header and one row per record (W, L, M, sample, T, N, seconds,
        rank, error), floats written exactly (``repr``).

    Returns
    -------
    Path
        ``out_path``.
    """
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"export format must be one of {', '.join(EXPORT_FORMATS)}, got {fmt!r}")
    out_path = Path(out_path)
    if isinstance(store_or_path, Store):
        return _export(store_or_path, out_path, fmt)
    with Store.open(store_or_path) as store:
        return _export(store, out_path, fmt)


def _export(store: Store, out_path: Path, fmt: str) -> Path:
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    try:
        if fmt == "netcdf":
            to_dataset(store).to_netcdf(tmp, engine="scipy")
        else:
            _write_csv(store.records(), tmp)
        os.replace(tmp, out_path)
    finally:
        tmp.unlink(missing_ok=True)
    return out_path


def to_dataset(store: Store):
    """The records of a store as an ``xarray.Dataset`` with dims (W, L, sample)."""
    import xarray as xr

    study = store.study
    records = store.records()
    Ws = np.array(sorted(set(study.W) | {r.W for r in records}), dtype=float)
    Ls = np.array(sorted(set(study.L) | {r.L for r in records}), dtype=np.int32)
    n_samples = max([study.samples] + [r.sample + 1 for r in records])
    shape = (Ws.size, Ls.size, n_samples)
    arrays = {
        "T": np.full(shape, np.nan),
        "N": np.full(shape, -1, dtype=np.int32),
        "seconds": np.full(shape, np.nan),
        "rank": np.full(shape, -1, dtype=np.int32),
        "failed": np.zeros(shape, dtype=np.int8),
    }
    M = np.array([study.width(int(n)) for n in Ls], dtype=np.int32)
    if records:
        cols = {name: np.array([getattr(r, name) for r in records]) for name in _COLUMNS}
        index = (np.searchsorted(Ws, cols["W"]), np.searchsorted(Ls, cols["L"]), cols["sample"])
        for name in ("T", "N", "seconds", "rank"):
            arrays[name][index] = cols[name]
        arrays["failed"][index] = cols["error"] != None  # noqa: E711 - elementwise
    dims = ("W", "L", "sample")
    ds = xr.Dataset(
        {name: (dims, value, _VARIABLE_ATTRS[name]) for name, value in arrays.items()},
        coords={
            "W": ("W", Ws, {"long_name": "disorder strength (uniform in [-W/2, W/2])"}),
            "L": ("L", Ls, {"long_name": "sample length (sites along the leads)"}),
            "sample": ("sample", np.arange(n_samples, dtype=np.int32)),
            "M": ("L", M, {"long_name": "sample width (sites)"}),
        },
    )
    failures = [[r.W, r.L, r.sample, r.error] for r in records if r.error is not None]
    ds.attrs.update(
        title=f"betascale samples of study {study.name}",
        study=json.dumps(study.to_dict()),
        physics_hash=study.physics_hash(),
        metadata=json.dumps(store.metadata),
        failures=json.dumps(failures),
        format_version=FORMAT_VERSION,
    )
    return ds


_VARIABLE_ATTRS = {
    "T": {"long_name": "total transmission", "units": "e^2/h", "missing": "NaN"},
    "N": {"long_name": "open lead channels", "missing": "-1"},
    "seconds": {"long_name": "solve time of the sample", "units": "s", "missing": "NaN"},
    "rank": {"long_name": "MPI rank that computed the sample", "missing": "-1"},
    "failed": {"long_name": "1 where the last attempt raised (see attribute failures)"},
}


def _write_csv(records: Sequence[SampleRecord], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(_COLUMNS)
        for r in records:
            writer.writerow(
                [repr(float(r.W)), r.L, r.M, r.sample, repr(float(r.T)), r.N,
                 repr(float(r.seconds)), r.rank, "" if r.error is None else r.error]
            )  # fmt: skip


def load_export(path: str | Path):
    """Read back an export written by :func:`export_store`.

    Returns
    -------
    xarray.Dataset or list of SampleRecord
        The dataset of a ``.nc`` file (loaded into memory), or the records of a
        ``.csv`` file in file order.
    """
    path = Path(path)
    if path.suffix == ".nc":
        import xarray as xr

        with xr.open_dataset(path, engine="scipy") as ds:
            return ds.load()
    if path.suffix == ".csv":
        return _read_csv(path)
    raise InputError(f"cannot tell the format of {path}: expected a .nc or .csv file")


def _read_csv(path: Path) -> list[SampleRecord]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return [
            SampleRecord(
                W=float(row["W"]),
                L=int(row["L"]),
                M=int(row["M"]),
                sample=int(row["sample"]),
                T=float(row["T"]),
                N=int(row["N"]),
                seconds=float(row["seconds"]),
                rank=int(row["rank"]),
                error=row["error"] or None,
            )
            for row in reader
        ]


__all__ = [
    "EXPORT_FORMATS",
    "FORMAT_VERSION",
    "CellStatus",
    "SampleRecord",
    "SampleTable",
    "Store",
    "StoreStatus",
    "collect_run_info",
    "export_store",
    "load_export",
    "to_dataset",
]

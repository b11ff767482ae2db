"""SQLite plumbing of the store: connections, transactions, schema and its checks.

Everything here is about the file, not about studies: how to open it (also on
read-only media), how to run a transaction, which schema objects a betascale store
may hold, how to decode and validate its metadata, and how to migrate the layout of
format 1 (samples keyed by (W, L, sample)) to format 2 (keyed by (W, flux, L, sample)).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from betascale.errors import InputError

#: Version of the on-disk layout; a store written by a newer layout is refused.
FORMAT_VERSION = 2
#: Milliseconds a connection waits for a lock held by another process.
BUSY_TIMEOUT_MS = 60_000

_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE samples (
    W REAL NOT NULL,
    flux REAL NOT NULL,
    L INTEGER NOT NULL,
    M INTEGER NOT NULL,
    sample INTEGER NOT NULL,
    T REAL,
    N INTEGER NOT NULL,
    seconds REAL,
    rank INTEGER NOT NULL,
    error TEXT,
    PRIMARY KEY (W, flux, L, sample)
) WITHOUT ROWID""",
)
#: The schema objects betascale creates (tables and SQLite's automatic index of meta).
_OWN_OBJECTS = {("table", "meta"), ("table", "samples"), ("index", "sqlite_autoindex_meta_1")}
#: Columns of a sample row, in storage order.
COLUMNS = ("W", "flux", "L", "M", "sample", "T", "N", "seconds", "rank", "error")
_TYPES = {"W": "real", "flux": "real", "L": "integer", "M": "integer", "sample": "integer"}


class StoreWriteError(InputError):
    """A store could not be written (a full disk, a read-only file, an I/O error)."""


_MAGIC = b"SQLite format 3\x00"


def check_sqlite_file(path: Path) -> None:
    """Refuse an existing, non-empty file that is not an SQLite database (before SQLite
    opens it: SQLite would take a short file for an empty database and write to it)."""
    try:
        size = path.stat().st_size
        if size == 0:
            return
        with open(path, "rb") as f:
            head = f.read(len(_MAGIC))
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if head != _MAGIC:
        raise InputError(f"{path} is not a betascale store (not an SQLite database)")


def connect(path: Path, mode: str) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit).

    ``mode`` is an SQLite URI mode (``rwc``, ``rw``, ``ro``) or ``immutable`` for
    read-only media, where SQLite cannot create its shared-memory file.
    """
    query = "mode=ro&immutable=1" if mode == "immutable" else f"mode={mode}"
    uri = f"{path.resolve().as_uri()}?{query}"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def connect_for_reading(path: Path) -> sqlite3.Connection:
    """Open an existing store to read it: read-write, else read-only, else immutable.

    A store on read-only media (or a read-only directory, where SQLite cannot create
    its WAL index) is opened immutable: nothing can change it meanwhile.
    """
    check_sqlite_file(path)
    last = None
    for mode in ("rw", "ro", "immutable"):
        try:
            conn = connect(path, mode)
        except sqlite3.Error as exc:
            last = exc
            continue
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            conn.close()
            if "not a database" in str(exc) or "malformed" in str(exc):
                raise InputError(f"{path} is not a betascale store ({exc})") from None
            last = exc
            continue
        return conn
    raise InputError(f"cannot open store {path}: {last}")


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection, path: Path) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back if the body raises.

    SQLite errors of writing (a full disk, a read-only file) become
    :class:`StoreWriteError` with a one-line message naming the store.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        with contextlib.suppress(sqlite3.Error):
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        raise StoreWriteError(f"cannot write to store {path}: {exc}") from None


def enable_wal(conn: sqlite3.Connection, path: Path) -> None:
    """Switch the journal to WAL with ``synchronous=NORMAL`` (see the package docstring)."""
    try:
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.OperationalError as exc:
        raise StoreWriteError(f"cannot write to store {path}: {exc}") from None


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the tables (inside the caller's transaction)."""
    for statement in _SCHEMA:
        conn.execute(statement)


# ---------------------------------------------------------------- inspection
def read_meta(conn: sqlite3.Connection, path: Path) -> dict[str, Any] | None:
    """The decoded and checked ``meta`` table; None for an empty database.

    Raises
    ------
    InputError
        For a file that is not SQLite, a foreign or tampered database (schema objects
        that betascale did not create, such as triggers), undecodable or mistyped
        metadata, malformed sample rows, or a newer format.
    """
    try:
        objects = set(conn.execute("SELECT type, name FROM sqlite_master"))
        if not objects:
            return None
        _check_objects(objects, path)
        meta = {}
        for key, value in conn.execute("SELECT key, value FROM meta"):
            meta[key] = _decode(key, value, path)
        _check_meta(meta, path)
        _check_rows(conn, path, int(meta["format_version"]))
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path} is not a betascale store ({exc})") from None
    return meta


def _check_objects(objects: set[tuple[str, str]], path: Path) -> None:
    if not {("table", "meta"), ("table", "samples")} <= objects:
        raise InputError(f"{path} is not a betascale store (no meta/samples tables)")
    foreign = sorted(objects - _OWN_OBJECTS)
    if foreign:
        kind, name = foreign[0]
        raise InputError(
            f"store {path} holds schema objects betascale did not create ({kind} {name!r}); "
            "refusing to use it"
        )


def _decode(key: str, value: Any, path: Path) -> Any:
    if not isinstance(value, str):
        raise InputError(f"store {path} is damaged: metadata {key!r} is not text")
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        raise InputError(f"store {path} is damaged: metadata {key!r} is not valid JSON") from None


def _check_meta(meta: dict[str, Any], path: Path) -> None:
    if "format_version" not in meta or "study" not in meta:
        raise InputError(f"{path} is not a betascale store (no study recorded)")
    version = meta["format_version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InputError(f"store {path} is damaged: format_version is {version!r}")
    if version > FORMAT_VERSION:
        raise InputError(
            f"store {path} has format version {version}, newer than this betascale "
            f"understands ({FORMAT_VERSION}); upgrade betascale"
        )
    if not isinstance(meta["study"], dict):
        raise InputError(f"store {path} is damaged: its study is not a table")
    runs = meta.get("runs", [])
    if not isinstance(runs, list) or not all(isinstance(r, dict) for r in runs):
        raise InputError(f"store {path} is damaged: its runs are not a list of tables")


def _check_rows(conn: sqlite3.Connection, path: Path, version: int) -> None:
    types = dict(_TYPES)
    if version < 2:
        types.pop("flux")
    checks = [f"typeof({col}) != '{kind}'" for col, kind in types.items()]
    checks += ["typeof(T) NOT IN ('real', 'null')", "typeof(N) != 'integer'"]
    bad = conn.execute(f"SELECT count(*) FROM samples WHERE {' OR '.join(checks)}").fetchone()
    if bad[0]:
        raise InputError(f"store {path} is damaged: {bad[0]} sample row(s) hold malformed values")


def sample_columns(version: int, flux: float) -> str:
    """The SELECT list of :data:`COLUMNS` for a store of ``version`` (format 1: a fixed flux)."""
    if version >= 2:
        return ", ".join(COLUMNS)
    return ", ".join(f"{float(flux)!r} AS flux" if c == "flux" else c for c in COLUMNS)


def migrate_to_v2(conn: sqlite3.Connection, flux: float) -> None:
    """Rebuild format 1's samples table with the flux column (inside a transaction)."""
    conn.execute("ALTER TABLE samples RENAME TO samples_v1")
    conn.execute(_SCHEMA[1])
    old = ", ".join(f"{float(flux)!r}" if c == "flux" else c for c in COLUMNS)
    conn.execute(f"INSERT INTO samples ({', '.join(COLUMNS)}) SELECT {old} FROM samples_v1")
    conn.execute("DROP TABLE samples_v1")
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('format_version', ?)",
        (json.dumps(FORMAT_VERSION),),
    )

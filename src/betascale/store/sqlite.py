"""SQLite plumbing of the store: connections, transactions, schema and its checks.

Everything here is about the file, not about studies: how to open it (also on
read-only media), how to run a transaction, which schema objects a betascale store
may hold, how to decode and validate its metadata, and how to migrate the layouts of format 1
(a ``samples`` row per sample keyed by (W, L, sample)) and format 2 (keyed by
(W, flux, L, sample)) to format 3 (a ``chunks`` row per run of samples, see
:mod:`betascale.store.chunks`).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from betascale.errors import InputError
from betascale.files import SQLITE_HEADER
from betascale.store.chunks import SCHEMA as CHUNKS_SCHEMA
from betascale.store.chunks import insert_chunk, rows_to_chunks
from betascale.store.lock import running_here
from betascale.text import printable

#: Version of the on-disk layout; a store written by a newer layout is refused.
FORMAT_VERSION = 3
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
_OWN_OBJECTS = {
    ("table", "meta"),
    ("table", "samples"),
    ("table", "chunks"),
    ("index", "sqlite_autoindex_meta_1"),
}
#: Columns of a sample row of formats 1 and 2, in storage order.
COLUMNS = ("W", "flux", "L", "M", "sample", "T", "N", "seconds", "rank", "error")
#: Limits of one metadata value: its size in bytes and how deeply it nests. A real
#: store's deepest value (its runs) nests 4 levels and grows by about 2 kB a run.
MAX_META_BYTES = 64 * 2**20
MAX_META_DEPTH = 32
_META_QUERY = (
    "SELECT key, typeof(value), length(CAST(value AS BLOB)), "
    "CASE WHEN typeof(value) = 'text' AND length(CAST(value AS BLOB)) <= ? THEN value END "
    "FROM meta"
)
_TOO_DEEP = object()


class StoreWriteError(InputError):
    """A store could not be written (a full disk, a read-only file, an I/O error)."""


def check_sqlite_file(path: Path, own: bool = False) -> None:
    """Refuse an existing, non-empty file that is not an SQLite database (before SQLite
    opens it: SQLite would take a short file for an empty database and write to it),
    and a store whose write-ahead log is gone (see :func:`_check_wal_present`).

    A store this process is running into is not opened again (it was checked when its
    run opened it, ``own``): closing a second descriptor of the file would drop the
    run's SQLite locks (:func:`betascale.store.lock.running_here`).
    """
    if not own and running_here(path):
        return
    try:
        size = path.stat().st_size
        if size == 0:
            return
        with open(path, "rb") as f:
            head = f.read(100)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not head.startswith(SQLITE_HEADER):
        raise InputError(f"{path} is not a betascale store (not an SQLite database)")
    _check_wal_present(path, head)


def _check_wal_present(path: Path, head: bytes) -> None:
    """Refuse a database in WAL mode whose file holds no schema yet and whose ``-wal``
    file is gone: everything it holds was in the write-ahead log.

    Checked from the header before SQLite opens the file (opening it would create a
    new, empty ``-wal``): bytes 18 and 19 are 2 in WAL mode, and the schema cookie
    (bytes 40-43) is 0 until a schema reaches the file itself
    (https://www.sqlite.org/fileformat2.html#the_database_header). A betascale store
    commits its schema before it switches to WAL, so this state means a lost log.
    """
    wal = path.with_name(path.name + "-wal")
    if head[18:20] == b"\x02\x02" and head[40:44] == bytes(4) and not wal.exists():
        raise InputError(
            f"store {path} has lost its write-ahead log ({wal.name} is missing), so its "
            "transactions are not in the file; copy a store together with its -wal file"
        )


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


@contextlib.contextmanager
def read_snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """One read transaction: every query of the body sees the same state of the file
    (a writer's commits meanwhile are not seen halfway)."""
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


def enable_wal(conn: sqlite3.Connection, path: Path) -> None:
    """Switch the journal to WAL with ``synchronous=NORMAL`` (see the package docstring)."""
    try:
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.OperationalError as exc:
        raise StoreWriteError(f"cannot write to store {path}: {exc}") from None


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the tables of the current format (inside the caller's transaction)."""
    conn.execute(_SCHEMA[0])
    conn.execute(CHUNKS_SCHEMA)


# ---------------------------------------------------------------- inspection
def read_meta(conn: sqlite3.Connection, path: Path) -> dict[str, Any] | None:
    """The decoded and checked ``meta`` table; None for an empty database.

    The sample rows are not read here (see :mod:`betascale.store.integrity`).

    Raises
    ------
    InputError
        For a file that is not SQLite, a foreign or tampered database (schema objects
        that betascale did not create, such as triggers), undecodable, oversized,
        too deeply nested or mistyped metadata, or a newer format.
    """
    try:
        objects = set(conn.execute("SELECT type, name FROM sqlite_master"))
        if not objects:
            return None
        _check_objects(objects, path)
        meta = {}
        for key, kind, size, value in conn.execute(_META_QUERY, (MAX_META_BYTES,)):
            meta[key] = _decode(key, kind, size, value, path)
        _check_meta(meta, path)
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path} is not a betascale store ({exc})") from None
    return meta


def _check_objects(objects: set[tuple[str, str]], path: Path) -> None:
    tables = {name for kind, name in objects if kind == "table"}
    if "meta" not in tables or not tables & {"samples", "chunks"}:
        raise InputError(f"{path} is not a betascale store (no meta/samples tables)")
    foreign = sorted(objects - _OWN_OBJECTS)
    if foreign:
        kind, name = foreign[0]
        raise InputError(
            f"store {path} holds schema objects betascale did not create ({kind} {name!r}); "
            "refusing to use it"
        )


def _decode(key: Any, kind: str, size: int, value: str | None, path: Path) -> Any:
    """One metadata value: text of at most :data:`MAX_META_BYTES`, valid JSON, nested
    at most :data:`MAX_META_DEPTH` levels (a deeper value would exhaust the stack of
    every reader that walks it)."""
    name = printable(str(key))
    if kind != "text":
        raise InputError(f"store {path} is damaged: metadata {name!r} is not text")
    if value is None:
        raise InputError(
            f"store {path} is damaged: metadata {name!r} is {size} bytes "
            f"(more than {MAX_META_BYTES})"
        )
    try:
        decoded = json.loads(value)
    except RecursionError:
        decoded = _TOO_DEEP
    except json.JSONDecodeError:
        raise InputError(f"store {path} is damaged: metadata {name!r} is not valid JSON") from None
    if decoded is _TOO_DEEP or _depth(decoded) > MAX_META_DEPTH:
        raise InputError(
            f"store {path} is damaged: metadata {name!r} is nested more than "
            f"{MAX_META_DEPTH} levels deep"
        )
    return decoded


def _depth(value: Any) -> int:
    """How deeply lists and dicts nest in a decoded JSON value (iteratively)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth + 1)
            if deepest > MAX_META_DEPTH:
                break
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


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


def migrate(conn: sqlite3.Connection, version: int, flux: float) -> None:
    """Migrate a store of format ``version`` to :data:`FORMAT_VERSION` (inside a
    transaction): format 1 gains the flux column, then the sample rows become chunk
    rows (one per run of consecutive samples of a cell and rank), bit for bit."""
    if version >= FORMAT_VERSION:
        return
    if version < 2:
        migrate_to_v2(conn, flux)
    rows = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM samples").fetchall()
    conn.execute(CHUNKS_SCHEMA)
    for row in rows_to_chunks(rows):
        insert_chunk(conn, row)
    conn.execute("DROP TABLE samples")
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('format_version', ?)",
        (json.dumps(FORMAT_VERSION),),
    )

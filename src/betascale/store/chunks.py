"""The chunk layout of a store (format 3): one row per run of consecutive samples.

A row of ``chunks`` holds the samples ``start .. start + count - 1`` of one cell
``(W, flux, L)``, computed by one rank: their transmissions ``T``, channel counts
``N`` and solve times ``seconds`` as little-endian blobs (float64, int64, float64;
``8 count`` bytes each, so ``T`` is stored bit for bit), the number of failed samples
``failed`` and their messages ``errors`` (JSON ``{"offset": "message"}``, NULL when
none fails; T is NaN there). Rank 0 commits a chunk's results as one row instead of
one row per sample (issue 18, part 3).

The ranges of one cell never overlap: a new chunk replaces the samples it covers
(:func:`insert_chunk` cuts the older rows around it), which is how the retry of a
failed sample replaces its failure. The readers decode every row at once into
per-sample arrays (:class:`Columns`), with one ``frombuffer`` per column.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike

#: The table of format 3.
SCHEMA = """CREATE TABLE chunks (
    W REAL NOT NULL,
    flux REAL NOT NULL,
    L INTEGER NOT NULL,
    M INTEGER NOT NULL,
    start INTEGER NOT NULL,
    count INTEGER NOT NULL,
    T BLOB NOT NULL,
    N BLOB NOT NULL,
    seconds BLOB NOT NULL,
    rank INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    errors TEXT,
    PRIMARY KEY (W, flux, L, start)
) WITHOUT ROWID"""
#: Columns of a chunk row, in storage order.
CHUNK_COLUMNS = (
    "W",
    "flux",
    "L",
    "M",
    "start",
    "count",
    "T",
    "N",
    "seconds",
    "rank",
    "failed",
    "errors",
)
_INSERT = f"INSERT INTO chunks VALUES ({', '.join('?' * len(CHUNK_COLUMNS))})"
_SELECT = f"SELECT {', '.join(CHUNK_COLUMNS)} FROM chunks"
_ORDER = " ORDER BY W, flux, L, start"
_CELL = "W = ? AND flux = ? AND L = ?"
_F8, _I8 = np.dtype("<f8"), np.dtype("<i8")
#: None as a 0-d object array: ``np.equal(errors, _NONE)`` is where no error was stored.
_NONE = np.array(None, dtype=object)


def chunk_row(
    key: tuple[float, float, int, int, int],
    T: ArrayLike,
    N: ArrayLike,
    seconds: ArrayLike,
    rank: int,
    errors: dict[int, str],
) -> tuple:
    """The row of the samples ``key = (W, flux, L, M, start)`` onward (checked by the caller).

    A sample without an error but with a non-finite T becomes a failure (as in
    :meth:`~betascale.store.StoreBase.checked_row`); T is NaN at every failure.
    """
    T = np.array(T, dtype=_F8)
    errors = dict(errors)
    for k in np.flatnonzero(~np.isfinite(T)).tolist():
        errors.setdefault(k, f"non-finite transmission T = {T[k]}")
    if errors:
        T[~np.isfinite(T)] = np.nan  # no infinite T is stored
    text = json.dumps({str(k): errors[k] for k in sorted(errors)}) if errors else None
    blobs = (T.tobytes(), np.asarray(N, _I8).tobytes(), np.asarray(seconds, _F8).tobytes())
    return (*key, int(T.size), *blobs, int(rank), len(errors), text)


def insert_chunk(conn: sqlite3.Connection, row: tuple) -> None:
    """Insert a chunk row (inside a transaction), replacing the samples it covers.

    The common case costs one indexed look-up and one insert: the last row of the
    cell that starts before the new row's end is found; only if it overlaps are the
    overlapping rows cut (:func:`_cut_overlaps`).
    """
    W, flux, L, _, start, n = row[:6]
    last = conn.execute(
        f"SELECT start + count FROM chunks WHERE {_CELL} AND start < ? ORDER BY start DESC LIMIT 1",
        (W, flux, L, start + n),
    ).fetchone()
    if last is not None and last[0] > start:
        _cut_overlaps(conn, W, flux, L, start, start + n)
    conn.execute(_INSERT, row)


def _cut_overlaps(conn: sqlite3.Connection, W: float, flux: float, L: int, a: int, b: int) -> None:
    """Remove the samples ``a .. b-1`` of a cell: overlapping rows are replaced by
    their parts outside the range."""
    rows = conn.execute(
        f"{_SELECT} WHERE {_CELL} AND start < ? AND start + count > ?", (W, flux, L, b, a)
    ).fetchall()
    for row in rows:
        conn.execute(f"DELETE FROM chunks WHERE {_CELL} AND start = ?", (W, flux, L, row[4]))
        start, stop = row[4], row[4] + row[5]
        for lo, hi in ((start, min(a, stop)), (max(b, start), stop)):
            if lo < hi:
                conn.execute(_INSERT, _slice(row, lo - start, hi - start))


def _slice(row: tuple, lo: int, hi: int) -> tuple:
    """The row of the samples ``lo .. hi-1`` (offsets) of a chunk row."""
    W, flux, L, M, start, _, T, N, seconds, rank, _, text = row
    errors = {int(k) - lo: v for k, v in _errors(text).items() if lo <= int(k) < hi}
    T, N, seconds = (
        np.frombuffer(b, dtype=d)[lo:hi] for b, d in ((T, _F8), (N, _I8), (seconds, _F8))
    )
    return chunk_row((W, flux, L, M, start + lo), T, N, seconds, rank, errors)


def _errors(text: str | None) -> dict[int, str]:
    return {} if text is None else {int(k): v for k, v in json.loads(text).items()}


def rows_to_chunks(rows: Iterable[tuple]) -> list[tuple]:
    """Chunk rows of per-sample rows ``(W, flux, L, M, sample, T, N, seconds, rank,
    error)`` (the layout of formats 1 and 2): one chunk per run of consecutive samples
    of a cell with the same rank and width. Later rows of a key replace earlier ones."""
    by_key = {(r[0], r[1], r[2], r[4]): r for r in rows}
    chunks: list[tuple] = []
    run: list[tuple] = []
    for key in sorted(by_key):
        r = by_key[key]
        if run and not _continues(run[-1], r):
            chunks.append(_pack(run))
            run = []
        run.append(r)
    if run:
        chunks.append(_pack(run))
    return chunks


def _continues(prev: tuple, r: tuple) -> bool:
    same = (prev[0], prev[1], prev[2], prev[3], prev[8]) == (r[0], r[1], r[2], r[3], r[8])
    return same and r[4] == prev[4] + 1


def _pack(run: Sequence[tuple]) -> tuple:
    first = run[0]
    T = [math.nan if r[5] is None else r[5] for r in run]
    seconds = [math.nan if r[7] is None else r[7] for r in run]
    errors = {k: r[9] for k, r in enumerate(run) if r[9] is not None}
    key = (first[0], first[1], first[2], first[3], first[4])
    return chunk_row(key, T, [r[6] for r in run], seconds, first[8], errors)


# ------------------------------------------------------------------ reading
@dataclass(frozen=True)
class Columns:
    """Stored samples as per-sample arrays, sorted by key; ``error`` is an object
    array (None where the sample succeeded)."""

    W: np.ndarray
    flux: np.ndarray
    L: np.ndarray
    M: np.ndarray
    sample: np.ndarray
    T: np.ndarray
    N: np.ndarray
    seconds: np.ndarray
    rank: np.ndarray
    error: np.ndarray

    def select(self, mask: np.ndarray) -> Columns:
        """The samples where ``mask`` is true."""
        return Columns(**{f.name: getattr(self, f.name)[mask] for f in fields(self)})

    @property
    def ok(self) -> np.ndarray:
        """Where the sample succeeded."""
        return np.equal(self.error, _NONE)

    def rows(self) -> Iterable[tuple]:
        """Per-sample rows in the order of :data:`~betascale.store.sqlite.COLUMNS`
        (NaN T and seconds as None, as formats 1 and 2 store them)."""
        T = [None if math.isnan(t) else t for t in self.T.tolist()]
        seconds = [None if math.isnan(s) else s for s in self.seconds.tolist()]
        names = ("W", "flux", "L", "M", "sample")
        head = [getattr(self, name).tolist() for name in names]
        tail = (self.N.tolist(), seconds, self.rank.tolist(), self.error.tolist())
        return zip(*head, T, *tail, strict=True)


def read_chunks(conn: sqlite3.Connection, where: str = "", params: tuple = ()) -> Columns:
    """The samples of the chunk rows ``where`` selects, decoded into :class:`Columns`."""
    rows = conn.execute(f"{_SELECT} {where}{_ORDER}", params).fetchall()
    if not rows:
        return columns_of_rows([])
    W, flux, L, M, start, n, T, N, seconds, rank, _, text = zip(*rows, strict=True)
    counts = np.array(n, dtype=np.int64)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    error = np.full(counts.sum(), None, dtype=object)
    base = np.cumsum(counts) - counts
    for i in (i for i, t in enumerate(text) if t is not None):
        for k, message in _errors(text[i]).items():
            error[base[i] + k] = message
    return Columns(
        W=np.repeat(np.array(W, dtype=float), counts),
        flux=np.repeat(np.array(flux, dtype=float), counts),
        L=np.repeat(np.array(L, dtype=np.int64), counts),
        M=np.repeat(np.array(M, dtype=np.int64), counts),
        sample=np.repeat(np.array(start, dtype=np.int64), counts) + offsets,
        T=np.frombuffer(b"".join(T), dtype=_F8).astype(float),
        N=np.frombuffer(b"".join(N), dtype=_I8).astype(np.int64),
        seconds=np.frombuffer(b"".join(seconds), dtype=_F8).astype(float),
        rank=np.repeat(np.array(rank, dtype=np.int64), counts),
        error=error,
    )


def columns_of_rows(rows: Sequence[tuple]) -> Columns:
    """:class:`Columns` of per-sample rows ``(W, flux, L, M, sample, T, N, seconds,
    rank, error)`` (formats 1 and 2; NULL T and seconds read as NaN)."""
    cols = list(zip(*rows, strict=True)) if rows else [()] * 10
    floats = {"W": 0, "flux": 1, "T": 5, "seconds": 7}
    ints = {"L": 2, "M": 3, "sample": 4, "N": 6, "rank": 8}
    arrays = {
        name: np.array([math.nan if v is None else v for v in cols[i]], dtype=float)
        for name, i in floats.items()
    }
    arrays.update({name: np.array(cols[i], dtype=np.int64) for name, i in ints.items()})
    error = np.empty(len(rows), dtype=object)
    error[:] = list(cols[9])
    return Columns(**arrays, error=error)

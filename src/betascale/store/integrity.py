"""A store's contents checked against its study: the sample rows and the physics.

A store is trusted only as far as it is checked. Every open, for reading or for
writing, reads in one read transaction (:func:`read_checked`): the metadata
(:func:`~betascale.store.sqlite.read_meta`), the stored study, and every sample row:
the type and range of each column, and that its key lies in the study's grid (W, flux
and L of the study, M the study's width at L, ``0 <= sample <`` the samples at L). A
store that fails is refused with one line naming the first bad row. Opening for
writing also checks that the stored study still has the physics the store was made
with (:func:`verify_physics`), so samples of two seeds never mix.

The readers of an open store filter what they read through its :class:`Grid`: a run
that grows the grid while a reader holds the store open adds rows the reader's study
does not know, and they are left out, never mixed in.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from betascale.errors import InputError
from betascale.store.sqlite import COLUMNS, read_meta, read_snapshot, sample_columns
from betascale.study import Study, compare_physics, study_from_dict
from betascale.text import printable

#: A row is malformed if any of these holds (NULL comparisons count as false). W, flux
#: and L need no check here: a row whose key has another type is outside the grid.
_MALFORMED = " OR ".join(
    [
        *(f"typeof({c}) != 'integer'" for c in ("M", "sample", "N", "rank")),
        "typeof(T) NOT IN ('real', 'null')",
        "typeof(seconds) NOT IN ('real', 'null')",
        "typeof(error) NOT IN ('text', 'null')",
        "N < 0",
        "rank < 0",
        "seconds < 0",
        "(error IS NULL AND (T IS NULL OR abs(T) > 1e308))",  # infinite (or absurd) T
    ]
)
#: The Python types a valid row holds, per column (as sqlite3 returns them).
_KINDS: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(("W", "flux"), (float,)),
    **dict.fromkeys(("L", "M", "sample", "N", "rank"), (int,)),
    **dict.fromkeys(("T", "seconds"), (float, type(None))),
    "error": (str, type(None)),
}


@dataclass(frozen=True)
class Grid:
    """The sample keys of a study: W and flux values, and per size L its width M and
    its number of samples."""

    W: frozenset[float]
    flux: frozenset[float]
    sizes: dict[int, tuple[int, int]]

    @classmethod
    def of(cls, study: Study) -> Grid:
        """The grid of ``study``."""
        sizes = {int(n): (study.width(n), study.samples_at(n)) for n in study.L}
        return cls(frozenset(study.W), frozenset(study.flux), sizes)

    def contains(self, W: float, flux: float, L: int, sample: int) -> bool:
        """Whether the key ``(W, flux, L, sample)`` belongs to the grid."""
        size = self.sizes.get(L)
        return W in self.W and flux in self.flux and size is not None and 0 <= sample < size[1]

    def mask(self, W: np.ndarray, flux: np.ndarray, L: np.ndarray, sample: np.ndarray):
        """Element-wise :meth:`contains` of key arrays (a boolean array)."""
        limit = np.zeros(len(L), dtype=np.int64)
        for n, (_, samples) in self.sizes.items():
            limit[L == n] = samples
        inside = np.isin(W, list(self.W)) & np.isin(flux, list(self.flux))
        return inside & (sample >= 0) & (sample < limit)

    def fault(self, W: Any, flux: Any, L: Any, M: tuple[int, int], sample: tuple[int, int]):
        """Why the rows of one cell ``(W, flux, L)`` (widths ``M`` and sample indices
        ``sample`` as (min, max)) do not fit the grid; None if they do."""
        key = f"W={_show(W)}, flux={_show(flux)}, L={_show(L)}"
        if W not in self.W or flux not in self.flux or L not in self.sizes:
            return f"sample rows outside its study ({key})"
        width, samples = self.sizes[L]
        if M != (width, width):
            m = M[0] if M[0] != width else M[1]
            return f"sample rows of M={m} at {key}, but the study's width is M={width}"
        if sample[0] < 0 or sample[1] >= samples:
            bad = sample[0] if sample[0] < 0 else sample[1]
            return (
                f"sample rows outside its study ({key}, sample={bad}; the study has "
                f"samples 0 to {samples - 1})"
            )
        return None


def read_checked(conn: sqlite3.Connection, path: Path) -> tuple[dict[str, Any], Study] | None:
    """The metadata and the stored study of a store, its rows checked against the
    study, all in one read transaction; None for an empty database.

    Raises
    ------
    InputError
        If the metadata, the study or a sample row is damaged (one line).
    """
    try:
        with read_snapshot(conn):
            meta = read_meta(conn, path)
            if meta is None:
                return None
            study = stored_study(meta, path)
            check_rows(conn, path, int(meta["format_version"]), study)
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path} is not a betascale store ({exc})") from None
    return meta, study


def stored_study(meta: dict[str, Any], path: Path) -> Study:
    """The study a store holds; its leads were checked when it was made."""
    return study_from_dict(meta["study"], source=f"study stored in {path}", check_leads=False)


def check_rows(conn: sqlite3.Connection, path: Path, version: int, study: Study) -> None:
    """Refuse a store with a malformed sample row or one outside ``study``'s grid.

    One scan of the table (grouped by cell, in the order of its primary key).
    """
    if version >= 3:
        check_chunks(conn, path, study)
        return
    rows = f"SELECT {sample_columns(version, study.flux[0])} FROM samples"
    group = "W, flux, L" if version >= 2 else "W, L"  # format 1: one flux (a constant)
    sql = (
        f"SELECT W, flux, L, min(M), max(M), min(sample), max(sample), "
        f"count(*) FILTER (WHERE {_MALFORMED}) FROM ({rows}) GROUP BY {group}"
    )
    cells = conn.execute(sql).fetchall()
    malformed = sum(cell[-1] for cell in cells)
    if malformed:
        first = conn.execute(f"SELECT * FROM ({rows}) WHERE {_MALFORMED} LIMIT 1").fetchone()
        raise InputError(
            f"store {path} is damaged: {malformed} sample row(s) hold malformed values "
            f"(first: {_row_fault(first)})"
        )
    grid = Grid.of(study)
    for W, flux, L, m_min, m_max, s_min, s_max, _ in cells:
        fault = grid.fault(W, flux, L, (m_min, m_max), (s_min, s_max))
        if fault:
            raise InputError(f"store {path} is damaged: it holds {fault}")


def verify_physics(meta: dict[str, Any], study: Study, path: Path) -> None:
    """Refuse a store whose study no longer has the physics it was made with.

    The store records the physics of its study (``physics``) and its hash
    (``physics_hash``, :meth:`~betascale.study.Study.physics_hash`); an edit of the
    stored study (say of its seed) that left them alone would mix samples of two
    physics. Stores of format 1 hashed another layout of the physics, so only the
    recorded physics is compared there.
    """
    physics, recorded_hash = meta.get("physics"), meta.get("physics_hash")
    damaged = f"store {path} is damaged:"
    if not isinstance(physics, dict) or not isinstance(recorded_hash, str):
        raise InputError(f"{damaged} its physics or physics_hash is missing")
    try:
        recorded = study_from_dict(
            {**meta["study"], **physics}, source=f"physics stored in {path}", check_leads=False
        )
    except InputError as exc:
        raise InputError(f"{damaged} its recorded physics is invalid ({exc})") from None
    diffs = compare_physics(recorded, study)
    if diffs:
        what = "; ".join(diffs).replace("(store)", "(made with)").replace("(study)", "(now)")
        raise InputError(f"{damaged} its study was changed after it was made ({what})")
    if int(meta["format_version"]) >= 2 and study.physics_hash() != recorded_hash:
        raise InputError(
            f"{damaged} its physics_hash {printable(recorded_hash)!r} is not the hash of "
            f"its study ({study.physics_hash()})"
        )


def _row_fault(row: tuple) -> str:
    """The key of a malformed row and what is wrong with it."""
    values = dict(zip(COLUMNS, row, strict=True))
    key = ", ".join(f"{name}={_show(values[name])}" for name in ("W", "flux", "L", "sample"))
    for name, kinds in _KINDS.items():
        if not isinstance(values[name], kinds):
            return f"{key}: {name} holds {_kind(values[name])}"
    for name in ("N", "rank", "seconds"):
        if values[name] is not None and values[name] < 0:
            return f"{key}: {name} is negative"
    return f"{key}: a sample without error has no finite T"


def _kind(value: Any) -> str:
    names = {str: "text", bytes: "a blob", int: "an integer", float: "a real"}
    return names.get(type(value), "NULL")


def _show(value: Any) -> str:
    text = printable(repr(value))
    return text if len(text) <= 24 else text[:21] + "..."


# ------------------------------------------------------------------ format 3
#: Why a chunk row is malformed (the first that holds; see :mod:`betascale.store.chunks`).
_CHUNK_FAULTS = (
    *((f"typeof({c}) != 'integer'", f"{c} is not an integer")
      for c in ("M", "start", "count", "rank", "failed")),
    ("count < 1", "count is not positive"),
    *((f"typeof({c}) != 'blob' OR length({c}) != 8 * count",
       f"{c} is not a blob of 8 bytes per sample") for c in ("T", "N", "seconds")),
    ("typeof(errors) NOT IN ('text', 'null')", "errors is not text"),
    ("rank < 0", "rank is negative"),
    ("failed < 0 OR failed > count", "failed is out of range"),
    ("(failed = 0) != (errors IS NULL)", "failed does not match its errors"),
)  # fmt: skip
_CHUNK_MALFORMED = " OR ".join(f"({condition})" for condition, _ in _CHUNK_FAULTS)
_CHUNK_FAULT = (
    "CASE "
    + " ".join(f"WHEN {condition} THEN '{reason}'" for condition, reason in _CHUNK_FAULTS)
    + " END"
)
_OVERLAP = (
    "SELECT W, flux, L, start FROM (SELECT W, flux, L, start, "
    "lag(start + count) OVER (PARTITION BY W, flux, L ORDER BY start) AS previous_stop "
    "FROM chunks) WHERE previous_stop > start LIMIT 1"
)


def check_chunks(conn: sqlite3.Connection, path: Path, study: Study) -> None:
    """Refuse a store of format 3 with a malformed chunk row, one outside ``study``'s
    grid, overlapping ranges of a cell, or blobs whose values are not those of
    samples (a success without finite T, a negative N or time, errors that do not
    name the failed samples). One scan of the table in SQL, one of the blobs."""
    sql = (
        "SELECT W, flux, L, min(M), max(M), min(start), max(start + count - 1), "
        f"count(*) FILTER (WHERE {_CHUNK_MALFORMED}) FROM chunks GROUP BY W, flux, L"
    )
    cells = conn.execute(sql).fetchall()
    malformed = sum(cell[-1] for cell in cells)
    if malformed:
        *first, reason = conn.execute(
            f"SELECT W, flux, L, start, {_CHUNK_FAULT} FROM chunks WHERE {_CHUNK_MALFORMED} LIMIT 1"
        ).fetchone()
        raise InputError(
            f"store {path} is damaged: {malformed} chunk row(s) hold malformed values "
            f"(first: {_chunk_key(first)}: {reason})"
        )
    grid = Grid.of(study)
    for W, flux, L, m_min, m_max, s_min, s_max, _ in cells:
        fault = grid.fault(W, flux, L, (m_min, m_max), (s_min, s_max))
        if fault:
            raise InputError(f"store {path} is damaged: it holds {fault}")
    overlap = conn.execute(_OVERLAP).fetchone()
    if overlap is not None:
        raise InputError(
            f"store {path} is damaged: chunk rows overlap ({_chunk_key(overlap)} "
            "starts inside the previous row)"
        )
    _check_chunk_values(conn, path)


def _check_chunk_values(conn: sqlite3.Connection, path: Path) -> None:
    """The values inside the blobs and the error messages of every chunk row."""
    rows = conn.execute(
        "SELECT W, flux, L, start, count, T, N, seconds, failed, errors FROM chunks"
    ).fetchall()
    for W, flux, L, start, n, T, N, seconds, failed, text in rows:
        fault = _chunk_fault(n, T, N, seconds, failed, text)
        if fault:
            key = _chunk_key((W, flux, L, start))
            raise InputError(f"store {path} is damaged: the chunk row {key} {fault}")


def _chunk_fault(n: int, T: bytes, N: bytes, seconds: bytes, failed: int, text) -> str | None:
    """What is wrong with the values of one chunk row; None if nothing."""
    errors: Any = {}
    if text is not None:
        try:
            errors = json.loads(text)
        except (ValueError, RecursionError):
            return "has undecodable errors"
    good = isinstance(errors, dict) and all(
        isinstance(k, str) and k.isdigit() and int(k) < n and isinstance(v, str)
        for k, v in errors.items()
    )
    if not good or len(errors) != failed:
        return "has errors that do not name its failed samples"
    ok = np.ones(n, dtype=bool)
    ok[[int(k) for k in errors]] = False
    t = np.frombuffer(T, dtype="<f8")
    if not np.isfinite(t[ok]).all():
        return "holds a sample without error and without finite T"
    if (np.frombuffer(N, dtype="<i8") < 0).any():
        return "holds a negative N"
    if (np.frombuffer(seconds, dtype="<f8") < 0).any():
        return "holds a negative solve time"
    return None


def _chunk_key(row: tuple) -> str:
    W, flux, L, start = row
    return f"(W={_show(W)}, flux={_show(flux)}, L={_show(L)}, start={_show(start)})"

"""Shared helpers of the store tests: a small study, deterministic records, the CLI."""

from __future__ import annotations

import math

import numpy as np

from betascale.cli import main
from betascale.store import SampleRecord
from betascale.study import Study, study_from_dict

BASE = {"model": "orthogonal", "E": 1.0, "W": [1.0, 2.0], "L": [4, 6], "samples": 3, "seed": 7}
RUN_INFO = {"versions": {"betascale": "test"}, "git_commit": None}


def make_study(**changes) -> Study:
    return study_from_dict({**BASE, **changes})


def record(
    key: tuple[float, float, int, int], study: Study, error: str | None = None
) -> SampleRecord:
    """A deterministic record for ``key`` = (W, flux, L, sample) with full-precision floats."""
    W, flux, L, sample = key
    rng = np.random.default_rng([int(W * 1000), int(flux * 1000), L, sample])
    if error is not None:
        return SampleRecord(W, L, study.width(L), sample, math.nan, 0, rng.random(), 1, error, flux)
    return SampleRecord(
        W, L, study.width(L), sample, float(rng.random() * L), L, rng.random(), sample % 3,
        None, flux,
    )  # fmt: skip


def keys(study: Study) -> list:
    return list(study.keys())


def cli(capsys, *argv) -> tuple[int, str, str]:
    """Run the console script in this process: (exit status, stdout, stderr)."""
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def one_line_error(status: int, err: str) -> str:
    """The one line of a refusal (exit status 2, no traceback)."""
    assert status == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def sample_rows(conn) -> list[tuple]:
    """The per-sample rows ``(W, flux, L, M, sample, T, N, seconds, rank, error)`` of a
    store of format 3, decoded from its chunk rows, sorted by key."""
    from betascale.store.chunks import read_chunks

    return list(read_chunks(conn).rows())


V2_SCHEMA = """CREATE TABLE samples (
    W REAL NOT NULL, flux REAL NOT NULL, L INTEGER NOT NULL, M INTEGER NOT NULL,
    sample INTEGER NOT NULL, T REAL, N INTEGER NOT NULL, seconds REAL,
    rank INTEGER NOT NULL, error TEXT, PRIMARY KEY (W, flux, L, sample)
) WITHOUT ROWID"""


def downgrade_to_v2(path) -> None:
    """Rewrite a store of format 3 in the layout of format 2 (a ``samples`` row per
    sample), as betascale before issue 18 wrote it."""
    import json
    import sqlite3

    with sqlite3.connect(path) as conn:
        rows = sample_rows(conn)
        conn.execute("DROP TABLE chunks")
        conn.execute(V2_SCHEMA)
        conn.executemany(f"INSERT INTO samples VALUES ({', '.join('?' * 10)})", rows)
        conn.execute("UPDATE meta SET value = ? WHERE key = 'format_version'", (json.dumps(2),))
    conn.close()

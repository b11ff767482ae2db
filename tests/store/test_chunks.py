"""The chunk layout of format 3 (betascale.store.chunks): one row per chunk, exact
values, failures replaced by their retries, older formats read as they are and
migrated when a run opens them."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import numpy as np
import pytest

from betascale.ensemble.tasks import Chunk, ChunkResult
from betascale.store import FORMAT_VERSION, Store
from betascale.store.chunks import rows_to_chunks
from tests.store.helpers import RUN_INFO, V2_SCHEMA, downgrade_to_v2, make_study, sample_rows


def chunk_result(study, start: int, stop: int, errors=(), rank: int = 1) -> ChunkResult:
    """Results of samples ``start .. stop-1`` at W = 1, L = 4 with full-precision T."""
    chunk = Chunk(1.0, 0.0, 4, study.width(4), start, stop)
    rng = np.random.default_rng(start)
    T = rng.random(stop - start) * 4
    for k, _ in errors:
        T[k] = np.nan
    N = np.full(stop - start, 4, dtype=np.int64)
    return ChunkResult(chunk, T, N, rng.random(stop - start), tuple(errors), rank)


def chunk_rows(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        out = conn.execute(
            "SELECT start, count, failed FROM chunks ORDER BY W, L, start"
        ).fetchall()
    conn.close()
    return out


@pytest.fixture
def big():
    return make_study(W=[1.0], L=[4], samples=100)


def test_a_chunk_is_one_row_and_its_values_are_exact(tmp_path, big):
    path = tmp_path / "s.sqlite"
    results = [chunk_result(big, 0, 40), chunk_result(big, 40, 100, rank=2)]
    with Store.open_for_run(path, big, RUN_INFO) as store:
        store.add_chunks(results)
    assert chunk_rows(path) == [(0, 40, 0), (40, 60, 0)]
    with Store.open(path) as store:
        table = store.samples()
        expected = np.concatenate([r.T for r in results])
        assert table.T.tobytes() == expected.tobytes()  # bit for bit
        assert table.sample.tolist() == list(range(100))
        assert table.rank.tolist() == [1] * 40 + [2] * 60
        assert store.count_missing() == 0 and len(store.completed_keys()) == 100


def test_a_retry_replaces_the_failures_it_covers(tmp_path, big):
    path = tmp_path / "s.sqlite"
    failed = chunk_result(big, 0, 50, errors=[(3, "boom"), (20, "bang")])
    with Store.open_for_run(path, big, RUN_INFO) as store:
        store.add_chunks([failed])
        assert [r.sample for r in store.failures()] == [3, 20]
        assert [(a, b) for *_, ranges in store.missing_ranges() for a, b in ranges] == [
            (3, 4),
            (20, 21),
            (50, 100),
        ]
        store.add_chunks([chunk_result(big, 3, 4, rank=5), chunk_result(big, 20, 21, rank=5)])
        assert store.failures() == []
    assert chunk_rows(path) == [(0, 3, 0), (3, 1, 0), (4, 16, 0), (20, 1, 0), (21, 29, 0)]
    with Store.open(path) as store:  # the cut rows pass the integrity checks
        records = {r.sample: r for r in store.records()}
    assert records[3].rank == 5 and records[2].rank == 1 and records[21].rank == 1
    assert records[10].T == failed.T[10] and records[49].seconds == failed.seconds[49]


def test_a_chunk_replaces_overlapping_rows_on_both_sides(tmp_path, big):
    path = tmp_path / "s.sqlite"
    with Store.open_for_run(path, big, RUN_INFO) as store:
        store.add_chunks([chunk_result(big, 0, 30), chunk_result(big, 30, 60)])
        middle = chunk_result(big, 25, 35, errors=[(0, "again")], rank=7)
        store.add_chunks([middle])
        assert chunk_rows(path) == [(0, 25, 0), (25, 10, 1), (35, 25, 0)]
        status = store.status()
        assert (status.completed, status.failed, status.missing) == (59, 1, 41)
        assert store.failures()[0].sample == 25 and store.failures()[0].error == "again"


def test_rows_to_chunks_groups_runs_of_a_cell_and_rank():
    row = (1.0, 0.0, 4, 4)
    rows = [(*row, i, 0.5, 4, 0.1, 0 if i < 3 else 1, None) for i in (0, 1, 2, 3, 5)]
    rows.append((*row, 1, None, 0, 0.2, 0, "boom"))  # a later row of a key replaces it
    chunks = rows_to_chunks(rows)
    assert [(c[4], c[5], c[9], c[10]) for c in chunks] == [(0, 3, 0, 1), (3, 1, 1, 0), (5, 1, 1, 0)]
    assert json.loads(chunks[0][11]) == {"1": "boom"}


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_format_2_store_is_read_as_it_is_and_migrated_by_a_run(filled):
    with Store.open(filled) as store:
        before = store.records()
        samples = store.samples()
    downgrade_to_v2(filled)
    digest = _digest(filled)
    with Store.open(filled) as store:  # read without being rewritten
        assert store.records() == before
        assert store.samples().T.tobytes() == samples.T.tobytes()
        assert store.status().completed == len(before) and store.count_missing() == 0
    assert _digest(filled) == digest
    with Store.open_for_run(filled, make_study(), RUN_INFO) as store:
        assert store.metadata["format_version"] == FORMAT_VERSION == 3
        assert store.records() == before
    with sqlite3.connect(filled) as conn:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert "samples" not in tables and "chunks" in tables


def test_a_format_1_store_is_migrated_with_its_flux(tmp_path, filled):
    with Store.open(filled) as store:
        before = store.records()
    downgrade_to_v2(filled)
    with sqlite3.connect(filled) as conn:  # format 1: no flux column
        rows = conn.execute("SELECT * FROM samples").fetchall()
        conn.execute("DROP TABLE samples")
        conn.execute(V2_SCHEMA.replace("flux REAL NOT NULL, ", "").replace("flux, ", ""))
        conn.executemany(
            "INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [r[:1] + r[2:] for r in rows]
        )
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'format_version'")
    conn.close()
    with Store.open(filled) as store:
        assert store.records() == before
    with Store.open_for_run(filled, make_study(), RUN_INFO) as store:
        assert store.records() == before
    with sqlite3.connect(filled) as conn:
        assert sample_rows(conn) == [
            (r.W, r.flux, r.L, r.M, r.sample, r.T, r.N, r.seconds, r.rank, r.error) for r in before
        ]
    conn.close()

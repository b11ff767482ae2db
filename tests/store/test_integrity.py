"""A store's metadata and rows are checked, not trusted (betascale.store.integrity)."""

from __future__ import annotations

import json
import shutil
import sqlite3

import numpy as np
import pytest

from betascale.errors import InputError
from betascale.store import Store, sqlite
from tests.store.helpers import (
    RUN_INFO,
    cli,
    downgrade_to_v2,
    keys,
    make_study,
    one_line_error,
    record,
)

READERS = ("status", "analyze", "export", "compare")


def execute(path, sql: str, params: tuple = ()) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(sql, params)
    conn.close()


def readers_refuse(capsys, path, tmp_path) -> list[str]:
    """The one-line error of every command that reads a store."""
    lines = []
    for command in READERS:
        extra = ["--out", tmp_path / f"out-{command}"] if command in ("export", "compare") else []
        status, _, err = cli(capsys, command, path, *extra)
        lines.append(one_line_error(status, err))
    return lines


def edit_study(path, **changes) -> None:
    with sqlite3.connect(path) as conn:
        study = json.loads(conn.execute("SELECT value FROM meta WHERE key = 'study'").fetchone()[0])
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'study'", (json.dumps(study | changes),)
        )
    conn.close()


# ------------------------------------------------------------------ physics hash
def test_an_edited_study_is_refused_for_writing(filled, tmp_path, capsys):
    edit_study(filled, seed=8)  # the audit: the seed changed, physics and hash left alone
    with pytest.raises(InputError, match=r"study was changed .*seed: 7 \(made with\) != 8"):
        Store.open_for_run(filled, make_study(seed=8), RUN_INFO)
    toml = tmp_path / "seed8.toml"
    toml.write_text(make_study(seed=8, samples=5).to_toml())
    status, _, err = cli(capsys, "run", toml, "--out", filled)
    assert "study was changed after it was made" in one_line_error(status, err)
    with Store.open(filled) as store:  # nothing was added
        assert len(store.records()) == len(keys(make_study()))


def test_an_edited_physics_hash_is_refused_for_writing(filled):
    execute(filled, "UPDATE meta SET value = ? WHERE key = 'physics_hash'", ('"0123abcd"',))
    with pytest.raises(InputError, match="physics_hash '0123abcd' is not the hash of its study"):
        Store.open_for_run(filled, make_study(), RUN_INFO)
    execute(filled, "DELETE FROM meta WHERE key = 'physics_hash'")
    with pytest.raises(InputError, match="physics or physics_hash is missing"):
        Store.open_for_run(filled, make_study(), RUN_INFO)


def test_a_store_made_now_passes_its_own_checks(filled):
    with Store.open_for_run(filled, make_study(W=[3.0]), RUN_INFO) as store:  # grown grid
        store.add([record(k, store.study) for k in keys(make_study(W=[3.0]))])
    with Store.open_for_run(filled, make_study(), RUN_INFO) as store:
        assert store.count_missing() == 0


# ------------------------------------------------------------------ sample rows
ROW = "INSERT INTO samples VALUES (?, ?, ?, ?, ?, 1.5, 2, 0.1, 0, NULL)"
#: A chunk row of one sample (format 3): T = 1.5, N = 2, 0.1 s, rank 0, no failure.
CHUNK = (
    "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, 0, 0, NULL)",
    (
        np.array([1.5]).tobytes(),
        np.array([2], dtype="<i8").tobytes(),
        np.array([0.1]).tobytes(),
    ),
)


@pytest.fixture
def filled_v2(filled):
    """The filled store in the layout of format 2 (one row per sample)."""
    downgrade_to_v2(filled)
    return filled


@pytest.mark.parametrize(
    ("key", "fragment"),
    [
        ((9.0, 0.0, 4, 4, 0), "outside its study (W=9.0, flux=0.0, L=4)"),
        ((1.0, 0.5, 4, 4, 0), "outside its study (W=1.0, flux=0.5, L=4)"),
        ((1.0, 0.0, 8, 8, 0), "outside its study (W=1.0, flux=0.0, L=8)"),
        ((1.0, 0.0, 4, 4, -1), "sample=-1; the study has samples 0 to 2"),
        ((1.0, 0.0, 4, 4, 3), "sample=3; the study has samples 0 to 2"),
        ((1.0, 0.0, 4, 4, 2**62), f"sample={2**62}"),
        ((1.0, 0.0, 6, 99, 7), "M=99 at W=1.0, flux=0.0, L=6, but the study's width is M=6"),
    ],
)
@pytest.mark.parametrize("layout", ["chunks", "samples"])
def test_rows_outside_the_study_are_refused(filled, tmp_path, capsys, key, fragment, layout):
    if layout == "samples":
        downgrade_to_v2(filled)
        execute(filled, ROW, key)
    else:
        execute(filled, CHUNK[0], key + CHUNK[1])
    for line in readers_refuse(capsys, filled, tmp_path):
        assert fragment in line
    with pytest.raises(InputError, match="is damaged: it holds sample rows"):
        Store.open_for_run(filled, make_study(), RUN_INFO)


@pytest.mark.parametrize(
    ("sql", "fragment"),
    [
        ("UPDATE samples SET seconds = 'slow' WHERE sample = 0", "seconds holds text"),
        ("UPDATE samples SET rank = 'zero' WHERE sample = 0", "rank holds text"),
        ("UPDATE samples SET error = x'00ff' WHERE sample = 0", "error holds a blob"),
        ("UPDATE samples SET M = 4.5 WHERE sample = 0", "M holds a real"),
        ("UPDATE samples SET N = -3 WHERE sample = 0", "N is negative"),
        ("UPDATE samples SET T = 9e999 WHERE sample = 0", "no finite T"),
        ("UPDATE samples SET T = NULL WHERE sample = 0", "no finite T"),
    ],
)
def test_malformed_rows_are_one_line_errors(filled_v2, tmp_path, capsys, sql, fragment):
    execute(filled_v2, sql)
    for line in readers_refuse(capsys, filled_v2, tmp_path):
        assert "4 sample row(s) hold malformed values" in line and fragment in line


@pytest.mark.parametrize(
    ("sql", "fragment"),
    [
        ("UPDATE chunks SET seconds = 'slow'", "seconds is not a blob of 8 bytes per sample"),
        ("UPDATE chunks SET T = x'00ff'", "T is not a blob of 8 bytes per sample"),
        ("UPDATE chunks SET N = zeroblob(16)", "N is not a blob of 8 bytes per sample"),
        ("UPDATE chunks SET rank = 'zero'", "rank is not an integer"),
        ("UPDATE chunks SET M = 4.5", "M is not an integer"),
        ("UPDATE chunks SET errors = x'00ff', failed = 1", "errors is not text"),
        ("UPDATE chunks SET count = 0", "count is not positive"),
        ("UPDATE chunks SET rank = -1", "rank is negative"),
        ("UPDATE chunks SET failed = 2", "failed is out of range"),
        ("UPDATE chunks SET failed = 1", "failed does not match its errors"),
    ],
)
def test_malformed_chunk_rows_are_one_line_errors(filled, tmp_path, capsys, sql, fragment):
    execute(filled, sql + " WHERE start = 0")
    for line in readers_refuse(capsys, filled, tmp_path):
        assert "4 chunk row(s) hold malformed values" in line and fragment in line


@pytest.mark.parametrize(
    ("sql", "params", "fragment"),
    [
        ("UPDATE chunks SET T = ?", (np.array([np.inf]).tobytes(),), "without finite T"),
        ("UPDATE chunks SET T = ?", (np.array([np.nan]).tobytes(),), "without finite T"),
        ("UPDATE chunks SET N = ?", (np.array([-3], "<i8").tobytes(),), "a negative N"),
        ("UPDATE chunks SET seconds = ?", (np.array([-1.0]).tobytes(),), "negative solve"),
        ("UPDATE chunks SET failed = 1, errors = ?", ('{"1": "x"}',), "do not name its failed"),
        ("UPDATE chunks SET failed = 1, errors = ?", ("[[[",), "undecodable errors"),
        ("UPDATE chunks SET failed = 1, errors = ?", ("[" * 10**5,), "undecodable errors"),
    ],
)
def test_bad_values_in_chunk_blobs_are_refused(filled, tmp_path, capsys, sql, params, fragment):
    execute(filled, sql + " WHERE W = 1.0 AND L = 4 AND start = 0", params)
    for line in readers_refuse(capsys, filled, tmp_path):
        assert "the chunk row (W=1.0, flux=0.0, L=4, start=0)" in line and fragment in line


def test_overlapping_chunk_rows_are_refused(filled, tmp_path, capsys):
    execute(
        filled,
        "UPDATE chunks SET count = 2, T = ?, N = ?, seconds = ? "
        "WHERE W = 1.0 AND L = 6 AND start = 0",
        (np.ones(2).tobytes(), np.ones(2, "<i8").tobytes(), np.ones(2).tobytes()),
    )
    for line in readers_refuse(capsys, filled, tmp_path):
        assert "chunk rows overlap ((W=1.0, flux=0.0, L=6, start=1)" in line


def test_readers_keep_to_their_study_while_a_run_grows_the_grid(filled):
    with Store.open(filled) as reader:
        grown = make_study(W=[1.0, 2.0, 3.0], samples=4)
        with Store.open_for_run(filled, grown, RUN_INFO) as writer:
            writer.add([record(k, grown) for k in keys(grown)])
        n = len(keys(make_study()))
        assert {r.W for r in reader.records()} == {1.0, 2.0} and len(reader.records()) == n
        table = reader.samples()
        assert len(table) == n and set(table.W) == {1.0, 2.0} and table.sample.max() == 2
        assert reader.status().completed == n and len(reader.completed_keys()) == n
    with Store.open(filled) as store:
        assert len(store.samples()) == len(keys(grown))


# ------------------------------------------------------------------ metadata
@pytest.mark.parametrize("key", ["study", "runs", "created", "extra"])
def test_deeply_nested_metadata_is_a_one_line_error(filled, tmp_path, capsys, key):
    deep = "[" * 100_000 + "]" * 100_000
    execute(filled, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, deep))
    for line in readers_refuse(capsys, filled, tmp_path):
        assert f"metadata '{key}' is nested more than 32 levels deep" in line
    deep = json.dumps(
        {"argv": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}
    )
    execute(filled, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, deep))
    with pytest.raises(InputError, match="nested more than 32 levels"):
        Store.open(filled)


def test_oversized_metadata_is_refused_unread(filled, monkeypatch):
    monkeypatch.setattr(sqlite, "MAX_META_BYTES", 50)
    with pytest.raises(InputError, match=r"metadata 'study' is \d+ bytes \(more than 50\)"):
        Store.open(filled)


# ------------------------------------------------------------------ lost WAL
def test_a_store_whose_write_ahead_log_is_lost_says_so(tmp_path, filled, capsys):
    # A database in WAL mode whose every transaction is still in its log (as a store
    # was when betascale switched to WAL before committing its schema), copied alone.
    made, lost = tmp_path / "made.sqlite", tmp_path / "lost.sqlite"
    conn = sqlite3.connect(made, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL").fetchone()
    conn.execute("CREATE TABLE meta (x)")
    shutil.copy(made, lost)
    conn.close()
    with pytest.raises(InputError, match=r"has lost its write-ahead log \(lost.sqlite-wal is"):
        Store.open(lost)
    with pytest.raises(InputError, match="has lost its write-ahead log"):
        Store.open_for_run(lost, make_study(), RUN_INFO)
    status, _, err = cli(capsys, "status", lost)
    assert "transactions are not in the file" in one_line_error(status, err)
    shutil.copy(filled, tmp_path / "copy.sqlite")  # a closed store needs no log
    with Store.open(tmp_path / "copy.sqlite") as store:
        assert len(store.records()) == len(keys(make_study()))


def test_a_new_store_commits_its_schema_before_its_log_holds_anything(tmp_path):
    path, copy = tmp_path / "s.sqlite", tmp_path / "copy.sqlite"
    with Store.open_for_run(path, make_study(), RUN_INFO) as store:
        store.add([record(k, store.study) for k in keys(store.study)[:2]])
        shutil.copy(path, copy)  # the -wal (holding the two samples) is not copied
    with Store.open(copy) as store:  # the study is there; the samples were in the log
        assert store.study == make_study() and store.records() == []

"""Nothing a user types, and no crafted file, can break a store or the machine."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from betascale.errors import InputError
from betascale.store import Store, export_store
from betascale.store.lock import lock_path
from tests.store.helpers import (
    RUN_INFO,
    cli,
    keys,
    make_study,
    one_line_error,
    record,
    sample_rows,
)


def snapshot(path) -> tuple:
    with sqlite3.connect(path) as conn:
        meta = conn.execute("SELECT key, value FROM meta ORDER BY key").fetchall()
        rows = sample_rows(conn)
    conn.close()
    return meta, rows


# ------------------------------------------------------------- huge values
@pytest.mark.parametrize("samples", ["99999999999999999999", "1000000000000"])
def test_a_huge_sample_count_is_refused_before_the_store_changes(tmp_path, filled, capsys, samples):
    toml = tmp_path / "s.toml"
    toml.write_text(make_study().to_toml())
    before = snapshot(filled)
    status, _, err = cli(capsys, "run", toml, "--out", filled, "--samples", samples)
    assert "samples must be <= 1000000000" in one_line_error(status, err)
    assert snapshot(filled) == before
    with Store.open(filled) as store:  # the store is not poisoned
        assert list(store.missing_keys()) == []


def test_missing_keys_are_never_materialized(tmp_path):
    study = make_study(samples=10**9)
    with Store.open_for_run(tmp_path / "big.sqlite", study, RUN_INFO) as store:
        store.add([record(k, study) for k in keys(make_study())])
        first = next(store.missing_keys())
        assert first == (1.0, 0.0, 4, 3)
        cells = list(store.missing_ranges())
        assert cells[0] == (1.0, 0.0, 4, [(3, 10**9)])
        assert store.count_missing() == 4 * 10**9 - 12


# ---------------------------------------------------------------- locking
def test_a_second_run_on_the_same_store_is_refused_at_once(tmp_path):
    study = make_study()
    path = tmp_path / "locked.sqlite"
    with Store.open_for_run(path, study, RUN_INFO):
        code = textwrap.dedent(f"""
            from betascale.store import Store
            from tests.store.helpers import make_study
            Store.open_for_run({str(path)!r}, make_study(), {{}})
        """)
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
            cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
        )  # fmt: skip
        assert proc.returncode != 0
        assert "is being computed by another run" in proc.stderr
        assert f"pid {os.getpid()}" in proc.stderr
    with Store.open_for_run(path, study, RUN_INFO):  # released on close
        pass


def test_a_lock_left_by_a_killed_run_does_not_block(tmp_path):
    path = tmp_path / "killed.sqlite"
    code = textwrap.dedent(f"""
        import os
        from betascale.store import Store
        from tests.store.helpers import make_study
        Store.open_for_run({str(path)!r}, make_study(), {{}})
        os.kill(os.getpid(), 9)
    """)
    root = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
    subprocess.run([sys.executable, "-c", code], cwd=root, timeout=60, check=False)
    assert lock_path(path).exists()
    with Store.open_for_run(path, make_study(), RUN_INFO) as store:
        assert [r["status"] for r in store.metadata["runs"]] == ["killed", "running"]


# ---------------------------------------------------------- foreign files
def test_a_refused_foreign_sqlite_file_is_not_touched(tmp_path):
    path = tmp_path / "foreign.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE things (x)")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(InputError, match="is not a betascale store"):
        Store.open_for_run(path, make_study(), RUN_INFO)
    assert path.read_bytes() == before  # not switched to WAL, nothing written
    assert not (tmp_path / "foreign.sqlite-wal").exists()


def test_a_store_with_a_trigger_is_refused(filled, capsys):
    with sqlite3.connect(filled) as conn:
        conn.execute("CREATE TRIGGER wipe AFTER INSERT ON chunks BEGIN DELETE FROM chunks; END")
    conn.close()
    for argv in (["status", filled], ["run", "tiny", "--out", filled]):
        status, _, err = cli(capsys, *argv)
        assert "schema objects betascale did not create (trigger 'wipe')" in one_line_error(
            status, err
        )


@pytest.mark.parametrize(
    ("sql", "params", "fragment"),
    [
        ("UPDATE meta SET value = ? WHERE key = 'format_version'", ('"2"',), "format_version"),
        ("UPDATE meta SET value = ? WHERE key = 'study'", ("{not json",), "not valid JSON"),
        ("UPDATE meta SET value = ? WHERE key = 'runs'", ('{"a": 1}',), "runs are not a list"),
        ("UPDATE chunks SET T = ? WHERE start = 0", ("abc",), "malformed values"),
        ("UPDATE meta SET value = ? WHERE key = 'study'", ("[1, 2]",), "study is not a table"),
    ],
)
def test_crafted_metadata_and_rows_are_one_line_errors(filled, capsys, sql, params, fragment):
    with sqlite3.connect(filled) as conn:
        conn.execute(sql, params)
    conn.close()
    for command in ("status", "analyze", "export"):
        status, _, err = cli(capsys, command, filled)
        assert fragment in one_line_error(status, err)


def test_overwritten_pages_are_a_one_line_error(filled, capsys):
    data = bytearray(filled.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    filled.write_bytes(bytes(data))
    status, _, err = cli(capsys, "status", filled)
    assert "betascale store" in one_line_error(status, err)


def test_control_characters_in_a_stored_name_are_never_printed(filled, capsys):
    with sqlite3.connect(filled) as conn:
        study = json.loads(conn.execute("SELECT value FROM meta WHERE key = 'study'").fetchone()[0])
        study["name"] = "evil\x1b[2J\x1b[31m"
        conn.execute("UPDATE meta SET value = ? WHERE key = 'study'", (json.dumps(study),))
    conn.close()
    for command in ("status", "analyze"):
        status, out, err = cli(capsys, command, filled)
        line = one_line_error(status, err)
        assert "\x1b" not in out + err and "\\x1b" in line


# ------------------------------------------------------------------ export
def test_export_replaces_a_planted_symlink_and_never_follows_it(tmp_path, filled):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "out.csv"
    out.symlink_to(victim)
    for guess in range(10):  # the old predictable temporary names
        (tmp_path / f".out.csv.{os.getpid() + guess}.tmp").symlink_to(victim)
    export_store(filled, out, "csv")
    assert victim.read_text() == "precious"
    assert not out.is_symlink() and out.read_text().startswith("W,flux,L")


# ------------------------------------------------------------ read-only media
def test_a_store_on_read_only_media_opens_for_every_reader(tmp_path, filled, read_only, capsys):
    media = tmp_path / "media"
    media.mkdir()
    shutil.copy(filled, media / "s.sqlite")
    ro = read_only(media) / "s.sqlite"
    for argv in (
        ["status", ro],
        ["analyze", ro, "--boot", "50", "--gmin", "0"],
        ["export", ro, "--out", tmp_path / "e.csv"],
        ["plot", ro, "--out", tmp_path / "figs", "--boot", "50"],
    ):
        status, _, err = cli(capsys, *argv)
        assert status == 0, err
    status, _, err = cli(capsys, "run", "tiny", "--out", ro)
    assert "Read-only file system" in one_line_error(status, err)

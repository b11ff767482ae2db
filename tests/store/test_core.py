"""Tests of betascale.store.core: refusal, extension, failures, status, crash safety."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime

import numpy as np
import pytest

from betascale.errors import InputError
from betascale.store import FORMAT_VERSION, SampleRecord, Store, collect_run_info
from betascale.study import study_from_dict
from tests.store.helpers import BASE, RUN_INFO, keys, make_study, record, sample_rows


# ------------------------------------------------------------- creation
def test_new_store_records_study_and_run(store, study):
    assert store.path.is_file()
    assert store.study == study
    meta = store.metadata
    assert meta["format_version"] == FORMAT_VERSION
    assert study_from_dict(meta["study"]) == study
    assert meta["physics_hash"] == study.physics_hash()
    assert meta["physics"] == study.physics()
    (run,) = meta["runs"]
    assert run["status"] == "running" and run["end"] is None
    assert run["versions"] == {"betascale": "test"}
    assert run["study"] == study.to_dict() and run["pid"] == os.getpid()
    datetime.fromisoformat(run["start"])


def test_store_uses_wal(store):
    mode = store.conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_finish_run_records_end_and_status(store):
    store.finish_run("complete")
    (run,) = store.metadata["runs"]
    assert run["status"] == "complete"
    assert datetime.fromisoformat(run["end"]) >= datetime.fromisoformat(run["start"])
    with pytest.raises(ValueError, match="run status"):
        store.finish_run("done")


def test_collect_run_info():
    info = collect_run_info()
    assert info["versions"]["numpy"] == np.__version__
    assert info["versions"]["betascale"] is not None
    assert {"kwant", "scipy", "mpi4py", "mpi", "python"} <= set(info["versions"])
    assert info["host"] and info["pid"] == os.getpid()
    assert info["git_commit"] is None or len(info["git_commit"].split("-")[0]) == 40
    assert datetime.fromisoformat(info["start"]).tzinfo is not None


# ---------------------------------------------------------- compatibility
@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"E": 1.5}, "E: 1.0 (store) != 1.5 (study)"),
        ({"bc": "periodic", "L": [4, 5]}, "bc: hardwall (store) != periodic (study)"),
        ({"model": "symplectic"}, "hamiltonian: anderson (store) != su2 (study)"),
        ({"solver": "kwant"}, "solver: fast (store) != kwant (study)"),
        ({"seed": 8}, "seed: 7 (store) != 8 (study)"),
        ({"aspect": 2.0, "L": [5, 6]}, "aspect: 1.0 (store) != 2.0 (study)"),
    ],
)
def test_changed_study_is_refused(tmp_path, study, changes, expected):
    path = tmp_path / "s.sqlite"
    with Store.open_for_run(path, study, RUN_INFO) as s:
        s.add([record(k, study) for k in keys(study)[:4]])
    with pytest.raises(InputError) as info:
        Store.open_for_run(path, make_study(**changes), RUN_INFO)
    message = str(info.value)
    assert f"store {path} was made with a different study" in message
    assert expected in message and "use a new store" in message
    with Store.open(path) as s:  # untouched by the refused run
        assert s.study == study
        assert len(s.metadata["runs"]) == 1
        assert len(s.completed_keys()) == 4


def test_another_flux_extends_the_grid(tmp_path):
    # The flux is a grid axis (issue 10): a new flux adds samples of the same disorder.
    unitary = make_study(model="unitary", flux=0.125)
    path = tmp_path / "u.sqlite"
    Store.open_for_run(path, unitary, RUN_INFO).close()
    with Store.open_for_run(path, make_study(model="unitary", flux=0.25), RUN_INFO) as s:
        assert s.study.flux == (0.125, 0.25)


def test_reading_a_store_does_not_check_its_leads_again(tmp_path, monkeypatch):
    """The stored study was checked when made; reading it must not solve lead modes."""
    unitary = make_study(model="unitary", flux=0.125)
    path = tmp_path / "u.sqlite"
    Store.open_for_run(path, unitary, RUN_INFO).close()

    def no_check(spec, M):
        raise AssertionError(f"lead of width {M} checked again")

    monkeypatch.setattr("betascale.thresholds.check_lead", no_check)
    with Store.open(path) as s:
        assert s.study == unitary
    with pytest.raises(AssertionError, match="checked again"):  # a new study is checked
        make_study(model="unitary", flux=0.25)
    # ... and so is the study a run grows the store to
    with pytest.raises(AssertionError, match="checked again"):
        Store.open_for_run(path, unitary, RUN_INFO)


def test_missing_keys_refuses_incompatible_study(store):
    with pytest.raises(InputError, match=r"E: 1\.0"):
        store.missing_keys(make_study(E=1.5))


# -------------------------------------------------------------- extension
def test_resume_computes_only_missing(tmp_path, study):
    path = tmp_path / "s.sqlite"
    with Store.open_for_run(path, study, RUN_INFO) as s:
        s.add([record(k, study) for k in keys(study)[:5]])
        s.finish_run("interrupted")
    with Store.open_for_run(path, study, RUN_INFO) as s:
        assert list(s.missing_keys()) == keys(study)[5:]
        assert [r["status"] for r in s.metadata["runs"]] == ["interrupted", "running"]


def test_raising_samples_extends_the_ensemble(tmp_path, study):
    path = tmp_path / "s.sqlite"
    with Store.open_for_run(path, study, RUN_INFO) as s:
        s.add([record(k, study) for k in keys(study)])
        assert list(s.missing_keys()) == []
    more = make_study(samples=5)
    with Store.open_for_run(path, more, RUN_INFO) as s:
        assert s.study.samples == 5
        missing = list(s.missing_keys())
        assert missing == [k for k in more.keys() if k[3] >= 3]
        assert len(missing) == 2 * 2 * 2
        assert list(s.missing_keys(study)) == []  # the old grid is complete


def test_adding_sizes_and_strengths_extends_the_grid(tmp_path, study):
    path = tmp_path / "s.sqlite"
    with Store.open_for_run(path, study, RUN_INFO) as s:
        s.add([record(k, study) for k in keys(study)])
    other = make_study(W=[3.0], L=[4, 9], samples=2)
    with Store.open_for_run(path, other, RUN_INFO) as s:
        assert s.study.W == (1.0, 2.0, 3.0) and s.study.L == (4, 6, 9)
        # per size, the larger of the stored and the new number of samples: never shrinks
        assert s.study.samples == (3, 3, 2)
        assert list(s.missing_keys(other)) == keys(other)
        union_missing = list(s.missing_keys())
        assert len(union_missing) == 3 * (3 + 3 + 2) - 2 * 2 * 3
        assert all(k[0] == 3.0 or k[2] == 9 for k in union_missing)
        assert json.loads(json.dumps(s.metadata["study"]))["L"] == [4, 6, 9]
    with Store.open(path) as s:
        assert s.study.L == (4, 6, 9)


# ------------------------------------------------------- records, failures
def test_failures_are_recorded_and_retried(store, study):
    keys = list(study.keys())
    store.add([record(k, study) for k in keys[:3]])
    store.add([record(keys[3], study, error="RuntimeError: boom")])
    assert store.completed_keys() == set(keys[:3])
    assert keys[3] in list(store.missing_keys())
    (failure,) = store.failures()
    assert failure.error == "RuntimeError: boom" and math.isnan(failure.T)
    assert failure.key == keys[3]
    store.add([record(keys[3], study)])  # the retry replaces the failure
    assert store.failures() == []
    assert store.completed_keys() == set(keys[:4])
    assert len(store.records()) == 4


def test_non_finite_result_is_a_failure(store, study):
    store.add([dataclasses.replace(record((1.0, 0.0, 4, 0), study), T=math.nan)])
    assert store.completed_keys() == set()
    assert store.failures()[0].error == "non-finite transmission T = nan"


def test_samples_table_sorted_and_exact(store, study):
    keys = list(study.keys())
    records = [record(k, study) for k in keys]
    random.Random(1).shuffle(records)
    store.add(records[:7])
    store.add(records[7:])
    store.add([record(keys[0], study, error="boom")])
    table = store.samples()
    expected = sorted((r for r in records if r.sample != 0 or r.L != 4 or r.W != 1.0),
                      key=lambda r: (r.W, r.L, r.sample))  # fmt: skip
    assert len(table) == len(keys) - 1 == len(expected)
    assert table.T.dtype == np.float64 and table.N.dtype == np.int64
    assert table.T.tolist() == [r.T for r in expected]
    assert table.seconds.tolist() == [r.seconds for r in expected]
    assert list(zip(table.W.tolist(), table.L.tolist(), table.sample.tolist(), strict=True)) == [
        (r.W, r.L, r.sample) for r in expected
    ]
    assert table.M.tolist() == [r.M for r in expected]
    assert table.rank.tolist() == [r.rank for r in expected]


def test_empty_store(store):
    assert len(store.samples()) == 0
    assert store.records() == [] and store.completed_keys() == set()
    store.add([])
    assert store.status().completed == 0


def test_add_accepts_numpy_scalars(store, study):
    r = SampleRecord(np.float64(1.0), np.int64(4), np.int64(4), np.int32(0), np.float64(0.5),
                     np.int64(3), np.float32(0.25), np.int64(0))  # fmt: skip
    store.add([r])
    assert store.completed_keys() == {(1.0, 0.0, 4, 0)}
    assert store.records()[0].seconds == 0.25


def test_add_refuses_records_outside_the_study(store, study):
    with pytest.raises(ValueError, match="width is M=4"):
        store.add([dataclasses.replace(record((1.0, 0.0, 4, 0), study), M=5)])
    with pytest.raises(ValueError, match="not in the study grid"):
        store.add([dataclasses.replace(record((1.0, 0.0, 4, 0), study), W=1.5)])
    with pytest.raises(ValueError, match="not in the study grid"):
        store.add([dataclasses.replace(record((1.0, 0.0, 4, 0), study), flux=0.5)])
    for sample in (-1, 3):  # the study has samples 0, 1 and 2: the checks on open agree
        with pytest.raises(ValueError, match="not in the study grid"):
            store.add([dataclasses.replace(record((1.0, 0.0, 4, 0), study), sample=sample)])
    assert store.records() == []  # the batch is all or nothing


def test_status_counts(store, study):
    keys = list(study.keys())
    store.add([record(k, study) for k in keys[:4]])  # (1.0, 4): 3 done; (1.0, 6): 1 done
    store.add([record(keys[4], study, error="boom")])  # (1.0, 6, 1) failed
    status = store.status()
    cells = {(c.W, c.L): c for c in status.cells}
    assert len(cells) == 4
    assert (cells[1.0, 4].completed, cells[1.0, 4].missing, cells[1.0, 4].failed) == (3, 0, 0)
    assert (cells[1.0, 6].completed, cells[1.0, 6].missing, cells[1.0, 6].failed) == (1, 2, 1)
    assert (cells[2.0, 4].completed, cells[2.0, 4].missing) == (0, 3)
    assert (status.completed, status.missing, status.failed) == (4, 8, 1)
    cpu = sum(record(k, study).seconds for k in keys[:4]) + record(keys[4], study, "x").seconds
    assert status.cpu_seconds == pytest.approx(cpu)
    text = status.format()
    assert "completed 4 of 12 samples; missing 8; failed 1" in text
    assert "W=1 L=6 sample=1 rank=1: boom" in text
    assert "running" in text
    assert json.loads(json.dumps(status.to_dict()))["missing"] == 8


def test_killed_run_is_marked_on_next_open(tmp_path, study):
    path = tmp_path / "s.sqlite"
    code = textwrap.dedent(f"""
        from betascale.store import Store
        from betascale.study import study_from_dict
        Store.open_for_run({str(path)!r}, study_from_dict({BASE!r}), {{}})
    """)
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    with Store.open_for_run(path, study, RUN_INFO) as s:
        assert [r["status"] for r in s.metadata["runs"]] == ["killed", "running"]


# ---------------------------------------------------------------- opening
def test_open_missing_store(tmp_path):
    with pytest.raises(InputError, match=r"store .*missing\.sqlite not found"):
        Store.open(tmp_path / "missing.sqlite")
    assert not (tmp_path / "missing.sqlite").exists()


def test_open_refuses_foreign_files(tmp_path, study):
    text = tmp_path / "study.toml"
    text.write_text("model = 'orthogonal'\n" * 200)
    with pytest.raises(InputError, match="is not a betascale store"):
        Store.open(text)
    with pytest.raises(InputError, match="is not a betascale store"):
        Store.open_for_run(text, study, RUN_INFO)
    assert text.read_text().startswith("model")  # not overwritten
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE things (x)")
    conn.close()
    for opener in (lambda p: Store.open(p), lambda p: Store.open_for_run(p, study, RUN_INFO)):
        with pytest.raises(InputError, match="is not a betascale store"):
            opener(other)


def test_open_refuses_newer_format(tmp_path, study):
    path = tmp_path / "s.sqlite"
    Store.open_for_run(path, study, RUN_INFO).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'format_version'", (json.dumps(99),))
    conn.commit()
    conn.close()
    with pytest.raises(InputError, match="format version 99, newer"):
        Store.open(path)


def test_reader_sees_writer_commits(store, study):
    with Store.open(store.path) as reader:
        assert reader.completed_keys() == set()
        store.add([record(k, study) for k in keys(study)[:2]])
        assert reader.completed_keys() == set(keys(study)[:2])


# ------------------------------------------------------------ crash safety
_WRITER = """
import sys
from betascale.store import SampleRecord, Store
from betascale.study import study_from_dict

path, chunk = sys.argv[1], int(sys.argv[2])
study = study_from_dict({study!r})
store = Store.open_for_run(path, study, {{"writer": True}})
start = len(store.completed_keys())
print(start, flush=True)
W, L = study.W[0], study.L[0]
for first in range(start, study.samples, chunk):
    store.add([SampleRecord(W, L, L, i, i / 7.0, L, i * 1e-3, i % 5)
               for i in range(first, first + chunk)])
"""


def _expected(i: int, L: int) -> tuple:
    return (1.0, 0.0, L, L, i, i / 7.0, L, i * 1e-3, i % 5, None)


def test_kill_9_never_corrupts_and_loses_only_uncommitted(tmp_path):
    settings = {**BASE, "W": [1.0], "L": [4], "samples": 10**8}
    path = tmp_path / "crash.sqlite"
    chunk = 37
    rng = random.Random(2024)
    script = _WRITER.format(study=settings)
    count = 0
    for attempt in range(6):
        proc = subprocess.Popen(
            [sys.executable, "-c", script, str(path), str(chunk)],
            stdout=subprocess.PIPE,
            text=True,
        )
        if attempt % 3 != 2:  # mostly kill while adding; sometimes while opening
            assert int(proc.stdout.readline()) == count
        try:
            proc.wait(timeout=rng.uniform(0.0, 0.25))
        except subprocess.TimeoutExpired:
            pass
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        assert proc.returncode == -signal.SIGKILL, "the writer ended before it was killed"

        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = sample_rows(conn)
        conn.close()
        assert len(rows) >= count  # nothing committed is lost
        assert (len(rows) - count) % chunk == 0  # whole transactions only
        assert rows == [_expected(i, 4) for i in range(len(rows))]  # every record intact
        count = len(rows)
    assert count > 0, "no writer got to commit anything"

    study = study_from_dict(settings)
    with Store.open_for_run(path, study, RUN_INFO) as store:
        runs = store.metadata["runs"]
        assert len(runs) >= 2 and all(r["status"] == "killed" for r in runs[:-1])
        store.add([SampleRecord(1.0, 4, 4, count, 0.5, 4, 0.1, 0)])
        assert len(store.completed_keys()) == count + 1


def test_run_info_records_the_blas_platform():
    info = collect_run_info()
    assert info["machine"]
    blas = [lib for lib in info["blas"] if lib["user_api"] == "blas"]
    assert blas, info["blas"]  # NumPy's BLAS at least
    for lib in blas:
        assert lib["internal_api"] and lib["num_threads"] >= 1
        assert "architecture" in lib  # the kernel (core type) OpenBLAS picked, e.g. Haswell


def test_status_shows_a_killed_run_as_killed_without_a_new_run(tmp_path):
    """A run killed with kill -9 left "running" in the store; status says "killed"."""
    import socket

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    info = {**RUN_INFO, "pid": dead.pid, "host": socket.gethostname()}
    study = make_study()
    with Store.open_for_run(tmp_path / "k.sqlite", study, info) as store:
        store.add([record((1.0, 0.0, 4, 0), study)])  # the run never finishes: as if killed
    with Store.open(tmp_path / "k.sqlite") as store:
        assert store.metadata["runs"][-1]["status"] == "running"  # what the file says
        assert store.status().runs[-1]["status"] == "killed"  # what status shows

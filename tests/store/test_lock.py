"""The run lock belongs to the store file, never to a name, and never writes through a link."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from betascale.cli import main
from betascale.errors import InputError
from betascale.store import Store
from betascale.store.lock import StoreLock, lock_path
from betascale.study import load_study
from tests.store.helpers import RUN_INFO, keys, make_study, one_line_error, record, sample_rows

#: Two studies of the same physics, W = 2 and W = 3 (the audit's wa and wb).
STUDY = 'model = "orthogonal"\nE = 1.0\nL = [4, 6]\nseed = 3\nW = [{W}]\nsamples = {samples}\n'


def rows(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        out = [(r[0], r[2], r[4]) for r in sample_rows(conn)]
    conn.close()
    return out


def test_a_symlink_at_the_lock_path_is_refused_and_never_written_through(tmp_path, capsys):
    victim = tmp_path / "victim"
    victim.write_text("IMPORTANT\n")
    store = tmp_path / "st.sqlite"
    lock_path(store).symlink_to(victim)
    toml = tmp_path / "mid.toml"
    toml.write_text(STORE_STUDY)
    status = main(["run", str(toml), "--out", str(store)])
    line = one_line_error(status, capsys.readouterr().err)
    assert "lock file" in line and "symbolic link" in line
    assert victim.read_text() == "IMPORTANT\n"
    assert not store.exists()  # a refused run changes nothing on disk


def test_a_hard_link_at_the_lock_path_is_refused(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("IMPORTANT\n")
    store = tmp_path / "st.sqlite"
    os.link(victim, lock_path(store))
    with pytest.raises(InputError, match=r"lock file .* is a hard link"):
        Store.open_for_run(store, make_study(), RUN_INFO)
    assert victim.read_text() == "IMPORTANT\n"


@pytest.mark.parametrize("link", ["hard", "symbolic"])
def test_one_lock_per_file_whatever_its_name(tmp_path, link):
    study = make_study()
    store = tmp_path / "a.sqlite"
    other = tmp_path / "other.sqlite"
    with Store.open_for_run(store, study, RUN_INFO) as writer:
        writer.add([record(k, study) for k in keys(study)[:4]])
        if link == "hard":
            os.link(store, other)
        else:
            other.symlink_to(store)
        with pytest.raises(InputError, match="is being computed by another run") as refused:
            Store.open_for_run(other, study, RUN_INFO)
        if link == "symbolic":  # one sidecar, beside the file: the holder is named
            assert f"pid {os.getpid()}" in str(refused.value)
    if link == "hard":  # SQLite's log is named after the path: one name only
        with pytest.raises(InputError, match="has 2 hard links"):
            Store.open_for_run(other, study, RUN_INFO)
        store.unlink()
    with Store.open_for_run(other, study, RUN_INFO) as second:  # released on close
        assert len(second.records()) == 4


def test_the_lock_creates_a_new_store_so_that_two_runs_race_for_one_lock(tmp_path):
    store = tmp_path / "new.sqlite"
    with StoreLock(store):
        assert store.exists() and store.stat().st_size == 0
        with pytest.raises(InputError, match="being computed by another run"):
            StoreLock(store).acquire()
    with Store.open_for_run(store, make_study(), RUN_INFO) as s:  # the empty file is a new store
        assert s.records() == []


def test_a_run_through_a_hard_link_is_refused_and_no_committed_sample_vanishes(tmp_path, capsys):
    """The audit's scenario: ``run wa --out a.sqlite &``, then ``run wb --out hard.sqlite``
    (the first run is played by a writer of this process, holding the store open; the
    link is made after it started, since a store with two names is not opened to write)."""
    wa, wb = tmp_path / "wa.toml", tmp_path / "wb.toml"
    wa.write_text(STUDY.format(W=2.0, samples=800))
    wb.write_text(STUDY.format(W=3.0, samples=20))
    a, hard = tmp_path / "a.sqlite", tmp_path / "hard.sqlite"
    assert main(["run", str(wb), "--out", str(a), "--samples", "1"]) == 0
    study = load_study(wa)
    with Store.open_for_run(a, study, RUN_INFO) as first:
        first.add([record(k, study) for k in list(study.keys())[:500]])  # committed
        os.link(a, hard)
        capsys.readouterr()
        status = main(["run", str(wb), "--out", str(hard)])
        line = one_line_error(status, capsys.readouterr().err)
        assert "is being computed by another run" in line
        first.add([record(k, study) for k in list(study.keys())[500:]])
        first.finish_run("complete")
    seen = rows(a)
    assert rows(hard) == seen and len(seen) == 2 + 1600
    with Store.open(hard) as store:
        assert [r["status"] for r in store.metadata["runs"]] == ["complete", "complete"]
    # a store with two names is not written at all (its log is named after the path)
    status = main(["run", str(wb), "--out", str(hard)])
    assert "has 2 hard links" in one_line_error(status, capsys.readouterr().err)
    a.unlink()
    assert main(["run", str(wb), "--out", str(hard)]) == 0
    after = rows(hard)
    assert set(seen) <= set(after) and len(after) == len(seen) + 2 * 20 - 2


STORE_STUDY = STUDY.format(W=2.0, samples=2)


_SECOND_OPEN = """
import os, signal, subprocess, sys
from tests.store.helpers import RUN_INFO, keys, make_study, record
from betascale.errors import InputError
from betascale.store import Store

path, mode = sys.argv[1], sys.argv[2]
study = make_study()
ks = keys(study)
writer = Store.open_for_run(path, study, RUN_INFO)
writer.add([record(k, study) for k in ks[:4]])
if mode == "run":
    try:
        Store.open_for_run(path, study, RUN_INFO)
    except InputError:
        pass
else:
    Store.open(path).close()
# another process reads the store and closes it (as `betascale status` does)
code = f"from betascale.store import Store; Store.open({path!r}).close()"
subprocess.run([sys.executable, "-c", code], check=True)
writer.add([record(k, study) for k in ks[4:12]])
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.parametrize("mode", ["run", "read"])
def test_a_second_open_in_the_running_process_keeps_the_run_s_commits(tmp_path, mode):
    """Closing a second descriptor of the store would drop the run's SQLite locks; another
    process would then checkpoint and delete the -wal the run still commits into, and a
    kill -9 would lose those commits. A second open in the running process opens nothing."""
    path = tmp_path / "s.sqlite"
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-c", _SECOND_OPEN, str(path), mode],
        cwd=root, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == -9, proc.stderr
    with Store.open(path) as store:
        assert len(store.records()) == 12


def test_a_run_refused_by_the_store_leaves_no_lock_file_behind(tmp_path):
    path = tmp_path / "s.sqlite"
    with Store.open_for_run(path, make_study(seed=1), RUN_INFO):
        pass
    lock_path(path).unlink()  # as after copying a store without its lock file
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(InputError, match="seed"):
        Store.open_for_run(path, make_study(seed=2), RUN_INFO)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    with Store.open_for_run(path, make_study(seed=1), RUN_INFO):  # the lock still works
        assert lock_path(path).is_file()

"""Bad input of every kind ends in one line naming the problem, exit status 2, no traceback.

The table below is the list of inputs of issue 8 (and more): unwritable output paths
for every command that writes, damaged and foreign stores, impossible study values
and options. Each case runs the CLI in this process; a traceback would be an
uncaught exception and fail the test.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from betascale.cli import main
from betascale.store import Store
from tests.store.helpers import RUN_INFO, keys, make_study, record

GOOD = """
model = "orthogonal"
E = 1.0
W = [2.0]
L = [6, 10]
samples = 3
seed = 1
"""


class Env:
    """Files and directories the cases refer to (made lazily, per test)."""

    def __init__(self, tmp_path: Path, read_only, small_disk_factory) -> None:
        self.tmp = tmp_path
        self._read_only = read_only
        self._small_disk = small_disk_factory

    @property
    def store(self) -> Path:
        path = self.tmp / "good.sqlite"
        if not path.exists():
            study = make_study()
            with Store.open_for_run(path, study, RUN_INFO) as store:
                store.add([record(k, study) for k in keys(study)])
                store.finish_run("complete")
        return path

    @property
    def study(self) -> Path:
        return self.text("good.toml", GOOD)

    def text(self, name: str, content: str) -> Path:
        path = self.tmp / name
        path.write_text(content)
        return path

    @property
    def file(self) -> Path:
        return self.text("a-file", "x")

    @property
    def directory(self) -> Path:
        path = self.tmp / "a-dir"
        path.mkdir(exist_ok=True)
        return path

    @property
    def fifo(self) -> Path:
        path = self.tmp / "a-fifo"
        if not path.exists():
            os.mkfifo(path)
        return path

    @property
    def ro(self) -> Path:
        source = self.tmp / "ro-src"
        source.mkdir(exist_ok=True)
        return self._read_only(source)

    @property
    def small_disk(self) -> Path:
        return self._small_disk()

    @property
    def full(self) -> Path:
        disk = self._small_disk()
        try:  # fill it up
            with open(disk / "filler", "wb") as f:
                while True:
                    f.write(b"\0" * 4096)
                    f.flush()
        except OSError:
            pass
        return disk

    @property
    def foreign(self) -> Path:
        path = self.tmp / "foreign.sqlite"
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS things (x)")
        conn.close()
        return path

    @property
    def corrupt(self) -> Path:
        path = self.tmp / "corrupt.sqlite"
        shutil.copy(self.store, path)
        data = bytearray(path.read_bytes())
        data[100:4096] = b"\xff" * (4096 - 100)
        path.write_bytes(bytes(data))
        return path


# (case id, argv with {placeholders} for Env attributes, fragment of the message)
CASES = [
    # run: output paths
    ("run-proc", "run {study} --out /proc/nope/s.sqlite", "cannot create the directory"),
    ("run-out-dir", "run {study} --out {directory}", "is a directory"),
    ("run-under-file", "run {study} --out {file}/s.sqlite", "is not a directory"),
    ("run-out-dir-file", "run {study} --out-dir {file}", "is not a directory"),
    ("run-read-only", "run {study} --out {ro}/s.sqlite", "Read-only file system"),
    ("run-full-disk", "run {many} --out {full}/s.sqlite --quiet", "No space left on device"),
    ("run-disk-fills", "run {many} --out {small_disk}/s.sqlite --quiet", "disk is full"),
    # run: study files and values
    ("run-study-dir", "run {directory}", "is a directory"),
    ("run-study-fifo", "run {fifo}", "not a regular file"),
    ("run-study-missing", "run {tmp}/none.toml", "not found"),
    ("run-huge-L", "run {huge_L}", "L must be <= 1000000"),
    ("run-long-name", "run {long_name}", "name must be at most 100 characters"),
    ("run-huge-samples", "run {study} --samples 99999999999999999999", "samples must be <="),
    ("run-zero-samples", "run {study} --samples 0", "samples must be >= 1"),
    ("run-log-interval", "run {study} --log-interval 0", "--log-interval must be > 0"),
    ("run-nested", "run {nested}", "nested too deeply"),
    ("run-flux-period", "run {flux_period}", "flux must lie in (-1/2, 1/2)"),
    ("run-threshold", "run {threshold}", "use a nearby energy such as E = "),
    ("run-no-channel", "run {no_channel}", "no lead channel is open"),
    ("run-foreign", "run {study} --out {foreign}", "is not a betascale store"),
    ("run-corrupt", "run {study} --out {corrupt}", "is not a betascale store"),
    ("run-text-file", "run {study} --out {file}", "is not a betascale store"),
    # plot, compare, rg, export: output paths
    ("plot-proc", "plot {store} --out /proc/nope", "cannot write to /proc/nope"),
    ("plot-file", "plot {store} --out {file}", "is not a directory"),
    ("plot-read-only", "plot {store} --out {ro}/figs", "Read-only file system"),
    ("plot-full-disk", "plot {store} --out {full}/figs --boot 50 --gmin 0", "No space left"),
    ("compare-proc", "compare {store} --out /proc/nope", "cannot write to /proc/nope"),
    ("compare-file", "compare {store} --out {file}", "is not a directory"),
    ("compare-read-only", "compare {store} --out {ro}", "Read-only file system"),
    ("rg-proc", "rg --diagram --nv 2 --out /proc/nope", "cannot write to /proc/nope"),
    ("rg-file", "rg --diagram --nv 2 --out {file}", "is not a directory"),
    ("rg-read-only", "rg --diagram --nv 2 --out {ro}", "Read-only file system"),
    ("export-proc", "export {store} --out /proc/nope/x.csv", "cannot write /proc/nope/x.csv"),
    ("export-dir", "export {store} --out {directory}", "is a directory"),
    ("export-under-file", "export {store} --out {file}/x.csv", "cannot write"),
    ("export-read-only", "export {store} --out {ro}/x.csv", "Read-only file system"),
    ("export-full-disk", "export {store} --out {full}/x.nc", "No space left"),
    # stores given to readers
    ("status-dir", "status {directory}", "is not a file"),
    ("status-fifo", "status {fifo}", "is not a file"),
    ("status-text", "status {study}", "is not a betascale store"),
    ("status-foreign", "status {foreign}", "is not a betascale store"),
    ("status-corrupt", "status {corrupt}", "is not a betascale store"),
    ("analyze-corrupt", "analyze {corrupt}", "is not a betascale store"),
    ("export-corrupt", "export {corrupt}", "is not a betascale store"),
    ("plot-corrupt", "plot {corrupt} --out {tmp}/f", "is not a betascale store"),
    ("plot-missing-store", "plot {tmp}/none.sqlite", "not found"),  # default --out
    ("plot-few-boot", "plot {store} --boot 5 --out {tmp}/f", "at least 20 replicates"),
    ("compare-missing-store", "compare {tmp}/none.sqlite --out {tmp}/c", "not found"),
    ("compare-name", "compare {store} --out {tmp}/c --name ../x", "is not a plain file name"),
    (
        "universality-missing-store",
        "universality --orthogonal a={tmp}/none.sqlite b={tmp}/no.sqlite --out {tmp}/u",
        "no store at",
    ),
    ("demo-few-boot", "demo --boot 5 --out {tmp}/d", "--boot must be >= 20"),
    # analysis options
    ("analyze-huge-boot", "analyze {store} --boot 100000000000", "--boot must be <= 100000"),
    ("analyze-few-boot", "analyze {store} --boot 5", "at least 20 replicates"),
    ("analyze-ci", "analyze {store} --ci 2", "--ci must lie in (0, 1)"),
    ("analyze-lmin", "analyze {store} --lmin 100", "lmin"),
    ("analyze-seed", "analyze {store} --seed -1", "argument --seed: seed must be >= 0"),
    ("plot-seed", "plot {store} --seed -1 --out {tmp}/f", "argument --seed: seed must be >= 0"),
    ("compare-seed", "compare {store} --seed -1", "argument --seed: seed must be >= 0"),
    ("fss-seed", "fss {store} --seed x", "argument --seed: expected an integer"),
    # single samples
    ("conductance-threshold", "conductance --L 128 --W 3", "use a nearby energy such as E = "),
    ("conductance-huge", "conductance --L 10000000 --W 1", "needs about"),
    ("conductance-no-channel", "conductance --L 4 --W 1 --E 3.99", "no lead channel is open"),
    ("conductance-seed", "conductance --L 4 --W 1 --seed -1", "--seed must be >= 0"),
    ("conductance-width", "conductance --L 4 --M 0 --W 1", "M must be at least 1"),
    ("conductance-flux-M", "conductance --L 8 --W 1 --flux 0.1 --bc periodic", "flux*M"),
    ("conductance-flux-period", "conductance --L 4 --W 1 --flux 1e300", "--flux must lie in"),
    ("conductance-flux-half", "conductance --L 4 --W 1 --flux 0.5", "periodic with period 1"),
    ("conductance-flux-one", "conductance --L 4 --W 1 --flux -1", "periodic with period 1"),
    ("conductance-both", "conductance --L 4 --W 1 --model unitary --soc ando", "soc"),
    ("conductance-S", "conductance --L 4 --W 1 --hamiltonian anderson --S 0.5", "only used by"),
    ("bench-size", "bench --sizes 1", "sizes must be >= 2"),
    ("demo-ranks", "demo --ranks 0", "--ranks must be >= 1"),
]

STUDY_FILES = {
    "many": GOOD.replace("samples = 3", "samples = 100000").replace("[6, 10]", "[4, 6]"),
    "huge_L": GOOD.replace("[6, 10]", "[9223372036854775807]"),
    "long_name": GOOD + 'name = "' + "n" * 300 + '"\n',
    "threshold": GOOD.replace("[6, 10]", "[6, 8]"),
    "nested": GOOD + "aspect = " + "[" * 1000 + "]" * 1000 + "\n",
    "flux_period": GOOD.replace('model = "orthogonal"', 'hamiltonian = "anderson"')
    + "flux = [0.0, 0.5, 1.0]\n",
    "no_channel": GOOD.replace("E = 1.0", "E = 3.99").replace("[6, 10]", "[6, 24]"),
}


@pytest.fixture
def env(tmp_path, read_only, request):
    def small_disk():
        return request.getfixturevalue("small_disk")

    return Env(tmp_path, read_only, small_disk)


class _Lazy(dict):
    def __init__(self, env: Env) -> None:
        super().__init__()
        self.env = env

    def __missing__(self, key: str) -> str:
        if key in STUDY_FILES:
            return str(self.env.text(f"{key}.toml", STUDY_FILES[key]))
        if key == "tmp":
            return str(self.env.tmp)
        return str(getattr(self.env, key))


@pytest.mark.parametrize(("case", "argv", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_ends_in_one_line(env, capsys, monkeypatch, case, argv, fragment):
    monkeypatch.chdir(env.tmp)
    args = argv.format_map(_Lazy(env)).split()
    before = _tree(env.tmp)
    try:
        status = main(args)
    except SystemExit as exc:  # argparse
        status = exc.code
    _, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert status == 2, err
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("betascale "), err
    assert fragment in lines[0], lines[0]
    if "disk" not in case:  # a full disk is no bad input: a run keeps what it finished
        assert _tree(env.tmp) == before, "bad input changed files on disk"


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``root``: files with their size and modification time, directories
    with none (a temporary file made and removed in one changes its time, nothing else).

    Of a store's lock file only its presence counts: a run that opens a store names
    itself in the file's text, and the file outlives every run by design; a refused
    run that made it removes it.
    """
    found: dict[str, tuple[int, int]] = {}
    for path in sorted(root.rglob("*")):
        if path.suffix == ".lock":
            found[str(path.relative_to(root))] = (-1, -1)
            continue
        stat = path.lstat()
        is_dir = path.is_dir() and not path.is_symlink()
        found[str(path.relative_to(root))] = (0, 0) if is_dir else (stat.st_size, stat.st_mtime_ns)
    return found

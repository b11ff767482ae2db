"""Shared fixtures and settings of the betascale tests."""

import contextlib
import os
import subprocess
from pathlib import Path

import pytest

# One BLAS thread, as in production runs (and so tests do not oversubscribe CI).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def _mount(args: list[str], target: Path) -> None:
    proc = subprocess.run(["mount", *args, str(target)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"this machine cannot mount for the test ({proc.stderr.strip()})")


def _umount(target: Path) -> None:
    with contextlib.suppress(OSError):
        subprocess.run(["umount", "-l", str(target)], capture_output=True, check=False)


@pytest.fixture
def small_disk(tmp_path):
    """A 200 kB tmpfs directory (a disk that fills up); needs the right to mount."""
    target = tmp_path / "small_disk"
    target.mkdir()
    _mount(["-t", "tmpfs", "-o", "size=200k", "tmpfs"], target)
    yield target
    _umount(target)


@pytest.fixture
def read_only(tmp_path):
    """``make(dir)`` bind-mounts ``dir`` read-only elsewhere and returns that path."""
    mounted = []

    def make(source: Path) -> Path:
        target = tmp_path / f"ro_{len(mounted)}"
        target.mkdir()
        _mount(["--bind", str(source)], target)
        mounted.append(target)
        _mount(["-o", "remount,ro,bind"], target)
        return target

    yield make
    for target in reversed(mounted):
        _umount(target)

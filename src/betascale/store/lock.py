"""An advisory lock that keeps two runs from computing into one store at once.

The lock is ``flock`` on a sidecar file ``STORE.lock`` that names its holder (host
and process id). The kernel releases it when the holder dies, however it dies, so a
lock left by a killed run never blocks the next one. ``flock`` is local to one host
(and unreliable on some network filesystems), as is SQLite's WAL mode.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from pathlib import Path

from betascale.errors import InputError


def lock_path(store: Path) -> Path:
    """The lock file of a store: ``STORE.lock`` beside it."""
    return store.with_name(store.name + ".lock")


class StoreLock:
    """Hold the run lock of a store; refuse at once if another run holds it."""

    def __init__(self, store: Path) -> None:
        self.path = lock_path(store)
        self._fd: int | None = None

    def acquire(self) -> StoreLock:
        """Take the lock, or raise InputError naming the run that holds it."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise InputError(f"cannot create the lock file {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise InputError(
                f"store {self.path.with_suffix('')} is being computed by another run ({holder}); "
                "wait for it to finish, or use another store"
            ) from None
        self._fd = fd
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"host {socket.gethostname()} pid {os.getpid()}\n".encode())
        except OSError as exc:
            self.release()
            raise InputError(f"cannot write the lock file {self.path}: {exc.strerror}") from None
        return self

    def release(self) -> None:
        """Release the lock (idempotent)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
            self._fd = None

    def __enter__(self) -> StoreLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    with contextlib.suppress(OSError):
        text = os.pread(fd, 200, 0).decode(errors="replace").strip()
        if text:
            return text.replace("\n", " ")
    return "holder unknown"

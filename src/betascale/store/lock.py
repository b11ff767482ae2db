"""An advisory lock that keeps two runs from computing into one store at once.

The lock is ``flock`` on the store file itself, so it belongs to the file (its device
and inode), not to a name: a hard link or a symbolic link to a store is the same
store and is locked by the same lock. The store file is created (empty, which SQLite
takes for an empty database) by the ``open`` that locks it, so two runs creating a
new store race for one lock, never for two files. ``flock`` locks are independent
of the POSIX (``fcntl``) record locks that SQLite takes on the same file (Linux,
local filesystems: see ``flock(2)``), so the lock never interferes with SQLite.

A store with several names (hard links) is not written at all (see
:func:`_check_one_name`); a symbolic link is followed to the one file.

A sidecar file ``STORE.lock`` names the holder (host and process id) for the message
a refused run prints; it is opened with ``O_NOFOLLOW`` and must be a plain file of one
name, so a link planted there is refused instead of written through.

The kernel releases the lock when the holder dies, however it dies, so a lock left
by a killed run never blocks the next one. ``flock`` is local to one host (and
unreliable on some network filesystems), as is SQLite's WAL mode.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import stat
import threading
from pathlib import Path

from betascale.errors import InputError

#: Permission bits of a store created by the lock (SQLite's default; the umask applies).
_STORE_MODE = 0o644
#: Stores this process is running into, by file identity (device, inode). Closing any
#: descriptor of a file drops every POSIX lock the process holds on it, SQLite's
#: included, so a second open of such a store in this process must not open the file.
_RUNNING: set[tuple[int, int]] = set()
_RUNNING_GUARD = threading.Lock()


def running_here(store: Path) -> bool:
    """Whether this process holds the run lock of ``store`` (the file, whatever its name)."""
    try:
        info = os.stat(store)
    except OSError:
        return False
    with _RUNNING_GUARD:
        return (info.st_dev, info.st_ino) in _RUNNING


def lock_path(store: Path) -> Path:
    """The sidecar naming the holder of a store's lock: ``STORE.lock`` beside it (beside
    the file a symbolic link names, for a store reached through one)."""
    return store.with_name(store.name + ".lock")


class StoreLock:
    """Hold the run lock of a store; refuse at once if another run holds it."""

    def __init__(self, store: Path) -> None:
        self.store = Path(store)
        self.path = lock_path(Path(os.path.realpath(self.store)))  # one sidecar per file
        self._fd: int | None = None
        self._identity: tuple[int, int] | None = None
        self._made: tuple[bool, bool] = (False, False)  # (store file, sidecar) created

    def acquire(self) -> StoreLock:
        """Take the lock (creating the store file empty if it does not exist yet).

        Raises
        ------
        InputError
            If another run holds the lock (naming it when its sidecar says who),
            the store or the sidecar cannot be created, or the sidecar is a link.
        """
        if running_here(self.store):  # refused without opening the file (see _RUNNING)
            raise InputError(
                f"store {self.store} is being computed by another run (host "
                f"{socket.gethostname()} pid {os.getpid()}, this process); wait for it to "
                "finish, or use another store"
            )
        fd, created = _open_store(self.store)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise InputError(
                f"store {self.store} is being computed by another run ({_holder(self.path)}); "
                "wait for it to finish, or use another store"
            ) from None
        self._fd = fd
        self._made = (created, not os.path.lexists(self.path))
        try:
            _check_one_name(self.store, fd)
            _write_holder(self.path)
        except BaseException:
            self.abandon()  # a refused run leaves nothing behind
            raise
        info = os.fstat(fd)
        self._identity = (info.st_dev, info.st_ino)
        with _RUNNING_GUARD:
            _RUNNING.add(self._identity)
        return self

    def release(self) -> None:
        """Release the lock (idempotent). Call it after closing the store's connection:
        closing a descriptor of the file drops the process's POSIX locks on it."""
        if self._identity is not None:
            with _RUNNING_GUARD:
                _RUNNING.discard(self._identity)
            self._identity = None
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def abandon(self) -> None:
        """Release the lock of a run refused before it wrote anything, and remove what
        :meth:`acquire` created for it (the empty store file, the sidecar), so that a
        refused run leaves the disk as it found it."""
        made_store, made_sidecar = self._made
        if self._fd is not None and made_store:
            _remove_if_empty(self.store, self._fd)
        if self._fd is not None and made_sidecar:
            with contextlib.suppress(OSError):
                if stat.S_ISREG(os.lstat(self.path).st_mode):
                    os.unlink(self.path)
        self.release()

    def __enter__(self) -> StoreLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _open_store(store: Path) -> tuple[int, bool]:
    """A read-only descriptor of the store file, and whether this call created it
    (empty; symbolic links followed: the lock belongs to the file they name). Never
    blocks (a FIFO)."""
    flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        try:
            fd, created = os.open(store, flags | os.O_CREAT | os.O_EXCL, _STORE_MODE), True
        except FileExistsError:
            fd, created = os.open(store, flags), False
    except OSError as exc:
        raise InputError(f"cannot create store {store}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise InputError(f"cannot use {store} as a store: it is not a regular file")
    return fd, created


def _remove_if_empty(store: Path, fd: int) -> None:
    """Remove the store file this run created, if it is still that empty file."""
    with contextlib.suppress(OSError):
        mine, now = os.fstat(fd), os.stat(store)
        if (mine.st_dev, mine.st_ino) == (now.st_dev, now.st_ino) and now.st_size == 0:
            os.unlink(store)


def _check_one_name(store: Path, fd: int) -> None:
    """Refuse to write a store that has several names (hard links).

    SQLite names the write-ahead log after the path it opens (``NAME-wal``). A run
    killed through one name leaves its last commits in that name's log; a run through
    another name neither sees nor replays them, and when the first name is opened
    again its stale log is replayed over the newer file: committed samples vanish.
    """
    links = os.fstat(fd).st_nlink
    if links > 1:
        raise InputError(
            f"store {store} has {links} hard links; SQLite names its write-ahead log after "
            "the path, so writing a store through several names can lose samples: keep one "
            "name (remove the other links; a symbolic link is fine)"
        )


def _write_holder(path: Path) -> None:
    """Write ``host H pid P`` into the sidecar, never through a link."""
    flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, _STORE_MODE)
    except OSError as exc:
        if os.path.islink(path):
            raise InputError(
                f"refusing the lock file {path}: it is a symbolic link (remove it)"
            ) from None
        raise InputError(f"cannot create the lock file {path}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            what = "not a regular file" if not stat.S_ISREG(info.st_mode) else "a hard link"
            raise InputError(f"refusing the lock file {path}: it is {what} (remove it)")
        os.ftruncate(fd, 0)
        os.write(fd, f"host {socket.gethostname()} pid {os.getpid()}\n".encode())
    except OSError as exc:
        raise InputError(f"cannot write the lock file {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _holder(path: Path) -> str:
    """The holder named by the sidecar (read without following a link)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK)
        try:
            text = os.read(fd, 200).decode(errors="replace").strip()
        finally:
            os.close(fd)
        if text:
            return text.replace("\n", " ")
    return "holder unknown"

"""The one policy for every file betascale writes: atomic, never through a link.

A file is written to a new temporary file in its destination directory (created
exclusively with ``O_CREAT | O_EXCL | O_NOFOLLOW`` under an unpredictable name),
flushed and ``fsync``-ed, then renamed onto its name with :func:`os.replace`. So:

* a reader sees the old file or the new one, never half a file;
* a symlink planted at the name is replaced, never followed (the rename replaces
  the directory entry; it does not open the target);
* the file gets the permissions of any other file the user creates (``0o666`` less
  the umask, applied by the kernel), not the ``0o600`` of :func:`tempfile.mkstemp`;
* the temporary name stays within the 255-byte limit of a file name whatever the
  length of the destination name;
* an error (``ENOSPC`` "No space left on device", ``EFBIG`` "File too large",
  ``EACCES``...) raises one :class:`~betascale.errors.InputError` line that names
  the destination, and no temporary file is left behind.

:func:`atomic_write` is the context manager for one file; :func:`write_bytes` and
:func:`write_text` write one file at once; :func:`write_files` writes a set (the
figures of a command) all or nothing. The rename is the POSIX ``rename(2)``
guarantee (IEEE Std 1003.1: "If the link named by the new argument exists, it shall
be removed and old renamed to new"); fsync before rename is the pattern of
``rename(2)``-based atomic replacement described in the Linux ``ext4`` notes
(``Documentation/admin-guide/ext4.rst``, ``auto_da_alloc``).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from betascale.errors import InputError
from betascale.text import printable

#: Longest file name (bytes) on the usual filesystems (ext4, xfs, btrfs, tmpfs: NAME_MAX).
NAME_MAX = 255
#: The first 16 bytes of every SQLite database file, the format of betascale's stores:
#: how a store is told from other files (SQLite's file format, "The Database Header").
SQLITE_HEADER = b"SQLite format 3\x00"
_TMP_SUFFIX = ".tmp"
_TOKEN_BYTES = 6  # 12 hex characters: 48 bits, unpredictable to another user
_ATTEMPTS = 100


def _temporary_name(name: str) -> str:
    """``.<name>.<random>.tmp``, the name cut so that the whole fits in :data:`NAME_MAX` bytes."""
    budget = NAME_MAX - len(".") - len(".") - 2 * _TOKEN_BYTES - len(_TMP_SUFFIX)
    while len(os.fsencode(name)) > budget:
        name = name[:-1]
    return f".{name}.{secrets.token_hex(_TOKEN_BYTES)}{_TMP_SUFFIX}"


def _error(path: Path, exc: OSError) -> InputError:
    """The one-line error of a failed write of ``path``."""
    return InputError(f"cannot write {printable(path)}: {exc.strerror or exc}")


def check_destination(path: str | Path) -> Path:
    """Refuse a destination that is a directory (checked again when the file is written,
    but early here for a caller that has work to do first); return it as a Path.

    Raises
    ------
    InputError
        If ``path`` is a directory (a symlink at the name is fine: it is replaced).
    """
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        raise InputError(f"cannot write {printable(path)}: it is a directory")
    return path


class _Staged:
    """A temporary file beside ``path``, open for writing, to be renamed onto ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        check_destination(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        for _ in range(_ATTEMPTS):
            tmp = path.parent / _temporary_name(path.name)
            try:
                self.fd = os.open(tmp, flags, 0o666)  # the kernel applies the umask
            except FileExistsError:
                continue
            self.tmp: Path | None = tmp
            return
        raise FileExistsError(f"no free temporary name beside {path}")

    def sync(self) -> None:
        """Flush the data to the disk (an error such as ENOSPC shows here at the latest)."""
        os.fsync(self.fd)

    def commit(self) -> None:
        """Rename the temporary file onto the destination name."""
        if self.tmp is None:
            raise RuntimeError(f"{self.path}: the staged file was already committed")
        os.replace(self.tmp, self.path)
        self.tmp = None

    def discard(self) -> None:
        """Remove the temporary file (if it was not committed)."""
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.tmp)
            self.tmp = None


def _sync_directory(directory: Path) -> None:
    """fsync a directory so that a rename in it survives a crash (best effort)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_write(
    path: str | Path, mode: str = "wb", *, encoding: str | None = None, newline: str | None = None
) -> Iterator[IO]:
    """Open ``path`` for writing through a temporary file; rename it into place on success.

    Parameters
    ----------
    path
        The destination. Missing parent directories are created. A symlink at the
        name is replaced by the new file, never followed.
    mode
        ``"wb"`` (a binary file) or ``"w"`` (text; ``encoding`` defaults to UTF-8).
    encoding, newline
        As for :func:`open`, in text mode.

    Yields
    ------
    file object
        The open temporary file. If the block raises, the temporary file is removed
        and the destination is left as it was.

    Raises
    ------
    InputError
        If the destination is a directory or the file cannot be written (one line
        naming the destination; an :class:`OSError` from the block is turned into
        it too).
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_write mode must be 'wb' or 'w', got {mode!r}")
    path = Path(path)
    try:
        staged = _Staged(path)
    except OSError as exc:
        raise _error(path, exc) from None
    try:
        text: dict[str, Any] = (
            {"encoding": encoding or "utf-8", "newline": newline} if mode == "w" else {}
        )
        with os.fdopen(staged.fd, mode, closefd=False, **text) as f:
            yield f
        staged.sync()
        staged.commit()
        _sync_directory(path.parent)
    except OSError as exc:
        raise _error(path, exc) from None
    finally:
        with contextlib.suppress(OSError):
            os.close(staged.fd)
        staged.discard()


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write`); return the path."""
    with atomic_write(path, "wb") as f:
        f.write(data)
    return Path(path)


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write`); return the path."""
    with atomic_write(path, "w", encoding=encoding) as f:
        f.write(text)
    return Path(path)


def write_files(contents: Mapping[str, bytes] | Mapping[Path, bytes]) -> list[Path]:
    """Write a set of files all or nothing; return their paths in order.

    Every file is first written to its temporary file and synced (a full disk shows
    here, and then no destination has changed); only then are they renamed into
    place. If a rename fails, the files this call already renamed are removed, so a
    partial set is never left behind.

    Raises
    ------
    InputError
        One line naming the file that could not be written.
    """
    staged: list[_Staged] = []
    done: list[Path] = []
    current = Path()
    try:
        for name, data in contents.items():
            current = Path(name)
            staged.append(_Staged(current))
            _write_all(staged[-1].fd, data)
            staged[-1].sync()
        for item in staged:
            current = item.path
            item.commit()
            done.append(item.path)
        for directory in dict.fromkeys(path.parent for path in done):
            _sync_directory(directory)
    except OSError as exc:
        for path in done:
            with contextlib.suppress(OSError):
                os.unlink(path)
        raise _error(current, exc) from None
    finally:
        for item in staged:
            with contextlib.suppress(OSError):
                os.close(item.fd)
            item.discard()
    return [Path(name) for name in contents]


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]

"""Tests of betascale.files: the one atomic-write policy of every file betascale writes."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from betascale.errors import InputError
from betascale.files import NAME_MAX, atomic_write, write_bytes, write_files, write_text


def _mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def umask():
    """Set the process umask for one test and restore it afterwards."""
    old = os.umask(0o022)
    os.umask(old)
    yield os.umask
    os.umask(old)


def _fail(code: int):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return fail


def test_a_planted_symlink_is_replaced_not_followed(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("IMPORTANT")
    out = tmp_path / "figs" / "g_of_L.png"
    out.parent.mkdir()
    out.symlink_to("../victim")
    write_bytes(out, b"PNG")
    assert victim.read_text() == "IMPORTANT"
    assert not out.is_symlink() and out.read_bytes() == b"PNG"


def test_text_and_binary_modes_and_missing_parents(tmp_path):
    out = write_text(tmp_path / "a" / "b" / "t.txt", "é\n")
    assert out.read_bytes() == "é\n".encode()
    with atomic_write(tmp_path / "c.csv", "w", newline="") as f:
        f.write("x\r\n")
    assert (tmp_path / "c.csv").read_bytes() == b"x\r\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "c.csv"]
    with pytest.raises(ValueError, match="mode"):
        with atomic_write(tmp_path / "x", "a"):
            pass


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_the_file_gets_the_umask_permissions_not_0600(tmp_path, umask, mask):
    umask(mask)
    write_bytes(tmp_path / "new", b"x")
    (tmp_path / "plain").write_bytes(b"x")  # any other file
    assert _mode(tmp_path / "new") == 0o666 & ~mask == _mode(tmp_path / "plain")


@pytest.mark.parametrize("length", [250, NAME_MAX])
def test_a_long_name_fits_the_temporary_name_limit(tmp_path, length):
    out = tmp_path / ("n" * (length - 3) + ".nc")
    assert len(out.name) == length
    write_bytes(out, b"data")
    assert out.read_bytes() == b"data"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]
    multibyte = tmp_path / ("é" * 127)  # 254 bytes
    write_text(multibyte, "x")
    assert multibyte.read_text() == "x"


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EFBIG, errno.EACCES])
def test_a_write_error_is_one_line_naming_the_file_and_leaves_nothing(tmp_path, monkeypatch, code):
    out = tmp_path / "out.nc"
    out.write_text("old")
    monkeypatch.setattr(os, "fsync", _fail(code))
    with pytest.raises(InputError) as info:
        write_bytes(out, b"new")
    assert str(info.value) == f"cannot write {out}: {os.strerror(code)}"
    assert [p.name for p in tmp_path.iterdir()] == ["out.nc"] and out.read_text() == "old"


def test_an_error_in_the_block_keeps_the_old_file_and_no_temporary(tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("old")
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_write(out, "w") as f:
            f.write("half")
            raise RuntimeError("boom")
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"] and out.read_text() == "old"


def test_a_directory_or_an_unwritable_place_is_refused_in_one_line(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(InputError, match="it is a directory"):
        write_bytes(tmp_path / "d", b"x")
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match=f"cannot write {tmp_path}/file/x: "):
        write_bytes(tmp_path / "file" / "x", b"x")


def test_a_set_is_staged_first_so_a_full_disk_changes_nothing(tmp_path, monkeypatch):
    (tmp_path / "a.png").write_bytes(b"old a")
    real, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    files = {tmp_path / f"{n}.png": n.encode() * 10 for n in "abcd"}
    with pytest.raises(InputError, match=r"cannot write .*/c\.png: No space left on device"):
        write_files(files)
    assert [p.name for p in tmp_path.iterdir()] == ["a.png"]
    assert (tmp_path / "a.png").read_bytes() == b"old a"


def test_a_set_whose_rename_fails_removes_what_it_wrote(tmp_path, monkeypatch):
    real, calls = os.replace, []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(errno.EIO, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(InputError, match=r"cannot write .*/b\.pdf: Input/output error"):
        write_files({tmp_path / "a.png": b"a", tmp_path / "b.pdf": b"b"})
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    paths = write_files({tmp_path / "a.png": b"a", str(tmp_path / "b.pdf"): b"b"})
    assert [p.read_bytes() for p in paths] == [b"a", b"b"]

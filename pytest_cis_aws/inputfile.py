"""Files the user names on the command line: read them small, regular and whole, or say why not.

A waivers or accounts file is a few kilobytes. A FIFO, /dev/zero or a multi-gigabyte file named
by mistake (or by someone hostile) must be one clear usage error, not a hang or an exhausted
machine; a report target must be a place a file can really be created, known before the audit.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

MAX_BYTES = 1024 * 1024  # 1 MiB: far more than any waivers or accounts file needs


class InputFileError(Exception):
    """Why a named file cannot be read or written: a short reason, for a usage error."""


def read_text(path: str, *, limit: int = MAX_BYTES) -> str:
    """The whole of a small regular UTF-8 file. Never blocks: a FIFO or device is refused before
    anything is read from it (O_NONBLOCK keeps the open itself from waiting for a writer)."""
    if "\0" in path:
        raise InputFileError("the path contains a NUL byte")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputFileError(exc.strerror or str(exc)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputFileError("Is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError("not a regular file")
        if info.st_size > limit:
            raise InputFileError(f"larger than {limit // 1024} KiB")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while we read
            raise InputFileError(f"larger than {limit // 1024} KiB")
    except OSError as exc:
        raise InputFileError(exc.strerror or str(exc)) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"not UTF-8: byte {exc.start}") from None


def check_writable(path: str) -> None:
    """Can a report be written to `path` the way it will be: a temporary file created in its
    directory, then renamed over it? Tried for real (permission bits do not bind root, and a
    read-only mount or /proc says no only when asked)."""
    if "\0" in path:
        raise InputFileError("the path contains a NUL byte")
    target = Path(path)
    try:
        if target.is_dir():
            raise InputFileError("is a directory")
        parent = target.parent
        if not parent.exists():
            raise InputFileError(f"directory {parent} does not exist")
        if not parent.is_dir():
            raise InputFileError(f"{parent} is not a directory")
    except OSError as exc:  # a name too long, a loop of symlinks
        raise InputFileError(exc.strerror or str(exc)) from None
    try:
        fd, probe = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".check")
    except OSError as exc:
        raise InputFileError(f"cannot create a file in {parent} ({exc.strerror})") from None
    os.close(fd)
    os.unlink(probe)

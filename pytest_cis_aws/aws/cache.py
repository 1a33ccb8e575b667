"""Optional cross-run cache (--cis-cache-ttl): reuse AWS data an earlier run fetched.

For iterating on organisation checks without waiting for AWS each time. Off by default: a
compliance verdict on stale data is a verdict on the past, so the age is always shown.

An entry is found again only by a run that would have fetched the same data: its key is the
run store's key (account, call, regions) within a *scope* naming everything else that changes
the answer (endpoint, partition, caller identity, role, profile, regions asked for, plugin
version). Another endpoint or identity never reuses it.

The entries hold what AWS answered (the credential report, every policy), so they are private:
files `0600` in a `0700` directory owned by the user, created exclusively (`O_EXCL`, never
through a symbolic link) and moved into place atomically. A directory that is a symbolic link
or belongs to someone else is refused. Only data read successfully is kept, never credentials,
never a failure.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import stat
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

FORMAT = 2  # bump when what an entry means changes: older entries are then never matched
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


class UnsafeCache(Exception):
    """The cache directory cannot be trusted or used; the message says why."""


def _owner_ok(st: os.stat_result) -> bool:
    return not hasattr(os, "getuid") or st.st_uid == os.getuid()


def secure_directory(directory: Path) -> None:
    """Make `directory` private (0700), or refuse it: a symbolic link, not a directory, owned by
    someone else. Entries an older version left readable by others are made 0600 too."""
    if os.name != "posix":
        raise UnsafeCache("the cross-run cache needs POSIX file permissions to keep its data "
                          "private")
    try:
        st = os.lstat(directory)
    except OSError as exc:
        raise UnsafeCache(f"{directory}: {exc.strerror}") from None
    if stat.S_ISLNK(st.st_mode):
        raise UnsafeCache(f"{directory} is a symbolic link; refusing to keep AWS data there")
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafeCache(f"{directory} is not a directory")
    if not _owner_ok(st):
        raise UnsafeCache(f"{directory} belongs to user id {st.st_uid}, not to you; refusing "
                          "to keep AWS data there")
    try:
        with _opened(directory) as dir_fd:
            if stat.S_IMODE(os.fstat(dir_fd).st_mode) != 0o700:
                os.fchmod(dir_fd, 0o700)
            for name in os.listdir(dir_fd):
                _make_private(name, dir_fd)
    except OSError as exc:
        raise UnsafeCache(f"{directory}: {exc.strerror}") from None


def _make_private(name: str, dir_fd: int) -> None:
    try:
        fd = os.open(name, os.O_RDONLY | _NOFOLLOW, dir_fd=dir_fd)
    except OSError:
        return  # a symbolic link or something unreadable: never read either
    try:
        st = os.fstat(fd)
        if stat.S_ISREG(st.st_mode) and _owner_ok(st) and stat.S_IMODE(st.st_mode) & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def clear(directory: Path) -> int:
    """Remove every entry; returns how many there were."""
    removed = 0
    with _opened(directory) as dir_fd:
        for entry in os.scandir(dir_fd):
            if not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.name, dir_fd=dir_fd)  # a link is removed, not followed
                removed += 1
    return removed


@contextmanager
def _opened(directory: Path) -> Iterator[int]:
    """The directory itself, never what a symbolic link put in its place points to."""
    fd = os.open(directory, os.O_RDONLY | _DIRECTORY | _NOFOLLOW)
    try:
        yield fd
    finally:
        os.close(fd)


def scope_digest(scope: Mapping[str, Any]) -> str:
    """One string for everything besides the store key that decides what AWS answers."""
    text = json.dumps({"format": FORMAT, **scope}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class CrossRunCache:
    def __init__(self, directory: Path, ttl: float, scope: Mapping[str, Any] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.directory = directory
        self.ttl = ttl
        self.clock = clock
        # Only the digest is written: the scope names the external id, which stays off disk.
        self.scope = scope_digest(scope or {})
        self.reused_ages: list[float] = []
        self._lock = threading.Lock()

    def _name(self, key: str) -> str:
        # Hashed: keys hold ARNs and region lists, too long or odd for file names.
        return hashlib.sha256(f"{self.scope}\0{key}".encode()).hexdigest()[:32] + ".json"

    def load(self, key: str) -> str | None:
        """The stored data for `key` if it is younger than the TTL, else None."""
        try:
            entry = json.loads(self._read(self._name(key)))
            age = self.clock() - float(entry["fetched_at"])
            if entry["scope"] != self.scope or entry["key"] != key or not 0 <= age <= self.ttl:
                return None
            data = str(entry["data"])
        except (OSError, ValueError, TypeError, KeyError):
            return None
        with self._lock:
            self.reused_ages.append(age)
        return data

    def _read(self, name: str) -> str:
        with _opened(self.directory) as dir_fd:
            fd = os.open(name, os.O_RDONLY | _NOFOLLOW, dir_fd=dir_fd)
            with os.fdopen(fd, "rb") as file:
                st = os.fstat(file.fileno())
                # Not ours, or readable by others: not an entry this cache wrote.
                if (not stat.S_ISREG(st.st_mode) or not _owner_ok(st)
                        or stat.S_IMODE(st.st_mode) & 0o077):
                    raise OSError("not a private cache entry")
                return file.read().decode("utf-8")

    def save(self, key: str, data: str) -> None:
        """Keep `data` for later runs; a cache that cannot be written only costs a refetch."""
        entry = json.dumps({"scope": self.scope, "key": key, "fetched_at": self.clock(),
                            "data": data}).encode("utf-8")
        tmp = f".{secrets.token_hex(8)}.tmp"
        try:
            with _opened(self.directory) as dir_fd:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600,
                             dir_fd=dir_fd)
                try:
                    with os.fdopen(fd, "wb") as file:
                        file.write(entry)
                    os.replace(tmp, self._name(key), src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
                except BaseException:
                    with suppress(OSError):
                        os.unlink(tmp, dir_fd=dir_fd)
                    raise
        except OSError:
            pass

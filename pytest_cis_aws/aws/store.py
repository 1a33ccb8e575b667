"""Run-scoped store: each piece of account data is fetched once per run, even under xdist.

The controller makes a private directory and hands it to every worker; the first process to
need a key fetches it under a file lock and writes it as JSON, the others read it. A failed read
is stored too, so the others end in the same error instead of asking AWS again: each key holds a
`Read` (read.py) in its wire form, and so does any part of a value that failed on its own.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from ..read import Read, is_failure
from .cache import CrossRunCache


def _encode(value: Any) -> Any:
    if isinstance(value, Read):  # a part that failed on its own, or was read
        return value.to_dict()
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": bytes(value).decode("utf-8", "replace")}
    raise TypeError(f"cannot store {type(value).__name__}")


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        if "$datetime" in obj:
            return datetime.fromisoformat(obj["$datetime"])
        if "$bytes" in obj:
            return obj["$bytes"].encode("utf-8")
    return obj


def dumps(value: Any) -> str:
    return json.dumps(value, default=_encode, sort_keys=True)


def loads(text: str) -> Any:
    return json.loads(text, object_hook=_decode)


class RunStore:
    def __init__(self, directory: Path | None = None, cache: CrossRunCache | None = None) -> None:
        self.directory = directory
        self.cache = cache
        self._memory: dict[str, str] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.fetched: list[str] = []  # keys this process fetched itself (for tests and stats)

    def get(self, key: str, fetch: Callable[[], object]) -> Any:
        """The stored value for `key`, fetching it (once per run) when nobody has yet.

        It is what `fetch` returned as JSON gives it back (dates restored): a Read anywhere in
        it comes back in its wire form. Raises the DataUnavailable the fetch raised."""
        with self._lock_for(key):
            if key not in self._memory:
                self._memory[key] = self._shared(key, fetch)
        return self._unwrap(self._memory[key])

    def forget(self, prefix: str) -> None:
        """Drop this process's copies of keys under `prefix` (files shared with others stay)."""
        with self._guard:
            for key in [k for k in self._memory if k.startswith(prefix)]:
                del self._memory[key]

    def _lock_for(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def _shared(self, key: str, fetch: Callable[[], object]) -> str:
        if self.directory is None:
            return self._fetch(key, fetch)
        from filelock import FileLock

        path = self.directory / f"{_filename(key)}.json"
        with FileLock(str(path) + ".lock"):
            if path.exists():
                return path.read_text(encoding="utf-8")
            text = self._fetch(key, fetch)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
            return text

    def _fetch(self, key: str, fetch: Callable[[], object]) -> str:
        if self.cache is not None and (cached := self.cache.load(key)) is not None:
            return cached
        self.fetched.append(key)
        read = Read.attempt(fetch)  # anything but DataUnavailable is our bug: it propagates
        text = dumps(read)
        # A failure is never kept across runs, nor is an answer with a failed part (a region
        # that did not answer, a trail that could not be read): the next run asks again instead
        # of repeating the error for the TTL.
        if self.cache is not None and not holds_failure(read):
            self.cache.save(key, text)
        return text

    @staticmethod
    def _unwrap(text: str) -> Any:
        return Read.from_dict(loads(text)).get()


def holds_failure(value: object) -> bool:
    """Does `value` embed a failed read (a `Read` with an error, or its wire form) at any depth?"""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Read):
            if not item.ok:
                return True
            stack.append(item.value)
        elif isinstance(item, dict):
            if is_failure(item):
                return True
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return False


def _filename(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in key)

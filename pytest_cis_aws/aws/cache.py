"""Optional cross-run cache (--cis-cache-ttl): reuse AWS data an earlier run fetched.

For iterating on organisation checks without waiting for AWS each time. Off by default: a
compliance verdict on stale data is a verdict on the past, so the age is always shown. Entries
are keyed by account id, region list and call (the run store's key); only data that was read
successfully is kept, never credentials, and never a failure.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path


class CrossRunCache:
    def __init__(self, directory: Path, ttl: float,
                 clock: Callable[[], float] = time.time) -> None:
        self.directory = directory
        self.ttl = ttl
        self.clock = clock
        self.reused_ages: list[float] = []
        self._lock = threading.Lock()

    def _path(self, key: str) -> Path:
        # Hashed: keys hold ARNs and region lists, too long or odd for file names.
        return self.directory / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".json")

    def load(self, key: str) -> str | None:
        """The stored data for `key` if it is younger than the TTL, else None."""
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        age = self.clock() - float(entry.get("fetched_at", 0))
        if entry.get("key") != key or not 0 <= age <= self.ttl:
            return None
        with self._lock:
            self.reused_ages.append(age)
        return str(entry["data"])

    def save(self, key: str, data: str) -> None:
        path = self._path(key)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps({"key": key, "fetched_at": self.clock(), "data": data}),
                       encoding="utf-8")
        os.replace(tmp, path)

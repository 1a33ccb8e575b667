"""What the AWS layer is waiting for, told to whoever shows progress: a tiny observer.

The collectors emit plain events; `progress.py` (wired by the plugin on the process that
writes the terminal) turns them into a line. Nothing here knows pytest. With no listener (the
plugin dormant, an xdist worker, a library use) an event costs one check of an empty list.

Events, each with keyword data:
- "task" `phase` start/update/end, `key` (names the task while it lasts, unique among those
  running), `label` (what is fetched: "credential report", "ec2 instances"), and on update
  either `done`/`total`/`unit` ("regions 7/17") or `state` ("generating"). `end` always
  follows a `start`, even when the fetch fails, so a progress line never outlives its task.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Listener = Callable[[str, dict[str, Any]], None]

_listeners: list[Listener] = []
_lock = threading.Lock()
_keys = itertools.count(1)


def subscribe(listener: Listener) -> Callable[[], None]:
    """Add `listener`; returns the function that removes it."""
    with _lock:
        _listeners.append(listener)

    def unsubscribe() -> None:
        with _lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return unsubscribe


def emit(event: str, **data: Any) -> None:
    if not _listeners:
        return
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(event, data)
        except Exception:  # showing progress never breaks a fetch
            continue


def listening() -> bool:
    return bool(_listeners)


@contextmanager
def task(label: str) -> Iterator[Callable[..., None]]:
    """Emit start, then end however the block leaves; yields update(**data) for the block."""
    if not _listeners:
        yield ignore
        return
    key = f"{label}#{next(_keys)}"
    emit("task", phase="start", key=key, label=label)

    def update(**data: Any) -> None:
        emit("task", phase="update", key=key, label=label, **data)

    try:
        yield update
    finally:
        emit("task", phase="end", key=key, label=label)


def ignore(**data: Any) -> None:
    """The update of a task nobody listens to."""
    return None

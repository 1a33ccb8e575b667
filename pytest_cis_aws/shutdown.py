"""Leave the interpreter quickly once an audit is over.

An audit's heap is large when the process ends: botocore's parsed service models and a client
per service and region, about 625,000 objects for 20 regions. CPython's shutdown then spent
1.5-2.2 s of a 9-11 s audit (bench/RESULTS.md, "The audit's own overhead") in the garbage
collections of its finalization, over memory the operating system takes back at once anyway.

`gc.freeze()` in an atexit handler takes every object out of the collector's reach;
reference counting still frees what it can. atexit handlers run only as the interpreter ends,
after pytest has finished, its own last collection for unraisable exceptions included, so
nothing a run reports changes, and a pytest run in process (pytester) leaves its caller's
collector alone until that caller exits. What is lost: finalizers of objects caught in
reference cycles do not run at exit, which CPython never promised (`object.__del__`).
"""

from __future__ import annotations

import atexit
import gc

_registered = False


def freeze_heap_at_exit() -> None:
    """Register gc.freeze to run at interpreter exit, once per process."""
    global _registered
    if not _registered:
        atexit.register(gc.freeze)
        _registered = True

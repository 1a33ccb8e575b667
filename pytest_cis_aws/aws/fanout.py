"""Fetch per-region data concurrently, keeping each region's failure to itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import TypeVar

from ..read import Read
from . import events

T = TypeVar("T")

RegionResults = dict[str, Read[T]]  # region (or other name) -> what was read there, or why not


def per_region(regions: Iterable[str], fetch: Callable[[str], T],
               max_workers: int, label: str | None = None,
               unit: str = "regions") -> RegionResults[T]:
    """Run `fetch(region)` for every region on a bounded pool; a failing region is recorded.

    Only DataUnavailable is a region's failure: any other exception is a bug in our own code and
    propagates. With a `label`, progress events say how many of the `unit` are done ("regions
    7/17"), emitted from the calling thread as each one finishes."""
    names = list(regions)

    def one(region: str) -> Read[T]:
        return Read.attempt(lambda: fetch(region))

    if not names:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(names))),
                            thread_name_prefix="cis-aws-region") as pool:
        if label is None or not events.listening():
            return dict(zip(names, pool.map(one, names)))
        with events.task(label) as update:
            update(done=0, total=len(names), unit=unit)
            futures = {pool.submit(one, name): name for name in names}
            done: dict[str, Read[T]] = {}
            for future in as_completed(futures):
                done[futures[future]] = future.result()
                update(done=len(done), total=len(names), unit=unit)
        return {name: done[name] for name in names}  # in the order asked, as map gives

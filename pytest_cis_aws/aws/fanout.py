"""Fetch per-region data concurrently, keeping each region's failure to itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from ..errors import DataUnavailable
from . import events

RegionResults = dict[str, dict[str, Any]]  # region -> {"value": ...} or {"error": {...}}


def per_region(regions: Iterable[str], fetch: Callable[[str], Any],
               max_workers: int, label: str | None = None,
               unit: str = "regions") -> RegionResults:
    """Run `fetch(region)` for every region on a bounded pool; a failing region is recorded.

    With a `label`, progress events say how many of the `unit` are done ("regions 7/17"),
    emitted from the calling thread as each one finishes."""
    names = list(regions)

    def one(region: str) -> dict[str, Any]:
        try:
            return {"value": fetch(region)}
        except DataUnavailable as exc:
            return {"error": exc.to_dict()}

    if not names:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(names))),
                            thread_name_prefix="cis-aws-region") as pool:
        if label is None or not events.listening():
            return dict(zip(names, pool.map(one, names)))
        with events.task(label) as update:
            update(done=0, total=len(names), unit=unit)
            futures = {pool.submit(one, name): name for name in names}
            done: dict[str, dict[str, Any]] = {}
            for future in as_completed(futures):
                done[futures[future]] = future.result()
                update(done=len(done), total=len(names), unit=unit)
        return {name: done[name] for name in names}  # in the order asked, as map gives


def split(results: RegionResults) -> tuple[dict[str, Any], dict[str, DataUnavailable]]:
    """(values by region, errors by region)."""
    values = {r: v["value"] for r, v in results.items() if "value" in v}
    errors = {r: DataUnavailable.from_dict(v["error"]) for r, v in results.items() if "error" in v}
    return values, errors

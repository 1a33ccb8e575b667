"""Fetch per-region data concurrently, keeping each region's failure to itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..errors import DataUnavailable

RegionResults = dict[str, dict[str, Any]]  # region -> {"value": ...} or {"error": {...}}


def per_region(regions: Iterable[str], fetch: Callable[[str], Any],
               max_workers: int) -> RegionResults:
    """Run `fetch(region)` for every region on a bounded pool; a failing region is recorded."""
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
        return dict(zip(names, pool.map(one, names)))


def split(results: RegionResults) -> tuple[dict[str, Any], dict[str, DataUnavailable]]:
    """(values by region, errors by region)."""
    values = {r: v["value"] for r, v in results.items() if "value" in v}
    errors = {r: DataUnavailable.from_dict(v["error"]) for r, v in results.items() if "error" in v}
    return values, errors

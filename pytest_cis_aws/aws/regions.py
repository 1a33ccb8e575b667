"""Which regions to audit: those enabled for the account, unless the user names them."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..settings import Settings
from .errors import reading
from .session import Aws

ENABLED = ("opt-in-not-required", "opted-in")

PARTITION_PREFIXES = {
    "aws-cn": ("cn-",),
    "aws-us-gov": ("us-gov-",),
    "aws-iso": ("us-iso-",),
    "aws-iso-b": ("us-isob-",),
}


@dataclass(frozen=True)
class Regions:
    selected: tuple[str, ...]
    skipped: tuple[str, ...] = ()  # opt-in regions the account has not enabled
    unknown: tuple[str, ...] = field(default=())  # named by the user, not offered to the account

    def to_dict(self) -> dict[str, list[str]]:
        return {"selected": list(self.selected), "skipped": list(self.skipped),
                "unknown": list(self.unknown)}


def in_partition(region: str, partition: str) -> bool:
    if partition in PARTITION_PREFIXES:
        return region.startswith(PARTITION_PREFIXES[partition])
    others = tuple(p for prefixes in PARTITION_PREFIXES.values() for p in prefixes)
    return not region.startswith(others)


def discover(aws: Aws, settings: Settings, partition: str) -> Regions:
    """One DescribeRegions call; opt-in regions that are not enabled are skipped, and listed."""
    with reading("ec2:DescribeRegions", region=aws.home_region):
        answer = aws.client("ec2").describe_regions(AllRegions=True)["Regions"]
    offered = sorted(
        (r["RegionName"], r.get("OptInStatus", "opt-in-not-required"))
        for r in answer
        if in_partition(r["RegionName"], partition)
    )
    enabled = tuple(name for name, status in offered if status in ENABLED)
    not_enabled = tuple(name for name, status in offered if status not in ENABLED)
    if settings.all_regions:
        return Regions(selected=enabled, skipped=not_enabled)
    if settings.regions:
        names = {name for name, _ in offered}
        return Regions(
            selected=tuple(r for r in settings.regions if r in enabled),
            skipped=tuple(r for r in settings.regions if r in not_enabled),
            unknown=tuple(r for r in settings.regions if r not in names),
        )
    return Regions(selected=enabled, skipped=not_enabled)

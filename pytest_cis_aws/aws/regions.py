"""Which regions to audit: those enabled for the account, unless the user names them."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import CouldNotEvaluate
from ..settings import Settings
from .errors import member, reading
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
    # Why no region is audited, when none is (a tuple of one sentence: the shape every field
    # has, so the xdist controller can hand it to workers like the others).
    why_none: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, list[str]]:
        return {"selected": list(self.selected), "skipped": list(self.skipped),
                "unknown": list(self.unknown), "why_none": list(self.why_none)}

    def none_audited(self) -> str | None:
        """Why this run audits no region, or None when it audits at least one."""
        if self.selected:
            return None
        return self.why_none[0] if self.why_none else "no region to audit"


class NoAuditedRegions(CouldNotEvaluate):
    """Zero regions to audit: a regional recommendation can neither pass nor fail on no data.

    Not a DataUnavailable: no permission is missing, and the message must not say one is.
    """

    def __init__(self, why: str) -> None:
        super().__init__(f"no region was audited: {why}; a regional recommendation cannot be "
                         "judged without one")
        self.why = why


def audited(regions: Regions) -> tuple[str, ...]:
    """The regions to audit; raises NoAuditedRegions when there are none, whatever the cause."""
    why = regions.none_audited()
    if why is not None:
        raise NoAuditedRegions(why)
    return regions.selected


def in_partition(region: str, partition: str) -> bool:
    if partition in PARTITION_PREFIXES:
        return region.startswith(PARTITION_PREFIXES[partition])
    others = tuple(p for prefixes in PARTITION_PREFIXES.values() for p in prefixes)
    return not region.startswith(others)


def discover(aws: Aws, settings: Settings, partition: str) -> Regions:
    """One DescribeRegions call; opt-in regions that are not enabled are skipped, and listed."""
    with reading("ec2:DescribeRegions", region=aws.home_region):
        answer = member(aws.client("ec2").describe_regions(AllRegions=True), "Regions")
    offered = sorted(
        (r["RegionName"], r.get("OptInStatus", "opt-in-not-required"))
        for r in answer
        if in_partition(r["RegionName"], partition)
    )
    if not offered:
        # No account has no region: an answer that lists none says nothing about the names
        # the user gave either, so none of them is called unknown.
        return Regions(selected=(), why_none=(
            f"ec2:DescribeRegions listed no region of partition {partition}",))
    enabled = tuple(name for name, status in offered if status in ENABLED)
    not_enabled = tuple(name for name, status in offered if status not in ENABLED)
    if settings.regions and not settings.all_regions:
        names = {name for name, _ in offered}
        named = Regions(
            selected=tuple(r for r in settings.regions if r in enabled),
            skipped=tuple(r for r in settings.regions if r in not_enabled),
            unknown=tuple(r for r in settings.regions if r not in names),
        )
        if named.selected:
            return named
        return Regions(selected=(), skipped=named.skipped, unknown=named.unknown, why_none=(
            "--cis-regions names no region enabled for the account (not enabled: "
            f"{', '.join(named.skipped + named.unknown)})",))
    if not enabled:
        return Regions(selected=(), skipped=not_enabled, why_none=(
            "ec2:DescribeRegions lists no region enabled for the account",))
    return Regions(selected=enabled, skipped=not_enabled)

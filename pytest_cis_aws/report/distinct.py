"""One entry per item id, for the exports whose consumers key on it (SARIF fingerprints, ASFF
finding ids).

A check may judge one resource twice (1.3 reads a user's password and each access key): both
findings have the same stable id, as the id names the resource and recommendation, not the
reason. Security Hub would keep one of two findings with one Id, and GitHub would fold two
results with one fingerprint into one alert; so they are merged into one item here, its state
the one the check itself would give (a failure wins over an unknown, an unknown over a waiver)
and its reasons joined.
"""

from __future__ import annotations

from collections.abc import Iterable

from .items import Item

# Which state a resource judged several times ends in (findings.assert_compliant's order).
PRECEDENCE = ("failed", "error", "manual", "waived", "passed", "skipped")


def distinct(found: Iterable[Item]) -> list[Item]:
    groups: dict[str, list[Item]] = {}
    for item in found:
        groups.setdefault(item.id, []).append(item)
    return [group[0] if len(group) == 1 else merge(group) for group in groups.values()]


def merge(group: list[Item]) -> Item:
    state = min((item.state for item in group), key=PRECEDENCE.index)
    first = next(item for item in group if item.state == state)
    reasons = list(dict.fromkeys(item.reason for item in group if item.reason))
    waivers = list(dict.fromkeys(str(item.finding.get("waiver")) for item in group
                                 if item.finding and item.finding.get("waiver")))
    changes = {item.change for item in group}
    finding = {**(first.finding or {}), "reason": "; ".join(reasons)}
    if waivers:
        finding["waiver"] = "; ".join(waivers)
    if changes & {"new", "unchanged"}:
        finding["change"] = "new" if "new" in changes else "unchanged"
    return Item(id=first.id, state=state, result=first.result, finding=finding,
                account=first.account)

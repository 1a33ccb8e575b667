"""Which accounts of an organization this run audits: filters, then a deterministic shard."""

from __future__ import annotations

from collections.abc import Iterable

from .settings import Settings


def select(accounts: Iterable[str], settings: Settings) -> list[str]:
    chosen = sorted(a for a in set(accounts)
                    if (settings.accounts is None or a in settings.accounts)
                    and a not in settings.exclude_accounts)
    if settings.shard is None:
        return chosen
    k, n = settings.shard
    # Round robin over the sorted ids: every account lands in exactly one of the N shards.
    return [a for i, a in enumerate(chosen) if i % n == k - 1]

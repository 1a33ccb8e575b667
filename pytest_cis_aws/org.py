"""Which accounts of an organization this run audits: filters, then a deterministic shard."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .settings import Settings


def select(accounts: Iterable[str], settings: Settings) -> list[str]:
    chosen = selected(accounts, settings)
    if settings.shard is None:
        return chosen
    return shard_of(chosen, *settings.shard)


def selected(accounts: Iterable[str], settings: Settings) -> list[str]:
    """The accounts the filters keep, sorted, before any shard is taken."""
    return sorted(a for a in set(accounts)
                  if (settings.accounts is None or a in settings.accounts)
                  and a not in settings.exclude_accounts)


def shard_of(chosen: Sequence[str], k: int, n: int) -> list[str]:
    """Shard K of N of the sorted selection. `pytest-cis-aws merge` uses it too, to name the
    accounts of a shard it was not given."""
    # Round robin over the sorted ids: every account lands in exactly one of the N shards.
    return [a for i, a in enumerate(sorted(chosen)) if i % n == k - 1]

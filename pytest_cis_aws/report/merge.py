"""Several --cis-json documents as one (`pytest-cis-aws merge`): CI shards of an organization
run, single-account runs of different accounts. What would mislead is refused, not merged.

- Every document is checked against the contract (report/contract.py); an empty one (no
  results, no checks not run) is refused: it proves nothing, and merged it would add nothing.
- Each document's own account is used: a single-account run's rows name no account (the
  document's `account` does), so each merged row is given its account, and every id is checked
  to belong to it.
- The same account in two documents is an error naming both, unless `latest` keeps the newer
  (by `generated_at`) and says which was dropped: merged, the same checks would count twice,
  or one run's outcomes would stand beside another's. Shards of one run (the same `shard`
  count and account selection, different indexes) are parts, not duplicates.
- A shard set with gaps is merged but incomplete: `missing_shards` names the shards and the
  accounts no document covered, and `complete` is false. Shards of one selection with
  different counts are an error: they are not one run's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from .. import org
from .contract import ACCOUNT_ID, DocumentError, check
from .json_export import assemble

# When shards of one run hold the same row (a check no account parametrizes runs in every
# shard), the one that proves least is kept: a pass never hides a failure.
SEVERITY = {"passed": 0, "waived": 1, "skipped": 2, "manual": 3, "failed": 4, "error": 5}


class MergeError(ValueError):
    """Why these documents cannot be merged: one line, naming the file(s)."""


@dataclass(eq=False)
class Source:
    """One document to merge, and what the merge needs to know about it."""

    name: str  # how the user named it (a path), for messages
    doc: Mapping[str, Any]

    @property
    def account(self) -> str:
        return str(self.doc["account"])

    @cached_property
    def generated(self) -> datetime:
        return datetime.fromisoformat(str(self.doc["generated_at"]).replace("Z", "+00:00"))

    @cached_property
    def own(self) -> frozenset[str]:
        """Accounts its rows name (an organization run's)."""
        return frozenset(str(r["account"]) for r in _entries(self.doc) if r.get("account"))

    @cached_property
    def accounts(self) -> frozenset[str]:
        """Every account it has results for, its own account for rows that name none."""
        unnamed = any(not r.get("account") for r in _entries(self.doc))
        return self.own | ({self.account} if unnamed else set())

    @cached_property
    def shard(self) -> tuple[int, int, tuple[str, ...]] | None:
        shard = self.doc.get("shard")
        if not shard:
            return None
        return int(shard["index"]), int(shard["count"]), tuple(shard["accounts"])

    def siblings(self, other: Source) -> bool:
        """Shards of one run: the same count of the same selection of accounts."""
        mine, theirs = self.shard, other.shard
        return mine is not None and theirs is not None and mine[1:] == theirs[1:]


@dataclass
class Merged:
    doc: dict[str, Any]
    # "dropped old.json (generated ...): account 111122223333 is also in new.json (generated ...)"
    dropped: list[str] = field(default_factory=list)
    # What the user should know about the merged document (stderr).
    notes: list[str] = field(default_factory=list)


def _entries(doc: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    yield from doc.get("results", [])
    yield from doc.get("not_run", [])


def source(name: str, doc: Any) -> Source:
    """A document to merge, checked: raises MergeError naming it."""
    # Interrupted before anything was collected is a document that says so (complete: false),
    # not an empty one.
    if (isinstance(doc, dict) and not doc.get("results") and not doc.get("not_run")
            and doc.get("complete") is not False):
        raise MergeError(f"{name}: empty (no results and no checks not run): nothing to merge")
    try:
        check(doc)
    except DocumentError as exc:
        raise MergeError(f"{name}: {exc}") from None
    if (any(not r["account"] for r in _entries(doc))
            and not ACCOUNT_ID.fullmatch(str(doc["account"]))):
        raise MergeError(f"{name}: its results name no account and neither does the document "
                         f"(account {doc['account']!r}): whose results they are is unknown")
    one = Source(name, doc)
    if one.shard is not None:
        index, count, selection = one.shard
        outside = one.own - set(org.shard_of(selection, index, count)) if index <= count else {}
        if index > count or outside:
            raise MergeError(f"{name}: malformed shard: its accounts are not shard "
                             f"{index}/{count} of the accounts it names")
    return one


def merge(documents: Sequence[Mapping[str, Any]], names: Sequence[str] | None = None, *,
          latest: bool = False) -> Merged:
    """One document with every result once and the scores recomputed over all accounts."""
    if not documents:
        raise MergeError("nothing to merge")
    names = list(names) if names is not None else [f"document {n + 1}"
                                                  for n in range(len(documents))]
    sources = [source(name, doc) for name, doc in zip(names, documents, strict=True)]
    kept, dropped = _choose(sources, latest)
    missing = _missing_shards(kept)
    levels = {s.name: int(s.doc["level"]) for s in kept}
    notes = []
    if len(set(levels.values())) > 1:
        notes.append(f"level {min(levels.values())}: not every document audited level 2 ("
                     + ", ".join(f"{name}: {level}" for name, level in levels.items()) + ")")
    return Merged(_combine(kept, missing), dropped, notes)


def _conflict(a: Source, b: Source) -> str | None:
    """What two documents both hold that one merge must not count twice, if anything."""
    if a.siblings(b):
        assert a.shard is not None and b.shard is not None
        if a.shard[0] == b.shard[0]:
            return f"shard {a.shard[0]}/{a.shard[1]}"
        # Shards of one run share only the rows no account parametrizes (the caller's own).
        overlap = a.own & b.own
    else:
        overlap = a.accounts & b.accounts
    return f"account {min(overlap)}" if overlap else None


def _choose(sources: list[Source], latest: bool) -> tuple[list[Source], list[str]]:
    # With `latest`, the newest first: each document is kept unless a newer one kept holds
    # the same account. Without, the first clash is the error.
    order = sorted(sources, key=lambda s: s.generated, reverse=True) if latest else sources
    kept: list[Source] = []
    dropped: list[str] = []
    for candidate in order:
        for other in kept:
            what = _conflict(other, candidate)
            if what is None:
                continue
            if not latest:
                raise MergeError(f"{what} is in both {other.name} and {candidate.name}: merge "
                                 "one of them, or pass --latest to keep the newer")
            if other.generated == candidate.generated:
                raise MergeError(f"{what} is in both {other.name} and {candidate.name}, "
                                 f"both generated at {candidate.doc['generated_at']}: "
                                 "which is newer is unknown")
            dropped.append(f"dropped {candidate.name} (generated {candidate.doc['generated_at']})"
                           f": {what} is also in {other.name} (generated "
                           f"{other.doc['generated_at']})")
            break
        else:
            kept.append(candidate)
    # Keep the order the user gave (it decides nothing, but reads naturally).
    return [s for s in sources if any(s is k for k in kept)], dropped


def _missing_shards(kept: list[Source]) -> list[dict[str, Any]]:
    """The shards of each run given in part, with the accounts no kept document covered."""
    runs: dict[tuple[str, ...], list[Source]] = {}
    for s in kept:
        if s.shard is not None:
            runs.setdefault(s.shard[2], []).append(s)
    # An organization run covers the accounts its checks were run for, not the caller's own
    # account its unparametrized rows were filled with; a single-account run covers its own.
    covered = frozenset().union(*(s.own or s.accounts for s in kept))
    missing = []
    for selection, shards in runs.items():
        counts = sorted({s.shard[1] for s in shards if s.shard is not None})
        if len(counts) > 1:
            listed = ", ".join(f"{s.shard[0]}/{s.shard[1]} in {s.name}" for s in shards
                               if s.shard is not None)
            raise MergeError(f"shards of one selection of {len(selection)} accounts with "
                             f"different counts ({listed}): not one run's shards")
        count = counts[0]
        present = {s.shard[0] for s in shards if s.shard is not None}
        for index in range(1, count + 1):
            if index in present:
                continue
            accounts = [a for a in org.shard_of(selection, index, count) if a not in covered]
            if accounts:
                missing.append({"index": index, "count": count, "accounts": accounts})
    return missing


def _combine(kept: list[Source], missing: list[dict[str, Any]]) -> dict[str, Any]:
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    waiting: dict[tuple[Any, ...], dict[str, Any]] = {}
    for s in kept:
        for row in s.doc["results"]:
            merged = _named(row, s.account)
            key = (merged["account"], merged["id"], merged["nodeid"])
            if key not in rows or (SEVERITY[merged["outcome"]]
                                   > SEVERITY[rows[key]["outcome"]]):
                rows[key] = merged
        for entry in s.doc["not_run"]:
            entry = {**entry, "account": entry["account"] or s.account}
            waiting[(entry["account"], entry["id"], entry["nodeid"])] = entry
    docs = [s.doc for s in kept]
    accounts = sorted(frozenset().union(*(s.accounts for s in kept)))
    header = {
        # One account's results are that account's document; several are an organization's.
        "account": accounts[0] if len(accounts) == 1 else "organization",
        "regions": sorted({r for d in docs for r in d["regions"]}),
        "no_regions": "; ".join(dict.fromkeys(d["no_regions"] for d in docs
                                              if d["no_regions"])) or None,
        # The level every document audited: a level-2 score over accounts audited at level 1
        # would read as theirs.
        "level": min(int(d["level"]) for d in docs),
        "api_call_counts": _add_calls(d["api_calls"] for d in docs),
        "waivers": {
            "expired": sorted({w for d in docs for w in d["waivers"]["expired"]}),
            # unused only if no document used it
            "unused": sorted(set.intersection(*(set(d["waivers"]["unused"]) for d in docs))),
        },
        "credential_reports": dict(sorted(
            (account, facts) for d in docs for account, facts in d["credential_reports"].items())),
    }
    ordered = sorted(rows.values(), key=_row_order)
    doc = assemble(ordered, header, _completeness(docs, rows, waiting, missing))
    doc["cache"] = {"reused": sum(int(d["cache"]["reused"]) for d in docs),
                    "oldest_seconds": max(d["cache"]["oldest_seconds"] for d in docs)}
    if missing:
        doc["missing_shards"] = missing
    return doc


def _named(row: Mapping[str, Any], account: str) -> dict[str, Any]:
    """A row naming its account. A baseline's `change` tags are left behind: the merged
    document was compared with no baseline (`pytest-cis-aws diff` compares)."""
    out = {k: v for k, v in row.items() if k != "change"}
    out["account"] = row["account"] or account
    out["findings"] = [{k: v for k, v in f.items() if k != "change"} for f in row["findings"]]
    return out


def _completeness(docs: Sequence[Mapping[str, Any]], rows: Mapping[tuple[Any, ...], Any],
                  waiting: Mapping[tuple[Any, ...], dict[str, Any]],
                  missing: list[dict[str, Any]]) -> dict[str, Any]:
    """Incomplete when a shard's check did not run and no other document ran it, when a shard
    was interrupted before it knew what it had collected, or when a shard is missing."""
    ran = {(account, rec) for account, rec, _ in rows}
    not_run = {key: entry for key, entry in waiting.items() if key[:2] not in ran}
    unknown = any(d["complete"] is False and not d["not_run"] for d in docs)
    return {"complete": not not_run and not unknown and not missing,
            "collected": len(rows) + len(not_run),
            "not_run": sorted(not_run.values(), key=_row_order)}


def _row_order(row: Mapping[str, Any]) -> tuple[Any, ...]:
    parts = str(row["id"]).split(".")
    numeric = tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else ()
    return (row.get("account") or "", 0 if numeric else 1, numeric, row["id"],
            row.get("nodeid") or "")


def _add_calls(counts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for one in counts:
        for key, value in one.items():
            total[key] = total.get(key, 0) + int(value)
    return dict(sorted(total.items()))

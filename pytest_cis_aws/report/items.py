"""What every export lists: one item per judged resource, plus one per result that ended
without a finding saying why (a check that could not read its data, a manual one, a plain
assertion in an organisation check).

Every export (SARIF, ASFF, OCSF, CSV, Markdown), the baseline comparison and `merge` read a
`--cis-json` document through this module, so they agree with it, and with each other, id by
id. Each item has a stable `id`: a hash of what identifies it across runs (benchmark version,
recommendation, account, region, resource), never of its outcome or wording, so a finding
keeps its id while it stays, and comes back with the same id if it returns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

State = Literal["passed", "failed", "waived", "error", "manual", "skipped"]
# States that need someone's attention: the ones a baseline compares and a CI gate fails on.
OPEN_STATES: frozenset[str] = frozenset({"failed", "error"})


def finding_id(version: str, rec_id: str, account: str | None, region: str | None,
               resource: str | None) -> str:
    """Stable across runs: the same resource judged by the same recommendation in the same
    account and region has the same id, whatever it was judged to be."""
    key = "\x1f".join(("cis-aws", version, rec_id, account or "", region or "", resource or ""))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def named(finding: Mapping[str, Any]) -> str | None:
    """What a finding's id names: its resource, and the part of it when a check judges several
    (1.3: a user's console password and each access key)."""
    resource, part = finding.get("resource"), finding.get("part")
    return f"{resource}#{part}" if part else resource


def finding_state(finding: Mapping[str, Any]) -> State:
    if finding.get("compliant") is None:
        return "error"
    if finding.get("compliant"):
        return "passed"
    return "waived" if finding.get("waived") else "failed"


@dataclass(frozen=True)
class Item:
    id: str
    state: State
    result: Mapping[str, Any]  # the result row of the --cis-json document
    finding: Mapping[str, Any] | None  # None: the result itself, with no finding for its state
    account: str | None

    @property
    def resource(self) -> str | None:
        return self.finding.get("resource") if self.finding else None

    @property
    def region(self) -> str | None:
        return self.finding.get("region") if self.finding else None

    @property
    def reason(self) -> str:
        if self.finding is not None:
            return str(self.finding.get("reason") or "")
        return str(self.result.get("reason") or "")

    @property
    def change(self) -> str | None:
        """'new' or 'unchanged' against a baseline (None without one, or for passes)."""
        source = self.finding if self.finding is not None else self.result
        return source.get("change")


def account_of(doc: Mapping[str, Any], row: Mapping[str, Any]) -> str | None:
    account = row.get("account") or doc.get("account")
    return None if account in (None, "unknown") else str(account)


def items(doc: Mapping[str, Any]) -> Iterator[Item]:
    """Every item of a --cis-json document, in the document's order."""
    for row in doc.get("results", []):
        account = account_of(doc, row)
        states = set()
        for finding in row.get("findings", []):
            state = finding_state(finding)
            states.add(state)
            yield Item(id=str(finding.get("id") or ""), state=state, result=row,
                       finding=finding, account=account)
        outcome = row.get("outcome")
        # A result whose outcome no finding explains: an error in a fixture, a manual check,
        # a failed assertion with no finding. It is an item of its own, keyed on no resource.
        if outcome != "passed" and outcome not in states:
            yield Item(id=str(row.get("item_id") or ""), state=outcome, result=row,
                       finding=None, account=account)


def open_items(doc: Mapping[str, Any]) -> list[Item]:
    """What a CI gate looks at: non-compliant resources and what could not be evaluated."""
    return [item for item in items(doc) if item.state in OPEN_STATES]

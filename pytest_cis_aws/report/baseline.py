"""The baseline gate's comparison: this run's --cis-json document against an earlier one.

Every open item (report/items.py: a non-compliant resource, or something that could not be
evaluated) of the new document is tagged `change: "new"` or `"unchanged"`, by its stable id.
An item open in both runs is unchanged even when its state moved between failed and error
(it still needs the same attention); a waived or passing item is not open, so one that fails
again once its waiver expired is new.

`resolved` lists the baseline's open items that are no longer open, but only where this run
evaluated them again: a recommendation not selected, not run, or that could not be evaluated
as a whole (an error before any resource was judged, a manual outcome) proves nothing about
the resources it judged before. Those are counted in `baseline.not_evaluated`, never called
resolved.

Pure: documents in, documents out. jsonschema is a test-only dependency, so a baseline is
checked here, by hand, for what the comparison relies on.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from .. import catalog, inputfile
from .contract import MAX_BYTES
from .items import Item, account_of, items, open_items

OUTCOMES = frozenset({"passed", "failed", "error", "manual", "waived", "skipped"})
STABLE_ID = re.compile(r"[0-9a-f]{32}", re.ASCII)
ACCOUNT_ID = re.compile(r"[0-9]{12}", re.ASCII)
# Outcomes of a check that judged resources: its findings say what is open and what is not.
JUDGED = frozenset({"passed", "failed", "waived", "error"})


class BaselineError(Exception):
    """Why a document cannot be compared against: a short reason, for a usage error."""


CURRENT = "current"  # the version of the benchmark this run audits


def load(path: str, *, version: str | None = CURRENT) -> dict[str, Any]:
    """An earlier --cis-json document, read small, regular and whole, and checked for every
    field the comparison reads. `version`: the benchmark version it must be of (None: any;
    by default the audited benchmark's)."""
    try:
        text = inputfile.read_text(path, limit=MAX_BYTES)
    except inputfile.InputFileError as exc:
        raise BaselineError(f"cannot read it ({exc})") from None
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise BaselineError(f"not JSON ({str(exc)[:120]})") from None
    check(doc, version=version)
    return dict(doc)


def check(doc: Any, *, version: str | None = CURRENT) -> None:
    """Raise BaselineError unless `doc` is a --cis-json document of schema 1.x of the audited
    benchmark (of `version`: by default the audited benchmark's, None: any)."""
    benchmark = catalog.current()
    if version == CURRENT:
        version = benchmark.version
    if not isinstance(doc, dict):
        raise BaselineError("not a --cis-json document (not a JSON object)")
    schema = doc.get("schema_version")
    if not isinstance(schema, str) or not re.fullmatch(r"[0-9]+\.[0-9]+", schema, re.ASCII):
        raise BaselineError("not a --cis-json document of this plugin (no schema_version; "
                            "written by a version before 1.0?)")
    if schema.split(".")[0] != "1":
        raise BaselineError(f"schema_version {schema}: this plugin reads 1.x")
    if doc.get("benchmark") != benchmark.name:
        raise BaselineError(f"another benchmark ({_short(doc.get('benchmark'))})")
    if not isinstance(doc.get("version"), str):
        raise BaselineError("malformed: no benchmark version")
    if version is not None and doc["version"] != version:
        raise BaselineError(f"benchmark version {_short(doc['version'])}, not {version}: "
                            "finding ids differ between versions")
    generated = doc.get("generated_at")
    try:
        datetime.fromisoformat(str(generated))
    except ValueError:
        raise BaselineError(f"malformed: generated_at {_short(generated)}") from None
    if not isinstance(doc.get("account"), str):
        raise BaselineError("malformed: account")
    accounts = doc.get("accounts", [])
    if not isinstance(accounts, list) or not all(isinstance(a, str) for a in accounts):
        raise BaselineError("malformed: accounts")
    results = doc.get("results")
    if not isinstance(results, list):
        raise BaselineError("malformed: results is not a list")
    for index, row in enumerate(results):
        _check_row(row, f"results[{index}]")


def _check_row(row: Any, where: str) -> None:
    if not isinstance(row, dict):
        raise BaselineError(f"malformed: {where} is not an object")
    if not isinstance(row.get("id"), str) or not row["id"]:
        raise BaselineError(f"malformed: {where}.id")
    if row.get("outcome") not in OUTCOMES:
        raise BaselineError(f"malformed: {where}.outcome {_short(row.get('outcome'))}")
    if not isinstance(row.get("item_id"), str) or not STABLE_ID.fullmatch(row["item_id"]):
        raise BaselineError(f"malformed: {where}.item_id (a document before schema 1.0?)")
    if row.get("account") is not None and not isinstance(row["account"], str):
        raise BaselineError(f"malformed: {where}.account")
    for key in ("title", "reason"):
        if not isinstance(row.get(key, ""), str):
            raise BaselineError(f"malformed: {where}.{key}")
    findings = row.get("findings")
    if not isinstance(findings, list):
        raise BaselineError(f"malformed: {where}.findings is not a list")
    for index, finding in enumerate(findings):
        here = f"{where}.findings[{index}]"
        if not isinstance(finding, dict):
            raise BaselineError(f"malformed: {here} is not an object")
        if not isinstance(finding.get("id"), str) or not STABLE_ID.fullmatch(finding["id"]):
            raise BaselineError(f"malformed: {here}.id")
        if finding.get("compliant") not in (True, False, None) or "compliant" not in finding:
            raise BaselineError(f"malformed: {here}.compliant")
        if not isinstance(finding.get("waived", False), bool):
            raise BaselineError(f"malformed: {here}.waived")
        for key in ("resource", "region", "reason"):
            if finding.get(key) is not None and not isinstance(finding[key], str):
                raise BaselineError(f"malformed: {here}.{key}")


def _short(value: Any) -> str:
    return repr(value)[:60]


def audited_accounts(doc: Mapping[str, Any]) -> set[str]:
    """The accounts a document audited: its results' (an organization run) or its own."""
    listed = {str(a) for a in doc.get("accounts") or []}
    if listed:
        return listed
    account = str(doc.get("account"))
    return {account} if ACCOUNT_ID.fullmatch(account) else set()


def check_accounts(baseline: Mapping[str, Any], accounts: Iterable[str],
                   who: str = "this run") -> None:
    """A baseline compares only where it audited some of the same accounts: a finding's id
    includes its account, so another account's baseline would make every item new and call
    every one of its own resolved. An organization whose accounts changed still compares
    (the new accounts' items are new)."""
    before = audited_accounts(baseline)
    now = {str(a) for a in accounts}
    if not before:
        raise BaselineError("it does not say which account it audited (account "
                            f"{_short(baseline.get('account'))})")
    if now and not before & now:
        raise BaselineError(f"another account: it audited {_list(before)}, {who} audits "
                            f"{_list(now)}")


def _list(accounts: set[str], limit: int = 5) -> str:
    shown = sorted(accounts)
    more = f" and {len(shown) - limit} more" if len(shown) > limit else ""
    return ", ".join(shown[:limit]) + more


def compare(baseline: Mapping[str, Any], doc: Mapping[str, Any],
            path: str | None = None) -> dict[str, Any]:
    """A copy of `doc` with its open items tagged `change`, `baseline` {generated_at, path,
    not_evaluated} and `resolved` (what was open in `baseline` and is no longer)."""
    out = copy.deepcopy(dict(doc))
    before = {item.id: item for item in open_items(baseline)}
    now_open: set[str] = set()
    for item in open_items(out):
        # The item's own dict in `out`: the finding, or the result row for a result-level item.
        target: Any = item.finding if item.finding is not None else item.result
        target["change"] = "unchanged" if item.id in before else "new"
        now_open.add(item.id)
    evaluated = reevaluated(out)
    resolved, not_evaluated = [], 0
    for item in before.values():
        if item.id in now_open:
            continue
        if (item.result.get("id"), item.account) in evaluated:
            resolved.append(_resolved(item))
        else:
            not_evaluated += 1
    out["baseline"] = {"generated_at": str(baseline["generated_at"]),
                       **({"path": path} if path is not None else {}),
                       "not_evaluated": not_evaluated}
    out["resolved"] = resolved
    return out


def reevaluated(doc: Mapping[str, Any]) -> set[tuple[Any, str | None]]:
    """(recommendation, account) pairs whose check judged resources in `doc`: its findings
    are the whole truth about what is open there."""
    unexplained = {id(item.result) for item in items(doc) if item.finding is None}
    return {(row.get("id"), account_of(doc, row)) for row in doc.get("results", [])
            if row.get("outcome") in JUDGED and id(row) not in unexplained}


def _resolved(item: Item) -> dict[str, Any]:
    return {"id": item.id, "recommendation": str(item.result.get("id")),
            "title": str(item.result.get("title") or ""), "account": item.account,
            "region": item.region, "resource": item.resource, "was": item.state,
            "reason": item.reason}


def changes(doc: Mapping[str, Any]) -> dict[str, list[Item]]:
    """The open items of a compared document, by change ('new', 'unchanged')."""
    out: dict[str, list[Item]] = {"new": [], "unchanged": []}
    for item in open_items(doc):
        out.setdefault(item.change or "new", []).append(item)
    return out


def describe(item: Item | Mapping[str, Any], *, account: bool = False) -> str:
    """One line naming an item: recommendation, resource (with its region and, with
    `account`, its account when the resource does not say them), and why. Not yet made
    printable: the caller does, for its medium."""
    # A `resolved` entry is JSON: its fields are whatever the document holds.
    rec: Any
    state: Any
    reason: Any
    if isinstance(item, Item):
        rec, who, region = str(item.result.get("id")), item.account, item.region
        resource, state, reason = item.resource, item.state, item.reason
    else:  # a `resolved` entry
        rec, who, region = item["recommendation"], item.get("account"), item.get("region")
        resource, state, reason = item.get("resource"), item.get("was"), item.get("reason")
    where = str(resource) if resource else "(the check as a whole)"
    context = [str(part) for part in ((who if account else None), region)
               if part and str(part) not in where]
    if context:
        where += f" ({', '.join(context)})"
    what = {"error": "could not evaluate", "failed": "non-compliant"}.get(str(state), str(state))
    return f"{rec} {where}: {what}" + (f": {reason}" if reason else "")


def summary_line(doc: Mapping[str, Any]) -> str | None:
    """'against baseline <generated_at>: N new, M unchanged, K resolved' (None: no baseline)."""
    base = doc.get("baseline")
    if not isinstance(base, Mapping):
        return None
    found = changes(doc)
    line = (f"against baseline {base.get('generated_at')}: {len(found['new'])} new, "
            f"{len(found['unchanged'])} unchanged, {len(doc.get('resolved') or [])} resolved")
    if base.get("not_evaluated"):
        line += (f"; {base['not_evaluated']} of its open items not evaluated in this run "
                 "(neither resolved nor open)")
    return line

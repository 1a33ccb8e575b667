"""--cis-sarif: SARIF 2.1.0 for GitHub code scanning (and any SARIF reader).

One run, one rule per recommendation present in the document (organisation checks too), one
result per item that needs someone's attention (report/items.py):

- a non-compliant resource: `kind: "fail"`, `level` from the recommendation (`error` when
  scored, `warning` when not);
- a waived one: the same, with a `suppressions` entry (`external`, `accepted`, the waiver as
  justification);
- could not be evaluated: `kind: "open"` (the spec's "not enough information to decide"),
  `level: "none"`;
- manual: `kind: "review"`, `level: "none"`;
- passed, skipped: no result (on GitHub an alert whose fingerprint is missing from the next
  upload of its category closes).

The spec makes `level` "none" for any kind but "fail"; GitHub still ranks those results, as
every rule is a security rule with a `security-severity` (report/severity.py).

**Where a cloud resource is.** GitHub needs a `physicalLocation.artifactLocation.uri` on every
result, and there is no source file for an IAM user. The location is the check's module: the
stock check's module in the package (`pytest_cis_aws/checks/cis_aws_1_iam.py`, the same path
whatever directory the run started in, so GitHub's fingerprints stay stable), or for an
organisation check the file of its pytest node id (a file of the repository being analysed),
line 1. The resource itself (the ARN, masked like everywhere) is the result's
`logicalLocations[0].fullyQualifiedName`, and the message names it with account and region.

**Identity across runs.** `partialFingerprints` carries the item's stable id (a hash of
benchmark version, recommendation, account, region and resource; a resource judged twice by
one check is one result, report/distinct.py) as
`primaryLocationLineHash`, the only fingerprint GitHub uses (it would otherwise hash line 1 of
the module, the same for every resource), and as `cisAwsItemId/v1`.

**Baseline.** With `--cis-baseline` each result has `baselineState` `new` or `unchanged`. The
document's `resolved` items are NOT written as `absent` results: GitHub reads no
`baselineState`, so an `absent` result would keep (or reopen) the very alert it resolves;
GitHub closes it by itself when the fingerprint is missing from the next upload. They are
listed in the run's `properties.resolved` instead.

**Several accounts.** `automationDetails.id` is `pytest-cis-aws/<account>/` (a category, no run
id): uploads for different accounts do not replace each other's alerts; a merged organisation
document is one run, category `pytest-cis-aws/organization/`. GitHub accepts at most 25,000
results a run: past that, the least severe are left out and a notification says how many.

An incomplete run (interrupted, shards missing, nothing run) has
`invocations[0].executionSuccessful: false` and `properties.complete: false`: an upload of it
could close alerts of checks that simply did not run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from .. import catalog
from . import severity
from .distinct import distinct
from .items import Item, items

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/pytest-cis-aws/pytest-cis-aws"
# GitHub's documented limits: more results than this in a run and the upload is rejected;
# names and short descriptions longer than these are cut by GitHub.
MAX_RESULTS = 25_000
MAX_NAME = 255
MAX_SHORT = 1024
MAX_MESSAGE = 4000
# Which results are kept first when there are too many: what a gate fails on, then the rest.
PRIORITY = {"failed": 0, "error": 1, "manual": 2, "waived": 3}


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def artifact(result: Mapping[str, Any]) -> str:
    """The repository-relative file a result is shown on (see the module docstring)."""
    # A stock check's node id is the same wherever the package is installed (stock.py):
    # pytest_cis_aws/checks/<module>.py, whichever benchmark id it reports under. Any other
    # node id's file is relative to pytest's rootdir, '/'-separated; a URI escapes the rest.
    path = str(result.get("nodeid") or "").split("::")[0]
    return quote(path, safe="/") if path else "pytest_cis_aws/checks/__init__.py"


def rule_level(result: Mapping[str, Any]) -> str:
    return "error" if result.get("scored") else "warning"


def rule(result: Mapping[str, Any]) -> dict[str, Any]:
    rec_id = str(result.get("id") or "")
    title = str(result.get("title") or rec_id)
    level, section = result.get("level"), result.get("section")
    stock = bool(result.get("stock"))
    remediation = result.get("remediation") or (
        "An organisation check: see its test for what compliance means." if not stock else
        "See the benchmark's remediation for this recommendation.")
    cli = result.get("cli")
    text = f"{remediation}\n\nCLI: {cli}" if cli else str(remediation)
    markdown = f"{remediation}\n\n```bash\n{cli}\n```" if cli else str(remediation)
    scored = bool(result.get("scored"))
    benchmark = catalog.current()
    what = (f"{benchmark.short_name} v{benchmark.version}" if stock
            else "Organisation check")
    label = severity.label(result)
    return {
        "id": rec_id,
        "name": cut(f"CIS-AWS-{rec_id}" if stock else rec_id, MAX_NAME),  # an identifier
        "shortDescription": {"text": cut(title, MAX_SHORT)},
        "fullDescription": {"text": cut(
            f"{what} {rec_id}: {title} (Level {level}, {'scored' if scored else 'not scored'}"
            f"{f', section {section}' if section else ''}).", MAX_SHORT)},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": rule_level(result)},
        "properties": {
            "tags": ["security", "cis-aws" if stock else "organization", f"level-{level}",
                     *([str(section)] if section else []), "scored" if scored else "not-scored"],
            "level": level,
            "section": section,
            "scored": scored,
            "precision": "high",
            "problem.severity": "error" if scored else "warning",
            "security-severity": severity.SECURITY_SEVERITY[label],
        },
    }


def message(item: Item) -> str:
    where = "; ".join(part for part in (
        f"account {item.account}" if item.account else "",
        f"region {item.region}" if item.region else "") if part)
    subject = item.resource or f"recommendation {item.result.get('id')}"
    reason = item.reason or "(no reason given)"
    text = {
        "failed": f"{subject}: {reason}",
        "waived": f"{subject}: {reason} (waived: {(item.finding or {}).get('waiver', '')})",
        "error": f"Could not evaluate {subject}: {reason}",
        "manual": f"Manual review needed: {reason}",
    }[item.state]
    return cut(f"{text} [{where}]" if where else text, MAX_MESSAGE)


def result(item: Item, rule_index: int) -> dict[str, Any]:
    row = item.result
    kind = {"failed": "fail", "waived": "fail", "error": "open", "manual": "review"}[item.state]
    out: dict[str, Any] = {
        "ruleId": str(row.get("id") or ""),
        "ruleIndex": rule_index,
        "kind": kind,
        "level": rule_level(row) if kind == "fail" else "none",
        "message": {"text": message(item)},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": artifact(row)},
                "region": {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 2},
            },
            **({"logicalLocations": [{"fullyQualifiedName": item.resource, "kind": "resource"}]}
               if item.resource else {}),
        }],
        "partialFingerprints": {"primaryLocationLineHash": item.id, "cisAwsItemId/v1": item.id},
        "properties": {"outcome": item.state, "account": item.account, "region": item.region,
                       "resource": item.resource},
    }
    if item.change in ("new", "unchanged"):
        out["baselineState"] = item.change
    if item.state == "waived":
        out["suppressions"] = [{"kind": "external", "status": "accepted",
                                "justification": str((item.finding or {}).get("waiver") or "")}]
    return out


def rules_of(doc: Mapping[str, Any]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One rule per recommendation id, in the document's order (a merged document has each
    id once per account)."""
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for row in doc.get("results") or []:
        rec_id = str(row.get("id") or "")
        if rec_id and rec_id not in index:
            index[rec_id] = len(rules)
            rules.append(rule(row))
    return rules, index


def notifications(doc: Mapping[str, Any], left_out: int) -> list[dict[str, Any]]:
    notes = []
    not_run = [str(n.get("id")) for n in doc.get("not_run") or []]
    if not_run:
        notes.append(f"incomplete: {len(not_run)} of {doc.get('collected')} not run: "
                     + ", ".join(not_run))
    if not doc.get("results"):
        notes.append("no recommendation has a result: nothing was audited")
    if doc.get("no_regions"):
        notes.append(f"no region was audited: {doc['no_regions']}")
    if left_out:
        notes.append(f"{left_out} results left out: GitHub accepts at most {MAX_RESULTS} a run")
    return [{"level": "warning", "message": {"text": cut(text, MAX_MESSAGE)}} for text in notes]


def keep(results: list[tuple[Item, int]]) -> list[tuple[Item, int]]:
    if len(results) <= MAX_RESULTS:
        return results
    ranked = sorted(range(len(results)), key=lambda i: (PRIORITY[results[i][0].state], i))
    kept = sorted(ranked[:MAX_RESULTS])
    return [results[i] for i in kept]


def complete(doc: Mapping[str, Any]) -> bool:
    return doc.get("complete") is True and bool(doc.get("results"))


def log(doc: Mapping[str, Any]) -> dict[str, Any]:
    rules, index = rules_of(doc)
    reported = [(item, index[str(item.result.get("id") or "")]) for item in distinct(items(doc))
                if item.state in PRIORITY and str(item.result.get("id") or "") in index]
    kept = keep(reported)
    tool = doc.get("tool") or {}
    version = str(tool.get("version") or "0+unknown")
    account = str(doc.get("account") or "unknown")
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "pytest-cis-aws",
                "version": version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "automationDetails": {"id": f"pytest-cis-aws/{account}/"},
            "invocations": [{
                "executionSuccessful": complete(doc),
                "toolExecutionNotifications": notifications(doc, len(reported) - len(kept)),
            }],
            "results": [result(item, rule_index) for item, rule_index in kept],
            "properties": {
                "benchmark": doc.get("benchmark"),
                "benchmarkVersion": doc.get("version"),
                "account": account,
                "accounts": list(doc.get("accounts") or []),
                "regions": list(doc.get("regions") or []),
                "level": doc.get("level"),
                "generatedAt": doc.get("generated_at"),
                "complete": complete(doc),
                "notRun": [str(n.get("id")) for n in doc.get("not_run") or []],
                "score": doc.get("score"),
                "resolved": resolved(doc.get("resolved") or []),
            },
        }],
    }


def resolved(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": e.get("id"), "ruleId": e.get("recommendation"), "account": e.get("account"),
             "region": e.get("region"), "resource": e.get("resource"), "was": e.get("was")}
            for e in entries]


def render(doc: Mapping[str, Any]) -> str:
    # ensure_ascii: control characters, bidi overrides and markup in AWS names stay escaped.
    return json.dumps(log(doc), indent=2, ensure_ascii=True)

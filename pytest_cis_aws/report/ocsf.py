"""--cis-ocsf: every item of a --cis-json document as an OCSF Compliance Finding event.

OCSF (the Open Cybersecurity Schema Framework) is what Amazon Security Lake, Splunk and other
SIEMs ingest. The file is a JSON array of events of class 2003 (Compliance Finding, category 2
Findings) with the `cloud` profile, schema version OCSF_VERSION, one per item of
report/items.py: each judged resource, and each result that no finding explains (a check that
could not read its data, a manual one).

How an item's state reads in OCSF (OCSF says a compliance check is Pass, Warning — "did not
yield a result due to missing information" — or Fail; the finding's own status is New,
Suppressed or Resolved):

| state   | compliance.status_id | status_id      | severity_id       |
| passed  | 1 Pass               | 1 New          | 1 Informational   |
| failed  | 3 Fail               | 1 New          | 3 Medium          |
| waived  | 3 Fail               | 3 Suppressed   | 3 Medium          |
| error   | 2 Warning            | 1 New          | 3 Medium          |
| manual  | 99 Other ("Manual")  | 1 New          | 2 Low             |
| skipped | 99 Other ("Skipped") | 1 New          | 1 Informational   |

The benchmark gives no severity: every non-compliant or unevaluated resource is Medium ("action
is required but the situation is not serious at this time": we cannot tell how exposed it is),
a manual check Low ("the user decides if action is needed"). `compliance.status_code` is the
plugin's own outcome word, so nothing is lost in the mapping.

With a baseline (`change` on items, `resolved` in the document), `activity_id` says what happened
to the finding since: 1 Create (new, or no baseline), 2 Update (already in the baseline), 3 Close
(open in the baseline, no longer open: status_id 4 Resolved). A resolved item that is no longer
judged at all (its resource is gone) gets a Close event of its own.

`finding_info.uid` is the item's stable id (the same resource judged by the same recommendation
in the same account and region keeps it across runs); `metadata.uid` identifies this one event
(the stable id and the run's time), as OCSF means it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .. import catalog
from .items import Item, items

OCSF_VERSION = "1.3.0"
CLASS_UID = 2003
CATEGORY_UID = 2
ORGANISATION_STANDARD = "pytest-cis-aws organisation checks"

ACTIVITY = {1: "Create", 2: "Update", 3: "Close"}
STATUS = {1: "New", 3: "Suppressed", 4: "Resolved"}
SEVERITY = {1: "Informational", 2: "Low", 3: "Medium"}
COMPLIANCE_STATUS = {0: "Unknown", 1: "Pass", 2: "Warning", 3: "Fail"}

# state -> (compliance.status_id, compliance.status, status_id, severity_id)
STATES: dict[str, tuple[int, str, int, int]] = {
    "passed": (1, "Pass", 1, 1),
    "failed": (3, "Fail", 1, 3),
    "waived": (3, "Fail", 3, 3),
    "error": (2, "Warning", 1, 3),
    "manual": (99, "Manual", 1, 2),
    "skipped": (99, "Skipped", 1, 1),
}


def render(doc: Mapping[str, Any]) -> str:
    """The events as a JSON array (ASCII-only, so hostile names stay valid everywhere)."""
    return json.dumps(events(doc), indent=2, ensure_ascii=True)


def events(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    time = epoch_ms(str(doc.get("generated_at") or ""))
    resolved = {str(r.get("id")): r for r in doc.get("resolved") or []}
    out = []
    seen = set()
    for item in items(doc):
        seen.add(item.id)
        out.append(event(doc, item, time, closed=item.id in resolved))
    for rid, gone in resolved.items():
        if rid not in seen:
            out.append(resolved_event(doc, gone, time))
    return out


def epoch_ms(stamp: str) -> int:
    """OCSF's timestamp_t: milliseconds since the epoch (0 when the document has no time)."""
    try:
        return int(datetime.fromisoformat(stamp).timestamp() * 1000)
    except ValueError:
        return 0


def event(doc: Mapping[str, Any], item: Item, time: int, closed: bool = False
          ) -> dict[str, Any]:
    result = item.result
    compliance_id, compliance_status, status_id, severity_id = STATES[item.state]
    if closed:  # open in the baseline, not now: the finding closes (a waiver still suppresses)
        activity_id = 3
        if status_id == 1:
            status_id = 4
    else:
        activity_id = 2 if item.change == "unchanged" else 1
    rec_id = str(result.get("id"))
    title = str(result.get("title") or rec_id)
    reason = item.reason
    compliance: dict[str, Any] = {
        "standards": [standard(doc, result)],
        "control": rec_id,
        "status_id": compliance_id,
        "status": compliance_status,
        "status_code": item.state,
    }
    if result.get("stock"):
        compliance["requirements"] = [f"{standard(doc, result)}/{rec_id}"]
    if reason:
        compliance["status_detail"] = reason
    out: dict[str, Any] = {
        **header(doc, activity_id, time, event_uid(item.id, time)),
        "severity_id": severity_id,
        "severity": SEVERITY[severity_id],
        "status_id": status_id,
        "status": STATUS[status_id],
        "message": f"{rec_id} {title}: {item.state}",
        "cloud": cloud(item.account, item.region),
        "compliance": compliance,
        "finding_info": {"uid": item.id, "title": f"{rec_id} {title}",
                         "desc": reason or title},
        "resources": [resource(item.resource, item.region, item.account)],
        "unmapped": {"cis": cis_fields(result, item)},
    }
    if item.finding is not None and item.finding.get("waiver"):
        out["status_detail"] = f"waived: {item.finding['waiver']}"
    remediation = result.get("remediation")
    if remediation:
        cli = result.get("cli")
        out["remediation"] = {"desc": f"{remediation}\n\nCLI: {cli}" if cli else str(remediation)}
    return out


def resolved_event(doc: Mapping[str, Any], gone: Mapping[str, Any], time: int) -> dict[str, Any]:
    """A finding open in the baseline whose item this run no longer has: it closes."""
    rec_id = str(gone.get("recommendation"))
    title = str(gone.get("title") or rec_id)
    account = gone.get("account")
    stock = catalog.known(rec_id)
    return {
        **header(doc, 3, time, event_uid(str(gone.get("id")), time)),
        "severity_id": 1,
        "severity": SEVERITY[1],
        "status_id": 4,
        "status": STATUS[4],
        "message": f"{rec_id} {title}: resolved (was {gone.get('was')})",
        "cloud": cloud(account, gone.get("region")),
        "compliance": {
            "standards": [standard(doc, {"stock": stock})],
            "control": rec_id,
            "status_id": 0,
            "status": COMPLIANCE_STATUS[0],
            "status_code": "resolved",
            "status_detail": f"was {gone.get('was')}: {gone.get('reason') or ''}",
        },
        "finding_info": {"uid": str(gone.get("id")), "title": f"{rec_id} {title}",
                         "desc": f"no longer judged in this run; was {gone.get('was')}"},
        "resources": [resource(gone.get("resource"), gone.get("region"), account)],
        "unmapped": {"cis": {"outcome": "resolved", "was": gone.get("was")}},
    }


def header(doc: Mapping[str, Any], activity_id: int, time: int, uid: str) -> dict[str, Any]:
    tool = doc.get("tool") or {}
    return {
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "activity_id": activity_id,
        "activity_name": ACTIVITY[activity_id],
        "type_uid": CLASS_UID * 100 + activity_id,
        "type_name": f"Compliance Finding: {ACTIVITY[activity_id]}",
        "time": time,
        "metadata": {
            "version": OCSF_VERSION,
            "profiles": ["cloud"],
            "uid": uid,
            "product": {"name": str(tool.get("name") or "pytest-cis-aws"),
                        "vendor_name": "pytest-cis-aws",
                        "version": str(tool.get("version") or "")},
        },
    }


def event_uid(item_id: str, time: int) -> str:
    """One event: this item in this run (the item's own id stays the same across runs)."""
    return hashlib.sha256(f"{item_id}\x1f{time}".encode()).hexdigest()[:32]


def standard(doc: Mapping[str, Any], result: Mapping[str, Any]) -> str:
    # An organisation's own check (ORG-1) is not part of the benchmark: it is not claimed to be.
    if not result.get("stock"):
        return ORGANISATION_STANDARD
    benchmark = catalog.current()
    return f"{benchmark.short_name} v{doc.get('version') or benchmark.version}"


def cloud(account: str | None, region: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"provider": "AWS"}
    if account:
        out["account"] = {"uid": account, "type_id": 10, "type": "AWS Account"}
    if region:
        out["region"] = region
    return out


def resource(name: str | None, region: str | None, account: str | None) -> dict[str, Any]:
    """The judged resource: an ARN as its uid (with its partition and type), any other name
    ("<root_account>", "region eu-west-1") as its name; the account for a result-level item."""
    if not name:
        return ({"uid": account, "type": "AWS Account"} if account
                else {"name": "AWS account (unknown)", "type": "AWS Account"})
    out: dict[str, Any] = {}
    parts = name.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn":
        _, partition, service, arn_region, _, rest = parts
        kind = rest.split("/", 1)[0].split(":", 1)[0] if ("/" in rest or ":" in rest) else ""
        out.update(uid=name, type=f"{service}:{kind}" if kind else service,
                   cloud_partition=partition)
        region = region or arn_region or None
    else:
        out["name"] = name
    if region:
        out["region"] = region
    return out


def cis_fields(result: Mapping[str, Any], item: Item) -> dict[str, Any]:
    """What OCSF has no attribute for: the benchmark's level, section and scored flag."""
    out = {"level": result.get("level"), "section": result.get("section"),
           "scored": result.get("scored"), "outcome": item.state,
           "result_outcome": result.get("outcome"), "nodeid": result.get("nodeid")}
    if item.change:
        out["change"] = item.change
    if item.finding is not None and item.finding.get("waiver"):
        out["waiver"] = item.finding["waiver"]
    return {k: v for k, v in out.items() if v is not None}

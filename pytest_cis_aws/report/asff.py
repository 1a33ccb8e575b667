"""--cis-asff: the AWS Security Finding Format list that `aws securityhub
batch-import-findings --findings file://...` takes. The plugin never uploads (it is
read-only); README shows the command, in batches of 100 (BatchImportFindings' limit).

One finding per item (report/items.py), and one per recommendation that passed on no resource
(the account as resource), so a pass reaches Security Hub too: a PASSED finding with the Id of
an earlier FAILED one resolves it there.

| item | Compliance.Status | Workflow.Status | Severity.Label |
| --- | --- | --- | --- |
| passed | PASSED | RESOLVED | INFORMATIONAL |
| failed | FAILED | NEW | from the recommendation (report/severity.py: HIGH, MEDIUM, LOW) |
| waived | FAILED | SUPPRESSED (the waiver as Note) | same |
| could not be evaluated | NOT_AVAILABLE | NEW | same |
| manual | WARNING | NEW | same |
| resolved since the baseline, gone | PASSED, ARCHIVED record | RESOLVED | INFORMATIONAL |

Skipped results and items whose account is unknown are left out (Security Hub needs the
account). `Id` is `pytest-cis-aws/<stable item id>`: the same resource judged by the same
recommendation keeps its finding across runs (judged twice by one check, it is one finding:
report/distinct.py). `ProductArn` is the account's default product
(`arn:aws:securityhub:REGION:ACCOUNT:product/ACCOUNT/default`) in the first audited region,
`us-east-1` when none was: Security Hub takes a finding only in the region its product ARN
names, so import the file there. `CreatedAt`/`UpdatedAt` are the run's time. Texts are cut to
Security Hub's limits (Title 256, Description 1024, Remediation text 512, Note 512 characters).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from typing import Any

from .. import catalog
from . import severity
from .distinct import distinct
from .items import Item, items

SCHEMA_VERSION = "2018-10-08"
CIS_TYPE = "Software and Configuration Checks/Industry and Regulatory Standards/" \
           "CIS AWS Foundations Benchmark"
ORG_TYPE = "Software and Configuration Checks"
MAX_TITLE, MAX_DESCRIPTION, MAX_REMEDIATION, MAX_NOTE = 256, 1024, 512, 512
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
ACCOUNT = re.compile(r"^\d{12}$")

STATUS = {"passed": ("PASSED", "RESOLVED"), "failed": ("FAILED", "NEW"),
          "waived": ("FAILED", "SUPPRESSED"), "error": ("NOT_AVAILABLE", "NEW"),
          "manual": ("WARNING", "NEW")}

# ARN service and resource prefix -> ASFF resource type; anything else is "Other".
RESOURCE_TYPES = {
    ("iam", "user"): "AwsIamUser", ("iam", "role"): "AwsIamRole",
    ("iam", "group"): "AwsIamGroup", ("iam", "policy"): "AwsIamPolicy",
    ("iam", "root"): "AwsAccount", ("s3", ""): "AwsS3Bucket",
    ("cloudtrail", "trail"): "AwsCloudTrailTrail", ("kms", "key"): "AwsKmsKey",
    ("ec2", "vpc"): "AwsEc2Vpc", ("ec2", "security-group"): "AwsEc2SecurityGroup",
    ("ec2", "network-acl"): "AwsEc2NetworkAcl", ("ec2", "instance"): "AwsEc2Instance",
    ("ec2", "route-table"): "AwsEc2RouteTable",
    ("ec2", "vpc-peering-connection"): "AwsEc2VpcPeeringConnection",
    ("sns", ""): "AwsSnsTopic", ("cloudwatch", "alarm"): "AwsCloudWatchAlarm",
}


def cut(text: str, limit: int) -> str:
    text = text if text.strip() else "(none)"  # every ASFF string must have a non-blank char
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws-us-gov" if region.startswith("us-gov-") else "aws"


def timestamp(doc: Mapping[str, Any]) -> str:
    """RFC 3339 in UTC with a Z, as ASFF's examples write it."""
    try:
        when = datetime.fromisoformat(str(doc.get("generated_at")))
    except ValueError:
        when = datetime.now(timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def resource(name: str | None, region: str | None, account: str,
             home: str) -> dict[str, Any]:
    if not name:  # the recommendation as a whole: the account is its resource
        return {"Type": "AwsAccount", "Id": f"AWS::::Account:{account}",
                "Partition": partition_of(home)}
    parts = name.split(":", 5)
    rtype, partition, arn_region = "Other", partition_of(home), ""
    if len(parts) == 6 and parts[0] == "arn":
        partition, service, arn_region, rest = parts[1], parts[2], parts[3], parts[5]
        prefix = re.split(r"[/:]", rest, maxsplit=1)[0] if re.search(r"[/:]", rest) else (
            rest if rest == "root" else "")
        rtype = RESOURCE_TYPES.get((service, prefix), "Other")
    out = {"Type": rtype, "Id": name,
           "Partition": partition if partition in ("aws", "aws-cn", "aws-us-gov") else "aws"}
    where = region if region and REGION.match(region) else arn_region
    if where and REGION.match(where):
        out["Region"] = where
    return out


def generator(doc: Mapping[str, Any], row: Mapping[str, Any]) -> str:
    rec_id = str(row.get("id") or "")
    if row.get("stock"):
        # "CIS AWS Foundations Benchmark" -> cis-aws-foundations-benchmark, as Security Hub's own
        # standards ARNs spell it.
        slug = re.sub(r"[^a-z0-9]+", "-", catalog.current().short_name.lower()).strip("-")
        return f"pytest-cis-aws/{slug}/v/{doc.get('version')}/{rec_id}"
    return f"pytest-cis-aws/organization/{rec_id}"


def description(item: Item) -> str:
    rec = f"{item.result.get('id')} ({item.result.get('title')})"
    subject = item.resource or f"account {item.account}"
    reason = item.reason or "no reason given"
    waiver = (item.finding or {}).get("waiver", "")
    return {
        "passed": f"{subject} complies with {rec}: {reason}",
        "failed": f"{subject} does not comply with {rec}: {reason}",
        "waived": f"{subject} does not comply with {rec}: {reason}. Waived: {waiver}",
        "error": f"{rec} could not be evaluated for {subject}: {reason}",
        "manual": f"{rec} needs a manual check: {reason}",
    }[item.state]


def finding(doc: Mapping[str, Any], item: Item, home: str, when: str) -> dict[str, Any]:
    row, account = item.result, str(item.account)
    rec_id, stock = str(row.get("id") or ""), bool(row.get("stock"))
    status, workflow = STATUS[item.state]
    label = "INFORMATIONAL" if item.state == "passed" else severity.label(row)
    types = [CIS_TYPE if stock else ORG_TYPE]
    remediation = str(row.get("remediation") or "") or (
        f"An organisation check: see its test {row.get('nodeid')}.")
    if row.get("cli"):
        remediation = f"{remediation} CLI: {row['cli']}"
    out: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": f"pytest-cis-aws/{item.id}",
        "ProductArn": f"arn:{partition_of(home)}:securityhub:{home}:{account}:product/"
                      f"{account}/default",
        "GeneratorId": generator(doc, row),
        "AwsAccountId": account,
        "Types": types,
        "CreatedAt": when,
        "UpdatedAt": when,
        "Severity": {"Label": label, "Original": label},
        "FindingProviderFields": {"Severity": {"Label": label, "Original": label},
                                  "Types": types},
        "Title": cut(f"{rec_id} {row.get('title') or ''}".strip(), MAX_TITLE),
        "Description": cut(description(item), MAX_DESCRIPTION),
        "Remediation": {"Recommendation": {"Text": cut(remediation, MAX_REMEDIATION)}},
        "ProductFields": {
            "ProviderName": "pytest-cis-aws",
            "ProviderVersion": str((doc.get("tool") or {}).get("version") or "unknown"),
            "pytest-cis-aws/recommendation": rec_id,
            "pytest-cis-aws/level": str(row.get("level")),
            "pytest-cis-aws/scored": str(bool(row.get("scored"))).lower(),
            **({"pytest-cis-aws/baseline": item.change} if item.change else {}),
        },
        "Resources": [resource(item.resource, item.region, account, home)],
        "Compliance": {"Status": status, **(
            {"RelatedRequirements": [f"{catalog.current().short_name} v{doc.get('version')}/"
                                     f"{rec_id}"]} if stock else {})},
        "RecordState": "ACTIVE",
        "Workflow": {"Status": workflow},
    }
    if item.state == "waived":
        out["Note"] = {"Text": cut(f"waived: {(item.finding or {}).get('waiver', '')}",
                                   MAX_NOTE),
                       "UpdatedBy": "pytest-cis-aws", "UpdatedAt": when}
    return out


def judged(doc: Mapping[str, Any]) -> Iterator[Item]:
    """Every item, and the account itself for a recommendation that passed on no resource."""
    for row in doc.get("results") or []:
        found = distinct(items({**doc, "results": [row]}))
        yield from found
        if row.get("outcome") == "passed" and not found:
            yield Item(id=str(row.get("item_id") or ""), state="passed", result=row,
                       finding=None, account=_account(doc, row))


def _account(doc: Mapping[str, Any], row: Mapping[str, Any]) -> str | None:
    account = row.get("account") or doc.get("account")
    return str(account) if account and ACCOUNT.match(str(account)) else None


def archived(doc: Mapping[str, Any], entry: Mapping[str, Any], home: str, when: str,
             ) -> dict[str, Any]:
    """A baseline item no longer listed at all (its resource is gone): archived, resolved."""
    rec_id = str(entry.get("recommendation") or "")
    rec = catalog.current().recommendations.get(rec_id)
    row = {"id": rec_id, "title": entry.get("title"), "stock": rec is not None,
           "level": rec.level if rec else None, "scored": rec.scored if rec else None,
           "remediation": rec.remediation if rec else None, "cli": rec.cli if rec else None,
           "nodeid": rec_id}
    item = Item(id=str(entry.get("id")), state="passed", result=row, finding={
        "resource": entry.get("resource"), "region": entry.get("region"),
        "reason": f"no longer found (was {entry.get('was')}: {entry.get('reason')})"},
        account=str(entry.get("account")))
    out = finding(doc, item, home, when)
    out["RecordState"] = "ARCHIVED"
    out["Description"] = cut(
        f"{entry.get('resource') or 'account ' + str(entry.get('account'))} is no longer "
        f"listed by {rec_id}; it was {entry.get('was')} in the baseline: {entry.get('reason')}",
        MAX_DESCRIPTION)
    return out


def findings(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    regions = [str(r) for r in doc.get("regions") or [] if REGION.match(str(r))]
    home = regions[0] if regions else "us-east-1"
    when = timestamp(doc)
    out = [finding(doc, item, home, when) for item in judged(doc)
           if item.state in STATUS and item.account and ACCOUNT.match(item.account)]
    listed = {f["Id"] for f in out}
    for entry in doc.get("resolved") or []:
        account = str(entry.get("account") or "")
        if ACCOUNT.match(account) and f"pytest-cis-aws/{entry.get('id')}" not in listed:
            out.append(archived(doc, entry, home, when))
    return out


def render(doc: Mapping[str, Any]) -> str:
    # ensure_ascii: control characters, bidi overrides and markup in AWS names stay escaped.
    return json.dumps(findings(doc), indent=2, ensure_ascii=True)

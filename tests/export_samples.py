"""Hand-built --cis-json documents for the OCSF, CSV and Markdown tests (export_docs.py has
the SARIF and ASFF ones): every outcome, a hostile resource name, an organisation's own check;
with or without a baseline comparison; one account or several. Each is checked against the
schema the package ships."""

from __future__ import annotations

import copy
from typing import Any

from pytest_cis_aws.report import json_export
from pytest_cis_aws.report.items import finding_id
from schemas import validate_cis_json

ACCOUNT = "123456789012"
OTHER = "210987654321"
# What whoever can name a resource may write: table and cell breakers, markup, a formula,
# a newline, a bidi override, non-ASCII letters.
HOSTILE = ("arn:aws:ec2:us-east-1:123456789012:security-group/sg-1|x`y`<script>alert(1)</script>"
           "\n| 9.9 | fake | row |\u202e=HYPERLINK(\"http://evil\") [a](http://evil) @team é")


def finding(resource: str, compliant: bool | None, reason: str, region: str | None = None,
            **extra: Any) -> dict[str, Any]:
    return {"resource": resource, "region": region, "compliant": compliant, "reason": reason,
            **extra}


def result(rec: str, title: str, outcome: str, findings: list[dict[str, Any]] | None = None,
           reason: str = "", level: int = 1, section: str | None = "iam", scored: bool = True,
           stock: bool = True, account: str | None = None) -> dict[str, Any]:
    return {"id": rec, "title": title, "section": section, "level": level, "scored": scored,
            "stock": stock, "account": account, "outcome": outcome, "reason": reason,
            "nodeid": f"checks/test_x.py::test_{rec.replace('.', '_')}",
            "findings": findings or [], "notes": []}


def results(account: str | None = None) -> list[dict[str, Any]]:
    iam = f"arn:aws:iam::{account or ACCOUNT}"
    return [
        result("1.2", "Ensure MFA is enabled for all IAM users that have a console password",
               "failed", [finding(f"{iam}:user/alice", False, "console password, no MFA"),
                          finding(f"{iam}:user/bob", True, "MFA device"),
                          finding(f"{iam}:user/eve", None, "unreadable MFA devices")],
               reason="1 of 3 users without MFA", account=account),
        result("1.5", "Ensure IAM password policy requires at least one uppercase letter",
               "error", reason="AccessDenied: iam:GetAccountPasswordPolicy", account=account),
        result("1.14", "Ensure hardware MFA is enabled for the root account", "waived",
               [finding(f"{iam}:root", False, "virtual MFA", waived=True,
                        waiver="hardware MFA ordered, SEC-1 (expires 2099-01-01)")],
               reason="waived: 1 accepted exception(s)", level=2, account=account),
        result("1.15", "Ensure security questions are registered in the AWS account", "manual",
               reason="manual: the console only shows them", scored=False, account=account),
        result("2.1", "Ensure CloudTrail is enabled in all regions", "passed",
               [finding(f"arn:aws:cloudtrail:us-east-1:{account or ACCOUNT}:trail/main", True,
                        "multi-region, logging", "us-east-1")],
               section="logging", account=account),
        result("4.1", "Ensure no security groups allow ingress from 0.0.0.0/0 to port 22",
               "failed", [finding(HOSTILE, False, "=cmd|' /C calc'!A0 port 22 open\nto all",
                                  "us-east-1")],
               reason="1 security group open", section="networking", account=account),
        result("ORG-1", "Our <own> | check", "error",
               [finding(f"{iam}:user/x", None, "unreadable")], reason="could not evaluate",
               stock=False, account=account),
    ]


def document(rows: list[dict[str, Any]] | None = None, account: str = ACCOUNT,
             level: int = 2, **completeness: Any) -> dict[str, Any]:
    rows = results() if rows is None else rows
    built = json_export.assemble(
        [json_export.row(r, None if account in ("unknown", "organization") else account)
         for r in rows],
        {"account": account, "regions": ["us-east-1", "eu-west-1"], "level": level},
        completeness or None)
    built["generated_at"] = "2026-12-01T22:00:00+00:00"
    validate_cis_json(built)
    return built


def organisation() -> dict[str, Any]:
    return document(results(ACCOUNT) + results(OTHER), account="organization")


def with_baseline(doc: dict[str, Any]) -> dict[str, Any]:
    """As --cis-baseline leaves it: 1.2's alice is new, everything else open was there before;
    a user fixed since (bob, 1.2: passes now) and a deleted group (4.1) are resolved."""
    doc = copy.deepcopy(doc)
    for row in doc["results"]:
        for f in row["findings"]:
            if f["compliant"] is not True:
                f["change"] = "new" if f["resource"].endswith("user/alice") else "unchanged"
        if row["outcome"] in ("failed", "error") and not row["findings"]:
            row["change"] = "unchanged"
    bob = {"resource": f"arn:aws:iam::{ACCOUNT}:user/bob"}
    bob["id"] = finding_id("1.1.0", "1.2", ACCOUNT, None, bob["resource"])
    doc["baseline"] = {"generated_at": "2026-11-30T22:00:00+00:00", "path": "old.json"}
    doc["resolved"] = [
        {"id": bob["id"], "recommendation": "1.2", "title": "MFA", "account": ACCOUNT,
         "region": None, "resource": bob["resource"], "was": "failed", "reason": "no MFA"},
        {"id": "f" * 32, "recommendation": "4.1", "title": "SSH", "account": ACCOUNT,
         "region": "eu-west-1", "resource": f"arn:aws:ec2:eu-west-1:{ACCOUNT}:security-group/"
         "sg-gone`|<b>", "was": "failed", "reason": "port 22 open"},
    ]
    validate_cis_json(doc)
    return doc

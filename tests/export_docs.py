"""Hand-built --cis-json documents for the export tests: every outcome, a baseline, hostile
names, an organisation, no result at all. Cheap: no AWS, no pytest run; each document is
checked against the JSON contract before an export reads it."""

from __future__ import annotations

import copy
from typing import Any

from pytest_cis_aws import catalog
from pytest_cis_aws.report.json_export import assemble, row
from schemas import validate_cis_json

ACCOUNT = "123456789012"
OTHER = "210987654321"
HOSTILE = "arn:aws:iam::123456789012:user/<b>x</b>\x1b[31m\u202egnp.exe\x00\"'&"


def finding(resource: str, compliant: bool | None, reason: str, region: str | None = None,
            waiver: str | None = None) -> dict[str, Any]:
    return {"resource": resource, "region": region, "compliant": compliant, "reason": reason,
            "waived": waiver is not None, **({"waiver": waiver} if waiver else {})}


def result(rec_id: str, outcome: str, findings: list[dict[str, Any]] = (),  # type: ignore[assignment]
           account: str | None = None, reason: str = "", **meta: Any) -> dict[str, Any]:
    rec = catalog.CATALOG.get(rec_id)
    base = ({"title": rec.title, "section": rec.section, "level": rec.level,
             "scored": rec.scored, "stock": True} if rec else
            {"title": "Our own rule", "section": "iam", "level": 1, "scored": True,
             "stock": False})
    module = {"iam": "1_iam", "logging": "2_logging", "monitoring": "3_monitoring",
              "networking": "4_networking"}.get(rec.section if rec else "", "")
    nodeid = (f"pytest_cis_aws/checks/cis_aws_{module}.py::test_{rec_id.replace('.', '_')}"
              if rec else
              f"tests/test_org.py::test_{rec_id.replace('-', '_').lower()}")
    return {"id": rec_id, **base, **meta, "account": account, "outcome": outcome,
            "reason": reason, "nodeid": nodeid, "findings": list(findings), "notes": []}


def rows(account: str | None = ACCOUNT) -> list[dict[str, Any]]:
    """Every outcome; `account` on the rows as an organisation run has it (None: the
    document's own account)."""
    on_rows, account = account, account or ACCOUNT
    user = f"arn:aws:iam::{account}:user/alice"
    return [
        result("1.2", "failed", [finding(user, False, "console password without MFA"),
                                 finding(f"arn:aws:iam::{account}:user/bob", True, "MFA on"),
                                 finding(HOSTILE, False, "no MFA \u202e<script>")],
               account=on_rows, reason="2 of 3 users fail"),
        result("1.14", "waived", [finding(f"arn:aws:iam::{account}:root", False,
                                          "no hardware MFA", waiver="SEC-1: ordered")],
               account=on_rows),
        result("1.5", "error", account=on_rows,
               reason="AccessDenied: iam:GetAccountPasswordPolicy"),
        result("2.1", "error", [finding(f"arn:aws:cloudtrail:eu-west-1:{account}:trail/t",
                                        None, "unreadable", "eu-west-1")], account=on_rows,
               reason="could not evaluate"),
        result("1.15", "manual", account=on_rows, reason="manual: security questions"),
        result("4.1", "passed", [finding(
            f"arn:aws:ec2:eu-west-1:{account}:security-group/sg-1", True, "closed",
            "eu-west-1")], account=on_rows),
        result("2.6", "passed", account=on_rows),  # passed on no resource (empty=...)
        result("ORG-1", "failed", [finding(f"arn:aws:s3:::bucket-{account}", False,
                                           "public")], account=on_rows),
    ]


def document(rows_: list[dict[str, Any]], account: str = ACCOUNT, *, complete: bool = True,
             regions: tuple[str, ...] = ("eu-west-1", "us-east-1")) -> dict[str, Any]:
    built = [row(r, r.get("account") or (account if account != "organization" else None))
             for r in rows_]
    not_run = [] if complete else [{"id": "3.1", "account": None, "nodeid": "t::test_3_1"}]
    doc = assemble(built, {"account": account, "regions": list(regions), "level": 2},
                   {"complete": complete, "collected": len(built) + len(not_run),
                    "not_run": not_run})
    validate_cis_json(doc)
    return doc


def single() -> dict[str, Any]:
    return document(rows(None))


def organization() -> dict[str, Any]:
    return document(rows(ACCOUNT) + rows(OTHER), "organization")


def with_baseline(doc: dict[str, Any]) -> dict[str, Any]:
    """As --cis-baseline leaves it: every open item tagged, one item resolved since."""
    doc = copy.deepcopy(doc)
    for r in doc["results"]:
        for f in r["findings"]:
            if f["compliant"] is not True:
                f["change"] = "new" if "alice" in f["resource"] else "unchanged"
        if r["outcome"] in ("error", "manual") and not r["findings"]:
            r["change"] = "unchanged"
    doc["baseline"] = {"generated_at": "2026-11-01T00:00:00+00:00"}
    doc["resolved"] = [{"id": "0" * 32, "recommendation": "1.3", "title": "unused credentials",
                        "account": ACCOUNT, "region": None,
                        "resource": f"arn:aws:iam::{ACCOUNT}:user/carol", "was": "failed",
                        "reason": "password unused for 120 days"}]
    validate_cis_json(doc)
    return doc


def empty() -> dict[str, Any]:
    return document([], complete=False, regions=())


def judged_twice() -> dict[str, Any]:
    """1.3 reads a user's password and each access key: two findings, one resource, one id."""
    bob = f"arn:aws:iam::{ACCOUNT}:user/bob"
    return document([result("1.3", "failed", [
        finding(bob, True, "console password used 1 day ago"),
        finding(bob, False, "access key 1 never used"),
        finding(bob, None, "access key 2: no dates")])])

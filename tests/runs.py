"""Reading an in-process pytester run of the stock checks: outcome, findings and skip reason per
recommendation, and the --cis-api-stats table."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest


@dataclass
class CheckRun:
    result: pytest.RunResult
    outcomes: dict[str, str] = field(default_factory=dict)
    findings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    skips: dict[str, str] = field(default_factory=dict)


def run_checks(pytester: pytest.Pytester, *args: str) -> CheckRun:
    """Run the stock checks; a check that raised (not a verdict) reads as "crashed"."""
    run = CheckRun(pytester.runpytest(*args))
    for report in run.result.reprec.getreports("pytest_runtest_logreport"):  # type: ignore[attr-defined]
        cis = getattr(report, "cis", None)
        if cis is None:
            continue
        rec = cis["id"]
        if getattr(report, "cis_outcome", None) == "error" or (
                report.when != "call" and report.failed):
            run.outcomes[rec] = "error"
        elif report.when == "call" and report.failed and not report.longreprtext.startswith(
                f"CIS {rec} "):
            run.outcomes[rec] = "crashed"  # an exception, not a compliance verdict
        elif report.when == "call" or report.skipped:
            run.outcomes.setdefault(rec, report.outcome)
        if report.when == "call":
            run.findings[rec] = getattr(report, "cis_findings", [])
        if report.skipped:
            run.skips[rec] = str(report.longrepr[2]).removeprefix("Skipped: ")
    return run


def api_calls(result: pytest.RunResult) -> dict[str, int]:
    """The --cis-api-stats table, as {"service:Operation": calls}."""
    section = result.stdout.str().split(" AWS API calls: ", 1)[1]
    rows = section.split("\n\n", 1)[0].split("=" * 10, 1)[0]
    found = re.findall(r"^\s+([a-z0-9-]+)\s+([A-Za-z]+)\s+(\d+)\s*$", rows, re.M)
    return {f"{service}:{operation}": int(n) for service, operation, n in found}


def by_resource(findings: list[dict[str, Any]]) -> dict[str, tuple[bool | None, str]]:
    return {f["resource"]: (f["compliant"], f["reason"]) for f in findings}


# A conftest for pytester runs: GetAccountPasswordPolicy answers AccessDenied before anything
# is sent, so 1.5 - 1.11 end in error in their setup.
DENY_PASSWORD_POLICY = """
import pytest

@pytest.fixture(scope="session", autouse=True)
def deny_password_policy(cis_run):
    # Answer GetAccountPasswordPolicy with AccessDenied before anything is sent.
    from botocore.awsrequest import AWSResponse

    def denied(model, **kwargs):
        response = AWSResponse("https://iam.amazonaws.com", 403, {}, None)
        return response, {"Error": {"Code": "AccessDenied", "Message": "not for you"},
                          "ResponseMetadata": {"HTTPStatusCode": 403}}

    cis_run.aws.session.events.register(
        "before-call.iam.GetAccountPasswordPolicy", denied)
"""

"""Collectors for account-wide IAM data: each returns JSON-able data, one fetch per run.

None of them makes a call per user: the credential report and GetAccountAuthorizationDetails
give everything in a handful of paginated calls.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..errors import DataUnavailable
from . import events
from .errors import error_code, member, reading
from .pages import pages
from .session import Aws

CREDENTIAL_REPORT_PERMISSION = "iam:GenerateCredentialReport and iam:GetCredentialReport"
# Answers that mean "not yet": the report is being generated, expired, or AWS is busy.
RETRY_CODES = ("ReportInProgress", "ReportNotPresent", "ReportExpired", "LimitExceeded",
               "Throttling")
# Polling the report: a report AWS made within the last four hours is there at once and a small
# account's takes a second or two, so the first wait is short; a big account's takes minutes, so
# the waits double up to a cap rather than polling IAM (and its rate limit) five times a second.
FIRST_POLL = 0.2
MAX_POLL = 5.0


def credential_report(aws: Aws, timeout: float,
                      sleep: Callable[[float], None] = time.sleep,
                      clock: Callable[[], float] = time.monotonic) -> dict[str, Any]:
    """Generate the report (or reuse AWS's recent one) and download it, within `timeout` s."""
    with reading("iam:GetCredentialReport", permission=CREDENTIAL_REPORT_PERMISSION), \
            events.task("credential report") as progress:
        return _poll_report(aws, timeout, sleep, clock, progress)


def _poll_report(aws: Aws, timeout: float, sleep: Callable[[float], None],
                 clock: Callable[[], float],
                 progress: Callable[..., None] = events.ignore) -> dict[str, Any]:
    from botocore.exceptions import ClientError

    iam = aws.client("iam")
    deadline = clock() + timeout
    delay = FIRST_POLL
    last = "not started"
    while True:
        try:
            state = member(iam.generate_credential_report(), "State")  # none: malformed
            if state == "COMPLETE":
                answer = iam.get_credential_report()
                return {"content": _text(member(answer, "Content")),
                        "generated": answer.get("GeneratedTime")}
            last = f"state {state}"
        except ClientError as exc:
            code = error_code(exc)
            if code not in RETRY_CODES:
                raise
            last = code
        # Throttled is not generating: the wait is IAM's rate limit, not the report.
        progress(state="throttled" if last in ("LimitExceeded", "Throttling") else "generating")
        remaining = deadline - clock()
        if remaining <= 0:
            raise DataUnavailable(
                "iam:GetCredentialReport",
                f"the credential report was not ready after {timeout:g} s (last: {last})",
                permission=CREDENTIAL_REPORT_PERMISSION,
            )
        sleep(min(delay, remaining))  # the last wait ends at the deadline, for one more try
        delay = min(delay * 2, MAX_POLL)


def _text(content: Any) -> str:
    return content.decode("utf-8") if isinstance(content, (bytes, bytearray)) else str(content)


def password_policy(aws: Aws) -> dict[str, Any] | None:
    """The account password policy, or None when the account has none (not an error)."""
    from botocore.exceptions import ClientError

    with reading("iam:GetAccountPasswordPolicy"):
        try:
            return dict(member(aws.client("iam").get_account_password_policy(),
                               "PasswordPolicy"))
        except ClientError as exc:
            if error_code(exc) == "NoSuchEntity":
                return None
            raise


def account_summary(aws: Aws) -> dict[str, int]:
    with reading("iam:GetAccountSummary"):
        return dict(member(aws.client("iam").get_account_summary(), "SummaryMap"))


GAAD_FILTER = ["User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy"]


def authorization_details(aws: Aws) -> dict[str, list[Any]]:
    """Users, groups, roles, customer managed policies (every version's document) and, apart,
    AWS managed policies (their default version only)."""
    merged: dict[str, list[Any]] = {
        "UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []
    }
    with reading("iam:GetAccountAuthorizationDetails"):
        # IAM's largest page: a big account takes a handful of calls instead of dozens.
        for page in pages(aws.client("iam"), "get_account_authorization_details",
                          page_size=1000, Filter=GAAD_FILTER):
            for key, items in merged.items():
                items.extend(member(page, key))  # every page carries all four lists
        # AWS managed policies apart: 1.24 judges the customer's own; 1.18 needs the others to
        # tell who may assume a role. Only the default version decides, and keeps data small.
        aws_managed = [p for p in merged["Policies"] if _aws_managed(member(p, "Arn"))]
        merged["Policies"] = [p for p in merged["Policies"] if not _aws_managed(p["Arn"])]
        merged["AWSManagedPolicies"] = [
            {**p, "PolicyVersionList": [v for v in member(p, "PolicyVersionList")
                                        if member(v, "IsDefaultVersion")]}
            for p in aws_managed]
    return merged


def _aws_managed(arn: str) -> bool:
    return arn.split(":")[4] == "aws"  # arn:<partition>:iam::aws:policy/...


def virtual_mfa_devices(aws: Aws) -> list[dict[str, Any]]:
    """Assigned virtual MFA devices (a virtual device on root fails 1.14)."""
    devices: list[dict[str, Any]] = []
    with reading("iam:ListVirtualMFADevices"):
        for page in pages(aws.client("iam"), "list_virtual_mfa_devices", page_size=1000,
                          AssignmentStatus="Assigned"):
            devices.extend(member(page, "VirtualMFADevices"))
    return devices


def security_contact(aws: Aws) -> dict[str, Any] | None:
    """The SECURITY alternate contact, or None when none is registered."""
    from botocore.exceptions import ClientError

    with reading("account:GetAlternateContact"):
        try:
            answer = aws.client("account").get_alternate_contact(AlternateContactType="SECURITY")
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return None
            raise
        return dict(member(answer, "AlternateContact"))


def contact_information(aws: Aws) -> dict[str, Any]:
    with reading("account:GetContactInformation"):
        return dict(member(aws.client("account").get_contact_information(),
                           "ContactInformation"))


def cost_and_usage_reports(aws: Aws) -> list[dict[str, Any]]:
    # The CUR API lives in us-east-1 only, whatever the home region.
    reports: list[dict[str, Any]] = []
    with reading("cur:DescribeReportDefinitions", region="us-east-1"):
        for page in pages(aws.client("cur", "us-east-1"), "describe_report_definitions"):
            reports.extend(member(page, "ReportDefinitions"))
    return reports


"""AWS Organizations: the accounts to audit, and access to each of them."""

from __future__ import annotations

from typing import Any

from .errors import member, reading
from .pages import pages
from .session import Aws


def active_accounts(aws: Aws) -> list[dict[str, str]]:
    """Every ACTIVE account of the organization (from the management or a delegated admin)."""
    accounts: list[dict[str, str]] = []
    with reading("organizations:ListAccounts"):
        for page in pages(aws.client("organizations"), "list_accounts"):
            accounts += [{"id": member(a, "Id"), "name": a.get("Name", "")}
                         for a in member(page, "Accounts") if a.get("Status") == "ACTIVE"]
    return sorted(accounts, key=lambda a: a["id"])


def assume_account_role(base: Aws, account: str, role: str, partition: str,
                        external_id: str | None) -> dict[str, str]:
    """Temporary credentials for `role` in `account`, from the auditing identity."""
    role_arn = f"arn:{partition}:iam::{account}:role/{role}"
    kwargs: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": "pytest-cis-aws"}
    if external_id:
        kwargs["ExternalId"] = external_id
    with reading("sts:AssumeRole", permission=f"sts:AssumeRole on {role_arn}"):
        creds = member(base.client("sts").assume_role(**kwargs), "Credentials")
        return {"aws_access_key_id": member(creds, "AccessKeyId"),
                "aws_secret_access_key": member(creds, "SecretAccessKey"),
                "aws_session_token": member(creds, "SessionToken")}

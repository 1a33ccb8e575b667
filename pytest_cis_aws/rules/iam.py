"""Section 1 rules: Identity and Access Management. Pure: data in, findings out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from ..credential_report import CredentialReport, CredentialRow, When
from ..findings import Finding
from ..policy import MalformedPolicy, parse_policy, statements

UNUSED_DAYS = 90
ROTATION_DAYS = 90
SUPPORT_POLICY = "AWSSupportAccess"


def _age(now: datetime, when: datetime) -> int:
    return (now - when).days


def _days(now: datetime, when: When) -> str:
    return f"{when} ({_age(now, when.at)} days ago)" if when.at else str(when)


def root_account_arn(account: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:root"


def _missing_root(report: CredentialReport) -> list[Finding]:
    return [Finding.unknown("<root_account>", "the credential report has no <root_account> row")]


# 1.1 ------------------------------------------------------------------------------------------

def root_recently_used(report: CredentialReport, now: datetime, days: int) -> list[Finding]:
    """Root used (password or either access key) within the last `days` days fails."""
    root = report.root
    if root is None:
        return _missing_root(report)
    uses = [("password", root.password_last_used)] + [
        (f"access key {key.slot}", key.last_used) for key in root.access_keys
    ]
    recent = [(what, when) for what, when in uses
              if when.at is not None and now - when.at <= timedelta(days=days)]
    if recent:
        said = ", ".join(f"{what} used {when.at:%Y-%m-%d %H:%M} UTC" for what, when in recent)
        return [Finding.of(root.arn, False, f"root used in the last {days} day(s): {said}")]
    known = [when.at for _, when in uses if when.at is not None]
    last = f"last used {max(known):%Y-%m-%d}" if known else "no recorded use"
    return [Finding.of(root.arn, True, f"root not used in the last {days} day(s) ({last})")]


# 1.2 ------------------------------------------------------------------------------------------

def console_users_without_mfa(report: CredentialReport) -> list[Finding]:
    return [
        Finding.of(user.arn, user.mfa_active,
                   "console password, MFA active" if user.mfa_active
                   else "console password without MFA")
        for user in report.users  # the <root_account> row is not a user (see 1.13)
        if user.password_enabled
    ]


# 1.3 ------------------------------------------------------------------------------------------

def _password_finding(user: CredentialRow, now: datetime) -> Finding:
    used = user.password_last_used
    if used.at is not None:
        age = _age(now, used.at)
        text = f"console password last used {_days(now, used)}"
    else:
        # Never used (or not since Oct 2014): judge by when it was set.
        since = user.password_last_changed if user.password_last_changed.at else user.created
        if since.at is None:
            return Finding.unknown(user.arn, "console password: no last-used or set date")
        age = _age(now, since.at)
        text = f"console password never used ({used.raw}), set {_days(now, since)}"
    return Finding.of(user.arn, age < UNUSED_DAYS, text)


def unused_credentials(report: CredentialReport, now: datetime) -> list[Finding]:
    """Passwords and active keys unused for 90 days or more."""
    findings: list[Finding] = []
    for user in report.users:
        if user.password_enabled:
            findings.append(_password_finding(user, now))
        for key in user.active_keys:
            ref, what = (key.last_used, "last used") if key.last_used.at else (
                key.last_rotated, "never used, created")
            if ref.at is None:
                findings.append(Finding.unknown(user.arn, f"access key {key.slot}: no dates"))
                continue
            findings.append(Finding.of(user.arn, _age(now, ref.at) < UNUSED_DAYS,
                                       f"access key {key.slot} {what} {_days(now, ref)}"))
    return findings


# 1.4 ------------------------------------------------------------------------------------------

def keys_not_rotated(report: CredentialReport, now: datetime) -> list[Finding]:
    findings: list[Finding] = []
    for user in report.users:
        for key in user.active_keys:
            rotated = key.last_rotated
            if rotated.at is None:
                findings.append(Finding.unknown(user.arn, f"access key {key.slot}: active, "
                                                          "but no rotation date"))
                continue
            findings.append(Finding.of(user.arn, _age(now, rotated.at) <= ROTATION_DAYS,
                                       f"access key {key.slot} last rotated {_days(now, rotated)}"))
    return findings


# 1.5 - 1.11 -----------------------------------------------------------------------------------

def password_policy_arn(account: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:account-password-policy"


def _policy_rule(policy: Mapping[str, Any] | None, resource: str, ok_of: Any,
                 describe: Any) -> list[Finding]:
    if policy is None:
        return [Finding.of(resource, False, "the account has no password policy")]
    return [Finding.of(resource, bool(ok_of(policy)), describe(policy))]


def _flag(key: str, wording: str) -> Any:
    def rule(policy: Mapping[str, Any] | None, resource: str) -> list[Finding]:
        return _policy_rule(
            policy, resource, lambda p: p.get(key) is True,
            lambda p: f"{'requires' if p.get(key) is True else 'does not require'} {wording}",
        )
    rule.__name__ = f"password_policy_{key}"
    return rule


requires_uppercase = _flag("RequireUppercaseCharacters", "an uppercase letter")
requires_lowercase = _flag("RequireLowercaseCharacters", "a lowercase letter")
requires_symbol = _flag("RequireSymbols", "a symbol")
requires_number = _flag("RequireNumbers", "a number")


def minimum_length(policy: Mapping[str, Any] | None, resource: str) -> list[Finding]:
    return _policy_rule(policy, resource,
                        lambda p: int(p.get("MinimumPasswordLength", 0)) >= 14,
                        lambda p: f"minimum length {p.get('MinimumPasswordLength', 'unset')}"
                                  " (needs 14 or more)")


def prevents_reuse(policy: Mapping[str, Any] | None, resource: str) -> list[Finding]:
    return _policy_rule(policy, resource,
                        lambda p: int(p.get("PasswordReusePrevention", 0)) >= 24,
                        lambda p: f"remembers {p.get('PasswordReusePrevention', 'no')} previous"
                                  " passwords (needs 24)")


def expires_passwords(policy: Mapping[str, Any] | None, resource: str) -> list[Finding]:
    def ok(p: Mapping[str, Any]) -> bool:
        return p.get("ExpirePasswords") is True and 1 <= int(p.get("MaxPasswordAge", 0)) <= 90

    def said(p: Mapping[str, Any]) -> str:
        if not p.get("ExpirePasswords"):
            return "passwords never expire (needs 90 days or less)"
        return f"passwords expire after {p.get('MaxPasswordAge')} days (needs 90 or less)"

    return _policy_rule(policy, resource, ok, said)


# 1.12 - 1.14 ----------------------------------------------------------------------------------

def root_access_keys(report: CredentialReport) -> list[Finding]:
    root = report.root
    if root is None:
        return _missing_root(report)
    active = [f"access key {k.slot}" for k in root.active_keys]
    return [Finding.of(root.arn, not active,
                       f"root has an active {', '.join(active)}" if active
                       else "root has no active access key")]


def root_mfa(summary: Mapping[str, Any], root_arn: str) -> list[Finding]:
    if "AccountMFAEnabled" not in summary:
        return [Finding.unknown(root_arn, "the account summary has no AccountMFAEnabled")]
    enabled = int(summary["AccountMFAEnabled"]) == 1
    return [Finding.of(root_arn, enabled, "root MFA enabled" if enabled else "root has no MFA")]


def root_hardware_mfa(summary: Mapping[str, Any], virtual_devices: Iterable[Mapping[str, Any]],
                      root_arn: str) -> list[Finding]:
    """Root MFA on, and not by a virtual device (a virtual device assigned to root fails)."""
    mfa = root_mfa(summary, root_arn)
    if mfa[0].compliant is not True:
        return mfa
    account_prefix = root_arn.rsplit(":", 1)[0]  # arn:aws:iam::123456789012
    virtual = [
        d.get("SerialNumber", "?") for d in virtual_devices
        if d.get("User", {}).get("Arn") == root_arn
        or d.get("SerialNumber") == f"{account_prefix}:mfa/root-account-mfa-device"
    ]
    if virtual:
        return [Finding.of(root_arn, False, f"root MFA is a virtual device ({', '.join(virtual)})")]
    return [Finding.of(root_arn, True, "root MFA enabled, no virtual device assigned to root")]


# 1.16 -----------------------------------------------------------------------------------------

def users_with_policies(details: Mapping[str, Any]) -> list[Finding]:
    findings = []
    for user in details.get("UserDetailList", []):
        inline = [p.get("PolicyName", "?") for p in user.get("UserPolicyList", [])]
        attached = [p.get("PolicyName", "?") for p in user.get("AttachedManagedPolicies", [])]
        parts = ([f"inline: {', '.join(inline)}"] if inline else []) + (
            [f"attached: {', '.join(attached)}"] if attached else [])
        findings.append(Finding.of(user["Arn"], not parts,
                                   "policies on the user (" + "; ".join(parts) + ")" if parts
                                   else "no policies on the user"))
    return findings


# 1.17 -----------------------------------------------------------------------------------------

def billing_reports(reports: Iterable[Mapping[str, Any]], account: str) -> list[Finding]:
    return [
        Finding.of(f"arn:aws:cur:us-east-1:{account}:definition/{r.get('ReportName', '?')}",
                   True, f"Cost and Usage Report {r.get('ReportName')} delivered to "
                         f"s3://{r.get('S3Bucket', '?')}/{r.get('S3Prefix', '')}")
        for r in reports
    ]


# 1.21 -----------------------------------------------------------------------------------------

def instances_without_role(instances_by_region: Mapping[str, Any],
                           errors: Mapping[str, Exception]) -> list[Finding]:
    findings = [Finding.unknown(f"region {region}", str(exc), region)
                for region, exc in errors.items()]
    for region, instances in instances_by_region.items():
        for inst in instances:
            arn = f"arn:aws:ec2:{region}:{inst.get('OwnerId', '')}:instance/{inst['InstanceId']}"
            profile = (inst.get("IamInstanceProfile") or {}).get("Arn")
            findings.append(Finding.of(arn, bool(profile),
                                       f"instance profile {profile}" if profile
                                       else f"no instance profile ({inst.get('State')})", region))
    return findings


# 1.22 -----------------------------------------------------------------------------------------

def support_role(details: Mapping[str, Any], account: str, partition: str = "aws") -> list[Finding]:
    policy_arn = f"arn:{partition}:iam::aws:policy/{SUPPORT_POLICY}"
    holders = [
        entity["Arn"]
        for kind in ("UserDetailList", "GroupDetailList", "RoleDetailList")
        for entity in details.get(kind, [])
        if any(p.get("PolicyArn") == policy_arn for p in entity.get("AttachedManagedPolicies", []))
    ]
    if not holders:
        return [Finding.of(root_account_arn(account, partition), False,
                           f"{SUPPORT_POLICY} is attached to no user, group or role")]
    return [Finding.of(arn, True, f"{SUPPORT_POLICY} attached") for arn in holders]


# 1.23 -----------------------------------------------------------------------------------------

def console_users_with_unused_keys(report: CredentialReport) -> list[Finding]:
    findings = []
    for user in report.users:
        if not user.password_enabled:
            continue
        for key in user.active_keys:
            never = key.last_used.at is None
            findings.append(Finding.of(
                user.arn, not never,
                f"access key {key.slot} active and never used (created {key.last_rotated})"
                if never else f"access key {key.slot} in use (last used {key.last_used})"))
    return findings


# 1.24 -----------------------------------------------------------------------------------------

def policy_document(document: Any, source: str = "a policy document") -> dict[str, Any]:
    """A policy document as a dict, whether the API gave a dict or URL-encoded JSON; strict
    (`policy.parse_policy`): a malformed one raises MalformedPolicy naming `source`."""
    return parse_policy(document, source)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def grants_full_admin(statement: Mapping[str, Any]) -> bool:
    return (
        statement.get("Effect") == "Allow"
        and any(a in ("*", "*:*") for a in _as_list(statement.get("Action")))
        and "*" in _as_list(statement.get("Resource"))
    )


def default_version(policy: Mapping[str, Any]) -> Mapping[str, Any] | None:
    return next((v for v in policy.get("PolicyVersionList", []) if v.get("IsDefaultVersion")),
                None)


def full_admin_policies(details: Mapping[str, Any]) -> list[Finding]:
    """Customer managed policies whose default version allows "*" on "*"."""
    findings = []
    for policy in details.get("Policies", []):
        arn = policy["Arn"]
        version = default_version(policy)
        if version is None:
            findings.append(Finding.unknown(arn, "no default version document"))
            continue
        try:
            doc = policy_document(version["Document"], f"iam:GetAccountAuthorizationDetails "
                                  f"{arn} {version.get('VersionId')}")
        except MalformedPolicy as exc:
            findings.append(Finding.unknown(arn, str(exc)))
            continue
        except (ValueError, KeyError, TypeError) as exc:
            findings.append(Finding.unknown(arn, f"unreadable policy document ({exc})"))
            continue
        admin = any(grants_full_admin(s) for s in statements(doc))
        name = policy.get("PolicyName") or arn.rsplit("/", 1)[-1]
        findings.append(Finding.of(
            arn, not admin,
            f"{name} ({version.get('VersionId')}) allows \"*\" on \"*\"" if admin
            else f"{name} ({version.get('VersionId')}) does not allow \"*\" on \"*\""))
    return findings

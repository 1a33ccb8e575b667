"""Section 1 rules: Identity and Access Management. Pure: data in, findings out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from functools import partial
from operator import attrgetter
from typing import Any

from ..credential_report import AccessKey, BadCell, CredentialReport, CredentialRow, When
from ..errors import DataUnavailable
from ..finding import Finding
from ..policy import MalformedPolicy, parse_policy, statements
from .judgement import Judgement

UNUSED_DAYS = 90
ROTATION_DAYS = 90
PASSWORD = "console password"  # a finding's part, beside "access key N"
SUPPORT_POLICY = "AWSSupportAccess"


def _age(now: datetime, when: datetime) -> int:
    return (now - when).days


def _days(now: datetime, when: When) -> str:
    return f"{when} ({_age(now, when.at)} days ago)" if when.at else str(when)


def root_account_arn(account: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:root"


def _missing_root(report: CredentialReport) -> list[Finding]:
    return [Finding.unknown("<root_account>", "the credential report has no <root_account> row")]


# The credential report's cells are checked as they are read: a cell that does not hold what AWS
# documents raises BadCell, which these helpers turn into an unknown finding for that row (or
# that credential) alone, so the rest of the report is still judged.

def _judged(ref: str, judge: Callable[[], list[Finding]]) -> list[Finding]:
    try:
        return judge()
    except BadCell as exc:
        return [Finding.unknown(ref, exc.message)]


def _each_user(report: CredentialReport,
               judge: Callable[[CredentialRow], list[Finding]]) -> list[Finding]:
    """`judge` on every user's row, and an unknown finding for every user without one."""
    findings = [Finding.unknown(missing.arn, missing.reason) for missing in report.missing]
    for user in report.users:  # the <root_account> row is not a user
        findings += _judged(user.ref, partial(judge, user))
    return findings


def _each_key(user: CredentialRow,
              judge: Callable[[AccessKey], list[Finding]]) -> list[Finding]:
    """`judge` on each of the user's access keys, one key's bad cell not hiding the other."""
    findings: list[Finding] = []
    for key in user.access_keys:
        findings += _judged(user.ref, partial(judge, key))
    return findings


def _root_reads(root: CredentialRow, reads: list[tuple[str, Callable[[], Any]]]
                ) -> tuple[list[tuple[str, Any]], list[BadCell]]:
    """The root row's values that could be read, and the errors of those that could not."""
    values, errors = [], []
    for what, read in reads:
        try:
            values.append((what, read()))
        except BadCell as exc:
            errors.append(exc)
    return values, errors


def _unreadable(ref: str, errors: list[BadCell]) -> list[Finding]:
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return [Finding.unknown(ref, errors[0].message + more)]


# 1.1 ------------------------------------------------------------------------------------------

def root_recently_used(report: CredentialReport, now: datetime, days: int) -> list[Finding]:
    """Root used (password or either access key) within the last `days` days fails.

    Reads the root row's password_last_used and access_key_N_last_used_date."""
    root = report.root
    if root is None:
        return _missing_root(report)
    uses, errors = _root_reads(root, [("password", lambda: root.password_last_used)] + [
        (f"access key {key.slot}", partial(attrgetter("last_used"), key))
        for key in root.access_keys])
    recent = [(what, when) for what, when in uses
              if when.at is not None and now - when.at <= timedelta(days=days)]
    if recent:  # a use seen is a failure, whatever the unreadable cells might add
        said = ", ".join(f"{what} used {when.at:%Y-%m-%d %H:%M} UTC" for what, when in recent)
        return [Finding.of(root.ref, False, f"root used in the last {days} day(s): {said}")]
    if errors:
        return _unreadable(root.ref, errors)
    known = [when.at for _, when in uses if when.at is not None]
    last = f"last used {max(known):%Y-%m-%d}" if known else "no recorded use"
    return [Finding.of(root.ref, True, f"root not used in the last {days} day(s) ({last})")]


# 1.2 ------------------------------------------------------------------------------------------

# Evidence for the populations that may legitimately be empty: the check passes and says why.
NO_CONSOLE_USERS = "no console users: no IAM user has a console password"
NO_CREDENTIALS = "no IAM user has a console password or an active access key"
NO_ACTIVE_KEYS = "no IAM user has an active access key"
NO_USERS = "no IAM users"
NO_CONSOLE_USER_KEYS = "no console user has an access key"
IAM_USERS = "IAM users"  # the resource such evidence is about
NO_CUSTOMER_POLICIES = "no customer managed policies"


def _or_none(findings: list[Finding], evidence: str) -> list[Finding]:
    """The findings, or one compliant finding saying the population is empty."""
    return findings or [Finding.of(IAM_USERS, True, evidence)]


def console_users_without_mfa(report: CredentialReport) -> list[Finding]:
    """Reads password_enabled, and mfa_active where a password is enabled."""
    def judge(user: CredentialRow) -> list[Finding]:
        if not user.password_enabled:
            return []
        return [Finding.of(user.arn, user.mfa_active,
                           "console password, MFA active" if user.mfa_active
                           else "console password without MFA")]

    return _or_none(_each_user(report, judge), NO_CONSOLE_USERS)


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
            return Finding.unknown(user.arn, "console password: no last-used or set date",
                                   part=PASSWORD)
        age = _age(now, since.at)
        text = f"console password never used ({used.raw}), set {_days(now, since)}"
    return Finding.of(user.arn, age < UNUSED_DAYS, text, part=PASSWORD)


def unused_credentials(report: CredentialReport, now: datetime) -> list[Finding]:
    """Passwords and active keys unused for 90 days or more.

    Reads password_enabled; for a password, password_last_used, else password_last_changed, else
    user_creation_time; access_key_N_active; for an active key, access_key_N_last_used_date, else
    access_key_N_last_rotated."""
    def key_finding(user: CredentialRow, key: AccessKey) -> list[Finding]:
        if not key.active:
            return []
        ref, what = (key.last_used, "last used") if key.last_used.at else (
            key.last_rotated, "never used, created")
        if ref.at is None:
            return [Finding.unknown(user.arn, f"access key {key.slot}: no dates",
                                    part=key.part)]
        return [Finding.of(user.arn, _age(now, ref.at) < UNUSED_DAYS,
                           f"access key {key.slot} {what} {_days(now, ref)}", part=key.part)]

    def judge(user: CredentialRow) -> list[Finding]:
        findings = _judged(user.ref, lambda: [_password_finding(user, now)]
                           if user.password_enabled else [])
        return findings + _each_key(user, lambda key: key_finding(user, key))

    return _or_none(_each_user(report, judge), NO_CREDENTIALS)


# 1.4 ------------------------------------------------------------------------------------------

def keys_not_rotated(report: CredentialReport, now: datetime) -> list[Finding]:
    """Audit steps 7 and 8: every active key rotated within 90 days, and used since then
    (a key not in use since its last rotation is to be disabled or deleted).

    Reads access_key_N_active; for an active key, access_key_N_last_rotated and
    access_key_N_last_used_date."""
    def key_finding(user: CredentialRow, key: AccessKey) -> list[Finding]:
        if not key.active:
            return []
        rotated = key.last_rotated
        if rotated.at is None:
            return [Finding.unknown(user.arn, f"access key {key.slot}: active, "
                                              "but no rotation date", part=key.part)]
        said = f"access key {key.slot} last rotated {_days(now, rotated)}"
        if _age(now, rotated.at) > ROTATION_DAYS:
            return [Finding.of(user.arn, False, said, part=key.part)]
        if key.last_used.at is None:
            return [Finding.of(user.arn, False, f"{said}, not used since "
                               f"({key.last_used.raw or 'N/A'}): an unused key is "
                               "to be disabled or deleted", part=key.part)]
        return [Finding.of(user.arn, True, f"{said}, last used {_days(now, key.last_used)}",
                           part=key.part)]

    return _or_none(
        _each_user(report, lambda user: _each_key(user, lambda key: key_finding(user, key))),
        NO_ACTIVE_KEYS)


# 1.5 - 1.11 -----------------------------------------------------------------------------------

def password_policy_arn(account: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:account-password-policy"


def _policy_rule(policy: Mapping[str, Any] | None, resource: str, ok_of: Any,
                 describe: Any) -> list[Finding]:
    if policy is None:
        return [Finding.of(resource, False, "the account has no password policy")]
    return [Finding.of(resource, bool(ok_of(policy)), describe(policy))]


PolicyRule = Callable[[Mapping[str, Any] | None, str], list[Finding]]


def _flag(key: str, wording: str) -> PolicyRule:
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
    """Reads the root row's access_key_N_active."""
    root = report.root
    if root is None:
        return _missing_root(report)
    states, errors = _root_reads(root, [(f"access key {key.slot}",
                                         partial(attrgetter("active"), key))
                                        for key in root.access_keys])
    active = [what for what, on in states if on]
    if active:
        return [Finding.of(root.ref, False, f"root has an active {', '.join(active)}")]
    if errors:
        return _unreadable(root.ref, errors)
    return [Finding.of(root.ref, True, "root has no active access key")]


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


# 1.15 -----------------------------------------------------------------------------------------

def security_questions(account: str) -> Judgement:
    """No API shows the root user's security questions: always a review, in the console."""
    return Judgement([], f"security questions can only be seen in the console: sign in as root "
                         f"of account {account}, open Account settings and check 'Configure "
                         "Security Challenge Questions'")


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
    return _or_none(findings, NO_USERS)


# 1.17 -----------------------------------------------------------------------------------------

NO_BILLING_REPORT = ("no Cost and Usage Report is defined; the legacy 'Receive Billing "
                     "Reports' preference can only be seen in the Billing console (Preferences)")


def billing_reports(reports: Iterable[Mapping[str, Any]], account: str) -> Judgement:
    """Each Cost and Usage Report proves detailed billing; with none defined, the legacy
    preference may still be on, and only the console shows it: a review, not a failure."""
    findings = [
        Finding.of(f"arn:aws:cur:us-east-1:{account}:definition/{r.get('ReportName', '?')}",
                   True, f"Cost and Usage Report {r.get('ReportName')} delivered to "
                         f"s3://{r.get('S3Bucket', '?')}/{r.get('S3Prefix', '')}")
        for r in reports
    ]
    return Judgement(findings) if findings else Judgement([], NO_BILLING_REPORT)


# 1.19 -----------------------------------------------------------------------------------------

# The fields of the account's contact information a reviewer is shown (the address lines are
# left out: they say nothing about whether the contact reaches people).
CONTACT_FIELDS = ("FullName", "CompanyName", "PhoneNumber", "City", "CountryCode", "WebsiteUrl")


def contact_details(contact: Mapping[str, Any] | DataUnavailable, root_arn: str) -> Judgement:
    """Whether the contact details are current, and reach more than one person, only a person
    can say: a review, with the details shown (or, unread, a review in the console)."""
    if isinstance(contact, DataUnavailable):
        return Judgement([], f"review the account contact details in the console ({contact})")
    shown = ", ".join(f"{k}={v}" for k, v in sorted(contact.items()) if k in CONTACT_FIELDS)
    return Judgement([], "confirm these contact details are current and reach more than one "
                         "person: " + shown, [Finding.unknown(root_arn, f"contact: {shown}")])


# 1.20 -----------------------------------------------------------------------------------------

def security_contact(contact: Mapping[str, Any] | None, root_arn: str) -> list[Finding]:
    """A security alternate contact is registered (None: there is none)."""
    said = (f"security contact: {contact.get('Name')} <{contact.get('EmailAddress')}>"
            if contact else "no security alternate contact is registered")
    return [Finding.of(root_arn, contact is not None, said)]


# 1.21 -----------------------------------------------------------------------------------------

NO_INSTANCES = "no EC2 instances in the audited regions"
# The audit's other half, which no API shows: what is stored on the instances themselves.
INSTANCE_REVIEW = (
    "every EC2 instance has an IAM role ({count} instance(s)); no API shows the rest of the "
    "audit: look inside each instance (scripts, environment variables, applications and their "
    "configuration) for stored AWS access keys"
)


def instance_profile_roles(details: Mapping[str, Any]) -> dict[str, list[str]]:
    """{instance profile ARN: names of the roles it holds}, from the roles' InstanceProfileList.

    A profile that holds no role is in no role's list, so it is absent here.
    """
    profiles: dict[str, list[str]] = {}
    for role in details.get("RoleDetailList", []):
        for profile in role.get("InstanceProfileList", []):
            profiles.setdefault(profile["Arn"], []).append(role["RoleName"])
    return profiles


def instance_roles(instances_by_region: Mapping[str, Any], errors: Mapping[str, Exception],
                   profile_roles: Mapping[str, list[str]]) -> list[Finding]:
    """Every instance that is not terminated (stopped ones count: they start again with the
    same role, or without one): no instance profile, or a profile holding no role, fails.

    A compliant finding here proves only the first half of the audit (see INSTANCE_REVIEW).
    No instance in any region read is the one legitimately empty population: one compliant
    finding says so.
    """
    findings = [Finding.unknown(f"region {region}", str(exc), region)
                for region, exc in errors.items()]
    seen = 0
    for region, instances in instances_by_region.items():
        for inst in instances:
            seen += 1
            arn = f"arn:aws:ec2:{region}:{inst.get('OwnerId', '')}:instance/{inst['InstanceId']}"
            state = inst.get("State") or "state unknown"
            profile = (inst.get("IamInstanceProfile") or {}).get("Arn")
            if not profile:
                findings.append(Finding.of(arn, False, f"no instance profile, so no IAM role "
                                                       f"({state})", region))
                continue
            name = profile.rsplit("/", 1)[-1]
            roles = profile_roles.get(profile)
            findings.append(
                Finding.of(arn, True, f"role {', '.join(roles)} (instance profile {name}; "
                                      f"{state})", region) if roles
                else Finding.of(arn, False, f"instance profile {name} holds no IAM role "
                                            f"({state})", region))
    if not seen and not errors:
        regions = ", ".join(sorted(instances_by_region)) or "none"
        findings.append(Finding.of("EC2 instances", True, f"{NO_INSTANCES} ({regions})")
                        if instances_by_region else
                        Finding.unknown("EC2 instances", "no region was read"))
    return findings


def instance_review(findings: list[Finding]) -> str | None:
    """What a person must still do when every instance has a role; None with no instance."""
    instances = [f for f in findings if ":instance/" in f.resource]
    return INSTANCE_REVIEW.format(count=len(instances)) if instances else None


def judge_instance_roles(instances_by_region: Mapping[str, Any],
                         errors: Mapping[str, Exception],
                         details: Mapping[str, Any]) -> Judgement:
    """1.21 whole: each instance's role (instance_roles), then the half no API shows: a review
    once every instance has a role (none fails, none unknown)."""
    findings = instance_roles(instances_by_region, errors, instance_profile_roles(details))
    return Judgement(findings, instance_review(findings))


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
    """Console users' keys that were never used are to be deleted (audit step 3): an inactive
    key still exists, so it counts too. A slot without a key has no creation date.

    Reads password_enabled; for a console user, access_key_N_active,
    access_key_N_last_rotated and access_key_N_last_used_date."""
    def key_finding(user: CredentialRow, key: AccessKey) -> list[Finding]:
        if not key.active and key.last_rotated.at is None:
            return []  # no key in this slot
        never = key.last_used.at is None
        state = "active" if key.active else "inactive"
        return [Finding.of(user.arn, not never,
                           f"access key {key.slot} {state} and never used (created "
                           f"{_shown(lambda: key.last_rotated)})" if never
                           else f"access key {key.slot} {state}, used (last used "
                                f"{key.last_used})", part=key.part)]

    def judge(user: CredentialRow) -> list[Finding]:
        if not user.password_enabled:
            return []
        return _each_key(user, lambda key: key_finding(user, key))

    return _or_none(_each_user(report, judge), NO_CONSOLE_USER_KEYS)


def _shown(read: Callable[[], Any]) -> str:
    """A value quoted for context only: unreadable, it is said so, and decides nothing."""
    try:
        return str(read())
    except BadCell:
        return "unreadable"


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
    # In ARN order: the same account gives the same report, whatever order IAM listed them in.
    for policy in sorted(details.get("Policies", []), key=lambda p: str(p.get("Arn"))):
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
    return findings or [Finding.of("customer managed policies", True, NO_CUSTOMER_POLICIES)]

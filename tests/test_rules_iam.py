"""Section 1 rules on plain data: boundaries, sentinels and shapes the benchmark names."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pytest_cis_aws.credential_report import AccessKey, CredentialReport, CredentialRow, When
from pytest_cis_aws.errors import DataUnavailable
from pytest_cis_aws.rules import iam

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
NA = When(None, "N/A")
NEVER = When(None, "no_information")


def ago(days: float) -> When:
    at = NOW - timedelta(days=days)
    return When(at, at.isoformat())


def key(slot: int = 1, active: bool = True, rotated: When = NA, used: When = NA) -> AccessKey:
    return AccessKey(slot=slot, active=active, last_rotated=rotated, last_used=used)


def row(user: str = "alice", *, password: bool | None = False, mfa: bool = False,
        used: When = NA, changed: When = NA, created: When | None = None,
        keys: tuple[AccessKey, ...] = ()) -> CredentialRow:
    arn = ("arn:aws:iam::123456789012:root" if user == "<root_account>"
           else f"arn:aws:iam::123456789012:user/{user}")
    return CredentialRow(user=user, arn=arn, created=created or ago(1000),
                         password_enabled=password, password_last_used=used,
                         password_last_changed=changed, mfa_active=mfa,
                         access_keys=keys or (key(1, False), key(2, False)))


def report(*users: CredentialRow, root: CredentialRow | None = None) -> CredentialReport:
    return CredentialReport(generated=NOW, root=root, users=users)


def verdicts(findings: list) -> list[bool | None]:
    return [f.compliant for f in findings]


# 1.1
@pytest.mark.parametrize(("root", "ok"), [
    (row("<root_account>", password=None, used=ago(0.5)), False),
    (row("<root_account>", password=None, used=ago(2)), True),
    (row("<root_account>", password=None, used=NA, keys=(key(1, True, ago(9), ago(0.2)),)), False),
    (row("<root_account>", password=None, used=NEVER), True),
])
def test_1_1_root_use_within_the_window_fails(root: CredentialRow, ok: bool) -> None:
    findings = iam.root_recently_used(report(root=root), NOW, days=1)
    assert verdicts(findings) == [ok]
    if not ok:
        assert "used" in findings[0].reason and "UTC" in findings[0].reason


def test_1_1_without_root_row_is_unknown_not_a_pass() -> None:
    assert verdicts(iam.root_recently_used(report(), NOW, 1)) == [None]


# 1.2
def test_1_2_only_console_users_are_judged_and_root_is_not_a_user() -> None:
    users = (row("a", password=True, mfa=False), row("b", password=True, mfa=True),
             row("c", password=False, mfa=False))
    findings = iam.console_users_without_mfa(
        report(*users, root=row("<root_account>", password=None, mfa=False)))
    assert [(f.resource.rsplit("/", 1)[-1], f.compliant) for f in findings] == [("a", False),
                                                                                ("b", True)]


# 1.3
@pytest.mark.parametrize(("user", "ok"), [
    (row(password=True, used=ago(89)), True),
    (row(password=True, used=ago(90)), False),  # "90 days or greater"
    (row(password=True, used=NEVER, changed=ago(100)), False),  # never used, set long ago
    (row(password=True, used=NEVER, changed=ago(10)), True),
    (row(password=True, used=NA, changed=NA, created=ago(95)), False),
])
def test_1_3_console_passwords(user: CredentialRow, ok: bool) -> None:
    assert verdicts(iam.unused_credentials(report(user), NOW)) == [ok]


@pytest.mark.parametrize(("k", "ok"), [
    (key(1, True, ago(200), ago(10)), True),
    (key(1, True, ago(200), ago(90)), False),
    (key(1, True, ago(100), NA), False),  # never used: judged by its creation
    (key(1, True, ago(20), NA), True),
    (key(1, False, ago(500), NA), None),  # inactive keys are not judged
])
def test_1_3_access_keys(k: AccessKey, ok: bool | None) -> None:
    findings = iam.unused_credentials(report(row(keys=(k, key(2, False)))), NOW)
    if ok is None:  # nothing to judge: an explicit pass that says so
        assert [(f.compliant, f.reason) for f in findings] == [(True, iam.NO_CREDENTIALS)]
    else:
        assert verdicts(findings) == [ok]


# 1.4
@pytest.mark.parametrize(("rotated", "ok"), [(ago(90), True), (ago(91), False), (ago(5), True)])
def test_1_4_rotation_boundary(rotated: When, ok: bool) -> None:
    k = key(2, True, rotated, ago(1))
    assert verdicts(iam.keys_not_rotated(report(row(keys=(key(1, False), k))), NOW)) == [ok]


def test_1_4_active_key_without_rotation_date_is_unknown() -> None:
    assert verdicts(iam.keys_not_rotated(report(row(keys=(key(1, True, NA, NA),))), NOW)) == [None]


def test_1_4_an_active_key_not_used_since_its_rotation_fails() -> None:
    """v1.1.0 audit step 8: keys not in use since their last rotation are to be disabled."""
    findings = iam.keys_not_rotated(report(row(keys=(key(1, True, ago(5), NA),))), NOW)
    assert verdicts(findings) == [False]
    assert "not used since (N/A)" in findings[0].reason


# Empty populations: a pass that says what was (not) there, never a pass on no finding.
@pytest.mark.parametrize(("rule", "evidence"), [
    (iam.console_users_without_mfa, iam.NO_CONSOLE_USERS),
    (iam.console_users_with_unused_keys, iam.NO_CONSOLE_USER_KEYS),
    (lambda r: iam.unused_credentials(r, NOW), iam.NO_CREDENTIALS),
    (lambda r: iam.keys_not_rotated(r, NOW), iam.NO_ACTIVE_KEYS),
])
def test_empty_populations_pass_with_explicit_evidence(rule: Any, evidence: str) -> None:
    root = row("<root_account>", password=None, mfa=True,
               keys=(key(1, True, ago(500), NA),))  # root is not an IAM user (1.12, 1.13)
    users = (row("keyless", password=False),)
    for judged in (rule(report(root=root)), rule(report(*users, root=root))):
        assert [(f.resource, f.compliant, f.reason) for f in judged] == [
            (iam.IAM_USERS, True, evidence)]
    assert iam.users_with_policies({"UserDetailList": []}) == [
        iam.Finding.of(iam.IAM_USERS, True, iam.NO_USERS)]
    assert [f.reason for f in iam.full_admin_policies({"Policies": []})] == [
        iam.NO_CUSTOMER_POLICIES]


# 1.5 - 1.11
GOOD = {"MinimumPasswordLength": 14, "RequireSymbols": True, "RequireNumbers": True,
        "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True,
        "ExpirePasswords": True, "MaxPasswordAge": 90, "PasswordReusePrevention": 24}
RULES = [iam.requires_uppercase, iam.requires_lowercase, iam.requires_symbol,
         iam.requires_number, iam.minimum_length, iam.prevents_reuse, iam.expires_passwords]


@pytest.mark.parametrize("rule", RULES)
def test_password_policy_rules_pass_on_a_good_policy(rule) -> None:
    assert verdicts(rule(GOOD, "arn:x")) == [True]


@pytest.mark.parametrize("rule", RULES)
def test_no_password_policy_fails_with_that_reason(rule) -> None:
    findings = rule(None, "arn:x")
    assert verdicts(findings) == [False]
    assert findings[0].reason == "the account has no password policy"


@pytest.mark.parametrize(("change", "rule"), [
    ({"RequireUppercaseCharacters": False}, iam.requires_uppercase),
    ({"RequireLowercaseCharacters": False}, iam.requires_lowercase),
    ({"RequireSymbols": False}, iam.requires_symbol),
    ({"RequireNumbers": False}, iam.requires_number),
    ({"MinimumPasswordLength": 13}, iam.minimum_length),
    ({"PasswordReusePrevention": 23}, iam.prevents_reuse),
    ({"PasswordReusePrevention": None}, iam.prevents_reuse),
    ({"MaxPasswordAge": 91}, iam.expires_passwords),
    ({"ExpirePasswords": False, "MaxPasswordAge": None}, iam.expires_passwords),
])
def test_password_policy_rules_fail_one_setting_short(change, rule) -> None:
    policy = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    assert verdicts(rule(policy, "arn:x")) == [False]


# 1.12 - 1.14
ROOT_ARN = "arn:aws:iam::123456789012:root"


def test_1_12_root_keys() -> None:
    root = row("<root_account>", password=None, keys=(key(1, False), key(2, True, ago(5))))
    findings = iam.root_access_keys(report(root=root))
    assert verdicts(findings) == [False] and "access key 2" in findings[0].reason
    assert verdicts(iam.root_access_keys(report(root=row("<root_account>")))) == [True]
    assert verdicts(iam.root_access_keys(report())) == [None]


def test_1_13_root_mfa() -> None:
    assert verdicts(iam.root_mfa({"AccountMFAEnabled": 1}, ROOT_ARN)) == [True]
    assert verdicts(iam.root_mfa({"AccountMFAEnabled": 0}, ROOT_ARN)) == [False]
    assert verdicts(iam.root_mfa({}, ROOT_ARN)) == [None]


@pytest.mark.parametrize(("devices", "ok"), [
    ([], True),
    ([{"SerialNumber": "arn:aws:iam::123456789012:mfa/alice", "User": {"Arn": "x/alice"}}], True),
    ([{"SerialNumber": "arn:aws:iam::123456789012:mfa/custom", "User": {"Arn": ROOT_ARN}}], False),
    ([{"SerialNumber": "arn:aws:iam::123456789012:mfa/root-account-mfa-device"}], False),
])
def test_1_14_virtual_device_on_root_fails(devices, ok) -> None:
    assert verdicts(iam.root_hardware_mfa({"AccountMFAEnabled": 1}, devices, ROOT_ARN)) == [ok]


def test_1_14_without_any_root_mfa_fails() -> None:
    assert verdicts(iam.root_hardware_mfa({"AccountMFAEnabled": 0}, [], ROOT_ARN)) == [False]


# 1.16, 1.22, 1.24
def test_1_16_inline_and_attached_both_count() -> None:
    details = {"UserDetailList": [
        {"Arn": "u/a", "UserPolicyList": [{"PolicyName": "inline"}]},
        {"Arn": "u/b", "AttachedManagedPolicies": [{"PolicyName": "ReadOnlyAccess"}]},
        {"Arn": "u/c", "GroupList": ["g"]},
    ]}
    findings = iam.users_with_policies(details)
    assert verdicts(findings) == [False, False, True]
    assert "inline: inline" in findings[0].reason and "ReadOnlyAccess" in findings[1].reason


def test_1_22_support_policy_on_any_principal() -> None:
    arn = "arn:aws:iam::aws:policy/AWSSupportAccess"
    attached = {"AttachedManagedPolicies": [{"PolicyArn": arn}]}
    assert verdicts(iam.support_role({"GroupDetailList": [{"Arn": "g", **attached}]},
                                     "123456789012")) == [True]
    assert verdicts(iam.support_role({"RoleDetailList": [{"Arn": "r"}]}, "123456789012")) == [False]


def _policy(document, default: bool = True) -> dict:
    return {"Arn": "arn:aws:iam::123456789012:policy/p",
            "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": default,
                                   "Document": document}]}


@pytest.mark.parametrize(("statement", "admin"), [
    ({"Effect": "Allow", "Action": "*", "Resource": "*"}, True),
    ({"Effect": "Allow", "Action": ["s3:Get*", "*:*"], "Resource": ["*"]}, True),
    ([{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"},
      {"Effect": "Allow", "Action": ["*"], "Resource": "*"}], True),
    ({"Effect": "Deny", "Action": "*", "Resource": "*"}, False),
    ({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::bucket/*"}, False),
    ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, False),
])
def test_1_24_statement_shapes(statement, admin: bool) -> None:
    findings = iam.full_admin_policies({"Policies": [_policy({"Statement": statement})]})
    assert verdicts(findings) == [not admin]


def test_1_24_url_encoded_document_and_only_the_default_version() -> None:
    encoded = ("%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C"
               "%22Resource%22%3A%22*%22%7D%7D")
    assert verdicts(iam.full_admin_policies({"Policies": [_policy(encoded)]})) == [False]
    assert verdicts(iam.full_admin_policies({"Policies": [_policy(encoded, False)]})) == [None]


# 1.23
def test_1_23_console_user_with_never_used_key() -> None:
    users = (row("a", password=True, keys=(key(1, True, ago(3), NA),)),
             row("b", password=True, keys=(key(1, True, ago(3), ago(1)),)),
             row("c", password=False, keys=(key(1, True, ago(3), NA),)))
    assert verdicts(iam.console_users_with_unused_keys(report(*users))) == [False, True]


def test_1_23_an_inactive_key_never_used_still_exists_and_fails() -> None:
    users = (row("a", password=True, keys=(key(1, False, ago(300), NA), key(2, False))),)
    findings = iam.console_users_with_unused_keys(report(*users))
    assert [(f.compliant, f.reason) for f in findings] == [
        (False, f"access key 1 inactive and never used (created {ago(300)})")]


# 1.21
PROFILE = "arn:aws:iam::1:instance-profile/web"


def _inst(iid: str, profile: str | None, state: str = "running") -> dict[str, Any]:
    return {"InstanceId": iid, "OwnerId": "1", "State": state,
            "IamInstanceProfile": {"Arn": profile, "Id": "AIPA"} if profile else None}


def test_1_21_region_that_failed_is_unknown_others_judged() -> None:
    findings = iam.instance_roles(
        {"eu-west-1": [_inst("i-1", None)]}, {"us-east-1": RuntimeError("AccessDenied")}, {})
    assert sorted(map(str, verdicts(findings))) == ["False", "None"]


def test_1_21_no_profile_or_an_empty_profile_fails_stopped_instances_count() -> None:
    findings = iam.instance_roles(
        {"us-east-1": [_inst("i-1", None, "stopped"), _inst("i-2", PROFILE),
                       _inst("i-3", "arn:aws:iam::1:instance-profile/empty")]},
        {}, {PROFILE: ["web"]})
    assert verdicts(findings) == [False, True, False]
    assert findings[0].reason == "no instance profile, so no IAM role (stopped)"
    assert findings[1].reason == "role web (instance profile web; running)"
    assert findings[2].reason == "instance profile empty holds no IAM role (running)"
    assert iam.instance_review(findings) is not None  # the check fails: findings decide


def test_1_21_every_instance_with_a_role_still_needs_a_person() -> None:
    findings = iam.instance_roles({"us-east-1": [_inst("i-2", PROFILE)], "eu-west-1": []}, {},
                                  {PROFILE: ["web"]})
    assert verdicts(findings) == [True]
    review = iam.instance_review(findings)
    assert review is not None and review.startswith("every EC2 instance has an IAM role (1 ")
    assert "stored AWS access keys" in review


def test_1_21_no_instance_anywhere_is_an_explicit_pass() -> None:
    findings = iam.instance_roles({"us-east-1": [], "eu-west-1": []}, {}, {})
    assert [(f.compliant, f.reason) for f in findings] == [
        (True, "no EC2 instances in the audited regions (eu-west-1, us-east-1)")]
    assert iam.instance_review(findings) is None
    # ... but not when a region could not be read: that region may hold instances.
    partial = iam.instance_roles({"us-east-1": []}, {"eu-west-1": RuntimeError("x")}, {})
    assert verdicts(partial) == [None]


def test_1_21_judged_whole_the_review_follows_the_findings() -> None:
    details = {"RoleDetailList": [{"RoleName": "web", "InstanceProfileList": [{"Arn": PROFILE}]}]}
    judged = iam.judge_instance_roles({"us-east-1": [_inst("i-2", PROFILE)]}, {}, details)
    assert verdicts(judged.findings) == [True]
    assert judged.review == iam.instance_review(judged.findings) and judged.evidence == []


# 1.15, 1.17, 1.19, 1.20: what a person must review, decided by the rule
ROOT = "arn:aws:iam::123456789012:root"


def test_1_15_security_questions_are_always_a_review_in_the_console() -> None:
    judged = iam.security_questions("123456789012")
    assert (judged.findings, judged.evidence) == ([], [])
    assert judged.review == (
        "security questions can only be seen in the console: sign in as root of account "
        "123456789012, open Account settings and check 'Configure Security Challenge Questions'")


def test_1_17_a_report_proves_billing_and_none_asks_for_a_review() -> None:
    judged = iam.billing_reports([{"ReportName": "cur", "S3Bucket": "b", "S3Prefix": "p"}], "1")
    assert judged.review is None
    assert [(f.resource, f.compliant, f.reason) for f in judged.findings] == [
        ("arn:aws:cur:us-east-1:1:definition/cur", True,
         "Cost and Usage Report cur delivered to s3://b/p")]
    none = iam.billing_reports([], "1")
    assert (none.findings, none.review) == ([], iam.NO_BILLING_REPORT)


def test_1_19_contact_details_are_shown_for_review_or_reviewed_in_the_console() -> None:
    judged = iam.contact_details({"FullName": "Ops", "PhoneNumber": "+1", "AddressLine1": "x",
                                  "City": "Paris"}, ROOT)
    assert judged.findings == []
    assert judged.review == ("confirm these contact details are current and reach more than one "
                             "person: City=Paris, FullName=Ops, PhoneNumber=+1")
    assert [(f.resource, f.compliant, f.reason) for f in judged.evidence] == [
        (ROOT, None, "contact: City=Paris, FullName=Ops, PhoneNumber=+1")]
    denied = DataUnavailable("account:GetContactInformation", "AccessDenied")
    unread = iam.contact_details(denied, ROOT)
    assert (unread.findings, unread.evidence) == ([], [])
    assert unread.review == f"review the account contact details in the console ({denied})"


@pytest.mark.parametrize(("contact", "verdict"), [
    ({"Name": "Sec", "EmailAddress": "sec@example.com"},
     (True, "security contact: Sec <sec@example.com>")),
    (None, (False, "no security alternate contact is registered")),
    ({}, (True, "no security alternate contact is registered")),  # as before: present, empty
])
def test_1_20_security_contact(contact: dict[str, str] | None,
                               verdict: tuple[bool, str]) -> None:
    (found,) = iam.security_contact(contact, ROOT)
    assert (found.resource, (found.compliant, found.reason)) == (ROOT, verdict)


def test_1_21_profiles_are_read_from_the_roles() -> None:
    details = {"RoleDetailList": [
        {"RoleName": "web", "InstanceProfileList": [{"Arn": PROFILE}]},
        {"RoleName": "batch", "InstanceProfileList": [{"Arn": PROFILE}]},
        {"RoleName": "lonely", "InstanceProfileList": []}]}
    assert iam.instance_profile_roles(details) == {PROFILE: ["web", "batch"]}


def test_failure_message_caps_the_table_and_counts_the_rest() -> None:
    from pytest_cis_aws.findings import Finding, failure_message

    failing = [Finding.of(f"arn:aws:iam::1:user/u{n}", False, "no MFA") for n in range(120)]
    message = failure_message("1.2", failing, [], 130)
    assert "120 of 130 resources do not comply" in message
    assert "user/u49 " in message and "user/u50 " not in message
    assert "... and 70 more (every one is in the findings" in message

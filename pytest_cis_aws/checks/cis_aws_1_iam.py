"""CIS section 1: Identity and Access Management (1.1 - 1.24)."""

from __future__ import annotations

import pytest

from pytest_cis_aws import DataUnavailable, Finding, assert_compliant, manual
from pytest_cis_aws.findings import check
from pytest_cis_aws.fixtures import regional_split
from pytest_cis_aws.rules import iam, iam_roles


def fail_or_manual(findings: list[Finding], review: str | None) -> None:
    """Can fail, cannot pass: where the audit has a step no API answers (`review`), a check
    fails (or errs) on what it saw, and otherwise ends *manual* with what it saw as evidence.
    With no review left (an empty population, say) the findings decide as usual."""
    if review is None or any(f.compliant is not True for f in findings):
        assert_compliant(findings)
    else:
        manual(review, findings)


@check("iam.root_recently_used")
def test_1_1_root_account_not_used(credential_report, cis_now, cis_settings):
    assert_compliant(iam.root_recently_used(credential_report, cis_now,
                                            cis_settings.root_usage_days))


@check("iam.console_users_without_mfa")
def test_1_2_mfa_enabled_for_console_users(credential_report_users):
    assert_compliant(iam.console_users_without_mfa(credential_report_users))


@check("iam.unused_credentials")
def test_1_3_credentials_unused_90_days_disabled(credential_report_users, cis_now):
    assert_compliant(iam.unused_credentials(credential_report_users, cis_now))


@check("iam.keys_not_rotated")
def test_1_4_access_keys_rotated_within_90_days(credential_report_users, cis_now):
    assert_compliant(iam.keys_not_rotated(credential_report_users, cis_now))


@pytest.fixture(scope="module")
def policy_arn(aws_account_id, aws_partition):
    return iam.password_policy_arn(aws_account_id, aws_partition)


@check("iam.password_requires_uppercase")
def test_1_5_password_policy_requires_uppercase(password_policy, policy_arn):
    assert_compliant(iam.requires_uppercase(password_policy, policy_arn))


@check("iam.password_requires_lowercase")
def test_1_6_password_policy_requires_lowercase(password_policy, policy_arn):
    assert_compliant(iam.requires_lowercase(password_policy, policy_arn))


@check("iam.password_requires_symbol")
def test_1_7_password_policy_requires_symbol(password_policy, policy_arn):
    assert_compliant(iam.requires_symbol(password_policy, policy_arn))


@check("iam.password_requires_number")
def test_1_8_password_policy_requires_number(password_policy, policy_arn):
    assert_compliant(iam.requires_number(password_policy, policy_arn))


@check("iam.password_minimum_length")
def test_1_9_password_policy_minimum_length_14(password_policy, policy_arn):
    assert_compliant(iam.minimum_length(password_policy, policy_arn))


@check("iam.password_prevents_reuse")
def test_1_10_password_policy_prevents_reuse(password_policy, policy_arn):
    assert_compliant(iam.prevents_reuse(password_policy, policy_arn))


@check("iam.password_expires")
def test_1_11_password_policy_expires_within_90_days(password_policy, policy_arn):
    assert_compliant(iam.expires_passwords(password_policy, policy_arn))


@pytest.fixture(scope="module")
def root_arn(aws_account_id, aws_partition):
    return iam.root_account_arn(aws_account_id, aws_partition)


@check("iam.root_access_keys")
def test_1_12_no_root_access_keys(credential_report):
    assert_compliant(iam.root_access_keys(credential_report))


@check("iam.root_mfa")
def test_1_13_root_mfa_enabled(account_summary, root_arn):
    assert_compliant(iam.root_mfa(account_summary, root_arn))


@check("iam.root_hardware_mfa")
def test_1_14_root_hardware_mfa_enabled(account_summary, virtual_mfa_devices, root_arn):
    assert_compliant(iam.root_hardware_mfa(account_summary, virtual_mfa_devices, root_arn))


@check("iam.security_questions")
def test_1_15_security_questions_registered(aws_account_id):
    manual(f"security questions can only be seen in the console: sign in as root of account "
           f"{aws_account_id}, open Account settings and check 'Configure Security Challenge "
           "Questions'")


@check("iam.users_with_policies")
def test_1_16_policies_attached_only_to_groups_or_roles(iam_authorization_details):
    assert_compliant(iam.users_with_policies(iam_authorization_details))


@check("iam.billing_reports")
def test_1_17_detailed_billing_enabled(cost_and_usage_reports, aws_account_id):
    reports = iam.billing_reports(cost_and_usage_reports, aws_account_id)
    if not reports:
        manual("no Cost and Usage Report is defined; the legacy 'Receive Billing Reports' "
               "preference can only be seen in the Billing console (Preferences)")
    assert_compliant(reports)


@check("iam.master_manager_roles")
def test_1_18_iam_master_and_manager_roles_active(iam_authorization_details, cis_settings,
                                                  root_arn):
    master, manager = cis_settings.iam_master_role, cis_settings.iam_manager_role
    if not (master and manager):
        manual("name the roles to check with the ini options cis_iam_master_role and "
               "cis_iam_manager_role")
    judged = iam_roles.master_manager_roles(iam_authorization_details, master, manager,
                                            root_arn)
    fail_or_manual(judged.findings, judged.review)


@check("iam.contact_details")
def test_1_19_contact_details_current(request, root_arn):
    try:
        contact = request.getfixturevalue("contact_information")
    except DataUnavailable as exc:
        manual(f"review the account contact details in the console ({exc})")
    shown = ", ".join(f"{k}={v}" for k, v in sorted(contact.items()) if k in (
        "FullName", "CompanyName", "PhoneNumber", "City", "CountryCode", "WebsiteUrl"))
    manual("confirm these contact details are current and reach more than one person: " + shown,
           [Finding.unknown(root_arn, f"contact: {shown}")])


@check("iam.security_contact")
def test_1_20_security_contact_registered(security_contact, root_arn):
    contact = security_contact or {}
    assert_compliant([Finding.of(
        root_arn, security_contact is not None,
        f"security contact: {contact.get('Name')} <{contact.get('EmailAddress')}>"
        if security_contact else "no security alternate contact is registered")])


@check("iam.instance_roles")
def test_1_21_instances_use_iam_roles(ec2_instances, iam_authorization_details):
    findings = iam.instance_roles(*regional_split(ec2_instances),
                                  iam.instance_profile_roles(iam_authorization_details))
    fail_or_manual(findings, iam.instance_review(findings))


@check("iam.support_role")
def test_1_22_support_role_exists(iam_authorization_details, aws_account_id, aws_partition):
    assert_compliant(iam.support_role(iam_authorization_details, aws_account_id, aws_partition))


@check("iam.console_users_with_unused_keys")
def test_1_23_no_access_keys_created_with_console_users(credential_report_users):
    assert_compliant(iam.console_users_with_unused_keys(credential_report_users))


@check("iam.full_admin_policies")
def test_1_24_no_full_admin_customer_policies(iam_authorization_details):
    assert_compliant(iam.full_admin_policies(iam_authorization_details))

"""CIS section 1: Identity and Access Management (1.1 - 1.24)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from pytest_cis_aws import DataUnavailable, assert_compliant
from pytest_cis_aws.checks import conclude
from pytest_cis_aws.credential_report import CredentialReport
from pytest_cis_aws.findings import check
from pytest_cis_aws.read import split as regional_split
from pytest_cis_aws.rules import iam, iam_roles
from pytest_cis_aws.settings import Settings


def read(request: pytest.FixtureRequest, fixture: str) -> Any:
    """The fixture's value, or the DataUnavailable saying why it could not be read (for a rule
    that has something to say either way)."""
    try:
        return request.getfixturevalue(fixture)
    except DataUnavailable as exc:
        return exc


@check("iam.root_recently_used")
def test_1_1_root_account_not_used(credential_report: CredentialReport, cis_now: datetime,
                                   cis_settings: Settings) -> None:
    assert_compliant(iam.root_recently_used(credential_report, cis_now,
                                            cis_settings.root_usage_days))


@check("iam.console_users_without_mfa")
def test_1_2_mfa_enabled_for_console_users(credential_report_users: CredentialReport) -> None:
    assert_compliant(iam.console_users_without_mfa(credential_report_users))


@check("iam.unused_credentials")
def test_1_3_credentials_unused_90_days_disabled(credential_report_users: CredentialReport,
                                                 cis_now: datetime) -> None:
    assert_compliant(iam.unused_credentials(credential_report_users, cis_now))


@check("iam.keys_not_rotated")
def test_1_4_access_keys_rotated_within_90_days(credential_report_users: CredentialReport,
                                                cis_now: datetime) -> None:
    assert_compliant(iam.keys_not_rotated(credential_report_users, cis_now))


@pytest.fixture(scope="module")
def policy_arn(aws_account_id: str, aws_partition: str) -> str:
    return iam.password_policy_arn(aws_account_id, aws_partition)


Policy = dict[str, Any] | None  # the account's password policy; None: it has none


@check("iam.password_requires_uppercase")
def test_1_5_password_policy_requires_uppercase(password_policy: Policy, policy_arn: str) -> None:
    assert_compliant(iam.requires_uppercase(password_policy, policy_arn))


@check("iam.password_requires_lowercase")
def test_1_6_password_policy_requires_lowercase(password_policy: Policy, policy_arn: str) -> None:
    assert_compliant(iam.requires_lowercase(password_policy, policy_arn))


@check("iam.password_requires_symbol")
def test_1_7_password_policy_requires_symbol(password_policy: Policy, policy_arn: str) -> None:
    assert_compliant(iam.requires_symbol(password_policy, policy_arn))


@check("iam.password_requires_number")
def test_1_8_password_policy_requires_number(password_policy: Policy, policy_arn: str) -> None:
    assert_compliant(iam.requires_number(password_policy, policy_arn))


@check("iam.password_minimum_length")
def test_1_9_password_policy_minimum_length_14(password_policy: Policy, policy_arn: str) -> None:
    assert_compliant(iam.minimum_length(password_policy, policy_arn))


@check("iam.password_prevents_reuse")
def test_1_10_password_policy_prevents_reuse(password_policy: Policy, policy_arn: str) -> None:
    assert_compliant(iam.prevents_reuse(password_policy, policy_arn))


@check("iam.password_expires")
def test_1_11_password_policy_expires_within_90_days(password_policy: Policy,
                                                     policy_arn: str) -> None:
    assert_compliant(iam.expires_passwords(password_policy, policy_arn))


@pytest.fixture(scope="module")
def root_arn(aws_account_id: str, aws_partition: str) -> str:
    return iam.root_account_arn(aws_account_id, aws_partition)


@check("iam.root_access_keys")
def test_1_12_no_root_access_keys(credential_report: CredentialReport) -> None:
    assert_compliant(iam.root_access_keys(credential_report))


@check("iam.root_mfa")
def test_1_13_root_mfa_enabled(account_summary: dict[str, int], root_arn: str) -> None:
    assert_compliant(iam.root_mfa(account_summary, root_arn))


@check("iam.root_hardware_mfa")
def test_1_14_root_hardware_mfa_enabled(account_summary: dict[str, int],
                                        virtual_mfa_devices: list[dict[str, Any]],
                                        root_arn: str) -> None:
    assert_compliant(iam.root_hardware_mfa(account_summary, virtual_mfa_devices, root_arn))


@check("iam.security_questions")
def test_1_15_security_questions_registered(aws_account_id: str) -> None:
    conclude(iam.security_questions(aws_account_id))


Details = dict[str, list[Any]]  # GetAccountAuthorizationDetails, AWS managed policies included


@check("iam.users_with_policies")
def test_1_16_policies_attached_only_to_groups_or_roles(iam_authorization_details: Details) -> None:
    assert_compliant(iam.users_with_policies(iam_authorization_details))


@check("iam.billing_reports")
def test_1_17_detailed_billing_enabled(cost_and_usage_reports: list[dict[str, Any]],
                                       aws_account_id: str) -> None:
    conclude(iam.billing_reports(cost_and_usage_reports, aws_account_id))


@check("iam.master_manager_roles")
def test_1_18_iam_master_and_manager_roles_active(iam_authorization_details: Details,
                                                  cis_settings: Settings, root_arn: str) -> None:
    conclude(iam_roles.master_manager_roles(iam_authorization_details, cis_settings.iam_master_role,
                                            cis_settings.iam_manager_role, root_arn))


@check("iam.contact_details")
def test_1_19_contact_details_current(request: pytest.FixtureRequest, root_arn: str) -> None:
    conclude(iam.contact_details(read(request, "contact_information"), root_arn))


@check("iam.security_contact")
def test_1_20_security_contact_registered(security_contact: dict[str, Any] | None,
                                          root_arn: str) -> None:
    assert_compliant(iam.security_contact(security_contact, root_arn))


@check("iam.instance_roles")
def test_1_21_instances_use_iam_roles(ec2_instances: dict[str, Any],
                                      iam_authorization_details: Details) -> None:
    conclude(iam.judge_instance_roles(*regional_split(ec2_instances), iam_authorization_details))


@check("iam.support_role")
def test_1_22_support_role_exists(iam_authorization_details: Details, aws_account_id: str,
                                  aws_partition: str) -> None:
    assert_compliant(iam.support_role(iam_authorization_details, aws_account_id, aws_partition))


@check("iam.console_users_with_unused_keys")
def test_1_23_no_access_keys_created_with_console_users(
        credential_report_users: CredentialReport) -> None:
    assert_compliant(iam.console_users_with_unused_keys(credential_report_users))


@check("iam.full_admin_policies")
def test_1_24_no_full_admin_customer_policies(iam_authorization_details: Details) -> None:
    assert_compliant(iam.full_admin_policies(iam_authorization_details))

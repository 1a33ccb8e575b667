"""CIS section 3: Monitoring (3.1 - 3.15)."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_cis_aws import assert_compliant
from pytest_cis_aws.checks import conclude
from pytest_cis_aws.findings import check
from pytest_cis_aws.read import split as regional_split
from pytest_cis_aws.rules import monitoring
from pytest_cis_aws.rules.monitoring import AlarmSetup


@pytest.fixture
def rec_id(request: pytest.FixtureRequest) -> str:
    """The id the running benchmark gives this check's recommendation: the alarm rules are named
    by meaning, and cite the id in the reasons that name the events it counts."""
    marker = request.node.get_closest_marker("cis")
    assert marker is not None, f"{request.node.nodeid} is not a marked CIS check"
    return str(marker.kwargs["id"])


@check("monitoring.alarm.unauthorized_api_calls")
def test_3_1_unauthorized_api_calls_alarmed(alarm_setup: AlarmSetup, rec_id: str) -> None:
    assert_compliant(monitoring.alarm("unauthorized_api_calls")(alarm_setup, cited_as=rec_id))


@check("monitoring.alarm.console_signin_without_mfa")
def test_3_2_console_signin_without_mfa_alarmed(alarm_setup: AlarmSetup, rec_id: str) -> None:
    assert_compliant(monitoring.alarm("console_signin_without_mfa")(alarm_setup, cited_as=rec_id))


@check("monitoring.alarm.root_account_usage")
def test_3_3_root_account_usage_alarmed(alarm_setup: AlarmSetup, rec_id: str) -> None:
    assert_compliant(monitoring.alarm("root_account_usage")(alarm_setup, cited_as=rec_id))


@check("monitoring.alarm.iam_policy_changes")
def test_3_4_iam_policy_changes_alarmed(alarm_setup: AlarmSetup, rec_id: str) -> None:
    assert_compliant(monitoring.alarm("iam_policy_changes")(alarm_setup, cited_as=rec_id))


@check("monitoring.alarm.cloudtrail_configuration_changes")
def test_3_5_cloudtrail_configuration_changes_alarmed(alarm_setup: AlarmSetup,
                                                      rec_id: str) -> None:
    assert_compliant(monitoring.alarm("cloudtrail_configuration_changes")(alarm_setup,
                                                                          cited_as=rec_id))


@check("monitoring.alarm.console_authentication_failures")
def test_3_6_console_authentication_failures_alarmed(alarm_setup: AlarmSetup,
                                                     rec_id: str) -> None:
    assert_compliant(monitoring.alarm("console_authentication_failures")(alarm_setup,
                                                                         cited_as=rec_id))


@check("monitoring.alarm.cmk_disabled_or_scheduled_for_deletion")
def test_3_7_cmk_disabled_or_scheduled_for_deletion_alarmed(alarm_setup: AlarmSetup,
                                                            rec_id: str) -> None:
    assert_compliant(monitoring.alarm("cmk_disabled_or_scheduled_for_deletion")(
        alarm_setup, cited_as=rec_id))


@check("monitoring.alarm.s3_bucket_policy_changes")
def test_3_8_s3_bucket_policy_changes_alarmed(alarm_setup: AlarmSetup, rec_id: str) -> None:
    assert_compliant(monitoring.alarm("s3_bucket_policy_changes")(alarm_setup, cited_as=rec_id))


@check("monitoring.alarm.aws_config_changes")
def test_3_9_aws_config_changes_alarmed(alarm_setup: AlarmSetup, rec_id: str) -> None:
    assert_compliant(monitoring.alarm("aws_config_changes")(alarm_setup, cited_as=rec_id))


@check("monitoring.alarm.security_group_changes")
def test_3_10_security_group_changes_alarmed(alarm_setup: AlarmSetup, rec_id: str) -> None:
    assert_compliant(monitoring.alarm("security_group_changes")(alarm_setup, cited_as=rec_id))


@check("monitoring.alarm.nacl_changes")
def test_3_11_nacl_changes_alarmed(alarm_setup: AlarmSetup, rec_id: str) -> None:
    assert_compliant(monitoring.alarm("nacl_changes")(alarm_setup, cited_as=rec_id))


@check("monitoring.alarm.network_gateway_changes")
def test_3_12_network_gateway_changes_alarmed(alarm_setup: AlarmSetup, rec_id: str) -> None:
    assert_compliant(monitoring.alarm("network_gateway_changes")(alarm_setup, cited_as=rec_id))


@check("monitoring.alarm.route_table_changes")
def test_3_13_route_table_changes_alarmed(alarm_setup: AlarmSetup, rec_id: str) -> None:
    assert_compliant(monitoring.alarm("route_table_changes")(alarm_setup, cited_as=rec_id))


@check("monitoring.alarm.vpc_changes")
def test_3_14_vpc_changes_alarmed(alarm_setup: AlarmSetup, rec_id: str) -> None:
    assert_compliant(monitoring.alarm("vpc_changes")(alarm_setup, cited_as=rec_id))


@check("monitoring.subscriber_review")
def test_3_15_sns_topic_subscribers_reviewed(sns_topics: dict[str, Any],
                                             sns_subscriptions: dict[str, Any],
                                             monitoring_alarm_topics: dict[str, list[str]]) -> None:
    conclude(monitoring.subscriber_review(*regional_split(sns_topics), sns_subscriptions,
                                          monitoring_alarm_topics))

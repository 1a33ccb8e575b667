"""CIS section 3: Monitoring (3.1 - 3.15)."""

from __future__ import annotations

from pytest_cis_aws import assert_compliant, manual
from pytest_cis_aws.findings import check
from pytest_cis_aws.fixtures import regional_split
from pytest_cis_aws.rules import monitoring


@check("monitoring.alarm.unauthorized_api_calls")
def test_3_1_unauthorized_api_calls_alarmed(alarm_setup):
    assert_compliant(monitoring.alarmed("3.1", alarm_setup))


@check("monitoring.alarm.console_signin_without_mfa")
def test_3_2_console_signin_without_mfa_alarmed(alarm_setup):
    assert_compliant(monitoring.alarmed("3.2", alarm_setup))


@check("monitoring.alarm.root_account_usage")
def test_3_3_root_account_usage_alarmed(alarm_setup):
    assert_compliant(monitoring.alarmed("3.3", alarm_setup))


@check("monitoring.alarm.iam_policy_changes")
def test_3_4_iam_policy_changes_alarmed(alarm_setup):
    assert_compliant(monitoring.alarmed("3.4", alarm_setup))


@check("monitoring.alarm.cloudtrail_configuration_changes")
def test_3_5_cloudtrail_configuration_changes_alarmed(alarm_setup):
    assert_compliant(monitoring.alarmed("3.5", alarm_setup))


@check("monitoring.alarm.console_authentication_failures")
def test_3_6_console_authentication_failures_alarmed(alarm_setup):
    assert_compliant(monitoring.alarmed("3.6", alarm_setup))


@check("monitoring.alarm.cmk_disabled_or_scheduled_for_deletion")
def test_3_7_cmk_disabled_or_scheduled_for_deletion_alarmed(alarm_setup):
    assert_compliant(monitoring.alarmed("3.7", alarm_setup))


@check("monitoring.alarm.s3_bucket_policy_changes")
def test_3_8_s3_bucket_policy_changes_alarmed(alarm_setup):
    assert_compliant(monitoring.alarmed("3.8", alarm_setup))


@check("monitoring.alarm.aws_config_changes")
def test_3_9_aws_config_changes_alarmed(alarm_setup):
    assert_compliant(monitoring.alarmed("3.9", alarm_setup))


@check("monitoring.alarm.security_group_changes")
def test_3_10_security_group_changes_alarmed(alarm_setup):
    assert_compliant(monitoring.alarmed("3.10", alarm_setup))


@check("monitoring.alarm.nacl_changes")
def test_3_11_nacl_changes_alarmed(alarm_setup):
    assert_compliant(monitoring.alarmed("3.11", alarm_setup))


@check("monitoring.alarm.network_gateway_changes")
def test_3_12_network_gateway_changes_alarmed(alarm_setup):
    assert_compliant(monitoring.alarmed("3.12", alarm_setup))


@check("monitoring.alarm.route_table_changes")
def test_3_13_route_table_changes_alarmed(alarm_setup):
    assert_compliant(monitoring.alarmed("3.13", alarm_setup))


@check("monitoring.alarm.vpc_changes")
def test_3_14_vpc_changes_alarmed(alarm_setup):
    assert_compliant(monitoring.alarmed("3.14", alarm_setup))


@check("monitoring.subscriber_review")
def test_3_15_sns_topic_subscribers_reviewed(sns_topics, sns_subscriptions,
                                             monitoring_alarm_topics):
    listed, unread = regional_split(sns_topics)
    evidence = monitoring.subscriber_evidence(listed, unread, sns_subscriptions,
                                              monitoring_alarm_topics)
    gaps = monitoring.incomplete_review(evidence, sns_subscriptions)
    if gaps:
        # Part of what a person would review could not be read: an error naming it, not a
        # manual outcome that looks complete. Every finding is unknown, so this raises.
        assert_compliant(gaps + [f for f in evidence if f not in gaps])
    manual(monitoring.review_reason(evidence, monitoring_alarm_topics, sns_subscriptions),
           evidence)

"""Collectors for the monitoring section (CIS 3.x): metric filters, alarms, SNS topics.

Each returns JSON-able data, trimmed to what the rules read. Every resource is read in its own
region (the one its ARN names), whatever regions the audit selected: a trail in eu-west-1 may send
to a log group in us-east-1 whose alarm notifies a topic in us-west-2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import error_code, member, reading
from .pages import every
from .session import Aws

# The error codes that mean "it is not there" rather than "you may not look".
LOG_GROUP_MISSING = "ResourceNotFoundException"
TOPIC_MISSING = "NotFound"


def _pages(client: Any, operation: str, result_key: str, **kwargs: Any) -> list[Any]:
    return every(client, operation, result_key, **kwargs)  # checked: no page left unread


def arn_region(arn: str) -> str:
    """The region field of an ARN (arn:partition:service:region:account:...)."""
    return arn.split(":")[3]


# CloudWatch Logs --------------------------------------------------------------------------------

def _metric_filter(item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "filterName": item.get("filterName", ""),
        "filterPattern": item.get("filterPattern", ""),
        "metricTransformations": [
            {"metricName": t.get("metricName", ""), "metricNamespace": t.get("metricNamespace", "")}
            for t in item.get("metricTransformations", [])
        ],
    }


def metric_filters(aws: Aws, region: str, log_group: str) -> list[dict[str, Any]] | None:
    """The metric filters of one log group, or None when the log group does not exist."""
    from botocore.exceptions import ClientError

    with reading("logs:DescribeMetricFilters", region=region):
        try:
            found = _pages(aws.client("logs", region), "describe_metric_filters",
                           "metricFilters", logGroupName=log_group)
        except ClientError as exc:
            if error_code(exc) == LOG_GROUP_MISSING:
                return None  # the trail points at a log group that was deleted: a finding
            raise
        return [_metric_filter(item) for item in found]


# CloudWatch alarms ------------------------------------------------------------------------------

def _queried_metrics(alarm: Mapping[str, Any]) -> list[dict[str, str]]:
    """Metrics an alarm defined with `Metrics[]` (metric math) reads through MetricStat."""
    found = []
    for query in alarm.get("Metrics") or []:
        metric = (query.get("MetricStat") or {}).get("Metric") or {}
        if metric.get("MetricName"):
            found.append({"MetricName": metric["MetricName"],
                          "Namespace": metric.get("Namespace", "")})
    return found


def _alarm(alarm: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "AlarmName": alarm.get("AlarmName", ""),
        "AlarmArn": alarm.get("AlarmArn", ""),
        "MetricName": alarm.get("MetricName"),
        "Namespace": alarm.get("Namespace"),
        "Metrics": _queried_metrics(alarm),
        # The API's default is true; a missing key must not read as "actions disabled".
        "ActionsEnabled": alarm.get("ActionsEnabled", True),
        "AlarmActions": list(alarm.get("AlarmActions", [])),
    }


def alarms(aws: Aws, region: str) -> list[dict[str, Any]]:
    """Every metric alarm of one region (composite alarms watch alarms, never a metric)."""
    with reading("cloudwatch:DescribeAlarms", region=region):
        found = _pages(aws.client("cloudwatch", region), "describe_alarms", "MetricAlarms")
        return [_alarm(alarm) for alarm in found]


# SNS --------------------------------------------------------------------------------------------

def topics(aws: Aws, region: str) -> list[str]:
    """The ARNs of every SNS topic of one region."""
    with reading("sns:ListTopics", region=region):
        found = _pages(aws.client("sns", region), "list_topics", "Topics")
        return sorted(str(member(topic, "TopicArn")) for topic in found)


def _subscription(item: Mapping[str, Any]) -> dict[str, str]:
    return {key: str(item.get(key, "")) for key in ("SubscriptionArn", "Protocol", "Endpoint",
                                                    "Owner")}


def subscriptions(aws: Aws, topic_arn: str) -> list[dict[str, str]] | None:
    """The subscriptions of one topic, asked in its region; None when the topic does not exist."""
    from botocore.exceptions import ClientError

    region = arn_region(topic_arn)
    with reading("sns:ListSubscriptionsByTopic", region=region):
        try:
            found = _pages(aws.client("sns", region), "list_subscriptions_by_topic",
                           "Subscriptions", TopicArn=topic_arn)
        except ClientError as exc:
            if error_code(exc) == TOPIC_MISSING:
                return None  # an alarm still names a deleted topic: a finding
            raise
        return [_subscription(item) for item in found]

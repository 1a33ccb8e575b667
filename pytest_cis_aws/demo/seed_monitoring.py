"""Section 3's building blocks: the chain from a trail's log group to a person, link by link
(metric filter, alarm, SNS topic, subscriber).

The fourteen alarms of 3.1-3.14 are named by meaning (`ALARMED`), never by their number in one
version of the benchmark.
"""

from __future__ import annotations

from typing import Any

from .common import Clients

NAMESPACE = "CISBenchmark"
# The events each of the fourteen alarms watches, in the benchmark's order (3.1-3.14 in v1.1.0).
ALARMED = (
    "unauthorized_api_calls", "console_signin_without_mfa", "root_account_usage",
    "iam_policy_changes", "cloudtrail_configuration_changes", "console_authentication_failures",
    "cmk_disabled_or_scheduled_for_deletion", "s3_bucket_policy_changes", "aws_config_changes",
    "security_group_changes", "nacl_changes", "network_gateway_changes", "route_table_changes",
    "vpc_changes",
)


def topic(clients: Clients, region: str, name: str, *endpoints: str) -> str:
    """An SNS topic with a subscriber per endpoint (https:// URLs, else email); its ARN."""
    sns = clients("sns", region)
    arn = str(sns.create_topic(Name=name)["TopicArn"])
    for endpoint in endpoints:
        protocol = "https" if endpoint.startswith("https://") else "email"
        sns.subscribe(TopicArn=arn, Protocol=protocol, Endpoint=endpoint)
    return arn


def metric_filter(clients: Clients, region: str, log_group: str, metric: str, pattern: str, *,
                  namespace: str = NAMESPACE) -> None:
    """A metric filter named after the metric it counts `pattern` into."""
    clients("logs", region).put_metric_filter(
        logGroupName=log_group, filterName=metric, filterPattern=pattern,
        metricTransformations=[{"metricName": metric, "metricNamespace": namespace,
                                "metricValue": "1"}])


def alarm(clients: Clients, region: str, name: str, metric: str, actions: list[str], *,
          math: bool = False, namespace: str = NAMESPACE, enabled: bool | None = None) -> None:
    """An alarm on one event of `metric` in 5 minutes, plain or through metric math
    (`Metrics[]`), notifying `actions`; `enabled` False turns its actions off (None: AWS's
    default, on)."""
    threshold: dict[str, Any] = {"EvaluationPeriods": 1, "Threshold": 1.0,
                                 "ComparisonOperator": "GreaterThanOrEqualToThreshold"}
    if math:
        on: dict[str, Any] = {"Metrics": [{"Id": "events", "ReturnData": True, "MetricStat": {
            "Metric": {"MetricName": metric, "Namespace": namespace},
            "Period": 300, "Stat": "Sum"}}]}
    else:
        on = {"MetricName": metric, "Namespace": namespace, "Statistic": "Sum", "Period": 300}
    if enabled is not None:
        on["ActionsEnabled"] = enabled
    clients("cloudwatch", region).put_metric_alarm(AlarmName=name, AlarmActions=actions,
                                                   **threshold, **on)

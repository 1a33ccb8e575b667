"""Two monitoring account states, in us-east-1 and eu-west-1, for end-to-end runs: one that
complies with 3.1–3.14, one where each of 3.1–3.11 and 3.13 misses a different link of its chain
(or its filter is no longer the same alarm), and 3.12 passes on a single-region trail.

moto stores metric filter patterns verbatim and never evaluates them (moto_coverage.md G11): the
plugin judges them itself. moto confirms every subscription at once (G12); the recipe below makes
one pending, and reaches into moto's internals, so it lives here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.sns.models import sns_backends

from aws_state import ACCOUNT
from test_metric_filters import REFERENCE_BY_ID as REFERENCE_PATTERNS
from test_metric_filters import Rewrite
from test_metric_filters import rewrite_v1_1_0 as rewrite

US, EU = "us-east-1", "eu-west-1"
RECS = tuple(f"3.{n}" for n in range(1, 15))
NAMESPACE = "CISBenchmark"
LOGS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/cloudtrail-to-logs"
# The styles filters are written in, in the wild: each must count as the benchmark's pattern.
STYLES = (Rewrite(reverse=True), Rewrite(gap="\n  "), Rewrite(gap=""), Rewrite(quote=True),
          Rewrite(reverse=True, gap="\n\t", quote=True))
# 3.7 as the benchmark prints it (`$eventName` without the dot): counts, with a note.
PRINTED_3_7 = ("{($eventSource = kms.amazonaws.com) && "
               "(($eventName=DisableKey)||($eventName=ScheduleKeyDeletion))}")
# 3.11 as its audit step prints it: without ReplaceNetworkAclEntry.
PRINTED_3_11 = REFERENCE_PATTERNS["3.11"].replace(" || ($.eventName = ReplaceNetworkAclEntry)", "")
# 3.2 as the notes after 3.3 print it: inverted, it counts sign-ins *with* MFA.
NOTES_3_2 = '{ $.eventName = "ConsoleLogin" && $.additionalEventData.MFAUsed != "No" }'
# 3.3 without the service exclusions: wider, but still about root: counts, with a note.
WIDER_3_3 = '{ $.userIdentity.type = "Root" }'
# An alarm on everything says nothing: it covers every event and fails.
CATCH_ALL = '{ $.eventName = "*" }'
# 3.13 on successful changes only: narrower than the benchmark's, it misses a refused attempt.
NARROWER_3_13 = "{ (" + REFERENCE_PATTERNS["3.13"].strip()[1:-1] + ") && $.errorCode NOT EXISTS }"


# moto recipe ------------------------------------------------------------------------------------

def make_pending(region: str, endpoint: str) -> None:
    """G12: moto confirms every subscription at once; AWS waits for the endpoint to confirm."""
    backend = sns_backends[ACCOUNT][region]
    subscription = next(s for s in backend.subscriptions.values() if s.endpoint == endpoint)
    subscription.arn = "PendingConfirmation"


# building blocks --------------------------------------------------------------------------------

def metric(rec_id: str) -> str:
    return f"cis-{rec_id.replace('.', '-')}"


def log_group_arn(region: str, name: str) -> str:
    return f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{name}:*"


def trail(client: Callable[..., Any], region: str, name: str, log_group: str, *,
          multi: bool = True) -> None:
    """A logging trail with its own bucket, sending to `log_group` (created in `region`)."""
    extra = {} if region == US else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    client("s3", region).create_bucket(Bucket=f"{name}-trail-logs", **extra)
    client("logs", region).create_log_group(logGroupName=log_group)
    cloudtrail = client("cloudtrail", region)
    cloudtrail.create_trail(Name=name, S3BucketName=f"{name}-trail-logs", IsMultiRegionTrail=multi,
                            CloudWatchLogsLogGroupArn=log_group_arn(region, log_group),
                            CloudWatchLogsRoleArn=LOGS_ROLE)
    cloudtrail.start_logging(Name=name)


def metric_filter(client: Callable[..., Any], region: str, log_group: str, rec_id: str,
                  pattern: str) -> None:
    client("logs", region).put_metric_filter(
        logGroupName=log_group, filterName=metric(rec_id), filterPattern=pattern,
        metricTransformations=[{"metricName": metric(rec_id), "metricNamespace": NAMESPACE,
                                "metricValue": "1"}])


def alarm(client: Callable[..., Any], region: str, rec_id: str, actions: list[str], *,
          math: bool = False, namespace: str = NAMESPACE, enabled: bool = True) -> None:
    """An alarm on the filter's metric, plain or through metric math (`Metrics[]`)."""
    threshold = {"EvaluationPeriods": 1, "Threshold": 1.0,
                 "ComparisonOperator": "GreaterThanOrEqualToThreshold"}
    if math:
        on: dict[str, Any] = {"Metrics": [{"Id": "events", "ReturnData": True, "MetricStat": {
            "Metric": {"MetricName": metric(rec_id), "Namespace": namespace},
            "Period": 300, "Stat": "Sum"}}]}
    else:
        on = {"MetricName": metric(rec_id), "Namespace": namespace, "Statistic": "Sum",
              "Period": 300}
    client("cloudwatch", region).put_metric_alarm(
        AlarmName=f"alarm-{rec_id}", AlarmActions=actions, ActionsEnabled=enabled,
        **threshold, **on)


def topic(client: Callable[..., Any], region: str, name: str, *endpoints: str) -> str:
    sns = client("sns", region)
    arn = str(sns.create_topic(Name=name)["TopicArn"])
    for endpoint in endpoints:
        protocol = "https" if endpoint.startswith("https://") else "email"
        sns.subscribe(TopicArn=arn, Protocol=protocol, Endpoint=endpoint)
    return arn


def chain(client: Callable[..., Any], rec_id: str, pattern: str, actions: list[str], *,
          region: str = US, log_group: str = "cloudtrail", **alarm_settings: Any) -> None:
    metric_filter(client, region, log_group, rec_id, pattern)
    alarm(client, region, rec_id, actions, **alarm_settings)


# the two accounts -------------------------------------------------------------------------------

def compliant(client: Callable[..., Any]) -> None:
    trail(client, US, "main", "cloudtrail")
    trail(client, EU, "regional", "regional", multi=False)  # does not count, nor hurt
    alarms_us = topic(client, US, "cis-alarms", "secops@example.com")
    # A topic in another region than its alarms: read where it lives.
    alarms_eu = topic(client, EU, "cis-alarms-eu", "https://hooks.example.com/cis")
    topic(client, EU, "newsletter")  # not used by any alarm: listed for 3.15, not flagged
    for number, rec_id in enumerate(RECS):
        pattern = rewrite(rec_id, STYLES[number % len(STYLES)])
        if rec_id == "3.3":
            pattern = WIDER_3_3
        if rec_id == "3.7":
            pattern = PRINTED_3_7
        chain(client, rec_id, pattern, [alarms_eu if number % 3 else alarms_us],
              math=number % 2 == 1)


def noncompliant(client: Callable[..., Any]) -> None:
    trail(client, US, "main", "cloudtrail")
    trail(client, EU, "local", "local", multi=False)
    alarms = topic(client, US, "cis-alarms", "secops@example.com")
    pending = topic(client, US, "pending", "new-hire@example.com")
    make_pending(US, "new-hire@example.com")
    empty = topic(client, US, "empty")
    deleted = f"arn:aws:sns:{US}:{ACCOUNT}:deleted"
    reference = dict(REFERENCE_PATTERNS)

    # 3.1: the whole chain, but its filter matches every event.
    chain(client, "3.1", CATCH_ALL, [alarms])
    chain(client, "3.2", NOTES_3_2, [alarms])
    metric_filter(client, US, "cloudtrail", "3.3", reference["3.3"])  # and no alarm
    chain(client, "3.4", reference["3.4"].replace("($.eventName=DeleteGroupPolicy) || ", ""),
          [alarms])
    chain(client, "3.5", reference["3.5"], [])
    chain(client, "3.6", reference["3.6"], [pending])
    chain(client, "3.7", reference["3.7"], [empty])
    chain(client, "3.8", reference["3.8"], [alarms], namespace="Other")
    chain(client, "3.9", reference["3.9"], [alarms], enabled=False)
    chain(client, "3.10", reference["3.10"], [deleted])
    chain(client, "3.11", PRINTED_3_11, [alarms])
    # 3.12: the whole chain on the log group of the single-region trail: counts (v1.1.0).
    chain(client, "3.12", reference["3.12"], [topic(client, EU, "cis-alarms-eu",
                                                    "secops@example.com")],
          region=EU, log_group="local")
    chain(client, "3.13", NARROWER_3_13, [alarms])
    chain(client, "3.14", reference["3.14"], [alarms])


# The outcome each check must reach on each account under moto.
EXPECTED = {
    **{rec: ("passed", "failed") for rec in RECS},
    "3.12": ("passed", "passed"),
    "3.14": ("passed", "passed"),
    "3.15": ("skipped", "skipped"),
}

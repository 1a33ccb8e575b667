"""Two monitoring account states, in us-east-1 and eu-west-1, for end-to-end runs: one that
complies with 3.1–3.14, one where each of 3.1–3.11 and 3.13 misses a different link of its chain
(or its filter is no longer the same alarm), and 3.12 passes on a single-region trail.

moto stores metric filter patterns verbatim and never evaluates them (moto_coverage.md G11): the
plugin judges them itself. moto confirms every subscription at once (G12); the recipe that makes
one pending reaches into moto's internals: it lives in the package's demo.moto_patches, and the
building blocks in demo.seed_monitoring, both shared with the demo. The chains are keyed by what
they watch (seed_monitoring.ALARMED); their resources keep the names people give them ("cis-3-1").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_state import ACCOUNT
from pytest_cis_aws.demo import moto_patches
from pytest_cis_aws.demo.seed_logging import log_group_arn
from pytest_cis_aws.demo.seed_logging import trail as logging_trail
from pytest_cis_aws.demo.seed_monitoring import ALARMED, topic
from pytest_cis_aws.demo.seed_monitoring import alarm as metric_alarm
from pytest_cis_aws.demo.seed_monitoring import metric_filter as put_metric_filter
from pytest_cis_aws.rules.metric_filters import REFERENCE_PATTERNS
from test_metric_filters import Rewrite, rewrite

US, EU = "us-east-1", "eu-west-1"
RECS = tuple(f"3.{n}" for n in range(1, 15))
# What each of 3.1-3.14 watches (the keys the chains and the pattern corpora are keyed by), and
# back: the resource names the tests assert ("alarm-3.1", "cis-3-1") keep v1.1.0's numbers.
WATCHING = dict(zip(RECS, ALARMED))
REC_ID = dict(zip(ALARMED, RECS))
NAMESPACE = "CISBenchmark"
LOGS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/cloudtrail-to-logs"
# The styles filters are written in, in the wild: each must count as the benchmark's pattern.
STYLES = (Rewrite(reverse=True), Rewrite(gap="\n  "), Rewrite(gap=""), Rewrite(quote=True),
          Rewrite(reverse=True, gap="\n\t", quote=True))
# 3.7 as the benchmark prints it (`$eventName` without the dot): counts, with a note.
PRINTED_3_7 = ("{($eventSource = kms.amazonaws.com) && "
               "(($eventName=DisableKey)||($eventName=ScheduleKeyDeletion))}")
# 3.11 as its audit step prints it: without ReplaceNetworkAclEntry.
PRINTED_3_11 = REFERENCE_PATTERNS["nacl_changes"].replace(
    " || ($.eventName = ReplaceNetworkAclEntry)", "")
# 3.2 as the notes after 3.3 print it: inverted, it counts sign-ins *with* MFA.
NOTES_3_2 = '{ $.eventName = "ConsoleLogin" && $.additionalEventData.MFAUsed != "No" }'
# 3.3 without the service exclusions: wider, but still about root: counts, with a note.
WIDER_3_3 = '{ $.userIdentity.type = "Root" }'
# An alarm on everything says nothing: it covers every event and fails.
CATCH_ALL = '{ $.eventName = "*" }'
# 3.13 on successful changes only: narrower than the benchmark's, it misses a refused attempt.
NARROWER_3_13 = ("{ (" + REFERENCE_PATTERNS["route_table_changes"].strip()[1:-1]
                 + ") && $.errorCode NOT EXISTS }")


# moto recipe (demo.moto_patches) ----------------------------------------------------------------

def make_pending(region: str, endpoint: str) -> None:
    """G12: moto confirms every subscription at once; AWS waits for the endpoint to confirm."""
    moto_patches.make_pending(region, endpoint)


# building blocks (the shared ones: pytest_cis_aws.demo.seed_monitoring) -------------------------

def metric(watched: str) -> str:
    """The metric (and filter) of the chain on `watched` events: named as people name them,
    after the recommendation's number ("cis-3-1")."""
    return f"cis-{REC_ID[watched].replace('.', '-')}"


def reference(watched: str) -> str:
    """The benchmark's own pattern for `watched` events."""
    return REFERENCE_PATTERNS[watched]


def trail(client: Callable[..., Any], region: str, name: str, log_group: str, *,
          multi: bool = True) -> None:
    """A logging trail with its own bucket, sending to `log_group` (created in `region`)."""
    extra = {} if region == US else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    client("s3", region).create_bucket(Bucket=f"{name}-trail-logs", **extra)
    client("logs", region).create_log_group(logGroupName=log_group)
    logging_trail(client, region, name, f"{name}-trail-logs", IsMultiRegionTrail=multi,
                  CloudWatchLogsLogGroupArn=log_group_arn(region, log_group),
                  CloudWatchLogsRoleArn=LOGS_ROLE)


def metric_filter(client: Callable[..., Any], region: str, log_group: str, watched: str,
                  pattern: str) -> None:
    put_metric_filter(client, region, log_group, metric(watched), pattern, namespace=NAMESPACE)


def alarm(client: Callable[..., Any], region: str, watched: str, actions: list[str], *,
          math: bool = False, namespace: str = NAMESPACE, enabled: bool = True) -> None:
    """An alarm on the filter's metric, plain or through metric math (`Metrics[]`)."""
    metric_alarm(client, region, f"alarm-{REC_ID[watched]}", metric(watched), actions,
                 math=math, namespace=namespace, enabled=enabled)


def chain(client: Callable[..., Any], watched: str, pattern: str, actions: list[str], *,
          region: str = US, log_group: str = "cloudtrail", **alarm_settings: Any) -> None:
    metric_filter(client, region, log_group, watched, pattern)
    alarm(client, region, watched, actions, **alarm_settings)


def styled(number: int, watched: str) -> str:
    """The compliant accounts' pattern for `watched`: the benchmark's, in one of the styles;
    root_account_usage wider and cmk_disabled_or_scheduled_for_deletion as printed (both
    count, with a note)."""
    if watched == "root_account_usage":
        return WIDER_3_3
    if watched == "cmk_disabled_or_scheduled_for_deletion":
        return PRINTED_3_7
    return rewrite(watched, STYLES[number % len(STYLES)])


# the two accounts -------------------------------------------------------------------------------

def compliant(client: Callable[..., Any]) -> None:
    trail(client, US, "main", "cloudtrail")
    trail(client, EU, "regional", "regional", multi=False)  # does not count, nor hurt
    alarms_us = topic(client, US, "cis-alarms", "secops@example.com")
    # A topic in another region than its alarms: read where it lives.
    alarms_eu = topic(client, EU, "cis-alarms-eu", "https://hooks.example.com/cis")
    topic(client, EU, "newsletter")  # not used by any alarm: listed for 3.15, not flagged
    for number, watched in enumerate(ALARMED):
        chain(client, watched, styled(number, watched), [alarms_eu if number % 3 else alarms_us],
              math=number % 2 == 1)


def noncompliant(client: Callable[..., Any]) -> None:
    trail(client, US, "main", "cloudtrail")
    trail(client, EU, "local", "local", multi=False)
    alarms = topic(client, US, "cis-alarms", "secops@example.com")
    pending = topic(client, US, "pending", "new-hire@example.com")
    make_pending(US, "new-hire@example.com")
    empty = topic(client, US, "empty")
    deleted = f"arn:aws:sns:{US}:{ACCOUNT}:deleted"

    # The whole chain, but its filter matches every event.
    chain(client, "unauthorized_api_calls", CATCH_ALL, [alarms])
    chain(client, "console_signin_without_mfa", NOTES_3_2, [alarms])
    metric_filter(client, US, "cloudtrail", "root_account_usage",
                  reference("root_account_usage"))  # and no alarm
    chain(client, "iam_policy_changes", reference("iam_policy_changes").replace(
        "($.eventName=DeleteGroupPolicy) || ", ""), [alarms])
    chain(client, "cloudtrail_configuration_changes",
          reference("cloudtrail_configuration_changes"), [])
    chain(client, "console_authentication_failures",
          reference("console_authentication_failures"), [pending])
    chain(client, "cmk_disabled_or_scheduled_for_deletion",
          reference("cmk_disabled_or_scheduled_for_deletion"), [empty])
    chain(client, "s3_bucket_policy_changes", reference("s3_bucket_policy_changes"), [alarms],
          namespace="Other")
    chain(client, "aws_config_changes", reference("aws_config_changes"), [alarms], enabled=False)
    chain(client, "security_group_changes", reference("security_group_changes"), [deleted])
    chain(client, "nacl_changes", PRINTED_3_11, [alarms])
    # The whole chain on the log group of the single-region trail: counts (v1.1.0).
    chain(client, "network_gateway_changes", reference("network_gateway_changes"),
          [topic(client, EU, "cis-alarms-eu", "secops@example.com")], region=EU,
          log_group="local")
    chain(client, "route_table_changes", NARROWER_3_13, [alarms])
    chain(client, "vpc_changes", reference("vpc_changes"), [alarms])


# The outcome each check must reach on each account under moto.
EXPECTED = {
    **{rec: ("passed", "failed") for rec in RECS},
    "3.12": ("passed", "passed"),
    "3.14": ("passed", "passed"),
    "3.15": ("skipped", "skipped"),
}

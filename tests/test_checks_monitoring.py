"""End to end: every section 3 check against a compliant and a non-compliant moto account, in two
regions, then the evidence the checks recorded and the AWS calls they cost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import accounts_monitoring
from aws_state import ACCOUNT
from runs import api_calls, by_resource, run_checks

ARGS = ("--cis-section=monitoring", "--cis-level=2", "--cis-regions=us-east-1,eu-west-1",
        "--cis-api-stats", "-rA")
MAIN = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/main"
LOG_GROUP = "log group cloudtrail (us-east-1)"
NO_MATCH = f"no metric filter on {LOG_GROUP} matches: closest is filter"


def via(rec_id: str) -> str:
    name = f"cis-{rec_id.replace('.', '-')}"
    return f"{LOG_GROUP} → filter {name} (metric CISBenchmark/{name})"


# How the main trail's finding ends in the non-compliant account: one missing link each.
MISSING_LINKS = {
    # Covers every event: an alarm on routine activity, no alarm at all.
    "3.1": f"{NO_MATCH} cis-3-1: would alarm on routine activity, such as ",
    "3.2": f"{NO_MATCH} ",  # the inverted pattern of the notes: other filters come closer
    "3.3": f"{via('3.3')}: no alarm on metric CISBenchmark/cis-3-3",
    "3.4": f"{NO_MATCH} cis-3-4: misses: DeleteGroupPolicy (IAM user)",
    "3.5": f"{via('3.5')}: alarm alarm-3.5 has no actions",
    "3.6": f"{via('3.6')} → alarm alarm-3.6: topic pending has no confirmed subscriber "
           "(1 subscription pending confirmation)",
    "3.7": f"{via('3.7')} → alarm alarm-3.7: topic empty has no confirmed subscriber",
    "3.8": f"{via('3.8')}: no alarm on metric CISBenchmark/cis-3-8",
    "3.9": f"{via('3.9')}: alarm alarm-3.9 has its actions disabled",
    "3.10": f"{via('3.10')} → alarm alarm-3.10: topic deleted does not exist",
    "3.11": f"{NO_MATCH} cis-3-11: misses: ReplaceNetworkAclEntry through CloudFormation "
            "(invokedBy)",
    # Narrower than the benchmark's: successful changes only.
    "3.13": f"{NO_MATCH} cis-3-13: misses: CreateRoute refused (denied)",
}


@pytest.mark.parametrize("account", [0, 1], ids=["compliant", "noncompliant"])
def test_every_monitoring_check_reaches_its_outcome(
    account: int, pytester: pytest.Pytester, setup_client: Callable[..., Any],
) -> None:
    build = (accounts_monitoring.compliant, accounts_monitoring.noncompliant)[account]
    build(setup_client)
    run = run_checks(pytester, *ARGS)
    got, findings, skips, result = run.outcomes, run.findings, run.skips, run.result
    expected = {rec: pair[account] for rec, pair in accounts_monitoring.EXPECTED.items()}
    assert got == expected, result.stdout.str()
    if account == 0:
        check_compliant_evidence(findings, skips["3.15"])
    else:
        check_noncompliant_evidence(findings, skips["3.15"])
        check_each_read_happens_once(api_calls(result))


def check_compliant_evidence(findings: dict[str, list[dict[str, Any]]], review: str) -> None:
    regional = f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/regional"
    assert by_resource(findings["3.1"]) == {
        MAIN: (True, f"{via('3.1')} → alarm alarm-3.1 → topic cis-alarms (1 confirmed "
                     "subscriber)"),
        regional: (True, "does not count (log group regional (eu-west-1) has no metric "
                         "filter); main has the chain"),
    }
    # Alarms in us-east-1 notify a topic in eu-west-1: it is read where it lives.
    assert by_resource(findings["3.2"])[MAIN] == (
        True, f"{via('3.2')} → alarm alarm-3.2 → topic cis-alarms-eu (1 confirmed subscriber)")
    wider, printed = by_resource(findings["3.3"])[MAIN][1], by_resource(findings["3.7"])[MAIN][1]
    assert "; note: filter cis-3-3: wider than the benchmark: also matches " in wider
    assert '; note: filter cis-3-7: matches every required event (read "$eventSource"' in printed
    notes = [rec for rec in accounts_monitoring.RECS if "note:" in by_resource(findings[rec])[
        MAIN][1]]
    assert notes == ["3.3", "3.7"]
    assert review.startswith("manual: review the subscribers of 3 SNS topics (listed in the "
                             "findings)")
    assert "no confirmed subscriber" not in review
    topics = {f["resource"].rsplit(":", 1)[-1]: f["reason"] for f in findings["3.15"]}
    assert topics == {
        "cis-alarms": "notified by monitoring alarm(s) " + ", ".join(
            f"alarm-3.{n}" for n in (1, 10, 13, 4, 7)) + f"; owner {ACCOUNT}; email "
            f"secops@example.com (subscriber account {ACCOUNT}, confirmed)",
        "cis-alarms-eu": "notified by monitoring alarm(s) " + ", ".join(
            f"alarm-3.{n}" for n in (11, 12, 14, 2, 3, 5, 6, 8, 9)) + f"; owner {ACCOUNT}; "
            f"https https://hooks.example.com/cis (subscriber account {ACCOUNT}, confirmed)",
        "newsletter": f"owner {ACCOUNT}; no subscriptions",
    }
    assert all(f["compliant"] is None for f in findings["3.15"])


def check_noncompliant_evidence(findings: dict[str, list[dict[str, Any]]], review: str) -> None:
    local = f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/local"
    for rec_id, ending in MISSING_LINKS.items():
        judged = by_resource(findings[rec_id])
        assert judged[local] == (False, "no metric filter on log group local (eu-west-1) "
                                 "matches: none of its 1 filter catches any event the "
                                 "benchmark's pattern catches"), rec_id
        ok, reason = judged[MAIN]
        assert ok is False, rec_id
        assert reason.startswith(ending) if ending.endswith(" ") else reason == ending, (
            rec_id, reason)
    # v1.1.0 asks for the log group of a trail: a single-region one counts, saying what it sees.
    assert by_resource(findings["3.12"]) == {
        local: (True, "log group local (eu-west-1) → filter cis-3-12 (metric CISBenchmark/"
                      "cis-3-12) → alarm alarm-3.12 → topic cis-alarms-eu (1 confirmed "
                      "subscriber); note: local is a single-region trail: its log group sees the "
                      "events of eu-west-1 and global services (IAM, STS, console sign-in) only; "
                      "v1.1.0 asks for the log group of a trail, later CIS versions require a "
                      "multi-region trail"),
        MAIN: (True, f"does not count ({NO_MATCH} cis-3-1: would alarm on routine activity, "
                     "such as DescribeInternetGateways (a routine read) (and 8 more)); local has "
                     "the chain"),
    }
    assert review.endswith("monitoring alarms notify topics with no confirmed subscriber: "
                           "deleted, empty, pending")
    flagged = sorted(f["resource"].rsplit(":", 1)[-1] for f in findings["3.15"]
                     if f["reason"].startswith("FLAGGED: "))
    assert flagged == ["deleted", "empty", "pending"]


def check_each_read_happens_once(calls: dict[str, int]) -> None:
    # Fifteen checks, two regions, two trails: the log group of each logging trail, the
    # alarms of their regions, each topic once (five, shared by 3.1-3.14 and 3.15).
    assert calls == {
        "sts:GetCallerIdentity": 1, "ec2:DescribeRegions": 1,
        "cloudtrail:DescribeTrails": 2, "cloudtrail:GetTrailStatus": 2,
        "cloudtrail:GetEventSelectors": 2,
        "logs:DescribeMetricFilters": 2, "cloudwatch:DescribeAlarms": 2,
        "sns:ListTopics": 2, "sns:ListSubscriptionsByTopic": 5,
    }


# The filter match mode comes from the ini; a bad value stops the run at startup -------------

SHOW_MODE = """
def test_mode(cis_metric_filter_match):
    print("mode:", cis_metric_filter_match)
"""


@pytest.mark.parametrize(("ini", "said"), [
    ("", "mode: covers"),
    ("cis_metric_filter_match = equivalent", "mode: equivalent"),
    ("cis_metric_filter_match = Equivalent", "mode: equivalent"),
], ids=["default", "equivalent", "case"])
def test_the_filter_match_mode_comes_from_the_ini(pytester: pytest.Pytester, ini: str,
                                                  said: str, moto: None) -> None:
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile(SHOW_MODE)
    result = pytester.runpytest("-s", "--cis-no-stock")
    result.stdout.fnmatch_lines([f"*{said}*"])
    assert result.ret == pytest.ExitCode.OK


def test_a_bad_filter_match_mode_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ncis_metric_filter_match = exact\n")
    result = pytester.runpytest("--cis-level=1", "--co")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: cis_metric_filter_match must be one of covers, "
                                 "equivalent (got 'exact')"])

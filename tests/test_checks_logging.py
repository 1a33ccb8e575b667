"""End to end: every section 2 check against a compliant and a non-compliant moto account, in two
regions, then the evidence the checks recorded and the AWS calls they cost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import accounts_logging
from aws_state import ACCOUNT
from runs import api_calls, by_resource, run_checks

ARGS = ("--cis-section=logging", "--cis-level=2", "--cis-regions=us-east-1,eu-west-1",
        "--cis-api-stats", "-rA")
TRAIL = f"arn:aws:cloudtrail:{{region}}:{ACCOUNT}:trail/{{name}}"


@pytest.mark.parametrize("account", [0, 1], ids=["compliant", "noncompliant"])
def test_every_logging_check_reaches_its_outcome(
    account: int, pytester: pytest.Pytester, setup_client: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build = (accounts_logging.compliant, accounts_logging.noncompliant)[account]
    build(setup_client, monkeypatch)
    run = run_checks(pytester, *ARGS)
    got, findings, result = run.outcomes, run.findings, run.result
    expected = {rec: pair[account] for rec, pair in accounts_logging.EXPECTED.items()}
    assert got == expected, result.stdout.str()
    if account == 0:
        check_compliant_evidence(findings)
    else:
        check_noncompliant_evidence(findings)
        check_each_read_happens_once(api_calls(result))


def check_compliant_evidence(findings: dict[str, list[dict[str, Any]]]) -> None:
    # The multi-region trail is listed by both regions: one finding each, shadow copy merged.
    main = TRAIL.format(region="us-east-1", name="main")
    regional = TRAIL.format(region="eu-west-1", name="regional")
    assert by_resource(findings["2.1"]) == {
        main: (True, "multi-region and logging; its event selectors record all management events "
                     "(read and write)"),
        regional: (True, "does not count (single-region trail (home eu-west-1)); main qualifies"),
    }
    assert {f["region"] for f in findings["2.1"]} == {"us-east-1", "eu-west-1"}
    assert all("h ago" in reason for _, reason in by_resource(findings["2.4"]).values())
    config = by_resource(findings["2.5"])
    assert config[f"account {ACCOUNT}"] == (True,
                                            "global resource types (IAM) recorded in us-east-1")
    assert config["region eu-west-1"][1].endswith(
        f"delivery channel default delivers to s3://config-bucket and notifies "
        f"arn:aws:sns:eu-west-1:{ACCOUNT}:config")
    keys = sorted(f["reason"] for f in findings["2.8"])
    assert keys == sorted(["automatic rotation enabled"] * 2 + [
        "not judged: Aws managed key", "not judged: RSA_2048 key (only symmetric keys rotate)",
        "not judged: HMAC_256 key (only symmetric keys rotate)",
        "not judged: key material from EXTERNAL (AWS cannot rotate it)",
        "not judged: disabled key", "not judged: key pending deletion"])


def check_noncompliant_evidence(findings: dict[str, list[dict[str, Any]]]) -> None:
    writes = TRAIL.format(region="us-east-1", name="writes-only")
    stopped = TRAIL.format(region="eu-west-1", name="stopped")
    assert by_resource(findings["2.1"]) == {
        writes: (False, "multi-region, but not logging"),
        stopped: (False, "single-region trail (home eu-west-1)"),
    }
    bucket = by_resource(findings["2.3"])["arn:aws:s3:::cis-trail-open"]
    assert bucket == (False, "bucket of trail stopped, writes-only: ACL grants READ to AllUsers "
                             '(everyone); policy statement Everyone allows principal "*"')
    assert by_resource(findings["2.4"]) == {
        writes: (False, "not sent to CloudWatch Logs (no log group)"),
        stopped: (False, "sends to cloudtrail, but no delivery is recorded"),
    }
    config = by_resource(findings["2.5"])
    assert config["region eu-west-1"] == (False, "no configuration recorder")
    assert "does not record all supported resource types" in config["region us-east-1"][1]
    assert config["region us-east-1"][1].endswith(
        "delivery channel default names no SNS topic (bucket config-bucket)")
    assert config[f"account {ACCOUNT}"] == (False,
                                            "no region records global resource types (IAM)")
    assert [f["reason"] for f in findings["2.8"]] == [
        "no customer-managed CMKs in eu-west-1", "automatic rotation disabled"]


def check_each_read_happens_once(calls: dict[str, int]) -> None:
    # Eight checks, two regions, two trails sharing one bucket: each read once per run.
    assert calls == {
        "sts:GetCallerIdentity": 1, "ec2:DescribeRegions": 1,
        "cloudtrail:DescribeTrails": 2, "cloudtrail:GetTrailStatus": 2,
        "cloudtrail:GetEventSelectors": 2,
        "s3:GetBucketAcl": 1, "s3:GetBucketPolicy": 1, "s3:GetBucketLogging": 1,
        "config:DescribeConfigurationRecorders": 2,
        "config:DescribeConfigurationRecorderStatus": 2, "config:DescribeDeliveryChannels": 2,
        "kms:ListKeys": 2, "kms:DescribeKey": 1, "kms:GetKeyRotationStatus": 1,
    }

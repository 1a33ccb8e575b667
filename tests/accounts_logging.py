"""Two logging account states, in us-east-1 and eu-west-1, for end-to-end runs: one that complies
with section 2, one that does not. The compliant one still carries trails that do not qualify for
2.1 and keys of every kind 2.8 leaves alone, so "pass" is earned past them.

moto lacks three things the checks read (moto_coverage.md §7); the recipes that supply them
reach into moto's internals and live in the package's demo.moto_patches, shared with the demo, as
are the building blocks (demo.seed_logging).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from aws_state import ACCOUNT
from pytest_cis_aws.demo import moto_patches
from pytest_cis_aws.demo.common import bucket
from pytest_cis_aws.demo.seed_logging import access_logging, rotating_key, trail
from pytest_cis_aws.demo.seed_logging import recorder as config_recorder

US, EU = "us-east-1", "eu-west-1"
LOG_GROUP = f"arn:aws:logs:{US}:{ACCOUNT}:log-group:cloudtrail:*"
LOGS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/cloudtrail-to-logs"
ALL_MANAGEMENT = [{"Name": "management", "FieldSelectors": [
    {"Field": "eventCategory", "Equals": ["Management"]}]}]


# moto recipes (demo.moto_patches) ---------------------------------------------------------------

def cloudwatch_delivered(monkeypatch: pytest.MonkeyPatch, hours_ago: float) -> None:
    """G8: logging trails report a CloudWatch Logs delivery `hours_ago` (moto never does)."""
    moto_patches.cloudwatch_delivered(monkeypatch.setattr, hours_ago)


def set_recorder_last_status(region: str, name: str, status: str) -> None:
    """G9: moto leaves lastStatus at PENDING forever."""
    moto_patches.recorder_status(region, name, status)


def make_aws_managed(region: str, key_id: str) -> None:
    """G10: moto creates every key as CUSTOMER managed."""
    moto_patches.make_aws_managed(region, key_id)


# building blocks (the shared ones: pytest_cis_aws.demo.seed_logging) ----------------------------

def trail_bucket(client: Any, name: str, region: str) -> None:
    """A private trail bucket whose access logs go to a bucket beside it."""
    bucket(client, name, region)
    bucket(client, f"{name}-access", region, acl="log-delivery-write")
    access_logging(client, region, name, f"{name}-access", "s3/")
    client("s3", region).put_bucket_policy(Bucket=name, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Sid": "CloudTrailWrite", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
             "Resource": f"arn:aws:s3:::{name}/*"}]}))


def recorder(client: Any, region: str, *, all_supported: bool = True,
             include_global: bool = False, channel: bool = True, topic: bool = True) -> None:
    group: dict[str, Any] = {"allSupported": all_supported,
                             "includeGlobalResourceTypes": include_global}
    if not all_supported:
        group["resourceTypes"] = ["AWS::EC2::Instance"]
    config_recorder(client, region, group, role=f"arn:aws:iam::{ACCOUNT}:role/config",
                    bucket="config-bucket" if channel else None,
                    topic=f"arn:aws:sns:{region}:{ACCOUNT}:config" if topic else None)


def keys_not_judged(client: Any) -> dict[str, str]:
    """One key of every kind 2.8 does not judge, by the reason it gives."""
    kms = client("kms", US)

    def create(**kwargs: Any) -> str:
        return str(kms.create_key(**kwargs)["KeyMetadata"]["KeyId"])

    aws_managed = create(Description="Default key")
    make_aws_managed(US, aws_managed)
    disabled, pending = create(), create()
    kms.disable_key(KeyId=disabled)
    kms.schedule_key_deletion(KeyId=pending, PendingWindowInDays=7)
    return {
        "Aws managed key": aws_managed,
        "RSA_2048 key": create(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY"),
        "HMAC_256 key": create(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC"),
        "key material from EXTERNAL": create(Origin="EXTERNAL"),
        "disabled key": disabled,
        "key pending deletion": pending,
    }


# the two accounts -------------------------------------------------------------------------------

def compliant(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    cloudwatch_delivered(monkeypatch, hours_ago=2)
    trail_bucket(client, "cis-trail-us", US)
    trail_bucket(client, "cis-trail-eu", EU)
    protected = {"EnableLogFileValidation": True, "CloudWatchLogsLogGroupArn": LOG_GROUP,
                 "CloudWatchLogsRoleArn": LOGS_ROLE}
    # Qualifies for 2.1: every region, logging, all management events (advanced selectors).
    main = trail(client, US, "main", "cis-trail-us", IsMultiRegionTrail=True,
                 KmsKeyId=rotating_key(client, US), **protected)
    client("cloudtrail", US).put_event_selectors(TrailName=main,
                                                 AdvancedEventSelectors=ALL_MANAGEMENT)
    # Does not qualify (one region, read events only) but meets 2.2 - 2.7: homed in eu-west-1.
    regional = trail(client, EU, "regional", "cis-trail-eu", KmsKeyId=rotating_key(client, EU),
                     **protected)
    client("cloudtrail", EU).put_event_selectors(TrailName=regional, EventSelectors=[
        {"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True}])

    recorder(client, US, include_global=True)
    recorder(client, EU)
    set_recorder_last_status(US, "default", "SUCCESS")
    keys_not_judged(client)


def noncompliant(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    bucket(client, "cis-trail-open", US, acl="public-read")  # 2.3 (ACL), 2.6 (no access logs)
    client("s3", US).put_bucket_policy(Bucket="cis-trail-open", Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Sid": "Everyone", "Effect": "Allow", "Principal": {"AWS": "*"},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::cis-trail-open/*"}]}))
    # Every region, but not logging: 2.1 (its write-only selectors are evidence, not the cause).
    # No validation, KMS or CloudWatch.
    trail(client, US, "writes-only", "cis-trail-open", IsMultiRegionTrail=True, logging=False)
    client("cloudtrail", US).put_event_selectors(TrailName="writes-only", EventSelectors=[
        {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}])
    # Sends to CloudWatch Logs, but is not logging, so nothing was ever delivered: 2.4.
    trail(client, EU, "stopped", "cis-trail-open", logging=False,
          CloudWatchLogsLogGroupArn=LOG_GROUP, CloudWatchLogsRoleArn=LOGS_ROLE)

    # 2.5: some resource types only, and a channel that names no SNS topic (audit step 7)
    recorder(client, US, all_supported=False, topic=False)
    set_recorder_last_status(US, "default", "SUCCESS")  # eu-west-1: no recorder at all
    client("kms", US).create_key(Description="never rotated")  # 2.8


def write_only_trail_bucket_gone(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """One multi-region trail, logging, that records write management events only: 2.1 passes
    (v1.1.0 does not judge event selectors). Its bucket cannot be read (gone, as another
    account's bucket would be unreadable): 2.3 and 2.6 end in error, never a pass."""
    bucket(client, "cis-trail-gone", US)
    trail(client, US, "writes", "cis-trail-gone", IsMultiRegionTrail=True)
    client("cloudtrail", US).put_event_selectors(TrailName="writes", EventSelectors=[
        {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}])
    client("s3", US).delete_bucket(Bucket="cis-trail-gone")
    for region in (US, EU):
        recorder(client, region, include_global=region == US)
    client("kms", US).create_key(Description="off", KeySpec="SYMMETRIC_DEFAULT")
    kms = client("kms", US)
    kms.disable_key(KeyId=kms.list_keys()["Keys"][0]["KeyId"])  # 2.8: not judged when disabled


def without_anything(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """No trail, no Config recorder, no KMS key: the trail checks have nothing protected to
    show (they fail), 2.8's population is legitimately empty (it passes and says so)."""


# The outcome each check must reach on each account under moto.
EXPECTED = {f"2.{n}": ("passed", "failed") for n in range(1, 9)}
# ... and on the account without anything.
EMPTY = {**{f"2.{n}": "failed" for n in range(1, 8)}, "2.8": "passed"}
# ... and on the account whose one trail records writes only and whose bucket is gone.
WRITE_ONLY = {"2.1": "passed", "2.2": "failed", "2.3": "error", "2.4": "failed", "2.5": "passed",
              "2.6": "error", "2.7": "failed", "2.8": "passed"}

"""Section 2 rules on plain data: every edge the benchmark text, AWS or the peers' bugs suggest."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pytest_cis_aws.errors import DataUnavailable
from pytest_cis_aws.findings import Finding
from pytest_cis_aws.rules import logging as rules
from pytest_cis_aws.rules.logging import Trails

ACCOUNT = "123456789012"
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
US, EU = "us-east-1", "eu-west-1"
DENIED = DataUnavailable("cloudtrail:GetTrailStatus", "AccessDenied", region=EU)


def trail(name: str, home: str = US, *, multi: bool = True, **extra: Any) -> dict[str, Any]:
    return {"Name": name, "HomeRegion": home, "IsMultiRegionTrail": multi,
            "TrailARN": f"arn:aws:cloudtrail:{home}:{ACCOUNT}:trail/{name}",
            "S3BucketName": f"{name}-logs", **extra}


def state(*, logging: bool = True, classic: list[Any] | None = None,
          advanced: list[Any] | None = None, **status: Any) -> dict[str, Any]:
    return {"status": {"IsLogging": logging, **status}, "EventSelectors": classic or [],
            "AdvancedEventSelectors": advanced or []}


def account(*trails_and_states: tuple[dict[str, Any], dict[str, Any] | Exception],
            unread: dict[str, Exception] | None = None, seen_in: tuple[str, ...] = (US, EU),
            ) -> Trails:
    """Trails listed in every region of `seen_in`, with their state or why it was not read."""
    listed = [t for t, _ in trails_and_states]
    states = {t["TrailARN"]: s for t, s in trails_and_states if not isinstance(s, Exception)}
    failed = {t["TrailARN"]: s for t, s in trails_and_states if isinstance(s, Exception)}
    by_region = {region: listed for region in seen_in if region not in (unread or {})}
    return Trails.of(by_region, unread, states, failed)


def verdicts(findings: list[Finding]) -> dict[str, tuple[bool | None, str]]:
    return {f.resource.rsplit("/", 1)[-1]: (f.compliant, f.reason) for f in findings}


# Trails ---------------------------------------------------------------------------------------

def test_shadow_copies_are_one_trail_and_the_home_copy_is_kept() -> None:
    home = trail("main", EU, LogFileValidationEnabled=True)
    shadow = {**home, "LogFileValidationEnabled": False}  # never differs on AWS; marks the copy
    found = rules.unique_trails({"ap-south-1": [shadow], EU: [home], US: [shadow]})
    assert found == [home]


def test_trails_are_sorted_by_arn_and_buckets_list_their_trails() -> None:
    shared = [{**trail(name), "S3BucketName": "shared"} for name in ("b-trail", "a-trail")]
    trails = Trails.of({US: [*shared, trail("own")]})
    assert [t["Name"] for t in trails.trails] == ["a-trail", "b-trail", "own"]
    assert {name: [t["Name"] for t in users] for name, users in trails.buckets().items()} == {
        "own-logs": ["own"], "shared": ["a-trail", "b-trail"]}


# 2.1 --------------------------------------------------------------------------------------------

MANAGEMENT = {"Field": "eventCategory", "Equals": ["Management"]}


@pytest.mark.parametrize(("selectors", "gap"), [
    (state(), None),  # no selector: AWS's default, all management events
    (state(classic=[{"ReadWriteType": "All", "IncludeManagementEvents": True}]), None),
    (state(classic=[{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True},
                    {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]), None),
    (state(classic=[{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]),
     "its event selectors skip read management events"),
    (state(classic=[{"ReadWriteType": "All", "IncludeManagementEvents": False,
                     "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}]),
     "its event selectors record no management events"),
    (state(advanced=[{"Name": "m", "FieldSelectors": [MANAGEMENT]}]), None),
    (state(advanced=[{"FieldSelectors": [MANAGEMENT, {"Field": "readOnly", "Equals": ["true"]}]}]),
     "its event selectors skip write management events"),
    (state(advanced=[{"FieldSelectors": [MANAGEMENT, {"Field": "readOnly",
                                                       "NotEquals": ["true"]}]}]),
     "its event selectors skip read management events"),
    (state(advanced=[{"FieldSelectors": [MANAGEMENT, {"Field": "readOnly", "Equals": ["true"]}]},
                     {"FieldSelectors": [MANAGEMENT, {"Field": "readOnly", "Equals": ["false"]}]}]),
     None),
    (state(advanced=[{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                                         {"Field": "resources.type",
                                          "Equals": ["AWS::S3::Object"]}]}]),
     "its event selectors record no management events"),
])
def test_management_events_gap(selectors: dict[str, Any], gap: str | None) -> None:
    assert rules.management_events_gap(selectors) == gap


def test_several_trails_only_one_qualifies_and_the_others_are_listed() -> None:
    found = rules.multi_region_trail(account(
        (trail("regional", EU, multi=False), state()),
        (trail("stopped"), state(logging=False)),
        (trail("writes"), state(classic=[{"ReadWriteType": "WriteOnly"}])),
        (trail("main", EU), state(advanced=[{"FieldSelectors": [MANAGEMENT]}])),
    ), ACCOUNT)
    assert verdicts(found) == {
        "main": (True, "multi-region and logging; its event selectors record all management "
                       "events (read and write)"),
        "regional": (True, "does not count (single-region trail (home eu-west-1)); main qualifies"),
        "stopped": (True, "does not count (multi-region, but not logging); main qualifies"),
        "writes": (True, "multi-region and logging; its event selectors skip read management "
                         "events (not judged by v1.1.0; later CIS versions require all "
                         "management events)"),
    }
    assert {f.region for f in found} == {US, EU}


@pytest.mark.parametrize("selectors", [
    state(classic=[{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]),
    state(classic=[{"ReadWriteType": "All", "IncludeManagementEvents": False}]),
    state(advanced=[{"FieldSelectors": [MANAGEMENT, {"Field": "readOnly", "Equals": ["true"]}]}]),
])
def test_event_selectors_are_evidence_and_do_not_change_the_verdict(
        selectors: dict[str, Any]) -> None:
    # v1.1.0 asks for a multi-region trail that is logging, nothing more (v1.2.0 and later ask
    # for all management events too): the selectors are shown, the trail qualifies.
    found = rules.multi_region_trail(account((trail("only"), selectors)), ACCOUNT)
    compliant, reason = verdicts(found)["only"]
    assert compliant is True
    assert reason.startswith("multi-region and logging; its event selectors ")
    assert reason.endswith("(not judged by v1.1.0; later CIS versions require all management "
                           "events)")


def test_no_trail_qualifies_each_says_why() -> None:
    found = rules.multi_region_trail(account(
        (trail("regional", multi=False), state()),
        (trail("stopped"), state(logging=False)),
    ), ACCOUNT)
    assert verdicts(found) == {"regional": (False, "single-region trail (home us-east-1)"),
                               "stopped": (False, "multi-region, but not logging")}


def test_no_trail_at_all_fails() -> None:
    assert rules.multi_region_trail(account(), ACCOUNT) == [
        Finding.of(f"account {ACCOUNT}", False, "no trail in the audited regions")]


def test_an_unread_trail_status_makes_the_verdict_unknown_not_a_failure() -> None:
    # The unread trail may be the one that qualifies: failing the others would be a guess.
    found = rules.multi_region_trail(account(
        (trail("eu-home", EU), DENIED), (trail("regional", multi=False), state())), ACCOUNT)
    assert [f.compliant for f in found] == [None, None]
    assert "could not read cloudtrail:GetTrailStatus in eu-west-1" in verdicts(found)["eu-home"][1]
    assert verdicts(found)["regional"][1] == (
        "does not qualify (single-region trail (home us-east-1)); another trail could not be read")


def test_an_unread_trail_does_not_matter_when_another_qualifies() -> None:
    found = rules.multi_region_trail(account(
        (trail("eu-home", EU), DENIED), (trail("main"), state())), ACCOUNT)
    assert all(f.compliant for f in found)
    assert verdicts(found)["eu-home"][1].startswith("does not count (multi-region, but its status "
                                                    "could not be read")


def test_an_unread_region_cannot_hide_a_multi_region_trail() -> None:
    # A multi-region trail is listed in every region: the region that answered is enough.
    denied = DataUnavailable("cloudtrail:DescribeTrails", "AccessDenied", region=EU)
    qualifying = account((trail("main"), state()), unread={EU: denied})
    assert all(f.compliant for f in rules.multi_region_trail(qualifying, ACCOUNT))
    empty = rules.multi_region_trail(account(unread={EU: denied}), ACCOUNT)
    assert [(f.resource, f.compliant) for f in empty] == [
        (f"account {ACCOUNT}", False), ("region eu-west-1", None)]


def test_no_region_audited_is_unknown_never_a_pass() -> None:
    assert [(f.resource, f.compliant) for f in rules.multi_region_trail(
        Trails.of({}), ACCOUNT)] == [(f"account {ACCOUNT}", None)]


def test_no_region_read_is_unknown() -> None:
    denied = DataUnavailable("cloudtrail:DescribeTrails", "AccessDenied")
    found = rules.multi_region_trail(account(unread={US: denied, EU: denied}), ACCOUNT)
    assert [(f.resource, f.compliant) for f in found] == [("region eu-west-1", None),
                                                          ("region us-east-1", None)]


# 2.2, 2.7 ---------------------------------------------------------------------------------------

def test_log_file_validation_on_every_trail() -> None:
    trails = account((trail("on", LogFileValidationEnabled=True), state()),
                     (trail("off", EU, LogFileValidationEnabled=False), state()),
                     (trail("unset", multi=False), state()))
    assert verdicts(rules.log_file_validation(trails, ACCOUNT)) == {
        "on": (True, "log file validation enabled"), "off": (False, "log file validation disabled"),
        "unset": (False, "log file validation disabled")}


def test_kms_encryption_on_every_trail_and_unread_regions_stay_unknown() -> None:
    key = f"arn:aws:kms:{US}:{ACCOUNT}:key/1234"
    denied = DataUnavailable("cloudtrail:DescribeTrails", "AccessDenied", region=EU)
    found = rules.kms_encryption(account((trail("enc", KmsKeyId=key), state()),
                                         (trail("plain"), state()), unread={EU: denied}), ACCOUNT)
    assert verdicts(found) == {
        "enc": (True, f"log files encrypted with KMS key {key}"),
        "plain": (False, "log files not encrypted with a KMS key (SSE-KMS)"),
        "region eu-west-1": (None, str(denied)),
    }


NO_TRAIL = {
    "2.2": "no log files whose validation could be judged",
    "2.3": "no CloudTrail logs whose bucket could be shown not to be public",
    "2.4": "no CloudTrail events sent to CloudWatch Logs",
    "2.6": "no CloudTrail log bucket whose access logging could be judged",
    "2.7": "no CloudTrail logs encrypted with a KMS key",
}


def trail_rules(trails: Trails) -> dict[str, list[Finding]]:
    return {
        "2.2": rules.log_file_validation(trails, ACCOUNT),
        "2.3": rules.public_trail_buckets(trails, {}, ACCOUNT),
        "2.4": rules.cloudwatch_logs_delivery(trails, NOW, ACCOUNT),
        "2.6": rules.trail_bucket_access_logging(trails, {}, ACCOUNT),
        "2.7": rules.kms_encryption(trails, ACCOUNT),
    }


def test_no_trail_fails_every_trail_check_and_points_at_2_1() -> None:
    # No vacuous pass: an account that keeps no CloudTrail logs has not protected them.
    for rec, found in trail_rules(account()).items():
        assert [(f.resource, f.compliant, f.reason) for f in found] == [
            (f"account {ACCOUNT}", False,
             f"no trail in the audited regions, so {NO_TRAIL[rec]} (see 2.1)")], rec


def test_no_trail_with_a_region_unread_is_unknown_not_a_fail() -> None:
    # The unread region may hold the single-region trail these checks would judge.
    denied = DataUnavailable("cloudtrail:DescribeTrails", "AccessDenied", region=EU)
    for rec, found in trail_rules(account(unread={EU: denied})).items():
        assert [(f.resource, f.compliant) for f in found] == [("region eu-west-1", None)], rec


def test_no_region_audited_is_unknown_for_every_trail_check() -> None:
    for rec, found in trail_rules(Trails.of({})).items():
        assert [(f.resource, f.compliant) for f in found] == [(f"account {ACCOUNT}", None)], rec


def test_a_trail_naming_no_bucket_is_unknown_for_the_bucket_checks() -> None:
    bucketless = {**trail("odd"), "S3BucketName": None}
    found = trail_rules(account((bucketless, state())))
    for rec in ("2.3", "2.6"):
        assert verdicts(found[rec]) == {
            "odd": (None, "DescribeTrails names no S3 bucket for this trail")}, rec


# 2.4 --------------------------------------------------------------------------------------------

GROUP = f"arn:aws:logs:{US}:{ACCOUNT}:log-group:trail-events:*"


@pytest.mark.parametrize(("settings", "trail_state", "verdict"), [
    ({}, state(), (False, "not sent to CloudWatch Logs (no log group)")),
    ({"CloudWatchLogsLogGroupArn": GROUP},
     state(LatestCloudWatchLogsDeliveryTime=NOW - timedelta(hours=2)),
     (True, "last delivered to trail-events 2024-06-01 10:00 UTC (2 h ago)")),
    ({"CloudWatchLogsLogGroupArn": GROUP},  # exactly a day: still "within the last 24 h"
     state(LatestCloudWatchLogsDeliveryTime=NOW - timedelta(hours=24)),
     (True, "last delivered to trail-events 2024-05-31 12:00 UTC (24 h ago)")),
    ({"CloudWatchLogsLogGroupArn": GROUP},
     state(LatestCloudWatchLogsDeliveryTime=NOW - timedelta(hours=30),
           LatestCloudWatchLogsDeliveryError="AccessDenied"),
     (False, "last delivered to trail-events 2024-05-31 06:00 UTC, more than 24 h ago "
             "(last error: AccessDenied)")),
    ({"CloudWatchLogsLogGroupArn": GROUP},  # naive times are UTC
     state(LatestCloudWatchLogsDeliveryTime=datetime(2024, 6, 1, 11, 0)),
     (True, "last delivered to trail-events 2024-06-01 11:00 UTC (1 h ago)")),
    ({"CloudWatchLogsLogGroupArn": GROUP}, state(),
     (False, "sends to trail-events, but no delivery is recorded")),
    ({"CloudWatchLogsLogGroupArn": GROUP}, DENIED,
     (None, f"sends to trail-events, but its status could not be read: {DENIED}")),
    ({}, DENIED, (False, "not sent to CloudWatch Logs (no log group)")),
])
def test_cloudwatch_logs_delivery(settings: dict[str, Any],
                                  trail_state: dict[str, Any] | Exception,
                                  verdict: tuple[bool | None, str]) -> None:
    found = rules.cloudwatch_logs_delivery(account((trail("t1", **settings), trail_state)), NOW,
                                           ACCOUNT)
    assert verdicts(found) == {"t1": verdict}


# 2.3, 2.6 ---------------------------------------------------------------------------------------

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
OWNER = {"Grantee": {"Type": "CanonicalUser", "ID": "abc"}, "Permission": "FULL_CONTROL"}


def grant(uri: str, permission: str = "READ") -> dict[str, Any]:
    return {"Grantee": {"Type": "Group", "URI": uri}, "Permission": permission}


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(principal: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/*", **extra}


def bucket_data(acl: Any = (OWNER,), bucket_policy: Any = None,
                logging: Any = None) -> dict[str, Any]:
    def part(value: Any) -> dict[str, Any]:
        return {"error": value.to_dict()} if isinstance(value, DataUnavailable) else {
            "value": list(value) if isinstance(value, tuple) else value}

    return {"acl": part(acl), "policy": part(bucket_policy), "logging": part(logging)}


def judge_bucket(data: dict[str, Any]) -> tuple[bool | None, str]:
    found = rules.public_trail_buckets(account((trail("t1"), state())), {"t1-logs": data}, ACCOUNT)
    assert [f.resource for f in found] == ["arn:aws:s3:::t1-logs"]
    return found[0].compliant, found[0].reason


@pytest.mark.parametrize(("data", "verdict"), [
    (bucket_data(), (True, "bucket of trail t1: no public ACL grant or policy statement")),
    (bucket_data(bucket_policy=policy(allow({"Service": "cloudtrail.amazonaws.com"}),
                                      {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                       "Resource": "*"})),
     (True, "bucket of trail t1: no public ACL grant or policy statement")),
    (bucket_data(acl=(OWNER, grant(ALL_USERS))),
     (False, "bucket of trail t1: ACL grants READ to AllUsers (everyone)")),
    (bucket_data(acl=(grant(AUTHENTICATED, "WRITE"),)),
     (False, "bucket of trail t1: ACL grants WRITE to AuthenticatedUsers (any AWS account)")),
    (bucket_data(bucket_policy=policy(allow("*", Sid="Open"))),
     (False, 'bucket of trail t1: policy statement Open allows principal "*"')),
    (bucket_data(bucket_policy=policy(allow({"Service": "x"}), allow({"AWS": "*"}, Condition={
        "Bool": {"aws:SecureTransport": "true"}}))),
     (False, 'bucket of trail t1: policy statement #2 allows principal "*" (with a Condition)')),
    (bucket_data(bucket_policy=policy(allow({"AWS": [f"arn:aws:iam::{ACCOUNT}:root", "*"]}))),
     (False, 'bucket of trail t1: policy statement #1 allows principal "*"')),
])
def test_public_trail_bucket(data: dict[str, Any], verdict: tuple[bool | None, str]) -> None:
    assert judge_bucket(data) == verdict


def test_a_bucket_that_denies_access_is_unknown_never_pass_or_fail() -> None:
    denied = DataUnavailable("s3:GetBucketAcl", "AccessDenied: Access Denied")
    compliant, reason = judge_bucket(bucket_data(acl=denied))
    assert compliant is None
    assert reason == (f"bucket of trail t1: could not evaluate: {denied} (if the bucket belongs "
                      "to another account, audit it there)")
    assert "needs permission s3:GetBucketAcl" in reason


def test_a_public_acl_fails_even_when_the_policy_cannot_be_read() -> None:
    denied = DataUnavailable("s3:GetBucketPolicy", "AccessDenied")
    assert judge_bucket(bucket_data(acl=(grant(ALL_USERS),), bucket_policy=denied)) == (
        False, "bucket of trail t1: ACL grants READ to AllUsers (everyone)")


def test_an_unreadable_policy_document_is_unknown() -> None:
    assert judge_bucket(bucket_data(bucket_policy="{not json")) == (
        None, "bucket of trail t1: could not evaluate: unreadable bucket policy (MalformedPolicy: "
              "malformed policy document from s3:GetBucketPolicy: not valid JSON (Expecting "
              "property name enclosed in double quotes: line 1 column 2 (char 1)))"
              + rules.ELSEWHERE)


def test_a_bucket_never_read_is_unknown() -> None:
    assert judge_bucket({})[0] is None


def test_a_shared_bucket_is_one_finding_naming_its_trails() -> None:
    shared = [{**trail(name, home), "S3BucketName": "central"} for name, home in
              (("b", US), ("a", EU))]
    trails = Trails.of({US: shared})
    data = {"central": bucket_data(logging={"TargetBucket": "access", "TargetPrefix": "ct/"})}
    assert [(f.compliant, f.reason) for f in rules.trail_bucket_access_logging(
        trails, data, ACCOUNT)] == [(True, "bucket of trail a, b: access logs go to "
                                           "s3://access/ct/")]


@pytest.mark.parametrize(("logging", "verdict"), [
    (None, (False, "bucket of trail t1: server access logging disabled")),
    ({"TargetBucket": "logs", "TargetPrefix": ""},
     (True, "bucket of trail t1: access logs go to s3://logs/")),
    (DataUnavailable("s3:GetBucketLogging", "AccessDenied"),
     (None, "bucket of trail t1: could not evaluate: could not read s3:GetBucketLogging: "
            "AccessDenied (needs permission s3:GetBucketLogging)" + rules.ELSEWHERE)),
])
def test_trail_bucket_access_logging(logging: Any, verdict: tuple[bool | None, str]) -> None:
    found = rules.trail_bucket_access_logging(account((trail("t1"), state())),
                                              {"t1-logs": bucket_data(logging=logging)}, ACCOUNT)
    assert [(f.compliant, f.reason) for f in found] == [verdict]


# 2.5 --------------------------------------------------------------------------------------------

TOPIC = f"arn:aws:sns:{US}:{ACCOUNT}:config"
CHANNEL = f"delivery channel default delivers to s3://config-logs and notifies {TOPIC}"


def config(*, all_supported: bool = True, include_global: bool = False, recording: bool = True,
           last: str = "SUCCESS", channel: bool = True) -> dict[str, Any]:
    return {
        "recorders": [{"name": "default", "recordingGroup": {
            "allSupported": all_supported, "includeGlobalResourceTypes": include_global}}],
        "statuses": [{"name": "default", "recording": recording, "lastStatus": last}],
        "channels": [{"name": "default", "s3BucketName": "config-logs",
                      "snsTopicARN": TOPIC}] if channel else [],
    }


Verdicts = dict[str, tuple[bool | None, str]]


def config_verdicts(by_region: dict[str, Any], errors: dict[str, Exception] | None = None,
                    ) -> Verdicts:
    found = rules.config_in_every_region(by_region, errors or {}, ACCOUNT)
    return {f.resource: (f.compliant, f.reason) for f in found}


def test_config_everywhere_with_global_resources_in_one_region() -> None:
    assert config_verdicts({US: config(include_global=True), EU: config(last="Pending")}) == {
        "region us-east-1": (True, "recorder default records all supported resource types (last "
                                   "status SUCCESS); " + CHANNEL),
        "region eu-west-1": (True, "recorder default records all supported resource types (last "
                                   "status Pending); " + CHANNEL),
        f"account {ACCOUNT}": (True, "global resource types (IAM) recorded in us-east-1"),
    }


@pytest.mark.parametrize(("data", "reason"), [
    ({"recorders": [], "statuses": [], "channels": []}, "no configuration recorder"),
    (config(all_supported=False), "recorder default does not record all supported resource "
                                  "types; " + CHANNEL),
    (config(recording=False), "recorder default is not recording; " + CHANNEL),
    (config(last="Failure"), "recorder default last recording failed (no error code); "
                             + CHANNEL),
    (config(last="FAILED"), "recorder default last recording failed (no error code); "
                            + CHANNEL),
    (config(channel=False), "recorder default records all supported resource types (last status "
                            "SUCCESS); no delivery channel"),
])
def test_config_region_that_does_not_comply(data: dict[str, Any], reason: str) -> None:
    assert config_verdicts({US: data, EU: config(include_global=True)})["region us-east-1"] == (
        False, reason)


@pytest.mark.parametrize(("channel", "said"), [
    ({"name": "ch", "s3BucketName": "config-logs"},
     "delivery channel ch names no SNS topic (bucket config-logs)"),
    ({"name": "ch", "s3BucketName": "config-logs", "snsTopicARN": ""},
     "delivery channel ch names no SNS topic (bucket config-logs)"),
    ({"name": "ch", "snsTopicARN": TOPIC},
     f"delivery channel ch names no S3 bucket (topic {TOPIC})"),
    ({"name": "ch"}, "delivery channel ch names no S3 bucket and no SNS topic"),
])
def test_a_delivery_channel_must_name_a_bucket_and_a_topic(channel: dict[str, Any],
                                                           said: str) -> None:
    # Audit steps 6 and 7: the S3 bucket and the SNS topic, in every region.
    data = {**config(include_global=True), "channels": [channel]}
    got = config_verdicts({US: data})
    assert got["region us-east-1"] == (False, "recorder default records all supported resource "
                                              f"types (last status SUCCESS); {said}")
    assert got[f"account {ACCOUNT}"] == (False, "no region records global resource types (IAM)")


def test_no_region_audited_is_unknown_for_config() -> None:
    assert config_verdicts({}) == {f"account {ACCOUNT}": (None, rules.NO_REGION)}


def test_global_resources_must_be_recorded_by_a_working_recorder() -> None:
    got = config_verdicts({US: config(include_global=True, recording=False), EU: config()})
    assert got[f"account {ACCOUNT}"] == (False, "no region records global resource types (IAM)")


def test_an_unread_region_is_unknown_and_may_be_the_one_recording_globals() -> None:
    denied = DataUnavailable("config:DescribeConfigurationRecorders", "AccessDenied", region=EU)
    got = config_verdicts({US: config()}, {EU: denied})
    assert got["region eu-west-1"] == (None, str(denied))
    assert got["region us-east-1"][0] is True
    assert got[f"account {ACCOUNT}"][0] is None


# 2.8 --------------------------------------------------------------------------------------------

def key(key_id: str, rotation: Any = None, **meta: Any) -> dict[str, Any]:
    described = {"KeyId": key_id, "KeyManager": "CUSTOMER", "KeyState": "Enabled",
                 "Origin": "AWS_KMS", "KeySpec": "SYMMETRIC_DEFAULT", **meta}
    found: dict[str, Any] = {"KeyId": key_id, "KeyArn": f"arn:aws:kms:{US}:{ACCOUNT}:key/{key_id}",
                             "metadata": {"value": described}}
    if isinstance(rotation, DataUnavailable):
        found["rotation"] = {"error": rotation.to_dict()}
    elif rotation is not None:
        found["rotation"] = {"value": rotation}
    return found


def test_every_kind_of_key() -> None:
    denied = DataUnavailable("kms:DescribeKey", "AccessDeniedException", region=US)
    keys = [
        key("rotating", True),
        key("still", False),
        key("aws", KeyManager="AWS"),
        key("disabled", KeyState="Disabled"),
        key("pending", KeyState="PendingDeletion"),
        key("imported", Origin="EXTERNAL"),
        key("hsm", Origin="AWS_CLOUDHSM"),
        key("rsa", KeySpec="RSA_2048"),
        key("hmac", KeySpec="HMAC_256"),
        key("old-field", True, KeySpec=None, CustomerMasterKeySpec="SYMMETRIC_DEFAULT"),
        {"KeyId": "hidden", "KeyArn": f"arn:aws:kms:{US}:{ACCOUNT}:key/hidden",
         "metadata": {"error": denied.to_dict()}},
        key("no-status"),
        key("status-denied", DataUnavailable("kms:GetKeyRotationStatus", "AccessDenied")),
    ]
    found = verdicts(rules.customer_key_rotation({US: keys}, {}))
    assert found == {
        "rotating": (True, "automatic rotation enabled"),
        "still": (False, "automatic rotation disabled"),
        "aws": (True, "not judged: Aws managed key"),
        "disabled": (True, "not judged: disabled key"),
        "pending": (True, "not judged: key pending deletion"),
        "imported": (True, "not judged: key material from EXTERNAL (AWS cannot rotate it)"),
        "hsm": (True, "not judged: key material from AWS_CLOUDHSM (AWS cannot rotate it)"),
        "rsa": (True, "not judged: RSA_2048 key (only symmetric keys rotate)"),
        "hmac": (True, "not judged: HMAC_256 key (only symmetric keys rotate)"),
        "old-field": (True, "automatic rotation enabled"),
        "hidden": (None, str(denied)),
        "no-status": (None, "rotation status: not read"),
        "status-denied": (None, "rotation status: could not read kms:GetKeyRotationStatus: "
                                "AccessDenied (needs permission kms:GetKeyRotationStatus)"),
    }


def test_keys_of_an_unread_region_are_unknown_the_others_judged() -> None:
    denied = DataUnavailable("kms:ListKeys", "AccessDenied", region=EU)
    found = rules.customer_key_rotation({US: [key("k1", False)]}, {EU: denied})
    assert [(f.resource.rsplit("/", 1)[-1], f.region, f.compliant) for f in found] == [
        ("region eu-west-1", EU, None), ("k1", US, False)]


def test_a_region_without_customer_keys_passes_and_says_so() -> None:
    # A legitimately empty population: AWS managed keys are out of scope (AWS rotates them).
    found = rules.customer_key_rotation({US: [], EU: [key("aws", KeyManager="AWS")]}, {})
    assert [(f.resource, f.compliant, f.reason) for f in found] == [
        (f"arn:aws:kms:{US}:{ACCOUNT}:key/aws", True, "not judged: Aws managed key"),
        ("region eu-west-1", True, "no customer-managed CMKs in eu-west-1"),
        ("region us-east-1", True, "no customer-managed CMKs in us-east-1"),
    ]


def test_only_disabled_or_pending_keys_pass_and_are_listed() -> None:
    keys = [key("off", KeyState="Disabled"), key("going", KeyState="PendingDeletion")]
    found = rules.customer_key_rotation({US: keys}, {})
    assert [(f.compliant, f.reason) for f in found] == [
        (True, "not judged: disabled key"), (True, "not judged: key pending deletion"),
        (True, "no enabled symmetric customer-managed CMK in us-east-1 (the keys listed are not "
               "judged)")]


def test_a_region_with_a_judged_key_gets_no_empty_note() -> None:
    keys = [key("k1", True), key("aws", KeyManager="AWS")]
    assert [f.reason for f in rules.customer_key_rotation({US: keys}, {})] == [
        "automatic rotation enabled", "not judged: Aws managed key"]


def test_no_region_audited_is_unknown_for_keys() -> None:
    assert [(f.compliant, f.reason) for f in rules.customer_key_rotation({}, {})] == [
        (None, rules.NO_REGION)]

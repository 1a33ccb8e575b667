"""Per-region fan-out: bounded, order-preserving, and a region (or trail, or bucket) that cannot
be read hides nothing else. The same findings come out whatever the number of workers."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

import accounts_logging
import accounts_networking
from pytest_cis_aws.aws import collect_logging, collect_networking
from pytest_cis_aws.aws.fanout import per_region
from pytest_cis_aws.aws.session import Aws
from pytest_cis_aws.errors import CouldNotEvaluate, DataUnavailable
from pytest_cis_aws.findings import Finding, assert_compliant
from pytest_cis_aws.read import split
from pytest_cis_aws.rules import logging, networking

REGIONS = ("us-east-1", "eu-west-1", "ap-south-1", "sa-east-1", "ca-central-1")
US, EU = "us-east-1", "eu-west-1"


def fetch_or_fail(failing: str) -> Callable[[str], Any]:
    def fetch(region: str) -> Any:
        if region == failing:
            raise DataUnavailable("ec2:DescribeVpcs", "Throttling: rate exceeded", region=region)
        return [f"vpc-in-{region}"]

    return fetch


# fanout.per_region ------------------------------------------------------------------------------

@pytest.mark.parametrize("workers", [1, 8])
def test_a_failing_region_is_recorded_and_the_others_answer(workers: int) -> None:
    results = per_region(REGIONS, fetch_or_fail(EU), workers)
    assert list(results) == list(REGIONS)  # the order asked, whatever order they finished in
    values, errors = split(results)
    assert values == {r: [f"vpc-in-{r}"] for r in REGIONS if r != EU}
    assert list(errors) == [EU]
    assert errors[EU].operation == "ec2:DescribeVpcs"
    # Throttling is not fixed by a permission: the message does not ask for one.
    assert str(errors[EU]) == ("could not read ec2:DescribeVpcs in eu-west-1: Throttling: rate "
                               "exceeded")


def test_the_pool_is_bounded_and_really_concurrent() -> None:
    lock, active, peak = threading.Lock(), [0], [0]
    together = threading.Barrier(3, timeout=5)  # breaks (fails) unless 3 fetches overlap

    def fetch(region: str) -> str:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        if region in REGIONS[:3]:
            together.wait()
        time.sleep(0.01)
        with lock:
            active[0] -= 1
        return region

    assert split(per_region(REGIONS, fetch, 3))[0] == {r: r for r in REGIONS}
    assert peak[0] == 3


def test_one_worker_runs_one_region_at_a_time() -> None:
    running: list[str] = []

    def fetch(region: str) -> str:
        running.append(region)
        assert len(running) == 1, running
        running.remove(region)
        return region

    assert split(per_region(REGIONS, fetch, 1))[0] == {r: r for r in REGIONS}


def test_no_region_no_pool() -> None:
    assert per_region([], fetch_or_fail(EU), 8) == {}


def test_a_bug_is_not_mistaken_for_an_unreadable_region() -> None:
    def fetch(region: str) -> Any:
        raise KeyError("VpcId")

    with pytest.raises(KeyError):
        per_region(REGIONS, fetch, 4)


# what a failed region does to a check -----------------------------------------------------------

def groups_everywhere_but(failing: str, *, open_ssh_in: str | None = None) -> list[Finding]:
    def fetch(region: str) -> list[dict[str, Any]]:
        if region == failing:
            raise DataUnavailable("ec2:DescribeSecurityGroups", "AccessDenied", region=region)
        ingress = [accounts_networking.tcp(22, 22)] if region == open_ssh_in else []
        return [{"GroupId": f"sg-{region}", "GroupName": "app", "VpcId": "vpc-1",
                 "OwnerId": "123456789012", "IpPermissions": ingress}]

    return networking.port_open_to_world(*split(per_region(REGIONS, fetch, 4)), networking.SSH)


def test_a_failed_region_makes_only_its_finding_unknown_and_the_check_an_error() -> None:
    findings = groups_everywhere_but(EU)
    assert [f.compliant for f in findings if f.region == EU] == [None]
    assert all(f.compliant for f in findings if f.region != EU)
    with pytest.raises(CouldNotEvaluate,
                       match="region eu-west-1: could not read ec2:DescribeSecurityGroups"):
        assert_compliant(findings)


def test_a_failure_elsewhere_still_fails_the_check() -> None:
    findings = groups_everywhere_but(EU, open_ssh_in="sa-east-1")
    with pytest.raises(pytest.fail.Exception, match="1 of 5 resources do not comply"):
        assert_compliant(findings)


# the real collectors, under moto, with one worker and with eight --------------------------------

def build_account(client: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    accounts_networking.noncompliant(client)
    accounts_logging.compliant(client, monkeypatch)


def all_findings(aws: Aws, workers: int) -> list[Finding]:
    def regional(fetch: Callable[[Aws, str], Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return split(per_region((US, EU), lambda region: fetch(aws, region), workers))

    account = "123456789012"
    groups = regional(collect_networking.security_groups)
    by_region, unread = regional(collect_logging.trails)
    trails = logging.Trails.of(by_region, unread)
    trails = logging.Trails.of(by_region, unread, *split(
        collect_logging.trail_states(aws, trails.trails, workers)))
    buckets = collect_logging.buckets(aws, {name: users[0]["HomeRegion"]
                                            for name, users in trails.buckets().items()}, workers)
    return [
        *networking.port_open_to_world(*groups, networking.SSH),
        *networking.default_groups_with_rules(*groups, *regional(collect_networking.vpcs),
                                              account),
        *networking.vpcs_without_flow_logs(*regional(collect_networking.vpc_flow_logs), account),
        *networking.peering_routes(*regional(collect_networking.peering_routes)),
        *logging.multi_region_trail(trails, account),
        *logging.public_trail_buckets(trails, buckets, account),
        *logging.config_in_every_region(*regional(collect_logging.config_recorders), account),
        *logging.customer_key_rotation(*regional(collect_logging.kms_keys)),
    ]


def test_the_same_findings_with_one_worker_and_with_eight(
        aws: Aws, setup_client: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    build_account(setup_client, monkeypatch)
    one = all_findings(aws, 1)
    assert len(one) > 25 and {f.compliant for f in one} == {True, False}
    assert all_findings(aws, 8) == one


# a denied read, through the plugin's own clients ------------------------------------------------

@contextlib.contextmanager
def denied(aws: Aws, service: str, region: str, operation: str) -> Iterator[None]:
    """Make one operation of one shared client answer AccessDenied (before anything is sent)."""
    def refuse(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not for you"},
                           "ResponseMetadata": {"HTTPStatusCode": 403}}, operation)

    events = aws.client(service, region).meta.events
    event = f"before-call.{service}.{operation}"
    events.register(event, refuse)
    try:
        yield
    finally:
        events.unregister(event, refuse)


def test_a_denied_region_names_the_operation_and_permission_the_others_are_judged(
        aws: Aws, setup_client: Callable[..., Any]) -> None:
    accounts_networking.noncompliant(setup_client)
    with denied(aws, "ec2", EU, "DescribeSecurityGroups"):
        results = per_region((US, EU), lambda r: collect_networking.security_groups(aws, r), 8)
    findings = networking.port_open_to_world(*split(results), networking.SSH)
    (unknown,) = [f for f in findings if f.compliant is None]
    assert unknown.resource == "region eu-west-1"
    assert unknown.reason == ("could not read ec2:DescribeSecurityGroups in eu-west-1: "
                              "AccessDenied: not for you (needs permission "
                              "ec2:DescribeSecurityGroups)")
    assert len([f for f in findings if f.compliant is False and f.region == US]) == 3


def test_a_trail_homed_where_its_status_is_denied(
        aws: Aws, setup_client: Callable[..., Any]) -> None:
    accounts_logging.bucket(setup_client, "cis-trail-eu", EU)
    accounts_logging.trail(setup_client, EU, "eu-home", "cis-trail-eu", IsMultiRegionTrail=True,
                           EnableLogFileValidation=True)
    by_region, unread = split(per_region((US, EU), lambda r: collect_logging.trails(aws, r), 8))
    listed = logging.Trails.of(by_region, unread)
    with denied(aws, "cloudtrail", EU, "GetTrailStatus"):
        states = collect_logging.trail_states(aws, listed.trails, 8)
    trails = logging.Trails.of(by_region, unread, *split(states))
    (verdict,) = logging.multi_region_trail(trails, "123456789012")
    assert verdict.compliant is None  # it may well be logging: unknown, not a failure
    assert "cloudtrail:GetTrailStatus in eu-west-1: AccessDenied" in verdict.reason
    # 2.2 needs no status: still judged, from the trail as listed in both regions.
    assert [f.compliant for f in logging.log_file_validation(trails, "123456789012")] == [True]


def test_a_denied_bucket_policy_leaves_access_logging_judged(
        aws: Aws, setup_client: Callable[..., Any]) -> None:
    accounts_logging.trail_bucket(setup_client, "cis-trail-us", US)
    accounts_logging.trail(setup_client, US, "main", "cis-trail-us", IsMultiRegionTrail=True)
    trails = logging.Trails.of({US: collect_logging.trails(aws, US)})
    with denied(aws, "s3", US, "GetBucketPolicy"):
        buckets = collect_logging.buckets(aws, {"cis-trail-us": US}, 8)
    (public,) = logging.public_trail_buckets(trails, buckets, "123456789012")
    assert public.compliant is None
    assert public.reason.startswith("bucket of trail main: could not evaluate: could not read "
                                    "s3:GetBucketPolicy")
    (access,) = logging.trail_bucket_access_logging(trails, buckets, "123456789012")
    assert access.compliant is True

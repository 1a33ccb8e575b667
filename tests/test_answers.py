"""The AWS layer's two guards on what comes back: answers of the wrong type, dead endpoints."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

from pytest_cis_aws.aws.errors import MalformedResponse, reading
from pytest_cis_aws.aws.session import UnreachableEndpoints, check_answer
from pytest_cis_aws.errors import DataUnavailable

OK = SimpleNamespace(status_code=200)


def model(service: str, operation: str) -> Any:
    return botocore.session.get_session().get_service_model(service).operation_model(operation)


@pytest.mark.parametrize(("service", "operation", "answer", "problem"), [
    ("kms", "GetKeyRotationStatus", {"KeyRotationEnabled": "false"},
     "kms:GetKeyRotationStatus answered KeyRotationEnabled: str, not boolean"),
    ("kms", "GetKeyRotationStatus", {"KeyRotationEnabled": 1},
     "KeyRotationEnabled: int, not boolean"),
    ("iam", "GetAccountSummary", {"SummaryMap": {"AccountMFAEnabled": True}},
     "SummaryMap['AccountMFAEnabled']: bool, not integer"),
    ("ec2", "DescribeSecurityGroups", {"SecurityGroups": "sg-1"},
     "SecurityGroups: str, not a list"),
    ("cloudtrail", "DescribeTrails", {"trailList": [{"Name": "t", "IsMultiRegionTrail": "True"}]},
     "trailList[0].IsMultiRegionTrail: str, not boolean"),
    ("cloudtrail", "GetTrailStatus", {"LatestDeliveryTime": "2024-01-01"},
     "LatestDeliveryTime: str, not timestamp"),
    ("logs", "DescribeMetricFilters", {"metricFilters": [{"filterName": 5}]},
     "metricFilters[0].filterName: int, not string"),
])
def test_answers_of_the_wrong_type_are_refused(service: str, operation: str,
                                               answer: dict[str, Any], problem: str) -> None:
    with pytest.raises(MalformedResponse, match=problem.replace("[", r"\[").replace("(", r"\(")):
        check_answer(OK, answer, model(service, operation))


def test_what_botocore_itself_decodes_or_leaves_out_is_accepted() -> None:
    gaad = model("iam", "GetAccountAuthorizationDetails")
    # botocore turns IAM policy documents into dicts; absent and null members are not typed.
    check_answer(OK, {"Policies": [{"PolicyVersionList": [{"Document": {"Version": "2012"}}]}],
                      "UserDetailList": [], "Marker": None}, gaad)
    check_answer(OK, {"Content": b"user,arn\n"}, model("iam", "GetCredentialReport"))
    # Keys the model does not know are not judged (a member of another operation, here).
    check_answer(OK, {"trailList": [{"Name": "t", "IsLogging": "yes"}]},
                 model("cloudtrail", "DescribeTrails"))
    # An error answer is botocore's to raise, not a shape to check.
    check_answer(SimpleNamespace(status_code=403), {"Error": {"Code": 403}}, gaad)


def test_a_malformed_answer_is_data_unavailable() -> None:
    expected = "could not read kms:GetKeyRotationStatus: unexpected response shape \\(Malformed"
    with pytest.raises(DataUnavailable, match=expected), reading("kms:GetKeyRotationStatus"):
        check_answer(OK, {"KeyRotationEnabled": "true"}, model("kms", "GetKeyRotationStatus"))


def _call(breaker: UnreachableEndpoints, service: str, region: str) -> None:
    breaker.before_call(event_name=f"before-call.{service}.Describe", context={
        "client_region": region})


def test_an_unreachable_endpoint_is_not_asked_again() -> None:
    breaker = UnreachableEndpoints()
    url = "https://ec2.eu-west-1.amazonaws.com/"
    _call(breaker, "ec2", "eu-west-1")  # nothing known yet: the call goes ahead
    breaker.after_call_error(event_name="after-call-error.ec2.DescribeVpcs",
                             exception=EndpointConnectionError(endpoint_url=url),
                             context={"client_region": "eu-west-1"})
    with pytest.raises(EndpointConnectionError, match="not tried again"):
        _call(breaker, "ec2", "eu-west-1")
    # Another service of that region, the same service elsewhere: still asked.
    _call(breaker, "kms", "eu-west-1")
    _call(breaker, "ec2", "us-east-1")


def test_a_slow_answer_does_not_mark_an_endpoint_dead() -> None:
    breaker = UnreachableEndpoints()
    breaker.after_call_error(event_name="after-call-error.ec2.DescribeVpcs",
                             exception=ReadTimeoutError(endpoint_url="https://ec2"),
                             context={"client_region": "eu-west-1"})
    _call(breaker, "ec2", "eu-west-1")

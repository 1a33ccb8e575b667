"""Fail closed on answers that are whole in form but not in fact, and on time.

Pages that end without their last one or never end, bodies that are cut short or do not parse,
policy documents that are not what they seem, a service that fails, an operation the endpoint
does not offer, an endpoint too slow to answer. Each is tested at its unit (the pagination helper,
the policy parser, the error text, the call budget) and in a whole audit of the compliant account
of test_faults.py, where the invariant holds: no check whose data was not read whole passes.
"""

from __future__ import annotations

import functools
import http.client
import itertools
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from botocore.parsers import ResponseParserError
from botocore.stub import Stubber
from moto.core.botocore_stubber import MockRawResponse
from urllib3.exceptions import ProtocolError

import faults
import test_faults
from faults import Fault, Injector
from pytest_cis_aws.aws import pages as paging
from pytest_cis_aws.aws.errors import CallTimedOut, IncompleteAnswer, reading
from pytest_cis_aws.aws.session import Aws, CallBudget, check_answer, decode_policies
from pytest_cis_aws.errors import DataUnavailable
from pytest_cis_aws.policy import MalformedPolicy, parse_policy
from pytest_cis_aws.rules import iam as iam_rules
from pytest_cis_aws.rules import iam_roles
from pytest_cis_aws.settings import Settings
from test_faults import INI, SESSION_SOURCES, assert_ran_to_the_end, baseline, violations

# test_faults.py's fixtures: its compliant account (built once for this module too), and
# retries that keep their count but not their sleep.
account = test_faults.account
_no_backoff = test_faults._no_backoff

US, EU = "us-east-1", "eu-west-1"
GAAD = "get_account_authorization_details"
EMPTY_GAAD = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}


# == pagination: every page, or an error ==========================================================


@functools.cache
def _botocore() -> Any:
    return botocore.session.get_session()  # one session: each service model is loaded once


def stubbed(service: str, method: str, answers: list[dict[str, Any]]) -> Any:
    """A client answering `method` with `answers` in turn (no AWS, no moto)."""
    client = _botocore().create_client(service, region_name=US)
    stubber = Stubber(client)
    for answer in answers:
        stubber.add_response(method, answer)
    stubber.activate()
    return client


def gaad_page(user: str, **paging_keys: Any) -> dict[str, Any]:
    return {**EMPTY_GAAD, "UserDetailList": [{"UserName": user}], **paging_keys}


def read_gaad(client: Any) -> list[str]:
    with reading("iam:GetAccountAuthorizationDetails"):
        return [u["UserName"] for page in paging.pages(client, GAAD)
                for u in page["UserDetailList"]]


def test_every_page_is_read() -> None:
    client = stubbed("iam", GAAD, [gaad_page("a", IsTruncated=True, Marker="m1"),
                                   gaad_page("b", IsTruncated=True, Marker="m2"),
                                   gaad_page("c", IsTruncated=False)])
    assert read_gaad(client) == ["a", "b", "c"]


@pytest.mark.parametrize(("last", "problem"), [
    ({"IsTruncated": True}, "page 2 says more pages follow (IsTruncated) but gives no Marker"),
    ({"IsTruncated": True, "Marker": ""}, "page 2 says more pages follow"),
    ({"Marker": "m2"}, "page 2 gives a Marker but does not say whether more pages follow"),
], ids=["no-marker", "empty-marker", "no-flag"])
def test_a_truncated_page_without_a_marker_is_an_error(last: dict[str, Any],
                                                       problem: str) -> None:
    # botocore's own paginator stops here without a word: page 3 and on are never read.
    client = stubbed("iam", GAAD, [gaad_page("a", IsTruncated=True, Marker="m1"),
                                   gaad_page("b", **last)])
    with pytest.raises(DataUnavailable) as raised:
        read_gaad(client)
    message = str(raised.value)
    assert message.startswith(f"could not read iam:GetAccountAuthorizationDetails: {problem}")
    assert "needs permission" not in message


def test_kms_truncated_without_next_marker_is_an_error() -> None:
    client = stubbed("kms", "list_keys", [{"Keys": [{"KeyId": "k1"}], "Truncated": True}])
    with pytest.raises(IncompleteAnswer, match=r"Truncated.*gives no Marker"):
        list(paging.pages(client, "list_keys"))


@pytest.mark.parametrize("cycle", [1, 2, 3, 5])
def test_a_token_seen_before_is_an_error_whatever_the_cycle_length(cycle: int) -> None:
    tokens = [f"t{n}" for n in range(cycle)] + ["t0"]
    answers = [{"SecurityGroups": [{"GroupId": f"sg-{n}"}], "NextToken": token}
               for n, token in enumerate(tokens)]
    client = stubbed("ec2", "describe_security_groups", answers)
    read: list[str] = []
    with pytest.raises(IncompleteAnswer, match=f"page {cycle + 1} gives a NextToken an earlier "
                                               "page gave: the pages go round in a circle"):
        for page in paging.pages(client, "describe_security_groups"):
            read += [g["GroupId"] for g in page["SecurityGroups"]]
    assert len(read) == cycle + 1  # stopped at the first repeat, not one call later


def test_pages_without_end_stop_at_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paging, "MAX_PAGES", 4)
    answers = [{"SecurityGroups": [], "NextToken": f"fresh-{n}"} for n in range(4)]
    client = stubbed("ec2", "describe_security_groups", answers)
    with pytest.raises(IncompleteAnswer, match="more than 4 pages: stopped"):
        list(paging.pages(client, "describe_security_groups"))


def test_an_empty_next_token_ends_the_list_as_botocore_reads_it() -> None:
    client = stubbed("ec2", "describe_security_groups",
                     [{"SecurityGroups": [{"GroupId": "sg-1"}], "NextToken": ""}])
    assert paging.every(client, "describe_security_groups", "SecurityGroups") == [
        {"GroupId": "sg-1"}]


def test_page_size_reaches_the_request() -> None:
    client = _botocore().create_client("iam", region_name=US)
    stubber = Stubber(client)
    stubber.add_response(GAAD, gaad_page("a", IsTruncated=False),
                         expected_params={"MaxItems": 1000, "Filter": ["User"]})
    with stubber:
        assert len(list(paging.pages(client, GAAD, page_size=1000, Filter=["User"]))) == 1


def test_every_paginated_read_goes_through_the_helper() -> None:
    """botocore's paginator stops silently: no collector may use it directly."""
    from pathlib import Path

    import pytest_cis_aws

    package = Path(pytest_cis_aws.__file__).parent
    direct = [str(path.relative_to(package)) for path in package.rglob("*.py")
              if path.name != "pages.py" and "get_paginator(" in path.read_text("utf-8")]
    assert direct == []


# == policy documents: one strict parser ===========================================================

ADMIN = {"Effect": "Allow", "Action": "*", "Resource": "*"}
DUPLICATE = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", '
             '"Resource": "*", "Effect": "Deny"}]}')


@pytest.mark.parametrize("document", [
    {"Statement": ADMIN},
    {"Statement": [ADMIN]},
    json.dumps({"Statement": [ADMIN]}),
    quote(json.dumps({"Statement": [ADMIN]})),  # IAM's URL-encoded form
    "  " + json.dumps({"Statement": ADMIN}),
])
def test_well_formed_documents_are_read(document: Any) -> None:
    assert iam_rules.statements(parse_policy(document, "test")) == [ADMIN]


def test_a_percent_sign_in_a_plain_document_is_kept() -> None:
    condition = {"StringLike": {"aws:userid": "AIDA%25*"}}
    document = json.dumps({"Statement": [{**ADMIN, "Condition": condition}]})
    assert parse_policy(document, "s3")["Statement"][0]["Condition"] == condition


@pytest.mark.parametrize(("document", "problem"), [
    (DUPLICATE, "duplicate key 'Effect'"),
    (quote(DUPLICATE), "duplicate key 'Effect'"),
    ('{"Statement": [], "Statement": [{"Effect": "Allow"}]}', "duplicate key 'Statement'"),
    ('{"Statement": {"Effect": "Allow", "Condition": {"Bool": {"a": "1", "a": "2"}}}}',
     "duplicate key 'a'"),
    ('[{"Statement": []}]', "a JSON list, not an object"),
    ('"text"', "a JSON str, not an object"),
    ('{"Version": "2012-10-17"}', "no Statement"),
    ('{"Statement": "Allow everything"}', "Statement is not an object or a list of objects"),
    ('{"Statement": [{"Effect": "Allow"}, "Deny"]}', "not an object or a list of objects"),
    ('{"Statement": [', "not valid JSON"),
    (["Statement"], "a JSON list, not an object"),
])
def test_malformed_documents_are_errors_naming_their_source(document: Any, problem: str) -> None:
    with pytest.raises(MalformedPolicy) as raised:
        parse_policy(document, "s3:GetBucketPolicy cis-trail")
    assert str(raised.value).startswith(
        "malformed policy document from s3:GetBucketPolicy cis-trail: ")
    assert problem in str(raised.value)


def test_iam_documents_are_decoded_strictly() -> None:
    model = _model("iam", "GetAccountAuthorizationDetails")
    good = quote(json.dumps({"Statement": [ADMIN]}))
    parsed = {"Policies": [{"PolicyVersionList": [{"Document": good}, {"Document": quote(
        DUPLICATE)}]}], "RoleDetailList": [{"AssumeRolePolicyDocument": good}]}
    decode_policies(parsed, model)
    versions = parsed["Policies"][0]["PolicyVersionList"]
    assert versions[0]["Document"] == {"Statement": [ADMIN]}
    assert parsed["RoleDetailList"][0]["AssumeRolePolicyDocument"] == {"Statement": [ADMIN]}
    # Left as text, where botocore would have read a Deny: the rule reports it, by resource.
    assert versions[1]["Document"] == quote(DUPLICATE)


def test_a_duplicate_key_policy_is_unknown_not_compliant() -> None:
    arn = "arn:aws:iam::123456789012:policy/Sneaky"
    details = {"Policies": [{"Arn": arn, "PolicyName": "Sneaky", "PolicyVersionList": [
        {"VersionId": "v3", "IsDefaultVersion": True, "Document": quote(DUPLICATE)}]}]}
    [finding] = iam_rules.full_admin_policies(details)
    assert finding.compliant is None
    assert finding.reason == (f"malformed policy document from iam:GetAccountAuthorizationDetails "
                              f"{arn} v3: duplicate key 'Effect'")


def test_a_malformed_trust_policy_leaves_the_role_split_unknown() -> None:
    root = "arn:aws:iam::123456789012:root"
    role = {"RoleName": "iam-master", "Arn": "arn:aws:iam::123456789012:role/iam-master",
            "AssumeRolePolicyDocument": {"Statement": "anyone"}, "RolePolicyList": []}
    judgement = iam_roles.master_manager_roles(
        {"RoleDetailList": [role, {**role, "RoleName": "iam-manager"}]},
        "iam-master", "iam-manager", root)
    assert judgement.findings and all(f.compliant is None for f in judgement.findings)
    assert (
        "malformed policy document from iam:GetAccountAuthorizationDetails "
        "arn:aws:iam::123456789012:role/iam-master trust policy: its Statement is not an "
        "object or a list of objects") in judgement.findings[0].reason


# == honest error text =============================================================================


def client_error(status: int, code: str, message: str = "m") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, "DescribeVpcs")


def read_error(exc: BaseException) -> str:
    with pytest.raises(DataUnavailable) as raised, reading("ec2:DescribeVpcs", region=EU):
        raise exc
    return str(raised.value)


@pytest.mark.parametrize(("exc", "expected"), [
    (client_error(403, "AccessDenied", "no"), "AccessDenied: no (needs permission ec2:Describe"),
    (client_error(403, "UnauthorizedOperation"), "UnauthorizedOperation: m (needs permission"),
    (client_error(403, "403", ""), "AccessDenied (needs permission ec2:DescribeVpcs)"),
    (client_error(401, "", ""), "AccessDenied (needs permission ec2:DescribeVpcs)"),
    (client_error(403, "AuthorizationError"), "AuthorizationError: m (needs permission"),
    (client_error(503, "ServiceUnavailable", "down"),
     "the service failed (HTTP 503, ServiceUnavailable: down)"),
    (client_error(500, "InternalError", ""), "the service failed (HTTP 500, InternalError)"),
    (client_error(503, "SlowDown", "s"), "SlowDown: s (still throttled after the retries)"),
    (client_error(400, "Throttling", "rate"), "Throttling: rate (still throttled after"),
    (client_error(404, "", ""), "the endpoint does not offer this operation (HTTP 404)"),
    (client_error(400, "UnknownOperationException", "x"),
     "the endpoint does not offer this operation (UnknownOperationException: x)"),
    (client_error(400, "InvalidAction", "x"), "the endpoint does not offer this operation"),
    (client_error(501, "NotImplemented", "x"), "the endpoint does not offer this operation"),
    (client_error(400, "ExpiredToken", "old"), "ExpiredToken: old (the credentials were not "
                                               "accepted)"),
    (client_error(403, "InvalidClientTokenId", "who"), "(the credentials were not accepted)"),
    (EndpointConnectionError(endpoint_url="https://account.xx-new-1.amazonaws.com",
                             error=socket.gaierror(-2, "Name or service not known")),
     "no endpoint answers at https://account.xx-new-1.amazonaws.com: the host name does not "
     "resolve (the service may not be offered in this region)"),
    (EndpointConnectionError(endpoint_url="https://ec2.eu-west-1.amazonaws.com",
                             error=ConnectionRefusedError()),
     "EndpointConnectionError: Could not connect to the endpoint URL"),
    (ResponseParserError("Unable to parse response (syntax error: line 1, column 0), invalid "
                         "XML received. Further retries may succeed:\nb'<secret>hunter2'"),
     "the answer could not be parsed (syntax error: line 1, column 0)"),
    (ResponseParserError("something else: b'hunter2'"), "the answer could not be parsed "
                                                        "(invalid body)"),
    (http.client.IncompleteRead(b"hunter2", 10), "the answer was cut short (IncompleteRead)"),
    (ProtocolError("Connection broken"), "the answer was cut short (ProtocolError)"),
    (CallTimedOut("no answer within cis_call_timeout = 1 s"), "no answer within"),
], ids=lambda v: v if isinstance(v, str) else type(v).__name__)
def test_the_error_says_what_went_wrong(exc: BaseException, expected: str) -> None:
    message = read_error(exc)
    assert message.startswith("could not read ec2:DescribeVpcs in eu-west-1: ")
    assert expected in message
    # A permission is named only when AWS refused; no raw body ever.
    assert ("needs permission" in message) is ("needs permission" in expected)
    assert "hunter2" not in message


def test_refusal_survives_the_trip_through_the_store() -> None:
    for exc in (client_error(403, "AccessDenied"), client_error(503, "Unavailable")):
        with pytest.raises(DataUnavailable) as raised, reading("ec2:DescribeVpcs"):
            raise exc
        again = DataUnavailable.from_dict(json.loads(json.dumps(raised.value.to_dict())))
        assert str(again) == str(raised.value)
        assert again.refused is raised.value.refused


# == bodies that are not whole =====================================================================


@functools.cache
def _model(service: str, operation: str) -> Any:
    return _botocore().get_service_model(service).operation_model(operation)


def _answer(body: bytes, **headers: str) -> AWSResponse:
    return AWSResponse("https://x", 200, headers, MockRawResponse(body))


@pytest.mark.parametrize(("response", "problem"), [
    (_answer(b'{"Keys": []}', **{"content-length": "40"}),
     "the answer was cut short (12 bytes of the 40 its Content-Length announced)"),
    (_answer(b'{"Keys": [{"KeyId": "k1"}, {"Ke'), "could not be parsed (not a JSON object"),
    (_answer(b'["Keys"]'), "could not be parsed (not a JSON object"),
])
def test_a_json_body_that_is_not_whole_is_refused(response: AWSResponse, problem: str) -> None:
    # botocore itself reads an unparseable JSON body as an answer with no members.
    with pytest.raises(IncompleteAnswer, match=problem.replace("(", r"\(").replace(")", r"\)")):
        check_answer(response, {"Keys": []}, _model("kms", "ListKeys"))


def test_a_whole_body_passes() -> None:
    body = b'{"Keys": []}'
    check_answer(_answer(body, **{"content-length": str(len(body))}), {"Keys": []},
                 _model("kms", "ListKeys"))


# == time budgets ==================================================================================


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _retry_kwargs(context: dict[str, Any], attempt: int, status: int = 0, code: str = "",
                  exception: BaseException | None = None) -> dict[str, Any]:
    response = None
    if status:
        http = AWSResponse("https://x", status, {}, MockRawResponse(b""))
        response = (http, {"Error": {"Code": code, "Message": ""},
                           "ResponseMetadata": {"HTTPStatusCode": status}})
    return {"response": response, "attempts": attempt, "caught_exception": exception,
            "request_dict": {"context": context}, "operation": _model("ec2", "DescribeVpcs")}


def test_a_failing_service_gets_two_retries_throttling_keeps_its_budget() -> None:
    budget = CallBudget(60, clock=FakeClock())
    context: dict[str, Any] = {}
    budget.before_call(context=context)
    verdicts = [budget.needs_retry(**_retry_kwargs(context, n, 503, "ServiceUnavailable"))
                for n in (1, 2, 3)]
    assert verdicts == [None, None, False]  # None: botocore decides (it retries); False: stop
    throttled: dict[str, Any] = {}
    budget.before_call(context=throttled)
    assert {budget.needs_retry(**_retry_kwargs(throttled, n, 400, "Throttling"))
            for n in range(1, 6)} == {None}
    assert {budget.needs_retry(**_retry_kwargs(throttled, n, 503, "SlowDown"))
            for n in range(1, 6)} == {None}


def test_a_call_past_its_deadline_is_not_retried() -> None:
    clock = FakeClock()
    budget = CallBudget(5, clock=clock)
    context: dict[str, Any] = {}
    budget.before_call(context=context)
    timeout = ReadTimeoutError(endpoint_url="https://ec2.eu-west-1.amazonaws.com")
    assert budget.needs_retry(**_retry_kwargs(context, 1, exception=timeout)) is None
    clock.now += 5
    with pytest.raises(CallTimedOut, match=r"no answer within cis_call_timeout = 5 s \(2 "
                                           r"attempt\(s\), last: ReadTimeoutError"):
        budget.needs_retry(**_retry_kwargs(context, 2, exception=timeout))
    # Past the deadline, an answer is still an answer, and a refusal is not retried anyway.
    assert budget.needs_retry(**_retry_kwargs(context, 2, 200)) is None
    assert budget.needs_retry(**_retry_kwargs(context, 2, 403, "AccessDenied")) is None


def test_only_an_endpoint_that_failed_to_answer_is_given_up() -> None:
    """Out of time while throttled: that call ends, but the busy endpoint is asked again."""
    from pytest_cis_aws.aws.session import UnreachableEndpoints

    clock = FakeClock()
    budget = CallBudget(5, clock=clock)
    breaker = UnreachableEndpoints()
    where = {"client_region": EU}
    for kwargs, exhausted in (({"status": 400, "code": "Throttling"}, False),
                              ({"status": 503, "code": "ServiceUnavailable"}, True)):
        context: dict[str, Any] = {}
        budget.before_call(context=context)
        clock.now += 6
        with pytest.raises(CallTimedOut) as raised:
            budget.needs_retry(**_retry_kwargs(context, 2, **kwargs))
        assert raised.value.endpoint_exhausted is exhausted
        breaker.after_call_error(event_name="after-call-error.ec2.DescribeVpcs",
                                 exception=raised.value, context=where)
        if not exhausted:
            breaker.before_call(event_name="before-call.ec2.DescribeVpcs", context=where)
    with pytest.raises(CallTimedOut, match="not asked again this run"):
        breaker.before_call(event_name="before-call.ec2.DescribeVpcs", context=where)


@dataclass
class Wire:
    """Answers for one botocore client, given in place of moto's at before-send."""

    answer: Callable[[Any], Any]
    sent: list[str] = field(default_factory=list)

    def __call__(self, request: Any, **_: Any) -> Any:
        self.sent.append(request.url)
        return self.answer(request)


def test_a_slow_endpoint_costs_one_budget_then_is_not_asked(moto: None) -> None:
    """cis_call_timeout = 1 and an endpoint whose answers time out after 1.5 s: the first call
    gives up after one attempt (not six), and the next call to that endpoint fails at once."""
    aws = Aws(Settings(active=True, call_timeout=1))

    def slow(request: Any) -> Any:
        time.sleep(1.5)
        raise ReadTimeoutError(endpoint_url=request.url)

    wire = Wire(slow)
    aws.client("ec2", EU).meta.events.register_first("before-send", wire)
    started = time.monotonic()
    timed_out = (r"could not read ec2:DescribeVpcs in eu-west-1: no answer within "
                 r"cis_call_timeout = 1 s \(1 attempt\(s\), last: ReadTimeoutError")
    with pytest.raises(DataUnavailable, match=timed_out), reading("ec2:DescribeVpcs", region=EU):
        aws.client("ec2", EU).describe_vpcs()
    with pytest.raises(DataUnavailable, match="not asked again this run"), \
            reading("ec2:DescribeSecurityGroups", region=EU):
        aws.client("ec2", EU).describe_security_groups()
    assert len(wire.sent) == 1
    assert time.monotonic() - started < 3
    # Another service of the region is still asked.
    assert aws.client("sts", EU).get_caller_identity()["Account"]


def test_persistent_server_errors_are_retried_twice(moto: None) -> None:
    aws = Aws(Settings(active=True))
    body = b"<Response><Errors><Error><Code>InternalError</Code><Message>boom</Message></Error>" \
           b"</Errors></Response>"
    wire = Wire(lambda request: AWSResponse(request.url, 500, {}, MockRawResponse(body)))
    aws.client("ec2", US).meta.events.register_first("before-send", wire)
    with pytest.raises(DataUnavailable) as raised, reading("ec2:DescribeVpcs", region=US):
        aws.client("ec2", US).describe_vpcs()
    assert len(wire.sent) == 3  # the first attempt and two retries, not six attempts
    assert str(raised.value) == ("could not read ec2:DescribeVpcs in us-east-1: the service "
                                 "failed (HTTP 500, InternalError: boom)")


def test_the_budget_is_an_ini_option(pytester: pytest.Pytester) -> None:
    from pytest_cis_aws.settings import resolve

    pytester.makeini("[pytest]\ncis_level = 1\ncis_call_timeout = 7\n")
    config = pytester.parseconfig()
    assert resolve(config, environ={}).call_timeout == 7.0
    pytester.makeini("[pytest]\ncis_level = 1\ncis_call_timeout = 0\n")
    with pytest.raises(pytest.UsageError, match="cis_call_timeout must be at least 1"):
        resolve(pytester.parseconfig(), environ={})


# == whole audits: the invariant ===================================================================


def moto_answer(request: Any) -> AWSResponse:
    from moto.core.models import botocore_stubber

    return botocore_stubber("before-send", request)


@dataclass
class WireInjector(Injector):
    """faults.Injector, plus answers rewritten on the wire: {operation: rewrite(request,
    moto's answer or the canned one) -> the answer sent instead}."""

    wire: dict[str, Callable[[Any, AWSResponse], AWSResponse]] = field(default_factory=dict)

    def _after_call(self, http_response: Any, parsed: dict[str, Any], model: Any,
                    context: Any, **kwargs: Any) -> None:
        operation = f"{model.service_model.service_name}:{model.name}"
        if self._rewrite_for(operation, str(context.get("client_region"))) is None:
            super()._after_call(http_response, parsed, model, context, **kwargs)
        # else: not a whole answer, whatever botocore made of it (the plugin's own checks of the
        # body run after this handler)

    def _rewrite_for(self, operation: str, region: str) -> Any:
        if self.regions is not None and region not in self.regions:
            return None
        return self.wire.get(operation)

    def _before_send(self, request: Any, **kwargs: Any) -> Any:
        answer = super()._before_send(request, **kwargs)
        operation, region, _ = self._local.current
        rewrite = self._rewrite_for(operation, region)
        if rewrite is None:
            return answer
        with self._lock:
            self.hit.add(operation)
        return rewrite(request, answer if answer is not None else moto_answer(request))


def run(pytester: pytest.Pytester, injector: Injector, *args: str, ini: str = "",
        regions: str = f"--cis-regions={US},{EU}") -> tuple[dict[str, str], pytest.RunResult]:
    import accounts_full

    pytester.makeini(INI + ini)
    pytester.makeconftest(faults.CONFTEST)
    injector.canned.update(accounts_full.CANNED)
    faults.ACTIVE = injector
    try:
        result = pytester.runpytest("--cis-level=2", "-p", "no:cacheprovider", *args, regions)
    finally:
        faults.ACTIVE = None
    return faults.outcomes(result), result


def output(result: pytest.RunResult) -> str:
    return result.stdout.str() + result.stderr.str()


# -- pagination ------------------------------------------------------------------------------------


_PAGINATED: list[set[str]] = []


def paginated(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The operations the audit reads page by page, learnt from a run (once per process)."""
    if not _PAGINATED:
        seen: set[str] = set()
        real = paging.pagination_config

        def recording(client: Any, method: str) -> dict[str, Any]:
            meta = client.meta
            seen.add(f"{meta.service_model.service_name}:{meta.method_to_api_mapping[method]}")
            return real(client, method)

        with monkeypatch.context() as patch:
            patch.setattr(paging, "pagination_config", recording)
            got, result = run(pytester, Injector())
        assert_ran_to_the_end(result, got)
        _PAGINATED.append(seen)
    return _PAGINATED[0]


def _config(operation: str) -> dict[str, Any]:
    import botocore.paginate

    from pytest_cis_aws.aws.session import loader

    service, _, name = operation.partition(":")
    model = _botocore().get_service_model(service)
    data = loader().load_service_model(service, "paginators-1", model.api_version)
    return dict(botocore.paginate.PaginatorModel(data).get_paginator(name))


def _tokens(operation: str) -> tuple[list[str], str | None]:
    config = _config(operation)
    out = config["output_token"]
    return ([out] if isinstance(out, str) else list(out)), config.get("more_results")


def truncated_without_token(operation: str) -> Callable[[dict[str, Any]], bool]:
    """A page that says more follow and gives no token (or, for operations that only have a
    token, one whose token comes back: A, A)."""
    outputs, flag = _tokens(operation)

    def damage(parsed: dict[str, Any]) -> bool:
        for name in outputs:
            parsed.pop(name, None)
        if flag:
            parsed[flag] = True
        else:
            parsed[outputs[0]] = "same-token"
        return True

    return damage


def token_sequence(operation: str, tokens: Iterator[str]) -> Callable[[dict[str, Any]], bool]:
    outputs, flag = _tokens(operation)
    lock = threading.Lock()

    def damage(parsed: dict[str, Any]) -> bool:
        with lock:
            parsed[outputs[0]] = next(tokens)
        if flag:
            parsed[flag] = True
        return True

    return damage


PAGINATION_KINDS: dict[str, Callable[[str], Callable[[dict[str, Any]], bool]]] = {
    "truncated-without-token": truncated_without_token,
    "cycle-of-three": lambda op: token_sequence(op, itertools.cycle(["t1", "t2", "t3"])),
    "endless": lambda op: token_sequence(op, (f"fresh-{n}" for n in itertools.count())),
}


def _strip_tokens(injector: Injector, operations: set[str]) -> Callable[..., None]:
    """Requests for a later page go to moto as if for the first: it knows no injected token."""
    inputs = {op: _config(op)["input_token"] for op in operations}

    def strip(params: dict[str, Any], model: Any, **_: Any) -> None:
        names = inputs.get(f"{model.service_model.service_name}:{model.name}")
        for name in ([names] if isinstance(names, str) else names or []):
            params.pop(name, None)

    return strip


def test_no_check_passes_on_pages_it_could_not_read(
    pytester: pytest.Pytester, account: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = baseline(pytester)
    operations = paginated(pytester, monkeypatch)
    assert {"iam:GetAccountAuthorizationDetails", "ec2:DescribeSecurityGroups", "kms:ListKeys",
            "sns:ListTopics", "cloudwatch:DescribeAlarms"} <= operations
    monkeypatch.setattr(paging, "MAX_PAGES", 3)  # "endless": stopped after three pages
    needed = {op: base.reads[op] for op in operations}
    kinds = itertools.cycle(PAGINATION_KINDS)
    found: set[str] = set()
    said: set[str] = set()
    for group in faults.disjoint_groups(needed):
        chosen = {op: next(kinds) for op in group}
        injector = Injector(faults={op: Fault(kind, damage=PAGINATION_KINDS[kind](op))
                                    for op, kind in chosen.items()})
        strip = _strip_tokens(injector, set(group))
        original = injector.install

        def install(events: Any, strip: Any = strip, original: Any = original) -> None:
            original(events)
            events.register("before-parameter-build", strip)

        injector.install = install  # type: ignore[method-assign]
        got, result = run(pytester, injector)
        assert_ran_to_the_end(result, got)
        assert injector.hit == set(group)
        found |= violations(base, injector, result)
        text = output(result)
        said |= {kind for kind, phrase in (
            ("truncated-without-token", "but gives no"), ("truncated-without-token", "circle"),
            ("cycle-of-three", "go round in a circle"), ("endless", "more than 3 pages"))
            if phrase in text and kind in chosen.values()}
        assert "Traceback" not in text
    assert found == set()
    assert said == set(PAGINATION_KINDS)


# -- bodies that cannot be read whole --------------------------------------------------------------


def _raw(request: Any, status: int, headers: dict[str, str], body: Any) -> AWSResponse:
    return AWSResponse(request.url, status, headers, body)


def cut_with_length(request: Any, answer: AWSResponse) -> AWSResponse:
    """Half the body, with the Content-Length of the whole."""
    body = answer.content
    headers = {**dict(answer.headers), "content-length": str(len(body))}
    return _raw(request, answer.status_code, headers, MockRawResponse(body[:len(body) // 2]))


def cut_without_length(request: Any, answer: AWSResponse) -> AWSResponse:
    body = answer.content
    headers = {k: v for k, v in answer.headers.items() if k.lower() != "content-length"}
    return _raw(request, answer.status_code, headers, MockRawResponse(body[:len(body) // 2]))


class BrokenStream(MockRawResponse):
    def stream(self, **kwargs: Any) -> Any:
        yield self.read(10)
        raise ProtocolError("Connection broken: IncompleteRead(10 bytes read, 90 more expected)",
                            http.client.IncompleteRead(b"", 90))


def incomplete_read(request: Any, answer: AWSResponse) -> AWSResponse:
    return _raw(request, answer.status_code, dict(answer.headers), BrokenStream(answer.content))


BODY_FAULTS = {"cut-with-length": cut_with_length, "cut-without-length": cut_without_length,
               "incomplete-read": incomplete_read}


def _in_turn(operations: Iterable[str], kinds: Iterable[str]) -> dict[str, str]:
    """Each operation one kind, the kinds taking turns (as test_faults.py's sweep does)."""
    return dict(zip(sorted(operations), itertools.cycle(kinds)))


def test_no_check_passes_on_a_body_that_is_not_whole(pytester: pytest.Pytester,
                                                     account: None) -> None:
    base = baseline(pytester)
    chosen = _in_turn(set(base.calls) - SESSION_SOURCES, BODY_FAULTS)
    injector = WireInjector(wire={op: BODY_FAULTS[kind] for op, kind in chosen.items()})
    got, result = run(pytester, injector)
    assert_ran_to_the_end(result, got)
    assert violations(base, injector, result) == set()
    assert "crashed" not in got.values()
    text = output(result)
    assert "Traceback" not in text and "xmlns" not in text and "<?xml" not in text
    for said in (r"could not be parsed \((unclosed token|no element found|mismatched tag)",  # XML
                 r"could not be parsed \(not a JSON object",  # JSON: botocore alone reads {}
                 r"its Content-Length announced\)", r"cut short \(ProtocolError\)"):
        assert re.search(said, text), said
    assert "could not read iam:GetAccountAuthorizationDetails: the answer " in text
    assert "needs permission" not in text


# -- a failing service, an operation not offered ---------------------------------------------------


SERVICE_FAULTS = {
    "server-error": Fault("server-error", 500, "InternalFailure"),
    "unavailable": Fault("unavailable", 503, "ServiceUnavailable"),
    "unknown-operation": Fault("unknown-operation", 400, "UnknownOperationException"),
}


def test_a_failing_service_is_named_as_such(pytester: pytest.Pytester, account: None) -> None:
    base = baseline(pytester)
    chosen = _in_turn(set(base.calls) - SESSION_SOURCES, SERVICE_FAULTS)
    injector = Injector(faults={op: SERVICE_FAULTS[kind] for op, kind in chosen.items()})
    got, result = run(pytester, injector)
    assert_ran_to_the_end(result, got)
    assert violations(base, injector, result) == set()
    text = output(result)
    assert "the service failed (HTTP 500, InternalFailure: injected server-error)" in text
    assert "the service failed (HTTP 503, ServiceUnavailable: injected unavailable)" in text
    assert "the endpoint does not offer this operation (UnknownOperationException" in text
    assert "needs permission" not in text
    # At most two retries for a failing service (throttling keeps adaptive mode's five), none
    # for an operation that is not there.
    retries = {"server-error": 3, "unavailable": 3, "unknown-operation": 1}
    assert {op: injector.attempts[op] for op in chosen if injector.calls[op]} == {
        op: retries[kind] * injector.calls[op] for op, kind in chosen.items()
        if injector.calls[op]}


def test_an_emulator_404_says_the_operation_is_not_offered(pytester: pytest.Pytester,
                                                          account: None) -> None:
    def not_found(request: Any, answer: AWSResponse) -> AWSResponse:
        return _raw(request, 404, {}, MockRawResponse(b""))

    injector = WireInjector(wire={"account:GetAlternateContact": not_found})
    got, result = run(pytester, injector, "--cis-id=1.20")
    assert got == {"1.20": "error"}
    result.stdout.fnmatch_lines(["*could not read account:GetAlternateContact: the endpoint does "
                                 "not offer this operation (HTTP 404)"])


# -- policy documents ------------------------------------------------------------------------------

DUPLICATE_BUCKET_POLICY = json.dumps({"Version": "2012-10-17"})[:-1] + (
    ', "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", '
    '"Resource": "arn:aws:s3:::*", "Effect": "Deny"}]}')


def duplicate_iam_documents(request: Any, answer: AWSResponse) -> AWSResponse:
    """Every policy version of the answer becomes "Allow * on *", then "Effect": "Deny"."""
    body = re.sub(rb"<Document>[^<]*</Document>",
                  b"<Document>" + quote(DUPLICATE, safe="").encode() + b"</Document>",
                  answer.content)
    return _raw(request, 200, {}, MockRawResponse(body))


def duplicate_bucket_policy(request: Any, answer: AWSResponse) -> AWSResponse:
    return _raw(request, 200, {}, MockRawResponse(DUPLICATE_BUCKET_POLICY.encode()))


def test_duplicate_keys_in_policies_end_in_error(pytester: pytest.Pytester,
                                                 account: None) -> None:
    """Read as Python reads JSON (the last key wins), both documents deny: 1.24 (no policy
    allows "*" on "*") and 2.3 (no public trail bucket) would pass. AWS does not read them so;
    the audit cannot either."""
    injector = WireInjector(wire={"iam:GetAccountAuthorizationDetails": duplicate_iam_documents,
                                  "s3:GetBucketPolicy": duplicate_bucket_policy})
    got, result = run(pytester, injector, "--cis-id=1.24,2.3")
    assert got == {"1.24": "error", "2.3": "error"}, output(result)
    text = output(result)
    assert "malformed policy document from iam:GetAccountAuthorizationDetails " in text
    assert "malformed policy document from s3:GetBucketPolicy: duplicate key 'Effect'" in text


# -- a slow region -------------------------------------------------------------------------------


def test_a_slow_region_costs_one_call_budget_per_endpoint(pytester: pytest.Pytester,
                                                          account: None) -> None:
    def slow(request: Any, answer: AWSResponse) -> AWSResponse:
        time.sleep(1.5)
        raise ReadTimeoutError(endpoint_url=request.url)

    base = baseline(pytester)
    injector = WireInjector(wire={op: slow for op in base.calls if op.startswith("ec2:")},
                            regions=frozenset({EU}))
    started = time.monotonic()
    got, result = run(pytester, injector, "--cis-section=networking", ini="cis_call_timeout = 1\n")
    elapsed = time.monotonic() - started
    assert violations(base, injector, result) == set()
    # One attempt, then the endpoint is given up: not six attempts for each of its calls.
    assert injector.sent[("ec2", EU)] == 1
    assert injector.called_at[("ec2:DescribeSecurityGroups", EU)] >= 1
    assert elapsed < 30
    assert {rec: got[rec] for rec in ("4.1", "4.2", "4.3", "4.4")} == dict.fromkeys(
        ("4.1", "4.2", "4.3", "4.4"), "error")
    result.stdout.fnmatch_lines(["*in eu-west-1: no answer within cis_call_timeout = 1 s*"])

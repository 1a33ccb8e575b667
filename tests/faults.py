"""Fault injection for whole audit runs: botocore event handlers that break one data source.

An `Injector` is installed on the run's boto3 session before any client exists (the inner
conftest below does it in `pytest_configure`), so every client the run creates carries it:

* before-call (registered first, so it sees every call): counts the call and remembers which
  operation, in which region, this thread is calling;
* before-send (registered first): answers in place of the endpoint, inside botocore's retry
  loop, with an error in the service's own wire format (botocore parses it and decides whether to
  retry, as it would with a real answer), a refused connection, or a canned answer for what moto
  cannot simulate (the Cost and Usage Report API, the account's contact details);
* after-call (registered first, so before the plugin sees the answer): damages a successful
  answer in place, leaving it partial or mistyped.

It also counts attempts per operation (retries included), knows which calls got no whole answer,
and attributes every call to the fixture being set up: how the tests learn which checks read
which source.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

SESSION = "<session start>"  # calls made before any fixture: identity and regions


# -- answers in each protocol's wire format ----------------------------------------------------


def _xml_error(code: str, message: str) -> bytes:
    return (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>fault</RequestId>"
            "</ErrorResponse>").encode()


def _error_body(protocol: str, code: str, message: str) -> tuple[bytes, dict[str, str]]:
    """An error answer as the service would send it: botocore parses `code` out of it."""
    if protocol == "ec2":
        return (f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
                "</Error></Errors><RequestID>fault</RequestID></Response>").encode(), {}
    if protocol == "rest-xml":
        return (f"<Error><Code>{code}</Code><Message>{message}</Message></Error>").encode(), {}
    if protocol == "query":
        return _xml_error(code, message), {}
    if protocol == "rest-json":
        return json.dumps({"message": message}).encode(), {"x-amzn-ErrorType": code}
    return (json.dumps({"__type": code, "message": message}).encode(),
            {"Content-Type": "application/x-amz-json-1.1"})


def _protocol(model: Any) -> str:
    service = model.service_model
    return str(getattr(service, "resolved_protocol", None) or service.protocol)


def http_response(url: str, status: int, body: bytes, headers: Mapping[str, str]) -> Any:
    from botocore.awsrequest import AWSResponse
    from moto.core.botocore_stubber import MockRawResponse

    return AWSResponse(url, status, dict(headers), MockRawResponse(body))


# -- damage done to a successful answer (each says whether it changed anything) -----------------


def _members(parsed: dict[str, Any]) -> list[str]:
    return [key for key in parsed if key != "ResponseMetadata"]


def drop_members(parsed: dict[str, Any]) -> bool:
    """A partial answer: every member gone (pagination tokens too), metadata kept."""
    members = _members(parsed)
    for key in members:
        del parsed[key]
    return bool(members)


def _as_text(value: Any) -> Any:
    # Everything as text, the way a buggy emulator or proxy might send JSON: "False" is truthy.
    if isinstance(value, dict):
        return {k: _as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (bool, int, float)):
        return str(value)
    return value


def text_leaves(parsed: dict[str, Any]) -> bool:
    """A mistyped answer: every boolean, number and date, deep down, sent as text."""
    changed = False
    for key in _members(parsed):
        value = _as_text(parsed[key])
        changed |= value != parsed[key]
        parsed[key] = value
    return changed


def mistype_members(parsed: dict[str, Any]) -> bool:
    """Text for the booleans, numbers and dates; members of another kind when there are none."""
    return text_leaves(parsed) or reshape_members(parsed)


def _other_type(value: Any) -> Any:
    if isinstance(value, list):
        return {"unexpected": "shape"}
    if isinstance(value, (dict, str)):
        return ["unexpected shape"]
    return "unexpected shape"


def reshape_members(parsed: dict[str, Any]) -> bool:
    """A mistyped answer: each member of another kind (a list where a map was, and so on)."""
    members = _members(parsed)
    for key in members:
        parsed[key] = _other_type(parsed[key])
    return bool(members)


# -- faults ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """How one source fails. Exactly one of error/unreachable/damage applies."""

    name: str
    status: int = 0
    code: str = ""  # error code in the wire format; "" with status: the moto-style XML body
    times: int | None = None  # fail only the first `times` attempts of each call (then answer)
    unreachable: bool = False
    damage: Callable[[dict[str, Any]], bool] | None = None

    def error(self, model: Any) -> tuple[int, bytes, dict[str, str]]:
        if not self.code:
            # moto answers a denial with an XML body whatever the protocol: JSON-protocol
            # services then parse it as code '403' (moto_coverage.md §6).
            return self.status, _xml_error("AccessDenied", "not authorized"), {}
        body, headers = _error_body(_protocol(model), self.code, f"injected {self.name}")
        return self.status, body, headers


DENIED = Fault("denied", 403, "AccessDenied")
DENIED_XML = Fault("denied-xml-403", 403)  # code '403' from JSON-protocol services
EXPIRED = Fault("expired-token", 400, "ExpiredToken")
INVALID_TOKEN = Fault("invalid-token", 403, "InvalidClientTokenId")
UNREACHABLE = Fault("unreachable", unreachable=True)
PARTIAL = Fault("partial", damage=drop_members)
MISTYPED = Fault("mistyped", damage=mistype_members)
RESHAPED = Fault("reshaped", damage=reshape_members)
THROTTLED = Fault("throttled", 400, "ThrottlingException", times=2)
EC2_THROTTLED = Fault("throttled", 400, "RequestLimitExceeded", times=2)
S3_SLOW_DOWN = Fault("throttled", 503, "SlowDown", times=2)
TOO_MANY = Fault("too-many-requests", 429, "TooManyRequestsException", times=2)


def throttling_for(operation: str) -> Fault:
    """Each service's own throttling answer."""
    service = operation.partition(":")[0]
    return {"ec2": EC2_THROTTLED, "s3": S3_SLOW_DOWN}.get(service, THROTTLED)


# -- the injector ---------------------------------------------------------------------------------


@dataclass
class Injector:
    """Faults by operation ("service:Operation"), optionally only in some regions or only once
    `after` calls have been made; canned answers for what moto lacks."""

    faults: dict[str, Fault] = field(default_factory=dict)
    regions: frozenset[str] | None = None  # None: every region
    after: int = 0  # let this many calls through before any fault applies
    canned: dict[str, dict[str, Any]] = field(default_factory=dict)
    everything: Fault | None = None  # a fault for every operation (expired credentials)
    attempts: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)
    called_at: Counter[tuple[str, str]] = field(default_factory=Counter)  # (operation, region)
    clean_at: Counter[tuple[str, str]] = field(default_factory=Counter)  # answered, left whole
    sent: Counter[tuple[str, str]] = field(default_factory=Counter)  # attempts by (service, region)
    regions_seen: dict[str, set[str]] = field(default_factory=dict)
    hit: set[str] = field(default_factory=set)  # operations a fault did reach
    by_fixture: dict[str, set[str]] = field(default_factory=dict)
    fixture: str = SESSION
    _local: threading.local = field(default_factory=threading.local)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self, events: Any) -> None:
        # First: the plugin's own handlers may stop a call here (an unreachable endpoint).
        events.register_first("before-call", self._before_call)
        events.register_first("before-send", self._before_send)
        events.register_first("after-call", self._after_call)

    def fault_for(self, operation: str, region: str | None) -> Fault | None:
        if self.regions is not None and region not in self.regions:
            return None
        if sum(self.calls.values()) <= self.after:
            return None
        return self.everything or self.faults.get(operation)

    def _before_call(self, model: Any, context: Mapping[str, Any], **_: Any) -> None:
        operation = f"{model.service_model.service_name}:{model.name}"
        region = str(context.get("client_region"))
        with self._lock:
            self.calls[operation] += 1
            self.called_at[(operation, region)] += 1
            self.by_fixture.setdefault(self.fixture, set()).add(operation)
            self.regions_seen.setdefault(operation, set()).add(region)
        self._local.current = (operation, region, model)
        self._local.failed = 0

    def _before_send(self, request: Any, **_: Any) -> Any:
        operation, region, model = self._local.current
        with self._lock:
            self.attempts[operation] += 1
            self.sent[(operation.partition(":")[0], region)] += 1
        fault = self.fault_for(operation, region)
        if fault is not None and not fault.damage and (
                fault.times is None or self._local.failed < fault.times):
            self._local.failed += 1
            with self._lock:
                self.hit.add(operation)
            if fault.unreachable:
                from botocore.exceptions import EndpointConnectionError

                raise EndpointConnectionError(endpoint_url=request.url)
            status, body, headers = fault.error(model)
            return http_response(request.url, status, body, headers)
        if operation in self.canned:
            return http_response(request.url, 200, json.dumps(self.canned[operation]).encode(),
                                 {"Content-Type": "application/x-amz-json-1.1"})
        return None

    def _after_call(self, http_response: Any, parsed: dict[str, Any], model: Any,
                    context: Mapping[str, Any], **_: Any) -> None:
        if http_response.status_code >= 300:
            return
        operation = f"{model.service_model.service_name}:{model.name}"
        region = str(context.get("client_region"))
        fault = self.fault_for(operation, region)
        damaged = fault is not None and fault.damage is not None and fault.damage(parsed)
        with self._lock:
            if damaged:
                self.hit.add(operation)
            else:
                self.clean_at[(operation, region)] += 1

    def unread_at(self) -> dict[str, set[str]]:
        """{operation: the regions where a call of it got no whole answer}: refused, damaged,
        never sent (the plugin stops asking an unreachable endpoint), or failed another way."""
        found: dict[str, set[str]] = {}
        for (operation, region), n in self.called_at.items():
            if self.clean_at[(operation, region)] < n:
                found.setdefault(operation, set()).add(region)
        return found

    def unread(self) -> set[str]:
        return set(self.unread_at())


# The injector of the inner run under way: set by the outer test, installed by CONFTEST.
ACTIVE: Injector | None = None
# {check id: the fixtures it uses}, filled by `Tracker` while the inner run collects and runs.
FIXTURES: dict[str, set[str]] = {}

CONFTEST = """
import pytest

import faults


@pytest.hookimpl(trylast=True)  # after the plugin made its run, before any AWS call
def pytest_configure(config):
    faults.configure(config)
"""


def configure(config: pytest.Config) -> None:
    from pytest_cis_aws.run import RUN_KEY

    run = config.stash.get(RUN_KEY, None)
    if run is None or ACTIVE is None:
        return
    ACTIVE.install(run.aws.session.events)
    # A plugin, not conftest hooks: those only see items under the conftest's directory, and
    # the stock checks live in the package.
    config.pluginmanager.register(Tracker(ACTIVE), "faults-tracker")


class Tracker:
    """Learns which fixtures each check uses, and which calls each fixture makes."""

    def __init__(self, injector: Injector) -> None:
        self.injector = injector
        self.calling: str | None = None

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        FIXTURES.clear()
        for item in items:
            marker = item.get_closest_marker("cis")
            if marker is not None:
                FIXTURES[marker.kwargs["id"]] = set(getattr(item, "fixturenames", ()))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        # A check may ask for a fixture while it runs (request.getfixturevalue): it reads it too.
        marker = item.get_closest_marker("cis")
        self.calling = marker.kwargs["id"] if marker is not None else None
        try:
            return (yield)
        finally:
            self.calling = None

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef: Any) -> Any:
        if self.calling is not None:
            FIXTURES.setdefault(self.calling, set()).add(fixturedef.argname)
        # The region pool's threads call while the fixture is being set up: a plain attribute
        # (not a thread-local) attributes their calls to it.
        outer, self.injector.fixture = self.injector.fixture, fixturedef.argname
        try:
            return (yield)
        finally:
            self.injector.fixture = outer


# -- reading a run ---------------------------------------------------------------------------------


def outcomes(result: pytest.RunResult) -> dict[str, str]:
    """Outcome by stock check id: passed, failed (a compliance verdict), crashed (an exception
    that is not a verdict), error, manual, skipped or waived."""
    found: dict[str, str] = {}
    for report in result.reprec.getreports("pytest_runtest_logreport"):  # type: ignore[attr-defined]
        cis = getattr(report, "cis", None)
        if cis is None:
            continue
        rec = cis["id"]
        if getattr(report, "cis_outcome", None) == "error" or (
                report.when != "call" and report.failed):
            found[rec] = "error"
        elif report.when == "call" and report.failed:
            verdict = report.longreprtext.startswith(f"CIS {rec} ")
            found[rec] = "failed" if verdict else "crashed"
        elif report.skipped:
            found.setdefault(rec, "manual" if getattr(report, "cis_outcome", None) == "manual"
                             else "skipped")
        elif report.when == "call":
            found.setdefault(rec, "waived" if hasattr(report, "wasxfail") else report.outcome)
    return found


def findings(result: pytest.RunResult) -> dict[str, list[dict[str, Any]]]:
    """The findings each check recorded, by check id (none when its setup failed)."""
    return {report.cis["id"]: list(getattr(report, "cis_findings", []))
            for report in result.reprec.getreports("pytest_runtest_logreport")  # type: ignore[attr-defined]
            if getattr(report, "cis", None) is not None and report.when == "call"}


def readers(injector: Injector, fixtures: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """{operation: the checks that read it}: each check reads what its fixtures called."""
    needed: dict[str, set[str]] = {}
    for rec, names in fixtures.items():
        for name in names:
            for operation in injector.by_fixture.get(name, ()):
                needed.setdefault(operation, set()).add(rec)
    return needed


def disjoint_groups(needed: Mapping[str, set[str]]) -> list[list[str]]:
    """Operations in groups whose readers do not overlap: faulting a whole group at once then
    tells as much as faulting each alone, since no check reads two faulted sources."""
    groups: list[tuple[list[str], set[str]]] = []
    for operation in sorted(needed, key=lambda op: (-len(needed[op]), op)):
        for members, readers in groups:
            if not readers & needed[operation]:
                members.append(operation)
                readers |= needed[operation]
                break
        else:
            groups.append(([operation], set(needed[operation])))
    return [members for members, _ in groups]

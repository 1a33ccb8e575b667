"""One boto3 session per run, one client per (service, region), every call guarded and counted,
every answer checked against its API model (whole, parseable, of the promised types), every call
within a time budget, and an endpoint that cannot be reached or answer in time asked once."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import DataUnavailable
from ..policy import MalformedPolicy, parse_policy
from ..settings import Settings
from .errors import CallTimedOut, IncompleteAnswer, MalformedResponse, describe, member, reading
from .guard import refuse_writes

if TYPE_CHECKING:
    import boto3
    import botocore.session
    from botocore.config import Config
    from botocore.loaders import Loader
    from botocore.model import OperationModel

DEFAULT_REGION = "us-east-1"
ROLE_SESSION_NAME = "pytest-cis-aws"


@dataclass(frozen=True)
class Identity:
    account: str
    arn: str

    @property
    def partition(self) -> str:
        return self.arn.split(":")[1] if self.arn.startswith("arn:") else "aws"

    def to_dict(self) -> dict[str, str]:
        return {"account": self.account, "arn": self.arn}


class CallCounter:
    """Counts AWS operations by (service, operation); thread-safe, for `--cis-api-stats`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[tuple[str, str]] = Counter()

    def __call__(self, model: OperationModel, **_: Any) -> None:
        with self._lock:
            self.counts[(model.service_model.service_name, model.name)] += 1

    def total(self) -> int:
        return sum(self.counts.values())

    def merge(self, counts: dict[str, int]) -> None:
        """Add counts sent by an xdist worker ("service:Operation" -> n)."""
        with self._lock:
            for key, value in counts.items():
                service, _, operation = key.partition(":")
                self.counts[(service, operation)] += int(value)

    def as_dict(self) -> dict[str, int]:
        return {f"{s}:{o}": n for (s, o), n in sorted(self.counts.items())}


# -- answers: the types the API model promises ---------------------------------------------------

_SCALARS: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    "timestamp": (datetime,),
    "blob": (bytes, bytearray),
}
# botocore itself turns these strings into data: IAM policy documents, JSON-valued headers.
_DECODED_STRINGS = ("policyDocumentType",)


def _decoded_string(shape: Any) -> bool:
    return shape.name in _DECODED_STRINGS or bool(shape.serialization.get("jsonvalue"))


def _mismatch(shape: Any, value: Any, path: str) -> str | None:
    """Where `value` departs from `shape` ('path: str, not boolean'), or None when it does not."""
    kind = shape.type_name
    if value is None or getattr(shape, "is_document_type", False):
        return None
    if kind == "structure":
        if not isinstance(value, Mapping):
            return f"{path or 'the answer'}: {type(value).__name__}, not a structure"
        return _first(_mismatch(member, value[name], f"{path}.{name}".lstrip("."))
                      for name, member in shape.members.items() if name in value)
    if kind == "list":
        if not isinstance(value, list):
            return f"{path}: {type(value).__name__}, not a list"
        return _first(_mismatch(shape.member, item, f"{path}[{n}]")
                      for n, item in enumerate(value))
    if kind == "map":
        if not isinstance(value, Mapping):
            return f"{path}: {type(value).__name__}, not a map"
        return _first(_mismatch(shape.value, item, f"{path}[{key!r}]")
                      for key, item in value.items())
    expected = _SCALARS.get(kind)
    if expected is None or (kind == "blob" and hasattr(value, "read")):
        return None  # a type this audit never reads, or a streamed body
    if kind == "string" and isinstance(value, (Mapping, list)) and _decoded_string(shape):
        return None
    # bool is an int to Python, never to the API.
    if isinstance(value, bool) != (kind == "boolean") or not isinstance(value, expected):
        return f"{path}: {type(value).__name__}, not {kind}"
    return None


def _first(problems: Iterable[str | None]) -> str | None:
    return next((p for p in problems if p is not None), None)


def check_answer(http_response: Any, parsed: Any, model: OperationModel, **_: Any) -> None:
    """botocore `after-call` handler: a successful answer must have the types its model says.

    botocore converts XML answers to the modelled types, but passes JSON values through as they
    came: an endpoint (an emulator, a proxy, a changed API) that sends "false" as text would have
    a check read it as true. Such an answer is not data a verdict can stand on.
    """
    if http_response is None or http_response.status_code >= 300 or model.output_shape is None:
        return
    _check_body(http_response, model)
    problem = _mismatch(model.output_shape, parsed, "")
    if problem is not None:
        service = model.service_model.service_name
        raise MalformedResponse(f"{service}:{model.name} answered {problem}")


_JSON_PROTOCOLS = ("json", "rest-json")


def _check_body(http_response: Any, model: OperationModel) -> None:
    """The body arrived whole and parses: botocore reads a JSON body that does not parse as an
    empty answer (its text becomes a 'message' no member reads), and never compares a body with
    its Content-Length (it turns that check off)."""
    body = getattr(http_response, "content", None)
    if model.has_streaming_output or not isinstance(body, (bytes, bytearray)):
        return  # a streamed body is read by its caller; no body at all is botocore's to judge
    announced = (getattr(http_response, "headers", None) or {}).get("content-length")
    if announced is not None and str(announced).strip().isdigit() \
            and int(announced) != len(body):
        raise IncompleteAnswer(f"the answer was cut short ({len(body)} bytes of the {announced} "
                               "its Content-Length announced)")
    service = model.service_model
    protocol = getattr(service, "resolved_protocol", None) or service.protocol
    if protocol in _JSON_PROTOCOLS and body.strip():
        try:
            decoded = json.loads(body)
        except ValueError:
            decoded = None
        if not isinstance(decoded, dict):
            raise IncompleteAnswer(f"the answer could not be parsed (not a JSON object, "
                                   f"{len(body)} bytes)")


# -- IAM policy documents -------------------------------------------------------------------------

_POLICY_SHAPE = "policyDocumentType"


def decode_policies(parsed: Any, model: OperationModel, **_: Any) -> None:
    """`after-call.iam`, in place of botocore's own decoder: IAM sends every policy document as
    URL-encoded JSON text. botocore decodes it leniently (a duplicate key keeps its last value);
    this decodes it with the audit's strict parser. A document that parser rejects stays text, so
    the rule that reads it reports it as unreadable, naming the resource."""
    if model.output_shape is not None:
        _decode_policies(parsed, model.output_shape)


def _decode_policies(value: Any, shape: Any) -> None:
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name not in value:
                continue
            if member.type_name == "string" and member.name == _POLICY_SHAPE:
                with contextlib.suppress(MalformedPolicy):
                    value[name] = parse_policy(value[name], f"the {name}")
            else:
                _decode_policies(value[name], member)
    elif shape.type_name == "list" and isinstance(value, list):
        for item in value:
            _decode_policies(item, shape.member)


# -- time budgets ---------------------------------------------------------------------------------


class CallBudget:
    """Every call's total time, retries included, and the retries a failing service gets.

    botocore's adaptive mode retries up to 5 times whatever failed, each attempt bounded only by
    the read timeout: an endpoint answering in 35 s made every call cost minutes. Here a call
    stops retrying once `seconds` have passed since it began (the endpoint is then not asked
    again, see UnreachableEndpoints), and a service answering 5xx (not throttling) is retried at
    most SERVER_ERROR_RETRIES times; throttling keeps adaptive mode's budget.

    `needs_retry` runs before botocore's own retry handler (it is registered on the more specific
    event name) and vetoes a retry by answering False, which botocore reads as "do not retry".
    """

    SERVER_ERROR_RETRIES: ClassVar[int] = 2

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        from botocore.retries import standard

        self.seconds = seconds
        self._clock = clock
        # botocore's own judgement of what is worth retrying: only those retries are budgeted.
        self._retryable = standard.StandardRetryConditions(max_attempts=1_000)
        self._adapter = standard.RetryEventAdapter()
        self._throttling = standard.ThrottlingErrorDetector(self._adapter)

    def before_call(self, context: dict[str, Any], **_: Any) -> None:
        context["cis_started"] = self._clock()
        context["cis_server_errors"] = 0

    def needs_retry(self, **kwargs: Any) -> bool | None:
        retry = self._adapter.create_retry_context(**kwargs)
        if not self._retryable.is_retryable(retry):
            return None  # botocore will not retry either
        context = retry.request_context
        started = context.get("cis_started")
        throttled = self._throttling.is_throttling_error_from_context(retry)
        if started is not None and self._clock() - started >= self.seconds:
            last = describe(retry.caught_exception) if retry.caught_exception is not None else \
                f"HTTP {retry.http_response.status_code}"
            # An endpoint that asked us to slow down is busy, not gone: it is asked again.
            raise CallTimedOut(f"no answer within cis_call_timeout = {self.seconds:g} s "
                               f"({retry.attempt_number} attempt(s), last: {last})",
                               endpoint_exhausted=not throttled)
        if throttled:
            return None
        status = retry.http_response.status_code if retry.http_response is not None else 0
        if status >= 500:
            context["cis_server_errors"] = context.get("cis_server_errors", 0) + 1
            if context["cis_server_errors"] > self.SERVER_ERROR_RETRIES:
                return False
        return None


# -- endpoints that cannot be reached -------------------------------------------------------------


class UnreachableEndpoints:
    """An endpoint that could not be reached through all of botocore's retries is not asked again
    this run: each later call to it fails at once. A dead region then costs one call's retries
    (and connect timeouts) per service, not one per call, resource and check.

    Keyed by (service, region): a service missing from one region (no DNS name) must not take the
    region's other services with it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._dead: dict[tuple[str, str], str | CallTimedOut] = {}

    @staticmethod
    def _key(event_name: str, context: Mapping[str, Any]) -> tuple[str, str]:
        # event_name is "<event>.<service id>.<Operation>"; the client's region is in the context.
        return event_name.split(".")[1], str(context.get("client_region"))

    def before_call(self, event_name: str, context: Mapping[str, Any], **_: Any) -> None:
        with self._lock:
            endpoint = self._dead.get(self._key(event_name, context))
        if endpoint is None:
            return
        if isinstance(endpoint, CallTimedOut):
            raise CallTimedOut(f"{endpoint}; this endpoint is not asked again this run",
                               endpoint_exhausted=False)
        from botocore.exceptions import EndpointConnectionError

        raise EndpointConnectionError(endpoint_url=f"{endpoint} (unreachable earlier in "
                                                   "this run; not tried again)")

    def after_call_error(self, event_name: str, exception: BaseException,
                         context: Mapping[str, Any], **_: Any) -> None:
        from botocore.exceptions import ConnectionError as Unreachable

        # Refused, timed out while connecting, no DNS name, proxy down: not a slow answer. Or an
        # endpoint that used up a call's whole time budget: its next call would do the same.
        dead: str | CallTimedOut | None = None
        if isinstance(exception, CallTimedOut):
            dead = exception if exception.endpoint_exhausted else None
        elif isinstance(exception, Unreachable):
            dead = str(getattr(exception, "kwargs", {}).get("endpoint_url") or exception)
        if dead is not None:
            with self._lock:
                self._dead.setdefault(self._key(event_name, context), dead)


_LOADER: Loader | None = None


def _botocore_session() -> botocore.session.Session:
    """A botocore session sharing one model loader per process: service models are parsed once,
    not once per session (xdist workers, in-process pytester runs)."""
    global _LOADER
    import botocore.handlers
    import botocore.loaders
    import botocore.session

    session = botocore.session.get_session()
    if _LOADER is None:
        _LOADER = botocore.loaders.create_loader()
    session.register_component("data_loader", _LOADER)
    # botocore-stubs type a handler as called with no argument; botocore passes them all by name.
    session.unregister("after-call.iam",
                       botocore.handlers.json_decode_policies)  # type: ignore[arg-type]
    session.register("after-call.iam", decode_policies)  # type: ignore[arg-type]
    return session


def loader() -> Loader:
    """The process's shared botocore data loader (service, paginator models)."""
    if _LOADER is None:
        _botocore_session()
    assert _LOADER is not None  # set by _botocore_session
    return _LOADER


def client_config(max_pool: int, call_timeout: float = 60.0) -> Config:
    from botocore.config import Config

    # Adaptive retries absorb throttling; explicit timeouts keep a dead region from hanging
    # the run for minutes on botocore's defaults, and no single attempt outlasts a call's budget.
    return Config(
        retries={"mode": "adaptive", "max_attempts": 5},
        connect_timeout=min(5.0, call_timeout),
        read_timeout=min(30.0, call_timeout),
        max_pool_connections=max(10, max_pool),
        user_agent_extra="pytest-cis-aws",
    )


class Aws:
    """The AWS access of one pytest process."""

    def __init__(self, settings: Settings, *, credentials: dict[str, str] | None = None,
                 calls: CallCounter | None = None) -> None:
        self.settings = settings
        self.calls = calls if calls is not None else CallCounter()
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._config = client_config(settings.max_workers, settings.call_timeout)
        self.unreachable = UnreachableEndpoints()
        self.budget = CallBudget(settings.call_timeout)
        self.session = self._build_session(credentials)

    @property
    def home_region(self) -> str:
        return self.session.region_name or DEFAULT_REGION

    def client(self, service: str, region: str | None = None) -> Any:
        """A shared client; created once per (service, region), safe to use from threads."""
        key = (service, region or self.home_region)
        with self._lock:
            if key not in self._clients:
                # The stubs know each service by its literal name; here the name is data.
                self._clients[key] = self.session.client(  # type: ignore[call-overload]
                    service,
                    region_name=key[1],
                    endpoint_url=self.settings.endpoint_url,
                    config=self._config,
                )
            return self._clients[key]

    def identity(self) -> Identity:
        with reading("sts:GetCallerIdentity", permission="sts:GetCallerIdentity"):
            answer = self.client("sts").get_caller_identity()
            return Identity(account=str(member(answer, "Account")), arn=str(member(answer, "Arn")))

    def frozen_credentials(self) -> dict[str, str] | None:
        """Credentials of an assumed role, to hand to xdist workers (never written to disk)."""
        if not self.settings.role_arn:
            return None
        credentials = self.session.get_credentials()
        if credentials is None:  # never: the session holds the keys STS returned
            return None
        creds = credentials.get_frozen_credentials()
        return {"aws_access_key_id": creds.access_key or "",
                "aws_secret_access_key": creds.secret_key or "",
                "aws_session_token": creds.token or ""}

    def _guarded(self, session: boto3.Session) -> boto3.Session:
        # before-parameter-build fires for presigned URLs too; before-call is the last stop.
        session.events.register("before-parameter-build", refuse_writes)
        session.events.register("before-call", refuse_writes)
        session.events.register("before-call", self.calls)
        session.events.register("before-call", self.unreachable.before_call)
        session.events.register("before-call", self.budget.before_call)
        # Three levels deep ("needs-retry.<service>.<Operation>"): called before botocore's own
        # retry handler, which each client registers on "needs-retry.<service>".
        # botocore reads a needs-retry handler's answer; the stubs type every handler -> None.
        session.events.register("needs-retry.*.*",
                                self.budget.needs_retry)  # type: ignore[arg-type]
        session.events.register("after-call-error", self.unreachable.after_call_error)
        session.events.register("after-call", check_answer)
        return session

    def _build_session(self, credentials: dict[str, str] | None) -> boto3.Session:
        import boto3
        from botocore.exceptions import BotoCoreError

        try:
            base = boto3.Session(profile_name=self.settings.profile,
                                 botocore_session=_botocore_session())
        except BotoCoreError as exc:  # e.g. ProfileNotFound
            raise DataUnavailable("boto3 session", describe(exc),
                                  permission="a valid AWS profile") from exc
        region = base.region_name or DEFAULT_REGION
        if credentials:
            return self._guarded(boto3.Session(region_name=region,
                                               botocore_session=_botocore_session(),
                                               **credentials))
        self._guarded(base)
        if not self.settings.role_arn:
            return base
        return self._guarded(self._assume_role(base, region))

    def _assume_role(self, base: boto3.Session, region: str) -> boto3.Session:
        import boto3

        sts = base.client("sts", region_name=region, endpoint_url=self.settings.endpoint_url,
                          config=self._config)
        with reading("sts:AssumeRole", permission=f"sts:AssumeRole on {self.settings.role_arn}"):
            creds = member(sts.assume_role(RoleArn=self.settings.role_arn,
                                           RoleSessionName=ROLE_SESSION_NAME), "Credentials")
        return boto3.Session(
            botocore_session=_botocore_session(),
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=region,
        )


if TYPE_CHECKING:
    from ..types import AwsClientFactory

    def _client_factory(aws: Aws) -> AwsClientFactory:
        # For mypy only: Aws.client is what the public `aws_client` fixture's type promises.
        return aws.client

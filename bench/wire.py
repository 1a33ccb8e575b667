"""Count the requests the moto server receives, by AWS account and operation.

A WSGI wrapper around the server (see `server.moto_server(wrap=...)`), reading only what is on
the wire: the SigV4 credential scope names the access key and the service; the operation comes
from the protocol (X-Amz-Target, the query `Action`, the RPC v2 CBOR path, or the REST method
and URI matched against botocore's service model). The access key is mapped to its account by
watching `sts:AssumeRole`: the role ARN in the request names the account, the response the key.
Any other key (the fake base credentials) is the management account.

This is the bench's own view of the calls, independent of the plugin's `--cis-api-stats`
counter, and the only one that can tell the accounts of an organization apart.
"""

from __future__ import annotations

import io
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, NamedTuple
from urllib.parse import parse_qs

from server import WsgiApp

SCOPE = re.compile(r"Credential=([^/]+)/\d{8}/[^/]+/([^/]+)/aws4_request")
ACCESS_KEY = re.compile(rb"<AccessKeyId>([^<]+)</AccessKeyId>")
ERROR_CODE = re.compile(rb'<Code>([^<]+)</Code>|"__type"\s*:\s*"(?:[^"#]*#)?([^"]+)"')
SERVICES = {"monitoring": "cloudwatch"}  # SigV4 signing name -> botocore service name


class Route(NamedTuple):
    method: str
    path: re.Pattern[str]
    query: dict[str, str | None]  # keys the URI requires, with their value if it names one
    operation: str

    def matches(self, method: str, path: str, query: dict[str, list[str]]) -> bool:
        return method == self.method and self.path.fullmatch(path) is not None and all(
            key in query and (value is None or value in query[key])
            for key, value in self.query.items())


@cache
def _rest_routes(service: str) -> tuple[Route, ...]:
    """The REST service's operations as routes, those requiring more query keys first."""
    import botocore.session

    model = botocore.session.get_session().get_service_model(service)
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        template, _, query = http["requestUri"].partition("?")
        pattern = re.sub(r"\\\{[^}]+?\\\+\\\}", ".+", re.escape(template))  # {Key+}
        pattern = re.sub(r"\\\{[^}]+?\\\}", "[^/]+", pattern)  # {Bucket}
        required = {k: (v or None) for k, _, v in (p.partition("=") for p in query.split("&"))
                    if k}
        routes.append(Route(http["method"], re.compile(pattern + "/?"), required, name))
    return tuple(sorted(routes, key=lambda r: -len(r.query)))


def rest_operation(service: str, method: str, path: str, query: dict[str, list[str]]) -> str:
    route = next((r for r in _rest_routes(service) if r.matches(method, path, query)), None)
    return route.operation if route is not None else f"{method} {path}"


def operation_of(environ: dict[str, Any], service: str, body: bytes) -> str:
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return str(target).rsplit(".", 1)[-1]
    path = str(environ.get("PATH_INFO", "/"))
    if "/operation/" in path:  # smithy RPC v2 CBOR
        return path.rsplit("/", 1)[-1]
    query = parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)
    if "form-urlencoded" in str(environ.get("CONTENT_TYPE", "")):
        query.update(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))
    if "Action" in query:
        return query["Action"][0]
    return rest_operation(service, str(environ.get("REQUEST_METHOD", "GET")), path, query)


def _read_body(environ: dict[str, Any]) -> bytes:
    """The request body, put back for the application to read."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


class Wire:
    """Requests by (account, "service:Operation"), and role assumptions by target account."""

    def __init__(self, management: str) -> None:
        self.management = management
        self._lock = threading.Lock()
        self._accounts: dict[str, str] = {}  # access key id -> account
        self.requests: Counter[tuple[str, str]] = Counter()
        # (account, operation, "status ErrorCode") for every answer with HTTP status >= 400
        self.errors: Counter[tuple[str, str, str]] = Counter()
        self.assumed: Counter[str] = Counter()  # sts:AssumeRole requests naming this account
        # time.time() when the first signed request arrived, and when the last was answered
        self.first_arrived: float | None = None
        self.last_answered: float | None = None

    def reset(self) -> None:
        """Forget the counts and times (not the keys: seeding's keys stay known)."""
        with self._lock:
            self.requests.clear()
            self.errors.clear()
            self.assumed.clear()
            self.first_arrived = self.last_answered = None

    def by_account(self) -> dict[str, dict[str, int]]:
        with self._lock:
            table: dict[str, dict[str, int]] = {}
            for (account, operation), count in sorted(self.requests.items()):
                table.setdefault(account, {})[operation] = count
            return table

    def wrap(self, app: WsgiApp) -> WsgiApp:
        def count(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            scope = SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
            if scope is None:  # unsigned: not an SDK call
                return app(environ, start_response)
            arrived = time.time()
            with self._lock:
                if self.first_arrived is None:
                    self.first_arrived = arrived
            key, signing_name = scope.groups()
            service = SERVICES.get(signing_name, signing_name)
            body = _read_body(environ)
            operation = f"{service}:{operation_of(environ, service, body)}"
            with self._lock:
                account = self._accounts.get(key, self.management)
            status: list[int] = []

            def record_status(code: str, headers: Any, *rest: Any) -> Any:
                status.append(int(code.split()[0]))
                return start_response(code, headers, *rest)

            answer = b"".join(_drain(app(environ, record_status)))
            self._record(account, operation, status[0] if status else 0, body, answer)
            with self._lock:
                self.last_answered = max(self.last_answered or 0.0, time.time())
            return [answer]

        return count

    def _record(self, account: str, operation: str, status: int, body: bytes,
                answer: bytes) -> None:
        with self._lock:
            self.requests[account, operation] += 1
            if status >= 400:
                self.errors[account, operation, f"{status} {error_code(answer)}".strip()] += 1
            if operation != "sts:AssumeRole":
                return
            arn = parse_qs(body.decode("utf-8", "replace")).get("RoleArn", [""])[0]
            target = arn.split(":")[4] if arn.count(":") >= 5 else "?"
            self.assumed[target] += 1
            if (issued := ACCESS_KEY.search(answer)) is not None:
                self._accounts[issued.group(1).decode()] = target


def error_code(answer: bytes) -> str:
    """The AWS error code in an error response (query/REST XML or JSON), if there is one."""
    found = ERROR_CODE.search(answer)
    return next((g.decode() for g in found.groups() if g), "") if found else ""


def _drain(chunks: Iterable[bytes]) -> Iterable[bytes]:
    try:
        yield from chunks
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()

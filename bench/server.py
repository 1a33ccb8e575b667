"""The moto server of the benchmark: in this process, on 127.0.0.1, on an ephemeral port.

moto has no Cost and Usage Report API (moto_coverage.md G16): its server answers
`cur:DescribeReportDefinitions` with HTTP 500, which botocore's adaptive retry mode retries with
back-off, about 17 s per audit that would swamp every other timing. The bench answers that one
operation itself, as AWS does for an account without reports: an empty list.

moto also dates every credential report 2015-02-02T20:02:02Z. Against that date every user looks
created after the report was made, and the checks that read the report end in *error* (the
report is stale) instead of judging it. The bench gives `iam:GetCredentialReport` the time it
answers instead, as AWS gives the time it made the report (the bench generates it just before).
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

STUBBED: dict[str, dict[str, Any]] = {
    "AWSOrigamiServiceGatewayService.DescribeReportDefinitions": {"ReportDefinitions": []},
}


MOTO_REPORT_DATE = b"<GeneratedTime>2015-02-02T20:02:02Z</GeneratedTime>"


def _dated_now(app: WsgiApp, environ: dict[str, Any],
               start_response: Callable[..., Any]) -> Iterable[bytes] | None:
    """An iam:GetCredentialReport answer dated now (None: not that request)."""
    if "form-urlencoded" not in str(environ.get("CONTENT_TYPE", "")):
        return None
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)  # put back for the application
    if b"Action=GetCredentialReport" not in body:
        return None
    now = f"<GeneratedTime>{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%SZ}</GeneratedTime>"
    held: list[Any] = []

    def hold(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
        held[:] = [status, headers, *rest]
        return lambda data: None  # the legacy write(): moto's werkzeug app does not use it

    chunks = app(environ, hold)
    try:
        answer = b"".join(chunks).replace(MOTO_REPORT_DATE, now.encode())
    finally:
        getattr(chunks, "close", lambda: None)()
    status, headers, *rest = held
    headers = [(k, str(len(answer)) if k.lower() == "content-length" else v) for k, v in headers]
    start_response(status, headers, *rest)
    return [answer]


def with_stubs(app: WsgiApp) -> WsgiApp:
    """`app`, except for the operations in STUBBED (JSON protocol, by X-Amz-Target), and the
    credential report's date."""

    def answer(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        stub = STUBBED.get(environ.get("HTTP_X_AMZ_TARGET", ""))
        if stub is None:
            dated = _dated_now(app, environ, start_response)
            return app(environ, start_response) if dated is None else dated
        body = json.dumps(stub).encode()
        start_response("200 OK", [("Content-Type", "application/x-amz-json-1.1"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    return answer


@contextmanager
def moto_server(stub: bool = True,
                wrap: Callable[[WsgiApp], WsgiApp] | None = None) -> Iterator[str]:
    """Yield the endpoint URL of a ThreadedMotoServer (with the stubs above, unless not);
    `wrap`, if given, wraps the whole application (stubs included), e.g. to count requests."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    wsgi = server._server  # the werkzeug server; it looks its app up on every request
    if stub and wsgi is not None:
        wsgi.app = with_stubs(wsgi.app)
    if wrap is not None:
        if wsgi is None:
            raise RuntimeError("the moto server exposes no WSGI application to wrap")
        wsgi.app = wrap(wsgi.app)
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()

"""The moto server of the benchmark: in this process, on 127.0.0.1, on an ephemeral port.

moto has no Cost and Usage Report API (moto_coverage.md G16): its server answers
`cur:DescribeReportDefinitions` with HTTP 500, which botocore's adaptive retry mode retries with
back-off, about 17 s per audit that would swamp every other timing. The bench answers that one
operation itself, as AWS does for an account without reports: an empty list.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

STUBBED: dict[str, dict[str, Any]] = {
    "AWSOrigamiServiceGatewayService.DescribeReportDefinitions": {"ReportDefinitions": []},
}


def with_stubs(app: WsgiApp) -> WsgiApp:
    """`app`, except for the operations in STUBBED (JSON protocol, by X-Amz-Target)."""

    def answer(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        stub = STUBBED.get(environ.get("HTTP_X_AMZ_TARGET", ""))
        if stub is None:
            return app(environ, start_response)
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

"""Turn botocore's exceptions into `DataUnavailable` that say honestly what went wrong.

"needs permission X" is written only when AWS refused the read; a service that failed, an
endpoint that does not offer the operation, an answer that could not be parsed or an endpoint that
ran out of time each say so instead. No raw response body reaches the message.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import REFUSAL_CODES, DataUnavailable
from ..text import printable


class MalformedResponse(Exception):
    """A successful AWS answer that breaks its API model: a member of the wrong type, or one
    AWS always sends missing (`member`).

    `reading` turns it into DataUnavailable ("unexpected response shape (KIND: message)"): the
    checks that need the data end in error instead of judging text where a boolean or a list
    should be. Only this, IncompleteAnswer and botocore's own errors do: a KeyError or TypeError
    from our own code is a bug, and propagates as one. `kind` names the fault ("KeyError": a
    member missing) and the message says which.
    """

    def __init__(self, message: str, *, kind: str = "MalformedResponse") -> None:
        super().__init__(message)
        self.kind = kind


def member(answer: Mapping[str, Any], name: str) -> Any:
    """`answer[name]`, where AWS always sends `name`: an answer without it is malformed (not
    "nothing there", and not a bug of ours), so `reading` reports it naming the member."""
    if not isinstance(answer, Mapping):
        raise MalformedResponse(f"{type(answer).__name__} where a structure with {name!r} "
                                "should be", kind="TypeError")
    if name not in answer:
        raise MalformedResponse(repr(name), kind="KeyError")
    return answer[name]


class IncompleteAnswer(ValueError):
    """An answer that cannot be read whole: a body that does not parse or is cut short, pages
    that end without their last one or never end. Its message is the whole reason."""


class CallTimedOut(Exception):
    """A call that got no usable answer within its total time budget (cis_call_timeout), retries
    included; its message is the whole reason. `endpoint_exhausted`: the endpoint itself failed
    to answer in time (not throttling), so it is not worth asking again this run."""

    def __init__(self, message: str, *, endpoint_exhausted: bool = True) -> None:
        super().__init__(message)
        self.endpoint_exhausted = endpoint_exhausted


# Rejected credentials: granting a permission does not help, new credentials do.
CREDENTIAL_CODES = frozenset({
    "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException",
    "AuthFailure", "SignatureDoesNotMatch", "InvalidSignatureException", "IncompleteSignature",
    "MissingAuthenticationToken", "InvalidAccessKeyId", "RequestExpired",
})
# The endpoint (an emulator, a partition, a proxy) does not have this operation at all.
NOT_OFFERED_CODES = frozenset({
    "UnknownOperation", "UnknownOperationException", "InvalidAction", "NotImplemented",
    "NotImplementedException", "InvalidActionException",
})
# botocore's own list (retries/standard.py), kept to the codes a 5xx can carry: a 5xx that is
# throttling is "slow down", not "the service failed".
THROTTLING_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
    "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown",
    "PriorRequestNotComplete", "EC2ThrottledException", "TransactionInProgressException",
})


def _status(exc: BaseException) -> int | None:
    response: dict[str, Any] = getattr(exc, "response", None) or {}
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status if isinstance(status, int) else None


def error_code(exc: BaseException) -> str:
    """The AWS error code of a ClientError ('' otherwise); HTTP 401/403 always reads as a denial."""
    response: dict[str, Any] = getattr(exc, "response", None) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    status = _status(exc)
    # JSON-protocol services can answer a denial with an XML body; botocore then reports the
    # code as '403'. A 401/403 is a denial whatever the code string says.
    if status in (401, 403) and code in ("", "401", "403", "Forbidden", "Unauthorized"):
        return "AccessDenied"
    return code


def _message(exc: BaseException) -> str:
    response: dict[str, Any] = getattr(exc, "response", None) or {}
    message = str(response.get("Error", {}).get("Message", "")).strip()
    return "" if message.startswith("<") else message  # an XML body: not for the reader


def _client_error(exc: BaseException) -> tuple[str, bool]:
    code = error_code(exc)
    status = _status(exc)
    message = _message(exc)
    if code.isdigit():  # botocore's stand-in when the body named no code
        code = ""
    said = f"{code}: {message}" if code and message else code or message or f"HTTP {status}"
    if code in REFUSAL_CODES:
        return said, True
    if code in CREDENTIAL_CODES:
        return f"{said} (the credentials were not accepted)", False
    if code in NOT_OFFERED_CODES or status == 501 or (
            status == 404 and code in ("", "NotFound") and not message):
        return f"the endpoint does not offer this operation ({said})", False
    if status is not None and status >= 500:
        if code in THROTTLING_CODES:
            return f"{said} (still throttled after the retries)", False
        return f"the service failed (HTTP {status}, {said})", False
    if code in THROTTLING_CODES:
        return f"{said} (still throttled after the retries)", False
    return said, False


def _unresolved_host(exc: BaseException) -> bool:
    """Whether a connection failed because the endpoint's host name does not exist."""
    import socket

    from urllib3 import exceptions

    error = getattr(exc, "kwargs", {}).get("error")
    unresolved = (socket.gaierror, getattr(exceptions, "NameResolutionError", socket.gaierror))
    return isinstance(error, unresolved)


def _parse_error(exc: BaseException) -> str:
    # botocore appends the raw body to the message: only the parser's own complaint is kept.
    detail = re.match(r"Unable to parse response \(([^()\n]{1,160})\)", str(exc))
    return ("the answer could not be parsed"
            + (f" ({printable(detail.group(1), 160)})" if detail else " (invalid body)"))


def explain(exc: BaseException) -> tuple[str, bool]:
    """(the reason a read failed, whether AWS refused it), for any error botocore can raise."""
    from botocore.exceptions import (
        ClientError,
        ConnectionClosedError,
        EndpointConnectionError,
        IncompleteReadError,
    )
    from botocore.parsers import ResponseParserError

    if isinstance(exc, ClientError):
        return _client_error(exc)
    if isinstance(exc, CallTimedOut):
        return printable(exc, 300), False
    if isinstance(exc, ResponseParserError):
        return _parse_error(exc), False
    if isinstance(exc, (IncompleteReadError, ConnectionClosedError)) or _cut_short(exc):
        return f"the answer was cut short ({type(exc).__name__})", False
    if isinstance(exc, EndpointConnectionError) and _unresolved_host(exc):
        url = getattr(exc, "kwargs", {}).get("endpoint_url", "")
        return printable(f"no endpoint answers at {url}: the host name does not resolve (the "
                         "service may not be offered in this region)", 300), False
    return printable(f"{type(exc).__name__}: {exc}", 300), False


def _cut_short(exc: BaseException) -> bool:
    import http.client

    from urllib3.exceptions import ProtocolError

    return isinstance(exc, (http.client.IncompleteRead, http.client.HTTPException, ProtocolError))


def describe(exc: BaseException) -> str:
    return explain(exc)[0]


@contextlib.contextmanager
def reading(operation: str, *, region: str | None = None,
            permission: str | None = None) -> Iterator[None]:
    """Any botocore failure inside, or an answer that breaks its model (MalformedResponse,
    IncompleteAnswer), becomes DataUnavailable for `operation` (e.g. 'iam:GetUser')."""
    import http.client

    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError
    from urllib3.exceptions import HTTPError as Urllib3Error

    try:
        yield
    except (ClientError, BotoCoreError, ResponseParserError, http.client.HTTPException,
            Urllib3Error, CallTimedOut) as exc:
        reason, refused = explain(exc)
        raise DataUnavailable(operation, reason, permission=permission, region=region,
                              refused=refused) from exc
    except IncompleteAnswer as exc:
        raise DataUnavailable(operation, printable(exc, 300), permission=permission,
                              region=region, refused=False) from exc
    except MalformedResponse as exc:
        # Malformed or partial data: not a verdict we can stand behind. Nothing else is caught
        # here: a KeyError or TypeError from our own code is a bug, never "could not read".
        raise DataUnavailable(operation, f"unexpected response shape ({exc.kind}: "
                              f"{printable(exc, 120)})", permission=permission,
                              region=region, refused=False) from exc

"""Turn botocore's exceptions into `DataUnavailable`, naming the operation and the permission."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from ..errors import DataUnavailable
from ..text import printable


class MalformedResponse(ValueError):
    """A successful AWS answer whose data does not have the types its API model says.

    A ValueError, so `reading` reports it like any other unexpected shape: the checks that need
    the data end in error instead of judging text where a boolean or a list should be.
    """


def error_code(exc: BaseException) -> str:
    """The AWS error code of a ClientError ('' otherwise); HTTP 403 always reads as AccessDenied."""
    response: dict[str, Any] = getattr(exc, "response", None) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    # JSON-protocol services can answer a denial with an XML body; botocore then reports the
    # code as '403'. A 403 is a denial whatever the code string says.
    if status == 403 and code in ("", "403", "Forbidden"):
        return "AccessDenied"
    return code


def describe(exc: BaseException) -> str:
    response: dict[str, Any] = getattr(exc, "response", None) or {}
    if response:
        code = error_code(exc) or "error"
        message = str(response.get("Error", {}).get("Message", "")).strip()
        if message.startswith("<"):  # an XML body: keep it short
            message = ""
        return printable(f"{code}: {message}" if message else code, 300)
    return printable(f"{type(exc).__name__}: {exc}", 300)


@contextlib.contextmanager
def reading(operation: str, *, region: str | None = None,
            permission: str | None = None) -> Iterator[None]:
    """Any botocore failure inside becomes DataUnavailable for `operation` (e.g. 'iam:GetUser')."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise DataUnavailable(operation, describe(exc), permission=permission,
                              region=region) from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # Malformed or partial data: not a verdict we can stand behind.
        raise DataUnavailable(operation, f"unexpected response shape ({type(exc).__name__}: "
                              f"{printable(exc, 120)})", permission=permission,
                              region=region) from exc

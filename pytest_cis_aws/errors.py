"""Exceptions that carry an honest outcome: the data could not be read, or a check was misused."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .text import printable


class CouldNotEvaluate(Exception):
    """The check could not decide: it ends in *error*, never in a pass or a fail."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# The answers that mean AWS refused this identity the read: only then does the message ask for a
# permission. Throttling, a failing service or a missing endpoint is not fixed by granting one.
REFUSAL_CODES = frozenset({
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess",
    "AuthorizationError", "AuthorizationErrorException", "Forbidden", "ForbiddenException",
    "NotAuthorized", "NotAuthorizedException", "UnauthorizedException", "AccessDeniedFault",
    "AllAccessDisabled",
})


def is_refusal(reason: str) -> bool:
    """Whether a reason ('AccessDenied: ...') starts with a code that means "you may not"."""
    return re.split(r"[:\s(]", reason.strip(), maxsplit=1)[0] in REFUSAL_CODES


class DataUnavailable(CouldNotEvaluate):
    """An AWS read failed (access denied, throttled past the retries, a region that did not answer).

    It names the operation; when AWS refused the read (and only then) also the IAM permission the
    read needs, so the reader knows what to grant. `refused` defaults to what the reason's error
    code says.
    """

    def __init__(
        self,
        operation: str,
        reason: str,
        *,
        permission: str | None = None,
        region: str | None = None,
        refused: bool | None = None,
    ) -> None:
        self.operation = operation
        self.reason = reason
        self.permission = permission or operation
        self.region = region
        self.refused = is_refusal(reason) if refused is None else refused
        where = f" in {region}" if region else ""
        grant = f" (needs permission {self.permission})" if self.refused else ""
        super().__init__(f"could not read {operation}{where}: {reason}{grant}")

    def to_dict(self) -> dict[str, str | bool | None]:
        return {
            "operation": self.operation,
            "reason": self.reason,
            "permission": self.permission,
            "region": self.region,
            "refused": self.refused,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DataUnavailable:
        refused = data.get("refused")
        return cls(
            str(data["operation"]),
            str(data["reason"]),
            permission=data.get("permission"),
            region=data.get("region"),
            refused=None if refused is None else bool(refused),
        )


PLUGIN_BUG = "pytest-cis-aws bug"


def plugin_bug(exc: BaseException) -> str:
    """The first line of a check that crashed in our own code: it says plainly that this is a
    bug in the plugin (to report, with the traceback), not data AWS failed to give."""
    text = printable(exc, 200)
    said = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return (f"{PLUGIN_BUG}: {said} (a bug in pytest-cis-aws, not an AWS read failure: please "
            "report it with the traceback below)")


class ReadOnlyViolation(Exception):
    """A check or an organisation test tried to call an AWS operation that is not a read."""

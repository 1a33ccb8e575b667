"""Exceptions that carry an honest outcome: the data could not be read, or a check was misused."""

from __future__ import annotations


class CouldNotEvaluate(Exception):
    """The check could not decide: it ends in *error*, never in a pass or a fail."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DataUnavailable(CouldNotEvaluate):
    """An AWS read failed (access denied, throttled past the retries, a region that did not answer).

    It names the operation and the IAM permission the read needs, so the reader knows what to grant.
    """

    def __init__(
        self,
        operation: str,
        reason: str,
        *,
        permission: str | None = None,
        region: str | None = None,
    ) -> None:
        self.operation = operation
        self.reason = reason
        self.permission = permission or operation
        self.region = region
        where = f" in {region}" if region else ""
        super().__init__(
            f"could not read {operation}{where}: {reason} (needs permission {self.permission})"
        )

    def to_dict(self) -> dict[str, str | None]:
        return {
            "operation": self.operation,
            "reason": self.reason,
            "permission": self.permission,
            "region": self.region,
        }

    @classmethod
    def from_dict(cls, data: dict[str, str | None]) -> DataUnavailable:
        return cls(
            str(data["operation"]),
            str(data["reason"]),
            permission=data.get("permission"),
            region=data.get("region"),
        )


class ReadOnlyViolation(Exception):
    """A check or an organisation test tried to call an AWS operation that is not a read."""

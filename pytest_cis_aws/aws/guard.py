"""Read-only by construction: refuse any AWS operation that is not a read, before it is sent."""

from __future__ import annotations

from typing import Any

from ..errors import ReadOnlyViolation

READ_PREFIXES = ("Describe", "Get", "List", "Head", "BatchGet", "Lookup", "Search")
ALLOWED_OPERATIONS = frozenset({"GenerateCredentialReport", "AssumeRole", "GetCallerIdentity"})
# Reads by name whose effect is not a read: they mint credentials or change state.
REFUSED_OPERATIONS = frozenset({"GetSessionToken", "GetFederationToken"})


def is_read(operation_name: str) -> bool:
    if operation_name in ALLOWED_OPERATIONS:
        return True
    if operation_name in REFUSED_OPERATIONS:
        return False
    return operation_name.startswith(READ_PREFIXES)


def refuse_writes(model: Any, **_: Any) -> None:
    """botocore `before-call` handler: runs after parameters are built, before any request."""
    name = model.name
    if not is_read(name):
        service = model.service_model.service_name
        raise ReadOnlyViolation(
            f"pytest-cis-aws is read-only: refused {service}:{name} before it was sent "
            "(only Describe*, Get*, List*, Head*, BatchGet*, Lookup*, Search*, "
            "GenerateCredentialReport, AssumeRole and GetCallerIdentity are allowed)"
        )

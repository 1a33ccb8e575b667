"""One strict reader for every policy document the audit judges (IAM, trust, bucket policies).

A policy is judged statement by statement, so what reaches a rule must be what AWS enforces. A
lenient parser would hide the difference: with duplicate keys Python's json keeps the last value
(`{"Effect": "Allow", ..., "Effect": "Deny"}` reads as a Deny), a `Statement` that is a string
reads as no statements. Such a document is an error naming its source, never a verdict.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote


class MalformedPolicy(ValueError):
    """A policy document that is not a JSON object with a `Statement` of objects."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise MalformedPolicy(f"duplicate key {key!r}")
        found[key] = value
    return found


def _decode(text: str) -> Any:
    # IAM sends documents URL-encoded ("%7B%22Version..."); S3 and others send plain JSON, which
    # may hold a literal "%" (a condition value) that unquoting would corrupt.
    stripped = text.strip()
    if not stripped.startswith("{"):
        stripped = unquote(stripped).strip()
    return json.loads(stripped, object_pairs_hook=_no_duplicates)


def _check_shape(document: Any) -> dict[str, Any]:
    if not isinstance(document, Mapping):
        raise MalformedPolicy(f"a JSON {type(document).__name__}, not an object")
    if "Statement" not in document:
        raise MalformedPolicy("no Statement")
    statement = document["Statement"]
    items = statement if isinstance(statement, list) else [statement]
    if not all(isinstance(item, Mapping) for item in items):
        raise MalformedPolicy("its Statement is not an object or a list of objects")
    return dict(document)


def parse_policy(document: Any, source: str) -> dict[str, Any]:
    """The document as a dict, from URL-encoded or plain JSON text or an already decoded dict.

    `source` names where it came from ("iam:GetAccountAuthorizationDetails <arn> v3"); every
    error says it, so the reader can look at the very document.
    """
    try:
        decoded = _decode(document) if isinstance(document, str) else document
        return _check_shape(decoded)
    except MalformedPolicy as exc:
        raise MalformedPolicy(f"malformed policy document from {source}: {exc}") from None
    except ValueError as exc:  # json.JSONDecodeError
        raise MalformedPolicy(f"malformed policy document from {source}: not valid JSON "
                              f"({exc})") from None


def statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The statements of a parsed document: one object or a list of them."""
    found = document.get("Statement", [])
    return [found] if isinstance(found, Mapping) else list(found)

"""What each monitoring alarm (CIS v1.1.0 3.1–3.14) asks a metric filter to catch.

Everything here is keyed by meaning, the alarm's name in its rule: ``unauthorized_api_calls``
for ``monitoring.alarm.unauthorized_api_calls`` (3.1 in v1.1.0), ``console_signin_without_mfa``
(3.2), and so on. A benchmark says which id asks for which meaning; the corpora do not change
with the id.

A filter is judged by meaning: it is evaluated (``filterpattern``) against a corpus of
CloudTrail-shaped events and compared with what the benchmark's own pattern matches there.
Whitespace, quoting, clause order and redundant parentheses therefore cannot matter, and a filter
that drops a required event name, or adds a narrowing term, is caught by the event it misses.

The corpora are data (``metric_filter_corpus``): per alarm, the events the benchmark's
pattern matches (a filter must match them all), the routine events it deliberately leaves out (a
filter that matches one would alarm on routine activity, and fails), and neighbouring events a
wider but still specific filter may catch (counted under ``covers`` with a note). So "covers"
still means the same alarm: a catch-all such as ``{ $.eventName = "*" }`` covers every required
event and fails all fourteen.

The reference patterns are the benchmark's, with the typos of its printed text corrected:

* 3.7 and 3.8 print ``$eventSource`` / ``$eventName`` without the dot (3.8 only for
  ``PutBucketAcl``); the reference writes ``$.eventSource`` / ``$.eventName``.
* 3.11's audit step omits ``ReplaceNetworkAclEntry``, which its remediation command includes;
  replacing an entry is a NACL change, so the reference lists all six names.
* The notes after 3.3 give 3.2 as ``MFAUsed != "No"``, the inverse of the audit and remediation
  text (``!= "Yes"``); the reference follows the audit and remediation.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any, Literal

from pytest_cis_aws import catalog
from pytest_cis_aws.rules.filterpattern import FilterPattern, FilterPatternError, parse
from pytest_cis_aws.rules.metric_filter_corpus import CORPUS_DATA, ROUTINE

__all__ = [
    "CORPUS",
    "REFERENCE_PATTERNS",
    "RULE_PREFIX",
    "CorpusEvent",
    "FilterJudgement",
    "Kind",
    "Mode",
    "expand",
    "judge",
]

Mode = Literal["covers", "equivalent"]
Kind = Literal["match", "routine", "wider"]


# An alarm's rule is this prefix and its meaning: "monitoring.alarm.unauthorized_api_calls".
RULE_PREFIX = "monitoring.alarm."

# The benchmark's own patterns, typos corrected, by meaning: the catalog holds them by rule name
# (its remediation commands print them too).
REFERENCE_PATTERNS: Mapping[str, str] = MappingProxyType(
    {rule.removeprefix(RULE_PREFIX): pattern
     for rule, pattern in catalog.METRIC_FILTER_PATTERNS.items() if rule.startswith(RULE_PREFIX)})


# --------------------------------------------------------------------------------------------
# CloudTrail-shaped events (record version 1.05, as CloudTrail wrote them when v1.1.0 was current)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusEvent:
    """One CloudTrail event with a short label, and what a filter must do with it.

    ``kind``: ``match`` (the benchmark's pattern matches it: a filter must), ``routine`` (left out
    on purpose: a filter must not) or ``wider`` (left out, but a specific alarm may catch it).
    ``later``: for a ``match`` event, how later CIS versions treat it. The events are shared
    module data: read them, don't mutate them.
    """

    label: str
    event: Mapping[str, Any]
    kind: Kind
    later: str | None = None

    @property
    def required(self) -> bool:
        return self.kind == "match"


_ACCOUNT = "123456789012"
_IP = "198.51.100.7"
_CLI_AGENT = "aws-cli/1.14.2 Python/3.6.3 Linux/4.9.62-21.56.amzn1.x86_64 botocore/1.8.6"
_SHORTHANDS = ("label", "later", "caller", "invokedBy")


def _identity(caller: str, invoked_by: str | None) -> dict[str, Any]:
    """The userIdentity block of a caller kind; ``Kind@account`` is an identity of that account."""
    kind, _, account = caller.partition("@")
    account = account or _ACCOUNT
    iam, sts = f"arn:aws:iam::{account}", f"arn:aws:sts::{account}"
    issuer_user = {"type": "IAMUser", "principalId": "AIDAJ45Q7YFFAREXAMPLE",
                   "arn": f"{iam}:user/alice", "accountId": account, "userName": "alice"}
    identities: dict[str, dict[str, Any]] = {
        "IAMUser": {"type": "IAMUser", "principalId": "AIDAJ45Q7YFFAREXAMPLE",
                    "arn": f"{iam}:user/alice", "accountId": account,
                    "accessKeyId": "AKIAIOSFODNN7EXAMPLE", "userName": "alice"},
        "AssumedRole": {
            "type": "AssumedRole", "principalId": "AROAJQABLZS4A7EXAMPLE:bob",
            "arn": f"{sts}:assumed-role/Admin/bob", "accountId": account,
            "accessKeyId": "ASIAJ7N2YPGAEXAMPLE",
            "sessionContext": {
                "attributes": {"mfaAuthenticated": "true",
                               "creationDate": "2017-11-30T09:58:11Z"},
                "sessionIssuer": {"type": "Role", "principalId": "AROAJQABLZS4A7EXAMPLE",
                                  "arn": f"{iam}:role/Admin", "accountId": account,
                                  "userName": "Admin"}}},
        "Root": {"type": "Root", "principalId": account, "arn": f"{iam}:root",
                 "accountId": account, "accessKeyId": "ASIAJ3XRJ2Q7EXAMPLE"},
        "FederatedUser": {
            "type": "FederatedUser", "principalId": f"{account}:carol",
            "arn": f"{sts}:federated-user/carol", "accountId": account,
            "accessKeyId": "ASIAIFEDERATEDEXAMPLE",
            "sessionContext": {"attributes": {"mfaAuthenticated": "false",
                                              "creationDate": "2017-11-30T09:40:02Z"},
                               "sessionIssuer": issuer_user}},
        "AWSService": {"type": "AWSService", "invokedBy": invoked_by or "AWS Internal"},
        "SAMLUser": {"type": "SAMLUser", "principalId": "SampleUkh1i4+ExamplexL/jEvs=:dave",
                     "userName": "dave", "identityProvider": "bdGOnTesti4+ExampleGTXBLh8v="},
        "WebIdentityUser": {"type": "WebIdentityUser",
                            "principalId": "accounts.google.com:app-1234:erin",
                            "userName": "erin", "identityProvider": "accounts.google.com"},
    }
    if kind not in identities:
        raise ValueError(f"no such caller kind: {caller}")
    identity = identities[kind]
    if invoked_by is not None:
        identity["invokedBy"] = invoked_by
    return identity


def expand(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A whole CloudTrail record from a corpus entry: its fields over a plain API call's.

    ``caller`` (default IAMUser) becomes the userIdentity block; ``invokedBy`` is added to it,
    and for an AWSService caller is also where the call comes from (sourceIPAddress, userAgent).
    """
    caller, invoked_by = str(spec.get("caller", "IAMUser")), spec.get("invokedBy")
    by_service = caller == "AWSService" and invoked_by is not None
    event: dict[str, Any] = {
        "eventVersion": "1.05",
        "userIdentity": _identity(caller, invoked_by),
        "eventTime": "2017-11-30T10:15:42Z",
        "awsRegion": "us-east-1",
        "sourceIPAddress": invoked_by if by_service else _IP,
        "userAgent": invoked_by if by_service else _CLI_AGENT,
        "requestParameters": None,
        "responseElements": None,
        "requestID": "6d3c1c4e-d5a4-11e7-9296-cb4e8bEXAMPLE",
        "eventType": "AwsApiCall",
        "recipientAccountId": _ACCOUNT,
    }
    event.update({key: value for key, value in spec.items() if key not in _SHORTHANDS})
    # A stable, distinct eventID per event, as CloudTrail gives every record one.
    event["eventID"] = str(uuid.uuid5(uuid.NAMESPACE_URL, repr(sorted(event.items(), key=str))))
    return event


def _frozen(value: Any) -> Any:
    """Read-only views all the way down: the corpus is shared by every judgement."""
    if isinstance(value, dict):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    return value


def _corpus(block: Mapping[str, Any]) -> tuple[CorpusEvent, ...]:
    kinds: tuple[tuple[Kind, Iterable[Mapping[str, Any]]], ...] = (
        ("match", block["match"]),
        ("routine", (*block["routine"], *ROUTINE)),
        ("wider", block["wider"]),
    )
    return tuple(CorpusEvent(str(spec["label"]), _frozen(expand(spec)), kind, spec.get("later"))
                 for kind, specs in kinds for spec in specs)


CORPUS: Mapping[str, tuple[CorpusEvent, ...]] = MappingProxyType(
    {meaning: _corpus(block) for meaning, block in CORPUS_DATA.items()}
)


# --------------------------------------------------------------------------------------------
# Judging a filter
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterJudgement:
    """How a metric filter compares with the benchmark's pattern on the alarm's corpus."""

    satisfies: bool  # counts for the alarm under the mode asked for
    wider: bool  # also matches events the reference leaves out (wider or routine ones)
    missed: tuple[str, ...]  # labels of required events the filter does not match
    extra: tuple[str, ...]  # labels of "wider" events it matches: specific, noted
    error: str | None = None  # "could not parse: <one-line reason>" (then satisfies is False)
    tolerated: tuple[str, ...] = ()  # liberties taken reading the pattern, e.g. `$eventName`
    routine: tuple[str, ...] = ()  # labels of routine events it matches: it would alarm on them
    later: tuple[str, ...] = ()  # "label: how later CIS versions treat it", for missed events

    @property
    def note(self) -> str:
        """One readable sentence for a report."""
        if self.error is not None:
            return self.error
        parts = []
        if self.missed:
            missed = "misses: " + ", ".join(self.missed)
            if self.later:
                missed += " [" + "; ".join(self.later) + "]"
            parts.append(missed)
        if self.routine:
            more = len(self.routine) - 1
            parts.append(f"would alarm on routine activity, such as {self.routine[0]}"
                         + (f" (and {more} more)" if more else ""))
        elif self.extra:  # beside routine activity, the wider events are beside the point
            parts.append("wider than the benchmark: also matches " + ", ".join(self.extra))
        sentence = "; ".join(parts) or "matches every required event"
        if self.tolerated:
            sentence += " (read " + ", ".join(self.tolerated) + ")"
        return sentence


def judge(meaning: str, pattern_text: str, mode: Mode = "covers") -> FilterJudgement:
    """Judge a metric filter pattern for the alarm ``meaning`` ("unauthorized_api_calls", ...).

    ``covers``: it matches every event the benchmark's pattern matches and no routine event;
    matching a "wider" event is allowed (and noted). ``equivalent``: additionally it matches no
    event the benchmark's pattern leaves out. A pattern that cannot be parsed is judged, never
    raised; an unknown ``meaning`` is a KeyError.
    """
    if meaning not in CORPUS:
        raise KeyError(f"no metric-filter alarm {meaning!r}; known: {', '.join(CORPUS)}")
    if mode not in ("covers", "equivalent"):
        raise ValueError(f"mode must be 'covers' or 'equivalent', not {mode!r}")
    try:
        candidate = parse(pattern_text)
    except FilterPatternError as exc:
        return FilterJudgement(False, False, (), (), error=f"could not parse: {exc}")
    missed: list[CorpusEvent] = []
    routine: list[str] = []
    extra: list[str] = []
    for item in CORPUS[meaning]:
        got = candidate.matches(item.event)
        if item.kind == "match" and not got:
            missed.append(item)
        elif item.kind == "routine" and got:
            routine.append(item.label)
        elif item.kind == "wider" and got:
            extra.append(item.label)
    satisfies = not missed and not routine and (mode == "covers" or not extra)
    return FilterJudgement(
        satisfies, bool(extra or routine), tuple(e.label for e in missed), tuple(extra),
        tolerated=candidate.tolerated, routine=tuple(routine),
        later=tuple(f"{e.label}: {e.later}" for e in missed if e.later))


@cache
def reference(meaning: str) -> FilterPattern:
    """The benchmark's pattern for the alarm ``meaning``, parsed."""
    return parse(REFERENCE_PATTERNS[meaning])

"""What each CIS v1.1.0 monitoring recommendation (3.1–3.14) asks a metric filter to catch.

A filter is judged by meaning: it is evaluated (``filterpattern``) against a corpus of
CloudTrail-shaped events and compared with what the benchmark's own pattern matches there.
Whitespace, quoting, clause order and redundant parentheses therefore cannot matter, and a filter
that drops a required event name, or adds a narrowing term, is caught by the event it misses.

Each corpus holds every event the benchmark's pattern is meant to catch (all the event names it
lists, by several kinds of identity, in several regions, plus a denied attempt) and near misses:
other event names, including prefix and suffix traps (``CreateRoute``/``CreateTransitGatewayRoute``,
``DisableKey``/``DisableKeyRotation``), the same name from another ``eventSource``, console
sign-ins with MFA, root events invoked by a service, errors that are not access errors.

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

__all__ = [
    "CORPUS",
    "REFERENCE_PATTERNS",
    "CorpusEvent",
    "FilterJudgement",
    "Mode",
    "judge",
]

Mode = Literal["covers", "equivalent"]


# The benchmark's own patterns, typos corrected: the catalog holds them (its remediation
# commands print them too).
REFERENCE_PATTERNS: Mapping[str, str] = MappingProxyType(catalog.METRIC_FILTER_PATTERNS)


# --------------------------------------------------------------------------------------------
# CloudTrail-shaped events (record version 1.05, as CloudTrail wrote them when v1.1.0 was current)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusEvent:
    """One CloudTrail event with a short label; ``required`` if the benchmark means to catch it.

    The events are shared module data: read them, don't mutate them.
    """

    label: str
    event: Mapping[str, Any]
    required: bool


_ACCOUNT = "123456789012"
_CLI_AGENT = "aws-cli/1.14.2 Python/3.6.3 Linux/4.9.62-21.56.amzn1.x86_64 botocore/1.8.6"
_BROWSER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:57.0) Gecko/20100101 Firefox/57.0"
_SIGNIN = "signin.amazonaws.com"
# Identities cycle over the required events so that a filter narrowed to one kind of caller
# (say `$.userIdentity.type = IAMUser`) misses the others.
_CALLERS = ("IAMUser", "AssumedRole", "Root")
_REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
_EC2 = "ec2.amazonaws.com"
# (errorCode, errorMessage) of a refused call: EC2's query API, IAM/S3/CloudTrail, JSON APIs.
_EC2_DENIED = "Client.UnauthorizedOperation", "You are not authorized to perform this operation."
_IAM_DENIED = "AccessDenied", "User is not authorized to perform this action."
_KMS_DENIED = "AccessDeniedException", "User is not authorized to perform this action."


def _identity(kind: str) -> dict[str, Any]:
    arn_prefix = f"arn:aws:iam::{_ACCOUNT}"
    if kind == "IAMUser":
        return {
            "type": "IAMUser",
            "principalId": "AIDAJ45Q7YFFAREXAMPLE",
            "arn": f"{arn_prefix}:user/alice",
            "accountId": _ACCOUNT,
            "accessKeyId": "AKIAIOSFODNN7EXAMPLE",
            "userName": "alice",
        }
    if kind == "AssumedRole":
        return {
            "type": "AssumedRole",
            "principalId": "AROAJQABLZS4A7EXAMPLE:bob",
            "arn": f"arn:aws:sts::{_ACCOUNT}:assumed-role/Admin/bob",
            "accountId": _ACCOUNT,
            "accessKeyId": "ASIAJ7N2YPGAEXAMPLE",
            "sessionContext": {
                "attributes": {"mfaAuthenticated": "true", "creationDate": "2017-11-30T09:58:11Z"},
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROAJQABLZS4A7EXAMPLE",
                    "arn": f"{arn_prefix}:role/Admin",
                    "accountId": _ACCOUNT,
                    "userName": "Admin",
                },
            },
        }
    if kind == "Root":
        return {
            "type": "Root",
            "principalId": _ACCOUNT,
            "arn": f"{arn_prefix}:root",
            "accountId": _ACCOUNT,
            "accessKeyId": "ASIAJ3XRJ2Q7EXAMPLE",
        }
    raise ValueError(f"no such caller kind: {kind}")


def _api_call(
    name: str,
    source: str,
    *,
    caller: str = "IAMUser",
    region: str = "us-east-1",
    error: tuple[str, str] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A management API call as CloudTrail records it; ``fields`` add or replace top-level keys."""
    event: dict[str, Any] = {
        "eventVersion": "1.05",
        "userIdentity": _identity(caller),
        "eventTime": "2017-11-30T10:15:42Z",
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": "198.51.100.7",
        "userAgent": _CLI_AGENT,
        "requestParameters": None,
        "responseElements": None,
        "requestID": "6d3c1c4e-d5a4-11e7-9296-cb4e8bEXAMPLE",
        "eventType": "AwsApiCall",
        "recipientAccountId": _ACCOUNT,
    }
    if error is not None:
        event["errorCode"], event["errorMessage"] = error
    event.update(fields)
    # A stable, distinct eventID per event, as CloudTrail gives every record one.
    event["eventID"] = str(uuid.uuid5(uuid.NAMESPACE_URL, repr(sorted(event.items()))))
    return event


def _console_login(
    caller: str, *, mfa_used: str | None, failure: str | None = None, name: str = "ConsoleLogin"
) -> dict[str, Any]:
    """A Management Console sign-in; a failed one carries ``errorMessage`` and no ``errorCode``."""
    additional: dict[str, Any] = {
        "LoginTo": "https://console.aws.amazon.com/console/home",
        "MobileVersion": "No",
    }
    if mfa_used is not None:
        additional["MFAUsed"] = mfa_used
    fields: dict[str, Any] = {
        "userAgent": _BROWSER_AGENT,
        "responseElements": {name: "Failure" if failure else "Success"},
        "additionalEventData": additional,
        "eventType": "AwsConsoleSignIn",
    }
    if failure is not None:
        fields["errorMessage"] = failure
    return _api_call(name, _SIGNIN, caller=caller, **fields)


def _required(label: str, event: dict[str, Any]) -> CorpusEvent:
    return CorpusEvent(label, MappingProxyType(event), required=True)


def _near_miss(label: str, event: dict[str, Any]) -> CorpusEvent:
    return CorpusEvent(label, MappingProxyType(event), required=False)


def _changes(
    source: str,
    required: Iterable[str],
    near_misses: Iterable[str],
    *,
    denied: tuple[str, str, str],
    regions: tuple[str, ...] = _REGIONS,
    other_source: tuple[str, str] | None = None,
) -> tuple[CorpusEvent, ...]:
    """A corpus for "alert on these API calls": each name, a denied attempt, and near misses.

    ``denied`` is (event name, errorCode, errorMessage): the benchmark's patterns also catch a
    change that was attempted and refused. ``other_source`` is (event name, eventSource): the
    same name from a service the pattern's ``eventSource`` term excludes.
    """
    events = [
        _required(
            name,
            _api_call(name, source, caller=_CALLERS[i % 3], region=regions[i % len(regions)]),
        )
        for i, name in enumerate(required)
    ]
    name, code, message = denied
    events.append(_required(f"{name} (denied)", _api_call(name, source, error=(code, message))))
    events += [_near_miss(name, _api_call(name, source)) for name in near_misses]
    if other_source is not None:
        name, elsewhere = other_source
        events.append(_near_miss(f"{name} from {elsewhere}", _api_call(name, elsewhere)))
    return tuple(events)


def _unauthorized_api_calls() -> tuple[CorpusEvent, ...]:
    iam, s3, kms = "iam.amazonaws.com", "s3.amazonaws.com", "kms.amazonaws.com"
    return (
        _required(
            "Client.UnauthorizedOperation (EC2 RunInstances)",
            _api_call("RunInstances", _EC2, region="eu-west-1", error=_EC2_DENIED),
        ),
        _required(
            "Client.UnauthorizedOperation (EC2 DescribeInstances, assumed role)",
            _api_call("DescribeInstances", _EC2, caller="AssumedRole", error=_EC2_DENIED),
        ),
        _required(
            "AccessDenied (S3 GetBucketPolicy)",
            _api_call("GetBucketPolicy", s3, error=("AccessDenied", "Access Denied")),
        ),
        _required(
            "AccessDenied (IAM ListUsers, assumed role)",
            _api_call(
                "ListUsers",
                iam,
                caller="AssumedRole",
                error=(
                    "AccessDenied",
                    "User: arn:aws:sts::123456789012:assumed-role/Admin/bob"
                    " is not authorized to perform: iam:ListUsers",
                ),
            ),
        ),
        _required(
            "AccessDeniedException (KMS DescribeKey)",
            _api_call(
                "DescribeKey",
                kms,
                region="ap-southeast-2",
                error=(
                    "AccessDeniedException",
                    "User is not authorized to perform: kms:DescribeKey",
                ),
            ),
        ),
        _near_miss("successful call (no errorCode)", _api_call("DescribeInstances", _EC2)),
        _near_miss(
            "ThrottlingException (CloudTrail LookupEvents)",
            _api_call(
                "LookupEvents",
                "cloudtrail.amazonaws.com",
                error=("ThrottlingException", "Rate exceeded"),
            ),
        ),
        _near_miss(
            "Client.RequestLimitExceeded (EC2)",
            _api_call(
                "DescribeSecurityGroups",
                _EC2,
                error=("Client.RequestLimitExceeded", "Request limit exceeded."),
            ),
        ),
        _near_miss(
            "Client.DryRunOperation (EC2 dry run that would have succeeded)",
            _api_call(
                "RunInstances",
                _EC2,
                error=(
                    "Client.DryRunOperation",
                    "Request would have succeeded, but DryRun flag is set.",
                ),
            ),
        ),
        _near_miss(
            "Client.InvalidParameterValue (EC2)",
            _api_call(
                "CreateSecurityGroup",
                _EC2,
                error=("Client.InvalidParameterValue", "Invalid value for GroupName"),
            ),
        ),
        _near_miss(
            "NoSuchEntityException (IAM GetUser)",
            _api_call(
                "GetUser",
                iam,
                error=("NoSuchEntityException", "The user with name carol cannot be found."),
            ),
        ),
    )


def _console_without_mfa() -> tuple[CorpusEvent, ...]:
    return (
        _required(
            "ConsoleLogin by an IAM user without MFA", _console_login("IAMUser", mfa_used="No")
        ),
        _required("ConsoleLogin by root without MFA", _console_login("Root", mfa_used="No")),
        _required(
            "ConsoleLogin by a federated role (MFAUsed No)",
            _console_login("AssumedRole", mfa_used="No"),
        ),
        _required(
            "failed ConsoleLogin without MFA",
            _console_login("IAMUser", mfa_used="No", failure="Failed authentication"),
        ),
        _near_miss(
            "ConsoleLogin by an IAM user with MFA", _console_login("IAMUser", mfa_used="Yes")
        ),
        _near_miss("ConsoleLogin by root with MFA", _console_login("Root", mfa_used="Yes")),
        # `!=` does not match a missing field (see filterpattern), so the benchmark's pattern
        # does not count a sign-in record that carries no MFAUsed at all.
        _near_miss(
            "ConsoleLogin without an MFAUsed field", _console_login("IAMUser", mfa_used=None)
        ),
        _near_miss(
            "CheckMfa (not a console sign-in)",
            _console_login("IAMUser", mfa_used="No", name="CheckMfa"),
        ),
    )


def _root_usage() -> tuple[CorpusEvent, ...]:
    iam = "iam.amazonaws.com"
    service_event = _api_call(
        "CredentialVerification",
        _SIGNIN,
        caller="Root",
        eventType="AwsServiceEvent",
        serviceEventDetails={"CredentialType": "PASSWORD"},
    )
    return (
        _required("root ConsoleLogin", _console_login("Root", mfa_used="Yes")),
        _required(
            "failed root ConsoleLogin",
            _console_login("Root", mfa_used="No", failure="Failed authentication"),
        ),
        _required(
            "root CreateUser from the console",
            _api_call("CreateUser", iam, caller="Root", userAgent="console.amazonaws.com"),
        ),
        _required(
            "root DescribeInstances with an access key",
            _api_call("DescribeInstances", _EC2, caller="Root", region="eu-west-1"),
        ),
        _near_miss(
            "root event invokedBy an AWS service",
            _api_call(
                "GetBucketLocation",
                "s3.amazonaws.com",
                caller="Root",
                userIdentity=_identity("Root") | {"invokedBy": "AWS Internal"},
            ),
        ),
        _near_miss("root CredentialVerification (AwsServiceEvent)", service_event),
        _near_miss("IAM user CreateUser", _api_call("CreateUser", iam)),
        _near_miss(
            "assumed role DescribeInstances",
            _api_call("DescribeInstances", _EC2, caller="AssumedRole"),
        ),
        _near_miss(
            "IAM user ConsoleLogin",
            _console_login("IAMUser", mfa_used="Yes"),
        ),
    )


def _console_auth_failures() -> tuple[CorpusEvent, ...]:
    failed = "Failed authentication"
    return (
        _required(
            "failed ConsoleLogin by an IAM user",
            _console_login("IAMUser", mfa_used="No", failure=failed),
        ),
        _required(
            "failed ConsoleLogin by root", _console_login("Root", mfa_used="No", failure=failed)
        ),
        _near_miss("successful ConsoleLogin", _console_login("IAMUser", mfa_used="Yes")),
        _near_miss(
            "failed ConsoleLogin for an unknown user name",
            _console_login(
                "IAMUser", mfa_used="No", failure="No username found in supplied account"
            ),
        ),
        _near_miss(
            "Failed authentication on CheckMfa (not ConsoleLogin)",
            _console_login("IAMUser", mfa_used="Yes", failure=failed, name="CheckMfa"),
        ),
    )


# The event names each pattern lists: every one of them is a required corpus event.
_IAM_POLICY_NAMES = (
    "DeleteGroupPolicy",
    "DeleteRolePolicy",
    "DeleteUserPolicy",
    "PutGroupPolicy",
    "PutRolePolicy",
    "PutUserPolicy",
    "CreatePolicy",
    "DeletePolicy",
    "CreatePolicyVersion",
    "DeletePolicyVersion",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "AttachGroupPolicy",
    "DetachGroupPolicy",
)
_TRAIL_NAMES = ("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging")
_CMK_NAMES = ("DisableKey", "ScheduleKeyDeletion")
_BUCKET_POLICY_NAMES = (
    "PutBucketAcl",
    "PutBucketPolicy",
    "PutBucketCors",
    "PutBucketLifecycle",
    "PutBucketReplication",
    "DeleteBucketPolicy",
    "DeleteBucketCors",
    "DeleteBucketLifecycle",
    "DeleteBucketReplication",
)
_CONFIG_NAMES = (
    "StopConfigurationRecorder",
    "DeleteDeliveryChannel",
    "PutDeliveryChannel",
    "PutConfigurationRecorder",
)
_SECURITY_GROUP_NAMES = (
    "AuthorizeSecurityGroupIngress",
    "AuthorizeSecurityGroupEgress",
    "RevokeSecurityGroupIngress",
    "RevokeSecurityGroupEgress",
    "CreateSecurityGroup",
    "DeleteSecurityGroup",
)
_NACL_NAMES = (
    "CreateNetworkAcl",
    "CreateNetworkAclEntry",
    "DeleteNetworkAcl",
    "DeleteNetworkAclEntry",
    "ReplaceNetworkAclEntry",
    "ReplaceNetworkAclAssociation",
)
_GATEWAY_NAMES = (
    "CreateCustomerGateway",
    "DeleteCustomerGateway",
    "AttachInternetGateway",
    "CreateInternetGateway",
    "DeleteInternetGateway",
    "DetachInternetGateway",
)
_ROUTE_TABLE_NAMES = (
    "CreateRoute",
    "CreateRouteTable",
    "ReplaceRoute",
    "ReplaceRouteTableAssociation",
    "DeleteRouteTable",
    "DeleteRoute",
    "DisassociateRouteTable",
)
_VPC_NAMES = (
    "CreateVpc",
    "DeleteVpc",
    "ModifyVpcAttribute",
    "AcceptVpcPeeringConnection",
    "CreateVpcPeeringConnection",
    "DeleteVpcPeeringConnection",
    "RejectVpcPeeringConnection",
    "AttachClassicLinkVpc",
    "DetachClassicLinkVpc",
    "DisableVpcClassicLink",
    "EnableVpcClassicLink",
)

CORPUS: Mapping[str, tuple[CorpusEvent, ...]] = MappingProxyType(
    {
        "3.1": _unauthorized_api_calls(),
        "3.2": _console_without_mfa(),
        "3.3": _root_usage(),
        "3.4": _changes(
            "iam.amazonaws.com",
            _IAM_POLICY_NAMES,
            (
                "ListPolicies",
                "GetPolicyVersion",
                "SetDefaultPolicyVersion",
                "CreateRole",
                "UpdateAssumeRolePolicy",
                "PutRolePermissionsBoundary",
                "DeleteUserPermissionsBoundary",
                "ListAttachedRolePolicies",
            ),
            denied=("PutUserPolicy", *_IAM_DENIED),
            regions=("us-east-1",),  # IAM is global: CloudTrail records it in us-east-1
        ),
        "3.5": _changes(
            "cloudtrail.amazonaws.com",
            _TRAIL_NAMES,
            ("DescribeTrails", "GetTrailStatus", "PutEventSelectors", "AddTags", "LookupEvents"),
            denied=("StopLogging", *_IAM_DENIED),
        ),
        "3.6": _console_auth_failures(),
        "3.7": _changes(
            "kms.amazonaws.com",
            _CMK_NAMES,
            ("EnableKey", "CancelKeyDeletion", "DisableKeyRotation", "CreateKey", "Decrypt"),
            denied=("ScheduleKeyDeletion", *_KMS_DENIED),
            # Synthetic: no other service has a DisableKey; it tests the eventSource term.
            other_source=("DisableKey", _EC2),
        ),
        "3.8": _changes(
            "s3.amazonaws.com",
            _BUCKET_POLICY_NAMES,
            (
                "GetBucketPolicy",
                "PutBucketTagging",
                "PutBucketEncryption",
                "PutBucketPublicAccessBlock",
                "DeleteBucket",
                "DeleteBucketEncryption",
                "PutObject",
            ),
            denied=("PutBucketPolicy", "AccessDenied", "Access Denied"),
            other_source=("PutBucketPolicy", "s3-outposts.amazonaws.com"),
        ),
        "3.9": _changes(
            "config.amazonaws.com",
            _CONFIG_NAMES,
            (
                "StartConfigurationRecorder",
                "DeleteConfigurationRecorder",
                "DescribeConfigurationRecorders",
                "PutConfigRule",
            ),
            denied=("StopConfigurationRecorder", *_KMS_DENIED),
            # Synthetic, like 3.7's: it tests the eventSource term.
            other_source=("PutConfigurationRecorder", _EC2),
        ),
        "3.10": _changes(
            _EC2,
            _SECURITY_GROUP_NAMES,
            (
                "DescribeSecurityGroups",
                "ModifySecurityGroupRules",
                "UpdateSecurityGroupRuleDescriptionsIngress",
                "CreateNetworkAclEntry",
                "CreateTags",
            ),
            denied=("AuthorizeSecurityGroupIngress", *_EC2_DENIED),
        ),
        "3.11": _changes(
            _EC2,
            _NACL_NAMES,
            (
                "DescribeNetworkAcls",
                "CreateSecurityGroup",
                "ReplaceRouteTableAssociation",
                "CreateTags",
            ),
            denied=("DeleteNetworkAclEntry", *_EC2_DENIED),
        ),
        "3.12": _changes(
            _EC2,
            _GATEWAY_NAMES,
            (
                "CreateNatGateway",
                "CreateVpnGateway",
                "AttachVpnGateway",
                "CreateEgressOnlyInternetGateway",
                "DescribeInternetGateways",
                "CreateTransitGateway",
            ),
            denied=("AttachInternetGateway", *_EC2_DENIED),
        ),
        "3.13": _changes(
            _EC2,
            _ROUTE_TABLE_NAMES,
            (
                "AssociateRouteTable",
                "DescribeRouteTables",
                "CreateTransitGatewayRoute",
                "CreateLocalGatewayRouteTable",
                "ReplaceNetworkAclAssociation",
                "EnableVgwRoutePropagation",
            ),
            denied=("CreateRoute", *_EC2_DENIED),
        ),
        "3.14": _changes(
            _EC2,
            _VPC_NAMES,
            (
                "DescribeVpcs",
                "CreateDefaultVpc",
                "CreateVpcEndpoint",
                "ModifyVpcPeeringConnectionOptions",
                "EnableVpcClassicLinkDnsSupport",
                "CreateSubnet",
            ),
            denied=("DeleteVpc", *_EC2_DENIED),
        ),
    }
)


# --------------------------------------------------------------------------------------------
# Judging a filter
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterJudgement:
    """How a metric filter compares with the benchmark's pattern on the recommendation's corpus."""

    satisfies: bool  # counts for the recommendation under the mode asked for
    wider: bool  # also matches near misses the reference does not match
    missed: tuple[str, ...]  # labels of required events the filter does not match
    extra: tuple[str, ...]  # labels of near-miss events it matches but the reference does not
    error: str | None = None  # "could not parse: <one-line reason>" (then satisfies is False)
    tolerated: tuple[str, ...] = ()  # liberties taken reading the pattern, e.g. `$eventName`

    @property
    def note(self) -> str:
        """One readable sentence for a report."""
        if self.error is not None:
            return self.error
        parts = []
        if self.missed:
            parts.append("misses: " + ", ".join(self.missed))
        if self.extra:
            parts.append("wider than the benchmark: also matches " + ", ".join(self.extra))
        sentence = "; ".join(parts) or "matches every required event"
        if self.tolerated:
            sentence += " (read " + ", ".join(self.tolerated) + ")"
        return sentence


def judge(rec_id: str, pattern_text: str, mode: Mode = "covers") -> FilterJudgement:
    """Judge a metric filter pattern for recommendation ``rec_id`` ("3.1" … "3.14").

    ``covers``: it matches every corpus event the benchmark's pattern matches (wider is fine).
    ``equivalent``: additionally it matches no event the benchmark's pattern leaves out.
    A pattern that cannot be parsed is judged, never raised; an unknown ``rec_id`` is a KeyError.
    """
    if rec_id not in CORPUS:
        raise KeyError(f"no metric-filter recommendation {rec_id!r}; known: 3.1 … 3.14")
    if mode not in ("covers", "equivalent"):
        raise ValueError(f"mode must be 'covers' or 'equivalent', not {mode!r}")
    try:
        candidate = parse(pattern_text)
    except FilterPatternError as exc:
        return FilterJudgement(False, False, (), (), error=f"could not parse: {exc}")
    reference = _reference(rec_id)
    missed, extra = _differences(CORPUS[rec_id], reference, candidate)
    satisfies = not missed and (mode == "covers" or not extra)
    return FilterJudgement(satisfies, bool(extra), missed, extra, tolerated=candidate.tolerated)


@cache
def _reference(rec_id: str) -> FilterPattern:
    return parse(REFERENCE_PATTERNS[rec_id])


def _differences(
    corpus: Iterable[CorpusEvent], reference: FilterPattern, candidate: FilterPattern
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Labels the candidate misses (reference matches) and adds (reference does not match)."""
    missed: list[str] = []
    extra: list[str] = []
    for item in corpus:
        wanted, got = reference.matches(item.event), candidate.matches(item.event)
        if wanted and not got:
            missed.append(item.label)
        elif got and not wanted:
            extra.append(item.label)
    return tuple(missed), tuple(extra)

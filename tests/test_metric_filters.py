"""Judging metric filters for CIS v1.1.0 3.1–3.14 by meaning, against the benchmark's patterns.

The alarms are keyed by meaning (``unauthorized_api_calls``, ...), as the rules key them; V1_1_0
says which id v1.1.0 gives each, for the tests and accounts that speak of the benchmark's text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from pytest_cis_aws import catalog
from pytest_cis_aws.rules.filterpattern import (
    AllOf,
    AnyOf,
    Check,
    Comparison,
    Node,
    StringValue,
    parse,
)
from pytest_cis_aws.rules.metric_filter_corpus import CALLERS, CORPUS_DATA, ROUTINE
from pytest_cis_aws.rules.metric_filters import (
    CORPUS,
    REFERENCE_PATTERNS,
    RULE_PREFIX,
    FilterJudgement,
    Mode,
    judge,
)

RECS = (
    "unauthorized_api_calls",
    "console_signin_without_mfa",
    "root_account_usage",
    "iam_policy_changes",
    "cloudtrail_configuration_changes",
    "console_authentication_failures",
    "cmk_disabled_or_scheduled_for_deletion",
    "s3_bucket_policy_changes",
    "aws_config_changes",
    "security_group_changes",
    "nacl_changes",
    "network_gateway_changes",
    "route_table_changes",
    "vpc_changes",
)
# v1.1.0's id of each alarm: 3.1 unauthorized_api_calls ... 3.14 vpc_changes.
V1_1_0 = {f"3.{number}": meaning for number, meaning in enumerate(RECS, 1)}

# Step 4 of each audit (3.1 to 3.14, by meaning), as printed (the JSON string of
# `describe-metric-filters`, unescaped).
# 3.3 keeps its trailing space; 3.7 and 3.8 keep `$eventSource` / `$eventName` without the dot;
# 3.11 lacks ReplaceNetworkAclEntry, which its remediation command includes.
BENCHMARK_AUDIT_TEXT = {
    "unauthorized_api_calls":
    '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
    "console_signin_without_mfa":
    '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
    "root_account_usage":
    '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
    '$.eventType != "AwsServiceEvent" } ',
    "iam_policy_changes":
    "{ ($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || "
    "($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || "
    "($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || "
    "($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || "
    "($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || "
    "($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || "
    "($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || "
    "($.eventName=DetachGroupPolicy) }",
    "cloudtrail_configuration_changes":
    "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || "
    "($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
    "console_authentication_failures":
    '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    "cmk_disabled_or_scheduled_for_deletion":
    "{($eventSource = kms.amazonaws.com) && "
    "(($eventName=DisableKey)||($eventName=ScheduleKeyDeletion))}",
    "s3_bucket_policy_changes":
    "{ ($.eventSource = s3.amazonaws.com) && (($eventName = PutBucketAcl) || "
    "($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || "
    "($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || "
    "($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || "
    "($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }",
    "aws_config_changes":
    "{ ($.eventSource = config.amazonaws.com) && "
    "(($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || "
    "($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder)) }",
    "security_group_changes":
    "{ ($.eventName = AuthorizeSecurityGroupIngress) || "
    "($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || "
    "($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || "
    "($.eventName = DeleteSecurityGroup) }",
    "nacl_changes":
    "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || "
    "($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || "
    "($.eventName = ReplaceNetworkAclAssociation) }",
    "network_gateway_changes":
    "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || "
    "($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || "
    "($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
    "route_table_changes":
    "{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || "
    "($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || "
    "($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || "
    "($.eventName = DisassociateRouteTable) }",
    "vpc_changes":
    "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || "
    "($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || "
    "($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || "
    "($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || "
    "($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || "
    "($.eventName = EnableVpcClassicLink) }",
}


# -- rewriting a reference pattern ---------------------------------------------------------------


@dataclass(frozen=True)
class Rewrite:
    reverse: bool = False  # operands of every && and || in reverse order
    quote: bool = False  # True: quote every string value; False: bare where possible
    gap: str = " "  # what goes around operators
    and_to_or: bool = False
    or_to_and: bool = False
    drop: Callable[[Node], bool] = lambda node: False


def rewrite(meaning: str, how: Rewrite) -> str:
    """The reference pattern of ``meaning``, written again in another form."""
    root = parse(REFERENCE_PATTERNS[meaning]).root
    return "{" + how.gap + _write(root, how) + how.gap + "}"


# By v1.1.0's id, for the tests and the accounts that speak of its numbers ("3.1").
REFERENCE_BY_ID = {rec_id: REFERENCE_PATTERNS[meaning] for rec_id, meaning in V1_1_0.items()}


def rewrite_v1_1_0(rec_id: str, how: Rewrite) -> str:
    """`rewrite` of the alarm v1.1.0 numbers ``rec_id``."""
    return rewrite(V1_1_0[rec_id], how)


def _write(node: Node, how: Rewrite) -> str:
    if isinstance(node, AllOf | AnyOf):
        operands = [child for child in node.operands if not how.drop(child)]
        if how.reverse:
            operands.reverse()
        joiner = _joiner(node, how)
        return f"{how.gap}{joiner}{how.gap}".join(f"({_write(child, how)})" for child in operands)
    if isinstance(node, Check):
        return f"{node.selector.text} {node.kind}"
    return f"{node.selector.text}{how.gap}{node.operator}{how.gap}{_value(node, how)}"


def _joiner(node: AllOf | AnyOf, how: Rewrite) -> str:
    if isinstance(node, AllOf):
        return "||" if how.and_to_or else "&&"
    return "&&" if how.or_to_and else "||"


def _value(node: Comparison, how: Rewrite) -> str:
    value = node.value
    if not isinstance(value, StringValue):
        return value.text
    # A value with a space ("Failed authentication") can only be written quoted.
    return f'"{value.text}"' if how.quote or " " in value.text else value.text


def _inner(pattern: str) -> str:
    return pattern.strip()[1:-1]


def _alternatives(meaning: str) -> list[Comparison]:
    """Leaves directly under an ||: the alternatives of which each catches its own events."""
    found: list[Comparison] = []

    def visit(node: Node) -> None:
        if isinstance(node, AllOf | AnyOf):
            for child in node.operands:
                if isinstance(node, AnyOf) and isinstance(child, Comparison):
                    found.append(child)
                visit(child)

    visit(parse(REFERENCE_PATTERNS[meaning]).root)
    return found


ALTERNATIVES = [(rec, leaf) for rec in RECS for leaf in _alternatives(rec)]
WITH_AND = [rec for rec in RECS if "&&" in REFERENCE_PATTERNS[rec]]
NAME_LISTS = [rec for rec in RECS if rec not in (
    "unauthorized_api_calls", "console_signin_without_mfa", "root_account_usage",
    "console_authentication_failures")]

# Fields that describe the record rather than the activity: no filter tests them.
BOOKKEEPING = frozenset({"eventVersion", "eventTime", "requestID", "recipientAccountId",
                         "requestParameters", "responseElements"})
ABSENT = "<absent>"


def leaf_paths(event: Any, prefix: str = "") -> Iterator[str]:
    for key, value in event.items():
        if isinstance(value, Mapping):
            yield from leaf_paths(value, f"{prefix}{key}.")
        else:
            yield prefix + key


def value_at(event: Any, path: str) -> Any:
    for step in path.split("."):
        if not isinstance(event, Mapping) or step not in event:
            return ABSENT
        event = event[step]
    return event


def reference_fields(meaning: str) -> set[str]:
    found: set[str] = set()

    def visit(node: Node) -> None:
        if isinstance(node, AllOf | AnyOf):
            for child in node.operands:
                visit(child)
        else:
            found.add(".".join(str(step) for step in node.selector.path))

    visit(parse(REFERENCE_PATTERNS[meaning]).root)
    return found


def positives(meaning: str) -> list[Mapping[str, Any]]:
    return [e.event for e in CORPUS[meaning] if e.kind == "match"]


def free_fields(meaning: str) -> list[str]:
    """Leaf fields of the counted events that the reference pattern does not test."""
    paths = {path for event in positives(meaning) for path in leaf_paths(event)}
    return sorted(paths - BOOKKEEPING - reference_fields(meaning))


def states(meaning: str, path: str) -> set[str]:
    return {repr(value_at(event, path)) for event in positives(meaning)}


# -- the reference and its corpus ----------------------------------------------------------------


def test_there_is_a_reference_and_a_corpus_for_3_1_to_3_14() -> None:
    assert tuple(REFERENCE_PATTERNS) == RECS
    assert tuple(CORPUS) == RECS


def test_the_benchmark_gives_each_meaning_its_id() -> None:
    assert {rec_id: catalog.by_rule(RULE_PREFIX + meaning).id
            for rec_id, meaning in V1_1_0.items()} == {rec_id: rec_id for rec_id in V1_1_0}


@pytest.mark.parametrize("meaning", RECS)
def test_the_reference_matches_exactly_the_required_events(meaning: str) -> None:
    reference = parse(REFERENCE_PATTERNS[meaning])
    wrong = [e.label for e in CORPUS[meaning] if reference.matches(e.event) != e.required]
    assert wrong == []


@pytest.mark.parametrize("meaning", RECS)
def test_each_corpus_has_every_kind_of_event_with_distinct_labels(meaning: str) -> None:
    labels = [e.label for e in CORPUS[meaning]]
    assert len(labels) == len(set(labels))
    assert {e.kind for e in CORPUS[meaning]} == {"match", "routine", "wider"}
    assert all(e.later is None for e in CORPUS[meaning] if e.kind != "match")


@pytest.mark.parametrize("meaning", RECS)
def test_the_shared_routine_events_are_in_every_corpus(meaning: str) -> None:
    routine = {e.label for e in CORPUS[meaning] if e.kind == "routine"}
    assert {spec["label"] for spec in ROUTINE} <= routine


@pytest.mark.parametrize("meaning", RECS)
def test_the_positive_events_vary_every_field_the_reference_leaves_free(meaning: str) -> None:
    # A field the pattern does not test and the corpus does not vary is one a narrower filter
    # could pin without missing anything: each must vary, or be pinned with a reason.
    pinned = set(CORPUS_DATA[meaning].get("pinned", {}))
    assert not pinned & reference_fields(meaning)
    same = [path for path in free_fields(meaning) if len(states(meaning, path)) < 2]
    assert sorted(same) == sorted(pinned)


def test_3_1_counts_what_later_versions_exclude_and_says_so() -> None:
    matched = {e.event["eventName"]: e for e in CORPUS["unauthorized_api_calls"]
               if e.kind == "match"}
    head, delivery = matched["HeadBucket"], matched["GetBucketAcl"]
    assert head.later is not None and "exclude HeadBucket on purpose" in head.later
    assert delivery.event["sourceIPAddress"] == "delivery.logs.amazonaws.com"
    assert delivery.later is not None and "delivery.logs.amazonaws.com" in delivery.later


def test_3_3_counts_root_calls_that_were_refused() -> None:
    refused = [e for e in CORPUS["root_account_usage"]
               if e.kind == "match" and "errorCode" in e.event]
    assert len(refused) >= 2


@pytest.mark.parametrize("meaning", ["unauthorized_api_calls", "iam_policy_changes",
                                    "cloudtrail_configuration_changes",
                                    "s3_bucket_policy_changes", "vpc_changes"])
def test_every_kind_of_caller_makes_a_counted_event(meaning: str) -> None:
    callers = {e.event["userIdentity"]["type"] for e in CORPUS[meaning] if e.kind == "match"}
    assert callers == set(CALLERS)


@pytest.mark.parametrize("meaning", NAME_LISTS)
def test_every_listed_event_name_is_a_required_event(meaning: str) -> None:
    names = {leaf.value.text for leaf in _alternatives(meaning)}
    required = {e.event["eventName"] for e in CORPUS[meaning] if e.required}
    assert names == required


@pytest.mark.parametrize("mode", ["covers", "equivalent"])
@pytest.mark.parametrize("meaning", RECS)
def test_the_reference_satisfies_in_both_modes(meaning: str, mode: Mode) -> None:
    result = judge(meaning, REFERENCE_PATTERNS[meaning], mode)
    assert result == FilterJudgement(True, False, (), ())
    assert result.note == "matches every required event"


# -- the benchmark's own text --------------------------------------------------------------------


@pytest.mark.parametrize("meaning", [rec for rec in RECS if rec != "nacl_changes"])
def test_the_audit_text_as_printed_satisfies(meaning: str) -> None:
    result = judge(meaning, BENCHMARK_AUDIT_TEXT[meaning], "equivalent")
    assert result.satisfies, result.note


@pytest.mark.parametrize("meaning", ["cmk_disabled_or_scheduled_for_deletion",
                                    "s3_bucket_policy_changes"])
def test_the_dotless_selector_typo_is_read_as_meant_and_said(meaning: str) -> None:
    # As printed, 3.7 writes `$eventSource` / `$eventName` and 3.8 `$eventName` once. Read as
    # `$.eventSource` / `$.eventName`, the text matches exactly what the reference matches;
    # the judgement records the reading so a report can show it.
    result = judge(meaning, BENCHMARK_AUDIT_TEXT[meaning], "equivalent")
    assert (result.satisfies, result.wider, result.missed) == (True, False, ())
    assert '"$eventName" as "$.eventName"' in result.tolerated
    assert result.note.startswith('matches every required event (read "$')


def test_the_3_11_audit_text_misses_replace_network_acl_entry() -> None:
    result = judge("nacl_changes", BENCHMARK_AUDIT_TEXT["nacl_changes"])
    assert not result.satisfies
    assert result.missed == ("ReplaceNetworkAclEntry through CloudFormation (invokedBy)",)
    assert result.note == "misses: ReplaceNetworkAclEntry through CloudFormation (invokedBy)"


def test_the_3_11_remediation_command_satisfies() -> None:
    remediation = (
        "{ ($.eventName = CreateNetworkAcl) || ($.eventName =\nCreateNetworkAclEntry) || "
        "($.eventName = DeleteNetworkAcl) || ($.eventName =\nDeleteNetworkAclEntry) || "
        "($.eventName = ReplaceNetworkAclEntry) || ($.eventName =\n"
        "ReplaceNetworkAclAssociation) }"
    )
    assert judge("nacl_changes", remediation, "equivalent").satisfies


def test_the_3_2_pattern_in_the_benchmark_notes_is_inverted() -> None:
    # The notes after 3.3 print `MFAUsed != "No"`: it counts sign-ins *with* MFA.
    result = judge(
        "console_signin_without_mfa",
        '{ $.eventName = "ConsoleLogin" && $.additionalEventData.MFAUsed != "No" }',
    )
    assert not result.satisfies
    assert "ConsoleLogin by an IAM user without MFA" in result.missed
    assert result.routine == ("ConsoleLogin by root with MFA",
                              "successful ConsoleLogin by an IAM user with MFA")


@pytest.mark.parametrize(
    ("meaning", "typed"),
    [
        (
            "unauthorized_api_calls",
            r"{ ($.errorCode = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\") }",
        ),
        (
            "console_authentication_failures",
            r"{ ($.eventName = ConsoleLogin) && ($.errorMessage = \"Failed authentication\") }",
        ),
    ],
)
def test_remediation_commands_that_keep_backslashes_cannot_be_parsed(
    meaning: str, typed: str
) -> None:
    # Inside the shell's single quotes, the remediation's \" stays a backslash and a quote.
    result = judge(meaning, typed)
    assert not result.satisfies
    assert result.error is not None
    assert result.error.startswith('could not parse: unexpected "\\" at column')


# -- reformatting does not matter --------------------------------------------------------------


@pytest.mark.parametrize("meaning", RECS)
@pytest.mark.parametrize(
    "how",
    [
        Rewrite(reverse=True),
        Rewrite(gap="\n\t"),
        Rewrite(gap=""),
        Rewrite(quote=True),
        Rewrite(quote=False),
        Rewrite(reverse=True, gap="\n  ", quote=True),
    ],
    ids=["reversed", "newlines-and-tabs", "no-spaces", "quoted", "bare", "all-at-once"],
)
def test_reformatted_reference_is_equivalent(meaning: str, how: Rewrite) -> None:
    pattern = rewrite(meaning, how)
    result = judge(meaning, pattern, "equivalent")
    assert result.satisfies, (pattern, result.note)


@pytest.mark.parametrize("meaning", RECS)
def test_the_quoted_and_bare_rewrites_really_differ(meaning: str) -> None:
    assert rewrite(meaning, Rewrite(quote=True)) != rewrite(meaning, Rewrite(quote=False))


# -- changes of meaning are caught -------------------------------------------------------------


@pytest.mark.parametrize(
    ("meaning", "leaf"),
    ALTERNATIVES,
    ids=[f"{rec}-{leaf.value.text}" for rec, leaf in ALTERNATIVES],
)
def test_dropping_one_alternative_misses_its_events(meaning: str, leaf: Comparison) -> None:
    pattern = rewrite(meaning, Rewrite(drop=lambda node: node == leaf))
    result = judge(meaning, pattern)
    assert not result.satisfies
    assert result.missed
    if leaf.selector.path == ("eventName",):
        assert any(label.startswith(leaf.value.text + " ") for label in result.missed)
    assert result.note.startswith("misses: ")


@pytest.mark.parametrize("meaning", WITH_AND)
def test_and_turned_into_or_would_alarm_on_routine_activity(meaning: str) -> None:
    pattern = rewrite(meaning, Rewrite(and_to_or=True))
    covers = judge(meaning, pattern, "covers")
    assert (covers.satisfies, covers.wider, covers.missed) == (False, True, ())
    assert covers.routine
    assert covers.note.startswith(f"would alarm on routine activity, such as {covers.routine[0]}")
    assert judge(meaning, pattern, "equivalent") == covers


@pytest.mark.parametrize("meaning", [rec for rec in RECS if "||" in REFERENCE_PATTERNS[rec]])
def test_or_turned_into_and_misses(meaning: str) -> None:
    result = judge(meaning, rewrite(meaning, Rewrite(or_to_and=True)))
    assert not result.satisfies
    assert result.missed


@pytest.mark.parametrize("meaning", RECS)
def test_a_narrowing_term_that_drops_required_events_does_not_satisfy(meaning: str) -> None:
    inner = _inner(REFERENCE_PATTERNS[meaning])
    result = judge(meaning, f"{{ ({inner}) && $.userIdentity.type = IAMUser }}")
    assert not result.satisfies
    assert result.missed
    assert not result.wider


@pytest.mark.parametrize("meaning", NAME_LISTS)
def test_alerting_only_on_successful_changes_misses_the_denied_attempt(meaning: str) -> None:
    inner = _inner(REFERENCE_PATTERNS[meaning])
    result = judge(meaning, f"{{ ({inner}) && ($.errorCode NOT EXISTS) }}")
    assert not result.satisfies
    assert len(result.missed) == 1
    assert result.missed[0].endswith(" (denied)")


@pytest.mark.parametrize("meaning", NAME_LISTS)
def test_an_extra_alternative_is_wider(meaning: str) -> None:
    near_miss = next(e for e in CORPUS[meaning] if e.kind == "wider")
    name = near_miss.event["eventName"]
    inner = _inner(REFERENCE_PATTERNS[meaning])
    source = near_miss.event["eventSource"]
    pattern = f"{{ ({inner}) || ($.eventName = {name} && $.eventSource = {source}) }}"
    covers = judge(meaning, pattern)
    assert (covers.satisfies, covers.wider, covers.extra) == (True, True, (near_miss.label,))
    assert covers.note == f"wider than the benchmark: also matches {near_miss.label}"
    assert not judge(meaning, pattern, "equivalent").satisfies


@pytest.mark.parametrize(
    ("meaning", "trap", "expected_extra"),
    [
        (
            "cmk_disabled_or_scheduled_for_deletion",
            "{ $.eventSource = kms.amazonaws.com && $.eventName = DisableKey* }",
            {"DisableKeyRotation"},
        ),
        (
            "network_gateway_changes",
            "{ $.eventName = *InternetGateway || $.eventName = *CustomerGateway }",
            {"CreateEgressOnlyInternetGateway"},
        ),
        (
            "route_table_changes",
            "{ $.eventName = *Route* }",
            {"CreateTransitGatewayRoute", "CreateLocalGatewayRouteTable"},
        ),
        (
            "vpc_changes",
            "{ $.eventName = *Vpc* }",
            {"CreateVpcEndpoint", "EnableVpcClassicLinkDnsSupport"},
        ),
    ],
)
def test_wildcards_fall_into_the_prefix_and_suffix_traps(
    meaning: str, trap: str, expected_extra: set[str]
) -> None:
    result = judge(meaning, trap, "equivalent")
    assert not result.satisfies
    assert expected_extra <= set(result.extra)


def test_a_wildcard_that_also_catches_reads_would_alarm_on_routine_activity() -> None:
    result = judge("route_table_changes", "{ $.eventName = *Route* }")
    assert not result.satisfies
    assert result.routine == ("DescribeRouteTables (a routine read)",)
    assert result.note == ("would alarm on routine activity, such as DescribeRouteTables "
                           "(a routine read)")


# -- semantics that decide real filters ----------------------------------------------------------


def test_a_later_benchmarks_3_2_pattern_is_narrower_than_v1_1_0() -> None:
    # CIS v1.3+ adds IAMUser and Success terms: root, federated and failed sign-ins drop out.
    later = (
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
        '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }'
    )
    result = judge("console_signin_without_mfa", later)
    assert not result.satisfies
    assert result.missed == (
        "ConsoleLogin by root without MFA",
        "ConsoleLogin by a federated user (MFAUsed No)",
        "ConsoleLogin by an assumed role (MFAUsed No)",
        "failed ConsoleLogin without MFA",
    )
    assert result.later == tuple(
        f"{label}: v1.1.0 counts it; a later CIS variant counts {what}"
        for label, what in zip(result.missed, ["IAM users only"] * 3 + [
            "successful sign-ins only"]))


def test_3_2_also_counting_sign_ins_without_an_mfa_field_is_wider() -> None:
    pattern = (
        '{ $.eventName = ConsoleLogin && ($.additionalEventData.MFAUsed != "Yes" || '
        "$.additionalEventData.MFAUsed NOT EXISTS) }"
    )
    result = judge("console_signin_without_mfa", pattern)
    assert (result.satisfies, result.extra) == (True, ("ConsoleLogin without an MFAUsed field",))


def test_3_3_without_the_service_exclusions_is_wider() -> None:
    result = judge("root_account_usage", '{ $.userIdentity.type = "Root" }')
    assert result.satisfies
    assert result.extra == (
        "root event invokedBy an AWS service",
        "root CredentialVerification (AwsServiceEvent)",
    )


def test_3_1_needs_both_kinds_of_access_error() -> None:
    result = judge("unauthorized_api_calls", '{ $.errorCode = "AccessDenied*" }')
    assert result.missed == (
        "Client.UnauthorizedOperation (EC2 RunInstances, IAM user, eu-west-1)",
        "Client.UnauthorizedOperation (EC2 DescribeInstances: a console read)",
        "UnauthorizedOperation (EC2 CreateTags through CloudFormation, invokedBy)",
    )


def test_3_1_matching_every_error_would_alarm_on_routine_activity() -> None:
    result = judge("unauthorized_api_calls", "{ $.errorCode = * }")
    assert not result.satisfies
    assert result.routine[0] == "ThrottlingException (CloudTrail LookupEvents)"
    assert result.note == ("would alarm on routine activity, such as ThrottlingException "
                           f"(CloudTrail LookupEvents) (and {len(result.routine) - 1} more)")


def test_3_1_a_wider_but_specific_refusal_filter_passes_with_a_note() -> None:
    pattern = '{ ($.errorCode = "*Unauthorized*") || ($.errorCode = "AccessDenied*") }'
    result = judge("unauthorized_api_calls", pattern)
    assert (result.satisfies, result.routine) == (True, ())
    assert result.note == ("wider than the benchmark: also matches UnauthorizedException (an IoT "
                           "refusal worded otherwise)")
    assert not judge("unauthorized_api_calls", pattern, "equivalent").satisfies


@pytest.mark.parametrize("exclusion", [
    '$.sourceIPAddress != "delivery.logs.amazonaws.com"', '$.eventName != "HeadBucket"'])
def test_3_1_excluding_what_later_versions_exclude_fails_and_says_why(exclusion: str) -> None:
    inner = _inner(REFERENCE_PATTERNS["unauthorized_api_calls"])
    result = judge("unauthorized_api_calls", f"{{ ({inner}) && {exclusion} }}")
    assert not result.satisfies
    (missed,) = result.missed
    why = next(e.later for e in CORPUS["unauthorized_api_calls"] if e.label == missed)
    assert result.later == (f"{missed}: {why}",)
    assert "v1.1.0 counts it; later CIS versions exclude" in result.note


def test_3_4_scoped_to_iam_still_covers() -> None:
    inner = _inner(REFERENCE_PATTERNS["iam_policy_changes"])
    assert judge(
        "iam_policy_changes", f"{{ $.eventSource = iam.amazonaws.com && ({inner}) }}", "equivalent"
    ).satisfies


# -- what judge returns for what it cannot judge -------------------------------------------------


@pytest.mark.parametrize("meaning", RECS)
def test_an_unparsable_pattern_is_judged_not_raised(meaning: str) -> None:
    broken = REFERENCE_PATTERNS[meaning].rstrip("}")
    result = judge(meaning, broken)
    assert result == FilterJudgement(False, False, (), (), error=result.error)
    assert result.error is not None
    assert result.error.startswith("could not parse: unexpected end of pattern at column")
    assert result.note == result.error


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ConsoleLogin",
        "?AccessDenied ?UnauthorizedOperation",
        "{",
        "}",
        "{{}}",
        "\x00",
        "{ $. }",
    ],
)
def test_judge_never_raises_for_a_bad_pattern(text: str) -> None:
    result = judge("unauthorized_api_calls", text)
    assert not result.satisfies
    assert result.error is not None and result.error.startswith("could not parse: ")
    assert "\n" not in result.note


def test_a_plain_term_pattern_is_out_of_scope() -> None:
    result = judge("console_authentication_failures", '"Failed authentication"')
    assert result.error == "could not parse: only JSON filter patterns ({ ... }) can be judged"


@pytest.mark.parametrize("meaning", ["3.1", "3.15", "1.1", "", "unauthorized_api_calls ",
                                    "monitoring.alarm.vpc_changes", "unauthorised_api_calls"])
def test_an_unknown_recommendation_is_a_key_error(meaning: str) -> None:
    with pytest.raises(KeyError):
        judge(meaning, REFERENCE_PATTERNS["unauthorized_api_calls"])


def test_an_unknown_mode_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="mode"):
        judge("unauthorized_api_calls", REFERENCE_PATTERNS["unauthorized_api_calls"], "superset")  # type: ignore[arg-type]


def test_the_note_puts_misses_first_then_extras() -> None:
    result = FilterJudgement(False, True, ("A", "B"), ("X",))
    assert result.note == "misses: A, B; wider than the benchmark: also matches X"

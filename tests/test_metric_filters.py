"""Judging metric filters for CIS v1.1.0 3.1–3.14 by meaning, against the benchmark's patterns."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

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
    FilterJudgement,
    Mode,
    judge,
)

RECS = tuple(f"3.{n}" for n in range(1, 15))

# Step 4 of each audit, as printed (the JSON string of `describe-metric-filters`, unescaped).
# 3.3 keeps its trailing space; 3.7 and 3.8 keep `$eventSource` / `$eventName` without the dot;
# 3.11 lacks ReplaceNetworkAclEntry, which its remediation command includes.
BENCHMARK_AUDIT_TEXT = {
    "3.1": '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
    "3.2": '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
    "3.3": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
    '$.eventType != "AwsServiceEvent" } ',
    "3.4": "{ ($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || "
    "($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || "
    "($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || "
    "($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || "
    "($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || "
    "($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || "
    "($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || "
    "($.eventName=DetachGroupPolicy) }",
    "3.5": "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || "
    "($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
    "3.6": '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    "3.7": "{($eventSource = kms.amazonaws.com) && "
    "(($eventName=DisableKey)||($eventName=ScheduleKeyDeletion))}",
    "3.8": "{ ($.eventSource = s3.amazonaws.com) && (($eventName = PutBucketAcl) || "
    "($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || "
    "($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || "
    "($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || "
    "($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }",
    "3.9": "{ ($.eventSource = config.amazonaws.com) && "
    "(($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || "
    "($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder)) }",
    "3.10": "{ ($.eventName = AuthorizeSecurityGroupIngress) || "
    "($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || "
    "($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || "
    "($.eventName = DeleteSecurityGroup) }",
    "3.11": "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || "
    "($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || "
    "($.eventName = ReplaceNetworkAclAssociation) }",
    "3.12": "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || "
    "($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || "
    "($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
    "3.13": "{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || "
    "($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || "
    "($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || "
    "($.eventName = DisassociateRouteTable) }",
    "3.14": "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || "
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


def rewrite(rec_id: str, how: Rewrite) -> str:
    """The reference pattern of ``rec_id``, written again in another form."""
    root = parse(REFERENCE_PATTERNS[rec_id]).root
    return "{" + how.gap + _write(root, how) + how.gap + "}"


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


def _alternatives(rec_id: str) -> list[Comparison]:
    """Leaves directly under an ||: the alternatives of which each catches its own events."""
    found: list[Comparison] = []

    def visit(node: Node) -> None:
        if isinstance(node, AllOf | AnyOf):
            for child in node.operands:
                if isinstance(node, AnyOf) and isinstance(child, Comparison):
                    found.append(child)
                visit(child)

    visit(parse(REFERENCE_PATTERNS[rec_id]).root)
    return found


ALTERNATIVES = [(rec, leaf) for rec in RECS for leaf in _alternatives(rec)]
WITH_AND = [rec for rec in RECS if "&&" in REFERENCE_PATTERNS[rec]]
NAME_LISTS = [rec for rec in RECS if rec not in ("3.1", "3.2", "3.3", "3.6")]

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


def reference_fields(rec_id: str) -> set[str]:
    found: set[str] = set()

    def visit(node: Node) -> None:
        if isinstance(node, AllOf | AnyOf):
            for child in node.operands:
                visit(child)
        else:
            found.add(".".join(str(step) for step in node.selector.path))

    visit(parse(REFERENCE_PATTERNS[rec_id]).root)
    return found


def positives(rec_id: str) -> list[Mapping[str, Any]]:
    return [e.event for e in CORPUS[rec_id] if e.kind == "match"]


def free_fields(rec_id: str) -> list[str]:
    """Leaf fields of the counted events that the reference pattern does not test."""
    paths = {path for event in positives(rec_id) for path in leaf_paths(event)}
    return sorted(paths - BOOKKEEPING - reference_fields(rec_id))


def states(rec_id: str, path: str) -> set[str]:
    return {repr(value_at(event, path)) for event in positives(rec_id)}


# -- the reference and its corpus ----------------------------------------------------------------


def test_there_is_a_reference_and_a_corpus_for_3_1_to_3_14() -> None:
    assert tuple(REFERENCE_PATTERNS) == RECS
    assert tuple(CORPUS) == RECS


@pytest.mark.parametrize("rec_id", RECS)
def test_the_reference_matches_exactly_the_required_events(rec_id: str) -> None:
    reference = parse(REFERENCE_PATTERNS[rec_id])
    wrong = [e.label for e in CORPUS[rec_id] if reference.matches(e.event) != e.required]
    assert wrong == []


@pytest.mark.parametrize("rec_id", RECS)
def test_each_corpus_has_every_kind_of_event_with_distinct_labels(rec_id: str) -> None:
    labels = [e.label for e in CORPUS[rec_id]]
    assert len(labels) == len(set(labels))
    assert {e.kind for e in CORPUS[rec_id]} == {"match", "routine", "wider"}
    assert all(e.later is None for e in CORPUS[rec_id] if e.kind != "match")


@pytest.mark.parametrize("rec_id", RECS)
def test_the_shared_routine_events_are_in_every_corpus(rec_id: str) -> None:
    routine = {e.label for e in CORPUS[rec_id] if e.kind == "routine"}
    assert {spec["label"] for spec in ROUTINE} <= routine


@pytest.mark.parametrize("rec_id", RECS)
def test_the_positive_events_vary_every_field_the_reference_leaves_free(rec_id: str) -> None:
    # A field the pattern does not test and the corpus does not vary is one a narrower filter
    # could pin without missing anything: each must vary, or be pinned with a reason.
    pinned = set(CORPUS_DATA[rec_id].get("pinned", {}))
    assert not pinned & reference_fields(rec_id)
    same = [path for path in free_fields(rec_id) if len(states(rec_id, path)) < 2]
    assert sorted(same) == sorted(pinned)


def test_3_1_counts_what_later_versions_exclude_and_says_so() -> None:
    matched = {e.event["eventName"]: e for e in CORPUS["3.1"] if e.kind == "match"}
    head, delivery = matched["HeadBucket"], matched["GetBucketAcl"]
    assert head.later is not None and "exclude HeadBucket on purpose" in head.later
    assert delivery.event["sourceIPAddress"] == "delivery.logs.amazonaws.com"
    assert delivery.later is not None and "delivery.logs.amazonaws.com" in delivery.later


def test_3_3_counts_root_calls_that_were_refused() -> None:
    refused = [e for e in CORPUS["3.3"] if e.kind == "match" and "errorCode" in e.event]
    assert len(refused) >= 2


@pytest.mark.parametrize("rec_id", ["3.1", "3.4", "3.5", "3.8", "3.14"])
def test_every_kind_of_caller_makes_a_counted_event(rec_id: str) -> None:
    callers = {e.event["userIdentity"]["type"] for e in CORPUS[rec_id] if e.kind == "match"}
    assert callers == set(CALLERS)


@pytest.mark.parametrize("rec_id", NAME_LISTS)
def test_every_listed_event_name_is_a_required_event(rec_id: str) -> None:
    names = {leaf.value.text for leaf in _alternatives(rec_id)}
    required = {e.event["eventName"] for e in CORPUS[rec_id] if e.required}
    assert names == required


@pytest.mark.parametrize("mode", ["covers", "equivalent"])
@pytest.mark.parametrize("rec_id", RECS)
def test_the_reference_satisfies_in_both_modes(rec_id: str, mode: Mode) -> None:
    result = judge(rec_id, REFERENCE_PATTERNS[rec_id], mode)
    assert result == FilterJudgement(True, False, (), ())
    assert result.note == "matches every required event"


# -- the benchmark's own text --------------------------------------------------------------------


@pytest.mark.parametrize("rec_id", [rec for rec in RECS if rec != "3.11"])
def test_the_audit_text_as_printed_satisfies(rec_id: str) -> None:
    result = judge(rec_id, BENCHMARK_AUDIT_TEXT[rec_id], "equivalent")
    assert result.satisfies, result.note


@pytest.mark.parametrize("rec_id", ["3.7", "3.8"])
def test_the_dotless_selector_typo_is_read_as_meant_and_said(rec_id: str) -> None:
    # As printed, 3.7 writes `$eventSource` / `$eventName` and 3.8 `$eventName` once. Read as
    # `$.eventSource` / `$.eventName`, the text matches exactly what the reference matches;
    # the judgement records the reading so a report can show it.
    result = judge(rec_id, BENCHMARK_AUDIT_TEXT[rec_id], "equivalent")
    assert (result.satisfies, result.wider, result.missed) == (True, False, ())
    assert '"$eventName" as "$.eventName"' in result.tolerated
    assert result.note.startswith('matches every required event (read "$')


def test_the_3_11_audit_text_misses_replace_network_acl_entry() -> None:
    result = judge("3.11", BENCHMARK_AUDIT_TEXT["3.11"])
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
    assert judge("3.11", remediation, "equivalent").satisfies


def test_the_3_2_pattern_in_the_benchmark_notes_is_inverted() -> None:
    # The notes after 3.3 print `MFAUsed != "No"`: it counts sign-ins *with* MFA.
    result = judge(
        "3.2", '{ $.eventName = "ConsoleLogin" && $.additionalEventData.MFAUsed != "No" }'
    )
    assert not result.satisfies
    assert "ConsoleLogin by an IAM user without MFA" in result.missed
    assert result.routine == ("ConsoleLogin by root with MFA",
                              "successful ConsoleLogin by an IAM user with MFA")


@pytest.mark.parametrize(
    ("rec_id", "typed"),
    [
        (
            "3.1",
            r"{ ($.errorCode = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\") }",
        ),
        (
            "3.6",
            r"{ ($.eventName = ConsoleLogin) && ($.errorMessage = \"Failed authentication\") }",
        ),
    ],
)
def test_remediation_commands_that_keep_backslashes_cannot_be_parsed(
    rec_id: str, typed: str
) -> None:
    # Inside the shell's single quotes, the remediation's \" stays a backslash and a quote.
    result = judge(rec_id, typed)
    assert not result.satisfies
    assert result.error is not None
    assert result.error.startswith('could not parse: unexpected "\\" at column')


# -- reformatting does not matter --------------------------------------------------------------


@pytest.mark.parametrize("rec_id", RECS)
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
def test_reformatted_reference_is_equivalent(rec_id: str, how: Rewrite) -> None:
    pattern = rewrite(rec_id, how)
    result = judge(rec_id, pattern, "equivalent")
    assert result.satisfies, (pattern, result.note)


@pytest.mark.parametrize("rec_id", RECS)
def test_the_quoted_and_bare_rewrites_really_differ(rec_id: str) -> None:
    assert rewrite(rec_id, Rewrite(quote=True)) != rewrite(rec_id, Rewrite(quote=False))


# -- changes of meaning are caught -------------------------------------------------------------


@pytest.mark.parametrize(
    ("rec_id", "leaf"),
    ALTERNATIVES,
    ids=[f"{rec}-{leaf.value.text}" for rec, leaf in ALTERNATIVES],
)
def test_dropping_one_alternative_misses_its_events(rec_id: str, leaf: Comparison) -> None:
    pattern = rewrite(rec_id, Rewrite(drop=lambda node: node == leaf))
    result = judge(rec_id, pattern)
    assert not result.satisfies
    assert result.missed
    if leaf.selector.path == ("eventName",):
        assert any(label.startswith(leaf.value.text + " ") for label in result.missed)
    assert result.note.startswith("misses: ")


@pytest.mark.parametrize("rec_id", WITH_AND)
def test_and_turned_into_or_would_alarm_on_routine_activity(rec_id: str) -> None:
    pattern = rewrite(rec_id, Rewrite(and_to_or=True))
    covers = judge(rec_id, pattern, "covers")
    assert (covers.satisfies, covers.wider, covers.missed) == (False, True, ())
    assert covers.routine
    assert covers.note.startswith(f"would alarm on routine activity, such as {covers.routine[0]}")
    assert judge(rec_id, pattern, "equivalent") == covers


@pytest.mark.parametrize("rec_id", [rec for rec in RECS if "||" in REFERENCE_PATTERNS[rec]])
def test_or_turned_into_and_misses(rec_id: str) -> None:
    result = judge(rec_id, rewrite(rec_id, Rewrite(or_to_and=True)))
    assert not result.satisfies
    assert result.missed


@pytest.mark.parametrize("rec_id", RECS)
def test_a_narrowing_term_that_drops_required_events_does_not_satisfy(rec_id: str) -> None:
    inner = _inner(REFERENCE_PATTERNS[rec_id])
    result = judge(rec_id, f"{{ ({inner}) && $.userIdentity.type = IAMUser }}")
    assert not result.satisfies
    assert result.missed
    assert not result.wider


@pytest.mark.parametrize("rec_id", NAME_LISTS)
def test_alerting_only_on_successful_changes_misses_the_denied_attempt(rec_id: str) -> None:
    inner = _inner(REFERENCE_PATTERNS[rec_id])
    result = judge(rec_id, f"{{ ({inner}) && ($.errorCode NOT EXISTS) }}")
    assert not result.satisfies
    assert len(result.missed) == 1
    assert result.missed[0].endswith(" (denied)")


@pytest.mark.parametrize("rec_id", NAME_LISTS)
def test_an_extra_alternative_is_wider(rec_id: str) -> None:
    near_miss = next(e for e in CORPUS[rec_id] if e.kind == "wider")
    name = near_miss.event["eventName"]
    inner = _inner(REFERENCE_PATTERNS[rec_id])
    source = near_miss.event["eventSource"]
    pattern = f"{{ ({inner}) || ($.eventName = {name} && $.eventSource = {source}) }}"
    covers = judge(rec_id, pattern)
    assert (covers.satisfies, covers.wider, covers.extra) == (True, True, (near_miss.label,))
    assert covers.note == f"wider than the benchmark: also matches {near_miss.label}"
    assert not judge(rec_id, pattern, "equivalent").satisfies


@pytest.mark.parametrize(
    ("rec_id", "trap", "expected_extra"),
    [
        (
            "3.7",
            "{ $.eventSource = kms.amazonaws.com && $.eventName = DisableKey* }",
            {"DisableKeyRotation"},
        ),
        (
            "3.12",
            "{ $.eventName = *InternetGateway || $.eventName = *CustomerGateway }",
            {"CreateEgressOnlyInternetGateway"},
        ),
        (
            "3.13",
            "{ $.eventName = *Route* }",
            {"CreateTransitGatewayRoute", "CreateLocalGatewayRouteTable"},
        ),
        (
            "3.14",
            "{ $.eventName = *Vpc* }",
            {"CreateVpcEndpoint", "EnableVpcClassicLinkDnsSupport"},
        ),
    ],
)
def test_wildcards_fall_into_the_prefix_and_suffix_traps(
    rec_id: str, trap: str, expected_extra: set[str]
) -> None:
    result = judge(rec_id, trap, "equivalent")
    assert not result.satisfies
    assert expected_extra <= set(result.extra)


def test_a_wildcard_that_also_catches_reads_would_alarm_on_routine_activity() -> None:
    result = judge("3.13", "{ $.eventName = *Route* }")
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
    result = judge("3.2", later)
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
    result = judge("3.2", pattern)
    assert (result.satisfies, result.extra) == (True, ("ConsoleLogin without an MFAUsed field",))


def test_3_3_without_the_service_exclusions_is_wider() -> None:
    result = judge("3.3", '{ $.userIdentity.type = "Root" }')
    assert result.satisfies
    assert result.extra == (
        "root event invokedBy an AWS service",
        "root CredentialVerification (AwsServiceEvent)",
    )


def test_3_1_needs_both_kinds_of_access_error() -> None:
    result = judge("3.1", '{ $.errorCode = "AccessDenied*" }')
    assert result.missed == (
        "Client.UnauthorizedOperation (EC2 RunInstances, IAM user, eu-west-1)",
        "Client.UnauthorizedOperation (EC2 DescribeInstances: a console read)",
        "UnauthorizedOperation (EC2 CreateTags through CloudFormation, invokedBy)",
    )


def test_3_1_matching_every_error_would_alarm_on_routine_activity() -> None:
    result = judge("3.1", "{ $.errorCode = * }")
    assert not result.satisfies
    assert result.routine[0] == "ThrottlingException (CloudTrail LookupEvents)"
    assert result.note == ("would alarm on routine activity, such as ThrottlingException "
                           f"(CloudTrail LookupEvents) (and {len(result.routine) - 1} more)")


def test_3_1_a_wider_but_specific_refusal_filter_passes_with_a_note() -> None:
    pattern = '{ ($.errorCode = "*Unauthorized*") || ($.errorCode = "AccessDenied*") }'
    result = judge("3.1", pattern)
    assert (result.satisfies, result.routine) == (True, ())
    assert result.note == ("wider than the benchmark: also matches UnauthorizedException (an IoT "
                           "refusal worded otherwise)")
    assert not judge("3.1", pattern, "equivalent").satisfies


@pytest.mark.parametrize("exclusion", [
    '$.sourceIPAddress != "delivery.logs.amazonaws.com"', '$.eventName != "HeadBucket"'])
def test_3_1_excluding_what_later_versions_exclude_fails_and_says_why(exclusion: str) -> None:
    inner = _inner(REFERENCE_PATTERNS["3.1"])
    result = judge("3.1", f"{{ ({inner}) && {exclusion} }}")
    assert not result.satisfies
    (missed,) = result.missed
    why = next(e.later for e in CORPUS["3.1"] if e.label == missed)
    assert result.later == (f"{missed}: {why}",)
    assert "v1.1.0 counts it; later CIS versions exclude" in result.note


def test_3_4_scoped_to_iam_still_covers() -> None:
    inner = _inner(REFERENCE_PATTERNS["3.4"])
    assert judge(
        "3.4", f"{{ $.eventSource = iam.amazonaws.com && ({inner}) }}", "equivalent"
    ).satisfies


# -- what judge returns for what it cannot judge -------------------------------------------------


@pytest.mark.parametrize("rec_id", RECS)
def test_an_unparsable_pattern_is_judged_not_raised(rec_id: str) -> None:
    broken = REFERENCE_PATTERNS[rec_id].rstrip("}")
    result = judge(rec_id, broken)
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
    result = judge("3.1", text)
    assert not result.satisfies
    assert result.error is not None and result.error.startswith("could not parse: ")
    assert "\n" not in result.note


def test_a_plain_term_pattern_is_out_of_scope() -> None:
    result = judge("3.6", '"Failed authentication"')
    assert result.error == "could not parse: only JSON filter patterns ({ ... }) can be judged"


@pytest.mark.parametrize("rec_id", ["3.15", "1.1", "3.0", "", "3.1 "])
def test_an_unknown_recommendation_is_a_key_error(rec_id: str) -> None:
    with pytest.raises(KeyError):
        judge(rec_id, REFERENCE_PATTERNS["3.1"])


def test_an_unknown_mode_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="mode"):
        judge("3.1", REFERENCE_PATTERNS["3.1"], "superset")  # type: ignore[arg-type]


def test_the_note_puts_misses_first_then_extras() -> None:
    result = FilterJudgement(False, True, ("A", "B"), ("X",))
    assert result.note == "misses: A, B; wider than the benchmark: also matches X"

"""The CloudWatch Logs JSON filter-pattern parser and evaluator, construct by construct.

Expected results follow the CloudWatch Logs User Guide ("Filter and Pattern Syntax", JSON log
events); the module docstring of ``filterpattern`` lists what was relied on and what was assumed.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_cis_aws.rules.filterpattern import (
    NON_JSON_MESSAGE,
    FilterPattern,
    FilterPatternError,
    matches,
    parse,
)

# The example event of the guide's "JSON Metric Filter Examples".
GUIDE_EVENT: dict[str, Any] = {
    "eventType": "UpdateTrail",
    "sourceIPAddress": "111.111.111.111",
    "arrayKey": ["value", "another value"],
    "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
    "SomeObject": None,
    "ThisFlag": True,
}

# The example event of the guide's "JSON Compound Conditions".
COMPOUND_EVENT: dict[str, Any] = {
    "user": {"id": 1, "email": "John.Stiles@example.com"},
    "users": [
        {"id": 2, "email": "John.Doe@example.com"},
        {"id": 3, "email": "Jane.Doe@example.com"},
    ],
    "actions": ["GET", "PUT", "DELETE"],
    "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
}

CLOUDTRAIL_EVENT: dict[str, Any] = {
    "eventVersion": "1.05",
    "userIdentity": {"type": "IAMUser", "userName": "alice", "accountId": "123456789012"},
    "eventSource": "kms.amazonaws.com",
    "eventName": "DisableKey",
    "awsRegion": "eu-west-1",
    "errorCode": "AccessDeniedException",
    "resources": [{"ARN": "arn:aws:kms:eu-west-1:123456789012:key/1234", "type": "AWS::KMS::Key"}],
    "recipientAccountId": "123456789012",
    "latency": 250,
    "ratio": 0.75,
}


def test_the_guides_own_examples_match_its_example_event() -> None:
    for pattern in (
        '{ $.eventType = "UpdateTrail" }',
        "{ $.sourceIPAddress != 123.123.* }",
        '{ $.arrayKey[0] = "value" }',
        "{ $.objectList[1].id = 2 }",
        "{ $.SomeObject IS NULL }",
        "{ $.SomeOtherObject NOT EXISTS }",
        "{ $.ThisFlag IS TRUE }",
    ):
        assert matches(pattern, GUIDE_EVENT), pattern


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', True),
        ('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', False),
        (
            '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch'
            " && $.actions[2] = nomatch }",
            True,
        ),
        (
            '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch)'
            " && $.actions[2] = nomatch }",
            False,
        ),
    ],
)
def test_the_guides_compound_examples(pattern: str, expected: bool) -> None:
    assert matches(pattern, COMPOUND_EVENT) is expected


# -- selectors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{ $.eventName = DisableKey }", True),
        ("{ $.userIdentity.type = IAMUser }", True),
        ('{ $.resources[0].type = "AWS::KMS::Key" }', True),
        ("{ $.resources[1].type = * }", False),  # index out of range
        ("{ $.eventName[0] = D* }", False),  # an index into a string is not an array element
        ("{ $.userIdentity.type.name = * }", False),  # a property of a string
        ("{ $.userIdentity = * }", False),  # an object is not a value node
        ("{ $.resources = * }", False),  # nor is an array
        ("{ $.eventname = DisableKey }", False),  # property names are case sensitive
    ],
)
def test_selectors(pattern: str, expected: bool) -> None:
    assert matches(pattern, CLOUDTRAIL_EVENT) is expected


def test_selectors_index_nested_arrays() -> None:
    assert matches("{ $.coordinates[2][0] = 7 }", COMPOUND_EVENT)
    assert not matches("{ $.coordinates[2][3] = * }", COMPOUND_EVENT)


def test_selector_properties_may_hold_dashes_and_underscores() -> None:
    event = {"request-parameters": {"x_amz_acl": "private"}}
    assert matches('{ $.request-parameters.x_amz_acl = "private" }', event)


# -- strings: quoted, unquoted, wildcards -------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    [
        "{ $.eventSource = kms.amazonaws.com }",
        '{ $.eventSource = "kms.amazonaws.com" }',
        '{ $.recipientAccountId = "123456789012" }',
        '{ $.errorCode = "AccessDeniedException" }',
    ],
)
def test_quoted_and_unquoted_strings_compare_exactly(pattern: str) -> None:
    assert matches(pattern, CLOUDTRAIL_EVENT)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("AccessDenied*", True),  # at the end: a prefix
        ('"AccessDenied*"', True),
        ("*Exception", True),  # at the start: a suffix
        ("*Denied*", True),  # at both ends: a substring
        ("*", True),  # anything
        ("Access*Exception", False),  # in the middle: literal, per the guide's "Ev*ent"
        ("AccessDenied", False),  # no wildcard: the whole value
        ("accessdenied*", False),  # case sensitive
        ("*Unauthorized*", False),
    ],
)
def test_wildcards(value: str, expected: bool) -> None:
    assert matches(f"{{ $.errorCode = {value} }}", CLOUDTRAIL_EVENT) is expected


def test_a_middle_asterisk_matches_itself() -> None:
    assert matches('{ $.name = "Ev*ent" }', {"name": "Ev*ent"})
    assert not matches('{ $.name = "Ev*ent" }', {"name": "EvXent"})


def test_a_lone_wildcard_matches_numbers_but_not_null_or_missing() -> None:
    assert matches("{ $.latency = * }", {"latency": 3})  # the guide's metric-value example
    assert not matches("{ $.latency = * }", {"latency": None})
    assert not matches("{ $.latency = * }", {})


def test_quoted_strings_keep_spaces_and_escaped_quotes() -> None:
    assert matches(
        '{ $.errorMessage = "Failed authentication" }', {"errorMessage": "Failed authentication"}
    )
    assert matches(r'{ $.m = "say \"hi\"" }', {"m": 'say "hi"'})


# -- != and missing fields -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"additionalEventData": {"MFAUsed": "No"}}, True),
        ({"additionalEventData": {"MFAUsed": "Yes"}}, False),
        ({"additionalEventData": {}}, False),  # missing: != does not match
        ({}, False),
        ({"additionalEventData": {"MFAUsed": None}}, False),  # null is not a value node
        ({"additionalEventData": {"MFAUsed": ["No"]}}, False),  # nor is an array
        ({"additionalEventData": {"MFAUsed": {"v": "No"}}}, False),  # nor an object
    ],
)
def test_not_equal_needs_the_field_to_hold_a_value(event: dict[str, Any], expected: bool) -> None:
    assert matches('{ $.additionalEventData.MFAUsed != "Yes" }', event) is expected


def test_not_equal_or_not_exists_is_how_to_include_missing_fields() -> None:
    pattern = (
        '{ $.additionalEventData.MFAUsed != "Yes" || $.additionalEventData.MFAUsed NOT EXISTS }'
    )
    assert matches(pattern, {})
    assert not matches(pattern, {"additionalEventData": {"MFAUsed": "Yes"}})


def test_not_equal_with_a_wildcard_excludes_the_prefix() -> None:
    assert matches("{ $.ip != 123.123.* }", {"ip": "111.111.111.111"})
    assert not matches("{ $.ip != 123.123.* }", {"ip": "123.123.4.5"})


# -- numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{ $.latency = 250 }", True),
        ("{ $.latency != 250 }", False),
        ("{ $.latency != 500 }", True),
        ("{ $.latency > 249 }", True),
        ("{ $.latency > 250 }", False),
        ("{ $.latency >= 250 }", True),
        ("{ $.latency < 250.5 }", True),
        ("{ $.latency <= 2.5e2 }", True),
        ("{ $.latency < 2.5e2 }", False),
        ("{ $.latency > +100 }", True),
        ("{ $.latency > -1 }", True),
        ("{ $.ratio < .8 }", True),
        ("{ $.ratio = 0.75 }", True),
        ("{ $.latency = 250.0 }", True),  # numeric equality, not text
        ("{ $.eventName > 1 }", False),  # ordering needs a JSON number
        ("{ $.missing < 1 }", False),
        ("{ $.missing != 1 }", False),
        ("{ $.recipientAccountId = 123456789012 }", True),  # same digits in a JSON string
        ("{ $.recipientAccountId != 123456789012 }", False),
        ('{ $.latency = "250" }', True),  # a string compared with a number's JSON text
        ("{ $.latency = 25* }", True),
    ],
)
def test_numeric_comparisons(pattern: str, expected: bool) -> None:
    assert matches(pattern, CLOUDTRAIL_EVENT) is expected


def test_booleans_are_not_numbers() -> None:
    assert not matches("{ $.flag = 1 }", {"flag": True})
    assert not matches("{ $.flag > 0 }", {"flag": True})


# -- IS NULL, NOT EXISTS, IS TRUE, IS FALSE -----------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "event", "expected"),
    [
        ("{ $.x IS NULL }", {"x": None}, True),
        ("{ $.x IS NULL }", {}, False),  # absent is not null
        ("{ $.x IS NULL }", {"x": ""}, False),
        ("{ $.x NOT EXISTS }", {}, True),
        ("{ $.x NOT EXISTS }", {"x": None}, False),  # present, even though null
        ("{ $.x.y NOT EXISTS }", {"x": "scalar"}, True),
        ("{ $.x[3] NOT EXISTS }", {"x": [1]}, True),
        ("{ $.x IS TRUE }", {"x": True}, True),
        ("{ $.x IS TRUE }", {"x": "true"}, False),
        ("{ $.x IS TRUE }", {"x": 1}, False),
        ("{ $.x IS FALSE }", {"x": False}, True),
        ("{ $.x IS FALSE }", {"x": 0}, False),
        ("{ $.x IS FALSE }", {}, False),
    ],
)
def test_null_existence_and_boolean_checks(
    pattern: str, event: dict[str, Any], expected: bool
) -> None:
    assert matches(pattern, event) is expected


# -- && / || / parentheses ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        # a || b && c  is  a || (b && c)
        ("{ $.a = 1 || $.b = 0 && $.c = 0 }", True),
        ("{ ($.a = 1 || $.b = 0) && $.c = 0 }", False),
        # a && b || c  is  (a && b) || c
        ("{ $.c = 0 && $.b = 0 || $.a = 1 }", True),
        ("{ $.c = 0 && ($.b = 0 || $.a = 1) }", False),
        ("{ ((($.a = 1))) }", True),
        ("{ (($.a = 1) && (($.b = 1) || ($.c = 0))) }", True),
        ("{ $.a = 1 && $.b = 1 && $.c = 1 }", True),
        ("{ $.a = 0 || $.b = 0 || $.c = 1 }", True),
    ],
)
def test_and_binds_tighter_than_or(pattern: str, expected: bool) -> None:
    assert matches(pattern, {"a": 1, "b": 1, "c": 1}) is expected


def test_whitespace_anywhere_between_tokens() -> None:
    pattern = (
        '\n\t{\n\t($.eventName\t=\n"DisableKey")\r\n&&\n\t(  $.awsRegion   =eu-west-1  )\n}\n  '
    )
    assert matches(pattern, CLOUDTRAIL_EVENT)


def test_no_whitespace_at_all() -> None:
    assert matches("{($.eventName=DisableKey)&&($.awsRegion!=us-east-1)}", CLOUDTRAIL_EVENT)
    assert matches('{$.eventName="DisableKey"||$.x NOT EXISTS}', CLOUDTRAIL_EVENT)


def test_a_selector_without_its_dot_is_read_as_meant_and_recorded() -> None:
    pattern = parse("{ ($eventSource = kms.amazonaws.com) && ($eventName=DisableKey) }")
    assert pattern.matches(CLOUDTRAIL_EVENT)
    assert pattern.tolerated == (
        '"$eventSource" as "$.eventSource"',
        '"$eventName" as "$.eventName"',
    )


def test_keywords_in_lower_case_are_read_and_recorded() -> None:
    pattern = parse("{ $.x not exists }")
    assert pattern.matches({})
    assert pattern.tolerated == ('"not" as "NOT"', '"exists" as "EXISTS"')


def test_a_clean_pattern_records_nothing_tolerated() -> None:
    pattern = parse("{ $.eventName = DisableKey }")
    assert isinstance(pattern, FilterPattern)
    assert pattern.tolerated == ()
    assert pattern.text == "{ $.eventName = DisableKey }"


# -- what cannot be parsed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("{ ($.a = b)) }", 'unexpected ")" at column 12 (expected "}")'),
        ("{ $.a = b ", 'unexpected end of pattern at column 11 (expected "}")'),
        ("{ $.a = }", 'unexpected "}" at column 9 (expected a value after "=")'),
        ("{ }", 'unexpected "}" at column 3 (expected a selector such as $.eventName)'),
        ("{ eventName = x }", 'unexpected "eventName" at column 3 (expected a selector'),
        ('{ $.a = "x }', "unterminated string starting at column 9"),
        ("{ $.a < b }", '"<" needs a number, found "b" at column 9'),
        ('{ $.a >= "1" }', '">=" needs a number, found "1" at column 10'),
        ("{ $.a..b = c }", 'invalid selector "$.a..b" at column 3'),
        ("{ $.a[x] = c }", 'invalid selector "$.a[x]" at column 3'),
        ("{ $[0] = c }", 'invalid selector "$[0]" at column 3'),
        ("{ $ = c }", 'invalid selector "$" at column 3'),
        ("{ $.a = b & $.c = d }", 'unexpected "&" at column 11 (expected "&&" or "||")'),
        ("{ $.a = b | $.c = d }", 'unexpected "|" at column 11'),
        ("{ $.a == b }", 'unexpected "=" at column 8 (expected a value after "=")'),
        (
            "{ $.a IS MAYBE }",
            'unexpected "MAYBE" at column 10 (expected "NULL", "TRUE" or "FALSE")',
        ),
        ("{ $.a NOT THERE }", 'unexpected "THERE" at column 11 (expected "EXISTS")'),
        ("{ $.a EXISTS }", 'unexpected "EXISTS" at column 7 (expected an operator'),
        ("{ $.a = b } extra", 'unexpected "extra" at column 13 (expected end of pattern)'),
        ("{ { $.a = b } }", 'unexpected "{" at column 3'),
        ("{ $.a = b $.c = d }", 'unexpected "$.c" at column 11 (expected "}")'),
        ('{ $.a = \\"x\\" }', 'unexpected "\\" at column 9 (a backslash-escaped quote'),
        ("{\n  ($.a = b)\n  && )\n}", 'unexpected ")" at line 3, column 6'),
        ('{ "a" = b }', 'unexpected string "a" at column 3'),
        ("{ $.a = %AUTH.*% }", 'regular expressions ("%AUTH.*%" at column 9) cannot be judged'),
    ],
)
def test_parse_errors_say_what_and_where_on_one_line(pattern: str, message: str) -> None:
    with pytest.raises(FilterPatternError) as caught:
        parse(pattern)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "pattern",
    [
        "",
        "   ",
        "ERROR",
        '"Failed authentication"',
        "?ERROR ?WARN",
        "ERROR -Exiting",
        "[ip, user, status_code = 4*]",
        "%AUTHORIZED%",
        "$.eventName = ConsoleLogin",
    ],
)
def test_non_json_patterns_are_out_of_scope(pattern: str) -> None:
    with pytest.raises(FilterPatternError, match=re.escape(NON_JSON_MESSAGE)):
        parse(pattern)


def test_absurd_nesting_is_a_parse_error_not_a_recursion_error() -> None:
    deep = "{" + "(" * 400 + "$.a = b" + ")" * 400 + "}"
    with pytest.raises(FilterPatternError, match="parentheses nested deeper than 50 at column 52"):
        parse(deep)
    assert matches("{" + "(" * 50 + "$.a = b" + ")" * 50 + "}", {"a": "b"})


def test_control_characters_in_errors_are_escaped() -> None:
    with pytest.raises(FilterPatternError) as caught:
        parse("{ $.a = b \x1b[31m }")
    assert "\x1b" not in str(caught.value)
    assert "\\x1b" in str(caught.value)


# -- properties: meaning does not depend on formatting -----------------------------------------

FIELDS = ("$.a", "$.b.c", "$.d[0]", "$.d[1].e")
WORDS = ("x", "y", "Foo", "Fox", "kms.amazonaws.com", "Fo*", "*oo", "*", "Access-Denied_2")
NUMBERS = ("0", "1", "2.5", "-3", "1e1")
CHECKS = (("IS", "NULL"), ("NOT", "EXISTS"), ("IS", "TRUE"), ("IS", "FALSE"))


@dataclass(frozen=True)
class Leaf:
    selector: str
    operator: str  # "" for an IS / NOT check
    value: str  # a word, a number, or the check's keywords joined by a space
    is_word: bool


@dataclass(frozen=True)
class Branch:
    operator: str  # "&&" or "||"
    operands: tuple[Leaf | Branch, ...]


@dataclass(frozen=True)
class Style:
    shuffle: bool = False
    extra_parens: bool = False
    odd_spacing: bool = False
    quote: bool = False


word_leaves = st.builds(
    Leaf,
    st.sampled_from(FIELDS),
    st.sampled_from(("=", "!=")),
    st.sampled_from(WORDS),
    st.just(True),
)
number_leaves = st.builds(
    Leaf,
    st.sampled_from(FIELDS),
    st.sampled_from(("=", "!=", "<", ">", "<=", ">=")),
    st.sampled_from(NUMBERS),
    st.just(False),
)
check_leaves = st.builds(
    Leaf,
    st.sampled_from(FIELDS),
    st.just(""),
    st.sampled_from([" ".join(c) for c in CHECKS]),
    st.just(False),
)
trees = st.recursive(
    st.one_of(word_leaves, number_leaves, check_leaves),
    lambda children: st.builds(
        Branch, st.sampled_from(("&&", "||")), st.lists(children, min_size=2, max_size=4).map(tuple)
    ),
    max_leaves=8,
)
scalars = st.one_of(
    st.sampled_from(("x", "y", "Foo", "Fox", "oo", "kms.amazonaws.com", "Access-Denied_2", "")),
    st.sampled_from((0, 1, 2.5, -3, 10, 10.0)),
    st.none(),
    st.booleans(),
)
events = st.fixed_dictionaries(
    {},
    optional={
        "a": scalars,
        "b": st.one_of(scalars, st.fixed_dictionaries({}, optional={"c": scalars})),
        "d": st.lists(
            st.one_of(scalars, st.fixed_dictionaries({}, optional={"e": scalars})), max_size=3
        ),
    },
)

GAPS = ("", " ", "\n", "\t", "  \n\t ", "\r\n")


def render(tree: Leaf | Branch, style: Style, rnd: random.Random) -> str:
    """Write a tree as a pattern; the default style is the plain, minimal form."""
    return (
        "{"
        + _gap(style, rnd, required=False)
        + _render(tree, style, rnd)
        + _gap(style, rnd, required=False)
        + "}"
    )


def _render(node: Leaf | Branch, style: Style, rnd: random.Random) -> str:
    if isinstance(node, Leaf):
        text = _render_leaf(node, style, rnd)
    else:
        operands = list(node.operands)
        if style.shuffle:
            rnd.shuffle(operands)
        gap = _gap(style, rnd, required=False)
        parts = [_render_operand(child, node.operator, style, rnd) for child in operands]
        text = (gap + node.operator + gap).join(parts)
    if style.extra_parens and rnd.random() < 0.5:
        text = "(" + text + ")"
    return text


def _render_operand(child: Leaf | Branch, parent: str, style: Style, rnd: random.Random) -> str:
    text = _render(child, style, rnd)
    # Only an || under an && needs parentheses: && binds tighter.
    needs = isinstance(child, Branch) and child.operator == "||" and parent == "&&"
    return "(" + text + ")" if needs else text


def _render_leaf(leaf: Leaf, style: Style, rnd: random.Random) -> str:
    if not leaf.operator:
        first, second = leaf.value.split()
        return (
            leaf.selector
            + _gap(style, rnd, required=True)
            + first
            + _gap(style, rnd, required=True)
            + second
        )
    value = f'"{leaf.value}"' if leaf.is_word and style.quote and rnd.random() < 0.7 else leaf.value
    return (
        leaf.selector
        + _gap(style, rnd, required=False)
        + leaf.operator
        + _gap(style, rnd, required=False)
        + value
    )


def _gap(style: Style, rnd: random.Random, *, required: bool) -> str:
    if not style.odd_spacing:
        return " "
    choices = [g for g in GAPS if g or not required]
    return rnd.choice(choices)


def evaluate(tree: Leaf | Branch, event: dict[str, Any]) -> bool:
    """An oracle for the boolean structure: leaves are parsed alone, && / || are Python's."""
    if isinstance(tree, Leaf):
        return matches(render(tree, Style(), random.Random(0)), event)
    results = (evaluate(child, event) for child in tree.operands)
    return all(results) if tree.operator == "&&" else any(results)


def _same_meaning(tree: Leaf | Branch, event: dict[str, Any], style: Style, seed: int) -> None:
    plain = render(tree, Style(), random.Random(seed))
    variant = render(tree, style, random.Random(seed))
    assert parse(variant).matches(event) == parse(plain).matches(event), (plain, variant)


PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(trees, events)
def test_parsing_respects_precedence(tree: Leaf | Branch, event: dict[str, Any]) -> None:
    assert parse(render(tree, Style(), random.Random(0))).matches(event) == evaluate(tree, event)


@PROPERTY
@given(trees, events, st.integers(0, 2**32))
def test_operand_order_does_not_matter(
    tree: Leaf | Branch, event: dict[str, Any], seed: int
) -> None:
    _same_meaning(tree, event, Style(shuffle=True), seed)


@PROPERTY
@given(trees, events, st.integers(0, 2**32))
def test_redundant_parentheses_do_not_matter(
    tree: Leaf | Branch, event: dict[str, Any], seed: int
) -> None:
    _same_meaning(tree, event, Style(extra_parens=True), seed)


@PROPERTY
@given(trees, events, st.integers(0, 2**32))
def test_whitespace_and_newlines_do_not_matter(
    tree: Leaf | Branch, event: dict[str, Any], seed: int
) -> None:
    _same_meaning(tree, event, Style(odd_spacing=True), seed)


@PROPERTY
@given(trees, events, st.integers(0, 2**32))
def test_quoting_simple_values_does_not_matter(
    tree: Leaf | Branch, event: dict[str, Any], seed: int
) -> None:
    _same_meaning(tree, event, Style(quote=True), seed)


@PROPERTY
@given(trees, events, st.integers(0, 2**32))
def test_all_reformattings_together_do_not_matter(
    tree: Leaf | Branch, event: dict[str, Any], seed: int
) -> None:
    _same_meaning(
        tree, event, Style(shuffle=True, extra_parens=True, odd_spacing=True, quote=True), seed
    )


@PROPERTY
@given(st.text(max_size=60))
def test_any_text_parses_or_raises_a_one_line_filter_pattern_error(text: str) -> None:
    try:
        pattern = parse("{" + text + "}")
    except FilterPatternError as exc:
        assert "\n" not in str(exc)
    else:
        pattern.matches(CLOUDTRAIL_EVENT)  # evaluation never raises

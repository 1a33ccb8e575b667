"""Properties of judging metric filters (3.1–3.14), drawn by hypothesis over every reference.

* AND-ing a condition on a field the reference leaves free narrows it: the filter fails, naming
  exactly the counted events the condition drops.
* A catch-all filter (alone, or OR-ed onto the reference) would alarm on routine activity: fails.
* The reference rewritten (whitespace, quoting, order, the `$eventName` typo) passes, equivalent.

Bounded and derandomized, so the suite stays quick and its outcome does not vary between runs.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_cis_aws.rules.filterpattern import parse
from pytest_cis_aws.rules.metric_filters import CORPUS, REFERENCE_PATTERNS, judge
from test_metric_filters import (
    ABSENT,
    RECS,
    Rewrite,
    free_fields,
    positives,
    rewrite,
    states,
    value_at,
)

QUICK = settings(max_examples=50, deadline=None, derandomize=True, database=None)
VARIED = {rec: [path for path in free_fields(rec) if len(states(rec, path)) > 1] for rec in RECS}
GAPS = (" ", "", "\n", "\t", "  \n  ")
# Fields every CloudTrail record has: `= *` on any of them matches everything.
ALWAYS_THERE = ("eventName", "eventSource", "eventVersion", "eventID", "eventTime", "awsRegion",
                "eventType", "sourceIPAddress", "userAgent", "recipientAccountId",
                "userIdentity.type")


def _inner(pattern: str) -> str:
    return pattern.strip()[1:-1]


def _quoted(text: str) -> str:
    return json.dumps(text)  # the corpus holds no backslash: JSON quoting is the pattern's


def _condition(path: str, value: Any, negate: bool) -> str:
    """A condition true for an event whose `path` holds `value` (false for it if `negate`)."""
    selector = f"$.{path}"
    if value is ABSENT:
        return f"{selector} = *" if negate else f"{selector} NOT EXISTS"
    if value is None:
        return f"{selector} NOT EXISTS" if negate else f"{selector} IS NULL"
    if isinstance(value, bool):
        return f"{selector} IS {str(value != negate).upper()}"
    return f"{selector} {'!=' if negate else '='} {_quoted(str(value))}"


@st.composite
def narrowed(draw: st.DrawFn) -> tuple[str, str, str]:
    meaning = draw(st.sampled_from(RECS))
    path = draw(st.sampled_from(VARIED[meaning]))
    event = draw(st.sampled_from(positives(meaning)))
    condition = _condition(path, value_at(event, path), draw(st.booleans()))
    gap = draw(st.sampled_from(GAPS))
    inner = _inner(REFERENCE_PATTERNS[meaning])
    pattern = (f"{{{gap}({inner}){gap}&&{gap}{condition}{gap}}}" if draw(st.booleans())
               else f"{{{gap}{condition}{gap}&&{gap}({inner}){gap}}}")
    return meaning, condition, pattern


@QUICK
@given(narrowed())
def test_a_condition_on_a_free_field_narrows_the_reference_and_fails(
        case: tuple[str, str, str]) -> None:
    meaning, condition, pattern = case
    keeps = parse(f"{{ {condition} }}")
    dropped = tuple(e.label for e in CORPUS[meaning] if e.kind == "match"
                    and not keeps.matches(e.event))
    assert dropped, f"{condition} drops no counted event of {meaning}: the corpus does not vary it"
    for mode in ("covers", "equivalent"):
        result = judge(meaning, pattern, mode)
        assert not result.satisfies
        assert result.missed == dropped
        assert result.note.startswith("misses: ")


@st.composite
def catch_all(draw: st.DrawFn) -> tuple[str, str]:
    meaning = draw(st.sampled_from(RECS))
    field = draw(st.sampled_from(ALWAYS_THERE))
    value = draw(st.sampled_from(("*", '"*"')))
    gap = draw(st.sampled_from(GAPS))
    anything = f"$.{field}{gap}={gap}{value}"
    shape = draw(st.sampled_from(("alone", "or-reference", "reference-or")))
    inner = _inner(REFERENCE_PATTERNS[meaning])
    pattern = {
        "alone": f"{{{gap}{anything}{gap}}}",
        "or-reference": f"{{ {anything} || ({inner}) }}",
        "reference-or": f"{{ ({inner}){gap}||{gap}({anything}) }}",
    }[shape]
    return meaning, pattern


@QUICK
@given(catch_all())
def test_a_catch_all_filter_would_alarm_on_routine_activity(case: tuple[str, str]) -> None:
    meaning, pattern = case
    for mode in ("covers", "equivalent"):
        result = judge(meaning, pattern, mode)
        assert not result.satisfies
        assert result.missed == ()
        assert result.routine
        assert result.note.startswith(f"would alarm on routine activity, such as "
                                      f"{result.routine[0]}")


@st.composite
def reformatted(draw: st.DrawFn) -> tuple[str, str]:
    meaning = draw(st.sampled_from(RECS))
    how = Rewrite(reverse=draw(st.booleans()), quote=draw(st.booleans()),
                  gap=draw(st.sampled_from(GAPS)))
    pattern = rewrite(meaning, how)
    if draw(st.booleans()):
        # The typo CIS v1.1.0 prints in 3.7 and 3.8, read as meant.
        pattern = pattern.replace("$.eventName", "$eventName").replace(
            "$.eventSource", "$eventSource")
    return meaning, pattern


@QUICK
@given(reformatted())
def test_the_reference_rewritten_is_equivalent(case: tuple[str, str]) -> None:
    meaning, pattern = case
    result = judge(meaning, pattern, "equivalent")
    assert result.satisfies, (pattern, result.note)
    assert (result.missed, result.routine, result.extra) == ((), (), ())

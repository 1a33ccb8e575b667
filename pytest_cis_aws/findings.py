"""Findings and verdicts: what a rule says about each resource, and how a check ends.

A rule returns a list of `Finding`; a check hands it to `assert_compliant`, which passes only when
every finding is compliant, fails with a table of the offenders and the remediation, and ends in
*error* when a finding could not be evaluated. Every finding a check judged is recorded, passes
included, so reports can show the evidence.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar, cast

import pytest
from _pytest.outcomes import Skipped  # pytest.skip.Exception, by a name a type checker can see

from . import catalog
from .errors import CouldNotEvaluate
from .finding import Finding
from .text import MAX_LINE, printable, table

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class CheckRecord:
    """What one running test has recorded: its findings and notes."""

    rec_id: str | None = None
    title: str | None = None  # an organisation check's own title (stock ones: the catalog's)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Looks up the waiver for (rec_id, resource); None when the run has no waivers file.
    waive: Callable[[str, str], Any] | None = None


_current: ContextVar[CheckRecord | None] = ContextVar("cis_aws_check_record", default=None)


@contextlib.contextmanager
def recording(record: CheckRecord) -> Iterator[CheckRecord]:
    """Make `record` the target of `assert_compliant` / `manual` while a test runs."""
    token = _current.set(record)
    try:
        yield record
    finally:
        _current.reset(token)


def _record() -> CheckRecord:
    return _current.get() or CheckRecord()


def assert_compliant(findings: Iterable[Finding], *, note: str | None = None,
                     empty: str | None = None) -> None:
    """Pass when every finding is compliant; fail listing every offender; error when unsure.

    Failures win over unknowns: a resource known to be non-compliant is reported even when
    another one could not be read (the unknown ones are listed too).

    No finding at all is no proof: the check ends in *error* unless `empty` says why an empty
    population is compliant ("no S3 buckets in the account"), which is then its evidence. A
    check whose population is empty because a prerequisite is missing should fail instead.
    """
    record = _record()
    found = [_waived(record, f) for f in findings]
    record.findings.extend(found)
    if note:
        record.notes.append(note)
    if not found:
        if empty:
            record.notes.append(empty)
            return
        raise CouldNotEvaluate(NOTHING_JUDGED)
    failing = [f for f in found if f.compliant is False and f.waiver is None]
    waived = [f for f in found if f.waiver is not None]
    unknown = [f for f in found if f.compliant is None]
    if waived and not failing and not unknown:
        # Not strict: a waived resource that gets fixed early is fine.
        pytest.xfail(printable(f"waived: {len(waived)} accepted exception(s): " + "; ".join(
            f"{f.resource} ({f.waiver})" for f in waived[:3]), MAX_LINE))
    if failing:
        pytest.fail(failure_message(record.rec_id, failing, unknown, len(found), record.title),
                    pytrace=False)
    if unknown:
        raise CouldNotEvaluate(unknown_message(unknown))


NOTHING_JUDGED = (
    "nothing was judged: the check found no resource and does not say why none is compliant "
    "(assert_compliant(findings, empty=\"...\") says it)")


def _waived(record: CheckRecord, finding: Finding) -> Finding:
    if finding.compliant is not False or record.waive is None or record.rec_id is None:
        return finding
    waiver = record.waive(record.rec_id, finding.resource)
    return replace(finding, waiver=waiver.describe()) if waiver else finding


class ManualCheck(Skipped):
    """How `manual` ends a check: a skip to pytest (every reporter words it as one), *manual*
    to the plugin, which tells them apart by this type (hooks.py sets `cis_outcome`), never by
    the message. A plain `pytest.skip("manual: ...")` stays a skip."""

    # pytest words a skip as "<type name>: <message>" and strips only "Skipped: " (terminal,
    # JUnit): presented as its base, as pytest presents its own Skipped, every output reads
    # "manual: ..." exactly as before.
    __module__ = "builtins"
    __qualname__ = "Skipped"


def manual(reason: str, evidence: Iterable[Finding] = ()) -> None:
    """End the check as *manual*: no API can decide it. Never a pass.

    Public API: an organisation check may end this way too. The message reads "manual: <reason>"
    for people; no report derives the outcome from it.
    """
    record = _record()
    record.findings.extend(evidence)
    # Report the test's own location, not this helper's. The reason is printed as one line in
    # the terminal summary, and it may quote names from the account.
    raise ManualCheck(f"manual: {printable(reason, MAX_LINE)}", _use_item_location=True)


def failure_message(
    rec_id: str | None, failing: list[Finding], unknown: list[Finding], judged: int,
    title: str | None = None,
) -> str:
    headline = f"{len(failing)} of {judged} resources do not comply"
    if rec_id is not None and catalog.known(rec_id):
        rec = catalog.get(rec_id)
        headline = f"{catalog.current().label} {rec.id} {rec.title}: {headline}"
    elif rec_id and title:
        headline = printable(f"{rec_id} {title}: {headline}", MAX_LINE)
    parts = [headline, "", _findings_table(failing)]
    if unknown:
        parts += ["", f"{len(unknown)} could not be evaluated:", _findings_table(unknown)]
    if rec_id is not None and catalog.known(rec_id):
        rec = catalog.get(rec_id)
        parts += ["", f"How to fix: {rec.remediation}"]
        if rec.cli:
            parts += ["", *("  " + line for line in rec.cli.splitlines())]
    return "\n".join(parts)


def unknown_message(unknown: list[Finding]) -> str:
    first = unknown[0]
    more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
    # The first line is the error's summary in the terminal: printed like the table's cells.
    summary = printable(f"{first.resource}: {first.reason}", MAX_LINE) + more
    return "\n".join([summary, "", _findings_table(unknown)])


# A failure message is read in a terminal or a CI log: past this many rows the rest is counted,
# not printed (the findings, the JSON and the HTML report keep every one).
MAX_ROWS = 50


def _findings_table(findings: list[Finding]) -> str:
    rows = [[f.resource, f.region or "-", f.reason] for f in findings[:MAX_ROWS]]
    text = table(["resource", "region", "reason"], rows)
    if len(findings) > MAX_ROWS:
        text += (f"\n  ... and {len(findings) - MAX_ROWS} more (every one is in the findings: "
                 "--cis-json, --html)")
    return text


def recommendation(rec_id: str) -> Callable[[F], F]:
    """Mark a test as checking one CIS recommendation, with every marker selection relies on."""
    rec = catalog.get(rec_id)

    def decorate(func: F) -> F:
        for mark in markers_for(rec.id, rec.level, rec.section, rec.scored):
            func = mark(func)
        return func

    return decorate


def check(rule: str) -> Callable[[F], F]:
    """Mark a stock test as the check of `rule` (e.g. "iam.root_mfa"). Which recommendation,
    level and section that is, the benchmark the run audits says, at collection
    (selection.complete_markers); a benchmark without the rule leaves the check out."""
    return cast(Callable[[F], F], pytest.mark.cis(rule=rule))


def markers_for(rec_id: str, level: int, section: str, scored: bool) -> list[pytest.MarkDecorator]:
    marks = [
        pytest.mark.cis(id=rec_id, level=level, section=section, scored=scored),
        getattr(pytest.mark, f"cis_level{level}"),
        getattr(pytest.mark, f"cis_{section}"),
    ]
    if scored:
        marks.append(pytest.mark.cis_scored)
    return marks

"""The terminal summary of a CIS run: who, where, what passed, and the score."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .. import catalog
from ..text import printable, table
from .results import OUTCOMES, Results, incomplete_note

if TYPE_CHECKING:
    import pytest

    from .gate import Verdict


def benchmark_counts() -> dict[str, int]:
    """Per level, the benchmark's scored recommendations (Level 2 includes Level 1)."""
    return {str(level): sum(1 for rec in catalog.recommendations()
                            if rec.scored and rec.level <= level) for level in (1, 2)}


# A result that says something about its recommendation: it ran (a skip says nothing).
_RAN = frozenset({"passed", "failed", "waived", "error", "manual"})


def selected_counts(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Per level, how many of the benchmark's scored recommendations the run has a result for
    (by id: an organization's accounts share the count)."""
    ids = {str(r.get("id")) for r in rows if r.get("stock") and r.get("outcome") in _RAN}
    benchmark = catalog.current().recommendations
    recs = [benchmark[i] for i in ids if i in benchmark and benchmark[i].scored]
    return {str(level): sum(1 for rec in recs if rec.level <= level) for level in (1, 2)}


def score_lines(score: Mapping[str, Mapping[str, int]], max_level: int,
                note: str | None = None,
                rows: Iterable[Mapping[str, Any]] | None = None) -> list[str]:
    """One line per level; `note` (an incomplete run's) is repeated on each: a score over a
    subset never reads as the account's.

    With the result `rows` (Result.to_dict()s, or a document's "results"), a level whose scored
    recommendations did not all run (a selection, --lf, --cis-no-stock, checks not run) says
    so and gives no percentage: "Level 1: 12/22 of the selected scored recommendations pass
    (36 in the benchmark)". Without them, every line reads as the whole benchmark's.
    """
    selected = selected_counts(rows) if rows is not None else None
    benchmark = benchmark_counts()
    lines = []
    suffix = f", {note}" if note else ""
    for level in range(1, max_level + 1):
        s = score[str(level)]
        passed, evaluated = s["passed"], s["evaluated"]
        chosen, total = (selected or {}).get(str(level)), benchmark[str(level)]
        if chosen is None or chosen >= total:
            line = (f"{passed}/{evaluated} scored recommendations pass "
                    f"({100 * passed // evaluated}%)" if evaluated
                    else "no scored recommendation was evaluated automatically")
        else:
            if not chosen:  # an incomplete run may have selected some that never ran
                line = f"no scored recommendation {'ran' if note else 'selected'}"
            elif evaluated:
                line = f"{passed}/{evaluated} of the selected scored recommendations pass"
            else:
                line = (f"none of the {chosen} selected scored recommendation"
                        f"{'s' if chosen != 1 else ''} was evaluated automatically")
            line += f" ({total} in the benchmark)"
        lines.append(f"Level {level}: {line}{suffix}")
    return lines


def not_run_line(completeness: dict[str, Any], limit: int = 400) -> str:
    ids = ", ".join(f"{n['account']}/{n['id']}" if n.get("account") else str(n["id"])
                    for n in completeness.get("not_run", []))
    return printable(f"not run: {ids}", limit)


def account_rows(by_account: dict[str, dict[str, dict[str, int]]], max_level: int
                 ) -> list[list[str]]:
    def cell(s: dict[str, int]) -> str:
        pct = f" ({100 * s['passed'] // s['evaluated']}%)" if s["evaluated"] else ""
        return f"{s['passed']}/{s['evaluated']}{pct}"

    return [[account, *(cell(score[str(n)]) for n in range(1, max_level + 1))]
            for account, score in by_account.items()]


def write_summary(tr: pytest.TerminalReporter, results: Results, header: dict[str, Any]) -> None:
    benchmark = catalog.current()
    tr.write_sep("=", f"{benchmark.name} v{benchmark.version}")
    tr.write_line(
        f"account {header['account']} | regions {', '.join(header['regions']) or '-'} | "
        f"level {header['level']} | {header['duration']:.1f} s | {header['api_calls']} API calls")
    for line, level in caveats(header):
        tr.write_line(line, red=level == "error", yellow=level == "warn")
    completeness = results.completeness()
    note = incomplete_note(completeness)
    if note:
        tr.write_line(note, red=True, bold=True)
        if completeness["not_run"]:
            tr.write_line(not_run_line(completeness), red=True)
    sections = results.by_section()
    rows = [[name, *(str(counts[o]) for o in OUTCOMES)]
            for name, counts in sorted(sections.items(), key=lambda kv: section_order(kv[0]))]
    if rows:
        tr.write_line(table(["section", *OUTCOMES], rows))
    by_account = results.score_by_account()
    if by_account:
        tr.write_line(table(["account", *(f"level {n}" for n in range(1, header["level"] + 1))],
                            account_rows(by_account, header["level"])))
        tr.write_line("Organization total:", bold=True)
    result_rows = [r.to_dict() for r in results.results()]
    for line in score_lines(results.score(), header["level"], note, result_rows):
        tr.write_line(line, bold=True)
    for outcome in ("manual", "error"):
        listed = [r for r in results.results() if r.outcome == outcome]
        if listed:
            tr.write_line(f"{outcome}: " + ", ".join(r.id for r in listed))
    for r in results.results():
        if r.outcome == "error":
            tr.write_line(f"  {r.id}: {printable(r.reason, 160)}")
    for line in waived_lines(result_rows):
        tr.write_line(line, yellow=True)
    for line in waiver_lines(header):
        tr.write_line(line, yellow=True)


def caveats(header: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """What qualifies a run's results, in the same words in every report: (line, "error",
    "warn" or None) for no region audited, each credential report, data reused from the cache."""
    found: list[tuple[str, str | None]] = []
    if header.get("no_regions"):
        found.append((f"no region audited: {header['no_regions']}; every regional "
                      "recommendation ended in error", "error"))
    for line, old in credential_report_lines(header.get("credential_reports") or {}):
        found.append((line, "warn" if old else None))
    ages = header.get("cache_ages") or []
    if ages:
        found.append((f"cross-run cache: {len(ages)} pieces of data reused from an earlier run, "
                      f"the oldest {ages[-1]:.0f} s old", "warn"))
    return found


def waiver_lines(header: Mapping[str, Any]) -> list[str]:
    """Expired waivers (no longer applied) and unused ones (matched nothing)."""
    waivers = header.get("waivers") or {}
    return [f"{kind} waiver: {printable(waiver, 200)}"
            for kind in ("expired", "unused") for waiver in waivers.get(kind, [])]


def waived_lines(rows: Iterable[Mapping[str, Any]], limit: int = 20) -> list[str]:
    """Each waived finding: recommendation, resource and the waiver that accepts it (at most
    `limit`; the rest are in every export). A waived result without such a finding (a check's
    own pytest.xfail) gives its reason."""
    listed = []
    for r in rows:
        who = f"{r['account']}/" if r.get("account") else ""
        waived = [f for f in r.get("findings") or [] if f.get("waiver")]
        listed += [f"{who}{r.get('id')} {f.get('resource')}: {f['waiver']}" for f in waived]
        if r.get("outcome") == "waived" and not waived:
            listed.append(f"{who}{r.get('id')}: {r.get('reason')}")
    if not listed:
        return []
    lines = [f"waived: {len(listed)} finding{'s' if len(listed) != 1 else ''} accepted"]
    lines += [f"  {printable(line, 240)}" for line in listed[:limit]]
    if len(listed) > limit:
        lines.append(f"  ... and {len(listed) - limit} more waived")
    return lines


# AWS reuses a credential report for up to four hours: an older one was kept by someone else.
REPORT_MAX_AGE_SECONDS = 4 * 3600


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"


def credential_report_lines(reports: dict[str, dict[str, Any]]) -> list[tuple[str, bool]]:
    """(line, stale?) for each account's credential report: when AWS generated it, its age."""
    lines = []
    for account, facts in reports.items():
        who = f" of {account}" if len(reports) > 1 else ""
        generated, age = facts.get("generated"), facts.get("age_seconds")
        if generated is not None and age is not None:
            old = age > REPORT_MAX_AGE_SECONDS
            when = f"{datetime.fromisoformat(generated):%Y-%m-%d %H:%M:%S} UTC"
            lines.append((f"credential report{who}: generated {when}, {_duration(age)} old "
                          "when read" + (" (older than the 4 h AWS reuses a report)" if old
                                         else ""), old))
        ignored = facts.get("ignored_rows") or []
        if ignored:
            lines.append((printable(f"credential report{who}: {len(ignored)} row(s) of users "
                                    "deleted since it was generated, not judged: "
                                    + ", ".join(ignored), 300), False))
    return lines


def section_order(name: str) -> int:
    """A section's place in the benchmark (unknown sections, an organisation's, last)."""
    order = list(catalog.current().sections.values())
    return order.index(name) if name in order else len(order)


def write_api_stats(terminalreporter: pytest.TerminalReporter, calls: dict[str, int]) -> None:
    terminalreporter.write_sep("-", f"AWS API calls: {sum(calls.values())}")
    rows = [[key.partition(":")[0], key.partition(":")[2], str(n)] for key, n in calls.items()]
    if rows:
        terminalreporter.write_line(table(["service", "operation", "calls"], rows))


# New items listed under the baseline line; the rest are in the JSON and every export.
MAX_LISTED = 20


def baseline_lines(doc: Mapping[str, Any], limit: int = MAX_LISTED) -> list[str]:
    """'against baseline <generated_at>: N new, M unchanged, K resolved', then the new open
    items by recommendation and resource (at most `limit`). Nothing without a baseline."""
    from .baseline import changes, describe, summary_line

    line = summary_line(doc)
    if line is None:
        return []
    new = changes(doc)["new"]
    lines = [printable(line, 300)]
    many = bool(doc.get("accounts"))  # an organization: name each item's account
    lines += [f"  new: {printable(describe(item, account=many), 240)}" for item in new[:limit]]
    if len(new) > limit:
        lines.append(f"  ... and {len(new) - limit} more new")
    return lines


def write_baseline(tr: pytest.TerminalReporter, doc: Mapping[str, Any],
                   verdict: Verdict | None) -> None:
    """The baseline comparison and why the CIS results do or do not fail the run."""
    lines = baseline_lines(doc)
    for index, line in enumerate(lines):
        tr.write_line(line, bold=index == 0, red=index > 0)
    for reason, fails in getattr(verdict, "reasons", None) or []:
        tr.write_line(reason, bold=True, red=fails, green=not fails)

"""The pytest-html report: a first screen people read at a glance, then pytest-html's table with
CIS columns and CIS words. Registered only when pytest-html is installed.

pytest-html offers hooks (hooks.py) and inserts what they return as raw HTML: the summary is
rendered from a Jinja2 template with autoescape on (templates/summary.html.jinja2), the table
cells here go through `escape`. Everything is inline (no CDN): the report works offline.

Agreements kept with pytest-html 4 (its resources/app.js):
- a row's `result` (the col-result cell's text) stays pytest-html's word (Passed, Failed, Error,
  Skipped, XFailed): its filters and sort match on it. The CIS word rides in `data-cis` and the
  stylesheet shows it in place of pytest-html's.
- a row's `<tbody>` gets its test id as HTML id: the first screen's links aim at that.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from functools import cache
from html import escape
from importlib import resources
from typing import TYPE_CHECKING, Any

from .. import catalog
from ..text import printable
from .baseline import describe
from .json_export import tool_version
from .results import OUTCOMES, Result, Results, _reason, incomplete_note, outcome_of
from .terminal import (
    account_rows,
    baseline_lines,
    caveats,
    not_run_line,
    score_lines,
    section_order,
    waiver_lines,
)

if TYPE_CHECKING:
    import jinja2

# pytest-html sorts on `data-column-type` and reads row values from `col-<name>` (\w+ only).
COLUMNS = (("cisid", "CIS ID"), ("cistitle", "Title"), ("cislevel", "Level"),
           ("cissection", "Section"), ("cisscored", "Scored"))

# The CIS word for each outcome (results.OUTCOMES), as every first-screen table and row says it.
WORDS = {"passed": "passed", "failed": "failed", "error": "could not evaluate",
         "manual": "manual", "waived": "waived", "skipped": "skipped"}

# pytest-html's filter labels (its ReportData.outcomes keys) in CIS words.
FILTER_LABELS = {"passed": "Passed", "failed": "Failed", "error": "Could not evaluate",
                 "skipped": "Manual", "xfailed": "Waived"}

# The first screen lists at most this many failing or could-not-evaluate recommendations; the
# table below has them all.
MAX_LISTED = 60


class HtmlHooks:
    def __init__(self, results: Results, header: Callable[[], dict[str, Any]],
                 document: Callable[[], Mapping[str, Any]] | None = None,
                 started: datetime | None = None) -> None:
        self.results = results
        self.header = header  # callable giving the summary header
        self.document = document  # with --cis-baseline: the compared --cis-json document
        self.started = started or datetime.now(timezone.utc)
        self.report_data: Any = None  # pytest-html's ReportData, from the title hook

    def pytest_html_report_title(self, report: Any) -> None:
        account = self.header()["account"]
        benchmark = catalog.current()
        report.title = (f"{benchmark.short_name} v{benchmark.version} — "
                        f"account {account}")
        self.report_data = report
        relabel_filters(report.outcomes)
        # Details collapsed by default: pytest-html opens every failure. A user's own
        # render_collapsed (anything but pytest-html's default) wins.
        if report.config.getini("render_collapsed") == "passed":
            report.set_data("renderCollapsed", ["all"])

    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        for offset, (name, label) in enumerate(COLUMNS):
            cells.insert(1 + offset, f'<th class="sortable" data-column-type="{name}">{label}</th>')

    def pytest_html_results_table_row(self, report: Any, cells: list[str]) -> None:
        meta = getattr(report, "cis", None) or {}
        if not meta:  # a plain test beside the checks: empty CIS cells keep the columns
            for offset, (name, _) in enumerate(COLUMNS):
                cells.insert(1 + offset, f'<td class="col-{name}"></td>')
            return
        word = WORDS[outcome_of(report)]
        for index, cell in enumerate(cells):
            if 'class="col-result"' in cell:
                cells[index] = cell.replace('class="col-result"',
                                            f'class="col-result" data-cis="{word}"', 1)
            elif 'class="col-testId"' in cell:
                test_id = report.nodeid
                if report.when != "call" and not getattr(report, "cis_phase", None):
                    # An error logged as a setup failure (report/phases.py) happened in another
                    # phase: the row names the test, not a "::setup" it did not fail in.
                    test_id += f"::{report.when}"
                cells[index] = f'<td class="col-testId">{escape(test_id)}</td>'
        values = (meta.get("id", ""), printable(meta.get("title", ""), 300), meta.get("level", ""),
                  meta.get("section", "") or "", "yes" if meta.get("scored") else "no")
        for offset, ((name, _), value) in enumerate(zip(COLUMNS, values)):
            cells.insert(1 + offset, f'<td class="col-{name}">{escape(str(value))}</td>')

    def pytest_html_results_table_html(self, report: Any, data: list[str]) -> None:
        """The check's verdict and its findings as a table, above pytest-html's log (which
        pytest-html shows as HTML: `data` holds escaped text)."""
        if getattr(report, "cis", None) and (report.when == "call" or report.failed):
            data.insert(0, evidence_html(report))

    def pytest_html_results_summary(self, prefix: list[str], summary: list[str],
                                    postfix: list[str]) -> None:
        if self.report_data is not None:
            relabel_filters(self.report_data.outcomes, self.results.results())
        document = self.document() if self.document is not None else None
        prefix.append(render_summary(self.results, self.header(), self.started, document))


def relabel_filters(outcomes: dict[str, dict[str, Any]], results: Iterable[Result] = ()) -> None:
    """pytest-html's filter checkboxes in CIS words; only the labels change, never the keys its
    script filters on. Plain skips share pytest-html's "skipped" with manual checks."""
    labels = dict(FILTER_LABELS)
    if any(r.outcome == "skipped" for r in results):
        labels["skipped"] = "Manual or skipped"
    for key, label in labels.items():
        if key in outcomes:
            outcomes[key]["label"] = label


# -- the first screen ---------------------------------------------------------------------------

@cache
def _environment() -> jinja2.Environment:
    import jinja2  # pytest-html's own dependency: there whenever this module is used

    return jinja2.Environment(loader=jinja2.PackageLoader("pytest_cis_aws", "report/templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True)


@cache
def _asset(name: str) -> str:
    return resources.files("pytest_cis_aws").joinpath(f"report/templates/{name}").read_text(
        encoding="utf-8")


def render_summary(results: Results, header: Mapping[str, Any], started: datetime,
                   document: Mapping[str, Any] | None = None) -> str:
    """The first screen's HTML (autoescaped; the stylesheet and script are the package's own)."""
    from markupsafe import Markup

    context = summary_context(results, header, started, document)
    return _environment().get_template("summary.html.jinja2").render(
        **context, style=Markup(_asset("report.css")), script=Markup(_asset("report.js")))


def summary_context(results: Results, header: Mapping[str, Any], started: datetime,
                    document: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What the first screen shows, from the same Results and header as the terminal."""
    level = int(header["level"])
    rows = results.results()
    completeness = results.completeness()
    note = incomplete_note(completeness)
    score = results.score()
    lines = score_lines(score, level, note, rows=[r.to_dict() for r in rows])
    scores = []
    for n, line in zip(range(1, level + 1), lines):
        s = score[str(n)]
        pct = 100 * s["passed"] // s["evaluated"] if s["evaluated"] else None
        # The big number and the bar only where the terminal gives a percentage: a narrowed
        # run's score is not the account's.
        scores.append({"level": n, **s, "line": line,
                       "pct": pct if pct is not None and f"({pct}%)" in line else None})
    accounts = sorted({str(r.account) for r in rows if r.account}) or [str(header["account"])]
    by_account = results.score_by_account()
    sections = results.by_section()
    shown = [o for o in OUTCOMES if o != "skipped" or any(c["skipped"] for c in sections.values())]
    return {
        "benchmark": catalog.current().name, "version": catalog.current().version,
        "tool_version": tool_version(),
        "accounts": accounts,
        "regions": list(header.get("regions") or []),
        "level": level,
        "started": started.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "duration": duration_text(float(header.get("duration") or 0)),
        "api_calls": header.get("api_calls", 0),
        "ran": len(rows),
        "coverage": coverage(results, header),
        "incomplete": note,
        "not_run": not_run_line(completeness) if note and completeness["not_run"] else None,
        "scores": scores,
        "account_scores": {"levels": list(range(1, level + 1)),
                           "rows": account_rows(by_account, level)} if by_account else None,
        "outcomes": [(o, WORDS[o]) for o in shown],
        "sections": [{"name": name, "counts": counts} for name, counts in
                     sorted(sections.items(), key=lambda kv: section_order(kv[0]))],
        "attention": attention(rows),
        "error_reasons": error_reasons(rows),
        "manual": [_entry(r) for r in rows if r.outcome == "manual"],
        "waived": [_entry(r) for r in rows if r.outcome == "waived"],
        "notes": notes(header),
        "baseline": baseline_context(document) if document is not None else None,
    }


def coverage(results: Results, header: Mapping[str, Any]) -> dict[str, Any]:
    """Whether this run covers the benchmark at its level, or a part of it: a selection (-k,
    --cis-id, --lf, --cis-section), custom checks only (--cis-no-stock), a shard."""
    level = int(header["level"])
    every = results.results() + results.not_run()
    selected = {r.id for r in every if r.stock}
    custom = {r.id for r in every if not r.stock}
    benchmark = [rec.id for rec in catalog.recommendations() if rec.level <= level]
    total = len(benchmark)
    scope = f"{total} level 1 recommendations" if level == 1 else f"{total} recommendations"
    parts = []
    if not selected:
        parts.append(f"none of the {scope} selected")
    elif len(selected & set(benchmark)) < total:
        parts.append(f"selected {len(selected & set(benchmark))} of the {scope}")
    shard = header.get("shard")
    if shard:
        parts.append(f"shard {shard['index']}/{shard['count']} of the accounts")
    plus = f", plus {len(custom)} custom check{'s' if len(custom) != 1 else ''}" if custom else ""
    if parts:
        text = "Partial run: " + "; ".join(parts) + plus + "; the score covers what ran"
    else:
        text = f"Selected: all {scope} of the benchmark{plus}"
    return {"partial": bool(parts), "text": text}


def attention(rows: list[Result]) -> list[dict[str, Any]]:
    """Failed and could-not-evaluate recommendations, in benchmark order, failed first."""
    listed = [r for r in rows if r.outcome == "failed"] + [r for r in rows if r.outcome == "error"]
    return [_entry(r) for r in listed]


def error_reasons(rows: list[Result], limit: int = 4) -> dict[str, Any]:
    """Why recommendations could not be evaluated, the commonest reason first: often one
    missing permission explains several."""
    grouped: dict[str, list[str]] = {}
    for r in rows:
        if r.outcome == "error":
            grouped.setdefault(_why(r.reason), []).append(r.id)
    ranked = sorted(grouped.items(), key=lambda kv: -len(kv[1]))
    return {"listed": [{"reason": reason, "ids": ids} for reason, ids in ranked[:limit]],
            "more": max(0, len(ranked) - limit)}


def _why(reason: str) -> str:
    return printable(reason.removeprefix("could not evaluate: "), 240)


def _entry(r: Result) -> dict[str, Any]:
    return {"id": r.id, "title": printable(r.title, 160), "account": r.account,
            "outcome": r.outcome, "word": WORDS[r.outcome],
            "reason": _why(r.reason) if r.outcome == "error" else "",
            # pytest-html gives each row's <tbody> its test id (escaped here, as in the cell)
            "target": escape(r.nodeid)}


def notes(header: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The terminal's caveats, same words: no region, credential reports, reused cache data,
    expired and unused waivers."""
    return ([{"text": line, "warn": level is not None} for line, level in caveats(header)]
            + [{"text": line, "warn": True} for line in waiver_lines(header)])


def baseline_context(doc: Mapping[str, Any]) -> dict[str, Any] | None:
    """The comparison with --cis-baseline: counts, then new and resolved items (as the terminal
    says them)."""
    lines = baseline_lines(doc, limit=100)
    if not lines:
        return None
    many = bool(doc.get("accounts"))
    return {"line": lines[0],
            "new": [line.strip().removeprefix("new: ") for line in lines[1:]],
            "resolved": [printable(describe(entry, account=many), 240)
                         for entry in (doc.get("resolved") or [])[:100]]}


def baseline_html(doc: Mapping[str, Any]) -> str:
    """The baseline comparison alone, as HTML (autoescaped)."""
    context = baseline_context(doc)
    if context is None:
        return ""
    return _environment().get_template("baseline.html.jinja2").render(baseline=context)


# Rows of evidence shown per check; --cis-json has them all.
MAX_EVIDENCE = 200
# Failing resources first, then waived, then those that comply.
_STATES = {"failed": (0, "does not comply"), "waived": (1, "waived"), "passed": (2, "complies")}


def evidence_html(report: Any) -> str:
    """One line of HTML (autoescaped): the CIS outcome with its reason, the findings, the
    check's notes."""
    outcome = outcome_of(report)
    rows = []
    for f in getattr(report, "cis_findings", None) or []:
        state = "waived" if f.get("waived") else "passed" if f.get("compliant") else "failed"
        rows.append({"state": state, "word": _STATES[state][1],
                     "resource": printable(f.get("resource", ""), 300),
                     "region": printable(f.get("region") or "-", 40),
                     "reason": printable(f.get("reason", ""), 300)})
    rows.sort(key=lambda row: _STATES[row["state"]][0])
    reason = "" if outcome == "passed" else printable(_reason(report), 300)
    # "manual: manual: ..." would say it twice
    reason = reason.removeprefix(f"{outcome}: ").removeprefix(f"{WORDS[outcome]}: ")
    html = _environment().get_template("evidence.html.jinja2").render(
        outcome=outcome, word=WORDS[outcome], reason=reason, rows=rows[:MAX_EVIDENCE],
        more=max(0, len(rows) - MAX_EVIDENCE),
        notes=[printable(n, 300) for n in getattr(report, "cis_notes", None) or []])
    return "".join(line.strip() for line in html.splitlines())


def duration_text(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    return f"{minutes // 60} h {minutes % 60} min"

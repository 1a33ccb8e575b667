"""pytest-html columns, title and summary. Registered only when pytest-html is installed.

pytest-html inserts these strings as raw HTML: everything that came from AWS is escaped here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape
from typing import Any

from ..text import printable
from .baseline import describe
from .results import OUTCOMES, Results, incomplete_note
from .terminal import baseline_lines, credential_report_lines, not_run_line, score_lines

# pytest-html sorts on `data-column-type` and reads row values from `col-<name>` (\w+ only).
COLUMNS = (("cisid", "CIS ID"), ("cislevel", "Level"), ("cissection", "Section"),
           ("cisscored", "Scored"))


class HtmlHooks:
    def __init__(self, results: Results, header: Any,
                 document: Callable[[], Mapping[str, Any]] | None = None) -> None:
        self.results = results
        self.header = header  # callable giving the summary header
        self.document = document  # with --cis-baseline: the compared --cis-json document

    def pytest_html_report_title(self, report: Any) -> None:
        account = self.header()["account"]
        report.title = f"CIS AWS Foundations Benchmark v1.1.0 — account {account}"

    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        for offset, (name, label) in enumerate(COLUMNS):
            cells.insert(1 + offset, f'<th class="sortable" data-column-type="{name}">{label}</th>')

    def pytest_html_results_table_row(self, report: Any, cells: list[str]) -> None:
        if getattr(report, "cis_phase", None):
            # An error logged as a setup failure (report/phases.py) happened in another phase:
            # the row names the test, not a "::setup" it did not fail in.
            cells[:] = [c.replace(f"::{report.when}</td>", "</td>") if "col-testId" in c else c
                        for c in cells]
        meta = getattr(report, "cis", None) or {}
        values = (meta.get("id", ""), meta.get("level", ""), meta.get("section", "") or "",
                  ("yes" if meta.get("scored") else "no") if meta else "")
        for offset, ((name, _), value) in enumerate(zip(COLUMNS, values)):
            cells.insert(1 + offset, f'<td class="col-{name}">{escape(str(value))}</td>')

    def pytest_html_results_summary(self, prefix: list[str], summary: list[str],
                                    postfix: list[str]) -> None:
        header = self.header()
        rows = "".join(
            f"<tr><td>{escape(section)}</td>" + "".join(f"<td>{counts[o]}</td>" for o in OUTCOMES)
            + "</tr>"
            for section, counts in self.results.by_section().items()
        )
        head = "".join(f"<th>{o}</th>" for o in ("section", *OUTCOMES))
        completeness = self.results.completeness()
        note = incomplete_note(completeness)
        warning = ""
        if note:
            listed = f"<br>{escape(not_run_line(completeness))}" if completeness["not_run"] else ""
            warning = (f'<p class="cis-incomplete" style="color:#c00"><strong>'
                       f"{escape(note)}</strong>{listed}</p>")
        scores = "".join(f"<p><strong>{escape(line)}</strong></p>"
                         for line in score_lines(self.results.score(), header["level"], note))
        prefix.append(
            f"<h2>CIS AWS Foundations Benchmark v1.1.0</h2>"
            f"<p>Account {escape(str(header['account']))}; regions "
            f"{escape(', '.join(header['regions']))}; level {header['level']}</p>"
            + (f"<p><strong>no region audited: {escape(header['no_regions'])}; every regional "
               "recommendation ended in error</strong></p>" if header.get("no_regions") else "")
            + "".join(f"<p>{escape(line)}</p>" for line, _ in
                      credential_report_lines(header.get("credential_reports") or {}))
            + f"{warning}{scores}<table><tr>{head}</tr>{rows}</table>"
            + (baseline_html(self.document()) if self.document is not None else "")
        )


def baseline_html(doc: Mapping[str, Any]) -> str:
    """The comparison with --cis-baseline: counts, then the new items (as in the terminal)."""
    lines = baseline_lines(doc, limit=100)
    if not lines:
        return ""
    listed = "".join(f"<li>{escape(line.strip().removeprefix('new: '))}</li>"
                     for line in lines[1:])
    many = bool(doc.get("accounts"))
    resolved = "".join(f"<li>{escape(printable(describe(entry, account=many), 240))}</li>"
                       for entry in (doc.get("resolved") or [])[:100])
    return (f'<p class="cis-baseline"><strong>{escape(lines[0])}</strong></p>'
            + (f'<p>New:</p><ul class="cis-new">{listed}</ul>' if listed else "")
            + (f'<p>Resolved:</p><ul class="cis-resolved">{resolved}</ul>' if resolved else ""))

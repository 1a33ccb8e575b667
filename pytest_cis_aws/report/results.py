"""What a CIS run found, gathered from test reports on the controller (xdist included).

Reports carry the CIS metadata and findings as plain attributes, so they survive xdist; this
module turns them into one result per check, and the score the benchmark defines: passed scored
recommendations over scored recommendations evaluated automatically (manual, error and skipped
outcomes are listed, never counted as passes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import catalog

OUTCOMES = ("passed", "failed", "error", "manual", "waived", "skipped")


@dataclass
class Result:
    id: str
    title: str
    section: str | None
    level: int
    scored: bool
    stock: bool
    nodeid: str
    outcome: str = "passed"
    reason: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "section": self.section, "level": self.level,
            "scored": self.scored, "outcome": self.outcome, "reason": self.reason,
            "nodeid": self.nodeid, "findings": self.findings,
        }


def _reason(report: Any) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    text = str(getattr(report, "longreprtext", "") or report.longrepr or "")
    return text.strip().splitlines()[0] if text.strip() else ""


def outcome_of(report: Any) -> str:
    if getattr(report, "cis_outcome", None) == "error":
        return "error"
    if hasattr(report, "wasxfail"):
        return "waived"
    if report.failed:
        return "failed" if report.when == "call" else "error"
    if report.skipped:
        return "manual" if _reason(report).startswith("manual:") else "skipped"
    return "passed"


class Results:
    def __init__(self) -> None:
        self.by_nodeid: dict[str, Result] = {}

    def add(self, report: Any) -> None:
        meta = getattr(report, "cis", None)
        if meta is None:
            return
        outcome = outcome_of(report)
        if report.when == "teardown" and outcome == "passed":
            return
        result = self.by_nodeid.get(report.nodeid)
        if result is None:
            result = Result(id=meta["id"], title=meta["title"], section=meta["section"],
                            level=meta["level"], scored=meta["scored"],
                            stock=bool(meta.get("stock")), nodeid=report.nodeid)
            self.by_nodeid[report.nodeid] = result
        findings = getattr(report, "cis_findings", None)
        if findings is not None:
            result.findings = list(findings)
        # The first phase that did not pass decides (a setup error beats an empty call).
        if result.outcome == "passed" or report.when == "setup":
            result.outcome = outcome
            result.reason = _reason(report) if outcome != "passed" else ""

    def results(self) -> list[Result]:
        def key(r: Result) -> tuple[Any, ...]:
            rec = catalog.CATALOG.get(r.id)
            return (0, rec.sort_key, r.nodeid) if rec else (1, (0, 0), r.id + r.nodeid)

        return sorted(self.by_nodeid.values(), key=key)

    def score(self) -> dict[str, dict[str, int]]:
        """Per level: scored stock recommendations that passed / were evaluated automatically."""
        out = {}
        for level in (1, 2):
            scored = [r for r in self.results() if r.stock and r.scored and r.level <= level]
            evaluated = [r for r in scored if r.outcome in ("passed", "failed", "waived")]
            out[str(level)] = {"passed": sum(r.outcome == "passed" for r in evaluated),
                               "evaluated": len(evaluated)}
        return out

    def by_section(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for r in self.results():
            row = table.setdefault(r.section or "other", dict.fromkeys(OUTCOMES, 0))
            row[r.outcome] += 1
        return table

"""What a CIS run found, gathered from test reports on the controller (xdist included).

Reports carry the CIS metadata and findings as plain attributes, so they survive xdist; this
module turns them into one result per check, and the score the benchmark defines: passed scored
recommendations over scored recommendations evaluated automatically (manual, error and skipped
outcomes are listed, never counted as passes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import catalog

XDIST_HEADER = re.compile(r"^\[gw\d+\] ")
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
    account: str | None = None
    outcome: str = "passed"
    reason: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "section": self.section, "level": self.level,
            "scored": self.scored, "stock": self.stock, "account": self.account,
            "outcome": self.outcome, "reason": self.reason, "nodeid": self.nodeid,
            "findings": self.findings,
        }


def score(results: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """Per level: scored stock recommendations that passed / were evaluated automatically."""
    rows = [r for r in results if r.get("stock") and r.get("scored")]
    out = {}
    for level in (1, 2):
        evaluated = [r for r in rows if r["level"] <= level
                     and r["outcome"] in ("passed", "failed", "waived")]
        out[str(level)] = {"passed": sum(r["outcome"] == "passed" for r in evaluated),
                           "evaluated": len(evaluated)}
    return out


def score_by_account(results: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, dict[str, int]]]:
    accounts: dict[str, list[Mapping[str, Any]]] = {}
    for r in results:
        if r.get("account"):
            accounts.setdefault(str(r["account"]), []).append(r)
    return {account: score(rows) for account, rows in sorted(accounts.items())}


def _reason(report: Any) -> str:
    if hasattr(report, "wasxfail"):
        return str(report.wasxfail)
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    text = str(getattr(report, "longreprtext", "") or report.longrepr or "")
    # xdist puts a "[gw0] linux -- Python ..." line above a worker's failure
    lines = [line for line in text.strip().splitlines() if not XDIST_HEADER.match(line)]
    return lines[0] if lines else ""


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
                            stock=bool(meta.get("stock")), account=meta.get("account"),
                            # xdist's loadgroup appends "@group" to node ids on workers
                            nodeid=report.nodeid.split("@", 1)[0])
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
            place = (0, rec.sort_key) if rec else (1, (0, 0))
            return (r.account or "", *place, r.id, r.nodeid)

        return sorted(self.by_nodeid.values(), key=key)

    def score(self) -> dict[str, dict[str, int]]:
        return score(r.to_dict() for r in self.results())

    def score_by_account(self) -> dict[str, dict[str, dict[str, int]]]:
        return score_by_account(r.to_dict() for r in self.results())

    def by_section(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for r in self.results():
            row = table.setdefault(r.section or "other", dict.fromkeys(OUTCOMES, 0))
            row[r.outcome] += 1
        return table

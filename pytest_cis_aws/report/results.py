"""What a CIS run found, gathered from test reports on the controller (xdist included).

Reports carry the CIS metadata and findings as plain attributes, so they survive xdist; this
module turns them into one result per check, and the score the benchmark defines: passed scored
recommendations over scored recommendations evaluated automatically (manual, error and skipped
outcomes are listed, never counted as passes).

A check has a result once its teardown was logged (or xdist reported its worker crashed). The
checks collected that never got that far — Ctrl-C, SIGTERM, `-x`, too many crashed workers —
are "not run", and a run with any of them is incomplete: every output says so next to the score.
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
    # What the check said beside its findings: why an empty population complies, how a filter
    # was read. Evidence, never a verdict.
    notes: list[str] = field(default_factory=list)
    done: bool = False  # its last report arrived: teardown, or xdist's crash report
    judged: bool = False  # it has an outcome: its body ran, or setup ended it (error, skip)

    @property
    def final(self) -> bool:
        # A passed setup and teardown with no call between (--setup-only) is not a pass.
        return self.done and self.judged

    @classmethod
    def of(cls, meta: Mapping[str, Any], nodeid: str) -> Result:
        return cls(id=meta["id"], title=meta["title"], section=meta["section"],
                   level=meta["level"], scored=meta["scored"], stock=bool(meta.get("stock")),
                   account=meta.get("account"),
                   # xdist's loadgroup appends "@group" to node ids on workers
                   nodeid=nodeid.split("@", 1)[0])

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "section": self.section, "level": self.level,
            "scored": self.scored, "stock": self.stock, "account": self.account,
            "outcome": self.outcome, "reason": self.reason, "nodeid": self.nodeid,
            "findings": self.findings,
            "notes": self.notes,
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


def _order(r: Result) -> tuple[Any, ...]:
    rec = catalog.current().recommendations.get(r.id)
    place = (0, rec.sort_key) if rec else (1, (0, 0))
    return (r.account or "", *place, r.id, r.nodeid)


def incomplete_note(completeness: Mapping[str, Any]) -> str | None:
    """"incomplete: N of M not run", shown next to every score of an incomplete run."""
    if completeness.get("complete", True):
        return None
    missing = len(completeness.get("not_run", []))
    collected = completeness.get("collected", 0)
    # A merged document lacking shards (`pytest-cis-aws merge`) names them and their accounts.
    shards = [f"shard {s['index']}/{s['count']} not merged ({len(s['accounts'])} "
              f"account{'s' if len(s['accounts']) != 1 else ''} not audited)"
              for s in completeness.get("missing_shards", [])]
    if shards and not missing:
        return "incomplete: " + "; ".join(shards)
    if not collected:
        return "incomplete: interrupted before the checks were collected"
    return "; ".join([f"incomplete: {missing} of {collected} not run", *shards])


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
    # `cis_outcome` is what the plugin knew when the check ended (hooks.py's makereport); the
    # message is for people and decides nothing.
    marked = getattr(report, "cis_outcome", None)
    if marked == "error":
        return "error"
    if hasattr(report, "wasxfail"):
        return "waived"
    if report.failed:
        return "failed" if report.when == "call" else "error"
    if report.skipped:
        return "manual" if marked == "manual" else "skipped"
    return "passed"


class Results:
    def __init__(self) -> None:
        self.by_nodeid: dict[str, Result] = {}
        # The CIS checks collected, {node id: metadata}: from the session's items, or from
        # what xdist workers recorded (the controller collects nothing itself).
        self.expected: dict[str, Mapping[str, Any]] = {}
        self.interrupted = False

    def expect(self, collected: Mapping[str, Mapping[str, Any]]) -> None:
        self.expected.update(collected)

    def add(self, report: Any) -> None:
        meta = getattr(report, "cis", None)
        if meta is None:
            return
        result = self.by_nodeid.get(report.nodeid)
        if result is None:
            result = self.by_nodeid[report.nodeid] = Result.of(meta, report.nodeid)
        if report.when == "teardown" or (getattr(report, "cis_crashed", False) and report.failed):
            result.done = True
        outcome = outcome_of(report)
        if report.when == "call" or outcome != "passed":
            result.judged = True
        if report.when == "teardown" and outcome == "passed":
            return
        findings = getattr(report, "cis_findings", None)
        if findings is not None:
            result.findings = list(findings)
        notes = getattr(report, "cis_notes", None)
        if notes:
            result.notes = list(notes)
        # The first phase that did not pass decides (a setup error beats an empty call).
        if result.outcome == "passed" or report.when == "setup":
            result.outcome = outcome
            result.reason = _reason(report) if outcome != "passed" else ""

    def results(self) -> list[Result]:
        return sorted((r for r in self.by_nodeid.values() if r.final), key=_order)

    def not_run(self) -> list[Result]:
        """Collected checks without a result: never started, or stopped half-way."""
        waiting = {nodeid: Result.of(meta, nodeid) for nodeid, meta in self.expected.items()}
        waiting.update(self.by_nodeid)
        return sorted((r for r in waiting.values() if not r.final), key=_order)

    def completeness(self) -> dict[str, Any]:
        """Whether every collected check has a result; which did not run, by id."""
        missing = self.not_run()
        # Interrupted before any collection was known (xdist workers still collecting):
        # nothing is known to be missing, and nothing proves the run complete either.
        unknown = self.interrupted and not self.expected
        return {
            "complete": not missing and not unknown,
            "collected": len(self.expected.keys() | self.by_nodeid.keys()),
            "not_run": [{"id": r.id, "account": r.account, "nodeid": r.nodeid}
                        for r in missing],
        }

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

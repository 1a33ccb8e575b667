"""Judge and print the organization benchmark: time, calls per account, xdist, JSON results."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from audit import AuditRun
from report import markdown_table

# Keys of the --cis-json document that differ between two runs by design.
UNCOMPARED = ("generated_at", "api_calls")
SHOWN_DIFFERENCES = 5


@dataclass(frozen=True)
class OrgRun:
    """One audit of the organization: the plugin's view and the server's."""

    audit: AuditRun
    document: dict[str, Any]  # the --cis-json document ({} when none was written)
    requests: dict[str, dict[str, int]]  # account -> "service:Operation" -> requests received
    assumed: dict[str, int]  # account -> sts:AssumeRole requests naming its role
    errors: dict[tuple[str, str, str], int]  # (account, operation, "status Code") -> answers

    @property
    def workers(self) -> int:
        return self.audit.workers

    @property
    def label(self) -> str:
        return f"-n {self.workers}" if self.workers else "single process"

    def account_total(self, account: str) -> int:
        return sum(self.requests.get(account, {}).values())


@dataclass
class OrgResults:
    members: list[str]
    runs: list[OrgRun]
    seeding: list[tuple[str, float]] = field(default_factory=list)

    @property
    def single(self) -> OrgRun:
        return self.runs[0]

    @property
    def spread(self) -> OrgRun | None:
        return self.runs[1] if len(self.runs) > 1 else None

    def management(self) -> str:
        """The account the audit starts from: the one the server saw that is not a member."""
        others = {a for run in self.runs for a in run.requests} - set(self.members)
        return ", ".join(sorted(others)) or "-"


# Checks -----------------------------------------------------------------------------------------

def check_assumed(results: OrgResults) -> list[str]:
    """Each member's role assumed exactly once per run (plugin total and server, per account)."""
    problems = []
    for run in results.runs:
        plugin = run.audit.calls.get("sts:AssumeRole", 0)
        if plugin != len(results.members):
            problems.append(f"{run.label}: the plugin counts {plugin} sts:AssumeRole calls "
                            f"for {len(results.members)} accounts")
        wrong = {a: run.assumed.get(a, 0) for a in results.members if run.assumed.get(a) != 1}
        wrong |= {a: n for a, n in run.assumed.items() if a not in results.members}
        if wrong:
            shown = ", ".join(f"{a}: {n}" for a, n in sorted(wrong.items()))
            problems.append(f"{run.label}: role assumed other than once: {shown}")
    return problems


def _totals(requests: dict[str, dict[str, int]]) -> Counter[str]:
    totals: Counter[str] = Counter()
    for calls in requests.values():
        totals.update(calls)
    return totals


def check_counters(results: OrgResults) -> list[str]:
    """The plugin's --cis-api-stats agrees with the requests the server received."""
    problems = []
    for run in results.runs:
        seen = _totals(run.requests)
        for op in sorted(set(seen) | set(run.audit.calls)):
            if seen[op] != run.audit.calls.get(op, 0):
                problems.append(f"{run.label}: {op}: plugin {run.audit.calls.get(op, 0)}, "
                                f"server {seen[op]}")
    return problems


def _differences(single: dict[str, int], spread: dict[str, int]) -> str:
    ops = sorted(op for op in set(single) | set(spread) if single.get(op) != spread.get(op))
    return ", ".join(f"{op} {single.get(op, 0)} → {spread.get(op, 0)}" for op in ops)


def check_per_account(results: OrgResults) -> list[str]:
    """Every account (members and the management one) gets the same calls under -n."""
    spread = results.spread
    if spread is None:
        return []
    problems = []
    accounts = sorted(set(results.single.requests) | set(spread.requests))
    for account in accounts:
        diff = _differences(results.single.requests.get(account, {}),
                            spread.requests.get(account, {}))
        if diff:
            role = "member" if account in results.members else "management"
            problems.append(f"{role} {account}: {diff}")
    return problems


def _rows(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(row.get("nodeid")): row for row in document.get("results", [])}


def json_differences(one: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """How two --cis-json documents differ, ignoring UNCOMPARED keys."""
    if not one or not other:
        return ["a run wrote no --cis-json document"]
    keys = sorted((set(one) | set(other)) - {"results", *UNCOMPARED})
    found = [f"`{key}` differs" for key in keys if one.get(key) != other.get(key)]
    rows, others = _rows(one), _rows(other)
    for nodeid in sorted(set(rows) ^ set(others)):
        found.append(f"{nodeid}: only in {'the first' if nodeid in rows else 'the second'}")
    for nodeid in sorted(set(rows) & set(others)):
        fields = [k for k in sorted(set(rows[nodeid]) | set(others[nodeid]))
                  if rows[nodeid].get(k) != others[nodeid].get(k)]
        if fields:
            found.append(f"{nodeid}: {', '.join(fields)} differ")
    if [r.get("nodeid") for r in one.get("results", [])] != [
            r.get("nodeid") for r in other.get("results", [])] and not found:
        found.append("the same results in a different order")
    return found


def check_json(results: OrgResults) -> list[str]:
    if results.spread is None:
        return []
    found = json_differences(results.single.document, results.spread.document)
    if len(found) > SHOWN_DIFFERENCES:
        found = [*found[:SHOWN_DIFFERENCES], f"... and {len(found) - SHOWN_DIFFERENCES} more"]
    return found


def check_coverage(results: OrgResults) -> list[str]:
    """Every member, and only members, audited, each with the same number of checks."""
    problems = []
    for run in results.runs:
        per_account = Counter(str(r.get("account")) for r in run.document.get("results", []))
        if sorted(per_account) != sorted(results.members):
            missing = sorted(set(results.members) - set(per_account))
            extra = sorted(set(per_account) - set(results.members))
            problems.append(f"{run.label}: accounts missing {missing}, unexpected {extra}")
        if len(set(per_account.values())) > 1:
            problems.append(f"{run.label}: checks per account differ: "
                            f"{dict(sorted(Counter(per_account.values()).items()))}")
    return problems


def error_answers(run: OrgRun, server_side: bool) -> list[str]:
    """The run's error answers (5xx: server_side, else 4xx), by operation and code: how many,
    in how many accounts."""
    answers: Counter[tuple[str, str]] = Counter()
    accounts: dict[tuple[str, str], set[str]] = {}
    for (account, op, status), count in run.errors.items():
        if status.startswith("5") == server_side:
            answers[op, status] += count
            accounts.setdefault((op, status), set()).add(account)
    return [f"{op} → {status}: {n} in {len(accounts[op, status])} accounts"
            for (op, status), n in sorted(answers.items())]


def check_errors(results: OrgResults) -> list[str]:
    """The server failed no request (HTTP 5xx: moto lacks something the audit reads)."""
    return [f"{run.label}: {line}" for run in results.runs for line in error_answers(run, True)]


def distinct_scores(document: dict[str, Any]) -> Counter[str]:
    """How many accounts reach each (level 1, level 2) score."""
    scores: Counter[str] = Counter()
    for score in document.get("score_by_account", {}).values():
        scores[" · ".join(f"L{level} {score[level]['passed']}/{score[level]['evaluated']}"
                          for level in sorted(score))] += 1
    return scores


def check_lines(results: OrgResults) -> list[str]:
    lines = []
    for title, problems in (
        ("each member's role assumed exactly once per run", check_assumed(results)),
        ("every member audited, the same checks in each", check_coverage(results)),
        ("plugin's call count equal to the requests the server received",
         check_counters(results)),
        ("`-n` calls equal to the single process, account by account",
         check_per_account(results)),
        ("JSON results identical (ignoring generated_at, api_calls)", check_json(results)),
        ("no request failed by the server (HTTP 5xx)", check_errors(results)),
    ):
        lines.append(f"- {title}: {'**no**' if problems else 'yes'}")
        lines += [f"  - {p}" for p in problems]
    refused = error_answers(results.single, False)
    lines.append(f"- answered with an AWS error (HTTP 4xx, single process: settings the "
                 f"accounts do not have, answered as AWS does): {len(refused) or 'none'}")
    lines += [f"  - {line}" for line in refused]
    scores = distinct_scores(results.single.document)
    lines.append(f"- results differ between accounts: {len(scores)} distinct scores over "
                 f"{len(results.members)} accounts")
    return lines


# Output -----------------------------------------------------------------------------------------

def _per_account(run: OrgRun, members: int) -> str:
    return f"{run.audit.total / members:.1f}"


def run_row(results: OrgResults, run: OrgRun) -> list[str]:
    m = run.audit.measured
    member_totals = [run.account_total(a) for a in results.members]
    return [
        run.label, f"{m.wall:.1f}", f"{m.cpu:.1f}", f"{m.peak_mb:.0f} / {m.tree_mb:.0f}",
        f"{run.audit.total:,}", _per_account(run, len(results.members)),
        f"{min(member_totals)}–{max(member_totals)}" if member_totals else "–",
        str(run.account_total(results.management())),
        str(run.audit.calls.get("sts:AssumeRole", 0)), run.audit.outcomes,
    ]


def runs_table(results: OrgResults) -> str:
    headers = ["run", "wall s", "CPU s", "peak MB (largest / all)", "AWS calls",
               f"calls / account (total / {len(results.members)})",
               "calls per member (min–max)", "management account calls", "sts:AssumeRole",
               "outcomes"]
    return markdown_table(headers, [run_row(results, run) for run in results.runs])


LEGEND = (
    "*AWS calls*: the plugin's `--cis-api-stats` total. *calls per member*: requests the moto "
    "server received with each member's assumed-role credentials (the bench maps each access "
    "key to its account by watching `sts:AssumeRole`); *management account calls*: those made "
    "with the auditing identity itself, `sts:AssumeRole` included. *peak MB*: the largest "
    "process / all processes together (sampled every 100 ms). *CPU s*: pytest and its workers, "
    "not moto."
)


def _spread(values: Sequence[int]) -> str:
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}–{high}"


def operations_table(results: OrgResults) -> str:
    """Calls by operation: per member account (min–max), management, totals per run."""
    single, management = results.single, results.management()
    ops = sorted({op for run in results.runs for calls in run.requests.values() for op in calls})
    headers = ["operation", "per member account", "management account",
               *(f"total, {run.label}" for run in results.runs)]
    rows = []
    for op in ops:
        per_member = [single.requests.get(a, {}).get(op, 0) for a in results.members]
        rows.append([f"`{op}`", _spread(per_member),
                     str(single.requests.get(management, {}).get(op, 0)),
                     *(str(_totals(run.requests)[op]) for run in results.runs)])
    rows.sort(key=lambda row: (row[1] != "0", row[0]))
    return markdown_table(headers, rows)


def scores_table(results: OrgResults) -> str:
    scores = distinct_scores(results.single.document)
    rows = [[score, str(n)] for score, n in sorted(scores.items(), key=lambda s: (-s[1], s[0]))]
    return markdown_table(["score (passed / evaluated, scored checks)", "accounts"], rows)


def member_line(results: OrgResults) -> str:
    totals = [results.single.account_total(a) for a in results.members]
    return (f"Requests per member account (single process): median "
            f"{statistics.median(totals):g}, min {min(totals)}, max {max(totals)}; the "
            f"management account: {results.single.account_total(results.management())}.")


def seeding_line(results: OrgResults) -> str:
    steps = ", ".join(f"{what} {seconds:.1f} s" for what, seconds in results.seeding)
    return f"Seeding through boto3 to the moto server (4 threads): {steps}."


def render(results: OrgResults, preamble: Sequence[str] = ()) -> str:
    return "\n".join([
        f"## Cost of a Level 2 audit of an organization of {len(results.members)} accounts",
        "", *preamble, "", runs_table(results), "", LEGEND, "", member_line(results), "",
        seeding_line(results), "", "### Checks", "", *check_lines(results), "",
        "### Scores by account (single process)", "", scores_table(results), "",
        "### Calls by operation (counted by the server)", "", operations_table(results), "",
    ])

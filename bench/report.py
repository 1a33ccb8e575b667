"""Judge the measured runs (does anything grow with users, or faster than regions?) and print."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from audit import AuditRun
from dormant import Dormant
from seed import assigned_mfa_devices

# Calls whose number does not depend on the audited regions; every other operation should cost
# a fixed number of calls per region. The metric filters and alarms are read behind every
# trail's log group (in the group's region), so they grow with those trails: the bench account
# has one trail with a log group in each region, so here they follow R.
ACCOUNT_SERVICES = ("iam", "sts", "account", "cur")
ACCOUNT_OPERATIONS = ("ec2:DescribeRegions",)


# The listings whose items the bench can count in the account of U users, and the page size the
# plugin asks IAM for (collect_iam: PaginationConfig={"PageSize": 1000}). A count that follows
# these pages exactly is pagination, not calls per user.
PAGE_SIZE = 1000
PAGED_ITEMS: dict[str, Callable[[int], int]] = {
    "iam:ListVirtualMFADevices": assigned_mfa_devices,  # AssignmentStatus="Assigned"
}


def is_account_wide(operation: str) -> bool:
    return operation.partition(":")[0] in ACCOUNT_SERVICES or operation in ACCOUNT_OPERATIONS


def iam_calls(run: AuditRun) -> dict[str, int]:
    return {op: n for op, n in run.calls.items() if op.startswith("iam:")}


def fixed_calls(run: AuditRun) -> dict[str, int]:
    return {op: n for op, n in run.calls.items() if is_account_wide(op)}


def regional_calls(run: AuditRun) -> dict[str, int]:
    return {op: n for op, n in run.calls.items() if not is_account_wide(op)}


def per_region(run: AuditRun) -> float:
    return sum(regional_calls(run).values()) / run.regions


@dataclass(frozen=True)
class Skipped:
    users: int
    reason: str


@dataclass
class Results:
    runs: list[AuditRun]
    skipped: list[Skipped]
    seeding: list[tuple[str, float]] = field(default_factory=list)  # (what, seconds)
    dormant: Dormant | None = None

    def single(self) -> list[AuditRun]:
        return [r for r in self.runs if r.workers == 0]

    def find(self, users: int, regions: int, workers: int) -> AuditRun | None:
        return next((r for r in self.runs if (r.users, r.regions, r.workers)
                     == (users, regions, workers)), None)

    def sizes(self) -> list[tuple[int, int]]:
        return sorted({(r.users, r.regions) for r in self.single()})


# Checks -----------------------------------------------------------------------------------------

def _varying(series: dict[int, dict[str, int]]) -> dict[str, dict[int, int]]:
    """Operations whose count differs between the keys of `series` ({key: {op: count}})."""
    ops = sorted({op for calls in series.values() for op in calls})
    table = {op: {key: calls.get(op, 0) for key, calls in series.items()} for op in ops}
    return {op: counts for op, counts in table.items() if len(set(counts.values())) > 1}


def _by(runs: Iterable[AuditRun], fixed: str) -> dict[int, list[AuditRun]]:
    groups: dict[int, list[AuditRun]] = {}
    for run in runs:
        groups.setdefault(getattr(run, fixed), []).append(run)
    return groups


@dataclass(frozen=True)
class Growth:
    """An operation whose count changes with U, at R regions: {users: calls}."""

    regions: int
    operation: str
    counts: dict[int, int]

    def shown(self) -> str:
        return ", ".join(f"U={u}: {n}" for u, n in self.counts.items())


def grown_with_users(results: Results, pick: str) -> list[Growth]:
    """Per number of regions: the operations (IAM or regional) whose count changes with U."""
    select = iam_calls if pick == "iam" else regional_calls
    grown = []
    for regions, runs in sorted(_by(results.single(), "regions").items()):
        series = {run.users: select(run) for run in sorted(runs, key=lambda r: r.users)}
        if len(series) > 1:
            grown += [Growth(regions, op, counts) for op, counts in _varying(series).items()]
    return grown


def expected_pages(items: int) -> set[int]:
    """Calls to list `items` in pages of PAGE_SIZE: AWS's ceil(items / page), at least one,
    or moto's (it follows an exactly full last page with an empty one)."""
    full, rest = divmod(items, PAGE_SIZE)
    return {max(1, full + (rest > 0)), full + 1}


def is_paging(growth: Growth) -> bool:
    items = PAGED_ITEMS.get(growth.operation)
    return items is not None and all(n in expected_pages(items(users))
                                     for users, n in growth.counts.items())


def describe_growth(growth: Growth) -> str:
    head = f"R={growth.regions}: {growth.operation} ({growth.shown()})"
    items = PAGED_ITEMS.get(growth.operation)
    if items is not None and is_paging(growth):
        listed = ", ".join(f"{items(u):,}" for u in growth.counts)
        return f"{head}: {listed} items in pages of {PAGE_SIZE:,}"
    return f"{head}: grows with users, {_growth(growth.counts)}"


def check_users(results: Results, pick: str) -> tuple[str, list[str]]:
    """The verdict on U for IAM or regional calls: yes, only pagination, or no; and the detail."""
    grown = grown_with_users(results, pick)
    details = [describe_growth(g) for g in grown]
    if not grown:
        return "yes", details
    if all(is_paging(g) for g in grown):
        return f"grows only by pagination ({PAGE_SIZE:,} items per page)", details
    return "**no**", details


def _growth(counts: dict[int, int]) -> str:
    """Pages of a paginated listing, or calls per resource? Judged at the largest U."""
    users = max(counts)
    if counts[users] * 10 > users:
        return "**about one call per 10 users or more: per-user calls?**"
    return f"pagination?, one call per ~{users // counts[users]} users at U={users}"


def check_fixed(results: Results) -> list[str]:
    """Per number of users: the account-wide operations must not change with R."""
    problems = []
    for users, runs in sorted(_by(results.single(), "users").items()):
        series = {run.regions: fixed_calls(run) for run in sorted(runs, key=lambda r: r.regions)}
        for op, counts in _varying(series).items():
            shown = ", ".join(f"R={r}: {n}" for r, n in counts.items())
            problems.append(f"U={users}: {op} changes with regions ({shown})")
    return problems


def check_regions(results: Results) -> list[str]:
    """Per number of users: every regional operation must cost the same per region."""
    problems = []
    for users, runs in sorted(_by(results.single(), "users").items()):
        series = {run.regions: regional_calls(run) for run in runs}
        per = {r: {op: n / r for op, n in calls.items()} for r, calls in series.items()}
        for op in sorted({op for calls in per.values() for op in calls}):
            ratios = {r: calls.get(op, 0) for r, calls in sorted(per.items())}
            if len(set(ratios.values())) > 1:
                shown = ", ".join(f"R={r}: {series[r].get(op, 0)}" for r in ratios)
                problems.append(f"U={users}: {op} is not a fixed count per region ({shown})")
    return problems


def check_xdist(results: Results) -> list[str]:
    problems = []
    for run in results.runs:
        if run.workers == 0:
            continue
        single = results.find(run.users, run.regions, 0)
        if single is None:
            continue
        for op, counts in _varying({0: single.calls, run.workers: run.calls}).items():
            problems.append(f"U={run.users} R={run.regions}: {op} single {counts[0]}, "
                            f"-n {run.workers} {counts[run.workers]}")
    return problems


def check_outcomes(results: Results) -> list[str]:
    """The audit must reach the same verdicts on every size (the accounts differ in size only)."""
    seen: dict[str, list[str]] = {}
    for run in results.runs:
        seen.setdefault(run.outcomes, []).append(f"U={run.users} R={run.regions} -n {run.workers}")
    if len(seen) < 2:
        return []
    return [f"{outcome}: {', '.join(where)}" for outcome, where in seen.items()]


def xdist_equal(results: Results, users: int, regions: int) -> str:
    single = results.find(users, regions, 0)
    spread = [r for r in results.runs if (r.users, r.regions) == (users, regions) and r.workers]
    if single is None or not spread:
        return "–"
    return "yes" if all(r.calls == single.calls for r in spread) else "**no**"


# Output -----------------------------------------------------------------------------------------

def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _xdist_run(results: Results, users: int, regions: int) -> AuditRun | None:
    return next((r for r in results.runs
                 if (r.users, r.regions) == (users, regions) and r.workers), None)


def size_row(results: Results, users: int, regions: int) -> list[str]:
    run = results.find(users, regions, 0)
    assert run is not None
    spread = _xdist_run(results, users, regions)
    m = run.measured
    return [
        f"{users:,} users × {regions} region{'s' if regions > 1 else ''}",
        f"{m.wall:.1f}", f"{m.cpu:.1f}", f"{m.peak_mb:.0f}", str(run.total),
        str(sum(iam_calls(run).values())), f"{per_region(run):g}",
        f"{spread.measured.wall:.1f}" if spread else "–",
        f"{spread.measured.peak_mb:.0f} / {spread.measured.tree_mb:.0f}" if spread else "–",
        xdist_equal(results, users, regions),
    ]


def size_headers(results: Results) -> list[str]:
    n = f"-n {max((r.workers for r in results.runs), default=0) or 4}"
    return ["size", "wall s", "CPU s", "peak MB", "total calls", "IAM calls", "per-region calls",
            f"{n} wall s", f"{n} peak MB (largest / all)", f"{n} calls equal?"]


LEGEND = (
    "*wall s*: the pytest process from start to exit, moto answering in the bench process. "
    "*CPU s*: user + system time of pytest (and its workers), not of moto. *peak MB*: peak "
    "RSS of the pytest process; under xdist, of the largest process / of all processes "
    "together (sampled every 100 ms). *per-region calls*: calls other than the account-wide "
    "ones (IAM, STS, account, CUR, `ec2:DescribeRegions`) divided by the number of regions "
    "(the metric filters and alarms are read behind each trail's log group: one per region "
    "here)."
)


def sizes_table(results: Results) -> str:
    rows = [size_row(results, u, r) for u, r in results.sizes()]
    rows += [[f"{s.users:,} users", f"not measured: {s.reason}", *["–"] * 8]
             for s in results.skipped]
    return markdown_table(size_headers(results), rows)


def operations_table(results: Results) -> str:
    """Calls by service and operation, one column per size (single-process runs)."""
    runs = sorted(results.single(), key=lambda r: (r.regions, r.users))
    ops = sorted({op for run in runs for op in run.calls},
                 key=lambda op: (not is_account_wide(op), op))
    headers = ["operation", *(f"{r.users}u×{r.regions}r" for r in runs)]
    rows = [[f"`{op}`", *(str(run.calls.get(op, 0)) for run in runs)] for op in ops]
    return markdown_table(headers, rows)


def dormant_lines(dormant: Dormant) -> list[str]:
    return [
        f"Dormant plugin on a one-test run (median of {dormant.repeats} alternating runs): "
        f"{dormant.with_plugin_ms:.0f} ms with it, {dormant.without_plugin_ms:.0f} ms with "
        f"`-p no:cis_aws`: **{round(dormant.overhead_ms):+d} ms**.",
        f"Imported during the dormant run: {dormant.loaded_with_plugin} "
        f"(with `-p no:cis_aws`: {dormant.loaded_without_plugin}).",
    ]


def _verdict(problems: list[str]) -> tuple[str, list[str]]:
    return ("**no**" if problems else "yes"), problems


def check_lines(results: Results) -> list[str]:
    lines = []
    for title, (verdict, details) in (
        ("IAM calls identical across U", check_users(results, "iam")),
        ("regional calls identical across U", check_users(results, "regional")),
        ("account-wide calls identical across R", _verdict(check_fixed(results))),
        ("regional calls a fixed count per region (calls / R)",
         _verdict(check_regions(results))),
        ("`-n` calls equal to the single process", _verdict(check_xdist(results))),
        ("the same outcomes on every run", _verdict(check_outcomes(results))),
    ):
        lines.append(f"- {title}: {verdict}")
        lines += [f"  - {d}" for d in details]
    return lines


def seeding_line(results: Results) -> str:
    steps = ", ".join(f"{what} {seconds:.1f} s" for what, seconds in results.seeding)
    return f"Seeding through boto3 to the moto server (4 threads): {steps}."


def render(results: Results, preamble: Sequence[str] = ()) -> str:
    parts = ["## Cost of a Level 2 audit by account size", "", *preamble, "",
             sizes_table(results), "", LEGEND, "", seeding_line(results), "",
             "### Checks", "", *check_lines(results), ""]
    if results.dormant is not None:
        parts += ["### Dormant plugin", "", *dormant_lines(results.dormant), ""]
    parts += ["### Calls by operation (single process)", "", operations_table(results), ""]
    return "\n".join(parts)

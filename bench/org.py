"""Benchmark: a full Level 2 audit of a whole AWS Organization, with and without xdist.

Builds an organization of N member accounts in a moto server running in this process (each
with a little state, compliance varying by account), audits it with the real plugin in a pytest
subprocess assuming OrganizationAccountAccessRole in every member, then again with `-n 4`, and
reports wall time, CPU, memory, the AWS calls in total and per account (counted by the plugin and,
per account, by the server), and whether both runs reach the same JSON results.

    python bench/org.py                          # 50 member accounts
    python bench/org.py --accounts 20 --out bench/RESULTS-org.md
    python bench/org.py --quick                  # 5 accounts, a smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from audit import (
    AuditRun,
    audit_argv,
    calls_or_explain,
    fake_aws_env,
    measure,
    parse_outcomes,
)
from org_report import OrgResults, OrgRun, check_lines, render, runs_table
from org_seed import MANAGEMENT, ORG_REGIONS, ROLE, Member, seed_organization
from run import bytecode_cache, preamble, say, source_state, timed
from seed import Clients
from server import moto_server
from wire import Wire

QUICK_ACCOUNTS = 5
JSON_NAME = "org.json"


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=_positive, default=50,
                        help="member accounts in the organization (default 50)")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke run: {QUICK_ACCOUNTS} accounts")
    parser.add_argument("--workers", type=int, default=4,
                        help="xdist workers for the second run (default 4; 0: skip it)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="per pytest run, seconds")
    parser.add_argument("--no-stub", action="store_true",
                        help="let moto answer cur:DescribeReportDefinitions itself (HTTP 500, "
                             "retried with back-off in every account)")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="keep PYTHONDONTWRITEBYTECODE as it is (see bench/README.md)")
    parser.add_argument("--profile", type=Path, default=None,
                        help="also cProfile a single-process audit into this file, print its top")
    parser.add_argument("--keep-output", type=Path, default=None,
                        help="save the output and the JSON of every pytest run here")
    parser.add_argument("--out", type=Path, default=None, help="write the markdown here")
    args = parser.parse_args(argv)
    if args.quick:
        args.accounts = QUICK_ACCOUNTS
    return args


def org_argv(endpoint_url: str, workers: int, extra: tuple[str, ...] = ()) -> list[str]:
    """The organization audit: every member but the management account, both regions."""
    return [*audit_argv(endpoint_url, ORG_REGIONS, workers), "--cis-org-role", ROLE,
            f"--cis-exclude-accounts={MANAGEMENT}", f"--cis-json={JSON_NAME}", *extra]


def _audit(endpoint_url: str, workers: int, timeout: float,
           extra: tuple[str, ...] = ()) -> tuple[AuditRun, dict[str, Any]]:
    """One audit from an empty directory: its measurements and its JSON document."""
    with tempfile.TemporaryDirectory(prefix="cis-bench-org-") as empty:
        measured = measure(org_argv(endpoint_url, workers, extra), Path(empty), fake_aws_env(),
                           timeout)
        document_path = Path(empty, JSON_NAME)
        document = (json.loads(document_path.read_text(encoding="utf-8"))
                    if document_path.exists() else {})
    calls = calls_or_explain(measured, f"organization audit -n {workers}")
    run = AuditRun(users=0, regions=len(ORG_REGIONS), workers=workers, measured=measured,
                   calls=calls, outcomes=parse_outcomes(measured.output))
    return run, document


class OrgBench:
    def __init__(self, args: argparse.Namespace, endpoint_url: str, wire: Wire) -> None:
        self.args = args
        self.endpoint_url = endpoint_url
        self.wire = wire
        self.seeding: list[tuple[str, float]] = []
        self.members: list[Member] = []

    def seed(self) -> None:
        management = Clients(self.endpoint_url)
        timed(f"organization of {self.args.accounts} accounts",
              lambda: self.members.extend(seed_organization(management, self.args.accounts,
                                                            say)), self.seeding)

    def warm_up(self) -> None:
        """Fill the bytecode cache with a one-account audit (not recorded)."""
        _audit(self.endpoint_url, 0, self.args.timeout,
               (f"--cis-accounts={self.members[0].account}",))

    def audit(self, workers: int) -> OrgRun:
        self.wire.reset()
        audit, document = _audit(self.endpoint_url, workers, self.args.timeout)
        run = OrgRun(audit=audit, document=document, requests=self.wire.by_account(),
                     assumed=dict(self.wire.assumed), errors=dict(self.wire.errors))
        m = audit.measured
        say(f"  -n {workers}: {m.wall:.1f} s wall, {m.cpu:.1f} s CPU, {m.peak_mb:.0f} MB "
            f"(all: {m.tree_mb:.0f}), {audit.total} calls, sts:AssumeRole "
            f"{audit.calls.get('sts:AssumeRole', 0)}, {audit.outcomes}")
        self.keep(run)
        return run

    def profile(self, out: Path) -> None:
        from profiling import profile_argv

        say(f"profiling the single-process audit of {len(self.members)} accounts")
        print(profile_argv(org_argv(self.endpoint_url, 0), out, self.args.timeout))

    def keep(self, run: OrgRun) -> None:
        if self.args.keep_output is None:
            return
        self.args.keep_output.mkdir(parents=True, exist_ok=True)
        stem = self.args.keep_output / f"org-a{self.args.accounts}-n{run.audit.workers}"
        stem.with_suffix(".txt").write_text(run.audit.measured.output, encoding="utf-8")
        stem.with_suffix(".json").write_text(json.dumps(run.document, indent=2),
                                             encoding="utf-8")

    def run(self) -> OrgResults:
        say("seeding (boto3 to moto server):")
        self.seed()
        say("warm-up audit of one account (not recorded)")
        self.warm_up()
        runs = [self.audit(0)]
        if self.args.workers > 0:
            runs.append(self.audit(self.args.workers))
        if self.args.profile is not None:
            self.profile(self.args.profile)
        return OrgResults(members=[m.account for m in self.members], runs=runs,
                          seeding=self.seeding)


def measure_org(args: argparse.Namespace) -> OrgResults:
    wire = Wire(MANAGEMENT)
    with moto_server(stub=not args.no_stub, wrap=wire.wrap) as endpoint_url:
        return OrgBench(args, endpoint_url, wire).run()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.update(fake_aws_env())  # the seeding clients: fake credentials, local only
    started, source_at_start = time.perf_counter(), source_state()
    with tempfile.TemporaryDirectory(prefix="cis-bench-pycache-") as pycache:
        bytecode_cache(args, pycache)
        results = measure_org(args)
    say(f"done in {time.perf_counter() - started:.0f} s")
    print(runs_table(results))
    print("\n".join(check_lines(results)))
    if args.out is not None:
        sources = (source_at_start, source_state())
        args.out.write_text(render(results, preamble(argv, "bench/org.py", sources)),
                            encoding="utf-8")
        say(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
